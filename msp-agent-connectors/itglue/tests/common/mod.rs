//! Shared test helpers: a connector pointed at wiremock and IT Glue-shaped JSON:API bodies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_http::RetryPolicy;
use msp_agent_itglue::{ConfigurationAssets, ItGlue, ItGlueConfig, Region, SearchSource};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{MockBuilder, Request};

pub const API_KEY: &str = "ITG.0123456789abcdef";
pub const CONTOSO_ORG: u64 = 100;
pub const FABRIKAM_ORG: u64 = 200;
pub const SOP_TYPE: u64 = 41;
pub const CONFIG_TYPE: u64 = 42;
pub const SECRET: &str = "Tr0ub4dor&3-vault";

pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(3),
    }
}

pub fn config(base: &str) -> ItGlueConfig {
    ItGlueConfig::new(
        Region::Custom(base.to_string()),
        SecretString::from(API_KEY.to_string()),
    )
    .tenant("contoso", CONTOSO_ORG)
    .tenant("fabrikam", FABRIKAM_ORG)
    .search(SearchSource::FlexibleAssets { type_id: SOP_TYPE })
    .configuration(ConfigurationAssets::new(CONFIG_TYPE))
    .retry(quick_retry())
    .rate_limit(None)
    .timeout(Duration::from_secs(5))
}

pub fn itglue(base: &str) -> ItGlue {
    ItGlue::new(config(base)).unwrap()
}

/// A mock of `verb path` matching only with the API key and JSON:API content type.
pub fn api(verb: &str, p: &str) -> MockBuilder {
    wiremock::Mock::given(method(verb))
        .and(path(p))
        .and(header("x-api-key", API_KEY))
        .and(header("Content-Type", "application/vnd.api+json"))
}

/// Matches requests whose whole query string is exactly `pairs` (order ignored).
pub fn query_is(pairs: &[(&str, &str)]) -> impl Fn(&Request) -> bool + Send + Sync + 'static {
    let mut want: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.sort();
    move |r: &Request| {
        let mut got: Vec<(String, String)> = r
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        got.sort();
        got == want
    }
}

/// Matches requests asking for page `n`.
pub fn page(n: u32) -> impl Fn(&Request) -> bool + Send + Sync + 'static {
    move |r: &Request| {
        r.url
            .query_pairs()
            .any(|(k, v)| k == "page[number]" && v == n.to_string())
    }
}

/// A JSON:API collection page with an optional `links.next`.
pub fn collection(items: Vec<Value>, next: Option<String>, page: u32, pages: u32) -> Value {
    let mut links = json!({"self": "ignored"});
    if let Some(next) = next {
        links["next"] = json!(next);
    }
    json!({
        "data": items,
        "links": links,
        "meta": {"current-page": page, "total-pages": pages, "total-count": 0}
    })
}

pub fn sop(id: u64, org: u64, name: &str, body_html: &str, tags: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": "flexible-assets",
        "attributes": {
            "organization-id": org,
            "organization-name": "Org",
            "flexible-asset-type-id": SOP_TYPE,
            "flexible-asset-type-name": "SOP",
            "name": name,
            "archived": false,
            "traits": {"title": name, "procedure": body_html, "tags": tags, "owner": {"type": "Contacts", "values": []}}
        }
    })
}

pub fn record(id: u64, org: u64, name: &str, json_text: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": "flexible-assets",
        "attributes": {
            "organization-id": org,
            "flexible-asset-type-id": CONFIG_TYPE,
            "flexible-asset-type-name": "msp-agent configuration",
            "name": name,
            "archived": false,
            "traits": {"name": name, "json": json_text}
        }
    })
}

pub fn password_entry(id: u64, org: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "type": "passwords",
        "attributes": {
            "organization-id": org,
            "name": name,
            "username": "admin",
            "url": "https://fw.contoso.example",
            "password-category-name": "Network"
        }
    })
}

pub fn password_detail(id: u64, org: u64, name: &str, secret: Option<&str>) -> Value {
    let mut attrs = json!({
        "organization-id": org,
        "name": name,
        "username": "admin",
        "is-live": true
    });
    if let Some(s) = secret {
        attrs["password"] = json!(s);
    }
    json!({"data": {"id": id.to_string(), "type": "passwords", "attributes": attrs}})
}

pub fn jsonapi_error(status: u16, title: &str, detail: &str) -> Value {
    json!({"errors": [{"status": status.to_string(), "title": title, "detail": detail}]})
}
