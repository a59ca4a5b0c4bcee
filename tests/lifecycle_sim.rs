//! End-to-end behaviour of the MFA, onboarding, offboarding, software and VPN playbooks on
//! the simulated MSP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{acme, approving};
use msp_agent::audit::ActionResult;
use msp_agent::audit::AuditRecord;
use msp_agent::domain::{
    AuthMethodKind, DirectoryUser, Intent, NoteVisibility, TenantId, TicketStatus,
};
use msp_agent::pipeline::{BillingException, StepStatus, TicketOutcome};
use msp_agent::policy::Outcome;
use msp_agent::prelude::*;
use msp_agent::secrecy::ExposeSecret;
use msp_agent::sim::SimMsp;

const NEW_STARTER: (&str, &str) = (
    "New starter - Monday",
    "Hi IT,\n\nWe have a new starter joining Sales on Monday:\n\nName: Hannah Cole\nTitle: \
     Sales Executive\nManager: Tom Brennan\n\nShe'll need a laptop and email.\n\nThanks,\nLinda",
);
const LEAVER: (&str, &str) = (
    "Leaver - Sam Porter",
    "Hi,\n\nSam Porter (warehouse) finishes this Friday. Please disable his account, forward \
     his email to his manager and free up his licence.\n\nThanks,\nLinda",
);
const MFA: (&str, &str) = (
    "New phone - authenticator",
    "Hi, I got a new phone and the Authenticator app didn't transfer. Can you reset my MFA so \
     I can set it up again? Thanks",
);

fn user(msp: &SimMsp, mail: &str) -> DirectoryUser {
    msp.user_by_email(&acme(), mail).unwrap()
}

fn policy(toml: &str) -> PolicyEngine {
    PolicyEngine::new(Policy::from_toml_str(toml, "test.toml").unwrap())
}

/// File a ticket and handle it with `agent`; returns the report and the audit records.
async fn run(
    msp: &SimMsp,
    from: &str,
    (subject, body): (&str, &str),
    intent: Intent,
    agent: AgentBuilder,
) -> (TicketReport, Vec<AuditRecord>) {
    let ticket = msp
        .add_ticket(&acme(), from, subject, body, intent)
        .unwrap();
    let audit = Arc::new(MemoryAuditSink::new());
    let report = agent
        .audit(audit.clone())
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    (report, audit.records())
}

fn note_of(msp: &SimMsp, report: &TicketReport, visibility: NoteVisibility) -> String {
    msp.notes(&acme(), &report.ticket)
        .into_iter()
        .filter(|n| n.visibility == visibility)
        .map(|n| n.text)
        .collect::<Vec<_>>()
        .join("\n")
}

fn actions(report: &TicketReport) -> Vec<(&str, StepStatus)> {
    report
        .steps
        .iter()
        .map(|s| (s.action.as_str(), s.status))
        .collect()
}

#[tokio::test]
async fn onboarding_follows_the_client_template_with_each_step_approved() {
    let msp = SimMsp::seeded();
    let tom = user(&msp, "tom.brennan@acme.example");
    let (report, audit) = run(
        &msp,
        "linda.chow@acme.example",
        NEW_STARTER,
        Intent::Onboarding,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");

    let hannah = user(&msp, "hannah.cole@acme.example");
    assert_eq!(hannah.manager.as_ref(), Some(&tom.id));
    assert_eq!(msp.user_licenses(&acme(), &hannah.id), ["SPB"]);
    for group in ["All Staff", "VPN Users"] {
        assert!(
            msp.group_members(&acme(), group).contains(&hannah.id),
            "{group}"
        );
    }
    // The Temporary Access Pass went to the manager, out of band, and is the real one.
    let (.., purpose, channel, tap) = msp.delivered_secrets().pop().unwrap();
    assert_eq!(
        (purpose.as_str(), channel.as_str()),
        ("temporary_access_pass", "manager_email")
    );
    assert!(msp.tap_matches(&acme(), &hannah.id, tap.expose_secret()));
    let public = note_of(&msp, &report, NoteVisibility::Public);
    assert!(public.contains("hannah.cole@acme.example") && public.contains("Tom Brennan"));
    assert!(!public.contains(tap.expose_secret()));
    let internal = note_of(&msp, &report, NoteVisibility::Internal);
    assert!(
        internal.contains("Apps to deploy with the device: Microsoft 365 Apps"),
        "{internal}"
    );

    // Later steps got the created user's id; every write was approved by the technician.
    let writes: Vec<_> = audit
        .iter()
        .filter(|r| r.entry.outcome == Outcome::AwaitApproval)
        .collect();
    assert_eq!(
        writes
            .iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        [
            "create_user",
            "assign_license",
            "add_group_member",
            "add_group_member",
            "create_temporary_access_pass",
            "add_public_note"
        ]
    );
    assert!(
        writes
            .iter()
            .all(|r| r.entry.approver == "jane.tech" && r.entry.result == ActionResult::Ok)
    );
    assert_eq!(writes[1].entry.request["args"]["user"], hannah.id.as_str());
    assert_eq!(
        msp.ticket(&acme(), &report.ticket).unwrap().status,
        TicketStatus::Closed
    );
    // One record per decided action (6 plan steps + 4 closing steps), and the chain verifies.
    assert_eq!(audit.len(), 10);
    let jsonl: String = audit
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    assert_eq!(
        msp_agent::audit::verify_chain(jsonl.as_bytes()).unwrap(),
        10
    );
}

#[tokio::test]
async fn onboarding_from_an_unauthorised_requester_creates_nothing() {
    let msp = SimMsp::seeded();
    let (report, audit) = run(
        &msp,
        "kevin.liu@acme.example",
        NEW_STARTER,
        Intent::Onboarding,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert!(
        report
            .escalation
            .unwrap()
            .contains("neither an authorised requester")
    );
    assert!(
        msp.user_by_email(&acme(), "hannah.cole@acme.example")
            .is_none()
    );
    assert!(audit.iter().all(|r| r.entry.action != "create_user"));
}

#[tokio::test]
async fn onboarding_that_fails_midway_says_which_steps_ran() {
    let msp = SimMsp::seeded();
    // A policy that lets everything but the group step through: the run stops there.
    let (report, _) = run(
        &msp,
        "linda.chow@acme.example",
        NEW_STARTER,
        Intent::Onboarding,
        approving(&msp).policy(policy("[global.actions]\nadd_group_member = \"human\"\n")),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        actions(&report),
        [
            ("create_user", StepStatus::Executed),
            ("assign_license", StepStatus::Executed),
            ("add_group_member", StepStatus::Escalated)
        ]
    );
    let internal = note_of(&msp, &report, NoteVisibility::Internal);
    assert!(
        internal
            .contains("- not run: add_group_member, create_temporary_access_pass, add_public_note"),
        "{internal}"
    );
    // The state is the one the note describes: the user exists, licensed, in no group.
    let hannah = user(&msp, "hannah.cole@acme.example");
    assert_eq!(msp.user_licenses(&acme(), &hannah.id), ["SPB"]);
    assert!(!msp.group_members(&acme(), "All Staff").contains(&hannah.id));
}

#[tokio::test]
async fn offboarding_stops_at_the_human_only_disable_by_default() {
    let msp = SimMsp::seeded();
    let sam = user(&msp, "sam.porter@acme.example");
    let delivered_before = msp.delivered_secrets().len();
    let (report, _) = run(
        &msp,
        "linda.chow@acme.example",
        LEAVER,
        Intent::Offboarding,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        actions(&report),
        [
            ("revoke_sessions", StepStatus::Executed),
            ("reset_password", StepStatus::Executed),
            ("disable_account", StepStatus::Escalated)
        ]
    );
    assert_eq!(msp.sessions_revoked(&acme(), &sam.id), 1);
    // The scrambled password went to nobody.
    assert_eq!(msp.delivered_secrets().len(), delivered_before);
    assert!(user(&msp, "sam.porter@acme.example").state.enabled);
    let internal = note_of(&msp, &report, NoteVisibility::Internal);
    assert!(
        internal.contains("- disable_account: escalated\n- not run: remove_group_member"),
        "{internal}"
    );
}

#[tokio::test]
async fn offboarding_runs_in_order_when_disable_is_lowered_to_approval() {
    let msp = SimMsp::seeded();
    let sam = user(&msp, "sam.porter@acme.example");
    let manager = msp.user(&acme(), sam.manager.as_ref().unwrap()).unwrap();
    let groups_before = msp
        .group_members(&acme(), "Warehouse Team")
        .contains(&sam.id);
    assert!(groups_before);
    let (report, _) = run(
        &msp,
        "linda.chow@acme.example",
        LEAVER,
        Intent::Offboarding,
        approving(&msp).policy(policy("[global.actions]\ndisable_account = \"approval\"\n")),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    let order: Vec<&str> = report.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        &order[..3],
        ["revoke_sessions", "reset_password", "disable_account"]
    );
    assert_eq!(order.last(), Some(&"remove_license"));
    let sam = user(&msp, "sam.porter@acme.example");
    assert!(!sam.state.enabled);
    assert!(
        !msp.group_members(&acme(), "Warehouse Team")
            .contains(&sam.id)
    );
    assert_eq!(
        msp.forwarding(&acme(), &sam.id).as_deref(),
        Some(manager.mail.as_str())
    );
    assert!(msp.user_licenses(&acme(), &sam.id).is_empty());
    let internal = note_of(&msp, &report, NoteVisibility::Internal);
    assert!(
        internal.contains("Convert Sam Porter's mailbox to a shared mailbox"),
        "{internal}"
    );
}

#[tokio::test]
async fn offboarding_requested_by_a_colleague_is_refused() {
    let msp = SimMsp::seeded();
    let (report, audit) = run(
        &msp,
        "kevin.liu@acme.example",
        LEAVER,
        Intent::Offboarding,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert!(report.steps.is_empty());
    assert!(audit.iter().all(|r| r.entry.action != "revoke_sessions"));
}

#[tokio::test]
async fn mfa_reset_verifies_out_of_band_then_stops_for_a_human_by_default() {
    let msp = SimMsp::seeded();
    let linda = user(&msp, "linda.chow@acme.example");
    let methods = msp.auth_methods(&acme(), &linda.id);
    let (report, _) = run(&msp, &linda.mail, MFA, Intent::MfaReset, approving(&msp)).await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        actions(&report),
        [
            ("verify_out_of_band", StepStatus::Executed),
            ("reset_mfa", StepStatus::Escalated)
        ]
    );
    assert_eq!(msp.challenges().len(), 1);
    assert_eq!(msp.auth_methods(&acme(), &linda.id), methods);
}

#[tokio::test]
async fn mfa_reset_with_approval_clears_methods_and_delivers_a_tap() {
    let msp = SimMsp::seeded();
    let linda = user(&msp, "linda.chow@acme.example");
    let (report, _) = run(
        &msp,
        &linda.mail,
        MFA,
        Intent::MfaReset,
        approving(&msp).policy(policy("[global.actions]\nreset_mfa = \"approval\"\n")),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    let kinds: Vec<AuthMethodKind> = msp
        .auth_methods(&acme(), &linda.id)
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert!(
        kinds.iter().all(|k| matches!(
            k,
            AuthMethodKind::Password | AuthMethodKind::TemporaryAccessPass
        )),
        "{kinds:?}"
    );
    assert!(msp.sessions_revoked(&acme(), &linda.id) >= 1);
    let (.., purpose, channel, tap) = msp.delivered_secrets().pop().unwrap();
    assert_eq!(
        (purpose.as_str(), channel.as_str()),
        ("temporary_access_pass", "sms")
    );
    assert!(msp.tap_matches(&acme(), &linda.id, tap.expose_secret()));
}

#[tokio::test]
async fn mfa_reset_without_out_of_band_confirmation_changes_nothing() {
    let msp = SimMsp::seeded();
    let linda = user(&msp, "linda.chow@acme.example");
    msp.deny_challenges(&linda.id, true);
    let methods = msp.auth_methods(&acme(), &linda.id);
    let (report, _) = run(
        &msp,
        &linda.mail,
        MFA,
        Intent::MfaReset,
        approving(&msp).policy(policy("[global.actions]\nreset_mfa = \"approval\"\n")),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        actions(&report),
        [("verify_out_of_band", StepStatus::Failed)]
    );
    assert!(report.escalation.unwrap().contains("did not confirm"));
    assert_eq!(msp.auth_methods(&acme(), &linda.id), methods);
    assert!(
        msp.approval_requests().is_empty(),
        "nothing reached an approver"
    );
}

#[tokio::test]
async fn software_install_runs_only_catalogue_packages_on_the_requesters_device() {
    let msp = SimMsp::seeded();
    let maria = user(&msp, "maria.gonzalez@acme.example");
    let (report, _) = run(
        &msp,
        &maria.mail,
        (
            "Adobe Acrobat",
            "Can you install Adobe Acrobat Reader on my laptop? Thanks Maria",
        ),
        Intent::SoftwareInstall,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    let device = report.steps[0].args["device"].as_str().unwrap().to_owned();
    let owned = msp
        .devices(&acme())
        .into_iter()
        .find(|d| d.id.as_str() == device)
        .unwrap();
    assert_eq!(owned.user.as_ref(), Some(&maria.id));
    assert!(
        msp.installed_packages(&acme(), &owned.id)
            .contains(&"Adobe Acrobat Reader".to_owned())
    );

    let (report, audit) = run(
        &msp,
        &maria.mail,
        (
            "Docker",
            "Can you install Docker Desktop on my laptop please?",
        ),
        Intent::SoftwareInstall,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert!(
        report
            .escalation
            .unwrap()
            .contains("not in the client's software catalogue")
    );
    assert!(audit.iter().all(|r| r.entry.action != "install_software"));
}

#[tokio::test]
async fn vpn_guidance_is_a_public_reply_and_the_ticket_waits_for_the_user() {
    let msp = SimMsp::seeded();
    let tom = user(&msp, "tom.brennan@acme.example");
    let (report, _) = run(
        &msp,
        &tom.mail,
        (
            "VPN not connecting",
            "GlobalProtect just spins on 'connecting' from the hotel wifi.",
        ),
        Intent::VpnIssue,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    let public = note_of(&msp, &report, NoteVisibility::Public);
    assert!(
        public.contains("GlobalProtect") && public.contains("vpn.acme.example"),
        "{public}"
    );
    assert_eq!(
        msp.ticket(&acme(), &report.ticket).unwrap().status,
        TicketStatus::Waiting
    );
}

#[tokio::test]
async fn shadow_mode_logs_every_predicted_onboarding_step_and_changes_nothing() {
    let msp = SimMsp::seeded();
    let (report, audit) = run(
        &msp,
        "linda.chow@acme.example",
        NEW_STARTER,
        Intent::Onboarding,
        approving(&msp).mode(Mode::Shadow),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Shadow);
    assert_eq!(report.steps.len(), 6, "{report:#?}");
    assert!(report.steps.iter().all(|s| s.status == StepStatus::LogOnly));
    assert!(
        audit
            .iter()
            .any(|r| r.entry.action == "create_temporary_access_pass"
                && r.entry.outcome == Outcome::LogOnly)
    );
    assert!(
        msp.user_by_email(&acme(), "hannah.cole@acme.example")
            .is_none()
    );
    assert!(msp.notes(&acme(), &report.ticket).is_empty());
    assert!(msp.approval_requests().is_empty());
}

#[tokio::test]
async fn after_hours_work_without_cover_is_flagged_and_not_billed() {
    let msp = SimMsp::seeded();
    // Initech's contract covers no after-hours work; its seeded queue opens at 02:00 local.
    let initech = TenantId::from("initech");
    let (_, ticket, _) = msp
        .labelled_tickets()
        .into_iter()
        .find(|(t, _, i)| *t == initech && *i == Intent::PasswordReset)
        .unwrap();
    let report = approving(&msp)
        .build()
        .handle(&initech, &ticket)
        .await
        .unwrap();
    assert_eq!(report.outcome, TicketOutcome::Resolved);
    assert!(
        matches!(
            report.billing.as_slice(),
            [BillingException::AfterHoursNotCovered { .. }]
        ),
        "{:?}",
        report.billing
    );
    let note = msp
        .notes(&initech, &ticket)
        .into_iter()
        .map(|n| n.text)
        .collect::<String>();
    assert!(
        note.contains("! Billing exception: raised out of business hours"),
        "{note}"
    );
    let entry = msp.time_entries(&initech, &ticket).pop().unwrap();
    assert!(!entry.billable, "flagged work is left for a human to bill");

    // Acme's contract covers after-hours work: the same kind of ticket is billed.
    let (_, ticket, _) = msp
        .labelled_tickets()
        .into_iter()
        .find(|(t, _, i)| *t == acme() && *i == Intent::PasswordReset)
        .unwrap();
    let report = approving(&msp)
        .build()
        .handle(&acme(), &ticket)
        .await
        .unwrap();
    assert!(report.billing.is_empty(), "{:?}", report.billing);
}

#[tokio::test]
async fn software_install_on_an_offline_device_escalates_and_installs_nothing() {
    let msp = SimMsp::seeded();
    let maria = user(&msp, "maria.gonzalez@acme.example");
    let laptop = msp
        .devices(&acme())
        .into_iter()
        .find(|d| d.user.as_ref() == Some(&maria.id))
        .unwrap();
    assert!(msp.set_device_online(&acme(), &laptop.id, false));
    let before = msp.installed_packages(&acme(), &laptop.id);
    let (report, audit) = run(
        &msp,
        &maria.mail,
        (
            "Install 7-Zip",
            "Can you install 7-Zip on my laptop please? Thanks Maria",
        ),
        Intent::SoftwareInstall,
        approving(&msp),
    )
    .await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    let why = report.escalation.as_deref().unwrap();
    assert!(why.contains("is offline"), "{why}");
    assert!(audit.iter().all(|r| r.entry.action != "install_software"));
    assert_eq!(msp.installed_packages(&acme(), &laptop.id), before);
    let internal = note_of(&msp, &report, NoteVisibility::Internal);
    assert!(internal.contains("Escalated to a technician"), "{internal}");
}
