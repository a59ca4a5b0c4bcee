use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{TenantId, TicketId};
use crate::error::CapResult;

/// What a human is asked to approve. Holds no secret: `change` is the redacted call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// The client.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// Action (tool) name.
    pub action: String,
    /// Tool arguments, as validated.
    pub change: serde_json::Value,
    /// Why the agent wants to do it.
    pub reasoning: String,
}

/// A human's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Go ahead.
    Approved {
        /// Who approved.
        approver: String,
    },
    /// Do not.
    Rejected {
        /// Who rejected.
        approver: String,
        /// Why, if given.
        reason: Option<String>,
    },
}

/// Where approvals are asked for (chat channel, web UI, queue). The call returns when a
/// human answers; the runtime bounds it with its approval timeout.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ApprovalGateway: Send + Sync {
    /// Ask for approval and wait for the answer.
    async fn request_approval(&self, request: &ApprovalRequest) -> CapResult<ApprovalDecision>;
}
