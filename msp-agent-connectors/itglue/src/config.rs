//! Connector configuration: region, API key, tenant → organization mapping, where to
//! search, where client configuration records live.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use msp_agent_core::domain::TenantId;
use msp_agent_http::{RateLimit, RetryPolicy};
use secrecy::SecretString;

/// Maximum `page[size]` the API accepts ("the maximum number of page results that can be
/// requested is 1000", <https://api.itglue.com/developer>).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The IT Glue data centre an account lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    /// `https://api.itglue.com` (default data centre).
    Us,
    /// `https://api.eu.itglue.com`.
    Eu,
    /// `https://api.au.itglue.com`.
    Au,
    /// Any other base URL (tests, proxies).
    Custom(String),
}

impl Region {
    /// The API base URL of the region.
    pub fn base_url(&self) -> &str {
        match self {
            Region::Us => "https://api.itglue.com",
            Region::Eu => "https://api.eu.itglue.com",
            Region::Au => "https://api.au.itglue.com",
            Region::Custom(url) => url,
        }
    }
}

/// A collection [`Documentation::search`](msp_agent_core::capability::Documentation::search)
/// ranks documents from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchSource {
    /// Flexible assets of one flexible asset type (e.g. an "SOP" or "Runbook" type): the
    /// asset name is the title, its text traits (HTML stripped) the body, the type name and
    /// a `tags` trait (comma-separated) the tags.
    FlexibleAssets {
        /// The flexible asset type id.
        type_id: u64,
    },
    /// IT Glue Documents (`GET /organizations/{id}/relationships/documents`). Not listed
    /// in the public API reference at the time of writing: enable it only when your
    /// account's API key can list documents.
    Documents,
}

/// Where client configuration records are kept: flexible assets of one type whose
/// `name_trait` holds the record name and `json_trait` the JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigurationAssets {
    /// The flexible asset type id (e.g. of a type named "msp-agent configuration").
    pub type_id: u64,
    /// Trait key (`name-key`) of the record name (default `name`).
    pub name_trait: String,
    /// Trait key of the JSON text (default `json`).
    pub json_trait: String,
}

impl ConfigurationAssets {
    /// Records in flexible assets of type `type_id` with traits `name` and `json`.
    pub fn new(type_id: u64) -> Self {
        Self {
            type_id,
            name_trait: "name".into(),
            json_trait: "json".into(),
        }
    }

    /// Use other trait keys for the name and the JSON text.
    pub fn traits(mut self, name: impl Into<String>, json: impl Into<String>) -> Self {
        self.name_trait = name.into();
        self.json_trait = json.into();
        self
    }
}

/// Everything the connector needs. Build with [`ItGlueConfig::new`] and the setters.
#[derive(Debug, Clone)]
pub struct ItGlueConfig {
    /// Data centre (or custom base URL).
    pub region: Region,
    /// The `x-api-key` (Account → Settings → API Keys, with Password Access for the vault).
    pub api_key: SecretString,
    /// Tenant → IT Glue organization id. Unmapped tenants are refused.
    pub tenants: HashMap<TenantId, u64>,
    /// Collections searched, in order.
    pub search_sources: Vec<SearchSource>,
    /// Where client configuration records live (`None`: not supported).
    pub configuration: Option<ConfigurationAssets>,
    /// `page[size]` of listings (1..=1000).
    pub page_size: u32,
    /// At most this many items are read from one collection per call.
    pub max_scan: usize,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// Client-side rate limit (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
    /// Timeout of one request attempt.
    pub timeout: Duration,
}

impl ItGlueConfig {
    /// A configuration with defaults: page size 100, at most 1,000 items scanned per
    /// collection, default retries, [`default_rate_limit`], 30 s timeout, no tenants,
    /// no search sources, no configuration asset type.
    pub fn new(region: Region, api_key: SecretString) -> Self {
        Self {
            region,
            api_key,
            tenants: HashMap::new(),
            search_sources: Vec::new(),
            configuration: None,
            page_size: 100,
            max_scan: 1000,
            retry: RetryPolicy::default(),
            rate_limit: Some(default_rate_limit()),
            timeout: Duration::from_secs(30),
        }
    }

    /// Map `tenant` to the IT Glue organization `organization_id`.
    pub fn tenant(mut self, tenant: impl Into<TenantId>, organization_id: u64) -> Self {
        self.tenants.insert(tenant.into(), organization_id);
        self
    }

    /// Search this collection too.
    pub fn search(mut self, source: SearchSource) -> Self {
        self.search_sources.push(source);
        self
    }

    /// Keep client configuration records in these flexible assets.
    pub fn configuration(mut self, assets: ConfigurationAssets) -> Self {
        self.configuration = Some(assets);
        self
    }

    /// Listing page size (clamped to 1..=1000).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// At most this many items read from one collection per call.
    pub fn max_scan(mut self, max: usize) -> Self {
        self.max_scan = max;
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

/// 580 requests per minute with bursts of 100: never more than 100 + 5 × 580 = 3,000
/// requests in any 5-minute window, IT Glue's documented throttle ("a maximum of 3000
/// requests within a 5-minute window", <https://api.itglue.com/developer>, Rate Limiting).
pub fn default_rate_limit() -> RateLimit {
    let per_minute = NonZeroU32::new(580).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN);
    RateLimit::per_minute(per_minute).with_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_defaults() {
        assert_eq!(Region::Us.base_url(), "https://api.itglue.com");
        assert_eq!(Region::Eu.base_url(), "https://api.eu.itglue.com");
        assert_eq!(Region::Au.base_url(), "https://api.au.itglue.com");
        assert_eq!(Region::Custom("http://x".into()).base_url(), "http://x");
        let c = ItGlueConfig::new(Region::Eu, SecretString::from("k".to_string()))
            .page_size(5000)
            .tenant("contoso", 7);
        assert_eq!(c.page_size, MAX_PAGE_SIZE);
        assert_eq!(c.tenants.get(&TenantId::new("contoso")), Some(&7));
        assert!(!format!("{c:?}").contains("\"k\""));
        let a = ConfigurationAssets::new(3).traits("record", "body");
        assert_eq!(
            (a.name_trait.as_str(), a.json_trait.as_str()),
            ("record", "body")
        );
    }
}
