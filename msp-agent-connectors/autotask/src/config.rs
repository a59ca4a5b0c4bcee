//! Connector configuration: credentials, zone discovery, tenant → company mapping, labels.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::{Priority, TenantId, TicketStatus};
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// Where zone discovery (`GET /v1.0/zoneInformation?user=…`) is asked by default.
pub const DEFAULT_DISCOVERY_URL: &str = "https://webservices.autotask.net/atservicesrest";

/// The most records one Autotask query page returns (`MaxRecords` ≤ 500).
pub const MAX_RECORDS: u32 = 500;

/// The documented threshold: 10,000 requests per hour per Autotask database, shared by
/// every integration of that database.
pub const HOURLY_REQUEST_THRESHOLD: u32 = 10_000;

/// Simultaneous requests allowed per endpoint and tracking identifier for integrations
/// created after Autotask 2023.1 (API thread limiting).
pub const DEFAULT_MAX_CONCURRENCY: usize = 3;

/// Picklist labels ↔ a domain value (`TicketStatus` or `Priority`).
///
/// Writing uses the one label configured per value. Reading tries an exact
/// (case-insensitive) label first, then a keyword heuristic, so custom picklist entries
/// still land somewhere sensible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels<T> {
    write: Vec<(T, String)>,
    extra: Vec<(String, T)>,
}

impl<T: Copy + Eq> Labels<T> {
    fn from_pairs(pairs: &[(T, &str)]) -> Self {
        Self {
            write: pairs.iter().map(|(v, l)| (*v, l.to_string())).collect(),
            extra: Vec::new(),
        }
    }

    /// Write `value` as the picklist entry labelled `label` (and read that label as it).
    pub fn set(mut self, value: T, label: impl Into<String>) -> Self {
        self.write.retain(|(v, _)| *v != value);
        self.write.push((value, label.into()));
        self
    }

    /// Read the picklist entry labelled `label` as `value` (writing unchanged).
    pub fn read_as(mut self, label: impl Into<String>, value: T) -> Self {
        self.extra.push((label.into(), value));
        self
    }

    /// The label written for `value`.
    pub fn label_for(&self, value: T) -> Option<&str> {
        self.write
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, l)| l.as_str())
    }

    fn exact(&self, label: &str) -> Option<T> {
        let label = label.trim();
        self.extra
            .iter()
            .rev()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, v)| *v)
            .or_else(|| {
                self.write
                    .iter()
                    .find(|(_, l)| l.eq_ignore_ascii_case(label))
                    .map(|(v, _)| *v)
            })
    }
}

/// Status picklist labels (Tickets `status`).
pub type StatusLabels = Labels<TicketStatus>;
/// Priority picklist labels (Tickets `priority`).
pub type PriorityLabels = Labels<Priority>;

impl Default for Labels<TicketStatus> {
    /// Stock Autotask statuses: New, In Progress, Waiting Customer, Escalate, Complete.
    fn default() -> Self {
        use TicketStatus::*;
        Self::from_pairs(&[
            (New, "New"),
            (InProgress, "In Progress"),
            (Waiting, "Waiting Customer"),
            (Escalated, "Escalate"),
            (Closed, "Complete"),
        ])
    }
}

impl Labels<TicketStatus> {
    /// The [`TicketStatus`] of a status label.
    pub fn status_of(&self, label: &str) -> TicketStatus {
        if let Some(s) = self.exact(label) {
            return s;
        }
        let l = label.to_ascii_lowercase();
        let has = |keys: &[&str]| keys.iter().any(|k| l.contains(k));
        if has(&["complete", "close", "resolved", "cancel"]) {
            TicketStatus::Closed
        } else if has(&["wait", "on hold"]) {
            TicketStatus::Waiting
        } else if has(&["escalat"]) {
            TicketStatus::Escalated
        } else if l.trim().starts_with("new") {
            TicketStatus::New
        } else {
            TicketStatus::InProgress
        }
    }
}

impl Default for Labels<Priority> {
    /// Stock Autotask priorities: Critical, High, Medium, Low.
    fn default() -> Self {
        use Priority::*;
        Self::from_pairs(&[
            (Critical, "Critical"),
            (High, "High"),
            (Medium, "Medium"),
            (Low, "Low"),
        ])
    }
}

impl Labels<Priority> {
    /// The [`Priority`] of a priority label.
    pub fn priority_of(&self, label: &str) -> Priority {
        if let Some(p) = self.exact(label) {
            return p;
        }
        let l = label.to_ascii_lowercase();
        if l.contains("critical") || l.contains("urgent") || l.contains("emergency") {
            Priority::Critical
        } else if l.contains("high") {
            Priority::High
        } else if l.contains("low") {
            Priority::Low
        } else {
            Priority::Medium
        }
    }
}

/// Everything the connector needs. Build with [`AutotaskConfig::new`] and the setters.
#[derive(Debug, Clone)]
pub struct AutotaskConfig {
    /// API user name (the API-only user's e-mail-like user name), header `UserName`.
    pub username: String,
    /// The API user's secret, header `Secret`; never logged.
    pub secret: SecretString,
    /// Tracking identifier of the integration, header `ApiIntegrationcode`.
    pub integration_code: String,
    /// Base of zone discovery ([`DEFAULT_DISCOVERY_URL`]).
    pub discovery_url: String,
    /// A known zone URL (e.g. `https://webservices2.autotask.net/ATServicesRest/`):
    /// skips discovery when set.
    pub zone_url: Option<String>,
    /// Resource (`resourceID`) agent time is logged under; entries of this resource read
    /// back as [`Actor::Agent`](msp_agent_core::domain::Actor::Agent).
    pub agent_resource_id: i64,
    /// Resource technician time is logged under, if the agent may log it at all.
    pub technician_resource_id: Option<i64>,
    /// `roleID` sent with time entries (required by most Autotask set-ups).
    pub time_entry_role_id: Option<i64>,
    /// Tenant → Autotask company (`companyID`). Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, i64>,
    /// Status labels.
    pub statuses: StatusLabels,
    /// Priority labels.
    pub priorities: PriorityLabels,
    /// `noteType` picklist value of notes the agent writes.
    pub note_type: i64,
    /// `publish` picklist value of public notes ("All Autotask Users").
    pub publish_public: i64,
    /// `publish` picklist value of internal notes ("Internal Only").
    pub publish_internal: i64,
    /// `MaxRecords` of query pages (1..=500).
    pub page_size: u32,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Requests in flight at once (Autotask thread limiting).
    pub max_concurrency: usize,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl AutotaskConfig {
    /// A configuration with defaults: discovery at [`DEFAULT_DISCOVERY_URL`], stock labels,
    /// `noteType` 1, `publish` 1 (public) / 2 (internal), pages of 500, default retries,
    /// [`default_rate_limit`], 3 requests in flight, 30 s timeout, no tenants.
    pub fn new(
        username: impl Into<String>,
        secret: SecretString,
        integration_code: impl Into<String>,
        agent_resource_id: i64,
    ) -> Self {
        Self {
            username: username.into(),
            secret,
            integration_code: integration_code.into(),
            discovery_url: DEFAULT_DISCOVERY_URL.into(),
            zone_url: None,
            agent_resource_id,
            technician_resource_id: None,
            time_entry_role_id: None,
            tenants: HashMap::new(),
            statuses: StatusLabels::default(),
            priorities: PriorityLabels::default(),
            note_type: 1,
            publish_public: 1,
            publish_internal: 2,
            page_size: MAX_RECORDS,
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            timeout: Duration::from_secs(30),
        }
    }

    /// Map `tenant` to the Autotask company with id `company_id`.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, company_id: i64) -> Self {
        self.tenants.insert(tenant.into(), company_id);
        self
    }

    /// Ask zone discovery at this base instead (tests, proxies).
    pub fn discovery_url(mut self, url: impl Into<String>) -> Self {
        self.discovery_url = url.into();
        self
    }

    /// Use this zone URL and skip discovery.
    pub fn zone_url(mut self, url: impl Into<String>) -> Self {
        self.zone_url = Some(url.into());
        self
    }

    /// Allow logging technician time under this resource.
    pub fn technician_resource(mut self, resource_id: i64) -> Self {
        self.technician_resource_id = Some(resource_id);
        self
    }

    /// `roleID` of time entries.
    pub fn time_entry_role(mut self, role_id: i64) -> Self {
        self.time_entry_role_id = Some(role_id);
        self
    }

    /// Status labels.
    pub fn statuses(mut self, statuses: StatusLabels) -> Self {
        self.statuses = statuses;
        self
    }

    /// Priority labels.
    pub fn priorities(mut self, priorities: PriorityLabels) -> Self {
        self.priorities = priorities;
        self
    }

    /// `noteType` of agent notes.
    pub fn note_type(mut self, note_type: i64) -> Self {
        self.note_type = note_type;
        self
    }

    /// `publish` values of public and internal notes.
    pub fn publish(mut self, public: i64, internal: i64) -> Self {
        self.publish_public = public;
        self.publish_internal = internal;
        self
    }

    /// `MaxRecords` of query pages (clamped to 1..=500).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_RECORDS);
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

    /// Requests in flight at once (at least 1).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Timeout of one request attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// [`HOURLY_REQUEST_THRESHOLD`] spread evenly: 166 requests per minute, bursts of 20.
///
/// The threshold is shared by every integration of the database; lower it with
/// [`AutotaskConfig::rate_limit`] when other integrations are busy.
pub fn default_rate_limit() -> RateLimit {
    let per_minute = NonZeroU32::new(HOURLY_REQUEST_THRESHOLD / 60).unwrap_or(NonZeroU32::MIN);
    RateLimit::per_minute(per_minute).with_burst(NonZeroU32::MIN.saturating_add(19))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_labels() {
        let s = StatusLabels::default()
            .set(TicketStatus::Waiting, "Waiting on Client")
            .read_as("Dispatched", TicketStatus::Escalated);
        assert_eq!(s.status_of("new"), TicketStatus::New);
        assert_eq!(s.status_of("Complete"), TicketStatus::Closed);
        assert_eq!(s.status_of("Waiting Materials"), TicketStatus::Waiting);
        assert_eq!(s.status_of("Dispatched"), TicketStatus::Escalated);
        assert_eq!(s.status_of("Customer Note Added"), TicketStatus::InProgress);
        assert_eq!(
            s.label_for(TicketStatus::Waiting),
            Some("Waiting on Client")
        );
        assert_eq!(s.status_of("waiting on client"), TicketStatus::Waiting);
    }

    #[test]
    fn priority_labels() {
        let p = PriorityLabels::default().set(Priority::Critical, "P1 - Down");
        assert_eq!(p.priority_of("P1 - Down"), Priority::Critical);
        assert_eq!(p.priority_of("High"), Priority::High);
        assert_eq!(p.priority_of("Low"), Priority::Low);
        assert_eq!(p.priority_of("Normal"), Priority::Medium);
        assert_eq!(p.label_for(Priority::Medium), Some("Medium"));
    }

    #[test]
    fn default_rate_limit_spreads_the_hourly_threshold() {
        let per_minute = NonZeroU32::new(166).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN);
        assert_eq!(
            default_rate_limit(),
            RateLimit::per_minute(per_minute).with_burst(burst)
        );
    }

    #[test]
    fn page_size_is_clamped() {
        let c = AutotaskConfig::new("u", SecretString::from("s".to_string()), "c", 1);
        assert_eq!(c.clone().page_size(0).page_size, 1);
        assert_eq!(c.page_size(9999).page_size, MAX_RECORDS);
    }
}
