//! Durable, crash-consistent persistence of a simulated world to one JSON file, for
//! [`SimMsp::persistent`](crate::SimMsp::persistent).
//!
//! Every tenant is serialized after each operation on it and compared with what was last
//! saved; only a change rewrites the file. A rewrite goes to a temporary file in the same
//! directory, which is fsynced and renamed over the state file (then the directory is
//! fsynced), so a process killed at any instant leaves the old or the new state, never a
//! torn file.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use msp_agent_core::capability::ApprovalRequest;
use msp_agent_core::domain::{TenantId, UserId};
use serde::{Deserialize, Serialize};

use crate::seed;
use crate::state::{Delivery, Inner, TenantState, lock};

/// Version of the state file layout.
pub const FORMAT_VERSION: u64 = 1;

/// Why a persistent simulator could not load or save its state file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistError {
    /// Reading, writing, syncing or renaming a file failed.
    #[error("simulator state file `{}`: {source}", path.display())]
    Io {
        /// The file concerned (the state file, its temporary file or its directory).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The state file is not a valid simulator state (corrupt, truncated, edited).
    #[error("simulator state file `{}` is corrupt or truncated: {source}", path.display())]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// What the parser found.
        #[source]
        source: serde_json::Error,
    },
    /// The state file was written by an incompatible version of the simulator.
    #[error(
        "simulator state file `{}` has format version {found}, expected {FORMAT_VERSION}",
        path.display()
    )]
    Version {
        /// The state file.
        path: PathBuf,
        /// The version it declares.
        found: u64,
    },
    /// The state could not be serialized.
    #[error("cannot serialize the simulator state: {0}")]
    Encode(#[source] serde_json::Error),
}

/// The persistence of one world: where it is saved and what was saved last.
pub(crate) struct Persist {
    path: PathBuf,
    tmp: PathBuf,
    /// Each tenant as last saved. Its lock also serializes writes of the file; it is taken
    /// after a tenant lock, never before one.
    saved: Mutex<BTreeMap<TenantId, String>>,
}

impl Persist {
    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Save the file if `t` (locked by the caller) changed since it was last saved.
    pub fn save_tenant(&self, inner: &Inner, t: &TenantState) -> Result<(), PersistError> {
        let json = serde_json::to_string(t).map_err(PersistError::Encode)?;
        let mut saved = lock(&self.saved);
        if saved.get(&t.id) == Some(&json) {
            return Ok(());
        }
        let old = saved.insert(t.id.clone(), json);
        let written = self.write(inner, &saved);
        if written.is_err() {
            // Keep the last saved version so that the next operation tries again.
            match old {
                Some(o) => saved.insert(t.id.clone(), o),
                None => saved.remove(&t.id),
            };
        }
        written
    }

    /// Save the file after a change of the shared outbox, challenges or approval log.
    pub fn save_shared(&self, inner: &Inner) -> Result<(), PersistError> {
        let saved = lock(&self.saved);
        self.write(inner, &saved)
    }

    /// Write the whole world: the saved tenants and the current shared state.
    fn write(&self, inner: &Inner, saved: &BTreeMap<TenantId, String>) -> Result<(), PersistError> {
        let shared = {
            let outbox = lock(&inner.outbox);
            let approvals = lock(&inner.approvals);
            let challenges = lock(&inner.challenges);
            let deny = lock(&inner.deny_challenges);
            let mut deny_challenges: Vec<&UserId> = deny.iter().collect();
            deny_challenges.sort();
            serde_json::to_string(&SharedOut {
                outbox: &outbox,
                approvals: &approvals,
                challenges: &challenges,
                deny_challenges,
            })
            .map_err(PersistError::Encode)?
        };
        let mut text = format!(
            "{{\"format\":{FORMAT_VERSION},\"next_ticket\":{},\"shared\":{shared},\"tenants\":{{",
            inner.next_ticket.load(Ordering::SeqCst)
        );
        for (i, (id, json)) in saved.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(id).map_err(PersistError::Encode)?);
            text.push(':');
            text.push_str(json);
        }
        text.push_str("}}\n");
        write_atomic(&self.path, &self.tmp, text.as_bytes())
    }
}

#[derive(Serialize)]
struct SharedOut<'a> {
    outbox: &'a [Delivery],
    approvals: &'a [ApprovalRequest],
    challenges: &'a [(TenantId, UserId, String)],
    deny_challenges: Vec<&'a UserId>,
}

#[derive(Deserialize)]
struct Header {
    format: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[serde(rename = "format")]
    _format: u64,
    next_ticket: u64,
    shared: SharedIn,
    tenants: BTreeMap<TenantId, TenantState>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedIn {
    outbox: Vec<Delivery>,
    approvals: Vec<ApprovalRequest>,
    challenges: Vec<(TenantId, UserId, String)>,
    deny_challenges: HashSet<UserId>,
}

/// The temporary file a save writes before renaming it over `path`.
fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replace `path` by `bytes` atomically and durably: write `tmp`, fsync it, rename it over
/// `path`, fsync the directory.
fn write_atomic(path: &Path, tmp: &Path, bytes: &[u8]) -> Result<(), PersistError> {
    {
        let mut f = File::create(tmp).map_err(io_err(tmp))?;
        f.write_all(bytes).map_err(io_err(tmp))?;
        f.sync_all().map_err(io_err(tmp))?;
    }
    fs::rename(tmp, path).map_err(io_err(path))?;
    sync_dir(path)
}

/// Make the rename durable (directories cannot be opened for syncing outside Unix).
#[cfg(unix)]
fn sync_dir(path: &Path) -> Result<(), PersistError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> Result<(), PersistError> {
    Ok(())
}

/// Load the world saved at `path`, or seed one and save it there if there is no file.
/// A temporary file left by a save interrupted by a crash is removed.
pub(crate) fn open(path: &Path) -> Result<Inner, PersistError> {
    let tmp = tmp_path(path);
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_err(&tmp)(e)),
        _ => {}
    }
    let (mut inner, fresh) = match fs::read(path) {
        Ok(bytes) => (decode(path, &bytes)?, false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (seed::build(), true),
        Err(e) => return Err(io_err(path)(e)),
    };
    let mut saved = BTreeMap::new();
    for (id, m) in &inner.tenants {
        let json = serde_json::to_string(&*lock(m)).map_err(PersistError::Encode)?;
        saved.insert(id.clone(), json);
    }
    let persist = Persist {
        path: path.to_path_buf(),
        tmp,
        saved: Mutex::new(saved),
    };
    if fresh {
        persist.save_shared(&inner)?;
    }
    inner.persist = Some(persist);
    Ok(inner)
}

fn decode(path: &Path, bytes: &[u8]) -> Result<Inner, PersistError> {
    let corrupt = |source| PersistError::Corrupt {
        path: path.to_path_buf(),
        source,
    };
    let header: Header = serde_json::from_slice(bytes).map_err(corrupt)?;
    if header.format != FORMAT_VERSION {
        return Err(PersistError::Version {
            path: path.to_path_buf(),
            found: header.format,
        });
    }
    let file: FileIn = serde_json::from_slice(bytes).map_err(corrupt)?;
    let tenants = file
        .tenants
        .into_iter()
        .map(|(id, mut t)| {
            t.id = id.clone();
            t.reindex();
            t.vault = seed::vault(&id);
            (id, Mutex::new(t))
        })
        .collect();
    Ok(Inner {
        tenants,
        next_ticket: AtomicU64::new(file.next_ticket),
        outbox: Mutex::new(file.shared.outbox),
        approvals: Mutex::new(file.shared.approvals),
        challenges: Mutex::new(file.shared.challenges),
        deny_challenges: Mutex::new(file.shared.deny_challenges),
        persist: None,
    })
}
