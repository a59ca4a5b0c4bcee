//! The [`TicketSystem`] implementation.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, Contact, ContactId, Note, NoteVisibility, TenantId, Ticket, TicketId, TimeEntry,
};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{Basic, HttpClient, Pagination, Request, paginate};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::conditions::Conditions;
use crate::config::{CompanyRef, ConnectWiseConfig, MAX_PAGE_SIZE};
use crate::model::{CwContact, CwNote, CwTicket, CwTimeEntry, Named, map_err};

/// `chargeToType` of time entries against service tickets.
const SERVICE_TICKET: &str = "ServiceTicket";
/// Fields fetched to check a ticket's company before working on it.
const CHECK_FIELDS: &str = "id,company,board";

/// ConnectWise PSA (Manage) REST API v3.0 as a [`TicketSystem`].
///
/// Cheap to share (`Arc`); the board / status / type / priority id cache is shared by all
/// calls.
pub struct ConnectWise {
    http: HttpClient,
    client_id: String,
    accept: String,
    config: ConnectWiseConfig,
    ids: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for ConnectWise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectWise")
            .field("base_url", &self.config.base_url)
            .field("company_id", &self.config.company_id)
            .field("tenants", &self.config.tenants.len())
            .finish_non_exhaustive()
    }
}

impl ConnectWise {
    /// A connector for `config`; fails on an invalid base URL.
    pub fn new(config: ConnectWiseConfig) -> CapResult<Self> {
        let user = format!("{}+{}", config.company_id, config.public_key);
        let mut builder = HttpClient::builder(config.base_url.clone())
            .auth(Basic::new(user, config.private_key.clone()))
            .retry(config.retry.clone())
            .timeout(config.timeout);
        if let Some(limit) = config.rate_limit {
            builder = builder.rate_limit(limit);
        }
        let http = builder.build().map_err(CapabilityError::from)?;
        Ok(Self {
            http,
            client_id: config.client_id.clone(),
            accept: format!(
                "application/vnd.connectwise.com+json; version={}",
                config.api_version
            ),
            config,
            ids: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ConnectWiseConfig {
        &self.config
    }

    fn company(&self, tenant: &TenantId) -> CapResult<&CompanyRef> {
        self.config
            .tenants
            .get(tenant)
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    /// The `company/...` condition of a tenant.
    fn company_conditions(company: &CompanyRef) -> Conditions {
        match (company.id, &company.identifier) {
            (Some(id), _) => Conditions::new().eq_num("company/id", id),
            (None, Some(ident)) => Conditions::new().eq_str("company/identifier", ident),
            (None, None) => Conditions::new().eq_num("company/id", 0),
        }
    }

    /// Add the `clientId` and versioned `Accept` headers every call carries.
    fn req(&self, request: Request) -> Request {
        request
            .header("clientId", self.client_id.as_str())
            .header("Accept", self.accept.as_str())
    }

    async fn call<T: DeserializeOwned>(&self, request: Request) -> CapResult<T> {
        self.http
            .send_json(&self.req(request))
            .await
            .map_err(map_err)
    }

    /// All items of a listing (at most `limit`), following the `Link: rel="next"` headers
    /// ConnectWise sends with `page`/`pageSize` requests.
    async fn list<T>(&self, request: Request, limit: Option<usize>) -> CapResult<Vec<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let size = limit
            .map(|l| u32::try_from(l).unwrap_or(MAX_PAGE_SIZE))
            .unwrap_or(self.config.page_size)
            .clamp(1, MAX_PAGE_SIZE);
        let request = self
            .req(request)
            .set_query("page", 1)
            .set_query("pageSize", size);
        paginate::<T>(&self.http, request, Pagination::link_header())
            .take(limit.unwrap_or(usize::MAX))
            .try_collect()
            .await
            .map_err(map_err)
    }

    /// The ticket, if it belongs to `tenant`'s company (else NotFound: a foreign ticket's
    /// existence is not revealed).
    async fn ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        fields: Option<&str>,
    ) -> CapResult<CwTicket> {
        let company = self.company(tenant)?;
        let num = parse_id("ticket", id.as_str())?;
        let mut request = Request::get(format!("/service/tickets/{num}"));
        if let Some(fields) = fields {
            request = request.query("fields", fields);
        }
        let ticket: CwTicket = self.call(request).await?;
        let owner = ticket.company.clone().unwrap_or_default();
        if ticket.id != num || !company.matches(owner.id, owner.identifier.as_deref()) {
            tracing::warn!(ticket = num, %tenant, "ticket of another company refused");
            return Err(CapabilityError::NotFound(format!(
                "ticket {num} not found for tenant {tenant}"
            )));
        }
        Ok(ticket)
    }

    fn to_ticket(&self, tenant: &TenantId, t: CwTicket) -> Ticket {
        let name = |r: &Option<crate::model::Ref>| r.as_ref().and_then(|r| r.name.clone());
        let category = match (name(&t.kind), name(&t.sub_type)) {
            (Some(ty), Some(sub)) => Some(format!("{ty} / {sub}")),
            (Some(ty), None) => Some(ty),
            (None, _) => None,
        };
        Ticket {
            id: TicketId::new(t.id.to_string()),
            tenant: tenant.clone(),
            requester: t
                .contact
                .as_ref()
                .and_then(|c| c.id)
                .map(|id| ContactId::new(id.to_string())),
            requester_email: t.contact_email_address.clone().unwrap_or_default(),
            subject: t.summary.clone().unwrap_or_default(),
            body: t.initial_description.clone().unwrap_or_default(),
            status: self
                .config
                .statuses
                .status_of(name(&t.status).as_deref().unwrap_or_default()),
            priority: self
                .config
                .priorities
                .priority_of(name(&t.priority).as_deref().unwrap_or_default()),
            board: name(&t.board).unwrap_or_default(),
            category,
            created_at: t
                .info
                .and_then(|i| i.date_entered)
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        }
    }

    /// The id of the object named `name` in the listing at `path`, cached by `key`.
    async fn resolve(&self, key: String, path: String, name: &str) -> CapResult<u64> {
        if let Some(id) = self.cached(&key) {
            return Ok(id);
        }
        let conditions = Conditions::new().eq_str("name", name);
        let found: Vec<Named> = self
            .call(Request::get(path.clone()).query("conditions", conditions))
            .await?;
        let hit = found
            .iter()
            .find(|n| {
                n.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .or(found.first())
            .ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no ConnectWise {path} named {name:?}"))
            })?;
        self.ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, hit.id);
        Ok(hit.id)
    }

    fn cached(&self, key: &str) -> Option<u64> {
        self.ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .copied()
    }

    async fn board_id(&self, name: &str) -> CapResult<u64> {
        let key = format!("board:{}", name.to_lowercase());
        self.resolve(key, "/service/boards".into(), name).await
    }

    /// Id of a status / type / subtype (`kind` = path segment) on a board.
    async fn board_item_id(&self, board: u64, kind: &str, name: &str) -> CapResult<u64> {
        let key = format!("{kind}:{board}:{}", name.to_lowercase());
        let path = format!("/service/boards/{board}/{kind}");
        self.resolve(key, path, name).await
    }

    async fn priority_id(&self, name: &str) -> CapResult<u64> {
        let key = format!("priority:{}", name.to_lowercase());
        self.resolve(key, "/service/priorities".into(), name).await
    }

    fn to_contact(tenant: &TenantId, c: &CwContact, email: Option<&str>) -> Contact {
        let name = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Contact {
            id: ContactId::new(c.id.to_string()),
            tenant: tenant.clone(),
            name,
            email: email
                .map(str::to_string)
                .or_else(|| c.items("Email").first().map(|s| s.to_string()))
                .unwrap_or_default(),
            phone: c.items("Phone").first().map(|s| s.to_string()),
        }
    }

    fn owns_contact(company: &CompanyRef, c: &CwContact) -> bool {
        let owner = c.company.clone().unwrap_or_default();
        company.matches(owner.id, owner.identifier.as_deref())
    }
}

fn parse_id(kind: &str, id: &str) -> CapResult<u64> {
    id.trim()
        .parse::<u64>()
        .map_err(|_| CapabilityError::InvalidInput(format!("invalid ConnectWise {kind} id {id:?}")))
}

fn replace(path: &str, id: u64) -> Value {
    json!({"op": "replace", "path": path, "value": {"id": id}})
}

fn cw_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[async_trait]
impl TicketSystem for ConnectWise {
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket> {
        let t = self.ticket(tenant, id, None).await?;
        Ok(self.to_ticket(tenant, t))
    }

    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>> {
        let company = self.company(tenant)?;
        let mut conditions = Self::company_conditions(company);
        if let Some(status) = query.status {
            let names = self.config.statuses.names_of(status);
            if names.is_empty() {
                return Ok(Vec::new());
            }
            conditions = conditions.in_str("status/name", &names);
        }
        if let Some(email) = query.requester_email.as_deref().filter(|e| !e.is_empty()) {
            conditions = conditions.eq_str("contactEmailAddress", email);
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            conditions = conditions.contains("summary", text);
        }
        if query.limit == Some(0) {
            return Ok(Vec::new());
        }
        let request = Request::get("/service/tickets")
            .query("conditions", conditions)
            .query("orderBy", "id desc");
        let limit = query.limit.map(|l| l as usize);
        let tickets: Vec<CwTicket> = self.list(request, limit).await?;
        Ok(tickets
            .into_iter()
            .filter(|t| {
                let owner = t.company.clone().unwrap_or_default();
                company.matches(owner.id, owner.identifier.as_deref())
            })
            .map(|t| self.to_ticket(tenant, t))
            .collect())
    }

    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()> {
        let current = self.ticket(tenant, id, Some(CHECK_FIELDS)).await?;
        let mut ops = Vec::new();
        let mut board = current.board.as_ref().and_then(|b| b.id);
        if let Some(name) = &update.board {
            let bid = self.board_id(name).await?;
            ops.push(replace("board", bid));
            board = Some(bid);
        }
        let on_board = || {
            board.ok_or_else(|| {
                CapabilityError::Permanent(format!("ticket {} has no board", current.id))
            })
        };
        if let Some(status) = update.status {
            let name = self.config.statuses.name_for(status).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no ConnectWise status for {status:?}"))
            })?;
            let sid = self.board_item_id(on_board()?, "statuses", name).await?;
            ops.push(replace("status", sid));
        }
        if let Some(priority) = update.priority {
            let name = self.config.priorities.name_for(priority).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no ConnectWise priority for {priority:?}"))
            })?;
            ops.push(replace("priority", self.priority_id(name).await?));
        }
        if let Some(category) = &update.category {
            let (ty, sub) = match category.split_once(" / ") {
                Some((ty, sub)) => (ty.trim(), Some(sub.trim())),
                None => (category.trim(), None),
            };
            ops.push(replace(
                "type",
                self.board_item_id(on_board()?, "types", ty).await?,
            ));
            if let Some(sub) = sub {
                ops.push(replace(
                    "subType",
                    self.board_item_id(on_board()?, "subtypes", sub).await?,
                ));
            }
        }
        if ops.is_empty() {
            return Ok(());
        }
        // JSON Patch `replace` operations are idempotent: safe to retry.
        let request = Request::patch(format!("/service/tickets/{}", current.id))
            .json(&ops)
            .idempotent(true);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()> {
        let ticket = self.ticket(tenant, id, Some(CHECK_FIELDS)).await?;
        let internal = note.visibility == NoteVisibility::Internal;
        let body = json!({
            "text": note.text,
            "detailDescriptionFlag": !internal,
            "internalAnalysisFlag": internal,
            "resolutionFlag": false,
        });
        let request = Request::post(format!("/service/tickets/{}/notes", ticket.id)).json(&body);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>> {
        let ticket = self.ticket(tenant, id, Some(CHECK_FIELDS)).await?;
        let request = Request::get(format!("/service/tickets/{}/notes", ticket.id))
            .query("orderBy", "id asc");
        let notes: Vec<CwNote> = self.list(request, None).await?;
        Ok(notes
            .into_iter()
            .map(|n| Note {
                visibility: if n.internal_analysis_flag.unwrap_or(false) {
                    NoteVisibility::Internal
                } else {
                    NoteVisibility::Public
                },
                text: n.text.unwrap_or_default(),
                author: n
                    .member
                    .and_then(|m| m.name.or(m.identifier))
                    .or_else(|| n.contact.and_then(|c| c.name))
                    .or(n.created_by)
                    .unwrap_or_default(),
            })
            .collect())
    }

    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()> {
        let member = match entry.actor {
            Actor::Agent => self.config.agent_member.as_str(),
            Actor::Technician => self.config.technician_member.as_deref().ok_or_else(|| {
                CapabilityError::Unsupported(
                    "no technician member configured for ConnectWise time entries".into(),
                )
            })?,
        };
        if entry.minutes == 0 {
            return Err(CapabilityError::InvalidInput(
                "a time entry needs at least one minute".into(),
            ));
        }
        let ticket = self.ticket(tenant, id, Some(CHECK_FIELDS)).await?;
        let end = Utc::now().trunc_subsecs(0);
        let start = end - TimeDelta::minutes(i64::from(entry.minutes));
        let body = json!({
            "chargeToId": ticket.id,
            "chargeToType": SERVICE_TICKET,
            "member": {"identifier": member},
            "timeStart": cw_time(start),
            "timeEnd": cw_time(end),
            "billableOption": if entry.billable { "Billable" } else { "DoNotBill" },
            "notes": entry.notes,
        });
        let _: Value = self
            .call(Request::post("/time/entries").json(&body))
            .await?;
        Ok(())
    }

    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>> {
        let ticket = self.ticket(tenant, id, Some(CHECK_FIELDS)).await?;
        let conditions = Conditions::new()
            .eq_str("chargeToType", SERVICE_TICKET)
            .eq_num("chargeToId", ticket.id);
        let request = Request::get("/time/entries")
            .query("conditions", conditions)
            .query("orderBy", "timeStart asc");
        let entries: Vec<CwTimeEntry> = self.list(request, None).await?;
        let agent = &self.config.agent_member;
        Ok(entries
            .into_iter()
            .map(|e| {
                let is_agent = e
                    .member
                    .as_ref()
                    .and_then(|m| m.identifier.as_deref())
                    .is_some_and(|m| m.eq_ignore_ascii_case(agent));
                let minutes = match (e.actual_hours, e.time_start, e.time_end) {
                    (Some(h), _, _) => (h * 60.0).round().max(0.0) as u32,
                    (None, Some(s), Some(end)) => {
                        u32::try_from((end - s).num_minutes()).unwrap_or(0)
                    }
                    _ => 0,
                };
                TimeEntry {
                    actor: if is_agent {
                        Actor::Agent
                    } else {
                        Actor::Technician
                    },
                    minutes,
                    billable: e
                        .billable_option
                        .as_deref()
                        .is_some_and(|b| b.eq_ignore_ascii_case("Billable")),
                    notes: e.notes.unwrap_or_default(),
                }
            })
            .collect())
    }

    async fn find_contact_by_email(
        &self,
        tenant: &TenantId,
        email: &str,
    ) -> CapResult<Option<Contact>> {
        let company = self.company(tenant)?;
        let email = email.trim();
        if email.is_empty() {
            return Err(CapabilityError::InvalidInput("empty e-mail address".into()));
        }
        let conditions = Self::company_conditions(company).eq_bool("inactiveFlag", false);
        let child = Conditions::new()
            .eq_str("communicationItems/value", email)
            .eq_str("communicationItems/communicationType", "Email");
        let request = Request::get("/company/contacts")
            .query("conditions", conditions)
            .query("childConditions", child.join("AND"))
            .query("orderBy", "id asc");
        let contacts: Vec<CwContact> = self.list(request, Some(10)).await?;
        // Re-check company and address: never trust a filter to have been applied.
        Ok(contacts
            .iter()
            .filter(|c| Self::owns_contact(company, c))
            .find_map(|c| {
                c.items("Email")
                    .into_iter()
                    .find(|e| e.eq_ignore_ascii_case(email))
                    .map(|e| Self::to_contact(tenant, c, Some(e)))
            }))
    }

    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact> {
        let company = self.company(tenant)?;
        let num = parse_id("contact", id.as_str())?;
        let contact: CwContact = self
            .call(Request::get(format!("/company/contacts/{num}")))
            .await?;
        if contact.id != num || !Self::owns_contact(company, &contact) {
            return Err(CapabilityError::NotFound(format!(
                "contact {num} not found for tenant {tenant}"
            )));
        }
        Ok(Self::to_contact(tenant, &contact, None))
    }
}
