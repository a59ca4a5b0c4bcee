//! The SQLite store: one file in WAL mode, the embedded default.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use msp_agent_core::capability::{ApprovalDecision, ApprovalRequest};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::run::{
    ApprovalState, Claim, JournalEntry, RunFilter, RunId, RunState, RunStore, RunSummary,
    StoreError, StoreResult, StoredApproval,
};
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{Row, Sqlite, Transaction};

use crate::common::{self, backend, corrupt, lease_lost};

/// How long a connection waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A [`RunStore`] in a SQLite database file (WAL mode, `busy_timeout`), created and
/// migrated on open. Several processes may open the same file: writes are serialised by
/// SQLite's lock, and each claim is a single `UPDATE … RETURNING` statement, so two
/// processes never claim the same run.
#[derive(Debug, Clone)]
pub struct SqliteRunStore {
    pool: SqlitePool,
}

const SUMMARY_COLUMNS: &str =
    "id, tenant, ticket, state, attempt, worker, outcome, created_at, updated_at";

/// A claim's fence as a SQL condition, on the given run and attempt parameters.
fn fence(run: &str, attempt: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM runs WHERE id = {run} AND attempt = {attempt} AND state = 'running')"
    )
}

/// SQLITE_BUSY and its extended codes.
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| c & 0xff == 5)
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn after(lease: Duration) -> i64 {
    now_ms().saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
}

fn ts(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}

fn summary(row: &SqliteRow) -> StoreResult<RunSummary> {
    Ok(RunSummary {
        id: RunId(row.try_get("id").map_err(corrupt("run row"))?),
        tenant: TenantId::new(
            row.try_get::<String, _>("tenant")
                .map_err(corrupt("run row"))?,
        ),
        ticket: TicketId::new(
            row.try_get::<String, _>("ticket")
                .map_err(corrupt("run row"))?,
        ),
        state: common::state(row.try_get("state").map_err(corrupt("run row"))?)?,
        attempt: common::attempt(row.try_get("attempt").map_err(corrupt("run row"))?)?,
        worker: row.try_get("worker").map_err(corrupt("run row"))?,
        outcome: row.try_get("outcome").map_err(corrupt("run row"))?,
        created_at: ts(row.try_get("created_at").map_err(corrupt("run row"))?)?,
        updated_at: ts(row.try_get("updated_at").map_err(corrupt("run row"))?)?,
    })
}

fn entry(row: &SqliteRow) -> StoreResult<JournalEntry> {
    Ok(JournalEntry {
        seq: common::seq(row.try_get("seq").map_err(corrupt("step row"))?)?,
        action: row.try_get("action").map_err(corrupt("step row"))?,
        fingerprint: row.try_get("fingerprint").map_err(corrupt("step row"))?,
        started_at: ts(row.try_get("started_at").map_err(corrupt("step row"))?)?,
        record: common::record(row.try_get("record").map_err(corrupt("step row"))?)?,
    })
}

impl SqliteRunStore {
    /// Open (creating if missing) the database at `url` — `sqlite://PATH` or
    /// `sqlite::memory:` — and run the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let mut options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("SQLite URL `{url}`: {e}")))?
            .create_if_missing(true)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool_options = if memory {
            // Every connection to `:memory:` is its own database: keep exactly one.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            options = options.journal_mode(SqliteJournalMode::Wal);
            SqlitePoolOptions::new().max_connections(4)
        };
        // Switching a new file to WAL takes an exclusive lock that `busy_timeout` does not
        // wait for: when processes open a new file at once, the losers retry.
        let mut tries = 0;
        let pool = loop {
            match pool_options.clone().connect_with(options.clone()).await {
                Ok(pool) => break pool,
                Err(sqlx::Error::Database(e)) if tries < 20 && is_busy(e.code().as_deref()) => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(10 * tries)).await;
                }
                Err(e) => {
                    return Err(StoreError::Backend(format!(
                        "opening SQLite store `{url}`: {e}"
                    )));
                }
            }
        };
        // Two processes opening a new file at once may race to migrate it: the loser's
        // migration fails (the tables exist), and its retry finds it applied.
        let mut tries = 0;
        loop {
            match sqlx::migrate!("migrations/sqlite").run(&pool).await {
                Ok(()) => break,
                Err(_) if tries < 3 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50 * tries)).await;
                }
                Err(e) => {
                    return Err(StoreError::Backend(format!(
                        "migrating SQLite store `{url}`: {e}"
                    )));
                }
            }
        }
        Ok(Self { pool })
    }

    /// Close the connections (waiting for them to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that holds SQLite's write lock from the start (`BEGIN
    /// IMMEDIATE`): reads inside it cannot be invalidated by another writer.
    async fn write(&self, context: &'static str) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend(context))
    }

    /// Fail with [`StoreError::LeaseLost`] unless `claim` is current (inside a write).
    async fn held(tx: &mut Transaction<'static, Sqlite>, claim: &Claim) -> StoreResult<()> {
        let live =
            sqlx::query("SELECT 1 FROM runs WHERE id = $1 AND attempt = $2 AND state = 'running'")
                .bind(claim.run.0)
                .bind(i64::from(claim.attempt))
                .fetch_optional(&mut **tx)
                .await
                .map_err(backend("checking lease"))?;
        live.map(|_| ()).ok_or_else(|| lease_lost(claim))
    }
}

#[async_trait]
impl RunStore for SqliteRunStore {
    async fn enqueue(&self, tenant: &TenantId, ticket: &TicketId) -> StoreResult<RunId> {
        for _ in 0..5 {
            let now = now_ms();
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO runs (tenant, ticket, state, attempt, created_at, updated_at) \
                 VALUES ($1, $2, 'queued', 0, $3, $3) \
                 ON CONFLICT (tenant, ticket) WHERE state NOT IN ('done', 'failed', 'cancelled') \
                 DO NOTHING RETURNING id",
            )
            .bind(tenant.as_str())
            .bind(ticket.as_str())
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("enqueue"))?;
            if let Some(id) = inserted {
                return Ok(RunId(id));
            }
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM runs WHERE tenant = $1 AND ticket = $2 \
                 AND state NOT IN ('done', 'failed', 'cancelled')",
            )
            .bind(tenant.as_str())
            .bind(ticket.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("enqueue: finding the open run"))?;
            if let Some(id) = open {
                return Ok(RunId(id));
            }
            // The open run finished between the two statements: try again.
        }
        Err(StoreError::Backend(format!(
            "enqueue {tenant}/{ticket}: the open run kept changing"
        )))
    }

    async fn claim(&self, worker: &str, lease: Duration, max: usize) -> StoreResult<Vec<Claim>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        // One statement: SQLite takes the write lock for it, so concurrent claimers (other
        // connections or processes) see each other's claims.
        let rows = sqlx::query(
            "UPDATE runs SET state = 'running', attempt = attempt + 1, worker = $1, \
                 lease_until = $2, updated_at = $3 \
             WHERE id IN ( \
                 SELECT id FROM ( \
                     SELECT id, row_number() OVER (PARTITION BY tenant ORDER BY id) AS rk \
                     FROM runs \
                     WHERE state = 'queued' OR (state = 'running' AND lease_until < $3) \
                 ) ORDER BY rk, id LIMIT $4) \
             RETURNING id, tenant, ticket, attempt",
        )
        .bind(worker)
        .bind(after(lease))
        .bind(now)
        .bind(common::limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(backend("claim"))?;
        let claims = rows
            .iter()
            .map(|row| {
                Ok(Claim {
                    run: RunId(row.try_get("id").map_err(corrupt("claimed run"))?),
                    tenant: TenantId::new(
                        row.try_get::<String, _>("tenant")
                            .map_err(corrupt("claimed run"))?,
                    ),
                    ticket: TicketId::new(
                        row.try_get::<String, _>("ticket")
                            .map_err(corrupt("claimed run"))?,
                    ),
                    attempt: common::attempt(
                        row.try_get("attempt").map_err(corrupt("claimed run"))?,
                    )?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(common::claim_order(claims))
    }

    async fn heartbeat(&self, claim: &Claim, lease: Duration) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE runs SET lease_until = $1 \
             WHERE id = $2 AND attempt = $3 AND state = 'running'",
        )
        .bind(after(lease))
        .bind(claim.run.0)
        .bind(i64::from(claim.attempt))
        .execute(&self.pool)
        .await
        .map_err(backend("heartbeat"))?;
        if done.rows_affected() == 0 {
            return Err(lease_lost(claim));
        }
        Ok(())
    }

    async fn finish(&self, claim: &Claim, state: RunState, outcome: &str) -> StoreResult<()> {
        // One statement: parking on an approval answered meanwhile re-queues at once.
        let done = sqlx::query(
            "UPDATE runs SET \
                 state = CASE WHEN $1 = 'awaiting_approval' AND EXISTS ( \
                     SELECT 1 FROM approvals a WHERE a.run = runs.id AND a.decision IS NOT NULL) \
                     THEN 'queued' ELSE $1 END, \
                 outcome = $2, lease_until = NULL, updated_at = $3 \
             WHERE id = $4 AND attempt = $5 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(outcome)
        .bind(now_ms())
        .bind(claim.run.0)
        .bind(i64::from(claim.attempt))
        .execute(&self.pool)
        .await
        .map_err(backend("finish"))?;
        if done.rows_affected() == 0 {
            return Err(lease_lost(claim));
        }
        Ok(())
    }

    async fn step(&self, run: RunId, seq: u32) -> StoreResult<Option<JournalEntry>> {
        sqlx::query(
            "SELECT seq, action, fingerprint, started_at, record FROM steps \
             WHERE run = $1 AND seq = $2",
        )
        .bind(run.0)
        .bind(i64::from(seq))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend("step"))?
        .as_ref()
        .map(entry)
        .transpose()
    }

    async fn step_started(
        &self,
        claim: &Claim,
        seq: u32,
        action: &str,
        fingerprint: &str,
    ) -> StoreResult<()> {
        let mut tx = self.write("step_started").await?;
        Self::held(&mut tx, claim).await?;
        let sql = format!(
            "INSERT INTO steps (run, seq, action, fingerprint, started_at, record) \
             SELECT $1, $2, $3, $4, $5, NULL WHERE {} \
             ON CONFLICT (run, seq) DO UPDATE SET action = excluded.action, \
                 fingerprint = excluded.fingerprint, started_at = excluded.started_at \
             WHERE steps.record IS NULL",
            fence("$1", "$6")
        );
        let done = sqlx::query(&sql)
            .bind(claim.run.0)
            .bind(i64::from(seq))
            .bind(action)
            .bind(fingerprint)
            .bind(now_ms())
            .bind(i64::from(claim.attempt))
            .execute(&mut *tx)
            .await
            .map_err(backend("step_started"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "run {}: step {seq} already finished",
                claim.run
            )));
        }
        tx.commit().await.map_err(backend("step_started: commit"))
    }

    async fn step_finished(&self, claim: &Claim, seq: u32, record: &Value) -> StoreResult<()> {
        let text = common::to_json("step record", record)?;
        let mut tx = self.write("step_finished").await?;
        Self::held(&mut tx, claim).await?;
        let sql = format!(
            "UPDATE steps SET record = $1 WHERE run = $2 AND seq = $3 AND {}",
            fence("$2", "$4")
        );
        let done = sqlx::query(&sql)
            .bind(text)
            .bind(claim.run.0)
            .bind(i64::from(seq))
            .bind(i64::from(claim.attempt))
            .execute(&mut *tx)
            .await
            .map_err(backend("step_finished"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!(
                "run {}: step {seq}",
                claim.run
            )));
        }
        tx.commit().await.map_err(backend("step_finished: commit"))
    }

    async fn steps(&self, run: RunId) -> StoreResult<Vec<JournalEntry>> {
        sqlx::query(
            "SELECT seq, action, fingerprint, started_at, record FROM steps \
             WHERE run = $1 ORDER BY seq",
        )
        .bind(run.0)
        .fetch_all(&self.pool)
        .await
        .map_err(backend("steps"))?
        .iter()
        .map(entry)
        .collect()
    }

    async fn request_approval(
        &self,
        claim: &Claim,
        key: &str,
        request: &ApprovalRequest,
    ) -> StoreResult<ApprovalState> {
        let text = common::to_json("approval request", request)?;
        let mut tx = self.write("request_approval").await?;
        Self::held(&mut tx, claim).await?;
        let existing = sqlx::query("SELECT requested_at, decision FROM approvals WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("request_approval"))?;
        if let Some(row) = existing {
            let decision =
                common::decision(row.try_get("decision").map_err(corrupt("approval row"))?)?;
            return Ok(match decision {
                Some(d) => ApprovalState::Answered(d),
                None => ApprovalState::Pending {
                    requested_at: ts(row
                        .try_get("requested_at")
                        .map_err(corrupt("approval row"))?)?,
                },
            });
        }
        let sql = format!(
            "INSERT INTO approvals (key, run, request, requested_at) \
             SELECT $1, $2, $3, $4 WHERE {}",
            fence("$2", "$5")
        );
        let done = sqlx::query(&sql)
            .bind(key)
            .bind(claim.run.0)
            .bind(text)
            .bind(now_ms())
            .bind(i64::from(claim.attempt))
            .execute(&mut *tx)
            .await
            .map_err(backend("request_approval: insert"))?;
        if done.rows_affected() == 0 {
            return Err(lease_lost(claim));
        }
        tx.commit()
            .await
            .map_err(backend("request_approval: commit"))?;
        Ok(ApprovalState::New)
    }

    async fn answer_approval(&self, key: &str, decision: &ApprovalDecision) -> StoreResult<()> {
        let text = common::to_json("approval decision", decision)?;
        let now = now_ms();
        let mut tx = self.write("answer_approval").await?;
        // The first answer wins.
        let run: Option<i64> = sqlx::query_scalar(
            "UPDATE approvals SET decision = COALESCE(decision, $1), \
                 answered_at = COALESCE(answered_at, $2) \
             WHERE key = $3 RETURNING run",
        )
        .bind(text)
        .bind(now)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("answer_approval"))?;
        let run = run.ok_or_else(|| StoreError::NotFound(format!("approval {key}")))?;
        sqlx::query(
            "UPDATE runs SET state = 'queued', updated_at = $1 \
             WHERE id = $2 AND state = 'awaiting_approval'",
        )
        .bind(now)
        .bind(run)
        .execute(&mut *tx)
        .await
        .map_err(backend("answer_approval: re-queue"))?;
        tx.commit()
            .await
            .map_err(backend("answer_approval: commit"))
    }

    async fn pending_approvals(&self) -> StoreResult<Vec<StoredApproval>> {
        sqlx::query(
            "SELECT key, run, request, requested_at FROM approvals \
             WHERE decision IS NULL ORDER BY requested_at, rowid",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend("pending_approvals"))?
        .iter()
        .map(|row| {
            Ok(StoredApproval {
                key: row.try_get("key").map_err(corrupt("approval row"))?,
                run: RunId(row.try_get("run").map_err(corrupt("approval row"))?),
                request: common::request(
                    row.try_get::<&str, _>("request")
                        .map_err(corrupt("approval row"))?,
                )?,
                requested_at: ts(row
                    .try_get("requested_at")
                    .map_err(corrupt("approval row"))?)?,
                decision: None,
            })
        })
        .collect()
    }

    async fn run(&self, id: RunId) -> StoreResult<RunSummary> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend("run"))?
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))?;
        summary(&row)
    }

    async fn runs(&self, filter: &RunFilter) -> StoreResult<Vec<RunSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM runs \
             WHERE ($1 IS NULL OR tenant = $1) AND ($2 IS NULL OR state = $2) \
             ORDER BY id DESC LIMIT $3"
        );
        sqlx::query(&sql)
            .bind(filter.tenant.as_ref().map(|t| t.as_str()))
            .bind(filter.state.map(RunState::as_str))
            .bind(common::limit(filter.limit.unwrap_or(usize::MAX)))
            .fetch_all(&self.pool)
            .await
            .map_err(backend("runs"))?
            .iter()
            .map(summary)
            .collect()
    }

    async fn requeue(&self, id: RunId) -> StoreResult<()> {
        let mut tx = self.write("requeue").await?;
        let state: String = sqlx::query_scalar("SELECT state FROM runs WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("requeue"))?
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))?;
        if common::state(&state)? == RunState::Done {
            return Err(StoreError::Conflict(format!("run {id} is done")));
        }
        sqlx::query(
            "UPDATE runs SET state = 'queued', lease_until = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("run {id}: another run of its ticket is open"))
            }
            e => StoreError::Backend(format!("requeue: {e}")),
        })?;
        tx.commit().await.map_err(backend("requeue: commit"))
    }
}
