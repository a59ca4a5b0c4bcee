//! `msp-agent demo`, `classify` and `audit verify`, run as a real process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msp-agent"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("msp-agent-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn demo_writes_a_verifiable_audit_trail() {
    let dir = temp_dir("demo");
    let audit = dir.join("audit.jsonl");
    let o = run(&["demo", "--json", "--audit", audit.to_str().unwrap()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let totals = &v["totals"];
    assert_eq!(totals["tickets"], v["reports"].as_array().unwrap().len());
    assert!(totals["resolved"].as_u64().unwrap() >= 10, "{totals}");
    assert!(totals["escalated"].as_u64().unwrap() >= 40, "{totals}");
    assert!(
        totals["approved_actions"].as_u64() >= totals["resolved"].as_u64(),
        "{totals}"
    );

    let o = run(&["audit", "verify", audit.to_str().unwrap()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("chain intact"));

    // Alter the third record: verify fails at line 3 with exit 1.
    let text = std::fs::read_to_string(&audit).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen("\"approver\":\"", "\"approver\":\"x", 1);
    std::fs::write(&audit, lines.join("\n") + "\n").unwrap();
    let o = run(&["audit", "verify", audit.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("line 3"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = run(&["audit", "verify", "/no/such/file"], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn demo_table_has_totals() {
    let o = run(&["demo", "--approvals", "none"], "");
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("tenant"), "{out}");
    assert!(
        out.contains(" tickets: 0 resolved,"),
        "without approvals nothing approval-tier runs: {out}"
    );
}

#[test]
fn classify_reads_json_lines() {
    let input = concat!(
        r#"{"id":"1","subject":"Forgot my password","body":"please reset it"}"#,
        "\n",
        r#"{"id":2,"subject":"Printer jammed","body":"the 2nd floor printer is jammed again"}"#,
        "\n",
    );
    let o = run(&["classify", "--json"], input);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "1");
    assert_eq!(lines[0]["intent"], "password_reset");
    assert!(lines[0]["confidence"].as_f64().unwrap() >= 0.9);
    assert_eq!(lines[1]["id"], 2);
    assert_eq!(lines[1]["intent"], "printer_issue");

    let o = run(&["classify", "--json"], "{\"id\":1}\nnot json\n");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert_eq!(err.lines().count(), 1);
}
