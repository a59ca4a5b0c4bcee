//! The core TicketSystem conformance suite against a stateful Autotask fake (wiremock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

#[derive(Default)]
struct Fake {
    status: i64,
    notes: Vec<Value>,
    entries: Vec<Value>,
}

fn ok(v: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

/// Whether a query's `search` filter has an expression on `field` whose value is or
/// contains `value` (nested `or` groups included).
fn mentions(r: &Request, field: &str, value: Value) -> bool {
    fn scan(v: &Value, field: &str, value: &Value) -> bool {
        match v {
            Value::Array(items) => items.iter().any(|i| scan(i, field, value)),
            Value::Object(o) => {
                let hit = o.get("field").and_then(Value::as_str) == Some(field)
                    && o.get("value").is_some_and(|x| {
                        x == value || x.as_array().is_some_and(|a| a.contains(value))
                    });
                hit || o.values().any(|x| scan(x, field, value))
            }
            _ => false,
        }
    }
    search_of(r).is_some_and(|s| scan(&s, field, &value))
}

async fn fake_autotask() -> MockServer {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    mount_fields(&server).await;
    let state = Arc::new(Mutex::new(Fake {
        status: 1,
        ..Fake::default()
    }));

    let s = state.clone();
    at("GET", "/Tickets/101")
        .respond_with(move |_: &Request| {
            let status = s.lock().unwrap().status;
            ok(json!({"item": ticket_json(101, CONTOSO, status)}))
        })
        .mount(&server)
        .await;
    at("GET", "/Tickets/999")
        .respond_with(ok(json!({"item": null})))
        .mount(&server)
        .await;
    at("GET", "/Tickets/query")
        .respond_with(|r: &Request| {
            if mentions(r, "companyID", json!(CONTOSO)) {
                ok(page(
                    vec![ticket_json(102, CONTOSO, 1), ticket_json(101, CONTOSO, 1)],
                    None,
                ))
            } else {
                ok(page(vec![], None))
            }
        })
        .mount(&server)
        .await;
    at("GET", "/Contacts/query")
        .respond_with(|r: &Request| {
            let hit = mentions(r, "emailAddress", json!("jane@contoso.com"))
                || mentions(r, "id", json!(55));
            let items = if hit {
                vec![contact_json(55, CONTOSO, "jane@contoso.com")]
            } else {
                vec![]
            };
            ok(page(items, None))
        })
        .mount(&server)
        .await;
    at("GET", "/Contacts/55")
        .respond_with(ok(
            json!({"item": contact_json(55, CONTOSO, "jane@contoso.com")}),
        ))
        .mount(&server)
        .await;

    let s = state.clone();
    at("POST", "/Tickets/101/Notes")
        .respond_with(move |r: &Request| {
            let mut fake = s.lock().unwrap();
            let mut note = body(r);
            let id = 5000 + fake.notes.len() as i64;
            note["id"] = json!(id);
            note["creatorResourceID"] = json!(AGENT);
            note["createDateTime"] = json!("2026-11-25T10:00:00Z");
            fake.notes.push(note);
            ok(json!({"itemId": id}))
        })
        .mount(&server)
        .await;
    let s = state.clone();
    at("GET", "/TicketNotes/query")
        .respond_with(move |_: &Request| ok(page(s.lock().unwrap().notes.clone(), None)))
        .mount(&server)
        .await;

    let s = state.clone();
    at("POST", "/TimeEntries")
        .respond_with(move |r: &Request| {
            let mut fake = s.lock().unwrap();
            let mut entry = body(r);
            let id = 9000 + fake.entries.len() as i64;
            entry["id"] = json!(id);
            fake.entries.push(entry);
            ok(json!({"itemId": id}))
        })
        .mount(&server)
        .await;
    let s = state.clone();
    at("GET", "/TimeEntries/query")
        .respond_with(move |_: &Request| ok(page(s.lock().unwrap().entries.clone(), None)))
        .mount(&server)
        .await;

    let s = state.clone();
    at("PATCH", "/Tickets")
        .respond_with(move |r: &Request| {
            if body(r) == json!({"id": 101, "status": 8}) {
                s.lock().unwrap().status = 8;
                ok(json!({"itemId": 101}))
            } else {
                ResponseTemplate::new(500).set_body_json(json!({"errors": ["unexpected patch"]}))
            }
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn autotask_passes_the_ticket_system_conformance_suite() {
    let server = fake_autotask().await;
    let at = connector(&server);
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("contoso"),
        ticket: TicketId::new("101"),
        missing_ticket: TicketId::new("999"),
        contact_email: "jane@contoso.com".into(),
        unknown_email: "nobody@contoso.com".into(),
        foreign_tenant: Some(TenantId::new("fabrikam")),
        unmapped_tenant: TenantId::new("ghost"),
        writes: true,
    };
    let passed = check_ticket_system(&at, &fixture).await.unwrap();
    for check in [
        "get_ticket",
        "missing_ticket",
        "foreign_ticket",
        "unmapped_tenant",
        "search_tickets",
        "find_contact",
        "unknown_contact",
        "internal_note",
        "public_note",
        "time_entry",
        "update_status",
    ] {
        assert!(passed.contains(&check), "{check} not passed: {passed:?}");
    }
    // One zone discovery, one picklist fetch, however many calls the suite made.
    let calls = calls(&server).await;
    let count = |p: &str| calls.iter().filter(|(_, c)| c.ends_with(p)).count();
    assert_eq!(count("/zoneInformation"), 1);
    assert_eq!(count("/entityInformation/fields"), 1);
}
