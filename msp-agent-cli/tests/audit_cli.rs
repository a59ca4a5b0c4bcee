//! `msp-agent audit query` and `msp-agent policy graduation`, run as a real process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use msp_agent_core::audit::{ActionResult, AuditEntry, AuditRecord, GENESIS_HASH, parse_timestamp};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::policy::{Outcome, Tier};

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

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("msp-agent-audit-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `(minute, tenant, ticket, action, kind)` → an entry at `2026-03-01T10:{minute}:00Z`.
fn entry(min: u32, tenant: &str, ticket: &str, action: &str, kind: &str) -> AuditEntry {
    let (tier, outcome, approver, result) = match kind {
        "approved" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "alice",
            ActionResult::Ok,
        ),
        "failed" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "alice",
            ActionResult::Error {
                message: "directory said no".into(),
            },
        ),
        "rejected" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "bob",
            ActionResult::NotRun,
        ),
        "auto" => (Tier::Autonomous, Outcome::Execute, "auto", ActionResult::Ok),
        other => panic!("unknown kind {other}"),
    };
    AuditEntry {
        ts: parse_timestamp(&format!("2026-03-01T10:{min:02}:00Z")).unwrap(),
        tenant: TenantId::new(tenant),
        ticket_id: TicketId::new(ticket),
        affected_user: None,
        action: action.into(),
        tool: action.into(),
        request: serde_json::json!({"args": {}, "calls": []}),
        tier,
        outcome,
        approver: approver.into(),
        result,
        reasoning: "test".into(),
    }
}

/// Write a chained log; returns its lines.
fn write_log(path: &Path, entries: Vec<AuditEntry>) -> Vec<String> {
    let mut prev = GENESIS_HASH.to_owned();
    let lines: Vec<String> = entries
        .into_iter()
        .map(|e| {
            let r = AuditRecord::chain(e, prev.clone());
            prev.clone_from(&r.hash);
            serde_json::to_string(&r).unwrap()
        })
        .collect();
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .unwrap();
    lines
}

fn small_log(path: &Path) -> Vec<String> {
    write_log(
        path,
        vec![
            entry(0, "acme", "T-1", "reset_password", "approved"),
            entry(5, "acme", "T-1", "add_internal_note", "auto"),
            entry(10, "globex", "T-2", "unlock_account", "rejected"),
            entry(15, "acme", "T-3", "reset_password", "failed"),
        ],
    )
}

#[test]
fn query_prints_one_line_per_matching_record() {
    let dir = temp_dir("query");
    let log = dir.join("audit.jsonl");
    let lines = small_log(&log);

    let o = run(&["audit", "query", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        concat!(
            "2026-03-01T10:00:00Z  acme       T-1        reset_password           approval   await_approval alice            ok\n",
            "2026-03-01T10:05:00Z  acme       T-1        add_internal_note        autonomous execute        auto             ok\n",
            "2026-03-01T10:10:00Z  globex     T-2        unlock_account           approval   await_approval bob              not_run\n",
            "2026-03-01T10:15:00Z  acme       T-3        reset_password           approval   await_approval alice            error: directory said no\n",
        )
    );

    // --json prints the records exactly as stored.
    let o = run(&["audit", "query", s(&log), "--tenant", "acme", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3])
    );

    let o = run(&[
        "audit",
        "query",
        s(&log),
        "--action",
        "reset_password",
        "--ticket",
        "T-3",
        "--json",
    ]);
    assert_eq!(stdout(&o), format!("{}\n", lines[3]));

    // since inclusive, until exclusive.
    let o = run(&[
        "audit",
        "query",
        s(&log),
        "--since",
        "2026-03-01T10:05:00Z",
        "--until",
        "2026-03-01T10:15:00Z",
        "--json",
    ]);
    assert_eq!(stdout(&o), format!("{}\n{}\n", lines[1], lines[2]));

    let o = run(&["audit", "query", s(&log), "--status", "not_run", "--json"]);
    assert_eq!(stdout(&o), format!("{}\n", lines[2]));
    let o = run(&[
        "audit",
        "query",
        s(&log),
        "--approver",
        "alice",
        "--outcome",
        "await_approval",
    ]);
    assert_eq!(stdout(&o).lines().count(), 2);

    let o = run(&["audit", "query", s(&log), "--tenant", "nobody"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));

    let empty = dir.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let o = run(&["audit", "query", s(&empty)]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
}

#[test]
fn query_errors_are_one_line_and_exit_2() {
    let dir = temp_dir("query-errors");
    let log = dir.join("audit.jsonl");
    let lines = small_log(&log);
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n{}\n{{\"ts\":1}}\n", lines[0], lines[1])).unwrap();

    let o = run(&["audit", "query", s(&bad)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "msp-agent: {}:3: not an audit record: ",
            bad.display()
        )),
        "{err}"
    );
    // Records before the bad line were printed.
    assert_eq!(stdout(&o).lines().count(), 2);

    let o = run(&["audit", "query", s(&log), "--since", "yesterday"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "msp-agent: --since: `yesterday` is not an RFC 3339 timestamp (e.g. 2026-01-31T09:00:00Z)\n"
    );
    assert_eq!(stdout(&o), "");

    let o = run(&["audit", "query", s(&log), "--status", "fine"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);

    let missing = dir.join("missing.jsonl");
    let o = run(&["audit", "query", s(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("msp-agent: {}: ", missing.display())),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn query_reads_the_demo_audit_trail() {
    let dir = temp_dir("demo-query");
    let log = dir.join("audit.jsonl");
    let o = run(&["demo", "--json", "--audit", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&log).unwrap();
    let expected: Vec<&str> = text
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["tenant"] == "acme" && v["action"] == "reset_password"
        })
        .collect();
    assert!(!expected.is_empty());

    let o = run(&[
        "audit",
        "query",
        s(&log),
        "--tenant",
        "acme",
        "--action",
        "reset_password",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), expected);

    let o = run(&["audit", "query", s(&log)]);
    assert_eq!(stdout(&o).lines().count(), text.lines().count());
}

/// 3 approved acme resets; globex resets with a rejection; initech unlocks with a
/// failure; acme notes are autonomous already.
fn graduation_log(path: &Path) -> Vec<String> {
    let mut entries = Vec::new();
    for i in 0..3 {
        entries.push(entry(
            i,
            "acme",
            &format!("A-{i}"),
            "reset_password",
            "approved",
        ));
        entries.push(entry(
            i,
            "acme",
            &format!("A-{i}"),
            "add_internal_note",
            "auto",
        ));
        entries.push(entry(
            i,
            "acme",
            &format!("A-{i}"),
            "unlock_account",
            "approved",
        ));
        entries.push(entry(
            i,
            "globex",
            &format!("G-{i}"),
            "reset_password",
            "approved",
        ));
        entries.push(entry(
            i,
            "initech",
            &format!("I-{i}"),
            "unlock_account",
            "approved",
        ));
    }
    entries.push(entry(20, "globex", "G-9", "reset_password", "rejected"));
    entries.push(entry(21, "initech", "I-9", "unlock_account", "failed"));
    write_log(path, entries)
}

#[test]
fn graduation_recommends_only_clean_track_records() {
    let dir = temp_dir("graduation");
    let log = dir.join("audit.jsonl");
    graduation_log(&log);
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, "[clients.acme]\nmode = \"supervised\"\n").unwrap();

    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--policy",
        s(&policy),
        "--min-approved",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        concat!(
            "acme reset_password: approval -> autonomous: 3 approved and succeeded, 0 rejected, 0 failed, 0 unanswered (2026-03-01T10:00:00Z .. 2026-03-01T10:02:00Z)\n",
            "acme unlock_account: approval -> autonomous: 3 approved and succeeded, 0 rejected, 0 failed, 0 unanswered (2026-03-01T10:00:00Z .. 2026-03-01T10:02:00Z)\n",
            "\n",
            "# Review, then add to the policy file (merge into existing client tables):\n",
            "[clients.acme.actions]\n",
            "reset_password = \"autonomous\"\n",
            "unlock_account = \"autonomous\"\n",
        )
    );

    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--min-approved",
        "3",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let recs = v["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["tenant"], "acme");
    assert_eq!(recs[0]["action"], "reset_password");
    assert_eq!(recs[0]["from"], "approval");
    assert_eq!(recs[0]["to"], "autonomous");
    assert_eq!(
        recs[0]["history"],
        serde_json::json!({"approved": 3, "rejected": 0, "errors": 0})
    );
    assert_eq!(recs[0]["evidence"]["records"], 3);
    assert_eq!(recs[0]["evidence"]["first"], "2026-03-01T10:00:00Z");
    assert_eq!(
        recs[0]["toml"],
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n"
    );

    // A window that ends before the rejection and the failure: all four qualify.
    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--min-approved",
        "3",
        "--until",
        "2026-03-01T10:20:00Z",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let pairs: Vec<String> = v["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["tenant"].as_str().unwrap(),
                r["action"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            "acme/reset_password",
            "acme/unlock_account",
            "globex/reset_password",
            "initech/unlock_account"
        ]
    );

    // The default bar (20) is not met.
    let o = run(&["policy", "graduation", "--audit", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "no graduation recommendations: none of 5 client/action pairs in {} is at approval \
             with >= 20 approved executions and no rejection or failure\n",
            log.display()
        )
    );
    let o = run(&["policy", "graduation", "--audit", s(&log), "--json"]);
    assert_eq!(stdout(&o), "{\"recommendations\":[]}\n");

    // A policy that already made acme resets autonomous: nothing to graduate there.
    std::fs::write(
        &policy,
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n",
    )
    .unwrap();
    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--policy",
        s(&policy),
        "--min-approved",
        "3",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["recommendations"].as_array().unwrap().len(), 1);
    assert_eq!(v["recommendations"][0]["action"], "unlock_account");
}

#[test]
fn graduation_refuses_a_broken_chain_and_bad_input() {
    let dir = temp_dir("graduation-errors");
    let log = dir.join("audit.jsonl");
    let mut lines = graduation_log(&log);
    lines[1] = lines[1].replacen("\"approver\":\"auto\"", "\"approver\":\"alice\"", 1);
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--min-approved",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "msp-agent: {}:2: hash does not match the record (altered)\n",
            log.display()
        )
    );
    assert_eq!(stdout(&o), "");

    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&dir.join("none.jsonl")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);

    graduation_log(&log);
    let policy = dir.join("bad.toml");
    std::fs::write(
        &policy,
        "[clients.acme.actions]\ndelete_account = \"approval\"\n",
    )
    .unwrap();
    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--policy",
        s(&policy),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.toml:2:"), "{}", stderr(&o));
}

#[test]
fn graduation_over_the_demo_trail_skips_failed_actions() {
    let dir = temp_dir("demo-graduation");
    let log = dir.join("audit.jsonl");
    let o = run(&["demo", "--audit", s(&log)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "policy",
        "graduation",
        "--audit",
        s(&log),
        "--min-approved",
        "1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let recs = v["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());

    // Cross-check each recommendation against the raw log.
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for rec in recs {
        let mine: Vec<_> = records
            .iter()
            .filter(|r| r["tenant"] == rec["tenant"] && r["action"] == rec["action"])
            .collect();
        let approval = |status: &str| {
            mine.iter()
                .filter(|r| r["outcome"] == "await_approval" && r["result"]["status"] == status)
                .count()
        };
        assert_eq!(rec["history"]["approved"], approval("ok"), "{rec}");
        assert_eq!(approval("not_run"), 0, "{rec}");
        assert!(
            mine.iter().all(|r| r["result"]["status"] != "error"),
            "{rec}"
        );
    }
    // Pairs with a failed run are never recommended.
    for r in records.iter().filter(|r| r["result"]["status"] == "error") {
        assert!(
            !recs
                .iter()
                .any(|rec| rec["tenant"] == r["tenant"] && rec["action"] == r["action"]),
            "{r}"
        );
    }
}
