//! Every Halo call against wiremock: method, path, query, headers, body, token, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::*;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, ContactId, Note, NoteVisibility, Priority, TenantId, TicketId, TicketStatus, TimeEntry,
};
use msp_agent_halopsa::HaloPsa;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn contoso() -> TenantId {
    TenantId::new("contoso")
}

fn t101() -> TicketId {
    TicketId::new("101")
}

fn note(visibility: NoteVisibility, text: &str) -> Note {
    Note {
        visibility,
        text: text.into(),
        author: "msp-agent".into(),
    }
}

async fn mount_ticket(server: &MockServer, client: u64, status_id: u64) {
    halo("GET", "/Tickets/101")
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, client, status_id)))
        .mount(server)
        .await;
}

async fn writes(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path().starts_with("/api/"))
        .collect()
}

#[tokio::test]
async fn token_is_requested_with_the_client_credentials_form_and_cached() {
    let server = MockServer::start().await;
    token_endpoint()
        .respond_with(token_response(TOKEN))
        .expect(1)
        .mount(&server)
        .await;
    halo("GET", "/Tickets/101")
        .and(exact_query(&[]))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, CONTOSO, 1)))
        .expect(3)
        .mount(&server)
        .await;
    // The status list is fetched once and served from the cache afterwards.
    mount_statuses(&server, 1).await;
    let halo = connector(&server.uri());
    for _ in 0..3 {
        halo.get_ticket(&contoso(), &t101()).await.unwrap();
    }
    let token_calls: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/auth/token")
        .collect();
    assert_eq!(token_calls.len(), 1);
    assert_eq!(
        String::from_utf8(token_calls[0].body.clone()).unwrap(),
        TOKEN_FORM
    );
    assert_eq!(token_calls[0].url.query(), Some("tenant=mymsp"));
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once() {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let n = issued.clone();
    token_endpoint()
        .respond_with(move |_: &Request| {
            let i = n.fetch_add(1, Ordering::SeqCst) + 1;
            token_response(&format!("tok-{i}"))
        })
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/101"))
        .and(header("Authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401).set_body_string("token expired"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/101"))
        .and(header("Authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, CONTOSO, 1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(statuses_json()))
        .mount(&server)
        .await;
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refused_credentials_are_unauthorized() {
    let server = MockServer::start().await;
    token_endpoint()
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_client", "error_description": "Invalid client secret"}),
        ))
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unauthorized(_)), "{err:?}");
    assert!(
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|r| !r.url.path().starts_with("/api/"))
    );
}

#[tokio::test]
async fn get_ticket_maps_fields() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 4).await;
    mount_statuses(&server, 1).await;
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert_eq!(t.tenant, contoso());
    assert_eq!(t.subject, "VPN does not connect");
    assert_eq!(t.body, "Since this morning the VPN fails.");
    assert_eq!(t.status, TicketStatus::Waiting);
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.board, "Service Desk");
    assert_eq!(t.category.as_deref(), Some("Network>VPN"));
    assert_eq!(t.requester, Some(ContactId::new("55")));
    assert_eq!(t.requester_email, "jane@contoso.com");
    assert_eq!(
        t.created_at,
        "2026-11-20T09:15:00Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[tokio::test]
async fn ticket_of_another_client_is_refused_and_never_written() {
    let server = server().await;
    mount_ticket(&server, FABRIKAM, 1).await;
    mount_statuses(&server, 1).await;
    let halo = connector(&server.uri());
    let err = halo.get_ticket(&contoso(), &t101()).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = halo
        .add_note(&contoso(), &t101(), &note(NoteVisibility::Public, "hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    let err = halo
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    assert!(writes(&server).await.is_empty());
    // The owning tenant sees it.
    let t = halo
        .get_ticket(&TenantId::new("fabrikam"), &t101())
        .await
        .unwrap();
    assert_eq!(t.tenant, TenantId::new("fabrikam"));
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let halo = connector(&server.uri());
    let ghost = TenantId::new("ghost");
    let wrong = |e: CapabilityError| matches!(e, CapabilityError::WrongTenant(t) if t == ghost);
    assert!(wrong(halo.get_ticket(&ghost, &t101()).await.unwrap_err()));
    assert!(wrong(
        halo.search_tickets(&ghost, &TicketQuery::default())
            .await
            .unwrap_err()
    ));
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    assert!(wrong(
        halo.update_ticket(&ghost, &t101(), &update)
            .await
            .unwrap_err()
    ));
    assert!(wrong(
        halo.add_note(&ghost, &t101(), &note(NoteVisibility::Internal, "x"))
            .await
            .unwrap_err()
    ));
    assert!(wrong(halo.list_notes(&ghost, &t101()).await.unwrap_err()));
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 5,
        billable: false,
        notes: "x".into(),
    };
    assert!(wrong(
        halo.log_time(&ghost, &t101(), &entry).await.unwrap_err()
    ));
    assert!(wrong(
        halo.list_time_entries(&ghost, &t101()).await.unwrap_err()
    ));
    assert!(wrong(
        halo.find_contact_by_email(&ghost, "a@b.c")
            .await
            .unwrap_err()
    ));
    assert!(wrong(
        halo.get_contact(&ghost, &ContactId::new("1"))
            .await
            .unwrap_err()
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_pages_through_tickets_of_the_client() {
    let server = server().await;
    mount_statuses(&server, 1).await;
    let pages = [
        (
            "1",
            json!([ticket_json(106, CONTOSO, 1), ticket_json(105, CONTOSO, 2)]),
        ),
        (
            "2",
            // A ticket of another client is dropped even if the server returned it.
            json!([ticket_json(104, FABRIKAM, 1), ticket_json(103, CONTOSO, 9)]),
        ),
        ("3", json!([ticket_json(102, CONTOSO, 1)])),
    ];
    for (page, tickets) in pages {
        halo("GET", "/Tickets")
            .and(exact_query(&[
                ("client_id", "12"),
                ("order", "id"),
                ("orderdesc", "true"),
                ("pageinate", "true"),
                ("page_size", "2"),
                ("page_no", page),
            ]))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"page_no": page.parse::<u32>().unwrap(), "page_size": 2, "record_count": 5, "tickets": tickets}),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let halo = HaloPsa::new(config(&server.uri()).page_size(2)).unwrap();
    let found = halo
        .search_tickets(&contoso(), &TicketQuery::default())
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["106", "105", "103", "102"]);
    assert!(found.iter().all(|t| t.tenant == contoso()));
    assert_eq!(found[2].status, TicketStatus::Closed);
}

#[tokio::test]
async fn search_filters_and_stops_at_the_limit() {
    let server = server().await;
    mount_statuses(&server, 1).await;
    let mut other = ticket_json(104, CONTOSO, 1);
    other["user_email"] = json!("bob@contoso.com");
    let mut no_match = ticket_json(103, CONTOSO, 1);
    no_match["summary"] = json!("Printer jam");
    no_match["details"] = json!("Tray 2");
    halo("GET", "/Tickets")
        .and(exact_query(&[
            ("client_id", "12"),
            ("order", "id"),
            ("orderdesc", "true"),
            ("search", "vpn & co"),
            ("pageinate", "true"),
            ("page_size", "100"),
            ("page_no", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "record_count": 1,
            "tickets": [ticket_json(101, CONTOSO, 1)]
        })))
        .expect(1)
        .mount(&server)
        .await;
    halo("GET", "/Tickets")
        .and(exact_query(&[
            ("client_id", "12"),
            ("order", "id"),
            ("orderdesc", "true"),
            ("search", "VPN"),
            ("pageinate", "true"),
            ("page_size", "100"),
            ("page_no", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "record_count": 5,
            "tickets": [
                ticket_json(106, CONTOSO, 2),
                other,
                no_match,
                ticket_json(102, CONTOSO, 1),
                ticket_json(101, CONTOSO, 1),
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    // Halo's search matched, but neither subject nor body contains the text: dropped.
    let query = TicketQuery {
        text: Some("vpn & co".into()),
        ..TicketQuery::default()
    };
    assert!(
        halo.search_tickets(&contoso(), &query)
            .await
            .unwrap()
            .is_empty()
    );
    // 106 is in progress, 104 is Bob's, 103 does not mention VPN; 102 fills the limit.
    let query = TicketQuery {
        status: Some(TicketStatus::New),
        requester_email: Some("JANE@contoso.com".into()),
        text: Some("VPN".into()),
        limit: Some(1),
    };
    let found = halo.search_tickets(&contoso(), &query).await.unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["102"]);
}

#[tokio::test]
async fn search_with_limit_asks_for_small_pages() {
    let server = server().await;
    mount_statuses(&server, 1).await;
    halo("GET", "/Tickets")
        .and(exact_query(&[
            ("client_id", "12"),
            ("order", "id"),
            ("orderdesc", "true"),
            ("pageinate", "true"),
            ("page_size", "2"),
            ("page_no", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "record_count": 40,
            "tickets": [ticket_json(106, CONTOSO, 1), ticket_json(105, CONTOSO, 1)]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let query = TicketQuery {
        limit: Some(2),
        ..TicketQuery::default()
    };
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    // Two tickets and no second page: the limit was reached.
    assert_eq!(found.len(), 2);
}

#[tokio::test]
async fn update_posts_changed_fields_with_the_id_and_caches_status_ids() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    mount_statuses(&server, 1).await;
    halo("GET", "/Team")
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!([{"id": 3, "name": "Projects"}, {"id": 7, "name": "Service Desk"}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    halo("POST", "/Tickets")
        .and(header("content-type", "application/json"))
        .and(body_json(json!([{
            "id": 101,
            "status_id": 2,
            "priority_id": 1,
            "team_id": 7,
            "category_1": "Network>VPN"
        }])))
        .respond_with(ResponseTemplate::new(201).set_body_json(ticket_json(101, CONTOSO, 2)))
        .expect(1)
        .mount(&server)
        .await;
    halo("POST", "/Tickets")
        .and(body_json(json!([{"id": 101, "status_id": 9}])))
        .respond_with(ResponseTemplate::new(201).set_body_json(ticket_json(101, CONTOSO, 9)))
        .expect(1)
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        priority: Some(Priority::Critical),
        board: Some("service desk".into()),
        category: Some("Network>VPN".into()),
    };
    halo.update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
    let close = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    halo.update_ticket(&contoso(), &t101(), &close)
        .await
        .unwrap();
    // Nothing to change: no write at all.
    halo.update_ticket(&contoso(), &t101(), &TicketUpdate::default())
        .await
        .unwrap();
    assert_eq!(writes(&server).await.len(), 2);
}

#[tokio::test]
async fn unknown_status_name_reloads_the_list_once_then_fails() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    // First load (cache) and one reload on the miss.
    mount_statuses(&server, 2).await;
    let halo = connector(&server.uri());
    let update = TicketUpdate {
        status: Some(TicketStatus::Escalated),
        ..TicketUpdate::default()
    };
    let err = halo
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CapabilityError::InvalidInput(m) if m.contains("Escalated")),
        "{err:?}"
    );
    assert!(writes(&server).await.is_empty());
}

#[tokio::test]
async fn ticket_update_is_retried_after_a_server_error() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    mount_statuses(&server, 1).await;
    halo("POST", "/Tickets")
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    halo("POST", "/Tickets")
        .and(body_json(json!([{"id": 101, "status_id": 2}])))
        .respond_with(ResponseTemplate::new(201).set_body_json(ticket_json(101, CONTOSO, 2)))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        ..TicketUpdate::default()
    };
    connector(&server.uri())
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn notes_are_actions_with_visibility() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    for (text, hidden) in [("internal text", true), ("public text", false)] {
        halo("POST", "/Actions")
            .and(body_json(json!([{
                "ticket_id": 101,
                "note": text,
                "outcome": "Note",
                "hiddenfromuser": hidden,
                "who_agentid": AGENT_ID
            }])))
            .respond_with(
                ResponseTemplate::new(201)
                    .set_body_json(action_json(1, 101, text, hidden, 42, 0.0)),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let halo = connector(&server.uri());
    halo.add_note(
        &contoso(),
        &t101(),
        &note(NoteVisibility::Internal, "internal text"),
    )
    .await
    .unwrap();
    halo.add_note(
        &contoso(),
        &t101(),
        &note(NoteVisibility::Public, "public text"),
    )
    .await
    .unwrap();
    let err = halo
        .add_note(&contoso(), &t101(), &note(NoteVisibility::Public, "  "))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn list_notes_reads_actions_of_the_ticket() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    halo("GET", "/Actions")
        .and(exact_query(&[("ticket_id", "101"), ("excludesys", "true")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "record_count": 4,
            "actions": [
                action_json(1, 101, "Customer called", false, 7, 0.0),
                action_json(2, 101, "Checked the firewall", true, 42, 0.25),
                action_json(3, 101, "", true, 7, 0.0),
                action_json(4, 999, "stray action of another ticket", false, 7, 0.0)
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let notes = connector(&server.uri())
        .list_notes(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(
        notes,
        vec![
            Note {
                visibility: NoteVisibility::Public,
                text: "Customer called".into(),
                author: "John Smith".into()
            },
            Note {
                visibility: NoteVisibility::Internal,
                text: "Checked the firewall".into(),
                author: "MSP Agent".into()
            },
        ]
    );
}

#[tokio::test]
async fn agent_time_is_an_action_in_hours_under_the_agent_id() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    halo("POST", "/Actions")
        .and(body_json(json!([{
            "ticket_id": 101,
            "note": "Reset VPN profile",
            "outcome": "Time Entry",
            "hiddenfromuser": true,
            "who_agentid": AGENT_ID,
            "timetaken": 0.25,
            "actisbillable": true
        }])))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9})))
        .expect(1)
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 15,
        billable: true,
        notes: "Reset VPN profile".into(),
    };
    halo.log_time(&contoso(), &t101(), &entry).await.unwrap();
    // Technician time needs a configured technician agent.
    let tech = TimeEntry {
        actor: Actor::Technician,
        ..entry.clone()
    };
    let err = halo.log_time(&contoso(), &t101(), &tech).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
    let zero = TimeEntry {
        minutes: 0,
        ..entry
    };
    let err = halo.log_time(&contoso(), &t101(), &zero).await.unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert_eq!(writes(&server).await.len(), 1);
}

#[tokio::test]
async fn technician_time_uses_the_technician_agent() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    halo("POST", "/Actions")
        .and(body_json(json!([{
            "ticket_id": 101,
            "note": "On site",
            "outcome": "Time Entry",
            "hiddenfromuser": true,
            "who_agentid": 7,
            "timetaken": 1.5,
            "actisbillable": false
        }])))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9})))
        .expect(1)
        .mount(&server)
        .await;
    let halo = HaloPsa::new(config(&server.uri()).technician_agent_id(7)).unwrap();
    let entry = TimeEntry {
        actor: Actor::Technician,
        minutes: 90,
        billable: false,
        notes: "On site".into(),
    };
    halo.log_time(&contoso(), &t101(), &entry).await.unwrap();
}

#[tokio::test]
async fn time_entries_tell_agent_from_technician() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    let mut billable = action_json(3, 101, "Replaced switch", false, 7, 1.5);
    billable["actisbillable"] = json!(true);
    halo("GET", "/Actions")
        .and(exact_query(&[("ticket_id", "101"), ("excludesys", "true")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "record_count": 3,
            "actions": [
                action_json(1, 101, "Customer called", false, 7, 0.0),
                action_json(2, 101, "Triage", true, 42, 0.1),
                billable
            ]
        })))
        .mount(&server)
        .await;
    let entries = connector(&server.uri())
        .list_time_entries(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(
        entries,
        vec![
            TimeEntry {
                actor: Actor::Agent,
                minutes: 6,
                billable: false,
                notes: "Triage".into()
            },
            TimeEntry {
                actor: Actor::Technician,
                minutes: 90,
                billable: true,
                notes: "Replaced switch".into()
            },
        ]
    );
}

#[tokio::test]
async fn creating_an_action_is_never_retried() {
    let server = server().await;
    mount_ticket(&server, CONTOSO, 1).await;
    halo("POST", "/Actions")
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .add_note(&contoso(), &t101(), &note(NoteVisibility::Internal, "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");

    let server = MockServer::start().await;
    token_endpoint()
        .respond_with(token_response(TOKEN))
        .mount(&server)
        .await;
    mount_ticket(&server, CONTOSO, 1).await;
    halo("POST", "/Actions")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .expect(1)
        .mount(&server)
        .await;
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 5,
        billable: false,
        notes: "x".into(),
    };
    let err = connector(&server.uri())
        .log_time(&contoso(), &t101(), &entry)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
}

#[tokio::test]
async fn reads_wait_for_retry_after_on_429() {
    let server = server().await;
    mount_statuses(&server, 1).await;
    halo("GET", "/Tickets/101")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_ticket(&server, CONTOSO, 1).await;
    let started = Instant::now();
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn reads_give_up_after_repeated_server_errors() {
    let server = server().await;
    halo("GET", "/Tickets/101")
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal Server Error"))
        .expect(3)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn missing_objects_and_bad_ids_are_errors() {
    let server = server().await;
    halo("GET", "/Tickets/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!("Ticket 999 not found")))
        .expect(1)
        .mount(&server)
        .await;
    halo("GET", "/Users/77")
        .respond_with(ResponseTemplate::new(404).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    halo("GET", "/Tickets/101")
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"message": "The API application is not allowed to access tickets"}),
        ))
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    let err = halo
        .get_ticket(&contoso(), &TicketId::new("999"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::NotFound("Ticket 999 not found".into())
    );
    let err = halo
        .get_contact(&contoso(), &ContactId::new("77"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = halo.get_ticket(&contoso(), &t101()).await.unwrap_err();
    assert_eq!(
        err,
        CapabilityError::Forbidden("The API application is not allowed to access tickets".into())
    );
    let err = halo
        .get_ticket(&contoso(), &TicketId::new("T-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn contact_is_found_by_exact_address_across_pages() {
    let server = server().await;
    let pages = [
        (
            "1",
            // The search also matches names: only an exact address of the client counts.
            json!([
                user_json(50, CONTOSO, "jane.doe@contoso.com"),
                user_json(51, FABRIKAM, "jane@contoso.com")
            ]),
        ),
        (
            "2",
            json!([
                user_json(55, CONTOSO, "Jane@Contoso.com"),
                user_json(56, CONTOSO, "x@contoso.com")
            ]),
        ),
    ];
    for (page, users) in pages {
        halo("GET", "/Users")
            .and(exact_query(&[
                ("client_id", "12"),
                ("search", "jane@contoso.com"),
                ("pageinate", "true"),
                ("page_size", "2"),
                ("page_no", page),
            ]))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"record_count": 6, "users": users})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    // Page 3 is never asked for: the contact was found on page 2.
    let halo = HaloPsa::new(config(&server.uri()).page_size(2)).unwrap();
    let c = halo
        .find_contact_by_email(&contoso(), " jane@contoso.com ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.id, ContactId::new("55"));
    assert_eq!(c.tenant, contoso());
    assert_eq!(c.name, "Jane Doe");
    assert_eq!(c.email, "Jane@Contoso.com");
    assert_eq!(c.phone.as_deref(), Some("+1 555 0100"));
}

#[tokio::test]
async fn unknown_address_finds_nobody() {
    let server = server().await;
    halo("GET", "/Users")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"record_count": 0, "users": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    assert_eq!(
        halo.find_contact_by_email(&contoso(), "nobody@contoso.com")
            .await
            .unwrap(),
        None
    );
    let err = halo
        .find_contact_by_email(&contoso(), " ")
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn contact_of_another_client_is_not_found() {
    let server = server().await;
    halo("GET", "/Users/55")
        .and(exact_query(&[]))
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json(
            55,
            FABRIKAM,
            "jane@fabrikam.com",
        )))
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    let err = halo
        .get_contact(&contoso(), &ContactId::new("55"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let c = halo
        .get_contact(&TenantId::new("fabrikam"), &ContactId::new("55"))
        .await
        .unwrap();
    assert_eq!(c.email, "jane@fabrikam.com");
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let halo = connector("https://mymsp.halopsa.com");
    let shown = format!("{halo:?} {:?}", halo.config());
    assert!(!shown.contains(APP_SECRET), "{shown}");
}

#[tokio::test]
async fn client_name_checks_a_tenant_mapping() {
    let server = server().await;
    halo("GET", "/Client/12")
        .and(exact_query(&[]))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 12, "name": "Contoso Ltd", "inactive": false})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let halo = connector(&server.uri());
    assert_eq!(halo.client_name(&contoso()).await.unwrap(), "Contoso Ltd");
    let err = halo.client_name(&TenantId::new("ghost")).await.unwrap_err();
    assert!(matches!(err, CapabilityError::WrongTenant(_)), "{err:?}");
}
