//! # msp-agent-core
//!
//! Domain types, capability traits, typed tools, the Perceive → Reason → Act → Evaluate
//! pipeline, the agent runtime and the audit trail of msp-agent.

#![forbid(unsafe_code)]

pub mod agent;
pub mod audit;
pub mod capability;
#[cfg(feature = "test-utils")]
pub mod conformance;
pub mod domain;
mod error;
pub mod metrics;
pub mod pipeline;
pub mod report;
pub mod run;
pub mod tool;

pub use error::{CapResult, CapabilityError};
/// The policy engine (re-exported).
pub use msp_agent_policy as policy;
/// Secret types (re-exported from `secrecy`).
pub use secrecy;
