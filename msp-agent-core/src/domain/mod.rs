//! Domain types shared by every part of the agent (DESIGN §2).

mod directory;
mod ids;
mod intent;
mod ticket;

pub use directory::{
    AccountState, Alert, AuthMethod, AuthMethodKind, Device, DeviceStatus, DirectoryUser, Document,
    Group, License, ScriptResult,
};
pub use ids::{ContactId, DeviceId, DocumentId, GroupId, TenantId, TicketId, UserId};
pub use intent::{AutomationLevel, Intent, UnknownIntent};
pub use ticket::{Actor, Contact, Note, NoteVisibility, Priority, Ticket, TicketStatus, TimeEntry};
