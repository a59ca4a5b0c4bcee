//! `msp-agent run` (durable runs over a store) and `msp-agent runs list|show|resume|approve`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use msp_agent_core::capability::ApprovalDecision;
use msp_agent_core::domain::TenantId;
use msp_agent_core::run::{RunFilter, RunId, RunState, RunStore, Worker, WorkerConfig};
use msp_agent_sim::SimMsp;

use crate::Failure;
use crate::demo_cmd::{Approvals, sim_agent};

/// The store used when `--store` is not given: a SQLite file in the working directory.
const DEFAULT_STORE: &str = "sqlite://msp-agent-runs.db";

#[derive(Args)]
pub(crate) struct StoreArg {
    /// Run store: `sqlite://PATH` (embedded, the default) or `postgres://…` (shared by
    /// many workers).
    #[arg(long, default_value = DEFAULT_STORE)]
    store: String,
}

#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    store: StoreArg,
    /// Work the simulated MSP's open tickets (queued unless already queued).
    #[arg(long)]
    sim: bool,
    /// Keep the simulated MSP's state in this file across runs and crashes (default: a
    /// fresh in-memory MSP).
    #[arg(long, requires = "sim")]
    sim_state: Option<PathBuf>,
    /// Runs worked at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Worker name recorded on claimed runs (default `worker-<pid>`).
    #[arg(long)]
    worker: Option<String>,
    /// How approval requests are answered.
    #[arg(long, value_enum, default_value = "approve")]
    approvals: Approvals,
    /// Append the audit trail to this JSON Lines file.
    #[arg(long)]
    audit: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum RunsCommand {
    /// One line per run, newest first.
    List {
        #[command(flatten)]
        store: StoreArg,
        /// Only this client.
        #[arg(long)]
        tenant: Option<String>,
        /// Only runs in this state (queued, running, awaiting_approval, done, failed,
        /// cancelled).
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// A run and its step journal.
    Show {
        /// Run id.
        id: i64,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Queue a run again (failed, parked, or abandoned by a dead worker); finished steps
    /// are not done again. The next `msp-agent run` works it.
    Resume {
        /// Run id.
        id: i64,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Answer a parked approval (by its key, as `runs show` prints it); the run is queued.
    Approve {
        /// Approval key (`tenant/ticket/step`).
        key: String,
        /// Who answers.
        #[arg(long)]
        by: String,
        /// Reject instead of approve.
        #[arg(long)]
        reject: bool,
        /// Why, when rejecting.
        #[arg(long, requires = "reject")]
        reason: Option<String>,
        #[command(flatten)]
        store: StoreArg,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("runtime: {e}")))
}

async fn open(store: &StoreArg) -> Result<Arc<dyn RunStore>, Failure> {
    msp_agent_store::open(&store.store)
        .await
        .map_err(|e| Failure::input(format!("store {}: {e}", store.store)))
}

fn store_err(e: impl std::fmt::Display) -> Failure {
    Failure {
        code: 1,
        message: e.to_string(),
    }
}

pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
    if !args.sim {
        return Err(Failure::input(
            "nothing to work: pass --sim (configured connectors are built in code, see \
             docs/connectors/README.md)",
        ));
    }
    runtime()?.block_on(async {
        let store = open(&args.store).await?;
        let sim = match &args.sim_state {
            Some(path) => SimMsp::persistent(path).map_err(Failure::input)?,
            None => SimMsp::seeded(),
        };
        let mut queued = 0;
        for (tenant, ticket) in sim.open_tickets() {
            store.enqueue(&tenant, &ticket).await.map_err(store_err)?;
            queued += 1;
        }
        let builder = sim_agent(&sim, args.audit.as_deref(), args.approvals)?;
        let mut config = WorkerConfig {
            concurrency: args.concurrency.max(1),
            ..WorkerConfig::default()
        };
        if let Some(id) = args.worker {
            config.id = id;
        }
        let worker = Worker::new(Arc::new(builder.build()), store, config);
        let stats = worker.run_until_idle().await.map_err(store_err)?;
        println!(
            "{queued} open tickets queued; {} runs done, {} parked for approval, {} failed, {} lost to another worker",
            stats.done, stats.parked, stats.failed, stats.lost
        );
        Ok(())
    })
}

pub(crate) fn runs(cmd: RunsCommand) -> Result<(), Failure> {
    runtime()?.block_on(async {
        match cmd {
            RunsCommand::List {
                store,
                tenant,
                state,
                limit,
            } => {
                let state = state
                    .map(|s| s.parse::<RunState>())
                    .transpose()
                    .map_err(Failure::input)?;
                let filter = RunFilter {
                    tenant: tenant.map(TenantId::from),
                    state,
                    limit,
                };
                let store = open(&store).await?;
                for r in store.runs(&filter).await.map_err(store_err)? {
                    println!(
                        "{}\t{}\t{}\t{}\tattempt {}\t{}\t{}",
                        r.id,
                        r.tenant,
                        r.ticket,
                        r.state.as_str(),
                        r.attempt,
                        r.worker.as_deref().unwrap_or("-"),
                        r.outcome.as_deref().unwrap_or("-")
                    );
                }
            }
            RunsCommand::Show { id, store } => {
                let store = open(&store).await?;
                let r = store.run(RunId(id)).await.map_err(store_err)?;
                println!(
                    "run {} — {} {} — {} (attempt {}, worker {})",
                    r.id,
                    r.tenant,
                    r.ticket,
                    r.state.as_str(),
                    r.attempt,
                    r.worker.as_deref().unwrap_or("-")
                );
                println!("queued {} · updated {}", r.created_at, r.updated_at);
                if let Some(outcome) = &r.outcome {
                    println!("outcome: {outcome}");
                }
                for step in store.steps(r.id).await.map_err(store_err)? {
                    let status = step.status().unwrap_or("started, not finished");
                    println!("  step {:>2} {:<24} {status}", step.seq, step.action);
                }
                for a in store.pending_approvals().await.map_err(store_err)? {
                    if a.run == r.id {
                        println!(
                            "  awaiting approval: {} `{}` (asked {}) — answer with `msp-agent runs approve {} --by NAME`",
                            a.key, a.request.action, a.requested_at, a.key
                        );
                    }
                }
            }
            RunsCommand::Resume { id, store } => {
                let store = open(&store).await?;
                store.requeue(RunId(id)).await.map_err(store_err)?;
                println!("run {id} queued; `msp-agent run` works it");
            }
            RunsCommand::Approve {
                key,
                by,
                reject,
                reason,
                store,
            } => {
                let store = open(&store).await?;
                let decision = if reject {
                    ApprovalDecision::Rejected {
                        approver: by,
                        reason,
                    }
                } else {
                    ApprovalDecision::Approved { approver: by }
                };
                store
                    .answer_approval(&key, &decision)
                    .await
                    .map_err(store_err)?;
                println!("{key}: answered; the run is queued");
            }
        }
        Ok(())
    })
}
