use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{
    Contact, ContactId, Note, Priority, TenantId, Ticket, TicketId, TicketStatus, TimeEntry,
};
use crate::error::CapResult;

/// Filter for [`TicketSystem::search_tickets`]; unset fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    /// Only tickets in this status.
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// Only tickets from this e-mail address.
    #[serde(default)]
    pub requester_email: Option<String>,
    /// Only tickets whose subject or body contains this text (case-insensitive).
    #[serde(default)]
    pub text: Option<String>,
    /// At most this many (newest first); all when unset.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Fields to change on a ticket; unset fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    /// New status.
    #[serde(default)]
    pub status: Option<TicketStatus>,
    /// New priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// New board or queue.
    #[serde(default)]
    pub board: Option<String>,
    /// New category.
    #[serde(default)]
    pub category: Option<String>,
}

/// A PSA: tickets, notes, time, contacts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TicketSystem: Send + Sync {
    /// One ticket.
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket>;
    /// Tickets matching a query, newest first.
    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>>;
    /// Change status, priority, board or category.
    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()>;
    /// Add a note.
    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()>;
    /// Notes of a ticket, oldest first.
    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>>;
    /// Log time against a ticket.
    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()>;
    /// Time entries of a ticket.
    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>>;
    /// The contact with this e-mail address, if any.
    async fn find_contact_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> CapResult<Option<Contact>>;
    /// One contact.
    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact>;
}
