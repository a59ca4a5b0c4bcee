//! The core Rmm conformance suite against a stateful NinjaOne fake (wiremock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::*;
use msp_agent_core::conformance::{RmmFixture, check_rmm};
use msp_agent_core::domain::{DeviceId, TenantId};
use serde_json::json;
use wiremock::matchers::{body_json, query_param, query_param_is_missing};
use wiremock::{MockServer, Request, ResponseTemplate};

async fn fake_ninjaone() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;

    nj("GET", "/v2/devices-detailed")
        .and(query_param("df", "org=12"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            device_json(1001, ACME_ORG, Some("ACME\\maria"), false),
            device_json(1002, ACME_ORG, Some("ACME\\bob"), true),
        ])))
        .mount(&server)
        .await;
    nj("GET", "/v2/devices-detailed")
        .and(query_param("after", "1002"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001")
        .respond_with(ResponseTemplate::new(200).set_body_json(device_json(
            1001,
            ACME_ORG,
            Some("ACME\\maria"),
            false,
        )))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"resultCode": "NOT_FOUND"})))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/volumes")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"driveLetter": "C:", "deviceType": "Local Disk", "capacity": 2.5e11, "freeSpace": 1.0e11}
        ])))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/os-patches")
        .and(query_param("status", "PENDING"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/alerts")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"uid": "a-1", "deviceId": 1001, "message": "Reboot pending", "severity": "MINOR", "createTime": 1_764_000_000.0}
        ])))
        .mount(&server)
        .await;

    // Script run: baseline activity 700, then the run's activities once it was requested.
    let ran = Arc::new(AtomicBool::new(false));
    nj("GET", "/v2/device/1001/activities")
        .and(query_param("pageSize", "1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"activities": [activity(700, "COMPLETED", "old")]})),
        )
        .mount(&server)
        .await;
    let r = ran.clone();
    nj("POST", "/v2/device/1001/script/run")
        .and(body_json(
            json!({"type": "SCRIPT", "id": 101, "runAs": "SYSTEM"}),
        ))
        .respond_with(move |_: &Request| {
            r.store(true, Ordering::SeqCst);
            ResponseTemplate::new(204)
        })
        .expect(1)
        .mount(&server)
        .await;
    let r = ran.clone();
    nj("GET", "/v2/device/1001/activities")
        .and(query_param("newerThan", "700"))
        .respond_with(move |_: &Request| {
            let mut done = activity(701, "COMPLETED", "job-9");
            done["activityResult"] = json!("SUCCESS");
            done["message"] =
                json!("Windows IP Configuration: Successfully flushed the DNS Resolver Cache.");
            let page = if r.load(Ordering::SeqCst) {
                json!([done])
            } else {
                json!([])
            };
            ResponseTemplate::new(200).set_body_json(json!({"activities": page}))
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn ninjaone_passes_the_rmm_conformance_suite() {
    let server = fake_ninjaone().await;
    let rmm = connector(&server.uri());
    let fixture = RmmFixture {
        tenant: TenantId::new("acme"),
        device: DeviceId::new("1001"),
        missing_device: DeviceId::new("999"),
        user: Some(maria()),
        foreign_tenant: Some(TenantId::new("globex")),
        unmapped_tenant: TenantId::new("ghost"),
        script: Some(("flush_dns".into(), Vec::new())),
    };
    let passed = check_rmm(&rmm, &fixture).await.unwrap();
    for check in [
        "list_devices",
        "user_devices",
        "device_status",
        "missing_device",
        "foreign_device",
        "unmapped_tenant",
        "alerts",
        "run_script",
    ] {
        assert!(passed.contains(&check), "{check} not passed: {passed:?}");
    }
}
