//! Durable runs: a journal of every write, idempotent resume after a crash, approvals that
//! survive restarts, and workers that share a queue.
//!
//! A [`RunStore`] holds the queue (runs claimed under leases), each run's step journal and
//! its approvals. [`Worker`] claims runs and works them with an [`Agent`](crate::agent::Agent);
//! every write goes through the policy gate, which journals it under the idempotency key
//! (tenant, ticket, step) before and after its side effect. On resume, finished steps are
//! replayed from the journal without running; a step that started and never finished is
//! reconciled by re-reading the target system ([`Tool::reconcile`](crate::tool::Tool::reconcile))
//! before anything is done again, and escalated when that cannot be told.
//!
//! [`MemoryRunStore`] keeps everything in process; `msp-agent-store` provides SQLite (the
//! embedded default) and PostgreSQL (many workers on one database).

#[cfg(feature = "test-utils")]
pub mod conformance;
pub(crate) mod journal;
mod memory;
mod store;
mod worker;

pub use journal::{Boundary, BoundaryHook, BoundaryPoint, RunContext};
pub use memory::MemoryRunStore;
pub use store::{
    ApprovalState, Claim, JournalEntry, RunFilter, RunId, RunState, RunStore, RunSummary,
    StoreError, StoreResult, StoredApproval,
};
pub use worker::{Worker, WorkerConfig, WorkerStats};
