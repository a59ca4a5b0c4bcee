//! Triage vocabulary (DESIGN §3).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a ticket asks for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Intent {
    PasswordReset,
    AccountUnlock,
    MfaReset,
    DistributionListAccess,
    SharedMailboxAccess,
    LicenseAssignment,
    PermissionGrant,
    Onboarding,
    Offboarding,
    SoftwareInstall,
    EmailForwarding,
    VpnIssue,
    FileAccess,
    OutlookSync,
    PrinterIssue,
    PerformanceIssue,
    SecurityIncident,
    Other,
}

/// How far the seed design lets an intent be automated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomationLevel {
    /// Resolved end to end.
    High,
    /// Resolved with more checks and approvals.
    Medium,
    /// Diagnose, usually escalate.
    Low,
    /// Never automated.
    Never,
    /// Unknown request: to a human.
    Unknown,
}

impl Intent {
    /// Every intent, in the design's order.
    pub const ALL: [Intent; 18] = [
        Intent::PasswordReset,
        Intent::AccountUnlock,
        Intent::MfaReset,
        Intent::DistributionListAccess,
        Intent::SharedMailboxAccess,
        Intent::LicenseAssignment,
        Intent::PermissionGrant,
        Intent::Onboarding,
        Intent::Offboarding,
        Intent::SoftwareInstall,
        Intent::EmailForwarding,
        Intent::VpnIssue,
        Intent::FileAccess,
        Intent::OutlookSync,
        Intent::PrinterIssue,
        Intent::PerformanceIssue,
        Intent::SecurityIncident,
        Intent::Other,
    ];

    /// The snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Intent::PasswordReset => "password_reset",
            Intent::AccountUnlock => "account_unlock",
            Intent::MfaReset => "mfa_reset",
            Intent::DistributionListAccess => "distribution_list_access",
            Intent::SharedMailboxAccess => "shared_mailbox_access",
            Intent::LicenseAssignment => "license_assignment",
            Intent::PermissionGrant => "permission_grant",
            Intent::Onboarding => "onboarding",
            Intent::Offboarding => "offboarding",
            Intent::SoftwareInstall => "software_install",
            Intent::EmailForwarding => "email_forwarding",
            Intent::VpnIssue => "vpn_issue",
            Intent::FileAccess => "file_access",
            Intent::OutlookSync => "outlook_sync",
            Intent::PrinterIssue => "printer_issue",
            Intent::PerformanceIssue => "performance_issue",
            Intent::SecurityIncident => "security_incident",
            Intent::Other => "other",
        }
    }

    /// The seed automation level of DESIGN §3.
    pub const fn automation(self) -> AutomationLevel {
        use Intent::*;
        match self {
            PasswordReset
            | AccountUnlock
            | MfaReset
            | DistributionListAccess
            | SharedMailboxAccess
            | LicenseAssignment
            | PermissionGrant => AutomationLevel::High,
            Onboarding | Offboarding | SoftwareInstall | EmailForwarding | VpnIssue => {
                AutomationLevel::Medium
            }
            FileAccess | OutlookSync | PrinterIssue | PerformanceIssue => AutomationLevel::Low,
            SecurityIncident => AutomationLevel::Never,
            Other => AutomationLevel::Unknown,
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown intent name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown intent `{0}`")]
pub struct UnknownIntent(pub String);

impl FromStr for Intent {
    type Err = UnknownIntent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| UnknownIntent(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for i in Intent::ALL {
            assert_eq!(i.as_str().parse::<Intent>().unwrap(), i);
            assert_eq!(serde_json::to_value(i).unwrap(), i.as_str());
        }
        assert!("reset".parse::<Intent>().is_err());
    }
}
