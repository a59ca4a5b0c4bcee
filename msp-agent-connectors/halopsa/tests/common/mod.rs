//! Shared test helpers: a connector pointed at wiremock, the token endpoint, Halo fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_halopsa::{HaloConfig, HaloPsa};
use msp_agent_http::RetryPolicy;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Match, MockBuilder, MockServer, Request, ResponseTemplate};

pub const APP_ID: &str = "5b1c7e2a-halo-app";
pub const APP_SECRET: &str = "s3cret+/=value";
pub const HOSTED_TENANT: &str = "mymsp";
pub const TOKEN: &str = "tok-1";
/// The form Halo's token endpoint is sent (reqwest urlencodes it in this order).
pub const TOKEN_FORM: &str = "grant_type=client_credentials&client_id=5b1c7e2a-halo-app&client_secret=s3cret%2B%2F%3Dvalue&scope=all";
pub const AGENT_ID: u64 = 42;
pub const CONTOSO: u64 = 12;
pub const FABRIKAM: u64 = 30;

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(uri: &str) -> HaloConfig {
    HaloConfig::new(
        uri,
        APP_ID,
        SecretString::from(APP_SECRET.to_string()),
        AGENT_ID,
    )
    .hosted_tenant(HOSTED_TENANT)
    .tenant("contoso", CONTOSO)
    .tenant("fabrikam", FABRIKAM)
    .retry(fast_retry())
    .rate_limit(None)
    .timeout(Duration::from_secs(5))
}

pub fn connector(uri: &str) -> HaloPsa {
    HaloPsa::new(config(uri)).unwrap()
}

/// The token endpoint, matching the exact client-credentials form.
pub fn token_endpoint() -> MockBuilder {
    wiremock::Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(query_param("tenant", HOSTED_TENANT))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(TOKEN_FORM))
}

pub fn token_response(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "all"
    }))
}

/// A server with the token endpoint mounted.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    token_endpoint()
        .respond_with(token_response(TOKEN))
        .mount(&server)
        .await;
    server
}

/// A mock of `verb /api{p}` that only matches with the bearer token.
pub fn halo(verb: &str, p: &str) -> MockBuilder {
    wiremock::Mock::given(method(verb))
        .and(path(format!("/api{p}")))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
}

/// Matches when the query string holds exactly these pairs (any order).
pub struct ExactQuery(Vec<(String, String)>);

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

pub fn statuses_json() -> Value {
    json!([
        {"id": 1, "name": "New", "type": 0, "sequence": 1},
        {"id": 2, "name": "In Progress", "type": 0, "sequence": 2},
        {"id": 4, "name": "With User", "type": 0, "sequence": 4},
        {"id": 9, "name": "Closed", "type": 0, "sequence": 9}
    ])
}

/// `GET /api/Status`, expected `times` times.
pub async fn mount_statuses(server: &MockServer, times: u64) {
    halo("GET", "/Status")
        .respond_with(ResponseTemplate::new(200).set_body_json(statuses_json()))
        .expect(times)
        .mount(server)
        .await;
}

pub fn ticket_json(id: u64, client: u64, status_id: u64) -> Value {
    json!({
        "id": id,
        "dateoccurred": "2026-11-20T09:15:00",
        "summary": "VPN does not connect",
        "details": "Since this morning the VPN fails.",
        "status_id": status_id,
        "tickettype_id": 1,
        "priority_id": 2,
        "client_id": client,
        "client_name": "Contoso Ltd",
        "site_id": 3,
        "user_id": 55,
        "user_name": "Jane Doe",
        "user_email": "jane@contoso.com",
        "team_id": 7,
        "team": "Service Desk",
        "agent_id": 0,
        "category_1": "Network>VPN"
    })
}

pub fn user_json(id: u64, client: u64, email: &str) -> Value {
    json!({
        "id": id,
        "name": "Jane Doe",
        "site_id": 3,
        "client_id": client,
        "client_name": "Contoso Ltd",
        "emailaddress": email,
        "phonenumber_preferred": "+1 555 0100",
        "inactive": false
    })
}

pub fn action_json(
    id: u64,
    ticket: u64,
    note: &str,
    hidden: bool,
    agent: i64,
    hours: f64,
) -> Value {
    json!({
        "id": id,
        "ticket_id": ticket,
        "outcome": "Note",
        "who": if agent == AGENT_ID as i64 { "MSP Agent" } else { "John Smith" },
        "who_type": 1,
        "who_agentid": agent,
        "datetime": "2026-11-20T10:00:00",
        "note": note,
        "hiddenfromuser": hidden,
        "timetaken": hours,
        "actisbillable": false
    })
}
