//! Typed tools: Rust types in, Rust types out, JSON Schema for models, validation before
//! anything runs.
//!
//! A tool is a type implementing [`Tool`]; a [`ToolRegistry`] erases the types so the
//! runtime can offer every tool's schema to a model and dispatch calls by name. Tools run
//! only through the policy gate ([`crate::pipeline::PolicyGate`]): the registry has no
//! public way to execute a tool.

mod builtin;
mod registry;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};

pub use builtin::*;
pub use registry::{ToolRegistry, ValidatedCall};

use crate::capability::Capabilities;
use crate::domain::{TenantId, TicketId, UserId};
use crate::error::CapabilityError;
use msp_agent_policy::{ActionClass, Tier};

/// What a tool call works on, for the privileged-target floor of the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRef {
    /// A directory user.
    User(UserId),
    /// A group by name or mail address.
    Group(String),
}

/// Everything a tool may use while it runs: the systems, scoped to one tenant and ticket.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext<'a> {
    /// The client every call must be scoped to.
    pub tenant: &'a TenantId,
    /// The ticket being worked.
    pub ticket: &'a TicketId,
    /// The systems.
    pub caps: &'a Capabilities,
}

/// Why a tool call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToolError {
    /// No tool has this name.
    #[error("unknown tool `{0}`")]
    UnknownTool(String),
    /// The arguments do not match the tool's type.
    #[error("invalid arguments for `{tool}` at `{path}`: {reason}")]
    InvalidArguments {
        /// Tool name.
        tool: String,
        /// Path of the offending field (`.` for the top level).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A precondition failed (e.g. no free licence seat); nothing was changed.
    #[error("precondition failed: {0}")]
    Precondition(String),
    /// A capability call failed.
    #[error(transparent)]
    Capability(#[from] CapabilityError),
}

/// A typed tool. `NAME` is the policy action name (DESIGN §4).
///
/// Argument types should use `#[serde(deny_unknown_fields)]`; the registry also rejects
/// unknown top-level fields from the schema.
///
/// ```
/// use async_trait::async_trait;
/// use msp_agent_core::tool::{Tool, ToolContext, ToolError};
/// use msp_agent_core::policy::ActionClass;
///
/// #[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// struct Args { query: String }
///
/// struct CountSops;
///
/// #[async_trait]
/// impl Tool for CountSops {
///     type Args = Args;
///     type Output = usize;
///     const NAME: &'static str = "count_sops";
///     const DESCRIPTION: &'static str = "Count SOPs matching a query.";
///     const CLASS: ActionClass = ActionClass::Read;
///     async fn run(&self, cx: &ToolContext<'_>, args: Args) -> Result<usize, ToolError> {
///         Ok(cx.caps.docs.search(cx.tenant, &args.query, 100).await?.len())
///     }
/// }
/// ```
#[async_trait]
pub trait Tool: Send + Sync + 'static {
    /// Arguments, validated from JSON before the tool runs.
    type Args: DeserializeOwned + Serialize + JsonSchema + Send + Sync + 'static;
    /// Result, returned to the caller (and the model) as JSON. Never a secret.
    type Output: Serialize + Send;
    /// Stable snake_case name, also the policy action name.
    const NAME: &'static str;
    /// What the tool does, for models and humans.
    const DESCRIPTION: &'static str;
    /// Read or write.
    const CLASS: ActionClass;
    /// Default tier when the action is not in the built-in policy table.
    const DEFAULT_TIER: Tier = match Self::CLASS {
        ActionClass::Read => Tier::Autonomous,
        ActionClass::Write => Tier::Approval,
    };

    /// The users and groups this call changes (for the privileged-target floor).
    fn targets(&self, _args: &Self::Args) -> Vec<TargetRef> {
        Vec::new()
    }

    /// Do the work.
    async fn run(&self, cx: &ToolContext<'_>, args: Self::Args) -> Result<Self::Output, ToolError>;
}
