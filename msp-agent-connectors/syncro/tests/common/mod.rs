//! Shared test helpers: a connector pointed at wiremock and Syncro-shaped fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_http::RetryPolicy;
use msp_agent_syncro::{Syncro, SyncroConfig};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, MockBuilder, Request};

pub const TOKEN: &str = "T0k3n-abc.def";
pub const BEARER: &str = "Bearer T0k3n-abc.def";
/// Syncro user the agent's time is logged under.
pub const AGENT_USER: u64 = 77;
/// Customer of tenant `contoso`.
pub const CONTOSO: u64 = 1001;
/// Customer of tenant `fabrikam`.
pub const FABRIKAM: u64 = 2002;

pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(3),
    }
}

pub fn config(base: &str) -> SyncroConfig {
    SyncroConfig::new(base, SecretString::from(TOKEN.to_string()), AGENT_USER)
        .tenant("contoso", CONTOSO)
        .tenant("fabrikam", FABRIKAM)
        .retry(quick_retry())
        .rate_limit(None)
        .timeout(Duration::from_secs(5))
}

pub fn connector(base: &str) -> Syncro {
    Syncro::new(config(base)).unwrap()
}

/// A mock of `verb p` that only matches with the bearer token and no `api_key` in the URL.
pub fn sy(verb: &str, p: &str) -> MockBuilder {
    wiremock::Mock::given(method(verb))
        .and(path(p))
        .and(header("Authorization", BEARER))
        .and(|r: &Request| !r.url.query_pairs().any(|(k, _)| k == "api_key"))
}

/// Matches when the query string holds exactly these pairs, in any order.
pub fn query_is(pairs: &[(&str, &str)]) -> impl Match + use<> {
    let mut want: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    move |r: &Request| {
        let mut got: Vec<(String, String)> = r
            .url
            .query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        got.sort();
        got == want
    }
}

pub fn comment_json(id: u64, at: &str, body: &str, hidden: bool) -> Value {
    json!({
        "id": id, "created_at": at, "updated_at": at, "ticket_id": 501,
        "subject": "Update", "body": body, "tech": "Jo Tech", "hidden": hidden, "user_id": 3
    })
}

pub fn timer_json(user: u64, secs: u64, billable: bool, notes: &str) -> Value {
    json!({
        "id": 9, "ticket_id": 501, "user_id": user,
        "start_time": "2026-11-20T10:00:00.000Z", "end_time": "2026-11-20T10:30:00.000Z",
        "recorded": false, "billable": billable, "notes": notes, "product_id": null,
        "comment_id": null, "ticket_line_item_id": null, "active_duration": secs
    })
}

/// A ticket as Syncro returns it (list item or inside `{"ticket": …}`).
pub fn ticket_json(id: u64, customer: u64, status: &str, created: &str) -> Value {
    json!({
        "id": id,
        "number": 20000 + id,
        "subject": "Outlook keeps asking for a password",
        "created_at": created,
        "customer_id": customer,
        "customer_business_then_name": "Contoso Ltd",
        "due_date": null, "resolved_at": null, "start_at": null, "end_at": null,
        "location_id": null,
        "problem_type": "Email",
        "status": status,
        "ticket_type_id": null,
        "properties": {},
        "user_id": 3,
        "updated_at": created,
        "priority": "1 High",
        "contact_id": 301,
        "comments": [
            comment_json(12, "2026-11-20T09:20:00.000-05:00", "Tried restarting.", false),
            comment_json(11, "2026-11-20T09:15:00.000-05:00", "Since this morning Outlook prompts.", false)
        ],
        "ticket_timers": [],
        "contact": {"id": 301, "name": "Jane Doe", "email": "jane@contoso.com", "phone": "555-0100"},
        "customer": {"id": customer, "business_name": "Contoso Ltd", "email": "office@contoso.com"}
    })
}

pub fn one_ticket(t: Value) -> Value {
    json!({ "ticket": t })
}

pub fn contact_json(id: u64, customer: u64, email: &str) -> Value {
    json!({
        "id": id, "name": "Jane Doe", "address1": null, "city": null, "state": null, "zip": null,
        "email": email, "phone": "", "mobile": "+1 555 0101", "customer_id": customer,
        "notes": null, "created_at": "2025-01-01T00:00:00.000Z", "properties": {}
    })
}

pub fn listing(key: &str, items: Vec<Value>, page: u32, total_pages: u32) -> Value {
    json!({ key: items, "meta": {"total_pages": total_pages, "total_entries": 0, "per_page": 25, "page": page} })
}

/// A ticket as `GET /tickets` lists it: no embedded contact or customer, and with
/// `all_comments=false` only the initial comment.
pub fn list_ticket_json(id: u64, customer: u64, status: &str, created: &str) -> Value {
    let mut t = ticket_json(id, customer, status, created);
    let obj = t.as_object_mut().unwrap();
    obj.remove("contact");
    obj.remove("customer");
    obj.remove("ticket_timers");
    obj.insert(
        "comments".into(),
        json!([comment_json(
            11,
            created,
            "Since this morning Outlook prompts.",
            false
        )]),
    );
    t
}
