//! Tenant isolation: unknown clients are refused, other clients' objects do not exist.

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{ApprovalRequest, MailboxPermission, TicketQuery};
use msp_agent_core::domain::{ContactId, DeviceId, GroupId, TenantId, UserId};
use msp_agent_core::secrecy::SecretString;
use msp_agent_sim::{ApprovalMode, SimMsp};

fn wrong(e: CapabilityError) {
    assert!(
        matches!(e, CapabilityError::WrongTenant(ref t) if t.as_str() == "umbrella"),
        "{e:?}"
    );
}

fn not_found(e: CapabilityError) {
    assert!(matches!(e, CapabilityError::NotFound(_)), "{e:?}");
}

#[tokio::test]
async fn unknown_tenant_is_refused_by_every_capability() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let bad = TenantId::new("umbrella");
    let user = UserId::new("u-1001");
    wrong(
        caps.tickets
            .get_ticket(&bad, &"T-1005".into())
            .await
            .unwrap_err(),
    );
    wrong(
        caps.tickets
            .search_tickets(&bad, &TicketQuery::default())
            .await
            .unwrap_err(),
    );
    wrong(
        caps.tickets
            .find_contact_by_email(&bad, "sarah.whitfield@acme.example")
            .await
            .unwrap_err(),
    );
    wrong(
        caps.identity
            .find_user(&bad, "sarah.whitfield@acme.example")
            .await
            .unwrap_err(),
    );
    wrong(caps.identity.get_user(&bad, &user).await.unwrap_err());
    wrong(caps.identity.unlock_account(&bad, &user).await.unwrap_err());
    wrong(caps.identity.list_licenses(&bad).await.unwrap_err());
    wrong(caps.rmm.list_devices(&bad, None).await.unwrap_err());
    wrong(caps.rmm.list_alerts(&bad, None).await.unwrap_err());
    wrong(caps.docs.search(&bad, "vpn", 5).await.unwrap_err());
    wrong(
        caps.docs
            .vault_secret(&bad, "guest-wifi")
            .await
            .unwrap_err(),
    );
    let secret = SecretString::from("Xy7!unused-secret");
    wrong(
        caps.delivery
            .deliver(&bad, &user, "test", &secret)
            .await
            .unwrap_err(),
    );
    let request = ApprovalRequest {
        tenant: bad,
        ticket: "T-1005".into(),
        action: "reset_password".into(),
        change: serde_json::json!({}),
        reasoning: "test".into(),
    };
    let gateway = sim.approvals(ApprovalMode::ApproveAll {
        approver: "jane".into(),
    });
    wrong(gateway.request_approval(&request).await.unwrap_err());
}

#[tokio::test]
async fn objects_of_another_tenant_are_not_found() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let acme = TenantId::new("acme");
    let globex = TenantId::new("globex");
    // An acme ticket, user, contact, device, group, mailbox.
    let (tenant, acme_ticket) = sim
        .open_tickets()
        .into_iter()
        .find(|(t, _)| *t == acme)
        .unwrap();
    assert_eq!(tenant, acme);
    let sarah = UserId::new("u-1001");
    assert!(sim.user(&acme, &sarah).is_some());

    not_found(
        caps.tickets
            .get_ticket(&globex, &acme_ticket)
            .await
            .unwrap_err(),
    );
    not_found(
        caps.tickets
            .list_notes(&globex, &acme_ticket)
            .await
            .unwrap_err(),
    );
    let note = msp_agent_core::domain::Note {
        visibility: msp_agent_core::domain::NoteVisibility::Internal,
        text: "x".into(),
        author: "t".into(),
    };
    not_found(
        caps.tickets
            .add_note(&globex, &acme_ticket, &note)
            .await
            .unwrap_err(),
    );
    not_found(
        caps.tickets
            .get_contact(&globex, &ContactId::new("c-1001"))
            .await
            .unwrap_err(),
    );
    assert!(
        caps.tickets
            .find_contact_by_email(&globex, "sarah.whitfield@acme.example")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        caps.identity
            .find_user(&globex, "sarah.whitfield@acme.example")
            .await
            .unwrap()
            .is_none()
    );
    not_found(caps.identity.get_user(&globex, &sarah).await.unwrap_err());
    let pw = SecretString::from("Correct-Horse-9");
    not_found(
        caps.identity
            .reset_password(&globex, &sarah, &pw, true)
            .await
            .unwrap_err(),
    );
    assert!(!sim.password_matches(&acme, &sarah, "Correct-Horse-9"));
    not_found(
        caps.identity
            .create_temporary_access_pass(&globex, &sarah, 60)
            .await
            .unwrap_err(),
    );
    not_found(
        caps.identity
            .add_group_member(&globex, &GroupId::new("g-1005"), &UserId::new("u-2008"))
            .await
            .unwrap_err(),
    );
    not_found(
        caps.identity
            .add_group_member(&globex, &GroupId::new("g-2004"), &sarah)
            .await
            .unwrap_err(),
    );
    assert!(
        caps.identity
            .find_group(&globex, "marketing@acme.example")
            .await
            .unwrap()
            .is_none()
    );
    not_found(
        caps.identity
            .grant_mailbox_access(
                &globex,
                "accounts@acme.example",
                &UserId::new("u-2007"),
                MailboxPermission::FullAccess,
            )
            .await
            .unwrap_err(),
    );
    not_found(
        caps.rmm
            .device_status(&globex, &DeviceId::new("d-1001"))
            .await
            .unwrap_err(),
    );
    not_found(
        caps.rmm
            .run_script(&globex, &DeviceId::new("d-1001"), "flush_dns", &[])
            .await
            .unwrap_err(),
    );
    assert!(
        caps.rmm
            .list_devices(&globex, Some(&sim.user(&acme, &sarah).unwrap()))
            .await
            .unwrap()
            .is_empty()
    );
    not_found(
        caps.delivery
            .deliver(&globex, &sarah, "test", &pw)
            .await
            .unwrap_err(),
    );
    assert!(sim.delivered_secrets().is_empty());
    assert!(
        caps.docs
            .search(&globex, "GlobalProtect", 5)
            .await
            .unwrap()
            .is_empty(),
        "acme's VPN is not in globex docs"
    );

    let request = ApprovalRequest {
        tenant: globex,
        ticket: acme_ticket,
        action: "reset_password".into(),
        change: serde_json::json!({ "user": "u-1001" }),
        reasoning: "test".into(),
    };
    let gateway = sim.approvals(ApprovalMode::ApproveAll {
        approver: "jane".into(),
    });
    not_found(gateway.request_approval(&request).await.unwrap_err());
}
