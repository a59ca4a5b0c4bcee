//! Tickets per second through the full pipeline (Perceive → Reason → Act → Evaluate) on
//! the simulated MSP, with the JSON Lines file audit sink, for 1k and 10k tickets.
//!
//! Approval-tier actions are answered at once by the simulated technician, so every
//! verified password reset and unlock runs end to end. Two worker tasks on a two-thread
//! runtime share one agent.
//!
//! Run: `cargo bench --bench pipeline`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use msp_agent::prelude::*;

const WORKERS: usize = 2;

struct Fixture {
    agent: Arc<Agent>,
    tickets: Vec<(TenantId, TicketId)>,
    _dir: std::path::PathBuf,
}

fn fixture(n: usize, round: u64) -> Fixture {
    let msp = SimMsp::seeded().with_generated_tickets(n, 7);
    let dir = std::env::temp_dir().join(format!("msp-bench-{}-{n}-{round}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let audit = Arc::new(JsonlAuditSink::open(dir.join("audit.jsonl")).expect("audit file"));
    let approvals = msp.approvals(ApprovalMode::ApproveAll {
        approver: "bench".into(),
    });
    let agent = Agent::builder(msp.capabilities())
        .audit(audit)
        .approvals(approvals, Duration::from_secs(5))
        .build();
    let mut tickets = msp.open_tickets();
    tickets.truncate(n);
    Fixture {
        agent: Arc::new(agent),
        tickets,
        _dir: dir,
    }
}

async fn run(f: Fixture) -> usize {
    let chunk = f.tickets.len().div_ceil(WORKERS).max(1);
    let mut handles = Vec::new();
    for part in f.tickets.chunks(chunk) {
        let agent = f.agent.clone();
        let part = part.to_vec();
        handles.push(tokio::spawn(async move {
            let mut done = 0;
            for r in agent.handle_many(part, 16).await {
                done += usize::from(r.is_ok());
            }
            done
        }));
    }
    let mut done = 0;
    for h in handles {
        done += h.await.unwrap_or(0);
    }
    let _ = std::fs::remove_dir_all(&f._dir);
    done
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_time()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(2));
    for n in [1_000usize, 10_000] {
        group.throughput(Throughput::Elements(n as u64));
        let mut round = 0;
        group.bench_function(format!("tickets/{n}"), |b| {
            b.iter_batched(
                || {
                    round += 1;
                    fixture(n, round)
                },
                |f| {
                    let done = rt.block_on(run(f));
                    assert_eq!(done, n);
                    black_box(done)
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
