//! The PostgreSQL store, against the server named by `MSP_AGENT_TEST_POSTGRES_URL` (each
//! test in a fresh schema). Without it, each test prints a visible SKIPPED line and passes.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::PgSchema;
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::run::conformance;
use msp_agent_core::run::{RunState, StoreError};

macro_rules! conformance_tests {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(schema) = PgSchema::create(stringify!($name)).await else { return };
            let store = msp_agent_store::open(&schema.url).await.expect("open");
            conformance::$name(&*store).await.unwrap_or_else(|e| panic!("{e}"));
            drop(store);
            schema.drop_schema().await;
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
async fn whole_suite_in_one_schema() {
    let Some(schema) = PgSchema::create("whole").await else {
        return;
    };
    let store = msp_agent_store::open(&schema.url).await.expect("open");
    let passed = conformance::check_run_store(&*store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(passed.len(), 8);
    drop(store);
    schema.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_claim_disjoint_runs() {
    let Some(schema) = PgSchema::create("disjoint").await else {
        return;
    };
    let a = msp_agent_store::open(&schema.url).await.expect("open a");
    let b = msp_agent_store::open(&schema.url).await.expect("open b");
    common::disjoint_claims(a, b).await;
    schema.drop_schema().await;
}

#[tokio::test]
async fn postgresql_scheme_and_reopen() {
    let Some(schema) = PgSchema::create("reopen").await else {
        return;
    };
    let url = schema.url.replacen("postgres://", "postgresql://", 1);
    let tenant = TenantId::new("acme");
    let ticket = TicketId::new("T-1");
    let run = {
        let store = msp_agent_store::open(&url).await.expect("open");
        let run = store.enqueue(&tenant, &ticket).await.expect("enqueue");
        let claim = store
            .claim("w1", Duration::from_millis(50), 1)
            .await
            .expect("claim")
            .remove(0);
        store
            .step_started(&claim, 0, "disable_user", "fp-0")
            .await
            .expect("step_started");
        run
    };
    // Opening again runs the migrations again (a no-op) and sees the journal.
    let store = msp_agent_store::open(&url).await.expect("reopen");
    assert_eq!(store.run(run).await.expect("run").state, RunState::Running);
    let step = store.step(run, 0).await.expect("step").expect("step 0");
    assert!(step.record.is_none());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let claim = store
        .claim("w2", Duration::from_secs(30), 1)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!((claim.run, claim.attempt), (run, 2));
    assert!(matches!(
        store.requeue(run).await,
        Ok(()) | Err(StoreError::Conflict(_))
    ));
    drop(store);
    schema.drop_schema().await;
}
