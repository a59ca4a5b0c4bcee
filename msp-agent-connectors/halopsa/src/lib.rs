//! HaloPSA ticket system connector for msp-agent.
//!
//! [`HaloPsa`] implements [`msp_agent_core::capability::TicketSystem`] against the Halo
//! REST API, following the vendor's documentation:
//!
//! - API documentation and authentication (authorisation server, resource server,
//!   client-credentials grant, scopes, `?tenant=` for hosted instances):
//!   <https://halopsa.com/apidoc/info> and the instance's own `https://{instance}.halopsa.com/apidoc`
//! - Endpoint reference (Tickets, Actions, Users, Client, Status, Team):
//!   <https://halopsa.com/apidoc/resources>
//! - Setting up an API application (Configuration → Integrations → Halo API):
//!   <https://halopsa.com/guides/article/?kbid=1920>
//!
//! Wire contract:
//!
//! - Token: `POST {instance}/auth/token[?tenant=…]`, form `grant_type=client_credentials`,
//!   `client_id`, `client_secret`, `scope` (default `all`); the bearer token is cached
//!   until shortly before `expires_in` and fetched again after a 401
//!   ([`msp_agent_http::ClientCredentials`]).
//! - Resource server `{instance}/api`. Tenants map to Halo clients (`client_id`,
//!   [`HaloConfig::tenant`]); listings are filtered with `client_id=…` and every ticket or
//!   user read by id is checked against the tenant's client (another client's object is
//!   `NotFound`). An unmapped tenant is `WrongTenant` before any request is sent.
//! - Listings: `pageinate=true&page_size=N&page_no=1,2,…`; items in `tickets` / `users`,
//!   total in `record_count`; paging stops at the first short page.
//! - Tickets: `GET /api/Tickets/{id}`, `GET /api/Tickets?client_id&search&order=id&orderdesc=true`.
//!   Status names are resolved to ids with `GET /api/Status`, teams (boards) with
//!   `GET /api/Team`; both lists are cached for the connector's life (reloaded once when a
//!   name to write is missing). Priorities are the configured `priority_id`s
//!   ([`PriorityIds`]); the category is `category_1`.
//! - Updates: `POST /api/Tickets` with `[{"id": …, <changed fields>}]` — Halo creates and
//!   updates with POST; an update of an existing id is idempotent and retried on 429 / 5xx.
//! - Notes and time are actions: `POST /api/Actions` with `[{"ticket_id", "note",
//!   "outcome", "hiddenfromuser", "who_agentid", ["timetaken" (hours), "actisbillable"]}]`,
//!   never retried automatically (a retry could duplicate the action); read with
//!   `GET /api/Actions?ticket_id=…&excludesys=true`. `hiddenfromuser` ⇔
//!   [`NoteVisibility::Internal`]; actions of [`HaloConfig::agent_id`] are [`Actor::Agent`]
//!   time, all others [`Actor::Technician`].
//! - Contacts are Halo users: `GET /api/Users?client_id&search=<email>` (exact address
//!   re-checked), `GET /api/Users/{id}`; [`HaloPsa::client_name`] reads
//!   `GET /api/Client/{id}` to check a tenant mapping.
//! - Rate limit: Halo limits API use to 700 requests per rolling 5-minute window and answers
//!   `429` beyond it (see the instance's `/apidoc`); the connector honours `429` + `Retry-After` for idempotent requests and
//!   throttles itself to 130 requests/minute with bursts of 20 ([`default_rate_limit`]),
//!   configurable.
//!
//! [`NoteVisibility::Internal`]: msp_agent_core::domain::NoteVisibility::Internal
//! [`Actor::Agent`]: msp_agent_core::domain::Actor::Agent
//! [`Actor::Technician`]: msp_agent_core::domain::Actor::Technician
//!
//! ```no_run
//! use msp_agent_core::capability::{TicketQuery, TicketSystem};
//! use msp_agent_core::domain::TenantId;
//! use msp_agent_halopsa::{HaloConfig, HaloPsa};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = HaloConfig::new(
//!     HaloConfig::hosted_url("mymsp"),
//!     "client-id",
//!     SecretString::from("client-secret".to_string()),
//!     42, // the Halo agent id actions are written under
//! )
//! .hosted_tenant("mymsp")
//! .tenant("contoso", 12);
//! let psa = HaloPsa::new(config)?;
//! let recent = psa
//!     .search_tickets(&TenantId::new("contoso"), &TicketQuery { limit: Some(10), ..Default::default() })
//!     .await?;
//! # let _ = recent;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod config;
mod connector;
mod model;

pub use config::{
    DEFAULT_SCOPE, HaloConfig, MAX_PAGE_SIZE, PriorityIds, StatusNames, default_rate_limit,
};
pub use connector::HaloPsa;
