//! # msp-agent-policy
//!
//! The policy engine of msp-agent: for every action the agent wants to take, decide
//! whether it runs alone (*autonomous*), after a human's approval (*approval*) or only by
//! a human (*human*), under per-client overrides, hard floors no configuration can lower,
//! confidence thresholds, hourly limits, rollout modes and a kill switch.
//!
//! ```
//! use msp_agent_policy::{ActionRequest, Outcome, Policy, PolicyEngine, Tier};
//!
//! let policy = Policy::from_toml_str(r#"
//!     [global]
//!     mode = "autonomous"
//!     [clients.acme.actions]
//!     reset_password = "autonomous"
//! "#, "policy.toml")?;
//! let engine = PolicyEngine::new(policy);
//!
//! let d = engine.decide(&ActionRequest::write("acme", "reset_password").confidence(0.95));
//! assert_eq!((d.tier, d.outcome), (Tier::Autonomous, Outcome::Execute));
//! // Lower confidence raises the tier; privileged targets are always human.
//! let d = engine.decide(&ActionRequest::write("acme", "reset_password").confidence(0.7));
//! assert_eq!(d.outcome, Outcome::AwaitApproval);
//! let d = engine.decide(&ActionRequest::write("acme", "reset_password").privileged(true));
//! assert_eq!(d.outcome, Outcome::Escalate);
//! # Ok::<(), msp_agent_policy::PolicyError>(())
//! ```
//!
//! The decision procedure, table and file format are those of the project design (§4).

#![forbid(unsafe_code)]

mod builtin;
mod decision;
mod engine;
mod error;
mod file;
mod graduation;
mod policy;
mod tier;

pub use builtin::{BUILTIN_ACTIONS, BuiltinAction, Floor, builtin_action, floor_of};
pub use decision::{ActionRequest, Decision, Reason, Source};
pub use engine::PolicyEngine;
pub use error::{Location, PolicyError};
pub use graduation::{ActionHistory, GraduationRule, Recommendation};
pub use policy::{
    DEFAULT_AUTONOMOUS_MIN_CONFIDENCE, DEFAULT_HUMAN_BELOW_CONFIDENCE, Policy, Scope,
};
pub use tier::{ActionClass, Mode, Outcome, ParseEnumError, Tier};
