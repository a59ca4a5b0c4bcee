//! Connector configuration: subdomain, API token, tenant → customer mapping, name maps.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::{Priority, TenantId, TicketStatus};
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// Syncro's documented API rate limit: 180 requests per minute per IP address
/// (<https://api-docs.syncromsp.com/>, "Rate Limits").
pub const DOCUMENTED_REQUESTS_PER_MINUTE: u32 = 180;

/// The default client-side limit: 170 requests/minute with bursts of 10, so that no
/// sliding minute can exceed [`DOCUMENTED_REQUESTS_PER_MINUTE`] (10 + 170 = 180).
///
/// The vendor limit is per source IP: lower this when several connectors or tools share
/// one egress address.
pub fn default_rate_limit() -> RateLimit {
    let per_minute =
        NonZeroU32::new(DOCUMENTED_REQUESTS_PER_MINUTE - 10).unwrap_or(NonZeroU32::MIN);
    RateLimit::per_minute(per_minute).with_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN))
}

/// One Syncro status name and how it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StatusName {
    name: String,
    status: TicketStatus,
    /// Written when the agent sets `status`.
    write: bool,
}

/// Maps Syncro ticket status strings to [`TicketStatus`] and back.
///
/// Syncro statuses are account-defined strings (Admin → Tickets → Ticket Statuses; the
/// stock list is returned by `GET /tickets/settings` as `ticket_status_list`). Reading: a
/// configured name (case-insensitive) wins, otherwise a keyword guess (`resolv`/`invoic`/
/// `close`/`cancel` → Closed, `wait`/`pending`/`hold` → Waiting, `escalat` → Escalated,
/// `new` → New, anything else → InProgress). Writing: the one name marked for each status;
/// a status with no write name (by default [`TicketStatus::Escalated`]) cannot be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMap {
    names: Vec<StatusName>,
}

impl Default for StatusMap {
    /// Syncro's stock statuses: New, In Progress, Resolved, Invoiced, Waiting for Parts,
    /// Waiting on Customer, Scheduled, Customer Reply.
    fn default() -> Self {
        use TicketStatus::*;
        Self { names: Vec::new() }
            .write_as(New, "New")
            .write_as(InProgress, "In Progress")
            .write_as(Waiting, "Waiting on Customer")
            .write_as(Closed, "Resolved")
            .read_as("Invoiced", Closed)
            .read_as("Waiting for Parts", Waiting)
            .read_as("Scheduled", InProgress)
            .read_as("Customer Reply", InProgress)
    }
}

impl StatusMap {
    /// An empty map: every status is read by keyword and none can be written.
    pub fn empty() -> Self {
        Self { names: Vec::new() }
    }

    /// Read the Syncro status `name` as `status` (writing unchanged).
    pub fn read_as(mut self, name: impl Into<String>, status: TicketStatus) -> Self {
        let name = name.into();
        self.names.retain(|n| !n.name.eq_ignore_ascii_case(&name));
        self.names.push(StatusName {
            name,
            status,
            write: false,
        });
        self
    }

    /// Set `status` by writing the Syncro status `name` (which also reads as `status`).
    pub fn write_as(mut self, status: TicketStatus, name: impl Into<String>) -> Self {
        for n in self.names.iter_mut().filter(|n| n.status == status) {
            n.write = false;
        }
        let name = name.into();
        self.names.retain(|n| !n.name.eq_ignore_ascii_case(&name));
        self.names.push(StatusName {
            name,
            status,
            write: true,
        });
        self
    }

    /// The [`TicketStatus`] of a Syncro status string.
    pub fn status_of(&self, name: &str) -> TicketStatus {
        let name = name.trim();
        if let Some(n) = self
            .names
            .iter()
            .find(|n| n.name.eq_ignore_ascii_case(name))
        {
            return n.status;
        }
        let lower = name.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
        if has(&["resolv", "invoic", "close", "cancel"]) {
            TicketStatus::Closed
        } else if has(&["wait", "pending", "hold"]) {
            TicketStatus::Waiting
        } else if has(&["escalat"]) {
            TicketStatus::Escalated
        } else if lower.starts_with("new") {
            TicketStatus::New
        } else {
            TicketStatus::InProgress
        }
    }

    /// The Syncro status written for `status`, if any.
    pub fn name_for(&self, status: TicketStatus) -> Option<&str> {
        self.names
            .iter()
            .find(|n| n.write && n.status == status)
            .map(|n| n.name.as_str())
    }

    /// Every configured Syncro status that reads as `status` (write name first).
    pub fn names_of(&self, status: TicketStatus) -> Vec<&str> {
        let mut names: Vec<&StatusName> =
            self.names.iter().filter(|n| n.status == status).collect();
        names.sort_by_key(|n| !n.write);
        names.into_iter().map(|n| n.name.as_str()).collect()
    }
}

/// Maps Syncro priority strings to [`Priority`] and back.
///
/// Syncro's stock priorities are `0 Urgent`, `1 High`, `2 Normal` and `3 Low`. Reading: a
/// configured name (case-insensitive) wins, else the leading digit (0 → Critical, 1 → High,
/// 2 → Medium, higher → Low), else a keyword guess (`urgent`/`critical`/`emergency`,
/// `high`, `low`), else Medium. An empty priority reads as Medium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityMap {
    names: HashMap<Priority, String>,
}

impl Default for PriorityMap {
    fn default() -> Self {
        Self {
            names: HashMap::from([
                (Priority::Critical, "0 Urgent".to_string()),
                (Priority::High, "1 High".to_string()),
                (Priority::Medium, "2 Normal".to_string()),
                (Priority::Low, "3 Low".to_string()),
            ]),
        }
    }
}

impl PriorityMap {
    /// Write `priority` as the Syncro priority `name` (and read `name` as `priority`).
    pub fn write_as(mut self, priority: Priority, name: impl Into<String>) -> Self {
        self.names.insert(priority, name.into());
        self
    }

    /// The [`Priority`] of a Syncro priority string.
    pub fn priority_of(&self, name: &str) -> Priority {
        let name = name.trim();
        if let Some((p, _)) = self
            .names
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
        {
            return *p;
        }
        match name.chars().next().and_then(|c| c.to_digit(10)) {
            Some(0) => return Priority::Critical,
            Some(1) => return Priority::High,
            Some(2) => return Priority::Medium,
            Some(_) => return Priority::Low,
            None => {}
        }
        let lower = name.to_lowercase();
        if ["urgent", "critical", "emergency"]
            .iter()
            .any(|w| lower.contains(w))
        {
            Priority::Critical
        } else if lower.contains("high") {
            Priority::High
        } else if lower.contains("low") {
            Priority::Low
        } else {
            Priority::Medium
        }
    }

    /// The Syncro priority written for `priority`, if any.
    pub fn name_for(&self, priority: Priority) -> Option<&str> {
        self.names.get(&priority).map(String::as_str)
    }
}

/// Everything the connector needs. Build with [`SyncroConfig::new`] and the chainable
/// setters.
#[derive(Debug, Clone)]
pub struct SyncroConfig {
    /// API base, `https://{subdomain}.syncromsp.com/api/v1` (see
    /// [`SyncroConfig::subdomain_url`]); any URL for tests.
    pub base_url: String,
    /// API token (Admin → API Tokens), sent as `Authorization: Bearer …`.
    pub api_token: SecretString,
    /// Syncro user id agent time is logged under; timers of this user read back as
    /// [`Actor::Agent`](msp_agent_core::domain::Actor::Agent).
    pub agent_user_id: u64,
    /// Syncro user id technician time is logged under, if the agent may log it at all.
    pub technician_user_id: Option<u64>,
    /// Tenant → Syncro `customer_id`. Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, u64>,
    /// Status names.
    pub statuses: StatusMap,
    /// Priority names.
    pub priorities: PriorityMap,
    /// `subject` of comments the agent adds (Syncro requires one).
    pub comment_subject: String,
    /// Let Syncro e-mail public comments to the customer (`do_not_email: false`).
    /// Internal (`hidden`) comments are never e-mailed.
    pub email_public_comments: bool,
    /// Safety cap on pages read per listing.
    pub max_pages: u32,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl SyncroConfig {
    /// A configuration with defaults: stock status and priority names, comment subject
    /// `Update`, public comments e-mailed, at most 40 pages (1,000 tickets) per listing,
    /// default retries, [`default_rate_limit`], 30 s timeout, no tenants.
    pub fn new(base_url: impl Into<String>, api_token: SecretString, agent_user_id: u64) -> Self {
        Self {
            base_url: base_url.into(),
            api_token,
            agent_user_id,
            technician_user_id: None,
            tenants: HashMap::new(),
            statuses: StatusMap::default(),
            priorities: PriorityMap::default(),
            comment_subject: "Update".into(),
            email_public_comments: true,
            max_pages: 40,
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            timeout: Duration::from_secs(30),
        }
    }

    /// `https://{subdomain}.syncromsp.com/api/v1`.
    pub fn subdomain_url(subdomain: &str) -> String {
        format!("https://{}.syncromsp.com/api/v1", subdomain.trim())
    }

    /// Serve `tenant` as the Syncro customer `customer_id`.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, customer_id: u64) -> Self {
        self.tenants.insert(tenant.into(), customer_id);
        self
    }

    /// Log technician time under this Syncro user.
    pub fn technician_user_id(mut self, user_id: u64) -> Self {
        self.technician_user_id = Some(user_id);
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

    /// Subject of comments the agent adds.
    pub fn comment_subject(mut self, subject: impl Into<String>) -> Self {
        self.comment_subject = subject.into();
        self
    }

    /// Whether Syncro e-mails public comments to the customer.
    pub fn email_public_comments(mut self, email: bool) -> Self {
        self.email_public_comments = email;
        self
    }

    /// Safety cap on pages read per listing (at least 1).
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages.max(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_statuses_read_and_write() {
        let m = StatusMap::default();
        assert_eq!(m.status_of("waiting on customer"), TicketStatus::Waiting);
        assert_eq!(m.status_of("Invoiced"), TicketStatus::Closed);
        assert_eq!(m.status_of("Customer Reply"), TicketStatus::InProgress);
        assert_eq!(m.status_of("Escalated to L2"), TicketStatus::Escalated);
        assert_eq!(m.status_of("On Hold"), TicketStatus::Waiting);
        assert_eq!(m.name_for(TicketStatus::Closed), Some("Resolved"));
        assert_eq!(m.name_for(TicketStatus::Escalated), None);
        assert_eq!(m.names_of(TicketStatus::Closed), ["Resolved", "Invoiced"]);
        let m = m.write_as(TicketStatus::Escalated, "Escalated");
        assert_eq!(m.name_for(TicketStatus::Escalated), Some("Escalated"));
        let m = m.write_as(TicketStatus::Closed, "Invoiced");
        assert_eq!(m.names_of(TicketStatus::Closed), ["Invoiced", "Resolved"]);
    }

    #[test]
    fn default_rate_limit_stays_under_the_documented_limit() {
        let expected = RateLimit::per_minute(NonZeroU32::new(170).unwrap_or(NonZeroU32::MIN))
            .with_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN));
        assert_eq!(default_rate_limit(), expected);
        assert_eq!(
            SyncroConfig::new("https://x", SecretString::from("t".to_string()), 1).rate_limit,
            Some(expected)
        );
        assert_eq!(
            SyncroConfig::subdomain_url(" mymsp "),
            "https://mymsp.syncromsp.com/api/v1"
        );
    }

    #[test]
    fn priorities_read_by_name_digit_or_word() {
        let m = PriorityMap::default();
        assert_eq!(m.priority_of("1 High"), Priority::High);
        assert_eq!(m.priority_of("0 Critical Outage"), Priority::Critical);
        assert_eq!(m.priority_of("4 Someday"), Priority::Low);
        assert_eq!(m.priority_of("Urgent"), Priority::Critical);
        assert_eq!(m.priority_of(""), Priority::Medium);
        assert_eq!(m.name_for(Priority::Low), Some("3 Low"));
    }
}
