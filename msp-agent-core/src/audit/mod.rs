//! Audit trail: one record per decided action, hash-chained (DESIGN §6).

mod calls;
mod query;
mod record;
mod sink;

pub use calls::{REDACTED, VendorCall, record_call, recording};
pub use query::{
    APPROVER_AUTO, APPROVER_NONE, ActionTally, AuditQuery, AuditReader, HistoryBuilder,
    ParseValueError, ReadError, ResultStatus, action_histories, parse_timestamp,
};
pub use record::{
    ActionResult, AuditEntry, AuditRecord, ChainError, GENESIS_HASH, PreparedEntry, chain_hash,
    verify_chain,
};
pub use sink::{AuditError, AuditSink, JsonlAuditSink, MemoryAuditSink};
