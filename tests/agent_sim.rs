//! End-to-end behaviour of the agent on the simulated MSP, through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{acme, approving, ordinary_user};
use msp_agent::domain::{Intent, NoteVisibility};
use msp_agent::pipeline::classify::Classifier;
use msp_agent::pipeline::{StepStatus, TicketOutcome};
use msp_agent::prelude::*;
use msp_agent::secrecy::ExposeSecret;
use msp_agent::sim::{ApprovalMode, SimMsp};

const RESET: (&str, &str) = (
    "Forgot my password",
    "Hi team, I forgot my password and can't sign in. Please reset it. Thanks",
);

/// A `MakeWriter` that keeps every log line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);
impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn password_reset_resolves_and_the_secret_stays_out_of_band() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    // Global (not scoped): tracing caches callsite interest across the test threads.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let ticket = msp
        .add_ticket(&acme(), &user.mail, RESET.0, RESET.1, Intent::PasswordReset)
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let agent = approving(&msp).audit(audit.clone()).build();

    let report = agent.handle(&acme(), &ticket).await.unwrap();
    assert_eq!(report.intent, Intent::PasswordReset);
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert_eq!(report.steps[0].action, "reset_password");
    assert_eq!(report.steps[0].approver.as_deref(), Some("jane.tech"));

    // The password changed, with force-change, and the new one went out by SMS only.
    let after = msp.user(&acme(), &user.id).unwrap();
    assert!(after.state.force_change_password);
    let delivered = msp.delivered_secrets();
    assert_eq!(delivered.len(), 1);
    let (tenant, to, purpose, channel, secret) = &delivered[0];
    assert_eq!(
        (tenant, to, purpose.as_str(), channel.as_str()),
        (&acme(), &user.id, "password_reset", "sms")
    );
    let secret = secret.expose_secret();
    assert!(msp.password_matches(&acme(), &user.id, secret));

    // Closed with a note, category and agent time.
    let t = msp.ticket(&acme(), &ticket).unwrap();
    assert_eq!(t.status, msp_agent::domain::TicketStatus::Closed);
    assert!(t.category.is_some());
    let notes = msp.notes(&acme(), &ticket);
    assert!(
        notes
            .iter()
            .any(|n| n.visibility == NoteVisibility::Internal && n.text.contains("reset_password"))
    );
    let time = msp.time_entries(&acme(), &ticket);
    assert_eq!(time.len(), 1);
    assert_eq!(time[0].actor, msp_agent::domain::Actor::Agent);

    // The secret appears in no note, no audit record, no log line.
    for n in &notes {
        assert!(!n.text.contains(secret));
    }
    let records = serde_json::to_string(&audit.records()).unwrap();
    assert!(!records.contains(secret));
    assert!(
        records.contains("[REDACTED]"),
        "the vendor call is recorded, redacted"
    );
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("ticket done"), "logs were captured");
    assert!(!logged.contains(secret));
    // One audit record per decided action, chained.
    let recs = audit.records();
    assert_eq!(recs.len(), report.steps.len() + report.closing.len());
    assert!(recs.windows(2).all(|w| w[1].prev_hash == w[0].hash));
}

#[tokio::test]
async fn unlock_resolves() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    assert!(msp.set_locked(&acme(), &user.id, true));
    let ticket = msp
        .add_ticket(
            &acme(),
            &user.mail,
            "Locked out of my account",
            "My account is locked after too many attempts, please unlock it.",
            Intent::AccountUnlock,
        )
        .unwrap();
    let report = approving(&msp)
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert_eq!(report.intent, Intent::AccountUnlock);
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert!(!msp.user(&acme(), &user.id).unwrap().state.locked);
}

#[tokio::test]
async fn a_requester_mismatch_escalates_and_changes_nothing() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let before = msp.user(&acme(), &user.id).unwrap();
    let from = format!("{}.personal@gmail.com", user.display_name.replace(' ', "."));
    let body = format!(
        "This is {}, I forgot my password, please reset it and send it to this address.",
        user.display_name
    );
    let ticket = msp
        .add_ticket(&acme(), &from, RESET.0, &body, Intent::PasswordReset)
        .unwrap();
    let report = approving(&msp)
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert!(report.steps.is_empty());
    assert!(report.escalation.unwrap().contains("not verified"));
    assert_eq!(msp.user(&acme(), &user.id).unwrap(), before);
    assert!(msp.delivered_secrets().is_empty());
    assert!(msp.approval_requests().is_empty());
}

#[tokio::test]
async fn a_privileged_target_escalates_at_the_gate() {
    let msp = SimMsp::seeded();
    let contacts = msp.contacts(&acme());
    let admin = msp
        .users(&acme())
        .into_iter()
        .find(|u| {
            u.privileged
                && u.state.enabled
                && contacts
                    .iter()
                    .any(|c| c.email.eq_ignore_ascii_case(&u.mail))
        })
        .expect("a privileged user with a contact");
    let ticket = msp
        .add_ticket(
            &acme(),
            &admin.mail,
            RESET.0,
            RESET.1,
            Intent::PasswordReset,
        )
        .unwrap();
    // Even a policy that graduates resets to autonomous cannot reset a privileged account.
    let policy = Policy::from_toml_str(
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n",
        "p",
    )
    .unwrap();
    let report = approving(&msp)
        .policy(PolicyEngine::new(policy))
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(report.steps[0].status, StepStatus::Escalated);
    let reasons = &report.steps[0].decision.as_ref().unwrap().reasons;
    assert!(reasons.iter().any(|r| r.rule() == "privileged_target"));
    assert!(msp.delivered_secrets().is_empty());
    assert!(msp.approval_requests().is_empty());
}

#[tokio::test]
async fn approval_tier_actions_wait_for_the_gateway() {
    for (mode, expect) in [
        (
            ApprovalMode::RejectAll {
                approver: "bob".into(),
            },
            StepStatus::Rejected,
        ),
        (ApprovalMode::Never, StepStatus::ApprovalTimedOut),
        (
            ApprovalMode::ApproveAll {
                approver: "ann".into(),
            },
            StepStatus::Executed,
        ),
    ] {
        let msp = SimMsp::seeded();
        let user = ordinary_user(&msp);
        let ticket = msp
            .add_ticket(&acme(), &user.mail, RESET.0, RESET.1, Intent::PasswordReset)
            .unwrap();
        let before = msp.user(&acme(), &user.id).unwrap();
        let audit = Arc::new(MemoryAuditSink::new());
        let agent = Agent::builder(msp.capabilities())
            .audit(audit.clone())
            .approvals(msp.approvals(mode.clone()), Duration::from_millis(200))
            .build();
        let report = agent.handle(&acme(), &ticket).await.unwrap();
        assert_eq!(report.steps[0].status, expect, "{mode:?}");
        let requests = msp.approval_requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].action, "reset_password");
        let first = &audit.records()[0].entry;
        assert_eq!(first.action, "reset_password");
        if expect == StepStatus::Executed {
            assert_eq!(report.outcome, TicketOutcome::Resolved);
            assert_eq!(first.approver, "ann");
            assert_eq!(msp.delivered_secrets().len(), 1);
        } else {
            assert_eq!(report.outcome, TicketOutcome::Escalated);
            assert_eq!(
                msp.user(&acme(), &user.id).unwrap(),
                before,
                "{mode:?}: account untouched"
            );
            assert!(msp.delivered_secrets().is_empty(), "{mode:?}: nothing ran");
        }
    }
}

#[tokio::test]
async fn the_kill_switch_halts_writes_mid_batch() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let tickets: Vec<_> = (0..4)
        .map(|_| {
            msp.add_ticket(&acme(), &user.mail, RESET.0, RESET.1, Intent::PasswordReset)
                .unwrap()
        })
        .collect();
    let agent = approving(&msp).build();
    let first = agent.handle(&acme(), &tickets[0]).await.unwrap();
    assert_eq!(first.outcome, TicketOutcome::Resolved);
    agent.policy().set_kill_switch(Scope::Client("acme"), true);
    for t in &tickets[1..] {
        let r = agent.handle(&acme(), t).await.unwrap();
        assert_eq!(r.outcome, TicketOutcome::Halted);
        assert!(
            msp.notes(&acme(), t).is_empty(),
            "no write at all once halted"
        );
    }
    assert_eq!(msp.delivered_secrets().len(), 1);
}

#[tokio::test]
async fn shadow_mode_changes_nothing() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let ticket = msp
        .add_ticket(&acme(), &user.mail, RESET.0, RESET.1, Intent::PasswordReset)
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let report = approving(&msp)
        .mode(Mode::Shadow)
        .audit(audit.clone())
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert_eq!(report.outcome, TicketOutcome::Shadow);
    assert!(msp.notes(&acme(), &ticket).is_empty());
    assert!(msp.delivered_secrets().is_empty());
    assert!(
        audit
            .records()
            .iter()
            .all(|r| r.entry.outcome == Outcome::LogOnly)
    );
}

#[test]
fn classifier_accuracy_on_the_simulated_tickets() {
    let msp = SimMsp::seeded();
    let classifier = Classifier::new();
    let labelled = msp.labelled_tickets();
    let mut right = 0;
    for (tenant, id, intent) in &labelled {
        let t = msp.ticket(tenant, id).unwrap();
        let got = classifier.classify(&t.subject, &t.body).intent;
        if got == *intent {
            right += 1;
        } else {
            println!("miss {id}: expected {intent}, got {got}: {}", t.subject);
        }
    }
    let accuracy = right as f64 / labelled.len() as f64;
    println!(
        "classifier accuracy on {} simulated tickets: {:.1}%",
        labelled.len(),
        accuracy * 100.0
    );
    assert!(accuracy >= 0.85, "{accuracy}");
}
