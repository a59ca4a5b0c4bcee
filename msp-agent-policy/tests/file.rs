//! Loading policy files: valid files, and every kind of rejection with its location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_policy::*;

fn err(text: &str) -> (String, Location) {
    match Policy::from_toml_str(text, "policy.toml") {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => {
            let loc = e.location().expect("location").clone();
            (e.to_string(), loc)
        }
    }
}

#[test]
fn design_example_loads() {
    let text = r#"
[global]
mode = "autonomous"            # shadow | supervised | autonomous
kill_switch = false
autonomous_min_confidence = 0.90
human_below_confidence = 0.60
[global.actions]
add_public_note = "autonomous"
[global.limits]
reset_password = { per_hour = 20 }   # beyond → approval

[clients.acme]                  # any [global] key; missing keys inherit
mode = "supervised"
[clients.acme.actions]
reset_password = "autonomous"  # graduated for this client
"#;
    let p = Policy::from_toml_str(text, "policy.toml").unwrap();
    assert_eq!(p.mode("acme"), (Mode::Supervised, Source::Client));
    assert_eq!(p.mode("beta"), (Mode::Autonomous, Source::Global));
    assert_eq!(
        p.base_tier("acme", "reset_password"),
        Some((Tier::Autonomous, Source::Client))
    );
    assert_eq!(p.clients().collect::<Vec<_>>(), vec!["acme"]);
    assert_eq!(
        Policy::from_toml_str("", "empty.toml").unwrap(),
        Policy::builtin()
    );
}

#[test]
fn rejections_name_file_line_column() {
    let cases: &[(&str, &str, usize, usize)] = &[
        ("[global]\nmood = \"x\"\n", "unknown field `mood`", 2, 1),
        (
            "[global]\nmode = \"yolo\"\n",
            "unknown variant `yolo`",
            2,
            8,
        ),
        ("[global]\nkill_switch = \"yes\"\n", "invalid type", 2, 15),
        (
            "[global]\nautonomous_min_confidence = 1.5\n",
            "between 0 and 1",
            2,
            29,
        ),
        (
            "[global]\nhuman_below_confidence = -0.1\n",
            "between 0 and 1",
            2,
            26,
        ),
        (
            "[global]\nhuman_below_confidence = nan\n",
            "between 0 and 1",
            2,
            26,
        ),
        (
            "[global]\nhuman_below_confidence = 0.95\n",
            "must not exceed",
            2,
            26,
        ),
        (
            "[global]\nautonomous_min_confidence = 0.7\n[clients.x]\nhuman_below_confidence = 0.8\n",
            "client `x`: `human_below_confidence` (0.8) must not exceed `autonomous_min_confidence` (0.7)",
            4,
            26,
        ),
        (
            "[global.actions]\nreset_password = \"sometimes\"\n",
            "unknown variant `sometimes`",
            2,
            18,
        ),
        (
            "[global.actions]\n\"Reset Password\" = \"human\"\n",
            "not an action name",
            2,
            1,
        ),
        (
            "[global.actions]\nlookup_user = \"human\"\n",
            "read action",
            2,
            1,
        ),
        (
            "[global.limits]\nreset_password = { per_hour = 0 }\n",
            "at least 1",
            2,
            31,
        ),
        (
            "[global.limits]\nreset_password = { per_hour = -3 }\n",
            "at least 1",
            2,
            31,
        ),
        (
            "[global.limits]\nreset_password = { per_minute = 3 }\n",
            "unknown field `per_minute`",
            2,
            20,
        ),
        (
            "[global.limits]\nreset_password = 5\n",
            "invalid type",
            2,
            18,
        ),
        (
            "[clients.\"a b\"]\nmode = \"shadow\"\n",
            "not a client name",
            1,
            10,
        ),
        (
            "[clients.acme.actions]\nreset_mfa = \"autonomous\"\n",
            "client `acme`: action `reset_mfa`",
            2,
            13,
        ),
        ("[tenants.acme]\n", "unknown field `tenants`", 1, 2),
        ("[global\nmode = 1", "", 1, 8),
        (
            "[global]\nmode = \"shadow\"\nmode = \"shadow\"\n",
            "duplicate key",
            3,
            1,
        ),
    ];
    for &(text, want, line, column) in cases {
        let (msg, loc) = err(text);
        assert!(
            msg.starts_with(&format!("policy.toml:{line}:{column}: ")),
            "{text:?} → {msg}"
        );
        assert!(msg.contains(want), "{text:?} → {msg}");
        assert_eq!(
            (loc.file.as_str(), loc.line, loc.column),
            ("policy.toml", line, column),
            "{text:?}"
        );
    }
}

#[test]
fn invalid_utf8_and_missing_files() {
    let e = Policy::from_toml_bytes(b"[global]\nmode = \"\xff\"\n", "bad.toml").unwrap_err();
    assert_eq!(e.to_string(), "bad.toml:2:9: the file is not valid UTF-8");
    let e = Policy::from_file("/nonexistent/policy.toml").unwrap_err();
    assert!(matches!(e, PolicyError::Io { .. }));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/policy.toml: cannot read policy file")
    );
}

#[test]
fn from_file_reads_and_names_the_path() {
    let dir = std::env::temp_dir().join(format!("msp-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.toml");
    std::fs::write(&path, "[global]\nmode = \"bogus\"\n").unwrap();
    let e = Policy::from_file(&path).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:2:8:", path.display())),
        "{e}"
    );
    std::fs::write(&path, "[global]\nmode = \"shadow\"\n").unwrap();
    assert_eq!(Policy::from_file(&path).unwrap().mode("x").0, Mode::Shadow);
    std::fs::remove_dir_all(&dir).unwrap();
}
