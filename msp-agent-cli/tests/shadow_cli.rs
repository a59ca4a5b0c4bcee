//! `msp-agent shadow`, run as a real process on the sample history and on small inputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msp-agent"))
        .args(args)
        .output()
        .unwrap()
}

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msp-agent-shadow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn sample_history_json_and_html_report() {
    let dir = temp_dir("sample");
    let html = dir.join("report.html");
    let o = run(&[
        "shadow",
        "--history",
        &data("history.csv"),
        "--policy",
        &data("policy.toml"),
        "--report",
        html.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["totals"]["rows"], 602);
    assert_eq!(v["totals"]["replayed"], 600);
    assert_eq!(v["totals"]["malformed"], 2);
    assert_eq!(v["malformed"][0]["line"], 3394);
    assert_eq!(v["kpis"]["counts"]["tickets"], 600);
    assert_eq!(v["kpis"]["first_response"]["p50_minutes"], 35);
    assert_eq!(v["kpis"]["cost"]["model"]["cost_per_ticket"], 22.0);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("skipped line 3394: expected 14 fields, found 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped line 3395: bad timestamp `last tuesday`"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<svg").count(), 3);
    assert!(page.contains("Rollout readiness"));
}

#[test]
fn json_lines_history_text_output_and_cost_config() {
    let dir = temp_dir("jsonl");
    let history = dir.join("h.jsonl");
    std::fs::write(
        &history,
        "{\"id\":\"T-1\",\"tenant\":\"acme\",\"requester\":\"tom.brennan@acme.example\",\
          \"subject\":\"Account locked\",\"body\":\"I'm locked out, please unlock my account\",\
          \"type\":\"Account Unlock\",\"created\":\"2025-09-01T09:00:00Z\",\
          \"first_response\":\"2025-09-01T09:12:00Z\"}\n\
         not json\n",
    )
    .unwrap();
    let o = run(&["shadow", "--history", history.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("rows 2  replayed 1  malformed 1"), "{text}");
    assert!(text.contains("agreement 100.0% (1/1)"), "{text}");
    assert!(
        text.contains("first response p50 12 min  p95 12 min"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipped line 2:"));

    // A cost model with free agents and $100 tickets; JSON output.
    let config = dir.join("metrics.toml");
    std::fs::write(
        &config,
        "[cost]\ncost_per_ticket = 100.0\nagent_cost_per_ticket = 0.0\n",
    )
    .unwrap();
    let o = run(&[
        "shadow",
        "--history",
        history.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kpis"]["cost"]["baseline_cost"], 100.0);
    assert_eq!(v["kpis"]["cost"]["model"]["agent_cost_per_ticket"], 0.0);
}

#[test]
fn input_errors_exit_2() {
    let dir = temp_dir("errors");
    let o = run(&[
        "shadow",
        "--history",
        dir.join("missing.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.csv"));

    let bad_header = dir.join("bad.csv");
    std::fs::write(&bad_header, "ticket,client\n1,acme\n").unwrap();
    let o = run(&["shadow", "--history", bad_header.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no `id` column"));

    let policy = dir.join("p.toml");
    std::fs::write(&policy, "[global]\nmode = \"sideways\"\n").unwrap();
    let o = run(&[
        "shadow",
        "--history",
        &data("history.csv"),
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));

    let config = dir.join("m.toml");
    std::fs::write(&config, "[cost]\nbogus = 1\n").unwrap();
    let o = run(&[
        "shadow",
        "--history",
        &data("history.csv"),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bogus"));
}
