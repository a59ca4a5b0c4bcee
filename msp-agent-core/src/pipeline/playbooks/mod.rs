//! Built-in playbooks.

mod access;
mod account;
mod diagnose;
mod endpoint;
mod license;
mod lifecycle;
mod mail;

pub use access::GroupMembership;
pub use account::{AccountUnlock, MfaReset, PasswordReset};
pub(crate) use diagnose::diagnose;
pub use endpoint::{SoftwareInstall, VpnIssue};
pub use license::LicenseAssignment;
pub use lifecycle::{Offboarding, Onboarding};
pub use mail::{EmailForwarding, SharedMailboxAccess};

use super::perceive::{Perception, RequesterCheck};
use super::plan::{Check, Plan, PlannedCall};
use crate::domain::DirectoryUser;

/// Plan one self-service write: apply [`self_service_target`], then let `step` build the
/// call (and its post-conditions) for the verified user, or give a reason to escalate.
pub(crate) fn self_service_step(
    name: &str,
    category: &str,
    p: &Perception,
    step: impl FnOnce(&DirectoryUser) -> Result<(PlannedCall, Vec<Check>), String>,
) -> Plan {
    self_service_plan(name, category, p, |user| {
        step(user).map(|(call, checks)| (vec![call], checks))
    })
}

/// Plan self-service writes: apply [`self_service_target`], then let `steps` build the calls
/// and post-conditions for the verified user, or give a reason to escalate.
pub(crate) fn self_service_plan(
    name: &str,
    category: &str,
    p: &Perception,
    steps: impl FnOnce(&DirectoryUser) -> Result<(Vec<PlannedCall>, Vec<Check>), String>,
) -> Plan {
    match self_service_target(p).and_then(steps) {
        Ok((calls, checks)) => Plan::act(name, category, calls, checks),
        Err(why) => Plan::escalate(name, category, why),
    }
}

/// The guards every identity playbook applies before planning any write: a verified
/// requester, acting on their own account, which exists and is enabled.
pub fn self_service_target(p: &Perception) -> Result<&DirectoryUser, String> {
    if let RequesterCheck::Unverified { reason } = &p.requester {
        return Err(format!("requester not verified: {reason}"));
    }
    if p.third_party {
        let named = p
            .entities
            .affected_user
            .as_deref()
            .unwrap_or("another user");
        return Err(format!(
            "the request concerns {named}, not the verified requester; a human must confirm it"
        ));
    }
    let user = p
        .affected_user
        .as_ref()
        .ok_or("no directory account found for the request")?;
    if !user.state.enabled {
        return Err(format!("account {} is disabled", user.upn));
    }
    Ok(user)
}
