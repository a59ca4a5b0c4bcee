//! Every Autotask call against wiremock: zone discovery, method, path, search JSON,
//! headers, bodies, paging, picklist cache and error paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use msp_agent_autotask::{Autotask, ThresholdInformation};
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

fn note(visibility: NoteVisibility, text: &str) -> Note {
    Note {
        visibility,
        text: text.into(),
        author: "msp-agent".into(),
    }
}

/// A server with zone discovery, picklists, ticket 101 of `company` and its requester.
async fn ready(company: i64) -> MockServer {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    mount_fields(&server).await;
    mount_ticket(&server, 101, company).await;
    mount_requesters(&server, company, &[55]).await;
    server
}

#[tokio::test]
async fn zone_is_discovered_once_before_the_first_call() {
    let server = MockServer::start().await;
    discovery()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "zoneName": "Pre-Release",
            "url": format!("{}/ATServicesRest/", server.uri()),
            "webUrl": "https://ww2.autotask.net/", "ci": 1
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_fields(&server).await;
    mount_ticket(&server, 101, CONTOSO).await;
    mount_requesters(&server, CONTOSO, &[55]).await;
    let at = connector(&server);
    at.get_ticket(&contoso(), &t101()).await.unwrap();
    at.get_ticket(&contoso(), &t101()).await.unwrap();
    assert_eq!(
        at.zone_base_url().await.unwrap(),
        format!("{}/ATServicesRest/v1.0", server.uri())
    );
    let calls = calls(&server).await;
    assert_eq!(
        calls[0],
        ("GET".into(), "/atservicesrest/v1.0/zoneInformation".into())
    );
    assert_eq!(
        calls
            .iter()
            .filter(|(_, p)| p.ends_with("zoneInformation"))
            .count(),
        1
    );
    assert!(
        calls[1..].iter().all(|(_, p)| p.starts_with(ZONE)),
        "{calls:?}"
    );
}

#[tokio::test]
async fn configured_zone_skips_discovery() {
    let server = MockServer::start().await;
    mount_fields(&server).await;
    mount_ticket(&server, 101, CONTOSO).await;
    mount_requesters(&server, CONTOSO, &[55]).await;
    let at = Autotask::new(config(&server).zone_url(format!("{}/ATServicesRest", server.uri())))
        .unwrap();
    at.get_ticket(&contoso(), &t101()).await.unwrap();
    assert!(
        calls(&server)
            .await
            .iter()
            .all(|(_, p)| !p.contains("zoneInformation"))
    );
}

#[tokio::test]
async fn failed_discovery_is_not_cached() {
    let server = MockServer::start().await;
    discovery()
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"errors": ["Invalid credentials"]})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_zone(&server).await;
    mount_fields(&server).await;
    mount_ticket(&server, 101, CONTOSO).await;
    mount_requesters(&server, CONTOSO, &[55]).await;
    let at = connector(&server);
    let err = at.get_ticket(&contoso(), &t101()).await.unwrap_err();
    assert_eq!(
        err,
        CapabilityError::Unauthorized("Invalid credentials".into())
    );
    assert!(at.get_ticket(&contoso(), &t101()).await.is_ok());
}

#[tokio::test]
async fn discovery_without_url_is_permanent() {
    let server = MockServer::start().await;
    discovery()
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"zoneName": null, "url": null})),
        )
        .mount(&server)
        .await;
    let err = connector(&server)
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Permanent(_)), "{err:?}");
}

#[tokio::test]
async fn get_ticket_maps_fields_and_picklists() {
    let server = ready(CONTOSO).await;
    let t = connector(&server)
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(t.id, t101());
    assert_eq!(t.tenant, contoso());
    assert_eq!(t.subject, "VPN does not connect");
    assert_eq!(t.body, "Since this morning the VPN fails.");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.priority, Priority::High);
    assert_eq!(t.board, "Level I Support");
    assert_eq!(t.category.as_deref(), Some("Network / VPN"));
    assert_eq!(t.requester, Some(ContactId::new("55")));
    assert_eq!(t.requester_email, "jane@contoso.com");
    assert_eq!(
        t.created_at,
        "2026-11-20T09:15:00.447Z".parse::<DateTime<Utc>>().unwrap()
    );
}

#[tokio::test]
async fn picklists_are_fetched_once() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/Tickets/entityInformation/fields")
        .respond_with(ResponseTemplate::new(200).set_body_json(fields_json()))
        .expect(1)
        .mount(&server)
        .await;
    mount_ticket(&server, 101, CONTOSO).await;
    mount_requesters(&server, CONTOSO, &[55]).await;
    at("PATCH", "/Tickets")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"itemId": 101})))
        .mount(&server)
        .await;
    let at = connector(&server);
    at.get_ticket(&contoso(), &t101()).await.unwrap();
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    at.update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
    at.get_ticket(&contoso(), &t101()).await.unwrap();
}

#[tokio::test]
async fn ticket_of_another_company_is_refused() {
    let server = ready(FABRIKAM).await;
    let at = connector(&server);
    let err = at.get_ticket(&contoso(), &t101()).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = at
        .add_note(&contoso(), &t101(), &note(NoteVisibility::Public, "hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    assert!(calls(&server).await.iter().all(|(m, _)| m == "GET"));
    assert!(
        at.get_ticket(&TenantId::new("fabrikam"), &t101())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn missing_ticket_is_not_found() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/Tickets/999")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": null})))
        .mount(&server)
        .await;
    at("GET", "/Tickets/998")
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"errors": ["Ticket 998 not found"]})),
        )
        .mount(&server)
        .await;
    let at = connector(&server);
    let err = at
        .get_ticket(&contoso(), &TicketId::new("999"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = at
        .get_ticket(&contoso(), &TicketId::new("998"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::NotFound("Ticket 998 not found".into())
    );
    let err = at
        .get_ticket(&contoso(), &TicketId::new("T2026.1"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let at = connector(&server);
    let ghost = TenantId::new("ghost");
    let wrong = |e: CapabilityError| matches!(e, CapabilityError::WrongTenant(t) if t == ghost);
    assert!(wrong(at.get_ticket(&ghost, &t101()).await.unwrap_err()));
    assert!(wrong(
        at.search_tickets(&ghost, &TicketQuery::default())
            .await
            .unwrap_err()
    ));
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    assert!(wrong(
        at.update_ticket(&ghost, &t101(), &update)
            .await
            .unwrap_err()
    ));
    let n = note(NoteVisibility::Internal, "x");
    assert!(wrong(at.add_note(&ghost, &t101(), &n).await.unwrap_err()));
    assert!(wrong(at.list_notes(&ghost, &t101()).await.unwrap_err()));
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 5,
        billable: false,
        notes: "x".into(),
    };
    assert!(wrong(
        at.log_time(&ghost, &t101(), &entry).await.unwrap_err()
    ));
    assert!(wrong(
        at.list_time_entries(&ghost, &t101()).await.unwrap_err()
    ));
    assert!(wrong(
        at.find_contact_by_email(&ghost, "a@b.c").await.unwrap_err()
    ));
    assert!(wrong(
        at.get_contact(&ghost, &ContactId::new("1"))
            .await
            .unwrap_err()
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_sends_exact_json_filters_and_sorts_newest_first() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    mount_fields(&server).await;
    at_query(
        "Contacts",
        json!({"MaxRecords": 10, "filter": [
            {"op": "eq", "field": "companyID", "value": 250},
            {"op": "or", "items": [
                {"op": "eq", "field": "emailAddress", "value": "jane@contoso.com"},
                {"op": "eq", "field": "emailAddress2", "value": "jane@contoso.com"},
                {"op": "eq", "field": "emailAddress3", "value": "jane@contoso.com"}
            ]}
        ]}),
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(page(
        vec![contact_json(55, CONTOSO, "jane@contoso.com")],
        None,
    )))
    .expect(1)
    .mount(&server)
    .await;
    let mut older = ticket_json(101, CONTOSO, 7);
    older["createDate"] = json!("2026-11-19T08:00:00Z");
    let mut foreign = ticket_json(103, FABRIKAM, 7);
    foreign["createDate"] = json!("2026-11-21T08:00:00Z");
    at_query(
        "Tickets",
        json!({"MaxRecords": 500, "filter": [
            {"op": "eq", "field": "companyID", "value": 250},
            {"op": "in", "field": "status", "value": [7, 12]},
            {"op": "in", "field": "contactID", "value": [55]},
            {"op": "or", "items": [
                {"op": "contains", "field": "title", "value": "vpn \"x\"}]"},
                {"op": "contains", "field": "description", "value": "vpn \"x\"}]"}
            ]}
        ]}),
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(page(
        vec![older, ticket_json(102, CONTOSO, 7), foreign],
        None,
    )))
    .expect(1)
    .mount(&server)
    .await;
    mount_requesters(&server, CONTOSO, &[55]).await;
    let query = TicketQuery {
        status: Some(TicketStatus::Waiting),
        requester_email: Some("jane@contoso.com".into()),
        text: Some("vpn \"x\"}]".into()),
        limit: Some(5),
    };
    let found = connector(&server)
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["102", "101"]);
    assert!(found.iter().all(|t| t.status == TicketStatus::Waiting));
}

#[tokio::test]
async fn search_follows_next_page_urls() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    mount_fields(&server).await;
    let first =
        json!({"MaxRecords": 2, "filter": [{"op": "eq", "field": "companyID", "value": 250}]});
    let next = |n: u32| {
        format!(
            "{}{ZONE}/Tickets/query/next?paging=%7B%22pageSize%22%3A2%2C%22page%22%3A{n}%7D&search=%7B%7D",
            server.uri()
        )
    };
    at_query("Tickets", first)
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![ticket_json(1, CONTOSO, 1), ticket_json(2, CONTOSO, 1)],
            Some(next(2)),
        )))
        .expect(1)
        .mount(&server)
        .await;
    at("GET", "/Tickets/query/next")
        .and(query_param("paging", r#"{"pageSize":2,"page":2}"#))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![ticket_json(3, CONTOSO, 1), ticket_json(4, CONTOSO, 1)],
            Some(next(3)),
        )))
        .expect(1)
        .mount(&server)
        .await;
    at("GET", "/Tickets/query/next")
        .and(query_param("paging", r#"{"pageSize":2,"page":3}"#))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![ticket_json(5, CONTOSO, 1)], None)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let mut requesters = requester_search(CONTOSO, &[55]);
    requesters["MaxRecords"] = json!(2);
    at_query("Contacts", requesters)
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![contact_json(55, CONTOSO, "jane@contoso.com")],
            None,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let at = Autotask::new(config(&server).page_size(2)).unwrap();
    let found = at
        .search_tickets(&contoso(), &TicketQuery::default())
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["5", "4", "3", "2", "1"]);
}

#[tokio::test]
async fn search_with_unknown_requester_sends_no_ticket_query() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/Contacts/query")
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .mount(&server)
        .await;
    let query = TicketQuery {
        requester_email: Some("nobody@contoso.com".into()),
        ..TicketQuery::default()
    };
    let found = connector(&server)
        .search_tickets(&contoso(), &query)
        .await
        .unwrap();
    assert!(found.is_empty());
    assert!(
        calls(&server)
            .await
            .iter()
            .all(|(_, p)| !p.contains("Tickets"))
    );
}

#[tokio::test]
async fn update_patches_picklist_values_with_id_in_body() {
    let server = ready(CONTOSO).await;
    at("PATCH", "/Tickets")
        .and(body_json(json!({
            "id": 101, "status": 8, "priority": 4, "queueID": 29683355,
            "issueType": 4, "subIssueType": 11
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"itemId": 101})))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        priority: Some(Priority::Critical),
        board: Some("level ii support".into()),
        category: Some("Remote Access / VPN".into()),
    };
    connector(&server)
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap();
}

#[tokio::test]
async fn update_with_unknown_label_sends_no_patch() {
    let server = ready(CONTOSO).await;
    let update = TicketUpdate {
        board: Some("No Such Queue".into()),
        ..TicketUpdate::default()
    };
    let err = connector(&server)
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert!(calls(&server).await.iter().all(|(m, _)| m == "GET"));
}

#[tokio::test]
async fn notes_are_posted_with_publish_and_note_type() {
    let server = ready(CONTOSO).await;
    for (publish, text) in [
        (2, "Checked the VPN logs.\nNothing odd."),
        (1, "We are on it."),
    ] {
        at("POST", "/Tickets/101/Notes")
            .and(body_json(json!({
                "ticketID": 101,
                "title": text.lines().next().unwrap(),
                "description": text,
                "noteType": 1,
                "publish": publish
            })))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"itemId": 7000 + publish})),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let at = connector(&server);
    at.add_note(
        &contoso(),
        &t101(),
        &note(
            NoteVisibility::Internal,
            "Checked the VPN logs.\nNothing odd.",
        ),
    )
    .await
    .unwrap();
    at.add_note(
        &contoso(),
        &t101(),
        &note(NoteVisibility::Public, "We are on it."),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn list_notes_maps_publish_and_orders_oldest_first() {
    let server = ready(CONTOSO).await;
    at_query(
        "TicketNotes",
        json!({"MaxRecords": 500, "filter": [{"op": "eq", "field": "ticketID", "value": 101}]}),
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(page(
        vec![
            json!({"id": 2, "ticketID": 101, "title": "B", "description": "second", "publish": 1,
                   "noteType": 1, "creatorResourceID": AGENT, "createDateTime": "2026-11-20T10:00:00Z"}),
            json!({"id": 1, "ticketID": 101, "title": "A", "description": "first", "publish": 2,
                   "noteType": 1, "createdByContactID": 55, "createDateTime": "2026-11-20T09:00:00Z"}),
        ],
        None,
    )))
    .mount(&server)
    .await;
    let notes = connector(&server)
        .list_notes(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].text, "first");
    assert_eq!(notes[0].visibility, NoteVisibility::Internal);
    assert_eq!(notes[0].author, "contact 55");
    assert_eq!(notes[1].visibility, NoteVisibility::Public);
    assert_eq!(notes[1].author, format!("resource {AGENT}"));
}

#[tokio::test]
async fn log_time_posts_documented_fields() {
    let server = ready(CONTOSO).await;
    at("POST", "/TimeEntries")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"itemId": 9001})))
        .expect(1)
        .mount(&server)
        .await;
    let at = Autotask::new(config(&server).time_entry_role(29683461)).unwrap();
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 7,
        billable: false,
        notes: "Reset VPN profile".into(),
    };
    at.log_time(&contoso(), &t101(), &entry).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let post = requests
        .iter()
        .find(|r| r.method.as_str() == "POST")
        .unwrap();
    let b = body(post);
    assert_eq!(b["ticketID"], 101);
    assert_eq!(b["resourceID"], AGENT);
    assert_eq!(b["roleID"], 29683461);
    assert_eq!(b["summaryNotes"], "Reset VPN profile");
    assert_eq!(b["isNonBillable"], true);
    assert_eq!(b["hoursWorked"], 0.1166);
    let t = |k: &str| b[k].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!((t("endDateTime") - t("startDateTime")).num_minutes(), 7);
    assert_eq!(
        b["dateWorked"].as_str().unwrap(),
        format!("{}T00:00:00Z", t("startDateTime").format("%Y-%m-%d"))
    );
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 9, "{keys:?}");

    // Technician time needs a configured resource.
    let tech = TimeEntry {
        actor: Actor::Technician,
        ..entry
    };
    let err = at.log_time(&contoso(), &t101(), &tech).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
}

#[tokio::test]
async fn technician_time_uses_its_resource() {
    let server = ready(CONTOSO).await;
    at("POST", "/TimeEntries")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"itemId": 9002})))
        .expect(1)
        .mount(&server)
        .await;
    let at = Autotask::new(config(&server).technician_resource(TECH)).unwrap();
    let entry = TimeEntry {
        actor: Actor::Technician,
        minutes: 30,
        billable: true,
        notes: "Onsite".into(),
    };
    at.log_time(&contoso(), &t101(), &entry).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let b = body(
        requests
            .iter()
            .find(|r| r.method.as_str() == "POST")
            .unwrap(),
    );
    assert_eq!(b["resourceID"], TECH);
    assert_eq!(b["isNonBillable"], false);
    assert_eq!(b["hoursWorked"], 0.5);
    assert!(b.get("roleID").is_none());
}

#[tokio::test]
async fn time_entries_split_agent_and_technician() {
    let server = ready(CONTOSO).await;
    at_query(
        "TimeEntries",
        json!({"MaxRecords": 500, "filter": [{"op": "eq", "field": "ticketID", "value": 101}]}),
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(page(
        vec![
            json!({"id": 2, "ticketID": 101, "resourceID": TECH, "hoursWorked": 1.5,
                   "startDateTime": null, "endDateTime": null, "dateWorked": "2026-11-21T00:00:00Z",
                   "summaryNotes": "Onsite", "isNonBillable": false}),
            json!({"id": 1, "ticketID": 101, "resourceID": AGENT, "hoursWorked": 0.1167,
                   "startDateTime": "2026-11-20T10:00:00Z", "endDateTime": "2026-11-20T10:07:00Z",
                   "summaryNotes": "Reset VPN profile", "isNonBillable": true}),
        ],
        None,
    )))
    .mount(&server)
    .await;
    let entries = connector(&server)
        .list_time_entries(&contoso(), &t101())
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    let agent = entries.iter().find(|e| e.actor == Actor::Agent).unwrap();
    assert_eq!((agent.minutes, agent.billable), (7, false));
    assert_eq!(agent.notes, "Reset VPN profile");
    let tech = entries
        .iter()
        .find(|e| e.actor == Actor::Technician)
        .unwrap();
    assert_eq!((tech.minutes, tech.billable), (90, true));
}

#[tokio::test]
async fn contacts_are_scoped_to_the_company() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/Contacts/query")
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            vec![
                contact_json(77, FABRIKAM, "jane@contoso.com"),
                contact_json(55, CONTOSO, "Jane@Contoso.com"),
            ],
            None,
        )))
        .mount(&server)
        .await;
    at("GET", "/Contacts/55")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"item": contact_json(55, CONTOSO, "jane@contoso.com")})),
        )
        .mount(&server)
        .await;
    at("GET", "/Contacts/77")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"item": contact_json(77, FABRIKAM, "x@fabrikam.com")})),
        )
        .mount(&server)
        .await;
    let at = connector(&server);
    let c = at
        .find_contact_by_email(&contoso(), " jane@contoso.com ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.id, ContactId::new("55"));
    assert_eq!(c.name, "Jane Doe");
    assert_eq!(c.email, "Jane@Contoso.com");
    assert_eq!(c.phone.as_deref(), Some("+1 555 0100"));
    let again = at
        .get_contact(&contoso(), &ContactId::new("55"))
        .await
        .unwrap();
    assert_eq!(again.email, "jane@contoso.com");
    let err = at
        .get_contact(&contoso(), &ContactId::new("77"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = at.find_contact_by_email(&contoso(), " ").await.unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn inactive_contact_is_not_found() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    let mut inactive = contact_json(55, CONTOSO, "jane@contoso.com");
    inactive["isActive"] = json!(0);
    at("GET", "/Contacts/query")
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![inactive], None)))
        .mount(&server)
        .await;
    let found = connector(&server)
        .find_contact_by_email(&contoso(), "jane@contoso.com")
        .await
        .unwrap();
    assert_eq!(found, None);
}

#[tokio::test]
async fn unauthorized_uses_the_autotask_error_text() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/Tickets/101")
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"errors": ["User is not authorized to access the API"]})),
        )
        .mount(&server)
        .await;
    let err = connector(&server)
        .get_ticket(&contoso(), &t101())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::Unauthorized("User is not authorized to access the API".into())
    );
}

#[tokio::test]
async fn rate_limited_get_is_retried_after_retry_after() {
    let server = ready(CONTOSO).await;
    at("GET", "/Tickets/102")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"errors": ["Request threshold exceeded"]})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_ticket(&server, 102, CONTOSO).await;
    let started = std::time::Instant::now();
    let t = connector(&server)
        .get_ticket(&contoso(), &TicketId::new("102"))
        .await
        .unwrap();
    assert_eq!(t.id.as_str(), "102");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn rate_limited_post_is_not_retried_and_surfaces_retry_after() {
    let server = ready(CONTOSO).await;
    at("POST", "/Tickets/101/Notes")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(json!({"errors": ["Request threshold exceeded"]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server)
        .add_note(&contoso(), &t101(), &note(NoteVisibility::Internal, "x"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn server_errors_retry_gets_but_not_posts() {
    let server = ready(CONTOSO).await;
    at("GET", "/TicketNotes/query")
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .expect(3)
        .mount(&server)
        .await;
    at("POST", "/TimeEntries")
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"errors": ["Unexpected error"]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let at = connector(&server);
    let err = at.list_notes(&contoso(), &t101()).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 5,
        billable: false,
        notes: "x".into(),
    };
    let err = at.log_time(&contoso(), &t101(), &entry).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn bad_request_is_invalid_input_with_message() {
    let server = ready(CONTOSO).await;
    at("PATCH", "/Tickets")
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"errors": ["Value does not exist for the required field status."]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let update = TicketUpdate {
        status: Some(TicketStatus::Closed),
        ..TicketUpdate::default()
    };
    let err = connector(&server)
        .update_ticket(&contoso(), &t101(), &update)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::InvalidInput("Value does not exist for the required field status.".into())
    );
}

#[tokio::test]
async fn threshold_information_is_read() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/ThresholdInformation")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "externalRequestThreshold": 10000,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 124
        })))
        .mount(&server)
        .await;
    let usage = connector(&server).threshold_information().await.unwrap();
    assert_eq!(
        usage,
        ThresholdInformation {
            external_request_threshold: 10_000,
            request_threshold_timeframe: 60,
            current_timeframe_request_count: 124
        }
    );
}

#[tokio::test]
async fn secret_is_never_printed() {
    let server = ready(CONTOSO).await;
    let at = connector(&server);
    at.get_ticket(&contoso(), &t101()).await.unwrap();
    assert!(!format!("{at:?}").contains(SECRET));
    assert!(!format!("{:?}", at.config()).contains(SECRET));
    let _: Value = json!(null);
}

#[tokio::test]
async fn requests_in_flight_are_capped() {
    let server = MockServer::start().await;
    mount_zone(&server).await;
    at("GET", "/ThresholdInformation")
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(150))
                .set_body_json(json!({
                    "externalRequestThreshold": 10000,
                    "requestThresholdTimeframe": 60,
                    "currentTimeframeRequestCount": 1
                })),
        )
        .expect(4)
        .mount(&server)
        .await;
    let at = Autotask::new(config(&server).max_concurrency(2)).unwrap();
    let started = std::time::Instant::now();
    let (a, b, c, d) = tokio::join!(
        at.threshold_information(),
        at.threshold_information(),
        at.threshold_information(),
        at.threshold_information()
    );
    assert!(a.is_ok() && b.is_ok() && c.is_ok() && d.is_ok());
    // Four 150 ms requests, two at a time: at least two rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "{:?}",
        started.elapsed()
    );
}
