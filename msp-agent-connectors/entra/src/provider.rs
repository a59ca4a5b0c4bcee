//! [`IdentityProvider`] over Microsoft Graph v1.0.

use async_trait::async_trait;
use futures::TryStreamExt;
use msp_agent_core::capability::{IdentityProvider, MailboxPermission, NewUser};
use msp_agent_core::domain::{
    AccountState, AuthMethod, AuthMethodKind, DirectoryUser, Group, GroupId, License, TenantId,
    UserId,
};
use msp_agent_core::tool::generate_password;
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{HttpError, Pagination, Request, paginate};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::client::{Directory, EntraIdentity, seg};
use crate::error::{graph_code, graph_error};
use crate::model::{
    CreatedTap, DirectoryRole, GROUP_SELECT, GraphAuthMethod, GraphGroup, GraphUser, SubscribedSku,
    USER_SELECT, delete_collection_of_kind, delete_collection_of_type, method_kind, odata_string,
};

/// Temporary Access Pass lifetimes Graph accepts (minutes).
const TAP_LIFETIME: std::ops::RangeInclusive<u32> = 10..=43_200;

impl Directory {
    async fn send<T: DeserializeOwned>(&self, req: Request) -> CapResult<T> {
        self.graph.send_json(&req).await.map_err(graph_error)
    }

    async fn send_raw(&self, req: Request) -> Result<(), HttpError> {
        self.graph.send(&req).await.map(|_| ())
    }

    async fn list<T: DeserializeOwned + Send + 'static>(&self, req: Request) -> CapResult<Vec<T>> {
        paginate(&self.graph, req, Pagination::odata())
            .try_collect()
            .await
            .map_err(graph_error)
    }

    /// One user with its account state, manager and active directory roles.
    async fn user(&self, id: &str) -> CapResult<DirectoryUser> {
        let u: GraphUser = self
            .send(
                Request::get(format!("/users/{}", seg(id)))
                    .query("$select", USER_SELECT)
                    .query("$expand", "manager($select=id)"),
            )
            .await?;
        // Casting transitiveMemberOf is an advanced query: ConsistencyLevel + $count.
        let roles: Vec<DirectoryRole> = self
            .list(
                Request::get(format!(
                    "/users/{}/transitiveMemberOf/microsoft.graph.directoryRole",
                    seg(&u.id)
                ))
                .query("$select", "id,displayName")
                .query("$count", "true")
                .header("ConsistencyLevel", "eventual"),
            )
            .await?;
        let names: Vec<String> = roles
            .into_iter()
            .map(|r| r.display_name.unwrap_or_else(|| "unnamed role".into()))
            .collect();
        Ok(DirectoryUser {
            id: UserId::new(u.id),
            tenant: self.tenant.clone(),
            upn: u.user_principal_name.unwrap_or_default(),
            display_name: u.display_name.unwrap_or_default(),
            mail: u.mail.unwrap_or_default(),
            state: AccountState {
                enabled: u.account_enabled.unwrap_or(true),
                // Graph does not expose cloud (smart) lockout state.
                locked: false,
                force_change_password: u
                    .password_profile
                    .and_then(|p| p.force_change_password_next_sign_in)
                    .unwrap_or(false),
                password_changed_at: u.last_password_change_date_time,
            },
            privileged: !names.is_empty(),
            privilege_reason: (!names.is_empty())
                .then(|| format!("holds directory roles: {}", names.join(", "))),
            manager: u.manager.map(|m| UserId::new(m.id)),
        })
    }

    /// The skuId of a skuPartNumber (or a skuId itself), from the cache or `/subscribedSkus`.
    async fn sku_id(&self, sku: &str) -> CapResult<String> {
        let key = sku.trim().to_ascii_uppercase();
        if let Some(id) = self.cached_sku(&key) {
            return Ok(id);
        }
        let skus = self.subscribed_skus().await?;
        skus.iter()
            .find(|s| {
                s.sku_part_number.eq_ignore_ascii_case(&key) || s.sku_id.eq_ignore_ascii_case(&key)
            })
            .map(|s| s.sku_id.clone())
            .ok_or_else(|| {
                CapabilityError::NotFound(format!(
                    "licence SKU `{sku}` is not subscribed in directory {}",
                    self.directory
                ))
            })
    }

    fn cached_sku(&self, key: &str) -> Option<String> {
        let cache = self.skus.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).cloned()
    }

    async fn subscribed_skus(&self) -> CapResult<Vec<SubscribedSku>> {
        let skus: Vec<SubscribedSku> = self.list(Request::get("/subscribedSkus")).await?;
        let mut cache = self.skus.lock().unwrap_or_else(|p| p.into_inner());
        cache.clear();
        cache.extend(
            skus.iter()
                .map(|s| (s.sku_part_number.to_ascii_uppercase(), s.sku_id.clone())),
        );
        Ok(skus)
    }

    async fn assign_license(&self, id: &UserId, add: Value, remove: Value) -> CapResult<()> {
        let body = json!({"addLicenses": add, "removeLicenses": remove});
        self.send_raw(
            Request::post(format!("/users/{}/assignLicense", seg(id.as_str())))
                .json(&body)
                .idempotent(true),
        )
        .await
        .map_err(graph_error)
    }
}

fn non_empty<'a>(what: &str, s: &'a str) -> CapResult<&'a str> {
    let s = s.trim();
    if s.is_empty() {
        return Err(CapabilityError::InvalidInput(format!(
            "{what} must not be empty"
        )));
    }
    Ok(s)
}

fn unsupported(what: &str, alternative: &str) -> CapabilityError {
    CapabilityError::Unsupported(format!("{what} has no Microsoft Graph API; {alternative}"))
}

/// `mailNickname` for a new user: the UPN's local part, characters Graph accepts.
fn mail_nickname(upn: &str) -> String {
    let local = upn.split('@').next().unwrap_or_default();
    let nick: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if nick.is_empty() { "user".into() } else { nick }
}

/// The same error with `context` in front of its message.
fn with_context(err: CapabilityError, context: &str) -> CapabilityError {
    use CapabilityError as E;
    let c = |m: String| format!("{context}: {m}");
    match err {
        E::NotFound(m) => E::NotFound(c(m)),
        E::Unauthorized(m) => E::Unauthorized(c(m)),
        E::Forbidden(m) => E::Forbidden(c(m)),
        E::InvalidInput(m) => E::InvalidInput(c(m)),
        E::Conflict(m) => E::Conflict(c(m)),
        E::Transient(m) => E::Transient(c(m)),
        E::Permanent(m) => E::Permanent(c(m)),
        E::Unsupported(m) => E::Unsupported(c(m)),
        other => other,
    }
}

#[async_trait]
impl IdentityProvider for EntraIdentity {
    async fn find_user(
        &self,
        tenant: &TenantId,
        upn_or_mail: &str,
    ) -> CapResult<Option<DirectoryUser>> {
        let dir = self.dir(tenant)?;
        let q = non_empty("UPN or mail", upn_or_mail)?;
        let lit = odata_string(q);
        let found: Vec<GraphUser> = dir
            .send::<Page<GraphUser>>(
                Request::get("/users")
                    .query(
                        "$filter",
                        format!("userPrincipalName eq {lit} or mail eq {lit}"),
                    )
                    .query("$select", "id,userPrincipalName,mail")
                    .query("$top", 2),
            )
            .await?
            .value;
        let id = match found.as_slice() {
            [] => return Ok(None),
            [one] => &one.id,
            many => match many.iter().find(|u| {
                u.user_principal_name
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case(q))
            }) {
                Some(u) => &u.id,
                None => {
                    return Err(CapabilityError::Conflict(format!(
                        "several users have the mail address `{q}`"
                    )));
                }
            },
        };
        dir.user(id).await.map(Some)
    }

    async fn get_user(&self, tenant: &TenantId, id: &UserId) -> CapResult<DirectoryUser> {
        let dir = self.dir(tenant)?;
        dir.user(non_empty("user id", id.as_str())?).await
    }

    async fn reset_password(
        &self,
        tenant: &TenantId,
        id: &UserId,
        password: &SecretString,
        force_change: bool,
    ) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        // The body is redacted (`passwordProfile`) in audit records; Graph errors about
        // the password never echo it.
        let body = json!({
            "passwordProfile": {
                "forceChangePasswordNextSignIn": force_change,
                "password": password.expose_secret(),
            }
        });
        dir.send_raw(Request::patch(format!("/users/{}", seg(id.as_str()))).json(&body))
            .await
            .map_err(graph_error)
    }

    async fn unlock_account(&self, tenant: &TenantId, _id: &UserId) -> CapResult<()> {
        self.dir(tenant)?;
        Err(unsupported(
            "unlocking an account",
            "Entra smart lockout clears itself after the lockout period (a password reset \
             also lets the user in); on-premises AD lockouts need Unlock-ADAccount on a domain \
             controller, e.g. through the RMM",
        ))
    }

    async fn set_sign_in_enabled(
        &self,
        tenant: &TenantId,
        id: &UserId,
        enabled: bool,
    ) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        dir.send_raw(
            Request::patch(format!("/users/{}", seg(id.as_str())))
                .json(&json!({"accountEnabled": enabled}))
                .idempotent(true),
        )
        .await
        .map_err(graph_error)
    }

    async fn revoke_sessions(&self, tenant: &TenantId, id: &UserId) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        dir.send_raw(
            Request::post(format!("/users/{}/revokeSignInSessions", seg(id.as_str())))
                .idempotent(true),
        )
        .await
        .map_err(graph_error)
    }

    async fn list_auth_methods(
        &self,
        tenant: &TenantId,
        id: &UserId,
    ) -> CapResult<Vec<AuthMethod>> {
        let dir = self.dir(tenant)?;
        let methods: Vec<GraphAuthMethod> = dir
            .list(Request::get(format!(
                "/users/{}/authentication/methods",
                seg(id.as_str())
            )))
            .await?;
        Ok(methods
            .into_iter()
            .map(|m| AuthMethod {
                kind: method_kind(&m.odata_type),
                id: m.id,
            })
            .collect())
    }

    async fn delete_auth_method(
        &self,
        tenant: &TenantId,
        id: &UserId,
        method: &AuthMethod,
    ) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        let password_err = || {
            CapabilityError::Unsupported(
                "the password method cannot be deleted; reset the password or disable sign-in \
                 instead"
                    .into(),
            )
        };
        let collection = match method.kind {
            AuthMethodKind::Password => return Err(password_err()),
            kind => match delete_collection_of_kind(kind) {
                Some(c) => c,
                None => {
                    // `Other` covers several Graph types: read this method's type.
                    let methods: Vec<GraphAuthMethod> = dir
                        .list(Request::get(format!(
                            "/users/{}/authentication/methods",
                            seg(id.as_str())
                        )))
                        .await?;
                    let m = methods.iter().find(|m| m.id == method.id).ok_or_else(|| {
                        CapabilityError::NotFound(format!(
                            "authentication method `{}` of user `{id}`",
                            method.id
                        ))
                    })?;
                    match delete_collection_of_type(&m.odata_type) {
                        Ok(c) => c,
                        Err(true) => return Err(password_err()),
                        Err(false) => {
                            return Err(CapabilityError::Unsupported(format!(
                                "deleting authentication methods of type `{}`",
                                m.odata_type
                            )));
                        }
                    }
                }
            },
        };
        dir.send_raw(Request::delete(format!(
            "/users/{}/authentication/{collection}/{}",
            seg(id.as_str()),
            seg(&method.id)
        )))
        .await
        .map_err(graph_error)
    }

    async fn create_temporary_access_pass(
        &self,
        tenant: &TenantId,
        id: &UserId,
        lifetime_minutes: u32,
    ) -> CapResult<SecretString> {
        let dir = self.dir(tenant)?;
        if !TAP_LIFETIME.contains(&lifetime_minutes) {
            return Err(CapabilityError::InvalidInput(format!(
                "Temporary Access Pass lifetime must be {} to {} minutes",
                TAP_LIFETIME.start(),
                TAP_LIFETIME.end()
            )));
        }
        let created: CreatedTap = dir
            .send(
                Request::post(format!(
                    "/users/{}/authentication/temporaryAccessPassMethods",
                    seg(id.as_str())
                ))
                .json(&json!({"lifetimeInMinutes": lifetime_minutes})),
            )
            .await?;
        created
            .temporary_access_pass
            .filter(|p| !p.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| {
                CapabilityError::Permanent("Graph returned no Temporary Access Pass".into())
            })
    }

    async fn list_licenses(&self, tenant: &TenantId) -> CapResult<Vec<License>> {
        let dir = self.dir(tenant)?;
        Ok(dir
            .subscribed_skus()
            .await?
            .iter()
            .map(License::from)
            .collect())
    }

    async fn assign_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        let sku_id = dir.sku_id(non_empty("licence SKU", sku)?).await?;
        dir.assign_license(
            id,
            json!([{"disabledPlans": [], "skuId": sku_id}]),
            json!([]),
        )
        .await
    }

    async fn remove_license(&self, tenant: &TenantId, id: &UserId, sku: &str) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        let sku_id = dir.sku_id(non_empty("licence SKU", sku)?).await?;
        dir.assign_license(id, json!([]), json!([sku_id])).await
    }

    async fn find_group(&self, tenant: &TenantId, name_or_mail: &str) -> CapResult<Option<Group>> {
        let dir = self.dir(tenant)?;
        let q = non_empty("group name or mail", name_or_mail)?;
        let lit = odata_string(q);
        let found: Vec<GraphGroup> = dir
            .send::<Page<GraphGroup>>(
                Request::get("/groups")
                    .query("$filter", format!("displayName eq {lit} or mail eq {lit}"))
                    .query("$select", GROUP_SELECT)
                    .query("$top", 2),
            )
            .await?
            .value;
        let mut found = found.into_iter();
        match (found.next(), found.next()) {
            (None, _) => Ok(None),
            (Some(g), None) => Ok(Some(g.into())),
            (Some(a), Some(b)) => {
                let by_mail =
                    |g: &GraphGroup| g.mail.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(q));
                match (by_mail(&a), by_mail(&b)) {
                    (true, false) => Ok(Some(a.into())),
                    (false, true) => Ok(Some(b.into())),
                    _ => Err(CapabilityError::Conflict(format!(
                        "several groups are named `{q}`; use the group's mail address"
                    ))),
                }
            }
        }
    }

    async fn list_user_groups(&self, tenant: &TenantId, id: &UserId) -> CapResult<Vec<Group>> {
        let dir = self.dir(tenant)?;
        // Plain memberOf (no OData cast): a cast needs the eventually consistent advanced
        // query index, which lags right after a membership change.
        let objects: Vec<GraphGroup> = dir
            .list(Request::get(format!(
                "/users/{}/memberOf",
                seg(id.as_str())
            )))
            .await?;
        let groups = objects
            .into_iter()
            .filter(|o| o.odata_type.as_deref() == Some("#microsoft.graph.group"));
        Ok(groups.map(Group::from).collect())
    }

    async fn add_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        let body = json!({"@odata.id": dir.object_url("directoryObjects", id.as_str())});
        let res = dir
            .send_raw(
                Request::post(format!("/groups/{}/members/$ref", seg(group.as_str())))
                    .json(&body)
                    .idempotent(true),
            )
            .await;
        match res {
            // Already a member (also what a retried add sees): the goal holds.
            Err(e @ HttpError::InvalidInput { .. })
                if graph_code(&e).is_some_and(|(_, m)| m.contains("already exist")) =>
            {
                Ok(())
            }
            other => other.map_err(graph_error),
        }
    }

    async fn remove_group_member(
        &self,
        tenant: &TenantId,
        group: &GroupId,
        id: &UserId,
    ) -> CapResult<()> {
        let dir = self.dir(tenant)?;
        dir.send_raw(Request::delete(format!(
            "/groups/{}/members/{}/$ref",
            seg(group.as_str()),
            seg(id.as_str())
        )))
        .await
        .map_err(graph_error)
    }

    async fn grant_mailbox_access(
        &self,
        tenant: &TenantId,
        _mailbox: &str,
        _id: &UserId,
        _permission: MailboxPermission,
    ) -> CapResult<()> {
        self.dir(tenant)?;
        Err(unsupported(
            "granting Exchange mailbox permissions",
            "use Exchange Online PowerShell: Add-MailboxPermission -AccessRights FullAccess \
             or Add-RecipientPermission -AccessRights SendAs",
        ))
    }

    async fn set_email_forwarding(
        &self,
        tenant: &TenantId,
        _id: &UserId,
        _to: Option<String>,
    ) -> CapResult<()> {
        self.dir(tenant)?;
        Err(unsupported(
            "mailbox forwarding",
            "use Exchange Online PowerShell: Set-Mailbox -ForwardingSmtpAddress \
             -DeliverToMailboxAndForward $true (or $null to stop)",
        ))
    }

    async fn create_user(&self, tenant: &TenantId, user: &NewUser) -> CapResult<DirectoryUser> {
        let dir = self.dir(tenant)?;
        let display_name = non_empty("display name", &user.display_name)?;
        let upn = non_empty("UPN", &user.upn)?;
        if !matches!(upn.split_once('@'), Some((l, d)) if !l.is_empty() && !d.is_empty()) {
            return Err(CapabilityError::InvalidInput(format!(
                "UPN `{upn}` must be an address (name@domain)"
            )));
        }
        // Disabled until onboarding activates it; the random initial password is never
        // returned and must be changed at first sign-in.
        let password = generate_password();
        let body = json!({
            "accountEnabled": false,
            "displayName": display_name,
            "mailNickname": mail_nickname(upn),
            "userPrincipalName": upn,
            "passwordProfile": {
                "forceChangePasswordNextSignIn": true,
                "password": password.expose_secret(),
            },
        });
        let created: GraphUser = dir.send(Request::post("/users").json(&body)).await?;
        if let Some(manager) = &user.manager {
            let body = json!({"@odata.id": dir.object_url("users", manager.as_str())});
            dir.send_raw(
                Request::put(format!("/users/{}/manager/$ref", seg(&created.id))).json(&body),
            )
            .await
            .map_err(|e| {
                with_context(
                    graph_error(e),
                    &format!(
                        "user {} was created but setting its manager failed",
                        created.id
                    ),
                )
            })?;
        }
        Ok(DirectoryUser {
            id: UserId::new(created.id),
            tenant: dir.tenant.clone(),
            upn: created
                .user_principal_name
                .unwrap_or_else(|| upn.to_string()),
            display_name: created
                .display_name
                .unwrap_or_else(|| display_name.to_string()),
            mail: created.mail.unwrap_or_default(),
            state: AccountState {
                enabled: created.account_enabled.unwrap_or(false),
                locked: false,
                force_change_password: true,
                password_changed_at: created.last_password_change_date_time,
            },
            privileged: false,
            privilege_reason: None,
            manager: user.manager.clone(),
        })
    }
}

/// One OData page (`value`), for single-page queries.
#[derive(serde::Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nickname_from_upn() {
        assert_eq!(mail_nickname("jane.o'brien@acme.com"), "jane.obrien");
        assert_eq!(mail_nickname("@acme.com"), "user");
    }
}
