//! Shared test helpers: a connector pointed at wiremock and Autotask-shaped fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_autotask::{Autotask, AutotaskConfig};
use msp_agent_http::RetryPolicy;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

pub const USER: &str = "agent-api@mymsp.example";
pub const SECRET: &str = "s3cr3t-Value";
pub const CODE: &str = "TRACKINGID0123456789ABCDEFG";
pub const AGENT: i64 = 29_683_000;
pub const TECH: i64 = 29_682_885;
pub const CONTOSO: i64 = 250;
pub const FABRIKAM: i64 = 300;
/// Path prefix of the zone URL the fake discovery returns.
pub const ZONE: &str = "/ATServicesRest/v1.0";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(server: &MockServer) -> AutotaskConfig {
    AutotaskConfig::new(USER, SecretString::from(SECRET.to_string()), CODE, AGENT)
        .discovery_url(format!("{}/atservicesrest", server.uri()))
        .tenant("contoso", CONTOSO)
        .tenant("fabrikam", FABRIKAM)
        .retry(fast_retry())
        .rate_limit(None)
        .timeout(Duration::from_secs(5))
}

pub fn connector(server: &MockServer) -> Autotask {
    Autotask::new(config(server)).unwrap()
}

/// Mount the zone discovery answer (the zone is this same server under `/ATServicesRest/`).
pub async fn mount_zone(server: &MockServer) {
    discovery()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "zoneName": "Pre-Release",
            "url": format!("{}/ATServicesRest/", server.uri()),
            "webUrl": "https://ww2.autotask.net/",
            "ci": 12345
        })))
        .mount(server)
        .await;
}

/// The zone discovery request, with its exact query and headers.
pub fn discovery() -> MockBuilder {
    authed(Mock::given(method("GET")).and(path("/atservicesrest/v1.0/zoneInformation"))).and(
        |r: &Request| {
            let pairs: Vec<(String, String)> = r
                .url
                .query_pairs()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            pairs == [("user".to_string(), USER.to_string())]
        },
    )
}

fn authed(m: MockBuilder) -> MockBuilder {
    m.and(header("ApiIntegrationcode", CODE))
        .and(header("UserName", USER))
        .and(header("Secret", SECRET))
        .and(header("Content-Type", "application/json"))
}

/// A mock of `verb {zone}/v1.0{p}` that only matches with the exact auth headers.
pub fn at(verb: &str, p: &str) -> MockBuilder {
    authed(Mock::given(method(verb)).and(path(format!("{ZONE}{p}"))))
}

/// A query mock of `GET {zone}/v1.0/{entity}/query` whose `search` is exactly `search`.
pub fn at_query(entity: &str, search: Value) -> MockBuilder {
    at("GET", &format!("/{entity}/query")).and(SearchIs(search))
}

/// Matches when the `search` query parameter parses to exactly this JSON.
pub struct SearchIs(pub Value);

impl Match for SearchIs {
    fn matches(&self, request: &Request) -> bool {
        search_of(request).is_some_and(|s| s == self.0)
    }
}

/// The `search` parameter of a request, parsed.
pub fn search_of(request: &Request) -> Option<Value> {
    let (_, v) = request.url.query_pairs().find(|(k, _)| k == "search")?;
    serde_json::from_str(&v).ok()
}

/// One page of query results.
pub fn page(items: Vec<Value>, next: Option<String>) -> Value {
    json!({
        "items": items,
        "pageDetails": {"count": items.len(), "requestCount": 500, "prevPageUrl": null, "nextPageUrl": next}
    })
}

pub fn ticket_json(id: i64, company: i64, status: i64) -> Value {
    json!({
        "id": id,
        "ticketNumber": format!("T20261120.{id:04}"),
        "title": "VPN does not connect",
        "description": "Since this morning the VPN fails.",
        "companyID": company,
        "contactID": 55,
        "status": status,
        "priority": 1,
        "queueID": 29683354,
        "issueType": 3,
        "subIssueType": 10,
        "createDate": "2026-11-20T09:15:00.447Z",
        "userDefinedFields": []
    })
}

pub fn contact_json(id: i64, company: i64, email: &str) -> Value {
    json!({
        "id": id,
        "companyID": company,
        "firstName": "Jane",
        "lastName": "Doe",
        "emailAddress": email,
        "emailAddress2": "jane.old@contoso.com",
        "emailAddress3": null,
        "phone": "+1 555 0100",
        "mobilePhone": "",
        "isActive": 1
    })
}

/// `GET /Tickets/entityInformation/fields` with stock-like picklists.
pub fn fields_json() -> Value {
    let pl = |pairs: &[(&str, &str)]| -> Value {
        pairs
            .iter()
            .map(|(v, l)| json!({"value": v, "label": l, "isDefaultValue": false, "sortOrder": 0, "parentValue": "", "isActive": true, "isSystem": true}))
            .collect()
    };
    json!({"fields": [
        {"name": "id", "dataType": "long", "isPickList": false, "picklistValues": null},
        {"name": "status", "dataType": "integer", "isPickList": true, "picklistValues": pl(&[
            ("1", "New"), ("5", "Complete"), ("7", "Waiting Customer"), ("8", "In Progress"),
            ("12", "Waiting Vendor"), ("15", "Escalate")
        ])},
        {"name": "priority", "dataType": "integer", "isPickList": true, "picklistValues": pl(&[
            ("1", "High"), ("2", "Medium"), ("3", "Low"), ("4", "Critical")
        ])},
        {"name": "queueID", "dataType": "integer", "isPickList": true, "picklistValues": pl(&[
            ("29683354", "Level I Support"), ("29683355", "Level II Support")
        ])},
        {"name": "issueType", "dataType": "integer", "isPickList": true, "picklistValues": pl(&[
            ("3", "Network"), ("4", "Remote Access")
        ])},
        {"name": "subIssueType", "dataType": "integer", "isPickList": true, "picklistValues": [
            {"value": "10", "label": "VPN", "parentValue": "3", "isActive": true},
            {"value": "11", "label": "VPN", "parentValue": "4", "isActive": true},
            {"value": "12", "label": "Wi-Fi", "parentValue": "3", "isActive": true}
        ]}
    ]})
}

pub async fn mount_fields(server: &MockServer) {
    at("GET", "/Tickets/entityInformation/fields")
        .respond_with(ResponseTemplate::new(200).set_body_json(fields_json()))
        .mount(server)
        .await;
}

pub async fn mount_ticket(server: &MockServer, id: i64, company: i64) {
    at("GET", &format!("/Tickets/{id}"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"item": ticket_json(id, company, 1)})),
        )
        .mount(server)
        .await;
}

/// The contacts query `to_tickets` sends for requester e-mails of `ids`.
pub fn requester_search(company: i64, ids: &[i64]) -> Value {
    json!({"MaxRecords": 500, "filter": [
        {"op": "eq", "field": "companyID", "value": company},
        {"op": "in", "field": "id", "value": ids}
    ]})
}

pub async fn mount_requesters(server: &MockServer, company: i64, ids: &[i64]) {
    at_query("Contacts", requester_search(company, ids))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(
                ids.iter()
                    .map(|id| contact_json(*id, company, "jane@contoso.com"))
                    .collect(),
                None,
            )),
        )
        .mount(server)
        .await;
}

/// Requests received, as (method, path) pairs.
pub async fn calls(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_string()))
        .collect()
}

pub fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}
