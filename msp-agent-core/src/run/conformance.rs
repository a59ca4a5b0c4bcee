//! Conformance checks for [`RunStore`](super::RunStore) implementations (feature `test-utils`).
//!
//! Every store — [`MemoryRunStore`](super::MemoryRunStore), SQLite, PostgreSQL — must honour
//! the semantics the [`Worker`](super::Worker) relies on: idempotent enqueue, claims under
//! leases fenced by `attempt`, claims interleaved across tenants, a step journal that round
//! trips, approvals that survive restarts and re-queue the run they parked, and operator
//! requeue.
//!
//! ```
//! # async fn demo() {
//! use msp_agent_core::run::MemoryRunStore;
//! use msp_agent_core::run::conformance::check_run_store;
//!
//! let store = MemoryRunStore::new();
//! let passed = check_run_store(&store).await.unwrap();
//! assert!(passed.contains(&"fencing"));
//! # }
//! ```
//!
//! The store under test must be empty and used by nobody else while a check runs: claims
//! are not scoped to a tenant, so a foreign queued run would be claimed by the checks. Each
//! check leaves no claimable run behind (every run it creates ends final or parked on an
//! unanswered approval), so the checks can run one after another on the same store. The
//! lease checks use leases of [`SHORT_LEASE`] and sleep a few times that long.

use std::time::Duration;

use serde_json::json;

use super::store::{
    ApprovalState, Claim, RunFilter, RunId, RunState, RunStore, StoreError, StoreResult,
};
use crate::capability::{ApprovalDecision, ApprovalRequest};
pub use crate::conformance::ConformanceFailure;
use crate::domain::{TenantId, TicketId};

/// The lease of the lease-expiry checks.
pub const SHORT_LEASE: Duration = Duration::from_millis(50);
/// How long the lease-expiry checks sleep for a [`SHORT_LEASE`] to expire.
pub const EXPIRY_WAIT: Duration = Duration::from_millis(150);
/// The lease of claims that must not expire during a check.
pub const LONG_LEASE: Duration = Duration::from_secs(60);

fn fail(check: &'static str, detail: impl Into<String>) -> ConformanceFailure {
    ConformanceFailure {
        check,
        detail: detail.into(),
    }
}

/// The value of a call that must succeed.
fn ok<T>(check: &'static str, what: &str, result: StoreResult<T>) -> Result<T, ConformanceFailure> {
    result.map_err(|e| fail(check, format!("{what}: expected success, got error: {e}")))
}

/// A condition that must hold.
fn ensure(
    check: &'static str,
    cond: bool,
    detail: impl FnOnce() -> String,
) -> Result<(), ConformanceFailure> {
    if cond {
        Ok(())
    } else {
        Err(fail(check, detail()))
    }
}

/// A call that must fail with [`StoreError::LeaseLost`] for `claim`.
fn lease_lost<T: std::fmt::Debug>(
    check: &'static str,
    what: &str,
    claim: &Claim,
    result: StoreResult<T>,
) -> Result<(), ConformanceFailure> {
    match result {
        Err(StoreError::LeaseLost { run, attempt })
            if run == claim.run && attempt == claim.attempt =>
        {
            Ok(())
        }
        Err(e) => Err(fail(
            check,
            format!(
                "{what}: expected LeaseLost(run {}, attempt {}), got error: {e}",
                claim.run, claim.attempt
            ),
        )),
        Ok(v) => Err(fail(
            check,
            format!("{what}: expected LeaseLost, got Ok({v:?})"),
        )),
    }
}

/// A call that must fail with an error accepted by `accept`.
fn err<T: std::fmt::Debug>(
    check: &'static str,
    what: &str,
    expected: &str,
    result: StoreResult<T>,
    accept: impl Fn(&StoreError) -> bool,
) -> Result<(), ConformanceFailure> {
    match result {
        Err(e) if accept(&e) => Ok(()),
        Err(e) => Err(fail(
            check,
            format!("{what}: expected {expected}, got error: {e}"),
        )),
        Ok(v) => Err(fail(
            check,
            format!("{what}: expected {expected}, got Ok({v:?})"),
        )),
    }
}

fn tenant(check: &str, name: &str) -> TenantId {
    TenantId::new(format!("conformance-{check}-{name}"))
}

fn approval_request(tenant: &TenantId, ticket: &TicketId) -> ApprovalRequest {
    ApprovalRequest {
        tenant: tenant.clone(),
        ticket: ticket.clone(),
        action: "disable_user".into(),
        change: json!({"upn": "alice@acme.example", "nested": {"list": [1, 2, 3]}}),
        reasoning: "conformance: the account is compromised".into(),
    }
}

fn approved(approver: &str) -> ApprovalDecision {
    ApprovalDecision::Approved {
        approver: approver.into(),
    }
}

/// Claim exactly the runs `expected` (in any order), with one worker.
async fn claim_exactly(
    check: &'static str,
    store: &dyn RunStore,
    worker: &str,
    lease: Duration,
    expected: &[RunId],
) -> Result<Vec<Claim>, ConformanceFailure> {
    let claims = ok(
        check,
        "claim",
        store.claim(worker, lease, expected.len() + 10).await,
    )?;
    let mut got: Vec<RunId> = claims.iter().map(|c| c.run).collect();
    got.sort();
    let mut want = expected.to_vec();
    want.sort();
    ensure(check, got == want, || {
        format!("claim: expected runs {want:?}, got {got:?}")
    })?;
    Ok(claims)
}

/// Claim whatever is claimable and finish it `Done`, so the next check starts clean.
async fn drain(check: &'static str, store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    loop {
        let claims = ok(
            check,
            "drain: claim",
            store.claim("conformance-drain", LONG_LEASE, 100).await,
        )?;
        if claims.is_empty() {
            return Ok(());
        }
        for c in &claims {
            ok(
                check,
                "drain: finish",
                store.finish(c, RunState::Done, "drained").await,
            )?;
        }
    }
}

/// Enqueue: a new run is queued (attempt 0, no worker); enqueueing the same ticket again
/// while the run is not final returns the same id; another ticket gets another run; once
/// the run is final, the ticket can be queued again as a new run. Unknown runs are
/// [`StoreError::NotFound`].
pub async fn check_enqueue(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "enqueue";
    let t = tenant(C, "a");
    let other = tenant(C, "b");
    let ticket = TicketId::new("T-1");
    let a = ok(C, "enqueue", store.enqueue(&t, &ticket).await)?;
    let s = ok(C, "run", store.run(a).await)?;
    ensure(C, s.id == a && s.tenant == t && s.ticket == ticket, || {
        format!("run {a}: wrong identity {s:?}")
    })?;
    ensure(C, s.state == RunState::Queued, || {
        format!("new run: expected queued, got {:?}", s.state)
    })?;
    ensure(
        C,
        s.attempt == 0 && s.worker.is_none() && s.outcome.is_none(),
        || format!("new run: expected attempt 0, no worker, no outcome, got {s:?}"),
    )?;
    ensure(C, s.created_at <= s.updated_at, || {
        format!("new run: created_at after updated_at: {s:?}")
    })?;

    let again = ok(C, "enqueue again", store.enqueue(&t, &ticket).await)?;
    ensure(C, again == a, || {
        format!("enqueue of a queued ticket: expected run {a}, got new run {again}")
    })?;
    let b = ok(
        C,
        "enqueue T-2",
        store.enqueue(&t, &TicketId::new("T-2")).await,
    )?;
    ensure(C, b != a, || format!("another ticket got the same run {a}"))?;
    let c = ok(
        C,
        "enqueue other tenant",
        store.enqueue(&other, &ticket).await,
    )?;
    ensure(C, c != a && c != b, || {
        format!("the same ticket id of another tenant got run {c}")
    })?;
    ensure(C, b > a && c > b, || {
        format!("run ids must grow with enqueue order: {a}, {b}, {c}")
    })?;

    // Still idempotent while running.
    let claims = claim_exactly(C, store, "w1", LONG_LEASE, &[a, b, c]).await?;
    let again = ok(C, "enqueue while running", store.enqueue(&t, &ticket).await)?;
    ensure(C, again == a, || {
        format!("enqueue of a running ticket: expected run {a}, got {again}")
    })?;
    for claim in &claims {
        ok(
            C,
            "finish",
            store.finish(claim, RunState::Done, "done").await,
        )?;
    }
    let fresh = ok(C, "enqueue after done", store.enqueue(&t, &ticket).await)?;
    ensure(C, fresh != a, || {
        format!("enqueue of a finished ticket must queue a new run, got the old run {a}")
    })?;
    let s = ok(C, "run", store.run(fresh).await)?;
    ensure(C, s.state == RunState::Queued && s.attempt == 0, || {
        format!("new run after done: expected queued attempt 0, got {s:?}")
    })?;

    err(
        C,
        "run(unknown)",
        "NotFound",
        store.run(RunId(i64::MAX - 7)).await,
        |e| matches!(e, StoreError::NotFound(_)),
    )?;
    drain(C, store).await
}

/// Claim: a claim carries the run's tenant, ticket and attempt 1; the run is running under
/// the worker; `max` bounds the claim; claimed runs with a live lease are not claimed again;
/// `max` 0 claims nothing; a run given back (`finish(Queued)`) is claimed again with the
/// next attempt.
pub async fn check_claim(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "claim";
    let t = tenant(C, "a");
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(ok(
            C,
            "enqueue",
            store.enqueue(&t, &TicketId::new(format!("T-{i}"))).await,
        )?);
    }
    let none = ok(C, "claim max 0", store.claim("w1", LONG_LEASE, 0).await)?;
    ensure(C, none.is_empty(), || {
        format!("claim max 0 returned {none:?}")
    })?;

    let first = ok(C, "claim 2", store.claim("w1", LONG_LEASE, 2).await)?;
    ensure(C, first.len() == 2, || {
        format!("claim of 2 with 3 queued: got {} claims", first.len())
    })?;
    let got: Vec<RunId> = first.iter().map(|c| c.run).collect();
    ensure(C, got.contains(&ids[0]) && got.contains(&ids[1]), || {
        format!(
            "claim must take the oldest runs {:?} first, got {got:?}",
            &ids[..2]
        )
    })?;
    for c in &first {
        ensure(C, c.attempt == 1 && c.tenant == t, || {
            format!("first claim: expected attempt 1 of tenant {t}, got {c:?}")
        })?;
        let s = ok(C, "run", store.run(c.run).await)?;
        ensure(C, s.ticket == c.ticket, || {
            format!("claim ticket {c:?} vs run {s:?}")
        })?;
        ensure(
            C,
            s.state == RunState::Running && s.attempt == 1 && s.worker.as_deref() == Some("w1"),
            || format!("claimed run: expected running, attempt 1, worker w1, got {s:?}"),
        )?;
    }
    let rest = claim_exactly(C, store, "w2", LONG_LEASE, &[ids[2]]).await?;
    let nothing = ok(
        C,
        "claim with all leased",
        store.claim("w3", LONG_LEASE, 10).await,
    )?;
    ensure(C, nothing.is_empty(), || {
        format!("runs with a live lease were claimed again: {nothing:?}")
    })?;

    // Given back: claimable again, next attempt.
    ok(
        C,
        "finish queued",
        store.finish(&rest[0], RunState::Queued, "shutdown").await,
    )?;
    let s = ok(C, "run", store.run(ids[2]).await)?;
    ensure(C, s.state == RunState::Queued, || {
        format!("finish(Queued): expected queued, got {:?}", s.state)
    })?;
    let again = claim_exactly(C, store, "w3", LONG_LEASE, &[ids[2]]).await?;
    ensure(C, again[0].attempt == 2, || {
        format!("second claim: expected attempt 2, got {}", again[0].attempt)
    })?;
    lease_lost(
        C,
        "heartbeat of a given-back claim",
        &rest[0],
        store.heartbeat(&rest[0], LONG_LEASE).await,
    )?;
    for c in first.iter().chain(&again) {
        ok(C, "finish", store.finish(c, RunState::Done, "ok").await)?;
    }
    drain(C, store).await
}

/// Leases and fencing: a heartbeat keeps a short lease alive; once a lease expires another
/// worker claims the run with the next attempt, and every write of the old claim
/// (`heartbeat`, `step_started`, `step_finished`, `request_approval`, `finish`) fails with
/// [`StoreError::LeaseLost`] while the new claim's writes succeed. A finished claim is
/// fenced too.
pub async fn check_fencing(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "fencing";
    let t = tenant(C, "a");
    let ticket = TicketId::new("T-1");
    let run = ok(C, "enqueue", store.enqueue(&t, &ticket).await)?;

    // A heartbeat extends the lease past its first expiry.
    let old = claim_exactly(C, store, "w1", SHORT_LEASE, &[run])
        .await?
        .remove(0);
    ok(C, "heartbeat", store.heartbeat(&old, LONG_LEASE).await)?;
    tokio::time::sleep(EXPIRY_WAIT).await;
    let none = ok(
        C,
        "claim after heartbeat",
        store.claim("w2", SHORT_LEASE, 10).await,
    )?;
    ensure(C, none.is_empty(), || {
        format!("a run whose lease was extended by a heartbeat was claimed: {none:?}")
    })?;
    ok(
        C,
        "step_started (old, live)",
        store.step_started(&old, 0, "add_note", "fp-0").await,
    )?;
    ok(
        C,
        "step_finished (old, live)",
        store.step_finished(&old, 0, &json!({"ok": 0})).await,
    )?;
    ok(
        C,
        "step_started (old, live)",
        store.step_started(&old, 1, "disable_user", "fp-1").await,
    )?;
    // Let it expire.
    ok(
        C,
        "heartbeat short",
        store.heartbeat(&old, SHORT_LEASE).await,
    )?;
    tokio::time::sleep(EXPIRY_WAIT).await;

    let new = claim_exactly(C, store, "w2", LONG_LEASE, &[run])
        .await?
        .remove(0);
    ensure(C, new.attempt == old.attempt + 1, || {
        format!(
            "re-claim after expiry: expected attempt {}, got {}",
            old.attempt + 1,
            new.attempt
        )
    })?;
    ensure(C, new.tenant == t && new.ticket == ticket, || {
        format!("re-claim: {new:?}")
    })?;
    let s = ok(C, "run", store.run(run).await)?;
    ensure(
        C,
        s.state == RunState::Running
            && s.attempt == new.attempt
            && s.worker.as_deref() == Some("w2"),
        || {
            format!(
                "re-claimed run: expected running attempt {} by w2, got {s:?}",
                new.attempt
            )
        },
    )?;

    lease_lost(
        C,
        "old heartbeat",
        &old,
        store.heartbeat(&old, LONG_LEASE).await,
    )?;
    lease_lost(
        C,
        "old step_started",
        &old,
        store.step_started(&old, 2, "x", "fp-x").await,
    )?;
    lease_lost(
        C,
        "old step_finished",
        &old,
        store.step_finished(&old, 1, &json!({"late": true})).await,
    )?;
    let req = approval_request(&t, &ticket);
    let key = format!("{}-stale", run);
    lease_lost(
        C,
        "old request_approval",
        &old,
        store.request_approval(&old, &key, &req).await,
    )?;
    lease_lost(
        C,
        "old finish",
        &old,
        store.finish(&old, RunState::Done, "stale").await,
    )?;

    // Nothing the old claim tried landed.
    let steps = ok(C, "steps", store.steps(run).await)?;
    ensure(C, steps.len() == 2, || {
        format!("journal after fenced writes: expected steps 0 and 1, got {steps:?}")
    })?;
    ensure(C, steps[1].record.is_none(), || {
        format!("a fenced step_finished landed: {:?}", steps[1])
    })?;
    let pending = ok(C, "pending_approvals", store.pending_approvals().await)?;
    ensure(C, pending.iter().all(|a| a.key != key), || {
        "a fenced request_approval was recorded".to_owned()
    })?;
    let s = ok(C, "run", store.run(run).await)?;
    ensure(C, s.state == RunState::Running, || {
        format!("a fenced finish changed the run: {s:?}")
    })?;

    // The new claim works, then is fenced once finished.
    ok(C, "new heartbeat", store.heartbeat(&new, LONG_LEASE).await)?;
    ok(
        C,
        "new step_started",
        store.step_started(&new, 1, "disable_user", "fp-1").await,
    )?;
    ok(
        C,
        "new step_finished",
        store.step_finished(&new, 1, &json!({"ok": 1})).await,
    )?;
    ok(
        C,
        "new finish",
        store.finish(&new, RunState::Done, "resolved").await,
    )?;
    lease_lost(
        C,
        "heartbeat after finish",
        &new,
        store.heartbeat(&new, LONG_LEASE).await,
    )?;
    lease_lost(
        C,
        "step_started after finish",
        &new,
        store.step_started(&new, 2, "x", "fp").await,
    )?;
    lease_lost(
        C,
        "finish after finish",
        &new,
        store.finish(&new, RunState::Failed, "again").await,
    )?;
    let s = ok(C, "run", store.run(run).await)?;
    ensure(
        C,
        s.state == RunState::Done && s.outcome.as_deref() == Some("resolved"),
        || format!("finished run: expected done / resolved, got {s:?}"),
    )?;
    drain(C, store).await
}

/// Fairness: with tenant A holding 50 queued runs (queued first) and tenant B 2, a claim of
/// 4 takes B's first run among the first two claims and both of B's runs, and A's runs
/// oldest first.
pub async fn check_fairness(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "fairness";
    let a = tenant(C, "a");
    let b = tenant(C, "b");
    let mut a_runs = Vec::new();
    for i in 0..50 {
        a_runs.push(ok(
            C,
            "enqueue A",
            store.enqueue(&a, &TicketId::new(format!("A-{i}"))).await,
        )?);
    }
    let mut b_runs = Vec::new();
    for i in 0..2 {
        b_runs.push(ok(
            C,
            "enqueue B",
            store.enqueue(&b, &TicketId::new(format!("B-{i}"))).await,
        )?);
    }
    let claims = ok(C, "claim 4", store.claim("w1", LONG_LEASE, 4).await)?;
    let got: Vec<RunId> = claims.iter().map(|c| c.run).collect();
    ensure(C, claims.len() == 4, || format!("claim 4: got {got:?}"))?;
    ensure(C, got[..2].contains(&b_runs[0]), || {
        format!(
            "tenant B's first run {} not among the first two claims {got:?}",
            b_runs[0]
        )
    })?;
    ensure(C, got.contains(&b_runs[1]), || {
        format!("tenant B's second run {} not claimed: {got:?}", b_runs[1])
    })?;
    let mut a_got: Vec<RunId> = got.iter().copied().filter(|r| a_runs.contains(r)).collect();
    a_got.sort();
    ensure(C, a_got == a_runs[..2], || {
        format!(
            "tenant A's claims must be its two oldest {:?}, got {a_got:?}",
            &a_runs[..2]
        )
    })?;
    for c in &claims {
        ok(C, "finish", store.finish(c, RunState::Done, "ok").await)?;
    }
    drain(C, store).await
}

/// Journal: no entry before a step starts; `step_started` records action, fingerprint and
/// time without a record; a restarted unfinished step is replaced; `step_finished` stores
/// the record (JSON round trip); a finished step cannot be started again
/// ([`StoreError::Conflict`]); finishing a step never started is
/// [`StoreError::NotFound`]; `steps` lists in step order; the journal survives a re-claim.
pub async fn check_journal(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "journal";
    let t = tenant(C, "a");
    let run = ok(C, "enqueue", store.enqueue(&t, &TicketId::new("T-1")).await)?;
    let claim = claim_exactly(C, store, "w1", LONG_LEASE, &[run])
        .await?
        .remove(0);

    let none = ok(C, "step before start", store.step(run, 0).await)?;
    ensure(C, none.is_none(), || {
        format!("step 0 before it started: {none:?}")
    })?;
    let empty = ok(C, "steps before start", store.steps(run).await)?;
    ensure(C, empty.is_empty(), || {
        format!("journal before any step: {empty:?}")
    })?;

    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    // Out of order on purpose: `steps` sorts by seq.
    ok(
        C,
        "step_started 1",
        store
            .step_started(&claim, 1, "reset_password", "fp-1")
            .await,
    )?;
    ok(
        C,
        "step_started 0",
        store.step_started(&claim, 0, "add_note", "fp-0").await,
    )?;
    let e = ok(C, "step 0", store.step(run, 0).await)?
        .ok_or_else(|| fail(C, "step 0 missing after step_started"))?;
    ensure(
        C,
        e.seq == 0 && e.action == "add_note" && e.fingerprint == "fp-0" && e.record.is_none(),
        || format!("started step 0: {e:?}"),
    )?;
    ensure(
        C,
        e.started_at >= before && e.started_at <= chrono::Utc::now() + chrono::Duration::seconds(5),
        || format!("started_at not now: {}", e.started_at),
    )?;

    // An unfinished step started again is replaced.
    ok(
        C,
        "step_started 1 again",
        store
            .step_started(&claim, 1, "reset_password", "fp-1b")
            .await,
    )?;
    let e1 = ok(C, "step 1", store.step(run, 1).await)?.ok_or_else(|| fail(C, "step 1 missing"))?;
    ensure(C, e1.fingerprint == "fp-1b" && e1.record.is_none(), || {
        format!("restarted unfinished step 1 must be replaced: {e1:?}")
    })?;

    let record = json!({
        "action": "add_note",
        "outcome": {"kind": "executed", "ids": [1, 2, 3]},
        "text": "ünïcödé \"quoted\" \n newline",
        "n": 1.5,
        "none": null,
        "flag": true,
    });
    ok(
        C,
        "step_finished 0",
        store.step_finished(&claim, 0, &record).await,
    )?;
    let e = ok(C, "step 0", store.step(run, 0).await)?.ok_or_else(|| fail(C, "step 0 missing"))?;
    ensure(C, e.record.as_ref() == Some(&record), || {
        format!("record round trip: stored {record}, read {:?}", e.record)
    })?;
    ensure(C, e.action == "add_note" && e.fingerprint == "fp-0", || {
        format!("step_finished changed the entry: {e:?}")
    })?;
    err(
        C,
        "step_started of a finished step",
        "Conflict",
        store.step_started(&claim, 0, "add_note", "fp-0").await,
        |e| matches!(e, StoreError::Conflict(_)),
    )?;
    err(
        C,
        "step_finished of a step never started",
        "NotFound",
        store.step_finished(&claim, 7, &record).await,
        |e| matches!(e, StoreError::NotFound(_)),
    )?;

    let steps = ok(C, "steps", store.steps(run).await)?;
    let seqs: Vec<u32> = steps.iter().map(|e| e.seq).collect();
    ensure(C, seqs == [0, 1], || {
        format!("steps: expected seq [0, 1], got {seqs:?}")
    })?;
    ensure(
        C,
        steps[0].record.as_ref() == Some(&record) && steps[1].record.is_none(),
        || format!("steps content: {steps:?}"),
    )?;
    let other = ok(
        C,
        "steps of a run without journal",
        store.steps(RunId(i64::MAX - 7)).await,
    )?;
    ensure(C, other.is_empty(), || {
        format!("journal of an unknown run: {other:?}")
    })?;

    // The journal is kept across a give-back and re-claim; the new claim finishes step 1.
    ok(
        C,
        "finish queued",
        store.finish(&claim, RunState::Queued, "shutdown").await,
    )?;
    let claim2 = claim_exactly(C, store, "w2", LONG_LEASE, &[run])
        .await?
        .remove(0);
    let kept = ok(C, "steps after re-claim", store.steps(run).await)?;
    ensure(C, kept == steps, || {
        format!("journal changed across re-claim: {kept:?}")
    })?;
    ok(
        C,
        "step_finished 1",
        store.step_finished(&claim2, 1, &json!({"ok": 1})).await,
    )?;
    ok(
        C,
        "finish",
        store.finish(&claim2, RunState::Done, "ok").await,
    )?;
    let done = ok(C, "steps after done", store.steps(run).await)?;
    ensure(
        C,
        done.len() == 2 && done.iter().all(|e| e.record.is_some()),
        || format!("journal after done: {done:?}"),
    )?;
    drain(C, store).await
}

/// Approvals: the first request is [`ApprovalState::New`] and pending (listed oldest first
/// with its run and request); asking again is `Pending` with the first request time; a run
/// parked on it (`finish(AwaitingApproval)`) is not claimable; the answer re-queues it and
/// removes it from the pending list; the re-claim sees `Answered`; answering twice keeps the
/// first answer; answering an unknown key is [`StoreError::NotFound`]; an approval answered
/// while its run is still working re-queues the run as soon as it parks.
pub async fn check_approvals(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "approvals";
    let t = tenant(C, "a");
    let t1 = TicketId::new("T-1");
    let t2 = TicketId::new("T-2");
    let r1 = ok(C, "enqueue", store.enqueue(&t, &t1).await)?;
    let claim = claim_exactly(C, store, "w1", LONG_LEASE, &[r1])
        .await?
        .remove(0);
    let req = approval_request(&t, &t1);
    let key = format!("{}/{}/0", t, t1);

    let state = ok(
        C,
        "request_approval",
        store.request_approval(&claim, &key, &req).await,
    )?;
    ensure(C, state == ApprovalState::New, || {
        format!("first request: expected New, got {state:?}")
    })?;
    let state = ok(
        C,
        "request_approval again",
        store.request_approval(&claim, &key, &req).await,
    )?;
    let requested_at = match state {
        ApprovalState::Pending { requested_at } => requested_at,
        other => {
            return Err(fail(
                C,
                format!("second request: expected Pending, got {other:?}"),
            ));
        }
    };
    let pending = ok(C, "pending_approvals", store.pending_approvals().await)?;
    let mine: Vec<_> = pending.iter().filter(|a| a.key == key).collect();
    ensure(C, mine.len() == 1, || {
        format!("pending approvals: expected one `{key}`, got {pending:?}")
    })?;
    let a = mine[0];
    ensure(
        C,
        a.run == r1 && a.request == req && a.decision.is_none(),
        || format!("pending approval: expected run {r1} and the request asked, got {a:?}"),
    )?;
    ensure(C, a.requested_at == requested_at, || {
        format!(
            "requested_at: pending list {} vs Pending {}",
            a.requested_at, requested_at
        )
    })?;

    // Parked: not claimable until answered.
    ok(
        C,
        "finish awaiting",
        store
            .finish(&claim, RunState::AwaitingApproval, "awaiting approval")
            .await,
    )?;
    let s = ok(C, "run", store.run(r1).await)?;
    ensure(C, s.state == RunState::AwaitingApproval, || {
        format!("parked run: {s:?}")
    })?;
    lease_lost(
        C,
        "heartbeat of a parked claim",
        &claim,
        store.heartbeat(&claim, LONG_LEASE).await,
    )?;
    let none = ok(C, "claim parked", store.claim("w2", LONG_LEASE, 10).await)?;
    ensure(C, none.is_empty(), || {
        format!("a parked run was claimed: {none:?}")
    })?;
    let parked = ok(
        C,
        "runs(awaiting)",
        store
            .runs(&RunFilter {
                tenant: Some(t.clone()),
                state: Some(RunState::AwaitingApproval),
                limit: None,
            })
            .await,
    )?;
    ensure(C, parked.len() == 1 && parked[0].id == r1, || {
        format!("runs(awaiting): {parked:?}")
    })?;

    let first = approved("alice");
    ok(C, "answer", store.answer_approval(&key, &first).await)?;
    let s = ok(C, "run", store.run(r1).await)?;
    ensure(C, s.state == RunState::Queued, || {
        format!(
            "answered approval must re-queue the parked run, got {:?}",
            s.state
        )
    })?;
    let pending = ok(C, "pending_approvals", store.pending_approvals().await)?;
    ensure(C, pending.iter().all(|a| a.key != key), || {
        format!("answered approval still pending: {pending:?}")
    })?;
    let second = ApprovalDecision::Rejected {
        approver: "bob".into(),
        reason: Some("no".into()),
    };
    ok(
        C,
        "answer twice",
        store.answer_approval(&key, &second).await,
    )?;

    let claim2 = claim_exactly(C, store, "w2", LONG_LEASE, &[r1])
        .await?
        .remove(0);
    ensure(C, claim2.attempt == claim.attempt + 1, || {
        format!("re-claim after answer: {claim2:?}")
    })?;
    let state = ok(
        C,
        "request_approval after answer",
        store.request_approval(&claim2, &key, &req).await,
    )?;
    ensure(C, state == ApprovalState::Answered(first.clone()), || {
        format!("after two answers: expected the first {first:?}, got {state:?}")
    })?;
    ok(
        C,
        "finish",
        store.finish(&claim2, RunState::Done, "ok").await,
    )?;
    err(
        C,
        "answer unknown",
        "NotFound",
        store
            .answer_approval("conformance/no-such-key", &first)
            .await,
        |e| matches!(e, StoreError::NotFound(_)),
    )?;

    // Answered while the run still works: parking re-queues at once.
    let r2 = ok(C, "enqueue", store.enqueue(&t, &t2).await)?;
    let c2 = claim_exactly(C, store, "w1", LONG_LEASE, &[r2])
        .await?
        .remove(0);
    let key2 = format!("{}/{}/0", t, t2);
    let state = ok(
        C,
        "request_approval",
        store
            .request_approval(&c2, &key2, &approval_request(&t, &t2))
            .await,
    )?;
    ensure(C, state == ApprovalState::New, || {
        format!("first request: {state:?}")
    })?;
    ok(
        C,
        "answer early",
        store.answer_approval(&key2, &approved("carol")).await,
    )?;
    let s = ok(C, "run", store.run(r2).await)?;
    ensure(C, s.state == RunState::Running, || {
        format!("an answer must not change a running run, got {:?}", s.state)
    })?;
    ok(C, "heartbeat", store.heartbeat(&c2, LONG_LEASE).await)?;
    ok(
        C,
        "finish awaiting",
        store
            .finish(&c2, RunState::AwaitingApproval, "awaiting")
            .await,
    )?;
    let s = ok(C, "run", store.run(r2).await)?;
    ensure(C, s.state == RunState::Queued, || {
        format!(
            "parking on an answered approval must re-queue at once, got {:?}",
            s.state
        )
    })?;
    let c3 = claim_exactly(C, store, "w2", LONG_LEASE, &[r2])
        .await?
        .remove(0);
    ok(C, "finish", store.finish(&c3, RunState::Done, "ok").await)?;

    // Pending approvals are listed oldest first.
    let r3 = ok(C, "enqueue", store.enqueue(&t, &TicketId::new("T-3")).await)?;
    let c4 = claim_exactly(C, store, "w1", LONG_LEASE, &[r3])
        .await?
        .remove(0);
    let req3 = approval_request(&t, &TicketId::new("T-3"));
    let (k_old, k_new) = (format!("{t}/T-3/0"), format!("{t}/T-3/1"));
    ok(
        C,
        "request old",
        store.request_approval(&c4, &k_old, &req3).await,
    )?;
    tokio::time::sleep(Duration::from_millis(20)).await;
    ok(
        C,
        "request new",
        store.request_approval(&c4, &k_new, &req3).await,
    )?;
    let pending = ok(C, "pending_approvals", store.pending_approvals().await)?;
    let order: Vec<&str> = pending
        .iter()
        .filter(|a| a.run == r3)
        .map(|a| a.key.as_str())
        .collect();
    ensure(C, order == [k_old.as_str(), k_new.as_str()], || {
        format!("pending approvals must be oldest first: {order:?}")
    })?;
    for k in [&k_old, &k_new] {
        ok(
            C,
            "answer",
            store.answer_approval(k, &approved("dave")).await,
        )?;
    }
    ok(C, "finish", store.finish(&c4, RunState::Done, "ok").await)?;
    drain(C, store).await
}

/// `runs`: newest first, filtered by tenant and state, bounded by `limit`; `finish` records
/// state and outcome (`Failed` too).
pub async fn check_runs(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "runs";
    let a = tenant(C, "a");
    let b = tenant(C, "b");
    let mut a_runs = Vec::new();
    for i in 0..4 {
        a_runs.push(ok(
            C,
            "enqueue",
            store.enqueue(&a, &TicketId::new(format!("T-{i}"))).await,
        )?);
    }
    let b_run = ok(C, "enqueue", store.enqueue(&b, &TicketId::new("T-0")).await)?;
    // Fail the oldest of A.
    let claims = ok(C, "claim", store.claim("w1", LONG_LEASE, 1).await)?;
    ensure(C, claims.len() == 1 && claims[0].run == a_runs[0], || {
        format!(
            "claim 1: expected the oldest run {}, got {claims:?}",
            a_runs[0]
        )
    })?;
    ok(
        C,
        "finish failed",
        store
            .finish(&claims[0], RunState::Failed, "psa read failed")
            .await,
    )?;
    let s = ok(C, "run", store.run(a_runs[0]).await)?;
    ensure(
        C,
        s.state == RunState::Failed && s.outcome.as_deref() == Some("psa read failed"),
        || format!("failed run: {s:?}"),
    )?;

    let ids = |v: Vec<super::RunSummary>| v.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let all_a = ids(ok(
        C,
        "runs(a)",
        store
            .runs(&RunFilter {
                tenant: Some(a.clone()),
                ..Default::default()
            })
            .await,
    )?);
    let mut want: Vec<RunId> = a_runs.iter().rev().copied().collect();
    ensure(C, all_a == want, || {
        format!("runs(tenant a): expected {want:?} newest first, got {all_a:?}")
    })?;
    let limited = ids(ok(
        C,
        "runs(a, 2)",
        store
            .runs(&RunFilter {
                tenant: Some(a.clone()),
                limit: Some(2),
                ..Default::default()
            })
            .await,
    )?);
    ensure(C, limited == want[..2], || {
        format!(
            "runs(tenant a, limit 2): expected {:?}, got {limited:?}",
            &want[..2]
        )
    })?;
    let queued = ids(ok(
        C,
        "runs(a, queued)",
        store
            .runs(&RunFilter {
                tenant: Some(a.clone()),
                state: Some(RunState::Queued),
                limit: None,
            })
            .await,
    )?);
    want.pop();
    ensure(C, queued == want, || {
        format!("runs(tenant a, queued): expected {want:?}, got {queued:?}")
    })?;
    let failed = ids(ok(
        C,
        "runs(failed)",
        store
            .runs(&RunFilter {
                state: Some(RunState::Failed),
                ..Default::default()
            })
            .await,
    )?);
    ensure(
        C,
        failed.contains(&a_runs[0]) && !failed.contains(&b_run) && !failed.contains(&a_runs[1]),
        || format!("runs(failed): {failed:?}"),
    )?;
    let all = ids(ok(C, "runs()", store.runs(&RunFilter::default()).await)?);
    ensure(C, all.contains(&b_run) && all.contains(&a_runs[0]), || {
        format!("runs(): {all:?}")
    })?;
    ensure(C, all.windows(2).all(|w| w[0] > w[1]), || {
        format!("runs() not newest first: {all:?}")
    })?;
    let newest = ids(ok(
        C,
        "runs(limit 1)",
        store
            .runs(&RunFilter {
                limit: Some(1),
                ..Default::default()
            })
            .await,
    )?);
    ensure(C, newest == [all[0]], || {
        format!("runs(limit 1): expected [{}], got {newest:?}", all[0])
    })?;
    let zero = ok(
        C,
        "runs(limit 0)",
        store
            .runs(&RunFilter {
                limit: Some(0),
                ..Default::default()
            })
            .await,
    )?;
    ensure(C, zero.is_empty(), || format!("runs(limit 0): {zero:?}"))?;
    let nobody = ok(
        C,
        "runs(unknown tenant)",
        store
            .runs(&RunFilter {
                tenant: Some(tenant(C, "nobody")),
                ..Default::default()
            })
            .await,
    )?;
    ensure(C, nobody.is_empty(), || {
        format!("runs(unknown tenant): {nobody:?}")
    })?;
    drain(C, store).await
}

/// `requeue`: a failed run, a parked run and a running run whose worker is gone go back to
/// the queue with their journal; the running one's old claim is fenced and the next claim
/// has the next attempt; a done run is [`StoreError::Conflict`]; an unknown run
/// [`StoreError::NotFound`].
pub async fn check_requeue(store: &dyn RunStore) -> Result<(), ConformanceFailure> {
    const C: &str = "requeue";
    let t = tenant(C, "a");
    let failed = ok(
        C,
        "enqueue",
        store.enqueue(&t, &TicketId::new("T-failed")).await,
    )?;
    let parked = ok(
        C,
        "enqueue",
        store.enqueue(&t, &TicketId::new("T-parked")).await,
    )?;
    let running = ok(
        C,
        "enqueue",
        store.enqueue(&t, &TicketId::new("T-running")).await,
    )?;
    let done = ok(
        C,
        "enqueue",
        store.enqueue(&t, &TicketId::new("T-done")).await,
    )?;
    let claims =
        claim_exactly(C, store, "w1", LONG_LEASE, &[failed, parked, running, done]).await?;
    let of = |id: RunId| {
        claims
            .iter()
            .find(|c| c.run == id)
            .cloned()
            .ok_or_else(|| fail(C, format!("no claim of {id}")))
    };
    let (cf, cp, cr, cd) = (of(failed)?, of(parked)?, of(running)?, of(done)?);
    ok(
        C,
        "step_started",
        store.step_started(&cf, 0, "add_note", "fp").await,
    )?;
    ok(
        C,
        "step_finished",
        store.step_finished(&cf, 0, &json!({"ok": true})).await,
    )?;
    ok(
        C,
        "finish failed",
        store.finish(&cf, RunState::Failed, "boom").await,
    )?;
    ok(
        C,
        "finish parked",
        store
            .finish(&cp, RunState::AwaitingApproval, "awaiting")
            .await,
    )?;
    ok(
        C,
        "finish done",
        store.finish(&cd, RunState::Done, "ok").await,
    )?;

    for id in [failed, parked, running] {
        ok(C, "requeue", store.requeue(id).await)?;
        let s = ok(C, "run", store.run(id).await)?;
        ensure(C, s.state == RunState::Queued, || {
            format!("requeued run {id}: expected queued, got {s:?}")
        })?;
    }
    lease_lost(
        C,
        "step_started of a requeued running claim",
        &cr,
        store.step_started(&cr, 0, "x", "fp").await,
    )?;
    lease_lost(
        C,
        "finish of a requeued running claim",
        &cr,
        store.finish(&cr, RunState::Done, "late").await,
    )?;
    err(
        C,
        "requeue done",
        "Conflict",
        store.requeue(done).await,
        |e| matches!(e, StoreError::Conflict(_)),
    )?;
    let s = ok(C, "run", store.run(done).await)?;
    ensure(C, s.state == RunState::Done, || {
        format!("requeue changed a done run: {s:?}")
    })?;
    err(
        C,
        "requeue unknown",
        "NotFound",
        store.requeue(RunId(i64::MAX - 7)).await,
        |e| matches!(e, StoreError::NotFound(_)),
    )?;

    let again = claim_exactly(C, store, "w2", LONG_LEASE, &[failed, parked, running]).await?;
    for c in &again {
        ensure(C, c.attempt == 2, || {
            format!("claim after requeue: expected attempt 2, got {c:?}")
        })?;
    }
    let journal = ok(C, "steps", store.steps(failed).await)?;
    ensure(
        C,
        journal.len() == 1 && journal[0].record == Some(json!({"ok": true})),
        || format!("requeue must keep the journal: {journal:?}"),
    )?;
    for c in &again {
        ok(C, "finish", store.finish(c, RunState::Done, "ok").await)?;
    }
    drain(C, store).await
}

/// Run every check, in order, on one store (empty, used by nobody else). Returns the names
/// of the checks that passed, or the first failure.
pub async fn check_run_store(
    store: &dyn RunStore,
) -> Result<Vec<&'static str>, ConformanceFailure> {
    let mut passed = Vec::new();
    check_enqueue(store).await?;
    passed.push("enqueue");
    check_claim(store).await?;
    passed.push("claim");
    check_fencing(store).await?;
    passed.push("fencing");
    check_fairness(store).await?;
    passed.push("fairness");
    check_journal(store).await?;
    passed.push("journal");
    check_approvals(store).await?;
    passed.push("approvals");
    check_runs(store).await?;
    passed.push("runs");
    check_requeue(store).await?;
    passed.push("requeue");
    Ok(passed)
}
