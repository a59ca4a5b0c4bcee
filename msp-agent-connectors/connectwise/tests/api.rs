//! Every ConnectWise call against wiremock: method, path, query, headers, body, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::*;
use msp_agent_connectwise::ConnectWise;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{TicketQuery, TicketSystem, TicketUpdate};
use msp_agent_core::domain::{
    Actor, ContactId, Note, NoteVisibility, Priority, TenantId, TicketId, TicketStatus, TimeEntry,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

fn contoso() -> TenantId {
    TenantId::new("contoso")
}

fn t101() -> TicketId {
    TicketId::new("101")
}

async fn mount_ticket(server: &MockServer, company: u64) {
    cw("GET", "/service/tickets/101")
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, company, "New")))
        .mount(server)
        .await;
}

#[tokio::test]
async fn get_ticket_maps_fields() {
    let server = MockServer::start().await;
    cw("GET", "/service/tickets/101")
        .and(exact_query(&[]))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, "New")))
        .expect(1)
        .mount(&server)
        .await;
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert_eq!(t.tenant, contoso());
    assert_eq!(t.subject, "VPN does not connect");
    assert_eq!(t.body, "Since this morning the VPN fails.");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.board, "Help Desk");
    assert_eq!(t.category.as_deref(), Some("Network / VPN"));
    assert_eq!(t.requester, Some(ContactId::new("55")));
    assert_eq!(t.requester_email, "jane@contoso.com");
    assert_eq!(
        t.created_at,
        "2026-11-20T09:15:00Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[tokio::test]
async fn ticket_of_another_company_is_refused() {
    let server = MockServer::start().await;
    mount_ticket(&server, 300).await;
    let cw = connector(&server.uri());
    let err = cw.get_ticket(&contoso(), &t101()).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    // Nor can it be written to through the wrong tenant.
    let note = Note {
        visibility: NoteVisibility::Public,
        text: "hi".into(),
        author: "agent".into(),
    };
    let err = cw.add_note(&contoso(), &t101(), &note).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() != "GET")
        .count();
    assert_eq!(posts, 0);
    // The owning tenant sees it.
    assert!(
        cw.get_ticket(&TenantId::new("fabrikam"), &t101())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let cw = connector(&server.uri());
    let ghost = TenantId::new("ghost");
    let wrong = |e: CapabilityError| matches!(e, CapabilityError::WrongTenant(t) if t == ghost);
    assert!(wrong(cw.get_ticket(&ghost, &t101()).await.unwrap_err()));
    assert!(wrong(
        cw.search_tickets(&ghost, &TicketQuery::default())
            .await
            .unwrap_err()
    ));
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    assert!(wrong(
        cw.update_ticket(&ghost, &t101(), &update)
            .await
            .unwrap_err()
    ));
    let note = Note {
        visibility: NoteVisibility::Internal,
        text: "x".into(),
        author: "a".into(),
    };
    assert!(wrong(
        cw.add_note(&ghost, &t101(), &note).await.unwrap_err()
    ));
    assert!(wrong(cw.list_notes(&ghost, &t101()).await.unwrap_err()));
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 5,
        billable: false,
        notes: "x".into(),
    };
    assert!(wrong(
        cw.log_time(&ghost, &t101(), &entry).await.unwrap_err()
    ));
    assert!(wrong(
        cw.list_time_entries(&ghost, &t101()).await.unwrap_err()
    ));
    assert!(wrong(
        cw.find_contact_by_email(&ghost, "a@b.c").await.unwrap_err()
    ));
    assert!(wrong(
        cw.get_contact(&ghost, &ContactId::new("1"))
            .await
            .unwrap_err()
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_builds_escaped_conditions() {
    let server = MockServer::start().await;
    let conditions = r#"company/id=250 and status/name in ("New","New (email)") and contactEmailAddress="o\"hara@contoso.com" and summary contains "vpn\" or company/id=300 or summary=\"""#;
    cw("GET", "/service/tickets")
        .and(exact_query(&[
            ("conditions", conditions),
            ("orderBy", "id desc"),
            ("page", "1"),
            ("pageSize", "5"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            ticket_json(103, 250, "New"),
            ticket_json(102, 250, "New (email)"),
            // A ticket of another company is dropped even if the server returned it.
            ticket_json(101, 300, "New"),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let query = TicketQuery {
        status: Some(TicketStatus::New),
        requester_email: Some(r#"o"hara@contoso.com"#.into()),
        text: Some(r#"vpn" or company/id=300 or summary=""#.into()),
        limit: Some(5),
    };
    let found = connector(&server.uri())
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["103", "102"]);
    assert!(found.iter().all(|t| t.status == TicketStatus::New));
}

#[tokio::test]
async fn listings_follow_link_headers_over_pages() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    let uri = server.uri();
    let link = |page: u32| {
        format!(
            "<{uri}/service/tickets/101/notes?orderBy=id%20asc&page={page}&pageSize=2>; rel=\"next\", <{uri}/service/tickets/101/notes?orderBy=id%20asc&page=3&pageSize=2>; rel=\"last\""
        )
    };
    let note = |id: u32, internal: bool| {
        json!({"id": id, "ticketId": 101, "text": format!("note {id}"),
               "detailDescriptionFlag": !internal, "internalAnalysisFlag": internal,
               "resolutionFlag": false, "member": {"id": 9, "identifier": "jsmith", "name": "John Smith"}})
    };
    for (page, body, next) in [
        (1, json!([note(1, false), note(2, true)]), Some(link(2))),
        (2, json!([note(3, false), note(4, true)]), Some(link(3))),
        (3, json!([note(5, false)]), None),
    ] {
        let mut resp = ResponseTemplate::new(200).set_body_json(body);
        if let Some(next) = next {
            resp = resp.insert_header("Link", next.as_str());
        }
        cw("GET", "/service/tickets/101/notes")
            .and(exact_query(&[
                ("orderBy", "id asc"),
                ("page", &page.to_string()),
                ("pageSize", "2"),
            ]))
            .respond_with(resp)
            .expect(1)
            .mount(&server)
            .await;
    }
    let cw = ConnectWise::new(config(&uri).page_size(2)).unwrap();
    let notes = cw.list_notes(&contoso(), &t101()).await.unwrap();
    let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["note 1", "note 2", "note 3", "note 4", "note 5"]);
    assert_eq!(notes[0].visibility, NoteVisibility::Public);
    assert_eq!(notes[1].visibility, NoteVisibility::Internal);
    assert_eq!(notes[0].author, "John Smith");
}

#[tokio::test]
async fn update_sends_exact_json_patch() {
    let server = MockServer::start().await;
    cw("GET", "/service/tickets/101")
        .and(query_param("fields", "id,company,board"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, "New")))
        .mount(&server)
        .await;
    let lookups = [
        ("/service/boards", r#"name="Escalations""#, 2),
        ("/service/boards/2/statuses", r#"name="Closed""#, 21),
        (
            "/service/priorities",
            r#"name="Priority 1 - Emergency Response""#,
            15,
        ),
        ("/service/boards/2/types", r#"name="Security""#, 31),
        ("/service/boards/2/subtypes", r#"name="Phishing""#, 41),
    ];
    for (p, cond, id) in lookups {
        let name = cond.trim_start_matches("name=").trim_matches('"');
        cw("GET", p)
            .and(exact_query(&[("conditions", cond)]))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!([{"id": id, "name": name}])),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    cw("PATCH", "/service/tickets/101")
        .and(body_json(json!([
            {"op": "replace", "path": "board", "value": {"id": 2}},
            {"op": "replace", "path": "status", "value": {"id": 21}},
            {"op": "replace", "path": "priority", "value": {"id": 15}},
            {"op": "replace", "path": "type", "value": {"id": 31}},
            {"op": "replace", "path": "subType", "value": {"id": 41}},
        ])))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, "Closed")))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        priority: Some(Priority::Critical),
        board: Some("Escalations".into()),
        category: Some("Security / Phishing".into()),
    };
    connector(&server.uri())
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn board_status_ids_are_cached() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    cw("GET", "/service/boards/1/statuses")
        .and(exact_query(&[("conditions", r#"name="In Progress""#)]))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": 7, "name": "In Progress"}])),
        )
        .expect(1)
        .mount(&server)
        .await;
    cw("PATCH", "/service/tickets/101")
        .and(body_json(
            json!([{"op": "replace", "path": "status", "value": {"id": 7}}]),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(
            101,
            250,
            "In Progress",
        )))
        .expect(2)
        .mount(&server)
        .await;
    let cw = connector(&server.uri());
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        ..TicketUpdate::default()
    };
    cw.update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
    cw.update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn unknown_status_name_is_invalid_input() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    cw("GET", "/service/boards/1/statuses")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::Escalated),
        ..TicketUpdate::default()
    };
    let err = connector(&server.uri())
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn notes_are_posted_with_visibility_flags() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    for (text, internal) in [("internal text", true), ("public text", false)] {
        cw("POST", "/service/tickets/101/notes")
            .and(body_json(json!({
                "text": text,
                "detailDescriptionFlag": !internal,
                "internalAnalysisFlag": internal,
                "resolutionFlag": false,
            })))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 1})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let cw = connector(&server.uri());
    for (text, visibility) in [
        ("internal text", NoteVisibility::Internal),
        ("public text", NoteVisibility::Public),
    ] {
        let note = Note {
            visibility,
            text: text.into(),
            author: "msp-agent".into(),
        };
        cw.add_note(&contoso(), &t101(), &note).await.unwrap();
    }
}

#[tokio::test]
async fn post_is_not_retried_on_server_error() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    cw("POST", "/time/entries")
        .respond_with(ResponseTemplate::new(503).set_body_json(
            json!({"code": "ServiceUnavailable", "message": "try later", "errors": null}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    cw("POST", "/service/tickets/101/notes")
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let cw = connector(&server.uri());
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 6,
        billable: false,
        notes: "x".into(),
    };
    let err = cw.log_time(&contoso(), &t101(), &entry).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
    let note = Note {
        visibility: NoteVisibility::Public,
        text: "x".into(),
        author: "a".into(),
    };
    let err = cw.add_note(&contoso(), &t101(), &note).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn time_entry_body_and_actor_mapping() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    cw("POST", "/time/entries")
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 77})))
        .expect(2)
        .mount(&server)
        .await;
    cw("GET", "/time/entries")
        .and(exact_query(&[
            (
                "conditions",
                r#"chargeToType="ServiceTicket" and chargeToId=101"#,
            ),
            ("orderBy", "timeStart asc"),
            ("page", "1"),
            ("pageSize", "100"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "chargeToId": 101, "chargeToType": "ServiceTicket",
             "member": {"id": 12, "identifier": "MSP-Agent", "name": "MSP Agent"},
             "timeStart": "2026-11-25T09:00:00Z", "timeEnd": "2026-11-25T09:06:00Z",
             "actualHours": 0.1, "billableOption": "DoNotBill", "notes": "agent work"},
            {"id": 2, "chargeToId": 101, "chargeToType": "ServiceTicket",
             "member": {"id": 13, "identifier": "jsmith", "name": "John Smith"},
             "timeStart": "2026-11-25T10:00:00Z", "timeEnd": "2026-11-25T10:45:00Z",
             "billableOption": "Billable", "notes": "onsite"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let cw = ConnectWise::new(config(&server.uri()).technician_member("jsmith")).unwrap();
    let agent = TimeEntry {
        actor: Actor::Agent,
        minutes: 6,
        billable: false,
        notes: "reset password".into(),
    };
    cw.log_time(&contoso(), &t101(), &agent).await.unwrap();
    let tech = TimeEntry {
        actor: Actor::Technician,
        minutes: 90,
        billable: true,
        notes: "onsite".into(),
    };
    cw.log_time(&contoso(), &t101(), &tech).await.unwrap();

    let posts: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(posts.len(), 2);
    for (body, member, minutes, billable, notes) in [
        (&posts[0], AGENT, 6, "DoNotBill", "reset password"),
        (&posts[1], "jsmith", 90, "Billable", "onsite"),
    ] {
        let obj = body.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "billableOption",
                "chargeToId",
                "chargeToType",
                "member",
                "notes",
                "timeEnd",
                "timeStart"
            ]
        );
        assert_eq!(body["chargeToId"], 101);
        assert_eq!(body["chargeToType"], "ServiceTicket");
        assert_eq!(body["member"], json!({"identifier": member}));
        assert_eq!(body["billableOption"], billable);
        assert_eq!(body["notes"], notes);
        let time = |k: &str| {
            let s = body[k].as_str().unwrap();
            assert!(s.ends_with('Z') && !s.contains('.'), "{s}");
            s.parse::<DateTime<Utc>>().unwrap()
        };
        assert_eq!((time("timeEnd") - time("timeStart")).num_minutes(), minutes);
    }

    let entries = cw.list_time_entries(&contoso(), &t101()).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].actor, entries[0].minutes, entries[0].billable),
        (Actor::Agent, 6, false)
    );
    assert_eq!(
        (entries[1].actor, entries[1].minutes, entries[1].billable),
        (Actor::Technician, 45, true)
    );
}

#[tokio::test]
async fn technician_time_needs_a_configured_member() {
    let server = MockServer::start().await;
    let tech = TimeEntry {
        actor: Actor::Technician,
        minutes: 10,
        billable: true,
        notes: "x".into(),
    };
    let err = connector(&server.uri())
        .log_time(&contoso(), &t101(), &tech)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn contact_lookup_uses_child_conditions() {
    let server = MockServer::start().await;
    cw("GET", "/company/contacts")
        .and(exact_query(&[
            ("conditions", "company/id=250 and inactiveFlag=false"),
            (
                "childConditions",
                r#"communicationItems/value="Jane@Contoso.com" AND communicationItems/communicationType="Email""#,
            ),
            ("orderBy", "id asc"),
            ("page", "1"),
            ("pageSize", "10"),
        ]))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([contact_json(55, 250, "jane@contoso.com")])),
        )
        .expect(1)
        .mount(&server)
        .await;
    cw("GET", "/company/contacts")
        .and(query_param(
            "childConditions",
            r#"communicationItems/value="x\" or 1=1 or \"" AND communicationItems/communicationType="Email""#,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
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
    cw("GET", "/company/contacts/56")
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(
            56,
            300,
            "bob@fabrikam.com",
        )))
        .mount(&server)
        .await;
    let cw = connector(&server.uri());
    let c = cw
        .find_contact_by_email(&contoso(), "Jane@Contoso.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.id, ContactId::new("55"));
    assert_eq!(c.name, "Jane Doe");
    assert_eq!(c.email, "jane@contoso.com");
    assert_eq!(c.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(c.tenant, contoso());
    assert!(
        cw.find_contact_by_email(&contoso(), r#"x" or 1=1 or ""#)
            .await
            .unwrap()
            .is_none()
    );
    let again = cw.get_contact(&contoso(), &c.id).await.unwrap();
    assert_eq!(again.email, "jane@contoso.com");
    let err = cw
        .get_contact(&contoso(), &ContactId::new("56"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn vendor_errors_are_typed() {
    let server = MockServer::start().await;
    cw("GET", "/service/tickets/404")
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"code": "NotFound", "message": "Ticket ID 404 was not found", "errors": null}),
        ))
        .mount(&server)
        .await;
    cw("GET", "/service/tickets/401")
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": "Unauthorized", "message": "Invalid credentials", "errors": null}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let cw = connector(&server.uri());
    let err = cw
        .get_ticket(&contoso(), &TicketId::new("404"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::NotFound("NotFound: Ticket ID 404 was not found".into())
    );
    let err = cw
        .get_ticket(&contoso(), &TicketId::new("401"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::Unauthorized("Unauthorized: Invalid credentials".into())
    );
    let err = cw
        .get_ticket(&contoso(), &TicketId::new("../company/companies"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn validation_errors_carry_the_vendor_message() {
    let server = MockServer::start().await;
    mount_ticket(&server, 250).await;
    cw("GET", "/service/boards/1/statuses")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": 9, "name": "Closed"}])),
        )
        .mount(&server)
        .await;
    cw("PATCH", "/service/tickets/101")
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "InvalidObject", "message": "ticket object is invalid",
            "errors": [{"code": "InvalidValue", "message": "Resolution required", "resource": "ticket", "field": "status"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    let err = connector(&server.uri())
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::InvalidInput(
            "InvalidObject: ticket object is invalid [status: Resolution required]".into()
        )
    );
}

#[tokio::test]
async fn get_is_retried_after_429_retry_after() {
    let server = MockServer::start().await;
    cw("GET", "/service/tickets/101")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    cw("GET", "/service/tickets/101")
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket_json(101, 250, "New")))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let t = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn persistent_429_is_rate_limited() {
    let server = MockServer::start().await;
    cw("GET", "/service/tickets/101")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CapabilityError::RateLimited { .. }),
        "{err:?}"
    );
}
