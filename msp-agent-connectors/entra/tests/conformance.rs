//! The msp-agent identity-provider conformance suite against a mocked Graph.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use msp_agent_core::conformance::{IdentityFixture, check_identity_provider};
use msp_agent_core::domain::UserId;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use common::*;

fn filter(q: &str) -> String {
    format!("userPrincipalName eq '{q}' or mail eq '{q}'")
}

#[tokio::test]
async fn conformance_suite_passes() {
    let (server, entra) = setup().await;
    // find_user / get_user
    graph("GET", "/users")
        .and(query_param("$filter", filter("jane@acme.com")))
        .respond_with(ok(
            json!({"value": [{"id": "u-jane", "userPrincipalName": "jane@acme.com"}]}),
        ))
        .mount(&server)
        .await;
    graph("GET", "/users")
        .and(query_param("$filter", filter("nobody@acme.com")))
        .respond_with(ok(json!({"value": []})))
        .mount(&server)
        .await;
    mount_user(&server, "u-jane", jane(), json!([])).await;
    graph("GET", "/users/u-missing")
        .respond_with(graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource 'u-missing' does not exist",
        ))
        .mount(&server)
        .await;
    // The user is not in globex's directory.
    Mock::given(method("GET"))
        .and(path("/v1.0/users/u-jane"))
        .and(header(
            "authorization",
            format!("Bearer {TOKEN_B}").as_str(),
        ))
        .respond_with(graph_error(
            404,
            "Request_ResourceNotFound",
            "Resource 'u-jane' does not exist",
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Reads: the group list shows g-sales only after it was added.
    let groups = "/users/u-jane/memberOf";
    graph("GET", groups)
        .respond_with(ok(json!({"value": []})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    graph("GET", groups)
        .respond_with(ok(
            json!({"value": [{"@odata.type": "#microsoft.graph.group", "id": "g-sales", "displayName": "Sales", "mail": "sales@acme.com"}]}),
        ))
        .mount(&server)
        .await;
    graph("GET", "/users/u-jane/authentication/methods")
        .respond_with(ok(json!({"value": [
            {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "pw"}
        ]})))
        .mount(&server)
        .await;
    graph("GET", "/subscribedSkus")
        .respond_with(ok(json!({"value": []})))
        .mount(&server)
        .await;
    graph("GET", "/groups")
        .and(query_param(
            "$filter",
            "displayName eq 'sales' or mail eq 'sales'",
        ))
        .respond_with(ok(
            json!({"value": [{"id": "g-sales", "displayName": "Sales", "mail": "sales@acme.com"}]}),
        ))
        .mount(&server)
        .await;
    // Writes.
    graph("POST", "/users/u-jane/revokeSignInSessions")
        .respond_with(ok(json!({"value": true})))
        .expect(1)
        .mount(&server)
        .await;
    graph("POST", "/groups/g-sales/members/$ref")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    graph("DELETE", "/groups/g-sales/members/u-jane/$ref")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let fixture = IdentityFixture {
        tenant: acme(),
        upn: "jane@acme.com".into(),
        unknown_upn: "nobody@acme.com".into(),
        missing_user: UserId::new("u-missing"),
        group: "sales".into(),
        foreign_tenant: Some(globex()),
        unmapped_tenant: unmapped(),
        writes: true,
    };
    let passed = check_identity_provider(&entra, &fixture)
        .await
        .unwrap_or_else(|f| panic!("conformance: {f}"));
    assert!(passed.contains(&"group_membership"), "{passed:?}");
    assert!(passed.contains(&"revoke_sessions"), "{passed:?}");
    server.verify().await;
}
