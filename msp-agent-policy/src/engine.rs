//! A shared, switchable policy: lock-free decisions, atomic run-time changes.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::decision::{ActionRequest, Decision};
use crate::policy::{Policy, Scope};
use crate::tier::{ActionClass, Mode, Tier};

/// A policy shared by every worker of an agent, changeable while it runs.
///
/// Decisions read an immutable snapshot without locking; a change (kill switch, mode,
/// reload) builds a new snapshot and swaps it in atomically, so each decision sees
/// either the old or the new policy, never a mix, and the next decision sees the change.
///
/// ```
/// use msp_agent_policy::{ActionRequest, Outcome, PolicyEngine, Scope};
/// let engine = PolicyEngine::builtin();
/// let req = ActionRequest::write("acme", "add_internal_note");
/// assert_eq!(engine.decide(&req).outcome, Outcome::Execute);
/// engine.set_kill_switch(Scope::Client("acme"), true);
/// assert_eq!(engine.decide(&req).outcome, Outcome::Halted);
/// ```
#[derive(Debug)]
pub struct PolicyEngine {
    current: ArcSwap<Policy>,
}

impl PolicyEngine {
    /// An engine over the given policy.
    pub fn new(policy: Policy) -> Self {
        PolicyEngine {
            current: ArcSwap::from_pointee(policy),
        }
    }

    /// An engine over the built-in policy.
    pub fn builtin() -> Self {
        Self::new(Policy::builtin())
    }

    /// Decide one request against the current snapshot.
    pub fn decide(&self, req: &ActionRequest<'_>) -> Decision {
        self.current.load().decide(req)
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Policy> {
        self.current.load_full()
    }

    /// Replace the whole policy (e.g. after reloading its file). Run-time switches made
    /// before are replaced too.
    pub fn replace(&self, policy: Policy) {
        self.current.store(Arc::new(policy));
    }

    /// Apply a change to a copy of the current policy and swap it in atomically.
    pub fn update(&self, change: impl Fn(&mut Policy)) {
        self.current.rcu(|old| {
            let mut next = Policy::clone(old);
            change(&mut next);
            next
        });
    }

    /// Turn the kill switch on or off, globally or for one client.
    pub fn set_kill_switch(&self, scope: Scope<'_>, on: bool) {
        self.update(|p| p.set_kill_switch(scope, on));
    }

    /// Set the rollout mode, globally or for one client.
    pub fn set_mode(&self, scope: Scope<'_>, mode: Mode) {
        self.update(|p| p.set_mode(scope, mode));
    }

    /// Declare a tool's action (see [`Policy::declare_action`]).
    pub fn declare_action(&self, name: &str, class: ActionClass, default_tier: Tier) {
        self.update(|p| p.declare_action(name, class, default_tier));
    }
}

impl Default for PolicyEngine {
    fn default() -> Self {
        Self::builtin()
    }
}

impl From<Policy> for PolicyEngine {
    fn from(policy: Policy) -> Self {
        Self::new(policy)
    }
}
