//! The `msp-agent policy` commands, run as a real process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msp-agent"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msp-agent-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_accepts_a_valid_file_and_rejects_a_floor_violation() {
    let good = temp_file(
        "good.toml",
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n",
    );
    let o = run(&["policy", "check", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok (1 client sections)"));

    let bad = temp_file(
        "bad.toml",
        "[clients.acme.actions]\ndelete_account = \"approval\"\n",
    );
    let o = run(&["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.toml:2:18: client `acme`: action `delete_account`"),
        "{err}"
    );

    let o = run(&["policy", "check", "/does/not/exist.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn decide_json_matches_the_contract() {
    let o = run(&[
        "policy",
        "decide",
        "--tenant",
        "acme",
        "--action",
        "reset_password",
        "--confidence",
        "0.95",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert!(stdout(&o).starts_with(
        r#"{"tenant":"acme","action":"reset_password","tier":"approval","outcome":"await_approval","reasons":["#
    ));
    assert_eq!(v.as_object().unwrap().len(), 5);
    assert_eq!(v["tenant"], "acme");
    assert_eq!(v["action"], "reset_password");
    assert_eq!(v["tier"], "approval");
    assert_eq!(v["outcome"], "await_approval");
    assert_eq!(v["reasons"][0]["rule"], "default_tier");

    let policy = temp_file(
        "p.toml",
        "[global]\nmode = \"shadow\"\n[clients.acme.actions]\nreset_password = \"autonomous\"\n",
    );
    let p = policy.to_str().unwrap();
    let o = run(&[
        "policy",
        "decide",
        "--policy",
        p,
        "--tenant",
        "acme",
        "--action",
        "reset_password",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        (v["tier"].as_str(), v["outcome"].as_str()),
        (Some("autonomous"), Some("log_only"))
    );

    let o = run(&[
        "policy",
        "decide",
        "--tenant",
        "acme",
        "--action",
        "reset_password",
        "--privileged",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        (v["tier"].as_str(), v["outcome"].as_str()),
        (Some("human"), Some("escalate"))
    );
}

#[test]
fn explain_speaks_plain_english() {
    let o = run(&[
        "policy",
        "explain",
        "--tenant",
        "acme",
        "--action",
        "reset_mfa",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("`reset_mfa` for client `acme`: the agent must hand this to a human"),
        "{out}"
    );
    assert!(
        out.contains("1. the built-in default sets the tier to human."),
        "{out}"
    );
    assert!(
        out.contains("2. hard floor: this action is never autonomous"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["policy", "decide", "--tenant", "acme"][..],
        &[
            "policy",
            "decide",
            "--tenant",
            "a",
            "--action",
            "x",
            "--confidence",
            "1.5",
        ][..],
        &["policy", "frobnicate"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}
