//! Recording the exact vendor calls a tool makes, for the audit trail.
//!
//! The gate runs each tool inside a recording scope; connectors call [`record_call`] with
//! each request they send (secrets already redacted). Outside a scope it does nothing.

use std::cell::RefCell;
use std::future::Future;

use serde::{Deserialize, Serialize};

/// One request to a vendor system, with secrets redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorCall {
    /// HTTP method (or operation for non-HTTP systems).
    pub method: String,
    /// URL (or resource path).
    pub url: String,
    /// Body, redacted.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub body: serde_json::Value,
}

/// Text that replaces secrets in recorded calls.
pub const REDACTED: &str = "[REDACTED]";

tokio::task_local! {
    static CALLS: RefCell<Vec<VendorCall>>;
}

/// Record a vendor call in the current tool's scope (no-op outside one).
pub fn record_call(call: VendorCall) {
    let _ = CALLS.try_with(|c| c.borrow_mut().push(call));
}

/// Run `fut` and collect the calls it records.
pub async fn recording<F: Future>(fut: F) -> (F::Output, Vec<VendorCall>) {
    CALLS
        .scope(RefCell::new(Vec::new()), async move {
            let out = fut.await;
            let calls = CALLS.with(|c| std::mem::take(&mut *c.borrow_mut()));
            (out, calls)
        })
        .await
}
