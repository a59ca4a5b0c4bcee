//! Optional live run of the conformance suite against a real Halo instance.
//!
//! Skipped (with a message) unless these are set: `HALOPSA_URL` (e.g.
//! `https://mymsp.halopsa.com`), `HALOPSA_CLIENT_ID`, `HALOPSA_CLIENT_SECRET`,
//! `HALOPSA_AGENT_ID`, `HALOPSA_CLIENT` (Halo client id of the test tenant),
//! `HALOPSA_TICKET` (a ticket of that client) and `HALOPSA_CONTACT_EMAIL` (a user of that
//! client). Optional: `HALOPSA_TENANT` (hosted `?tenant=`), `HALOPSA_SCOPE`, and
//! `HALOPSA_LIVE_WRITES=1` to also add two notes, six minutes of agent time and set the
//! ticket to "In Progress".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_halopsa::{HaloConfig, HaloPsa};
use secrecy::SecretString;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::test]
async fn live_conformance() {
    let required = [
        "HALOPSA_URL",
        "HALOPSA_CLIENT_ID",
        "HALOPSA_CLIENT_SECRET",
        "HALOPSA_AGENT_ID",
        "HALOPSA_CLIENT",
        "HALOPSA_TICKET",
        "HALOPSA_CONTACT_EMAIL",
    ];
    let values: Vec<String> = required.iter().filter_map(|n| var(n)).collect();
    if values.len() != required.len() {
        eprintln!("skipping live HaloPSA test: set {}", required.join(", "));
        return;
    }
    let [url, client_id, secret, agent, client, ticket, email] =
        <[String; 7]>::try_from(values).unwrap();
    let mut config = HaloConfig::new(
        url,
        client_id,
        SecretString::from(secret),
        agent.parse().expect("HALOPSA_AGENT_ID is a number"),
    )
    .tenant("live", client.parse().expect("HALOPSA_CLIENT is a number"));
    if let Some(tenant) = var("HALOPSA_TENANT") {
        config = config.hosted_tenant(tenant);
    }
    if let Some(scope) = var("HALOPSA_SCOPE") {
        config = config.scope(scope);
    }
    let halo = HaloPsa::new(config).unwrap();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("live"),
        ticket: TicketId::new(ticket),
        missing_ticket: TicketId::new("999999999"),
        contact_email: email,
        unknown_email: "msp-agent-nobody@invalid.example".into(),
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("msp-agent-unmapped"),
        writes: var("HALOPSA_LIVE_WRITES").as_deref() == Some("1"),
    };
    let passed = check_ticket_system(&halo, &fixture).await.unwrap();
    eprintln!("live HaloPSA checks passed: {passed:?}");
}
