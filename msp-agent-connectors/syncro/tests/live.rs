//! Optional live test against a real Syncro account; skipped (with a message) unless
//! the environment names one. Read-only unless `SYNCRO_LIVE_WRITES=1`.
//!
//! Required: `SYNCRO_SUBDOMAIN`, `SYNCRO_API_TOKEN`, `SYNCRO_AGENT_USER_ID`,
//! `SYNCRO_CUSTOMER_ID`, `SYNCRO_TICKET_ID` (a ticket of that customer),
//! `SYNCRO_CONTACT_EMAIL` (a contact of that customer).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_syncro::{Syncro, SyncroConfig};
use secrecy::SecretString;

const VARS: [&str; 6] = [
    "SYNCRO_SUBDOMAIN",
    "SYNCRO_API_TOKEN",
    "SYNCRO_AGENT_USER_ID",
    "SYNCRO_CUSTOMER_ID",
    "SYNCRO_TICKET_ID",
    "SYNCRO_CONTACT_EMAIL",
];

#[tokio::test]
async fn live_syncro_conformance() {
    let Ok(values) = VARS
        .iter()
        .map(std::env::var)
        .collect::<Result<Vec<_>, _>>()
    else {
        println!("skipping live Syncro test: set {}", VARS.join(", "));
        return;
    };
    let [subdomain, token, agent, customer, ticket, email] = &values[..] else {
        unreachable!()
    };
    let config = SyncroConfig::new(
        SyncroConfig::subdomain_url(subdomain),
        SecretString::from(token.clone()),
        agent.parse().expect("SYNCRO_AGENT_USER_ID is a number"),
    )
    .tenant(
        "live",
        customer.parse().expect("SYNCRO_CUSTOMER_ID is a number"),
    );
    let psa = Syncro::new(config).unwrap();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("live"),
        ticket: TicketId::new(ticket.as_str()),
        missing_ticket: TicketId::new("999999999"),
        contact_email: email.clone(),
        unknown_email: "nobody-msp-agent-live@example.invalid".into(),
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("not-configured"),
        writes: std::env::var("SYNCRO_LIVE_WRITES").is_ok_and(|v| v == "1"),
    };
    let passed = check_ticket_system(&psa, &fixture).await.unwrap();
    println!("live Syncro checks passed: {passed:?}");
    assert!(passed.contains(&"get_ticket"));
}
