//! The core Documentation conformance suite against an IT Glue fake (wiremock).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use msp_agent_core::conformance::{DocumentationFixture, check_documentation};
use msp_agent_core::domain::TenantId;
use wiremock::{MockServer, Request, ResponseTemplate};

fn query(r: &Request, key: &str) -> Option<String> {
    r.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn fake_itglue() -> MockServer {
    let server = MockServer::start().await;
    api("GET", "/flexible_assets")
        .respond_with(|r: &Request| {
            let org = query(r, "filter[organization-id]").unwrap_or_default();
            let kind = query(r, "filter[flexible-asset-type-id]").unwrap_or_default();
            let items = match (org.as_str(), kind.as_str()) {
                ("100", "41") => vec![
                    sop(
                        1,
                        CONTOSO_ORG,
                        "VPN reset",
                        "<p>Reset the VPN profile.</p>",
                        "vpn",
                    ),
                    sop(2, CONTOSO_ORG, "Printer", "<p>Printers.</p>", ""),
                ],
                ("100", "42") => vec![record(
                    3,
                    CONTOSO_ORG,
                    "onboarding_template",
                    r#"{"groups": ["Staff"], "mailbox": true}"#,
                )],
                _ => Vec::new(),
            };
            ResponseTemplate::new(200).set_body_json(collection(items, None, 1, 1))
        })
        .mount(&server)
        .await;
    api("GET", "/organizations/100/relationships/passwords")
        .respond_with(|r: &Request| {
            let items = match query(r, "filter[name]").as_deref() {
                Some("Firewall admin") => vec![password_entry(55, CONTOSO_ORG, "Firewall admin")],
                _ => Vec::new(),
            };
            ResponseTemplate::new(200).set_body_json(collection(items, None, 1, 1))
        })
        .mount(&server)
        .await;
    api("GET", "/organizations/100/relationships/passwords/55")
        .respond_with(ResponseTemplate::new(200).set_body_json(password_detail(
            55,
            CONTOSO_ORG,
            "Firewall admin",
            Some(SECRET),
        )))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn itglue_passes_the_documentation_conformance_suite() {
    let server = fake_itglue().await;
    let ig = itglue(&server.uri());
    let fixture = DocumentationFixture {
        tenant: TenantId::new("contoso"),
        query: "vpn".into(),
        configuration: "onboarding_template".into(),
        vault_entry: "Firewall admin".into(),
        missing_name: "does_not_exist".into(),
        unmapped_tenant: TenantId::new("ghost"),
    };
    let passed = check_documentation(&ig, &fixture).await.unwrap();
    for check in [
        "search",
        "configuration",
        "missing_configuration",
        "vault",
        "missing_vault",
        "unmapped_tenant",
    ] {
        assert!(passed.contains(&check), "{check} not passed: {passed:?}");
    }
}
