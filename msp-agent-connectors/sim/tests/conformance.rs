#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The simulated MSP is the reference implementation of the capability contract.

use msp_agent_core::conformance::{
    DocumentationFixture, IdentityFixture, RmmFixture, TicketSystemFixture, check_documentation,
    check_identity_provider, check_rmm, check_ticket_system,
};
use msp_agent_core::domain::{DeviceId, TenantId, TicketId, UserId};
use msp_agent_sim::SimMsp;

#[tokio::test]
async fn sim_ticket_system_conforms() {
    let sim = SimMsp::seeded();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("acme"),
        ticket: TicketId::new("T-1005"),
        missing_ticket: TicketId::new("T-9999"),
        contact_email: "Kevin.Liu@acme.example".into(),
        unknown_email: "nobody@acme.example".into(),
        foreign_tenant: Some(TenantId::new("globex")),
        unmapped_tenant: TenantId::new("umbrella"),
        writes: true,
    };
    let passed = check_ticket_system(sim.capabilities().tickets.as_ref(), &fixture)
        .await
        .unwrap();
    assert_eq!(passed.len(), 11, "{passed:?}");
}

#[tokio::test]
async fn sim_identity_provider_conforms() {
    let sim = SimMsp::seeded();
    let fixture = IdentityFixture {
        tenant: TenantId::new("acme"),
        upn: "sam.porter@acme.example".into(),
        unknown_upn: "nobody@acme.example".into(),
        missing_user: UserId::new("u-0000"),
        group: "warehouse team".into(),
        foreign_tenant: Some(TenantId::new("globex")),
        unmapped_tenant: TenantId::new("umbrella"),
        writes: true,
    };
    let passed = check_identity_provider(sim.capabilities().identity.as_ref(), &fixture)
        .await
        .unwrap();
    assert_eq!(passed.len(), 9, "{passed:?}");
}

#[tokio::test]
async fn a_broken_fixture_fails_with_the_check_named() {
    let sim = SimMsp::seeded();
    let fixture = TicketSystemFixture {
        tenant: TenantId::new("acme"),
        ticket: TicketId::new("T-1005"),
        // An existing ticket where a missing one is expected: the contract check must fail.
        missing_ticket: TicketId::new("T-1005"),
        contact_email: "kevin.liu@acme.example".into(),
        unknown_email: "nobody@acme.example".into(),
        foreign_tenant: None,
        unmapped_tenant: TenantId::new("umbrella"),
        writes: false,
    };
    let err = check_ticket_system(sim.capabilities().tickets.as_ref(), &fixture)
        .await
        .unwrap_err();
    assert_eq!(err.check, "missing_ticket");
    assert!(err.to_string().contains("expected NotFound"), "{err}");
}

#[tokio::test]
async fn sim_rmm_conforms() {
    let sim = SimMsp::seeded();
    let acme = TenantId::new("acme");
    let device = sim
        .devices(&acme)
        .into_iter()
        .find(|d| d.online && d.user.is_some())
        .unwrap();
    let user = sim.user(&acme, device.user.as_ref().unwrap()).unwrap();
    let fixture = RmmFixture {
        tenant: acme,
        device: device.id.clone(),
        missing_device: DeviceId::new("no-such-device"),
        user: Some(user),
        foreign_tenant: Some(TenantId::new("globex")),
        unmapped_tenant: TenantId::new("umbrella"),
        script: Some(("flush_dns".into(), Vec::new())),
    };
    let passed = check_rmm(sim.capabilities().rmm.as_ref(), &fixture)
        .await
        .unwrap();
    assert_eq!(passed.len(), 8, "{passed:?}");
}

#[tokio::test]
async fn sim_documentation_conforms() {
    let sim = SimMsp::seeded();
    let fixture = DocumentationFixture {
        tenant: TenantId::new("acme"),
        query: "vpn".into(),
        configuration: "onboarding_template".into(),
        vault_entry: "guest-wifi".into(),
        missing_name: "no-such-record".into(),
        unmapped_tenant: TenantId::new("umbrella"),
    };
    let passed = check_documentation(sim.capabilities().docs.as_ref(), &fixture)
        .await
        .unwrap();
    assert_eq!(passed.len(), 6, "{passed:?}");
}
