//! Posting approval messages, Web API errors, and verified interactivity callbacks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalGateway, ApprovalId, ApprovalRequest, ResolveError,
};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_http::RetryPolicy;
use msp_agent_slack::{
    InteractionError, SlackApiError, SlackApprovals, SlackApprovalsBuilder, sign,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "xoxb-test-token";
const SIGNING: &str = "8f742231b10e8888abcd99yyyzzz85a5";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn request() -> ApprovalRequest {
    ApprovalRequest {
        tenant: TenantId::from("acme"),
        ticket: TicketId::from("T-42"),
        action: "unlock_account".into(),
        change: json!({ "user": "jo@acme.example", "temporary_password": "hunter2" }),
        reasoning: "Jo is locked out <after> 5 attempts & called".into(),
    }
}

fn builder(server: &MockServer) -> SlackApprovalsBuilder {
    SlackApprovals::builder(secret(TOKEN), secret(SIGNING), "C0APPROVALS")
        .base_url(server.uri())
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        })
}

fn slack(server: &MockServer) -> SlackApprovals {
    builder(server).update_messages(false).build().unwrap()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn ok_post() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "ok": true, "channel": "C0APPROVALS", "ts": "1700000000.000100",
        "message": { "text": "Approval needed" }
    }))
}

fn expected_blocks(id: &str) -> Value {
    json!([
        { "type": "header", "text": { "type": "plain_text", "text": "Approval needed: unlock_account" } },
        { "type": "section", "fields": [
            { "type": "mrkdwn", "text": "*Ticket*\nT-42" },
            { "type": "mrkdwn", "text": "*Tenant*\nacme" },
            { "type": "mrkdwn", "text": "*Action*\n`unlock_account`" },
        ] },
        { "type": "section", "text": { "type": "mrkdwn",
            "text": "*Reasoning*\nJo is locked out &lt;after&gt; 5 attempts &amp; called" } },
        { "type": "section", "text": { "type": "mrkdwn",
            "text": "*Change*\n```{\n  \"temporary_password\": \"[REDACTED]\",\n  \"user\": \"jo@acme.example\"\n}```" } },
        { "type": "actions", "block_id": "msp_agent_approval", "elements": [
            { "type": "button", "text": { "type": "plain_text", "text": "Approve" },
              "action_id": "msp_agent_approve", "value": id, "style": "primary" },
            { "type": "button", "text": { "type": "plain_text", "text": "Reject" },
              "action_id": "msp_agent_reject", "value": id, "style": "danger" },
        ] },
        { "type": "context", "elements": [ { "type": "mrkdwn", "text": format!("Approval id `{id}`") } ] },
    ])
}

#[tokio::test]
async fn posts_the_block_kit_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(header("authorization", "Bearer xoxb-test-token"))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(body_json(json!({
            "channel": "C0APPROVALS",
            "text": "Approval needed: unlock_account on ticket T-42 (acme)",
            "blocks": expected_blocks("0123abcd"),
            "unfurl_links": false,
            "unfurl_media": false,
        })))
        .respond_with(ok_post())
        .expect(1)
        .mount(&server)
        .await;
    let posted = slack(&server)
        .post_approval(&ApprovalId::from("0123abcd"), &request())
        .await
        .unwrap();
    assert_eq!(posted.channel, "C0APPROVALS");
    assert_eq!(posted.ts, "1700000000.000100");
}

#[tokio::test]
async fn routes_tenants_to_their_channel() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(wiremock::matchers::body_partial_json(
            json!({ "channel": "C0ACME" }),
        ))
        .respond_with(ok_post())
        .expect(1)
        .mount(&server)
        .await;
    let s = builder(&server)
        .route(TenantId::from("acme"), "C0ACME")
        .build()
        .unwrap();
    s.post_approval(&ApprovalId::from("x"), &request())
        .await
        .unwrap();
}

async fn api_error(error: &str) -> SlackApiError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": false, "error": error })),
        )
        .expect(1)
        .mount(&server)
        .await;
    slack(&server)
        .post_approval(&ApprovalId::from("x"), &request())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn ok_false_errors_are_typed() {
    let e = api_error("channel_not_found").await;
    assert!(
        matches!(&e, SlackApiError::Api { method: "chat.postMessage", error } if error == "channel_not_found"),
        "{e}"
    );
    assert!(matches!(
        CapabilityError::from(e),
        CapabilityError::NotFound(_)
    ));
    let e = CapabilityError::from(api_error("invalid_auth").await);
    assert!(matches!(e, CapabilityError::Unauthorized(_)), "{e}");
    let e = CapabilityError::from(api_error("missing_scope").await);
    assert!(matches!(e, CapabilityError::Forbidden(_)), "{e}");
    let e = CapabilityError::from(api_error("invalid_blocks").await);
    assert!(matches!(e, CapabilityError::InvalidInput(_)), "{e}");
}

#[tokio::test]
async fn rate_limit_is_waited_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({ "ok": false, "error": "ratelimited" })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ok_post())
        .expect(1)
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    slack(&server)
        .post_approval(&ApprovalId::from("x"), &request())
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn long_rate_limit_is_reported_with_its_delay() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let e = slack(&server)
        .post_approval(&ApprovalId::from("x"), &request())
        .await
        .unwrap_err();
    assert_eq!(
        CapabilityError::from(e),
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let s = slack(&server);
    let e = s.request_approval(&request()).await.unwrap_err();
    assert!(matches!(e, CapabilityError::Transient(_)), "{e}");
    assert!(
        s.registry().is_empty(),
        "failed post left a pending approval"
    );
}

// ---- interactivity callbacks ------------------------------------------------------

fn click(id: &str, action_id: &str, user: &str) -> Vec<u8> {
    let payload = json!({
        "type": "block_actions",
        "user": { "id": user, "username": "alice", "name": "alice", "team_id": "T1" },
        "api_app_id": "A1",
        "token": "legacy-verification-token",
        "container": { "type": "message", "message_ts": "1700000000.000100",
                       "channel_id": "C0APPROVALS", "is_ephemeral": false },
        "trigger_id": "123.456.abc",
        "team": { "id": "T1", "domain": "msp" },
        "channel": { "id": "C0APPROVALS", "name": "approvals" },
        "message": {
            "type": "message", "ts": "1700000000.000100", "text": "Approval needed",
            "blocks": [
                { "type": "section", "block_id": "b1", "text": { "type": "mrkdwn", "text": "*Ticket*" } },
                { "type": "actions", "block_id": "msp_agent_approval", "elements": [] },
            ],
        },
        "response_url": "https://hooks.slack.com/actions/T1/1/abc",
        "actions": [{
            "action_id": action_id, "block_id": "msp_agent_approval",
            "text": { "type": "plain_text", "text": "Approve" },
            "value": id, "type": "button", "action_ts": "1700000001.000200",
        }],
    });
    serde_urlencoded::to_string([("payload", payload.to_string())])
        .unwrap()
        .into_bytes()
}

fn signed(signing: &str, ts: u64, body: &[u8]) -> HeaderMap {
    let ts = ts.to_string();
    let mut h = HeaderMap::new();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    h.insert("x-slack-request-timestamp", ts.parse().unwrap());
    h.insert(
        "x-slack-signature",
        sign(&secret(signing), &ts, body).parse().unwrap(),
    );
    h
}

/// A gateway with one request waiting; returns the gateway, the id and the waiter.
async fn waiting(
    server: &MockServer,
) -> (
    Arc<SlackApprovals>,
    String,
    tokio::task::JoinHandle<msp_agent_core::CapResult<ApprovalDecision>>,
) {
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ok_post())
        .mount(server)
        .await;
    let s = Arc::new(builder(server).update_messages(false).build().unwrap());
    let waiter = tokio::spawn({
        let s = s.clone();
        async move { s.request_approval(&request()).await }
    });
    let id = loop {
        if let Some(e) = s.registry().pending().pop() {
            break e.id.to_string();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    (s, id, waiter)
}

#[test]
fn matches_slacks_documented_example_signature() {
    // The worked example of the "Verifying requests from Slack" page.
    let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(
        sign(&secret(SIGNING), "1531420618", body),
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    );
}

#[tokio::test]
async fn valid_click_approves_with_the_slack_user() {
    let server = MockServer::start().await;
    let (s, id, waiter) = waiting(&server).await;
    let body = click(&id, "msp_agent_approve", "U0ALICE");
    let got = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap();
    let approved = ApprovalDecision::Approved {
        approver: "slack:U0ALICE (alice)".into(),
    };
    assert_eq!(got.decision, approved);
    assert_eq!(got.channel.as_deref(), Some("C0APPROVALS"));
    assert_eq!(got.message_ts.as_deref(), Some("1700000000.000100"));
    assert_eq!(waiter.await.unwrap().unwrap(), approved);

    // Replaying the same (still fresh, validly signed) callback is refused.
    let e = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        InteractionError::Resolve(ResolveError::AlreadyDecided { decision: approved })
    );
}

#[tokio::test]
async fn reject_click_rejects() {
    let server = MockServer::start().await;
    let (s, id, waiter) = waiting(&server).await;
    let body = click(&id, "msp_agent_reject", "U0BOB");
    s.handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap();
    assert_eq!(
        waiter.await.unwrap().unwrap(),
        ApprovalDecision::Rejected {
            approver: "slack:U0BOB (alice)".into(),
            reason: None
        }
    );
}

#[tokio::test]
async fn forged_or_stale_callbacks_are_refused_and_decide_nothing() {
    let server = MockServer::start().await;
    let (s, id, waiter) = waiting(&server).await;
    let body = click(&id, "msp_agent_approve", "U0MALLORY");

    // Tampered body: signed for one user id, another delivered.
    let headers = signed(SIGNING, now(), &body);
    let tampered = click(&id, "msp_agent_approve", "U0MALLORX");
    let e = s.handle_interaction(&headers, &tampered).await.unwrap_err();
    assert_eq!(e, InteractionError::BadSignature);
    assert_eq!(e.http_status(), 401);

    let e = s
        .handle_interaction(&signed("wrong-secret", now(), &body), &body)
        .await
        .unwrap_err();
    assert_eq!(e, InteractionError::BadSignature);

    let e = s
        .handle_interaction(&signed(SIGNING, now() - 301, &body), &body)
        .await
        .unwrap_err();
    assert_eq!(e, InteractionError::StaleTimestamp);
    let e = s
        .handle_interaction(&signed(SIGNING, now() + 400, &body), &body)
        .await
        .unwrap_err();
    assert_eq!(e, InteractionError::StaleTimestamp);

    let mut no_sig = signed(SIGNING, now(), &body);
    no_sig.remove("x-slack-signature");
    let e = s.handle_interaction(&no_sig, &body).await.unwrap_err();
    assert_eq!(e, InteractionError::MissingHeader("x-slack-signature"));

    let mut not_hex = signed(SIGNING, now(), &body);
    not_hex.insert("x-slack-signature", HeaderValue::from_static("v0=zz"));
    let e = s.handle_interaction(&not_hex, &body).await.unwrap_err();
    assert_eq!(e, InteractionError::BadSignature);

    // Still pending: nothing was decided.
    assert_eq!(s.registry().len(), 1);
    waiter.abort();
}

#[tokio::test]
async fn unknown_ids_and_malformed_payloads_are_refused() {
    let server = MockServer::start().await;
    let s = slack(&server);
    let body = click(
        "ffffffffffffffffffffffffffffffff",
        "msp_agent_approve",
        "U1",
    );
    let e = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap_err();
    assert_eq!(e, InteractionError::Resolve(ResolveError::Unknown));
    assert_eq!(e.http_status(), 200);

    for body in [
        b"payload=not-json".to_vec(),
        b"nopayload=1".to_vec(),
        click("x", "some_other_button", "U1"),
    ] {
        let e = s
            .handle_interaction(&signed(SIGNING, now(), &body), &body)
            .await
            .unwrap_err();
        assert!(matches!(e, InteractionError::MalformedPayload(_)), "{e}");
        assert_eq!(e.http_status(), 400);
    }
}

#[tokio::test]
async fn only_allowed_approvers_may_decide() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ok_post())
        .mount(&server)
        .await;
    let s = builder(&server)
        .allowed_approvers(["U0ALICE"])
        .update_messages(false)
        .build()
        .unwrap();
    let pending = s.registry().register(request());
    let id = pending.id().to_string();
    let body = click(&id, "msp_agent_approve", "U0EVE");
    let e = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        InteractionError::NotAllowed {
            user: "U0EVE".into()
        }
    );
    let body = click(&id, "msp_agent_approve", "U0ALICE");
    s.handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap();
    assert!(matches!(
        pending.await.unwrap(),
        ApprovalDecision::Approved { .. }
    ));
}

#[tokio::test]
async fn end_to_end_request_click_update() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ok_post())
        .expect(1)
        .mount(&server)
        .await;
    let s = Arc::new(builder(&server).build().unwrap());
    let waiter = tokio::spawn({
        let s = s.clone();
        async move { s.request_approval(&request()).await }
    });

    // The id reaches Slack only inside the Approve button: read it from there.
    let id = loop {
        let reqs = server.received_requests().await.unwrap();
        if let Some(r) = reqs.first() {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            break body["blocks"][4]["elements"][0]["value"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    Mock::given(method("POST"))
        .and(path("/chat.update"))
        .and(header("authorization", "Bearer xoxb-test-token"))
        .and(body_json(json!({
            "channel": "C0APPROVALS",
            "ts": "1700000000.000100",
            "text": ":white_check_mark: Approved by <@U0ALICE>",
            "blocks": [
                { "type": "section", "block_id": "b1", "text": { "type": "mrkdwn", "text": "*Ticket*" } },
                { "type": "section", "text": { "type": "mrkdwn", "text": ":white_check_mark: Approved by <@U0ALICE>" } },
            ],
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "channel": "C0APPROVALS", "ts": "1700000000.000100" })))
        .expect(1)
        .mount(&server)
        .await;

    let body = click(&id, "msp_agent_approve", "U0ALICE");
    s.handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap();
    assert_eq!(
        waiter.await.unwrap().unwrap(),
        ApprovalDecision::Approved {
            approver: "slack:U0ALICE (alice)".into()
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn late_click_marks_the_message_expired() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.update"))
        .and(wiremock::matchers::body_partial_json(json!({
            "channel": "C0APPROVALS",
            "ts": "1700000000.000100",
            "text": ":hourglass: Expired: no answer came in time, nothing was done.",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true })))
        .expect(1)
        .mount(&server)
        .await;
    let s = builder(&server).build().unwrap();
    let id = {
        let pending = s.registry().register(request());
        pending.id().to_string()
        // dropped here: the requester gave up (timeout)
    };
    let body = click(&id, "msp_agent_approve", "U0ALICE");
    let e = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap_err();
    assert_eq!(e, InteractionError::Resolve(ResolveError::Expired));
    server.verify().await;
}

#[tokio::test]
async fn failed_update_does_not_undo_the_decision() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.update"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "message_not_found" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let s = builder(&server).build().unwrap();
    let pending = s.registry().register(request());
    let body = click(pending.id().as_str(), "msp_agent_reject", "U0BOB");
    let got = s
        .handle_interaction(&signed(SIGNING, now(), &body), &body)
        .await
        .unwrap();
    assert_eq!(pending.await.unwrap(), got.decision);
}
