//! The PostgreSQL store: one database shared by many worker processes.

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
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};

use crate::common::{self, backend, corrupt, lease_lost};

/// A [`RunStore`] in PostgreSQL, migrated on open. Workers in any number of processes
/// share it: claims take rows with `SELECT … FOR UPDATE SKIP LOCKED`, leases expire by
/// the database clock, and every write of a claim is fenced by its attempt.
///
/// The tables live in the connection's `search_path` schema; to keep several stores in
/// one database, give each its own schema (e.g. `?options=-c%20search_path%3Dmine`).
#[derive(Debug, Clone)]
pub struct PostgresRunStore {
    pool: PgPool,
}

const SUMMARY_COLUMNS: &str =
    "id, tenant, ticket, state, attempt, worker, outcome, created_at, updated_at";

/// A claim's fence as a SQL condition, on the given run and attempt parameters.
fn fence(run: &str, attempt: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM runs WHERE id = {run} AND attempt = {attempt} AND state = 'running')"
    )
}

fn secs(lease: Duration) -> f64 {
    lease.as_secs_f64()
}

fn summary(row: &PgRow) -> StoreResult<RunSummary> {
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
        created_at: row.try_get("created_at").map_err(corrupt("run row"))?,
        updated_at: row.try_get("updated_at").map_err(corrupt("run row"))?,
    })
}

fn entry(row: &PgRow) -> StoreResult<JournalEntry> {
    Ok(JournalEntry {
        seq: common::seq(row.try_get("seq").map_err(corrupt("step row"))?)?,
        action: row.try_get("action").map_err(corrupt("step row"))?,
        fingerprint: row.try_get("fingerprint").map_err(corrupt("step row"))?,
        started_at: row.try_get("started_at").map_err(corrupt("step row"))?,
        record: common::record(row.try_get("record").map_err(corrupt("step row"))?)?,
    })
}

impl PostgresRunStore {
    /// Connect to `url` (`postgres://…` or `postgresql://…`) and run the migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("PostgreSQL URL: {e}")))?;
        Self::connect_with(options).await
    }

    /// Connect with explicit options and run the migrations.
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(backend("connecting to PostgreSQL store"))?;
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating PostgreSQL store: {e}")))?;
        Ok(Self { pool })
    }

    /// Close the connections (waiting for them to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn begin(&self, context: &'static str) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(backend(context))
    }

    /// Lock the run row of `claim` (`FOR SHARE`: a concurrent re-claim waits for this
    /// transaction) or fail with [`StoreError::LeaseLost`] when it is not current.
    async fn held(tx: &mut Transaction<'static, Postgres>, claim: &Claim) -> StoreResult<()> {
        let live = sqlx::query(
            "SELECT 1 FROM runs WHERE id = $1 AND attempt = $2 AND state = 'running' FOR SHARE",
        )
        .bind(claim.run.0)
        .bind(i64::from(claim.attempt))
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend("checking lease"))?;
        live.map(|_| ()).ok_or_else(|| lease_lost(claim))
    }
}

#[async_trait]
impl RunStore for PostgresRunStore {
    async fn enqueue(&self, tenant: &TenantId, ticket: &TicketId) -> StoreResult<RunId> {
        for _ in 0..5 {
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO runs (tenant, ticket, state) VALUES ($1, $2, 'queued') \
                 ON CONFLICT (tenant, ticket) WHERE state NOT IN ('done', 'failed', 'cancelled') \
                 DO NOTHING RETURNING id",
            )
            .bind(tenant.as_str())
            .bind(ticket.as_str())
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
        }
        Err(StoreError::Backend(format!(
            "enqueue {tenant}/{ticket}: the open run kept changing"
        )))
    }

    async fn claim(&self, worker: &str, lease: Duration, max: usize) -> StoreResult<Vec<Claim>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let mut tx = self.begin("claim").await?;
        // Rank claimable runs within their tenant, take them rank by rank, skipping rows
        // another worker is claiming right now.
        let ids: Vec<i64> = sqlx::query_scalar(
            "WITH ranked AS ( \
                 SELECT id, row_number() OVER (PARTITION BY tenant ORDER BY id) AS rk \
                 FROM runs \
                 WHERE state = 'queued' OR (state = 'running' AND lease_until < now())) \
             SELECT r.id FROM runs r JOIN ranked k ON k.id = r.id \
             WHERE r.state = 'queued' OR (r.state = 'running' AND r.lease_until < now()) \
             ORDER BY k.rk, r.id LIMIT $1 \
             FOR UPDATE OF r SKIP LOCKED",
        )
        .bind(common::limit(max))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend("claim: selecting runs"))?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "UPDATE runs SET state = 'running', attempt = attempt + 1, worker = $1, \
                 lease_until = now() + make_interval(secs => $2), updated_at = now() \
             WHERE id = ANY($3) \
             RETURNING id, tenant, ticket, attempt",
        )
        .bind(worker)
        .bind(secs(lease))
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend("claim: updating runs"))?;
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
        tx.commit().await.map_err(backend("claim: commit"))?;
        Ok(common::claim_order(claims))
    }

    async fn heartbeat(&self, claim: &Claim, lease: Duration) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE runs SET lease_until = now() + make_interval(secs => $1) \
             WHERE id = $2 AND attempt = $3 AND state = 'running'",
        )
        .bind(secs(lease))
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
        let mut tx = self.begin("finish").await?;
        // Lock the run first; `answer_approval` locks it too before re-queueing, so the
        // approvals read below (a new snapshot, after the lock) sees any answer committed
        // before, and an answer committed after sees the parked run.
        let live = sqlx::query(
            "SELECT 1 FROM runs WHERE id = $1 AND attempt = $2 AND state = 'running' FOR UPDATE",
        )
        .bind(claim.run.0)
        .bind(i64::from(claim.attempt))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend("finish: locking run"))?;
        if live.is_none() {
            return Err(lease_lost(claim));
        }
        let done = sqlx::query(
            "UPDATE runs SET \
                 state = CASE WHEN $1 = 'awaiting_approval' AND EXISTS ( \
                     SELECT 1 FROM approvals a WHERE a.run = runs.id AND a.decision IS NOT NULL) \
                     THEN 'queued' ELSE $1 END, \
                 outcome = $2, lease_until = NULL, updated_at = now() \
             WHERE id = $3 AND attempt = $4 AND state = 'running'",
        )
        .bind(state.as_str())
        .bind(outcome)
        .bind(claim.run.0)
        .bind(i64::from(claim.attempt))
        .execute(&mut *tx)
        .await
        .map_err(backend("finish"))?;
        if done.rows_affected() == 0 {
            return Err(lease_lost(claim));
        }
        tx.commit().await.map_err(backend("finish: commit"))
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
        let mut tx = self.begin("step_started").await?;
        Self::held(&mut tx, claim).await?;
        let sql = format!(
            "INSERT INTO steps (run, seq, action, fingerprint, started_at, record) \
             SELECT $1, $2, $3, $4, now(), NULL WHERE {} \
             ON CONFLICT (run, seq) DO UPDATE SET action = EXCLUDED.action, \
                 fingerprint = EXCLUDED.fingerprint, started_at = EXCLUDED.started_at \
             WHERE steps.record IS NULL",
            fence("$1", "$5")
        );
        let done = sqlx::query(&sql)
            .bind(claim.run.0)
            .bind(i64::from(seq))
            .bind(action)
            .bind(fingerprint)
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
        let mut tx = self.begin("step_finished").await?;
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
        let mut tx = self.begin("request_approval").await?;
        Self::held(&mut tx, claim).await?;
        let sql = format!(
            "INSERT INTO approvals (key, run, request) SELECT $1, $2, $3 WHERE {} \
             ON CONFLICT (key) DO NOTHING",
            fence("$2", "$4")
        );
        let inserted = sqlx::query(&sql)
            .bind(key)
            .bind(claim.run.0)
            .bind(text)
            .bind(i64::from(claim.attempt))
            .execute(&mut *tx)
            .await
            .map_err(backend("request_approval: insert"))?;
        if inserted.rows_affected() == 1 {
            tx.commit()
                .await
                .map_err(backend("request_approval: commit"))?;
            return Ok(ApprovalState::New);
        }
        let row = sqlx::query("SELECT requested_at, decision FROM approvals WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("request_approval"))?
            .ok_or_else(|| lease_lost(claim))?;
        let decision = common::decision(row.try_get("decision").map_err(corrupt("approval row"))?)?;
        Ok(match decision {
            Some(d) => ApprovalState::Answered(d),
            None => ApprovalState::Pending {
                requested_at: row
                    .try_get::<DateTime<Utc>, _>("requested_at")
                    .map_err(corrupt("approval row"))?,
            },
        })
    }

    async fn answer_approval(&self, key: &str, decision: &ApprovalDecision) -> StoreResult<()> {
        let text = common::to_json("approval decision", decision)?;
        let mut tx = self.begin("answer_approval").await?;
        let run: i64 = sqlx::query_scalar("SELECT run FROM approvals WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("answer_approval"))?
            .ok_or_else(|| StoreError::NotFound(format!("approval {key}")))?;
        // Lock the run before recording the answer (see `finish`).
        sqlx::query("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE")
            .bind(run)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("answer_approval: locking run"))?;
        // The first answer wins.
        sqlx::query(
            "UPDATE approvals SET decision = COALESCE(decision, $1), \
                 answered_at = COALESCE(answered_at, now()) \
             WHERE key = $2",
        )
        .bind(text)
        .bind(key)
        .execute(&mut *tx)
        .await
        .map_err(backend("answer_approval: recording"))?;
        sqlx::query(
            "UPDATE runs SET state = 'queued', updated_at = now() \
             WHERE id = $1 AND state = 'awaiting_approval'",
        )
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
             WHERE decision IS NULL ORDER BY requested_at, key",
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
                requested_at: row
                    .try_get("requested_at")
                    .map_err(corrupt("approval row"))?,
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
             WHERE ($1::text IS NULL OR tenant = $1) AND ($2::text IS NULL OR state = $2) \
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
        let mut tx = self.begin("requeue").await?;
        let state: String = sqlx::query_scalar("SELECT state FROM runs WHERE id = $1 FOR UPDATE")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend("requeue"))?
            .ok_or_else(|| StoreError::NotFound(format!("run {id}")))?;
        if common::state(&state)? == RunState::Done {
            return Err(StoreError::Conflict(format!("run {id} is done")));
        }
        sqlx::query(
            "UPDATE runs SET state = 'queued', lease_until = NULL, updated_at = now() \
             WHERE id = $1",
        )
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
