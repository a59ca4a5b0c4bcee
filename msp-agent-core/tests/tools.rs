//! Tool-argument validation and the policy gate, with mocked capabilities.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use msp_agent_core::audit::MemoryAuditSink;
use msp_agent_core::capability::*;
use msp_agent_core::domain::*;
use msp_agent_core::pipeline::{Act, PlannedCall, PolicyGate, StepMeta, StepRecord, StepStatus};
use msp_agent_core::policy::{Outcome, PolicyEngine};
use msp_agent_core::tool::{ToolContext, ToolError, ToolRegistry};
use serde_json::json;

/// Mocks with no expectations: any call panics, so a passing test proves nothing ran.
fn untouchable() -> Capabilities {
    Capabilities {
        tickets: Arc::new(MockTicketSystem::new()),
        identity: Arc::new(MockIdentityProvider::new()),
        rmm: Arc::new(MockRmm::new()),
        docs: Arc::new(MockDocumentation::new()),
        delivery: Arc::new(MockSecretDelivery::new()),
    }
}

fn invalid(tool: &str, args: serde_json::Value) -> (String, String) {
    match ToolRegistry::builtin().validate(tool, &args).unwrap_err() {
        ToolError::InvalidArguments { path, reason, .. } => (path, reason),
        other => panic!("{other}"),
    }
}

#[test]
fn validation_errors_name_the_field() {
    let (path, reason) = invalid("reset_password", json!({ "user": 42 }));
    assert_eq!(path, "user");
    assert!(
        reason.contains("invalid type: integer `42`, expected a string"),
        "{reason}"
    );

    let (path, reason) = invalid("reset_password", json!({}));
    assert_eq!(path, ".");
    assert!(reason.contains("missing field `user`"), "{reason}");

    let (path, reason) = invalid("reset_password", json!({ "user": "u1", "admin": true }));
    assert_eq!(path, "admin");
    assert!(reason.contains("unknown field `admin`"), "{reason}");

    let (path, reason) = invalid("update_ticket_status", json!({ "status": "deleted" }));
    assert_eq!(path, "status");
    assert!(reason.contains("unknown variant `deleted`"), "{reason}");

    let (path, reason) = invalid(
        "grant_mailbox_access",
        json!({ "mailbox": "a@b", "user": "u", "permission": "owner" }),
    );
    assert_eq!(path, "permission");
    assert!(reason.contains("unknown variant `owner`"), "{reason}");

    let (path, _) = invalid(
        "log_time_entry",
        json!({ "minutes": "five", "billable": true, "notes": "x" }),
    );
    assert_eq!(path, "minutes");

    assert!(matches!(
        ToolRegistry::builtin().validate("format_disk", &json!({})),
        Err(ToolError::UnknownTool(name)) if name == "format_disk"
    ));
}

#[test]
fn every_tool_has_an_object_schema_and_a_description() {
    let tools = ToolRegistry::builtin();
    let specs = tools.specs();
    assert!(specs.len() >= 35);
    for spec in specs {
        assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
        assert!(!spec.description.is_empty(), "{}", spec.name);
        assert!(
            msp_agent_core::policy::builtin_action(&spec.name).is_some(),
            "{} is not a DESIGN action",
            spec.name
        );
    }
    let schema = tools.schema("reset_password").unwrap();
    assert_eq!(schema["required"], json!(["user"]));
    assert_eq!(schema["additionalProperties"], json!(false));
}

/// A policy gate over the given capabilities with an in-memory audit trail.
struct Harness {
    gate: PolicyGate,
    audit: Arc<MemoryAuditSink>,
    caps: Capabilities,
}

impl Harness {
    fn new(caps: Capabilities, policy: Arc<PolicyEngine>) -> Self {
        let audit = Arc::new(MemoryAuditSink::new());
        let gate = PolicyGate::new(policy, Arc::new(ToolRegistry::builtin()), audit.clone());
        Harness { gate, audit, caps }
    }

    async fn act(&self, tool: &str, args: serde_json::Value) -> StepRecord {
        let (tenant, ticket) = (TenantId::from("acme"), TicketId::from("T-1"));
        let cx = ToolContext::new(&tenant, &ticket, &self.caps);
        let meta = StepMeta {
            confidence: 1.0,
            reasoning: "test",
            requester: None,
        };
        self.gate
            .act(&cx, &PlannedCall::new(tool, args, "t"), meta)
            .await
    }
}

#[tokio::test]
async fn invalid_arguments_run_nothing_and_are_not_decided() {
    let h = Harness::new(untouchable(), Arc::new(PolicyEngine::builtin()));
    for args in [
        json!({ "user": 1 }),
        json!({}),
        json!({ "user": "u", "x": 1 }),
        json!("u"),
    ] {
        let rec = h.act("reset_password", args).await;
        assert_eq!(rec.status, StepStatus::Invalid);
        assert!(rec.decision.is_none());
        assert!(
            rec.error
                .unwrap()
                .contains("invalid arguments for `reset_password`")
        );
    }
    assert!(h.audit.records().is_empty());
}

#[tokio::test]
async fn escalated_and_halted_calls_never_touch_the_system() {
    let mut identity = MockIdentityProvider::new();
    // The privileged check may read the target; nothing may write.
    identity.expect_get_user().returning(|t, id| {
        Ok(DirectoryUser {
            id: id.clone(),
            tenant: t.clone(),
            upn: "ceo@acme.example".into(),
            display_name: "CEO".into(),
            mail: "ceo@acme.example".into(),
            state: AccountState {
                enabled: true,
                locked: false,
                force_change_password: false,
                password_changed_at: None,
            },
            privileged: true,
            privilege_reason: Some("VIP".into()),
            manager: None,
        })
    });
    let caps = Capabilities {
        identity: Arc::new(identity),
        ..untouchable()
    };
    let policy = Arc::new(PolicyEngine::builtin());
    let h = Harness::new(caps, policy.clone());

    let rec = h.act("reset_password", json!({ "user": "u-ceo" })).await;
    assert_eq!(rec.status, StepStatus::Escalated);
    assert_eq!(rec.decision.unwrap().outcome, Outcome::Escalate);

    policy.set_kill_switch(msp_agent_core::policy::Scope::Global, true);
    let rec = h.act("add_internal_note", json!({ "text": "hi" })).await;
    assert_eq!(rec.status, StepStatus::Halted);

    let records = h.audit.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].entry.outcome, Outcome::Escalate);
    assert_eq!(records[1].entry.outcome, Outcome::Halted);
    assert_eq!(records[1].prev_hash, records[0].hash);
}
