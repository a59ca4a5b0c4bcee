//! A simulated technician answering approval requests.

use std::sync::Arc;

use async_trait::async_trait;
use msp_agent_core::CapResult;
use msp_agent_core::capability::{ApprovalDecision, ApprovalGateway, ApprovalRequest};

use crate::SimMsp;
use crate::state::lock;

/// How the simulated technician answers approval requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalMode {
    /// Approve every request at once.
    ApproveAll {
        /// Who approves, as the audit trail shows it.
        approver: String,
    },
    /// Reject every request at once.
    RejectAll {
        /// Who rejects, as the audit trail shows it.
        approver: String,
    },
    /// Never answer: the request stays pending until the caller's timeout.
    Never,
}

/// The gateway [`SimMsp::approvals`] returns.
pub(crate) struct SimApprovals {
    pub sim: SimMsp,
    pub mode: ApprovalMode,
}

impl SimMsp {
    /// An approval gateway answering as `mode` says. Every request any gateway of this
    /// simulator receives is recorded (see [`SimMsp::approval_requests`]).
    pub fn approvals(&self, mode: ApprovalMode) -> Arc<dyn ApprovalGateway> {
        Arc::new(SimApprovals {
            sim: self.clone(),
            mode,
        })
    }

    /// Every approval request received so far, in order.
    pub fn approval_requests(&self) -> Vec<ApprovalRequest> {
        lock(&self.inner.approvals).clone()
    }
}

#[async_trait]
impl ApprovalGateway for SimApprovals {
    async fn request_approval(&self, request: &ApprovalRequest) -> CapResult<ApprovalDecision> {
        lock(&self.sim.inner.approvals).push(request.clone());
        self.sim.save_shared()?;
        // The ticket must be one of this client's: never approve across tenants.
        self.sim
            .with(&request.tenant, |t| t.ticket(&request.ticket).map(|_| ()))?;
        match &self.mode {
            ApprovalMode::ApproveAll { approver } => Ok(ApprovalDecision::Approved {
                approver: approver.clone(),
            }),
            ApprovalMode::RejectAll { approver } => Ok(ApprovalDecision::Rejected {
                approver: approver.clone(),
                reason: Some("rejected by the simulated technician".to_owned()),
            }),
            ApprovalMode::Never => std::future::pending().await,
        }
    }
}
