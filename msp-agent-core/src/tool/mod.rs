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
use chrono::{DateTime, Utc};
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
    /// The durable run this call belongs to, when the agent runs under a
    /// [`RunStore`](crate::run::RunStore): every write is journaled before and after its
    /// side effect. `None` for in-memory runs.
    pub run: Option<&'a crate::run::RunContext>,
}

impl<'a> ToolContext<'a> {
    /// A context for one ticket, not journaled.
    pub fn new(tenant: &'a TenantId, ticket: &'a TicketId, caps: &'a Capabilities) -> Self {
        ToolContext {
            tenant,
            ticket,
            caps,
            run: None,
        }
    }

    /// When the work on this ticket began: now for an in-memory run, the run's first
    /// attempt for a durable one (so a resumed run verifies what an earlier attempt did).
    pub fn started_at(&self) -> DateTime<Utc> {
        self.run.map_or_else(Utc::now, |r| r.began())
    }
}

/// Whether a write that was interrupted (the process died after its side effect may have
/// happened, before the journal recorded it) took effect, judged by re-reading the target
/// system.
#[derive(Debug, Clone, PartialEq)]
pub enum Reconciled {
    /// It took effect: record this output and do not run it again.
    Done(serde_json::Value),
    /// It did not take effect, or running it again changes nothing: run it.
    NotDone,
    /// It cannot be told, or doing it again would be a second side effect (a second
    /// secret delivered): a technician must check. The text says what to check.
    Unknown(String),
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

    /// After a crash: did a call of this write that started at `since` take effect? Called
    /// only for writes whose journal entry has a start and no end. The default cannot
    /// tell, so the resumed run escalates instead of risking a second side effect.
    async fn reconcile(
        &self,
        _cx: &ToolContext<'_>,
        _args: &Self::Args,
        _since: DateTime<Utc>,
    ) -> Result<Reconciled, ToolError> {
        Ok(Reconciled::Unknown(format!(
            "`{}` was interrupted; whether it took effect is not known",
            Self::NAME
        )))
    }
}
