//! Historical ticket readers: CSV (header-driven) and JSON Lines, streamed one record at a time.
//!
//! Columns / keys (any order; unknown ones are ignored):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `id`, `tenant` | yes | PSA ticket id and client |
//! | `requester` | no | sender address (used to verify the requester) |
//! | `created`, `first_response`, `resolved` | no | RFC 3339 (`2025-09-01T08:30:00Z`) or `YYYY-MM-DD HH:MM[:SS]` in UTC; empty = missing |
//! | `subject`, `body` | no | the text the agent reads |
//! | `board`, `type` (or `intent`), `priority`, `assignee`, `resolution` | no | what the human did; `type` is the human's label |
//! | `reassignments` | no | times the ticket changed hands |
//!
//! A row that cannot be read (wrong number of fields, missing id or tenant, a bad timestamp or
//! number, invalid JSON) is returned as a [`RowError`] with its 1-based line number; reading
//! goes on with the next row. CSV parsing follows RFC 4180 as implemented by the `csv` crate
//! (<https://docs.rs/csv/latest/csv/>): quoted fields may span lines, and a record's line is
//! the line it starts on.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use msp_agent_core::domain::Intent;
use serde::{Deserialize, Deserializer, Serialize};

/// One historical ticket as exported from a PSA.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// PSA ticket id.
    pub id: String,
    /// Client.
    pub tenant: String,
    /// Sender address.
    #[serde(default)]
    pub requester: String,
    /// Opened.
    #[serde(default, deserialize_with = "timestamp")]
    pub created: Option<DateTime<Utc>>,
    /// First human response.
    #[serde(default, deserialize_with = "timestamp")]
    pub first_response: Option<DateTime<Utc>>,
    /// Resolved.
    #[serde(default, deserialize_with = "timestamp")]
    pub resolved: Option<DateTime<Utc>>,
    /// Subject.
    #[serde(default)]
    pub subject: String,
    /// Body.
    #[serde(default)]
    pub body: String,
    /// The human's board.
    #[serde(default)]
    pub board: String,
    /// The human's type (label).
    #[serde(default, rename = "type", alias = "intent")]
    pub kind: String,
    /// The human's priority.
    #[serde(default)]
    pub priority: String,
    /// Last assignee.
    #[serde(default)]
    pub assignee: String,
    /// Resolution note.
    #[serde(default)]
    pub resolution: String,
    /// Times it changed hands.
    #[serde(default)]
    pub reassignments: Option<u32>,
}

/// Parse a timestamp: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DDTHH:MM[:SS]` as UTC.
pub fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(|n| n.and_utc())
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_timestamp(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("bad timestamp `{s}`"))),
    }
}

/// The intent a human's type names: snake_case of the words (`Password Reset`,
/// `password-reset` → `password_reset`) or a common PSA alias; `None` when empty or unknown.
pub fn human_intent(kind: &str) -> Option<Intent> {
    let norm: String = kind
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' | '/' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    if let Ok(i) = norm.parse() {
        return Some(i);
    }
    Some(match norm.as_str() {
        "password" | "forgotten_password" => Intent::PasswordReset,
        "unlock" | "locked_out" | "account_locked" => Intent::AccountUnlock,
        "mfa" | "2fa_reset" | "mfa_reset_request" => Intent::MfaReset,
        "new_user" | "new_starter" => Intent::Onboarding,
        "leaver" | "user_termination" => Intent::Offboarding,
        "phishing" | "security" => Intent::SecurityIncident,
        "printer" | "printing" => Intent::PrinterIssue,
        "vpn" => Intent::VpnIssue,
        _ => return None,
    })
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    /// 1-based line number (where the record starts).
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// By file extension: `.jsonl`, `.ndjson` and `.json` are JSON Lines, anything else CSV.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson" | "json") => Format::JsonLines,
            _ => Format::Csv,
        }
    }
}

/// Why a whole input cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// I/O.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The CSV header is unreadable or lacks `id` / `tenant`.
    #[error("bad CSV header: {0}")]
    Header(String),
}

enum Inner<R: Read> {
    Csv {
        reader: csv::Reader<R>,
        headers: csv::StringRecord,
        record: csv::StringRecord,
    },
    Jsonl {
        lines: BufReader<R>,
        line: u64,
        buf: String,
    },
}

/// A streaming reader of [`HistoryRecord`]s: yields each record or the [`RowError`] of a
/// malformed row, in input order.
pub struct HistoryReader<R: Read> {
    inner: Inner<R>,
}

impl<R: Read> std::fmt::Debug for HistoryReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HistoryReader { .. }")
    }
}

impl<R: Read> HistoryReader<R> {
    /// A CSV reader; reads and checks the header row.
    pub fn csv(input: R) -> Result<Self, HistoryError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::Headers)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| HistoryError::Header(e.to_string()))?
            .clone();
        for need in ["id", "tenant"] {
            if !headers.iter().any(|h| h == need) {
                return Err(HistoryError::Header(format!("no `{need}` column")));
            }
        }
        Ok(HistoryReader {
            inner: Inner::Csv {
                reader,
                headers,
                record: csv::StringRecord::new(),
            },
        })
    }

    /// A JSON Lines reader (blank lines are skipped).
    pub fn json_lines(input: R) -> Self {
        HistoryReader {
            inner: Inner::Jsonl {
                lines: BufReader::new(input),
                line: 0,
                buf: String::new(),
            },
        }
    }

    /// A reader of `format`.
    pub fn new(input: R, format: Format) -> Result<Self, HistoryError> {
        match format {
            Format::Csv => Self::csv(input),
            Format::JsonLines => Ok(Self::json_lines(input)),
        }
    }
}

fn check(rec: HistoryRecord, line: u64) -> Result<HistoryRecord, RowError> {
    if rec.id.trim().is_empty() || rec.tenant.trim().is_empty() {
        return Err(RowError {
            line,
            message: "missing id or tenant".to_owned(),
        });
    }
    Ok(rec)
}

impl<R: Read> Iterator for HistoryReader<R> {
    type Item = Result<HistoryRecord, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                headers,
                record,
            } => match reader.read_record(record) {
                Ok(false) => None,
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    Some(
                        record
                            .deserialize::<HistoryRecord>(Some(headers))
                            .map_err(|e| RowError {
                                line,
                                message: match e.kind() {
                                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                                    _ => e.to_string(),
                                },
                            })
                            .and_then(|r| check(r, line)),
                    )
                }
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    let message = match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => format!("expected {expected_len} fields, found {len}"),
                        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                        csv::ErrorKind::Io(_) => return None,
                        _ => e.to_string(),
                    };
                    Some(Err(RowError { line, message }))
                }
            },
            Inner::Jsonl { lines, line, buf } => loop {
                buf.clear();
                *line += 1;
                match lines.read_line(buf) {
                    Ok(0) | Err(_) => return None,
                    Ok(_) if buf.trim().is_empty() => continue,
                    Ok(_) => {
                        let n = *line;
                        return Some(
                            serde_json::from_str::<HistoryRecord>(buf)
                                .map_err(|e| RowError {
                                    line: n,
                                    message: e.to_string(),
                                })
                                .and_then(|r| check(r, n)),
                        );
                    }
                }
            },
        }
    }
}

/// The columns of [`write_csv`], in order.
pub const COLUMNS: [&str; 14] = [
    "id",
    "tenant",
    "requester",
    "created",
    "first_response",
    "resolved",
    "subject",
    "body",
    "board",
    "type",
    "priority",
    "assignee",
    "reassignments",
    "resolution",
];

/// Write records as CSV with the [`COLUMNS`] header (timestamps in RFC 3339).
pub fn write_csv<W: std::io::Write>(
    out: W,
    records: impl IntoIterator<Item = HistoryRecord>,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    let ts = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    for r in records {
        w.write_record([
            r.id,
            r.tenant,
            r.requester,
            ts(r.created),
            ts(r.first_response),
            ts(r.resolved),
            r.subject,
            r.body,
            r.board,
            r.kind,
            r.priority,
            r.assignee,
            r.reassignments.map(|n| n.to_string()).unwrap_or_default(),
            r.resolution,
        ])?;
    }
    w.flush()?;
    Ok(())
}
