//! Writes and the remaining reads: passwords, sign-in, sessions, authentication methods,
//! Temporary Access Pass, licences, groups, user creation and the unsupported calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use msp_agent_core::CapabilityError;
use msp_agent_core::audit::{REDACTED, VendorCall, recording};
use msp_agent_core::capability::{IdentityProvider, MailboxPermission, NewUser};
use msp_agent_core::domain::{
    AccountState, AuthMethod, AuthMethodKind, DirectoryUser, Group, GroupId, License, UserId,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{Match, MockServer, Request as WireRequest, ResponseTemplate};

use common::*;

fn jane_id() -> UserId {
    UserId::new("u-jane")
}

fn no_content() -> ResponseTemplate {
    ResponseTemplate::new(204)
}

async fn sent(server: &MockServer) -> Vec<(String, String, Option<Value>)> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().starts_with("/v1.0"))
        .map(|r| {
            let q = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
            (
                r.method.to_string(),
                format!("{}{q}", r.url.path()),
                serde_json::from_slice(&r.body).ok(),
            )
        })
        .collect()
}

#[tokio::test]
async fn reset_password_patches_profile_and_never_records_it() {
    let (server, entra) = setup().await;
    let pw = "Xy7#kQ2!mN9@pL4v";
    graph("PATCH", "/users/u-jane")
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": pw}
        })))
        .respond_with(no_content())
        .expect(1)
        .mount(&server)
        .await;
    let secret = SecretString::from(pw.to_string());
    let (res, calls) = recording(entra.reset_password(&acme(), &jane_id(), &secret, true)).await;
    res.unwrap();
    assert_eq!(
        calls,
        vec![VendorCall {
            method: "PATCH".into(),
            url: format!("{}/v1.0/users/u-jane", server.uri()),
            body: json!({"passwordProfile": REDACTED}),
        }]
    );
    assert!(!format!("{calls:?}").contains(pw));
    server.verify().await;
}

#[tokio::test]
async fn reset_password_policy_error_is_invalid_input() {
    let (server, entra) = setup().await;
    graph("PATCH", "/users/u-jane")
        .respond_with(graph_error(
            400,
            "Request_BadRequest",
            "The specified password does not comply with password complexity requirements.",
        ))
        .expect(1) // PATCH is not retried
        .mount(&server)
        .await;
    let err = entra
        .reset_password(
            &acme(),
            &jane_id(),
            &SecretString::from("weak".to_string()),
            true,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CapabilityError::InvalidInput(m) if m.starts_with("Request_BadRequest: The specified password"))
    );
    assert!(!err.to_string().contains("weak"));
    server.verify().await;
}

#[tokio::test]
async fn sign_in_enable_disable_and_revoke() {
    let (server, entra) = setup().await;
    for enabled in [false, true] {
        graph("PATCH", "/users/u-jane")
            .and(body_json(json!({"accountEnabled": enabled})))
            .respond_with(no_content())
            .expect(1)
            .mount(&server)
            .await;
    }
    graph("POST", "/users/u-jane/revokeSignInSessions")
        .respond_with(ok(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean", "value": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    entra
        .set_sign_in_enabled(&acme(), &jane_id(), false)
        .await
        .unwrap();
    entra
        .set_sign_in_enabled(&acme(), &jane_id(), true)
        .await
        .unwrap();
    entra.revoke_sessions(&acme(), &jane_id()).await.unwrap();
    server.verify().await;
    let revoke = sent(&server).await.pop().unwrap();
    assert_eq!(
        (revoke.0.as_str(), revoke.1.as_str(), revoke.2),
        ("POST", "/v1.0/users/u-jane/revokeSignInSessions", None)
    );
}

#[tokio::test]
async fn auth_methods_are_listed_over_pages_and_mapped() {
    let (server, entra) = setup().await;
    let next = format!(
        "{}/v1.0/users/u-jane/authentication/methods?$skiptoken=X2",
        server.uri()
    );
    graph("GET", "/users/u-jane/authentication/methods")
        .and(query_param("$skiptoken", "X2"))
        .respond_with(ok(json!({"value": [
            {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": "m-tap"},
            {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "m-mail", "emailAddress": "j@x.com"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    graph("GET", "/users/u-jane/authentication/methods")
        .respond_with(ok(json!({
            "value": [
                {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490", "password": null},
                {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "m-app", "displayName": "iPhone"},
                {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+1 2065555555", "phoneType": "mobile"},
                {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "m-key"}
            ],
            "@odata.nextLink": next
        })))
        .expect(1)
        .mount(&server)
        .await;
    let m = entra.list_auth_methods(&acme(), &jane_id()).await.unwrap();
    let kinds: Vec<(&str, AuthMethodKind)> = m.iter().map(|m| (m.id.as_str(), m.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (
                "28c10230-6103-485e-b985-444c60001490",
                AuthMethodKind::Password
            ),
            ("m-app", AuthMethodKind::Authenticator),
            (
                "3179e48a-750b-4051-897c-87b9720928f7",
                AuthMethodKind::Phone
            ),
            ("m-key", AuthMethodKind::Fido2),
            ("m-tap", AuthMethodKind::TemporaryAccessPass),
            ("m-mail", AuthMethodKind::Other),
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn auth_methods_are_deleted_through_their_type_endpoint() {
    let (server, entra) = setup().await;
    let cases = [
        (
            AuthMethodKind::Authenticator,
            "microsoftAuthenticatorMethods",
        ),
        (AuthMethodKind::Phone, "phoneMethods"),
        (AuthMethodKind::Fido2, "fido2Methods"),
        (
            AuthMethodKind::TemporaryAccessPass,
            "temporaryAccessPassMethods",
        ),
    ];
    for (_, collection) in cases {
        graph(
            "DELETE",
            &format!("/users/u-jane/authentication/{collection}/m-1"),
        )
        .respond_with(no_content())
        .expect(1)
        .mount(&server)
        .await;
    }
    for (kind, _) in cases {
        let m = AuthMethod {
            id: "m-1".into(),
            kind,
        };
        entra
            .delete_auth_method(&acme(), &jane_id(), &m)
            .await
            .unwrap();
    }
    server.verify().await;
}

#[tokio::test]
async fn other_methods_are_resolved_by_type_and_password_refused() {
    let (server, entra) = setup().await;
    graph("GET", "/users/u-jane/authentication/methods")
        .respond_with(ok(json!({"value": [
            {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "m-pw"},
            {"@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": "m-oath"}
        ]})))
        .expect(2)
        .mount(&server)
        .await;
    graph(
        "DELETE",
        "/users/u-jane/authentication/softwareOathMethods/m-oath",
    )
    .respond_with(no_content())
    .expect(1)
    .mount(&server)
    .await;
    let other = |id: &str| AuthMethod {
        id: id.into(),
        kind: AuthMethodKind::Other,
    };
    entra
        .delete_auth_method(&acme(), &jane_id(), &other("m-oath"))
        .await
        .unwrap();
    assert!(matches!(
        entra
            .delete_auth_method(&acme(), &jane_id(), &other("m-none"))
            .await,
        Err(CapabilityError::NotFound(_))
    ));
    let pw = AuthMethod {
        id: "m-pw".into(),
        kind: AuthMethodKind::Password,
    };
    assert!(matches!(
        entra.delete_auth_method(&acme(), &jane_id(), &pw).await,
        Err(CapabilityError::Unsupported(m)) if m.contains("password method cannot be deleted")
    ));
    server.verify().await;
}

#[tokio::test]
async fn temporary_access_pass_is_a_secret() {
    let (server, entra) = setup().await;
    let pass = "TAPRocks!-7729";
    graph(
        "POST",
        "/users/u-jane/authentication/temporaryAccessPassMethods",
    )
    .and(body_json(json!({"lifetimeInMinutes": 60})))
    .respond_with(ResponseTemplate::new(201).set_body_json(json!({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        "id": "6f1cc5a5-3e7c-4e3e-9d0a-2c7a6c1b2a11",
        "temporaryAccessPass": pass,
        "createdDateTime": "2026-11-25T09:00:00Z",
        "startDateTime": "2026-11-25T09:00:00Z",
        "lifetimeInMinutes": 60, "isUsableOnce": false, "isUsable": true,
        "methodUsabilityReason": "EnabledByPolicy"
    })))
    .expect(1)
    .mount(&server)
    .await;
    let (tap, calls) = recording(entra.create_temporary_access_pass(&acme(), &jane_id(), 60)).await;
    let tap = tap.unwrap();
    assert_eq!(tap.expose_secret(), pass);
    assert!(!format!("{tap:?}").contains(pass));
    assert_eq!(calls.len(), 1);
    assert!(!serde_json::to_string(&calls).unwrap().contains(pass));
    assert!(!format!("{calls:?}").contains(pass));
    assert_eq!(
        entra
            .create_temporary_access_pass(&acme(), &jane_id(), 5)
            .await
            .unwrap_err(),
        CapabilityError::InvalidInput(
            "Temporary Access Pass lifetime must be 10 to 43200 minutes".into()
        )
    );
    server.verify().await;
}

#[tokio::test]
async fn tap_creation_is_not_retried_on_5xx() {
    let (server, entra) = setup().await;
    graph(
        "POST",
        "/users/u-jane/authentication/temporaryAccessPassMethods",
    )
    .respond_with(ResponseTemplate::new(500))
    .expect(1)
    .mount(&server)
    .await;
    assert!(matches!(
        entra
            .create_temporary_access_pass(&acme(), &jane_id(), 60)
            .await,
        Err(CapabilityError::Transient(_))
    ));
    server.verify().await;
}

fn skus() -> Value {
    json!({"value": [
        {"capabilityStatus": "Enabled", "consumedUnits": 14, "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965",
         "skuPartNumber": "SPE_E3", "appliesTo": "User",
         "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0}},
        {"capabilityStatus": "Enabled", "consumedUnits": 3, "skuId": "f30db892-07e9-47e9-837c-80727f46fd3d",
         "skuPartNumber": "FLOW_FREE", "appliesTo": "User",
         "prepaidUnits": {"enabled": 10000, "suspended": 0, "warning": 0}}
    ]})
}

#[tokio::test]
async fn licences_listed_and_assigned_by_cached_sku_id() {
    let (server, entra) = setup().await;
    graph("GET", "/subscribedSkus")
        .respond_with(ok(skus()))
        .expect(1)
        .mount(&server)
        .await;
    graph("POST", "/users/u-jane/assignLicense")
        .and(body_json(json!({
            "addLicenses": [{"disabledPlans": [], "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965"}],
            "removeLicenses": []
        })))
        .respond_with(ok(json!({"id": "u-jane"})))
        .expect(1)
        .mount(&server)
        .await;
    graph("POST", "/users/u-jane/assignLicense")
        .and(body_json(json!({
            "addLicenses": [],
            "removeLicenses": ["f30db892-07e9-47e9-837c-80727f46fd3d"]
        })))
        .respond_with(ok(json!({"id": "u-jane"})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        entra.list_licenses(&acme()).await.unwrap(),
        vec![
            License {
                sku: "SPE_E3".into(),
                total: 25,
                consumed: 14
            },
            License {
                sku: "FLOW_FREE".into(),
                total: 10000,
                consumed: 3
            },
        ]
    );
    entra
        .assign_license(&acme(), &jane_id(), "spe_e3")
        .await
        .unwrap();
    entra
        .remove_license(&acme(), &jane_id(), "FLOW_FREE")
        .await
        .unwrap();
    server.verify().await; // subscribedSkus read once
}

#[tokio::test]
async fn unknown_sku_is_not_found_after_one_refresh() {
    let (server, entra) = setup().await;
    graph("GET", "/subscribedSkus")
        .respond_with(ok(skus()))
        .expect(1)
        .mount(&server)
        .await;
    assert!(matches!(
        entra.assign_license(&acme(), &jane_id(), "ENTERPRISEPACK").await,
        Err(CapabilityError::NotFound(m)) if m.contains("ENTERPRISEPACK")
    ));
    server.verify().await; // no assignLicense sent
}

#[tokio::test]
async fn groups_found_listed_and_changed() {
    let (server, entra) = setup().await;
    graph("GET", "/groups")
        .and(query_param(
            "$filter",
            "displayName eq 'Sales ''EU''' or mail eq 'Sales ''EU'''",
        ))
        .and(query_param("$select", "id,displayName,mail,isAssignableToRole"))
        .and(query_param("$top", "2"))
        .respond_with(ok(json!({"value": [
            {"id": "g-sales", "displayName": "Sales 'EU'", "mail": "sales@acme.com", "isAssignableToRole": null}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    let next = format!("{}/v1.0/users/u-jane/memberOf?$skiptoken=G2", server.uri());
    graph("GET", "/users/u-jane/memberOf")
        .and(query_param("$skiptoken", "G2"))
        .respond_with(ok(json!({"value": [
            {"@odata.type": "#microsoft.graph.directoryRole", "id": "r-1", "displayName": "Helpdesk Administrator"},
            {"@odata.type": "#microsoft.graph.group", "id": "g-admins", "displayName": "Tier0 Admins", "mail": null, "isAssignableToRole": true},
            {"@odata.type": "#microsoft.graph.administrativeUnit", "id": "au-1", "displayName": "EU"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    graph("GET", "/users/u-jane/memberOf")
        .and(NoQuery)
        .respond_with(ok(json!({
            "value": [{"@odata.type": "#microsoft.graph.group", "id": "g-sales", "displayName": "Sales 'EU'", "mail": "sales@acme.com", "isAssignableToRole": false}],
            "@odata.nextLink": next
        })))
        .expect(1)
        .mount(&server)
        .await;
    graph("POST", "/groups/g-sales/members/$ref")
        .and(body_json(json!({
            "@odata.id": format!("{}/v1.0/directoryObjects/u-jane", server.uri())
        })))
        .respond_with(no_content())
        .expect(1)
        .mount(&server)
        .await;
    graph("DELETE", "/groups/g-sales/members/u-jane/$ref")
        .respond_with(no_content())
        .expect(1)
        .mount(&server)
        .await;

    let sales = Group {
        id: GroupId::new("g-sales"),
        name: "Sales 'EU'".into(),
        mail: Some("sales@acme.com".into()),
        privileged: false,
    };
    assert_eq!(
        entra.find_group(&acme(), "Sales 'EU'").await.unwrap(),
        Some(sales.clone())
    );
    assert_eq!(
        entra.list_user_groups(&acme(), &jane_id()).await.unwrap(),
        vec![
            sales,
            Group {
                id: GroupId::new("g-admins"),
                name: "Tier0 Admins".into(),
                mail: None,
                privileged: true,
            }
        ]
    );
    let g = GroupId::new("g-sales");
    entra
        .add_group_member(&acme(), &g, &jane_id())
        .await
        .unwrap();
    entra
        .remove_group_member(&acme(), &g, &jane_id())
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn group_membership_edge_cases() {
    let (server, entra) = setup().await;
    graph("POST", "/groups/g-1/members/$ref")
        .respond_with(graph_error(
            400,
            "Request_BadRequest",
            "One or more added object references already exist for the following modified properties: 'members'.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    graph("DELETE", "/groups/g-1/members/u-jane/$ref")
        .respond_with(graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource 'u-jane' does not exist",
        ))
        .expect(1)
        .mount(&server)
        .await;
    graph("GET", "/groups")
        .respond_with(ok(json!({"value": [
            {"id": "g-1", "displayName": "Sales", "mail": "sales-a@acme.com"},
            {"id": "g-2", "displayName": "Sales", "mail": "sales-b@acme.com"}
        ]})))
        .mount(&server)
        .await;
    let g = GroupId::new("g-1");
    // Already a member: the goal holds.
    entra
        .add_group_member(&acme(), &g, &jane_id())
        .await
        .unwrap();
    assert!(matches!(
        entra.remove_group_member(&acme(), &g, &jane_id()).await,
        Err(CapabilityError::NotFound(_))
    ));
    assert!(matches!(
        entra.find_group(&acme(), "Sales").await,
        Err(CapabilityError::Conflict(_))
    ));
    assert_eq!(
        entra
            .find_group(&acme(), "SALES-B@acme.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        GroupId::new("g-2")
    );
    server.verify().await;
}

/// Matches a request without a query string.
struct NoQuery;

impl Match for NoQuery {
    fn matches(&self, request: &WireRequest) -> bool {
        request.url.query().is_none()
    }
}

/// Matches the create-user body, whatever the generated password (16 characters).
struct NewUserBody(Value);

impl Match for NewUserBody {
    fn matches(&self, request: &WireRequest) -> bool {
        let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
            return false;
        };
        let pw = body["passwordProfile"]["password"].take();
        pw.as_str().is_some_and(|p| p.chars().count() == 16) && body == self.0
    }
}

#[tokio::test]
async fn create_user_disabled_with_hidden_password_and_manager() {
    let (server, entra) = setup().await;
    graph("POST", "/users")
        .and(NewUserBody(json!({
            "accountEnabled": false,
            "displayName": "New Starter",
            "mailNickname": "new.starter",
            "userPrincipalName": "new.starter@acme.com",
            "passwordProfile": {"forceChangePasswordNextSignIn": true, "password": null}
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "u-new", "userPrincipalName": "new.starter@acme.com",
            "displayName": "New Starter", "mail": null, "accountEnabled": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    graph("PUT", "/users/u-new/manager/$ref")
        .and(body_json(
            json!({"@odata.id": format!("{}/v1.0/users/u-boss", server.uri())}),
        ))
        .respond_with(no_content())
        .expect(1)
        .mount(&server)
        .await;
    let new = NewUser {
        display_name: "New Starter".into(),
        upn: "new.starter@acme.com".into(),
        manager: Some(UserId::new("u-boss")),
    };
    let (user, calls) = recording(entra.create_user(&acme(), &new)).await;
    assert_eq!(
        user.unwrap(),
        DirectoryUser {
            id: UserId::new("u-new"),
            tenant: acme(),
            upn: "new.starter@acme.com".into(),
            display_name: "New Starter".into(),
            mail: String::new(),
            state: AccountState {
                enabled: false,
                locked: false,
                force_change_password: true,
                password_changed_at: None
            },
            privileged: false,
            privilege_reason: None,
            manager: Some(UserId::new("u-boss")),
        }
    );
    assert_eq!(calls[0].body["passwordProfile"], json!(REDACTED));
    server.verify().await;
    // The generated password is in no recorded call.
    let req = &server.received_requests().await.unwrap();
    let create = req.iter().find(|r| r.url.path() == "/v1.0/users").unwrap();
    let body: Value = serde_json::from_slice(&create.body).unwrap();
    let pw = body["passwordProfile"]["password"].as_str().unwrap();
    assert!(!format!("{calls:?}").contains(pw));

    let bad = NewUser {
        display_name: "X".into(),
        upn: "no-domain".into(),
        manager: None,
    };
    assert!(matches!(
        entra.create_user(&acme(), &bad).await,
        Err(CapabilityError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn exchange_and_on_prem_calls_are_unsupported() {
    let (server, entra) = setup().await;
    let u = jane_id();
    let unlock = entra.unlock_account(&acme(), &u).await.unwrap_err();
    assert!(matches!(&unlock, CapabilityError::Unsupported(m) if m.contains("Unlock-ADAccount")));
    for permission in [MailboxPermission::FullAccess, MailboxPermission::SendAs] {
        let e = entra
            .grant_mailbox_access(&acme(), "shared@acme.com", &u, permission)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, CapabilityError::Unsupported(m) if m.contains("Exchange Online PowerShell") && m.contains("Add-MailboxPermission"))
        );
    }
    let fwd = entra
        .set_email_forwarding(&acme(), &u, Some("x@y.com".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&fwd, CapabilityError::Unsupported(m) if m.contains("Set-Mailbox -ForwardingSmtpAddress"))
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn idempotent_posts_are_retried_on_5xx() {
    let (server, entra) = setup().await;
    graph("POST", "/users/u-jane/revokeSignInSessions")
        .respond_with(graph_error(503, "serviceNotAvailable", "try later"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    graph("POST", "/users/u-jane/revokeSignInSessions")
        .respond_with(ok(json!({"value": true})))
        .expect(1)
        .mount(&server)
        .await;
    entra.revoke_sessions(&acme(), &jane_id()).await.unwrap();
    server.verify().await;
}
