//! ConnectWise PSA (Manage) ticket system connector for msp-agent.
//!
//! [`ConnectWise`] implements [`msp_agent_core::capability::TicketSystem`] against the
//! ConnectWise PSA REST API v3.0, following the vendor's developer documentation:
//!
//! - Developer Guide (authentication, `clientId`, conditions, paging):
//!   <https://developer.connectwise.com/Products/ConnectWise_PSA/Developer_Guide>
//! - ClientId: <https://developer.connectwise.com/ClientID>
//! - Versioning (`Accept: application/vnd.connectwise.com+json; version=…`):
//!   <https://developer.connectwise.com/Products/ConnectWise_PSA/Versioning>
//! - Pagination (`page`/`pageSize` ≤ 1,000, `Link` headers):
//!   <https://developer.connectwise.com/Best_Practices/PSA_Pagination>
//! - REST reference (Service → Tickets, Ticket Notes, Boards, Board Statuses/Types/Subtypes,
//!   Priorities; Time → Time Entries; Company → Contacts):
//!   <https://developer.connectwise.com/Products/ConnectWise_PSA/REST>
//!
//! Wire contract:
//!
//! - base URL `https://{site}/{codebase}/apis/3.0`
//!   ([`ConnectWiseConfig::cloud_base_url`]); every request carries
//!   `Authorization: Basic base64("{companyId}+{publicKey}:{privateKey}")`, the
//!   integration's `clientId` header and the versioned `Accept` header.
//! - Tenants map to companies ([`CompanyRef`]); every listing is filtered with
//!   `conditions=company/id=…`, and every ticket or contact read by id is checked against
//!   the tenant's company (a foreign object is `NotFound`). An unmapped tenant is
//!   `WrongTenant` before any request is sent.
//! - User-supplied strings in `conditions`/`childConditions` are quoted and escaped
//!   ([`conditions::quote`]).
//! - Listings request `page=1&pageSize=N` and follow `Link: <…>; rel="next"`.
//! - Updates are JSON Patch `replace` operations with ids; board, status, type, subtype and
//!   priority names are resolved once (`/service/boards?conditions=name="…"`,
//!   `/service/boards/{id}/statuses`, `…/types`, `…/subtypes`, `/service/priorities`) and
//!   cached for the connector's life.
//! - Notes: `internalAnalysisFlag` ⇔ [`NoteVisibility::Internal`], otherwise
//!   `detailDescriptionFlag` ⇔ [`NoteVisibility::Public`].
//! - Time: `/time/entries` with `chargeToType: "ServiceTicket"`. Agent time is logged
//!   under the member [`ConnectWiseConfig::agent_member`] and entries of that member are read
//!   back as [`Actor::Agent`]; every other member's time is [`Actor::Technician`].
//! - Errors: ConnectWise bodies `{"code","message","errors":[…]}` become the text of the
//!   typed [`msp_agent_core::CapabilityError`]. GETs (and the idempotent JSON Patch) are
//!   retried on 429 / 5xx honouring `Retry-After`; POSTs (notes, time) never are.
//! - Rate limit: the Developer Guide documents no numeric request quota for PSA REST
//!   (only the 1,000-record page cap and the advice to page and filter instead of
//!   polling); the connector honours `429` + `Retry-After` when sent and defaults to a
//!   conservative client-side 60 requests/minute with bursts of 10
//!   ([`default_rate_limit`]), configurable.
//!
//! [`NoteVisibility::Internal`]: msp_agent_core::domain::NoteVisibility::Internal
//! [`NoteVisibility::Public`]: msp_agent_core::domain::NoteVisibility::Public
//! [`Actor::Agent`]: msp_agent_core::domain::Actor::Agent
//! [`Actor::Technician`]: msp_agent_core::domain::Actor::Technician
//!
//! ```no_run
//! use msp_agent_connectwise::{CompanyRef, ConnectWise, ConnectWiseConfig};
//! use msp_agent_core::capability::{TicketQuery, TicketSystem};
//! use msp_agent_core::domain::TenantId;
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = ConnectWiseConfig::new(
//!     ConnectWiseConfig::cloud_base_url("api-na.myconnectwise.net", "v4_6_release"),
//!     "mymsp",
//!     "public-key",
//!     SecretString::from("private-key".to_string()),
//!     "00000000-0000-0000-0000-000000000000",
//!     "msp-agent",
//! )
//! .tenant("contoso", CompanyRef::id(250));
//! let psa = ConnectWise::new(config)?;
//! let open = psa
//!     .search_tickets(&TenantId::new("contoso"), &TicketQuery { limit: Some(10), ..Default::default() })
//!     .await?;
//! # let _ = open;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod conditions;
mod config;
mod connector;
mod model;

pub use config::{
    CompanyRef, ConnectWiseConfig, DEFAULT_API_VERSION, MAX_PAGE_SIZE, PriorityMap, StatusMap,
    default_rate_limit,
};
pub use connector::ConnectWise;
