//! Help-desk metrics: classification agreement, calibration, resolution, response times, cost and ROI.
//!
//! The input is a stream of [`Observation`]s, one per historical ticket: what the human did
//! (their intent label and timestamps) next to what the agent would have done in shadow mode
//! (its intent, confidence and [`Disposition`] under a policy). An [`Accumulator`] folds the
//! stream into counters whose size depends on the number of clients, intents, weeks and
//! distinct response minutes, never on the number of tickets, and [`Accumulator::finish`]
//! turns them into [`Kpis`]. Rollout gates per (client, intent) are in [`gates`].
//!
//! # Formulas
//!
//! *Labelled* tickets are those whose human intent is known; agreement only counts them.
//!
//! - **Agreement** (overall) = labelled tickets where agent intent = human intent ÷ labelled
//!   tickets. **Per intent** it is keyed by the agent's intent (precision: when the agent says
//!   `X`, how often the human said `X` too, which is what matters before letting it act on
//!   `X`); `recall` is keyed by the human intent (of the tickets humans called `X`, how many
//!   the agent called `X`).
//! - **Calibration**: labelled tickets grouped by confidence band `[lo, hi)` (the last band
//!   includes 1.0); per band the agreement and the mean confidence. A calibrated classifier
//!   has agreement ≈ mean confidence in every band.
//! - **Would-be autonomous resolution rate** = tickets whose plan would run without a human
//!   ([`Disposition::Autonomous`]) ÷ all tickets.
//! - **First-response time p50/p95**: minutes from `created` to `first_response` (rounded to
//!   the nearest minute), nearest-rank percentile: the value at rank ⌈p/100 · n⌉ of the sorted
//!   values. Tickets missing either timestamp, or answered "before" they were created, are
//!   left out and counted in `missing`.
//! - **MTTR by intent**: mean hours from `created` to `resolved`, keyed by the human intent
//!   (the agent's when unlabelled); tickets missing a timestamp are left out.
//! - **Reassignment rate** = tickets reassigned at least once ÷ tickets whose reassignment
//!   count is known.
//! - **After-hours share** = tickets created outside [`BusinessHours`] ÷ tickets with a
//!   creation time.
//! - **Cost** ([`CostModel`], every ticket of the history is taken as an L1 ticket):
//!   `baseline = n · cost_per_ticket`;
//!   `gross savings = (autonomous_correct + approval_share · approval_correct) · cost_per_ticket`;
//!   `rework = autonomous_wrong · rework_cost_per_error`;
//!   `agent cost = (autonomous + approval) · agent_cost_per_ticket`;
//!   `net savings = gross − rework − agent cost − platform_cost`;
//!   `cost per ticket (projected) = (baseline − net savings) ÷ n`;
//!   `technician hours recovered = (autonomous_correct + approval_share · approval_correct) ·
//!   minutes_per_ticket ÷ 60`;
//!   **ROI** = `net savings ÷ (agent cost + platform_cost)` (none when that is 0).
//!   *Correct* means labelled and agreeing; *wrong* labelled and disagreeing; unlabelled
//!   tickets neither save nor cost.

pub mod gates;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, Offset, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::{Intent, TenantId};
use crate::pipeline::Plan;
use msp_agent_policy::{ActionClass, ActionRequest, Policy, Tier, builtin_action};

pub use gates::{GateConfig, GateStatus, Readiness, recommended_policy_diff};

/// What the agent's plan would have needed to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Every write would run without a human.
    Autonomous,
    /// At least one write needs a human's approval.
    Approval,
    /// The plan escalates, or a write is human-only.
    Human,
}

impl Disposition {
    /// Where a plan lands under `policy` for `tenant`, ignoring the rollout mode's *outcome*
    /// (shadow) but not the tier it computes: the strictest tier of its write steps, human when
    /// it escalates, autonomous when it has no write. Also returns the plan's write actions.
    ///
    /// Reads are recognised from the built-in action table; any other step counts as a write.
    pub fn of_plan(
        policy: &Policy,
        tenant: &str,
        plan: &Plan,
        confidence: f64,
        privileged_target: bool,
    ) -> (Disposition, Vec<String>) {
        let writes: Vec<String> = plan
            .steps
            .iter()
            .filter(|s| builtin_action(&s.tool).is_none_or(|b| b.class == ActionClass::Write))
            .map(|s| s.tool.clone())
            .collect();
        if plan.escalate.is_some() {
            return (Disposition::Human, writes);
        }
        let tier = writes
            .iter()
            .map(|action| {
                let req = ActionRequest {
                    confidence,
                    target_privileged: privileged_target,
                    ..ActionRequest::new(tenant, action, ActionClass::Write)
                };
                policy.decide(&req).tier
            })
            .max()
            .unwrap_or(Tier::Autonomous);
        let d = match tier {
            Tier::Autonomous => Disposition::Autonomous,
            Tier::Approval => Disposition::Approval,
            Tier::Human => Disposition::Human,
        };
        (d, writes)
    }
}

/// One historical ticket: what the human did next to what the agent would have done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Client.
    pub tenant: TenantId,
    /// The human's intent (from their board/type), when it maps onto one.
    pub human_intent: Option<Intent>,
    /// The agent's intent.
    pub predicted: Intent,
    /// The agent's confidence, in [0, 1].
    pub confidence: f64,
    /// Where the agent's plan would land under the policy.
    pub disposition: Disposition,
    /// Write actions of the agent's plan (for the recommended policy diff).
    pub write_actions: Vec<String>,
    /// When the ticket was opened.
    pub created: Option<DateTime<Utc>>,
    /// First human response.
    pub first_response: Option<DateTime<Utc>>,
    /// When it was resolved.
    pub resolved: Option<DateTime<Utc>>,
    /// How many times it changed hands, when known.
    pub reassignments: Option<u32>,
}

impl Observation {
    /// A labelled ticket on which the agent agrees with the human.
    pub fn agrees(&self) -> Option<bool> {
        self.human_intent.map(|h| h == self.predicted)
    }
}

/// The cost model of the savings and ROI figures (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostModel {
    /// Fully loaded cost of one L1 ticket handled by a technician (default $22).
    pub cost_per_ticket: f64,
    /// Technician minutes one L1 ticket takes (default 20).
    pub minutes_per_ticket: f64,
    /// Share of a ticket's cost still saved when the agent does the work and a human only
    /// approves (default 0.5).
    pub approval_share: f64,
    /// Cost of cleaning up after one wrong autonomous action (default $44: two tickets).
    pub rework_cost_per_error: f64,
    /// What the agent costs per ticket it works (model calls, compute; default $0.50).
    pub agent_cost_per_ticket: f64,
    /// Fixed platform cost over the period of the history (default 0).
    pub platform_cost: f64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            cost_per_ticket: 22.0,
            minutes_per_ticket: 20.0,
            approval_share: 0.5,
            rework_cost_per_error: 44.0,
            agent_cost_per_ticket: 0.5,
            platform_cost: 0.0,
        }
    }
}

/// Business hours for the after-hours share: weekdays `[start_hour, end_hour)` at a fixed
/// UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessHours {
    /// First business hour (default 8).
    pub start_hour: u32,
    /// End hour, exclusive (default 18).
    pub end_hour: u32,
    /// Offset of local time from UTC in minutes (default 0).
    pub utc_offset_minutes: i32,
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours {
            start_hour: 8,
            end_hour: 18,
            utc_offset_minutes: 0,
        }
    }
}

impl BusinessHours {
    /// Is `t` outside business hours (weekend, or before `start_hour`, or from `end_hour`)?
    pub fn is_after_hours(&self, t: DateTime<Utc>) -> bool {
        let offset = FixedOffset::east_opt(self.utc_offset_minutes * 60).unwrap_or(Utc.fix());
        let local = t.with_timezone(&offset);
        matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
            || local.hour() < self.start_hour
            || local.hour() >= self.end_hour
    }
}

/// Everything the metrics can be tuned with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Cost model.
    pub cost: CostModel,
    /// Business hours.
    pub hours: BusinessHours,
    /// Rollout gate thresholds.
    pub gates: GateConfig,
    /// Calibration band edges, ascending, from 0 to 1 (default 0, .5, .6, .7, .8, .9, .95, 1).
    pub calibration_edges: Vec<f64>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            cost: CostModel::default(),
            hours: BusinessHours::default(),
            gates: GateConfig::default(),
            calibration_edges: vec![0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0],
        }
    }
}

/// A count of hits out of a total, with the rate (none when the total is 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Hits.
    pub hits: u64,
    /// Total.
    pub total: u64,
    /// `hits / total`.
    pub rate: Option<f64>,
}

impl Rate {
    /// `hits` out of `total`.
    pub fn of(hits: u64, total: u64) -> Self {
        Rate {
            hits,
            total,
            rate: (total > 0).then(|| hits as f64 / total as f64),
        }
    }
}

/// Exact counts of whole-minute durations: memory grows with the number of distinct minutes,
/// not with the number of tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinuteHistogram {
    counts: BTreeMap<u64, u64>,
    n: u64,
}

impl MinuteHistogram {
    /// Add one duration in minutes.
    pub fn push(&mut self, minutes: u64) {
        *self.counts.entry(minutes).or_default() += 1;
        self.n += 1;
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// No values.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Nearest-rank percentile, `p` in (0, 100]: the value at rank ⌈p/100 · n⌉.
    pub fn percentile(&self, p: f64) -> Option<u64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * self.n as f64)
            .ceil()
            .clamp(1.0, self.n as f64) as u64;
        let mut seen = 0;
        for (&v, &c) in &self.counts {
            seen += c;
            if seen >= rank {
                return Some(v);
            }
        }
        self.counts.keys().next_back().copied()
    }
}

/// Per-intent agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentAgreement {
    /// The intent.
    pub intent: Intent,
    /// Tickets the agent gave this intent (labelled or not).
    pub predicted: u64,
    /// Agreement keyed by the agent's intent (precision).
    pub agreement: Rate,
    /// Agreement keyed by the human's intent (recall).
    pub recall: Rate,
    /// Mean confidence of the agent's predictions of this intent.
    pub mean_confidence: Option<f64>,
    /// Share of this intent's predictions that would run without a human.
    pub autonomous: Rate,
    /// Projected net savings from this intent (same formula as the totals, without the
    /// platform cost).
    pub net_savings: f64,
    /// Mean hours from creation to resolution (MTTR), by human intent.
    pub mttr_hours: Option<f64>,
}

/// One confidence band of the calibration curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBand {
    /// Lower edge (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, except 1.0).
    pub hi: f64,
    /// Agreement of the labelled tickets in the band.
    pub agreement: Rate,
    /// Mean confidence in the band.
    pub mean_confidence: Option<f64>,
}

/// Response-time percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median, minutes.
    pub p50_minutes: Option<u64>,
    /// 95th percentile, minutes.
    pub p95_minutes: Option<u64>,
    /// Tickets measured.
    pub n: u64,
    /// Tickets left out for a missing or inconsistent timestamp.
    pub missing: u64,
}

/// Cost, savings and ROI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostSummary {
    /// The model used.
    pub model: CostModel,
    /// Cost of the history handled by technicians.
    pub baseline_cost: f64,
    /// Gross savings.
    pub gross_savings: f64,
    /// Cost of wrong autonomous actions.
    pub rework_cost: f64,
    /// Agent running cost.
    pub agent_cost: f64,
    /// Net savings.
    pub net_savings: f64,
    /// Baseline cost per ticket.
    pub cost_per_ticket_baseline: Option<f64>,
    /// Projected cost per ticket with the agent.
    pub cost_per_ticket_projected: Option<f64>,
    /// Technician hours recovered.
    pub technician_hours_recovered: f64,
    /// Net savings ÷ (agent cost + platform cost).
    pub roi: Option<f64>,
}

/// Ticket counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Tickets observed.
    pub tickets: u64,
    /// With a human intent.
    pub labelled: u64,
    /// Would run without a human.
    pub autonomous: u64,
    /// Would need approval.
    pub approval: u64,
    /// Would go to a human.
    pub human: u64,
    /// Autonomous and agreeing with the human.
    pub autonomous_correct: u64,
    /// Autonomous and disagreeing with the human.
    pub autonomous_wrong: u64,
    /// Approval and agreeing with the human.
    pub approval_correct: u64,
}

/// The key performance indicators of a shadow replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Counts.
    pub counts: Counts,
    /// Overall agreement.
    pub agreement: Rate,
    /// Per intent, in the design's order; intents never seen are left out.
    pub by_intent: Vec<IntentAgreement>,
    /// Calibration curve.
    pub calibration: Vec<CalibrationBand>,
    /// Would-be autonomous resolution rate.
    pub autonomous_rate: Rate,
    /// First-response time.
    pub first_response: Percentiles,
    /// Reassignment rate.
    pub reassignment: Rate,
    /// After-hours share.
    pub after_hours: Rate,
    /// Cost and ROI.
    pub cost: CostSummary,
    /// Rollout gates per (client, intent), sorted.
    pub gates: Vec<GateStatus>,
}

#[derive(Debug, Clone, Default)]
struct IntentAcc {
    predicted: u64,
    predicted_labelled: u64,
    agreed: u64,
    human: u64,
    human_agreed: u64,
    confidence_sum: f64,
    autonomous: u64,
    autonomous_correct: u64,
    autonomous_wrong: u64,
    approval: u64,
    approval_correct: u64,
    resolve_hours_sum: f64,
    resolve_n: u64,
}

#[derive(Debug, Clone, Default)]
struct BandAcc {
    n: u64,
    agreed: u64,
    confidence_sum: f64,
}

/// Streaming fold of [`Observation`]s into [`Kpis`].
#[derive(Debug, Clone)]
pub struct Accumulator {
    config: MetricsConfig,
    counts: Counts,
    intents: BTreeMap<Intent, IntentAcc>,
    bands: Vec<BandAcc>,
    first_response: MinuteHistogram,
    first_response_missing: u64,
    reassigned: u64,
    reassign_known: u64,
    after_hours: u64,
    with_created: u64,
    gates: gates::GateAcc,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new(MetricsConfig::default())
    }
}

impl Accumulator {
    /// An empty accumulator.
    pub fn new(config: MetricsConfig) -> Self {
        let bands = config.calibration_edges.len().saturating_sub(1);
        Accumulator {
            config,
            counts: Counts::default(),
            intents: BTreeMap::new(),
            bands: vec![BandAcc::default(); bands],
            first_response: MinuteHistogram::default(),
            first_response_missing: 0,
            reassigned: 0,
            reassign_known: 0,
            after_hours: 0,
            with_created: 0,
            gates: gates::GateAcc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MetricsConfig {
        &self.config
    }

    /// Add one ticket.
    pub fn push(&mut self, o: &Observation) {
        let agrees = o.agrees();
        let c = &mut self.counts;
        c.tickets += 1;
        c.labelled += u64::from(agrees.is_some());
        let p = self.intents.entry(o.predicted).or_default();
        p.predicted += 1;
        p.confidence_sum += o.confidence;
        match o.disposition {
            Disposition::Autonomous => {
                c.autonomous += 1;
                p.autonomous += 1;
                c.autonomous_correct += u64::from(agrees == Some(true));
                p.autonomous_correct += u64::from(agrees == Some(true));
                c.autonomous_wrong += u64::from(agrees == Some(false));
                p.autonomous_wrong += u64::from(agrees == Some(false));
            }
            Disposition::Approval => {
                c.approval += 1;
                p.approval += 1;
                c.approval_correct += u64::from(agrees == Some(true));
                p.approval_correct += u64::from(agrees == Some(true));
            }
            Disposition::Human => c.human += 1,
        }
        if let Some(a) = agrees {
            p.predicted_labelled += 1;
            p.agreed += u64::from(a);
        }
        if let Some(h) = o.human_intent {
            let hacc = self.intents.entry(h).or_default();
            hacc.human += 1;
            hacc.human_agreed += u64::from(h == o.predicted);
            if let Some(band) = band_of(&self.config.calibration_edges, o.confidence) {
                if let Some(b) = self.bands.get_mut(band) {
                    b.n += 1;
                    b.agreed += u64::from(h == o.predicted);
                    b.confidence_sum += o.confidence;
                }
            }
        }
        if let (Some(c), Some(r)) = (o.created, o.resolved)
            && r >= c
        {
            let acc = self
                .intents
                .entry(o.human_intent.unwrap_or(o.predicted))
                .or_default();
            acc.resolve_hours_sum += (r - c).num_seconds() as f64 / 3600.0;
            acc.resolve_n += 1;
        }
        match (o.created, o.first_response) {
            (Some(c), Some(f)) if f >= c => self.first_response.push(round_minutes(f - c)),
            _ => self.first_response_missing += 1,
        }
        if let Some(r) = o.reassignments {
            self.reassign_known += 1;
            self.reassigned += u64::from(r > 0);
        }
        if let Some(c) = o.created {
            self.with_created += 1;
            self.after_hours += u64::from(self.config.hours.is_after_hours(c));
        }
        self.gates.push(o);
    }

    /// The KPIs of everything pushed so far.
    pub fn finish(&self) -> Kpis {
        let m = &self.config.cost;
        let c = &self.counts;
        let saved_tickets = |correct: u64, approval_correct: u64| {
            correct as f64 + m.approval_share * approval_correct as f64
        };
        let net = |acc_correct: u64, acc_wrong: u64, appr_correct: u64, worked: u64| {
            saved_tickets(acc_correct, appr_correct) * m.cost_per_ticket
                - acc_wrong as f64 * m.rework_cost_per_error
                - worked as f64 * m.agent_cost_per_ticket
        };
        let by_intent = Intent::ALL
            .iter()
            .filter_map(|i| self.intents.get(i).map(|a| (*i, a)))
            .map(|(intent, a)| IntentAgreement {
                intent,
                predicted: a.predicted,
                agreement: Rate::of(a.agreed, a.predicted_labelled),
                recall: Rate::of(a.human_agreed, a.human),
                mean_confidence: mean(a.confidence_sum, a.predicted),
                autonomous: Rate::of(a.autonomous, a.predicted),
                net_savings: net(
                    a.autonomous_correct,
                    a.autonomous_wrong,
                    a.approval_correct,
                    a.autonomous + a.approval,
                ),
                mttr_hours: mean(a.resolve_hours_sum, a.resolve_n),
            })
            .collect();
        let edges = &self.config.calibration_edges;
        let calibration = self
            .bands
            .iter()
            .enumerate()
            .map(|(i, b)| CalibrationBand {
                lo: edges.get(i).copied().unwrap_or(0.0),
                hi: edges.get(i + 1).copied().unwrap_or(1.0),
                agreement: Rate::of(b.agreed, b.n),
                mean_confidence: mean(b.confidence_sum, b.n),
            })
            .collect();
        let baseline = c.tickets as f64 * m.cost_per_ticket;
        let gross = saved_tickets(c.autonomous_correct, c.approval_correct) * m.cost_per_ticket;
        let rework = c.autonomous_wrong as f64 * m.rework_cost_per_error;
        let agent_cost = (c.autonomous + c.approval) as f64 * m.agent_cost_per_ticket;
        let net_savings = gross - rework - agent_cost - m.platform_cost;
        let invest = agent_cost + m.platform_cost;
        let per_ticket = |x: f64| (c.tickets > 0).then(|| x / c.tickets as f64);
        let cost = CostSummary {
            model: *m,
            baseline_cost: baseline,
            gross_savings: gross,
            rework_cost: rework,
            agent_cost,
            net_savings,
            cost_per_ticket_baseline: per_ticket(baseline),
            cost_per_ticket_projected: per_ticket(baseline - net_savings),
            technician_hours_recovered: saved_tickets(c.autonomous_correct, c.approval_correct)
                * m.minutes_per_ticket
                / 60.0,
            roi: (invest > 0.0).then(|| net_savings / invest),
        };
        Kpis {
            counts: c.clone(),
            agreement: Rate::of(self.intents.values().map(|a| a.agreed).sum(), c.labelled),
            by_intent,
            calibration,
            autonomous_rate: Rate::of(c.autonomous, c.tickets),
            first_response: Percentiles {
                p50_minutes: self.first_response.percentile(50.0),
                p95_minutes: self.first_response.percentile(95.0),
                n: self.first_response.len(),
                missing: self.first_response_missing,
            },
            reassignment: Rate::of(self.reassigned, self.reassign_known),
            after_hours: Rate::of(self.after_hours, self.with_created),
            cost,
            gates: self.gates.finish(&self.config.gates),
        }
    }

    /// The write actions the agent planned per (client, intent), for the policy diff.
    pub fn actions(&self) -> &BTreeMap<(TenantId, Intent), BTreeSet<String>> {
        &self.gates.actions
    }
}

fn mean(sum: f64, n: u64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

fn round_minutes(d: Duration) -> u64 {
    u64::try_from((d.num_seconds() + 30) / 60).unwrap_or(0)
}

/// Index of the band `[edges[i], edges[i+1])` holding `x`; the last band includes its upper
/// edge. `None` outside `[edges[0], edges[last]]` (or NaN).
fn band_of(edges: &[f64], x: f64) -> Option<usize> {
    let last = edges.len().checked_sub(2)?;
    (0..=last).find(|&i| {
        let (lo, hi) = (edges[i], edges[i + 1]);
        x >= lo && (x < hi || (i == last && x <= hi))
    })
}

/// Fold a slice of observations (convenience for tests and small inputs).
pub fn kpis(config: MetricsConfig, observations: &[Observation]) -> Kpis {
    let mut acc = Accumulator::new(config);
    observations.iter().for_each(|o| acc.push(o));
    acc.finish()
}

#[cfg(test)]
mod tests;
