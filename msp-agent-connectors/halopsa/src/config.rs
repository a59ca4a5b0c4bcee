//! Connector configuration: instance, OAuth2 application, tenant → client mapping, names.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::{Priority, TenantId, TicketStatus};
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// Largest page the connector asks for (`page_size`).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Scope requested by default: the `all` scope of a Halo API application.
pub const DEFAULT_SCOPE: &str = "all";

/// How Halo status names read as [`TicketStatus`], and which status each one is written as.
///
/// Halo statuses are free-text records (`GET /api/Status`); the connector resolves names to
/// ids at run time and caches them. Reading an unlisted name falls back to keywords:
/// `closed`, `resolved`, `cancel`, `complete` → Closed; `with user`, `with supplier`,
/// `wait`, `hold`, `pending` → Waiting; `escalat`, `action required` → Escalated; a name
/// starting with `new` → New; anything else → InProgress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusNames {
    written: HashMap<TicketStatus, String>,
    aliases: Vec<(String, TicketStatus)>,
}

impl Default for StatusNames {
    /// Halo's stock statuses (`New`, `In Progress`, `With User`, `Closed`) plus
    /// `Escalated`, which an instance must define (or remap) before escalating.
    fn default() -> Self {
        let mut names = Self {
            written: HashMap::new(),
            aliases: Vec::new(),
        };
        for (status, name) in [
            (TicketStatus::New, "New"),
            (TicketStatus::InProgress, "In Progress"),
            (TicketStatus::Waiting, "With User"),
            (TicketStatus::Escalated, "Escalated"),
            (TicketStatus::Closed, "Closed"),
        ] {
            names = names.write_as(status, name);
        }
        names
            .read_as("With Supplier", TicketStatus::Waiting)
            .read_as("Action Required", TicketStatus::Escalated)
            .read_as("Updated", TicketStatus::InProgress)
            .read_as("Resolved", TicketStatus::Closed)
    }
}

impl StatusNames {
    /// Write `status` as the Halo status `name` (and read `name` back as `status`).
    pub fn write_as(mut self, status: TicketStatus, name: impl Into<String>) -> Self {
        let name = name.into();
        self.written.insert(status, name.clone());
        self.read_as(name, status)
    }

    /// Read the Halo status `name` as `status`.
    pub fn read_as(mut self, name: impl Into<String>, status: TicketStatus) -> Self {
        let name = name.into();
        self.aliases.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.aliases.push((name, status));
        self
    }

    /// The [`TicketStatus`] a Halo status name stands for.
    pub fn classify(&self, name: &str) -> TicketStatus {
        let name = name.trim();
        if let Some(&(_, status)) = self
            .aliases
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
        {
            return status;
        }
        let lower = name.to_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        match () {
            () if any(&["closed", "resolved", "cancel", "complete"]) => TicketStatus::Closed,
            () if any(&["with user", "with supplier", "wait", "hold", "pending"]) => {
                TicketStatus::Waiting
            }
            () if any(&["escalat", "action required"]) => TicketStatus::Escalated,
            () if lower.starts_with("new") => TicketStatus::New,
            () => TicketStatus::InProgress,
        }
    }

    /// The Halo status name `status` is written as.
    pub fn name_of(&self, status: TicketStatus) -> Option<&str> {
        self.written.get(&status).map(String::as_str)
    }
}

/// Halo priority ids (`priority_id`) of each [`Priority`].
///
/// The stock Halo priorities are 1 (critical) to 4 (low); an id not listed reads as
/// [`Priority::Medium`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityIds {
    ids: HashMap<Priority, u64>,
}

impl Default for PriorityIds {
    fn default() -> Self {
        Self {
            ids: HashMap::from([
                (Priority::Critical, 1),
                (Priority::High, 2),
                (Priority::Medium, 3),
                (Priority::Low, 4),
            ]),
        }
    }
}

impl PriorityIds {
    /// Use the Halo priority `id` for `priority`.
    pub fn set(mut self, priority: Priority, id: u64) -> Self {
        self.ids.insert(priority, id);
        self
    }

    /// The `priority_id` written for `priority`.
    pub fn id_of(&self, priority: Priority) -> Option<u64> {
        self.ids.get(&priority).copied()
    }

    /// The [`Priority`] of a Halo `priority_id`.
    pub fn priority_of(&self, id: u64) -> Priority {
        self.ids
            .iter()
            .find(|(_, v)| **v == id)
            .map_or(Priority::Medium, |(p, _)| *p)
    }
}

/// Everything the connector needs; build with [`HaloConfig::new`] and the setters.
#[derive(Debug, Clone)]
pub struct HaloConfig {
    /// The instance, e.g. `https://mymsp.halopsa.com` (resource server: `{instance}/api`).
    pub instance_url: String,
    /// The authorisation server (default `{instance}/auth`); token URL `{auth}/token`.
    pub auth_url: Option<String>,
    /// `?tenant=` of the token request (Halo-hosted instances).
    pub hosted_tenant: Option<String>,
    /// Client ID of the API application (Configuration → Integrations → Halo API).
    pub client_id: String,
    /// Client secret of the API application.
    pub client_secret: SecretString,
    /// OAuth2 scope (default [`DEFAULT_SCOPE`]).
    pub scope: String,
    /// Halo agent id of the agent: actions are written under it, and actions of this agent
    /// read back as [`Actor::Agent`](msp_agent_core::domain::Actor::Agent).
    pub agent_id: u64,
    /// Agent id technician time is logged under, if the agent may log it at all.
    pub technician_agent_id: Option<u64>,
    /// Outcome of note actions (default `Note`).
    pub note_outcome: String,
    /// Outcome of time actions (default `Time Entry`).
    pub time_outcome: String,
    /// Tenant → Halo `client_id`. Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, u64>,
    /// Status names.
    pub statuses: StatusNames,
    /// Priority ids.
    pub priorities: PriorityIds,
    /// Page size of listings (1..=[`MAX_PAGE_SIZE`]).
    pub page_size: u32,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl HaloConfig {
    /// A configuration with defaults: scope `all`, stock statuses and priorities, page size
    /// 100, default retries, [`default_rate_limit`], 30 s timeout, no tenants.
    pub fn new(
        instance_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
        agent_id: u64,
    ) -> Self {
        Self {
            instance_url: instance_url.into().trim_end_matches('/').to_string(),
            auth_url: None,
            hosted_tenant: None,
            client_id: client_id.into(),
            client_secret,
            scope: DEFAULT_SCOPE.into(),
            agent_id,
            technician_agent_id: None,
            note_outcome: "Note".into(),
            time_outcome: "Time Entry".into(),
            tenants: HashMap::new(),
            statuses: StatusNames::default(),
            priorities: PriorityIds::default(),
            page_size: 100,
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            timeout: Duration::from_secs(30),
        }
    }

    /// `https://{instance}.halopsa.com`.
    pub fn hosted_url(instance: &str) -> String {
        format!("https://{instance}.halopsa.com")
    }

    /// The resource server: `{instance}/api`.
    pub fn resource_url(&self) -> String {
        format!("{}/api", self.instance_url)
    }

    /// The token endpoint: `{auth}/token`, with `?tenant=` for hosted instances.
    pub fn token_url(&self) -> String {
        let auth = self
            .auth_url
            .clone()
            .unwrap_or_else(|| format!("{}/auth", self.instance_url));
        let mut url = format!("{}/token", auth.trim_end_matches('/'));
        if let Some(tenant) = &self.hosted_tenant {
            url.push_str("?tenant=");
            url.push_str(tenant);
        }
        url
    }

    /// Map `tenant` to the Halo client `client_id`.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, client_id: u64) -> Self {
        self.tenants.insert(tenant.into(), client_id);
        self
    }

    /// Send `?tenant=` with token requests (Halo-hosted instances).
    pub fn hosted_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.hosted_tenant = Some(tenant.into());
        self
    }

    /// Use a separate authorisation server (self-hosted); the token URL is `{url}/token`.
    pub fn auth_url(mut self, url: impl Into<String>) -> Self {
        self.auth_url = Some(url.into());
        self
    }

    /// OAuth2 scope(s), space separated (e.g. `read:tickets edit:tickets read:customers`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Allow logging technician time under this agent id.
    pub fn technician_agent_id(mut self, agent_id: u64) -> Self {
        self.technician_agent_id = Some(agent_id);
        self
    }

    /// Outcomes of note and time actions.
    pub fn outcomes(mut self, note: impl Into<String>, time: impl Into<String>) -> Self {
        self.note_outcome = note.into();
        self.time_outcome = time.into();
        self
    }

    /// Status names.
    pub fn statuses(mut self, statuses: StatusNames) -> Self {
        self.statuses = statuses;
        self
    }

    /// Priority ids.
    pub fn priorities(mut self, priorities: PriorityIds) -> Self {
        self.priorities = priorities;
        self
    }

    /// Listing page size (clamped to 1..=[`MAX_PAGE_SIZE`]).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Client-side rate limit (`None`: unlimited).
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Timeout of one request attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// 130 requests per minute with bursts of 20: at most 670 requests in any 5 minutes, under
/// Halo's documented limit of 700 requests per rolling 5-minute window.
pub fn default_rate_limit() -> RateLimit {
    let per_minute = NonZeroU32::new(130).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN);
    RateLimit::per_minute(per_minute).with_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_status_names() {
        let s = StatusNames::default().write_as(TicketStatus::Escalated, "Tier 2");
        assert_eq!(s.classify("new"), TicketStatus::New);
        assert_eq!(s.classify("With Supplier"), TicketStatus::Waiting);
        assert_eq!(s.classify("Waiting on 3rd party"), TicketStatus::Waiting);
        assert_eq!(s.classify("Tier 2"), TicketStatus::Escalated);
        assert_eq!(s.classify("Cancelled"), TicketStatus::Closed);
        assert_eq!(s.classify("Assigned"), TicketStatus::InProgress);
        assert_eq!(s.name_of(TicketStatus::Escalated), Some("Tier 2"));
        assert_eq!(s.name_of(TicketStatus::Waiting), Some("With User"));
    }

    #[test]
    fn priority_ids_round_trip() {
        let p = PriorityIds::default().set(Priority::Low, 5);
        assert_eq!(p.id_of(Priority::Critical), Some(1));
        assert_eq!(p.priority_of(5), Priority::Low);
        assert_eq!(p.priority_of(4), Priority::Medium);
        assert_eq!(p.priority_of(2), Priority::High);
    }

    #[test]
    fn urls() {
        let c = HaloConfig::new(
            HaloConfig::hosted_url("mymsp"),
            "id",
            SecretString::from("s".to_string()),
            7,
        );
        assert_eq!(c.resource_url(), "https://mymsp.halopsa.com/api");
        assert_eq!(c.token_url(), "https://mymsp.halopsa.com/auth/token");
        let c = c.hosted_tenant("mymsp");
        assert_eq!(
            c.token_url(),
            "https://mymsp.halopsa.com/auth/token?tenant=mymsp"
        );
        let c = c.auth_url("https://auth.example.com/auth/");
        assert_eq!(
            c.token_url(),
            "https://auth.example.com/auth/token?tenant=mymsp"
        );
    }
}
