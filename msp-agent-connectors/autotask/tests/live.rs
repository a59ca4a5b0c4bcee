//! Optional live test against a real Autotask database (read-only, plus writes when
//! `AUTOTASK_LIVE_WRITES=1`). Skipped, with a message, unless these are set:
//! `AUTOTASK_USERNAME`, `AUTOTASK_SECRET`, `AUTOTASK_INTEGRATION_CODE`,
//! `AUTOTASK_AGENT_RESOURCE_ID`, `AUTOTASK_COMPANY_ID`, `AUTOTASK_TICKET_ID`,
//! `AUTOTASK_CONTACT_EMAIL`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_autotask::{Autotask, AutotaskConfig};
use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
use msp_agent_core::domain::{TenantId, TicketId};
use secrecy::SecretString;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::test]
async fn live_autotask_conformance() {
    let names = [
        "AUTOTASK_USERNAME",
        "AUTOTASK_SECRET",
        "AUTOTASK_INTEGRATION_CODE",
        "AUTOTASK_AGENT_RESOURCE_ID",
        "AUTOTASK_COMPANY_ID",
        "AUTOTASK_TICKET_ID",
        "AUTOTASK_CONTACT_EMAIL",
    ];
    let values: Vec<Option<String>> = names.iter().map(|n| env(n)).collect();
    if values.iter().any(Option::is_none) {
        println!("skipping live Autotask test: set {}", names.join(", "));
        return;
    }
    let v: Vec<String> = values.into_iter().flatten().collect();
    let mut config = AutotaskConfig::new(
        v[0].clone(),
        SecretString::from(v[1].clone()),
        v[2].clone(),
        v[3].parse().expect("AUTOTASK_AGENT_RESOURCE_ID"),
    )
    .tenant("live", v[4].parse::<i64>().expect("AUTOTASK_COMPANY_ID"));
    if let Some(role) = env("AUTOTASK_ROLE_ID") {
        config = config.time_entry_role(role.parse().expect("AUTOTASK_ROLE_ID"));
    }
    let at = Autotask::new(config).unwrap();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("live"),
        ticket: TicketId::new(v[5].clone()),
        missing_ticket: TicketId::new("2147483000"),
        contact_email: v[6].clone(),
        unknown_email: "nobody-msp-agent-live@example.invalid".into(),
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("ghost"),
        writes: env("AUTOTASK_LIVE_WRITES").as_deref() == Some("1"),
    };
    let passed = check_ticket_system(&at, &fixture).await.unwrap();
    println!("live Autotask checks passed: {passed:?}");
    println!("zone: {}", at.zone_base_url().await.unwrap());
}
