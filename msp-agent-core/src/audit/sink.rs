//! Where audit records go.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;

use super::record::{AuditEntry, AuditRecord, GENESIS_HASH, PreparedEntry, verify_chain};

/// Why a record could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// File I/O failed.
    #[error("audit log {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// An existing log does not verify; refusing to extend it.
    #[error("audit log {path}: existing chain is broken: {source}")]
    Broken {
        /// The file.
        path: PathBuf,
        /// The first problem.
        #[source]
        source: super::record::ChainError,
    },
    /// The sink is poisoned by an earlier panic.
    #[error("audit sink unavailable: {0}")]
    Unavailable(String),
}

/// A pluggable audit destination. Implementations chain records (see [`AuditRecord::chain`]).
#[async_trait]
pub trait AuditSink: Send + Sync {
    /// Chain and store one entry; returns the stored record.
    async fn record(&self, entry: AuditEntry) -> Result<AuditRecord, AuditError>;
    /// Make stored records durable (called at the end of each ticket).
    async fn flush(&self) -> Result<(), AuditError> {
        Ok(())
    }
}

/// Records in memory, for tests and embedding apps that ship records elsewhere.
#[derive(Debug, Default)]
pub struct MemoryAuditSink {
    records: Mutex<Vec<AuditRecord>>,
}

impl MemoryAuditSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }
    /// A copy of every record so far.
    pub fn records(&self) -> Vec<AuditRecord> {
        self.records.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl AuditSink for MemoryAuditSink {
    async fn record(&self, entry: AuditEntry) -> Result<AuditRecord, AuditError> {
        let mut records = self
            .records
            .lock()
            .map_err(|e| AuditError::Unavailable(e.to_string()))?;
        let prev = records
            .last()
            .map_or_else(|| GENESIS_HASH.to_owned(), |r| r.hash.clone());
        let record = AuditRecord::chain(entry, prev);
        records.push(record.clone());
        Ok(record)
    }
}

/// Append-only JSON Lines file with a SHA-256 hash chain (DESIGN §6).
///
/// Opening an existing file verifies its chain and continues it.
#[derive(Debug)]
pub struct JsonlAuditSink {
    path: PathBuf,
    state: Mutex<FileState>,
}

#[derive(Debug)]
struct FileState {
    out: BufWriter<File>,
    last_hash: String,
}

impl JsonlAuditSink {
    /// Open (or create) a log for appending.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, AuditError> {
        let path = path.as_ref().to_path_buf();
        let io = |source| AuditError::Io {
            path: path.clone(),
            source,
        };
        let mut last_hash = GENESIS_HASH.to_owned();
        if path.exists() {
            let file = File::open(&path).map_err(io)?;
            verify_chain(BufReader::new(&file)).map_err(|source| AuditError::Broken {
                path: path.clone(),
                source,
            })?;
            let file = File::open(&path).map_err(io)?;
            for line in BufReader::new(file).lines() {
                let line = line.map_err(io)?;
                if let Ok(r) = serde_json::from_str::<AuditRecord>(&line) {
                    last_hash = r.hash;
                }
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        Ok(JsonlAuditSink {
            path: path.clone(),
            state: Mutex::new(FileState {
                out: BufWriter::with_capacity(64 * 1024, file),
                last_hash,
            }),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> AuditError {
        AuditError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

#[async_trait]
impl AuditSink for JsonlAuditSink {
    async fn record(&self, entry: AuditEntry) -> Result<AuditRecord, AuditError> {
        // Serialize and hash outside the lock; only the chaining is serialized.
        let prepared = PreparedEntry::new(entry);
        let mut state = self
            .state
            .lock()
            .map_err(|e| AuditError::Unavailable(e.to_string()))?;
        let (record, mut line) = prepared.chain(&state.last_hash);
        line.push('\n');
        state
            .out
            .write_all(line.as_bytes())
            .map_err(|e| self.io(e))?;
        state.last_hash.clone_from(&record.hash);
        Ok(record)
    }

    async fn flush(&self) -> Result<(), AuditError> {
        let mut state = self
            .state
            .lock()
            .map_err(|e| AuditError::Unavailable(e.to_string()))?;
        state.out.flush().map_err(|e| self.io(e))
    }
}

impl Drop for JsonlAuditSink {
    fn drop(&mut self) {
        if let Ok(mut s) = self.state.lock() {
            let _ = s.out.flush();
        }
    }
}
