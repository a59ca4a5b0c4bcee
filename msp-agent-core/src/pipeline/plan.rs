//! Plans: what Reason hands to Act and Evaluate.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::domain::UserId;

/// One tool call a plan wants to make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedCall {
    /// Tool (action) name.
    pub tool: String,
    /// Arguments; validated by the gate before anything runs.
    pub args: Value,
    /// Why, for the audit trail.
    pub why: String,
}

impl PlannedCall {
    /// A call to `tool` with `args` for reason `why`.
    pub fn new(tool: &str, args: Value, why: impl Into<String>) -> Self {
        PlannedCall {
            tool: tool.to_owned(),
            args,
            why: why.into(),
        }
    }
}

/// A post-condition Evaluate re-reads from the target system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Check {
    /// The password changed after `since` and must be changed at next sign-in.
    PasswordChanged {
        /// The user.
        user: UserId,
        /// Start of the run.
        since: DateTime<Utc>,
    },
    /// The account is no longer locked.
    Unlocked {
        /// The user.
        user: UserId,
    },
    /// The user is a member of the group (by name or mail address).
    GroupMember {
        /// Group or distribution list, as named in the plan.
        group: String,
        /// The user.
        user: UserId,
    },
}

/// What the agent will do for a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Name of the playbook (or planner) that made it.
    pub playbook: String,
    /// Calls, in order; the first that does not run stops the rest.
    pub steps: Vec<PlannedCall>,
    /// Post-conditions to verify after the steps.
    pub checks: Vec<Check>,
    /// Category to set on close.
    pub category: String,
    /// Escalate without acting, for this reason.
    pub escalate: Option<String>,
    /// Facts gathered for the technician (diagnostics), added to the note.
    pub findings: Vec<String>,
}

impl Plan {
    /// A plan that acts on nothing and hands the ticket to a human.
    pub fn escalate(playbook: &str, category: &str, reason: impl Into<String>) -> Self {
        Plan {
            playbook: playbook.to_owned(),
            steps: Vec::new(),
            checks: Vec::new(),
            category: category.to_owned(),
            escalate: Some(reason.into()),
            findings: Vec::new(),
        }
    }

    /// A plan of writes, verified by `checks`, that closes the ticket under `category`.
    pub fn act(
        playbook: &str,
        category: &str,
        steps: Vec<PlannedCall>,
        checks: Vec<Check>,
    ) -> Self {
        Plan {
            steps,
            checks,
            escalate: None,
            ..Plan::escalate(playbook, category, "")
        }
    }
}
