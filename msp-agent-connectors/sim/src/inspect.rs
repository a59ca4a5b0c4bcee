//! Accessors for tests and demos: read (and arrange) the simulated state directly, without
//! recording vendor calls. Unknown clients or objects give `None` or an empty list.

use chrono::{DateTime, Utc};
use msp_agent_core::capability::MailboxPermission;
use msp_agent_core::domain::{
    AuthMethod, Contact, Device, DeviceId, DirectoryUser, Group, License, Note, TenantId, Ticket,
    TicketId, TimeEntry, UserId,
};
use msp_agent_core::secrecy::SecretString;

use crate::SimMsp;
use crate::state::lock;

impl SimMsp {
    /// A ticket.
    pub fn ticket(&self, tenant: &TenantId, id: &TicketId) -> Option<Ticket> {
        self.peek(tenant, |t| t.tickets.get(id).map(|r| r.ticket.clone()))
            .flatten()
    }

    /// Notes of a ticket, oldest first.
    pub fn notes(&self, tenant: &TenantId, id: &TicketId) -> Vec<Note> {
        self.peek(tenant, |t| t.tickets.get(id).map(|r| r.notes.clone()))
            .flatten()
            .unwrap_or_default()
    }

    /// Time entries of a ticket, oldest first.
    pub fn time_entries(&self, tenant: &TenantId, id: &TicketId) -> Vec<TimeEntry> {
        self.peek(tenant, |t| t.tickets.get(id).map(|r| r.time.clone()))
            .flatten()
            .unwrap_or_default()
    }

    /// Every directory user of a client, by id.
    pub fn users(&self, tenant: &TenantId) -> Vec<DirectoryUser> {
        self.peek(tenant, |t| {
            t.users.values().map(|u| u.user.clone()).collect()
        })
        .unwrap_or_default()
    }

    /// A directory user with its current account state.
    pub fn user(&self, tenant: &TenantId, id: &UserId) -> Option<DirectoryUser> {
        self.peek(tenant, |t| t.users.get(id).map(|u| u.user.clone()))
            .flatten()
    }

    /// The directory user with this UPN, mail address or alias.
    pub fn user_by_email(&self, tenant: &TenantId, address: &str) -> Option<DirectoryUser> {
        self.peek(tenant, |t| t.user_by_addr(address).map(|u| u.user.clone()))
            .flatten()
    }

    /// The mobile number on file for a user.
    pub fn mobile(&self, tenant: &TenantId, id: &UserId) -> Option<String> {
        self.peek(tenant, |t| t.users.get(id).and_then(|u| u.mobile.clone()))
            .flatten()
    }

    /// Every PSA contact of a client, by id.
    pub fn contacts(&self, tenant: &TenantId) -> Vec<Contact> {
        self.peek(tenant, |t| t.contacts.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether `password` is the user's current password (compared against the stored
    /// salted hash; the simulator never keeps the password itself). False for seed users
    /// whose password was never set through the simulator.
    pub fn password_matches(&self, tenant: &TenantId, id: &UserId, password: &str) -> bool {
        self.peek(tenant, |t| {
            t.users
                .get(id)
                .and_then(|u| u.password.as_ref())
                .is_some_and(|h| h.matches(password))
        })
        .unwrap_or(false)
    }

    /// Whether `pass` is the user's current, unexpired Temporary Access Pass.
    pub fn tap_matches(&self, tenant: &TenantId, id: &UserId, pass: &str) -> bool {
        self.peek(tenant, |t| {
            t.users.get(id).is_some_and(|u| {
                u.tap.as_ref().is_some_and(|h| h.matches(pass))
                    && u.tap_expires.is_some_and(|e| e > Utc::now())
            })
        })
        .unwrap_or(false)
    }

    /// How many times the user's password was reset through the directory (when last: see
    /// `password_changed_at` in [`SimMsp::user`]).
    pub fn password_resets(&self, tenant: &TenantId, id: &UserId) -> u32 {
        self.peek(tenant, |t| t.users.get(id).map_or(0, |u| u.password_resets))
            .unwrap_or(0)
    }

    /// How many times the user's sessions were revoked.
    pub fn sessions_revoked(&self, tenant: &TenantId, id: &UserId) -> u32 {
        self.peek(tenant, |t| {
            t.users.get(id).map_or(0, |u| u.sessions_revoked)
        })
        .unwrap_or(0)
    }

    /// When the user's sessions were last revoked.
    pub fn sessions_revoked_at(&self, tenant: &TenantId, id: &UserId) -> Option<DateTime<Utc>> {
        self.peek(tenant, |t| {
            t.users.get(id).and_then(|u| u.sessions_revoked_at)
        })
        .flatten()
    }

    /// The user's registered authentication methods.
    pub fn auth_methods(&self, tenant: &TenantId, id: &UserId) -> Vec<AuthMethod> {
        self.peek(tenant, |t| t.users.get(id).map(|u| u.methods.clone()))
            .flatten()
            .unwrap_or_default()
    }

    /// The licence SKUs assigned to a user, sorted.
    pub fn user_licenses(&self, tenant: &TenantId, id: &UserId) -> Vec<String> {
        self.peek(tenant, |t| {
            t.users
                .get(id)
                .map(|u| u.licenses.iter().cloned().collect())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// A licence pool with its seats.
    pub fn license(&self, tenant: &TenantId, sku: &str) -> Option<License> {
        self.peek(tenant, |t| t.licenses.get(sku).cloned())
            .flatten()
    }

    /// A group by id, name or mail address.
    pub fn group(&self, tenant: &TenantId, id_name_or_mail: &str) -> Option<Group> {
        self.peek(tenant, |t| {
            t.group_by_any(id_name_or_mail).map(|g| g.group.clone())
        })
        .flatten()
    }

    /// Members of a group given by id, name or mail address, sorted by id.
    pub fn group_members(&self, tenant: &TenantId, id_name_or_mail: &str) -> Vec<UserId> {
        self.peek(tenant, |t| {
            t.group_by_any(id_name_or_mail)
                .map(|g| g.members.iter().cloned().collect())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Who holds which permission on a shared mailbox, in the order granted.
    pub fn mailbox_permissions(
        &self,
        tenant: &TenantId,
        mailbox: &str,
    ) -> Vec<(UserId, MailboxPermission)> {
        self.peek(tenant, |t| {
            t.mailboxes
                .get(&mailbox.trim().to_ascii_lowercase())
                .map(|m| m.permissions.clone())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// The shared mailboxes of a client: (address, display name).
    pub fn shared_mailboxes(&self, tenant: &TenantId) -> Vec<(String, String)> {
        self.peek(tenant, |t| {
            t.mailboxes
                .values()
                .map(|m| (m.address.clone(), m.display_name.clone()))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Where the user's mail is forwarded, if anywhere.
    pub fn forwarding(&self, tenant: &TenantId, id: &UserId) -> Option<String> {
        self.peek(tenant, |t| {
            t.users.get(id).and_then(|u| u.forwarding.clone())
        })
        .flatten()
    }

    /// Every managed device of a client, by id.
    pub fn devices(&self, tenant: &TenantId) -> Vec<Device> {
        self.peek(tenant, |t| {
            t.devices.values().map(|d| d.device.clone()).collect()
        })
        .unwrap_or_default()
    }

    /// Packages installed on a device, sorted.
    pub fn installed_packages(&self, tenant: &TenantId, device: &DeviceId) -> Vec<String> {
        self.peek(tenant, |t| {
            t.devices
                .get(device)
                .map(|d| d.installed.iter().cloned().collect())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Scripts run successfully on a device through the RMM, oldest first:
    /// (script, arguments).
    pub fn script_runs(&self, tenant: &TenantId, device: &DeviceId) -> Vec<(String, Vec<String>)> {
        self.peek(tenant, |t| {
            t.devices.get(device).map(|d| d.script_runs.clone())
        })
        .flatten()
        .unwrap_or_default()
    }

    /// Make `user` deny every out-of-band identity challenge (or, with `false`, confirm again).
    pub fn deny_challenges(&self, user: &UserId, deny: bool) {
        {
            let mut set = lock(&self.inner.deny_challenges);
            if deny {
                set.insert(user.clone());
            } else {
                set.remove(user);
            }
        }
        self.save_shared_arranged();
    }

    /// Every out-of-band identity challenge sent so far: (client, user, purpose), in order.
    pub fn challenges(&self) -> Vec<(TenantId, UserId, String)> {
        lock(&self.inner.challenges).clone()
    }

    /// How many secrets were delivered out of band to `user` of `tenant` for `purpose`.
    pub fn delivery_count(&self, tenant: &TenantId, user: &UserId, purpose: &str) -> usize {
        lock(&self.inner.outbox)
            .iter()
            .filter(|d| &d.tenant == tenant && &d.user == user && d.purpose == purpose)
            .count()
    }

    /// Every secret delivered out of band so far, in order:
    /// (client, user, purpose, channel, secret). In a world reloaded by
    /// [`SimMsp::persistent`], deliveries made before the reload carry
    /// [`WITHHELD_SECRET`](crate::WITHHELD_SECRET): secrets are never written to disk.
    pub fn delivered_secrets(&self) -> Vec<(TenantId, UserId, String, String, SecretString)> {
        lock(&self.inner.outbox)
            .iter()
            .map(|d| {
                (
                    d.tenant.clone(),
                    d.user.clone(),
                    d.purpose.clone(),
                    d.channel.clone(),
                    d.secret.clone(),
                )
            })
            .collect()
    }

    /// Arrange: lock or unlock an account directly (as failed sign-ins would). Returns
    /// false if the client or user is unknown.
    pub fn set_locked(&self, tenant: &TenantId, id: &UserId, locked: bool) -> bool {
        self.arrange(tenant, |t| {
            t.users
                .get_mut(id)
                .map(|u| u.user.state.locked = locked)
                .is_some()
        })
        .unwrap_or(false)
    }

    /// Arrange: bring a device online or take it offline. Returns false if the client or
    /// device is unknown.
    pub fn set_device_online(&self, tenant: &TenantId, device: &DeviceId, online: bool) -> bool {
        self.arrange(tenant, |t| {
            t.devices
                .get_mut(device)
                .map(|d| {
                    d.device.online = online;
                    d.status.online = online;
                })
                .is_some()
        })
        .unwrap_or(false)
    }
}
