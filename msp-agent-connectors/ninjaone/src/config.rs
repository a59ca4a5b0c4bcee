//! Connector configuration: instance, client credentials, tenant → organization mapping,
//! script map, polling and HTTP policies.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::TenantId;
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// OAuth scopes requested by default: read monitoring data and run scripts
/// (`control`, remote access, is never requested).
pub const DEFAULT_SCOPE: &str = "monitoring management";

/// Largest `pageSize` the connector sends.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The NinjaOne instance (region) an MSP account lives on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instance {
    /// United States: `https://app.ninjarmm.com`.
    Us,
    /// United States 2: `https://us2.ninjarmm.com`.
    Us2,
    /// European Union: `https://eu.ninjarmm.com`.
    Eu,
    /// Canada: `https://ca.ninjarmm.com`.
    Ca,
    /// Oceania: `https://oc.ninjarmm.com`.
    Oc,
    /// Any other base URL (tests, private instances), e.g. `http://127.0.0.1:8080`.
    Custom(String),
}

impl Instance {
    /// The instance's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Instance::Us => "https://app.ninjarmm.com",
            Instance::Us2 => "https://us2.ninjarmm.com",
            Instance::Eu => "https://eu.ninjarmm.com",
            Instance::Ca => "https://ca.ninjarmm.com",
            Instance::Oc => "https://oc.ninjarmm.com",
            Instance::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// The OAuth2 token endpoint, `{base}/ws/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("{}/ws/oauth/token", self.base_url())
    }
}

/// What a msp-agent script name runs in NinjaOne.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptTarget {
    /// A script of the automation library (`type: "SCRIPT"`, numeric `id`).
    Script(u64),
    /// A built-in action (`type: "ACTION"`, `uid`).
    Action(String),
}

/// A configured script: the NinjaOne target, the credential it runs as and, optionally,
/// the name NinjaOne shows for it in activities (`sourceName`), used to pick its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRef {
    /// Script id or action uid.
    pub target: ScriptTarget,
    /// `runAs` credential role (default `SYSTEM`).
    pub run_as: String,
    /// Activity `sourceName` of this script, when known.
    pub activity_name: Option<String>,
}

impl ScriptRef {
    /// Library script `id`, run as `SYSTEM`.
    pub fn script(id: u64) -> Self {
        Self {
            target: ScriptTarget::Script(id),
            run_as: "SYSTEM".into(),
            activity_name: None,
        }
    }

    /// Built-in action `uid`, run as `SYSTEM`.
    pub fn action(uid: impl Into<String>) -> Self {
        Self {
            target: ScriptTarget::Action(uid.into()),
            run_as: "SYSTEM".into(),
            activity_name: None,
        }
    }

    /// Run with this credential role (e.g. `LOGGED_ON_USER`).
    pub fn run_as(mut self, role: impl Into<String>) -> Self {
        self.run_as = role.into();
        self
    }

    /// Only accept result activities whose `sourceName` is `name`.
    pub fn activity_name(mut self, name: impl Into<String>) -> Self {
        self.activity_name = Some(name.into());
        self
    }
}

/// How a script run is awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// Delay between two reads of the device's activities.
    pub interval: Duration,
    /// Give up (with `CapabilityError::Transient`) after this long.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    /// Every 5 s for up to 5 minutes.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(300),
        }
    }
}

/// Everything the connector needs. Build with [`NinjaOneConfig::new`] and the chainable
/// setters.
#[derive(Debug, Clone)]
pub struct NinjaOneConfig {
    /// Instance (region).
    pub instance: Instance,
    /// OAuth client id of the API client app (machine-to-machine).
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: SecretString,
    /// Space-separated OAuth scopes.
    pub scope: String,
    /// Tenant → NinjaOne organization id. Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, u64>,
    /// msp-agent script name (e.g. `flush_dns`) → NinjaOne script or action.
    pub scripts: HashMap<String, ScriptRef>,
    /// Page size of device listings (1..=1000).
    pub page_size: u32,
    /// Script result polling.
    pub poll: PollPolicy,
    /// Retries of idempotent requests (a script run POST is never retried).
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl NinjaOneConfig {
    /// A configuration with defaults: scope [`DEFAULT_SCOPE`], page size 100, polling every
    /// 5 s for 5 minutes, default retries, [`default_rate_limit`], 30 s timeout, no tenants
    /// and no scripts.
    pub fn new(
        instance: Instance,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Self {
        Self {
            instance,
            client_id: client_id.into(),
            client_secret,
            scope: DEFAULT_SCOPE.into(),
            tenants: HashMap::new(),
            scripts: HashMap::new(),
            page_size: 100,
            poll: PollPolicy::default(),
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            timeout: Duration::from_secs(30),
        }
    }

    /// Map `tenant` to the NinjaOne organization `organization_id`.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, organization_id: u64) -> Self {
        self.tenants.insert(tenant.into(), organization_id);
        self
    }

    /// Map the msp-agent script `name` to a NinjaOne script or action.
    pub fn script(mut self, name: impl Into<String>, script: ScriptRef) -> Self {
        self.scripts.insert(name.into(), script);
        self
    }

    /// OAuth scopes (space separated).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Device listing page size (clamped to 1..=1000).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Poll a script's result every `interval`, for at most `timeout`.
    pub fn poll(mut self, interval: Duration, timeout: Duration) -> Self {
        self.poll = PollPolicy { interval, timeout };
        self
    }

    /// Retry policy of idempotent requests.
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

/// 60 requests per minute with bursts of 10. NinjaOne's API reference declares no numeric
/// quota (and no `429` response) for the public API v2, so this is a conservative default;
/// `429` + `Retry-After` is honoured when sent.
pub fn default_rate_limit() -> RateLimit {
    const fn non_zero(n: u32) -> NonZeroU32 {
        match NonZeroU32::new(n) {
            Some(n) => n,
            None => NonZeroU32::MIN,
        }
    }
    const PER_MINUTE: NonZeroU32 = non_zero(60);
    const BURST: NonZeroU32 = non_zero(10);
    RateLimit::per_minute(PER_MINUTE).with_burst(BURST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances() {
        assert_eq!(
            Instance::Eu.token_url(),
            "https://eu.ninjarmm.com/ws/oauth/token"
        );
        assert_eq!(Instance::Us.base_url(), "https://app.ninjarmm.com");
        assert_eq!(Instance::Us2.base_url(), "https://us2.ninjarmm.com");
        assert_eq!(Instance::Ca.base_url(), "https://ca.ninjarmm.com");
        assert_eq!(Instance::Oc.base_url(), "https://oc.ninjarmm.com");
        assert_eq!(
            Instance::Custom("http://127.0.0.1:9/".into()).token_url(),
            "http://127.0.0.1:9/ws/oauth/token"
        );
    }

    #[test]
    fn builder() {
        let c = NinjaOneConfig::new(Instance::Eu, "id", SecretString::from("s".to_string()))
            .tenant("acme", 5)
            .script("flush_dns", ScriptRef::script(42).run_as("LOGGED_ON_USER"))
            .page_size(5000);
        assert_eq!(c.page_size, MAX_PAGE_SIZE);
        assert_eq!(c.tenants[&TenantId::new("acme")], 5);
        assert_eq!(c.scripts["flush_dns"].run_as, "LOGGED_ON_USER");
        assert_eq!(c.scope, "monitoring management");
    }
}
