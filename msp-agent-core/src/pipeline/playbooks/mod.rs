//! Built-in playbooks.

mod account;
mod diagnose;

pub use account::{AccountUnlock, PasswordReset};
pub(crate) use diagnose::diagnose;

use super::perceive::{Perception, RequesterCheck};
use crate::domain::DirectoryUser;

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
