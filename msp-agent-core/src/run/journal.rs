//! The journal of one claimed run, as the policy gate sees it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::{Claim, JournalEntry, RunStore, StoreResult};
use crate::pipeline::{Perception, Plan, StepRecord, StepStatus};
use msp_agent_policy::{Decision, Outcome, Tier};

/// A point in a journaled write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryPoint {
    /// The start is journaled; the side effect has not run.
    Started,
    /// The side effect ran; its end is not journaled yet.
    EffectDone,
    /// The end is journaled.
    Finished,
}

/// A step boundary, reported to a [`BoundaryHook`].
#[derive(Debug, Clone, Copy)]
pub struct Boundary<'a> {
    /// The claim.
    pub claim: &'a Claim,
    /// The step.
    pub seq: u32,
    /// Tool (action) name.
    pub action: &'a str,
    /// Where in the step.
    pub point: BoundaryPoint,
}

/// Observer of step boundaries (tracing, metrics, fault injection in tests).
pub type BoundaryHook = Arc<dyn Fn(&Boundary<'_>) + Send + Sync>;

/// The durable context of one claimed run, handed to every tool call through
/// [`ToolContext::run`](crate::tool::ToolContext::run). Writes are journaled under the
/// idempotency key (tenant, ticket, step): before their side effect and after it.
pub struct RunContext {
    store: Arc<dyn RunStore>,
    claim: Claim,
    next: AtomicU32,
    hook: Option<BoundaryHook>,
    park_after: Duration,
    started_at: DateTime<Utc>,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext")
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// What the journal already holds for a step.
#[derive(Debug)]
pub(crate) enum Prior {
    /// Nothing: a new step.
    Fresh,
    /// Finished before: its record.
    Finished(JournalRecord),
    /// Started at this time and never finished: the process died in between.
    Interrupted(DateTime<Utc>),
    /// The journal has another action at this step: the resumed run took another path.
    Diverged(String),
}

/// What the journal keeps of a finished step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct JournalRecord {
    pub status: StepStatus,
    pub tier: Tier,
    pub outcome: Outcome,
    pub approver: Option<String>,
    pub output: Option<Value>,
    pub error: Option<String>,
}

impl JournalRecord {
    pub(crate) fn of(record: &StepRecord) -> Option<Self> {
        let decision = record.decision.as_ref()?;
        Some(JournalRecord {
            status: record.status,
            tier: decision.tier,
            outcome: decision.outcome,
            approver: record.approver.clone(),
            output: record.output.clone(),
            error: record.error.clone(),
        })
    }

    /// The step as first recorded; the decision keeps its tier and outcome (its reasons
    /// are in the audit record written when it was decided).
    pub(crate) fn into_step(self, action: String, args: Value) -> StepRecord {
        StepRecord {
            action,
            args,
            decision: Some(Decision {
                tier: self.tier,
                outcome: self.outcome,
                reasons: Vec::new(),
            }),
            status: self.status,
            approver: self.approver,
            output: self.output,
            error: self.error,
        }
    }
}

/// Hash of an action and its arguments.
pub(crate) fn fingerprint(action: &str, args: &Value) -> String {
    let mut h = Sha256::new();
    h.update(action.as_bytes());
    h.update([0]);
    h.update(args.to_string().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl RunContext {
    /// The context of a claim, over the store that issued it.
    pub fn new(store: Arc<dyn RunStore>, claim: Claim) -> Self {
        RunContext {
            store,
            claim,
            next: AtomicU32::new(0),
            hook: None,
            park_after: Duration::from_secs(30),
            started_at: Utc::now(),
        }
    }

    /// When the run began, across attempts (default: when this context was made). A
    /// resumed run checks its results against this time, e.g. "password changed since the
    /// run began".
    pub fn started_at(mut self, at: DateTime<Utc>) -> Self {
        self.started_at = at;
        self
    }

    /// When the run began.
    pub fn began(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// Report every step boundary to `hook`.
    pub fn with_hook(mut self, hook: BoundaryHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// How long a newly posted approval is waited for in process before the run is parked
    /// and its worker slot freed (default 30 s). A parked run is queued again when the
    /// approval is answered through [`RunStore::answer_approval`].
    pub fn park_after(mut self, wait: Duration) -> Self {
        self.park_after = wait;
        self
    }

    /// The claim.
    pub fn claim(&self) -> &Claim {
        &self.claim
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn RunStore> {
        &self.store
    }

    pub(crate) fn park_wait(&self) -> Duration {
        self.park_after
    }

    /// Steps of the closure (note, category, time, status) are numbered from here, apart
    /// from the plan's, so a resumed run whose plan changed still closes the ticket.
    pub const CLOSURE_SEQ: u32 = 1_000;

    /// The journal position of the run's plan.
    const PLAN_SEQ: u32 = Self::CLOSURE_SEQ - 1;

    /// The perception and plan an earlier attempt journaled, so a resumed run follows the
    /// same plan instead of planning again from a world its own steps changed.
    pub(crate) async fn saved_plan(&self) -> Option<(Perception, Plan)> {
        let entry = self
            .store
            .step(self.claim.run, Self::PLAN_SEQ)
            .await
            .ok()??;
        let record = entry.record?;
        let perception = serde_json::from_value(record.get("perception")?.clone()).ok()?;
        let plan = serde_json::from_value(record.get("plan")?.clone()).ok()?;
        Some((perception, plan))
    }

    /// Journal the perception and plan (before any step runs).
    pub(crate) async fn save_plan(&self, perception: &Perception, plan: &Plan) {
        let record =
            serde_json::json!({ "status": "planned", "perception": perception, "plan": plan });
        let saved = async {
            self.store
                .step_started(&self.claim, Self::PLAN_SEQ, "$plan", "plan")
                .await?;
            self.store
                .step_finished(&self.claim, Self::PLAN_SEQ, &record)
                .await
        };
        if let Err(e) = saved.await {
            tracing::warn!(error = %e, "run journal: plan not recorded");
        }
    }

    /// Number the following steps as closure steps.
    pub(crate) fn enter_closure(&self) {
        self.next.store(Self::CLOSURE_SEQ, Ordering::Relaxed);
    }

    /// What earlier attempts of this run did before the closure, one line each, for the
    /// technician's note when the resumed run does not take the same path.
    pub(crate) async fn earlier_steps(&self) -> Vec<String> {
        if self.claim.attempt < 2 {
            return Vec::new();
        }
        let entries = match self.store.steps(self.claim.run).await {
            Ok(entries) => entries,
            Err(e) => return vec![format!("the run journal could not be read: {e}")],
        };
        entries
            .into_iter()
            .filter(|e| e.seq < Self::PLAN_SEQ)
            .map(|e| {
                let status = e
                    .status()
                    .unwrap_or("interrupted: it may have run, check the target system");
                format!(
                    "an earlier attempt of this run did `{}`: {status}",
                    e.action
                )
            })
            .collect()
    }

    /// Position of the next step.
    pub(crate) fn next_seq(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// The step's idempotency key.
    pub(crate) fn key(&self, seq: u32) -> String {
        JournalEntry::key(&self.claim.tenant, &self.claim.ticket, seq)
    }

    fn boundary(&self, seq: u32, action: &str, point: BoundaryPoint) {
        if let Some(hook) = &self.hook {
            hook(&Boundary {
                claim: &self.claim,
                seq,
                action,
                point,
            });
        }
    }

    pub(crate) async fn prior(&self, seq: u32, fingerprint: &str) -> StoreResult<Prior> {
        let Some(entry) = self.store.step(self.claim.run, seq).await? else {
            return Ok(Prior::Fresh);
        };
        if entry.fingerprint != fingerprint {
            return Ok(Prior::Diverged(entry.action));
        }
        Ok(match entry.record {
            Some(record) => Prior::Finished(serde_json::from_value(record).map_err(|e| {
                super::StoreError::Corrupt(format!("run {} step {seq}: {e}", self.claim.run))
            })?),
            None => Prior::Interrupted(entry.started_at),
        })
    }

    pub(crate) async fn started(
        &self,
        seq: u32,
        action: &str,
        fingerprint: &str,
    ) -> StoreResult<()> {
        self.store
            .step_started(&self.claim, seq, action, fingerprint)
            .await?;
        self.boundary(seq, action, BoundaryPoint::Started);
        Ok(())
    }

    pub(crate) fn effect_done(&self, seq: u32, action: &str) {
        self.boundary(seq, action, BoundaryPoint::EffectDone);
    }

    pub(crate) async fn finished(
        &self,
        seq: u32,
        record: &JournalRecord,
        action: &str,
    ) -> StoreResult<()> {
        let value =
            serde_json::to_value(record).map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        self.store.step_finished(&self.claim, seq, &value).await?;
        self.boundary(seq, action, BoundaryPoint::Finished);
        Ok(())
    }
}
