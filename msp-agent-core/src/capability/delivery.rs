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

/// Outcome of an out-of-band identity challenge; holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Challenge {
    /// Channel used (e.g. `sms`, `phone_callback`).
    pub channel: String,
    /// Masked destination (e.g. `+1 *** *** 0142`).
    pub destination: String,
    /// Whether the person confirmed the request on that channel.
    pub confirmed: bool,
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

    /// Ask `user`, on a channel registered before the ticket (never one the ticket names),
    /// to confirm that they made the request described by `purpose`, and wait for the answer.
    /// An error means no registered second channel could be reached.
    async fn challenge(
        &self,
        tenant: &TenantId,
        user: &UserId,
        purpose: &str,
    ) -> CapResult<Challenge>;
}
