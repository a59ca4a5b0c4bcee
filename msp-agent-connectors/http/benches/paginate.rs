//! Pagination throughput and memory: 100,000 items in pages of 100 from a local HTTP server.
//!
//! `cargo bench -p msp-agent-http --bench paginate`. Besides criterion's timings it prints the
//! process's peak resident set (Linux `VmHWM`) after streaming 10k, then 100k, then 300k more
//! items: the stream holds one page at a time, so more items must not raise the peak. The
//! server is a minimal local HTTP/1.1 server that keeps nothing per request.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::TryStreamExt;
use msp_agent_http::{HttpClient, Pagination, Request, paginate};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const PAGE: u32 = 100;

#[derive(Deserialize)]
struct Item {
    id: u32,
    #[allow(dead_code)]
    name: String,
}

/// The JSON page `page` of `total` numbered items in pages of `size`, as a PSA serves it.
fn page_body(total: u32, page: u32, size: u32) -> String {
    let first = page.saturating_sub(1).saturating_mul(size);
    let items: Vec<serde_json::Value> = (first..first.saturating_add(size).min(total))
        .map(|id| serde_json::json!({ "id": id, "name": format!("ticket {id}") }))
        .collect();
    serde_json::Value::from(items).to_string()
}

/// A minimal keep-alive HTTP/1.1 server for `GET /items/{total}?page=P&pageSize=S` that keeps
/// nothing per request (a mock server's request log would dominate the memory figures).
async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(request_line)) = lines.next_line().await {
                // Skip the headers.
                while let Ok(Some(header)) = lines.next_line().await {
                    if header.is_empty() {
                        break;
                    }
                }
                let target = request_line.split(' ').nth(1).unwrap_or("/");
                let url = reqwest::Url::parse(&format!("http://x{target}")).unwrap();
                let total: u32 = url.path().rsplit('/').next().unwrap().parse().unwrap();
                let param = |name: &str| {
                    url.query_pairs()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(1)
                };
                let body = page_body(total, param("page"), param("pageSize"));
                // One write per response: split writes meet delayed ACKs.
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                if write.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Stream every item, keeping only a running checksum (as a consumer should).
async fn drain(client: &HttpClient, total: u32) -> u64 {
    let items = paginate::<Item>(
        client,
        Request::get(format!("/items/{total}")),
        Pagination::page_number("page", "pageSize", PAGE),
    );
    let sum = items
        .try_fold(
            0u64,
            |acc, item| async move { Ok(acc + u64::from(item.id)) },
        )
        .await
        .unwrap();
    assert_eq!(sum, u64::from(total) * u64::from(total - 1) / 2);
    sum
}

/// Peak resident set of this process in KiB (Linux), if readable.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(serve(listener));
    let client = HttpClient::builder(format!("http://{addr}"))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    rt.block_on(drain(&client, 10_000));
    let after_10k = peak_rss_kib();
    rt.block_on(drain(&client, 100_000));
    let after_100k = peak_rss_kib();
    for _ in 0..3 {
        rt.block_on(drain(&client, 100_000));
    }
    let after_400k = peak_rss_kib();
    if let (Some(a), Some(b), Some(c)) = (after_10k, after_100k, after_400k) {
        eprintln!("peak RSS (KiB): after 10k items {a}, after 100k more {b}, after 300k more {c}");
    }

    let mut group = c.benchmark_group("paginate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("page_number_100k", |b| {
        b.iter(|| rt.block_on(drain(&client, 100_000)));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
