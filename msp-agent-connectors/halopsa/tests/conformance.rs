//! The core TicketSystem conformance suite against a stateful Halo fake (wiremock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

/// What the fake instance remembers: ticket 101's status and its actions.
struct State {
    status_id: u64,
    actions: Vec<Value>,
}

fn first_of(r: &Request) -> Value {
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    body[0].clone()
}

fn query(r: &Request, name: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn fake_halo() -> MockServer {
    let server = server().await;
    let state = Arc::new(Mutex::new(State {
        status_id: 1,
        actions: Vec::new(),
    }));
    mount_statuses(&server, 1).await;

    let s = state.clone();
    halo("GET", "/Tickets/101")
        .respond_with(move |_: &Request| {
            let status = s.lock().unwrap().status_id;
            ResponseTemplate::new(200).set_body_json(ticket_json(101, CONTOSO, status))
        })
        .mount(&server)
        .await;
    halo("GET", "/Tickets/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!("Ticket not found")))
        .mount(&server)
        .await;
    halo("GET", "/Tickets")
        .respond_with(|r: &Request| {
            let client: u64 = query(r, "client_id").unwrap().parse().unwrap();
            ResponseTemplate::new(200).set_body_json(json!({
                "record_count": 2,
                "tickets": [ticket_json(102, client, 1), ticket_json(101, client, 1)]
            }))
        })
        .mount(&server)
        .await;
    halo("GET", "/Users")
        .respond_with(|r: &Request| {
            let users = if query(r, "search").as_deref() == Some("jane@contoso.com") {
                json!([user_json(55, CONTOSO, "jane@contoso.com")])
            } else {
                json!([])
            };
            ResponseTemplate::new(200).set_body_json(json!({"record_count": 1, "users": users}))
        })
        .mount(&server)
        .await;
    halo("GET", "/Users/55")
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json(
            55,
            CONTOSO,
            "jane@contoso.com",
        )))
        .mount(&server)
        .await;

    let s = state.clone();
    halo("POST", "/Actions")
        .respond_with(move |r: &Request| {
            let mut action = first_of(r);
            let mut st = s.lock().unwrap();
            action["id"] = json!(st.actions.len() + 1);
            action["who"] = json!("MSP Agent");
            st.actions.push(action.clone());
            ResponseTemplate::new(201).set_body_json(action)
        })
        .mount(&server)
        .await;
    let s = state.clone();
    halo("GET", "/Actions")
        .respond_with(move |_: &Request| {
            let actions = s.lock().unwrap().actions.clone();
            ResponseTemplate::new(200)
                .set_body_json(json!({"record_count": actions.len(), "actions": actions}))
        })
        .mount(&server)
        .await;

    let s = state.clone();
    halo("POST", "/Tickets")
        .respond_with(move |r: &Request| {
            let change = first_of(r);
            if change == json!({"id": 101, "status_id": 2}) {
                s.lock().unwrap().status_id = 2;
                ResponseTemplate::new(201).set_body_json(ticket_json(101, CONTOSO, 2))
            } else {
                ResponseTemplate::new(400).set_body_json(json!("unexpected update"))
            }
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn halo_passes_the_ticket_system_conformance_suite() {
    let server = fake_halo().await;
    let halo = connector(&server.uri());
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
    let passed = check_ticket_system(&halo, &fixture).await.unwrap();
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
