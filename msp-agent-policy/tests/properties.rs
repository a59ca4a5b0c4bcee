//! Property tests: floors hold for every accepted file, decisions are monotonic in
#![allow(clippy::unwrap_used, clippy::expect_used)]
//! confidence, and no input makes the loader panic.

use msp_agent_policy::*;
use proptest::prelude::*;

const ACTIONS: &[&str] = &[
    "reset_password",
    "unlock_account",
    "add_internal_note",
    "add_public_note",
    "reset_mfa",
    "disable_account",
    "delete_account",
    "assign_admin_role",
    "change_conditional_access",
    "delete_data",
    "handle_security_incident",
    "custom_action",
];
const TIERS: &[&str] = &["autonomous", "approval", "human"];

fn section() -> impl Strategy<Value = String> {
    (
        proptest::option::of(prop::sample::select(
            &["shadow", "supervised", "autonomous"][..],
        )),
        proptest::option::of((0.0f64..=1.0, 0.0f64..=1.0)),
        prop::collection::vec(
            (prop::sample::select(ACTIONS), prop::sample::select(TIERS)),
            0..8,
        ),
        prop::collection::vec((prop::sample::select(ACTIONS), 1u32..50), 0..3),
    )
        .prop_map(|(mode, th, actions, limits)| {
            let mut s = String::new();
            if let Some(m) = mode {
                s += &format!("mode = \"{m}\"\n");
            }
            if let Some((a, b)) = th {
                s += &format!(
                    "human_below_confidence = {:?}\nautonomous_min_confidence = {:?}\n",
                    a.min(b),
                    a.max(b)
                );
            }
            let mut seen = std::collections::HashSet::new();
            s += "[__SECTION__.actions]\n";
            for (a, t) in actions {
                if seen.insert(a) {
                    s += &format!("{a} = \"{t}\"\n");
                }
            }
            s += "[__SECTION__.limits]\n";
            let mut seen = std::collections::HashSet::new();
            for (a, n) in limits {
                if seen.insert(a) {
                    s += &format!("{a} = {{ per_hour = {n} }}\n");
                }
            }
            s
        })
}

fn policy_text() -> impl Strategy<Value = String> {
    (section(), prop::collection::vec(section(), 0..3)).prop_map(|(g, clients)| {
        let mut text = format!("[global]\n{}", g.replace("__SECTION__", "global"));
        for (i, c) in clients.iter().enumerate() {
            let name = format!("clients.c{i}");
            text += &format!("[{name}]\n{}", c.replace("__SECTION__", &name));
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_accepted_file_makes_a_floor_action_autonomous(
        text in policy_text(),
        confidence in 0.0f64..=1.0,
        recent in proptest::option::of(0u32..100),
        privileged in any::<bool>(),
    ) {
        let Ok(policy) = Policy::from_toml_str(&text, "p.toml") else { return Ok(()) };
        for tenant in ["c0", "c1", "c2", "other"] {
            for action in ACTIONS {
                let mut req = ActionRequest::write(tenant, action).confidence(confidence).privileged(privileged);
                req.recent_executions = recent;
                let d = policy.decide(&req);
                if let Some(floor) = floor_of(action) {
                    prop_assert!(d.tier >= floor.min_tier(), "{action} for {tenant}: {d:?}\n{text}");
                }
                if privileged {
                    prop_assert_eq!(d.tier, Tier::Human);
                }
                prop_assert!(d.outcome != Outcome::Execute || d.tier == Tier::Autonomous);
            }
        }
    }

    #[test]
    fn lowering_confidence_never_lowers_the_tier(
        text in policy_text(),
        a in 0.0f64..=1.0,
        b in 0.0f64..=1.0,
        action in prop::sample::select(ACTIONS),
    ) {
        let Ok(policy) = Policy::from_toml_str(&text, "p.toml") else { return Ok(()) };
        let (lo, hi) = (a.min(b), a.max(b));
        for tenant in ["c0", "c1", "other"] {
            let t_lo = policy.decide(&ActionRequest::write(tenant, action).confidence(lo)).tier;
            let t_hi = policy.decide(&ActionRequest::write(tenant, action).confidence(hi)).tier;
            prop_assert!(t_lo >= t_hi, "{action} {tenant}: {lo}→{t_lo:?}, {hi}→{t_hi:?}");
        }
    }

    #[test]
    fn garbage_never_panics_and_errors_have_a_location(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(e) = Policy::from_toml_bytes(&bytes, "g.toml") {
            let loc = e.location().expect("invalid input has a location");
            prop_assert!(loc.line >= 1 && loc.column >= 1);
            prop_assert!(e.to_string().starts_with("g.toml:"));
        }
    }

    #[test]
    fn mutated_policies_never_panic(
        text in policy_text(),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(&["", "\"", "=", "[", "]", "\n", "{", "x", "1e999", "#"][..])), 1..6),
    ) {
        let mut s = text;
        for (at, ins) in cuts {
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) { i -= 1; }
            s.insert_str(i, ins);
        }
        if let Err(e) = Policy::from_toml_str(&s, "m.toml") {
            let loc = e.location().expect("location");
            let lines = s.lines().count().max(1);
            prop_assert!(loc.line >= 1 && loc.line <= lines + 1, "{loc} of {lines} lines");
        }
    }
}
