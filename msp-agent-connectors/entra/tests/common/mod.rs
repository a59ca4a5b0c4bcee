//! Shared set-up: a wiremock server playing both login.microsoftonline.com and Graph.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_core::domain::TenantId;
use msp_agent_entra::EntraIdentity;
use msp_agent_http::RetryPolicy;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "11111111-2222-3333-4444-555555555555";
pub const SECRET: &str = "app-s3cret~value";
/// Customer directory of tenant `acme` (a domain).
pub const DIR_A: &str = "acme.onmicrosoft.com";
/// Customer directory of tenant `globex` (a tenant GUID).
pub const DIR_B: &str = "9b1c2d3e-0000-4000-8000-00000000000b";
pub const TOKEN_A: &str = "tok-acme";
pub const TOKEN_B: &str = "tok-globex";

pub fn acme() -> TenantId {
    TenantId::new("acme")
}
pub fn globex() -> TenantId {
    TenantId::new("globex")
}
pub fn unmapped() -> TenantId {
    TenantId::new("initech")
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

/// The exact form body of a client-credentials token request.
pub fn token_form() -> String {
    format!(
        "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=app-s3cret%7Evalue\
         &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
    )
}

/// Token endpoint of `dir` answering `token`, expected `hits` times (None: any).
pub async fn mount_token(server: &MockServer, dir: &str, token: &str, hits: Option<u64>) {
    let mut mock = Mock::given(method("POST"))
        .and(path(format!("/{dir}/oauth2/v2.0/token")))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(token_form()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
            "access_token": token
        })))
        .named(format!("token {dir}"));
    if let Some(n) = hits {
        mock = mock.expect(n);
    }
    mock.mount(server).await;
}

pub fn build(server: &MockServer) -> EntraIdentity {
    EntraIdentity::builder(CLIENT_ID, SecretString::from(SECRET.to_string()))
        .tenant(acme(), DIR_A)
        .tenant(globex(), DIR_B)
        .login_url(server.uri())
        .graph_url(format!("{}/v1.0", server.uri()))
        .retry(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// A server with both token endpoints and a connector pointed at it.
pub async fn setup() -> (MockServer, EntraIdentity) {
    let server = MockServer::start().await;
    mount_token(&server, DIR_A, TOKEN_A, None).await;
    mount_token(&server, DIR_B, TOKEN_B, None).await;
    let entra = build(&server);
    (server, entra)
}

/// A Graph request of `verb` to `/v1.0{p}` carrying tenant acme's bearer token.
pub fn graph(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("/v1.0{p}")))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_A}").as_str(),
        ))
}

pub fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

pub fn graph_error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {"code": code, "message": message,
                  "innerError": {"date": "2026-11-25T09:00:00", "request-id": "r", "client-request-id": "c"}}
    }))
}

pub const USER_SELECT: &str = "id,userPrincipalName,displayName,mail,accountEnabled,lastPasswordChangeDateTime,passwordProfile";

/// Mount `GET /users/{id}` answering `user` and its directory roles `roles`.
pub async fn mount_user(server: &MockServer, id: &str, user: Value, roles: Value) {
    use wiremock::matchers::query_param;
    graph("GET", &format!("/users/{id}"))
        .and(query_param("$select", USER_SELECT))
        .and(query_param("$expand", "manager($select=id)"))
        .respond_with(ok(user))
        .named("get user")
        .mount(server)
        .await;
    graph(
        "GET",
        &format!("/users/{id}/transitiveMemberOf/microsoft.graph.directoryRole"),
    )
    .and(query_param("$select", "id,displayName"))
    .and(query_param("$count", "true"))
    .and(header("consistencylevel", "eventual"))
    .respond_with(ok(json!({"value": roles})))
    .named("roles")
    .mount(server)
    .await;
}

pub fn jane() -> Value {
    json!({
        "id": "u-jane", "userPrincipalName": "jane@acme.com", "displayName": "Jane Doe",
        "mail": "jane@acme.com", "accountEnabled": true,
        "lastPasswordChangeDateTime": "2026-10-01T08:30:00Z",
        "passwordProfile": {"password": null, "forceChangePasswordNextSignIn": false},
        "manager": {"@odata.type": "#microsoft.graph.user", "id": "u-boss"}
    })
}
