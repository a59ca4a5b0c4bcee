//! The in-memory world: one lock per tenant, plus the shared outbox and approval log.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use msp_agent_core::audit::{VendorCall, record_call};
use msp_agent_core::capability::{ApprovalRequest, MailboxPermission};
use msp_agent_core::domain::{
    Alert, AuthMethod, Contact, ContactId, Device, DeviceId, DeviceStatus, DirectoryUser, Document,
    Group, GroupId, Intent, License, Note, TenantId, Ticket, TicketId, TimeEntry, UserId,
};
use msp_agent_core::secrecy::SecretString;
use msp_agent_core::{CapResult, CapabilityError};
use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::persist::Persist;
use crate::text::index_words;

/// Everything behind a [`SimMsp`](crate::SimMsp) handle.
pub(crate) struct Inner {
    /// One lock per tenant: tenants never contend with each other.
    pub tenants: BTreeMap<TenantId, Mutex<TenantState>>,
    /// Next PSA ticket number (ticket numbers are global, as in a real PSA).
    pub next_ticket: AtomicU64,
    /// Out-of-band deliveries, in order.
    pub outbox: Mutex<Vec<Delivery>>,
    /// Approval requests received by any gateway of this world, in order.
    pub approvals: Mutex<Vec<ApprovalRequest>>,
    /// Out-of-band identity challenges sent: (client, user, purpose), in order.
    pub challenges: Mutex<Vec<(TenantId, UserId, String)>>,
    /// Users who deny (or never answer) an identity challenge.
    pub deny_challenges: Mutex<std::collections::HashSet<UserId>>,
    /// Where every change is saved, for a [`SimMsp::persistent`](crate::SimMsp::persistent)
    /// world; `None` (no I/O at all) for an in-memory one.
    pub persist: Option<Persist>,
}

/// Lock a mutex, ignoring poisoning (the state stays usable after a panicking test).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One out-of-band delivery. Persisted without its secret: a reloaded delivery carries
/// [`WITHHELD_SECRET`] instead.
#[derive(Serialize, Deserialize)]
pub(crate) struct Delivery {
    pub tenant: TenantId,
    pub user: UserId,
    pub purpose: String,
    pub channel: String,
    #[serde(skip_serializing, default = "withheld_secret")]
    pub secret: SecretString,
}

/// What a delivery reloaded from a state file carries instead of its secret, which is never
/// written to disk.
pub const WITHHELD_SECRET: &str = "<secret not persisted>";

fn withheld_secret() -> SecretString {
    WITHHELD_SECRET.into()
}

/// One client of the MSP. The address indexes and document word sets are derived (rebuilt
/// by [`TenantState::reindex`] after loading); vault secrets are never serialized.
#[derive(Serialize, Deserialize)]
pub(crate) struct TenantState {
    pub id: TenantId,
    pub domain: String,
    pub allow_external_forwarding: bool,
    pub users: BTreeMap<UserId, UserRecord>,
    /// Lower-cased UPN, mail and aliases → user.
    #[serde(skip)]
    pub user_addr: HashMap<String, UserId>,
    pub contacts: BTreeMap<ContactId, Contact>,
    /// Lower-cased e-mail → contact.
    #[serde(skip)]
    pub contact_addr: HashMap<String, ContactId>,
    #[serde(
        serialize_with = "tickets_by_seq",
        deserialize_with = "tickets_from_list"
    )]
    pub tickets: HashMap<TicketId, TicketRecord>,
    pub groups: BTreeMap<GroupId, GroupRecord>,
    /// Lower-cased address → shared mailbox.
    pub mailboxes: BTreeMap<String, MailboxRecord>,
    pub licenses: BTreeMap<String, License>,
    pub devices: BTreeMap<DeviceId, DeviceRecord>,
    pub alerts: Vec<Alert>,
    pub docs: Vec<DocRecord>,
    pub config: BTreeMap<String, serde_json::Value>,
    #[serde(skip)]
    pub vault: BTreeMap<String, SecretString>,
    /// Next number for created users and registered methods.
    pub next_id: u64,
}

/// A directory user and everything the directory keeps about them.
#[derive(Serialize, Deserialize)]
pub(crate) struct UserRecord {
    pub user: DirectoryUser,
    pub title: String,
    pub mobile: Option<String>,
    pub aliases: Vec<String>,
    pub password: Option<SaltedHash>,
    pub tap: Option<SaltedHash>,
    pub tap_expires: Option<DateTime<Utc>>,
    pub sessions_revoked: u32,
    pub sessions_revoked_at: Option<DateTime<Utc>>,
    /// How many times the password was reset through the directory.
    #[serde(default)]
    pub password_resets: u32,
    pub methods: Vec<AuthMethod>,
    pub licenses: BTreeSet<String>,
    pub forwarding: Option<String>,
}

/// A ticket with its ground truth, notes and time.
#[derive(Serialize, Deserialize)]
pub(crate) struct TicketRecord {
    /// Global order of arrival.
    pub seq: u64,
    pub ticket: Ticket,
    pub intent: Intent,
    pub notes: Vec<Note>,
    pub time: Vec<TimeEntry>,
}

/// A group and its members.
#[derive(Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    pub group: Group,
    pub members: BTreeSet<UserId>,
}

/// A shared mailbox and who may use it.
#[derive(Serialize, Deserialize)]
pub(crate) struct MailboxRecord {
    pub address: String,
    pub display_name: String,
    pub permissions: Vec<(UserId, MailboxPermission)>,
}

/// A managed device with its health and the state scripts change.
#[derive(Serialize, Deserialize)]
pub(crate) struct DeviceRecord {
    pub device: Device,
    pub status: DeviceStatus,
    pub installed: BTreeSet<String>,
    pub print_jobs: u32,
    pub temp_gb: f32,
    pub top_process: String,
    /// Scripts run successfully on the device, in order: (script, arguments).
    #[serde(default)]
    pub script_runs: Vec<(String, Vec<String>)>,
}

/// A document with its words indexed for search.
#[derive(Serialize, Deserialize)]
pub(crate) struct DocRecord {
    pub doc: Document,
    #[serde(skip)]
    pub title_words: HashSet<String>,
    #[serde(skip)]
    pub tag_words: HashSet<String>,
    #[serde(skip)]
    pub body_words: HashSet<String>,
}

impl DocRecord {
    /// Rebuild the word sets from the document.
    pub fn reindex(&mut self) {
        self.title_words = index_words(&self.doc.title).collect();
        self.tag_words = self.doc.tags.iter().flat_map(|s| index_words(s)).collect();
        self.body_words = index_words(&self.doc.body).collect();
    }
}

/// Tickets in order of arrival, so that the state file is stable.
fn tickets_by_seq<S: Serializer>(
    tickets: &HashMap<TicketId, TicketRecord>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut all: Vec<&TicketRecord> = tickets.values().collect();
    all.sort_by_key(|r| r.seq);
    s.collect_seq(all)
}

fn tickets_from_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<HashMap<TicketId, TicketRecord>, D::Error> {
    let list = Vec::<TicketRecord>::deserialize(d)?;
    Ok(list.into_iter().map(|r| (r.ticket.id.clone(), r)).collect())
}

/// A salted SHA-256 of a secret; the secret itself is never stored.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SaltedHash {
    salt: [u8; 16],
    hash: [u8; 32],
}

impl SaltedHash {
    /// Hash `secret` with a fresh random salt.
    pub fn new(secret: &str) -> Self {
        let salt: [u8; 16] = rand::rng().random();
        SaltedHash {
            salt,
            hash: digest(&salt, secret),
        }
    }

    /// Does `secret` hash to the stored value?
    pub fn matches(&self, secret: &str) -> bool {
        let other = digest(&self.salt, secret);
        // Fold over every byte so the comparison time does not depend on the first difference.
        self.hash
            .iter()
            .zip(other.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

fn digest(salt: &[u8; 16], secret: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(salt)
        .chain_update(secret.as_bytes())
        .finalize()
        .into()
}

/// Record a simulated vendor call for the audit trail (no-op outside a recording scope).
pub(crate) fn call(method: &str, url: String, body: serde_json::Value) {
    record_call(VendorCall {
        method: method.to_owned(),
        url,
        body,
    });
}

/// Lower-cased, trimmed form of an address, for lookups.
pub(crate) fn addr_key(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

impl TenantState {
    /// An empty tenant.
    pub fn new(id: &str, domain: &str, allow_external_forwarding: bool) -> Self {
        TenantState {
            id: TenantId::new(id),
            domain: domain.to_owned(),
            allow_external_forwarding,
            users: BTreeMap::new(),
            user_addr: HashMap::new(),
            contacts: BTreeMap::new(),
            contact_addr: HashMap::new(),
            tickets: HashMap::new(),
            groups: BTreeMap::new(),
            mailboxes: BTreeMap::new(),
            licenses: BTreeMap::new(),
            devices: BTreeMap::new(),
            alerts: Vec::new(),
            docs: Vec::new(),
            config: BTreeMap::new(),
            vault: BTreeMap::new(),
            next_id: 1,
        }
    }

    /// Rebuild the derived indexes (addresses, document words) after loading.
    pub fn reindex(&mut self) {
        self.user_addr.clear();
        let users = std::mem::take(&mut self.users);
        for rec in users.into_values() {
            self.insert_user(rec);
        }
        self.contact_addr.clear();
        let contacts = std::mem::take(&mut self.contacts);
        for c in contacts.into_values() {
            self.insert_contact(c);
        }
        for d in &mut self.docs {
            d.reindex();
        }
    }

    /// Add a user and index its addresses.
    pub fn insert_user(&mut self, rec: UserRecord) {
        let id = rec.user.id.clone();
        for a in [&rec.user.upn, &rec.user.mail]
            .into_iter()
            .chain(&rec.aliases)
        {
            self.user_addr.insert(addr_key(a), id.clone());
        }
        self.users.insert(id, rec);
    }

    /// Add a contact and index its address.
    pub fn insert_contact(&mut self, c: Contact) {
        self.contact_addr.insert(addr_key(&c.email), c.id.clone());
        self.contacts.insert(c.id.clone(), c);
    }

    /// The user, or `NotFound`.
    pub fn user(&self, id: &UserId) -> CapResult<&UserRecord> {
        self.users
            .get(id)
            .ok_or_else(|| not_found("user", id.as_str()))
    }

    /// The user, mutably, or `NotFound`.
    pub fn user_mut(&mut self, id: &UserId) -> CapResult<&mut UserRecord> {
        self.users
            .get_mut(id)
            .ok_or_else(|| not_found("user", id.as_str()))
    }

    /// The user with this UPN, mail or alias.
    pub fn user_by_addr(&self, addr: &str) -> Option<&UserRecord> {
        self.user_addr
            .get(&addr_key(addr))
            .and_then(|id| self.users.get(id))
    }

    /// The ticket, or `NotFound`.
    pub fn ticket(&self, id: &TicketId) -> CapResult<&TicketRecord> {
        self.tickets
            .get(id)
            .ok_or_else(|| not_found("ticket", id.as_str()))
    }

    /// The ticket, mutably, or `NotFound`.
    pub fn ticket_mut(&mut self, id: &TicketId) -> CapResult<&mut TicketRecord> {
        self.tickets
            .get_mut(id)
            .ok_or_else(|| not_found("ticket", id.as_str()))
    }

    /// The device, or `NotFound`.
    pub fn device(&self, id: &DeviceId) -> CapResult<&DeviceRecord> {
        self.devices
            .get(id)
            .ok_or_else(|| not_found("device", id.as_str()))
    }

    /// The device, mutably, or `NotFound`.
    pub fn device_mut(&mut self, id: &DeviceId) -> CapResult<&mut DeviceRecord> {
        self.devices
            .get_mut(id)
            .ok_or_else(|| not_found("device", id.as_str()))
    }

    /// The group with this id, name or mail address (case-insensitive).
    pub fn group_by_any(&self, key: &str) -> Option<&GroupRecord> {
        let key = key.trim();
        self.groups.get(&GroupId::new(key)).or_else(|| {
            self.groups.values().find(|g| {
                g.group.name.eq_ignore_ascii_case(key)
                    || g.group
                        .mail
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(key))
            })
        })
    }

    /// A fresh id number, unique within this tenant.
    pub fn fresh(&mut self) -> u64 {
        let n = self.next_id;
        self.next_id += 1;
        n
    }
}

/// `NotFound` for an object of this tenant.
pub(crate) fn not_found(kind: &str, id: &str) -> CapabilityError {
    CapabilityError::NotFound(format!("{kind} `{id}`"))
}
