//! # msp-agent-sim
//!
//! A simulated MSP for msp-agent examples, demos, tests and benchmarks: an in-memory PSA,
//! directory, RMM, documentation, out-of-band delivery and approval gateway implementing
//! every capability trait of [`msp_agent_core`].
//!
//! [`SimMsp::seeded`] builds a deterministic world of three clients (`acme`, `globex`,
//! `initech`) with directory users (locked, disabled, admin, break-glass, service and VIP
//! accounts among them), PSA contacts, devices, groups, shared mailboxes, licences, SOPs,
//! client configuration records and a queue of realistic tickets, each labelled with its
//! ground-truth [`Intent`]. Every write changes observable state (a salted hash of a new
//! password, a cleared lockout, a consumed licence seat, …) and records its simulated vendor
//! call with [`record_call`](msp_agent_core::audit::record_call), secrets redacted.
//!
//! - Queue: [`SimMsp::open_tickets`], [`SimMsp::labelled_tickets`] (ground truth),
//!   [`SimMsp::with_generated_tickets`] for 1k–10k-ticket benchmarks, [`SimMsp::add_ticket`].
//! - Systems: [`SimMsp::capabilities`] (PSA, directory, RMM, documentation, delivery) and
//!   [`SimMsp::approvals`] (a simulated technician, see [`ApprovalMode`]).
//! - Inspection for tests: [`SimMsp::user`], [`SimMsp::password_matches`],
//!   [`SimMsp::delivered_secrets`], [`SimMsp::notes`], [`SimMsp::license`],
//!   [`SimMsp::group_members`], [`SimMsp::mailbox_permissions`], … (no call recorded).
//!
//! - Durability for fault-injection tests: [`SimMsp::persistent`] saves every change to a
//!   file, crash-consistently, and reloads it in a new process.
//!
//! Clients are isolated: a call for an unknown client fails with
//! [`CapabilityError::WrongTenant`], and an object of another client is
//! [`CapabilityError::NotFound`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), msp_agent_core::CapabilityError> {
//! use msp_agent_core::domain::TenantId;
//! use msp_agent_sim::SimMsp;
//!
//! let sim = SimMsp::seeded();
//! let caps = sim.capabilities();
//! let acme = TenantId::new("acme");
//!
//! let tom = caps.identity.find_user(&acme, "tom.brennan@acme.example").await?.unwrap();
//! assert!(tom.state.locked);
//! caps.identity.unlock_account(&acme, &tom.id).await?;
//! assert!(!sim.user(&acme, &tom.id).unwrap().state.locked);
//!
//! // The same user does not exist for another client.
//! let globex = TenantId::new("globex");
//! assert!(caps.identity.get_user(&globex, &tom.id).await.is_err());
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod approvals;
mod delivery;
mod docs;
mod generate;
mod history;
mod identity;
mod inspect;
mod persist;
mod psa;
mod rmm;
mod seed;
mod state;
mod text;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::Utc;
use msp_agent_core::capability::Capabilities;
use msp_agent_core::domain::{Intent, Priority, TenantId, TicketId, TicketStatus};
use msp_agent_core::{CapResult, CapabilityError};

pub use approvals::ApprovalMode;
pub use delivery::{CHANNEL_MANAGER_EMAIL, CHANNEL_SMS};
pub use history::HistoricalTicket;
pub use persist::{FORMAT_VERSION, PersistError};
pub use rmm::SCRIPT_LIBRARY;
pub use state::WITHHELD_SECRET;

use state::{Inner, TenantState, lock};

/// The client ids of the seed world.
pub const TENANTS: [&str; 3] = [seed::ACME, seed::GLOBEX, seed::INITECH];

/// The simulated MSP. Cheap to clone: clones share the same world.
///
/// Thread-safe; each client's state sits behind its own lock, every operation is a map
/// lookup or a scan of a few dozen objects, and nothing sleeps or does I/O (except saving
/// the state file of a [`persistent`](SimMsp::persistent) world).
#[derive(Clone)]
pub struct SimMsp {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SimMsp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMsp")
            .field("tenants", &self.tenants())
            .finish_non_exhaustive()
    }
}

impl Default for SimMsp {
    fn default() -> Self {
        Self::seeded()
    }
}

impl SimMsp {
    /// The seed world: three clients, their directories, devices, documentation, and a
    /// queue of labelled tickets (a few closed, most new).
    pub fn seeded() -> Self {
        SimMsp {
            inner: Arc::new(seed::build()),
        }
    }

    /// A world saved to the file at `path`, surviving the process: loaded from the file if
    /// it exists, otherwise seeded (as [`SimMsp::seeded`]) and written there.
    ///
    /// From then on every change made through a capability (PSA, directory, RMM,
    /// documentation, delivery, approvals) or an arrange helper is saved before the call
    /// returns: the whole world is written to a temporary file in the same directory, fsynced,
    /// and renamed over `path` (then the directory is fsynced). A process killed at any
    /// instant therefore leaves either the state before or the state after a call, never a
    /// torn file, and a new `persistent(path)` sees exactly that state. A temporary file left
    /// behind by a crash is removed on opening.
    ///
    /// Secrets are not written in clear: passwords and Temporary Access Passes are kept as
    /// salted hashes, delivered secrets are persisted without their text (a reloaded delivery
    /// carries [`WITHHELD_SECRET`]) and vault entries are taken from the seed again on
    /// loading. Only one process may use a state file at a time.
    ///
    /// A call whose change cannot be saved fails with [`CapabilityError::Permanent`] (the
    /// change stays in memory); an arrange helper panics.
    ///
    /// This is for fault-injection tests and demos, not production: every call serializes
    /// the client it touches and every change rewrites the whole file.
    ///
    /// # Errors
    ///
    /// [`PersistError::Io`] if the file cannot be read or the seed written,
    /// [`PersistError::Corrupt`] if it is not a valid (complete) state file,
    /// [`PersistError::Version`] if it was written by an incompatible simulator.
    pub fn persistent(path: impl AsRef<Path>) -> Result<Self, PersistError> {
        Ok(SimMsp {
            inner: Arc::new(persist::open(path.as_ref())?),
        })
    }

    /// The state file of a [`persistent`](SimMsp::persistent) world; `None` in memory.
    pub fn state_path(&self) -> Option<&Path> {
        self.inner.persist.as_ref().map(persist::Persist::path)
    }

    /// Handles to this simulator as every capability the agent uses (PSA, directory, RMM,
    /// documentation, out-of-band delivery).
    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            tickets: Arc::new(self.clone()),
            identity: Arc::new(self.clone()),
            rmm: Arc::new(self.clone()),
            docs: Arc::new(self.clone()),
            delivery: Arc::new(self.clone()),
        }
    }

    /// The clients this simulator serves.
    pub fn tenants(&self) -> Vec<TenantId> {
        self.inner.tenants.keys().cloned().collect()
    }

    /// Every ticket with its ground-truth intent, in order of arrival.
    pub fn labelled_tickets(&self) -> Vec<(TenantId, TicketId, Intent)> {
        self.tickets_where(|_| true)
            .into_iter()
            .map(|(_, t, id, intent)| (t, id, intent))
            .collect()
    }

    /// Tickets not yet closed, in order of arrival.
    pub fn open_tickets(&self) -> Vec<(TenantId, TicketId)> {
        self.tickets_where(|s| s != TicketStatus::Closed)
            .into_iter()
            .map(|(_, t, id, _)| (t, id))
            .collect()
    }

    /// File a new ticket from `from` (linked to the PSA contact with that address, if any),
    /// labelled with its ground-truth intent.
    pub fn add_ticket(
        &self,
        tenant: &TenantId,
        from: &str,
        subject: &str,
        body: &str,
        intent: Intent,
    ) -> CapResult<TicketId> {
        let number = self.next_number();
        self.with(tenant, |t| {
            Ok(t.insert_ticket(
                number,
                psa::NewTicket {
                    from: from.trim().to_owned(),
                    subject: subject.to_owned(),
                    body: body.to_owned(),
                    intent,
                    priority: Priority::Medium,
                    status: TicketStatus::New,
                    created_at: Utc::now(),
                },
            ))
        })
    }

    fn tickets_where(
        &self,
        keep: impl Fn(TicketStatus) -> bool,
    ) -> Vec<(u64, TenantId, TicketId, Intent)> {
        let mut all = Vec::new();
        for m in self.inner.tenants.values() {
            let t = lock(m);
            all.extend(
                t.tickets
                    .values()
                    .filter(|r| keep(r.ticket.status))
                    .map(|r| (r.seq, t.id.clone(), r.ticket.id.clone(), r.intent)),
            );
        }
        all.sort_by_key(|x| x.0);
        all
    }

    /// The next PSA ticket number.
    fn next_number(&self) -> u64 {
        self.inner.next_ticket.fetch_add(1, Ordering::Relaxed)
    }

    /// Run `f` on a client's state under its lock; `WrongTenant` for an unknown client.
    pub(crate) fn with<R>(
        &self,
        tenant: &TenantId,
        f: impl FnOnce(&mut TenantState) -> CapResult<R>,
    ) -> CapResult<R> {
        let m = self
            .inner
            .tenants
            .get(tenant)
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))?;
        let mut t = lock(m);
        let result = f(&mut t);
        if let Some(p) = &self.inner.persist {
            p.save_tenant(&self.inner, &t).map_err(persist_failed)?;
        }
        result
    }

    /// Save the world after a change of the shared outbox, challenges or approval log (no-op
    /// in memory).
    pub(crate) fn save_shared(&self) -> CapResult<()> {
        match &self.inner.persist {
            Some(p) => p.save_shared(&self.inner).map_err(persist_failed),
            None => Ok(()),
        }
    }

    /// Change a client's state directly (arrange helpers); `None` for an unknown client.
    ///
    /// # Panics
    ///
    /// If the world is persistent and the change cannot be saved.
    pub(crate) fn arrange<R>(
        &self,
        tenant: &TenantId,
        f: impl FnOnce(&mut TenantState) -> R,
    ) -> Option<R> {
        let m = self.inner.tenants.get(tenant)?;
        let mut t = lock(m);
        let result = f(&mut t);
        if let Some(p) = &self.inner.persist {
            if let Err(e) = p.save_tenant(&self.inner, &t) {
                panic!("msp-agent-sim: {e}");
            }
        }
        Some(result)
    }

    /// Save every client that changed outside [`with`](Self::with) (ticket generation).
    ///
    /// # Panics
    ///
    /// If the world is persistent and a change cannot be saved.
    pub(crate) fn save_all_arranged(&self) {
        if self.inner.persist.is_none() {
            return;
        }
        for tenant in self.inner.tenants.keys() {
            self.arrange(tenant, |_| ());
        }
    }

    /// Save the shared state after an arrange helper changed it.
    ///
    /// # Panics
    ///
    /// If the world is persistent and the change cannot be saved.
    pub(crate) fn save_shared_arranged(&self) {
        if let Err(e) = self.save_shared() {
            panic!("msp-agent-sim: {e}");
        }
    }

    /// Run `f` on a client's state for inspection; `None` for an unknown client.
    pub(crate) fn peek<R>(
        &self,
        tenant: &TenantId,
        f: impl FnOnce(&TenantState) -> R,
    ) -> Option<R> {
        self.inner.tenants.get(tenant).map(|m| f(&lock(m)))
    }
}

/// A change that could not be saved: not worth retrying (the change is already made in
/// memory, a retry would repeat it).
fn persist_failed(e: PersistError) -> CapabilityError {
    CapabilityError::Permanent(format!("the simulated MSP could not save its state: {e}"))
}
