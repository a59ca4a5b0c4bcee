//! The pending-approval registry, the in-memory gateway, and both through the policy gate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use msp_agent_core::audit::MemoryAuditSink;
use msp_agent_core::capability::*;
use msp_agent_core::domain::*;
use msp_agent_core::pipeline::{Act, PlannedCall, PolicyGate, StepMeta, StepStatus};
use msp_agent_core::policy::PolicyEngine;
use msp_agent_core::tool::{ToolContext, ToolRegistry};
use serde_json::json;

fn request(action: &str) -> ApprovalRequest {
    ApprovalRequest {
        tenant: TenantId::from("acme"),
        ticket: TicketId::from("T-1"),
        action: action.into(),
        change: json!({ "user": "u-1" }),
        reasoning: "locked out".into(),
    }
}

fn approved(who: &str) -> ApprovalDecision {
    ApprovalDecision::Approved {
        approver: who.into(),
    }
}

#[tokio::test]
async fn resolve_delivers_the_decision_once() {
    let reg = PendingApprovals::new();
    let pending = reg.register(request("unlock_account"));
    let id = pending.id().clone();
    assert_eq!(reg.get(&id), Some(request("unlock_account")));
    assert_eq!(reg.len(), 1);

    reg.resolve(&id, approved("alice")).unwrap();
    assert_eq!(pending.await.unwrap(), approved("alice"));
    assert!(reg.is_empty());

    // A second answer (a replayed callback) is refused and names the first.
    assert_eq!(
        reg.resolve(
            &id,
            ApprovalDecision::Rejected {
                approver: "mallory".into(),
                reason: None
            }
        ),
        Err(ResolveError::AlreadyDecided {
            decision: approved("alice")
        })
    );
    assert_eq!(
        reg.resolve(&ApprovalId::from("nope"), approved("x")),
        Err(ResolveError::Unknown)
    );
}

#[test]
fn ids_are_random_128_bit_hex() {
    let reg = PendingApprovals::new();
    let held: Vec<_> = (0..200).map(|_| reg.register(request("a"))).collect();
    let ids: HashSet<_> = held.iter().map(|p| p.id().to_string()).collect();
    assert_eq!(ids.len(), 200);
    for id in &ids {
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

#[tokio::test]
async fn dropping_the_waiter_withdraws_the_request() {
    let reg = PendingApprovals::new();
    let pending = reg.register(request("a"));
    let id = pending.id().clone();
    // A waiter cut off by a timeout, as the policy gate does.
    let waited = tokio::time::timeout(Duration::from_millis(20), pending).await;
    assert!(waited.is_err());
    assert!(reg.is_empty(), "entry leaked");
    assert!(reg.pending().is_empty());
    assert_eq!(
        reg.resolve(&id, approved("late")),
        Err(ResolveError::Expired)
    );
}

#[tokio::test]
async fn aborted_task_withdraws_the_request() {
    let gw = InMemoryApprovalGateway::new();
    let mut events = gw.subscribe();
    let task = tokio::spawn({
        let gw = gw.clone();
        async move { gw.request_approval(&request("a")).await }
    });
    let entry = events.recv().await.unwrap();
    assert_eq!(gw.pending().len(), 1);
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(gw.pending().is_empty());
    assert_eq!(gw.approve(&entry.id, "bob"), Err(ResolveError::Expired));
}

#[tokio::test]
async fn forgets_closed_ids_beyond_its_memory() {
    let reg = PendingApprovals::with_memory(2);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let p = reg.register(request("a"));
        ids.push(p.id().clone());
        reg.resolve(p.id(), approved("a")).unwrap();
    }
    assert_eq!(
        reg.resolve(&ids[0], approved("b")),
        Err(ResolveError::Unknown)
    );
    assert!(matches!(
        reg.resolve(&ids[2], approved("b")),
        Err(ResolveError::AlreadyDecided { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_only_one_wins() {
    for _ in 0..20 {
        let reg = PendingApprovals::new();
        let pending = reg.register(request("a"));
        let id = pending.id().clone();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (reg, id) = (reg.clone(), id.clone());
                tokio::spawn(async move { reg.resolve(&id, approved(&format!("u{i}"))) })
            })
            .collect();
        let mut winners = Vec::new();
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(()) => winners.push(format!("u{i}")),
                Err(ResolveError::AlreadyDecided { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(winners.len(), 1);
        assert_eq!(pending.await.unwrap(), approved(&winners[0]));
    }
}

#[tokio::test]
async fn in_memory_gateway_queues_and_decides() {
    let gw = InMemoryApprovalGateway::new();
    let waiter = tokio::spawn({
        let gw = gw.clone();
        async move { gw.request_approval(&request("unlock_account")).await }
    });
    let listed = loop {
        let p = gw.pending();
        if !p.is_empty() {
            break p;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].request, request("unlock_account"));
    gw.reject(&listed[0].id, "bob", Some("not today".into()))
        .unwrap();
    assert_eq!(
        waiter.await.unwrap().unwrap(),
        ApprovalDecision::Rejected {
            approver: "bob".into(),
            reason: Some("not today".into())
        }
    );
    assert_eq!(
        gw.approve(&listed[0].id, "carol"),
        Err(ResolveError::AlreadyDecided {
            decision: ApprovalDecision::Rejected {
                approver: "bob".into(),
                reason: Some("not today".into())
            }
        })
    );
}

// ---- through the policy gate ------------------------------------------------------

fn identity(expect_unlock: bool) -> MockIdentityProvider {
    let mut identity = MockIdentityProvider::new();
    identity.expect_get_user().returning(|t, id| {
        Ok(DirectoryUser {
            id: id.clone(),
            tenant: t.clone(),
            upn: "jo@acme.example".into(),
            display_name: "Jo".into(),
            mail: "jo@acme.example".into(),
            state: AccountState {
                enabled: true,
                locked: true,
                force_change_password: false,
                password_changed_at: None,
            },
            privileged: false,
            privilege_reason: None,
            manager: None,
        })
    });
    if expect_unlock {
        identity
            .expect_unlock_account()
            .times(1)
            .returning(|_, _| Ok(()));
    }
    identity
}

fn caps(identity: MockIdentityProvider) -> Capabilities {
    Capabilities {
        tickets: Arc::new(MockTicketSystem::new()),
        identity: Arc::new(identity),
        rmm: Arc::new(MockRmm::new()),
        docs: Arc::new(MockDocumentation::new()),
        delivery: Arc::new(MockSecretDelivery::new()),
    }
}

/// Run `unlock_account` through a gate using `gw`, answering with `answer` once asked.
async fn through_gate(
    gw: &InMemoryApprovalGateway,
    caps: Capabilities,
    timeout: Duration,
    answer: impl FnOnce(&InMemoryApprovalGateway, &ApprovalId) + Send + 'static,
) -> (msp_agent_core::pipeline::StepRecord, Arc<MemoryAuditSink>) {
    let audit = Arc::new(MemoryAuditSink::new());
    let gate = PolicyGate::new(
        Arc::new(PolicyEngine::builtin()),
        Arc::new(ToolRegistry::builtin()),
        audit.clone(),
    )
    .with_approvals(Arc::new(gw.clone()), timeout);
    let mut events = gw.subscribe();
    let answerer = tokio::spawn({
        let gw = gw.clone();
        async move {
            let entry = events.recv().await.unwrap();
            assert_eq!(entry.request.action, "unlock_account");
            assert_eq!(entry.request.change, json!({ "user": "u-1" }));
            assert_eq!(entry.request.reasoning, "jo is locked out");
            answer(&gw, &entry.id);
        }
    });
    let (tenant, ticket) = (TenantId::from("acme"), TicketId::from("T-1"));
    let cx = ToolContext::new(&tenant, &ticket, &caps);
    let meta = StepMeta {
        confidence: 0.99,
        reasoning: "jo is locked out",
        requester: None,
    };
    let call = PlannedCall::new("unlock_account", json!({ "user": "u-1" }), "unlock");
    let rec = gate.act(&cx, &call, meta).await;
    answerer.await.unwrap();
    (rec, audit)
}

#[tokio::test]
async fn gate_records_the_approver_and_runs() {
    let gw = InMemoryApprovalGateway::new();
    let (rec, audit) = through_gate(
        &gw,
        caps(identity(true)),
        Duration::from_secs(5),
        |gw, id| gw.approve(id, "alice@msp").unwrap(),
    )
    .await;
    assert_eq!(rec.status, StepStatus::Executed);
    assert_eq!(rec.approver.as_deref(), Some("alice@msp"));
    assert_eq!(audit.records()[0].entry.approver, "alice@msp");
}

#[tokio::test]
async fn gate_records_the_rejecter_and_runs_nothing() {
    let gw = InMemoryApprovalGateway::new();
    let (rec, audit) = through_gate(
        &gw,
        caps(identity(false)),
        Duration::from_secs(5),
        |gw, id| gw.reject(id, "bob@msp", None).unwrap(),
    )
    .await;
    assert_eq!(rec.status, StepStatus::Rejected);
    assert_eq!(rec.approver.as_deref(), Some("bob@msp"));
    assert_eq!(audit.records()[0].entry.approver, "bob@msp");
}

#[tokio::test]
async fn gate_timeout_withdraws_the_request() {
    let gw = InMemoryApprovalGateway::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (rec, _) = through_gate(
        &gw,
        caps(identity(false)),
        Duration::from_millis(30),
        move |_, id| tx.send(id.clone()).unwrap(),
    )
    .await;
    assert_eq!(rec.status, StepStatus::ApprovalTimedOut);
    assert!(gw.pending().is_empty(), "timed-out request leaked");
    let id = rx.await.unwrap();
    assert_eq!(gw.approve(&id, "late"), Err(ResolveError::Expired));
}
