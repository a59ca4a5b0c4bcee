use async_trait::async_trait;
use schemars::JsonSchema;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::domain::{AuthMethod, DirectoryUser, Group, GroupId, License, TenantId, UserId};
use crate::error::CapResult;

/// Level of access to a shared mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailboxPermission {
    /// Read and manage (full access).
    FullAccess,
    /// Send as the mailbox.
    SendAs,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Display name.
    pub display_name: String,
    /// User principal name.
    pub upn: String,
    /// Manager, if known.
    #[serde(default)]
    pub manager: Option<UserId>,
}

/// A directory: users, credentials, groups, licences, mailboxes.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Find a user by UPN or mail address.
    async fn find_user(
        &self,
        tenant: &TenantId,
        upn_or_mail: &str,
    ) -> CapResult<Option<DirectoryUser>>;
    /// One user, with current account state.
    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> CapResult<DirectoryUser>;
    /// Set a new password; with `force_change` the user must change it at next sign-in.
    async fn reset_password(
        &self,
        tenant: &TenantId,
        id: &UserId,
        password: &SecretString,
        force_change: bool,
    ) -> CapResult<()>;
    /// Clear a lockout.
    async fn unlock_account(&self, tenant: &TenantId, id: &UserId) -> CapResult<()>;
    /// Enable or disable sign-in.
    async fn set_sign_in_enabled(
        &self,
        tenant: &TenantId,
        id: &UserId,
        enabled: bool,
    ) -> CapResult<()>;
    /// Revoke every sign-in session and refresh token.
    async fn revoke_sessions(&self, tenant: &TenantId, id: &UserId) -> CapResult<()>;
    /// Registered authentication methods.
    async fn list_auth_methods(&self, tenant: &TenantId, id: &UserId)
    -> CapResult<Vec<AuthMethod>>;
    /// Delete one authentication method.
    async fn delete_auth_method(
        &self,
        tenant: &TenantId,
        id: &UserId,
        method: &AuthMethod,
    ) -> CapResult<()>;
    /// Create a Temporary Access Pass valid for `lifetime_minutes`.
    async fn create_temporary_access_pass(
        &self,
        tenant: &TenantId,
        id: &UserId,
        lifetime_minutes: u32,
    ) -> CapResult<SecretString>;
    /// Licence SKUs with their seats.
    async fn list_licenses(&self, tenant: &TenantId) -> CapResult<Vec<License>>;
    /// Assign a licence SKU.
    async fn assign_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()>;
    /// Remove a licence SKU.
    async fn remove_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()>;
    /// Find a group or distribution list by name or mail address.
    async fn find_group(&self, tenant: &TenantId, name_or_mail: &str) -> CapResult<Option<Group>>;
    /// Groups a user belongs to.
    async fn list_user_groups(&self, tenant: &TenantId, id: &UserId) -> CapResult<Vec<Group>>;
    /// Add a user to a group.
    async fn add_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()>;
    /// Remove a user from a group.
    async fn remove_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()>;
    /// Grant a user access to a shared mailbox.
    async fn grant_mailbox_access(
        &self,
        tenant: &TenantId,
        mailbox: &str,
        id: &UserId,
        permission: MailboxPermission,
    ) -> CapResult<()>;
    /// Forward a user's mail to an address, or stop forwarding with `None`.
    async fn set_email_forwarding(
        &self,
        tenant: &TenantId,
        id: &UserId,
        to: Option<String>,
    ) -> CapResult<()>;
    /// Create a user (disabled until activated by the onboarding flow).
    async fn create_user(&self, tenant: &TenantId, user: &NewUser) -> CapResult<DirectoryUser>;
}
