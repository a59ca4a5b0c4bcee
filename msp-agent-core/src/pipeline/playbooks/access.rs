//! Group and distribution-list membership (DESIGN §7): `distribution_list_access` and
//! `permission_grant`.

use async_trait::async_trait;
use serde_json::json;

use super::self_service_step;
use crate::domain::{Intent, Ticket};
use crate::error::CapResult;
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Check, Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Add the verified requester to the group or distribution list the ticket names.
///
/// A missing group name escalates; an unknown group fails the tool's precondition and
/// Evaluate escalates; a privileged group is stopped by the gate. Evaluate re-reads the
/// user's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupMembership {
    intent: Intent,
    name: &'static str,
    category: &'static str,
}

impl GroupMembership {
    /// For `distribution_list_access` ("add me to the sales@ list").
    pub const fn distribution_list() -> Self {
        GroupMembership {
            intent: Intent::DistributionListAccess,
            name: "distribution_list_access",
            category: "Access / Distribution list",
        }
    }

    /// For `permission_grant` ("give me access to the Engineering SharePoint group").
    pub const fn permission_grant() -> Self {
        GroupMembership {
            intent: Intent::PermissionGrant,
            name: "permission_grant",
            category: "Access / Group membership",
        }
    }
}

#[async_trait]
impl Playbook for GroupMembership {
    fn intent(&self) -> Intent {
        self.intent
    }

    async fn plan(&self, _cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        Ok(self_service_step(self.name, self.category, p, |user| {
            let group = p
                .entities
                .group
                .as_deref()
                .ok_or("the ticket names no group or distribution list")?;
            Ok((
                PlannedCall::new(
                    "add_group_member",
                    json!({ "group": group, "user": user.id }),
                    format!("verified requester {} asked to join `{group}`", user.upn),
                ),
                vec![Check::GroupMember {
                    group: group.to_owned(),
                    user: user.id.clone(),
                }],
            ))
        }))
    }
}
