//! The [`TicketSystem`] implementation.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, Contact, ContactId, Note, NoteVisibility, TenantId, Ticket, TicketId, TimeEntry,
};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{HttpClient, Request, StaticHeaders};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::config::SyncroConfig;
use crate::model::{
    OneContact, Person, SyncroComment, SyncroContact, SyncroTicket, TicketEnvelope, to_capability,
};

/// Syncro (SyncroMSP) REST API v1 as a [`TicketSystem`].
pub struct Syncro {
    http: HttpClient,
    config: SyncroConfig,
}

impl std::fmt::Debug for Syncro {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syncro")
            .field("base_url", &self.config.base_url)
            .field("agent_user_id", &self.config.agent_user_id)
            .field("tenants", &self.config.tenants.len())
            .finish_non_exhaustive()
    }
}

impl Syncro {
    /// A connector for `config`; fails on an invalid base URL or a token that cannot be
    /// sent in a header.
    pub fn new(config: SyncroConfig) -> CapResult<Self> {
        let bearer = SecretString::from(format!("Bearer {}", config.api_token.expose_secret()));
        let auth =
            StaticHeaders::new([("Authorization", bearer)]).map_err(CapabilityError::from)?;
        let mut builder = HttpClient::builder(config.base_url.clone())
            .auth(auth)
            .retry(config.retry.clone())
            .timeout(config.timeout);
        if let Some(limit) = config.rate_limit {
            builder = builder.rate_limit(limit);
        }
        let http = builder.build().map_err(CapabilityError::from)?;
        Ok(Self { http, config })
    }

    /// The configuration.
    pub fn config(&self) -> &SyncroConfig {
        &self.config
    }

    /// The Syncro `customer_id` of `tenant`.
    fn customer(&self, tenant: &TenantId) -> CapResult<u64> {
        self.config
            .tenants
            .get(tenant)
            .copied()
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    async fn call<T: DeserializeOwned>(&self, request: Request) -> CapResult<T> {
        self.http.send_json(&request).await.map_err(to_capability)
    }

    /// Items of the array `key` over `page=1,2,…` until `meta.total_pages` (or an empty
    /// page, or [`SyncroConfig::max_pages`]); only items passing `keep` are returned and
    /// counted against `limit`.
    async fn pages<T: DeserializeOwned>(
        &self,
        request: Request,
        key: &str,
        limit: Option<usize>,
        keep: impl Fn(&T) -> bool,
    ) -> CapResult<Vec<T>> {
        let limit = limit.unwrap_or(usize::MAX);
        let mut kept = Vec::new();
        let mut page: u32 = 1;
        loop {
            let mut body: Value = self.call(request.clone().set_query("page", page)).await?;
            let items = match body.get_mut(key).map(Value::take) {
                Some(Value::Array(items)) => items,
                Some(Value::Null) => Vec::new(),
                _ => {
                    return Err(CapabilityError::Permanent(format!(
                        "Syncro listing without a `{key}` array"
                    )));
                }
            };
            let fetched = items.len();
            for item in items {
                let item: T = serde_json::from_value(item).map_err(|e| {
                    CapabilityError::Permanent(format!("malformed Syncro `{key}` item: {e}"))
                })?;
                if keep(&item) {
                    kept.push(item);
                    if kept.len() >= limit {
                        return Ok(kept);
                    }
                }
            }
            let total = body
                .pointer("/meta/total_pages")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if fetched == 0 || u64::from(page) >= total {
                return Ok(kept);
            }
            if page >= self.config.max_pages {
                tracing::warn!(key, total, "Syncro listing cut at max_pages");
                return Ok(kept);
            }
            page += 1;
        }
    }

    /// The ticket, if it belongs to `tenant`'s customer (else NotFound: the existence of
    /// another customer's ticket is not revealed).
    async fn ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<SyncroTicket> {
        let customer = self.customer(tenant)?;
        let num = parse_id("ticket", id.as_str())?;
        let TicketEnvelope { ticket } = self.call(Request::get(format!("/tickets/{num}"))).await?;
        if ticket.id != num || ticket.customer_id != Some(customer) {
            tracing::warn!(ticket = num, %tenant, "Syncro ticket of another customer refused");
            return Err(CapabilityError::NotFound(format!(
                "ticket {num} not found for tenant {tenant}"
            )));
        }
        Ok(ticket)
    }

    /// The domain ticket; `contact_email` is the requester's address when the Syncro object
    /// does not embed its contact (ticket listings carry only `contact_id`).
    fn to_ticket(&self, tenant: &TenantId, t: SyncroTicket, contact_email: Option<&str>) -> Ticket {
        let requester_email = person_email(&t.contact)
            .or(contact_email)
            .or(person_email(&t.customer))
            .unwrap_or_default()
            .to_string();
        let body = oldest_first(t.comments)
            .into_iter()
            .next()
            .and_then(|c| c.body)
            .unwrap_or_default();
        Ticket {
            id: TicketId::new(t.id.to_string()),
            tenant: tenant.clone(),
            requester: t.contact_id.map(|c| ContactId::new(c.to_string())),
            requester_email,
            subject: t.subject.unwrap_or_default(),
            body,
            status: self
                .config
                .statuses
                .status_of(t.status.as_deref().unwrap_or_default()),
            priority: self
                .config
                .priorities
                .priority_of(t.priority.as_deref().unwrap_or_default()),
            board: String::new(),
            category: t.problem_type.filter(|p| !p.trim().is_empty()),
            created_at: t.created_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        }
    }

    /// E-mail addresses of the contacts of `tickets` that do not embed them, one
    /// `GET /contacts/{id}` per distinct contact (a contact gone or of another customer has
    /// no address).
    async fn contact_emails(
        &self,
        tenant: &TenantId,
        tickets: &[SyncroTicket],
        known: Option<&Contact>,
    ) -> CapResult<HashMap<u64, String>> {
        let mut emails = HashMap::new();
        if let Some(c) = known {
            if let Ok(id) = c.id.as_str().parse() {
                emails.insert(id, c.email.clone());
            }
        }
        for t in tickets.iter().filter(|t| t.contact.is_none()) {
            let Some(id) = t.contact_id else { continue };
            if emails.contains_key(&id) {
                continue;
            }
            let email = match self
                .get_contact(tenant, &ContactId::new(id.to_string()))
                .await
            {
                Ok(c) => c.email,
                Err(CapabilityError::NotFound(_)) => String::new(),
                Err(e) => return Err(e),
            };
            emails.insert(id, email);
        }
        Ok(emails)
    }

    fn to_contact(tenant: &TenantId, c: SyncroContact) -> Contact {
        let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Contact {
            id: ContactId::new(c.id.to_string()),
            tenant: tenant.clone(),
            name: c.name.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            phone: nonempty(c.phone).or_else(|| nonempty(c.mobile)),
        }
    }
}

/// A non-empty e-mail of an embedded person.
fn person_email(p: &Option<Person>) -> Option<&str> {
    p.as_ref()
        .and_then(|p| p.email.as_deref())
        .filter(|e| !e.trim().is_empty())
}

/// Comments sorted by creation time, then id.
fn oldest_first(mut comments: Vec<SyncroComment>) -> Vec<SyncroComment> {
    comments.sort_by_key(|c| (c.created_at, c.id));
    comments
}

fn parse_id(kind: &str, id: &str) -> CapResult<u64> {
    id.trim()
        .parse()
        .map_err(|_| CapabilityError::InvalidInput(format!("invalid Syncro {kind} id {id:?}")))
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[async_trait]
impl TicketSystem for Syncro {
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket> {
        let t = self.ticket(tenant, id).await?;
        Ok(self.to_ticket(tenant, t, None))
    }

    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>> {
        let customer = self.customer(tenant)?;
        if query.limit == Some(0) {
            return Ok(Vec::new());
        }
        // Syncro filters by one status string per request: one listing per mapped name.
        let statuses: Vec<Option<&str>> = match query.status {
            Some(status) => {
                let names = self.config.statuses.names_of(status);
                if names.is_empty() {
                    return Ok(Vec::new());
                }
                names.into_iter().map(Some).collect()
            }
            None => vec![None],
        };
        let text = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        // Ticket listings carry `contact_id` only: a requester e-mail is resolved to its
        // contact first (no contact, no tickets) and filtered by `contact_id`.
        let contact = match query.requester_email.as_deref().map(str::trim) {
            Some(email) if !email.is_empty() => {
                match self.find_contact_by_email(tenant, email).await? {
                    Some(c) => Some(c),
                    None => return Ok(Vec::new()),
                }
            }
            _ => None,
        };
        let contact_id: Option<u64> = contact.as_ref().and_then(|c| c.id.as_str().parse().ok());
        let limit = query.limit.map(|l| l as usize);
        // Never trust a filter to have been applied: re-check customer, status, contact
        // and text on every ticket returned.
        let keep = |t: &SyncroTicket| {
            t.customer_id == Some(customer)
                && query.status.is_none_or(|s| {
                    self.config
                        .statuses
                        .status_of(t.status.as_deref().unwrap_or_default())
                        == s
                })
                && contact_id.is_none_or(|c| t.contact_id == Some(c))
                && text.is_none_or(|q| {
                    t.subject.as_deref().is_some_and(|s| contains_ci(s, q))
                        || t.comments
                            .iter()
                            .any(|c| c.body.as_deref().is_some_and(|b| contains_ci(b, q)))
                })
        };
        let mut found: Vec<SyncroTicket> = Vec::new();
        for status in statuses {
            // `all_comments=false`: only the initial comment (the ticket's body) comes back.
            let mut request = Request::get("/tickets")
                .query("customer_id", customer)
                .query("all_comments", false);
            if let Some(id) = contact_id {
                request = request.query("contact_id", id);
            }
            if let Some(status) = status {
                request = request.query("status", status);
            }
            if let Some(q) = text {
                request = request.query("query", q);
            }
            found.extend(self.pages(request, "tickets", limit, keep).await?);
        }
        found.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
        found.dedup_by_key(|t| t.id);
        found.truncate(limit.unwrap_or(usize::MAX));
        let emails = self
            .contact_emails(tenant, &found, contact.as_ref())
            .await?;
        Ok(found
            .into_iter()
            .map(|t| {
                let email = t.contact_id.and_then(|id| emails.get(&id)).cloned();
                self.to_ticket(tenant, t, email.as_deref())
            })
            .collect())
    }

    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()> {
        self.customer(tenant)?;
        if update.board.is_some() {
            return Err(CapabilityError::Unsupported(
                "Syncro tickets have no board or queue".into(),
            ));
        }
        let mut fields = Map::new();
        if let Some(status) = update.status {
            let name = self.config.statuses.name_for(status).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no Syncro status configured for {status:?}"))
            })?;
            fields.insert("status".into(), json!(name));
        }
        if let Some(priority) = update.priority {
            let name = self.config.priorities.name_for(priority).ok_or_else(|| {
                CapabilityError::InvalidInput(format!(
                    "no Syncro priority configured for {priority:?}"
                ))
            })?;
            fields.insert("priority".into(), json!(name));
        }
        if let Some(category) = &update.category {
            fields.insert("problem_type".into(), json!(category.trim()));
        }
        let ticket = self.ticket(tenant, id).await?;
        if fields.is_empty() {
            return Ok(());
        }
        // PUT of absolute field values is idempotent: retried on 429 / 5xx.
        let request = Request::put(format!("/tickets/{}", ticket.id)).json(&fields);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()> {
        self.customer(tenant)?;
        if note.text.trim().is_empty() {
            return Err(CapabilityError::InvalidInput("empty comment".into()));
        }
        let ticket = self.ticket(tenant, id).await?;
        let hidden = note.visibility == NoteVisibility::Internal;
        let mut body = json!({
            "subject": self.config.comment_subject,
            "body": note.text,
            "hidden": hidden,
            "do_not_email": hidden || !self.config.email_public_comments,
        });
        if !note.author.trim().is_empty() {
            body["tech"] = json!(note.author);
        }
        let request = Request::post(format!("/tickets/{}/comment", ticket.id)).json(&body);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>> {
        let ticket = self.ticket(tenant, id).await?;
        Ok(oldest_first(ticket.comments)
            .into_iter()
            .map(|c| Note {
                visibility: if c.hidden.unwrap_or(false) {
                    NoteVisibility::Internal
                } else {
                    NoteVisibility::Public
                },
                text: c.body.or(c.subject).unwrap_or_default(),
                author: c.tech.unwrap_or_default(),
            })
            .collect())
    }

    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()> {
        self.customer(tenant)?;
        let user_id = match entry.actor {
            Actor::Agent => self.config.agent_user_id,
            Actor::Technician => self.config.technician_user_id.ok_or_else(|| {
                CapabilityError::Unsupported(
                    "no technician user configured for Syncro timer entries".into(),
                )
            })?,
        };
        if entry.minutes == 0 {
            return Err(CapabilityError::InvalidInput(
                "a timer entry needs at least one minute".into(),
            ));
        }
        let ticket = self.ticket(tenant, id).await?;
        let end = Utc::now().trunc_subsecs(0);
        let start = end - TimeDelta::minutes(i64::from(entry.minutes));
        let body = json!({
            "start_at": timestamp(start),
            "end_at": timestamp(end),
            "notes": entry.notes,
            "user_id": user_id,
            "billable": entry.billable,
        });
        let request = Request::post(format!("/tickets/{}/timer_entry", ticket.id)).json(&body);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>> {
        let ticket = self.ticket(tenant, id).await?;
        let agent = self.config.agent_user_id;
        Ok(ticket
            .ticket_timers
            .into_iter()
            .map(|t| TimeEntry {
                actor: if t.user_id == Some(agent) {
                    Actor::Agent
                } else {
                    Actor::Technician
                },
                minutes: t.minutes(),
                billable: t.billable.unwrap_or(false),
                notes: t.notes.unwrap_or_default(),
            })
            .collect())
    }

    async fn find_contact_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> CapResult<Option<Contact>> {
        let customer = self.customer(tenant)?;
        let email = email.trim();
        if email.is_empty() {
            return Err(CapabilityError::InvalidInput("empty e-mail address".into()));
        }
        let request = Request::get("/contacts")
            .query("customer_id", customer)
            .query("query", email);
        // `query` is a fuzzy search: keep only an exact address of this customer.
        let keep = |c: &SyncroContact| {
            c.customer_id == Some(customer)
                && c.email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
        };
        let found = self.pages(request, "contacts", Some(1), keep).await?;
        Ok(found
            .into_iter()
            .next()
            .map(|c| Self::to_contact(tenant, c)))
    }

    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact> {
        let customer = self.customer(tenant)?;
        let num = parse_id("contact", id.as_str())?;
        let contact = self
            .call::<OneContact>(Request::get(format!("/contacts/{num}")))
            .await?
            .into_inner();
        if contact.id != num || contact.customer_id != Some(customer) {
            return Err(CapabilityError::NotFound(format!(
                "contact {num} not found for tenant {tenant}"
            )));
        }
        Ok(Self::to_contact(tenant, contact))
    }
}
