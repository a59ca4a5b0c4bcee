//! Posting approval cards to a Workflows webhook and verified outgoing-webhook replies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue};
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalGateway, ApprovalId, ApprovalRequest, ResolveError,
};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_http::{HttpError, RetryPolicy};
use msp_agent_teams::{InteractionError, TeamsApprovals, TeamsApprovalsBuilder, sign};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The example security token of Microsoft's outgoing-webhook page.
const TOKEN: &str = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
const OTHER_TOKEN: &str = "AAAAEn+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
const FLOW_PATH: &str = "/workflows/8c1e/triggers/manual/paths/invoke";
const SIG: &str = "s3cr3t-flow-signature";
const ALICE: &str = "6f1c2d3e-0000-4a5b-9c8d-111122223333";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn request() -> ApprovalRequest {
    ApprovalRequest {
        tenant: TenantId::from("acme"),
        ticket: TicketId::from("T-42"),
        action: "unlock_account".into(),
        change: json!({ "user": "jo@acme.example", "temporary_password": "hunter2" }),
        reasoning: "Jo is locked out after 5 attempts".into(),
    }
}

fn flow_url(server: &MockServer) -> String {
    format!(
        "{}{FLOW_PATH}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}",
        server.uri()
    )
}

fn builder(server: &MockServer) -> TeamsApprovalsBuilder {
    TeamsApprovals::builder(secret(&flow_url(server)), secret(TOKEN), "MSP Agent").retry(
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        },
    )
}

fn teams(server: &MockServer) -> TeamsApprovals {
    builder(server).build().unwrap()
}

fn expected_message(id: &str) -> Value {
    let approve = format!("@MSP Agent approve {id}");
    let reject = format!("@MSP Agent reject {id} <reason>");
    let show = |title: &str, reply: &str| {
        json!({
            "type": "Action.ShowCard", "title": title,
            "card": { "type": "AdaptiveCard", "body": [
                { "type": "TextBlock", "text": "Reply in this thread with:", "wrap": true },
                { "type": "TextBlock", "text": reply, "wrap": true, "fontType": "Monospace" },
            ] },
        })
    };
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": "Approval needed: unlock_account",
                      "size": "Large", "weight": "Bolder", "wrap": true },
                    { "type": "FactSet", "facts": [
                        { "title": "Ticket", "value": "T-42" },
                        { "title": "Tenant", "value": "acme" },
                        { "title": "Action", "value": "unlock_account" },
                        { "title": "Approval id", "value": id },
                    ] },
                    { "type": "TextBlock", "text": "Reasoning", "weight": "Bolder", "spacing": "Medium" },
                    { "type": "TextBlock", "text": "Jo is locked out after 5 attempts", "wrap": true },
                    { "type": "TextBlock", "text": "Change", "weight": "Bolder", "spacing": "Medium" },
                    { "type": "TextBlock",
                      "text": "{\n  \"temporary_password\": \"[REDACTED]\",\n  \"user\": \"jo@acme.example\"\n}",
                      "wrap": true, "fontType": "Monospace" },
                    { "type": "TextBlock",
                      "text": format!("To decide, reply in this thread: `{approve}` or `{reject}`"),
                      "wrap": true, "isSubtle": true, "spacing": "Medium" },
                ],
                "actions": [show("Approve", &approve), show("Reject", &reject)],
            },
        }],
    })
}

#[tokio::test]
async fn posts_the_adaptive_card_to_the_workflow_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(FLOW_PATH))
        .and(query_param("api-version", "2016-06-01"))
        .and(query_param("sp", "/triggers/manual/run"))
        .and(query_param("sv", "1.0"))
        .and(query_param("sig", SIG))
        .and(header("content-type", "application/json"))
        .and(body_json(expected_message("0123abcd")))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    teams(&server)
        .post_approval(&ApprovalId::from("0123abcd"), &request())
        .await
        .unwrap();
}

#[tokio::test]
async fn debug_output_hides_the_url_signature_and_token() {
    let server = MockServer::start().await;
    let t = teams(&server);
    let shown = format!("{t:?} {:?}", builder(&server));
    assert!(!shown.contains(SIG), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[test]
fn refuses_a_token_that_is_not_base64() {
    let e = TeamsApprovals::builder(
        secret("https://example.invalid/flow?sig=x"),
        secret("not base64!"),
        "MSP Agent",
    )
    .build()
    .unwrap_err();
    assert!(matches!(e, HttpError::InvalidRequest(_)), "{e}");
}

#[tokio::test]
async fn rate_limit_is_waited_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(FLOW_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(FLOW_PATH))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    teams(&server)
        .post_approval(&ApprovalId::from("x"), &request())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn long_rate_limit_and_bad_requests_are_typed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "300"))
        .expect(1)
        .mount(&server)
        .await;
    let e = teams(&server)
        .request_approval(&request())
        .await
        .unwrap_err();
    assert_eq!(
        e,
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(300))
        }
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": { "code": "TriggerInputSchemaMismatch", "message": "bad input" }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let e = teams(&server)
        .request_approval(&request())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CapabilityError::InvalidInput(m) if m.contains("TriggerInputSchemaMismatch")),
        "{e}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let t = teams(&server);
    let e = t.request_approval(&request()).await.unwrap_err();
    assert!(matches!(e, CapabilityError::Transient(_)), "{e}");
    assert!(
        t.registry().is_empty(),
        "failed post left a pending approval"
    );
}

// ---- outgoing-webhook callbacks ---------------------------------------------------

fn rfc3339(t: SystemTime) -> String {
    // Teams sends seven fractional digits, e.g. `2026-11-25T09:00:00.1234567Z`.
    let t = chrono::DateTime::<chrono::Utc>::from(t);
    format!(
        "{}{:07}Z",
        t.format("%Y-%m-%dT%H:%M:%S."),
        t.timestamp_subsec_nanos() / 100
    )
}

fn activity_at(text: &str, aad: &str, at: SystemTime) -> Vec<u8> {
    json!({
        "type": "message",
        "id": "1700000000000",
        "timestamp": rfc3339(at),
        "localTimestamp": "2026-11-25T10:00:00.0000000+01:00",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": { "id": "29:1AbCdEf", "name": "Alice Admin", "aadObjectId": aad },
        "conversation": {
            "isGroup": true, "id": "19:abc@thread.tacv2;messageid=1700000000000",
            "name": null, "conversationType": "channel", "tenantId": "72f988bf-0000-0000-0000-000000000000"
        },
        "recipient": null,
        "textFormat": "plain",
        "text": text,
        "attachments": [{ "contentType": "text/html", "content": "<div>…</div>" }],
        "entities": [{ "type": "clientInfo", "locale": "en-US", "platform": "Web" }],
        "channelData": {
            "teamsChannelId": "19:abc@thread.tacv2", "teamsTeamId": "19:def@thread.tacv2",
            "tenant": { "id": "72f988bf-0000-0000-0000-000000000000" }
        },
        "replyToId": null,
        "value": null
    })
    .to_string()
    .into_bytes()
}

fn activity(text: &str, aad: &str) -> Vec<u8> {
    activity_at(text, aad, SystemTime::now())
}

fn signed(token: &str, body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert(
        "authorization",
        sign(&secret(token), body).unwrap().parse().unwrap(),
    );
    h
}

async fn waiting(
    server: &MockServer,
    t: TeamsApprovals,
) -> (
    Arc<TeamsApprovals>,
    String,
    tokio::task::JoinHandle<msp_agent_core::CapResult<ApprovalDecision>>,
) {
    Mock::given(method("POST"))
        .and(path(FLOW_PATH))
        .respond_with(ResponseTemplate::new(202))
        .mount(server)
        .await;
    let t = Arc::new(t);
    let waiter = tokio::spawn({
        let t = t.clone();
        async move { t.request_approval(&request()).await }
    });
    // The id reaches Teams only inside the card: read it from there.
    let id = loop {
        let reqs = server.received_requests().await.unwrap();
        if let Some(r) = reqs.first() {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            break body["attachments"][0]["content"]["body"][1]["facts"][3]["value"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    (t, id, waiter)
}

#[tokio::test]
async fn end_to_end_signed_reply_approves_with_name_and_object_id() {
    let server = MockServer::start().await;
    let (t, id, waiter) = waiting(&server, teams(&server)).await;
    let body = activity(&format!("<at>MSP Agent</at> approve {id}\n"), ALICE);
    let got = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap();
    let approved = ApprovalDecision::Approved {
        approver: format!("teams:{ALICE} (Alice Admin)"),
    };
    assert_eq!(got.decision, approved);
    assert_eq!(got.aad_object_id, ALICE);
    assert_eq!(got.user_name, "Alice Admin");
    assert_eq!(
        got.reply(),
        json!({ "type": "message", "text": "✅ Approved by Alice Admin." })
    );
    assert_eq!(waiter.await.unwrap().unwrap(), approved);

    // The same signed, fresh request replayed is refused.
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap_err();
    assert_eq!(
        e,
        InteractionError::Resolve(ResolveError::AlreadyDecided { decision: approved })
    );
    assert_eq!(e.http_status(), 200);
    assert_eq!(e.reply()["text"], "This approval was already decided.");
}

#[tokio::test]
async fn reject_carries_the_reason() {
    let server = MockServer::start().await;
    let (t, id, waiter) = waiting(&server, teams(&server)).await;
    let body = activity(
        &format!("<at>MSP Agent</at> reject {id} user left the company"),
        ALICE,
    );
    t.handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap();
    assert_eq!(
        waiter.await.unwrap().unwrap(),
        ApprovalDecision::Rejected {
            approver: format!("teams:{ALICE} (Alice Admin)"),
            reason: Some("user left the company".into())
        }
    );
}

#[tokio::test]
async fn forged_or_stale_replies_are_refused_and_decide_nothing() {
    let server = MockServer::start().await;
    let (t, id, waiter) = waiting(&server, teams(&server)).await;
    let body = activity(&format!("<at>MSP Agent</at> approve {id}"), ALICE);

    let tampered = activity(&format!("<at>MSP Agent</at> approve {id}"), "someone-else");
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &tampered)
        .unwrap_err();
    assert_eq!(e, InteractionError::BadSignature);
    assert_eq!(e.http_status(), 401);

    let e = t
        .handle_outgoing_webhook(&signed(OTHER_TOKEN, &body), &body)
        .unwrap_err();
    assert_eq!(e, InteractionError::BadSignature);

    let old = activity_at(
        &format!("<at>MSP Agent</at> approve {id}"),
        ALICE,
        SystemTime::now() - Duration::from_secs(301),
    );
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &old), &old)
        .unwrap_err();
    assert_eq!(e, InteractionError::StaleTimestamp);

    let e = t
        .handle_outgoing_webhook(&HeaderMap::new(), &body)
        .unwrap_err();
    assert_eq!(e, InteractionError::MissingSignature);

    let mut bearer = HeaderMap::new();
    bearer.insert("authorization", HeaderValue::from_static("Bearer abc"));
    let e = t.handle_outgoing_webhook(&bearer, &body).unwrap_err();
    assert_eq!(e, InteractionError::MissingSignature);

    assert_eq!(t.registry().len(), 1, "something was decided");
    waiter.abort();
}

#[tokio::test]
async fn unknown_ids_non_commands_and_garbage_are_refused() {
    let server = MockServer::start().await;
    let t = teams(&server);
    let body = activity(
        "<at>MSP Agent</at> approve ffffffffffffffffffffffffffffffff",
        ALICE,
    );
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap_err();
    assert_eq!(e, InteractionError::Resolve(ResolveError::Unknown));
    assert_eq!(e.reply()["text"], "Unknown approval id.");

    let body = activity("<at>MSP Agent</at> what is pending?", ALICE);
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap_err();
    assert_eq!(e, InteractionError::NotACommand);
    assert_eq!(e.http_status(), 200);

    let body = b"{not json".to_vec();
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap_err();
    assert!(matches!(e, InteractionError::MalformedPayload(_)), "{e}");
    assert_eq!(e.http_status(), 400);
}

#[tokio::test]
async fn only_allowed_approvers_may_decide() {
    let server = MockServer::start().await;
    let t = builder(&server).allowed_approvers([ALICE]).build().unwrap();
    let pending = t.registry().register(request());
    let id = pending.id().to_string();
    let body = activity(&format!("<at>MSP Agent</at> approve {id}"), "eve-object-id");
    let e = t
        .handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap_err();
    assert_eq!(
        e,
        InteractionError::NotAllowed {
            user: "eve-object-id".into()
        }
    );
    let body = activity(&format!("<at>MSP Agent</at> approve {id}"), ALICE);
    t.handle_outgoing_webhook(&signed(TOKEN, &body), &body)
        .unwrap();
    assert!(matches!(
        pending.await.unwrap(),
        ApprovalDecision::Approved { .. }
    ));
}
