//! The audit record of DESIGN §6 and its SHA-256 hash chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{TenantId, TicketId, UserId};
use msp_agent_policy::{Outcome, Tier};

/// `prev_hash` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Result of a decided action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ActionResult {
    /// Ran and succeeded.
    Ok,
    /// Ran (or tried to) and failed.
    Error {
        /// What went wrong.
        message: String,
    },
    /// Did not run (escalated, halted, shadow, rejected, timed out).
    NotRun,
}

/// One decided action, before it is chained. Holds no secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// When it was decided (RFC 3339).
    pub ts: DateTime<Utc>,
    /// The client.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket_id: TicketId,
    /// The user the action affects, if any.
    pub affected_user: Option<UserId>,
    /// Policy action name.
    pub action: String,
    /// Tool that implements it.
    pub tool: String,
    /// The validated tool arguments and the exact vendor calls made (secrets redacted).
    pub request: serde_json::Value,
    /// Tier decided.
    pub tier: Tier,
    /// Outcome decided.
    pub outcome: Outcome,
    /// `auto`, or who approved.
    pub approver: String,
    /// What happened.
    pub result: ActionResult,
    /// Why the agent did it, and the policy's reasons.
    pub reasoning: String,
}

/// A chained audit record: an entry plus `prev_hash` and `hash`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hash of the previous record ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of this record without `hash`, including `prev_hash`.
    pub hash: String,
}

#[derive(Serialize)]
struct Unhashed<'a> {
    #[serde(flatten)]
    entry: &'a AuditEntry,
    prev_hash: &'a str,
}

/// Hex SHA-256 of an entry chained to `prev_hash`.
pub fn chain_hash(entry: &AuditEntry, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    // Serializing plain data into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut HashWriter(&mut hasher), &Unhashed { entry, prev_hash });
    hex(&hasher.finalize())
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An entry serialized and hashed up to its `prev_hash`, so that a sink only has to
/// finish the hash under its lock (the expensive part runs outside it).
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    entry: AuditEntry,
    /// The record's JSON up to the value of `prev_hash` (`{…,"prev_hash":"`).
    prefix: String,
    hasher: Sha256,
}

impl PreparedEntry {
    /// Serialize and start hashing an entry.
    pub fn new(entry: AuditEntry) -> Self {
        // Serializing plain data into a String cannot fail.
        let mut prefix = serde_json::to_string(&entry).unwrap_or_default();
        prefix.pop(); // the closing brace
        prefix.push_str(",\"prev_hash\":\"");
        let mut hasher = Sha256::new();
        hasher.update(prefix.as_bytes());
        PreparedEntry {
            entry,
            prefix,
            hasher,
        }
    }

    /// Chain after `prev_hash`: the record and its JSON line (without newline).
    pub fn chain(self, prev_hash: &str) -> (AuditRecord, String) {
        let mut hasher = self.hasher;
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\"}");
        let hash = hex(&hasher.finalize());
        let mut line = self.prefix;
        line.reserve(prev_hash.len() + hash.len() + 12);
        line.push_str(prev_hash);
        line.push_str("\",\"hash\":\"");
        line.push_str(&hash);
        line.push_str("\"}");
        (
            AuditRecord {
                entry: self.entry,
                prev_hash: prev_hash.to_owned(),
                hash,
            },
            line,
        )
    }
}

fn hex(digest: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    for &b in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    hex
}

impl AuditRecord {
    /// Chain an entry after the record whose hash is `prev_hash`.
    pub fn chain(entry: AuditEntry, prev_hash: String) -> Self {
        let hash = chain_hash(&entry, &prev_hash);
        AuditRecord {
            entry,
            prev_hash,
            hash,
        }
    }

    /// True when `hash` matches the record's content.
    pub fn hash_is_valid(&self) -> bool {
        chain_hash(&self.entry, &self.prev_hash) == self.hash
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A line is not a valid record.
    #[error("line {line}: not an audit record: {message}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// A record's hash does not match its content.
    #[error("line {line}: hash does not match the record (altered)")]
    BadHash {
        /// 1-based line number.
        line: usize,
    },
    /// A record does not follow the one before it.
    #[error("line {line}: prev_hash does not match the previous record (removed or reordered)")]
    BrokenLink {
        /// 1-based line number.
        line: usize,
    },
}

impl ChainError {
    /// The 1-based line of the first bad record.
    pub fn line(&self) -> usize {
        match self {
            ChainError::Malformed { line, .. }
            | ChainError::BadHash { line }
            | ChainError::BrokenLink { line } => *line,
        }
    }
}

/// Verify a JSON Lines audit log; returns the number of records.
///
/// ```
/// use msp_agent_core::audit::verify_chain;
/// assert_eq!(verify_chain("".as_bytes()).unwrap(), 0);
/// assert_eq!(verify_chain("{}\n".as_bytes()).unwrap_err().line(), 1);
/// ```
pub fn verify_chain(reader: impl std::io::BufRead) -> Result<usize, ChainError> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut count = 0;
    for (i, line) in reader.lines().enumerate() {
        let line_no = i + 1;
        let line = line.map_err(|e| ChainError::Malformed {
            line: line_no,
            message: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: AuditRecord =
            serde_json::from_str(&line).map_err(|e| ChainError::Malformed {
                line: line_no,
                message: e.to_string(),
            })?;
        if !record.hash_is_valid() {
            return Err(ChainError::BadHash { line: line_no });
        }
        if record.prev_hash != prev {
            return Err(ChainError::BrokenLink { line: line_no });
        }
        prev = record.hash;
        count += 1;
    }
    Ok(count)
}
