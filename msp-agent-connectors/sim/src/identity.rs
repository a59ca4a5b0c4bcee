//! The directory: users, credentials, groups, licences, shared mailboxes, forwarding.
//!
//! Calls are recorded in the shape of Microsoft Graph requests against `sim://identity/…`,
//! with every secret replaced by [`REDACTED`].

use async_trait::async_trait;
use chrono::{Duration, Utc};
use msp_agent_core::audit::REDACTED;
use msp_agent_core::capability::{IdentityProvider, MailboxPermission, NewUser};
use msp_agent_core::domain::{
    AccountState, AuthMethod, AuthMethodKind, DirectoryUser, Group, GroupId, License, TenantId,
    UserId,
};
use msp_agent_core::secrecy::{ExposeSecret, SecretString};
use msp_agent_core::{CapResult, CapabilityError};
use rand::Rng;
use serde_json::{Value, json};

use crate::SimMsp;
use crate::seed::PASSWORD_METHOD_ID;
use crate::state::{MailboxRecord, SaltedHash, TenantState, UserRecord, addr_key, call, not_found};

fn url(tenant: &TenantId, rest: &str) -> String {
    format!("sim://identity/{tenant}/{rest}")
}

/// Minimum length of a password the directory accepts.
pub(crate) const MIN_PASSWORD_LEN: usize = 8;

/// At least [`MIN_PASSWORD_LEN`] characters from at least three of upper, lower, digit, symbol.
fn meets_complexity(pw: &str) -> bool {
    let classes = [
        pw.chars().any(|c| c.is_uppercase()),
        pw.chars().any(|c| c.is_lowercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_alphanumeric()),
    ];
    pw.chars().count() >= MIN_PASSWORD_LEN && classes.iter().filter(|&&c| c).count() >= 3
}

/// A fresh Temporary Access Pass: 12 characters, no look-alike characters.
fn generate_tap() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+=@";
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn mailbox_right(p: MailboxPermission) -> &'static str {
    match p {
        MailboxPermission::FullAccess => "FullAccess",
        MailboxPermission::SendAs => "SendAs",
    }
}

fn method_path(kind: AuthMethodKind) -> &'static str {
    match kind {
        AuthMethodKind::Password => "passwordMethods",
        AuthMethodKind::Authenticator => "microsoftAuthenticatorMethods",
        AuthMethodKind::Phone => "phoneMethods",
        AuthMethodKind::Fido2 => "fido2Methods",
        AuthMethodKind::TemporaryAccessPass => "temporaryAccessPassMethods",
        AuthMethodKind::Other => "methods",
    }
}

impl TenantState {
    /// A licence pool, or `NotFound`.
    fn license_mut(&mut self, sku: &str) -> CapResult<&mut License> {
        self.licenses
            .get_mut(sku)
            .ok_or_else(|| not_found("licence SKU", sku))
    }
}

#[async_trait]
impl IdentityProvider for SimMsp {
    async fn find_user(
        &self,
        tenant: &TenantId,
        upn_or_mail: &str,
    ) -> CapResult<Option<DirectoryUser>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("users?filter=mail eq '{upn_or_mail}'")),
                Value::Null,
            );
            Ok(t.user_by_addr(upn_or_mail).map(|r| r.user.clone()))
        })
    }

    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> CapResult<DirectoryUser> {
        self.with(tenant, |t| {
            call("GET", url(tenant, &format!("users/{id}")), Value::Null);
            Ok(t.user(id)?.user.clone())
        })
    }

    async fn reset_password(
        &self,
        tenant: &TenantId,
        id: &UserId,
        password: &SecretString,
        force_change: bool,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "PATCH",
                url(tenant, &format!("users/{id}")),
                json!({ "passwordProfile": { "password": REDACTED, "forceChangePasswordNextSignIn": force_change } }),
            );
            let rec = t.user_mut(id)?;
            let pw = password.expose_secret();
            if !meets_complexity(pw) {
                return Err(CapabilityError::InvalidInput(format!(
                    "the password does not meet the complexity requirements ({MIN_PASSWORD_LEN}+ \
                     characters, three of upper case, lower case, digit, symbol)"
                )));
            }
            rec.password = Some(SaltedHash::new(pw));
            rec.user.state.force_change_password = force_change;
            rec.user.state.password_changed_at = Some(Utc::now());
            rec.password_resets += 1;
            Ok(())
        })
    }

    async fn unlock_account(&self, tenant: &TenantId, id: &UserId) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("users/{id}/unlock")),
                Value::Null,
            );
            t.user_mut(id)?.user.state.locked = false;
            Ok(())
        })
    }

    async fn set_sign_in_enabled(
        &self,
        tenant: &TenantId,
        id: &UserId,
        enabled: bool,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "PATCH",
                url(tenant, &format!("users/{id}")),
                json!({ "accountEnabled": enabled }),
            );
            t.user_mut(id)?.user.state.enabled = enabled;
            Ok(())
        })
    }

    async fn revoke_sessions(&self, tenant: &TenantId, id: &UserId) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("users/{id}/revokeSignInSessions")),
                Value::Null,
            );
            let rec = t.user_mut(id)?;
            rec.sessions_revoked += 1;
            rec.sessions_revoked_at = Some(Utc::now());
            Ok(())
        })
    }

    async fn list_auth_methods(
        &self,
        tenant: &TenantId,
        id: &UserId,
    ) -> CapResult<Vec<AuthMethod>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("users/{id}/authentication/methods")),
                Value::Null,
            );
            Ok(t.user(id)?.methods.clone())
        })
    }

    async fn delete_auth_method(
        &self,
        tenant: &TenantId,
        id: &UserId,
        method: &AuthMethod,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "DELETE",
                url(
                    tenant,
                    &format!(
                        "users/{id}/authentication/{}/{}",
                        method_path(method.kind),
                        method.id
                    ),
                ),
                Value::Null,
            );
            let rec = t.user_mut(id)?;
            let Some(pos) = rec.methods.iter().position(|m| m.id == method.id) else {
                return Err(not_found("authentication method", &method.id));
            };
            match rec.methods[pos].kind {
                AuthMethodKind::Password => {
                    return Err(CapabilityError::Conflict(
                        "the password method cannot be deleted".into(),
                    ));
                }
                AuthMethodKind::TemporaryAccessPass => {
                    rec.tap = None;
                    rec.tap_expires = None;
                }
                _ => {}
            }
            rec.methods.remove(pos);
            Ok(())
        })
    }

    async fn create_temporary_access_pass(
        &self,
        tenant: &TenantId,
        id: &UserId,
        lifetime_minutes: u32,
    ) -> CapResult<SecretString> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(
                    tenant,
                    &format!("users/{id}/authentication/temporaryAccessPassMethods"),
                ),
                json!({ "lifetimeInMinutes": lifetime_minutes, "isUsableOnce": false }),
            );
            let n = t.fresh();
            let rec = t.user_mut(id)?;
            if !(10..=43_200).contains(&lifetime_minutes) {
                return Err(CapabilityError::InvalidInput(format!(
                    "lifetimeInMinutes {lifetime_minutes} is outside 10..=43200"
                )));
            }
            // One pass per user: a new one replaces the old.
            rec.methods
                .retain(|m| m.kind != AuthMethodKind::TemporaryAccessPass);
            let tap = generate_tap();
            rec.tap = Some(SaltedHash::new(&tap));
            rec.tap_expires = Some(Utc::now() + Duration::minutes(i64::from(lifetime_minutes)));
            rec.methods.push(AuthMethod {
                id: format!("tap-{id}-{n}"),
                kind: AuthMethodKind::TemporaryAccessPass,
            });
            Ok(SecretString::from(tap))
        })
    }

    async fn list_licenses(&self, tenant: &TenantId) -> CapResult<Vec<License>> {
        self.with(tenant, |t| {
            call("GET", url(tenant, "subscribedSkus"), Value::Null);
            Ok(t.licenses.values().cloned().collect())
        })
    }

    async fn assign_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("users/{id}/assignLicense")),
                json!({ "addLicenses": [{ "skuId": sku }], "removeLicenses": [] }),
            );
            if t.user(id)?.licenses.contains(sku) {
                t.license_mut(sku)?;
                return Ok(());
            }
            let pool = t.license_mut(sku)?;
            if pool.consumed >= pool.total {
                return Err(CapabilityError::Conflict(format!(
                    "no free `{sku}` seat ({} of {} assigned)",
                    pool.consumed, pool.total
                )));
            }
            pool.consumed += 1;
            t.user_mut(id)?.licenses.insert(sku.to_owned());
            Ok(())
        })
    }

    async fn remove_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("users/{id}/assignLicense")),
                json!({ "addLicenses": [], "removeLicenses": [sku] }),
            );
            t.user(id)?;
            t.license_mut(sku)?;
            if t.user_mut(id)?.licenses.remove(sku) {
                let pool = t.license_mut(sku)?;
                pool.consumed = pool.consumed.saturating_sub(1);
            }
            Ok(())
        })
    }

    async fn find_group(&self, tenant: &TenantId, name_or_mail: &str) -> CapResult<Option<Group>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(
                    tenant,
                    &format!("groups?filter=displayName eq '{name_or_mail}'"),
                ),
                Value::Null,
            );
            let key = name_or_mail.trim();
            Ok(t.groups
                .values()
                .find(|g| {
                    g.group.name.eq_ignore_ascii_case(key)
                        || g.group
                            .mail
                            .as_deref()
                            .is_some_and(|m| m.eq_ignore_ascii_case(key))
                })
                .map(|g| g.group.clone()))
        })
    }

    async fn list_user_groups(&self, tenant: &TenantId, id: &UserId) -> CapResult<Vec<Group>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("users/{id}/memberOf")),
                Value::Null,
            );
            t.user(id)?;
            Ok(t.groups
                .values()
                .filter(|g| g.members.contains(id))
                .map(|g| g.group.clone())
                .collect())
        })
    }

    async fn add_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("groups/{group}/members/$ref")),
                json!({ "@odata.id": url(tenant, &format!("users/{id}")) }),
            );
            t.user(id)?;
            let g = t
                .groups
                .get_mut(group)
                .ok_or_else(|| not_found("group", group.as_str()))?;
            g.members.insert(id.clone());
            Ok(())
        })
    }

    async fn remove_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "DELETE",
                url(tenant, &format!("groups/{group}/members/{id}/$ref")),
                Value::Null,
            );
            t.user(id)?;
            let g = t
                .groups
                .get_mut(group)
                .ok_or_else(|| not_found("group", group.as_str()))?;
            g.members.remove(id);
            Ok(())
        })
    }

    async fn grant_mailbox_access(
        &self,
        tenant: &TenantId,
        mailbox: &str,
        id: &UserId,
        permission: MailboxPermission,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("mailboxes/{mailbox}/permissions")),
                json!({ "user": id, "accessRights": mailbox_right(permission), "autoMapping": true }),
            );
            t.user(id)?;
            let key = addr_key(mailbox);
            if !t.mailboxes.contains_key(&key) {
                // A user's own mailbox (e.g. a leaver's, handed to the manager).
                let owner = t.user_by_addr(mailbox).map(|u| MailboxRecord {
                    address: u.user.mail.clone(),
                    display_name: u.user.display_name.clone(),
                    permissions: Vec::new(),
                });
                if let Some(record) = owner {
                    t.mailboxes.insert(key.clone(), record);
                }
            }
            let mb = t.mailboxes.get_mut(&key).ok_or_else(|| not_found("mailbox", mailbox))?;
            if !mb.permissions.iter().any(|(u, p)| u == id && *p == permission) {
                mb.permissions.push((id.clone(), permission));
            }
            Ok(())
        })
    }

    async fn set_email_forwarding(
        &self,
        tenant: &TenantId,
        id: &UserId,
        to: Option<String>,
    ) -> CapResult<()> {
        self.with(tenant, |t| {
            call(
                "PATCH",
                url(tenant, &format!("users/{id}/mailboxSettings")),
                json!({ "forwardingSmtpAddress": to, "deliverToMailboxAndForward": to.is_some() }),
            );
            t.user(id)?;
            if let Some(addr) = &to {
                let Some((local, domain)) = addr.trim().split_once('@') else {
                    return Err(CapabilityError::InvalidInput(format!("`{addr}` is not an e-mail address")));
                };
                if local.is_empty() || !domain.contains('.') || addr.trim().contains(char::is_whitespace) {
                    return Err(CapabilityError::InvalidInput(format!("`{addr}` is not an e-mail address")));
                }
                if !domain.eq_ignore_ascii_case(&t.domain) && !t.allow_external_forwarding {
                    return Err(CapabilityError::Forbidden(format!(
                        "forwarding to external domain `{domain}` is blocked by the outbound spam policy"
                    )));
                }
            }
            t.user_mut(id)?.forwarding = to.map(|a| a.trim().to_owned());
            Ok(())
        })
    }

    async fn create_user(&self, tenant: &TenantId, user: &NewUser) -> CapResult<DirectoryUser> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, "users"),
                json!({
                    "displayName": user.display_name,
                    "userPrincipalName": user.upn,
                    "mail": user.upn,
                    "accountEnabled": false,
                    "manager": user.manager,
                    "passwordProfile": { "password": REDACTED, "forceChangePasswordNextSignIn": true },
                }),
            );
            let upn = user.upn.trim();
            if user.display_name.trim().is_empty() {
                return Err(CapabilityError::InvalidInput("display name must not be empty".into()));
            }
            match upn.split_once('@') {
                Some((local, domain)) if !local.is_empty() && domain.eq_ignore_ascii_case(&t.domain) => {}
                _ => {
                    return Err(CapabilityError::InvalidInput(format!(
                        "UPN `{upn}` must be an address in the client's domain `{}`",
                        t.domain
                    )));
                }
            }
            if t.user_by_addr(upn).is_some() {
                return Err(CapabilityError::Conflict(format!("a user with UPN or alias `{upn}` already exists")));
            }
            if let Some(m) = &user.manager {
                t.user(m)?;
            }
            let n = t.fresh();
            let id = UserId::new(format!("u-{}-{n:03}", t.id));
            let upn = upn.to_ascii_lowercase();
            let directory_user = DirectoryUser {
                id: id.clone(),
                tenant: t.id.clone(),
                upn: upn.clone(),
                display_name: user.display_name.trim().to_owned(),
                mail: upn,
                state: AccountState {
                    enabled: false,
                    locked: false,
                    force_change_password: true,
                    password_changed_at: Some(Utc::now()),
                },
                privileged: false,
                privilege_reason: None,
                manager: user.manager.clone(),
            };
            t.insert_user(UserRecord {
                user: directory_user.clone(),
                title: String::new(),
                mobile: None,
                aliases: Vec::new(),
                // A random initial password nobody knows; the onboarding flow issues a TAP.
                password: Some(SaltedHash::new(&generate_tap())),
                tap: None,
                tap_expires: None,
                sessions_revoked: 0,
                password_resets: 0,
                sessions_revoked_at: None,
                methods: vec![AuthMethod { id: PASSWORD_METHOD_ID.to_owned(), kind: AuthMethodKind::Password }],
                licenses: Default::default(),
                forwarding: None,
            });
            Ok(directory_user)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity() {
        assert!(meets_complexity("Tr0ub4dor&3"));
        assert!(meets_complexity("correct-Horse-battery"));
        assert!(!meets_complexity("password"));
        assert!(!meets_complexity("Sh0rt!"));
        assert_eq!(generate_tap().len(), 12);
    }
}
