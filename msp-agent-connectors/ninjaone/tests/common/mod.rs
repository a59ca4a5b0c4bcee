//! Shared test helpers: a connector pointed at wiremock and NinjaOne-shaped fixtures.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_core::domain::{AccountState, DirectoryUser, TenantId, UserId};
use msp_agent_http::RetryPolicy;
use msp_agent_ninjaone::{Instance, NinjaOne, NinjaOneConfig, ScriptRef};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

pub const CLIENT_ID: &str = "nj-client-4711";
pub const CLIENT_SECRET: &str = "nj-secret-s3cr3t";
pub const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.ninja-token";
pub const ACME_ORG: u64 = 12;
pub const GLOBEX_ORG: u64 = 34;
pub const ACTION_UID: &str = "8a4d9a3c-0000-4000-8000-00000000c1ea";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn config(base: &str) -> NinjaOneConfig {
    NinjaOneConfig::new(
        Instance::Custom(base.to_string()),
        CLIENT_ID,
        SecretString::from(CLIENT_SECRET.to_string()),
    )
    .tenant("acme", ACME_ORG)
    .tenant("globex", GLOBEX_ORG)
    .script("flush_dns", ScriptRef::script(101))
    .script("install_package", ScriptRef::script(102).run_as("SYSTEM"))
    .script(
        "restart_spooler",
        ScriptRef::action(ACTION_UID).run_as("LOGGED_ON_USER"),
    )
    .poll(Duration::from_millis(10), Duration::from_secs(2))
    .retry(fast_retry())
    .rate_limit(None)
    .timeout(Duration::from_secs(5))
}

pub fn connector(base: &str) -> NinjaOne {
    NinjaOne::new(config(base)).unwrap()
}

/// The client-credentials token endpoint, checking the documented form fields.
pub async fn mount_token(server: &MockServer, expected: u64) {
    Mock::given(method("POST"))
        .and(path("/ws/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains(format!("client_id={CLIENT_ID}")))
        .and(body_string_contains(format!(
            "client_secret={CLIENT_SECRET}"
        )))
        .and(body_string_contains("scope=monitoring+management"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": TOKEN,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": "monitoring management"
        })))
        .expect(expected)
        .mount(server)
        .await;
}

/// A mock of `verb path` that only matches with the bearer token.
pub fn nj(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p.to_string()))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
}

/// Matches when the query string is exactly `pairs` (order ignored, nothing extra).
pub fn exact_query(pairs: &[(&str, &str)]) -> impl Match + 'static {
    let mut want: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    want.sort();
    move |r: &Request| {
        let mut got: Vec<String> = r
            .url
            .query_pairs()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        got.sort();
        got == want
    }
}

/// A detailed device as `GET /v2/devices-detailed` and `GET /v2/device/{id}` return it.
pub fn device_json(id: u64, org: u64, user: Option<&str>, offline: bool) -> Value {
    json!({
        "id": id,
        "parentDeviceId": null,
        "organizationId": org,
        "locationId": 3,
        "nodeClass": "WINDOWS_WORKSTATION",
        "nodeRoleId": 42,
        "rolePolicyId": 7,
        "approvalStatus": "APPROVED",
        "offline": offline,
        "displayName": format!("Desk {id}"),
        "systemName": format!("ACME-PC-{id}"),
        "dnsName": format!("acme-pc-{id}.acme.local"),
        "created": 1_690_000_000.0,
        "lastContact": 1_764_000_000.25,
        "lastUpdate": 1_764_000_100.0,
        "os": {"manufacturer": "Microsoft Corporation", "name": "Windows 11 Pro", "architecture": "64-bit", "buildNumber": "22631"},
        "system": {"manufacturer": "Dell Inc.", "model": "Latitude 7440"},
        "lastLoggedInUser": user
    })
}

pub fn activity(id: u64, status: &str, series: &str) -> Value {
    json!({
        "id": id,
        "activityTime": 1_764_000_000.0 + id as f64,
        "deviceId": 1001,
        "severity": "NONE",
        "priority": "NONE",
        "seriesUid": series,
        "activityType": "ACTION",
        "statusCode": status,
        "status": status,
        "sourceName": "Flush DNS",
        "message": format!("Run Flush DNS: {status}")
    })
}

pub fn maria() -> DirectoryUser {
    DirectoryUser {
        id: UserId::new("a1b2-maria"),
        tenant: TenantId::new("acme"),
        upn: "maria.lopez@acme.example".into(),
        display_name: "Maria Lopez".into(),
        mail: "maria@acme.example".into(),
        state: AccountState {
            enabled: true,
            locked: false,
            force_change_password: false,
            password_changed_at: None,
        },
        privileged: false,
        privilege_reason: None,
        manager: None,
    }
}

/// Query value of `name` in a recorded request.
pub fn query_of(r: &Request, name: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
