//! Microsoft Entra ID (Microsoft Graph v1.0) identity provider connector for msp-agent.
//!
//! [`EntraIdentity`] implements [`IdentityProvider`] the way MSPs run Entra: **one
//! multi-tenant app registration** (client id + secret) that is consented in every customer
//! directory, an OAuth2 client-credentials token **per customer directory** (fetched from
//! `https://login.microsoftonline.com/{directory}/oauth2/v2.0/token` with scope
//! `https://graph.microsoft.com/.default` and cached per directory), and a mapping from
//! the msp-agent [`TenantId`] of each client to its directory (tenant GUID or a verified
//! domain). A [`TenantId`] without a mapping fails with [`CapabilityError::WrongTenant`]
//! before anything is sent.
//!
//! Each directory gets its own [`HttpClient`] (Graph throttles per app *and* tenant, so
//! the client-side [`RateLimit`] is per directory too) with retries of idempotent requests
//! on 429 + `Retry-After` and 5xx, and OData paging through `@odata.nextLink`. Graph error
//! bodies (`{"error":{"code":…,"message":…}}`) become typed [`CapabilityError`]s with the
//! Graph code in the message (`Request_ResourceNotFound` → [`CapabilityError::NotFound`]).
//!
//! ```no_run
//! use msp_agent_core::capability::IdentityProvider;
//! use msp_agent_core::domain::TenantId;
//! use msp_agent_entra::EntraIdentity;
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let entra = EntraIdentity::builder("00000000-app-id", SecretString::from("secret".to_string()))
//!     .tenant(TenantId::new("acme"), "acme.onmicrosoft.com")
//!     .tenant(TenantId::new("globex"), "72f988bf-86f1-41af-91ab-2d7cd011db47")
//!     .build()?;
//! let user = entra.find_user(&TenantId::new("acme"), "jane@acme.com").await?;
//! # let _ = user;
//! # Ok(())
//! # }
//! ```
//!
//! # Calls and the application permissions they need
//!
//! | Method | Graph call | Application permission (least privileged) |
//! |---|---|---|
//! | `find_user` | `GET /users?$filter=userPrincipalName eq '…' or mail eq '…'`, then as `get_user` | `User.Read.All` |
//! | `get_user` | `GET /users/{id}?$select=…&$expand=manager($select=id)` and `GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole` (OData cast: advanced query with `ConsistencyLevel: eventual` and `$count=true`) | `User.Read.All` + `RoleManagement.Read.Directory` (or `Directory.Read.All`) |
//! | `reset_password` | `PATCH /users/{id}` `passwordProfile` | `User-PasswordProfile.ReadWrite.All` (or `User.ReadWrite.All`) **and** the app's service principal holding the *User Administrator* role (*Privileged Authentication Administrator* for admins) |
//! | `set_sign_in_enabled` | `PATCH /users/{id}` `accountEnabled` | `User.EnableDisableAccount.All` + `User.Read.All` |
//! | `revoke_sessions` | `POST /users/{id}/revokeSignInSessions` | `User.RevokeSessions.All` |
//! | `list_auth_methods` | `GET /users/{id}/authentication/methods` | `UserAuthenticationMethod.Read.All` |
//! | `delete_auth_method` | `DELETE /users/{id}/authentication/{type}Methods/{methodId}` | `UserAuthenticationMethod.ReadWrite.All` |
//! | `create_temporary_access_pass` | `POST /users/{id}/authentication/temporaryAccessPassMethods` | `UserAuthenticationMethod.ReadWrite.All` |
//! | `list_licenses` | `GET /subscribedSkus` | `LicenseAssignment.Read.All` (or `Organization.Read.All`) |
//! | `assign_license`, `remove_license` | `POST /users/{id}/assignLicense` | `LicenseAssignment.ReadWrite.All` |
//! | `find_group`, `list_user_groups` | `GET /groups?$filter=…`, `GET /users/{id}/memberOf` (groups kept) | `GroupMember.Read.All` (or `Group.Read.All`) |
//! | `add_group_member`, `remove_group_member` | `POST /groups/{id}/members/$ref`, `DELETE /groups/{gid}/members/{uid}/$ref` | `GroupMember.ReadWrite.All` (+ `RoleManagement.ReadWrite.Directory` for role-assignable groups) |
//! | `create_user` | `POST /users`, `PUT /users/{id}/manager/$ref` | `User.ReadWrite.All` |
//!
//! # Deliberate limits
//!
//! - **Lockout**: Graph exposes no cloud lockout state (Entra smart lockout expires on its
//!   own), so [`AccountState::locked`] is always `false` and `unlock_account` is
//!   [`CapabilityError::Unsupported`]: on-premises AD lockouts need `Unlock-ADAccount` on a
//!   domain controller (e.g. through the RMM).
//! - **Mailboxes**: mailbox permissions and forwarding are Exchange Online settings with no
//!   Graph v1.0 API; they are [`CapabilityError::Unsupported`], naming the Exchange Online
//!   PowerShell cmdlets to use instead.
//! - **Privilege**: a user is privileged when it holds an *active* directory role, directly
//!   or through a role-assignable group; PIM-eligible (not activated) roles are not seen.
//! - **Groups**: `list_user_groups` reads direct `memberOf` without an OData cast (a cast
//!   needs the eventually consistent advanced-query index, which lags right after a change)
//!   and keeps the groups; adding an existing member succeeds.
//! - **`create_user`**: the account is created disabled (`accountEnabled: false`) with a
//!   random password that is never returned, logged or recorded and must be changed at first
//!   sign-in; onboarding enables it and hands out credentials (password reset or TAP).
//!
//! # Microsoft documentation followed
//!
//! - Client credentials: <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>
//! - Users: <https://learn.microsoft.com/graph/api/user-list>, <https://learn.microsoft.com/graph/api/user-get>,
//!   <https://learn.microsoft.com/graph/api/user-update>, <https://learn.microsoft.com/graph/api/user-post-users>,
//!   <https://learn.microsoft.com/graph/api/user-revokesigninsessions>,
//!   <https://learn.microsoft.com/graph/api/user-post-manager>
//! - Roles: <https://learn.microsoft.com/graph/api/user-list-transitivememberof>
//! - Authentication methods: <https://learn.microsoft.com/graph/api/authentication-list-methods>,
//!   <https://learn.microsoft.com/graph/api/resources/authenticationmethods-overview>,
//!   <https://learn.microsoft.com/graph/api/authentication-post-temporaryaccesspassmethods>
//! - Licences: <https://learn.microsoft.com/graph/api/subscribedsku-list>,
//!   <https://learn.microsoft.com/graph/api/user-assignlicense>
//! - Groups: <https://learn.microsoft.com/graph/api/group-list>, <https://learn.microsoft.com/graph/api/user-list-memberof>,
//!   <https://learn.microsoft.com/graph/api/group-post-members>, <https://learn.microsoft.com/graph/api/group-delete-members>
//! - Query parameters and quoting: <https://learn.microsoft.com/graph/query-parameters>, <https://learn.microsoft.com/graph/filter-query-parameter>
//! - Paging: <https://learn.microsoft.com/graph/paging>; throttling: <https://learn.microsoft.com/graph/throttling>;
//!   errors: <https://learn.microsoft.com/graph/errors>
//!
//! [`AccountState::locked`]: msp_agent_core::domain::AccountState::locked
//! [`IdentityProvider`]: msp_agent_core::capability::IdentityProvider
//! [`TenantId`]: msp_agent_core::domain::TenantId
//! [`CapabilityError`]: msp_agent_core::CapabilityError
//! [`CapabilityError::WrongTenant`]: msp_agent_core::CapabilityError::WrongTenant
//! [`CapabilityError::NotFound`]: msp_agent_core::CapabilityError::NotFound
//! [`CapabilityError::Unsupported`]: msp_agent_core::CapabilityError::Unsupported
//! [`HttpClient`]: msp_agent_http::HttpClient
//! [`RateLimit`]: msp_agent_http::RateLimit
#![forbid(unsafe_code)]

mod client;
mod error;
mod model;
mod provider;

pub use client::{
    BuildError, DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL, EntraIdentity, EntraIdentityBuilder,
    GRAPH_SCOPE,
};
pub use error::graph_error;
