//! What approvers are asked, what they answer, the gateway trait and an in-memory gateway.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::pending::{ApprovalId, PendingApprovals, PendingEntry, ResolveError};
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

/// An in-process approval gateway for tests and embedding apps with their own UI:
/// requests are queued in a [`PendingApprovals`] registry, listed by
/// [`pending`](Self::pending) (and pushed to [`subscribe`](Self::subscribe)d receivers) and decided
/// with [`approve`](Self::approve) / [`reject`](Self::reject).
#[derive(Debug, Clone)]
pub struct InMemoryApprovalGateway {
    registry: PendingApprovals,
    events: tokio::sync::broadcast::Sender<PendingEntry>,
}

impl Default for InMemoryApprovalGateway {
    fn default() -> Self {
        Self::new()
    }
}

impl InMemoryApprovalGateway {
    /// A gateway with its own registry.
    pub fn new() -> Self {
        Self::with_registry(PendingApprovals::new())
    }

    /// A gateway over a shared registry.
    pub fn with_registry(registry: PendingApprovals) -> Self {
        let (events, _) = tokio::sync::broadcast::channel(64);
        InMemoryApprovalGateway { registry, events }
    }

    /// The registry.
    pub fn registry(&self) -> &PendingApprovals {
        &self.registry
    }

    /// Requests waiting for an answer.
    pub fn pending(&self) -> Vec<PendingEntry> {
        self.registry.pending()
    }

    /// Receive every new request as it is queued (from now on).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<PendingEntry> {
        self.events.subscribe()
    }

    /// Approve request `id` as `approver`.
    pub fn approve(
        &self,
        id: &ApprovalId,
        approver: impl Into<String>,
    ) -> Result<(), ResolveError> {
        self.registry.resolve(
            id,
            ApprovalDecision::Approved {
                approver: approver.into(),
            },
        )
    }

    /// Reject request `id` as `approver`, optionally saying why.
    pub fn reject(
        &self,
        id: &ApprovalId,
        approver: impl Into<String>,
        reason: Option<String>,
    ) -> Result<(), ResolveError> {
        self.registry.resolve(
            id,
            ApprovalDecision::Rejected {
                approver: approver.into(),
                reason,
            },
        )
    }
}

#[async_trait]
impl ApprovalGateway for InMemoryApprovalGateway {
    async fn request_approval(&self, request: &ApprovalRequest) -> CapResult<ApprovalDecision> {
        let pending = self.registry.register(request.clone());
        // No subscriber is fine: `pending()` still lists it.
        let _ = self.events.send(PendingEntry {
            id: pending.id().clone(),
            request: request.clone(),
        });
        pending.await
    }
}
