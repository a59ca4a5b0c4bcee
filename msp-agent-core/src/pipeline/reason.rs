//! Reason: perception → plan. The default is a set of deterministic playbooks, one per intent.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::perceive::Perception;
use super::plan::Plan;
use super::playbooks;
use crate::domain::{Intent, Ticket};
use crate::error::CapResult;
use crate::tool::ToolContext;

/// The Reason stage.
#[async_trait]
pub trait Reason: Send + Sync {
    /// Plan the work for one ticket. May read; must not write (writes belong in the plan).
    async fn plan(
        &self,
        cx: &ToolContext<'_>,
        ticket: &Ticket,
        perception: &Perception,
    ) -> CapResult<Plan>;
}

/// A deterministic procedure for one intent: a readable sequence of typed tool calls.
#[async_trait]
pub trait Playbook: Send + Sync {
    /// The intent it handles.
    fn intent(&self) -> Intent;
    /// Build the plan.
    async fn plan(
        &self,
        cx: &ToolContext<'_>,
        ticket: &Ticket,
        perception: &Perception,
    ) -> CapResult<Plan>;
}

/// Default Reason: playbooks by intent; intents without one are diagnosed and escalated.
#[derive(Clone)]
pub struct Playbooks {
    by_intent: HashMap<Intent, Arc<dyn Playbook>>,
}

impl std::fmt::Debug for Playbooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_intent.keys()).finish()
    }
}

impl Default for Playbooks {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Playbooks {
    /// No playbooks: every ticket is diagnosed and escalated.
    pub fn empty() -> Self {
        Playbooks {
            by_intent: HashMap::new(),
        }
    }

    /// The built-in playbooks.
    pub fn builtin() -> Self {
        Self::empty()
            .with(playbooks::PasswordReset)
            .with(playbooks::AccountUnlock)
            .with(playbooks::GroupMembership::distribution_list())
            .with(playbooks::GroupMembership::permission_grant())
            .with(playbooks::SharedMailboxAccess)
            .with(playbooks::LicenseAssignment)
            .with(playbooks::EmailForwarding)
            .with(playbooks::MfaReset)
            .with(playbooks::Onboarding)
            .with(playbooks::Offboarding)
            .with(playbooks::SoftwareInstall)
            .with(playbooks::VpnIssue)
    }

    /// Add or replace the playbook for its intent.
    pub fn with(mut self, playbook: impl Playbook + 'static) -> Self {
        self.by_intent.insert(playbook.intent(), Arc::new(playbook));
        self
    }

    /// The intents that have a playbook.
    pub fn intents(&self) -> impl Iterator<Item = Intent> + '_ {
        self.by_intent.keys().copied()
    }
}

#[async_trait]
impl Reason for Playbooks {
    async fn plan(&self, cx: &ToolContext<'_>, ticket: &Ticket, p: &Perception) -> CapResult<Plan> {
        match self.by_intent.get(&p.intent) {
            Some(playbook) => playbook.plan(cx, ticket, p).await,
            None => Ok(playbooks::diagnose(cx, ticket, p).await),
        }
    }
}
