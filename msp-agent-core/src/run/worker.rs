//! Workers: claim runs from a store and work them, bounded, fair and crash-safe.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use super::journal::{BoundaryHook, RunContext};
use super::store::{Claim, RunState, RunStore, StoreError, StoreResult};
use crate::agent::Agent;
use crate::domain::TenantId;
use crate::pipeline::TicketOutcome;

/// How a [`Worker`] works.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Name recorded on the runs it claims (default `worker-<pid>`).
    pub id: String,
    /// Runs worked at once (default 8). The worker claims no more than it has free slots:
    /// that is its backpressure.
    pub concurrency: usize,
    /// Lease on a claimed run (default 30 s); renewed every third of it while the run is
    /// worked. A worker that dies stops renewing, and the run is claimed again once the
    /// lease expires.
    pub lease: Duration,
    /// Wait between polls of an empty queue (default 200 ms).
    pub poll: Duration,
    /// How long a newly posted approval is waited for before the run is parked (default
    /// 30 s), see [`RunContext::park_after`].
    pub park_after: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            id: format!("worker-{}", std::process::id()),
            concurrency: 8,
            lease: Duration::from_secs(30),
            poll: Duration::from_millis(200),
            park_after: Duration::from_secs(30),
        }
    }
}

/// What a worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Runs finished (resolved, escalated, shadow or halted).
    pub done: usize,
    /// Runs parked for an approval.
    pub parked: usize,
    /// Runs the agent could not work.
    pub failed: usize,
    /// Runs whose lease was lost to another worker (or cancelled) while worked.
    pub lost: usize,
    /// Runs finished per client.
    pub per_tenant: HashMap<TenantId, usize>,
}

/// Claims runs from a [`RunStore`] and works them with an [`Agent`].
///
/// ```no_run
/// # async fn demo(agent: std::sync::Arc<msp_agent_core::agent::Agent>) -> Result<(), msp_agent_core::run::StoreError> {
/// use std::sync::Arc;
/// use msp_agent_core::run::{MemoryRunStore, RunStore, Worker, WorkerConfig};
/// let store = Arc::new(MemoryRunStore::new());
/// store.enqueue(&"acme".into(), &"T-1001".into()).await?;
/// let stats = Worker::new(agent, store, WorkerConfig::default()).run_until_idle().await?;
/// println!("{} done", stats.done);
/// # Ok(()) }
/// ```
pub struct Worker {
    inner: Inner,
}

/// What each run task needs; shared by the tasks of one `work` call.
#[derive(Clone)]
struct Inner {
    agent: Arc<Agent>,
    store: Arc<dyn RunStore>,
    config: WorkerConfig,
    hook: Option<BoundaryHook>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

enum Ended {
    Finished(TenantId, RunState),
    Lost,
}

impl Worker {
    /// A worker over a store.
    pub fn new(agent: Arc<Agent>, store: Arc<dyn RunStore>, config: WorkerConfig) -> Self {
        Worker {
            inner: Inner {
                agent,
                store,
                config,
                hook: None,
            },
        }
    }

    /// Report every journaled step boundary to `hook`.
    pub fn with_hook(mut self, hook: BoundaryHook) -> Self {
        self.inner.hook = Some(hook);
        self
    }

    /// Work runs until the queue is empty and nothing is in flight.
    pub async fn run_until_idle(&self) -> StoreResult<WorkerStats> {
        self.work(true, std::future::pending::<()>()).await
    }

    /// Work runs until `shutdown` completes, polling an empty queue. On shutdown no new run
    /// is claimed and the runs in flight are finished (each step is short; a step's side
    /// effect is never cut in half by the shutdown).
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> StoreResult<WorkerStats> {
        self.work(false, shutdown).await
    }

    async fn work(
        &self,
        stop_when_idle: bool,
        shutdown: impl Future<Output = ()>,
    ) -> StoreResult<WorkerStats> {
        let inner = Arc::new(self.inner.clone());
        let slots = inner.config.concurrency.max(1);
        let mut stats = WorkerStats::default();
        // Each run is its own task, so runs keep going (and release their store
        // connections) while this loop waits on the store for more work.
        let mut in_flight = tokio::task::JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut stopping = false;
        loop {
            let free = slots - in_flight.len();
            if !stopping && free > 0 {
                for claim in inner
                    .store
                    .claim(&inner.config.id, inner.config.lease, free)
                    .await?
                {
                    let inner = inner.clone();
                    in_flight.spawn(async move { inner.work_one(claim).await });
                }
            }
            if in_flight.is_empty() && (stopping || stop_when_idle) {
                return Ok(stats);
            }
            let poll = tokio::time::sleep(inner.config.poll);
            tokio::select! {
                Some(ended) = in_flight.join_next() => match ended {
                    Ok(Ended::Finished(tenant, state)) => {
                        match state {
                            RunState::AwaitingApproval => stats.parked += 1,
                            RunState::Failed => stats.failed += 1,
                            _ => stats.done += 1,
                        }
                        *stats.per_tenant.entry(tenant).or_default() += 1;
                    }
                    Ok(Ended::Lost) => stats.lost += 1,
                    // A run that panicked: its lease runs out and it is claimed again.
                    Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    Err(_) => stats.lost += 1,
                },
                () = &mut shutdown, if !stopping => stopping = true,
                () = poll, if in_flight.len() < slots => {}
            }
        }
    }
}

impl Inner {
    async fn work_one(&self, claim: Claim) -> Ended {
        let span = tracing::info_span!("run", run = %claim.run, tenant = %claim.tenant);
        self.work_claim(claim).instrument(span).await
    }

    async fn work_claim(&self, claim: Claim) -> Ended {
        let mut run =
            RunContext::new(self.store.clone(), claim.clone()).park_after(self.config.park_after);
        if let Some(hook) = &self.hook {
            run = run.with_hook(hook.clone());
        }
        // Results are checked against the time the run was queued, across attempts.
        if let Ok(summary) = self.store.run(claim.run).await {
            run = run.started_at(summary.created_at);
        }
        let work = self.agent.handle_run(&run);
        let beat = self.heartbeat(&claim);
        let result = tokio::select! {
            result = work => result,
            lost = beat => {
                tracing::warn!(error = %lost, "run abandoned");
                return Ended::Lost;
            }
        };
        let (state, outcome) = match &result {
            Ok(report) => (
                match report.outcome {
                    TicketOutcome::AwaitingApproval => RunState::AwaitingApproval,
                    _ => RunState::Done,
                },
                format!("{:?}", report.outcome).to_lowercase()
                    + &report
                        .escalation
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default(),
            ),
            Err(e) => (RunState::Failed, e.to_string()),
        };
        match self.store.finish(&claim, state, &outcome).await {
            Ok(()) => Ended::Finished(claim.tenant, state),
            Err(e) => {
                tracing::warn!(error = %e, "run result not recorded");
                Ended::Lost
            }
        }
    }

    /// Renew the lease until it is lost (expired and claimed elsewhere, or cancelled).
    async fn heartbeat(&self, claim: &Claim) -> StoreError {
        let every = self.config.lease / 3;
        loop {
            tokio::time::sleep(every).await;
            match self.store.heartbeat(claim, self.config.lease).await {
                Ok(()) => {}
                Err(e @ StoreError::LeaseLost { .. }) => return e,
                // A store hiccup: the lease still runs; try again at the next beat.
                Err(e) => tracing::warn!(error = %e, "heartbeat failed"),
            }
        }
    }
}
