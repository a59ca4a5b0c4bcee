//! An immutable policy snapshot and the pure decision procedure of DESIGN §4.

use std::collections::HashMap;

use crate::builtin::{builtin_action, floor_of};
use crate::decision::{ActionRequest, Decision, Reason, Source};
use crate::tier::{ActionClass, Mode, Outcome, Tier};

/// Default `autonomous_min_confidence`.
pub const DEFAULT_AUTONOMOUS_MIN_CONFIDENCE: f64 = 0.90;
/// Default `human_below_confidence`.
pub const DEFAULT_HUMAN_BELOW_CONFIDENCE: f64 = 0.60;

/// Settings of one policy section (`[global]` or `[clients.NAME]`); unset keys inherit.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Section {
    pub mode: Option<Mode>,
    pub kill_switch: Option<bool>,
    pub autonomous_min_confidence: Option<f64>,
    pub human_below_confidence: Option<f64>,
    pub actions: HashMap<Box<str>, Tier>,
    pub limits: HashMap<Box<str>, u32>,
}

/// Which part of the policy a run-time switch applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every client without its own setting (and, for the kill switch, every client).
    Global,
    /// One client.
    Client(&'a str),
}

/// A complete policy: built-in table + global section + client sections + tool declarations.
///
/// `Policy` is an immutable value; share it through [`crate::PolicyEngine`] to switch modes
/// and the kill switch at run time.
///
/// ```
/// use msp_agent_policy::{ActionRequest, Outcome, Policy, Tier};
/// let policy = Policy::builtin();
/// let d = policy.decide(&ActionRequest::write("acme", "reset_password"));
/// assert_eq!((d.tier, d.outcome), (Tier::Approval, Outcome::AwaitApproval));
/// let d = policy.decide(&ActionRequest::write("acme", "delete_account"));
/// assert_eq!(d.outcome, Outcome::Escalate);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    pub(crate) global: Section,
    pub(crate) clients: HashMap<Box<str>, Section>,
    pub(crate) tools: HashMap<Box<str>, (ActionClass, Tier)>,
}

/// Class, default tier and where the default came from, for an action the policy knows.
type Known = (ActionClass, Tier, Source);

impl Policy {
    /// The built-in policy: the default table, floors and thresholds, autonomous mode.
    pub fn builtin() -> Self {
        Self::default()
    }

    /// Declare the class and default tier of a tool's action, so it is no longer unknown.
    /// Built-in actions keep their built-in class and tier; floors always apply.
    pub fn declare_action(&mut self, name: &str, class: ActionClass, default_tier: Tier) {
        self.tools.insert(name.into(), (class, default_tier));
    }

    /// Set the kill switch for a scope (see [`crate::PolicyEngine::set_kill_switch`]).
    pub fn set_kill_switch(&mut self, scope: Scope<'_>, on: bool) {
        self.section_mut(scope).kill_switch = Some(on);
    }

    /// Set the rollout mode for a scope (see [`crate::PolicyEngine::set_mode`]).
    pub fn set_mode(&mut self, scope: Scope<'_>, mode: Mode) {
        self.section_mut(scope).mode = Some(mode);
    }

    fn section_mut(&mut self, scope: Scope<'_>) -> &mut Section {
        match scope {
            Scope::Global => &mut self.global,
            Scope::Client(c) => self.clients.entry(c.into()).or_default(),
        }
    }

    /// Names of the clients that have their own section.
    pub fn clients(&self) -> impl Iterator<Item = &str> {
        self.clients.keys().map(|k| &**k)
    }

    /// The mode in force for a client, and where it comes from.
    pub fn mode(&self, tenant: &str) -> (Mode, Source) {
        self.mode_of(self.clients.get(tenant))
    }

    fn mode_of(&self, client: Option<&Section>) -> (Mode, Source) {
        match client.and_then(|c| c.mode) {
            Some(m) => (m, Source::Client),
            None => match self.global.mode {
                Some(m) => (m, Source::Global),
                None => (Mode::Autonomous, Source::BuiltIn),
            },
        }
    }

    /// Whether the kill switch stops writes for a client, and which switch does.
    pub fn kill_switch(&self, tenant: &str) -> Option<Source> {
        self.kill_switch_of(self.clients.get(tenant))
    }

    fn kill_switch_of(&self, client: Option<&Section>) -> Option<Source> {
        if self.global.kill_switch == Some(true) {
            Some(Source::Global)
        } else if client.and_then(|c| c.kill_switch) == Some(true) {
            Some(Source::Client)
        } else {
            None
        }
    }

    /// The confidence thresholds for a client: `(human_below, autonomous_min)`.
    pub fn thresholds(&self, tenant: &str) -> (f64, f64) {
        self.thresholds_of(self.clients.get(tenant))
    }

    fn thresholds_of(&self, client: Option<&Section>) -> (f64, f64) {
        let pick = |f: fn(&Section) -> Option<f64>, default| {
            client
                .and_then(f)
                .or_else(|| f(&self.global))
                .unwrap_or(default)
        };
        (
            pick(|s| s.human_below_confidence, DEFAULT_HUMAN_BELOW_CONFIDENCE),
            pick(
                |s| s.autonomous_min_confidence,
                DEFAULT_AUTONOMOUS_MIN_CONFIDENCE,
            ),
        )
    }

    pub(crate) fn known(&self, action: &str) -> Option<Known> {
        if let Some(b) = builtin_action(action) {
            return Some((b.class, b.tier, Source::BuiltIn));
        }
        self.tools
            .get(action)
            .map(|&(class, tier)| (class, tier, Source::Tool))
    }

    /// The configured tier of a write action for a client before floors, confidence, limits
    /// and mode: client override → global override → built-in or tool default.
    /// `None` for an unknown action.
    pub fn base_tier(&self, tenant: &str, action: &str) -> Option<(Tier, Source)> {
        self.base_tier_of(self.clients.get(tenant), action, self.known(action))
    }

    fn base_tier_of(
        &self,
        client: Option<&Section>,
        action: &str,
        known: Option<Known>,
    ) -> Option<(Tier, Source)> {
        if let Some(&t) = client.and_then(|c| c.actions.get(action)) {
            return Some((t, Source::Client));
        }
        if let Some(&t) = self.global.actions.get(action) {
            return Some((t, Source::Global));
        }
        known.map(|(_, tier, source)| (tier, source))
    }

    /// Decide one request. Pure: the same policy and request always give the same decision.
    pub fn decide(&self, req: &ActionRequest<'_>) -> Decision {
        let mut reasons = Vec::with_capacity(4);
        let known = self.known(req.action);
        let is_read =
            req.class == ActionClass::Read && matches!(known, Some((ActionClass::Read, _, _)));
        if is_read {
            reasons.push(Reason::ReadAction);
            return Decision {
                tier: Tier::Autonomous,
                outcome: Outcome::Execute,
                reasons,
            };
        }

        let client = self.clients.get(req.tenant);
        // 1. Kill switch, 2. shadow mode: they decide the outcome; the tier is still computed.
        let halted = self.kill_switch_of(client);
        if let Some(source) = halted {
            reasons.push(Reason::KillSwitch { source });
        }
        let (mode, mode_source) = self.mode_of(client);
        let shadow = halted.is_none() && mode == Mode::Shadow;
        if shadow {
            reasons.push(Reason::Mode {
                mode,
                source: mode_source,
            });
        }

        // 3. Tier: configuration, floors, confidence, third-party target, limits, supervised mode.
        let mut tier = match self.base_tier_of(client, req.action, known) {
            Some((tier, source)) => {
                reasons.push(Reason::BaseTier { tier, source });
                tier
            }
            None => {
                reasons.push(Reason::UnknownAction);
                Tier::Human
            }
        };
        if let Some(floor) = floor_of(req.action) {
            tier = tier.max(floor.min_tier());
            reasons.push(Reason::Floor { floor, tier });
        }
        if req.target_privileged {
            tier = Tier::Human;
            reasons.push(Reason::PrivilegedTarget);
        }
        let confidence = if (0.0..=1.0).contains(&req.confidence) {
            req.confidence
        } else {
            0.0
        };
        let (human_below, autonomous_min) = self.thresholds_of(client);
        let (threshold, floor_tier) = if confidence < human_below {
            (human_below, Tier::Human)
        } else {
            (autonomous_min, Tier::Approval)
        };
        if confidence < threshold && tier < floor_tier {
            tier = floor_tier;
            reasons.push(Reason::LowConfidence {
                confidence,
                threshold,
                tier,
            });
        }
        if req.third_party && tier < Tier::Approval {
            tier = Tier::Approval;
            reasons.push(Reason::ThirdPartyTarget);
        }
        if let Some(recent) = req.recent_executions
            && tier < Tier::Approval
            && let Some((per_hour, source)) = self.limit_of(client, req.action)
            && recent >= per_hour
        {
            tier = Tier::Approval;
            reasons.push(Reason::Limit {
                recent,
                per_hour,
                source,
            });
        }
        if mode == Mode::Supervised && tier == Tier::Autonomous {
            tier = Tier::Approval;
            reasons.push(Reason::Mode {
                mode,
                source: mode_source,
            });
        }

        // 4. Outcome.
        let outcome = if halted.is_some() {
            Outcome::Halted
        } else if shadow {
            Outcome::LogOnly
        } else {
            tier.outcome()
        };
        Decision {
            tier,
            outcome,
            reasons,
        }
    }

    fn limit_of(&self, client: Option<&Section>, action: &str) -> Option<(u32, Source)> {
        if let Some(&n) = client.and_then(|c| c.limits.get(action)) {
            return Some((n, Source::Client));
        }
        self.global.limits.get(action).map(|&n| (n, Source::Global))
    }
}
