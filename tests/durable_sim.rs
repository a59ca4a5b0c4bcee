//! Durable runs on the simulated MSP with the in-memory store: workers, crash at every step
//! boundary (simulated in process by a panicking boundary hook), parked approvals.
//! The same scenarios with a real SIGKILLed process and SQLite are in `msp-agent-store`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{acme, approving, assert_no_note_twice, ordinary_user};
use msp_agent::capability::ApprovalDecision;
use msp_agent::domain::{Intent, TicketId, TicketStatus};
use msp_agent::prelude::*;
use msp_agent::run::{
    Boundary, BoundaryPoint, MemoryRunStore, RunFilter, RunState, RunStore, Worker, WorkerConfig,
};

const RESET: (&str, &str) = (
    "Password reset",
    "Hi, I forgot my password and can't sign in. Can you reset it please? Thanks",
);

fn config(lease_ms: u64) -> WorkerConfig {
    WorkerConfig {
        id: "test".into(),
        concurrency: 4,
        lease: Duration::from_millis(lease_ms),
        poll: Duration::from_millis(5),
        park_after: Duration::from_millis(20),
    }
}

fn password_ticket(msp: &SimMsp) -> (TicketId, msp_agent::domain::DirectoryUser) {
    let user = ordinary_user(msp);
    let ticket = msp
        .add_ticket(&acme(), &user.mail, RESET.0, RESET.1, Intent::PasswordReset)
        .unwrap();
    (ticket, user)
}

/// Every side effect of a password-reset run happened at most once, and the run is done.
fn assert_once(msp: &SimMsp, ticket: &TicketId, user: &msp_agent::domain::DirectoryUser) {
    assert!(msp.password_resets(&acme(), &user.id) <= 1);
    assert!(msp.delivery_count(&acme(), &user.id, "password_reset") <= 1);
    assert_no_note_twice(msp, ticket, "durable run");
    assert!(msp.time_entries(&acme(), ticket).len() <= 1);
}

#[tokio::test]
async fn a_worker_gives_the_same_outcomes_as_the_in_memory_agent() {
    let plain = SimMsp::seeded();
    let agent = Agent::builder(plain.capabilities()).build();
    let expected: Vec<_> = agent
        .handle_many(plain.open_tickets(), 4)
        .await
        .into_iter()
        .map(|r| {
            let r = r.unwrap();
            (r.ticket, r.outcome)
        })
        .collect();

    let msp = SimMsp::seeded();
    let store = Arc::new(MemoryRunStore::new());
    for (tenant, ticket) in msp.open_tickets() {
        store.enqueue(&tenant, &ticket).await.unwrap();
    }
    let agent = Arc::new(Agent::builder(msp.capabilities()).build());
    let stats = Worker::new(agent, store.clone(), config(5_000))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!(stats.done, expected.len());
    assert_eq!(stats.per_tenant.values().sum::<usize>(), expected.len());
    let runs = store.runs(&RunFilter::default()).await.unwrap();
    for (ticket, outcome) in expected {
        let run = runs.iter().find(|r| r.ticket == ticket).unwrap();
        assert_eq!(run.state, RunState::Done);
        let want = format!("{outcome:?}").to_lowercase();
        assert!(
            run.outcome.as_deref().unwrap().starts_with(&want),
            "{run:?}"
        );
    }
}

/// Kill the run at boundary `k` (0-based, counting every journaled boundary), then let a
/// fresh worker resume it after the lease expired.
async fn crash_at(
    k: usize,
) -> Option<(SimMsp, TicketId, msp_agent::domain::DirectoryUser, String)> {
    let msp = SimMsp::seeded();
    let (ticket, user) = password_ticket(&msp);
    let store = Arc::new(MemoryRunStore::new());
    store.enqueue(&acme(), &ticket).await.unwrap();
    let agent = Arc::new(approving(&msp).build());

    let seen = Arc::new(AtomicUsize::new(0));
    let hook = {
        let seen = seen.clone();
        Arc::new(move |_: &Boundary<'_>| {
            if seen.fetch_add(1, Ordering::SeqCst) == k {
                panic!("injected crash");
            }
        })
    };
    let crashing = Worker::new(agent.clone(), store.clone(), config(40)).with_hook(hook);
    let crashed = tokio::spawn(async move { crashing.run_until_idle().await })
        .await
        .is_err();
    if !crashed {
        return None; // k is past the last boundary
    }
    tokio::time::sleep(Duration::from_millis(60)).await; // the dead worker's lease expires
    let stats = Worker::new(agent, store.clone(), config(5_000))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!(stats.done, 1, "boundary {k}: {stats:?}");
    let run = store.runs(&RunFilter::default()).await.unwrap().remove(0);
    assert_eq!(run.state, RunState::Done);
    assert_eq!(run.attempt, 2);
    Some((msp, ticket, user, run.outcome.unwrap()))
}

#[tokio::test]
async fn a_crash_at_any_step_boundary_never_repeats_a_side_effect() {
    let mut k = 0;
    while let Some((msp, ticket, user, outcome)) = crash_at(k).await {
        assert_once(&msp, &ticket, &user);
        // Every effect happened exactly once and the ticket was closed — except when the
        // crash fell between the password change and its journal record: the new password
        // went out, but whether it reached the user cannot be told, so a human is asked.
        assert_eq!(msp.password_resets(&acme(), &user.id), 1, "boundary {k}");
        assert_eq!(msp.delivery_count(&acme(), &user.id, "password_reset"), 1);
        assert_eq!(msp.time_entries(&acme(), &ticket).len(), 1, "boundary {k}");
        let status = msp.ticket(&acme(), &ticket).unwrap().status;
        if k == 1 {
            assert!(outcome.starts_with("escalated"), "boundary {k}: {outcome}");
            assert_eq!(status, TicketStatus::Escalated);
        } else {
            assert_eq!(outcome, "resolved", "boundary {k}");
            assert_eq!(status, TicketStatus::Closed, "boundary {k}");
        }
        k += 1;
    }
    // reset_password, note, category, time, status: three boundaries each.
    assert_eq!(k, 15);
}

#[tokio::test]
async fn an_approval_pending_at_a_crash_survives_and_resumes_when_answered() {
    let msp = SimMsp::seeded();
    let (ticket, user) = password_ticket(&msp);
    let store = Arc::new(MemoryRunStore::new());
    store.enqueue(&acme(), &ticket).await.unwrap();
    // The approval card goes to an in-process gateway nobody answers; answers reach the store.
    let build = || {
        Arc::new(
            Agent::builder(msp.capabilities())
                .approvals(
                    Arc::new(msp_agent::capability::InMemoryApprovalGateway::new()),
                    Duration::from_secs(600),
                )
                .build(),
        )
    };

    // First worker: the reset needs approval; nobody answers in time, so the run parks.
    let stats = Worker::new(build(), store.clone(), config(5_000))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!(stats.parked, 1);
    assert_eq!(msp.password_resets(&acme(), &user.id), 0);
    let pending = store.pending_approvals().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].request.action, "reset_password");
    assert_eq!(
        store.runs(&RunFilter::default()).await.unwrap()[0].state,
        RunState::AwaitingApproval
    );

    // "Restart": a new agent and worker. The answer re-queues the run.
    store
        .answer_approval(
            &pending[0].key,
            &ApprovalDecision::Approved {
                approver: "jane.tech".into(),
            },
        )
        .await
        .unwrap();
    let stats = Worker::new(build(), store.clone(), config(5_000))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!(stats.done, 1, "{stats:?}");
    assert_eq!(msp.password_resets(&acme(), &user.id), 1);
    let run = store.runs(&RunFilter::default()).await.unwrap().remove(0);
    assert_eq!(
        (run.state, run.outcome.as_deref()),
        (RunState::Done, Some("resolved"))
    );
    assert!(store.pending_approvals().await.unwrap().is_empty());
    assert_once(&msp, &ticket, &user);
}

#[tokio::test]
async fn boundaries_come_in_order_for_every_write() {
    let msp = SimMsp::seeded();
    let (ticket, _) = password_ticket(&msp);
    let store = Arc::new(MemoryRunStore::new());
    store.enqueue(&acme(), &ticket).await.unwrap();
    let points = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = {
        let points = points.clone();
        Arc::new(move |b: &Boundary<'_>| {
            points
                .lock()
                .unwrap()
                .push((b.seq, b.action.to_owned(), b.point));
        })
    };
    let agent = Arc::new(approving(&msp).build());
    Worker::new(agent, store.clone(), config(5_000))
        .with_hook(hook)
        .run_until_idle()
        .await
        .unwrap();
    let points = points.lock().unwrap().clone();
    let actions: Vec<&str> = points
        .iter()
        .filter(|p| p.2 == BoundaryPoint::Started)
        .map(|p| p.1.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "reset_password",
            "add_internal_note",
            "categorize_ticket",
            "log_time_entry",
            "update_ticket_status"
        ]
    );
    for chunk in points.chunks(3) {
        let kinds: Vec<_> = chunk.iter().map(|p| p.2).collect();
        assert_eq!(
            kinds,
            [
                BoundaryPoint::Started,
                BoundaryPoint::EffectDone,
                BoundaryPoint::Finished
            ]
        );
        assert!(chunk.iter().all(|p| p.0 == chunk[0].0));
    }
    // The five writes, and the plan journaled before them.
    let run = store.runs(&RunFilter::default()).await.unwrap().remove(0);
    let journal = store.steps(run.id).await.unwrap();
    assert_eq!(journal.len(), 6);
    assert!(
        journal
            .iter()
            .any(|e| e.action == "$plan" && e.record.is_some())
    );
}
