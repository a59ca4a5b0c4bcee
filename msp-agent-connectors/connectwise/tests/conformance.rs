//! The core TicketSystem conformance suite against a stateful ConnectWise fake (wiremock).
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
    status: String,
    notes: Vec<Value>,
    entries: Vec<Value>,
}

fn body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

async fn fake_connectwise() -> MockServer {
    let server = MockServer::start().await;
    let state = Arc::new(Mutex::new(Fake {
        status: "New".into(),
        ..Fake::default()
    }));

    let s = state.clone();
    cw("GET", "/service/tickets/101")
        .respond_with(move |_: &Request| {
            let status = s.lock().unwrap().status.clone();
            ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, &status))
        })
        .mount(&server)
        .await;
    cw("GET", "/service/tickets/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"code": "NotFound", "message": "Ticket ID 999 was not found", "errors": null}),
        ))
        .mount(&server)
        .await;
    cw("GET", "/service/tickets")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            ticket_json(102, 250, "New"),
            ticket_json(101, 250, "New"),
        ])))
        .mount(&server)
        .await;
    cw("GET", "/company/contacts")
        .respond_with(|r: &Request| {
            let child = r
                .url
                .query_pairs()
                .find(|(k, _)| k == "childConditions")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let found = if child.contains(r#""jane@contoso.com""#) {
                json!([contact_json(55, 250, "jane@contoso.com")])
            } else {
                json!([])
            };
            ResponseTemplate::new(200).set_body_json(found)
        })
        .mount(&server)
        .await;
    cw("GET", "/company/contacts/55")
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(
            55,
            250,
            "jane@contoso.com",
        )))
        .mount(&server)
        .await;

    let s = state.clone();
    cw("POST", "/service/tickets/101/notes")
        .respond_with(move |r: &Request| {
            let mut note = body(r);
            note["member"] = json!({"identifier": AGENT, "name": "MSP Agent"});
            s.lock().unwrap().notes.push(note.clone());
            ResponseTemplate::new(201).set_body_json(note)
        })
        .mount(&server)
        .await;
    let s = state.clone();
    cw("GET", "/service/tickets/101/notes")
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200).set_body_json(Value::Array(s.lock().unwrap().notes.clone()))
        })
        .mount(&server)
        .await;

    let s = state.clone();
    cw("POST", "/time/entries")
        .respond_with(move |r: &Request| {
            let mut entry = body(r);
            // ConnectWise answers with the member reference expanded.
            entry["member"] =
                json!({"id": 12, "identifier": entry["member"]["identifier"], "name": "MSP Agent"});
            s.lock().unwrap().entries.push(entry.clone());
            ResponseTemplate::new(201).set_body_json(entry)
        })
        .mount(&server)
        .await;
    let s = state.clone();
    cw("GET", "/time/entries")
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200)
                .set_body_json(Value::Array(s.lock().unwrap().entries.clone()))
        })
        .mount(&server)
        .await;

    cw("GET", "/service/boards/1/statuses")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": 7, "name": "In Progress"}])),
        )
        .mount(&server)
        .await;
    let s = state.clone();
    cw("PATCH", "/service/tickets/101")
        .respond_with(move |r: &Request| {
            if body(r) == json!([{"op": "replace", "path": "status", "value": {"id": 7}}]) {
                s.lock().unwrap().status = "In Progress".into();
                ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, "In Progress"))
            } else {
                ResponseTemplate::new(400).set_body_json(
                    json!({"code": "InvalidObject", "message": "unexpected patch", "errors": []}),
                )
            }
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn connectwise_passes_the_ticket_system_conformance_suite() {
    let server = fake_connectwise().await;
    let cw = connector(&server.uri());
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
    let passed = check_ticket_system(&cw, &fixture).await.unwrap();
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
}
