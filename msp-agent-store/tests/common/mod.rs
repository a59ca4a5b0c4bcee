//! Shared helpers of the store tests.
#![allow(dead_code)]

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::run::{Claim, RunId, RunState, RunStore};

/// Env var naming the PostgreSQL server of the tests.
pub const PG_ENV: &str = "MSP_AGENT_TEST_POSTGRES_URL";

/// Print to the real stderr, past the test harness's output capture.
pub fn visible(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// A fresh schema of the test PostgreSQL server, dropped by [`PgSchema::drop_schema`].
pub struct PgSchema {
    base: String,
    schema: String,
    /// URL of a store in this schema.
    pub url: String,
}

impl PgSchema {
    /// A fresh schema for `test`, or `None` (after a visible SKIPPED line) when
    /// [`PG_ENV`] is not set.
    pub async fn create(test: &str) -> Option<Self> {
        let Ok(base) = std::env::var(PG_ENV) else {
            visible("SKIPPED: PostgreSQL tests (set MSP_AGENT_TEST_POSTGRES_URL)");
            return None;
        };
        let schema = unique(&format!("t_{test}"));
        let pool = sqlx::PgPool::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("{PG_ENV}: cannot connect: {e}"));
        sqlx::query(&format!("CREATE SCHEMA \"{schema}\""))
            .execute(&pool)
            .await
            .expect("create schema");
        pool.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        Some(Self { base, schema, url })
    }

    /// Drop the schema and everything in it.
    pub async fn drop_schema(self) {
        if let Ok(pool) = sqlx::PgPool::connect(&self.base).await {
            let _ = sqlx::query(&format!("DROP SCHEMA \"{}\" CASCADE", self.schema))
                .execute(&pool)
                .await;
            pool.close().await;
        }
    }
}

/// Two handles on one database claim concurrently: every run is claimed exactly once.
pub async fn disjoint_claims(a: Arc<dyn RunStore>, b: Arc<dyn RunStore>) {
    let mut all = HashSet::new();
    for i in 0..40 {
        let tenant = TenantId::new(format!("tenant-{}", i % 4));
        let id = a
            .enqueue(&tenant, &TicketId::new(format!("T-{i}")))
            .await
            .expect("enqueue");
        all.insert(id);
    }
    let mut tasks = Vec::new();
    for (n, store) in [a.clone(), b.clone(), a, b].into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let worker = format!("w{n}");
            let mut mine: Vec<Claim> = Vec::new();
            loop {
                let claims = store
                    .claim(&worker, Duration::from_secs(60), 3)
                    .await
                    .expect("claim");
                if claims.is_empty() {
                    break;
                }
                for c in &claims {
                    store
                        .step_started(c, 0, "add_note", "fp")
                        .await
                        .expect("step_started of an own claim");
                    store
                        .finish(c, RunState::Done, "ok")
                        .await
                        .expect("finish of an own claim");
                }
                mine.extend(claims);
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut seen: Vec<RunId> = Vec::new();
    let mut per_worker = Vec::new();
    for t in tasks {
        let claims = t.await.expect("join");
        per_worker.push(claims.len());
        for c in claims {
            assert_eq!(c.attempt, 1, "a run was claimed twice: {c:?}");
            seen.push(c.run);
        }
    }
    let unique: HashSet<RunId> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "runs claimed twice: {seen:?}");
    assert_eq!(
        unique, all,
        "every run claimed once (per worker: {per_worker:?})"
    );
}
