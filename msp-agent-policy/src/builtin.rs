//! The built-in action table and hard floors of the design (DESIGN §4).

use crate::tier::{ActionClass, Tier};

/// A hard floor: a minimum tier that no configuration can lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Floor {
    /// Only a human may ever do this.
    AlwaysHuman,
    /// Human by default; may be lowered to approval, never to autonomous.
    NeverAutonomous,
}

impl Floor {
    /// The lowest tier this floor allows.
    pub const fn min_tier(self) -> Tier {
        match self {
            Floor::AlwaysHuman => Tier::Human,
            Floor::NeverAutonomous => Tier::Approval,
        }
    }

    /// Snake_case name used in reasons.
    pub const fn as_str(self) -> &'static str {
        match self {
            Floor::AlwaysHuman => "always_human",
            Floor::NeverAutonomous => "never_autonomous",
        }
    }
}

/// One row of the built-in table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinAction {
    /// Action (tool) name.
    pub name: &'static str,
    /// Read or write.
    pub class: ActionClass,
    /// Default tier before any configuration.
    pub tier: Tier,
}

const fn read(name: &'static str) -> BuiltinAction {
    BuiltinAction {
        name,
        class: ActionClass::Read,
        tier: Tier::Autonomous,
    }
}
const fn write(name: &'static str, tier: Tier) -> BuiltinAction {
    BuiltinAction {
        name,
        class: ActionClass::Write,
        tier,
    }
}

use Tier::{Approval, Autonomous, Human};

/// Every built-in action with its class and default tier.
pub const BUILTIN_ACTIONS: &[BuiltinAction] = &[
    // Reads: always autonomous.
    read("get_ticket"),
    read("search_tickets"),
    read("lookup_contact"),
    read("lookup_user"),
    read("get_user_status"),
    read("list_auth_methods"),
    read("list_user_groups"),
    read("list_licenses"),
    read("list_devices"),
    read("get_device_status"),
    read("get_patch_status"),
    read("list_alerts"),
    read("search_documentation"),
    read("get_client_configuration"),
    // Autonomous writes.
    write("triage_ticket", Autonomous),
    write("categorize_ticket", Autonomous),
    write("update_ticket_status", Autonomous),
    write("add_internal_note", Autonomous),
    write("log_time_entry", Autonomous),
    // Sends an identity challenge to the user's registered second channel; changes nothing.
    write("verify_out_of_band", Autonomous),
    // Approval.
    write("reset_password", Approval),
    write("unlock_account", Approval),
    write("revoke_sessions", Approval),
    write("create_temporary_access_pass", Approval),
    write("install_software", Approval),
    write("run_script", Approval),
    write("change_endpoint_config", Approval),
    write("add_group_member", Approval),
    write("remove_group_member", Approval),
    write("assign_license", Approval),
    write("remove_license", Approval),
    write("grant_mailbox_access", Approval),
    write("set_email_forwarding", Approval),
    write("create_user", Approval),
    write("add_public_note", Approval),
    // Human.
    write("reset_mfa", Human),
    write("disable_account", Human),
    write("delete_account", Human),
    write("assign_admin_role", Human),
    write("change_conditional_access", Human),
    write("delete_data", Human),
    write("handle_security_incident", Human),
];

/// Look up a built-in action by name.
///
/// ```
/// use msp_agent_policy::{builtin_action, Tier};
/// assert_eq!(builtin_action("reset_password").unwrap().tier, Tier::Approval);
/// assert!(builtin_action("format_c_drive").is_none());
/// ```
pub fn builtin_action(name: &str) -> Option<&'static BuiltinAction> {
    // Linear over ~40 short names, compared by length first: faster than hashing here.
    BUILTIN_ACTIONS.iter().find(|a| a.name == name)
}

/// The hard floor of an action by name, if any (privileged targets are handled separately).
///
/// ```
/// use msp_agent_policy::{floor_of, Floor};
/// assert_eq!(floor_of("delete_account"), Some(Floor::AlwaysHuman));
/// assert_eq!(floor_of("reset_mfa"), Some(Floor::NeverAutonomous));
/// assert_eq!(floor_of("reset_password"), None);
/// ```
pub fn floor_of(name: &str) -> Option<Floor> {
    match name {
        "delete_account"
        | "assign_admin_role"
        | "change_conditional_access"
        | "delete_data"
        | "handle_security_incident" => Some(Floor::AlwaysHuman),
        "reset_mfa" | "disable_account" => Some(Floor::NeverAutonomous),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_snake_case() {
        let mut seen = HashSet::new();
        for a in BUILTIN_ACTIONS {
            assert!(seen.insert(a.name), "duplicate {}", a.name);
            assert!(crate::file::is_action_name(a.name), "{}", a.name);
        }
    }

    #[test]
    fn floor_actions_default_to_human() {
        for a in BUILTIN_ACTIONS {
            if floor_of(a.name).is_some() {
                assert_eq!(a.tier, Tier::Human, "{}", a.name);
                assert_eq!(a.class, ActionClass::Write, "{}", a.name);
            }
        }
    }
}
