//! Tickets, notes and time entries (the PSA side).

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::{ContactId, TenantId, TicketId};

/// Ticket status as the agent understands it; connectors map vendor statuses onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Newly opened.
    New,
    /// Being worked.
    InProgress,
    /// Waiting for the requester or a third party.
    Waiting,
    /// Handed to a human technician.
    Escalated,
    /// Resolved and closed.
    Closed,
}

/// Ticket priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// A service ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ticket {
    /// Id in the PSA.
    pub id: TicketId,
    /// The client it belongs to.
    pub tenant: TenantId,
    /// The PSA contact who opened it, if linked.
    pub requester: Option<ContactId>,
    /// The e-mail address it came from.
    pub requester_email: String,
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
    /// Status.
    pub status: TicketStatus,
    /// Priority.
    pub priority: Priority,
    /// Board or queue.
    pub board: String,
    /// Category (type / subtype), once triaged.
    pub category: Option<String>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
}

/// Who can read a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteVisibility {
    /// Technicians only.
    Internal,
    /// Visible to the requester.
    Public,
}

/// A note on a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Note {
    /// Internal or public.
    pub visibility: NoteVisibility,
    /// Text.
    pub text: String,
    /// Author as shown in the PSA.
    pub author: String,
}

/// Who did the work a time entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The agent.
    Agent,
    /// A human technician.
    Technician,
}

/// Time logged against a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimeEntry {
    /// Agent or technician time, kept apart for billing.
    pub actor: Actor,
    /// Minutes worked.
    pub minutes: u32,
    /// Billable to the client.
    pub billable: bool,
    /// Work description.
    pub notes: String,
}

/// A contact in the PSA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Contact {
    /// Id in the PSA.
    pub id: ContactId,
    /// The client.
    pub tenant: TenantId,
    /// Full name.
    pub name: String,
    /// Primary e-mail.
    pub email: String,
    /// Phone on file, used for out-of-band contact.
    pub phone: Option<String>,
}
