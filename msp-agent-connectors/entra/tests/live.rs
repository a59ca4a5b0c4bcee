//! Optional live run of the conformance suite against a real Entra ID directory.
//!
//! Skipped (with a message) unless these are set: `ENTRA_CLIENT_ID`, `ENTRA_CLIENT_SECRET`
//! (the MSP's app registration), `ENTRA_DIRECTORY` (the customer's tenant id or domain),
//! `ENTRA_UPN` (an ordinary user there) and `ENTRA_GROUP` (a group there).
//! `ENTRA_LIVE_WRITES=1` also revokes that user's sessions and adds and removes them from
//! the group.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::conformance::{IdentityFixture, check_identity_provider};
use msp_agent_core::domain::{TenantId, UserId};
use msp_agent_entra::EntraIdentity;
use secrecy::SecretString;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::test]
async fn live_conformance() {
    let required = [
        "ENTRA_CLIENT_ID",
        "ENTRA_CLIENT_SECRET",
        "ENTRA_DIRECTORY",
        "ENTRA_UPN",
        "ENTRA_GROUP",
    ];
    let values: Vec<String> = required.iter().filter_map(|n| var(n)).collect();
    if values.len() != required.len() {
        eprintln!("skipping live Entra test: set {}", required.join(", "));
        return;
    }
    let [client_id, secret, directory, upn, group] = <[String; 5]>::try_from(values).unwrap();
    let entra = EntraIdentity::builder(client_id, SecretString::from(secret))
        .tenant(TenantId::new("live"), directory)
        .build()
        .unwrap();
    let domain = upn
        .split_once('@')
        .map_or("invalid.example", |(_, d)| d)
        .to_owned();
    let fixture = IdentityFixture {
        tenant: TenantId::new("live"),
        upn,
        unknown_upn: format!("msp-agent-nobody@{domain}"),
        missing_user: UserId::new("00000000-0000-0000-0000-000000000000"),
        group,
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("msp-agent-unmapped"),
        writes: var("ENTRA_LIVE_WRITES").as_deref() == Some("1"),
    };
    let passed = check_identity_provider(&entra, &fixture).await.unwrap();
    eprintln!("live Entra checks passed: {passed:?}");
}
