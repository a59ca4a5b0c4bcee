//! Script runs: the POST, the bounded poll of activities, and their error paths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::Rmm;
use msp_agent_core::domain::{DeviceId, ScriptResult, TenantId};
use msp_agent_ninjaone::NinjaOne;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, query_param, query_param_is_missing};
use wiremock::{MockServer, Request, ResponseTemplate};

fn acme() -> TenantId {
    TenantId::new("acme")
}

fn dev() -> DeviceId {
    DeviceId::new("1001")
}

/// Device 1001 of acme and its newest activity (id 500), the baseline of a run.
async fn mount_device_and_baseline(server: &MockServer) {
    nj("GET", "/v2/device/1001")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(device_json(1001, ACME_ORG, None, false)),
        )
        .mount(server)
        .await;
    nj("GET", "/v2/device/1001/activities")
        .and(exact_query(&[("pageSize", "1")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "lastActivityId": 500,
            "activities": [activity(500, "COMPLETED", "older-job")]
        })))
        .expect(1)
        .mount(server)
        .await;
}

/// Polls answer `pages[n]` on the n-th poll (the last one repeated).
async fn mount_polls(server: &MockServer, pages: Vec<Value>) -> Arc<AtomicUsize> {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    nj("GET", "/v2/device/1001/activities")
        .and(exact_query(&[("newerThan", "500"), ("pageSize", "100")]))
        .respond_with(move |_: &Request| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let page = pages[n.min(pages.len() - 1)].clone();
            ResponseTemplate::new(200)
                .set_body_json(json!({"lastActivityId": 500, "activities": page}))
        })
        .mount(server)
        .await;
    calls
}

#[tokio::test]
async fn run_posts_once_and_polls_until_completed() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .and(body_json(json!({
            "type": "SCRIPT",
            "id": 102,
            "runAs": "SYSTEM",
            "parameters": "-Name \"7-Zip 23.01\" -Silent"
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let mut done = activity(503, "COMPLETED", "job-1");
    done["activityResult"] = json!("SUCCESS");
    done["data"] = json!({"message": {"code": "SCRIPT_RESULT",
        "params": {"exitCode": 0, "output": "7-Zip 23.01 installed"}}});
    let mut other = activity(502, "COMPLETED", "someone-elses-job");
    other["activityResult"] = json!("FAILURE");
    let polls = mount_polls(
        &server,
        vec![
            json!([]),
            json!([activity(501, "START_REQUESTED", "job-1")]),
            json!([done, other, activity(501, "START_REQUESTED", "job-1")]),
        ],
    )
    .await;

    let args = vec!["-Name".to_string(), "7-Zip 23.01".into(), "-Silent".into()];
    let result = connector(&server.uri())
        .run_script(&acme(), &dev(), "install_package", &args)
        .await
        .unwrap();
    assert_eq!(
        result,
        ScriptResult {
            exit_code: 0,
            output: "7-Zip 23.01 installed".into()
        }
    );
    assert_eq!(
        polls.load(Ordering::SeqCst),
        3,
        "pending, pending, completed"
    );
}

#[tokio::test]
async fn built_in_action_failure_maps_to_a_non_zero_exit_code() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .and(body_json(json!({
            "type": "ACTION",
            "uid": ACTION_UID,
            "runAs": "LOGGED_ON_USER"
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let mut failed = activity(501, "COMPLETED", "job-2");
    failed["activityResult"] = json!("FAILURE");
    failed["message"] = json!("Restart service Print Spooler failed: access denied");
    mount_polls(&server, vec![json!([failed])]).await;

    let result = connector(&server.uri())
        .run_script(&acme(), &dev(), "restart_spooler", &[])
        .await
        .unwrap();
    assert_eq!(result.exit_code, 1);
    assert_eq!(
        result.output,
        "Restart service Print Spooler failed: access denied"
    );
}

#[tokio::test]
async fn poll_timeout_is_transient_and_names_the_job() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let polls = mount_polls(&server, vec![json!([activity(501, "STARTED", "job-7")])]).await;

    let rmm = NinjaOne::new(
        config(&server.uri()).poll(Duration::from_millis(20), Duration::from_millis(150)),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let err = rmm
        .run_script(&acme(), &dev(), "flush_dns", &[])
        .await
        .unwrap_err();
    let CapabilityError::Transient(msg) = &err else {
        panic!("expected Transient, got {err:?}");
    };
    assert!(
        msg.contains("flush_dns") && msg.contains("script 101"),
        "{msg}"
    );
    assert!(msg.contains("job-7") && msg.contains("1001"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(2), "bounded poll");
    let n = polls.load(Ordering::SeqCst);
    assert!((2..=10).contains(&n), "{n} polls");
}

#[tokio::test]
async fn a_failed_run_request_is_never_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .expect(1)
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/activities")
        .and(query_param("newerThan", "500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"activities": []})))
        .expect(0)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .run_script(&acme(), &dev(), "flush_dns", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");

    // A 429 on the POST is not retried either, whatever Retry-After says.
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .run_script(&acme(), &dev(), "flush_dns", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, CapabilityError::RateLimited { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn cancelled_run_is_permanent() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device_and_baseline(&server).await;
    nj("POST", "/v2/device/1001/script/run")
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    mount_polls(&server, vec![json!([activity(501, "CANCELLED", "job-3")])]).await;
    let err = connector(&server.uri())
        .run_script(&acme(), &dev(), "flush_dns", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CapabilityError::Permanent(m) if m.contains("CANCELLED")),
        "{err:?}"
    );
}

#[tokio::test]
async fn unknown_script_bad_arguments_and_foreign_devices_send_no_run() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/device/2002")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(device_json(2002, GLOBEX_ORG, None, false)),
        )
        .mount(&server)
        .await;
    nj("POST", "/v2/device/2002/script/run")
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    nj("GET", "/v2/device/2002/activities")
        .and(query_param_is_missing("newerThan"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"activities": []})))
        .expect(0)
        .mount(&server)
        .await;
    let rmm = connector(&server.uri());

    let err = rmm
        .run_script(&acme(), &dev(), "format_disk", &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CapabilityError::InvalidInput(m) if m.contains("format_disk") && m.contains("flush_dns")),
        "{err:?}"
    );
    let err = rmm
        .run_script(&acme(), &dev(), "flush_dns", &["x\"; shutdown /s".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());

    let err = rmm
        .run_script(&acme(), &DeviceId::new("2002"), "flush_dns", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
}
