//! Reading audit logs back: filters ([`AuditQuery`]), a streaming reader over the JSON
//! Lines file ([`AuditReader`]) and per-(client, action) track records for the policy's
//! graduation rule ([`action_histories`]).
//!
//! The reader holds one line at a time, so memory does not grow with the file. Time
//! windows are half-open: `since` is inclusive, `until` exclusive, so consecutive windows
//! (`--since A --until B`, `--since B --until C`) never count a record twice.
//!
//! Timestamps are RFC 3339 (<https://www.rfc-editor.org/rfc/rfc3339#section-5.6>), as the
//! audit record of DESIGN §6 stores them.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use msp_agent_policy::{ActionHistory, Outcome};
use serde::Serialize;

use super::record::{ActionResult, AuditRecord, ChainError, GENESIS_HASH};

/// The `approver` of actions the agent ran on its own.
pub const APPROVER_AUTO: &str = "auto";
/// The `approver` of actions no human answered (escalated, shadow, halted, timed out).
pub const APPROVER_NONE: &str = "none";

/// The `result.status` of a record, without the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    /// Ran and succeeded.
    Ok,
    /// Ran (or tried to) and failed.
    Error,
    /// Did not run.
    NotRun,
}

impl ResultStatus {
    /// The status of a result.
    pub fn of(result: &ActionResult) -> Self {
        match result {
            ActionResult::Ok => ResultStatus::Ok,
            ActionResult::Error { .. } => ResultStatus::Error,
            ActionResult::NotRun => ResultStatus::NotRun,
        }
    }

    /// The snake_case name used in the audit file.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResultStatus::Ok => "ok",
            ResultStatus::Error => "error",
            ResultStatus::NotRun => "not_run",
        }
    }
}

/// Error for parsing a [`ResultStatus`] or a timestamp from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {expected}")]
pub struct ParseValueError {
    value: String,
    expected: &'static str,
}

impl FromStr for ResultStatus {
    type Err = ParseValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ok" => Ok(ResultStatus::Ok),
            "error" => Ok(ResultStatus::Error),
            "not_run" => Ok(ResultStatus::NotRun),
            _ => Err(ParseValueError {
                value: s.to_owned(),
                expected: "a result status (ok, error, not_run)",
            }),
        }
    }
}

/// Parse an RFC 3339 timestamp (any offset) into UTC.
///
/// ```
/// use msp_agent_core::audit::parse_timestamp;
/// let t = parse_timestamp("2026-01-02T03:04:05+01:00").unwrap();
/// assert_eq!(t.to_rfc3339(), "2026-01-02T02:04:05+00:00");
/// assert!(parse_timestamp("2026-01-02").is_err());
/// ```
pub fn parse_timestamp(s: &str) -> Result<DateTime<Utc>, ParseValueError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| ParseValueError {
            value: s.to_owned(),
            expected: "an RFC 3339 timestamp (e.g. 2026-01-31T09:00:00Z)",
        })
}

/// Which records to keep. Every set field must match (AND); unset fields match anything.
///
/// ```
/// use msp_agent_core::audit::{AuditQuery, parse_timestamp};
/// let q = AuditQuery::new()
///     .tenant("acme")
///     .action("reset_password")
///     .since(parse_timestamp("2026-01-01T00:00:00Z").unwrap());
/// assert_eq!(q.tenant.as_deref(), Some("acme"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// Client (`tenant`), exact.
    pub tenant: Option<String>,
    /// Ticket (`ticket_id`), exact.
    pub ticket: Option<String>,
    /// Policy action (`action`), exact.
    pub action: Option<String>,
    /// Decided outcome.
    pub outcome: Option<Outcome>,
    /// Result status.
    pub status: Option<ResultStatus>,
    /// `approver`, exact (`auto`, `none` or a person).
    pub approver: Option<String>,
    /// Keep records with `ts >= since` (inclusive).
    pub since: Option<DateTime<Utc>>,
    /// Keep records with `ts < until` (exclusive).
    pub until: Option<DateTime<Utc>>,
}

impl AuditQuery {
    /// A query that matches every record.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only this client.
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }
    /// Only this ticket.
    pub fn ticket(mut self, ticket: impl Into<String>) -> Self {
        self.ticket = Some(ticket.into());
        self
    }
    /// Only this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }
    /// Only this outcome.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = Some(outcome);
        self
    }
    /// Only this result status.
    pub fn status(mut self, status: ResultStatus) -> Self {
        self.status = Some(status);
        self
    }
    /// Only this approver.
    pub fn approver(mut self, approver: impl Into<String>) -> Self {
        self.approver = Some(approver.into());
        self
    }
    /// Only records at or after `ts`.
    pub fn since(mut self, ts: DateTime<Utc>) -> Self {
        self.since = Some(ts);
        self
    }
    /// Only records strictly before `ts`.
    pub fn until(mut self, ts: DateTime<Utc>) -> Self {
        self.until = Some(ts);
        self
    }

    /// Does the record match every set filter?
    pub fn matches(&self, record: &AuditRecord) -> bool {
        let e = &record.entry;
        let eq = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        eq(&self.tenant, e.tenant.as_str())
            && eq(&self.ticket, e.ticket_id.as_str())
            && eq(&self.action, &e.action)
            && eq(&self.approver, &e.approver)
            && self.outcome.is_none_or(|o| o == e.outcome)
            && self.status.is_none_or(|s| s == ResultStatus::of(&e.result))
            && self.since.is_none_or(|t| e.ts >= t)
            && self.until.is_none_or(|t| e.ts < t)
    }
}

/// Why an audit log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The line could not be read (I/O error or invalid UTF-8).
    #[error("line {line}: {source}")]
    Io {
        /// 1-based line number.
        line: usize,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The line is not an audit record.
    #[error("line {line}: not an audit record: {message}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// With [`AuditReader::verify_chain`]: the hash chain breaks here.
    #[error(transparent)]
    Chain(ChainError),
}

impl ReadError {
    /// The 1-based line of the problem.
    pub fn line(&self) -> usize {
        match self {
            ReadError::Io { line, .. } | ReadError::Malformed { line, .. } => *line,
            ReadError::Chain(e) => e.line(),
        }
    }
}

/// Streams the records of a JSON Lines audit log that match a query, one line in memory
/// at a time. Blank lines are skipped; the first error ends the stream.
///
/// ```
/// use msp_agent_core::audit::{AuditQuery, AuditReader};
/// let mut r = AuditReader::new("\nnot json\n".as_bytes(), AuditQuery::new());
/// assert_eq!(r.next().unwrap().unwrap_err().line(), 2);
/// assert!(r.next().is_none());
/// ```
#[derive(Debug)]
pub struct AuditReader<R> {
    input: R,
    query: AuditQuery,
    buf: String,
    line: usize,
    /// `Some(last hash)` when verifying the chain.
    chain: Option<String>,
    done: bool,
}

impl AuditReader<BufReader<File>> {
    /// Open a log file.
    pub fn open(path: impl AsRef<Path>, query: AuditQuery) -> std::io::Result<Self> {
        Ok(Self::new(BufReader::new(File::open(path)?), query))
    }
}

impl<R: BufRead> AuditReader<R> {
    /// Read records from `input`.
    pub fn new(input: R, query: AuditQuery) -> Self {
        AuditReader {
            input,
            query,
            buf: String::new(),
            line: 0,
            chain: None,
            done: false,
        }
    }

    /// Also check every record's hash and link (as [`verify_chain`](super::verify_chain)
    /// does), whether it matches the query or not; a break ends the stream with
    /// [`ReadError::Chain`].
    pub fn verify_chain(mut self) -> Self {
        self.chain = Some(GENESIS_HASH.to_owned());
        self
    }

    /// Line number of the last line read (0 before the first).
    pub fn line(&self) -> usize {
        self.line
    }

    fn next_record(&mut self) -> Option<Result<AuditRecord, ReadError>> {
        loop {
            self.buf.clear();
            match self.input.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => self.line += 1,
                Err(source) => {
                    return Some(Err(ReadError::Io {
                        line: self.line + 1,
                        source,
                    }));
                }
            }
            if self.buf.trim().is_empty() {
                continue;
            }
            let line = self.line;
            let record: AuditRecord = match serde_json::from_str(&self.buf) {
                Ok(r) => r,
                Err(e) => {
                    return Some(Err(ReadError::Malformed {
                        line,
                        message: e.to_string(),
                    }));
                }
            };
            if let Some(prev) = &mut self.chain {
                if !record.hash_is_valid() {
                    return Some(Err(ReadError::Chain(ChainError::BadHash { line })));
                }
                if record.prev_hash != *prev {
                    return Some(Err(ReadError::Chain(ChainError::BrokenLink { line })));
                }
                prev.clone_from(&record.hash);
            }
            if self.query.matches(&record) {
                return Some(Ok(record));
            }
        }
    }
}

impl<R: BufRead> Iterator for AuditReader<R> {
    type Item = Result<AuditRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_record();
        self.done = !matches!(item, Some(Ok(_)));
        item
    }
}

/// The track record of one action for one client, as the audit log shows it.
///
/// `history` holds what [`Policy::graduation`](msp_agent_policy::Policy::graduation)
/// needs, derived from each record's `outcome`, `approver` and `result`:
///
/// | record                                                        | counted as          |
/// |---------------------------------------------------------------|---------------------|
/// | `await_approval`, result `ok`                                 | `history.approved`  |
/// | `await_approval`, `not_run`, approver other than `none`       | `history.rejected`  |
/// | result `error` (any outcome: approved or autonomous runs)     | `history.errors`    |
/// | `await_approval`, `not_run`, approver `none`                  | `timed_out`         |
/// | `execute`, result `ok`                                        | `autonomous_ok`     |
/// | `escalate`, `log_only`, `halted`                              | `not_run`           |
///
/// Limits of the log: it has no explicit "rejected" marker, so a rejection is inferred
/// from a named approver on an approval that did not run (the runtime writes `none` when
/// no one answered); a person literally named `none` would be miscounted as a timeout.
/// The log only holds actions the policy decided: calls rejected by argument validation
/// are never audited, so they are not in any count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionTally {
    /// Client.
    pub tenant: String,
    /// Action.
    pub action: String,
    /// Approved-and-succeeded, rejected and failed counts.
    pub history: ActionHistory,
    /// Approval requests no one answered in time (or with no approval gateway).
    pub timed_out: u32,
    /// Autonomous executions that succeeded.
    pub autonomous_ok: u32,
    /// Escalated, shadow-logged or halted decisions.
    pub not_run: u32,
    /// Records counted.
    pub records: u32,
    /// Earliest record's timestamp.
    pub first: DateTime<Utc>,
    /// Latest record's timestamp.
    pub last: DateTime<Utc>,
}

impl ActionTally {
    fn new(record: &AuditRecord) -> Self {
        ActionTally {
            tenant: record.entry.tenant.as_str().to_owned(),
            action: record.entry.action.clone(),
            history: ActionHistory::default(),
            timed_out: 0,
            autonomous_ok: 0,
            not_run: 0,
            records: 0,
            first: record.entry.ts,
            last: record.entry.ts,
        }
    }

    fn add(&mut self, record: &AuditRecord) {
        let e = &record.entry;
        let bump = |n: &mut u32| *n = n.saturating_add(1);
        match (e.outcome, &e.result) {
            (_, ActionResult::Error { .. }) => bump(&mut self.history.errors),
            (Outcome::AwaitApproval, ActionResult::Ok) => bump(&mut self.history.approved),
            (Outcome::AwaitApproval, ActionResult::NotRun) if e.approver == APPROVER_NONE => {
                bump(&mut self.timed_out);
            }
            (Outcome::AwaitApproval, ActionResult::NotRun) => bump(&mut self.history.rejected),
            (_, ActionResult::Ok) => bump(&mut self.autonomous_ok),
            (_, ActionResult::NotRun) => bump(&mut self.not_run),
        }
        bump(&mut self.records);
        self.first = self.first.min(e.ts);
        self.last = self.last.max(e.ts);
    }

    /// The `(client, action, history)` triple [`Policy::graduation`] takes.
    ///
    /// [`Policy::graduation`]: msp_agent_policy::Policy::graduation
    pub fn graduation_input(&self) -> (&str, &str, ActionHistory) {
        (&self.tenant, &self.action, self.history)
    }
}

/// Accumulates [`ActionTally`]s record by record; memory grows with the number of
/// (client, action) pairs, not with the number of records.
#[derive(Debug, Clone, Default)]
pub struct HistoryBuilder {
    tallies: BTreeMap<(String, String), ActionTally>,
}

impl HistoryBuilder {
    /// No records yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one record.
    pub fn add(&mut self, record: &AuditRecord) {
        let key = (
            record.entry.tenant.as_str().to_owned(),
            record.entry.action.clone(),
        );
        self.tallies
            .entry(key)
            .or_insert_with(|| ActionTally::new(record))
            .add(record);
    }

    /// The tallies, sorted by client then action.
    pub fn finish(self) -> Vec<ActionTally> {
        self.tallies.into_values().collect()
    }
}

/// Tally records per (client, action), sorted by client then action.
///
/// ```
/// # use msp_agent_core::audit::action_histories;
/// # let records: Vec<msp_agent_core::audit::AuditRecord> = Vec::new();
/// assert!(action_histories(&records).is_empty());
/// ```
pub fn action_histories<T: Borrow<AuditRecord>>(
    records: impl IntoIterator<Item = T>,
) -> Vec<ActionTally> {
    let mut builder = HistoryBuilder::new();
    for r in records {
        builder.add(r.borrow());
    }
    builder.finish()
}
