//! The vocabulary of a decision: tiers, rollout modes, outcomes, action classes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Who may carry out a write action. Ordered: `Autonomous < Approval < Human`.
///
/// ```
/// use msp_agent_policy::Tier;
/// assert!(Tier::Autonomous < Tier::Approval && Tier::Approval < Tier::Human);
/// assert_eq!("approval".parse::<Tier>().unwrap(), Tier::Approval);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// The agent acts alone.
    Autonomous,
    /// The agent acts once a human approves.
    Approval,
    /// Only a human may act; the agent escalates.
    Human,
}

/// Rollout mode of the agent, globally or for one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Predict and log only; no write runs.
    Shadow,
    /// Every write needs approval (autonomous becomes approval).
    Supervised,
    /// Tiers apply as configured.
    Autonomous,
}

/// What the runtime does with one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Run it now.
    Execute,
    /// Ask the approval gateway, run only on approval.
    AwaitApproval,
    /// Hand the ticket to a human; do not run.
    Escalate,
    /// Shadow mode: record the prediction, do not run.
    LogOnly,
    /// Kill switch: do not run.
    Halted,
}

/// Whether an action only reads or also changes a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionClass {
    /// No side effect.
    Read,
    /// Changes state somewhere.
    Write,
}

/// Error for parsing one of the enums of this module from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}` (expected one of: {expected})")]
pub struct ParseEnumError {
    kind: &'static str,
    value: String,
    expected: &'static str,
}

macro_rules! text_enum {
    ($ty:ident, $kind:literal, $($variant:ident => $text:literal),+ $(,)?) => {
        impl $ty {
            /// The snake_case name used in files, JSON and the CLI.
            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(ParseEnumError {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: concat!($($text, " "),+).trim_ascii_end(),
                    }),
                }
            }
        }
    };
}

text_enum!(Tier, "tier", Autonomous => "autonomous", Approval => "approval", Human => "human");
text_enum!(Mode, "mode", Shadow => "shadow", Supervised => "supervised", Autonomous => "autonomous");
text_enum!(
    Outcome, "outcome",
    Execute => "execute", AwaitApproval => "await_approval", Escalate => "escalate",
    LogOnly => "log_only", Halted => "halted",
);
text_enum!(ActionClass, "action class", Read => "read", Write => "write");

impl Tier {
    /// The outcome a tier leads to when no kill switch or shadow mode applies.
    pub const fn outcome(self) -> Outcome {
        match self {
            Tier::Autonomous => Outcome::Execute,
            Tier::Approval => Outcome::AwaitApproval,
            Tier::Human => Outcome::Escalate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text() {
        for t in [Tier::Autonomous, Tier::Approval, Tier::Human] {
            assert_eq!(t.as_str().parse::<Tier>().unwrap(), t);
        }
        for o in [
            Outcome::Execute,
            Outcome::AwaitApproval,
            Outcome::Escalate,
            Outcome::LogOnly,
            Outcome::Halted,
        ] {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
        }
        let err = "root".parse::<Tier>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown tier `root` (expected one of: autonomous approval human)"
        );
    }
}
