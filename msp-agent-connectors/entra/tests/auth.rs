//! Tokens: client-credentials form body, one token per customer directory, tenant mapping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{IdentityProvider, MailboxPermission, NewUser};
use msp_agent_core::domain::{AuthMethod, AuthMethodKind, GroupId, UserId};
use msp_agent_entra::{BuildError, EntraIdentity};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::*;

#[tokio::test]
async fn one_cached_token_per_directory() {
    let server = MockServer::start().await;
    mount_token(&server, DIR_A, TOKEN_A, Some(1)).await;
    mount_token(&server, DIR_B, TOKEN_B, Some(1)).await;
    let entra = build(&server);
    // Each directory's Graph calls carry that directory's token.
    for (token, n) in [(TOKEN_A, 2), (TOKEN_B, 2)] {
        Mock::given(method("GET"))
            .and(path("/v1.0/subscribedSkus"))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(ok(json!({"value": []})))
            .expect(n)
            .named(format!("skus with {token}"))
            .mount(&server)
            .await;
    }
    for _ in 0..2 {
        assert!(entra.list_licenses(&acme()).await.unwrap().is_empty());
        assert!(entra.list_licenses(&globex()).await.unwrap().is_empty());
    }
    server.verify().await;
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let entra = build(&server);
    let t = unmapped();
    let u = UserId::new("u-jane");
    let g = GroupId::new("g-1");
    let pw = SecretString::from("Pa55w0rd!x".to_string());
    let m = AuthMethod {
        id: "m".into(),
        kind: AuthMethodKind::Phone,
    };
    let new = NewUser {
        display_name: "N".into(),
        upn: "n@initech.com".into(),
        manager: None,
    };
    let results = [
        entra.find_user(&t, "jane@acme.com").await.map(|_| ()),
        entra.get_user(&t, &u).await.map(|_| ()),
        entra.reset_password(&t, &u, &pw, true).await,
        entra.unlock_account(&t, &u).await,
        entra.set_sign_in_enabled(&t, &u, false).await,
        entra.revoke_sessions(&t, &u).await,
        entra.list_auth_methods(&t, &u).await.map(|_| ()),
        entra.delete_auth_method(&t, &u, &m).await,
        entra
            .create_temporary_access_pass(&t, &u, 60)
            .await
            .map(|_| ()),
        entra.list_licenses(&t).await.map(|_| ()),
        entra.assign_license(&t, &u, "SPE_E3").await,
        entra.remove_license(&t, &u, "SPE_E3").await,
        entra.find_group(&t, "Sales").await.map(|_| ()),
        entra.list_user_groups(&t, &u).await.map(|_| ()),
        entra.add_group_member(&t, &g, &u).await,
        entra.remove_group_member(&t, &g, &u).await,
        entra
            .grant_mailbox_access(&t, "shared@x", &u, MailboxPermission::FullAccess)
            .await,
        entra.set_email_forwarding(&t, &u, None).await,
        entra.create_user(&t, &new).await.map(|_| ()),
    ];
    for r in results {
        assert_eq!(r, Err(CapabilityError::WrongTenant(unmapped())));
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    assert_eq!(entra.directory_of(&acme()), Some(DIR_A));
    assert_eq!(entra.directory_of(&unmapped()), None);
}

#[tokio::test]
async fn rejected_app_credentials_are_unauthorized() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/{DIR_A}/oauth2/v2.0/token")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided."
        })))
        .mount(&server)
        .await;
    let entra = build(&server);
    let err = entra.list_licenses(&acme()).await.unwrap_err();
    assert!(
        matches!(&err, CapabilityError::Unauthorized(m) if m.contains("AADSTS7000215")),
        "{err:?}"
    );
    assert!(!err.to_string().contains(SECRET));
    // No Graph request went out without a token.
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs.iter().all(|r| !r.url.path().starts_with("/v1.0")));
}

#[tokio::test]
async fn graph_401_refetches_the_token_once() {
    let server = MockServer::start().await;
    mount_token(&server, DIR_A, TOKEN_A, Some(2)).await;
    graph("GET", "/subscribedSkus")
        .respond_with(graph_error(
            401,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        ))
        .expect(2)
        .mount(&server)
        .await;
    let entra = build(&server);
    assert_eq!(
        entra.list_licenses(&acme()).await,
        Err(CapabilityError::Unauthorized(
            "InvalidAuthenticationToken: Access token has expired or is not yet valid.".into()
        ))
    );
    server.verify().await;
}

#[test]
fn bad_directory_is_rejected_and_secret_never_printed() {
    let err = EntraIdentity::builder(CLIENT_ID, SecretString::from(SECRET.to_string()))
        .tenant(acme(), "acme/../evil")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InvalidDirectory { .. }));
    let b = EntraIdentity::builder(CLIENT_ID, SecretString::from(SECRET.to_string()))
        .tenant(acme(), DIR_A);
    assert!(!format!("{b:?}").contains(SECRET));
    let entra = b.build().unwrap();
    let dbg = format!("{entra:?}");
    assert!(dbg.contains(DIR_A) && !dbg.contains(SECRET), "{dbg}");
}
