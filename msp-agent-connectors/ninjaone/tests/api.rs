//! Devices, status, alerts, auth and error paths against a wiremock NinjaOne.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::Rmm;
use msp_agent_core::domain::{DeviceId, TenantId};
use msp_agent_ninjaone::NinjaOne;
use serde_json::json;
use wiremock::matchers::query_param;
use wiremock::{MockServer, ResponseTemplate};

fn acme() -> TenantId {
    TenantId::new("acme")
}

async fn mount_device(server: &MockServer, id: u64, org: u64) {
    nj("GET", &format!("/v2/device/{id}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(device_json(
            id,
            org,
            Some("ACME\\maria"),
            false,
        )))
        .mount(server)
        .await;
}

#[tokio::test]
async fn devices_are_paged_with_the_after_cursor_and_scoped_to_the_organization() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/devices-detailed")
        .and(exact_query(&[("df", "org=12"), ("pageSize", "2")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            device_json(1, ACME_ORG, Some("ACME\\maria"), false),
            device_json(2, ACME_ORG, None, true),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    nj("GET", "/v2/devices-detailed")
        .and(exact_query(&[
            ("df", "org=12"),
            ("pageSize", "2"),
            ("after", "2"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            device_json(3, ACME_ORG, None, false),
            // A device of another organization must never come back under acme.
            device_json(4, GLOBEX_ORG, None, false),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    nj("GET", "/v2/devices-detailed")
        .and(exact_query(&[
            ("df", "org=12"),
            ("pageSize", "2"),
            ("after", "4"),
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;

    let rmm = NinjaOne::new(config(&server.uri()).page_size(2)).unwrap();
    let devices = rmm.list_devices(&acme(), None).await.unwrap();
    let ids: Vec<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert!(
        devices
            .iter()
            .all(|d| d.tenant == acme() && d.user.is_none())
    );
    assert_eq!(devices[0].name, "ACME-PC-1");
    assert_eq!(devices[0].os, "Windows 11 Pro");
    assert!(devices[0].online);
    assert!(!devices[1].online, "offline flag maps to online = false");

    // Three pages, one token (mount_token expects exactly one fetch).
}

#[tokio::test]
async fn user_devices_match_the_last_logged_in_user() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    let mut no_os = device_json(5, ACME_ORG, Some("bob@acme.example"), false);
    no_os["os"] = json!(null);
    nj("GET", "/v2/devices-detailed")
        .and(query_param("df", "org=12"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            device_json(1, ACME_ORG, Some("ACME\\maria"), false),
            device_json(2, ACME_ORG, Some("Maria.Lopez@ACME.example"), false),
            device_json(3, ACME_ORG, Some("ACME\\mario"), false),
            device_json(4, ACME_ORG, None, false),
            no_os,
        ])))
        .mount(&server)
        .await;
    nj("GET", "/v2/devices-detailed")
        .and(query_param("after", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;

    let rmm = connector(&server.uri());
    let user = maria();
    let mine = rmm.list_devices(&acme(), Some(&user)).await.unwrap();
    let ids: Vec<&str> = mine.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert!(mine.iter().all(|d| d.user.as_ref() == Some(&user.id)));

    let all = rmm.list_devices(&acme(), None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        all[4].os, "WINDOWS_WORKSTATION",
        "node class when os is missing"
    );

    // A user of another tenant is refused.
    let mut stranger = maria();
    stranger.tenant = TenantId::new("globex");
    let err = rmm
        .list_devices(&acme(), Some(&stranger))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn unmapped_tenant_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let rmm = connector(&server.uri());
    let ghost = TenantId::new("ghost");
    let device = DeviceId::new("1001");
    assert_eq!(
        rmm.list_devices(&ghost, None).await.unwrap_err(),
        CapabilityError::WrongTenant(ghost.clone())
    );
    assert!(matches!(
        rmm.device_status(&ghost, &device).await,
        Err(CapabilityError::WrongTenant(_))
    ));
    assert!(matches!(
        rmm.list_alerts(&ghost, None).await,
        Err(CapabilityError::WrongTenant(_))
    ));
    assert!(matches!(
        rmm.run_script(&ghost, &device, "flush_dns", &[]).await,
        Err(CapabilityError::WrongTenant(_))
    ));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn device_status_combines_device_volumes_and_pending_patches() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device(&server, 1001, ACME_ORG).await;
    nj("GET", "/v2/device/1001/volumes")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"name": "C:", "driveLetter": "C:", "deviceType": "Local Disk", "fileSystem": "NTFS",
             "capacity": 511_101_108_224u64, "freeSpace": 64_424_509_440u64},
            {"name": "D:", "driveLetter": "D:", "deviceType": "Removable Disk",
             "capacity": 32_000_000_000u64, "freeSpace": 30_000_000_000u64}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/os-patches")
        .and(exact_query(&[("status", "PENDING")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "cursor": {"name": "c1", "offset": 0, "count": 2, "expires": 1_764_000_000.0},
            "results": [
                {"id": "p1", "name": "2026-11 Cumulative Update", "severity": "CRITICAL", "status": "PENDING", "type": "SECURITY_UPDATES", "kbNumber": "KB5050001", "deviceId": 1001},
                {"id": "p2", "name": "Defender definitions", "severity": "OPTIONAL", "status": "PENDING", "type": "DEFINITION_UPDATES", "deviceId": 1001}
            ]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let rmm = connector(&server.uri());
    let status = rmm
        .device_status(&acme(), &DeviceId::new("1001"))
        .await
        .unwrap();
    assert_eq!(status.device, DeviceId::new("1001"));
    assert!(status.online);
    assert!(
        (status.disk_free_gb - 60.0).abs() < 0.01,
        "{}",
        status.disk_free_gb
    );
    assert_eq!(status.pending_patches, 2);
    assert_eq!(status.last_seen.timestamp_millis(), 1_764_000_000_250);
    assert_eq!(status.cpu_percent, 0.0);
}

#[tokio::test]
async fn device_of_another_organization_or_missing_is_not_found() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device(&server, 2002, GLOBEX_ORG).await;
    nj("GET", "/v2/device/999")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "resultCode": "NOT_FOUND", "errorMessage": "Device not found", "incidentId": "abc"
        })))
        .mount(&server)
        .await;
    nj("GET", "/v2/device/2002/volumes")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(0)
        .mount(&server)
        .await;

    let rmm = connector(&server.uri());
    for id in ["2002", "999", "not-a-number"] {
        let err = rmm
            .device_status(&acme(), &DeviceId::new(id))
            .await
            .unwrap_err();
        assert!(matches!(err, CapabilityError::NotFound(_)), "{id}: {err:?}");
    }
    // The same device is served under its own tenant.
    let globex = TenantId::new("globex");
    let err = rmm
        .list_alerts(&acme(), Some(&DeviceId::new("2002")))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)));
    nj("GET", "/v2/device/2002/alerts")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    assert!(
        rmm.list_alerts(&globex, Some(&DeviceId::new("2002")))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn device_alerts_are_mapped_and_kept_to_the_device() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    mount_device(&server, 1001, ACME_ORG).await;
    nj("GET", "/v2/device/1001/alerts")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"uid": "a-1", "deviceId": 1001, "message": "Disk C: below 10% free", "createTime": 1_764_000_000.0,
             "updateTime": 1_764_000_100.0, "sourceType": "CONDITION_DISK_FREE_SPACE", "sourceName": "Disk space",
             "subject": "Disk space", "severity": "MAJOR", "priority": "HIGH"},
            {"uid": "a-2", "deviceId": 1001, "subject": "Agent offline", "createTime": 1_764_000_500.0,
             "priority": "LOW"},
            {"uid": "a-3", "deviceId": 77, "message": "not this device", "createTime": 1.0, "severity": "MINOR"}
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let rmm = connector(&server.uri());
    let alerts = rmm
        .list_alerts(&acme(), Some(&DeviceId::new("1001")))
        .await
        .unwrap();
    assert_eq!(alerts.len(), 2);
    assert!(alerts.iter().all(|a| a.device == DeviceId::new("1001")));
    assert_eq!(alerts[0].severity, "MAJOR");
    assert_eq!(alerts[0].message, "Disk C: below 10% free");
    assert_eq!(alerts[0].at.timestamp(), 1_764_000_000);
    assert_eq!(alerts[1].severity, "LOW");
    assert_eq!(alerts[1].message, "Agent offline");
}

#[tokio::test]
async fn tenant_alerts_are_filtered_by_organization_and_its_devices() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/devices-detailed")
        .and(exact_query(&[("df", "org=12"), ("pageSize", "100")]))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([device_json(1001, ACME_ORG, None, false)])),
        )
        .mount(&server)
        .await;
    nj("GET", "/v2/devices-detailed")
        .and(query_param("after", "1001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    nj("GET", "/v2/alerts")
        .and(exact_query(&[("df", "org=12")]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"uid": "a-1", "deviceId": 1001, "message": "CPU above 90%", "severity": "CRITICAL", "createTime": 1_764_000_000.0},
            {"uid": "a-2", "deviceId": 2002, "message": "foreign", "severity": "CRITICAL", "createTime": 1_764_000_000.0},
            {"uid": "a-3", "message": "no device", "severity": "MINOR", "createTime": 1_764_000_000.0}
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let alerts = connector(&server.uri())
        .list_alerts(&acme(), None)
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].device, DeviceId::new("1001"));
    assert_eq!(alerts[0].message, "CPU above 90%");
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_then_is_unauthorized() {
    let server = MockServer::start().await;
    mount_token(&server, 2).await;
    nj("GET", "/v2/device/1001")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "resultCode": "UNAUTHORIZED", "errorMessage": "Invalid token"
        })))
        .expect(2)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .device_status(&acme(), &DeviceId::new("1001"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn rejected_client_credentials_are_unauthorized() {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/ws/oauth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"resultCode": "Client app not exist"})),
        )
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .list_devices(&acme(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unauthorized(_)), "{err:?}");
    assert!(!format!("{err}").contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for_and_retried() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/device/1001/alerts")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    nj("GET", "/v2/device/1001/alerts")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    mount_device(&server, 1001, ACME_ORG).await;
    let started = std::time::Instant::now();
    let alerts = connector(&server.uri())
        .list_alerts(&acme(), Some(&DeviceId::new("1001")))
        .await
        .unwrap();
    assert!(alerts.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After honoured"
    );
}

#[tokio::test]
async fn a_long_retry_after_is_returned_as_rate_limited() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/device/1001")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .device_status(&acme(), &DeviceId::new("1001"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CapabilityError::RateLimited {
            retry_after: Some(Duration::from_secs(120))
        }
    );
}

#[tokio::test]
async fn server_errors_on_reads_are_retried_then_transient() {
    let server = MockServer::start().await;
    mount_token(&server, 1).await;
    nj("GET", "/v2/devices-detailed")
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    let err = connector(&server.uri())
        .list_devices(&acme(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Transient(_)), "{err:?}");
}
