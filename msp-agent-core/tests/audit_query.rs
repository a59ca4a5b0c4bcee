//! Audit queries, the streaming reader and per-(client, action) tallies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::audit::{
    ActionResult, AuditEntry, AuditQuery, AuditReader, AuditRecord, GENESIS_HASH, ReadError,
    ResultStatus, action_histories, parse_timestamp,
};
use msp_agent_core::domain::{TenantId, TicketId};
use msp_agent_core::policy::{ActionHistory, GraduationRule, Outcome, Policy, Tier};

/// One entry at `2026-01-01T00:00:{sec}Z`.
fn entry(sec: u32, tenant: &str, ticket: &str, action: &str, kind: &str) -> AuditEntry {
    let (tier, outcome, approver, result) = match kind {
        "approved" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "tech",
            ActionResult::Ok,
        ),
        "approved_failed" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "tech",
            ActionResult::Error {
                message: "boom".into(),
            },
        ),
        "rejected" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "tech",
            ActionResult::NotRun,
        ),
        "timed_out" => (
            Tier::Approval,
            Outcome::AwaitApproval,
            "none",
            ActionResult::NotRun,
        ),
        "auto" => (Tier::Autonomous, Outcome::Execute, "auto", ActionResult::Ok),
        "escalated" => (Tier::Human, Outcome::Escalate, "none", ActionResult::NotRun),
        other => panic!("unknown kind {other}"),
    };
    AuditEntry {
        ts: parse_timestamp(&format!("2026-01-01T00:00:{sec:02}Z")).unwrap(),
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

fn chain(entries: Vec<AuditEntry>) -> Vec<AuditRecord> {
    let mut prev = GENESIS_HASH.to_owned();
    entries
        .into_iter()
        .map(|e| {
            let r = AuditRecord::chain(e, prev.clone());
            prev.clone_from(&r.hash);
            r
        })
        .collect()
}

fn jsonl(records: &[AuditRecord]) -> String {
    records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect()
}

fn sample() -> Vec<AuditRecord> {
    chain(vec![
        entry(0, "acme", "T-1", "reset_password", "approved"),
        entry(10, "acme", "T-2", "reset_password", "rejected"),
        entry(20, "globex", "T-3", "unlock_account", "approved_failed"),
        entry(30, "acme", "T-4", "add_internal_note", "auto"),
        entry(40, "globex", "T-5", "reset_password", "timed_out"),
        entry(50, "acme", "T-6", "reset_mfa", "escalated"),
    ])
}

fn query(text: &str, q: AuditQuery) -> Vec<String> {
    AuditReader::new(text.as_bytes(), q)
        .map(|r| r.unwrap().entry.ticket_id.0)
        .collect()
}

fn ts(s: &str) -> chrono::DateTime<chrono::Utc> {
    parse_timestamp(s).unwrap()
}

#[test]
fn filters_combine_with_and() {
    let text = jsonl(&sample());
    assert_eq!(query(&text, AuditQuery::new()).len(), 6);
    assert_eq!(
        query(&text, AuditQuery::new().tenant("acme")),
        ["T-1", "T-2", "T-4", "T-6"]
    );
    assert_eq!(
        query(
            &text,
            AuditQuery::new().tenant("acme").action("reset_password")
        ),
        ["T-1", "T-2"]
    );
    assert_eq!(query(&text, AuditQuery::new().ticket("T-3")), ["T-3"]);
    assert_eq!(
        query(&text, AuditQuery::new().outcome(Outcome::AwaitApproval)),
        ["T-1", "T-2", "T-3", "T-5"]
    );
    assert_eq!(
        query(&text, AuditQuery::new().status(ResultStatus::NotRun)),
        ["T-2", "T-5", "T-6"]
    );
    assert_eq!(
        query(&text, AuditQuery::new().status(ResultStatus::Error)),
        ["T-3"]
    );
    assert_eq!(
        query(&text, AuditQuery::new().approver("tech")),
        ["T-1", "T-2", "T-3"]
    );
    assert!(query(&text, AuditQuery::new().tenant("nobody")).is_empty());
    assert!(
        query(&text, AuditQuery::new().tenant("acm")).is_empty(),
        "exact match"
    );
}

#[test]
fn since_is_inclusive_until_is_exclusive() {
    let text = jsonl(&sample());
    let q = AuditQuery::new()
        .since(ts("2026-01-01T00:00:10Z"))
        .until(ts("2026-01-01T00:00:30Z"));
    assert_eq!(query(&text, q), ["T-2", "T-3"]);
    // Adjacent windows partition the log.
    let a = query(&text, AuditQuery::new().until(ts("2026-01-01T00:00:20Z")));
    let b = query(&text, AuditQuery::new().since(ts("2026-01-01T00:00:20Z")));
    assert_eq!(a, ["T-1", "T-2"]);
    assert_eq!(b, ["T-3", "T-4", "T-5", "T-6"]);
    // Offsets are honoured: 01:00:40+01:00 is 00:00:40Z.
    let q = AuditQuery::new().since(ts("2026-01-01T01:00:40+01:00"));
    assert_eq!(query(&text, q), ["T-5", "T-6"]);
    assert!(parse_timestamp("yesterday").is_err());
    assert!(parse_timestamp("2026-01-01 00:00:00").is_err());
}

#[test]
fn empty_and_blank_files_yield_nothing() {
    assert!(query("", AuditQuery::new()).is_empty());
    assert!(query("\n  \n", AuditQuery::new()).is_empty());
    assert!(action_histories(Vec::<AuditRecord>::new()).is_empty());
}

#[test]
fn malformed_line_is_reported_with_its_number_and_ends_the_stream() {
    let mut text = jsonl(&sample()[..2]);
    text.push('\n'); // blank line 3 is skipped, but counted
    text.push_str("{\"ts\":\"not a record\"}\n");
    text.push_str(&jsonl(&sample()[2..3]));
    let mut reader = AuditReader::new(text.as_bytes(), AuditQuery::new());
    assert!(reader.next().unwrap().is_ok());
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::Malformed { line: 4, .. }), "{err}");
    assert!(
        err.to_string().starts_with("line 4: not an audit record: "),
        "{err}"
    );
    assert!(
        reader.next().is_none(),
        "the stream ends at the first error"
    );

    // A malformed line is an error even when the query would not match it.
    let mut r = AuditReader::new("[1]\n".as_bytes(), AuditQuery::new().tenant("x"));
    assert_eq!(r.next().unwrap().unwrap_err().line(), 1);

    // Invalid UTF-8 is an I/O error on its line.
    let mut bytes = jsonl(&sample()[..1]).into_bytes();
    bytes.extend_from_slice(b"\xff\xfe\n");
    let mut r = AuditReader::new(&bytes[..], AuditQuery::new());
    assert!(r.next().unwrap().is_ok());
    let err = r.next().unwrap().unwrap_err();
    assert!(matches!(err, ReadError::Io { line: 2, .. }), "{err}");
}

#[test]
fn verified_reading_stops_at_a_tampered_or_missing_record() {
    let records = sample();
    let text = jsonl(&records);
    let all: Vec<_> = AuditReader::new(text.as_bytes(), AuditQuery::new().tenant("globex"))
        .verify_chain()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all.len(), 2);

    let altered = text.replacen("\"approver\":\"tech\"", "\"approver\":\"mallory\"", 2);
    let err = AuditReader::new(altered.as_bytes(), AuditQuery::new())
        .verify_chain()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(err.line(), 1);
    assert!(err.to_string().contains("hash does not match"), "{err}");

    let removed = jsonl(&[records[0].clone(), records[2].clone()]);
    let err = AuditReader::new(removed.as_bytes(), AuditQuery::new().tenant("none"))
        .verify_chain()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(err.line(), 2);
    assert!(err.to_string().contains("prev_hash"), "{err}");

    // Without verification the same file reads fine.
    assert_eq!(
        AuditReader::new(removed.as_bytes(), AuditQuery::new()).count(),
        2
    );
}

#[test]
fn tallies_count_each_kind_of_record() {
    let records = chain(vec![
        entry(5, "acme", "T-1", "reset_password", "approved"),
        entry(1, "acme", "T-2", "reset_password", "approved"),
        entry(2, "acme", "T-3", "reset_password", "rejected"),
        entry(3, "acme", "T-4", "reset_password", "approved_failed"),
        entry(4, "acme", "T-5", "reset_password", "timed_out"),
        entry(6, "acme", "T-6", "reset_password", "auto"),
        entry(7, "acme", "T-7", "reset_password", "escalated"),
        entry(8, "globex", "T-8", "reset_password", "approved"),
        entry(9, "acme", "T-9", "add_internal_note", "auto"),
    ]);
    let t = action_histories(&records);
    let keys: Vec<_> = t
        .iter()
        .map(|t| (t.tenant.as_str(), t.action.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("acme", "add_internal_note"),
            ("acme", "reset_password"),
            ("globex", "reset_password")
        ]
    );
    let acme = &t[1];
    assert_eq!(
        acme.history,
        ActionHistory {
            approved: 2,
            rejected: 1,
            errors: 1
        }
    );
    assert_eq!(
        (acme.timed_out, acme.autonomous_ok, acme.not_run),
        (1, 1, 1)
    );
    assert_eq!(acme.records, 7);
    assert_eq!(acme.first, ts("2026-01-01T00:00:01Z"));
    assert_eq!(acme.last, ts("2026-01-01T00:00:07Z"));
    assert_eq!(
        t[2].graduation_input(),
        (
            "globex",
            "reset_password",
            ActionHistory {
                approved: 1,
                rejected: 0,
                errors: 0
            }
        )
    );
    assert_eq!(t[0].history, ActionHistory::default());
    assert_eq!(t[0].autonomous_ok, 1);
}

#[test]
fn graduation_from_a_log_needs_a_clean_record() {
    let mut entries: Vec<_> = (0..20)
        .map(|i| entry(i, "acme", &format!("A-{i}"), "reset_password", "approved"))
        .collect();
    entries.extend(
        (0..20).map(|i| entry(i, "globex", &format!("G-{i}"), "reset_password", "approved")),
    );
    entries.push(entry(30, "globex", "G-x", "reset_password", "rejected"));
    entries.extend((0..20).map(|i| {
        entry(
            i,
            "initech",
            &format!("I-{i}"),
            "unlock_account",
            "approved",
        )
    }));
    entries.push(entry(
        31,
        "initech",
        "I-x",
        "unlock_account",
        "approved_failed",
    ));
    // 19 is one short of the default bar.
    entries.extend((0..19).map(|i| {
        entry(
            i,
            "umbrella",
            &format!("U-{i}"),
            "reset_password",
            "approved",
        )
    }));
    let records = chain(entries);
    let text = jsonl(&records);
    let tallies =
        action_histories(AuditReader::new(text.as_bytes(), AuditQuery::new()).map(Result::unwrap));
    assert_eq!(tallies.len(), 4);
    let recs = Policy::builtin().graduation(
        GraduationRule::default(),
        tallies.iter().map(|t| t.graduation_input()),
    );
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(
        (recs[0].tenant.as_str(), recs[0].action.as_str()),
        ("acme", "reset_password")
    );
    assert_eq!(recs[0].history.approved, 20);
    assert_eq!(
        recs[0].toml_snippet(),
        "[clients.acme.actions]\nreset_password = \"autonomous\"\n"
    );
}
