//! Shared test helpers: a connector pointed at wiremock and ConnectWise-shaped fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_connectwise::{CompanyRef, ConnectWise, ConnectWiseConfig};
use msp_agent_http::RetryPolicy;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, MockBuilder, Request};

pub const CLIENT_ID: &str = "3f7c2b1e-0000-4000-8000-0123456789ab";
/// base64("mymsp+pubkey123:privkey456")
pub const AUTH: &str = "Basic bXltc3ArcHVia2V5MTIzOnByaXZrZXk0NTY=";
pub const ACCEPT: &str = "application/vnd.connectwise.com+json; version=2025.1";
pub const AGENT: &str = "msp-agent";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(base: &str) -> ConnectWiseConfig {
    ConnectWiseConfig::new(
        base,
        "mymsp",
        "pubkey123",
        SecretString::from("privkey456".to_string()),
        CLIENT_ID,
        AGENT,
    )
    .tenant("contoso", CompanyRef::id(250))
    .tenant("fabrikam", CompanyRef::id(300))
    .retry(fast_retry())
    .rate_limit(None)
    .timeout(Duration::from_secs(5))
}

pub fn connector(base: &str) -> ConnectWise {
    ConnectWise::new(config(base)).unwrap()
}

/// A mock of `verb path` that only matches with the exact auth, clientId and Accept headers.
pub fn cw(verb: &str, p: &str) -> MockBuilder {
    wiremock::Mock::given(method(verb))
        .and(path(p))
        .and(header("Authorization", AUTH))
        .and(header("clientId", CLIENT_ID))
        .and(header("Accept", ACCEPT))
}

/// Matches when the query string holds exactly these pairs (any order).
pub struct ExactQuery(pub Vec<(String, String)>);

pub fn exact_query(pairs: &[(&str, &str)]) -> ExactQuery {
    ExactQuery(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

impl Match for ExactQuery {
    fn matches(&self, request: &Request) -> bool {
        let mut got: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut want = self.0.clone();
        got.sort();
        want.sort();
        got == want
    }
}

pub fn ticket_json(id: u64, company: u64, status: &str) -> Value {
    json!({
        "id": id,
        "summary": "VPN does not connect",
        "board": {"id": 1, "name": "Help Desk", "_info": {}},
        "status": {"id": 5, "name": status},
        "company": {"id": company, "identifier": "Contoso", "name": "Contoso Ltd"},
        "contact": {"id": 55, "name": "Jane Doe"},
        "contactEmailAddress": "jane@contoso.com",
        "type": {"id": 3, "name": "Network"},
        "subType": {"id": 4, "name": "VPN"},
        "priority": {"id": 8, "name": "Priority 2 - Quick Response"},
        "initialDescription": "Since this morning the VPN fails.",
        "_info": {"dateEntered": "2026-11-20T09:15:00Z", "enteredBy": "jane"}
    })
}

pub fn contact_json(id: u64, company: u64, email: &str) -> Value {
    json!({
        "id": id,
        "firstName": "Jane",
        "lastName": "Doe",
        "company": {"id": company, "identifier": "Contoso", "name": "Contoso Ltd"},
        "inactiveFlag": false,
        "communicationItems": [
            {"id": 1, "type": {"id": 2, "name": "Direct"}, "value": "+1 555 0100", "defaultFlag": true, "communicationType": "Phone"},
            {"id": 2, "type": {"id": 1, "name": "Email"}, "value": "jane.old@contoso.com", "defaultFlag": false, "communicationType": "Email"},
            {"id": 3, "type": {"id": 1, "name": "Email"}, "value": email, "defaultFlag": true, "communicationType": "Email"}
        ]
    })
}
