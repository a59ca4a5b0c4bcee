//! The model path on the simulated MSP: hybrid triage, the bounded tool loop through the
//! policy gate, and fallbacks when the model misbehaves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{acme, approving};
use msp_agent::audit::AuditRecord;
use msp_agent::capability::Usage;
use msp_agent::domain::{Intent, NoteVisibility, TicketStatus};
use msp_agent::pipeline::classify::Classifier;
use msp_agent::pipeline::model::{ModelLimits, ScriptedModel, ScriptedReply};
use msp_agent::pipeline::{StepStatus, TicketOutcome};
use msp_agent::policy::Outcome;
use msp_agent::prelude::*;
use msp_agent::sim::SimMsp;
use serde_json::json;

const MARIA: &str = "maria.gonzalez@acme.example"; // u-1008, laptop d-1008 (Windows, online)

const PRINTER: (&str, &str) = (
    "Printer jobs stuck",
    "Hi, nothing I send to the office printer comes out, the jobs just sit in the queue on my \
     laptop. Can you clear it? Thanks, Maria",
);

/// A script that starts with the triage answer when the rules would ask the model.
fn script(
    (subject, body): (&str, &str),
    intent: &str,
    then: impl FnOnce(ScriptedModel) -> ScriptedModel,
) -> Arc<ScriptedModel> {
    let rules = Classifier::new().classify(subject, body);
    let mut model = ScriptedModel::new();
    if rules.intent == Intent::Other || rules.confidence < 0.90 {
        model = model.call(
            "submit_triage",
            json!({ "intent": intent, "confidence": 0.95 }),
        );
    }
    Arc::new(then(model))
}

async fn run(
    msp: &SimMsp,
    from: &str,
    (subject, body): (&str, &str),
    agent: AgentBuilder,
) -> (TicketReport, Vec<AuditRecord>) {
    let ticket = msp
        .add_ticket(&acme(), from, subject, body, Intent::PrinterIssue)
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

fn statuses(report: &TicketReport) -> Vec<(&str, StepStatus)> {
    report
        .steps
        .iter()
        .map(|s| (s.action.as_str(), s.status))
        .collect()
}

#[tokio::test]
async fn a_ticket_type_without_playbook_is_resolved_through_the_tool_loop() {
    let msp = SimMsp::seeded();
    let model = script(PRINTER, "printer_issue", |m| {
        m.call("list_devices", json!({ "user": "u-1008" }))
            .call(
                "run_script",
                json!({ "device": "d-1008", "script": "clear_print_queue", "args": [] }),
            )
            .text("Cleared the print queue on ACME-LT-008.")
    });
    let (report, audit) = run(&msp, MARIA, PRINTER, approving(&msp).model(model.clone())).await;

    assert_eq!(report.intent, Intent::PrinterIssue);
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert_eq!(
        statuses(&report),
        [
            ("list_devices", StepStatus::Executed),
            ("run_script", StepStatus::Executed)
        ]
    );
    // The write went through the gate: approval tier, approved by the technician, audited.
    let script = audit
        .iter()
        .find(|r| r.entry.action == "run_script")
        .unwrap();
    assert_eq!(script.entry.outcome, Outcome::AwaitApproval);
    assert_eq!(script.entry.approver, "jane.tech");
    assert!(
        script.entry.reasoning.contains("model planner"),
        "{}",
        script.entry.reasoning
    );
    let t = msp.ticket(&acme(), &report.ticket).unwrap();
    assert_eq!(t.status, TicketStatus::Closed);
    let note = msp
        .notes(&acme(), &report.ticket)
        .into_iter()
        .find(|n| n.visibility == NoteVisibility::Internal)
        .unwrap();
    assert!(
        note.text.contains("model summary: Cleared the print queue"),
        "{}",
        note.text
    );

    // Tokens are summed over the loop's three turns and reported.
    assert_eq!(
        report.usage,
        Some(Usage {
            input_tokens: 300,
            output_tokens: 60
        })
    );
    // The model saw the registry's tools (not the closure tools) and the ticket as data.
    let requests = model.requests();
    let loop_request = requests.iter().rev().nth(2).unwrap();
    let names: Vec<&str> = loop_request.tools.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"run_script") && names.contains(&"lookup_user"));
    assert!(!names.contains(&"update_ticket_status"));
    assert!(
        loop_request.messages[1]
            .content
            .starts_with("<ticket_data>")
    );
    assert_eq!(model.remaining(), 0);
}

#[tokio::test]
async fn malformed_tool_arguments_are_corrected_after_the_validation_error() {
    let msp = SimMsp::seeded();
    let model = script(PRINTER, "printer_issue", |m| {
        m.raw_call("run_script", "{\"device\": \"d-1008\", \"script\": ")
            .call("run_script", json!({ "device": "d-1008", "script": 42 }))
            .call(
                "run_script",
                json!({ "device": "d-1008", "script": "clear_print_queue", "args": [] }),
            )
            .text("Print queue cleared.")
    });
    let (report, audit) = run(&msp, MARIA, PRINTER, approving(&msp).model(model.clone())).await;

    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert_eq!(statuses(&report), [("run_script", StepStatus::Executed)]);
    // Only the valid call reached the policy and the audit trail.
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.entry.action == "run_script")
            .count(),
        1
    );
    // The model got each error back as the result of its call.
    let requests = model.requests();
    let n = requests.len();
    let not_json = requests[n - 3].messages.last().unwrap();
    assert_eq!(
        not_json.tool_call_id.as_deref(),
        Some(&*format!("call_{}_0", n - 3))
    );
    assert!(
        not_json.content.contains("not valid JSON"),
        "{}",
        not_json.content
    );
    let invalid = requests[n - 2].messages.last().unwrap();
    assert!(
        invalid
            .content
            .contains("invalid arguments for `run_script` at `script`"),
        "{}",
        invalid.content
    );
}

#[tokio::test]
async fn a_loop_that_never_ends_is_stopped_at_the_step_limit_and_escalated() {
    let msp = SimMsp::seeded();
    let model = script(PRINTER, "printer_issue", |m| {
        m.forever(ScriptedReply::Calls(vec![(
            "get_user_status".into(),
            json!({ "user": "u-1008" }).to_string(),
        )]))
    });
    let limits = ModelLimits {
        max_steps: 3,
        ..ModelLimits::default()
    };
    let agent = approving(&msp).model(model.clone()).model_limits(limits);
    let (report, _) = run(&msp, MARIA, PRINTER, agent).await;

    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(report.escalation.as_deref(), Some("step limit (3) reached"));
    assert_eq!(report.steps.len(), 3, "three reads ran, nothing else");
    assert!(report.steps.iter().all(|s| s.action == "get_user_status"));
    let t = msp.ticket(&acme(), &report.ticket).unwrap();
    assert_eq!(t.status, TicketStatus::Escalated);
}

#[tokio::test]
async fn token_limit_and_step_timeout_escalate_with_the_reason() {
    let msp = SimMsp::seeded();
    let model = script(PRINTER, "printer_issue", |m| {
        m.usage(Usage {
            input_tokens: 900,
            output_tokens: 200,
        })
        .forever(ScriptedReply::Calls(vec![(
            "list_devices".into(),
            json!({ "user": "u-1008" }).to_string(),
        )]))
    });
    let limits = ModelLimits {
        max_tokens: 2_000,
        ..ModelLimits::default()
    };
    let agent = approving(&msp).model(model).model_limits(limits);
    let (report, _) = run(&msp, MARIA, PRINTER, agent).await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    let why = report.escalation.unwrap();
    assert!(why.starts_with("token limit reached"), "{why}");

    let msp = SimMsp::seeded();
    let model = script(PRINTER, "printer_issue", |m| {
        m.reply(ScriptedReply::Delayed(
            Duration::from_secs(5),
            Box::new(ScriptedReply::Text("too late".into())),
        ))
    });
    let limits = ModelLimits {
        step_timeout: Duration::from_millis(50),
        ..ModelLimits::default()
    };
    let agent = approving(&msp).model(model).model_limits(limits);
    let (report, _) = run(&msp, MARIA, PRINTER, agent).await;
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        report.escalation.as_deref(),
        Some("model step 1 timed out after 50ms")
    );
}

#[tokio::test]
async fn invalid_structured_output_falls_back_to_the_classifier() {
    const ODD: (&str, &str) = (
        "Quick question",
        "Hello, the thing on the second floor is making a strange noise again. Regards",
    );
    let rules = Classifier::new().classify(ODD.0, ODD.1);
    assert!(rules.intent == Intent::Other || rules.confidence < 0.9);
    for (bad, why) in [
        (
            ScriptedReply::Calls(vec![(
                "submit_triage".into(),
                r#"{"intent":"grant_domain_admin","confidence":0.99}"#.into(),
            )]),
            "invalid structured output",
        ),
        (
            ScriptedReply::Text(r#"{"intent":"printer_issue","confidence":7}"#.into()),
            "confidence 7 outside [0, 1]",
        ),
        (
            ScriptedReply::Text("{\"intent\": \"print".into()),
            "invalid structured output",
        ),
        (
            ScriptedReply::Calls(vec![("reset_password".into(), "{}".into())]),
            "model called `reset_password` instead of triaging",
        ),
        (
            ScriptedReply::Error(msp_agent::CapabilityError::Transient("503".into())),
            "model error: transient failure: 503",
        ),
    ] {
        let msp = SimMsp::seeded();
        // After the failed triage the planner reads once and hands over.
        let model = Arc::new(
            ScriptedModel::new()
                .reply(bad)
                .call("get_user_status", json!({ "user": "u-1008" }))
                .text("ESCALATE: unclear request"),
        );
        let (report, audit) = run(&msp, MARIA, ODD, approving(&msp).model(model)).await;
        assert_eq!(report.intent, rules.intent, "{why}");
        assert_eq!(report.confidence, rules.confidence);
        assert_eq!(report.outcome, TicketOutcome::Escalated);
        let expected = format!("rules (model fallback: {why}");
        let read = audit
            .iter()
            .find(|r| r.entry.action == "get_user_status")
            .unwrap();
        assert!(
            read.entry.reasoning.contains(&expected),
            "{}",
            read.entry.reasoning
        );
        let note = &msp.notes(&acme(), &report.ticket)[0].text;
        assert!(note.contains(&expected), "{why}: {note}");
    }
}

#[tokio::test]
async fn a_valid_model_triage_is_used_and_recorded_and_confident_rules_skip_the_model() {
    const ODD: (&str, &str) = (
        "Quick question",
        "Hello, the thing on the second floor is making a strange noise again. Regards",
    );
    let msp = SimMsp::seeded();
    let model = Arc::new(
        ScriptedModel::new()
            .call(
                "submit_triage",
                json!({ "intent": "printer_issue", "confidence": 0.7 }),
            )
            .text("ESCALATE: needs someone on site"),
    );
    let (report, audit) = run(&msp, MARIA, ODD, approving(&msp).model(model)).await;
    assert_eq!(report.intent, Intent::PrinterIssue);
    assert_eq!(report.confidence, 0.7);
    assert_eq!(report.outcome, TicketOutcome::Escalated);
    assert_eq!(
        report.escalation.as_deref(),
        Some("the model asked for a technician: needs someone on site")
    );
    assert!(
        audit
            .iter()
            .all(|r| !r.entry.reasoning.contains("fallback"))
    );
    let note = &msp.notes(&acme(), &report.ticket)[0].text;
    assert!(note.contains("(confidence 0.70, model)"), "{note}");

    // A confident rule classification never reaches the model: the password reset playbook
    // runs exactly as without a model.
    let msp = SimMsp::seeded();
    let model = Arc::new(ScriptedModel::new());
    let reset = (
        "Forgot my password",
        "Hi team, I forgot my password and can't sign in. Please reset it. Thanks",
    );
    let (report, _) = run(&msp, MARIA, reset, approving(&msp).model(model.clone())).await;
    assert_eq!(report.intent, Intent::PasswordReset);
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert!(model.requests().is_empty());
    assert_eq!(report.usage, None);
}
