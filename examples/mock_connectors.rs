//! Testing your own integration with mocked connectors: every capability trait has a
//! mockall mock behind the `mock` feature of `msp-agent-core`.
//!
//! This example mocks a PSA and an identity provider, runs a password reset through the
//! agent, and checks exactly which calls were made. Copy the body of `main` into a
//! `#[tokio::test]` in your own crate.
//!
//! Run: `cargo run --example mock_connectors`

use std::sync::Arc;

use chrono::Utc;
use mockall::predicate::eq;
use msp_agent::capability::*;
use msp_agent::domain::*;
use msp_agent::prelude::*;

fn user() -> DirectoryUser {
    DirectoryUser {
        id: "u-7".into(),
        tenant: "acme".into(),
        upn: "sam@acme.example".into(),
        display_name: "Sam Doe".into(),
        mail: "sam@acme.example".into(),
        state: AccountState {
            enabled: true,
            locked: false,
            force_change_password: true,
            password_changed_at: Some(Utc::now()),
        },
        privileged: false,
        privilege_reason: None,
        manager: None,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut psa = MockTicketSystem::new();
    psa.expect_get_ticket().returning(|t, id| {
        Ok(Ticket {
            id: id.clone(),
            tenant: t.clone(),
            requester: Some("c-7".into()),
            requester_email: "sam@acme.example".into(),
            subject: "Forgot my password".into(),
            body: "Hi, I forgot my password, please reset it. Sam".into(),
            status: TicketStatus::New,
            priority: Priority::Medium,
            board: "Service Desk".into(),
            category: None,
            created_at: Utc::now(),
        })
    });
    psa.expect_get_contact().returning(|t, id| {
        Ok(Contact {
            id: id.clone(),
            tenant: t.clone(),
            name: "Sam Doe".into(),
            email: "sam@acme.example".into(),
            phone: None,
        })
    });
    psa.expect_add_note().times(1).returning(|_, _, note| {
        assert_eq!(note.visibility, NoteVisibility::Internal);
        Ok(())
    });
    psa.expect_update_ticket()
        .times(2)
        .returning(|_, _, _| Ok(()));
    psa.expect_log_time().times(1).returning(|_, _, e| {
        assert_eq!(e.actor, Actor::Agent);
        Ok(())
    });

    let mut directory = MockIdentityProvider::new();
    directory
        .expect_find_user()
        .with(eq(TenantId::from("acme")), eq("sam@acme.example"))
        .returning(|_, _| Ok(Some(user())));
    directory.expect_get_user().returning(|_, _| Ok(user()));
    directory
        .expect_reset_password()
        .withf(|tenant, id, _password, force| {
            tenant.as_str() == "acme" && id.as_str() == "u-7" && *force
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));

    let mut delivery = MockSecretDelivery::new();
    delivery.expect_deliver().times(1).returning(|_, _, _, _| {
        Ok(DeliveryReceipt {
            channel: "sms".into(),
            destination: "+1 *** *** 0142".into(),
        })
    });

    // Closure reads the client's contract to flag billing exceptions.
    let mut docs = MockDocumentation::new();
    docs.expect_client_configuration()
        .with(eq(TenantId::from("acme")), eq("contract"))
        .times(1)
        .returning(|_, _| Ok(Some(serde_json::json!({ "included": ["password_reset"] }))));

    let caps = Capabilities {
        tickets: Arc::new(psa),
        identity: Arc::new(directory),
        rmm: Arc::new(MockRmm::new()),
        docs: Arc::new(docs),
        delivery: Arc::new(delivery),
    };
    // This client has graduated password resets to autonomous.
    let policy = Policy::from_toml_str(
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n",
        "inline",
    )?;
    let agent = Agent::builder(caps)
        .policy(PolicyEngine::new(policy))
        .build();

    let report = agent.handle(&"acme".into(), &"T-42".into()).await?;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    println!(
        "{} → {:?}: {}",
        report.intent,
        report.outcome,
        msp_agent::report::actions_text(&report)
    );
    Ok(())
}
