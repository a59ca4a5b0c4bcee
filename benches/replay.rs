//! Shadow replay throughput: 100k historical tickets streamed from a CSV file on disk through
//! the reader, Perceive + Reason against the simulated MSP's directory, the policy decision of
//! every planned write, and the metrics accumulator: the deterministic (zero-model) path.
//!
//! The input is never held in memory: one record at a time is parsed and replayed, and the
//! accumulator's size depends on clients × intents × weeks, not on the number of tickets.
//! After the timed runs the benchmark replays 10k and then 100k tickets once more and prints
//! the growth of the process's resident memory high-water mark (`VmHWM`) across each.
//!
//! Run: `cargo bench --bench replay` (target ≥ 50,000 tickets/s).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::hint::black_box;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msp_agent::policy::Policy;
use msp_agent::sim::SimMsp;
use msp_agent_core::metrics::{Accumulator, MetricsConfig};
use msp_agent_report::history::{HistoryReader, HistoryRecord, write_csv};
use msp_agent_report::replay::Replayer;

const N: usize = 100_000;

/// A 100k-ticket history: the sample generator's 2,000 distinct tickets repeated with fresh
/// ids and shifted dates (generating 100k tickets in the simulator would mostly time the
/// simulator).
fn write_history(path: &Path) {
    let base = SimMsp::seeded().generate_history(2_000, 10, 2025);
    let records = (0..N).map(|i| {
        let t = &base[i % base.len()];
        let mut r: HistoryRecord =
            serde_json::from_value(serde_json::to_value(t).unwrap()).unwrap();
        r.id = format!("T-{i}");
        let shift = chrono::Duration::weeks((i / base.len()) as i64 % 20);
        r.created = r.created.map(|c| c + shift);
        r.first_response = r.first_response.map(|c| c + shift);
        r.resolved = r.resolved.map(|c| c + shift);
        r
    });
    write_csv(
        std::io::BufWriter::new(File::create(path).unwrap()),
        records,
    )
    .unwrap();
}

fn replay(replayer: &Replayer, path: &Path, limit: usize) -> u64 {
    let reader = HistoryReader::csv(BufReader::new(File::open(path).unwrap())).unwrap();
    let mut acc = Accumulator::new(MetricsConfig::default());
    let out = replayer.replay(reader.take(limit), &mut acc);
    black_box(acc.finish());
    out.totals.replayed
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bench(c: &mut Criterion) {
    let path: PathBuf = std::env::temp_dir().join(format!("msp-replay-{}.csv", std::process::id()));
    write_history(&path);
    let policy = Policy::from_toml_str(
        "[global]\nmode = \"shadow\"\n[clients.acme.actions]\nreset_password = \"autonomous\"\n",
        "bench",
    )
    .unwrap();
    let replayer = Replayer::new(SimMsp::seeded().capabilities(), policy);

    let mut g = c.benchmark_group("shadow_replay");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(N as u64));
    g.bench_function("100k_tickets_csv", |b| {
        b.iter(|| assert_eq!(replay(&replayer, &path, N), N as u64))
    });
    g.finish();

    let before = vm_hwm_kib();
    replay(&replayer, &path, 10_000);
    let after_10k = vm_hwm_kib();
    let start = Instant::now();
    replay(&replayer, &path, N);
    let secs = start.elapsed().as_secs_f64();
    let after_100k = vm_hwm_kib();
    eprintln!(
        "shadow replay: {:.0} tickets/s (one run of {N}); VmHWM KiB: before {:?}, after 10k {:?}, after 100k {:?}",
        N as f64 / secs,
        before,
        after_10k,
        after_100k
    );
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
