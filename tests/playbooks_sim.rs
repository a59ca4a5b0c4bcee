//! End-to-end behaviour of the access, licence and mail playbooks on the simulated MSP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{acme, approving, ordinary_user};
use msp_agent::audit::ActionResult;
use msp_agent::capability::MailboxPermission;
use msp_agent::domain::{DirectoryUser, Intent, TicketId, TicketStatus};
use msp_agent::pipeline::classify::Classifier;
use msp_agent::pipeline::{StepStatus, TicketOutcome};
use msp_agent::prelude::*;
use msp_agent::sim::{ApprovalMode, SimMsp};

const DL: (&str, &str) = (
    "Marketing list",
    "Hi, could you add me to the marketing@acme.example distribution list? Thanks",
);
const GROUP: (&str, &str) = (
    "Access request: Warehouse Team security group",
    "Hello, please give me access: add me to the Warehouse Team security group so I can see \
     the stock sheets. Thanks",
);
const MAILBOX: (&str, &str) = (
    "Shared mailbox access",
    "Hi, I need access to the info@acme.example shared mailbox to cover reception. Thanks",
);
const POWER_BI: (&str, &str) = (
    "Power BI Pro licence",
    "Could I get a Power BI Pro licence? I need to publish the sales dashboard. Thanks",
);
const VISIO: (&str, &str) = (
    "Visio licence",
    "Hi, I need Visio for the new plant layout drawings. Could I get a licence please?",
);
const FORWARD: (&str, &str) = (
    "Forward my email",
    "Hi, I'm on leave next week. Please forward my email to frank.delgado@acme.example. Thanks",
);

/// File a ticket from `user` and handle it with an approving agent; returns the report, the
/// audit records and the ticket.
async fn handle(
    msp: &SimMsp,
    user: &DirectoryUser,
    (subject, body): (&str, &str),
    intent: Intent,
    agent: AgentBuilder,
) -> (TicketReport, Arc<MemoryAuditSink>, TicketId) {
    let ticket = msp
        .add_ticket(&acme(), &user.mail, subject, body, intent)
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let report = agent
        .audit(audit.clone())
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert_eq!(report.intent, intent, "{report:#?}");
    (report, audit, ticket)
}

/// Resolved by one approved, successful `tool` call, audited and closed.
fn assert_resolved(msp: &SimMsp, report: &TicketReport, audit: &MemoryAuditSink, tool: &str) {
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.steps[0].action, tool);
    assert_eq!(report.steps[0].status, StepStatus::Executed);
    let first = &audit.records()[0].entry;
    assert_eq!(first.action, tool);
    assert_eq!(first.approver, "jane.tech");
    assert_eq!(first.result, ActionResult::Ok);
    assert_eq!(
        audit.records().len(),
        report.steps.len() + report.closing.len()
    );
    let t = msp.ticket(&acme(), &report.ticket).unwrap();
    assert_eq!(t.status, TicketStatus::Closed);
}

/// Escalated, with the ticket handed over and a note saying why.
fn assert_escalated(msp: &SimMsp, report: &TicketReport, why: &str) {
    assert_eq!(report.outcome, TicketOutcome::Escalated, "{report:#?}");
    let escalation = report.escalation.as_deref().unwrap();
    assert!(escalation.contains(why), "{escalation}");
    let t = msp.ticket(&acme(), &report.ticket).unwrap();
    assert_eq!(t.status, TicketStatus::Escalated);
    assert!(
        msp.notes(&acme(), &report.ticket)
            .iter()
            .any(|n| n.text.contains(why))
    );
}

#[test]
fn the_classifier_picks_the_playbook_intents() {
    let c = Classifier::new();
    for ((subject, body), intent) in [
        (DL, Intent::DistributionListAccess),
        (GROUP, Intent::PermissionGrant),
        (MAILBOX, Intent::SharedMailboxAccess),
        (POWER_BI, Intent::LicenseAssignment),
        (VISIO, Intent::LicenseAssignment),
        (FORWARD, Intent::EmailForwarding),
    ] {
        let got = c.classify(subject, body);
        assert_eq!(got.intent, intent, "{subject}: {got:?}");
    }
}

#[tokio::test]
async fn distribution_list_access_adds_the_requester() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    assert!(!msp.group_members(&acme(), "Marketing").contains(&user.id));
    let (report, audit, _) = handle(
        &msp,
        &user,
        DL,
        Intent::DistributionListAccess,
        approving(&msp),
    )
    .await;
    assert_resolved(&msp, &report, &audit, "add_group_member");
    assert!(msp.group_members(&acme(), "Marketing").contains(&user.id));
}

#[tokio::test]
async fn permission_grant_adds_the_requester_to_the_group() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    assert!(
        !msp.group_members(&acme(), "Warehouse Team")
            .contains(&user.id)
    );
    let (report, audit, _) =
        handle(&msp, &user, GROUP, Intent::PermissionGrant, approving(&msp)).await;
    assert_resolved(&msp, &report, &audit, "add_group_member");
    assert!(
        msp.group_members(&acme(), "Warehouse Team")
            .contains(&user.id)
    );
}

#[tokio::test]
async fn shared_mailbox_access_grants_full_access() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let granted = |msp: &SimMsp| {
        msp.mailbox_permissions(&acme(), "info@acme.example")
            .contains(&(user.id.clone(), MailboxPermission::FullAccess))
    };
    assert!(!granted(&msp));
    let (report, audit, _) = handle(
        &msp,
        &user,
        MAILBOX,
        Intent::SharedMailboxAccess,
        approving(&msp),
    )
    .await;
    assert_resolved(&msp, &report, &audit, "grant_mailbox_access");
    assert!(granted(&msp));
}

#[tokio::test]
async fn license_assignment_consumes_a_free_seat() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let before = msp.license(&acme(), "POWER_BI_PRO").unwrap();
    assert!(before.consumed < before.total);
    assert!(
        !msp.user_licenses(&acme(), &user.id)
            .contains(&"POWER_BI_PRO".to_owned())
    );
    let (report, audit, _) = handle(
        &msp,
        &user,
        POWER_BI,
        Intent::LicenseAssignment,
        approving(&msp),
    )
    .await;
    assert_resolved(&msp, &report, &audit, "assign_license");
    assert_eq!(
        msp.license(&acme(), "POWER_BI_PRO").unwrap().consumed,
        before.consumed + 1
    );
    assert!(
        msp.user_licenses(&acme(), &user.id)
            .contains(&"POWER_BI_PRO".to_owned())
    );
}

#[tokio::test]
async fn email_forwarding_forwards_to_the_named_address() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    assert_eq!(msp.forwarding(&acme(), &user.id), None);
    let (report, audit, _) = handle(
        &msp,
        &user,
        FORWARD,
        Intent::EmailForwarding,
        approving(&msp),
    )
    .await;
    assert_resolved(&msp, &report, &audit, "set_email_forwarding");
    assert_eq!(
        msp.forwarding(&acme(), &user.id).as_deref(),
        Some("frank.delgado@acme.example")
    );
}

#[tokio::test]
async fn a_full_licence_pool_escalates_without_a_write() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let before = msp.license(&acme(), "VISIO_PLAN2").unwrap();
    assert_eq!(before.consumed, before.total, "acme's Visio pool is full");
    let (report, audit, _) = handle(
        &msp,
        &user,
        VISIO,
        Intent::LicenseAssignment,
        approving(&msp),
    )
    .await;
    let figures = format!("{} of {} assigned", before.consumed, before.total);
    assert_escalated(&msp, &report, &figures);
    assert!(report.steps.is_empty());
    assert_eq!(msp.license(&acme(), "VISIO_PLAN2").unwrap(), before);
    assert!(msp.approval_requests().is_empty());
    assert!(
        audit
            .records()
            .iter()
            .all(|r| r.entry.action != "assign_license")
    );
}

#[tokio::test]
async fn an_unknown_group_escalates_with_a_note() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let (report, audit, _) = handle(
        &msp,
        &user,
        (
            "Add me to a list",
            "Hi, could you add me to the chess-club@acme.example distribution list? Thanks",
        ),
        Intent::DistributionListAccess,
        approving(&msp),
    )
    .await;
    assert_escalated(&msp, &report, "not found");
    assert_eq!(report.steps[0].action, "add_group_member");
    assert!(matches!(
        audit.records()[0].entry.result,
        ActionResult::Error { .. }
    ));
    assert!(msp.group(&acme(), "chess-club@acme.example").is_none());
}

#[tokio::test]
async fn a_privileged_group_escalates_at_the_gate() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let group = msp.group(&acme(), "Finance Approvers").unwrap();
    assert!(group.privileged);
    let members = msp.group_members(&acme(), "Finance Approvers");
    let (report, audit, _) = handle(
        &msp,
        &user,
        (
            "Access request: Finance Approvers security group",
            "Hi, please give me access: add me to the Finance Approvers security group while \
             Marcus is out. Thanks",
        ),
        Intent::PermissionGrant,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated, "{report:#?}");
    assert_eq!(report.steps[0].status, StepStatus::Escalated);
    let reasons = &report.steps[0].decision.as_ref().unwrap().reasons;
    assert!(reasons.iter().any(|r| r.rule() == "privileged_target"));
    assert_eq!(audit.records()[0].entry.result, ActionResult::NotRun);
    assert_eq!(msp.group_members(&acme(), "Finance Approvers"), members);
    assert!(msp.approval_requests().is_empty());
}

#[tokio::test]
async fn a_rejected_approval_changes_nothing() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let members = msp.group_members(&acme(), "Marketing");
    let rejecting = Agent::builder(msp.capabilities()).approvals(
        msp.approvals(ApprovalMode::RejectAll {
            approver: "bob".into(),
        }),
        Duration::from_secs(5),
    );
    let (report, audit, _) =
        handle(&msp, &user, DL, Intent::DistributionListAccess, rejecting).await;
    assert_eq!(report.outcome, TicketOutcome::Escalated, "{report:#?}");
    assert_eq!(report.steps[0].status, StepStatus::Rejected);
    assert_eq!(msp.approval_requests().len(), 1);
    assert_eq!(audit.records()[0].entry.approver, "bob");
    assert_eq!(audit.records()[0].entry.result, ActionResult::NotRun);
    assert_eq!(msp.group_members(&acme(), "Marketing"), members);
}

#[tokio::test]
async fn a_request_naming_no_group_escalates_without_a_write() {
    let msp = SimMsp::seeded();
    let user = ordinary_user(&msp);
    let (report, _, _) = handle(
        &msp,
        &user,
        (
            "Distribution list",
            "Hi, could you add me to the distribution list my team uses? Thanks",
        ),
        Intent::DistributionListAccess,
        approving(&msp),
    )
    .await;
    assert_escalated(&msp, &report, "names no group or distribution list");
    assert!(report.steps.is_empty());
    assert!(msp.approval_requests().is_empty());
}
