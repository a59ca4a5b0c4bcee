//! Audit records, the hash chain and the JSON Lines file sink.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::audit::*;
use msp_agent_core::policy::{Outcome, Tier};
use serde_json::json;

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        ts: "2026-11-25T10:00:00Z".parse().unwrap(),
        tenant: "acme".into(),
        ticket_id: "T-1".into(),
        affected_user: Some("u-1".into()),
        action: action.into(),
        tool: action.into(),
        request: json!({ "args": { "user": "u-1" }, "calls": [{ "method": "PATCH", "url": "sim://x", "body": { "password": REDACTED } }] }),
        tier: Tier::Approval,
        outcome: Outcome::AwaitApproval,
        approver: "jane".into(),
        result: ActionResult::Ok,
        reasoning: "test".into(),
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("msp-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("audit.jsonl")
}

#[tokio::test]
async fn file_sink_chains_across_reopen_and_verifies() {
    let path = temp_path("chain");
    {
        let sink = JsonlAuditSink::open(&path).unwrap();
        sink.record(entry("reset_password")).await.unwrap();
        sink.record(entry("add_internal_note")).await.unwrap();
        sink.flush().await.unwrap();
    }
    {
        let sink = JsonlAuditSink::open(&path).unwrap();
        let r = sink.record(entry("log_time_entry")).await.unwrap();
        assert_ne!(r.prev_hash, GENESIS_HASH);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(verify_chain(text.as_bytes()).unwrap(), 3);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for key in [
        "ts",
        "tenant",
        "ticket_id",
        "affected_user",
        "action",
        "tool",
        "request",
        "tier",
        "outcome",
        "approver",
        "result",
        "reasoning",
        "prev_hash",
        "hash",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["prev_hash"], GENESIS_HASH);
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn tampering_is_detected_at_the_right_line() {
    let path = temp_path("tamper");
    let sink = JsonlAuditSink::open(&path).unwrap();
    for a in ["a", "b", "c", "d"] {
        sink.record(entry(a)).await.unwrap();
    }
    sink.flush().await.unwrap();
    drop(sink);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let altered = text.replacen("\"approver\":\"jane\"", "\"approver\":\"auto\"", 1);
    assert_eq!(
        verify_chain(altered.as_bytes()).unwrap_err(),
        ChainError::BadHash { line: 1 }
    );

    let removed = [lines[0], lines[2], lines[3]].join("\n");
    assert_eq!(
        verify_chain(removed.as_bytes()).unwrap_err(),
        ChainError::BrokenLink { line: 2 }
    );

    let swapped = [lines[0], lines[2], lines[1], lines[3]].join("\n");
    assert_eq!(verify_chain(swapped.as_bytes()).unwrap_err().line(), 2);

    let garbage = format!("{}\n{}\nnot json\n", lines[0], lines[1]);
    assert!(matches!(
        verify_chain(garbage.as_bytes()).unwrap_err(),
        ChainError::Malformed { line: 3, .. }
    ));

    // A broken file is not extended.
    std::fs::write(&path, altered).unwrap();
    assert!(matches!(
        JsonlAuditSink::open(&path),
        Err(AuditError::Broken { .. })
    ));
}

#[tokio::test]
async fn memory_sink_chains() {
    let sink = MemoryAuditSink::new();
    sink.record(entry("a")).await.unwrap();
    sink.record(entry("b")).await.unwrap();
    let r = sink.records();
    assert_eq!(r[1].prev_hash, r[0].hash);
    assert!(r.iter().all(AuditRecord::hash_is_valid));
}

#[test]
fn prepared_entries_hash_and_serialize_like_records() {
    for prev in [GENESIS_HASH, "ab".repeat(32).as_str()] {
        let e = entry("reset_password");
        let (record, line) = PreparedEntry::new(e.clone()).chain(prev);
        assert_eq!(record, AuditRecord::chain(e, prev.to_owned()));
        assert_eq!(line, serde_json::to_string(&record).unwrap());
        assert!(record.hash_is_valid());
    }
}
