//! The cost of durability: tickets per second through the whole pipeline on the simulated
//! MSP, in memory (`Agent::handle_many`) and through a `Worker` over a run store — in
//! memory, SQLite (a WAL file) and, when `MSP_AGENT_TEST_POSTGRES_URL` is set, PostgreSQL.
//! Every write is journaled twice (before and after its side effect) in the durable runs.
//!
//! Run: `cargo bench --bench durable` (tickets per iteration: `DURABLE_TICKETS`, default
//! 10,000). The ratio durable/in-memory is the time of one over the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msp_agent::prelude::*;
use msp_agent::run::{MemoryRunStore, RunStore, Worker, WorkerConfig};

const CONCURRENCY: usize = 8;

fn tickets() -> usize {
    std::env::var("DURABLE_TICKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn world(n: usize) -> (SimMsp, Arc<Agent>) {
    let msp = SimMsp::seeded().with_generated_tickets(n, 7);
    let approvals = msp.approvals(ApprovalMode::ApproveAll {
        approver: "bench".into(),
    });
    let agent = Agent::builder(msp.capabilities())
        .approvals(approvals, Duration::from_secs(5))
        .build();
    (msp, Arc::new(agent))
}

/// One pass over `n` fresh tickets through a worker on `store`; the time excludes setup.
async fn durable_pass(n: usize, store: Arc<dyn RunStore>) -> Duration {
    let (msp, agent) = world(n);
    for (tenant, ticket) in msp.open_tickets() {
        store.enqueue(&tenant, &ticket).await.unwrap();
    }
    let config = WorkerConfig {
        concurrency: CONCURRENCY,
        poll: Duration::from_millis(1),
        ..WorkerConfig::default()
    };
    let worker = Worker::new(agent, store, config);
    let start = Instant::now();
    worker.run_until_idle().await.unwrap();
    start.elapsed()
}

async fn memory_pass(n: usize) -> Duration {
    let (msp, agent) = world(n);
    let tickets = msp.open_tickets();
    let start = Instant::now();
    agent.handle_many(tickets, CONCURRENCY).await;
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let n = tickets();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("msp-durable-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut round = 0u64;
    let mut g = c.benchmark_group("durable");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("in_memory_runtime", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| rt.block_on(memory_pass(n))).sum())
    });
    g.bench_function("worker_memory_store", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| rt.block_on(durable_pass(n, Arc::new(MemoryRunStore::new()))))
                .sum()
        })
    });
    g.bench_function("worker_sqlite_store", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    round += 1;
                    let url = format!(
                        "sqlite://{}",
                        dir.join(format!("runs-{round}.db")).display()
                    );
                    let store = rt.block_on(msp_agent_store::open(&url)).unwrap();
                    rt.block_on(durable_pass(n, store))
                })
                .sum()
        })
    });
    if let Ok(url) = std::env::var("MSP_AGENT_TEST_POSTGRES_URL") {
        g.bench_function("worker_postgres_store", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let store = rt.block_on(msp_agent_store::open(&url)).unwrap();
                        rt.block_on(durable_pass(n, store))
                    })
                    .sum()
            })
        });
    } else {
        eprintln!("SKIPPED: worker_postgres_store (set MSP_AGENT_TEST_POSTGRES_URL)");
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
