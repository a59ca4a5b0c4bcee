//! `msp-agent run --store` and `msp-agent runs`, run as real processes over a SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn msp_agent(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msp-agent"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn run_works_the_simulated_queue_durably_and_runs_lists_it() {
    let dir = std::env::temp_dir().join(format!("msp-agent-cli-runs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = format!("sqlite://{}", dir.join("runs.db").display());

    let out = stdout(&msp_agent(&["run", "--sim", "--store", &store]));
    let queued: usize = out.split_whitespace().next().unwrap().parse().unwrap();
    assert!(queued > 50, "{out}");
    assert!(out.contains(&format!("{queued} runs done")), "{out}");

    let list = stdout(&msp_agent(&["runs", "list", "--store", &store]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), queued);
    assert!(lines.iter().all(|l| l.contains("\tdone\t")), "{list}");
    let resolved = lines.iter().filter(|l| l.ends_with("\tresolved")).count();
    assert!(resolved > 10, "{list}");

    let first = lines.last().unwrap().split('\t').next().unwrap();
    let show = stdout(&msp_agent(&["runs", "show", first, "--store", &store]));
    assert!(show.starts_with(&format!("run {first} ")), "{show}");
    assert!(show.contains("step  0"), "{show}");

    let filtered = stdout(&msp_agent(&[
        "runs", "list", "--store", &store, "--tenant", "acme", "--limit", "3",
    ]));
    assert_eq!(filtered.lines().count(), 3);
    assert!(
        filtered
            .lines()
            .all(|l| l.split('\t').nth(1) == Some("acme"))
    );

    // A finished run cannot be resumed; a bad state name and a bad URL are input errors.
    let resume = msp_agent(&["runs", "resume", first, "--store", &store]);
    assert_eq!(resume.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&resume.stderr).contains("done"));
    let bad_state = msp_agent(&["runs", "list", "--store", &store, "--state", "sleeping"]);
    assert_eq!(bad_state.status.code(), Some(2));
    let bad_url = msp_agent(&["runs", "list", "--store", "mysql://x"]);
    assert_eq!(bad_url.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("unsupported store URL"));
    let _ = std::fs::remove_dir_all(&dir);
}
