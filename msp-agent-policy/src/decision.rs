//! Requests to the engine and the decisions it returns.

use std::fmt;

use serde::{Serialize, Serializer, ser::SerializeStruct};

use crate::builtin::Floor;
use crate::tier::{ActionClass, Mode, Outcome, Tier};

/// One action the agent wants to take, as the policy sees it.
///
/// ```
/// use msp_agent_policy::{ActionClass, ActionRequest};
/// let req = ActionRequest::write("acme", "reset_password").confidence(0.95);
/// assert_eq!(req.class, ActionClass::Write);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionRequest<'a> {
    /// Client (tenant) the action is for.
    pub tenant: &'a str,
    /// Action (tool) name.
    pub action: &'a str,
    /// Class claimed by the caller. For known actions the stricter of this and the
    /// known class is used, so a write can never pass as a read.
    pub class: ActionClass,
    /// Confidence in the triage that led here, in `[0, 1]`. Values outside (or NaN) are
    /// treated as `0.0`: fail closed.
    pub confidence: f64,
    /// The target is privileged (admin role, break-glass, service account, VIP).
    pub target_privileged: bool,
    /// Executions of this action for this client in the last hour, when known.
    pub recent_executions: Option<u32>,
    /// The action changes a user other than the verified requester (or there is no verified
    /// requester): such a write is never autonomous.
    pub third_party: bool,
}

impl<'a> ActionRequest<'a> {
    /// A request with default confidence 1.0, non-privileged target, no limit count.
    pub const fn new(tenant: &'a str, action: &'a str, class: ActionClass) -> Self {
        ActionRequest {
            tenant,
            action,
            class,
            confidence: 1.0,
            target_privileged: false,
            recent_executions: None,
            third_party: false,
        }
    }
    /// A write request (see [`ActionRequest::new`]).
    pub const fn write(tenant: &'a str, action: &'a str) -> Self {
        Self::new(tenant, action, ActionClass::Write)
    }
    /// A read request (see [`ActionRequest::new`]).
    pub const fn read(tenant: &'a str, action: &'a str) -> Self {
        Self::new(tenant, action, ActionClass::Read)
    }
    /// Set the confidence.
    pub const fn confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }
    /// Mark the target privileged.
    pub const fn privileged(mut self, privileged: bool) -> Self {
        self.target_privileged = privileged;
        self
    }
    /// Mark the target as someone other than the verified requester: the tier becomes at
    /// least approval.
    ///
    /// ```
    /// use msp_agent_policy::{ActionRequest, Policy, Tier};
    /// let d = Policy::builtin().decide(&ActionRequest::write("acme", "add_internal_note").third_party(true));
    /// assert_eq!(d.tier, Tier::Approval);
    /// ```
    pub const fn third_party(mut self, third_party: bool) -> Self {
        self.third_party = third_party;
        self
    }
    /// Set the count of executions in the last hour.
    pub const fn recent_executions(mut self, count: u32) -> Self {
        self.recent_executions = Some(count);
        self
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The built-in table or defaults.
    BuiltIn,
    /// Declared by a registered tool.
    Tool,
    /// The `[global]` section of the policy (or a global run-time switch).
    Global,
    /// The client's section of the policy (or a client run-time switch).
    Client,
}

impl Source {
    /// Snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::BuiltIn => "built_in",
            Source::Tool => "tool",
            Source::Global => "global",
            Source::Client => "client",
        }
    }
    fn phrase(self) -> &'static str {
        match self {
            Source::BuiltIn => "the built-in default",
            Source::Tool => "the tool's declared default",
            Source::Global => "the global policy",
            Source::Client => "the client's policy",
        }
    }
}

/// One step of the reasoning behind a decision, in the order applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// Read actions always execute.
    ReadAction,
    /// The kill switch is on.
    KillSwitch {
        /// Global or client switch.
        source: Source,
    },
    /// The action is not known to the policy: fail closed to human.
    UnknownAction,
    /// The starting tier of the action.
    BaseTier {
        /// The tier.
        tier: Tier,
        /// Where it came from.
        source: Source,
    },
    /// A hard floor applies to the action.
    Floor {
        /// Which floor.
        floor: Floor,
        /// Tier after applying it.
        tier: Tier,
    },
    /// The target is privileged: always human.
    PrivilegedTarget,
    /// Confidence is below a threshold.
    LowConfidence {
        /// The request's confidence (after clamping).
        confidence: f64,
        /// The threshold it fell below.
        threshold: f64,
        /// Tier after applying it.
        tier: Tier,
    },
    /// The target is not the verified requester: at least approval.
    ThirdPartyTarget,
    /// The hourly limit is reached.
    Limit {
        /// Executions in the last hour.
        recent: u32,
        /// Configured limit per hour.
        per_hour: u32,
        /// Where the limit came from.
        source: Source,
    },
    /// Shadow or supervised mode changed the result.
    Mode {
        /// The mode.
        mode: Mode,
        /// Global or client.
        source: Source,
    },
}

impl Reason {
    /// Name of the rule, stable for scripts.
    pub const fn rule(&self) -> &'static str {
        match self {
            Reason::ReadAction => "read_action",
            Reason::KillSwitch { .. } => "kill_switch",
            Reason::UnknownAction => "unknown_action",
            Reason::BaseTier { .. } => "default_tier",
            Reason::Floor { .. } => "floor",
            Reason::PrivilegedTarget => "privileged_target",
            Reason::LowConfidence { .. } => "confidence",
            Reason::ThirdPartyTarget => "third_party_target",
            Reason::Limit { .. } => "limit",
            Reason::Mode { .. } => "mode",
        }
    }

    /// Where the rule's setting came from.
    pub const fn source(&self) -> Source {
        match self {
            Reason::KillSwitch { source }
            | Reason::BaseTier { source, .. }
            | Reason::Limit { source, .. }
            | Reason::Mode { source, .. } => *source,
            Reason::LowConfidence { .. } => Source::BuiltIn,
            Reason::ReadAction
            | Reason::UnknownAction
            | Reason::Floor { .. }
            | Reason::PrivilegedTarget
            | Reason::ThirdPartyTarget => Source::BuiltIn,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::ReadAction => f.write_str("read actions change nothing and always run"),
            Reason::KillSwitch { source } => {
                write!(f, "the kill switch is on in {}: no write runs", source.phrase())
            }
            Reason::UnknownAction => f.write_str(
                "unknown action: not built in, not declared by a tool, not named in the policy; \
                 only a human may do it",
            ),
            Reason::BaseTier { tier, source } => write!(f, "{} sets the tier to {tier}", source.phrase()),
            Reason::Floor { floor: Floor::AlwaysHuman, tier } => {
                write!(f, "hard floor: only a human may do this action (tier {tier})")
            }
            Reason::Floor { floor: Floor::NeverAutonomous, tier } => write!(
                f,
                "hard floor: this action is never autonomous (tier {tier})"
            ),
            Reason::PrivilegedTarget => f.write_str(
                "hard floor: the target is privileged (admin, break-glass, service account or VIP); \
                 only a human may change it",
            ),
            Reason::LowConfidence { confidence, threshold, tier } => write!(
                f,
                "confidence {confidence:.2} is below {threshold:.2}, so the tier is at least {tier}"
            ),
            Reason::ThirdPartyTarget => f.write_str(
                "target is not the verified requester, so the tier is at least approval",
            ),
            Reason::Limit { recent, per_hour, source } => write!(
                f,
                "{recent} runs in the last hour reach the limit of {per_hour} per hour set by {}, \
                 so the tier is at least approval",
                source.phrase()
            ),
            Reason::Mode { mode: Mode::Shadow, source } => write!(
                f,
                "{} is in shadow mode: the prediction is logged, nothing runs",
                source.phrase()
            ),
            Reason::Mode { mode, source } => {
                write!(f, "{} is in {mode} mode: autonomous actions need approval", source.phrase())
            }
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Reason", 3)?;
        s.serialize_field("rule", self.rule())?;
        s.serialize_field("source", self.source().as_str())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// The policy's answer for one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The tier the action resolved to.
    pub tier: Tier,
    /// What the runtime must do.
    pub outcome: Outcome,
    /// Why, in the order the rules applied.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// True when the action may run now without a human.
    pub fn may_execute(&self) -> bool {
        self.outcome == Outcome::Execute
    }
}
