//! Durable [`RunStore`]s for msp-agent: SQLite (the embedded default: one file, WAL mode)
//! and PostgreSQL (one database shared by many worker processes).
//!
//! Pick one by URL with [`open`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), msp_agent_core::run::StoreError> {
//! let store = msp_agent_store::open("sqlite:///var/lib/msp-agent/runs.db").await?;
//! let shared = msp_agent_store::open("postgres://agent@db.internal/msp_agent").await?;
//! # Ok(()) }
//! ```
//!
//! Both backends run their migrations (shipped in `migrations/sqlite` and
//! `migrations/postgres`) when opened, and pass the conformance suite of
//! [`msp_agent_core::run::conformance`] (feature `test-utils` of `msp-agent-core`).
//!
//! How the contract maps to SQL:
//!
//! - **Leases**: a claimed run is `running` with a `lease_until` timestamp; a claim takes
//!   `queued` runs and `running` runs whose lease is past, and increments `attempt`.
//! - **Fencing**: every write of a claim (heartbeat, journal, approval request, finish)
//!   carries `id = ? AND attempt = ? AND state = 'running'` in its `WHERE` clause (or an
//!   `EXISTS` on it); no row touched means [`StoreError::LeaseLost`].
//! - **Fairness**: claimable runs are ranked within their tenant
//!   (`row_number() OVER (PARTITION BY tenant ORDER BY id)`) and taken by
//!   `ORDER BY rank, id`: every tenant's oldest run before any tenant's second.
//! - **Concurrency**: SQLite serialises writers (each claim is one `UPDATE … RETURNING`
//!   statement, other writes run in `BEGIN IMMEDIATE` transactions, `busy_timeout` makes
//!   waiting processes wait); PostgreSQL claims with `SELECT … FOR UPDATE SKIP LOCKED`
//!   in a transaction, so concurrent workers take disjoint runs without blocking.

#![forbid(unsafe_code)]

use std::sync::Arc;

use msp_agent_core::run::{RunStore, StoreError};

#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
mod common;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
pub use postgres::PostgresRunStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteRunStore;

/// Open the store at `url`, creating and migrating it as needed:
///
/// - `sqlite://PATH` (the file is created if missing; `sqlite::memory:` for a private
///   in-memory database) — feature `sqlite`;
/// - `postgres://…` or `postgresql://…` — feature `postgres`.
///
/// Anything else (or a scheme whose feature is not compiled in) is
/// [`StoreError::UnsupportedUrl`].
pub async fn open(url: &str) -> Result<Arc<dyn RunStore>, StoreError> {
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match scheme.as_str() {
        #[cfg(feature = "sqlite")]
        "sqlite" => Ok(Arc::new(SqliteRunStore::open(url).await?)),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => Ok(Arc::new(PostgresRunStore::open(url).await?)),
        _ => Err(StoreError::UnsupportedUrl(url.to_owned())),
    }
}
