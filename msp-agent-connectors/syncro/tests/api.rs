//! Every Syncro call against wiremock: method, path, query, headers, body, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::*;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, ContactId, Note, NoteVisibility, Priority, TenantId, TicketId, TicketStatus, TimeEntry,
};
use msp_agent_syncro::{StatusMap, Syncro};
use serde_json::{Value, json};
use wiremock::matchers::body_json;
use wiremock::{MockServer, Request, ResponseTemplate};

fn contoso() -> TenantId {
    TenantId::new("contoso")
}

fn t501() -> TicketId {
    TicketId::new("501")
}

fn note(visibility: NoteVisibility, text: &str) -> Note {
    Note {
        visibility,
        text: text.into(),
        author: "MSP Agent".into(),
    }
}

fn agent_time(minutes: u32) -> TimeEntry {
    TimeEntry {
        actor: Actor::Agent,
        minutes,
        billable: true,
        notes: "Reset Outlook profile".into(),
    }
}

async fn mount_ticket(server: &MockServer, ticket: Value) {
    sy("GET", "/tickets/501")
        .respond_with(ResponseTemplate::new(200).set_body_json(one_ticket(ticket)))
        .mount(server)
        .await;
}

async fn requests(server: &MockServer, verb: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == verb)
        .collect()
}

fn body_of(r: &Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

#[tokio::test]
async fn get_ticket_maps_fields() {
    let server = MockServer::start().await;
    sy("GET", "/tickets/501")
        .and(query_is(&[]))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(one_ticket(ticket_json(
                501,
                CONTOSO,
                "Waiting on Customer",
                "2026-11-20T09:15:00.000-05:00",
            ))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t501())
        .await
        .unwrap();
    assert_eq!(t.id, t501());
    assert_eq!(t.tenant, contoso());
    assert_eq!(t.subject, "Outlook keeps asking for a password");
    // The body is the oldest comment (Syncro's initial issue), whatever the array order.
    assert_eq!(t.body, "Since this morning Outlook prompts.");
    assert_eq!(t.status, TicketStatus::Waiting);
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.category.as_deref(), Some("Email"));
    assert_eq!(t.board, "");
    assert_eq!(t.requester, Some(ContactId::new("301")));
    assert_eq!(t.requester_email, "jane@contoso.com");
    assert_eq!(
        t.created_at,
        "2026-11-20T14:15:00Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[tokio::test]
async fn ticket_of_another_customer_is_refused() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, FABRIKAM, "New", "2026-11-20T09:15:00Z"),
    )
    .await;
    let sy = connector(&server.uri());
    let err = sy.get_ticket(&contoso(), &t501()).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = sy
        .add_note(&contoso(), &t501(), &note(NoteVisibility::Public, "hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = sy
        .log_time(&contoso(), &t501(), &agent_time(5))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    let err = sy
        .update_ticket(&contoso(), &t501(), &update)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let writes = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() != "GET")
        .count();
    assert_eq!(writes, 0);
    // The owning tenant sees it.
    let t = sy
        .get_ticket(&TenantId::new("fabrikam"), &t501())
        .await
        .unwrap();
    assert_eq!(t.tenant, TenantId::new("fabrikam"));
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let sy = connector(&server.uri());
    let ghost = TenantId::new("ghost");
    let board = TicketUpdate {
        board: Some("x".into()),
        ..TicketUpdate::default()
    };
    let outcomes: Vec<(&str, Result<(), CapabilityError>)> = vec![
        ("get_ticket", sy.get_ticket(&ghost, &t501()).await.map(drop)),
        (
            "search_tickets",
            sy.search_tickets(&ghost, &TicketQuery::default())
                .await
                .map(drop),
        ),
        (
            "update_ticket",
            sy.update_ticket(&ghost, &t501(), &board).await,
        ),
        (
            "add_note",
            sy.add_note(&ghost, &t501(), &note(NoteVisibility::Internal, "x"))
                .await,
        ),
        ("list_notes", sy.list_notes(&ghost, &t501()).await.map(drop)),
        (
            "log_time",
            sy.log_time(&ghost, &t501(), &agent_time(0)).await,
        ),
        (
            "list_time_entries",
            sy.list_time_entries(&ghost, &t501()).await.map(drop),
        ),
        (
            "find_contact_by_email",
            sy.find_contact_by_email(&ghost, "a@b.c").await.map(drop),
        ),
        (
            "get_contact",
            sy.get_contact(&ghost, &ContactId::new("1")).await.map(drop),
        ),
    ];
    for (call, outcome) in outcomes {
        assert_eq!(
            outcome,
            Err(CapabilityError::WrongTenant(ghost.clone())),
            "{call}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_sends_filters_and_rechecks_results() {
    let server = MockServer::start().await;
    // The requester e-mail is resolved to its contact first…
    sy("GET", "/contacts")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("query", "JANE@contoso.com"),
            ("page", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "contacts",
            vec![contact_json(301, CONTOSO, "jane@contoso.com")],
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let mut other_contact = list_ticket_json(504, CONTOSO, "New", "2026-11-22T09:00:00Z");
    other_contact["contact_id"] = json!(999);
    let mut no_match = list_ticket_json(505, CONTOSO, "New", "2026-11-22T10:00:00Z");
    no_match["subject"] = json!("Printer jam");
    no_match["comments"] = json!([]);
    // …then the tickets are listed by customer, contact, status and text.
    sy("GET", "/tickets")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("all_comments", "false"),
            ("contact_id", "301"),
            ("status", "New"),
            ("query", "outlook"),
            ("page", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "tickets",
            vec![
                list_ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
                // Another customer's ticket is dropped even if the server returned it.
                list_ticket_json(502, FABRIKAM, "New", "2026-11-23T09:00:00Z"),
                list_ticket_json(503, CONTOSO, "New", "2026-11-21T09:00:00Z"),
                other_contact,
                no_match,
                list_ticket_json(506, CONTOSO, "Resolved", "2026-11-24T09:00:00Z"),
            ],
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let query = TicketQuery {
        status: Some(TicketStatus::New),
        requester_email: Some("JANE@contoso.com".into()),
        text: Some("outlook".into()),
        limit: Some(10),
    };
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        ["503", "501"],
        "newest first; foreign, other contact, other status and non-matching dropped"
    );
    assert!(found.iter().all(|t| t.tenant == contoso()));
    assert!(
        found
            .iter()
            .all(|t| t.requester_email == "jane@contoso.com")
    );
    assert_eq!(found[0].body, "Since this morning Outlook prompts.");
}

#[tokio::test]
async fn search_for_unknown_requester_lists_nothing() {
    let server = MockServer::start().await;
    sy("GET", "/contacts")
        .respond_with(ResponseTemplate::new(200).set_body_json(listing("contacts", vec![], 1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    let query = TicketQuery {
        requester_email: Some("nobody@contoso.com".into()),
        ..TicketQuery::default()
    };
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(
        requests(&server, "GET").await.len(),
        1,
        "no ticket listing sent"
    );
}

#[tokio::test]
async fn search_resolves_requester_emails_once_per_contact() {
    let server = MockServer::start().await;
    let mut gone = list_ticket_json(903, CONTOSO, "New", "2026-11-23T09:00:00Z");
    gone["contact_id"] = json!(404);
    sy("GET", "/tickets")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("all_comments", "false"),
            ("page", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "tickets",
            vec![
                list_ticket_json(902, CONTOSO, "New", "2026-11-22T09:00:00Z"),
                list_ticket_json(901, CONTOSO, "New", "2026-11-21T09:00:00Z"),
                gone,
            ],
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    sy("GET", "/contacts/301")
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(
            301,
            CONTOSO,
            "jane@contoso.com",
        )))
        .expect(1)
        .mount(&server)
        .await;
    sy("GET", "/contacts/404")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
        .expect(1)
        .mount(&server)
        .await;
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &TicketQuery::default())
        .await
        .unwrap();
    let emails: Vec<(&str, &str)> = found
        .iter()
        .map(|t| (t.id.as_str(), t.requester_email.as_str()))
        .collect();
    assert_eq!(
        emails,
        [
            ("903", ""),
            ("902", "jane@contoso.com"),
            ("901", "jane@contoso.com")
        ]
    );
}

#[tokio::test]
async fn search_follows_total_pages_over_three_pages() {
    let server = MockServer::start().await;
    for (page, ids) in [(1u32, [610u64, 609]), (2, [608, 607]), (3, [606, 605])] {
        let items = ids
            .iter()
            .map(|id| ticket_json(*id, CONTOSO, "In Progress", "2026-11-20T09:00:00Z"))
            .collect();
        let page_s = page.to_string();
        sy("GET", "/tickets")
            .and(query_is(&[
                ("customer_id", "1001"),
                ("all_comments", "false"),
                ("page", &page_s),
            ]))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(listing("tickets", items, page, 3)),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &TicketQuery::default())
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["610", "609", "608", "607", "606", "605"]);
    // No page 4 was asked for: meta.total_pages said 3.
    assert_eq!(requests(&server, "GET").await.len(), 3);
}

#[tokio::test]
async fn search_limit_stops_paging_early() {
    let server = MockServer::start().await;
    sy("GET", "/tickets")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("all_comments", "false"),
            ("page", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "tickets",
            vec![
                ticket_json(703, CONTOSO, "New", "2026-11-23T09:00:00Z"),
                ticket_json(702, CONTOSO, "New", "2026-11-22T09:00:00Z"),
                ticket_json(701, CONTOSO, "New", "2026-11-21T09:00:00Z"),
            ],
            1,
            9,
        )))
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
    assert_eq!(found.len(), 2);
    assert_eq!(requests(&server, "GET").await.len(), 1);
}

#[tokio::test]
async fn search_status_with_several_names_lists_each() {
    let server = MockServer::start().await;
    for (status, id, created) in [
        ("Resolved", 801u64, "2026-11-20T09:00:00Z"),
        ("Invoiced", 802, "2026-11-21T09:00:00Z"),
    ] {
        sy("GET", "/tickets")
            .and(query_is(&[
                ("customer_id", "1001"),
                ("all_comments", "false"),
                ("status", status),
                ("page", "1"),
            ]))
            .respond_with(ResponseTemplate::new(200).set_body_json(listing(
                "tickets",
                vec![ticket_json(id, CONTOSO, status, created)],
                1,
                1,
            )))
            .expect(1)
            .mount(&server)
            .await;
    }
    let query = TicketQuery {
        status: Some(TicketStatus::Closed),
        ..TicketQuery::default()
    };
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["802", "801"]);
    assert!(found.iter().all(|t| t.status == TicketStatus::Closed));
}

#[tokio::test]
async fn update_puts_mapped_fields() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("PUT", "/tickets/501")
        .and(body_json(json!({
            "status": "In Progress",
            "priority": "0 Urgent",
            "problem_type": "Network"
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(one_ticket(ticket_json(
                501,
                CONTOSO,
                "In Progress",
                "2026-11-20T09:00:00Z",
            ))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        priority: Some(Priority::Critical),
        category: Some("Network".into()),
        board: None,
    };
    connector(&server.uri())
        .update_ticket(&contoso(), &t501(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn update_refuses_unmappable_fields_before_sending() {
    let server = MockServer::start().await;
    let sy = connector(&server.uri());
    let board = TicketUpdate {
        board: Some("Help Desk".into()),
        ..TicketUpdate::default()
    };
    let err = sy
        .update_ticket(&contoso(), &t501(), &board)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
    let escalate = TicketUpdate {
        status: Some(TicketStatus::Escalated),
        ..TicketUpdate::default()
    };
    let err = sy
        .update_ticket(&contoso(), &t501(), &escalate)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn configured_status_names_are_written() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("PUT", "/tickets/501")
        .and(body_json(json!({"status": "Escalated - L2"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server.uri())
        .statuses(StatusMap::default().write_as(TicketStatus::Escalated, "Escalated - L2"));
    let update = TicketUpdate {
        status: Some(TicketStatus::Escalated),
        ..TicketUpdate::default()
    };
    Syncro::new(config)
        .unwrap()
        .update_ticket(&contoso(), &t501(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn update_is_retried_on_5xx() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("PUT", "/tickets/501")
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    sy("PUT", "/tickets/501")
        .and(body_json(json!({"status": "Resolved"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    connector(&server.uri())
        .update_ticket(&contoso(), &t501(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn comments_carry_the_hidden_flag() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/comment")
        .and(body_json(json!({
            "subject": "Update",
            "body": "Checked the mailbox rules.",
            "hidden": true,
            "do_not_email": true,
            "tech": "MSP Agent"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": {"id": 20}})))
        .expect(1)
        .mount(&server)
        .await;
    sy("POST", "/tickets/501/comment")
        .and(body_json(json!({
            "subject": "Update",
            "body": "Please restart Outlook.",
            "hidden": false,
            "do_not_email": false,
            "tech": "MSP Agent"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": {"id": 21}})))
        .expect(1)
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    sy.add_note(
        &contoso(),
        &t501(),
        &note(NoteVisibility::Internal, "Checked the mailbox rules."),
    )
    .await
    .unwrap();
    sy.add_note(
        &contoso(),
        &t501(),
        &note(NoteVisibility::Public, "Please restart Outlook."),
    )
    .await
    .unwrap();
    let err = sy
        .add_note(&contoso(), &t501(), &note(NoteVisibility::Public, "  "))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn public_comments_can_be_kept_out_of_email() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/comment")
        .and(body_json(json!({
            "subject": "Note from msp-agent",
            "body": "Visible, not mailed.",
            "hidden": false,
            "do_not_email": true
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comment": {"id": 22}})))
        .expect(1)
        .mount(&server)
        .await;
    let config = config(&server.uri())
        .comment_subject("Note from msp-agent")
        .email_public_comments(false);
    let n = Note {
        visibility: NoteVisibility::Public,
        text: "Visible, not mailed.".into(),
        author: String::new(),
    };
    Syncro::new(config)
        .unwrap()
        .add_note(&contoso(), &t501(), &n)
        .await
        .unwrap();
}

#[tokio::test]
async fn comment_422_is_invalid_input_and_not_retried() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/comment")
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "success": false,
            "message": ["Body can't be blank", "Subject can't be blank"]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .add_note(&contoso(), &t501(), &note(NoteVisibility::Public, "x"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::InvalidInput("Body can't be blank; Subject can't be blank".into())
    );
}

#[tokio::test]
async fn notes_are_read_from_ticket_comments_oldest_first() {
    let server = MockServer::start().await;
    let mut t = ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z");
    t["comments"] = json!([
        comment_json(32, "2026-11-20T11:00:00Z", "Internal finding", true),
        comment_json(31, "2026-11-20T10:00:00Z", "Initial issue", false),
    ]);
    mount_ticket(&server, t).await;
    let notes = connector(&server.uri())
        .list_notes(&contoso(), &t501())
        .await
        .unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].text, "Initial issue");
    assert_eq!(notes[0].visibility, NoteVisibility::Public);
    assert_eq!(notes[1].text, "Internal finding");
    assert_eq!(notes[1].visibility, NoteVisibility::Internal);
    assert_eq!(notes[1].author, "Jo Tech");
}

#[tokio::test]
async fn log_time_posts_a_timer_entry_for_the_agent_user() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/timer_entry")
        .respond_with(ResponseTemplate::new(200).set_body_json(timer_json(
            AGENT_USER,
            360,
            true,
            "Reset Outlook profile",
        )))
        .expect(1)
        .mount(&server)
        .await;
    connector(&server.uri())
        .log_time(&contoso(), &t501(), &agent_time(6))
        .await
        .unwrap();
    let posts = requests(&server, "POST").await;
    let body = body_of(&posts[0]);
    assert_eq!(body["user_id"], json!(AGENT_USER));
    assert_eq!(body["notes"], json!("Reset Outlook profile"));
    assert_eq!(body["billable"], json!(true));
    let at = |k: &str| body[k].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!((at("end_at") - at("start_at")).num_minutes(), 6);
    assert!((Utc::now() - at("end_at")).num_seconds().abs() < 60);
    assert_eq!(body.as_object().unwrap().len(), 5, "{body}");
}

#[tokio::test]
async fn log_time_refusals_and_no_retry_of_posts() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/timer_entry")
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .expect(1)
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    let tech = TimeEntry {
        actor: Actor::Technician,
        ..agent_time(5)
    };
    let err = sy.log_time(&contoso(), &t501(), &tech).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
    let err = sy
        .log_time(&contoso(), &t501(), &agent_time(0))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    // A failed POST is not retried (expect(1) is verified on drop).
    let err = sy
        .log_time(&contoso(), &t501(), &agent_time(5))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn technician_time_uses_the_configured_user() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    sy("POST", "/tickets/501/timer_entry")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let sy = Syncro::new(config(&server.uri()).technician_user_id(5)).unwrap();
    let tech = TimeEntry {
        actor: Actor::Technician,
        ..agent_time(15)
    };
    sy.log_time(&contoso(), &t501(), &tech).await.unwrap();
    let body = body_of(&requests(&server, "POST").await[0]);
    assert_eq!(body["user_id"], json!(5));
}

#[tokio::test]
async fn time_entries_are_read_from_ticket_timers() {
    let server = MockServer::start().await;
    let mut t = ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z");
    t["ticket_timers"] = json!([
        timer_json(AGENT_USER, 360, false, "agent work"),
        timer_json(3, 1800, true, "tech work"),
    ]);
    mount_ticket(&server, t).await;
    let entries = connector(&server.uri())
        .list_time_entries(&contoso(), &t501())
        .await
        .unwrap();
    assert_eq!(
        entries,
        vec![
            TimeEntry {
                actor: Actor::Agent,
                minutes: 6,
                billable: false,
                notes: "agent work".into()
            },
            TimeEntry {
                actor: Actor::Technician,
                minutes: 30,
                billable: true,
                notes: "tech work".into()
            },
        ]
    );
}

#[tokio::test]
async fn find_contact_matches_email_exactly_within_the_customer() {
    let server = MockServer::start().await;
    sy("GET", "/contacts")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("query", "jane@contoso.com"),
            ("page", "1"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "contacts",
            vec![
                contact_json(300, CONTOSO, "jane@contoso.com.au"),
                contact_json(299, FABRIKAM, "jane@contoso.com"),
            ],
            1,
            2,
        )))
        .expect(1)
        .mount(&server)
        .await;
    sy("GET", "/contacts")
        .and(query_is(&[
            ("customer_id", "1001"),
            ("query", "jane@contoso.com"),
            ("page", "2"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(listing(
            "contacts",
            vec![contact_json(301, CONTOSO, "Jane@Contoso.com")],
            2,
            2,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let c = connector(&server.uri())
        .find_contact_by_email(&contoso(), " jane@contoso.com ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.id, ContactId::new("301"));
    assert_eq!(c.tenant, contoso());
    assert_eq!(c.name, "Jane Doe");
    assert_eq!(c.email, "Jane@Contoso.com");
    // `phone` is empty, so the mobile number is used.
    assert_eq!(c.phone.as_deref(), Some("+1 555 0101"));
}

#[tokio::test]
async fn find_contact_none_when_absent() {
    let server = MockServer::start().await;
    sy("GET", "/contacts")
        .respond_with(ResponseTemplate::new(200).set_body_json(listing("contacts", vec![], 1, 0)))
        .expect(1)
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    assert_eq!(
        sy.find_contact_by_email(&contoso(), "nobody@contoso.com")
            .await
            .unwrap(),
        None
    );
    let err = sy.find_contact_by_email(&contoso(), " ").await.unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn get_contact_accepts_wrapped_or_bare_and_checks_customer() {
    let server = MockServer::start().await;
    sy("GET", "/contacts/301")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(301, CONTOSO, "jane@contoso.com")})),
        )
        .mount(&server)
        .await;
    sy("GET", "/contacts/302")
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(
            302,
            CONTOSO,
            "al@contoso.com",
        )))
        .mount(&server)
        .await;
    sy("GET", "/contacts/299")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(contact_json(299, FABRIKAM, "x@f.com")),
        )
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    let c = sy
        .get_contact(&contoso(), &ContactId::new("301"))
        .await
        .unwrap();
    assert_eq!(c.email, "jane@contoso.com");
    let c = sy
        .get_contact(&contoso(), &ContactId::new("302"))
        .await
        .unwrap();
    assert_eq!(c.email, "al@contoso.com");
    let err = sy
        .get_contact(&contoso(), &ContactId::new("299"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = sy
        .get_contact(&contoso(), &ContactId::new("abc"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn status_errors_are_typed() {
    let server = MockServer::start().await;
    sy("GET", "/tickets/404")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
        .mount(&server)
        .await;
    wiremock::Mock::given(wiremock::matchers::path("/tickets/401"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "Invalid API token"})),
        )
        .mount(&server)
        .await;
    sy("GET", "/tickets/403")
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"error": "Permission denied: Tickets - View Details"})),
        )
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    let tenant = contoso();
    let get = async |id: &str| sy.get_ticket(&tenant, &TicketId::new(id)).await;
    assert_eq!(
        get("404").await.unwrap_err(),
        CapabilityError::NotFound("Not found".into())
    );
    assert_eq!(
        get("401").await.unwrap_err(),
        CapabilityError::Unauthorized("Invalid API token".into())
    );
    assert_eq!(
        get("403").await.unwrap_err(),
        CapabilityError::Forbidden("Permission denied: Tickets - View Details".into())
    );
    let err = get("T-1").await.unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn rate_limit_429_honours_retry_after() {
    let server = MockServer::start().await;
    sy("GET", "/tickets/501")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    let started = Instant::now();
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t501())
        .await
        .unwrap();
    assert_eq!(t.id, t501());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn persistent_429_and_5xx_surface_after_retries() {
    let server = MockServer::start().await;
    sy("GET", "/tickets/501")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    sy("GET", "/tickets/502")
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .expect(3)
        .mount(&server)
        .await;
    let sy = connector(&server.uri());
    assert_eq!(
        sy.get_ticket(&contoso(), &t501()).await.unwrap_err(),
        CapabilityError::RateLimited {
            retry_after: Some(Duration::ZERO)
        }
    );
    let err = sy
        .get_ticket(&contoso(), &TicketId::new("502"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn token_stays_out_of_urls_and_debug_output() {
    let server = MockServer::start().await;
    mount_ticket(
        &server,
        ticket_json(501, CONTOSO, "New", "2026-11-20T09:00:00Z"),
    )
    .await;
    let sy = connector(&server.uri());
    sy.get_ticket(&contoso(), &t501()).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| !r.url.as_str().contains(TOKEN)));
    assert_eq!(
        reqs[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        BEARER
    );
    assert!(!format!("{sy:?}").contains(TOKEN));
    assert!(!format!("{:?}", config(&server.uri())).contains(TOKEN));
}
