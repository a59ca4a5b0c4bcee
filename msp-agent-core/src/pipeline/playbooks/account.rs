//! Password reset and account unlock (DESIGN §7).

use async_trait::async_trait;
use chrono::Utc;
use serde_json::json;

use super::self_service_target;
use crate::domain::{Intent, Ticket};
use crate::error::CapResult;
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Check, Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Password reset: verify requester ↔ contact ↔ user, check account state, reset with
/// force-change, deliver out of band (the tool does), unlock if locked; Evaluate verifies,
/// notes, categorizes, logs time and closes.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordReset;

#[async_trait]
impl Playbook for PasswordReset {
    fn intent(&self) -> Intent {
        Intent::PasswordReset
    }

    async fn plan(&self, _cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "password_reset";
        const CATEGORY: &str = "Account / Password reset";
        let user = match self_service_target(p) {
            Ok(u) => u,
            Err(why) => return Ok(Plan::escalate(NAME, CATEGORY, why)),
        };
        let mut steps = vec![PlannedCall::new(
            "reset_password",
            json!({ "user": user.id }),
            format!("verified requester {} asked for a password reset", user.upn),
        )];
        let mut checks = vec![Check::PasswordChanged {
            user: user.id.clone(),
            since: Utc::now(),
        }];
        if user.state.locked {
            steps.push(PlannedCall::new(
                "unlock_account",
                json!({ "user": user.id }),
                "the account is also locked",
            ));
            checks.push(Check::Unlocked {
                user: user.id.clone(),
            });
        }
        Ok(Plan {
            playbook: NAME.into(),
            steps,
            checks,
            category: CATEGORY.into(),
            escalate: None,
            findings: Vec::new(),
        })
    }
}

/// Account unlock: same verification; unlock only when the account is locked.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountUnlock;

#[async_trait]
impl Playbook for AccountUnlock {
    fn intent(&self) -> Intent {
        Intent::AccountUnlock
    }

    async fn plan(&self, _cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "account_unlock";
        const CATEGORY: &str = "Account / Unlock";
        let user = match self_service_target(p) {
            Ok(u) => u,
            Err(why) => return Ok(Plan::escalate(NAME, CATEGORY, why)),
        };
        if !user.state.locked {
            return Ok(Plan::escalate(
                NAME,
                CATEGORY,
                format!(
                    "account {} is not locked; the sign-in problem needs a human look",
                    user.upn
                ),
            ));
        }
        Ok(Plan {
            playbook: NAME.into(),
            steps: vec![PlannedCall::new(
                "unlock_account",
                json!({ "user": user.id }),
                format!("verified requester {} is locked out", user.upn),
            )],
            checks: vec![Check::Unlocked {
                user: user.id.clone(),
            }],
            category: CATEGORY.into(),
            escalate: None,
            findings: Vec::new(),
        })
    }
}
