//! Graduation: recommending approval → autonomous from a clean track record.

use serde::Serialize;

use crate::builtin::floor_of;
use crate::policy::Policy;
use crate::tier::{ActionClass, Tier};

/// Outcomes of one action for one client over the review window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionHistory {
    /// Executions a human approved and that succeeded.
    pub approved: u32,
    /// Requests a human rejected.
    pub rejected: u32,
    /// Executions that failed.
    pub errors: u32,
}

/// The bar an action must clear to be recommended for promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraduationRule {
    /// Minimum approved executions in the window (default 20).
    pub min_approved: u32,
}

impl Default for GraduationRule {
    fn default() -> Self {
        GraduationRule { min_approved: 20 }
    }
}

/// A recommendation for a human to review; never applied automatically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// Client.
    pub tenant: String,
    /// Action.
    pub action: String,
    /// Current tier (approval).
    pub from: Tier,
    /// Recommended tier (autonomous).
    pub to: Tier,
    /// The history that supports it.
    pub history: ActionHistory,
}

impl Recommendation {
    /// The policy-file lines a human can apply.
    ///
    /// ```
    /// # use msp_agent_policy::*;
    /// let rec = Recommendation {
    ///     tenant: "acme".into(), action: "reset_password".into(),
    ///     from: Tier::Approval, to: Tier::Autonomous, history: ActionHistory::default(),
    /// };
    /// assert_eq!(rec.toml_snippet(), "[clients.acme.actions]\nreset_password = \"autonomous\"\n");
    /// ```
    pub fn toml_snippet(&self) -> String {
        format!(
            "[clients.{}.actions]\n{} = \"{}\"\n",
            self.tenant, self.action, self.to
        )
    }
}

impl Policy {
    /// Recommend promotions from per-(client, action) history: an action whose configured
    /// tier for the client is approval, with no floor, at least `rule.min_approved`
    /// approved executions, zero rejections and zero errors. Sorted by client, action.
    ///
    /// ```
    /// use msp_agent_policy::*;
    /// let policy = Policy::builtin();
    /// let clean = ActionHistory { approved: 25, rejected: 0, errors: 0 };
    /// let recs = policy.graduation(GraduationRule::default(), [
    ///     ("acme", "reset_password", clean),
    ///     ("acme", "disable_account", clean), // floor: never recommended
    /// ]);
    /// assert_eq!(recs.len(), 1);
    /// assert_eq!(recs[0].action, "reset_password");
    /// ```
    pub fn graduation<'a>(
        &self,
        rule: GraduationRule,
        history: impl IntoIterator<Item = (&'a str, &'a str, ActionHistory)>,
    ) -> Vec<Recommendation> {
        let mut out: Vec<Recommendation> = history
            .into_iter()
            .filter(|&(tenant, action, h)| {
                h.approved >= rule.min_approved
                    && h.rejected == 0
                    && h.errors == 0
                    && floor_of(action).is_none()
                    && !matches!(self.known(action), Some((ActionClass::Read, _, _)))
                    && matches!(self.base_tier(tenant, action), Some((Tier::Approval, _)))
            })
            .map(|(tenant, action, history)| Recommendation {
                tenant: tenant.to_owned(),
                action: action.to_owned(),
                from: Tier::Approval,
                to: Tier::Autonomous,
                history,
            })
            .collect();
        out.sort_by(|a, b| (&a.tenant, &a.action).cmp(&(&b.tenant, &b.action)));
        out
    }
}
