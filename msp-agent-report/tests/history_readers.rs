//! CSV and JSON Lines readers: malformed rows are reported with their line and skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::domain::Intent;
use msp_agent_report::history::{
    Format, HistoryReader, HistoryRecord, RowError, human_intent, parse_timestamp, write_csv,
};

fn read_all(r: HistoryReader<&[u8]>) -> (Vec<HistoryRecord>, Vec<RowError>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for row in r {
        match row {
            Ok(rec) => ok.push(rec),
            Err(e) => bad.push(e),
        }
    }
    (ok, bad)
}

#[test]
fn csv_rows_by_header_with_malformed_rows_skipped() {
    let csv = "tenant,id,created,subject,body,type,reassignments,extra\n\
               acme,T-1,2025-09-01T08:30:00Z,Password reset,\"line one\nline two\",Password Reset,1,x\n\
               acme,T-2,2025-09-01 09:00,Locked out,please unlock,,,\n\
               acme,T-3\n\
               acme,T-4,yesterday,s,b,t,0,\n\
               ,T-5,,s,b,t,0,\n\
               acme,T-6,,s,b,t,many,\n\
               globex,T-7,,VPN,down,vpn,,\n";
    let (ok, bad) = read_all(HistoryReader::csv(csv.as_bytes()).unwrap());
    let ids: Vec<&str> = ok.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["T-1", "T-2", "T-7"]);
    assert_eq!(ok[0].body, "line one\nline two");
    assert_eq!(ok[0].created, parse_timestamp("2025-09-01T08:30:00Z"));
    assert_eq!(ok[0].reassignments, Some(1));
    assert_eq!(ok[1].created, parse_timestamp("2025-09-01T09:00:00Z"));
    assert_eq!((ok[1].kind.as_str(), ok[1].reassignments), ("", None));
    assert_eq!(ok[2].first_response, None);
    // The quoted body spans lines 2–3, so T-2 is on line 4.
    let lines: Vec<u64> = bad.iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 6, 7, 8]);
    assert_eq!(bad[0].message, "expected 8 fields, found 2");
    assert!(
        bad[1].message.contains("bad timestamp `yesterday`"),
        "{}",
        bad[1].message
    );
    assert_eq!(bad[2].message, "missing id or tenant");
    assert!(
        bad[3].message.contains("many") || bad[3].message.contains("invalid digit"),
        "{}",
        bad[3].message
    );
}

#[test]
fn csv_header_must_name_id_and_tenant() {
    let err = HistoryReader::csv("ticket,client\n1,acme\n".as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "bad CSV header: no `id` column");
}

#[test]
fn json_lines_with_malformed_and_blank_lines() {
    let jsonl = "{\"id\":\"T-1\",\"tenant\":\"acme\",\"created\":\"2025-09-01T08:00:00Z\",\"type\":\"account_unlock\",\"reassignments\":2}\n\
                 \n\
                 {not json}\n\
                 {\"id\":\"T-2\"}\n\
                 {\"id\":\"T-3\",\"tenant\":\"acme\",\"created\":null,\"intent\":\"mfa reset\"}\n\
                 {\"id\":\"T-4\",\"tenant\":\"acme\",\"resolved\":\"soon\"}\n";
    let (ok, bad) = read_all(HistoryReader::new(jsonl.as_bytes(), Format::JsonLines).unwrap());
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].reassignments, Some(2));
    assert_eq!(human_intent(&ok[0].kind), Some(Intent::AccountUnlock));
    assert_eq!(ok[1].created, None);
    assert_eq!(human_intent(&ok[1].kind), Some(Intent::MfaReset));
    let lines: Vec<u64> = bad.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 6]);
    assert!(bad[1].message.contains("tenant"), "{}", bad[1].message);
    assert!(
        bad[2].message.contains("bad timestamp `soon`"),
        "{}",
        bad[2].message
    );
}

#[test]
fn human_types_map_onto_intents() {
    assert_eq!(human_intent("Password Reset"), Some(Intent::PasswordReset));
    assert_eq!(
        human_intent(" shared-mailbox-access "),
        Some(Intent::SharedMailboxAccess)
    );
    assert_eq!(human_intent("Phishing"), Some(Intent::SecurityIncident));
    assert_eq!(human_intent("New Starter"), Some(Intent::Onboarding));
    assert_eq!(human_intent(""), None);
    assert_eq!(human_intent("Hardware order"), None);
    assert_eq!(
        parse_timestamp("2025-09-01T10:00:00+02:00"),
        parse_timestamp("2025-09-01 08:00:00")
    );
    assert_eq!(parse_timestamp("01/09/2025"), None);
}

#[test]
fn csv_round_trip() {
    let rec = HistoryRecord {
        id: "T-1".into(),
        tenant: "acme".into(),
        requester: "ann@acme.example".into(),
        created: parse_timestamp("2025-09-01T08:00:00Z"),
        subject: "a, \"quoted\" subject".into(),
        body: "two\nlines".into(),
        kind: "Password Reset".into(),
        reassignments: Some(3),
        ..HistoryRecord::default()
    };
    let mut out = Vec::new();
    write_csv(&mut out, [rec.clone()]).unwrap();
    let (ok, bad) = read_all(HistoryReader::csv(out.as_slice()).unwrap());
    assert!(bad.is_empty());
    assert_eq!(ok, [rec]);
}
