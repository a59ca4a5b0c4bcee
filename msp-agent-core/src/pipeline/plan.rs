//! Plans: what Reason hands to Act and Evaluate.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::act::StepRecord;
use crate::capability::Usage;
use crate::domain::{TicketStatus, UserId};

/// One tool call a plan wants to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedCall {
    /// Tool (action) name.
    pub tool: String,
    /// Arguments; validated by the gate before anything runs.
    pub args: Value,
    /// Why, for the audit trail.
    pub why: String,
    /// Name under which the step's output is kept for later steps (see [`PlannedCall::bind`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
}

impl PlannedCall {
    /// A call to `tool` with `args` for reason `why`.
    pub fn new(tool: &str, args: Value, why: impl Into<String>) -> Self {
        PlannedCall {
            tool: tool.to_owned(),
            args,
            why: why.into(),
            bind: None,
        }
    }

    /// Keep this step's output under `name`: a later step's argument that is exactly the
    /// string `"${name.field.sub}"` is replaced by that field of the output before the later
    /// step is validated and decided (e.g. the id of a user created by an earlier step).
    ///
    /// ```
    /// use msp_agent_core::pipeline::PlannedCall;
    /// use serde_json::json;
    /// use std::collections::HashMap;
    ///
    /// let create = PlannedCall::new("create_user", json!({}), "new starter").bind("new_user");
    /// let license = PlannedCall::new("assign_license", json!({ "user": "${new_user.id}", "sku": "SPB" }), "template");
    /// let bound = HashMap::from([("new_user".to_owned(), json!({ "id": "u-2001" }))]);
    /// assert_eq!(create.bind.as_deref(), Some("new_user"));
    /// assert_eq!(license.resolve(&bound).args["user"], "u-2001");
    /// ```
    pub fn bind(mut self, name: &str) -> Self {
        self.bind = Some(name.to_owned());
        self
    }

    /// This call with every `"${name.path}"` argument replaced from `bound`; references to
    /// names not bound (yet) are left as they are, so validation sees them.
    pub fn resolve(&self, bound: &HashMap<String, Value>) -> PlannedCall {
        fn walk(v: &mut Value, bound: &HashMap<String, Value>) {
            match v {
                Value::String(s) => {
                    if let Some(found) = lookup(s, bound) {
                        *v = found.clone();
                    }
                }
                Value::Array(items) => items.iter_mut().for_each(|i| walk(i, bound)),
                Value::Object(map) => map.values_mut().for_each(|i| walk(i, bound)),
                _ => {}
            }
        }
        fn lookup<'a>(s: &str, bound: &'a HashMap<String, Value>) -> Option<&'a Value> {
            let path = s.strip_prefix("${")?.strip_suffix('}')?;
            let mut parts = path.split('.');
            let mut v = bound.get(parts.next()?)?;
            for part in parts {
                v = v.get(part)?;
            }
            Some(v)
        }
        let mut call = self.clone();
        if !bound.is_empty() {
            walk(&mut call.args, bound);
        }
        call
    }
}

/// A post-condition Evaluate re-reads from the target system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The user has no authentication method left but password and Temporary Access Pass.
    MfaCleared {
        /// User.
        user: UserId,
    },
    /// The user's sign-in is disabled.
    SignInDisabled {
        /// User.
        user: UserId,
    },
    /// A user with this UPN exists (new accounts may stay disabled until the start date).
    UserExists {
        /// UPN.
        upn: String,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Status to set when every step ran and every check held: `Closed`, or `Waiting` when
    /// the agent answered (e.g. sent guidance) and the user has to confirm.
    pub resolved_status: TicketStatus,
    /// Steps a planner already took through the policy gate while planning (the model's
    /// tool loop); the agent reports them before any of `steps`, and Evaluate judges them
    /// like executed plan steps. Empty for playbooks.
    #[serde(skip_serializing_if = "Vec::is_empty", skip_deserializing, default)]
    pub taken: Vec<StepRecord>,
    /// Model tokens spent making the plan, when a model made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
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
            resolved_status: TicketStatus::Closed,
            taken: Vec::new(),
            usage: None,
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
