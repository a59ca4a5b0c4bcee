//! An in-process [`RunStore`]: the reference semantics, for tests and the in-memory runtime.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::store::*;
use crate::capability::{ApprovalDecision, ApprovalRequest};
use crate::domain::{TenantId, TicketId};

/// A [`RunStore`] in memory: nothing survives the process.
///
/// ```
/// # async fn demo() -> Result<(), msp_agent_core::run::StoreError> {
/// use msp_agent_core::run::{MemoryRunStore, RunStore};
/// let store = MemoryRunStore::new();
/// let run = store.enqueue(&"acme".into(), &"T-1".into()).await?;
/// let claims = store.claim("w1", std::time::Duration::from_secs(30), 10).await?;
/// assert_eq!(claims[0].run, run);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryRunStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: i64,
    runs: BTreeMap<RunId, Run>,
    steps: HashMap<RunId, BTreeMap<u32, JournalEntry>>,
    approvals: BTreeMap<String, StoredApproval>,
}

#[derive(Debug)]
struct Run {
    summary: RunSummary,
    lease_until: Option<DateTime<Utc>>,
}

impl MemoryRunStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn lease_end(lease: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX)
}

impl Inner {
    /// The run, if `claim` is its current, live claim.
    fn held(&mut self, claim: &Claim) -> StoreResult<&mut Run> {
        let lost = StoreError::LeaseLost {
            run: claim.run,
            attempt: claim.attempt,
        };
        match self.runs.get_mut(&claim.run) {
            Some(r)
                if r.summary.attempt == claim.attempt && r.summary.state == RunState::Running =>
            {
                Ok(r)
            }
            _ => Err(lost),
        }
    }

    fn get(&self, id: RunId) -> StoreResult<&Run> {
        self.runs
            .get(&id)
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))
    }
}

#[async_trait]
impl RunStore for MemoryRunStore {
    async fn enqueue(&self, tenant: &TenantId, ticket: &TicketId) -> StoreResult<RunId> {
        let mut inner = self.lock();
        if let Some(run) = inner.runs.values().find(|r| {
            &r.summary.tenant == tenant
                && &r.summary.ticket == ticket
                && !r.summary.state.is_final()
        }) {
            return Ok(run.summary.id);
        }
        inner.next_id += 1;
        let id = RunId(inner.next_id);
        let now = Utc::now();
        inner.runs.insert(
            id,
            Run {
                summary: RunSummary {
                    id,
                    tenant: tenant.clone(),
                    ticket: ticket.clone(),
                    state: RunState::Queued,
                    attempt: 0,
                    worker: None,
                    outcome: None,
                    created_at: now,
                    updated_at: now,
                },
                lease_until: None,
            },
        );
        Ok(id)
    }

    async fn claim(&self, worker: &str, lease: Duration, max: usize) -> StoreResult<Vec<Claim>> {
        let mut inner = self.lock();
        let now = Utc::now();
        // Claimable runs, ranked within their tenant, then interleaved: every tenant's
        // oldest run before any tenant's second.
        let mut rank: HashMap<&TenantId, usize> = HashMap::new();
        let mut ready: Vec<(usize, RunId)> = Vec::new();
        for run in inner.runs.values() {
            let claimable = match run.summary.state {
                RunState::Queued => true,
                RunState::Running => run.lease_until.is_some_and(|t| t < now),
                _ => false,
            };
            if claimable {
                let r = rank.entry(&run.summary.tenant).or_default();
                ready.push((*r, run.summary.id));
                *r += 1;
            }
        }
        ready.sort();
        let until = lease_end(lease);
        let mut claims = Vec::new();
        for (_, id) in ready.into_iter().take(max) {
            if let Some(run) = inner.runs.get_mut(&id) {
                let s = &mut run.summary;
                s.state = RunState::Running;
                s.attempt += 1;
                s.worker = Some(worker.to_owned());
                s.updated_at = now;
                run.lease_until = Some(until);
                claims.push(Claim {
                    run: id,
                    tenant: s.tenant.clone(),
                    ticket: s.ticket.clone(),
                    attempt: s.attempt,
                });
            }
        }
        Ok(claims)
    }

    async fn heartbeat(&self, claim: &Claim, lease: Duration) -> StoreResult<()> {
        let mut inner = self.lock();
        inner.held(claim)?.lease_until = Some(lease_end(lease));
        Ok(())
    }

    async fn finish(&self, claim: &Claim, state: RunState, outcome: &str) -> StoreResult<()> {
        let mut inner = self.lock();
        let run = inner.held(claim)?;
        run.summary.state = state;
        run.summary.outcome = Some(outcome.to_owned());
        run.summary.updated_at = Utc::now();
        run.lease_until = None;
        // An approval answered while the run was still working is picked up at once.
        if state == RunState::AwaitingApproval {
            let id = claim.run;
            if inner
                .approvals
                .values()
                .any(|a| a.run == id && a.decision.is_some())
            {
                if let Some(run) = inner.runs.get_mut(&id) {
                    run.summary.state = RunState::Queued;
                }
            }
        }
        Ok(())
    }

    async fn step(&self, run: RunId, seq: u32) -> StoreResult<Option<JournalEntry>> {
        Ok(self
            .lock()
            .steps
            .get(&run)
            .and_then(|s| s.get(&seq))
            .cloned())
    }

    async fn step_started(
        &self,
        claim: &Claim,
        seq: u32,
        action: &str,
        fingerprint: &str,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        inner.held(claim)?;
        let steps = inner.steps.entry(claim.run).or_default();
        if steps.get(&seq).is_some_and(|e| e.record.is_some()) {
            return Err(StoreError::Conflict(format!(
                "run {}: step {seq} already finished",
                claim.run
            )));
        }
        steps.insert(
            seq,
            JournalEntry {
                seq,
                action: action.to_owned(),
                fingerprint: fingerprint.to_owned(),
                started_at: Utc::now(),
                record: None,
            },
        );
        Ok(())
    }

    async fn step_finished(&self, claim: &Claim, seq: u32, record: &Value) -> StoreResult<()> {
        let mut inner = self.lock();
        inner.held(claim)?;
        let entry = inner
            .steps
            .get_mut(&claim.run)
            .and_then(|s| s.get_mut(&seq))
            .ok_or_else(|| StoreError::NotFound(format!("run {}: step {seq}", claim.run)))?;
        entry.record = Some(record.clone());
        Ok(())
    }

    async fn steps(&self, run: RunId) -> StoreResult<Vec<JournalEntry>> {
        Ok(self
            .lock()
            .steps
            .get(&run)
            .map(|s| s.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn request_approval(
        &self,
        claim: &Claim,
        key: &str,
        request: &ApprovalRequest,
    ) -> StoreResult<ApprovalState> {
        let mut inner = self.lock();
        inner.held(claim)?;
        if let Some(a) = inner.approvals.get(key) {
            return Ok(match &a.decision {
                Some(d) => ApprovalState::Answered(d.clone()),
                None => ApprovalState::Pending {
                    requested_at: a.requested_at,
                },
            });
        }
        inner.approvals.insert(
            key.to_owned(),
            StoredApproval {
                key: key.to_owned(),
                run: claim.run,
                request: request.clone(),
                requested_at: Utc::now(),
                decision: None,
            },
        );
        Ok(ApprovalState::New)
    }

    async fn answer_approval(&self, key: &str, decision: &ApprovalDecision) -> StoreResult<()> {
        let mut inner = self.lock();
        let approval = inner
            .approvals
            .get_mut(key)
            .ok_or_else(|| StoreError::NotFound(format!("approval {key}")))?;
        if approval.decision.is_none() {
            approval.decision = Some(decision.clone());
        }
        let run = approval.run;
        if let Some(r) = inner.runs.get_mut(&run)
            && r.summary.state == RunState::AwaitingApproval
        {
            r.summary.state = RunState::Queued;
            r.summary.updated_at = Utc::now();
        }
        Ok(())
    }

    async fn pending_approvals(&self) -> StoreResult<Vec<StoredApproval>> {
        let mut pending: Vec<StoredApproval> = self
            .lock()
            .approvals
            .values()
            .filter(|a| a.decision.is_none())
            .cloned()
            .collect();
        pending.sort_by_key(|a| a.requested_at);
        Ok(pending)
    }

    async fn run(&self, id: RunId) -> StoreResult<RunSummary> {
        Ok(self.lock().get(id)?.summary.clone())
    }

    async fn runs(&self, filter: &RunFilter) -> StoreResult<Vec<RunSummary>> {
        let inner = self.lock();
        Ok(inner
            .runs
            .values()
            .rev()
            .map(|r| &r.summary)
            .filter(|s| filter.tenant.as_ref().is_none_or(|t| &s.tenant == t))
            .filter(|s| filter.state.is_none_or(|st| s.state == st))
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn requeue(&self, id: RunId) -> StoreResult<()> {
        let mut inner = self.lock();
        let run = inner
            .runs
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))?;
        if run.summary.state == RunState::Done {
            return Err(StoreError::Conflict(format!("run {id} is done")));
        }
        run.summary.state = RunState::Queued;
        run.summary.updated_at = Utc::now();
        run.lease_until = None;
        Ok(())
    }
}
