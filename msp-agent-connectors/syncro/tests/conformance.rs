//! The core TicketSystem conformance suite against a stateful Syncro fake (wiremock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

/// What the fake Syncro account remembers between calls.
struct Account {
    ticket: Value,
}

fn json_body(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn query(r: &Request, key: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn fake_syncro() -> MockServer {
    let server = MockServer::start().await;
    let account = Arc::new(Mutex::new(Account {
        ticket: ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    }));

    let a = account.clone();
    sy("GET", "/tickets/501")
        .respond_with(move |_: &Request| {
            ResponseTemplate::new(200).set_body_json(one_ticket(a.lock().unwrap().ticket.clone()))
        })
        .mount(&server)
        .await;
    sy("GET", "/tickets/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
        .mount(&server)
        .await;
    sy("GET", "/tickets")
        .respond_with(|r: &Request| {
            let page: u32 = query(r, "page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let items = (0..4)
                .map(|i| {
                    ticket_json(
                        600 + u64::from(page) * 10 + i,
                        CONTOSO,
                        "New",
                        "2026-11-21T09:00:00Z",
                    )
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(listing("tickets", items, page, 2))
        })
        .mount(&server)
        .await;
    sy("GET", "/contacts")
        .respond_with(|r: &Request| {
            let found = match query(r, "query").as_deref() {
                Some("jane@contoso.com") => vec![contact_json(301, CONTOSO, "jane@contoso.com")],
                _ => vec![],
            };
            ResponseTemplate::new(200).set_body_json(listing("contacts", found, 1, 1))
        })
        .mount(&server)
        .await;
    sy("GET", "/contacts/301")
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(
            301,
            CONTOSO,
            "jane@contoso.com",
        )))
        .mount(&server)
        .await;

    let a = account.clone();
    sy("POST", "/tickets/501/comment")
        .respond_with(move |r: &Request| {
            let sent = json_body(r);
            let comment = json!({
                "id": 900, "created_at": "2026-11-25T10:00:00Z", "ticket_id": 501,
                "subject": sent["subject"], "body": sent["body"], "tech": sent["tech"],
                "hidden": sent["hidden"], "user_id": AGENT_USER
            });
            let mut acc = a.lock().unwrap();
            acc.ticket["comments"]
                .as_array_mut()
                .unwrap()
                .push(comment.clone());
            ResponseTemplate::new(200).set_body_json(json!({ "comment": comment }))
        })
        .mount(&server)
        .await;

    let a = account.clone();
    sy("POST", "/tickets/501/timer_entry")
        .respond_with(move |r: &Request| {
            let sent = json_body(r);
            let start: chrono::DateTime<chrono::Utc> =
                sent["start_at"].as_str().unwrap().parse().unwrap();
            let end: chrono::DateTime<chrono::Utc> =
                sent["end_at"].as_str().unwrap().parse().unwrap();
            let timer = json!({
                "id": 77, "ticket_id": 501, "user_id": sent["user_id"],
                "start_time": sent["start_at"], "end_time": sent["end_at"], "recorded": false,
                "billable": sent["billable"], "notes": sent["notes"],
                "active_duration": (end - start).num_seconds()
            });
            let mut acc = a.lock().unwrap();
            acc.ticket["ticket_timers"]
                .as_array_mut()
                .unwrap()
                .push(timer.clone());
            ResponseTemplate::new(200).set_body_json(timer)
        })
        .mount(&server)
        .await;

    let a = account.clone();
    sy("PUT", "/tickets/501")
        .respond_with(move |r: &Request| {
            let sent = json_body(r);
            if sent != json!({"status": "In Progress"}) {
                return ResponseTemplate::new(422)
                    .set_body_json(json!({"error": "unexpected update"}));
            }
            let mut acc = a.lock().unwrap();
            acc.ticket["status"] = sent["status"].clone();
            ResponseTemplate::new(200).set_body_json(one_ticket(acc.ticket.clone()))
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn syncro_passes_the_ticket_system_conformance_suite() {
    let server = fake_syncro().await;
    let psa = connector(&server.uri());
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("contoso"),
        ticket: TicketId::new("501"),
        missing_ticket: TicketId::new("999"),
        contact_email: "jane@contoso.com".into(),
        unknown_email: "nobody@contoso.com".into(),
        foreign_tenant: Some(TenantId::new("fabrikam")),
        unmapped_tenant: TenantId::new("ghost"),
        writes: true,
    };
    let passed = check_ticket_system(&psa, &fixture).await.unwrap();
    assert_eq!(
        passed,
        [
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
        ]
    );
    // The write checks went through Syncro's endpoints with the documented flags.
    let sent = server.received_requests().await.unwrap();
    let comments: Vec<Value> = sent
        .iter()
        .filter(|r| r.url.path() == "/tickets/501/comment")
        .map(json_body)
        .collect();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["hidden"], json!(true));
    assert_eq!(comments[1]["hidden"], json!(false));
}
