//! Built-in tools: one thin typed wrapper over a capability call per action of DESIGN §4.

use async_trait::async_trait;
use rand::Rng;
use schemars::JsonSchema;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{Reconciled, TargetRef, Tool, ToolContext, ToolError, ToolRegistry};
use crate::capability::{
    Challenge, DeliveryReceipt, MailboxPermission, NewUser, TicketQuery, TicketUpdate,
};
use crate::domain::*;
use msp_agent_policy::ActionClass::{Read, Write};

/// Defines a tool type over an argument type with one `run` body.
macro_rules! tool {
    (
        $(#[doc = $doc:literal])* $ty:ident: $name:literal, $class:expr, $args:ty => $out:ty;
        targets($ta:ident) $targets:expr;
        run($cx:ident, $a:ident) $body:block
        $(reconcile($rcx:ident, $ra:ident, $since:ident) $rbody:block)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $ty;

        #[async_trait]
        impl Tool for $ty {
            type Args = $args;
            type Output = $out;
            const NAME: &'static str = $name;
            const DESCRIPTION: &'static str = concat!($($doc),*).trim_ascii();
            const CLASS: msp_agent_policy::ActionClass = $class;
            #[allow(unused_variables)]
            fn targets(&self, $ta: &$args) -> Vec<TargetRef> {
                $targets
            }
            #[allow(unused_variables)]
            async fn run(&self, $cx: &ToolContext<'_>, $a: $args) -> Result<$out, ToolError> $body
            $(
                #[allow(unused_variables)]
                async fn reconcile(
                    &self,
                    $rcx: &ToolContext<'_>,
                    $ra: &$args,
                    $since: chrono::DateTime<chrono::Utc>,
                ) -> Result<Reconciled, ToolError> $rbody
            )?
        }
    };
}

/// Arguments of `reset_password`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordArgs {
    /// Directory user id.
    pub user: UserId,
    /// Deliver the new password to the user out of band (default true).
    #[serde(default = "yes")]
    pub deliver: bool,
}

fn yes() -> bool {
    true
}

/// Result of `reset_password`: where the secret went, if anywhere; never the secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PasswordResetOutput {
    /// Receipt of the out-of-band delivery (absent when not delivered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<DeliveryReceipt>,
}

/// Arguments of `verify_out_of_band`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeArgs {
    /// Directory user id of the person to challenge.
    pub user: UserId,
    /// What they are asked to confirm (e.g. "reset your MFA methods").
    pub purpose: String,
}

/// Arguments naming one directory user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserArgs {
    /// Directory user id.
    pub user: UserId,
}

/// Arguments naming nothing but the current ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// Arguments naming a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceArgs {
    /// RMM device id.
    pub device: DeviceId,
}

/// Arguments with free text (notes, queries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextArgs {
    /// The text.
    pub text: String,
}

/// Arguments for a lookup by address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailArgs {
    /// E-mail address or UPN.
    pub email: String,
}

/// Arguments for group membership changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupMemberArgs {
    /// Group or distribution list, by name or mail address.
    pub group: String,
    /// Directory user id.
    pub user: UserId,
}

/// Arguments for licence changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseArgs {
    /// Directory user id.
    pub user: UserId,
    /// SKU part number.
    pub sku: String,
}

/// Arguments for shared-mailbox access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailboxArgs {
    /// Shared mailbox address.
    pub mailbox: String,
    /// Directory user id.
    pub user: UserId,
    /// Level of access.
    pub permission: MailboxPermission,
}

/// Arguments for mail forwarding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardingArgs {
    /// Directory user id.
    pub user: UserId,
    /// Forward to this address; `null` stops forwarding.
    pub forward_to: Option<String>,
}

/// Arguments for running a script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScriptArgs {
    /// RMM device id.
    pub device: DeviceId,
    /// Script name in the RMM library.
    pub script: String,
    /// Script arguments.
    #[serde(default)]
    pub args: Vec<String>,
}

/// Arguments for a software install.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallArgs {
    /// RMM device id.
    pub device: DeviceId,
    /// Package name as the client's software catalogue names it.
    pub package: String,
}

/// Arguments for a documentation search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// Search words.
    pub query: String,
    /// At most this many results (default 5).
    #[serde(default = "five")]
    pub limit: u32,
}

fn five() -> u32 {
    5
}

/// Arguments for triage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageArgs {
    /// Board or queue.
    pub board: String,
    /// Priority.
    pub priority: Priority,
    /// Category (type / subtype).
    pub category: String,
}

/// Arguments for a status change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusArgs {
    /// New status.
    pub status: TicketStatus,
}

/// Arguments for a category change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryArgs {
    /// Category (type / subtype).
    pub category: String,
}

/// Arguments for a time entry on the current ticket (always agent time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeArgs {
    /// Minutes worked (1–480).
    #[schemars(range(min = 1, max = 480))]
    pub minutes: u32,
    /// Billable to the client.
    pub billable: bool,
    /// Work description.
    pub notes: String,
}

/// Arguments for a client configuration lookup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigArgs {
    /// Configuration record name (e.g. `onboarding_template`).
    pub name: String,
}

/// Arguments for a Temporary Access Pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TapArgs {
    /// Directory user id.
    pub user: UserId,
    /// Lifetime in minutes (10–480, default 60).
    #[serde(default = "sixty")]
    #[schemars(range(min = 10, max = 480))]
    pub lifetime_minutes: u32,
}

fn sixty() -> u32 {
    60
}

/// What a tool that delivered a secret returns: where it went, never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delivered {
    /// Channel and masked destination.
    pub delivered: DeliveryReceipt,
}

/// Length of generated passwords.
pub const GENERATED_PASSWORD_LEN: usize = 16;

/// A random password of [`GENERATED_PASSWORD_LEN`] characters with upper, lower, digit and
/// symbol, from the thread's CSPRNG.
pub fn generate_password() -> SecretString {
    const SETS: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnopqrstuvwxyz",
        b"23456789",
        b"!#%+-=?@",
    ];
    let mut rng = rand::rng();
    let mut chars: Vec<char> = (0..GENERATED_PASSWORD_LEN)
        .map(|i| {
            let set = SETS[if i < SETS.len() {
                i
            } else {
                rng.random_range(0..SETS.len())
            }];
            set[rng.random_range(0..set.len())] as char
        })
        .collect();
    // Shuffle so the class order is not predictable.
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.random_range(0..=i));
    }
    SecretString::from(chars.into_iter().collect::<String>())
}

fn user(u: &UserId) -> Vec<TargetRef> {
    vec![TargetRef::User(u.clone())]
}

fn check_length(what: &str, text: &str, max: usize) -> Result<(), ToolError> {
    if text.trim().is_empty() || text.len() > max {
        return Err(ToolError::Precondition(format!(
            "{what} must be 1 to {max} bytes"
        )));
    }
    Ok(())
}

// ---- Reads -------------------------------------------------------------------------

tool! {
    /// Read the current ticket.
    GetTicket: "get_ticket", Read, NoArgs => Ticket;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.tickets.get_ticket(cx.tenant, cx.ticket).await?) }
}

tool! {
    /// Search the client's tickets (history, duplicates, related incidents).
    SearchTickets: "search_tickets", Read, TicketQuery => Vec<Ticket>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.tickets.search_tickets(cx.tenant, &a).await?) }
}

tool! {
    /// Look up a PSA contact by e-mail address.
    LookupContact: "lookup_contact", Read, EmailArgs => Option<Contact>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.tickets.find_contact_by_email(cx.tenant, &a.email).await?) }
}

tool! {
    /// Look up a directory user by UPN or mail address.
    LookupUser: "lookup_user", Read, EmailArgs => Option<DirectoryUser>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.find_user(cx.tenant, &a.email).await?) }
}

tool! {
    /// Read a directory user's account state (enabled, locked, password age).
    GetUserStatus: "get_user_status", Read, UserArgs => DirectoryUser;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.get_user(cx.tenant, &a.user).await?) }
}

tool! {
    /// List a user's registered authentication methods.
    ListAuthMethods: "list_auth_methods", Read, UserArgs => Vec<AuthMethod>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.list_auth_methods(cx.tenant, &a.user).await?) }
}

tool! {
    /// List the groups a user belongs to.
    ListUserGroups: "list_user_groups", Read, UserArgs => Vec<Group>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.list_user_groups(cx.tenant, &a.user).await?) }
}

tool! {
    /// List the client's licence SKUs with total and used seats.
    ListLicenses: "list_licenses", Read, NoArgs => Vec<License>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.list_licenses(cx.tenant).await?) }
}

tool! {
    /// List a user's managed devices.
    ListDevices: "list_devices", Read, UserArgs => Vec<Device>;
    targets(a) vec![];
    run(cx, a) {
        let user = cx.caps.identity.get_user(cx.tenant, &a.user).await?;
        Ok(cx.caps.rmm.list_devices(cx.tenant, Some(&user)).await?)
    }
}

tool! {
    /// Read a device's health: online, CPU, memory, disk, pending patches.
    GetDeviceStatus: "get_device_status", Read, DeviceArgs => DeviceStatus;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.rmm.device_status(cx.tenant, &a.device).await?) }
}

tool! {
    /// Count a device's pending OS patches.
    GetPatchStatus: "get_patch_status", Read, DeviceArgs => u32;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.rmm.device_status(cx.tenant, &a.device).await?.pending_patches) }
}

tool! {
    /// List a device's open RMM alerts.
    ListAlerts: "list_alerts", Read, DeviceArgs => Vec<Alert>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.rmm.list_alerts(cx.tenant, Some(&a.device)).await?) }
}

tool! {
    /// Search the client's documentation and SOPs.
    SearchDocumentation: "search_documentation", Read, SearchArgs => Vec<Document>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.docs.search(cx.tenant, &a.query, a.limit.min(20)).await?) }
}

tool! {
    /// Read a client configuration record (e.g. the onboarding template).
    GetClientConfiguration: "get_client_configuration", Read, ConfigArgs => Option<serde_json::Value>;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.docs.client_configuration(cx.tenant, &a.name).await?) }
}

// ---- Ticket writes -----------------------------------------------------------------

tool! {
    /// Set the ticket's board, priority and category.
    TriageTicket: "triage_ticket", Write, TriageArgs => ();
    targets(a) vec![];
    run(cx, a) {
        let update = TicketUpdate { board: Some(a.board), priority: Some(a.priority), category: Some(a.category), ..Default::default() };
        Ok(cx.caps.tickets.update_ticket(cx.tenant, cx.ticket, &update).await?)
    }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Set the ticket's category.
    CategorizeTicket: "categorize_ticket", Write, CategoryArgs => ();
    targets(a) vec![];
    run(cx, a) {
        let update = TicketUpdate { category: Some(a.category), ..Default::default() };
        Ok(cx.caps.tickets.update_ticket(cx.tenant, cx.ticket, &update).await?)
    }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Change the ticket's status.
    UpdateTicketStatus: "update_ticket_status", Write, StatusArgs => ();
    targets(a) vec![];
    run(cx, a) {
        let update = TicketUpdate { status: Some(a.status), ..Default::default() };
        Ok(cx.caps.tickets.update_ticket(cx.tenant, cx.ticket, &update).await?)
    }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Add an internal (technician-only) note to the ticket.
    AddInternalNote: "add_internal_note", Write, TextArgs => ();
    targets(a) vec![];
    run(cx, a) {
        check_length("note", &a.text, 16_000)?;
        let note = Note { visibility: NoteVisibility::Internal, text: a.text, author: "msp-agent".into() };
        Ok(cx.caps.tickets.add_note(cx.tenant, cx.ticket, &note).await?)
    }
    reconcile(cx, a, since) {
        let notes = cx.caps.tickets.list_notes(cx.tenant, cx.ticket).await?;
        Ok(if notes.iter().any(|n| n.visibility == NoteVisibility::Internal && n.text == a.text) {
            Reconciled::Done(serde_json::Value::Null)
        } else {
            Reconciled::NotDone
        })
    }
}

tool! {
    /// Add a public note (a reply the requester sees) to the ticket.
    AddPublicNote: "add_public_note", Write, TextArgs => ();
    targets(a) vec![];
    run(cx, a) {
        check_length("note", &a.text, 16_000)?;
        let note = Note { visibility: NoteVisibility::Public, text: a.text, author: "msp-agent".into() };
        Ok(cx.caps.tickets.add_note(cx.tenant, cx.ticket, &note).await?)
    }
    reconcile(cx, a, since) {
        let notes = cx.caps.tickets.list_notes(cx.tenant, cx.ticket).await?;
        Ok(if notes.iter().any(|n| n.visibility == NoteVisibility::Public && n.text == a.text) {
            Reconciled::Done(serde_json::Value::Null)
        } else {
            Reconciled::NotDone
        })
    }
}

tool! {
    /// Log the agent's time on the ticket (kept apart from technician time).
    LogTimeEntry: "log_time_entry", Write, TimeArgs => ();
    targets(a) vec![];
    run(cx, a) {
        if !(1..=480).contains(&a.minutes) {
            return Err(ToolError::Precondition("minutes must be 1 to 480".into()));
        }
        let entry = TimeEntry { actor: Actor::Agent, minutes: a.minutes, billable: a.billable, notes: a.notes };
        Ok(cx.caps.tickets.log_time(cx.tenant, cx.ticket, &entry).await?)
    }
    reconcile(cx, a, since) {
        let entries = cx.caps.tickets.list_time_entries(cx.tenant, cx.ticket).await?;
        let same = |e: &TimeEntry| e.actor == Actor::Agent && e.minutes == a.minutes && e.notes == a.notes;
        Ok(if entries.iter().any(same) { Reconciled::Done(serde_json::Value::Null) } else { Reconciled::NotDone })
    }
}

// ---- Identity writes ---------------------------------------------------------------

tool! {
    /// Reset a user's password to a generated one and force a change at next sign-in. The new
    /// password is delivered out of band to the user unless `deliver` is false (a leaver's
    /// password is scrambled, not sent); it is never returned.
    ResetPassword: "reset_password", Write, ResetPasswordArgs => PasswordResetOutput;
    targets(a) user(&a.user);
    run(cx, a) {
        let password = generate_password();
        cx.caps.identity.reset_password(cx.tenant, &a.user, &password, true).await?;
        let delivered = if a.deliver {
            Some(cx.caps.delivery.deliver(cx.tenant, &a.user, "password_reset", &password).await?)
        } else {
            None
        };
        Ok(PasswordResetOutput { delivered })
    }
    reconcile(cx, a, since) {
        let user = cx.caps.identity.get_user(cx.tenant, &a.user).await?;
        let changed = user.state.password_changed_at.is_some_and(|t| t >= since);
        Ok(match (changed, a.deliver) {
            (false, _) => Reconciled::NotDone,
            (true, false) => Reconciled::Done(serde_json::json!({})),
            (true, true) => Reconciled::Unknown(format!(
                "the password of {} was changed before the run stopped; whether the new \
                 password reached the user is not known: confirm with the user or reset it again",
                a.user
            )),
        })
    }
}

tool! {
    /// Ask the user, on the second channel registered for them (never one the ticket names),
    /// to confirm the request; fails unless they confirm. Sends a challenge, changes nothing.
    VerifyOutOfBand: "verify_out_of_band", Write, ChallengeArgs => Challenge;
    targets(a) user(&a.user);
    run(cx, a) {
        let challenge = cx.caps.delivery.challenge(cx.tenant, &a.user, &a.purpose).await?;
        if !challenge.confirmed {
            return Err(ToolError::Precondition(format!(
                "the user did not confirm the request on {} ({})",
                challenge.channel, challenge.destination
            )));
        }
        Ok(challenge)
    }
}

tool! {
    /// Clear a user's account lockout.
    UnlockAccount: "unlock_account", Write, UserArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.unlock_account(cx.tenant, &a.user).await?) }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Revoke all of a user's sign-in sessions and refresh tokens.
    RevokeSessions: "revoke_sessions", Write, UserArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.revoke_sessions(cx.tenant, &a.user).await?) }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Issue a Temporary Access Pass and deliver it out of band.
    CreateTemporaryAccessPass: "create_temporary_access_pass", Write, TapArgs => Delivered;
    targets(a) user(&a.user);
    run(cx, a) {
        let tap = cx.caps.identity.create_temporary_access_pass(cx.tenant, &a.user, a.lifetime_minutes).await?;
        let delivered = cx.caps.delivery.deliver(cx.tenant, &a.user, "temporary_access_pass", &tap).await?;
        Ok(Delivered { delivered })
    }
}

tool! {
    /// Delete every authentication method of a user except the password (MFA re-registration).
    ResetMfa: "reset_mfa", Write, UserArgs => u32;
    targets(a) user(&a.user);
    run(cx, a) {
        let mut deleted = 0;
        for m in cx.caps.identity.list_auth_methods(cx.tenant, &a.user).await? {
            if m.kind != AuthMethodKind::Password {
                cx.caps.identity.delete_auth_method(cx.tenant, &a.user, &m).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Disable a user's sign-in.
    DisableAccount: "disable_account", Write, UserArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.set_sign_in_enabled(cx.tenant, &a.user, false).await?) }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Add a user to a group or distribution list.
    AddGroupMember: "add_group_member", Write, GroupMemberArgs => ();
    targets(a) vec![TargetRef::User(a.user.clone()), TargetRef::Group(a.group.clone())];
    run(cx, a) {
        let group = find_group(cx, &a.group).await?;
        Ok(cx.caps.identity.add_group_member(cx.tenant, &group.id, &a.user).await?)
    }
    reconcile(cx, a, since) {
        let group = find_group(cx, &a.group).await?;
        let groups = cx.caps.identity.list_user_groups(cx.tenant, &a.user).await?;
        Ok(if groups.iter().any(|g| g.id == group.id) { Reconciled::Done(serde_json::Value::Null) } else { Reconciled::NotDone })
    }
}

tool! {
    /// Remove a user from a group or distribution list.
    RemoveGroupMember: "remove_group_member", Write, GroupMemberArgs => ();
    targets(a) vec![TargetRef::User(a.user.clone()), TargetRef::Group(a.group.clone())];
    run(cx, a) {
        let group = find_group(cx, &a.group).await?;
        Ok(cx.caps.identity.remove_group_member(cx.tenant, &group.id, &a.user).await?)
    }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

async fn find_group(cx: &ToolContext<'_>, name: &str) -> Result<Group, ToolError> {
    cx.caps
        .identity
        .find_group(cx.tenant, name)
        .await?
        .ok_or_else(|| ToolError::Precondition(format!("group `{name}` not found")))
}

tool! {
    /// Assign a licence SKU to a user, if a seat is free.
    AssignLicense: "assign_license", Write, LicenseArgs => ();
    targets(a) user(&a.user);
    run(cx, a) {
        let licenses = cx.caps.identity.list_licenses(cx.tenant).await?;
        match licenses.iter().find(|l| l.sku == a.sku) {
            None => return Err(ToolError::Precondition(format!("the client has no `{}` licences", a.sku))),
            Some(l) if l.consumed >= l.total => {
                return Err(ToolError::Precondition(format!("no free `{}` seat ({} of {} used)", a.sku, l.consumed, l.total)));
            }
            Some(_) => {}
        }
        Ok(cx.caps.identity.assign_license(cx.tenant, &a.user, &a.sku).await?)
    }
}

tool! {
    /// Remove a licence SKU from a user.
    RemoveLicense: "remove_license", Write, LicenseArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.remove_license(cx.tenant, &a.user, &a.sku).await?) }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Grant a user access to a shared mailbox.
    GrantMailboxAccess: "grant_mailbox_access", Write, MailboxArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.grant_mailbox_access(cx.tenant, &a.mailbox, &a.user, a.permission).await?) }
}

tool! {
    /// Forward a user's mail to an address, or stop forwarding.
    SetEmailForwarding: "set_email_forwarding", Write, ForwardingArgs => ();
    targets(a) user(&a.user);
    run(cx, a) { Ok(cx.caps.identity.set_email_forwarding(cx.tenant, &a.user, a.forward_to).await?) }
    reconcile(cx, a, since) { Ok(Reconciled::NotDone) }
}

tool! {
    /// Create a directory user.
    CreateUser: "create_user", Write, NewUser => DirectoryUser;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.identity.create_user(cx.tenant, &a).await?) }
    reconcile(cx, a, since) {
        Ok(match cx.caps.identity.find_user(cx.tenant, &a.upn).await? {
            Some(user) => Reconciled::Done(serde_json::to_value(user).map_err(|e| ToolError::Precondition(e.to_string()))?),
            None => Reconciled::NotDone,
        })
    }
}

// ---- Endpoint writes ---------------------------------------------------------------

tool! {
    /// Run a script from the RMM library on a device.
    RunScript: "run_script", Write, ScriptArgs => ScriptResult;
    targets(a) vec![];
    run(cx, a) { Ok(cx.caps.rmm.run_script(cx.tenant, &a.device, &a.script, &a.args).await?) }
}

tool! {
    /// Install a package from the client's software catalogue on a device.
    InstallSoftware: "install_software", Write, InstallArgs => ScriptResult;
    targets(a) vec![];
    run(cx, a) {
        let result = cx.caps.rmm.run_script(cx.tenant, &a.device, "install_package", std::slice::from_ref(&a.package)).await?;
        if result.exit_code != 0 {
            return Err(ToolError::Precondition(format!("install of `{}` failed with exit code {}", a.package, result.exit_code)));
        }
        Ok(result)
    }
}

/// Register every built-in tool.
pub(crate) fn register_all(r: &mut ToolRegistry) {
    r.register(GetTicket)
        .register(SearchTickets)
        .register(LookupContact)
        .register(LookupUser)
        .register(GetUserStatus)
        .register(ListAuthMethods)
        .register(ListUserGroups)
        .register(ListLicenses)
        .register(ListDevices)
        .register(GetDeviceStatus)
        .register(GetPatchStatus)
        .register(ListAlerts)
        .register(SearchDocumentation)
        .register(GetClientConfiguration)
        .register(TriageTicket)
        .register(CategorizeTicket)
        .register(UpdateTicketStatus)
        .register(AddInternalNote)
        .register(AddPublicNote)
        .register(LogTimeEntry)
        .register(ResetPassword)
        .register(VerifyOutOfBand)
        .register(UnlockAccount)
        .register(RevokeSessions)
        .register(CreateTemporaryAccessPass)
        .register(ResetMfa)
        .register(DisableAccount)
        .register(AddGroupMember)
        .register(RemoveGroupMember)
        .register(AssignLicense)
        .register(RemoveLicense)
        .register(GrantMailboxAccess)
        .register(SetEmailForwarding)
        .register(CreateUser)
        .register(RunScript)
        .register(InstallSoftware);
}
