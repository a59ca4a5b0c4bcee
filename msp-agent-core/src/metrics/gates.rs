//! Rollout gates per (client, intent) and the policy diff they recommend (DESIGN §7).
//!
//! Gates are keyed by the agent's intent: the agent acts on what *it* thinks a ticket is.
//!
//! - **Ready for supervised**: at least `min_sample_supervised` labelled predictions,
//!   agreement ≥ `min_agreement` (0.85), mean confidence ≥ `min_confidence` (0.90), no rollback
//!   flag. **Ready for autonomous**: the same with at least `min_sample_autonomous`.
//!   `security_incident` and `other` are never ready (human only).
//! - **Weeks** are Monday-based calendar weeks numbered from 1, the week of the earliest
//!   ticket of the whole history; tickets without a creation time are not in weekly figures.
//! - **Weekly error rate** = labelled tickets in the week that the agent would have *acted* on
//!   (disposition autonomous or approval) with the wrong intent ÷ labelled tickets of the
//!   week. **Rollback flags**: a week with at least `min_weekly_sample` labelled tickets and an
//!   error rate > `max_weekly_error_rate` (2%), or, after week `rollback_after_week` (6),
//!   agreement < `rollback_min_agreement` (75%).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::{Disposition, Observation, Rate};
use crate::domain::{AutomationLevel, Intent, TenantId};
use msp_agent_policy::{Mode, Policy, Source, Tier, floor_of};

/// Gate thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Minimum agreement to promote (default 0.85).
    pub min_agreement: f64,
    /// Minimum mean confidence to promote (default 0.90).
    pub min_confidence: f64,
    /// Minimum labelled sample for supervised (default 20).
    pub min_sample_supervised: u64,
    /// Minimum labelled sample for autonomous (default 50).
    pub min_sample_autonomous: u64,
    /// Weekly error rate above which to roll back (default 0.02).
    pub max_weekly_error_rate: f64,
    /// Weekly agreement below which to roll back, after `rollback_after_week` (default 0.75).
    pub rollback_min_agreement: f64,
    /// The agreement rollback rule applies to weeks after this one (default 6).
    pub rollback_after_week: u32,
    /// Weeks with fewer labelled tickets are not judged (default 5).
    pub min_weekly_sample: u64,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            min_agreement: 0.85,
            min_confidence: 0.90,
            min_sample_supervised: 20,
            min_sample_autonomous: 50,
            max_weekly_error_rate: 0.02,
            rollback_min_agreement: 0.75,
            rollback_after_week: 6,
            min_weekly_sample: 5,
        }
    }
}

/// How far an intent may go for a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    /// Never automated (`security_incident`, `other`).
    HumanOnly,
    /// Stay in shadow: not enough evidence, or a rollback flag.
    Shadow,
    /// Ready for supervised (every write approved by a human).
    Supervised,
    /// Ready for autonomous.
    Autonomous,
}

impl Readiness {
    /// Snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Readiness::HumanOnly => "human_only",
            Readiness::Shadow => "shadow",
            Readiness::Supervised => "supervised",
            Readiness::Autonomous => "autonomous",
        }
    }
}

/// One week of one (client, intent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekStat {
    /// Week number, from 1.
    pub week: u32,
    /// Agreement of the week's labelled tickets.
    pub agreement: Rate,
    /// Wrong would-be actions ÷ labelled tickets.
    pub error_rate: Rate,
}

/// The gate of one (client, intent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateStatus {
    /// Client.
    pub tenant: TenantId,
    /// The agent's intent.
    pub intent: Intent,
    /// Agreement over the labelled predictions (its total is the sample).
    pub agreement: Rate,
    /// Mean confidence over the labelled predictions.
    pub mean_confidence: Option<f64>,
    /// The verdict.
    pub readiness: Readiness,
    /// Why it is not further along.
    pub reasons: Vec<String>,
    /// Rollback flags.
    pub rollback: Vec<String>,
    /// Per week.
    pub weeks: Vec<WeekStat>,
}

#[derive(Debug, Clone, Default)]
struct WeekAcc {
    labelled: u64,
    agreed: u64,
    errors: u64,
}

#[derive(Debug, Clone, Default)]
struct KeyAcc {
    labelled: u64,
    agreed: u64,
    confidence_sum: f64,
    weeks: BTreeMap<i64, WeekAcc>,
}

/// Streaming state of the gates.
#[derive(Debug, Clone, Default)]
pub(super) struct GateAcc {
    keys: BTreeMap<(TenantId, Intent), KeyAcc>,
    pub(super) actions: BTreeMap<(TenantId, Intent), BTreeSet<String>>,
    first_week: Option<i64>,
}

/// Monday-based week number since the Unix epoch (1970-01-01 was a Thursday).
fn abs_week(t: chrono::DateTime<chrono::Utc>) -> i64 {
    (t.timestamp().div_euclid(86_400) + 3).div_euclid(7)
}

impl GateAcc {
    pub(super) fn push(&mut self, o: &Observation) {
        let key = (o.tenant.clone(), o.predicted);
        if !o.write_actions.is_empty() {
            let set = self.actions.entry(key.clone()).or_default();
            for a in &o.write_actions {
                if !set.contains(a) {
                    set.insert(a.clone());
                }
            }
        }
        let Some(agrees) = o.agrees() else {
            return;
        };
        let k = self.keys.entry(key).or_default();
        k.labelled += 1;
        k.agreed += u64::from(agrees);
        k.confidence_sum += o.confidence;
        if let Some(c) = o.created {
            let w = abs_week(c);
            self.first_week = Some(self.first_week.map_or(w, |f| f.min(w)));
            let wk = k.weeks.entry(w).or_default();
            wk.labelled += 1;
            wk.agreed += u64::from(agrees);
            wk.errors += u64::from(!agrees && o.disposition != Disposition::Human);
        }
    }

    pub(super) fn finish(&self, cfg: &GateConfig) -> Vec<GateStatus> {
        let first = self.first_week.unwrap_or(0);
        self.keys
            .iter()
            .map(|((tenant, intent), k)| {
                let weeks: Vec<WeekStat> = k
                    .weeks
                    .iter()
                    .map(|(w, a)| WeekStat {
                        week: u32::try_from(w - first + 1).unwrap_or(0),
                        agreement: Rate::of(a.agreed, a.labelled),
                        error_rate: Rate::of(a.errors, a.labelled),
                    })
                    .collect();
                let agreement = Rate::of(k.agreed, k.labelled);
                let mean_confidence = super::mean(k.confidence_sum, k.labelled);
                let (readiness, reasons, rollback) =
                    judge(cfg, *intent, agreement, mean_confidence, &weeks);
                GateStatus {
                    tenant: tenant.clone(),
                    intent: *intent,
                    agreement,
                    mean_confidence,
                    readiness,
                    reasons,
                    rollback,
                    weeks,
                }
            })
            .collect()
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The verdict for one gate: readiness, why not further, rollback flags.
fn judge(
    cfg: &GateConfig,
    intent: Intent,
    agreement: Rate,
    confidence: Option<f64>,
    weeks: &[WeekStat],
) -> (Readiness, Vec<String>, Vec<String>) {
    let mut rollback = Vec::new();
    for w in weeks {
        let n = w.agreement.total;
        if n < cfg.min_weekly_sample {
            continue;
        }
        if let Some(e) = w.error_rate.rate
            && e > cfg.max_weekly_error_rate
        {
            rollback.push(format!(
                "week {}: error rate {} > {}",
                w.week,
                pct(e),
                pct(cfg.max_weekly_error_rate)
            ));
        }
        if let Some(a) = w.agreement.rate
            && w.week > cfg.rollback_after_week
            && a < cfg.rollback_min_agreement
        {
            rollback.push(format!(
                "week {}: agreement {} < {}",
                w.week,
                pct(a),
                pct(cfg.rollback_min_agreement)
            ));
        }
    }
    if matches!(
        intent.automation(),
        AutomationLevel::Never | AutomationLevel::Unknown
    ) {
        return (
            Readiness::HumanOnly,
            vec![format!("{intent} is never automated")],
            rollback,
        );
    }
    let mut reasons = Vec::new();
    let a = agreement.rate.unwrap_or(0.0);
    if a < cfg.min_agreement {
        reasons.push(format!("agreement {} < {}", pct(a), pct(cfg.min_agreement)));
    }
    let c = confidence.unwrap_or(0.0);
    if c < cfg.min_confidence {
        reasons.push(format!(
            "mean confidence {c:.3} < {:.3}",
            cfg.min_confidence
        ));
    }
    if !rollback.is_empty() {
        reasons.push("rollback flags".to_owned());
    }
    let n = agreement.total;
    let readiness = if !reasons.is_empty() || n < cfg.min_sample_supervised {
        if n < cfg.min_sample_supervised {
            reasons.push(format!("sample {n} < {}", cfg.min_sample_supervised));
        }
        Readiness::Shadow
    } else if n < cfg.min_sample_autonomous {
        reasons.push(format!(
            "sample {n} < {} for autonomous",
            cfg.min_sample_autonomous
        ));
        Readiness::Supervised
    } else {
        Readiness::Autonomous
    };
    (readiness, reasons, rollback)
}

const fn mode_rank(m: Mode) -> u8 {
    match m {
        Mode::Shadow => 0,
        Mode::Supervised => 1,
        Mode::Autonomous => 2,
    }
}

/// A recommended change to a policy file, as diff-style lines a human can review and apply:
/// ` ` context (section headers), `-` the line to replace, `+` the new line, `#` comments.
///
/// Per client: the mode is raised to `supervised` when an intent is ready for supervised, or to
/// `autonomous` when an intent is ready for autonomous and one of its actions can be promoted
/// (never lowered here). An action is promoted from approval to autonomous when every intent
/// whose plans used it for that client is ready for autonomous and no floor forbids it. An
/// action the file makes autonomous is set back to approval when an intent using it has a
/// rollback flag. `actions` is [`super::Accumulator::actions`].
pub fn recommended_policy_diff(
    gates: &[GateStatus],
    actions: &BTreeMap<(TenantId, Intent), BTreeSet<String>>,
    policy: &Policy,
) -> String {
    let mut out = String::new();
    let tenants: BTreeSet<&TenantId> = gates.iter().map(|g| &g.tenant).collect();
    for tenant in tenants {
        let t = tenant.as_str();
        let mine: Vec<&GateStatus> = gates.iter().filter(|g| &g.tenant == tenant).collect();
        let used_by = |action: &str| -> Vec<&GateStatus> {
            mine.iter()
                .copied()
                .filter(|g| {
                    actions
                        .get(&(tenant.clone(), g.intent))
                        .is_some_and(|s| s.contains(action))
                })
                .collect()
        };
        let all_actions: BTreeSet<&String> = actions
            .iter()
            .filter(|((tt, _), _)| tt == tenant)
            .flat_map(|(_, s)| s.iter())
            .collect();
        let mut lines = Vec::new();
        let mut promoted = false;
        for action in all_actions {
            let users = used_by(action);
            let base = policy.base_tier(t, action);
            let why = users
                .iter()
                .map(|g| {
                    format!(
                        "{}: agreement {} over {}",
                        g.intent,
                        g.agreement.rate.map_or("n/a".to_owned(), pct),
                        g.agreement.total
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            match base {
                Some((Tier::Approval, _))
                    if floor_of(action).is_none()
                        && !users.is_empty()
                        && users.iter().all(|g| g.readiness == Readiness::Autonomous) =>
                {
                    promoted = true;
                    lines.push(format!("+{action} = \"autonomous\"  # {why}"));
                }
                Some((Tier::Autonomous, src @ (Source::Client | Source::Global)))
                    if users.iter().any(|g| !g.rollback.is_empty()) =>
                {
                    if src == Source::Client {
                        lines.push(format!("-{action} = \"autonomous\""));
                    }
                    let flags = users
                        .iter()
                        .flat_map(|g| g.rollback.iter().map(move |f| format!("{}: {f}", g.intent)))
                        .collect::<Vec<_>>()
                        .join("; ");
                    lines.push(format!("+{action} = \"approval\"  # rollback: {flags}"));
                }
                _ => {}
            }
        }
        let (mode, source) = policy.mode(t);
        let best = mine
            .iter()
            .map(|g| g.readiness)
            .max()
            .unwrap_or(Readiness::HumanOnly);
        let target = match best {
            Readiness::Autonomous if promoted => Mode::Autonomous,
            Readiness::Autonomous | Readiness::Supervised => Mode::Supervised,
            _ => mode,
        };
        let mode_line = (mode_rank(target) > mode_rank(mode)).then(|| {
            let mut s = String::new();
            if source == Source::Client {
                let _ = writeln!(s, "-mode = \"{}\"", mode.as_str());
                let _ = writeln!(s, "+mode = \"{}\"", target.as_str());
            } else {
                let _ = writeln!(
                    s,
                    "+mode = \"{}\"  # was \"{}\" ({})",
                    target.as_str(),
                    mode.as_str(),
                    source.as_str()
                );
            }
            s
        });
        if mode_line.is_none() && lines.is_empty() {
            continue;
        }
        if let Some(m) = mode_line {
            let _ = writeln!(out, " [clients.{t}]");
            out.push_str(&m);
        }
        if !lines.is_empty() {
            let _ = writeln!(out, " [clients.{t}.actions]");
            for l in lines {
                let _ = writeln!(out, "{l}");
            }
        }
    }
    if out.is_empty() {
        "# no change recommended\n".to_owned()
    } else {
        format!("# recommended by shadow replay: review, then apply to the policy file\n{out}")
    }
}
