//! HTTP client behaviour: matching, errors, retries, timeouts, audit, rate limiting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use msp_agent_core::CapabilityError;
use msp_agent_core::audit::{REDACTED, recording};
use msp_agent_http::{HttpError, RateLimit, Request, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{builder, client};

#[derive(Debug, Deserialize, PartialEq)]
struct Ticket {
    id: u32,
    summary: String,
}

#[tokio::test]
async fn matches_method_path_query_headers_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/tickets"))
        .and(query_param("board", "7"))
        .and(header("x-custom", "abc"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"summary": "printer"})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": 1, "summary": "printer"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    // base URL with a path and a trailing slash; request path with a leading slash.
    let c = client(&format!("{}/api/v1/", server.uri()));
    let t: Ticket = c
        .send_json(
            &Request::post("/tickets")
                .query("board", 7)
                .header("x-custom", "abc")
                .json(&json!({"summary": "printer"})),
        )
        .await
        .unwrap();
    assert_eq!(
        t,
        Ticket {
            id: 1,
            summary: "printer".into()
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn empty_body_decodes_as_unit() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/t/1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let () = c.send_json(&Request::delete("/t/1")).await.unwrap();
}

async fn status_error(status: u16, body: &str) -> HttpError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    let c = builder(&server.uri())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    c.send_json::<Value>(&Request::get("/x")).await.unwrap_err()
}

#[tokio::test]
async fn maps_error_statuses() {
    let long = "x".repeat(800);
    let e = status_error(400, &long).await;
    match CapabilityError::from(e) {
        CapabilityError::InvalidInput(msg) => assert_eq!(msg.chars().count(), 501),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        CapabilityError::from(status_error(422, "bad field").await),
        CapabilityError::InvalidInput("bad field".into())
    );
    assert_eq!(
        CapabilityError::from(status_error(401, "who").await),
        CapabilityError::Unauthorized("who".into())
    );
    assert_eq!(
        CapabilityError::from(status_error(403, "no").await),
        CapabilityError::Forbidden("no".into())
    );
    assert_eq!(
        CapabilityError::from(status_error(404, "gone").await),
        CapabilityError::NotFound("gone".into())
    );
    assert_eq!(
        CapabilityError::from(status_error(409, "dup").await),
        CapabilityError::Conflict("dup".into())
    );
    assert!(matches!(
        CapabilityError::from(status_error(500, "oops").await),
        CapabilityError::Transient(_)
    ));
}

#[tokio::test]
async fn rate_limited_waits_for_retry_after_and_retries_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let start = Instant::now();
    let v: Value = c.send_json(&Request::get("/x")).await.unwrap();
    assert_eq!(v, json!({"ok": true}));
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    server.verify().await;
}

#[tokio::test]
async fn rate_limited_beyond_cap_is_returned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .send_json::<Value>(&Request::get("/x"))
        .await
        .unwrap_err();
    assert_eq!(
        CapabilityError::from(e),
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn server_errors_retried_for_get() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(1)))
        .mount(&server)
        .await;
    let v: u32 = client(&server.uri())
        .send_json(&Request::get("/x"))
        .await
        .unwrap();
    assert_eq!(v, 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn server_errors_give_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .send_json::<Value>(&Request::put("/x").json(&json!({})))
        .await
        .unwrap_err();
    assert!(matches!(e, HttpError::Server { status: 502, .. }));
    server.verify().await;
}

#[tokio::test]
async fn post_is_not_retried() {
    for status in [500, 503] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "0"))
            .mount(&server)
            .await;
        let e = client(&server.uri())
            .send_json::<Value>(&Request::post("/x").json(&json!({"a": 1})))
            .await
            .unwrap_err();
        assert!(matches!(
            CapabilityError::from(e),
            CapabilityError::Transient(_)
        ));
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "status {status}"
        );
    }
}

#[tokio::test]
async fn post_marked_idempotent_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(2)))
        .mount(&server)
        .await;
    let v: u32 = client(&server.uri())
        .send_json(&Request::post("/search").idempotent(true))
        .await
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_json_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&server)
        .await;
    let e = client(&server.uri())
        .send_json::<Value>(&Request::get("/x"))
        .await
        .unwrap_err();
    match CapabilityError::from(e) {
        CapabilityError::Permanent(m) => assert!(m.starts_with("malformed response: "), "{m}"),
        other => panic!("{other:?}"),
    }
    // Wrong shape is malformed too.
    let e = client(&server.uri())
        .send_json::<Ticket>(&Request::get("/x"))
        .await
        .unwrap_err();
    assert!(matches!(e, HttpError::MalformedResponse(_)));
}

#[tokio::test]
async fn timeout_is_transient() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(500)))
        .mount(&server)
        .await;
    let c = builder(&server.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c
        .send_json::<Value>(&Request::get("/slow").query("api_key", "Q-s3cr3t"))
        .await
        .unwrap_err();
    assert!(matches!(e, HttpError::Timeout(_)), "{e:?}");
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
    assert!(matches!(
        CapabilityError::from(e),
        CapabilityError::Transient(_)
    ));
}

#[tokio::test]
async fn connection_refused_is_transient() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = builder(&format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.send_json::<Value>(&Request::get("/x")).await.unwrap_err();
    assert!(matches!(
        CapabilityError::from(e),
        CapabilityError::Transient(_)
    ));
}

#[tokio::test]
async fn foreign_origin_urls_are_refused() {
    let c = client("https://api.vendor.example/v1");
    let e = c
        .url_for(&Request::get("https://evil.example/steal"))
        .unwrap_err();
    assert!(matches!(e, HttpError::InvalidRequest(_)));
    let ok = c
        .url_for(&Request::get("https://api.vendor.example/v1/x?a=1"))
        .unwrap();
    assert_eq!(ok.as_str(), "https://api.vendor.example/v1/x?a=1");
}

#[tokio::test]
async fn records_redacted_vendor_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(
            json!({"user": "bob", "passwordProfile": {"password": "S3cret!"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let (res, calls) = recording(
        c.send_json::<Value>(
            &Request::post("/users")
                .query("api_key", "k123")
                .json(&json!({"user": "bob", "passwordProfile": {"password": "S3cret!"}})),
        ),
    )
    .await;
    res.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "POST");
    assert!(
        calls[0]
            .url
            .starts_with(&format!("{}/users?api_key=", server.uri()))
    );
    assert!(!calls[0].url.contains("k123"));
    assert_eq!(
        calls[0].body,
        json!({"user": "bob", "passwordProfile": REDACTED})
    );
    assert!(!serde_json::to_string(&calls).unwrap().contains("S3cret"));
}

#[tokio::test]
async fn client_side_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(null)))
        .mount(&server)
        .await;
    let five = NonZeroU32::new(5).unwrap();
    let c = builder(&server.uri())
        .rate_limit(RateLimit::per_second(five).with_burst(NonZeroU32::MIN))
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..4 {
        c.send_json::<Value>(&Request::get("/x")).await.unwrap();
    }
    // 1 immediately, then one every 200 ms.
    assert!(
        start.elapsed() >= Duration::from_millis(550),
        "{:?}",
        start.elapsed()
    );
}
