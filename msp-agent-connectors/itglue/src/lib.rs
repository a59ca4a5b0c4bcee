//! IT Glue documentation connector for msp-agent.
//!
//! [`ItGlue`] implements [`msp_agent_core::capability::Documentation`] against the IT Glue
//! REST API, following the vendor's developer documentation:
//!
//! - API reference (headers, base URLs per data centre, rate limiting, Flexible Assets,
//!   Passwords, Organizations): <https://api.itglue.com/developer>
//! - Getting started (API keys, Password Access):
//!   <https://help.itglue.kaseya.com/help/Content/1-admin/it-glue-api/getting-started-with-the-it-glue-api.html>
//! - Pagination (`page[size]`, `page[number]`, `links`/`meta`):
//!   <https://help.itglue.kaseya.com/help/Content/1-admin/it-glue-api/pagination-in-the-it-glue-api.html>
//! - Sorting and filtering (`filter[...]`, exact matches):
//!   <https://help.itglue.kaseya.com/help/Content/1-admin/it-glue-api/sorting-and-filtering-in-the-it-glue-api.html>
//! - JSON:API: <https://jsonapi.org/format/>
//!
//! Wire contract:
//!
//! - Base URL per [`Region`] (`https://api.itglue.com`, `https://api.eu.itglue.com`,
//!   `https://api.au.itglue.com`); every request carries the `x-api-key` header (held as a
//!   `SecretString`, sent as a sensitive header) and `Content-Type: application/vnd.api+json`.
//! - Tenants map to organization ids. Every listing is scoped to the tenant's organization
//!   (`/organizations/{id}/relationships/...` or `filter[organization-id]`) and every object
//!   returned is checked again: one of another organization is dropped (listings) or
//!   `NotFound` (reads). An unmapped tenant is `WrongTenant` before any request is sent.
//! - Listings request `page[size]=N&page[number]=1` (N ≤ 1000) and follow the JSON:API
//!   `links.next` until it is absent, at most [`ItGlueConfig::max_scan`] items.
//! - `search`: the configured [`SearchSource`]s (flexible assets of SOP-like types, and
//!   optionally Documents) are read and ranked by the query words (title 3, tag 2, body 1
//!   per word); rich text is reduced to plain text ([`html_to_text`]).
//! - `client_configuration`: flexible assets of the type in [`ConfigurationAssets`]; the
//!   asset whose `name` trait equals the record name (case-insensitive) holds the JSON in
//!   its `json` trait. No such asset is `Ok(None)`; invalid JSON is `Permanent`, naming the
//!   asset.
//! - `vault_secret`: `GET /organizations/{id}/relationships/passwords?filter[name]=…`, then
//!   `GET /organizations/{id}/relationships/passwords/{pid}?show_password=true`; the
//!   password is deserialised straight into a `SecretString`. Response bodies are never
//!   logged or recorded; the recorded URL has no secret (`show_password` is redacted too).
//! - Errors: JSON:API error bodies (`{"errors":[{"title","detail"}]}`) become the text of
//!   the typed [`msp_agent_core::CapabilityError`]; IT Glue answers a wrong API key with
//!   403 (`Forbidden`). GETs are retried on 429 / 5xx honouring `Retry-After`.
//! - Rate limit: "a maximum of 3000 requests within a 5-minute window" (429 beyond);
//!   the client keeps under it by default ([`default_rate_limit`]).
//!
//! ```no_run
//! use msp_agent_core::capability::Documentation;
//! use msp_agent_core::domain::TenantId;
//! use msp_agent_itglue::{ConfigurationAssets, ItGlue, ItGlueConfig, Region, SearchSource};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = ItGlueConfig::new(Region::Eu, SecretString::from("ITG.xxxx".to_string()))
//!     .tenant("contoso", 2_345_678)
//!     .search(SearchSource::FlexibleAssets { type_id: 41 })
//!     .configuration(ConfigurationAssets::new(42));
//! let docs = ItGlue::new(config)?;
//! let sops = docs.search(&TenantId::new("contoso"), "vpn reset", 5).await?;
//! # let _ = sops;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod config;
mod connector;
mod model;

pub use config::{
    ConfigurationAssets, ItGlueConfig, MAX_PAGE_SIZE, Region, SearchSource, default_rate_limit,
};
pub use connector::{ItGlue, JSON_API};
pub use model::{html_to_text, query_words, score};
