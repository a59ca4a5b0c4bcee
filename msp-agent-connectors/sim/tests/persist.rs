//! `SimMsp::persistent`: every change survives dropping the simulator and reopening the
//! state file; bad files give typed errors; secrets never reach the disk.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Utc;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalRequest, MailboxPermission, NewUser, TicketUpdate,
};
use msp_agent_core::domain::{
    Actor, AuthMethodKind, DeviceId, Intent, Note, NoteVisibility, Priority, TenantId,
    TicketStatus, TimeEntry, UserId,
};
use msp_agent_core::secrecy::{ExposeSecret, SecretString};
use msp_agent_sim::{ApprovalMode, PersistError, SimMsp, WITHHELD_SECRET};

fn acme() -> TenantId {
    TenantId::new("acme")
}

fn u(id: &str) -> UserId {
    UserId::new(id)
}

/// A fresh, empty directory for one test.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "msp-agent-sim-persist-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        TempDir(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("world.json")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_new_file_is_seeded_and_an_in_memory_world_has_no_file() {
    let dir = TempDir::new("seed");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(sim.state_path(), Some(path.as_path()));
    assert!(path.exists());
    assert_eq!(
        entries(&dir.0),
        vec!["world.json"],
        "no temporary file left"
    );

    let seeded = SimMsp::seeded();
    assert_eq!(seeded.state_path(), None);
    assert_eq!(sim.tenants(), seeded.tenants());
    assert_eq!(sim.labelled_tickets(), seeded.labelled_tickets());

    // Reopening gives the same world, indexes and documentation included.
    drop(sim);
    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(sim.labelled_tickets(), seeded.labelled_tickets());
    assert_eq!(sim.open_tickets(), seeded.open_tickets());
    for t in seeded.tenants() {
        assert_eq!(sim.users(&t), seeded.users(&t));
        assert_eq!(sim.contacts(&t), seeded.contacts(&t));
        assert_eq!(sim.devices(&t), seeded.devices(&t));
        assert_eq!(sim.shared_mailboxes(&t), seeded.shared_mailboxes(&t));
        for user in seeded.users(&t) {
            assert_eq!(
                sim.user_by_email(&t, &user.mail).map(|x| x.id),
                seeded.user_by_email(&t, &user.mail).map(|x| x.id)
            );
        }
    }
}

#[tokio::test]
async fn documentation_search_works_after_a_reload() {
    let dir = TempDir::new("docs");
    let seeded = SimMsp::seeded();
    drop(SimMsp::persistent(dir.file()).unwrap());
    let sim = SimMsp::persistent(dir.file()).unwrap();
    let (a, b) = (sim.capabilities().docs, seeded.capabilities().docs);
    for tenant in seeded.tenants() {
        for q in ["password reset", "vpn", "printer", "new starter"] {
            let ids = |d: Vec<msp_agent_core::domain::Document>| {
                d.into_iter().map(|d| d.id).collect::<Vec<_>>()
            };
            let expected = ids(b.search(&tenant, q, 5).await.unwrap());
            assert_eq!(ids(a.search(&tenant, q, 5).await.unwrap()), expected, "{q}");
        }
        assert_eq!(
            a.client_configuration(&tenant, "onboarding_template")
                .await
                .unwrap(),
            b.client_configuration(&tenant, "onboarding_template")
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn every_kind_of_change_survives_a_reopen() {
    let dir = TempDir::new("changes");
    let path = dir.file();
    let before = Utc::now();

    let sim = SimMsp::persistent(&path).unwrap();
    let caps = sim.capabilities();
    let (tenant, ticket) = sim.open_tickets()[0].clone();

    // PSA.
    let note = Note {
        visibility: NoteVisibility::Internal,
        text: "durable note".into(),
        author: "msp-agent".into(),
    };
    caps.tickets
        .add_note(&tenant, &ticket, &note)
        .await
        .unwrap();
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 3,
        billable: true,
        notes: "msp-agent".into(),
    };
    caps.tickets
        .log_time(&tenant, &ticket, &entry)
        .await
        .unwrap();
    caps.tickets
        .update_ticket(
            &tenant,
            &ticket,
            &TicketUpdate {
                status: Some(TicketStatus::InProgress),
                priority: Some(Priority::High),
                board: Some("Level 2".into()),
                category: Some("Durable".into()),
            },
        )
        .await
        .unwrap();
    let filed = sim
        .add_ticket(
            &acme(),
            "maria.gonzalez@acme.example",
            "Filed before the crash",
            "Please keep me.",
            Intent::PasswordReset,
        )
        .unwrap();

    // Directory.
    let idp = &caps.identity;
    let maria = u("u-1008");
    let tom = u("u-1007");
    let jess = u("u-1010");
    let ethan = u("u-1015");
    let marcus = u("u-1017");
    let secret = SecretString::from("Durable-Harbour-93!");
    idp.reset_password(&acme(), &maria, &secret, true)
        .await
        .unwrap();
    idp.unlock_account(&acme(), &tom).await.unwrap();
    idp.set_sign_in_enabled(&acme(), &jess, false)
        .await
        .unwrap();
    idp.revoke_sessions(&acme(), &jess).await.unwrap();
    let methods = idp.list_auth_methods(&acme(), &maria).await.unwrap();
    let removable = methods
        .iter()
        .find(|m| m.kind != AuthMethodKind::Password)
        .cloned()
        .expect("maria has a second method");
    idp.delete_auth_method(&acme(), &maria, &removable)
        .await
        .unwrap();
    let tap = idp
        .create_temporary_access_pass(&acme(), &ethan, 60)
        .await
        .unwrap();
    idp.assign_license(&acme(), &ethan, "POWER_BI_PRO")
        .await
        .unwrap();
    let marketing = idp.find_group(&acme(), "Marketing").await.unwrap().unwrap();
    idp.add_group_member(&acme(), &marketing.id, &jess)
        .await
        .unwrap();
    idp.grant_mailbox_access(
        &acme(),
        "accounts@acme.example",
        &marcus,
        MailboxPermission::SendAs,
    )
    .await
    .unwrap();
    idp.set_email_forwarding(&acme(), &marcus, Some("maria.gonzalez@acme.example".into()))
        .await
        .unwrap();
    let hannah = idp
        .create_user(
            &acme(),
            &NewUser {
                display_name: "Hannah Cole".into(),
                upn: "hannah.cole@acme.example".into(),
                manager: Some(tom.clone()),
            },
        )
        .await
        .unwrap();

    // RMM.
    let maria_pc = DeviceId::new("d-1008");
    caps.rmm
        .run_script(
            &acme(),
            &maria_pc,
            "install_package",
            &["Adobe Acrobat Reader".to_owned()],
        )
        .await
        .unwrap();

    // Delivery, challenges, approvals, arrange helpers.
    caps.delivery
        .deliver(&acme(), &maria, "password_reset", &secret)
        .await
        .unwrap();
    caps.delivery
        .deliver(&acme(), &ethan, "temporary_access_pass", &tap)
        .await
        .unwrap();
    caps.delivery
        .challenge(&acme(), &tom, "password_reset")
        .await
        .unwrap();
    let request = ApprovalRequest {
        tenant: tenant.clone(),
        ticket: ticket.clone(),
        action: "reset_password".into(),
        change: serde_json::json!({ "user": "u-1008" }),
        reasoning: "verified requester".into(),
    };
    let decision = sim
        .approvals(ApprovalMode::ApproveAll {
            approver: "jane".into(),
        })
        .request_approval(&request)
        .await
        .unwrap();
    assert!(matches!(decision, ApprovalDecision::Approved { .. }));
    sim.deny_challenges(&marcus, true);
    assert!(sim.set_locked(&acme(), &ethan, true));
    assert!(sim.set_device_online(&acme(), &maria_pc, false));

    // Everything observable, before the "crash".
    let snapshot = |s: &SimMsp| {
        (
            (
                s.ticket(&tenant, &ticket),
                s.notes(&tenant, &ticket),
                s.time_entries(&tenant, &ticket),
                s.ticket(&acme(), &filed),
            ),
            s.users(&acme()),
            s.auth_methods(&acme(), &maria),
            s.user_licenses(&acme(), &ethan),
            s.license(&acme(), "POWER_BI_PRO"),
            s.group_members(&acme(), "Marketing"),
            s.mailbox_permissions(&acme(), "accounts@acme.example"),
            s.forwarding(&acme(), &marcus),
            (s.installed_packages(&acme(), &maria_pc), s.devices(&acme())),
            (
                s.script_runs(&acme(), &maria_pc),
                s.sessions_revoked(&acme(), &jess),
                s.sessions_revoked_at(&acme(), &jess),
                s.challenges(),
                s.approval_requests(),
                s.open_tickets(),
            ),
        )
    };
    let expected = snapshot(&sim);
    drop(caps);
    drop(sim);

    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(snapshot(&sim), expected);

    // Spot checks of what the fault-injection tests will ask.
    assert_eq!(sim.notes(&tenant, &ticket).last(), Some(&note));
    assert_eq!(sim.time_entries(&tenant, &ticket).last(), Some(&entry));
    let t = sim.ticket(&tenant, &ticket).unwrap();
    assert_eq!(t.status, TicketStatus::InProgress);
    assert!(sim.open_tickets().iter().any(|(_, id)| *id == filed));
    let m = sim.user(&acme(), &maria).unwrap();
    assert!(m.state.password_changed_at.unwrap() >= before);
    assert!(m.state.force_change_password);
    assert_eq!(sim.password_resets(&acme(), &maria), 1);
    assert_eq!(sim.password_resets(&acme(), &tom), 0);
    assert!(sim.password_matches(&acme(), &maria, secret.expose_secret()));
    assert!(sim.tap_matches(&acme(), &ethan, tap.expose_secret()));
    assert!(!sim.user(&acme(), &tom).unwrap().state.locked);
    assert!(!sim.user(&acme(), &jess).unwrap().state.enabled);
    assert!(sim.user(&acme(), &ethan).unwrap().state.locked);
    assert_eq!(sim.sessions_revoked(&acme(), &jess), 1);
    assert!(!sim.auth_methods(&acme(), &maria).contains(&removable));
    assert!(
        sim.user_licenses(&acme(), &ethan)
            .contains(&"POWER_BI_PRO".to_owned())
    );
    assert!(sim.group_members(&acme(), "Marketing").contains(&jess));
    assert!(
        sim.mailbox_permissions(&acme(), "accounts@acme.example")
            .contains(&(marcus.clone(), MailboxPermission::SendAs))
    );
    assert_eq!(
        sim.user_by_email(&acme(), "hannah.cole@acme.example")
            .map(|x| x.id),
        Some(hannah.id)
    );
    assert_eq!(
        sim.script_runs(&acme(), &maria_pc),
        vec![(
            "install_package".to_owned(),
            vec!["Adobe Acrobat Reader".to_owned()]
        )]
    );
    assert_eq!(sim.delivery_count(&acme(), &maria, "password_reset"), 1);
    assert_eq!(
        sim.delivery_count(&acme(), &ethan, "temporary_access_pass"),
        1
    );
    assert_eq!(sim.delivery_count(&acme(), &ethan, "password_reset"), 0);
    let out = sim.delivered_secrets();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|d| d.4.expose_secret() == WITHHELD_SECRET));
    assert_eq!(sim.approval_requests(), vec![request]);

    // A denied challenge stays denied.
    let c = sim
        .capabilities()
        .delivery
        .challenge(&acme(), &marcus, "password_reset")
        .await;
    if let Ok(c) = c {
        assert!(!c.confirmed);
    }

    // Ticket numbers keep counting after the reload.
    let next = sim
        .add_ticket(&acme(), "x@acme.example", "after", "after", Intent::Other)
        .unwrap();
    assert_ne!(next, filed);
}

#[tokio::test]
async fn changes_keep_accumulating_across_several_reopens() {
    let dir = TempDir::new("accumulate");
    let path = dir.file();
    let maria = u("u-1008");
    for round in 1..=3u32 {
        let sim = SimMsp::persistent(&path).unwrap();
        let secret = SecretString::from(format!("Round-{round}-Harbour-93!"));
        sim.capabilities()
            .identity
            .reset_password(&acme(), &maria, &secret, false)
            .await
            .unwrap();
        sim.capabilities()
            .delivery
            .deliver(&acme(), &maria, "password_reset", &secret)
            .await
            .unwrap();
        assert_eq!(sim.password_resets(&acme(), &maria), round);
        assert_eq!(
            sim.delivery_count(&acme(), &maria, "password_reset"),
            round as usize
        );
    }
    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(sim.password_resets(&acme(), &maria), 3);
    assert!(sim.password_matches(&acme(), &maria, "Round-3-Harbour-93!"));
    assert!(!sim.password_matches(&acme(), &maria, "Round-2-Harbour-93!"));
}

#[tokio::test]
async fn reads_and_failed_calls_do_not_rewrite_the_file() {
    let dir = TempDir::new("reads");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    let caps = sim.capabilities();
    let before = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    caps.identity
        .find_user(&acme(), "tom.brennan@acme.example")
        .await
        .unwrap();
    caps.rmm.list_devices(&acme(), None).await.unwrap();
    let err = caps
        .identity
        .reset_password(&acme(), &u("u-1008"), &SecretString::from("weak"), false)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert!(matches!(
        caps.identity
            .unlock_account(&TenantId::new("nobody"), &u("u-1008"))
            .await,
        Err(CapabilityError::WrongTenant(_))
    ));

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        modified
    );
}

#[tokio::test]
async fn no_secret_is_written_in_clear() {
    let dir = TempDir::new("secrets");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    let caps = sim.capabilities();
    let maria = u("u-1008");
    let ethan = u("u-1015");

    // A generated password, as the password-reset playbook makes one.
    let secret = SecretString::from(format!(
        "Gen-{}-Aq9!",
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    caps.identity
        .reset_password(&acme(), &maria, &secret, true)
        .await
        .unwrap();
    caps.delivery
        .deliver(&acme(), &maria, "password_reset", &secret)
        .await
        .unwrap();
    let tap = caps
        .identity
        .create_temporary_access_pass(&acme(), &ethan, 60)
        .await
        .unwrap();
    caps.delivery
        .deliver(&acme(), &ethan, "temporary_access_pass", &tap)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(secret.expose_secret()), "password in clear");
    assert!(!text.contains(tap.expose_secret()), "TAP in clear");
    assert!(text.contains("password_reset"), "delivery metadata is kept");

    // The live world still hands the secrets to tests; a reloaded one cannot.
    assert_eq!(
        sim.delivered_secrets()[0].4.expose_secret(),
        secret.expose_secret()
    );
    drop(caps);
    drop(sim);
    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(
        sim.delivered_secrets()[0].4.expose_secret(),
        WITHHELD_SECRET
    );
    assert!(sim.password_matches(&acme(), &maria, secret.expose_secret()));
}

#[tokio::test]
async fn vault_secrets_are_not_in_the_file_but_survive_a_reload() {
    let dir = TempDir::new("vault");
    let path = dir.file();
    let seeded = SimMsp::seeded();
    drop(SimMsp::persistent(&path).unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let reloaded = SimMsp::persistent(&path).unwrap();
    let (a, b) = (reloaded.capabilities().docs, seeded.capabilities().docs);
    for tenant in seeded.tenants() {
        for name in ["guest-wifi", "printer-admin"] {
            let v = b.vault_secret(&tenant, name).await.unwrap();
            assert!(!text.contains(v.expose_secret()), "{name} in clear");
            let again = a.vault_secret(&tenant, name).await.unwrap();
            assert_eq!(again.expose_secret(), v.expose_secret());
        }
    }
}

#[test]
fn a_corrupt_or_truncated_file_is_a_typed_error() {
    let dir = TempDir::new("corrupt");
    let path = dir.file();
    drop(SimMsp::persistent(&path).unwrap());
    let good = std::fs::read(&path).unwrap();

    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = SimMsp::persistent(&path).unwrap_err();
    assert!(matches!(err, PersistError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("world.json"), "{err}");

    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        SimMsp::persistent(&path).unwrap_err(),
        PersistError::Corrupt { .. }
    ));

    std::fs::write(&path, b"\x00\xff not json").unwrap();
    assert!(matches!(
        SimMsp::persistent(&path).unwrap_err(),
        PersistError::Corrupt { .. }
    ));

    std::fs::write(&path, br#"{"format":1,"tenants":{}}"#).unwrap();
    assert!(matches!(
        SimMsp::persistent(&path).unwrap_err(),
        PersistError::Corrupt { .. }
    ));

    let mut other: serde_json::Value = serde_json::from_slice(&good).unwrap();
    other["format"] = serde_json::json!(999);
    std::fs::write(&path, serde_json::to_vec(&other).unwrap()).unwrap();
    assert!(matches!(
        SimMsp::persistent(&path).unwrap_err(),
        PersistError::Version { found: 999, .. }
    ));

    // The bad file is left alone (not replaced by a fresh seed).
    assert_eq!(
        std::fs::read(&path).unwrap(),
        serde_json::to_vec(&other).unwrap()
    );

    // A directory where the file should be is an I/O error.
    let err = SimMsp::persistent(&dir.0).unwrap_err();
    assert!(matches!(err, PersistError::Io { .. }), "{err:?}");
}

#[tokio::test]
async fn a_temporary_file_left_by_a_crash_is_ignored_and_removed() {
    let dir = TempDir::new("torn");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    let maria = u("u-1008");
    sim.capabilities()
        .identity
        .reset_password(
            &acme(),
            &maria,
            &SecretString::from("Saved-Before-71!"),
            false,
        )
        .await
        .unwrap();
    drop(sim);

    // A crash in the middle of the next save: half a file under the temporary name.
    let good = std::fs::read(&path).unwrap();
    let tmp = dir.0.join("world.json.tmp");
    std::fs::write(&tmp, &good[..good.len() / 3]).unwrap();

    let sim = SimMsp::persistent(&path).unwrap();
    assert!(!tmp.exists(), "the temporary file is cleaned up");
    assert!(sim.password_matches(&acme(), &maria, "Saved-Before-71!"));
    assert_eq!(sim.password_resets(&acme(), &maria), 1);

    // Saves work again, and leave no temporary file behind.
    sim.capabilities()
        .identity
        .unlock_account(&acme(), &u("u-1007"))
        .await
        .unwrap();
    assert_eq!(entries(&dir.0), vec!["world.json"]);
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_is_a_permanent_error() {
    let dir = TempDir::new("unsaveable");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    // Make the temporary file impossible to create: a directory under its name.
    std::fs::create_dir(dir.0.join("world.json.tmp")).unwrap();
    let err = sim
        .capabilities()
        .identity
        .unlock_account(&acme(), &u("u-1007"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Permanent(_)), "{err:?}");

    // Once the obstacle is gone, the next call saves the pending change too.
    std::fs::remove_dir(dir.0.join("world.json.tmp")).unwrap();
    sim.capabilities()
        .identity
        .find_user(&acme(), "tom.brennan@acme.example")
        .await
        .unwrap();
    drop(sim);
    let sim = SimMsp::persistent(&path).unwrap();
    assert!(!sim.user(&acme(), &u("u-1007")).unwrap().state.locked);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_on_several_clients_are_all_saved() {
    let dir = TempDir::new("concurrent");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    let mut tasks = Vec::new();
    for (i, (tenant, ticket)) in sim.open_tickets().into_iter().take(12).enumerate() {
        let caps = sim.capabilities();
        tasks.push(tokio::spawn(async move {
            let note = Note {
                visibility: NoteVisibility::Internal,
                text: format!("note {i}"),
                author: "msp-agent".into(),
            };
            caps.tickets
                .add_note(&tenant, &ticket, &note)
                .await
                .unwrap();
            (tenant, ticket, note)
        }));
    }
    let mut written = Vec::new();
    for t in tasks {
        written.push(t.await.unwrap());
    }
    drop(sim);
    let sim = SimMsp::persistent(&path).unwrap();
    for (tenant, ticket, note) in written {
        assert_eq!(sim.notes(&tenant, &ticket).last(), Some(&note));
    }
}

#[test]
fn generated_tickets_are_saved() {
    let dir = TempDir::new("generated");
    let path = dir.file();
    let sim = SimMsp::persistent(&path).unwrap();
    let ids = sim.add_generated_tickets(25, 7);
    let expected = sim.labelled_tickets();
    drop(sim);
    let sim = SimMsp::persistent(&path).unwrap();
    assert_eq!(sim.labelled_tickets(), expected);
    for (tenant, id) in ids {
        assert!(sim.ticket(&tenant, &id).is_some());
    }
}

/// Set (to a state file) in the child process of
/// [`a_process_killed_mid_run_leaves_a_consistent_file`].
const CRASH_CHILD: &str = "MSP_AGENT_SIM_CRASH_CHILD";

/// In the child process only: add notes and reset a password until killed.
#[tokio::test]
async fn crash_child() {
    let Ok(path) = std::env::var(CRASH_CHILD) else {
        return;
    };
    let sim = SimMsp::persistent(&path).unwrap();
    let caps = sim.capabilities();
    let (tenant, ticket) = sim.open_tickets()[0].clone();
    for i in 0..100_000u32 {
        let note = Note {
            visibility: NoteVisibility::Internal,
            text: format!("crash note {i}"),
            author: "msp-agent".into(),
        };
        caps.tickets
            .add_note(&tenant, &ticket, &note)
            .await
            .unwrap();
        let secret = SecretString::from(format!("Crash-{i}-Harbour!"));
        caps.identity
            .reset_password(&acme(), &u("u-1008"), &secret, false)
            .await
            .unwrap();
    }
}

#[test]
fn a_process_killed_mid_run_leaves_a_consistent_file() {
    let dir = TempDir::new("kill");
    let path = dir.file();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--test-threads=1"])
        .env(CRASH_CHILD, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        // Read the file directly: opening it would remove the child's temporary file.
        if std::fs::read_to_string(&path).is_ok_and(|t| t.contains("crash note 20\"")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the child never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(23));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let sim = SimMsp::persistent(&path).unwrap();
    let (tenant, ticket) = sim.open_tickets()[0].clone();
    let notes: Vec<String> = sim
        .notes(&tenant, &ticket)
        .into_iter()
        .map(|n| n.text)
        .filter(|t| t.starts_with("crash note "))
        .collect();
    assert!(notes.len() > 20, "{}", notes.len());
    for (i, text) in notes.iter().enumerate() {
        assert_eq!(text, &format!("crash note {i}"), "no gap, no repeat");
    }
    // Each round adds a note, then resets the password: the kill fell between two saves.
    let resets = sim.password_resets(&acme(), &u("u-1008"));
    let n = u32::try_from(notes.len()).unwrap();
    assert!(resets == n || resets + 1 == n, "{resets} resets, {n} notes");
    let last = format!("Crash-{}-Harbour!", resets - 1);
    assert!(sim.password_matches(&acme(), &u("u-1008"), &last));
    assert_eq!(entries(&dir.0), vec!["world.json"]);
}
