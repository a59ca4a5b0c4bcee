//! Shadow replay: Perceive + Reason over each historical ticket, against a directory (the
//! simulated MSP's or a real one behind [`Capabilities`]), without acting. Nothing is written:
//! only the read-only stages run, and the plan's writes are *decided* (never executed) under
//! the policy to see where they would land.

use chrono::{DateTime, Utc};
use msp_agent_core::capability::Capabilities;
use msp_agent_core::domain::{Priority, TenantId, Ticket, TicketId, TicketStatus};
use msp_agent_core::metrics::{Accumulator, Disposition, Observation};
use msp_agent_core::pipeline::classify::Classifier;
use msp_agent_core::pipeline::{Perceive, Playbooks, Reason, RulePerceive};
use msp_agent_core::policy::Policy;
use msp_agent_core::tool::ToolContext;
use serde::{Deserialize, Serialize};

use crate::history::{HistoryRecord, RowError, human_intent};

/// Malformed rows kept in a report (all are counted).
pub const MAX_ROW_ERRORS: usize = 1000;

/// Counts of a replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Rows read (replayed + malformed).
    pub rows: u64,
    /// Rows replayed.
    pub replayed: u64,
    /// Malformed rows, skipped.
    pub malformed: u64,
    /// Replayed tickets whose directory look-ups failed (e.g. a client unknown to the
    /// directory): classified from the text only and counted as going to a human.
    pub replay_errors: u64,
    /// Replayed tickets with an empty human type.
    pub unlabelled: u64,
    /// Replayed tickets whose human type names no known intent (not counted in agreement).
    pub unmapped_types: u64,
}

/// The outcome of a replay: totals, the first [`MAX_ROW_ERRORS`] malformed rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayOutcome {
    /// Totals.
    pub totals: Totals,
    /// Malformed rows with their line numbers.
    pub malformed: Vec<RowError>,
}

/// Replays historical tickets in shadow mode.
#[derive(Debug, Clone)]
pub struct Replayer {
    caps: Capabilities,
    policy: Policy,
    perceive: RulePerceive,
    reason: Playbooks,
    classifier: Classifier,
}

impl Replayer {
    /// With the built-in rules and playbooks, reading from `caps`, deciding under `policy`.
    pub fn new(caps: Capabilities, policy: Policy) -> Self {
        Replayer {
            caps,
            policy,
            perceive: RulePerceive::new(),
            reason: Playbooks::builtin(),
            classifier: Classifier::new(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// What the agent would have done with one ticket; the flag is true when a directory
    /// look-up failed and the text-only fallback was used.
    pub async fn observe(&self, rec: &HistoryRecord) -> (Observation, bool) {
        let tenant = TenantId::new(rec.tenant.as_str());
        let ticket = Ticket {
            id: TicketId::new(rec.id.as_str()),
            tenant: tenant.clone(),
            requester: None,
            requester_email: rec.requester.clone(),
            subject: rec.subject.clone(),
            body: rec.body.clone(),
            status: TicketStatus::New,
            priority: priority(&rec.priority),
            board: rec.board.clone(),
            category: None,
            created_at: rec.created.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        };
        let cx = ToolContext::new(&tenant, &ticket.id, &self.caps);
        let planned = match self.perceive.perceive(&cx, &ticket).await {
            Ok(p) => match self.reason.plan(&cx, &ticket, &p).await {
                Ok(plan) => Ok((p, plan)),
                Err(_) => Err(Some((p.intent, p.confidence))),
            },
            Err(_) => Err(None),
        };
        let (predicted, confidence, disposition, write_actions, failed) = match planned {
            Ok((p, plan)) => {
                let privileged = p.affected_user.as_ref().is_some_and(|u| u.privileged);
                let (d, writes) = Disposition::of_plan(
                    &self.policy,
                    &rec.tenant,
                    &plan,
                    p.confidence,
                    privileged,
                );
                (p.intent, p.confidence, d, writes, false)
            }
            Err(known) => {
                let (intent, confidence) = known.unwrap_or_else(|| {
                    let c = self.classifier.classify(&rec.subject, &rec.body);
                    (c.intent, c.confidence)
                });
                (intent, confidence, Disposition::Human, Vec::new(), true)
            }
        };
        let obs = Observation {
            tenant,
            human_intent: human_intent(&rec.kind),
            predicted,
            confidence,
            disposition,
            write_actions,
            created: rec.created,
            first_response: rec.first_response,
            resolved: rec.resolved,
            reassignments: rec.reassignments,
        };
        (obs, failed)
    }

    /// Replay rows (e.g. a [`HistoryReader`](crate::history::HistoryReader)) into `acc`, one
    /// record at a time: memory stays flat whatever the length of the input.
    pub fn replay(
        &self,
        rows: impl IntoIterator<Item = Result<HistoryRecord, RowError>>,
        acc: &mut Accumulator,
    ) -> ReplayOutcome {
        let mut out = ReplayOutcome::default();
        for row in rows {
            out.totals.rows += 1;
            match row {
                Ok(rec) => {
                    let (obs, failed) = futures::executor::block_on(self.observe(&rec));
                    out.totals.replayed += 1;
                    out.totals.replay_errors += u64::from(failed);
                    if rec.kind.trim().is_empty() {
                        out.totals.unlabelled += 1;
                    } else if obs.human_intent.is_none() {
                        out.totals.unmapped_types += 1;
                    }
                    acc.push(&obs);
                }
                Err(e) => {
                    out.totals.malformed += 1;
                    if out.malformed.len() < MAX_ROW_ERRORS {
                        out.malformed.push(e);
                    }
                }
            }
        }
        out
    }
}

fn priority(s: &str) -> Priority {
    match s.trim().to_ascii_lowercase().as_str() {
        "low" | "p4" => Priority::Low,
        "high" | "p2" => Priority::High,
        "critical" | "urgent" | "p1" => Priority::Critical,
        _ => Priority::Medium,
    }
}
