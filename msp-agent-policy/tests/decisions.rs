//! The decision procedure of DESIGN §4, through the public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_policy::*;

fn decide(policy: &Policy, req: ActionRequest<'_>) -> (Tier, Outcome) {
    let d = policy.decide(&req);
    (d.tier, d.outcome)
}

fn load(text: &str) -> Policy {
    Policy::from_toml_str(text, "test.toml").unwrap()
}

const TABLE: &[(&str, ActionClass, Tier)] = &[
    ("get_ticket", ActionClass::Read, Tier::Autonomous),
    ("search_tickets", ActionClass::Read, Tier::Autonomous),
    ("lookup_contact", ActionClass::Read, Tier::Autonomous),
    ("lookup_user", ActionClass::Read, Tier::Autonomous),
    ("get_user_status", ActionClass::Read, Tier::Autonomous),
    ("list_auth_methods", ActionClass::Read, Tier::Autonomous),
    ("list_user_groups", ActionClass::Read, Tier::Autonomous),
    ("list_licenses", ActionClass::Read, Tier::Autonomous),
    ("list_devices", ActionClass::Read, Tier::Autonomous),
    ("get_device_status", ActionClass::Read, Tier::Autonomous),
    ("get_patch_status", ActionClass::Read, Tier::Autonomous),
    ("list_alerts", ActionClass::Read, Tier::Autonomous),
    ("search_documentation", ActionClass::Read, Tier::Autonomous),
    (
        "get_client_configuration",
        ActionClass::Read,
        Tier::Autonomous,
    ),
    ("triage_ticket", ActionClass::Write, Tier::Autonomous),
    ("categorize_ticket", ActionClass::Write, Tier::Autonomous),
    ("update_ticket_status", ActionClass::Write, Tier::Autonomous),
    ("add_internal_note", ActionClass::Write, Tier::Autonomous),
    ("log_time_entry", ActionClass::Write, Tier::Autonomous),
    // Not in DESIGN §4: MFA reset's identity challenge (sends a message, changes nothing).
    ("verify_out_of_band", ActionClass::Write, Tier::Autonomous),
    ("reset_password", ActionClass::Write, Tier::Approval),
    ("unlock_account", ActionClass::Write, Tier::Approval),
    ("revoke_sessions", ActionClass::Write, Tier::Approval),
    (
        "create_temporary_access_pass",
        ActionClass::Write,
        Tier::Approval,
    ),
    ("install_software", ActionClass::Write, Tier::Approval),
    ("run_script", ActionClass::Write, Tier::Approval),
    ("change_endpoint_config", ActionClass::Write, Tier::Approval),
    ("add_group_member", ActionClass::Write, Tier::Approval),
    ("remove_group_member", ActionClass::Write, Tier::Approval),
    ("assign_license", ActionClass::Write, Tier::Approval),
    ("remove_license", ActionClass::Write, Tier::Approval),
    ("grant_mailbox_access", ActionClass::Write, Tier::Approval),
    ("set_email_forwarding", ActionClass::Write, Tier::Approval),
    ("create_user", ActionClass::Write, Tier::Approval),
    ("add_public_note", ActionClass::Write, Tier::Approval),
    ("reset_mfa", ActionClass::Write, Tier::Human),
    ("disable_account", ActionClass::Write, Tier::Human),
    ("delete_account", ActionClass::Write, Tier::Human),
    ("assign_admin_role", ActionClass::Write, Tier::Human),
    ("change_conditional_access", ActionClass::Write, Tier::Human),
    ("delete_data", ActionClass::Write, Tier::Human),
    ("handle_security_incident", ActionClass::Write, Tier::Human),
];

const ALWAYS_HUMAN: &[&str] = &[
    "delete_account",
    "assign_admin_role",
    "change_conditional_access",
    "delete_data",
    "handle_security_incident",
];

#[test]
fn every_row_of_the_default_table() {
    assert_eq!(TABLE.len(), BUILTIN_ACTIONS.len());
    let policy = Policy::builtin();
    for &(action, class, tier) in TABLE {
        let d = policy.decide(&ActionRequest::new("acme", action, class));
        assert_eq!(d.tier, tier, "{action}");
        assert_eq!(d.outcome, tier.outcome(), "{action}");
        if class == ActionClass::Read {
            assert_eq!(d.reasons, vec![Reason::ReadAction]);
        } else {
            assert_eq!(
                d.reasons[0],
                Reason::BaseTier {
                    tier,
                    source: Source::BuiltIn
                },
                "{action}"
            );
        }
    }
}

#[test]
fn a_write_cannot_pass_as_a_read() {
    let policy = Policy::builtin();
    let d = policy.decide(&ActionRequest::read("acme", "reset_password"));
    assert_eq!(d.outcome, Outcome::AwaitApproval);
    // Unknown actions claimed as reads fail closed too.
    let d = policy.decide(&ActionRequest::read("acme", "read_everything"));
    assert_eq!((d.tier, d.outcome), (Tier::Human, Outcome::Escalate));
    assert_eq!(d.reasons, vec![Reason::UnknownAction]);
}

#[test]
fn reads_ignore_kill_switch_mode_confidence_and_privilege() {
    let mut policy = load("[global]\nmode = \"shadow\"\nkill_switch = true\n");
    policy.set_mode(Scope::Client("acme"), Mode::Supervised);
    let req = ActionRequest::read("acme", "lookup_user")
        .confidence(0.1)
        .privileged(true);
    assert_eq!(decide(&policy, req), (Tier::Autonomous, Outcome::Execute));
}

#[test]
fn unknown_action_fails_closed() {
    let d = Policy::builtin().decide(&ActionRequest::write("acme", "format_disk"));
    assert_eq!((d.tier, d.outcome), (Tier::Human, Outcome::Escalate));
    assert_eq!(d.reasons[0].rule(), "unknown_action");
}

#[test]
fn declared_tool_and_policy_named_actions_are_known() {
    let mut policy = load("[global.actions]\nrestart_spooler = \"autonomous\"\n");
    assert_eq!(
        decide(&policy, ActionRequest::write("acme", "restart_spooler")),
        (Tier::Autonomous, Outcome::Execute)
    );
    policy.declare_action("check_printer_queue", ActionClass::Read, Tier::Autonomous);
    policy.declare_action("clear_print_queue", ActionClass::Write, Tier::Approval);
    assert_eq!(
        decide(&policy, ActionRequest::read("acme", "check_printer_queue")),
        (Tier::Autonomous, Outcome::Execute)
    );
    let d = policy.decide(&ActionRequest::write("acme", "clear_print_queue"));
    assert_eq!(
        d.reasons[0],
        Reason::BaseTier {
            tier: Tier::Approval,
            source: Source::Tool
        }
    );
    // A tool cannot redeclare a built-in write as a read or lower its tier.
    policy.declare_action("reset_password", ActionClass::Read, Tier::Autonomous);
    assert_eq!(
        decide(&policy, ActionRequest::read("acme", "reset_password")),
        (Tier::Approval, Outcome::AwaitApproval)
    );
    // Nor can a tool take a floor action below its floor.
    policy.declare_action("wipe_backups", ActionClass::Write, Tier::Autonomous);
    policy.declare_action("delete_data", ActionClass::Write, Tier::Autonomous);
    assert_eq!(
        decide(&policy, ActionRequest::write("acme", "delete_data")).0,
        Tier::Human
    );
}

#[test]
fn floors_hold_through_every_source() {
    let policy = load(
        "[global.actions]\nreset_mfa = \"approval\"\n[clients.acme.actions]\ndisable_account = \"approval\"\n",
    );
    for action in ALWAYS_HUMAN {
        for tenant in ["acme", "other"] {
            let d = policy.decide(&ActionRequest::write(tenant, action));
            assert_eq!(d.tier, Tier::Human, "{action}");
            assert!(d.reasons.contains(&Reason::Floor {
                floor: Floor::AlwaysHuman,
                tier: Tier::Human
            }));
        }
    }
    // never_autonomous: lowered to approval by global and client overrides, no further.
    assert_eq!(
        decide(&policy, ActionRequest::write("acme", "reset_mfa")).0,
        Tier::Approval
    );
    assert_eq!(
        decide(&policy, ActionRequest::write("acme", "disable_account")).0,
        Tier::Approval
    );
    assert_eq!(
        decide(&policy, ActionRequest::write("other", "disable_account")).0,
        Tier::Human
    );

    // A file that tries to go lower is rejected, for global and client entries alike.
    for (text, client) in [
        ("[global.actions]\nreset_mfa = \"autonomous\"\n", None),
        (
            "[clients.acme.actions]\ndisable_account = \"autonomous\"\n",
            Some("acme"),
        ),
        (
            "[clients.acme.actions]\ndelete_account = \"approval\"\n",
            Some("acme"),
        ),
        (
            "[global.actions]\nassign_admin_role = \"autonomous\"\n",
            None,
        ),
    ] {
        match Policy::from_toml_str(text, "f.toml").unwrap_err() {
            PolicyError::Invalid {
                client: c,
                action: Some(a),
                message,
                location,
            } => {
                assert_eq!(c.as_deref(), client);
                assert!(
                    message.contains("hard floor") && message.contains(&a),
                    "{message}"
                );
                assert_eq!(location.line, 2);
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn privileged_targets_are_always_human_even_when_graduated() {
    let policy = load(
        "[global]\nautonomous_min_confidence = 0.5\nhuman_below_confidence = 0.1\n[clients.acme.actions]\nreset_password = \"autonomous\"\nadd_internal_note = \"autonomous\"\n",
    );
    for action in [
        "reset_password",
        "add_internal_note",
        "triage_ticket",
        "custom_thing",
    ] {
        let d = policy.decide(&ActionRequest::write("acme", action).privileged(true));
        assert_eq!(
            (d.tier, d.outcome),
            (Tier::Human, Outcome::Escalate),
            "{action}"
        );
        assert!(d.reasons.contains(&Reason::PrivilegedTarget));
    }
}

#[test]
fn confidence_band_boundaries() {
    let policy = load("[clients.acme.actions]\nreset_password = \"autonomous\"\n");
    let tier = |c: f64| {
        decide(
            &policy,
            ActionRequest::write("acme", "reset_password").confidence(c),
        )
        .0
    };
    assert_eq!(tier(0.59), Tier::Human);
    assert_eq!(tier(0.60), Tier::Approval);
    assert_eq!(tier(0.89), Tier::Approval);
    assert_eq!(tier(0.90), Tier::Autonomous);
    assert_eq!(tier(1.0), Tier::Autonomous);
    // Out of range and NaN fail closed.
    assert_eq!(tier(f64::NAN), Tier::Human);
    assert_eq!(tier(1.5), Tier::Human);
    assert_eq!(tier(-0.1), Tier::Human);
    let d = policy.decide(&ActionRequest::write("acme", "reset_password").confidence(0.7));
    assert_eq!(
        d.reasons.last(),
        Some(&Reason::LowConfidence {
            confidence: 0.7,
            threshold: 0.9,
            tier: Tier::Approval
        })
    );
}

#[test]
fn client_thresholds_inherit_and_override() {
    let policy = load(
        "[global]\nautonomous_min_confidence = 0.8\n[clients.strict]\nautonomous_min_confidence = 0.97\nhuman_below_confidence = 0.7\n[global.actions]\nreset_password = \"autonomous\"\n",
    );
    let tier = |t: &str, c: f64| {
        decide(
            &policy,
            ActionRequest::write(t, "reset_password").confidence(c),
        )
        .0
    };
    assert_eq!(tier("acme", 0.85), Tier::Autonomous);
    assert_eq!(tier("acme", 0.59), Tier::Human);
    assert_eq!(tier("strict", 0.95), Tier::Approval);
    assert_eq!(tier("strict", 0.69), Tier::Human);
    assert_eq!(policy.thresholds("strict"), (0.7, 0.97));
    assert_eq!(policy.thresholds("acme"), (0.6, 0.8));
}

#[test]
fn modes() {
    let mut policy = load(
        "[global]\nmode = \"supervised\"\n[clients.acme]\nmode = \"autonomous\"\n[clients.quiet]\nmode = \"shadow\"\n",
    );
    let note = |p: &Policy, t: &str| decide(p, ActionRequest::write(t, "add_internal_note"));
    assert_eq!(note(&policy, "acme"), (Tier::Autonomous, Outcome::Execute));
    assert_eq!(
        note(&policy, "other"),
        (Tier::Approval, Outcome::AwaitApproval)
    );
    // Shadow: tier still reported, nothing runs.
    assert_eq!(note(&policy, "quiet"), (Tier::Autonomous, Outcome::LogOnly));
    assert_eq!(
        decide(&policy, ActionRequest::write("quiet", "delete_account")),
        (Tier::Human, Outcome::LogOnly)
    );
    let d = policy.decide(&ActionRequest::write("other", "add_internal_note"));
    assert_eq!(
        d.reasons.last(),
        Some(&Reason::Mode {
            mode: Mode::Supervised,
            source: Source::Global
        })
    );
    // Supervised does not lower anything.
    assert_eq!(
        decide(&policy, ActionRequest::write("other", "delete_account")),
        (Tier::Human, Outcome::Escalate)
    );
    policy.set_mode(Scope::Global, Mode::Shadow);
    assert_eq!(note(&policy, "other"), (Tier::Autonomous, Outcome::LogOnly));
    assert_eq!(note(&policy, "acme"), (Tier::Autonomous, Outcome::Execute));
}

#[test]
fn kill_switch_global_versus_client() {
    let mut policy = load("[clients.acme]\nkill_switch = true\nmode = \"shadow\"\n");
    let note = |p: &Policy, t: &str| decide(p, ActionRequest::write(t, "add_internal_note")).1;
    assert_eq!(note(&policy, "acme"), Outcome::Halted);
    assert_eq!(note(&policy, "beta"), Outcome::Execute);
    // A client cannot switch off a global kill switch.
    policy.set_kill_switch(Scope::Global, true);
    policy.set_kill_switch(Scope::Client("beta"), false);
    assert_eq!(note(&policy, "beta"), Outcome::Halted);
    let d = policy.decide(&ActionRequest::write("beta", "reset_password"));
    assert_eq!(
        d.reasons[0],
        Reason::KillSwitch {
            source: Source::Global
        }
    );
    assert_eq!(d.tier, Tier::Approval);
    policy.set_kill_switch(Scope::Global, false);
    assert_eq!(note(&policy, "beta"), Outcome::Execute);
    assert_eq!(note(&policy, "acme"), Outcome::Halted);
}

#[test]
fn inheritance_client_over_global_over_builtin() {
    let policy = load(
        "[global.actions]\nadd_public_note = \"autonomous\"\nunlock_account = \"autonomous\"\n\
         [clients.acme.actions]\nunlock_account = \"approval\"\nreset_password = \"autonomous\"\n",
    );
    let base = |t: &str, a: &str| policy.base_tier(t, a);
    assert_eq!(
        base("acme", "add_public_note"),
        Some((Tier::Autonomous, Source::Global))
    );
    assert_eq!(
        base("acme", "unlock_account"),
        Some((Tier::Approval, Source::Client))
    );
    assert_eq!(
        base("acme", "reset_password"),
        Some((Tier::Autonomous, Source::Client))
    );
    assert_eq!(
        base("beta", "unlock_account"),
        Some((Tier::Autonomous, Source::Global))
    );
    assert_eq!(
        base("beta", "reset_password"),
        Some((Tier::Approval, Source::BuiltIn))
    );
    // Raising above the default is allowed.
    let strict = load("[clients.acme.actions]\nadd_internal_note = \"human\"\n");
    assert_eq!(
        decide(&strict, ActionRequest::write("acme", "add_internal_note")).0,
        Tier::Human
    );
}

#[test]
fn hourly_limits() {
    let policy = load(
        "[global.actions]\nreset_password = \"autonomous\"\n[global.limits]\nreset_password = { per_hour = 20 }\n\
         [clients.big.limits]\nreset_password = { per_hour = 100 }\n",
    );
    let run = |t: &str, n: u32| {
        decide(
            &policy,
            ActionRequest::write(t, "reset_password").recent_executions(n),
        )
        .0
    };
    assert_eq!(run("acme", 19), Tier::Autonomous);
    assert_eq!(run("acme", 20), Tier::Approval);
    assert_eq!(run("big", 20), Tier::Autonomous);
    assert_eq!(run("big", 100), Tier::Approval);
    // Unknown count: no limit applies.
    assert_eq!(
        decide(&policy, ActionRequest::write("acme", "reset_password")).0,
        Tier::Autonomous
    );
    let d = policy.decide(&ActionRequest::write("acme", "reset_password").recent_executions(25));
    assert_eq!(
        d.reasons.last(),
        Some(&Reason::Limit {
            recent: 25,
            per_hour: 20,
            source: Source::Global
        })
    );
}

#[test]
fn graduation_recommendations() {
    let policy = load(
        "[clients.acme.actions]\nunlock_account = \"autonomous\"\n[clients.beta.actions]\nreset_mfa = \"approval\"\n",
    );
    let clean = |n| ActionHistory {
        approved: n,
        rejected: 0,
        errors: 0,
    };
    let recs = policy.graduation(
        GraduationRule::default(),
        [
            ("acme", "reset_password", clean(20)), // yes
            ("beta", "reset_password", clean(19)), // too few
            (
                "gamma",
                "reset_password",
                ActionHistory {
                    approved: 40,
                    rejected: 1,
                    errors: 0,
                },
            ), // rejection
            (
                "delta",
                "reset_password",
                ActionHistory {
                    approved: 40,
                    rejected: 0,
                    errors: 1,
                },
            ), // error
            ("acme", "unlock_account", clean(50)), // already autonomous
            ("beta", "reset_mfa", clean(50)),      // floor
            ("acme", "delete_account", clean(50)), // floor
            ("acme", "lookup_user", clean(50)),    // read
            ("acme", "made_up", clean(50)),        // unknown
            ("acme", "add_public_note", clean(20)), // yes
        ],
    );
    let got: Vec<_> = recs
        .iter()
        .map(|r| (r.tenant.as_str(), r.action.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("acme", "add_public_note"), ("acme", "reset_password")]
    );
    assert!(
        recs.iter()
            .all(|r| r.from == Tier::Approval && r.to == Tier::Autonomous)
    );
    let strict = policy.graduation(
        GraduationRule { min_approved: 50 },
        [("acme", "reset_password", clean(49))],
    );
    assert!(strict.is_empty());
    // Applying the snippet yields a valid file that graduates exactly that action.
    let applied = load(&recs[1].toml_snippet());
    assert_eq!(
        decide(&applied, ActionRequest::write("acme", "reset_password")).0,
        Tier::Autonomous
    );
}

#[test]
fn decisions_serialize_as_documented() {
    let d = Policy::builtin()
        .decide(&ActionRequest::write("acme", "add_internal_note").confidence(0.7));
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["tier"], "approval");
    assert_eq!(json["outcome"], "await_approval");
    assert_eq!(json["reasons"][0]["rule"], "default_tier");
    assert_eq!(json["reasons"][0]["source"], "built_in");
    assert_eq!(json["reasons"][1]["rule"], "confidence");
}
