use async_trait::async_trait;
use schemars::JsonSchema;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::domain::{TenantId, UserId};
use crate::error::CapResult;

/// Proof of an out-of-band delivery; holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeliveryReceipt {
    /// Channel used (e.g. `sms`, `manager_email`).
    pub channel: String,
    /// Masked destination (e.g. `+1 *** *** 0142`).
    pub destination: String,
}

/// Out-of-band delivery of a one-time secret to a person, and out-of-band verification.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SecretDelivery: Send + Sync {
    /// Deliver `secret` to `user` for `purpose` through a channel other than the ticket.
    async fn deliver(
        &self,
        tenant: &TenantId,
        user: &UserId,
        purpose: &str,
        secret: &SecretString,
    ) -> CapResult<DeliveryReceipt>;
}
