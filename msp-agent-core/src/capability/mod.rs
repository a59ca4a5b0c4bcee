//! Capability traits: the seams to PSA, directory, RMM, documentation, approvals, models
//! and secret delivery. Every call carries the [`TenantId`](crate::domain::TenantId); a
//! connector refuses a tenant it was not built for with
//! [`CapabilityError::WrongTenant`](crate::CapabilityError::WrongTenant).
//!
//! With feature `mock`, each trait `X` has a mockall mock `MockX`.

mod approval;
mod chat;
mod delivery;
mod documentation;
mod identity;
mod pending;
mod rmm;
mod ticket_system;

use std::sync::Arc;

pub use approval::{ApprovalDecision, ApprovalGateway, ApprovalRequest, InMemoryApprovalGateway};
pub use chat::{
    ChatMessage, ChatModel, ChatRequest, ChatResponse, Role, ToolCall, ToolSpec, Usage,
};
pub use delivery::{Challenge, DeliveryReceipt, SecretDelivery};
pub use documentation::Documentation;
pub use identity::{IdentityProvider, MailboxPermission, NewUser};
pub use pending::{ApprovalId, PendingApproval, PendingApprovals, PendingEntry, ResolveError};
pub use rmm::Rmm;
pub use ticket_system::{TicketQuery, TicketSystem, TicketUpdate};

#[cfg(feature = "mock")]
pub use {
    approval::MockApprovalGateway, chat::MockChatModel, delivery::MockSecretDelivery,
    documentation::MockDocumentation, identity::MockIdentityProvider, rmm::MockRmm,
    ticket_system::MockTicketSystem,
};

/// The systems an agent works with. Clone is cheap (shared handles).
#[derive(Clone)]
pub struct Capabilities {
    /// PSA.
    pub tickets: Arc<dyn TicketSystem>,
    /// Directory.
    pub identity: Arc<dyn IdentityProvider>,
    /// RMM.
    pub rmm: Arc<dyn Rmm>,
    /// Documentation.
    pub docs: Arc<dyn Documentation>,
    /// Out-of-band secret delivery.
    pub delivery: Arc<dyn SecretDelivery>,
}

impl std::fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Capabilities { .. }")
    }
}
