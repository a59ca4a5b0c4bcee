//! Audit trail: one record per decided action, hash-chained (DESIGN §6).

mod calls;
mod record;
mod sink;

pub use calls::{REDACTED, VendorCall, record_call, recording};
pub use record::{
    ActionResult, AuditEntry, AuditRecord, ChainError, GENESIS_HASH, PreparedEntry, chain_hash,
    verify_chain,
};
pub use sink::{AuditError, AuditSink, JsonlAuditSink, MemoryAuditSink};
