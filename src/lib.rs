//! # msp-agent
//!
//! Embeddable SDK for guarded agentic automation at managed service providers: an agent
//! that resolves L1 help-desk tickets (password resets, unlocks, access requests, …)
//! through typed tools, under a policy that decides for every action whether it runs
//! alone, after a human's approval, or only by a human.
//!
//! This facade re-exports the workspace crates:
//! - [`policy`]: tiers, hard floors, modes, kill switch ([`msp_agent_policy`]);
//! - [`agent`], [`pipeline`], [`tool`], [`capability`], [`domain`], [`audit`], [`report`]
//!   and [`run`] (durable runs, workers) from [`msp_agent_core`];
//! - [`sim`] (feature `sim`, on by default): the simulated MSP.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), msp_agent::agent::AgentError> {
//! use msp_agent::prelude::*;
//!
//! let msp = SimMsp::seeded();
//! let agent = Agent::builder(msp.capabilities()).build();
//! let (tenant, ticket) = msp.open_tickets().remove(0);
//! let report = agent.handle(&tenant, &ticket).await?;
//! println!("{} → {:?}", report.intent, report.outcome);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub use msp_agent_core::secrecy;
pub use msp_agent_core::{
    CapResult, CapabilityError, agent, audit, capability, domain, pipeline, report, run, tool,
};
pub use msp_agent_policy as policy;
#[cfg(feature = "sim")]
pub use msp_agent_sim as sim;

/// The names most programs need.
pub mod prelude {
    pub use msp_agent_core::agent::{Agent, AgentBuilder, AgentError, TicketReport};
    pub use msp_agent_core::audit::{AuditSink, JsonlAuditSink, MemoryAuditSink};
    pub use msp_agent_core::capability::Capabilities;
    pub use msp_agent_core::domain::{Intent, TenantId, TicketId};
    pub use msp_agent_core::pipeline::TicketOutcome;
    pub use msp_agent_core::tool::{Tool, ToolContext, ToolError, ToolRegistry};
    pub use msp_agent_policy::{Mode, Outcome, Policy, PolicyEngine, Scope, Tier};
    #[cfg(feature = "sim")]
    pub use msp_agent_sim::{ApprovalMode, SimMsp};
}
