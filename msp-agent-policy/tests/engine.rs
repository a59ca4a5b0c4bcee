//! Run-time switches on a shared engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use msp_agent_policy::*;

#[test]
fn switches_take_effect_for_the_next_decision() {
    let engine = PolicyEngine::new(
        Policy::from_toml_str("[clients.acme]\nmode = \"supervised\"\n", "p").unwrap(),
    );
    let note = |t| {
        engine
            .decide(&ActionRequest::write(t, "add_internal_note"))
            .outcome
    };
    assert_eq!(note("acme"), Outcome::AwaitApproval);
    engine.set_mode(Scope::Client("acme"), Mode::Autonomous);
    assert_eq!(note("acme"), Outcome::Execute);
    engine.set_mode(Scope::Global, Mode::Shadow);
    assert_eq!(note("beta"), Outcome::LogOnly);
    assert_eq!(note("acme"), Outcome::Execute);
    engine.set_kill_switch(Scope::Global, true);
    assert_eq!(note("acme"), Outcome::Halted);
    engine.replace(Policy::builtin());
    assert_eq!(note("beta"), Outcome::Execute);
}

/// Writers flip mode and kill switch *together* (one update); readers must never see one
/// without the other.
#[test]
fn concurrent_decisions_never_see_a_mix() {
    let engine = Arc::new(PolicyEngine::builtin());
    let stop = Arc::new(AtomicBool::new(false));
    // All three threads start together, so the readers overlap the writer even on 2 cores.
    let start = Arc::new(Barrier::new(3));
    let writer = {
        let (engine, stop, start) = (engine.clone(), stop.clone(), start.clone());
        std::thread::spawn(move || {
            start.wait();
            let mut on = false;
            for _ in 0..2_000 {
                on = !on;
                engine.update(|p| {
                    p.set_kill_switch(Scope::Client("acme"), on);
                    p.set_mode(
                        Scope::Client("acme"),
                        if on { Mode::Shadow } else { Mode::Autonomous },
                    );
                });
            }
            stop.store(true, Ordering::Release);
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (engine, stop, start) = (engine.clone(), stop.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut seen = 0u64;
                loop {
                    let done = stop.load(Ordering::Acquire);
                    let snap = engine.snapshot();
                    let killed = snap.kill_switch("acme").is_some();
                    let shadow = snap.mode("acme").0 == Mode::Shadow;
                    assert_eq!(killed, shadow, "mixed state");
                    let d = snap.decide(&ActionRequest::write("acme", "add_internal_note"));
                    assert_eq!(d.outcome == Outcome::Halted, killed);
                    seen += 1;
                    if done {
                        break seen;
                    }
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
}
