//! The [`TicketSystem`] implementation.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt, TryStreamExt, future};
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, Contact, ContactId, Note, NoteVisibility, TenantId, Ticket, TicketId, TimeEntry,
};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{ClientCredentials, HttpClient, Pagination, Request, paginate};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use crate::config::HaloConfig;
use crate::model::{ActionList, HaloAction, HaloTicket, HaloUser, Named, map_err, parse_time};

/// A lookup list (`/api/Status`, `/api/Team`) fetched once and kept for the connector's
/// life; reloaded once when a name being written is missing from it.
struct Lookup {
    path: &'static str,
    items: Mutex<Option<Arc<Vec<Named>>>>,
}

impl Lookup {
    fn new(path: &'static str) -> Self {
        Self {
            path,
            items: Mutex::new(None),
        }
    }

    async fn get(&self, http: &HttpClient, reload: bool) -> CapResult<Arc<Vec<Named>>> {
        let mut guard = self.items.lock().await;
        match guard.as_ref() {
            Some(items) if !reload => Ok(items.clone()),
            _ => {
                let items: Vec<Named> = http
                    .send_json(&Request::get(self.path))
                    .await
                    .map_err(map_err)?;
                let items = Arc::new(items);
                *guard = Some(items.clone());
                Ok(items)
            }
        }
    }

    /// The id of the item called `name` (case-insensitive), reloading once on a miss.
    async fn id_of(&self, http: &HttpClient, name: &str) -> CapResult<u64> {
        for reload in [false, true] {
            let items = self.get(http, reload).await?;
            if let Some(item) = items.iter().find(|i| {
                i.name
                    .as_deref()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name.trim()))
            }) {
                return Ok(item.id);
            }
        }
        Err(CapabilityError::InvalidInput(format!(
            "no Halo {} named {name:?}",
            self.path.trim_start_matches('/')
        )))
    }
}

/// The HaloPSA REST API as a [`TicketSystem`].
///
/// Cheap to share (`Arc`): the OAuth2 token, the status and team lookups and the rate
/// limiter are shared by all calls.
pub struct HaloPsa {
    http: HttpClient,
    config: HaloConfig,
    statuses: Lookup,
    teams: Lookup,
}

impl std::fmt::Debug for HaloPsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaloPsa")
            .field("instance_url", &self.config.instance_url)
            .field("client_id", &self.config.client_id)
            .field("tenants", &self.config.tenants.len())
            .finish_non_exhaustive()
    }
}

impl HaloPsa {
    /// A connector for `config`; fails on an invalid instance URL.
    pub fn new(config: HaloConfig) -> CapResult<Self> {
        let oauth = ClientCredentials::new(
            config.token_url(),
            config.client_id.clone(),
            config.client_secret.clone(),
            Some(config.scope.clone()),
        )
        .map_err(CapabilityError::from)?;
        let mut builder = HttpClient::builder(config.resource_url())
            .auth(oauth)
            .retry(config.retry.clone())
            .timeout(config.timeout);
        if let Some(limit) = config.rate_limit {
            builder = builder.rate_limit(limit);
        }
        Ok(Self {
            http: builder.build().map_err(CapabilityError::from)?,
            config,
            statuses: Lookup::new("/Status"),
            teams: Lookup::new("/Team"),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &HaloConfig {
        &self.config
    }

    /// The name of `tenant`'s Halo client (`GET /api/Client/{id}`), to check a tenant
    /// mapping at set-up.
    pub async fn client_name(&self, tenant: &TenantId) -> CapResult<String> {
        let client = self.client_of(tenant)?;
        let record: Named = self.call(Request::get(format!("/Client/{client}"))).await?;
        if record.id != client {
            return Err(CapabilityError::NotFound(format!("Halo client {client}")));
        }
        Ok(record.name.unwrap_or_default())
    }

    /// The Halo `client_id` of `tenant`, or `WrongTenant`.
    fn client_of(&self, tenant: &TenantId) -> CapResult<u64> {
        self.config
            .tenants
            .get(tenant)
            .copied()
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    async fn call<T: DeserializeOwned>(&self, request: Request) -> CapResult<T> {
        self.http.send_json(&request).await.map_err(map_err)
    }

    /// Every item of a `pageinate=true` listing whose items are in `key`, page by page
    /// (`page_no` from 1, `page_size` items each), fetched lazily.
    fn pages<T>(
        &self,
        request: Request,
        key: &str,
        size: u32,
    ) -> impl Stream<Item = CapResult<T>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let pagination =
            Pagination::page_number("page_no", "page_size", size).items_at(format!("/{key}"));
        paginate::<T>(&self.http, request.query("pageinate", true), pagination).map_err(map_err)
    }

    /// The ticket, if it belongs to `tenant`'s client (else NotFound: the existence of
    /// another client's ticket is not revealed).
    async fn ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<HaloTicket> {
        let client = self.client_of(tenant)?;
        let num = parse_id("ticket", id.as_str())?;
        let ticket: HaloTicket = self.call(Request::get(format!("/Tickets/{num}"))).await?;
        if ticket.id != num || ticket.client_id != Some(client) {
            tracing::warn!(ticket = num, %tenant, "Halo ticket of another client refused");
            return Err(CapabilityError::NotFound(format!(
                "ticket {num} not found for tenant {tenant}"
            )));
        }
        Ok(ticket)
    }

    fn to_ticket(&self, tenant: &TenantId, t: HaloTicket, statuses: &[Named]) -> Ticket {
        let status_name = t
            .status_id
            .and_then(|id| statuses.iter().find(|s| s.id == id))
            .and_then(|s| s.name.as_deref())
            .unwrap_or_default();
        Ticket {
            id: TicketId::new(t.id.to_string()),
            tenant: tenant.clone(),
            requester: t
                .user_id
                .filter(|id| *id > 0)
                .map(|id| ContactId::new(id.to_string())),
            requester_email: t.user_email.unwrap_or_default(),
            subject: t.summary.unwrap_or_default(),
            body: t.details.unwrap_or_default(),
            status: self.config.statuses.classify(status_name),
            priority: self
                .config
                .priorities
                .priority_of(t.priority_id.unwrap_or_default()),
            board: t.team.unwrap_or_default(),
            category: t.category_1.filter(|c| !c.trim().is_empty()),
            created_at: t
                .dateoccurred
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        }
    }

    /// The actions of a ticket already checked to be the tenant's.
    async fn actions(&self, ticket: u64) -> CapResult<Vec<HaloAction>> {
        let request = Request::get("/Actions")
            .query("ticket_id", ticket)
            .query("excludesys", true);
        let list: ActionList = self.call(request).await?;
        Ok(list
            .actions
            .into_iter()
            .filter(|a| a.ticket_id.is_none_or(|t| t == ticket))
            .collect())
    }

    /// Create one action. Never retried automatically: a retry after a lost answer would
    /// add a second note or time entry.
    async fn create_action(&self, action: Value) -> CapResult<()> {
        let request = Request::post("/Actions").json(&[action]).idempotent(false);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    fn to_contact(tenant: &TenantId, u: HaloUser) -> Contact {
        let phone = [u.phonenumber_preferred, u.phonenumber, u.mobilenumber]
            .into_iter()
            .flatten()
            .find(|p| !p.trim().is_empty());
        Contact {
            id: ContactId::new(u.id.to_string()),
            tenant: tenant.clone(),
            name: u.name.unwrap_or_default(),
            email: u.emailaddress.unwrap_or_default(),
            phone,
        }
    }
}

fn parse_id(kind: &str, id: &str) -> CapResult<u64> {
    id.trim()
        .parse()
        .map_err(|_| CapabilityError::InvalidInput(format!("invalid Halo {kind} id {id:?}")))
}

fn contains_ci(haystack: Option<&str>, needle: &str) -> bool {
    haystack.is_some_and(|h| h.to_lowercase().contains(needle))
}

#[async_trait]
impl TicketSystem for HaloPsa {
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket> {
        let ticket = self.ticket(tenant, id).await?;
        let statuses = self.statuses.get(&self.http, false).await?;
        Ok(self.to_ticket(tenant, ticket, &statuses))
    }

    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>> {
        let client = self.client_of(tenant)?;
        let limit = query.limit.map_or(usize::MAX, |l| l as usize);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let statuses = self.statuses.get(&self.http, false).await?;
        let email = query
            .requester_email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        let text = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let mut request = Request::get("/Tickets")
            .query("client_id", client)
            .query("order", "id")
            .query("orderdesc", true);
        if let Some(text) = text {
            request = request.query("search", text);
        }
        // Status and e-mail are filtered here, so ask for full pages then.
        let filtered = query.status.is_some() || email.is_some();
        let size = match query.limit {
            Some(l) if !filtered => l.min(self.config.page_size),
            _ => self.config.page_size,
        };
        let needle = text.map(str::to_lowercase);
        let found: Vec<HaloTicket> = self
            .pages::<HaloTicket>(request, "tickets", size)
            .try_filter(|t| {
                // Never trust a filter to have been applied: re-check every condition.
                let status = t
                    .status_id
                    .and_then(|id| statuses.iter().find(|s| s.id == id))
                    .and_then(|s| s.name.as_deref())
                    .map(|n| self.config.statuses.classify(n));
                let keep = t.client_id == Some(client)
                    && query.status.is_none_or(|want| status == Some(want))
                    && email.is_none_or(|e| {
                        t.user_email
                            .as_deref()
                            .is_some_and(|u| u.trim().eq_ignore_ascii_case(e))
                    })
                    && needle.as_deref().is_none_or(|n| {
                        contains_ci(t.summary.as_deref(), n) || contains_ci(t.details.as_deref(), n)
                    });
                future::ready(keep)
            })
            .take(limit)
            .try_collect()
            .await?;
        Ok(found
            .into_iter()
            .map(|t| self.to_ticket(tenant, t, &statuses))
            .collect())
    }

    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()> {
        let current = self.ticket(tenant, id).await?;
        let mut fields = Map::new();
        if let Some(status) = update.status {
            let name = self.config.statuses.name_of(status).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no Halo status configured for {status:?}"))
            })?;
            let sid = self.statuses.id_of(&self.http, name).await?;
            fields.insert("status_id".into(), json!(sid));
        }
        if let Some(priority) = update.priority {
            let pid = self.config.priorities.id_of(priority).ok_or_else(|| {
                CapabilityError::InvalidInput(format!(
                    "no Halo priority configured for {priority:?}"
                ))
            })?;
            fields.insert("priority_id".into(), json!(pid));
        }
        if let Some(board) = &update.board {
            let team = self.teams.id_of(&self.http, board).await?;
            fields.insert("team_id".into(), json!(team));
        }
        if let Some(category) = &update.category {
            fields.insert("category_1".into(), json!(category));
        }
        if fields.is_empty() {
            return Ok(());
        }
        fields.insert("id".into(), json!(current.id));
        // Halo creates and updates with POST; an update of an existing id sets the same
        // fields again when repeated, so it is safe to retry.
        let request = Request::post("/Tickets")
            .json(&[Value::Object(fields)])
            .idempotent(true);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()> {
        let ticket = self.ticket(tenant, id).await?;
        if note.text.trim().is_empty() {
            return Err(CapabilityError::InvalidInput("empty note".into()));
        }
        self.create_action(json!({
            "ticket_id": ticket.id,
            "note": note.text,
            "outcome": self.config.note_outcome,
            "hiddenfromuser": note.visibility == NoteVisibility::Internal,
            "who_agentid": self.config.agent_id,
        }))
        .await
    }

    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>> {
        let ticket = self.ticket(tenant, id).await?;
        Ok(self
            .actions(ticket.id)
            .await?
            .into_iter()
            .filter(|a| a.note.as_deref().is_some_and(|n| !n.trim().is_empty()))
            .map(|a| Note {
                visibility: if a.hiddenfromuser.unwrap_or(false) {
                    NoteVisibility::Internal
                } else {
                    NoteVisibility::Public
                },
                text: a.note.unwrap_or_default(),
                author: a
                    .who
                    .or_else(|| a.who_agentid.map(|id| format!("agent {id}")))
                    .unwrap_or_default(),
            })
            .collect())
    }

    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()> {
        let agent = match entry.actor {
            Actor::Agent => self.config.agent_id,
            Actor::Technician => self.config.technician_agent_id.ok_or_else(|| {
                CapabilityError::Unsupported(
                    "no technician agent id configured for Halo time entries".into(),
                )
            })?,
        };
        if entry.minutes == 0 {
            return Err(CapabilityError::InvalidInput(
                "a time entry needs at least one minute".into(),
            ));
        }
        let ticket = self.ticket(tenant, id).await?;
        self.create_action(json!({
            "ticket_id": ticket.id,
            "note": entry.notes,
            "outcome": self.config.time_outcome,
            "hiddenfromuser": true,
            "who_agentid": agent,
            "timetaken": f64::from(entry.minutes) / 60.0,
            "actisbillable": entry.billable,
        }))
        .await
    }

    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>> {
        let ticket = self.ticket(tenant, id).await?;
        let agent = i64::try_from(self.config.agent_id).ok();
        Ok(self
            .actions(ticket.id)
            .await?
            .into_iter()
            .filter(|a| a.timetaken.is_some_and(|h| h > 0.0))
            .map(|a| TimeEntry {
                actor: if a.who_agentid.is_some() && a.who_agentid == agent {
                    Actor::Agent
                } else {
                    Actor::Technician
                },
                minutes: (a.timetaken.unwrap_or_default() * 60.0).round() as u32,
                billable: a.actisbillable.unwrap_or(false),
                notes: a.note.unwrap_or_default(),
            })
            .collect())
    }

    async fn find_contact_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> CapResult<Option<Contact>> {
        let client = self.client_of(tenant)?;
        let email = email.trim();
        if email.is_empty() {
            return Err(CapabilityError::InvalidInput("empty e-mail address".into()));
        }
        let request = Request::get("/Users")
            .query("client_id", client)
            .query("search", email);
        let size = self.config.page_size.min(50);
        let mut matches = std::pin::pin!(
            self.pages::<HaloUser>(request, "users", size)
                .try_filter(|u| {
                    // The search matches names and other fields too: keep exact addresses only.
                    future::ready(
                        u.client_id == Some(client)
                            && u.emailaddress
                                .as_deref()
                                .is_some_and(|e| e.trim().eq_ignore_ascii_case(email)),
                    )
                })
        );
        Ok(matches
            .try_next()
            .await?
            .map(|u| Self::to_contact(tenant, u)))
    }

    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact> {
        let client = self.client_of(tenant)?;
        let num = parse_id("user", id.as_str())?;
        let user: HaloUser = self.call(Request::get(format!("/Users/{num}"))).await?;
        if user.id != num || user.client_id != Some(client) {
            return Err(CapabilityError::NotFound(format!(
                "contact {num} not found for tenant {tenant}"
            )));
        }
        Ok(Self::to_contact(tenant, user))
    }
}
