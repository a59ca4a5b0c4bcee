//! Observable state changes, out-of-band delivery, recorded vendor calls, approvals.

use std::time::Duration;

use chrono::Utc;
use msp_agent_core::CapabilityError;
use msp_agent_core::audit::{REDACTED, recording};
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalRequest, MailboxPermission, NewUser, TicketQuery, TicketUpdate,
};
use msp_agent_core::domain::{
    Actor, AuthMethodKind, DeviceId, GroupId, Intent, Note, NoteVisibility, Priority, TenantId,
    TicketStatus, TimeEntry, UserId,
};
use msp_agent_core::secrecy::{ExposeSecret, SecretString};
use msp_agent_sim::{ApprovalMode, CHANNEL_MANAGER_EMAIL, CHANNEL_SMS, SimMsp};

fn acme() -> TenantId {
    TenantId::new("acme")
}

fn u(id: &str) -> UserId {
    UserId::new(id)
}

#[tokio::test]
async fn reset_password_stores_a_hash_and_records_a_redacted_call() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let maria = u("u-1008");
    let before = Utc::now();
    let secret = SecretString::from("Spring-Meadow-42!");
    let (result, calls) =
        recording(caps.identity.reset_password(&acme(), &maria, &secret, true)).await;
    result.unwrap();

    let user = sim.user(&acme(), &maria).unwrap();
    assert!(user.state.force_change_password);
    assert!(user.state.password_changed_at.unwrap() >= before);
    assert!(sim.password_matches(&acme(), &maria, "Spring-Meadow-42!"));
    assert!(!sim.password_matches(&acme(), &maria, "spring-meadow-42!"));
    assert!(!sim.password_matches(&acme(), &u("u-1010"), "Spring-Meadow-42!"));

    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "PATCH");
    assert_eq!(calls[0].url, "sim://identity/acme/users/u-1008");
    assert_eq!(calls[0].body["passwordProfile"]["password"], REDACTED);
    assert_eq!(
        calls[0].body["passwordProfile"]["forceChangePasswordNextSignIn"],
        true
    );
    let text = serde_json::to_string(&calls).unwrap();
    assert!(
        !text.contains("Spring-Meadow"),
        "the password never reaches the audit trail"
    );
}

#[tokio::test]
async fn weak_password_is_refused_and_nothing_changes() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let maria = u("u-1008");
    let before = sim.user(&acme(), &maria).unwrap();
    let err = caps
        .identity
        .reset_password(&acme(), &maria, &"password".into(), true)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    assert_eq!(sim.user(&acme(), &maria).unwrap(), before);
    assert!(!sim.password_matches(&acme(), &maria, "password"));
}

#[tokio::test]
async fn unlock_enable_and_revoke() {
    let sim = SimMsp::seeded();
    let idp = sim.capabilities().identity;
    let tom = u("u-1007");
    assert!(idp.get_user(&acme(), &tom).await.unwrap().state.locked);
    let (r, calls) = recording(idp.unlock_account(&acme(), &tom)).await;
    r.unwrap();
    assert_eq!(calls.len(), 1);
    assert!(!sim.user(&acme(), &tom).unwrap().state.locked);

    idp.set_sign_in_enabled(&acme(), &tom, false).await.unwrap();
    assert!(!sim.user(&acme(), &tom).unwrap().state.enabled);
    idp.set_sign_in_enabled(&acme(), &tom, true).await.unwrap();
    assert!(sim.user(&acme(), &tom).unwrap().state.enabled);

    assert_eq!(sim.sessions_revoked(&acme(), &tom), 0);
    idp.revoke_sessions(&acme(), &tom).await.unwrap();
    idp.revoke_sessions(&acme(), &tom).await.unwrap();
    assert_eq!(sim.sessions_revoked(&acme(), &tom), 2);
    assert!(sim.sessions_revoked_at(&acme(), &tom).is_some());

    let err = idp.unlock_account(&acme(), &u("u-9999")).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)));
    assert!(!sim.set_locked(&acme(), &u("u-9999"), true));
    assert!(sim.set_locked(&acme(), &tom, true));
    assert!(sim.user(&acme(), &tom).unwrap().state.locked);
}

#[tokio::test]
async fn auth_methods_and_temporary_access_pass() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let idp = &caps.identity;
    let linda = u("u-1012");
    let methods = idp.list_auth_methods(&acme(), &linda).await.unwrap();
    let kinds: Vec<_> = methods.iter().map(|m| m.kind).collect();
    assert!(kinds.contains(&AuthMethodKind::Password));
    assert!(kinds.contains(&AuthMethodKind::Authenticator));
    assert!(kinds.contains(&AuthMethodKind::Phone));

    let password = methods
        .iter()
        .find(|m| m.kind == AuthMethodKind::Password)
        .unwrap();
    let err = idp
        .delete_auth_method(&acme(), &linda, password)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Conflict(_)), "{err:?}");
    for m in methods
        .iter()
        .filter(|m| m.kind != AuthMethodKind::Password)
    {
        idp.delete_auth_method(&acme(), &linda, m).await.unwrap();
    }
    assert_eq!(
        idp.list_auth_methods(&acme(), &linda).await.unwrap().len(),
        1
    );
    let err = idp
        .delete_auth_method(&acme(), &linda, &methods[1])
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");

    let (tap, calls) = recording(idp.create_temporary_access_pass(&acme(), &linda, 60)).await;
    let tap = tap.unwrap();
    assert!(tap.expose_secret().len() >= 8);
    assert!(sim.tap_matches(&acme(), &linda, tap.expose_secret()));
    assert!(
        !serde_json::to_string(&calls)
            .unwrap()
            .contains(tap.expose_secret())
    );
    let taps = |sim: &SimMsp| {
        sim.auth_methods(&acme(), &linda)
            .into_iter()
            .filter(|m| m.kind == AuthMethodKind::TemporaryAccessPass)
            .count()
    };
    assert_eq!(taps(&sim), 1);
    let second = idp
        .create_temporary_access_pass(&acme(), &linda, 120)
        .await
        .unwrap();
    assert_eq!(taps(&sim), 1, "a new pass replaces the old one");
    assert!(!sim.tap_matches(&acme(), &linda, tap.expose_secret()));
    assert!(sim.tap_matches(&acme(), &linda, second.expose_secret()));
    let err = idp
        .create_temporary_access_pass(&acme(), &linda, 5)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn licence_seats_are_consumed_and_freed() {
    let sim = SimMsp::seeded();
    let idp = sim.capabilities().identity;
    let ethan = u("u-1015");
    let visio = sim.license(&acme(), "VISIO_PLAN2").unwrap();
    let err = idp
        .assign_license(&acme(), &ethan, "VISIO_PLAN2")
        .await
        .unwrap_err();
    assert!(
        matches!(err, CapabilityError::Conflict(_)),
        "full pool: {err:?}"
    );
    assert_eq!(sim.license(&acme(), "VISIO_PLAN2").unwrap(), visio);

    let before = sim.license(&acme(), "POWER_BI_PRO").unwrap().consumed;
    idp.assign_license(&acme(), &ethan, "POWER_BI_PRO")
        .await
        .unwrap();
    idp.assign_license(&acme(), &ethan, "POWER_BI_PRO")
        .await
        .unwrap();
    assert_eq!(
        sim.license(&acme(), "POWER_BI_PRO").unwrap().consumed,
        before + 1,
        "idempotent"
    );
    assert!(
        sim.user_licenses(&acme(), &ethan)
            .contains(&"POWER_BI_PRO".to_owned())
    );
    let listed = idp.list_licenses(&acme()).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .find(|l| l.sku == "POWER_BI_PRO")
            .unwrap()
            .consumed,
        before + 1
    );

    // Freeing a Visio seat lets Ethan have it.
    idp.remove_license(&acme(), &u("u-1019"), "VISIO_PLAN2")
        .await
        .unwrap();
    idp.assign_license(&acme(), &ethan, "VISIO_PLAN2")
        .await
        .unwrap();
    assert_eq!(
        sim.license(&acme(), "VISIO_PLAN2").unwrap().consumed,
        visio.total
    );

    let err = idp
        .assign_license(&acme(), &ethan, "NO_SUCH_SKU")
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn groups_mailboxes_and_forwarding() {
    let sim = SimMsp::seeded();
    let idp = sim.capabilities().identity;
    let jess = u("u-1010");
    let marketing = idp
        .find_group(&acme(), "Marketing@ACME.example")
        .await
        .unwrap()
        .unwrap();
    assert!(!sim.group_members(&acme(), "Marketing").contains(&jess));
    let (r, calls) = recording(idp.add_group_member(&acme(), &marketing.id, &jess)).await;
    r.unwrap();
    assert_eq!(calls[0].method, "POST");
    assert!(sim.group_members(&acme(), "Marketing").contains(&jess));
    assert!(
        idp.list_user_groups(&acme(), &jess)
            .await
            .unwrap()
            .iter()
            .any(|g| g.id == marketing.id)
    );
    idp.remove_group_member(&acme(), &marketing.id, &jess)
        .await
        .unwrap();
    assert!(!sim.group_members(&acme(), "g-1005").contains(&jess));
    let err = idp
        .add_group_member(&acme(), &GroupId::new("g-404"), &jess)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");

    let marcus = u("u-1017");
    idp.grant_mailbox_access(
        &acme(),
        "accounts@acme.example",
        &marcus,
        MailboxPermission::FullAccess,
    )
    .await
    .unwrap();
    assert!(
        sim.mailbox_permissions(&acme(), "Accounts@acme.example")
            .contains(&(marcus.clone(), MailboxPermission::FullAccess))
    );
    let err = idp
        .grant_mailbox_access(
            &acme(),
            "nobody@acme.example",
            &marcus,
            MailboxPermission::SendAs,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");

    idp.set_email_forwarding(&acme(), &marcus, Some("maria.gonzalez@acme.example".into()))
        .await
        .unwrap();
    assert_eq!(
        sim.forwarding(&acme(), &marcus).as_deref(),
        Some("maria.gonzalez@acme.example")
    );
    let err = idp
        .set_email_forwarding(&acme(), &marcus, Some("me@gmail.example".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, CapabilityError::Forbidden(_)),
        "acme blocks external forwarding: {err:?}"
    );
    let err = idp
        .set_email_forwarding(&acme(), &marcus, Some("not an address".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    idp.set_email_forwarding(&acme(), &marcus, None)
        .await
        .unwrap();
    assert_eq!(sim.forwarding(&acme(), &marcus), None);
    let globex = TenantId::new("globex");
    idp.set_email_forwarding(&globex, &u("u-2002"), Some("claire@gmail.example".into()))
        .await
        .unwrap();
    assert_eq!(
        sim.forwarding(&globex, &u("u-2002")).as_deref(),
        Some("claire@gmail.example")
    );
}

#[tokio::test]
async fn create_user_is_disabled_until_onboarding_finishes() {
    let sim = SimMsp::seeded();
    let idp = sim.capabilities().identity;
    let new = NewUser {
        display_name: "Hannah Cole".into(),
        upn: "hannah.cole@acme.example".into(),
        manager: Some(u("u-1007")),
    };
    let (user, calls) = recording(idp.create_user(&acme(), &new)).await;
    let user = user.unwrap();
    assert_eq!(calls[0].body["passwordProfile"]["password"], REDACTED);
    assert!(!user.state.enabled);
    assert!(!user.privileged);
    assert_eq!(
        idp.find_user(&acme(), "hannah.cole@acme.example")
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );
    let err = idp.create_user(&acme(), &new).await.unwrap_err();
    assert!(matches!(err, CapabilityError::Conflict(_)), "{err:?}");
    let outside = NewUser {
        upn: "hannah@gmail.example".into(),
        ..new.clone()
    };
    let err = idp.create_user(&acme(), &outside).await.unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
    let bad_manager = NewUser {
        upn: "h.cole@acme.example".into(),
        manager: Some(u("u-2001")),
        ..new
    };
    let err = idp.create_user(&acme(), &bad_manager).await.unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    // Onboarding: TAP for the new user goes to the manager (no mobile on file).
    let tap = idp
        .create_temporary_access_pass(&acme(), &user.id, 480)
        .await
        .unwrap();
    let receipt = sim
        .capabilities()
        .delivery
        .deliver(&acme(), &user.id, "temporary_access_pass", &tap)
        .await
        .unwrap();
    assert_eq!(receipt.channel, CHANNEL_MANAGER_EMAIL);
    assert_eq!(receipt.destination, "t***@acme.example");
}

#[tokio::test]
async fn secrets_go_out_of_band_with_masked_receipts() {
    let sim = SimMsp::seeded();
    let caps = sim.capabilities();
    let tom = u("u-1007");
    let secret = SecretString::from("Blue-Harbour-77!");
    caps.identity
        .reset_password(&acme(), &tom, &secret, true)
        .await
        .unwrap();
    let (receipt, calls) =
        recording(
            caps.delivery
                .deliver(&acme(), &tom, "password_reset", &secret),
        )
        .await;
    let receipt = receipt.unwrap();
    assert_eq!(receipt.channel, CHANNEL_SMS);
    assert_eq!(receipt.destination, "+1 *** *** 0107");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].body["message"], REDACTED);
    assert!(
        !serde_json::to_string(&calls)
            .unwrap()
            .contains("Blue-Harbour")
    );

    // Kevin has no mobile: his manager Frank gets it by e-mail.
    let kevin = u("u-1009");
    let receipt = caps
        .delivery
        .deliver(&acme(), &kevin, "password_reset", &secret)
        .await
        .unwrap();
    assert_eq!(receipt.channel, CHANNEL_MANAGER_EMAIL);
    assert_eq!(receipt.destination, "f***@acme.example");

    // The break-glass account has neither.
    let err = caps
        .delivery
        .deliver(&acme(), &u("u-1005"), "password_reset", &secret)
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::Conflict(_)), "{err:?}");

    let out = sim.delivered_secrets();
    assert_eq!(out.len(), 2);
    let (tenant, user, purpose, channel, sent) = &out[0];
    assert_eq!(
        (tenant, user, purpose.as_str(), channel.as_str()),
        (&acme(), &tom, "password_reset", "sms")
    );
    assert!(sim.password_matches(tenant, user, sent.expose_secret()));
}

#[tokio::test]
async fn tickets_notes_time_and_search() {
    let sim = SimMsp::seeded();
    let psa = sim.capabilities().tickets;
    let (tenant, id) = sim.open_tickets().remove(0);
    let update = TicketUpdate {
        status: Some(TicketStatus::InProgress),
        priority: Some(Priority::High),
        board: Some("Level 1".into()),
        category: Some("Account / Password reset".into()),
    };
    let (r, calls) = recording(psa.update_ticket(&tenant, &id, &update)).await;
    r.unwrap();
    assert_eq!(calls[0].method, "PATCH");
    let t = sim.ticket(&tenant, &id).unwrap();
    assert_eq!(
        (
            t.status,
            t.priority,
            t.board.as_str(),
            t.category.as_deref()
        ),
        (
            TicketStatus::InProgress,
            Priority::High,
            "Level 1",
            Some("Account / Password reset")
        )
    );
    let note = Note {
        visibility: NoteVisibility::Internal,
        text: "reset done".into(),
        author: "msp-agent".into(),
    };
    psa.add_note(&tenant, &id, &note).await.unwrap();
    assert_eq!(sim.notes(&tenant, &id), vec![note.clone()]);
    assert_eq!(psa.list_notes(&tenant, &id).await.unwrap(), vec![note]);
    let entry = TimeEntry {
        actor: Actor::Agent,
        minutes: 2,
        billable: true,
        notes: "msp-agent".into(),
    };
    psa.log_time(&tenant, &id, &entry).await.unwrap();
    assert_eq!(sim.time_entries(&tenant, &id), vec![entry.clone()]);
    let zero = TimeEntry {
        minutes: 0,
        ..entry
    };
    assert!(matches!(
        psa.log_time(&tenant, &id, &zero).await.unwrap_err(),
        CapabilityError::InvalidInput(_)
    ));

    psa.update_ticket(
        &tenant,
        &id,
        &TicketUpdate {
            status: Some(TicketStatus::Closed),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!sim.open_tickets().iter().any(|(_, x)| *x == id));

    let q = TicketQuery {
        requester_email: Some("MARIA.GONZALEZ@acme.example".into()),
        ..Default::default()
    };
    let maria = psa.search_tickets(&acme(), &q).await.unwrap();
    assert!(maria.len() >= 4);
    assert!(
        maria.windows(2).all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    let q = TicketQuery {
        status: Some(TicketStatus::Closed),
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(psa.search_tickets(&acme(), &q).await.unwrap().len(), 1);
    let q = TicketQuery {
        text: Some("GLOBALPROTECT".into()),
        ..Default::default()
    };
    assert!(!psa.search_tickets(&acme(), &q).await.unwrap().is_empty());
}

#[tokio::test]
async fn rmm_scripts_change_device_state() {
    let sim = SimMsp::seeded();
    let rmm = sim.capabilities().rmm;
    let maria_pc = DeviceId::new("d-1008");
    let args = |p: &str| vec![p.to_owned()];
    let (r, calls) = recording(rmm.run_script(
        &acme(),
        &maria_pc,
        "install_package",
        &args("Adobe Acrobat Reader"),
    ))
    .await;
    let r = r.unwrap();
    assert_eq!(r.exit_code, 0, "{}", r.output);
    assert_eq!(
        calls[0].url,
        "sim://rmm/acme/devices/d-1008/scripts/install_package"
    );
    assert!(
        sim.installed_packages(&acme(), &maria_pc)
            .contains(&"Adobe Acrobat Reader".to_owned())
    );
    let again = rmm
        .run_script(
            &acme(),
            &maria_pc,
            "install_package",
            &args("acrobat-reader"),
        )
        .await
        .unwrap();
    assert_eq!(again.exit_code, 0);
    assert!(again.output.contains("already installed"));
    let unknown = rmm
        .run_script(
            &acme(),
            &maria_pc,
            "install_package",
            &args("Docker Desktop"),
        )
        .await
        .unwrap();
    assert_eq!(unknown.exit_code, 1);
    let mac = rmm
        .run_script(
            &acme(),
            &DeviceId::new("d-1002"),
            "install_package",
            &args("7-Zip"),
        )
        .await
        .unwrap();
    assert_eq!(mac.exit_code, 1, "7-Zip is Windows only");
    let offline = rmm
        .run_script(
            &acme(),
            &DeviceId::new("d-1019"),
            "install_package",
            &args("7-Zip"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(offline, CapabilityError::Transient(_)),
        "{offline:?}"
    );
    assert!(offline.is_retryable());
    assert!(sim.set_device_online(&acme(), &DeviceId::new("d-1019"), true));
    let now_online = rmm
        .run_script(
            &acme(),
            &DeviceId::new("d-1019"),
            "install_package",
            &args("7-Zip"),
        )
        .await
        .unwrap();
    assert_eq!(now_online.exit_code, 0);

    let reception = DeviceId::new("d-1018");
    let cleared = rmm
        .run_script(&acme(), &reception, "clear_print_queue", &[])
        .await
        .unwrap();
    assert!(
        cleared.output.contains("Deleted 4 job(s)"),
        "{}",
        cleared.output
    );
    let cleared = rmm
        .run_script(&acme(), &reception, "clear_print_queue", &[])
        .await
        .unwrap();
    assert!(
        cleared.output.contains("Deleted 0 job(s)"),
        "{}",
        cleared.output
    );
    assert_eq!(
        rmm.run_script(&acme(), &reception, "flush_dns", &[])
            .await
            .unwrap()
            .exit_code,
        0
    );
    let err = rmm
        .run_script(&acme(), &reception, "format_c", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::NotFound(_)), "{err:?}");
    let err = rmm
        .run_script(&acme(), &reception, "flush_dns", &args("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");

    let ethan_ws = DeviceId::new("d-1015");
    let before = rmm.device_status(&acme(), &ethan_ws).await.unwrap();
    assert!(before.online && before.cpu_percent > 90.0);
    rmm.run_script(&acme(), &ethan_ws, "disk_cleanup", &[])
        .await
        .unwrap();
    rmm.run_script(&acme(), &ethan_ws, "reboot", &[])
        .await
        .unwrap();
    let after = rmm.device_status(&acme(), &ethan_ws).await.unwrap();
    assert!(after.disk_free_gb > before.disk_free_gb);
    assert!(after.cpu_percent <= 15.0);
    assert!(
        !rmm.list_alerts(&acme(), Some(&ethan_ws))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        rmm.list_devices(&acme(), Some(&sim.user(&acme(), &u("u-1001")).unwrap()))
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        !rmm.device_status(&acme(), &DeviceId::new("d-1007"))
            .await
            .unwrap()
            .online
    );
}

#[tokio::test]
async fn documentation_search_ranks_by_matches() {
    let sim = SimMsp::seeded();
    let docs = sim.capabilities().docs;
    let hits = docs
        .search(&acme(), "PRINTER Scan-to-email password", 10)
        .await
        .unwrap();
    assert_eq!(hits[0].title, "Printer troubleshooting SOP");
    assert!(hits.len() > 1);
    assert_eq!(docs.search(&acme(), "printers", 1).await.unwrap().len(), 1);
    assert!(
        docs.search(&acme(), "zebra giraffe", 5)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(docs.search(&acme(), "vpn", 0).await.unwrap().is_empty());
    assert!(
        docs.client_configuration(&acme(), "no_such_record")
            .await
            .unwrap()
            .is_none()
    );
    let wifi = docs.vault_secret(&acme(), "guest-wifi").await.unwrap();
    assert!(!wifi.expose_secret().is_empty());
    let (r, calls) = recording(docs.vault_secret(&acme(), "nope")).await;
    assert!(matches!(r.unwrap_err(), CapabilityError::NotFound(_)));
    assert!(calls[0].body.is_null());
}

#[tokio::test]
async fn approvals_answer_and_are_recorded() {
    let sim = SimMsp::seeded();
    let (tenant, ticket) = sim.open_tickets().remove(0);
    let request = ApprovalRequest {
        tenant,
        ticket,
        action: "reset_password".into(),
        change: serde_json::json!({ "user": "u-1008" }),
        reasoning: "verified requester".into(),
    };
    let approve = sim.approvals(ApprovalMode::ApproveAll {
        approver: "jane".into(),
    });
    assert_eq!(
        approve.request_approval(&request).await.unwrap(),
        ApprovalDecision::Approved {
            approver: "jane".into()
        }
    );
    let reject = sim.approvals(ApprovalMode::RejectAll {
        approver: "bob".into(),
    });
    assert!(matches!(
        reject.request_approval(&request).await.unwrap(),
        ApprovalDecision::Rejected { ref approver, .. } if approver == "bob"
    ));
    let never = sim.approvals(ApprovalMode::Never);
    let timed_out =
        tokio::time::timeout(Duration::from_millis(20), never.request_approval(&request)).await;
    assert!(timed_out.is_err(), "never answers");
    let seen = sim.approval_requests();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|r| *r == request));
}

#[test]
fn labels_cover_the_add_ticket_path() {
    let sim = SimMsp::seeded();
    let id = sim
        .add_ticket(&acme(), "x@y.example", "hi", "hello", Intent::Other)
        .unwrap();
    assert!(
        sim.labelled_tickets()
            .iter()
            .any(|(_, t, i)| *t == id && *i == Intent::Other)
    );
}
