//! Mail playbooks (DESIGN §7): shared mailbox access and forwarding.
//!
//! Neither outcome can be re-read through the identity capability (it has no mailbox-permission
//! or forwarding read), so these plans carry no check: the tool's success is the evidence.

use async_trait::async_trait;
use serde_json::json;

use super::self_service_step;
use crate::capability::MailboxPermission;
use crate::domain::{Intent, Ticket};
use crate::error::CapResult;
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Grant the verified requester full access to the shared mailbox the ticket names.
#[derive(Debug, Clone, Copy, Default)]
pub struct SharedMailboxAccess;

#[async_trait]
impl Playbook for SharedMailboxAccess {
    fn intent(&self) -> Intent {
        Intent::SharedMailboxAccess
    }

    async fn plan(&self, _cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        Ok(self_service_step(
            "shared_mailbox_access",
            "Access / Shared mailbox",
            p,
            |user| {
                let mailbox = p
                    .entities
                    .mailbox
                    .as_deref()
                    .ok_or("the ticket names no shared mailbox")?;
                let args = json!({
                    "mailbox": mailbox,
                    "user": user.id,
                    "permission": MailboxPermission::FullAccess,
                });
                let why = format!("verified requester {} asked for `{mailbox}`", user.upn);
                Ok((
                    PlannedCall::new("grant_mailbox_access", args, why),
                    Vec::new(),
                ))
            },
        ))
    }
}

/// Forward the verified requester's mail to the address the ticket names (other than
/// their own); no address named → escalate.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmailForwarding;

#[async_trait]
impl Playbook for EmailForwarding {
    fn intent(&self) -> Intent {
        Intent::EmailForwarding
    }

    async fn plan(&self, _cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        Ok(self_service_step(
            "email_forwarding",
            "Mail / Forwarding",
            p,
            |user| {
                let own = |a: &str| {
                    a.eq_ignore_ascii_case(&user.mail) || a.eq_ignore_ascii_case(&user.upn)
                };
                let to = p
                    .entities
                    .emails
                    .iter()
                    .find(|a| !own(a))
                    .ok_or("the ticket names no address to forward to")?;
                let args = json!({ "user": user.id, "forward_to": to });
                let why = format!("verified requester {} asked to forward to {to}", user.upn);
                Ok((
                    PlannedCall::new("set_email_forwarding", args, why),
                    Vec::new(),
                ))
            },
        ))
    }
}
