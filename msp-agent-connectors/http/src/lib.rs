//! Shared HTTP plumbing for msp-agent vendor connectors.
//!
//! Every vendor connector (ConnectWise, Autotask, HaloPSA, Entra, NinjaOne, …) talks to its
//! system through an [`HttpClient`], which provides:
//!
//! - a [`Request`] builder (method, path relative to a base URL, query, headers, JSON body)
//!   and [`HttpClient::send_json`] returning typed results;
//! - [`HttpError`], which maps onto [`msp_agent_core::CapabilityError`] with `From`;
//! - retries with exponential backoff and jitter ([`RetryPolicy`]), honouring `Retry-After`,
//!   for idempotent requests only;
//! - authentication strategies behind the object-safe [`Auth`] trait ([`StaticHeaders`],
//!   [`Basic`], OAuth2 [`ClientCredentials`] with a per-key token cache);
//! - client-side rate limiting ([`RateLimit`], backed by `governor`);
//! - pagination as a `futures::Stream` of items ([`paginate`], [`Pagination`]);
//! - a `tracing` span per request and an audit record of every call sent
//!   ([`msp_agent_core::audit::record_call`]) with secrets [`redact`]ed.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use msp_agent_http::{ClientCredentials, HttpClient, Pagination, Request, paginate};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_http::HttpError> {
//! let oauth = ClientCredentials::new(
//!     "https://login.microsoftonline.com/{key}/oauth2/v2.0/token",
//!     "app-id",
//!     SecretString::from("app-secret".to_string()),
//!     Some("https://graph.microsoft.com/.default".into()),
//! )?;
//! let graph = HttpClient::builder("https://graph.microsoft.com/v1.0")
//!     .auth(oauth.for_key("contoso-tenant-id"))
//!     .build()?;
//! let me: serde_json::Value = graph.send_json(&Request::get("/organization")).await?;
//! let users: Vec<serde_json::Value> =
//!     paginate(&graph, Request::get("/users").query("$top", 100), Pagination::odata())
//!         .try_collect()
//!         .await?;
//! # let _ = (me, users);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod auth;
mod client;
mod error;
mod paginate;
mod redact;
mod retry;

pub use auth::{Auth, Basic, ClientCredentials, KeyedClientCredentials, StaticHeaders};
pub use client::{HttpClient, HttpClientBuilder, RateLimit, Request, Response};
pub use error::{HttpError, MAX_ERROR_BODY_CHARS};
pub use paginate::{CursorSource, PageStyle, Pagination, paginate};
pub use redact::{redact, redact_url};
pub use retry::{RetryPolicy, parse_retry_after};

/// Re-export of the HTTP method type used by [`Request`].
pub use reqwest::Method;
