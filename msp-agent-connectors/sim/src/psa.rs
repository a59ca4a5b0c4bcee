//! The PSA: tickets, notes, time entries, contacts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Contact, ContactId, Intent, Note, Priority, TenantId, Ticket, TicketId, TicketStatus, TimeEntry,
};
use msp_agent_core::{CapResult, CapabilityError};
use serde_json::{Value, json};

use crate::SimMsp;
use crate::seed::SERVICE_DESK;
use crate::state::{TenantState, TicketRecord, addr_key, call, not_found};

/// A ticket to file in the PSA.
pub(crate) struct NewTicket {
    pub from: String,
    pub subject: String,
    pub body: String,
    pub intent: Intent,
    pub priority: Priority,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
}

impl TenantState {
    /// File a ticket under PSA number `number`, linking the requester when the sender is a
    /// contact of this client.
    pub(crate) fn insert_ticket(&mut self, number: u64, t: NewTicket) -> TicketId {
        let id = TicketId::new(format!("T-{number}"));
        let requester = self.contact_addr.get(&addr_key(&t.from)).cloned();
        let ticket = Ticket {
            id: id.clone(),
            tenant: self.id.clone(),
            requester,
            requester_email: t.from,
            subject: t.subject,
            body: t.body,
            status: t.status,
            priority: t.priority,
            board: SERVICE_DESK.to_owned(),
            category: None,
            created_at: t.created_at,
        };
        let rec = TicketRecord {
            seq: number,
            ticket,
            intent: t.intent,
            notes: Vec::new(),
            time: Vec::new(),
        };
        self.tickets.insert(id.clone(), rec);
        id
    }
}

fn url(tenant: &TenantId, rest: &str) -> String {
    format!("sim://psa/{tenant}/{rest}")
}

#[async_trait]
impl TicketSystem for SimMsp {
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket> {
        self.with(tenant, |t| {
            call("GET", url(tenant, &format!("tickets/{id}")), Value::Null);
            Ok(t.ticket(id)?.ticket.clone())
        })
    }

    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, "tickets"),
                serde_json::to_value(query).unwrap_or_default(),
            );
            let text = query.text.as_deref().map(str::to_lowercase);
            let from = query.requester_email.as_deref().map(addr_key);
            let mut hits: Vec<&TicketRecord> = t
                .tickets
                .values()
                .filter(|r| query.status.is_none_or(|s| r.ticket.status == s))
                .filter(|r| {
                    from.as_deref()
                        .is_none_or(|f| addr_key(&r.ticket.requester_email) == f)
                })
                .filter(|r| {
                    text.as_deref().is_none_or(|q| {
                        r.ticket.subject.to_lowercase().contains(q)
                            || r.ticket.body.to_lowercase().contains(q)
                    })
                })
                .collect();
            hits.sort_by(|a, b| {
                b.ticket
                    .created_at
                    .cmp(&a.ticket.created_at)
                    .then(b.seq.cmp(&a.seq))
            });
            let limit = query.limit.map_or(usize::MAX, |l| l as usize);
            Ok(hits
                .into_iter()
                .take(limit)
                .map(|r| r.ticket.clone())
                .collect())
        })
    }

    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "PATCH",
                url(tenant, &format!("tickets/{id}")),
                serde_json::to_value(update).unwrap_or_default(),
            );
            if update.board.as_deref().is_some_and(|b| b.trim().is_empty()) {
                return Err(CapabilityError::InvalidInput(
                    "board must not be empty".into(),
                ));
            }
            let ticket = &mut t.ticket_mut(id)?.ticket;
            if let Some(s) = update.status {
                ticket.status = s;
            }
            if let Some(p) = update.priority {
                ticket.priority = p;
            }
            if let Some(b) = &update.board {
                ticket.board.clone_from(b);
            }
            if let Some(c) = &update.category {
                ticket.category = Some(c.clone());
            }
            Ok(())
        })
    }

    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("tickets/{id}/notes")),
                json!({ "visibility": note.visibility, "author": note.author, "text": note.text }),
            );
            if note.text.trim().is_empty() {
                return Err(CapabilityError::InvalidInput(
                    "note text must not be empty".into(),
                ));
            }
            t.ticket_mut(id)?.notes.push(note.clone());
            Ok(())
        })
    }

    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("tickets/{id}/notes")),
                Value::Null,
            );
            Ok(t.ticket(id)?.notes.clone())
        })
    }

    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("tickets/{id}/time")),
                serde_json::to_value(entry).unwrap_or_default(),
            );
            if entry.minutes == 0 || entry.minutes > 24 * 60 {
                return Err(CapabilityError::InvalidInput(format!(
                    "time entry of {} minutes is outside 1..=1440",
                    entry.minutes
                )));
            }
            t.ticket_mut(id)?.time.push(entry.clone());
            Ok(())
        })
    }

    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("tickets/{id}/time")),
                Value::Null,
            );
            Ok(t.ticket(id)?.time.clone())
        })
    }

    async fn find_contact_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> CapResult<Option<Contact>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("contacts?email={email}")),
                Value::Null,
            );
            Ok(t.contact_addr
                .get(&addr_key(email))
                .and_then(|id| t.contacts.get(id))
                .cloned())
        })
    }

    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact> {
        self.with(tenant, |t| {
            call("GET", url(tenant, &format!("contacts/{id}")), Value::Null);
            t.contacts
                .get(id)
                .cloned()
                .ok_or_else(|| not_found("contact", id.as_str()))
        })
    }
}
