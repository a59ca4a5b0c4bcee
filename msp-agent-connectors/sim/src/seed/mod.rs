//! The seed world: three clients with their directory, PSA, RMM and documentation, built
//! from the tables of the submodules. Deterministic: the same tables give the same world
//! (timestamps are relative to a fixed epoch; only password salts are random).

pub(crate) mod devices;
pub(crate) mod directory;
pub(crate) mod docs;
pub(crate) mod tickets;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use msp_agent_core::domain::{
    AccountState, Actor, Alert, AuthMethod, AuthMethodKind, Contact, ContactId, Device, DeviceId,
    DeviceStatus, DirectoryUser, Document, DocumentId, Group, GroupId, License, Note,
    NoteVisibility, TenantId, TicketStatus, TimeEntry, UserId,
};

use msp_agent_core::secrecy::SecretString;

use crate::psa::NewTicket;
use crate::state::{
    DeviceRecord, DocRecord, GroupRecord, Inner, MailboxRecord, TenantState, UserRecord,
};
use crate::text::index_words;
use directory::{Ct, Pv, St};

/// Tenant id of Acme Manufacturing Ltd.
pub(crate) const ACME: &str = "acme";
/// Tenant id of Globex Corporation.
pub(crate) const GLOBEX: &str = "globex";
/// Tenant id of Initech LLC.
pub(crate) const INITECH: &str = "initech";

/// Provider id of the password method (the same for every user, as in Microsoft Graph).
pub(crate) const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

/// Board new tickets land on.
pub(crate) const SERVICE_DESK: &str = "Service Desk";

/// The moment the seed world describes: Monday 7 April 2025, 08:00 UTC.
pub(crate) fn epoch() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2025, 4, 7)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .map(|n| n.and_utc())
        .unwrap_or_default()
}

/// Build the seed world.
pub(crate) fn build() -> Inner {
    let mut tenants: BTreeMap<TenantId, TenantState> = BTreeMap::new();
    for p in docs::PROFILES {
        let mut t = TenantState::new(p.tenant, p.domain, p.allow_external_forwarding);
        seed_directory(&mut t);
        seed_devices(&mut t);
        seed_documentation(&mut t, p);
        tenants.insert(t.id.clone(), t);
    }

    let mut number = 1001;
    let epoch = epoch();
    for (i, h) in tickets::HISTORY.iter().enumerate() {
        let row = &h.ticket;
        let Some(t) = tenants.get_mut(&TenantId::new(row.tenant)) else {
            continue;
        };
        let created = epoch - Duration::days(h.days_ago) + Duration::minutes(37 * i as i64);
        let id = t.insert_ticket(number, ticket_spec(row, TicketStatus::Closed, created));
        if let Ok(rec) = t.ticket_mut(&id) {
            rec.ticket.category = Some(h.category.to_owned());
            rec.notes.push(Note {
                visibility: NoteVisibility::Internal,
                text: h.note.to_owned(),
                author: "Dave Kowalski (technician)".to_owned(),
            });
            rec.time.push(TimeEntry {
                actor: Actor::Technician,
                minutes: h.minutes,
                billable: false,
                notes: h.category.to_owned(),
            });
        }
        number += 1;
    }
    for (i, row) in tickets::OPEN.iter().enumerate() {
        let Some(t) = tenants.get_mut(&TenantId::new(row.tenant)) else {
            continue;
        };
        let created = epoch + Duration::minutes(7 * i as i64);
        t.insert_ticket(number, ticket_spec(row, TicketStatus::New, created));
        number += 1;
    }

    Inner {
        tenants: tenants
            .into_iter()
            .map(|(k, v)| (k, Mutex::new(v)))
            .collect(),
        next_ticket: AtomicU64::new(number),
        outbox: Mutex::new(Vec::new()),
        challenges: Mutex::new(Vec::new()),
        deny_challenges: Mutex::new(Default::default()),
        approvals: Mutex::new(Vec::new()),
        persist: None,
    }
}

/// The seed vault of a client (empty for a client the seed does not know). Vault entries
/// are never written to a state file: a reloaded world takes them from here.
pub(crate) fn vault(tenant: &TenantId) -> BTreeMap<String, SecretString> {
    docs::PROFILES
        .iter()
        .filter(|p| p.tenant == tenant.as_str())
        .flat_map(docs::vault)
        .map(|(name, secret)| (name.to_owned(), secret.into()))
        .collect()
}

fn ticket_spec(
    row: &tickets::TicketRow,
    status: TicketStatus,
    created: DateTime<Utc>,
) -> NewTicket {
    NewTicket {
        from: row.from.to_owned(),
        subject: row.subject.to_owned(),
        body: row.body.to_owned(),
        intent: row.intent,
        priority: row.priority,
        status,
        created_at: created,
    }
}

fn seed_directory(t: &mut TenantState) {
    let tenant = t.id.clone();
    let epoch = epoch();
    let rows = directory::USERS
        .iter()
        .filter(|r| r.tenant == tenant.as_str());
    for (i, r) in rows.enumerate() {
        let id = UserId::new(r.id);
        let (privileged, reason) = match r.privilege {
            Pv::No => (false, None),
            Pv::Admin(why) | Pv::Service(why) | Pv::Vip(why) => (true, Some(why.to_owned())),
            Pv::BreakGlass => (
                true,
                Some("break-glass emergency access account".to_owned()),
            ),
        };
        let mut methods = vec![method(PASSWORD_METHOD_ID, AuthMethodKind::Password)];
        match r.privilege {
            Pv::Service(_) => {}
            Pv::BreakGlass => {
                methods.push(method(&format!("fido2-{}", r.id), AuthMethodKind::Fido2))
            }
            Pv::Admin(_) => {
                methods.push(method(&format!("fido2-{}", r.id), AuthMethodKind::Fido2));
                methods.push(method(
                    &format!("authapp-{}", r.id),
                    AuthMethodKind::Authenticator,
                ));
            }
            Pv::No | Pv::Vip(_) => {
                methods.push(method(
                    &format!("authapp-{}", r.id),
                    AuthMethodKind::Authenticator,
                ));
            }
        }
        if r.mobile.is_some() && !matches!(r.privilege, Pv::Service(_) | Pv::BreakGlass) {
            methods.push(method(&format!("phone-{}", r.id), AuthMethodKind::Phone));
        }
        let aliases = match r.contact {
            Ct::Alias(a) => vec![a.to_owned()],
            Ct::Same | Ct::None => Vec::new(),
        };
        let days = 1 + (i as i64 * 37) % 90;
        t.insert_user(UserRecord {
            user: DirectoryUser {
                id: id.clone(),
                tenant: tenant.clone(),
                upn: r.mail.to_owned(),
                display_name: r.name.to_owned(),
                mail: r.mail.to_owned(),
                state: AccountState {
                    enabled: r.state != St::Disabled,
                    locked: r.state == St::Locked,
                    force_change_password: false,
                    password_changed_at: Some(epoch - Duration::days(days)),
                },
                privileged,
                privilege_reason: reason,
                manager: r.manager.map(UserId::new),
            },
            title: r.title.to_owned(),
            mobile: r.mobile.map(str::to_owned),
            aliases,
            password: None,
            tap: None,
            tap_expires: None,
            sessions_revoked: 0,
            password_resets: 0,
            sessions_revoked_at: None,
            methods,
            licenses: r.licenses.iter().map(|s| (*s).to_owned()).collect(),
            forwarding: None,
        });
        let contact_mail = match r.contact {
            Ct::Same => Some(r.mail),
            Ct::Alias(a) => Some(a),
            Ct::None => None,
        };
        if let Some(email) = contact_mail {
            t.insert_contact(Contact {
                id: ContactId::new(r.id.replacen("u-", "c-", 1)),
                tenant: tenant.clone(),
                name: r.name.to_owned(),
                email: email.to_owned(),
                phone: r.mobile.map(str::to_owned),
            });
        }
    }
    for (tn, id, name, email, phone) in directory::EXTRA_CONTACTS {
        if *tn == tenant.as_str() {
            t.insert_contact(Contact {
                id: ContactId::new(*id),
                tenant: tenant.clone(),
                name: (*name).to_owned(),
                email: (*email).to_owned(),
                phone: phone.map(str::to_owned),
            });
        }
    }
    for (tn, id, name, mail, privileged, members) in directory::GROUPS {
        if *tn == tenant.as_str() {
            let group = Group {
                id: GroupId::new(*id),
                name: (*name).to_owned(),
                mail: mail.map(str::to_owned),
                privileged: *privileged,
            };
            let members = members
                .iter()
                .map(|m| UserId::new(*m))
                .collect::<BTreeSet<_>>();
            t.groups
                .insert(group.id.clone(), GroupRecord { group, members });
        }
    }
    for (tn, address, name, perms) in directory::MAILBOXES {
        if *tn == tenant.as_str() {
            t.mailboxes.insert(
                address.to_ascii_lowercase(),
                MailboxRecord {
                    address: (*address).to_owned(),
                    display_name: (*name).to_owned(),
                    permissions: perms.iter().map(|(u, p)| (UserId::new(*u), *p)).collect(),
                },
            );
        }
    }
    for (tn, sku, total) in directory::LICENSES {
        if *tn == tenant.as_str() {
            let consumed = t
                .users
                .values()
                .filter(|u| u.licenses.contains(*sku))
                .count();
            let consumed = u32::try_from(consumed).unwrap_or(u32::MAX);
            t.licenses.insert(
                (*sku).to_owned(),
                License {
                    sku: (*sku).to_owned(),
                    total: *total,
                    consumed,
                },
            );
        }
    }
}

fn method(id: &str, kind: AuthMethodKind) -> AuthMethod {
    AuthMethod {
        id: id.to_owned(),
        kind,
    }
}

fn seed_devices(t: &mut TenantState) {
    let epoch = epoch();
    let tenant = t.id.clone();
    let baseline = devices::baseline_packages(tenant.as_str());
    for r in devices::DEVICES
        .iter()
        .filter(|r| r.tenant == tenant.as_str())
    {
        let id = DeviceId::new(r.id);
        let (print_jobs, temp_gb, top) = devices::QUIRKS
            .iter()
            .find(|q| q.0 == r.id)
            .map_or((0, 0.8, "explorer.exe"), |q| (q.1, q.2, q.3));
        let workstation = r.user.is_some();
        let installed = if workstation {
            baseline.iter().map(|s| (*s).to_owned()).collect()
        } else {
            BTreeSet::new()
        };
        t.devices.insert(
            id.clone(),
            DeviceRecord {
                device: Device {
                    id: id.clone(),
                    tenant: tenant.clone(),
                    name: r.name.to_owned(),
                    user: r.user.map(UserId::new),
                    os: r.os.to_owned(),
                    online: r.online,
                },
                status: DeviceStatus {
                    device: id,
                    online: r.online,
                    cpu_percent: r.cpu,
                    memory_percent: r.memory,
                    disk_free_gb: r.disk_free_gb,
                    pending_patches: r.patches,
                    last_seen: epoch - Duration::minutes(r.seen_min_ago),
                },
                installed,
                print_jobs,
                temp_gb,
                top_process: top.to_owned(),
                script_runs: Vec::new(),
            },
        );
    }
    for (tn, device, severity, message, ago) in devices::ALERTS {
        if *tn == tenant.as_str() {
            t.alerts.push(Alert {
                device: DeviceId::new(*device),
                severity: (*severity).to_owned(),
                message: (*message).to_owned(),
                at: epoch - Duration::minutes(*ago),
            });
        }
    }
}

fn seed_documentation(t: &mut TenantState, p: &docs::Profile) {
    for (id, title, tags, body) in docs::documents(p) {
        let tag_words: HashSet<String> = tags.iter().flat_map(|s| index_words(s)).collect();
        t.docs.push(DocRecord {
            title_words: index_words(&title).collect(),
            body_words: index_words(&body).collect(),
            tag_words,
            doc: Document {
                id: DocumentId::new(id),
                tenant: t.id.clone(),
                title,
                body,
                tags,
            },
        });
    }
    for (name, value) in docs::configuration(p) {
        t.config.insert(name.to_owned(), value);
    }
    for (name, secret) in docs::vault(p) {
        t.vault.insert(name.to_owned(), secret.into());
    }
}
