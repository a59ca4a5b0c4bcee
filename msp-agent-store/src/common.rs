//! Conversions shared by the backends.

use msp_agent_core::capability::{ApprovalDecision, ApprovalRequest};
use msp_agent_core::run::{Claim, RunState, StoreError};
use serde_json::Value;

/// A database error, with what was being done.
pub(crate) fn backend(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Backend(format!("{context}: {e}"))
}

/// A column that does not decode.
pub(crate) fn corrupt(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("{context}: {e}"))
}

pub(crate) fn lease_lost(claim: &Claim) -> StoreError {
    StoreError::LeaseLost {
        run: claim.run,
        attempt: claim.attempt,
    }
}

pub(crate) fn state(s: &str) -> Result<RunState, StoreError> {
    s.parse()
}

pub(crate) fn attempt(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("attempt {n} out of range")))
}

pub(crate) fn seq(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("step seq {n} out of range")))
}

pub(crate) fn to_json<T: serde::Serialize>(what: &str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(format!("encoding {what}: {e}")))
}

pub(crate) fn record(text: Option<String>) -> Result<Option<Value>, StoreError> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("step record: {e}")))
    })
    .transpose()
}

pub(crate) fn request(text: &str) -> Result<ApprovalRequest, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("approval request: {e}")))
}

pub(crate) fn decision(text: Option<String>) -> Result<Option<ApprovalDecision>, StoreError> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("approval decision: {e}")))
    })
    .transpose()
}

/// `max` as a SQL `LIMIT`.
pub(crate) fn limit(max: usize) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX)
}

/// Claims returned in claim order: interleaved across tenants (each tenant's oldest first),
/// whatever order the database returned them in. The claimed runs of a tenant are its
/// oldest claimable ones, so their rank within the claim is their rank in the queue.
pub(crate) fn claim_order(mut claims: Vec<Claim>) -> Vec<Claim> {
    claims.sort_by_key(|c| c.run);
    let mut seen: std::collections::HashMap<msp_agent_core::domain::TenantId, usize> =
        std::collections::HashMap::new();
    let mut ranked: Vec<(usize, Claim)> = claims
        .into_iter()
        .map(|c| {
            let r = seen.entry(c.tenant.clone()).or_default();
            let rank = *r;
            *r += 1;
            (rank, c)
        })
        .collect();
    ranked.sort_by_key(|(rank, c)| (*rank, c.run));
    ranked.into_iter().map(|(_, c)| c).collect()
}
