//! Fault injection with real processes: a worker (this test binary, re-run as a child) is
//! SIGKILLed at every step boundary of the password-reset and onboarding playbooks, then a
//! fresh worker process resumes from the SQLite run store and the persisted simulated MSP.
//! Every ticket must finish exactly once, with no side effect done twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{acme, approving, assert_no_note_twice, ordinary_user};
use msp_agent::domain::{Intent, TicketId, TicketStatus};
use msp_agent::prelude::*;
use msp_agent::run::{Boundary, RunFilter, RunState, Worker, WorkerConfig};

const CHILD_ENV: &str = "MSP_AGENT_CRASH_CHILD";

/// Which ticket a scenario files, from whom.
#[derive(Clone, Copy)]
enum Scenario {
    PasswordReset,
    Onboarding,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::PasswordReset => "password",
            Scenario::Onboarding => "onboarding",
        }
    }

    /// File the scenario's ticket into a fresh persistent world.
    fn file(self, state: &Path) -> String {
        let msp = SimMsp::persistent(state).unwrap();
        let (from, subject, body, intent) = match self {
            Scenario::PasswordReset => (
                ordinary_user(&msp).mail,
                "Password reset",
                "Hi, I forgot my password and can't sign in. Can you reset it please? Thanks",
                Intent::PasswordReset,
            ),
            Scenario::Onboarding => (
                "linda.chow@acme.example".to_owned(),
                "New starter - Monday",
                "Hi IT,\n\nWe have a new starter joining Sales on Monday:\n\nName: Hannah Cole\n\
                 Title: Sales Executive\nManager: Tom Brennan\n\nThanks,\nLinda",
                Intent::Onboarding,
            ),
        };
        msp.add_ticket(&acme(), &from, subject, body, intent)
            .unwrap()
            .to_string()
    }
}

/// The child: one worker process over the persisted world and the SQLite store. With
/// `PAUSE_AT=k` it stops dead at the k-th journaled boundary, says so in a marker file and
/// waits to be killed.
#[test]
#[ignore = "run by the crash tests as a child process"]
fn crash_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let state = PathBuf::from(std::env::var("STATE").unwrap());
    let store_url = std::env::var("STORE").unwrap();
    let pause_at: Option<usize> = std::env::var("PAUSE_AT").ok().map(|k| k.parse().unwrap());
    let marker = state.with_extension("paused");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let msp = SimMsp::persistent(&state).unwrap();
        let store = msp_agent_store::open(&store_url).await.unwrap();
        let ticket = TicketId::from(std::env::var("TICKET").unwrap().as_str());
        store.enqueue(&acme(), &ticket).await.unwrap();
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let hook = Arc::new(move |_: &Boundary<'_>| {
            let k = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if Some(k) == pause_at {
                std::fs::write(&marker, b"paused").unwrap();
                loop {
                    std::thread::sleep(Duration::from_secs(60));
                }
            }
        });
        let agent = Arc::new(approving(&msp).build());
        let config = WorkerConfig {
            id: format!("child-{}", std::process::id()),
            lease: Duration::from_millis(300),
            poll: Duration::from_millis(10),
            ..WorkerConfig::default()
        };
        Worker::new(agent, store, config)
            .with_hook(hook)
            .run_until_idle()
            .await
            .unwrap();
    });
}

/// Start a child worker; with `pause_at`, SIGKILL it once it reached that boundary.
/// Returns false when the child finished before reaching it.
fn child(state: &Path, store: &str, ticket: &str, pause_at: Option<usize>) -> bool {
    let marker = state.with_extension("paused");
    let _ = std::fs::remove_file(&marker);
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "crash_child", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .env("STATE", state)
        .env("STORE", store)
        .env("TICKET", ticket)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(k) = pause_at {
        cmd.env("PAUSE_AT", k.to_string());
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if marker.exists() {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return true;
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "child worker failed: {status}");
            return false;
        }
        assert!(Instant::now() < deadline, "child worker hung");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kill at every boundary in turn; after each kill, a fresh worker finishes the run.
/// Returns how many boundaries the scenario has.
fn crash_everywhere(scenario: Scenario, check: impl Fn(usize, &SimMsp, &str)) -> usize {
    let dir = std::env::temp_dir().join(format!(
        "msp-agent-crash-{}-{}",
        scenario.name(),
        std::process::id()
    ));
    let mut k = 0;
    loop {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let state = dir.join("world.json");
        let store = format!("sqlite://{}", dir.join("runs.db").display());
        let ticket = scenario.file(&state);
        if !child(&state, &store, &ticket, Some(k)) {
            let _ = std::fs::remove_dir_all(&dir);
            return k;
        }
        // The killed worker's lease runs out; a new process resumes the run.
        std::thread::sleep(Duration::from_millis(350));
        assert!(!child(&state, &store, &ticket, None));

        let rt = tokio::runtime::Runtime::new().unwrap();
        let runs = rt.block_on(async {
            let store = msp_agent_store::open(&store).await.unwrap();
            store.runs(&RunFilter::default()).await.unwrap()
        });
        assert_eq!(runs.len(), 1, "boundary {k}: {runs:?}");
        let run = &runs[0];
        assert_eq!(run.state, RunState::Done, "boundary {k}: {run:?}");
        assert_eq!(run.attempt, 2, "boundary {k}: resumed exactly once");
        let msp = SimMsp::persistent(&state).unwrap();
        let ticket = msp.ticket(&acme(), &run.ticket).unwrap();
        assert!(
            matches!(
                ticket.status,
                TicketStatus::Closed | TicketStatus::Escalated
            ),
            "boundary {k}: {:?}",
            ticket.status
        );
        // No note twice, no time entry twice.
        assert_no_note_twice(&msp, &run.ticket, &format!("boundary {k}"));
        let notes = msp.notes(&acme(), &run.ticket);
        assert_eq!(
            msp.time_entries(&acme(), &run.ticket).len(),
            1,
            "boundary {k}: {run:?} {notes:#?}"
        );
        check(k, &msp, run.outcome.as_deref().unwrap_or_default());
        k += 1;
    }
}

#[test]
fn sigkill_at_every_boundary_of_a_password_reset() {
    let boundaries = crash_everywhere(Scenario::PasswordReset, |k, msp, outcome| {
        let user = ordinary_user(msp);
        assert_eq!(msp.password_resets(&acme(), &user.id), 1, "boundary {k}");
        assert_eq!(
            msp.delivery_count(&acme(), &user.id, "password_reset"),
            1,
            "boundary {k}"
        );
        // Only a kill between the reset and its journal record leaves the delivery in doubt.
        assert_eq!(
            outcome.starts_with("escalated"),
            k == 1,
            "boundary {k}: {outcome}"
        );
    });
    assert_eq!(boundaries, 15);
}

#[test]
fn sigkill_at_every_boundary_of_an_onboarding() {
    let boundaries = crash_everywhere(Scenario::Onboarding, |k, msp, outcome| {
        let hannah: Vec<_> = msp
            .users(&acme())
            .into_iter()
            .filter(|u| u.upn.starts_with("hannah.cole"))
            .collect();
        assert!(hannah.len() <= 1, "boundary {k}: user created twice");
        if let Some(h) = hannah.first() {
            assert!(msp.user_licenses(&acme(), &h.id).len() <= 1, "boundary {k}");
            assert!(
                msp.delivery_count(&acme(), &h.id, "temporary_access_pass") <= 1,
                "boundary {k}"
            );
        }
        // The resumed run follows its journaled plan to the end, except after a kill inside
        // a write that cannot be re-checked (started, not recorded as finished: the licence
        // assignment, the TAP delivery): then a technician is asked.
        let unsure = [3, 4, 12, 13].contains(&k);
        assert_eq!(outcome == "resolved", !unsure, "boundary {k}: {outcome}");
        assert_eq!(hannah.len(), 1, "boundary {k}");
    });
    // 6 plan writes and 4 closing writes, three boundaries each.
    assert_eq!(boundaries, 30);
}
