//! Password reset, account unlock and MFA reset (DESIGN §7).

use async_trait::async_trait;
use serde_json::json;

use super::self_service_plan;
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

    async fn plan(&self, cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        let since = cx.started_at();
        Ok(self_service_plan(
            "password_reset",
            "Account / Password reset",
            p,
            |user| {
                let mut steps = vec![PlannedCall::new(
                    "reset_password",
                    json!({ "user": user.id }),
                    format!("verified requester {} asked for a password reset", user.upn),
                )];
                let mut checks = vec![Check::PasswordChanged {
                    user: user.id.clone(),
                    since,
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
                Ok((steps, checks))
            },
        ))
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
        Ok(self_service_plan(
            "account_unlock",
            "Account / Unlock",
            p,
            |user| {
                if !user.state.locked {
                    return Err(format!(
                        "account {} is not locked; the sign-in problem needs a human look",
                        user.upn
                    ));
                }
                Ok((
                    vec![PlannedCall::new(
                        "unlock_account",
                        json!({ "user": user.id }),
                        format!("verified requester {} is locked out", user.upn),
                    )],
                    vec![Check::Unlocked {
                        user: user.id.clone(),
                    }],
                ))
            },
        ))
    }
}

/// MFA reset: the verified requester first confirms the request on their registered second
/// channel (never one the ticket names); then every method but the password is deleted,
/// sessions are revoked and a Temporary Access Pass is delivered out of band so they can
/// register again. `reset_mfa` is never autonomous (DESIGN §4 floor): with the default
/// policy the run stops there and a technician takes over from a verified requester.
#[derive(Debug, Clone, Copy, Default)]
pub struct MfaReset;

/// Lifetime of the Temporary Access Pass issued after an MFA reset.
const MFA_TAP_MINUTES: u32 = 60;

#[async_trait]
impl Playbook for MfaReset {
    fn intent(&self) -> Intent {
        Intent::MfaReset
    }

    async fn plan(&self, _cx: &ToolContext<'_>, t: &Ticket, p: &Perception) -> CapResult<Plan> {
        Ok(self_service_plan(
            "mfa_reset",
            "Account / MFA reset",
            p,
            |user| {
                let u = json!({ "user": user.id });
                Ok((
                    vec![
                        PlannedCall::new(
                            "verify_out_of_band",
                            json!({
                                "user": user.id,
                                "purpose": format!("reset of your sign-in (MFA) methods, ticket {}", t.id),
                            }),
                            "MFA reset needs the requester confirmed on a second channel first",
                        ),
                        PlannedCall::new(
                            "reset_mfa",
                            u.clone(),
                            format!(
                                "{} confirmed out of band; remove the lost methods",
                                user.upn
                            ),
                        ),
                        PlannedCall::new(
                            "revoke_sessions",
                            u.clone(),
                            "sign out every session that used the old methods",
                        ),
                        PlannedCall::new(
                            "create_temporary_access_pass",
                            json!({ "user": user.id, "lifetime_minutes": MFA_TAP_MINUTES }),
                            "a Temporary Access Pass to register new methods",
                        ),
                    ],
                    vec![Check::MfaCleared {
                        user: user.id.clone(),
                    }],
                ))
            },
        ))
    }
}
