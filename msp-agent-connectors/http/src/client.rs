//! The HTTP client, request builder and response.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use msp_agent_core::audit::{VendorCall, record_call};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::auth::Auth;
use crate::error::HttpError;
use crate::redact::{redact, redact_url};
use crate::retry::RetryPolicy;

/// Client-side rate limit: at most this many requests per period, with a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    quota: Quota,
}

impl RateLimit {
    /// `n` requests per second (burst `n`).
    pub fn per_second(n: NonZeroU32) -> Self {
        Self {
            quota: Quota::per_second(n),
        }
    }

    /// `n` requests per minute (burst `n`).
    pub fn per_minute(n: NonZeroU32) -> Self {
        Self {
            quota: Quota::per_minute(n),
        }
    }

    /// Allow at most `burst` requests back to back (default: the per-period count).
    pub fn with_burst(self, burst: NonZeroU32) -> Self {
        Self {
            quota: self.quota.allow_burst(burst),
        }
    }
}

/// Builder of an [`HttpClient`]; see [`HttpClient::builder`].
pub struct HttpClientBuilder {
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    auth: Option<Arc<dyn Auth>>,
    retry: RetryPolicy,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl HttpClientBuilder {
    /// Timeout for establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout of one whole request attempt, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `User-Agent` header (default `msp-agent/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Authenticate every request with `auth`.
    pub fn auth(mut self, auth: impl Auth + 'static) -> Self {
        self.auth = Some(Arc::new(auth));
        self
    }

    /// Authenticate every request with a shared `auth`.
    pub fn auth_arc(mut self, auth: Arc<dyn Auth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Limit the request rate of this client (default: unlimited).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Build the client; fails on an invalid base URL.
    pub fn build(self) -> Result<HttpClient, HttpError> {
        let base = Url::parse(&self.base_url)
            .map_err(|e| HttpError::InvalidRequest(format!("base URL `{}`: {e}", self.base_url)))?;
        if base.cannot_be_a_base() {
            return Err(HttpError::InvalidRequest(format!(
                "base URL `{}` cannot be a base",
                self.base_url
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| HttpError::InvalidRequest(format!("HTTP client: {e}")))?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                http,
                base,
                auth: self.auth,
                retry: self.retry,
                limiter: self.rate_limit.map(|l| RateLimiter::direct(l.quota)),
            }),
        })
    }
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    auth: Option<Arc<dyn Auth>>,
    retry: RetryPolicy,
    limiter: Option<DefaultDirectRateLimiter>,
}

/// An HTTP client bound to one vendor base URL, with auth, retries and rate limiting.
///
/// Cheap to clone: clones share the connection pool, token cache and rate limiter.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base", &self.inner.base.as_str())
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .field("rate_limited", &self.inner.limiter.is_some())
            .finish()
    }
}

impl HttpClient {
    /// A builder for a client whose request paths are relative to `base_url`.
    pub fn builder(base_url: impl Into<String>) -> HttpClientBuilder {
        HttpClientBuilder {
            base_url: base_url.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: concat!("msp-agent/", env!("CARGO_PKG_VERSION")).to_string(),
            auth: None,
            retry: RetryPolicy::default(),
            rate_limit: None,
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The absolute URL of `request` (path joined to the base URL, query appended).
    ///
    /// An absolute `http(s)://` path (e.g. a pagination next link) is accepted only when
    /// it has the same origin as the base URL, so credentials never leak to another host.
    pub fn url_for(&self, request: &Request) -> Result<Url, HttpError> {
        let base = &self.inner.base;
        let mut url = if request.path.starts_with("http://") || request.path.starts_with("https://")
        {
            let url = Url::parse(&request.path)
                .map_err(|e| HttpError::InvalidRequest(format!("URL: {e}")))?;
            if url.origin() != base.origin() {
                return Err(HttpError::InvalidRequest(format!(
                    "URL origin {} differs from the base URL's",
                    url.origin().ascii_serialization()
                )));
            }
            url
        } else {
            let joined = format!(
                "{}/{}",
                base.as_str().trim_end_matches('/'),
                request.path.trim_start_matches('/')
            );
            Url::parse(&joined).map_err(|e| HttpError::InvalidRequest(format!("URL: {e}")))?
        };
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// Send `request` and decode the JSON response body as `T` (an empty body decodes
    /// as JSON `null`, so `()` and `Option<_>` work for 204 responses).
    pub async fn send_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T, HttpError> {
        self.send(request).await?.json()
    }

    /// Send `request`, retrying per the policy; any non-2xx status is an error.
    pub async fn send(&self, request: &Request) -> Result<Response, HttpError> {
        if let Some(err) = &request.body_error {
            return Err(HttpError::InvalidRequest(format!("body: {err}")));
        }
        let url = self.url_for(request)?;
        let idempotent = request.is_idempotent();
        let retry = &self.inner.retry;
        let mut attempt: u32 = 1;
        let mut reauthenticated = false;
        loop {
            let err = match self.send_once(request, &url, attempt).await {
                Ok(resp) => return Ok(resp),
                Err(err) => err,
            };
            if let (HttpError::Unauthorized(_), Some(auth), false) =
                (&err, &self.inner.auth, reauthenticated)
            {
                // A 401 means the request was not processed: retrying with fresh
                // credentials is safe whatever the method.
                reauthenticated = true;
                if auth.invalidate().await {
                    tracing::debug!("401: retrying once with fresh credentials");
                    continue;
                }
            }
            if !idempotent || attempt >= retry.max_attempts || !err.is_retryable() {
                return Err(err);
            }
            let delay = match err.retry_after() {
                Some(d) if d > retry.max_retry_after => return Err(err),
                Some(d) => d,
                None => retry.backoff(attempt),
            };
            tracing::debug!(attempt, ?delay, error = %err, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        request: &Request,
        url: &Url,
        attempt: u32,
    ) -> Result<Response, HttpError> {
        let span = tracing::info_span!(
            "http.request",
            method = %request.method,
            path = %url.path(),
            attempt,
            status = tracing::field::Empty,
        );
        async {
            if let Some(limiter) = &self.inner.limiter {
                limiter.until_ready().await;
            }
            let mut builder = self.inner.http.request(request.method.clone(), url.clone());
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            if let Some(auth) = &self.inner.auth {
                builder = auth.apply(builder).await?;
            }
            record_call(VendorCall {
                method: request.method.to_string(),
                url: redact_url(url),
                body: request.body.as_ref().map(redact).unwrap_or(Value::Null),
            });
            let resp = builder.send().await.map_err(|e| {
                let err = HttpError::from_reqwest(e);
                tracing::debug!(error = %err, "request failed");
                err
            })?;
            let status = resp.status();
            tracing::Span::current().record("status", status.as_u16());
            let headers = resp.headers().clone();
            let body = resp.bytes().await.map_err(HttpError::from_reqwest)?;
            if status.is_success() {
                tracing::debug!("ok");
                Ok(Response {
                    status,
                    headers,
                    body,
                })
            } else {
                let err = HttpError::from_response(status, &headers, &body);
                tracing::debug!(error = %err, "vendor error");
                Err(err)
            }
        }
        .instrument(span)
        .await
    }
}

/// One request: method, path relative to the client's base URL, query, headers, body.
///
/// Cheap to clone and reusable; building never fails (errors surface when sending).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    body_error: Option<String>,
    idempotent: Option<bool>,
}

impl Request {
    /// A request with `method` for `path` (relative to the base URL, or an absolute URL
    /// of the same origin).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            body_error: None,
            idempotent: None,
        }
    }

    /// A `GET` request.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A `POST` request.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// A `PUT` request.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    /// A `PATCH` request.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    /// A `DELETE` request.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Append a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Set a query parameter, replacing any previous value of that name.
    pub fn set_query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        let name = name.into();
        self.query.retain(|(n, _)| *n != name);
        self.query.push((name, value.to_string()));
        self
    }

    /// Add a header (never logged).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_value(body) {
            Ok(v) => {
                self.body = Some(v);
                self.body_error = None;
            }
            Err(e) => self.body_error = Some(e.to_string()),
        }
        self
    }

    /// Mark the request as safe (`true`) or unsafe (`false`) to retry automatically,
    /// overriding the method's default (GET, HEAD, PUT, DELETE, OPTIONS are idempotent;
    /// POST and PATCH are not).
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Whether the request may be retried automatically.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        ))
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path (or absolute URL).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }

    /// The same request for another path (or same-origin URL), with no query.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self.query.clear();
        self
    }
}

/// A successful (2xx) response, body fully read.
#[derive(Debug, Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// Decode the body as JSON (an empty body is JSON `null`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| HttpError::MalformedResponse(e.to_string()))
    }
}
