//! The third-party target rule: a write on someone other than the verified requester is
//! never autonomous, whatever the configuration says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_policy::*;

fn load(text: &str) -> Policy {
    Policy::from_toml_str(text, "test.toml").unwrap()
}

#[test]
fn third_party_write_is_at_least_approval_even_when_graduated() {
    let policy = load(
        "[global.actions]\nreset_password = \"autonomous\"\n[clients.acme.actions]\nunlock_account = \"autonomous\"\n",
    );
    for action in ["reset_password", "unlock_account", "add_internal_note"] {
        let own = policy.decide(&ActionRequest::write("acme", action));
        assert_eq!(own.tier, Tier::Autonomous, "{action}");
        let other = policy.decide(&ActionRequest::write("acme", action).third_party(true));
        assert_eq!(other.tier, Tier::Approval, "{action}");
        assert_eq!(other.outcome, Outcome::AwaitApproval);
        assert_eq!(other.reasons.last(), Some(&Reason::ThirdPartyTarget));
        assert_eq!(
            other.reasons.last().unwrap().to_string(),
            "target is not the verified requester, so the tier is at least approval"
        );
    }
}

#[test]
fn third_party_never_lowers_a_tier_and_privileged_stays_human() {
    let policy = Policy::builtin();
    let d = policy.decide(
        &ActionRequest::write("acme", "reset_password")
            .third_party(true)
            .privileged(true),
    );
    assert_eq!(d.tier, Tier::Human);
    assert!(!d.reasons.contains(&Reason::ThirdPartyTarget));
    let d = policy.decide(&ActionRequest::write("acme", "delete_account").third_party(true));
    assert_eq!(d.tier, Tier::Human);
    let d = policy.decide(
        &ActionRequest::write("acme", "add_internal_note")
            .third_party(true)
            .confidence(0.3),
    );
    assert_eq!(d.tier, Tier::Human, "low confidence still wins");
}

#[test]
fn third_party_applies_after_confidence_and_before_limits_and_modes() {
    let policy = load("[global.limits]\nadd_internal_note = { per_hour = 1 }\n");
    let d = policy.decide(
        &ActionRequest::write("acme", "add_internal_note")
            .third_party(true)
            .recent_executions(5),
    );
    assert_eq!(d.tier, Tier::Approval);
    let rules: Vec<&str> = d.reasons.iter().map(Reason::rule).collect();
    assert_eq!(rules, ["default_tier", "third_party_target"]);
    // Reads are unaffected.
    let d = policy.decide(&ActionRequest::read("acme", "lookup_user").third_party(true));
    assert_eq!(d.outcome, Outcome::Execute);
    // Shadow mode still logs only.
    let mut shadow = Policy::builtin();
    shadow.set_mode(Scope::Global, Mode::Shadow);
    let d = shadow.decide(&ActionRequest::write("acme", "unlock_account").third_party(true));
    assert_eq!(d.outcome, Outcome::LogOnly);
}
