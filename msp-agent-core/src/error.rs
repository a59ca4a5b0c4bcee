//! The one error type of every capability call.

use std::time::Duration;

use crate::domain::TenantId;

/// Why a capability (PSA, directory, RMM, docs, approvals, model, delivery) call failed.
///
/// Connectors map vendor errors onto these variants so the runtime can react the same way
/// whatever the vendor: retry `RateLimited` and `Transient`, stop on the rest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilityError {
    /// The object does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Credentials missing, expired or rejected (HTTP 401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Too many requests; retry after the given delay when known.
    #[error("rate limited{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// Delay the vendor asked for.
        retry_after: Option<Duration>,
    },
    /// The request was invalid (bad argument, validation failure).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The change conflicts with the current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A failure that may pass (timeout, 5xx, connection reset).
    #[error("transient failure: {0}")]
    Transient(String),
    /// A failure that will not pass by retrying.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The system has no way to do this (e.g. no API for it).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The connector was not built for this tenant.
    #[error("tenant `{0}` is not served by this connector")]
    WrongTenant(TenantId),
}

impl CapabilityError {
    /// True for errors worth retrying (rate limits and transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CapabilityError::RateLimited { .. } | CapabilityError::Transient(_)
        )
    }
}

/// Result of a capability call.
pub type CapResult<T> = Result<T, CapabilityError>;
