//! Reading users: lookup by UPN/mail, account state, privileged roles, errors and retries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::IdentityProvider;
use msp_agent_core::domain::{AccountState, DirectoryUser, UserId};
use serde_json::json;
use wiremock::ResponseTemplate;
use wiremock::matchers::{header, query_param};

use common::*;

fn jane_user(privileged: bool, reason: Option<&str>) -> DirectoryUser {
    DirectoryUser {
        id: UserId::new("u-jane"),
        tenant: acme(),
        upn: "jane@acme.com".into(),
        display_name: "Jane Doe".into(),
        mail: "jane@acme.com".into(),
        state: AccountState {
            enabled: true,
            locked: false,
            force_change_password: false,
            password_changed_at: Some(Utc.with_ymd_and_hms(2026, 10, 1, 8, 30, 0).unwrap()),
        },
        privileged,
        privilege_reason: reason.map(Into::into),
        manager: Some(UserId::new("u-boss")),
    }
}

#[tokio::test]
async fn find_user_quotes_and_maps() {
    let (server, entra) = setup().await;
    let q = "o'brien@acme.com";
    graph("GET", "/users")
        .and(query_param(
            "$filter",
            "userPrincipalName eq 'o''brien@acme.com' or mail eq 'o''brien@acme.com'",
        ))
        .and(query_param("$select", "id,userPrincipalName,mail"))
        .and(query_param("$top", "2"))
        .respond_with(ok(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,mail)",
            "value": [{"id": "u-jane", "userPrincipalName": "jane@acme.com", "mail": q}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_user(
        &server,
        "u-jane",
        jane(),
        json!([
            {"@odata.type": "#microsoft.graph.directoryRole", "id": "r1", "displayName": "Global Administrator"},
            {"@odata.type": "#microsoft.graph.directoryRole", "id": "r2", "displayName": "User Administrator"}
        ]),
    )
    .await;
    let u = entra.find_user(&acme(), q).await.unwrap().unwrap();
    assert_eq!(
        u,
        jane_user(
            true,
            Some("holds directory roles: Global Administrator, User Administrator")
        )
    );
    server.verify().await;
}

#[tokio::test]
async fn find_user_none() {
    let (server, entra) = setup().await;
    graph("GET", "/users")
        .respond_with(ok(json!({"value": []})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(entra.find_user(&acme(), "ghost@acme.com").await, Ok(None));
    assert_eq!(
        entra.find_user(&acme(), "  ").await,
        Err(CapabilityError::InvalidInput(
            "UPN or mail must not be empty".into()
        ))
    );
    server.verify().await;
}

#[tokio::test]
async fn get_user_state_without_roles() {
    let (server, entra) = setup().await;
    let mut user = jane();
    user["accountEnabled"] = json!(false);
    user["passwordProfile"]["forceChangePasswordNextSignIn"] = json!(true);
    user.as_object_mut().unwrap().remove("manager");
    mount_user(&server, "u-jane", user, json!([])).await;
    let u = entra
        .get_user(&acme(), &UserId::new("u-jane"))
        .await
        .unwrap();
    let mut want = jane_user(false, None);
    want.state.enabled = false;
    want.state.force_change_password = true;
    want.manager = None;
    assert_eq!(u, want);
}

#[tokio::test]
async fn roles_are_paged() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane")
        .respond_with(ok(jane()))
        .mount(&server)
        .await;
    let next = format!(
        "{}/v1.0/users/u-jane/transitiveMemberOf/microsoft.graph.directoryRole?$skiptoken=p2",
        server.uri()
    );
    graph(
        "GET",
        "/users/u-jane/transitiveMemberOf/microsoft.graph.directoryRole",
    )
    .and(query_param("$skiptoken", "p2"))
    .respond_with(ok(
        json!({"value": [{"id": "r2", "displayName": "Exchange Administrator"}]}),
    ))
    .expect(1)
    .mount(&server)
    .await;
    graph(
        "GET",
        "/users/u-jane/transitiveMemberOf/microsoft.graph.directoryRole",
    )
    .and(query_param("$count", "true"))
    .and(header("consistencylevel", "eventual"))
    .respond_with(ok(json!({
        "value": [{"id": "r1", "displayName": "Helpdesk Administrator"}],
        "@odata.nextLink": next
    })))
    .expect(1)
    .mount(&server)
    .await;
    let u = entra
        .get_user(&acme(), &UserId::new("u-jane"))
        .await
        .unwrap();
    assert_eq!(
        u.privilege_reason.as_deref(),
        Some("holds directory roles: Helpdesk Administrator, Exchange Administrator")
    );
    server.verify().await;
}

#[tokio::test]
async fn get_user_404_is_not_found() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-gone")
        .respond_with(graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource 'u-gone' does not exist or one of its queried reference-property objects are not present.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = entra
        .get_user(&acme(), &UserId::new("u-gone"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CapabilityError::NotFound(m) if m.starts_with("Request_ResourceNotFound: Resource 'u-gone'")),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn other_tenant_token_does_not_see_the_user() {
    let (server, entra) = setup().await;
    mount_user(&server, "u-jane", jane(), json!([])).await;
    // The same id asked in globex's directory (globex token) is not there.
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v1.0/users/u-jane"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_B}").as_str(),
        ))
        .respond_with(graph_error(404, "Request_ResourceNotFound", "nope"))
        .mount(&server)
        .await;
    assert!(
        entra
            .get_user(&acme(), &UserId::new("u-jane"))
            .await
            .is_ok()
    );
    assert!(matches!(
        entra.get_user(&globex(), &UserId::new("u-jane")).await,
        Err(CapabilityError::NotFound(_))
    ));
}

#[tokio::test]
async fn throttled_429_waits_retry_after_then_succeeds() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane")
        .respond_with(
            graph_error(429, "TooManyRequests", "Too many requests")
                .insert_header("Retry-After", "1"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_user(&server, "u-jane", jane(), json!([])).await;
    let start = Instant::now();
    let u = entra
        .get_user(&acme(), &UserId::new("u-jane"))
        .await
        .unwrap();
    assert_eq!(u.id, UserId::new("u-jane"));
    assert!(start.elapsed() >= Duration::from_secs(1));
    server.verify().await;
}

#[tokio::test]
async fn throttled_beyond_retries_is_rate_limited() {
    let (server, entra) = setup().await;
    graph("GET", "/subscribedSkus")
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    assert_eq!(
        entra.list_licenses(&acme()).await,
        Err(CapabilityError::RateLimited {
            retry_after: Some(Duration::ZERO)
        })
    );
    server.verify().await;
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane")
        .respond_with(graph_error(
            503,
            "serviceNotAvailable",
            "Service unavailable",
        ))
        .expect(3)
        .mount(&server)
        .await;
    assert_eq!(
        entra.get_user(&acme(), &UserId::new("u-jane")).await,
        Err(CapabilityError::Transient(
            "serviceNotAvailable: Service unavailable".into()
        ))
    );
    server.verify().await;
}

#[tokio::test]
async fn server_error_once_then_ok() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane")
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_user(&server, "u-jane", jane(), json!([])).await;
    assert!(
        entra
            .get_user(&acme(), &UserId::new("u-jane"))
            .await
            .is_ok()
    );
    server.verify().await;
}

#[tokio::test]
async fn forbidden_names_the_graph_code() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane")
        .respond_with(graph_error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
        .mount(&server)
        .await;
    assert_eq!(
        entra.get_user(&acme(), &UserId::new("u-jane")).await,
        Err(CapabilityError::Forbidden(
            "Authorization_RequestDenied: Insufficient privileges to complete the operation."
                .into()
        ))
    );
}
