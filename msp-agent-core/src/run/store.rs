//! The durable store of runs: work queue with leases, step journal, parked approvals.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capability::{ApprovalDecision, ApprovalRequest};
use crate::domain::{TenantId, TicketId};

/// Id of a run: one ticket worked end to end, over one or more attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for a worker (new, released, or answered after being parked).
    Queued,
    /// Claimed by a worker under a lease.
    Running,
    /// Parked until a human answers an approval; re-queued by the answer.
    AwaitingApproval,
    /// Finished: the ticket was resolved, escalated or left to a human.
    Done,
    /// The agent could not work the ticket (a read failed, the audit failed).
    Failed,
    /// Cancelled by an operator.
    Cancelled,
}

impl RunState {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::AwaitingApproval => "awaiting_approval",
            RunState::Done => "done",
            RunState::Failed => "failed",
            RunState::Cancelled => "cancelled",
        }
    }

    /// True once nothing more will happen to the run.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunState::Done | RunState::Failed | RunState::Cancelled
        )
    }
}

impl std::str::FromStr for RunState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "queued" => RunState::Queued,
            "running" => RunState::Running,
            "awaiting_approval" => RunState::AwaitingApproval,
            "done" => RunState::Done,
            "failed" => RunState::Failed,
            "cancelled" => RunState::Cancelled,
            other => return Err(StoreError::Corrupt(format!("unknown run state `{other}`"))),
        })
    }
}

/// One line of `runs list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run.
    pub id: RunId,
    /// The client.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// Where it is.
    pub state: RunState,
    /// How many times a worker claimed it (the fencing token of the current claim).
    pub attempt: u32,
    /// The worker holding (or last holding) it.
    pub worker: Option<String>,
    /// One-line outcome once parked or finished.
    pub outcome: Option<String>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A run handed to a worker. `attempt` fences every journal write: once the lease expires
/// and another worker claims the run, the old claim's writes fail with
/// [`StoreError::LeaseLost`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The run.
    pub run: RunId,
    /// The client.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// The claim's attempt number (1 for the first claim).
    pub attempt: u32,
}

/// One step of a run's journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Position in the run (0-based, in the order the agent took its steps).
    pub seq: u32,
    /// Tool (action) name.
    pub action: String,
    /// Hash of the action and its validated arguments: a resumed run whose step `seq`
    /// differs is not the same step.
    pub fingerprint: String,
    /// Recorded before the side effect.
    pub started_at: DateTime<Utc>,
    /// The step's record ([`crate::pipeline::StepRecord`] as JSON), once it finished.
    pub record: Option<Value>,
}

impl JournalEntry {
    /// The recorded step status (`executed`, `failed`, …), `None` while unfinished.
    pub fn status(&self) -> Option<&str> {
        self.record.as_ref()?.get("status")?.as_str()
    }

    /// The idempotency key of a step: derived from (tenant, ticket, step).
    pub fn key(tenant: &TenantId, ticket: &TicketId, seq: u32) -> String {
        format!("{tenant}/{ticket}/{seq}")
    }
}

/// What the store knows about an approval request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalState {
    /// First time asked: recorded now as pending.
    New,
    /// Asked before (perhaps by a process that since died), not answered yet.
    Pending {
        /// When it was first asked.
        requested_at: DateTime<Utc>,
    },
    /// Answered.
    Answered(ApprovalDecision),
}

/// An approval the store holds, answered or not.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredApproval {
    /// Idempotency key of the step asking.
    pub key: String,
    /// The run asking.
    pub run: RunId,
    /// What was asked.
    pub request: ApprovalRequest,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// The answer, once given.
    pub decision: Option<ApprovalDecision>,
}

/// Which runs to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only this client.
    pub tenant: Option<TenantId>,
    /// Only runs in this state.
    pub state: Option<RunState>,
    /// At most this many, newest first (default: all).
    pub limit: Option<usize>,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The run's lease was lost (it expired and another worker claimed the run, or the run
    /// was cancelled): this worker must stop working it.
    #[error("run {run}: lease lost (attempt {attempt} is no longer current)")]
    LeaseLost {
        /// The run.
        run: RunId,
        /// The stale attempt.
        attempt: u32,
    },
    /// No such run or approval.
    #[error("not found: {0}")]
    NotFound(String),
    /// The change does not apply to the run as it is (e.g. requeueing a finished run).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A store URL that no compiled-in backend accepts.
    #[error("unsupported store URL `{0}` (expected sqlite://PATH or postgres://...)")]
    UnsupportedUrl(String),
    /// Stored data that does not parse.
    #[error("corrupt store data: {0}")]
    Corrupt(String),
    /// The database (connection, query, migration) failed.
    #[error("store backend: {0}")]
    Backend(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// A durable store of runs. Implementations: [`super::MemoryRunStore`] (in process, for
/// tests) and, in `msp-agent-store`, SQLite (embedded default) and PostgreSQL (shared by
/// many workers).
///
/// Every journal write takes the claim's `attempt` and fails with
/// [`StoreError::LeaseLost`] when the attempt is no longer current.
#[async_trait]
pub trait RunStore: Send + Sync {
    /// Queue a ticket. Idempotent: while a run of this ticket is not final, its id is
    /// returned and nothing is queued.
    async fn enqueue(&self, tenant: &TenantId, ticket: &TicketId) -> StoreResult<RunId>;

    /// Claim up to `max` runs for `worker` under a lease of `lease`: queued runs and runs
    /// whose lease expired, oldest first but interleaved across tenants (a client with a
    /// thousand queued tickets does not starve one with a single ticket). Each claim
    /// increments the run's attempt.
    async fn claim(&self, worker: &str, lease: Duration, max: usize) -> StoreResult<Vec<Claim>>;

    /// Extend the lease of a claim. [`StoreError::LeaseLost`] when it is not current.
    async fn heartbeat(&self, claim: &Claim, lease: Duration) -> StoreResult<()>;

    /// End a claim: `Done`, `Failed`, `AwaitingApproval` (parked until
    /// [`answer_approval`](Self::answer_approval)) or `Queued` (given back, e.g. at
    /// shutdown). `outcome` is a one-line summary.
    async fn finish(&self, claim: &Claim, state: RunState, outcome: &str) -> StoreResult<()>;

    /// The journal entry of step `seq`, if any.
    async fn step(&self, run: RunId, seq: u32) -> StoreResult<Option<JournalEntry>>;

    /// Record that step `seq` is about to run its side effect (replacing an unfinished
    /// entry of the same step).
    async fn step_started(
        &self,
        claim: &Claim,
        seq: u32,
        action: &str,
        fingerprint: &str,
    ) -> StoreResult<()>;

    /// Record step `seq`'s outcome.
    async fn step_finished(&self, claim: &Claim, seq: u32, record: &Value) -> StoreResult<()>;

    /// A run's journal, in step order.
    async fn steps(&self, run: RunId) -> StoreResult<Vec<JournalEntry>>;

    /// Ask for an approval durably under the step's idempotency key: the first call
    /// records it as pending ([`ApprovalState::New`]); later calls — from this process or
    /// one started after a crash — see it pending or answered.
    async fn request_approval(
        &self,
        claim: &Claim,
        key: &str,
        request: &ApprovalRequest,
    ) -> StoreResult<ApprovalState>;

    /// Answer an approval. A run parked on it is queued again. Answering twice keeps the
    /// first answer.
    async fn answer_approval(&self, key: &str, decision: &ApprovalDecision) -> StoreResult<()>;

    /// Approvals not answered yet, oldest first.
    async fn pending_approvals(&self) -> StoreResult<Vec<StoredApproval>>;

    /// One run.
    async fn run(&self, id: RunId) -> StoreResult<RunSummary>;

    /// Runs, newest first.
    async fn runs(&self, filter: &RunFilter) -> StoreResult<Vec<RunSummary>>;

    /// Put a run back in the queue (an operator's `runs resume`): a failed, cancelled or
    /// parked run, or a running one whose worker is gone. Its journal is kept, so finished
    /// steps are not done again.
    async fn requeue(&self, id: RunId) -> StoreResult<()>;
}
