//! Authentication strategies applied to every request a client sends.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::RequestBuilder;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::error::{HttpError, truncate};

/// How a client authenticates its requests (object safe: use as `Arc<dyn Auth>`).
#[async_trait]
pub trait Auth: Send + Sync + fmt::Debug {
    /// Add credentials to an outgoing request. Header values set here must be marked
    /// sensitive so they are never printed.
    async fn apply(&self, request: RequestBuilder) -> Result<RequestBuilder, HttpError>;

    /// Called when the vendor answered 401: drop any cached credentials. Return `true`
    /// when fresh credentials may succeed, so the client retries the request once.
    async fn invalidate(&self) -> bool {
        false
    }
}

/// Fixed headers sent with every request (API keys, integration codes, tenant headers).
#[derive(Clone)]
pub struct StaticHeaders {
    headers: HeaderMap,
}

impl fmt::Debug for StaticHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticHeaders")
            .field("names", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl StaticHeaders {
    /// Headers from `(name, value)` pairs; all values are treated as secrets.
    pub fn new<I, N>(headers: I) -> Result<Self, HttpError>
    where
        I: IntoIterator<Item = (N, SecretString)>,
        N: AsRef<str>,
    {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_ref().as_bytes())
                .map_err(|e| HttpError::InvalidRequest(format!("header name: {e}")))?;
            let mut value = HeaderValue::from_str(value.expose_secret()).map_err(|_| {
                HttpError::InvalidRequest(format!("invalid value for header `{name}`"))
            })?;
            value.set_sensitive(true);
            map.insert(name, value);
        }
        Ok(Self { headers: map })
    }
}

#[async_trait]
impl Auth for StaticHeaders {
    async fn apply(&self, request: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        Ok(request.headers(self.headers.clone()))
    }
}

/// HTTP Basic authentication (`Authorization: Basic …`).
pub struct Basic {
    user: String,
    password: SecretString,
}

impl fmt::Debug for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Basic")
            .field("user", &self.user)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

impl Basic {
    /// Basic credentials for `user`.
    pub fn new(user: impl Into<String>, password: SecretString) -> Self {
        Self {
            user: user.into(),
            password,
        }
    }
}

#[async_trait]
impl Auth for Basic {
    async fn apply(&self, request: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        // reqwest marks the generated Authorization header as sensitive.
        Ok(request.basic_auth(&self.user, Some(self.password.expose_secret())))
    }
}

/// A cached access token.
struct Token {
    value: SecretString,
    refresh_at: Instant,
}

type Slot = Arc<Mutex<Option<Token>>>;

/// OAuth2 client-credentials grant with a per-key token cache.
///
/// One instance serves many keys (e.g. one Entra directory tenant id per MSP client): the
/// token URL may contain `{key}`, replaced by the key. Tokens are refreshed
/// `refresh_margin` (default 60 s) before `expires_in` runs out; concurrent requests for
/// the same key share a single in-flight refresh.
///
/// Use [`ClientCredentials::for_key`] to get the [`Auth`] of one key; the instance itself
/// implements [`Auth`] for the empty key (token URLs without `{key}`). Clones share the
/// token cache.
#[derive(Clone)]
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    secret: SecretString,
    scope: Option<String>,
    refresh_margin: Duration,
    cache: Arc<StdMutex<HashMap<String, Slot>>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// Client-credentials auth against `token_url` (may contain `{key}`); fails only if
    /// the HTTP client for the token endpoint cannot be built (TLS initialisation).
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        secret: SecretString,
        scope: Option<String>,
    ) -> Result<Self, HttpError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| HttpError::InvalidRequest(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            token_url: token_url.into(),
            client_id: client_id.into(),
            secret,
            scope,
            refresh_margin: Duration::from_secs(60),
            cache: Arc::default(),
        })
    }

    /// Refresh this long before the token expires (default 60 s).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Use this HTTP client (timeouts, proxy) for the token endpoint.
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The [`Auth`] for one key (e.g. a directory tenant id), sharing this cache.
    pub fn for_key(&self, key: impl Into<String>) -> KeyedClientCredentials {
        KeyedClientCredentials {
            creds: self.clone(),
            key: key.into(),
        }
    }

    fn slot(&self, key: &str) -> Slot {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.entry(key.to_string()).or_default().clone()
    }

    /// A valid access token for `key`, from the cache or fetched (once, under concurrency).
    pub async fn token(&self, key: &str) -> Result<SecretString, HttpError> {
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        if let Some(tok) = guard.as_ref() {
            if Instant::now() < tok.refresh_at {
                return Ok(tok.value.clone());
            }
        }
        let tok = self.fetch(key).await?;
        let value = tok.value.clone();
        *guard = Some(tok);
        Ok(value)
    }

    /// Drop the cached token of `key`.
    pub async fn invalidate_key(&self, key: &str) {
        let slot = self.slot(key);
        *slot.lock().await = None;
    }

    async fn fetch(&self, key: &str) -> Result<Token, HttpError> {
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(HttpError::InvalidRequest(format!(
                "token cache key `{key}` may only hold ASCII letters, digits, `-`, `_`, `.`"
            )));
        }
        let url = self.token_url.replace("{key}", key);
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose_secret()),
        ];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.as_str()));
        }
        let span = tracing::debug_span!("oauth.token", key = %key);
        let started = Instant::now();
        let resp = self
            .http
            .post(&url)
            .form(&form)
            .send()
            .instrument(span)
            .await
            .map_err(HttpError::from_reqwest)?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(HttpError::from_reqwest)?;
        if !status.is_success() {
            return Err(match HttpError::from_response(status, &headers, &body) {
                e @ (HttpError::Server { .. } | HttpError::RateLimited { .. }) => e,
                e => HttpError::Unauthorized(format!("token request failed: {e}")),
            });
        }
        let json: Value = serde_json::from_slice(&body)
            .map_err(|e| HttpError::MalformedResponse(format!("token response: {e}")))?;
        let access = json
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                HttpError::MalformedResponse(format!(
                    "token response without access_token: {}",
                    truncate(&crate::redact(&json).to_string())
                ))
            })?;
        // expires_in is a number, or a string with some providers; default one hour.
        let expires_in = match json.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .unwrap_or(3600);
        let lifetime = Duration::from_secs(expires_in).saturating_sub(self.refresh_margin);
        tracing::debug!(expires_in, "fetched access token");
        Ok(Token {
            value: SecretString::from(access.to_string()),
            refresh_at: started + lifetime,
        })
    }
}

#[async_trait]
impl Auth for ClientCredentials {
    async fn apply(&self, request: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        let token = self.token("").await?;
        Ok(request.bearer_auth(token.expose_secret()))
    }

    async fn invalidate(&self) -> bool {
        self.invalidate_key("").await;
        true
    }
}

/// [`ClientCredentials`] bound to one cache key; see [`ClientCredentials::for_key`].
#[derive(Clone, Debug)]
pub struct KeyedClientCredentials {
    creds: ClientCredentials,
    key: String,
}

#[async_trait]
impl Auth for KeyedClientCredentials {
    async fn apply(&self, request: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        let token = self.creds.token(&self.key).await?;
        Ok(request.bearer_auth(token.expose_secret()))
    }

    async fn invalidate(&self) -> bool {
        self.creds.invalidate_key(&self.key).await;
        true
    }
}
