//! The run-store conformance suite against the in-memory reference store.

use msp_agent_core::run::MemoryRunStore;
use msp_agent_core::run::conformance::check_run_store;

#[tokio::test]
async fn memory_run_store_conforms() {
    let store = MemoryRunStore::new();
    let passed = check_run_store(&store)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(passed.len(), 8, "{passed:?}");
}
