//! Conformance suite for capability implementations (feature `test-utils`).
//!
//! Every connector — the simulated MSP, ConnectWise, Entra, … — must honour the same contract
//! the pipeline relies on: objects come back under the tenant that asked, a missing object is
//! [`CapabilityError::NotFound`], a tenant the connector does not serve is
//! [`CapabilityError::WrongTenant`], notes keep their visibility, agent time is recorded as
//! agent time. Run the suite from a connector's tests against a fixture (a wiremock server
//! with the vendor's responses, a sandbox instance, or the simulator):
//!
//! ```
//! # #[cfg(feature = "test-utils")]
//! # async fn demo(psa: &dyn msp_agent_core::capability::TicketSystem) {
//! use msp_agent_core::conformance::{TicketSystemFixture, check_ticket_system};
//! use msp_agent_core::domain::{TenantId, TicketId};
//!
//! let fixture = TicketSystemFixture {
//!     tenant: TenantId::new("acme"),
//!     ticket: TicketId::new("T-1001"),
//!     missing_ticket: TicketId::new("T-9999"),
//!     contact_email: "alice@acme.example".into(),
//!     unknown_email: "nobody@acme.example".into(),
//!     foreign_tenant: Some(TenantId::new("globex")),
//!     unmapped_tenant: TenantId::new("not-a-client"),
//!     writes: true,
//! };
//! let passed = check_ticket_system(psa, &fixture).await.unwrap();
//! assert!(passed.contains(&"get_ticket"));
//! # }
//! ```
//!
//! Each function returns the names of the checks that passed, or the first
//! [`ConformanceFailure`] naming the check and what was observed. Checks run in the order
//! documented on each function, so an HTTP fixture can mock a stateful sequence.

use secrecy::ExposeSecret;

use crate::capability::{
    Documentation, IdentityProvider, Rmm, TicketQuery, TicketSystem, TicketUpdate,
};
use crate::domain::{
    Actor, DeviceId, DirectoryUser, Note, NoteVisibility, TenantId, TicketId, TicketStatus,
    TimeEntry, UserId,
};
use crate::error::{CapResult, CapabilityError};

/// Text of the internal note the ticket-system suite writes.
pub const NOTE_INTERNAL: &str = "msp-agent conformance: internal note";
/// Text of the public note the ticket-system suite writes.
pub const NOTE_PUBLIC: &str = "msp-agent conformance: public note";
/// Notes of the time entry the ticket-system suite logs (6 minutes, agent, not billable).
pub const TIME_NOTES: &str = "msp-agent conformance: agent time";
/// Minutes of the time entry the ticket-system suite logs.
pub const TIME_MINUTES: u32 = 6;

/// A failed conformance check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("conformance check `{check}` failed: {detail}")]
pub struct ConformanceFailure {
    /// Name of the check.
    pub check: &'static str,
    /// What was observed instead of the contract.
    pub detail: String,
}

/// Known data of a [`TicketSystem`] under test.
#[derive(Debug, Clone)]
pub struct TicketSystemFixture {
    /// A tenant the connector serves.
    pub tenant: TenantId,
    /// An existing ticket of `tenant`.
    pub ticket: TicketId,
    /// A ticket id that does not exist.
    pub missing_ticket: TicketId,
    /// E-mail of an existing contact of `tenant`.
    pub contact_email: String,
    /// An e-mail address with no contact.
    pub unknown_email: String,
    /// Another tenant the connector serves, to which `ticket` does not belong.
    pub foreign_tenant: Option<TenantId>,
    /// A tenant the connector is not configured for.
    pub unmapped_tenant: TenantId,
    /// Run the write checks (notes, time entry, status update).
    pub writes: bool,
}

/// Known data of an [`IdentityProvider`] under test.
#[derive(Debug, Clone)]
pub struct IdentityFixture {
    /// A tenant the connector serves.
    pub tenant: TenantId,
    /// UPN of an ordinary, enabled user of `tenant`.
    pub upn: String,
    /// A UPN with no user.
    pub unknown_upn: String,
    /// A user id that does not exist.
    pub missing_user: UserId,
    /// Name of a group of `tenant`.
    pub group: String,
    /// Another tenant the connector serves, in which the user does not exist.
    pub foreign_tenant: Option<TenantId>,
    /// A tenant the connector is not configured for.
    pub unmapped_tenant: TenantId,
    /// Run the write checks (revoke sessions, add and remove group member).
    pub writes: bool,
}

/// Collects passed checks and turns observations into failures.
struct Run {
    passed: Vec<&'static str>,
}

impl Run {
    fn pass(&mut self, check: &'static str) {
        self.passed.push(check);
    }

    /// The value of a call that must succeed.
    fn ok<T>(check: &'static str, result: CapResult<T>) -> Result<T, ConformanceFailure> {
        result.map_err(|e| fail(check, format!("expected success, got error: {e}")))
    }

    /// A call that must fail with an error accepted by `expected`.
    fn err<T: std::fmt::Debug>(
        &mut self,
        check: &'static str,
        result: CapResult<T>,
        expected: &str,
        accept: impl Fn(&CapabilityError) -> bool,
    ) -> Result<(), ConformanceFailure> {
        match result {
            Err(e) if accept(&e) => {
                self.pass(check);
                Ok(())
            }
            Err(e) => Err(fail(check, format!("expected {expected}, got error: {e}"))),
            Ok(v) => Err(fail(check, format!("expected {expected}, got Ok({v:?})"))),
        }
    }
}

fn fail(check: &'static str, detail: impl Into<String>) -> ConformanceFailure {
    ConformanceFailure {
        check,
        detail: detail.into(),
    }
}

fn ensure(
    check: &'static str,
    cond: bool,
    detail: impl FnOnce() -> String,
) -> Result<(), ConformanceFailure> {
    if cond {
        Ok(())
    } else {
        Err(fail(check, detail()))
    }
}

fn not_found(e: &CapabilityError) -> bool {
    matches!(e, CapabilityError::NotFound(_))
}

/// Runs the ticket-system contract, in this order:
///
/// 1. `get_ticket`: the ticket comes back with its id and tenant;
/// 2. `missing_ticket`: `missing_ticket` is `NotFound`;
/// 3. `foreign_ticket` (with `foreign_tenant`): the ticket under the other tenant is
///    `NotFound` or `WrongTenant`;
/// 4. `unmapped_tenant`: any call for `unmapped_tenant` is `WrongTenant`;
/// 5. `search_tickets`: a search with limit 5 returns at most 5 tickets, all of the tenant;
/// 6. `find_contact`: the contact is found by e-mail (compared ignoring case), of the
///    tenant, and `get_contact` returns the same id;
/// 7. `unknown_contact`: `unknown_email` finds nothing;
/// 8. with `writes`: `internal_note` and `public_note` (added, then listed with their
///    visibility), `time_entry` (agent time logged, then listed as agent time),
///    `update_status` (set to in progress, then read back).
pub async fn check_ticket_system(
    ts: &dyn TicketSystem,
    f: &TicketSystemFixture,
) -> Result<Vec<&'static str>, ConformanceFailure> {
    let mut run = Run { passed: Vec::new() };

    let t = Run::ok("get_ticket", ts.get_ticket(&f.tenant, &f.ticket).await)?;
    ensure(
        "get_ticket",
        t.id == f.ticket && t.tenant == f.tenant,
        || format!("asked {}/{}, got {}/{}", f.tenant, f.ticket, t.tenant, t.id),
    )?;
    run.pass("get_ticket");

    run.err(
        "missing_ticket",
        ts.get_ticket(&f.tenant, &f.missing_ticket).await,
        "NotFound",
        not_found,
    )?;
    if let Some(foreign) = &f.foreign_tenant {
        run.err(
            "foreign_ticket",
            ts.get_ticket(foreign, &f.ticket).await,
            "NotFound or WrongTenant",
            |e| not_found(e) || matches!(e, CapabilityError::WrongTenant(_)),
        )?;
    }
    run.err(
        "unmapped_tenant",
        ts.get_ticket(&f.unmapped_tenant, &f.ticket).await,
        "WrongTenant",
        |e| matches!(e, CapabilityError::WrongTenant(t) if *t == f.unmapped_tenant),
    )?;

    let query = TicketQuery {
        limit: Some(5),
        ..TicketQuery::default()
    };
    let found = Run::ok("search_tickets", ts.search_tickets(&f.tenant, &query).await)?;
    ensure("search_tickets", found.len() <= 5, || {
        format!("limit 5, got {} tickets", found.len())
    })?;
    if let Some(other) = found.iter().find(|t| t.tenant != f.tenant) {
        return Err(fail(
            "search_tickets",
            format!("ticket {} of tenant {} returned", other.id, other.tenant),
        ));
    }
    run.pass("search_tickets");

    let contact = Run::ok(
        "find_contact",
        ts.find_contact_by_email(&f.tenant, &f.contact_email).await,
    )?
    .ok_or_else(|| fail("find_contact", format!("{} not found", f.contact_email)))?;
    ensure(
        "find_contact",
        contact.email.eq_ignore_ascii_case(&f.contact_email) && contact.tenant == f.tenant,
        || format!("got {} of tenant {}", contact.email, contact.tenant),
    )?;
    let again = Run::ok("find_contact", ts.get_contact(&f.tenant, &contact.id).await)?;
    ensure("find_contact", again.id == contact.id, || {
        format!("get_contact({}) returned {}", contact.id, again.id)
    })?;
    run.pass("find_contact");

    let none = Run::ok(
        "unknown_contact",
        ts.find_contact_by_email(&f.tenant, &f.unknown_email).await,
    )?;
    ensure("unknown_contact", none.is_none(), || {
        format!("{} found a contact", f.unknown_email)
    })?;
    run.pass("unknown_contact");

    if f.writes {
        for (check, visibility, text) in [
            ("internal_note", NoteVisibility::Internal, NOTE_INTERNAL),
            ("public_note", NoteVisibility::Public, NOTE_PUBLIC),
        ] {
            let note = Note {
                visibility,
                text: text.to_string(),
                author: "msp-agent".to_string(),
            };
            Run::ok(check, ts.add_note(&f.tenant, &f.ticket, &note).await)?;
            let notes = Run::ok(check, ts.list_notes(&f.tenant, &f.ticket).await)?;
            ensure(
                check,
                notes
                    .iter()
                    .any(|n| n.visibility == visibility && n.text.contains(text)),
                || format!("no {visibility:?} note containing {text:?} among {notes:?}"),
            )?;
            run.pass(check);
        }

        let entry = TimeEntry {
            actor: Actor::Agent,
            minutes: TIME_MINUTES,
            billable: false,
            notes: TIME_NOTES.to_string(),
        };
        Run::ok(
            "time_entry",
            ts.log_time(&f.tenant, &f.ticket, &entry).await,
        )?;
        let entries = Run::ok(
            "time_entry",
            ts.list_time_entries(&f.tenant, &f.ticket).await,
        )?;
        ensure(
            "time_entry",
            entries.iter().any(|e| {
                e.actor == Actor::Agent && e.minutes == TIME_MINUTES && e.notes.contains(TIME_NOTES)
            }),
            || format!("no agent entry of {TIME_MINUTES} min among {entries:?}"),
        )?;
        run.pass("time_entry");

        let update = TicketUpdate {
            status: Some(TicketStatus::InProgress),
            ..TicketUpdate::default()
        };
        Run::ok(
            "update_status",
            ts.update_ticket(&f.tenant, &f.ticket, &update).await,
        )?;
        let t = Run::ok("update_status", ts.get_ticket(&f.tenant, &f.ticket).await)?;
        ensure(
            "update_status",
            t.status == TicketStatus::InProgress,
            || format!("status after update: {:?}", t.status),
        )?;
        run.pass("update_status");
    }
    Ok(run.passed)
}

/// Runs the identity-provider contract, in this order:
///
/// 1. `find_user`: the user is found by UPN (compared ignoring case), of the tenant, and
///    `get_user` returns the same id;
/// 2. `unknown_user`: `unknown_upn` finds nothing;
/// 3. `missing_user`: `get_user(missing_user)` is `NotFound`;
/// 4. `foreign_user` (with `foreign_tenant`): the user's id under the other tenant is
///    `NotFound`, `WrongTenant` or `Forbidden`;
/// 5. `unmapped_tenant`: `find_user` for `unmapped_tenant` is `WrongTenant`;
/// 6. `reads`: `list_user_groups`, `list_auth_methods` and `list_licenses` succeed;
/// 7. `find_group`: `group` is found by name (compared ignoring case);
/// 8. with `writes`: `revoke_sessions`, then `group_membership` (add the user to the group,
///    list the user's groups and see it, remove the user again).
pub async fn check_identity_provider(
    idp: &dyn IdentityProvider,
    f: &IdentityFixture,
) -> Result<Vec<&'static str>, ConformanceFailure> {
    let mut run = Run { passed: Vec::new() };

    let user = Run::ok("find_user", idp.find_user(&f.tenant, &f.upn).await)?
        .ok_or_else(|| fail("find_user", format!("{} not found", f.upn)))?;
    ensure(
        "find_user",
        user.upn.eq_ignore_ascii_case(&f.upn) && user.tenant == f.tenant,
        || format!("got {} of tenant {}", user.upn, user.tenant),
    )?;
    let again = Run::ok("find_user", idp.get_user(&f.tenant, &user.id).await)?;
    ensure("find_user", again.id == user.id, || {
        format!("get_user({}) returned {}", user.id, again.id)
    })?;
    run.pass("find_user");

    let none = Run::ok(
        "unknown_user",
        idp.find_user(&f.tenant, &f.unknown_upn).await,
    )?;
    ensure("unknown_user", none.is_none(), || {
        format!("{} found a user", f.unknown_upn)
    })?;
    run.pass("unknown_user");

    run.err(
        "missing_user",
        idp.get_user(&f.tenant, &f.missing_user).await,
        "NotFound",
        not_found,
    )?;
    if let Some(foreign) = &f.foreign_tenant {
        run.err(
            "foreign_user",
            idp.get_user(foreign, &user.id).await,
            "NotFound, WrongTenant or Forbidden",
            |e| {
                not_found(e)
                    || matches!(
                        e,
                        CapabilityError::WrongTenant(_) | CapabilityError::Forbidden(_)
                    )
            },
        )?;
    }
    run.err(
        "unmapped_tenant",
        idp.find_user(&f.unmapped_tenant, &f.upn).await,
        "WrongTenant",
        |e| matches!(e, CapabilityError::WrongTenant(t) if *t == f.unmapped_tenant),
    )?;

    Run::ok("reads", idp.list_user_groups(&f.tenant, &user.id).await)?;
    Run::ok("reads", idp.list_auth_methods(&f.tenant, &user.id).await)?;
    Run::ok("reads", idp.list_licenses(&f.tenant).await)?;
    run.pass("reads");

    let group = Run::ok("find_group", idp.find_group(&f.tenant, &f.group).await)?
        .ok_or_else(|| fail("find_group", format!("{} not found", f.group)))?;
    ensure(
        "find_group",
        group.name.eq_ignore_ascii_case(&f.group),
        || format!("asked {}, got {}", f.group, group.name),
    )?;
    run.pass("find_group");

    if f.writes {
        Run::ok(
            "revoke_sessions",
            idp.revoke_sessions(&f.tenant, &user.id).await,
        )?;
        run.pass("revoke_sessions");

        Run::ok(
            "group_membership",
            idp.add_group_member(&f.tenant, &group.id, &user.id).await,
        )?;
        let groups = Run::ok(
            "group_membership",
            idp.list_user_groups(&f.tenant, &user.id).await,
        )?;
        ensure(
            "group_membership",
            groups.iter().any(|g| g.id == group.id),
            || format!("{} not among the user's groups after add", group.id),
        )?;
        Run::ok(
            "group_membership",
            idp.remove_group_member(&f.tenant, &group.id, &user.id)
                .await,
        )?;
        run.pass("group_membership");
    }
    Ok(run.passed)
}

/// Known data of an [`Rmm`] under test.
#[derive(Debug, Clone)]
pub struct RmmFixture {
    /// A tenant the connector serves.
    pub tenant: TenantId,
    /// An existing device of `tenant`.
    pub device: DeviceId,
    /// A device id that does not exist.
    pub missing_device: DeviceId,
    /// A directory user of `tenant` who uses `device` (as the RMM records it).
    pub user: Option<DirectoryUser>,
    /// Another tenant the connector serves, to which `device` does not belong.
    pub foreign_tenant: Option<TenantId>,
    /// A tenant the connector is not configured for.
    pub unmapped_tenant: TenantId,
    /// A harmless script and its arguments to run on `device` (the write check).
    pub script: Option<(String, Vec<String>)>,
}

/// Runs the RMM contract, in this order:
///
/// 1. `list_devices`: the tenant's devices include `device`, all of the tenant;
/// 2. `user_devices` (with `user`): the user's devices include `device`;
/// 3. `device_status`: the status is of `device`;
/// 4. `missing_device`: the status of `missing_device` is `NotFound`;
/// 5. `foreign_device` (with `foreign_tenant`): `device` under the other tenant is
///    `NotFound` or `WrongTenant`;
/// 6. `unmapped_tenant`: `list_devices` for `unmapped_tenant` is `WrongTenant`;
/// 7. `alerts`: the device's alerts are all of `device`;
/// 8. with `script`: `run_script` returns a result.
pub async fn check_rmm(
    rmm: &dyn Rmm,
    f: &RmmFixture,
) -> Result<Vec<&'static str>, ConformanceFailure> {
    let mut run = Run { passed: Vec::new() };

    let devices = Run::ok("list_devices", rmm.list_devices(&f.tenant, None).await)?;
    ensure(
        "list_devices",
        devices.iter().any(|d| d.id == f.device),
        || format!("{} not among {} devices", f.device, devices.len()),
    )?;
    if let Some(other) = devices.iter().find(|d| d.tenant != f.tenant) {
        return Err(fail(
            "list_devices",
            format!("device {} of tenant {} returned", other.id, other.tenant),
        ));
    }
    run.pass("list_devices");

    if let Some(user) = &f.user {
        let mine = Run::ok(
            "user_devices",
            rmm.list_devices(&f.tenant, Some(user)).await,
        )?;
        ensure(
            "user_devices",
            mine.iter().any(|d| d.id == f.device),
            || format!("{} not among {}'s devices {mine:?}", f.device, user.upn),
        )?;
        ensure("user_devices", mine.len() <= devices.len(), || {
            "a user has more devices than the tenant".to_owned()
        })?;
        run.pass("user_devices");
    }

    let status = Run::ok(
        "device_status",
        rmm.device_status(&f.tenant, &f.device).await,
    )?;
    ensure("device_status", status.device == f.device, || {
        format!("asked {}, got {}", f.device, status.device)
    })?;
    run.pass("device_status");

    run.err(
        "missing_device",
        rmm.device_status(&f.tenant, &f.missing_device).await,
        "NotFound",
        not_found,
    )?;
    if let Some(foreign) = &f.foreign_tenant {
        run.err(
            "foreign_device",
            rmm.device_status(foreign, &f.device).await,
            "NotFound or WrongTenant",
            |e| not_found(e) || matches!(e, CapabilityError::WrongTenant(_)),
        )?;
    }
    run.err(
        "unmapped_tenant",
        rmm.list_devices(&f.unmapped_tenant, None).await,
        "WrongTenant",
        |e| matches!(e, CapabilityError::WrongTenant(t) if *t == f.unmapped_tenant),
    )?;

    let alerts = Run::ok("alerts", rmm.list_alerts(&f.tenant, Some(&f.device)).await)?;
    if let Some(other) = alerts.iter().find(|a| a.device != f.device) {
        return Err(fail(
            "alerts",
            format!("alert of device {} returned", other.device),
        ));
    }
    run.pass("alerts");

    if let Some((script, args)) = &f.script {
        Run::ok(
            "run_script",
            rmm.run_script(&f.tenant, &f.device, script, args).await,
        )?;
        run.pass("run_script");
    }
    Ok(run.passed)
}

/// Known data of a [`Documentation`] source under test.
#[derive(Debug, Clone)]
pub struct DocumentationFixture {
    /// A tenant the connector serves.
    pub tenant: TenantId,
    /// A query that finds at least one document of `tenant`.
    pub query: String,
    /// Name of an existing client configuration record (e.g. `onboarding_template`).
    pub configuration: String,
    /// Name of an existing vault entry.
    pub vault_entry: String,
    /// A name that is neither a configuration record nor a vault entry.
    pub missing_name: String,
    /// A tenant the connector is not configured for.
    pub unmapped_tenant: TenantId,
}

/// Runs the documentation contract, in this order:
///
/// 1. `search`: `query` finds 1 to 3 documents with limit 3, all of the tenant, with titles;
/// 2. `configuration`: the record is found and is a JSON object;
/// 3. `missing_configuration`: `missing_name` is `Ok(None)`;
/// 4. `vault`: the entry's secret is not empty;
/// 5. `missing_vault`: `missing_name` in the vault is `NotFound`;
/// 6. `unmapped_tenant`: `search` for `unmapped_tenant` is `WrongTenant`.
pub async fn check_documentation(
    docs: &dyn Documentation,
    f: &DocumentationFixture,
) -> Result<Vec<&'static str>, ConformanceFailure> {
    let mut run = Run { passed: Vec::new() };

    let found = Run::ok("search", docs.search(&f.tenant, &f.query, 3).await)?;
    ensure("search", (1..=3).contains(&found.len()), || {
        format!("limit 3, got {} documents for {:?}", found.len(), f.query)
    })?;
    if let Some(d) = found
        .iter()
        .find(|d| d.tenant != f.tenant || d.title.is_empty())
    {
        return Err(fail(
            "search",
            format!(
                "document {} of tenant {} (title {:?})",
                d.id, d.tenant, d.title
            ),
        ));
    }
    run.pass("search");

    let record = Run::ok(
        "configuration",
        docs.client_configuration(&f.tenant, &f.configuration).await,
    )?;
    ensure(
        "configuration",
        record.as_ref().is_some_and(serde_json::Value::is_object),
        || format!("{} gave {record:?}", f.configuration),
    )?;
    run.pass("configuration");

    let none = Run::ok(
        "missing_configuration",
        docs.client_configuration(&f.tenant, &f.missing_name).await,
    )?;
    ensure("missing_configuration", none.is_none(), || {
        format!("{} gave {none:?}", f.missing_name)
    })?;
    run.pass("missing_configuration");

    let secret = Run::ok("vault", docs.vault_secret(&f.tenant, &f.vault_entry).await)?;
    ensure("vault", !secret.expose_secret().is_empty(), || {
        format!("{} is empty", f.vault_entry)
    })?;
    run.pass("vault");

    run.err(
        "missing_vault",
        docs.vault_secret(&f.tenant, &f.missing_name)
            .await
            .map(|_| "<secret>"),
        "NotFound",
        not_found,
    )?;
    run.err(
        "unmapped_tenant",
        docs.search(&f.unmapped_tenant, &f.query, 3).await,
        "WrongTenant",
        |e| matches!(e, CapabilityError::WrongTenant(t) if *t == f.unmapped_tenant),
    )?;
    Ok(run.passed)
}
