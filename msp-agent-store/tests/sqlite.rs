//! The SQLite store: conformance suite, several handles on one file, durability.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::run::conformance;
use msp_agent_core::run::{RunState, RunStore, StoreError};
use msp_agent_store::SqliteRunStore;

fn temp_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("runs.db").display())
}

async fn fresh() -> (tempfile::TempDir, Arc<dyn RunStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = msp_agent_store::open(&temp_url(&dir)).await.expect("open");
    (dir, store)
}

macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let (_dir, store) = fresh().await;
            conformance::$name(&*store).await.unwrap_or_else(|e| panic!("{e}"));
        }
    )*};
}

conformance_tests!(
    check_enqueue,
    check_claim,
    check_fencing,
    check_fairness,
    check_journal,
    check_approvals,
    check_runs,
    check_requeue,
);

#[tokio::test]
async fn whole_suite_on_one_file() {
    let (_dir, store) = fresh().await;
    let passed = conformance::check_run_store(&*store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(passed.len(), 8);
}

#[tokio::test]
async fn whole_suite_in_memory() {
    let store = msp_agent_store::open("sqlite::memory:")
        .await
        .expect("open");
    conformance::check_run_store(&*store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn creates_missing_file_and_parent_relative_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let store = SqliteRunStore::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    store
        .enqueue(&"acme".into(), &"T-1".into())
        .await
        .expect("enqueue");
    assert!(path.exists());
    store.close().await;
}

#[tokio::test]
async fn unsupported_urls() {
    for url in ["mysql://localhost/db", "runs.db", "", "http://x"] {
        match msp_agent_store::open(url).await {
            Err(StoreError::UnsupportedUrl(u)) => assert_eq!(u, url),
            Err(e) => panic!("{url}: expected UnsupportedUrl, got {e}"),
            Ok(_) => panic!("{url}: expected UnsupportedUrl, got a store"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_file_claim_disjoint_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = temp_url(&dir);
    let a = msp_agent_store::open(&url).await.expect("open a");
    let b = msp_agent_store::open(&url).await.expect("open b");
    common::disjoint_claims(a, b).await;
}

#[tokio::test]
async fn journal_survives_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = temp_url(&dir);
    let tenant = TenantId::new("acme");
    let ticket = TicketId::new("T-1");
    let (run, first) = {
        let store = msp_agent_store::open(&url).await.expect("open");
        let run = store.enqueue(&tenant, &ticket).await.expect("enqueue");
        let claim = store
            .claim("w1", Duration::from_millis(50), 1)
            .await
            .expect("claim")
            .remove(0);
        store
            .step_started(&claim, 0, "add_note", "fp-0")
            .await
            .expect("step_started 0");
        store
            .step_finished(&claim, 0, &serde_json::json!({"ok": true}))
            .await
            .expect("step_finished 0");
        store
            .step_started(&claim, 1, "disable_user", "fp-1")
            .await
            .expect("step_started 1");
        // The process dies here: no finish, no close.
        drop(store);
        (run, claim)
    };

    let store = msp_agent_store::open(&url).await.expect("reopen");
    let s = store.run(run).await.expect("run");
    assert_eq!(s.state, RunState::Running);
    assert_eq!(s.attempt, 1);
    assert_eq!(s.worker.as_deref(), Some("w1"));
    let steps = store.steps(run).await.expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].record, Some(serde_json::json!({"ok": true})));
    // Step 1 started and never finished: interrupted, to be reconciled on resume.
    assert_eq!(steps[1].action, "disable_user");
    assert_eq!(steps[1].fingerprint, "fp-1");
    assert!(steps[1].record.is_none());
    assert_eq!(
        store.enqueue(&tenant, &ticket).await.expect("enqueue"),
        run,
        "the interrupted run is still open"
    );

    // Once the dead worker's lease expires, another claims the run and sees the journal.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let claim = store
        .claim("w2", Duration::from_secs(30), 1)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(claim.run, run);
    assert_eq!(claim.attempt, 2);
    let interrupted = store.step(run, 1).await.expect("step").expect("step 1");
    assert!(interrupted.record.is_none());
    assert!(matches!(
        store.step_finished(&first, 1, &serde_json::json!({})).await,
        Err(StoreError::LeaseLost { .. })
    ));
    store
        .step_finished(&claim, 1, &serde_json::json!({"reconciled": true}))
        .await
        .expect("step_finished by the new claim");
    store
        .finish(&claim, RunState::Done, "resumed")
        .await
        .expect("finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_open_of_one_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = temp_url(&dir);
    let (a, b, c) = tokio::join!(
        msp_agent_store::open(&url),
        msp_agent_store::open(&url),
        msp_agent_store::open(&url)
    );
    let (a, b, c) = (a.expect("open a"), b.expect("open b"), c.expect("open c"));
    let run = a
        .enqueue(&"acme".into(), &"T-1".into())
        .await
        .expect("enqueue");
    assert_eq!(b.run(run).await.expect("run").id, run);
    assert_eq!(
        c.enqueue(&"acme".into(), &"T-1".into())
            .await
            .expect("enqueue"),
        run
    );
}
