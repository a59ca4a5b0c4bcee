//! Optional live run of the conformance suite against a real ConnectWise PSA.
//!
//! Skipped (with a message) unless these are set: `CW_BASE_URL` (e.g.
//! `https://api-na.myconnectwise.net/v4_6_release/apis/3.0`), `CW_COMPANY_ID`,
//! `CW_PUBLIC_KEY`, `CW_PRIVATE_KEY`, `CW_CLIENT_ID`, `CW_AGENT_MEMBER` (identifier of the
//! API member), `CW_COMPANY` (numeric id of the test company), `CW_TICKET` (a ticket of that
//! company) and `CW_CONTACT_EMAIL` (a contact of that company). `CW_LIVE_WRITES=1` also adds
//! two notes, six minutes of agent time and sets the ticket in progress.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_connectwise::{CompanyRef, ConnectWise, ConnectWiseConfig};
use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use secrecy::SecretString;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::test]
async fn live_conformance() {
    let required = [
        "CW_BASE_URL",
        "CW_COMPANY_ID",
        "CW_PUBLIC_KEY",
        "CW_PRIVATE_KEY",
        "CW_CLIENT_ID",
        "CW_AGENT_MEMBER",
        "CW_COMPANY",
        "CW_TICKET",
        "CW_CONTACT_EMAIL",
    ];
    let values: Vec<String> = required.iter().filter_map(|n| var(n)).collect();
    if values.len() != required.len() {
        eprintln!(
            "skipping live ConnectWise test: set {}",
            required.join(", ")
        );
        return;
    }
    let [
        base,
        company_id,
        public,
        private,
        client_id,
        agent,
        company,
        ticket,
        email,
    ] = <[String; 9]>::try_from(values).unwrap();
    let config = ConnectWiseConfig::new(
        base,
        company_id,
        public,
        SecretString::from(private),
        client_id,
        agent,
    )
    .tenant(
        "live",
        CompanyRef::id(company.parse().expect("CW_COMPANY is a number")),
    );
    let psa = ConnectWise::new(config).unwrap();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("live"),
        ticket: TicketId::new(ticket),
        missing_ticket: TicketId::new("999999999"),
        contact_email: email,
        unknown_email: "msp-agent-nobody@invalid.example".into(),
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("msp-agent-unmapped"),
        writes: var("CW_LIVE_WRITES").as_deref() == Some("1"),
    };
    let passed = check_ticket_system(&psa, &fixture).await.unwrap();
    eprintln!("live ConnectWise checks passed: {passed:?}");
}
