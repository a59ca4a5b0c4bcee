//! Graph v1.0 resources (the properties read) and their mapping onto domain types.

use chrono::{DateTime, Utc};
use msp_agent_core::domain::{AuthMethodKind, Group, GroupId, License};
use serde::Deserialize;

/// `$select` of every user read: includes `accountEnabled`, `lastPasswordChangeDateTime`
/// and `passwordProfile` (whose `password` Graph always returns as null).
pub(crate) const USER_SELECT: &str = "id,userPrincipalName,displayName,mail,accountEnabled,lastPasswordChangeDateTime,passwordProfile";
/// `$select` of every group read.
pub(crate) const GROUP_SELECT: &str = "id,displayName,mail,isAssignableToRole";

/// <https://learn.microsoft.com/graph/api/resources/user>
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphUser {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default)]
    pub last_password_change_date_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub password_profile: Option<PasswordProfile>,
    #[serde(default)]
    pub manager: Option<ObjectRef>,
}

/// <https://learn.microsoft.com/graph/api/resources/passwordprofile> (password never read).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PasswordProfile {
    #[serde(default)]
    pub force_change_password_next_sign_in: Option<bool>,
}

/// Any directory object, by id.
#[derive(Debug, Deserialize)]
pub(crate) struct ObjectRef {
    pub id: String,
}

/// <https://learn.microsoft.com/graph/api/resources/directoryrole>
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DirectoryRole {
    #[serde(default)]
    pub display_name: Option<String>,
}

/// <https://learn.microsoft.com/graph/api/resources/group>
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphGroup {
    pub id: String,
    /// Set in directoryObject collections (`memberOf`), absent when listing `/groups`.
    #[serde(rename = "@odata.type", default)]
    pub odata_type: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub is_assignable_to_role: Option<bool>,
}

impl From<GraphGroup> for Group {
    fn from(g: GraphGroup) -> Self {
        Group {
            id: GroupId::new(g.id),
            name: g.display_name.unwrap_or_default(),
            mail: g.mail.filter(|m| !m.is_empty()),
            // Role-assignable groups grant directory roles: changing them is privileged.
            privileged: g.is_assignable_to_role.unwrap_or(false),
        }
    }
}

/// <https://learn.microsoft.com/graph/api/resources/subscribedsku>
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SubscribedSku {
    pub sku_id: String,
    pub sku_part_number: String,
    #[serde(default)]
    pub consumed_units: Option<u32>,
    #[serde(default)]
    pub prepaid_units: Option<PrepaidUnits>,
}

/// Seats of a SKU by state.
#[derive(Debug, Deserialize)]
pub(crate) struct PrepaidUnits {
    #[serde(default)]
    pub enabled: Option<u32>,
}

impl From<&SubscribedSku> for License {
    fn from(s: &SubscribedSku) -> Self {
        License {
            sku: s.sku_part_number.clone(),
            total: s
                .prepaid_units
                .as_ref()
                .and_then(|p| p.enabled)
                .unwrap_or(0),
            consumed: s.consumed_units.unwrap_or(0),
        }
    }
}

/// <https://learn.microsoft.com/graph/api/resources/authenticationmethod>
#[derive(Debug, Deserialize)]
pub(crate) struct GraphAuthMethod {
    pub id: String,
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
}

/// The Graph resource type of each authentication method, its domain kind and the
/// collection under `/users/{id}/authentication/` that deletes it (`None`: no delete).
/// <https://learn.microsoft.com/graph/api/resources/authenticationmethods-overview>
const METHOD_TYPES: &[(&str, AuthMethodKind, Option<&str>)] = &[
    (
        "passwordAuthenticationMethod",
        AuthMethodKind::Password,
        None,
    ),
    (
        "microsoftAuthenticatorAuthenticationMethod",
        AuthMethodKind::Authenticator,
        Some("microsoftAuthenticatorMethods"),
    ),
    (
        "phoneAuthenticationMethod",
        AuthMethodKind::Phone,
        Some("phoneMethods"),
    ),
    (
        "fido2AuthenticationMethod",
        AuthMethodKind::Fido2,
        Some("fido2Methods"),
    ),
    (
        "temporaryAccessPassAuthenticationMethod",
        AuthMethodKind::TemporaryAccessPass,
        Some("temporaryAccessPassMethods"),
    ),
    (
        "emailAuthenticationMethod",
        AuthMethodKind::Other,
        Some("emailMethods"),
    ),
    (
        "softwareOathAuthenticationMethod",
        AuthMethodKind::Other,
        Some("softwareOathMethods"),
    ),
    (
        "windowsHelloForBusinessAuthenticationMethod",
        AuthMethodKind::Other,
        Some("windowsHelloForBusinessMethods"),
    ),
    (
        "platformCredentialAuthenticationMethod",
        AuthMethodKind::Other,
        Some("platformCredentialMethods"),
    ),
];

fn method_entry(
    odata_type: &str,
) -> Option<&'static (&'static str, AuthMethodKind, Option<&'static str>)> {
    let name = odata_type.trim_start_matches("#microsoft.graph.");
    METHOD_TYPES.iter().find(|(t, _, _)| *t == name)
}

/// The domain kind of a Graph `@odata.type`.
pub(crate) fn method_kind(odata_type: &str) -> AuthMethodKind {
    method_entry(odata_type).map_or(AuthMethodKind::Other, |e| e.1)
}

/// The delete collection of a Graph `@odata.type`: `Err(true)` for the password (cannot be
/// deleted), `Err(false)` for an unknown type.
pub(crate) fn delete_collection_of_type(odata_type: &str) -> Result<&'static str, bool> {
    match method_entry(odata_type) {
        Some((_, AuthMethodKind::Password, _)) => Err(true),
        Some((_, _, Some(c))) => Ok(c),
        _ => Err(false),
    }
}

/// The delete collection of a domain kind, when the kind names one Graph type.
pub(crate) fn delete_collection_of_kind(kind: AuthMethodKind) -> Option<&'static str> {
    match kind {
        AuthMethodKind::Password | AuthMethodKind::Other => None,
        _ => METHOD_TYPES
            .iter()
            .find(|(_, k, _)| *k == kind)
            .and_then(|e| e.2),
    }
}

/// Response of `POST …/temporaryAccessPassMethods`. No `Debug`: it holds the pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedTap {
    #[serde(default)]
    pub temporary_access_pass: Option<String>,
}

/// OData string literal: single quotes doubled
/// (<https://learn.microsoft.com/graph/query-parameters#escaping-single-quotes>).
pub(crate) fn odata_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_delete_paths() {
        assert_eq!(
            method_kind("#microsoft.graph.fido2AuthenticationMethod"),
            AuthMethodKind::Fido2
        );
        assert_eq!(
            method_kind("#microsoft.graph.somethingNew"),
            AuthMethodKind::Other
        );
        assert_eq!(
            delete_collection_of_type("#microsoft.graph.passwordAuthenticationMethod"),
            Err(true)
        );
        assert_eq!(
            delete_collection_of_type("#microsoft.graph.emailAuthenticationMethod"),
            Ok("emailMethods")
        );
        assert_eq!(delete_collection_of_type("#microsoft.graph.x"), Err(false));
        assert_eq!(
            delete_collection_of_kind(AuthMethodKind::Phone),
            Some("phoneMethods")
        );
        assert_eq!(delete_collection_of_kind(AuthMethodKind::Other), None);
    }

    #[test]
    fn quotes_odata_strings() {
        assert_eq!(odata_string("o'brien@x.com"), "'o''brien@x.com'");
    }
}
