//! Connector configuration: site, credentials, tenant → company mapping, name maps.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::{Priority, TenantId, TicketStatus};
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// The `version` sent in the `Accept` header by default (see the "Versioning" page of the
/// Developer Guide); override with [`ConnectWiseConfig::api_version`].
pub const DEFAULT_API_VERSION: &str = "2025.1";

/// Default and maximum page size (the Developer Guide caps `pageSize` at 1,000).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The ConnectWise company a tenant maps to: its record id and/or its identifier
/// (the short "Company ID" shown in PSA, e.g. `Contoso`). At least one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyRef {
    /// `company/id`.
    pub id: Option<u64>,
    /// `company/identifier`.
    pub identifier: Option<String>,
}

impl CompanyRef {
    /// The company with record id `id`.
    pub fn id(id: u64) -> Self {
        Self {
            id: Some(id),
            identifier: None,
        }
    }

    /// The company with this identifier.
    pub fn identifier(identifier: impl Into<String>) -> Self {
        Self {
            id: None,
            identifier: Some(identifier.into()),
        }
    }

    /// Whether a company reference returned by ConnectWise is this company (every field
    /// set here must match; a reference with neither field never matches).
    pub fn matches(&self, id: Option<u64>, identifier: Option<&str>) -> bool {
        let id_ok = match self.id {
            Some(want) => id == Some(want),
            None => true,
        };
        let ident_ok = match &self.identifier {
            Some(want) => identifier.is_some_and(|got| got.eq_ignore_ascii_case(want)),
            None => true,
        };
        (self.id.is_some() || self.identifier.is_some()) && id_ok && ident_ok
    }
}

/// Maps ConnectWise status names (per board, free text) to [`TicketStatus`] and back.
///
/// Reading: an exact (case-insensitive) match in the map wins; otherwise a heuristic on
/// the name (`close`/`complete`/`resolved` → Closed, `wait` → Waiting, `escalat` →
/// Escalated, `new` → New, anything else → InProgress). Writing: the one status name
/// configured per [`TicketStatus`], resolved to an id on the ticket's board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMap {
    read: Vec<(String, TicketStatus)>,
    write: HashMap<TicketStatus, String>,
}

impl Default for StatusMap {
    /// The statuses of a stock ConnectWise "Service Board".
    fn default() -> Self {
        use TicketStatus::*;
        let mut map = Self {
            read: Vec::new(),
            write: HashMap::new(),
        };
        for (name, status) in [
            ("New", New),
            ("In Progress", InProgress),
            ("Waiting Customer", Waiting),
            ("Escalated", Escalated),
            ("Closed", Closed),
        ] {
            map = map.set(status, name);
        }
        for (name, status) in [
            ("New (email)", New),
            ("Re-opened", InProgress),
            ("Scheduled", InProgress),
            ("Waiting Customer Response", Waiting),
            ("Waiting Vendor", Waiting),
            ("Completed", Closed),
            (">Closed", Closed),
            ("Resolved", Closed),
        ] {
            map = map.map(name, status);
        }
        map
    }
}

impl StatusMap {
    /// Read `name` as `status` (write mapping unchanged).
    pub fn map(mut self, name: impl Into<String>, status: TicketStatus) -> Self {
        let name = name.into();
        self.read.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.read.push((name, status));
        self
    }

    /// Write `status` as the status named `name`, and read `name` as `status`.
    pub fn set(mut self, status: TicketStatus, name: impl Into<String>) -> Self {
        let name = name.into();
        self.write.insert(status, name.clone());
        self.map(name, status)
    }

    /// The [`TicketStatus`] of a ConnectWise status name.
    pub fn status_of(&self, name: &str) -> TicketStatus {
        if let Some((_, s)) = self.read.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return *s;
        }
        let n = name.to_ascii_lowercase();
        if ["close", "complete", "resolved", "cancel"]
            .iter()
            .any(|k| n.contains(k))
        {
            TicketStatus::Closed
        } else if n.contains("wait") {
            TicketStatus::Waiting
        } else if n.contains("escalat") {
            TicketStatus::Escalated
        } else if n.starts_with("new") {
            TicketStatus::New
        } else {
            TicketStatus::InProgress
        }
    }

    /// The status name written for `status`.
    pub fn name_for(&self, status: TicketStatus) -> Option<&str> {
        self.write.get(&status).map(String::as_str)
    }

    /// Every configured name read as `status` (for search conditions).
    pub fn names_of(&self, status: TicketStatus) -> Vec<&str> {
        self.read
            .iter()
            .filter(|(_, s)| *s == status)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

/// Maps ConnectWise priority names to [`Priority`] and back.
///
/// Reading: exact (case-insensitive) match, else a heuristic (`emergency`/`critical`/
/// `priority 1` → Critical, `quick`/`high`/`priority 2` → High, `low`/`schedule`/
/// `priority 4`/`priority 5` → Low, else Medium). Writing: the configured name, resolved
/// to an id with `/service/priorities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityMap {
    names: HashMap<Priority, String>,
}

impl Default for PriorityMap {
    /// The stock ConnectWise priorities.
    fn default() -> Self {
        Self {
            names: HashMap::from([
                (Priority::Critical, "Priority 1 - Emergency Response".into()),
                (Priority::High, "Priority 2 - Quick Response".into()),
                (Priority::Medium, "Priority 3 - Normal Response".into()),
                (Priority::Low, "Priority 4 - Schedule Maintenance".into()),
            ]),
        }
    }
}

impl PriorityMap {
    /// Use the ConnectWise priority `name` for `priority`.
    pub fn set(mut self, priority: Priority, name: impl Into<String>) -> Self {
        self.names.insert(priority, name.into());
        self
    }

    /// The [`Priority`] of a ConnectWise priority name.
    pub fn priority_of(&self, name: &str) -> Priority {
        if let Some((p, _)) = self
            .names
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
        {
            return *p;
        }
        let n = name.to_ascii_lowercase();
        let has = |keys: &[&str]| keys.iter().any(|k| n.contains(k));
        if has(&["emergency", "critical", "priority 1"]) {
            Priority::Critical
        } else if has(&["quick", "high", "priority 2"]) {
            Priority::High
        } else if has(&["low", "schedule", "priority 4", "priority 5"]) {
            Priority::Low
        } else {
            Priority::Medium
        }
    }

    /// The name written for `priority`.
    pub fn name_for(&self, priority: Priority) -> Option<&str> {
        self.names.get(&priority).map(String::as_str)
    }
}

/// Everything the connector needs. Build with [`ConnectWiseConfig::new`] and the
/// chainable setters.
#[derive(Debug, Clone)]
pub struct ConnectWiseConfig {
    /// API base, e.g. `https://api-na.myconnectwise.net/v4_6_release/apis/3.0`
    /// (see [`ConnectWiseConfig::cloud_base_url`]).
    pub base_url: String,
    /// The PSA company id used at login (the `{companyId}` of `companyId+publicKey`).
    pub company_id: String,
    /// Public key of the API member.
    pub public_key: String,
    /// Private key of the API member.
    pub private_key: SecretString,
    /// The integration's `clientId` (developer.connectwise.com → ClientId).
    pub client_id: String,
    /// `version` of the `Accept` header.
    pub api_version: String,
    /// Identifier of the member agent time is logged under; entries of this member are
    /// read back as [`Actor::Agent`](msp_agent_core::domain::Actor::Agent).
    pub agent_member: String,
    /// Member technician time is logged under, if the agent may log it at all.
    pub technician_member: Option<String>,
    /// Tenant → ConnectWise company. Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, CompanyRef>,
    /// Status names.
    pub statuses: StatusMap,
    /// Priority names.
    pub priorities: PriorityMap,
    /// Page size of listings (1..=1000).
    pub page_size: u32,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl ConnectWiseConfig {
    /// A configuration with defaults: API version [`DEFAULT_API_VERSION`], stock status and
    /// priority names, page size 100, default retries, 60 requests/minute (burst 10),
    /// 30 s timeout, no tenants.
    pub fn new(
        base_url: impl Into<String>,
        company_id: impl Into<String>,
        public_key: impl Into<String>,
        private_key: SecretString,
        client_id: impl Into<String>,
        agent_member: impl Into<String>,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            company_id: company_id.into(),
            public_key: public_key.into(),
            private_key,
            client_id: client_id.into(),
            api_version: DEFAULT_API_VERSION.into(),
            agent_member: agent_member.into(),
            technician_member: None,
            tenants: HashMap::new(),
            statuses: StatusMap::default(),
            priorities: PriorityMap::default(),
            page_size: 100,
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            timeout: Duration::from_secs(30),
        }
    }

    /// `https://{site}/{codebase}/apis/3.0`, e.g. `("api-na.myconnectwise.net",
    /// "v4_6_release")`. The codebase of a cloud site is returned by
    /// `https://{site}/login/companyinfo/{companyId}` (`Codebase`).
    pub fn cloud_base_url(site: &str, codebase: &str) -> String {
        format!(
            "https://{}/{}/apis/3.0",
            site.trim_end_matches('/'),
            codebase.trim_matches('/')
        )
    }

    /// Map `tenant` to a ConnectWise company.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, company: CompanyRef) -> Self {
        self.tenants.insert(tenant.into(), company);
        self
    }

    /// Set the `Accept` header API version.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Allow logging technician time under this member identifier.
    pub fn technician_member(mut self, member: impl Into<String>) -> Self {
        self.technician_member = Some(member.into());
        self
    }

    /// Status names.
    pub fn statuses(mut self, statuses: StatusMap) -> Self {
        self.statuses = statuses;
        self
    }

    /// Priority names.
    pub fn priorities(mut self, priorities: PriorityMap) -> Self {
        self.priorities = priorities;
        self
    }

    /// Listing page size (clamped to 1..=1000).
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

/// 60 requests per minute with bursts of 10: a conservative default, since ConnectWise
/// documents no numeric quota for PSA REST.
pub fn default_rate_limit() -> RateLimit {
    RateLimit::per_minute(NonZeroU32::MIN.saturating_add(59))
        .with_burst(NonZeroU32::MIN.saturating_add(9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names() {
        let m = StatusMap::default().set(TicketStatus::Waiting, "Waiting on Client");
        assert_eq!(m.status_of("new"), TicketStatus::New);
        assert_eq!(m.status_of(">Closed"), TicketStatus::Closed);
        assert_eq!(m.status_of("Waiting on Client"), TicketStatus::Waiting);
        assert_eq!(m.status_of("Assigned"), TicketStatus::InProgress);
        assert_eq!(m.status_of("Escalated to L2"), TicketStatus::Escalated);
        assert_eq!(m.name_for(TicketStatus::Waiting), Some("Waiting on Client"));
        assert_eq!(m.names_of(TicketStatus::New), vec!["New", "New (email)"]);
    }

    #[test]
    fn priority_names() {
        let m = PriorityMap::default();
        assert_eq!(
            m.priority_of("Priority 1 - Emergency Response"),
            Priority::Critical
        );
        assert_eq!(
            m.priority_of("Priority 5 - Next Business Day"),
            Priority::Low
        );
        assert_eq!(m.priority_of("Whatever"), Priority::Medium);
        assert_eq!(
            m.name_for(Priority::High),
            Some("Priority 2 - Quick Response")
        );
    }

    #[test]
    fn company_matching() {
        assert!(CompanyRef::id(250).matches(Some(250), Some("X")));
        assert!(!CompanyRef::id(250).matches(Some(251), None));
        assert!(CompanyRef::identifier("Contoso").matches(None, Some("contoso")));
        assert!(!CompanyRef::identifier("Contoso").matches(Some(1), None));
        let none = CompanyRef {
            id: None,
            identifier: None,
        };
        assert!(!none.matches(Some(1), Some("a")));
    }
}
