//! Configuration: app credentials, tenant → directory mapping, base URLs, one Graph client
//! per directory.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use msp_agent_core::CapabilityError;
use msp_agent_core::domain::TenantId;
use msp_agent_http::{ClientCredentials, HttpClient, HttpError, RateLimit, RetryPolicy};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::SecretString;

/// Default Microsoft identity platform host (global cloud).
pub const DEFAULT_LOGIN_URL: &str = "https://login.microsoftonline.com";
/// Default Microsoft Graph v1.0 base URL (global cloud).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// OAuth2 scope of app-only Graph tokens: every application permission consented.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";

/// Why an [`EntraIdentity`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A directory is not a tenant GUID or domain name.
    #[error("directory `{directory}` of tenant `{tenant}` must be a tenant GUID or domain name")]
    InvalidDirectory {
        /// The msp-agent tenant.
        tenant: TenantId,
        /// The directory given for it.
        directory: String,
    },
    /// The HTTP clients could not be built (bad base URL, TLS initialisation).
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// Builder of an [`EntraIdentity`]; see [`EntraIdentity::builder`].
pub struct EntraIdentityBuilder {
    client_id: String,
    secret: SecretString,
    tenants: Vec<(TenantId, String)>,
    login_url: String,
    graph_url: String,
    retry: RetryPolicy,
    rate_limit: Option<RateLimit>,
    timeout: Duration,
}

impl fmt::Debug for EntraIdentityBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraIdentityBuilder")
            .field("client_id", &self.client_id)
            .field("tenants", &self.tenants)
            .field("login_url", &self.login_url)
            .field("graph_url", &self.graph_url)
            .finish_non_exhaustive()
    }
}

impl EntraIdentityBuilder {
    /// Serve `tenant` from the customer directory `directory` (tenant GUID or a verified
    /// domain such as `contoso.onmicrosoft.com`).
    pub fn tenant(mut self, tenant: TenantId, directory: impl Into<String>) -> Self {
        self.tenants.push((tenant, directory.into()));
        self
    }

    /// Identity platform host (default [`DEFAULT_LOGIN_URL`]); tokens come from
    /// `{login_url}/{directory}/oauth2/v2.0/token`.
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login_url = url.into();
        self
    }

    /// Graph base URL including the version (default [`DEFAULT_GRAPH_URL`]).
    pub fn graph_url(mut self, url: impl Into<String>) -> Self {
        self.graph_url = url.into();
        self
    }

    /// Retry policy of Graph requests (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Client-side rate limit per directory (default 20 requests per second), `None` for
    /// unlimited.
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Timeout of one Graph request attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Build the connector.
    pub fn build(self) -> Result<EntraIdentity, BuildError> {
        let token_url = format!(
            "{}/{{key}}/oauth2/v2.0/token",
            self.login_url.trim_end_matches('/')
        );
        let creds = ClientCredentials::new(
            token_url,
            self.client_id,
            self.secret,
            Some(GRAPH_SCOPE.to_string()),
        )?;
        let graph_url = self.graph_url.trim_end_matches('/').to_string();
        let mut directories = HashMap::new();
        for (tenant, directory) in self.tenants {
            let directory = directory.trim().to_string();
            let valid = !directory.is_empty()
                && directory
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'));
            if !valid {
                return Err(BuildError::InvalidDirectory { tenant, directory });
            }
            let mut builder = HttpClient::builder(graph_url.clone())
                .auth(creds.for_key(directory.clone()))
                .retry(self.retry.clone())
                .timeout(self.timeout);
            if let Some(limit) = self.rate_limit {
                builder = builder.rate_limit(limit);
            }
            let dir = Directory {
                tenant: tenant.clone(),
                directory,
                graph: builder.build()?,
                graph_url: graph_url.clone(),
                skus: Mutex::default(),
            };
            directories.insert(tenant, Arc::new(dir));
        }
        Ok(EntraIdentity { directories })
    }
}

/// Microsoft Entra ID over Microsoft Graph v1.0, for many customer directories.
///
/// Cheap to share behind an `Arc`; see the [crate docs](crate) for set-up and permissions.
pub struct EntraIdentity {
    pub(crate) directories: HashMap<TenantId, Arc<Directory>>,
}

impl fmt::Debug for EntraIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map: Vec<_> = self
            .directories
            .iter()
            .map(|(t, d)| (t.as_str(), d.directory.as_str()))
            .collect();
        map.sort_unstable();
        f.debug_struct("EntraIdentity")
            .field("directories", &map)
            .finish()
    }
}

impl EntraIdentity {
    /// A builder for the app registration `client_id` with its client `secret`.
    pub fn builder(client_id: impl Into<String>, secret: SecretString) -> EntraIdentityBuilder {
        EntraIdentityBuilder {
            client_id: client_id.into(),
            secret,
            tenants: Vec::new(),
            login_url: DEFAULT_LOGIN_URL.to_string(),
            graph_url: DEFAULT_GRAPH_URL.to_string(),
            retry: RetryPolicy::default(),
            rate_limit: NonZeroU32::new(20).map(RateLimit::per_second),
            timeout: Duration::from_secs(30),
        }
    }

    /// The customer directory serving `tenant`, if mapped.
    pub fn directory_of(&self, tenant: &TenantId) -> Option<&str> {
        self.directories.get(tenant).map(|d| d.directory.as_str())
    }

    pub(crate) fn dir(&self, tenant: &TenantId) -> Result<&Directory, CapabilityError> {
        self.directories
            .get(tenant)
            .map(Arc::as_ref)
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }
}

/// One customer directory: its Graph client (own token, rate limiter) and SKU cache.
pub(crate) struct Directory {
    pub(crate) tenant: TenantId,
    pub(crate) directory: String,
    pub(crate) graph: HttpClient,
    pub(crate) graph_url: String,
    /// skuPartNumber (upper case) → skuId.
    pub(crate) skus: Mutex<HashMap<String, String>>,
}

impl Directory {
    /// The absolute Graph URL of a directory object, for `@odata.id` references.
    pub(crate) fn object_url(&self, collection: &str, id: &str) -> String {
        format!("{}/{collection}/{}", self.graph_url, seg(id))
    }
}

/// Characters left as-is in a path segment: RFC 3986 unreserved plus `@` (UPNs).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// Percent-encode one path segment (object ids, UPNs of guests with `#`, …).
pub(crate) fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}
