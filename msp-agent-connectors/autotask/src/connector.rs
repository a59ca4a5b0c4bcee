//! The [`TicketSystem`] implementation.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, SubsecRound, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, Contact, ContactId, Note, NoteVisibility, TenantId, Ticket, TicketId, TimeEntry,
};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{Auth, HttpClient, Pagination, Request, StaticHeaders, paginate};
use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};

use crate::config::AutotaskConfig;
use crate::filter::Filter;
use crate::model::{
    AtContact, AtNote, AtTicket, AtTimeEntry, FieldsInfo, One, Picklists, ZoneInformation, map_err,
};

/// Longest ticket note title Autotask accepts.
const MAX_TITLE_CHARS: usize = 250;
/// Contact ids per `in` filter: the filter travels in the query string, kept short.
const IDS_PER_QUERY: usize = 50;

/// The database's API usage, from `GET /v1.0/ThresholdInformation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdInformation {
    /// Requests allowed per timeframe (10,000 by default).
    pub external_request_threshold: u64,
    /// The timeframe, in minutes (60).
    pub request_threshold_timeframe: u64,
    /// Requests counted in the current timeframe.
    pub current_timeframe_request_count: u64,
}

/// Autotask PSA REST API v1.0 as a [`TicketSystem`].
///
/// Cheap to share (`Arc`): the zone URL and the `Tickets` picklists are looked up once,
/// on first use, and cached for the connector's life.
pub struct Autotask {
    config: AutotaskConfig,
    auth: Arc<dyn Auth>,
    discovery: HttpClient,
    zone: OnceCell<HttpClient>,
    picklists: OnceCell<Picklists>,
    slots: Semaphore,
}

impl std::fmt::Debug for Autotask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Autotask")
            .field("username", &self.config.username)
            .field("zone", &self.zone.get().map(|c| c.base_url().as_str()))
            .field("tenants", &self.config.tenants.len())
            .finish_non_exhaustive()
    }
}

impl Autotask {
    /// A connector for `config`; fails on an invalid discovery URL or header value.
    /// Sends nothing: the zone is discovered on the first call.
    pub fn new(config: AutotaskConfig) -> CapResult<Self> {
        let headers: [(&str, SecretString); 3] = [
            (
                "ApiIntegrationcode",
                SecretString::from(config.integration_code.clone()),
            ),
            ("UserName", SecretString::from(config.username.clone())),
            ("Secret", config.secret.clone()),
        ];
        let auth: Arc<dyn Auth> = Arc::new(StaticHeaders::new(headers)?);
        let discovery = HttpClient::builder(config.discovery_url.clone())
            .auth_arc(auth.clone())
            .retry(config.retry.clone())
            .timeout(config.timeout)
            .build()?;
        Ok(Self {
            slots: Semaphore::new(config.max_concurrency.max(1)),
            config,
            auth,
            discovery,
            zone: OnceCell::new(),
            picklists: OnceCell::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &AutotaskConfig {
        &self.config
    }

    /// The REST base of the user's zone (`{zone url}/v1.0`), discovering it if needed.
    pub async fn zone_base_url(&self) -> CapResult<String> {
        Ok(self.zone().await?.base_url().to_string())
    }

    /// The database's current API usage against its hourly threshold.
    pub async fn threshold_information(&self) -> CapResult<ThresholdInformation> {
        self.call(Request::get("/ThresholdInformation")).await
    }

    async fn zone(&self) -> CapResult<&HttpClient> {
        self.zone
            .get_or_try_init(|| async {
                let url = match &self.config.zone_url {
                    Some(url) => url.clone(),
                    None => self.discover().await?,
                };
                let mut builder =
                    HttpClient::builder(format!("{}/v1.0", url.trim_end_matches('/')))
                        .auth_arc(self.auth.clone())
                        .retry(self.config.retry.clone())
                        .timeout(self.config.timeout);
                if let Some(limit) = self.config.rate_limit {
                    builder = builder.rate_limit(limit);
                }
                builder.build().map_err(CapabilityError::from)
            })
            .await
    }

    /// `GET {discovery}/v1.0/zoneInformation?user={username}` → the zone's `url`.
    async fn discover(&self) -> CapResult<String> {
        let request =
            with_json(Request::get("/v1.0/zoneInformation").query("user", &self.config.username));
        let zone: ZoneInformation = self.discovery.send_json(&request).await.map_err(map_err)?;
        let url = zone.url.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            CapabilityError::Permanent(format!(
                "Autotask zone discovery returned no URL for {}",
                self.config.username
            ))
        })?;
        tracing::debug!(%url, "Autotask zone discovered");
        Ok(url)
    }

    async fn slot(&self) -> CapResult<SemaphorePermit<'_>> {
        self.slots
            .acquire()
            .await
            .map_err(|_| CapabilityError::Permanent("connector shut down".into()))
    }

    async fn call<T: DeserializeOwned>(&self, request: Request) -> CapResult<T> {
        let http = self.zone().await?;
        let _slot = self.slot().await?;
        http.send_json(&with_json(request)).await.map_err(map_err)
    }

    /// Every record of `entity` matching `filter` (at most `limit`), via
    /// `GET /{entity}/query?search={json}` and `pageDetails.nextPageUrl`.
    async fn query<T>(
        &self,
        entity: &str,
        filter: &Filter,
        limit: Option<usize>,
    ) -> CapResult<Vec<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let http = self.zone().await?;
        let _slot = self.slot().await?;
        let page = self.config.page_size;
        let size = limit.map_or(page, |l| u32::try_from(l).unwrap_or(page).clamp(1, page));
        let request = with_json(
            Request::get(format!("/{entity}/query"))
                .query("search", filter.query(size).to_string()),
        );
        let pages = Pagination::next_url_at("/pageDetails/nextPageUrl").items_at("/items");
        paginate::<T>(http, request, pages)
            .take(limit.unwrap_or(usize::MAX))
            .try_collect()
            .await
            .map_err(map_err)
    }

    async fn picklists(&self) -> CapResult<&Picklists> {
        self.picklists
            .get_or_try_init(|| async {
                let info: FieldsInfo = self
                    .call(Request::get("/Tickets/entityInformation/fields"))
                    .await?;
                Ok(Picklists::from_fields(info))
            })
            .await
    }

    fn company(&self, tenant: &TenantId) -> CapResult<i64> {
        self.config
            .tenants
            .get(tenant)
            .copied()
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    /// The ticket, if it belongs to `tenant`'s company (else NotFound: a foreign ticket's
    /// existence is not revealed).
    async fn ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<AtTicket> {
        let company = self.company(tenant)?;
        let num = parse_id("ticket", id.as_str())?;
        let found: One<AtTicket> = self.call(Request::get(format!("/Tickets/{num}"))).await?;
        match found.item {
            Some(t) if t.id == num && t.company_id == Some(company) => Ok(t),
            other => {
                if other.is_some() {
                    tracing::warn!(ticket = num, %tenant, "ticket of another company refused");
                }
                Err(CapabilityError::NotFound(format!(
                    "ticket {num} not found for tenant {tenant}"
                )))
            }
        }
    }

    /// Tickets in domain form: picklist labels resolved, requester e-mails looked up with
    /// one contacts query per [`IDS_PER_QUERY`] distinct contacts.
    async fn to_tickets(
        &self,
        tenant: &TenantId,
        company: i64,
        tickets: Vec<AtTicket>,
    ) -> CapResult<Vec<Ticket>> {
        let lists = self.picklists().await?;
        let ids: Vec<i64> = tickets
            .iter()
            .filter_map(|t| t.contact_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut emails = HashMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let filter = Filter::new()
                .eq("companyID", company)
                .any_of("id", chunk.iter().copied());
            let contacts: Vec<AtContact> = self.query("Contacts", &filter, None).await?;
            for c in contacts
                .into_iter()
                .filter(|c| c.company_id == Some(company))
            {
                if let Some(e) = c.emails().next() {
                    emails.insert(c.id, e.to_string());
                }
            }
        }
        let cfg = &self.config;
        Ok(tickets
            .into_iter()
            .map(|t| {
                let category = match (
                    lists.label("issueType", t.issue_type),
                    lists.label("subIssueType", t.sub_issue_type),
                ) {
                    (Some(i), Some(s)) => Some(format!("{i} / {s}")),
                    (Some(i), None) => Some(i.to_string()),
                    (None, _) => None,
                };
                Ticket {
                    id: TicketId::new(t.id.to_string()),
                    tenant: tenant.clone(),
                    requester: t.contact_id.map(|c| ContactId::new(c.to_string())),
                    requester_email: t
                        .contact_id
                        .and_then(|c| emails.get(&c).cloned())
                        .unwrap_or_default(),
                    subject: t.title.unwrap_or_default(),
                    body: t.description.unwrap_or_default(),
                    status: cfg
                        .statuses
                        .status_of(lists.label("status", t.status).unwrap_or_default()),
                    priority: cfg
                        .priorities
                        .priority_of(lists.label("priority", t.priority).unwrap_or_default()),
                    board: lists
                        .label("queueID", t.queue_id)
                        .unwrap_or_default()
                        .to_string(),
                    category,
                    created_at: t.create_date.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
                }
            })
            .collect())
    }

    /// The picklist value labelled `label` in the `Tickets` field `field`.
    fn pick(lists: &Picklists, field: &str, label: &str, parent: Option<i64>) -> CapResult<i64> {
        lists.value(field, label, parent).ok_or_else(|| {
            CapabilityError::InvalidInput(format!("no Autotask {field} labelled {label:?}"))
        })
    }

    /// Active contacts of `company` with `email` as any of their three addresses.
    async fn contacts_by_email(&self, company: i64, email: &str) -> CapResult<Vec<AtContact>> {
        let filter = Filter::new().eq("companyID", company).or(Filter::new()
            .eq("emailAddress", email)
            .eq("emailAddress2", email)
            .eq("emailAddress3", email));
        let found: Vec<AtContact> = self.query("Contacts", &filter, Some(10)).await?;
        // Re-check company and address: never trust a filter to have been applied.
        Ok(found
            .into_iter()
            .filter(|c| c.company_id == Some(company) && c.active())
            .filter(|c| c.emails().any(|e| e.eq_ignore_ascii_case(email)))
            .collect())
    }

    fn to_contact(tenant: &TenantId, c: &AtContact, email: Option<&str>) -> Contact {
        let part = |p: &Option<String>| p.as_deref().unwrap_or_default().trim().to_string();
        let name = format!("{} {}", part(&c.first_name), part(&c.last_name))
            .trim()
            .to_string();
        Contact {
            id: ContactId::new(c.id.to_string()),
            tenant: tenant.clone(),
            name,
            email: email.or(c.emails().next()).unwrap_or_default().to_string(),
            phone: [&c.phone, &c.mobile_phone]
                .into_iter()
                .flatten()
                .find(|p| !p.trim().is_empty())
                .cloned(),
        }
    }
}

/// Every Autotask request carries `Content-Type: application/json`.
fn with_json(request: Request) -> Request {
    request.header("Content-Type", "application/json")
}

fn parse_id(kind: &str, id: &str) -> CapResult<i64> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CapabilityError::InvalidInput(format!("invalid Autotask {kind} id {id:?}")))
}

fn at_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A note title: the first non-empty line of the text, cut to 250 characters.
fn note_title(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    line.unwrap_or_default()
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect()
}

#[async_trait]
impl TicketSystem for Autotask {
    async fn get_ticket(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Ticket> {
        let t = self.ticket(tenant, id).await?;
        let company = self.company(tenant)?;
        let mut out = self.to_tickets(tenant, company, vec![t]).await?;
        out.pop()
            .ok_or_else(|| CapabilityError::NotFound(format!("ticket {id}")))
    }

    async fn search_tickets(
        &self,
        tenant: &TenantId,
        query: &TicketQuery,
    ) -> CapResult<Vec<Ticket>> {
        let company = self.company(tenant)?;
        if query.limit == Some(0) {
            return Ok(Vec::new());
        }
        let mut filter = Filter::new().eq("companyID", company);
        if let Some(status) = query.status {
            let lists = self.picklists().await?;
            let values: Vec<i64> = lists
                .choices("status")
                .iter()
                .filter(|c| self.config.statuses.status_of(&c.label) == status)
                .map(|c| c.value)
                .collect();
            if values.is_empty() {
                return Ok(Vec::new());
            }
            filter = filter.any_of("status", values);
        }
        if let Some(email) = query.requester_email.as_deref().map(str::trim) {
            if !email.is_empty() {
                let ids: Vec<i64> = self
                    .contacts_by_email(company, email)
                    .await?
                    .iter()
                    .map(|c| c.id)
                    .collect();
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                filter = filter.any_of("contactID", ids);
            }
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.trim().is_empty()) {
            filter = filter.or(Filter::new()
                .contains("title", text)
                .contains("description", text));
        }
        // The REST API has no ordering: fetch every match, newest first, then cut.
        let mut tickets: Vec<AtTicket> = self.query("Tickets", &filter, None).await?;
        tickets.retain(|t| t.company_id == Some(company));
        tickets.sort_by_key(|t| std::cmp::Reverse((t.create_date, t.id)));
        if let Some(limit) = query.limit {
            tickets.truncate(limit as usize);
        }
        self.to_tickets(tenant, company, tickets).await
    }

    async fn update_ticket(
        &self,
        tenant: &TenantId,
        id: &TicketId,
        update: &TicketUpdate,
    ) -> CapResult<()> {
        let current = self.ticket(tenant, id).await?;
        let nothing = update.status.is_none()
            && update.priority.is_none()
            && update.board.is_none()
            && update.category.is_none();
        if nothing {
            return Ok(());
        }
        let lists = self.picklists().await?;
        let mut body = Map::new();
        body.insert("id".into(), current.id.into());
        if let Some(status) = update.status {
            let label = self.config.statuses.label_for(status).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no Autotask status for {status:?}"))
            })?;
            body.insert(
                "status".into(),
                Self::pick(lists, "status", label, None)?.into(),
            );
        }
        if let Some(priority) = update.priority {
            let label = self.config.priorities.label_for(priority).ok_or_else(|| {
                CapabilityError::InvalidInput(format!("no Autotask priority for {priority:?}"))
            })?;
            body.insert(
                "priority".into(),
                Self::pick(lists, "priority", label, None)?.into(),
            );
        }
        if let Some(queue) = &update.board {
            body.insert(
                "queueID".into(),
                Self::pick(lists, "queueID", queue, None)?.into(),
            );
        }
        if let Some(category) = &update.category {
            let (issue, sub) = match category.split_once(" / ") {
                Some((i, s)) => (i.trim(), Some(s.trim())),
                None => (category.trim(), None),
            };
            let issue = Self::pick(lists, "issueType", issue, None)?;
            body.insert("issueType".into(), issue.into());
            let sub = match sub {
                Some(s) => Value::from(Self::pick(lists, "subIssueType", s, Some(issue))?),
                None => Value::Null,
            };
            body.insert("subIssueType".into(), sub);
        }
        // Setting fields to absolute values is idempotent: safe to retry.
        let request = Request::patch("/Tickets").json(&body).idempotent(true);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn add_note(&self, tenant: &TenantId, id: &TicketId, note: &Note) -> CapResult<()> {
        if note.text.trim().is_empty() {
            return Err(CapabilityError::InvalidInput("empty note".into()));
        }
        let ticket = self.ticket(tenant, id).await?;
        let publish = match note.visibility {
            NoteVisibility::Internal => self.config.publish_internal,
            NoteVisibility::Public => self.config.publish_public,
        };
        let body = json!({
            "ticketID": ticket.id,
            "title": note_title(&note.text),
            "description": note.text,
            "noteType": self.config.note_type,
            "publish": publish,
        });
        let request = Request::post(format!("/Tickets/{}/Notes", ticket.id)).json(&body);
        let _: Value = self.call(request).await?;
        Ok(())
    }

    async fn list_notes(&self, tenant: &TenantId, id: &TicketId) -> CapResult<Vec<Note>> {
        let ticket = self.ticket(tenant, id).await?;
        let filter = Filter::new().eq("ticketID", ticket.id);
        let mut notes: Vec<AtNote> = self.query("TicketNotes", &filter, None).await?;
        notes.sort_by_key(|n| (n.create_date_time, n.id));
        let internal = self.config.publish_internal;
        Ok(notes
            .into_iter()
            .map(|n| Note {
                visibility: if n.publish == Some(internal) {
                    NoteVisibility::Internal
                } else {
                    NoteVisibility::Public
                },
                text: n
                    .description
                    .filter(|d| !d.is_empty())
                    .or(n.title)
                    .unwrap_or_default(),
                author: match (n.creator_resource_id, n.created_by_contact_id) {
                    (Some(r), _) => format!("resource {r}"),
                    (None, Some(c)) => format!("contact {c}"),
                    (None, None) => String::new(),
                },
            })
            .collect())
    }

    async fn log_time(&self, tenant: &TenantId, id: &TicketId, entry: &TimeEntry) -> CapResult<()> {
        let resource = match entry.actor {
            Actor::Agent => self.config.agent_resource_id,
            Actor::Technician => self.config.technician_resource_id.ok_or_else(|| {
                CapabilityError::Unsupported(
                    "no technician resource configured for Autotask time entries".into(),
                )
            })?,
        };
        if entry.minutes == 0 {
            return Err(CapabilityError::InvalidInput(
                "a time entry needs at least one minute".into(),
            ));
        }
        let ticket = self.ticket(tenant, id).await?;
        let end = Utc::now().trunc_subsecs(0);
        let start = end - TimeDelta::minutes(i64::from(entry.minutes));
        // Rounded down, so `hoursWorked` never exceeds the start–end span.
        let hours = (f64::from(entry.minutes) / 60.0 * 10_000.0).floor() / 10_000.0;
        let mut body = json!({
            "ticketID": ticket.id,
            "resourceID": resource,
            "dateWorked": format!("{}T00:00:00Z", start.format("%Y-%m-%d")),
            "startDateTime": at_time(start),
            "endDateTime": at_time(end),
            "hoursWorked": hours,
            "summaryNotes": entry.notes,
            "isNonBillable": !entry.billable,
        });
        if let Some(role) = self.config.time_entry_role_id {
            body["roleID"] = role.into();
        }
        let _: Value = self.call(Request::post("/TimeEntries").json(&body)).await?;
        Ok(())
    }

    async fn list_time_entries(
        &self,
        tenant: &TenantId,
        id: &TicketId,
    ) -> CapResult<Vec<TimeEntry>> {
        let ticket = self.ticket(tenant, id).await?;
        let filter = Filter::new().eq("ticketID", ticket.id);
        let mut entries: Vec<AtTimeEntry> = self.query("TimeEntries", &filter, None).await?;
        entries.sort_by_key(|e| e.start);
        let agent = self.config.agent_resource_id;
        Ok(entries
            .into_iter()
            .map(|e| TimeEntry {
                actor: if e.resource_id == Some(agent) {
                    Actor::Agent
                } else {
                    Actor::Technician
                },
                minutes: e.minutes(),
                billable: !e.is_non_billable.unwrap_or(false),
                notes: e.summary_notes.unwrap_or_default(),
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
        let found = self.contacts_by_email(company, email).await?;
        Ok(found.first().map(|c| {
            let hit = c.emails().find(|e| e.eq_ignore_ascii_case(email));
            Self::to_contact(tenant, c, hit)
        }))
    }

    async fn get_contact(&self, tenant: &TenantId, id: &ContactId) -> CapResult<Contact> {
        let company = self.company(tenant)?;
        let num = parse_id("contact", id.as_str())?;
        let found: One<AtContact> = self.call(Request::get(format!("/Contacts/{num}"))).await?;
        match found.item {
            Some(c) if c.id == num && c.company_id == Some(company) => {
                Ok(Self::to_contact(tenant, &c, None))
            }
            _ => Err(CapabilityError::NotFound(format!(
                "contact {num} not found for tenant {tenant}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_ids() {
        assert_eq!(note_title("\n  First line \nsecond"), "First line");
        assert_eq!(
            note_title(&"x".repeat(300)).chars().count(),
            MAX_TITLE_CHARS
        );
        assert_eq!(parse_id("ticket", " 42 ").ok(), Some(42));
        assert!(parse_id("ticket", "T20261125.0001").is_err());
        assert!(parse_id("ticket", "0").is_err());
    }
}
