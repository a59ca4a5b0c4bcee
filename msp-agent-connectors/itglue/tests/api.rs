//! Every IT Glue call against wiremock: method, path, query, headers, paging, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use msp_agent_core::CapabilityError;
use msp_agent_core::audit::recording;
use msp_agent_core::capability::Documentation;
use msp_agent_core::domain::{DocumentId, TenantId};
use msp_agent_itglue::{ItGlue, SearchSource};
use secrecy::ExposeSecret;
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate};

fn contoso() -> TenantId {
    TenantId::new("contoso")
}

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// SOP listing of contoso over two pages linked by `links.next`; the second page also
/// carries an object of another organization and an archived one.
async fn mount_sops(server: &MockServer) {
    let next = format!(
        "{}/flexible_assets?filter%5Bflexible-asset-type-id%5D=41&filter%5Borganization-id%5D=100&page%5Bnumber%5D=2&page%5Bsize%5D=2",
        server.uri()
    );
    api("GET", "/flexible_assets")
        .and(query_is(&[
            ("filter[flexible-asset-type-id]", "41"),
            ("filter[organization-id]", "100"),
            ("page[size]", "2"),
            ("page[number]", "1"),
        ]))
        .respond_with(ok(collection(
            vec![
                sop(
                    1,
                    CONTOSO_ORG,
                    "Printer setup",
                    "<p>Add the <b>printer</b>.</p>",
                    "hardware",
                ),
                sop(
                    2,
                    CONTOSO_ORG,
                    "VPN reset",
                    "<h2>Steps</h2><p>Reset the VPN&nbsp;profile &amp; reconnect.</p>",
                    "network, vpn",
                ),
            ],
            Some(next),
            1,
            2,
        )))
        .expect(1)
        .mount(server)
        .await;
    let mut archived = sop(5, CONTOSO_ORG, "Old VPN notes", "vpn", "vpn");
    archived["attributes"]["archived"] = json!(true);
    api("GET", "/flexible_assets")
        .and(page(2))
        .respond_with(ok(collection(
            vec![
                sop(
                    3,
                    CONTOSO_ORG,
                    "Onboarding",
                    "<p>Create the user, then VPN access.</p>",
                    "",
                ),
                sop(4, FABRIKAM_ORG, "Fabrikam VPN secrets", "vpn vpn", "vpn"),
                archived,
            ],
            None,
            2,
            2,
        )))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn search_pages_ranks_and_scopes_to_the_organization() {
    let server = MockServer::start().await;
    mount_sops(&server).await;
    let ig = ItGlue::new(config(&server.uri()).page_size(2)).unwrap();
    let docs = ig.search(&contoso(), "VPN reset", 10).await.unwrap();
    let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, vec!["VPN reset", "Onboarding"]);
    let vpn = &docs[0];
    assert_eq!(vpn.id, DocumentId::new("flexible_assets/2"));
    assert_eq!(vpn.tenant, contoso());
    assert_eq!(vpn.tags, vec!["sop", "network", "vpn"]);
    assert!(
        vpn.body
            .contains("Steps\nReset the VPN profile & reconnect."),
        "{}",
        vpn.body
    );
    assert!(!vpn.body.contains('<'));
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn search_respects_the_limit() {
    let server = MockServer::start().await;
    mount_sops(&server).await;
    let ig = ItGlue::new(config(&server.uri()).page_size(2)).unwrap();
    let docs = ig.search(&contoso(), "vpn", 1).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title, "VPN reset");
}

#[tokio::test]
async fn search_reads_documents_when_enabled() {
    let server = MockServer::start().await;
    api("GET", "/organizations/100/relationships/documents")
        .and(query_is(&[("page[size]", "100"), ("page[number]", "1")]))
        .respond_with(ok(collection(
            vec![
                json!({"id": "77", "type": "documents", "attributes": {
                    "organization-id": 100, "name": "Backup runbook",
                    "content": "<p>Check the <i>backup</i> job nightly.</p>"}}),
                json!({"id": "78", "type": "documents", "attributes": {
                    "organization-id": 200, "name": "Foreign backup", "content": "backup"}}),
            ],
            None,
            1,
            1,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let mut cfg = config(&server.uri());
    cfg.search_sources = vec![SearchSource::Documents];
    let docs = ItGlue::new(cfg)
        .unwrap()
        .search(&contoso(), "backup", 5)
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].id, DocumentId::new("documents/77"));
    assert_eq!(docs[0].body, "Check the backup job nightly.");
    assert_eq!(docs[0].tags, vec!["document"]);
}

#[tokio::test]
async fn search_without_sources_is_unsupported() {
    let server = MockServer::start().await;
    let mut cfg = config(&server.uri());
    cfg.search_sources.clear();
    let err = ItGlue::new(cfg)
        .unwrap()
        .search(&contoso(), "x", 3)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Unsupported(_)), "{err:?}");
    assert_eq!(requests(&server).await, 0);
}

async fn mount_records(server: &MockServer, items: Vec<serde_json::Value>) {
    api("GET", "/flexible_assets")
        .and(query_is(&[
            ("filter[flexible-asset-type-id]", "42"),
            ("filter[organization-id]", "100"),
            ("page[size]", "100"),
            ("page[number]", "1"),
        ]))
        .respond_with(ok(collection(items, None, 1, 1)))
        .mount(server)
        .await;
}

#[tokio::test]
async fn client_configuration_parses_the_json_trait() {
    let server = MockServer::start().await;
    mount_records(
        &server,
        vec![
            record(9, FABRIKAM_ORG, "onboarding_template", r#"{"foreign": true}"#),
            record(10, CONTOSO_ORG, "other", r#"{"x": 1}"#),
            // A rich-text Textbox field: HTML around the JSON.
            record(
                11,
                CONTOSO_ORG,
                "Onboarding_Template",
                "<p>{&quot;groups&quot;: [&quot;Staff&quot;],</p><p>&quot;license&quot;: &quot;E3&quot;}</p>",
            ),
        ],
    )
    .await;
    let ig = itglue(&server.uri());
    let cfg = ig
        .client_configuration(&contoso(), "onboarding_template")
        .await
        .unwrap();
    assert_eq!(cfg, Some(json!({"groups": ["Staff"], "license": "E3"})));
    let plain = ig.client_configuration(&contoso(), "other").await.unwrap();
    assert_eq!(plain, Some(json!({"x": 1})));
    let none = ig.client_configuration(&contoso(), "absent").await.unwrap();
    assert_eq!(none, None);
}

#[tokio::test]
async fn client_configuration_of_another_organization_is_absent() {
    let server = MockServer::start().await;
    mount_records(
        &server,
        vec![record(9, FABRIKAM_ORG, "onboarding_template", "{}")],
    )
    .await;
    let got = itglue(&server.uri())
        .client_configuration(&contoso(), "onboarding_template")
        .await
        .unwrap();
    assert_eq!(got, None);
}

#[tokio::test]
async fn invalid_configuration_json_is_permanent_and_names_the_asset() {
    let server = MockServer::start().await;
    mount_records(
        &server,
        vec![record(12, CONTOSO_ORG, "broken", "{not json")],
    )
    .await;
    let err = itglue(&server.uri())
        .client_configuration(&contoso(), "broken")
        .await
        .unwrap_err();
    let CapabilityError::Permanent(msg) = err else {
        panic!("{err:?}");
    };
    assert!(msg.contains("flexible asset 12 `broken`"), "{msg}");
    assert!(msg.contains("`json`"), "{msg}");
}

async fn mount_vault(server: &MockServer, detail: serde_json::Value) {
    api("GET", "/organizations/100/relationships/passwords")
        .and(query_is(&[
            ("filter[name]", "Firewall admin"),
            ("page[size]", "100"),
            ("page[number]", "1"),
        ]))
        .respond_with(ok(collection(
            vec![
                password_entry(54, CONTOSO_ORG, "Firewall admin (old)"),
                password_entry(55, CONTOSO_ORG, "Firewall admin"),
            ],
            None,
            1,
            1,
        )))
        .expect(1)
        .mount(server)
        .await;
    api("GET", "/organizations/100/relationships/passwords/55")
        .and(query_is(&[("show_password", "true")]))
        .respond_with(ok(detail))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn vault_secret_is_returned_but_never_recorded_or_printed() {
    let server = MockServer::start().await;
    mount_vault(
        &server,
        password_detail(55, CONTOSO_ORG, "Firewall admin", Some(SECRET)),
    )
    .await;
    let ig = itglue(&server.uri());
    let (secret, calls) = recording(ig.vault_secret(&contoso(), "Firewall admin")).await;
    let secret = secret.unwrap();
    assert_eq!(secret.expose_secret(), SECRET);
    assert!(!format!("{secret:?}").contains(SECRET));
    assert!(!format!("{ig:?}").contains(API_KEY));
    assert_eq!(calls.len(), 2);
    let recorded = serde_json::to_string(&calls).unwrap();
    assert!(!recorded.contains(SECRET), "{recorded}");
    assert!(!recorded.contains(API_KEY), "{recorded}");
    assert!(
        calls[1].url.ends_with(
            "/organizations/100/relationships/passwords/55?show_password=%5BREDACTED%5D"
        ),
        "{}",
        calls[1].url
    );
}

#[tokio::test]
async fn vault_secret_of_another_organization_is_not_found() {
    let server = MockServer::start().await;
    mount_vault(
        &server,
        password_detail(55, FABRIKAM_ORG, "Firewall admin", Some(SECRET)),
    )
    .await;
    let err = itglue(&server.uri())
        .vault_secret(&contoso(), "Firewall admin")
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn vault_secret_without_password_access_is_forbidden() {
    let server = MockServer::start().await;
    mount_vault(
        &server,
        password_detail(55, CONTOSO_ORG, "Firewall admin", None),
    )
    .await;
    let err = itglue(&server.uri())
        .vault_secret(&contoso(), "Firewall admin")
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Forbidden(_)), "{err:?}");
}

#[tokio::test]
async fn missing_vault_entry_is_not_found_without_reading_a_password() {
    let server = MockServer::start().await;
    api("GET", "/organizations/100/relationships/passwords")
        .respond_with(ok(collection(
            vec![password_entry(7, FABRIKAM_ORG, "Nope")],
            None,
            1,
            1,
        )))
        .mount(&server)
        .await;
    let err = itglue(&server.uri())
        .vault_secret(&contoso(), "Nope")
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn unmapped_tenant_sends_nothing() {
    let server = MockServer::start().await;
    let ig = itglue(&server.uri());
    let ghost = TenantId::new("ghost");
    let wrong = |e: CapabilityError| matches!(e, CapabilityError::WrongTenant(t) if t == ghost);
    assert!(wrong(ig.search(&ghost, "vpn", 3).await.unwrap_err()));
    assert!(wrong(
        ig.client_configuration(&ghost, "x").await.unwrap_err()
    ));
    assert!(wrong(ig.vault_secret(&ghost, "x").await.unwrap_err()));
    assert_eq!(requests(&server).await, 0);
}

async fn search_error(status: u16, body: serde_json::Value) -> (CapabilityError, usize) {
    let server = MockServer::start().await;
    api("GET", "/flexible_assets")
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let err = itglue(&server.uri())
        .search(&contoso(), "vpn", 3)
        .await
        .unwrap_err();
    (err, requests(&server).await)
}

#[tokio::test]
async fn http_errors_map_to_capability_errors() {
    let (err, n) = search_error(401, jsonapi_error(401, "Unauthorized", "Unauthorized")).await;
    assert_eq!(err, CapabilityError::Unauthorized("Unauthorized".into()));
    assert_eq!(n, 1);
    let (err, n) = search_error(403, jsonapi_error(403, "Forbidden", "Invalid API key")).await;
    assert_eq!(
        err,
        CapabilityError::Forbidden("Forbidden: Invalid API key".into())
    );
    assert_eq!(n, 1);
    let (err, _) = search_error(404, jsonapi_error(404, "Record not found", "Organization")).await;
    assert_eq!(
        err,
        CapabilityError::NotFound("Record not found: Organization".into())
    );
    let (err, n) = search_error(503, jsonapi_error(503, "Unavailable", "maintenance")).await;
    assert!(
        matches!(err, CapabilityError::Transient(ref m) if m.contains("maintenance")),
        "{err:?}"
    );
    assert_eq!(n, 3, "5xx is retried up to max_attempts");
}

#[tokio::test]
async fn rate_limit_honours_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    api("GET", "/flexible_assets")
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(jsonapi_error(429, "Too Many Requests", "throttled")),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    api("GET", "/flexible_assets")
        .respond_with(ok(collection(
            vec![sop(1, CONTOSO_ORG, "VPN", "vpn", "")],
            None,
            1,
            1,
        )))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let docs = itglue(&server.uri())
        .search(&contoso(), "vpn", 3)
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn persistent_rate_limit_is_reported() {
    let (err, n) = search_error(429, jsonapi_error(429, "Too Many Requests", "x")).await;
    assert_eq!(err, CapabilityError::RateLimited { retry_after: None });
    assert_eq!(n, 3);
}

#[tokio::test]
async fn malformed_json_api_bodies_are_permanent() {
    for body in [
        json!({"data": {"id": "1"}}),
        json!({"meta": {}}),
        json!({"data": [{"type": "flexible-assets", "attributes": {}}]}),
        json!({"data": [{"id": "1", "attributes": {"organization-id": "not a number"}}]}),
    ] {
        let (err, _) = search_error(200, body.clone()).await;
        assert!(
            matches!(err, CapabilityError::Permanent(_)),
            "{body}: {err:?}"
        );
    }
    let server = MockServer::start().await;
    api("GET", "/flexible_assets")
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let err = itglue(&server.uri())
        .search(&contoso(), "vpn", 3)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Permanent(_)), "{err:?}");
}

#[tokio::test]
async fn malformed_password_body_is_permanent_and_does_not_leak() {
    let server = MockServer::start().await;
    mount_vault(
        &server,
        json!({"data": {"id": "55", "attributes": {"organization-id": 100, "password": 12345}}}),
    )
    .await;
    let err = itglue(&server.uri())
        .vault_secret(&contoso(), "Firewall admin")
        .await
        .unwrap_err();
    let CapabilityError::Permanent(msg) = err else {
        panic!("{err:?}");
    };
    assert!(!msg.contains("12345"), "{msg}");
}

#[tokio::test]
async fn page_size_and_scan_limit_are_honoured() {
    let server = MockServer::start().await;
    mount_sops(&server).await;
    // max_scan 2: the second page is never fetched.
    let ig = ItGlue::new(config(&server.uri()).page_size(2).max_scan(2)).unwrap();
    let docs = ig.search(&contoso(), "vpn", 5).await.unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(requests(&server).await, 1);
    server.reset().await;
}
