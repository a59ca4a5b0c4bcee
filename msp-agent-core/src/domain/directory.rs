//! Directory (identity provider) and device types.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ids::{DeviceId, GroupId, TenantId, UserId};

/// A user in the client's directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DirectoryUser {
    /// Directory id.
    pub id: UserId,
    /// The client.
    pub tenant: TenantId,
    /// User principal name (sign-in name).
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// Primary mail address.
    pub mail: String,
    /// Account state.
    pub state: AccountState,
    /// Holds an admin role, is break-glass, a service account or a flagged VIP.
    pub privileged: bool,
    /// Why it is privileged, when it is.
    pub privilege_reason: Option<String>,
    /// The user's manager, if known.
    pub manager: Option<UserId>,
}

/// Sign-in state of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccountState {
    /// Sign-in allowed.
    pub enabled: bool,
    /// Locked out (e.g. too many failed sign-ins).
    pub locked: bool,
    /// Must change the password at next sign-in.
    pub force_change_password: bool,
    /// Last password change.
    pub password_changed_at: Option<DateTime<Utc>>,
}

/// Kind of an authentication method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethodKind {
    /// Password.
    Password,
    /// Authenticator app.
    Authenticator,
    /// Phone (SMS / voice).
    Phone,
    /// FIDO2 key.
    Fido2,
    /// Temporary Access Pass.
    TemporaryAccessPass,
    /// Anything else.
    Other,
}

/// A registered authentication method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AuthMethod {
    /// Provider id of the method.
    pub id: String,
    /// Kind.
    pub kind: AuthMethodKind,
}

/// A licence SKU and its seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct License {
    /// SKU part number (e.g. `ENTERPRISEPACK`).
    pub sku: String,
    /// Seats bought.
    pub total: u32,
    /// Seats assigned.
    pub consumed: u32,
}

/// A directory group (security group or distribution list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Group {
    /// Directory id.
    pub id: GroupId,
    /// Display name.
    pub name: String,
    /// Mail address for distribution lists.
    pub mail: Option<String>,
    /// Grants admin rights or guards sensitive data: changing its members is privileged.
    pub privileged: bool,
}

/// A managed device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Device {
    /// RMM id.
    pub id: DeviceId,
    /// The client.
    pub tenant: TenantId,
    /// Host name.
    pub name: String,
    /// Primary user, if assigned.
    pub user: Option<UserId>,
    /// Operating system.
    pub os: String,
    /// Online now.
    pub online: bool,
}

/// Health of a device at a point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeviceStatus {
    /// The device.
    pub device: DeviceId,
    /// Online now.
    pub online: bool,
    /// CPU use in percent.
    pub cpu_percent: f32,
    /// Memory use in percent.
    pub memory_percent: f32,
    /// Free disk in GiB.
    pub disk_free_gb: f32,
    /// Patches pending.
    pub pending_patches: u32,
    /// Last seen by the RMM.
    pub last_seen: DateTime<Utc>,
}

/// An RMM alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Alert {
    /// The device.
    pub device: DeviceId,
    /// Severity text as the RMM gives it.
    pub severity: String,
    /// Message.
    pub message: String,
    /// When raised.
    pub at: DateTime<Utc>,
}

/// Result of a script run on a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScriptResult {
    /// Exit code.
    pub exit_code: i32,
    /// Output (trimmed by the RMM).
    pub output: String,
}

/// A document or SOP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Id.
    pub id: super::ids::DocumentId,
    /// The client.
    pub tenant: TenantId,
    /// Title.
    pub title: String,
    /// Body text.
    pub body: String,
    /// Tags (e.g. `sop`, `vpn`, `onboarding`).
    pub tags: Vec<String>,
}
