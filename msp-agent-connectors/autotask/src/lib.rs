//! Autotask PSA ticket system connector for msp-agent.
//!
//! [`Autotask`] implements [`msp_agent_core::capability::TicketSystem`] against the
//! Autotask (Datto / Kaseya) PSA REST API v1.0, following the vendor's developer help:
//!
//! - REST API overview, authentication headers and API users:
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/REST_API_Home.htm>
//! - Zones and zone discovery: "Autotask API zones and WSDL versions → Find your zone's API
//!   URL for the REST API" (linked from the query pages below); the discovery call is the
//!   REST counterpart of <https://www.autotask.net/help/DeveloperHelp/Content/APIs/SOAP/APICalls/GetZoneInfoCall.htm>
//! - Basic query calls (JSON filters, `GET …/query?search=`, `POST …/query`):
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Basic_Query_Calls.htm>
//! - Advanced query features (`MaxRecords` ≤ 500, `pageDetails.nextPageUrl`):
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Advanced_Query_Features.htm>
//! - Resource and child access URLs (`/{Entity}/entityInformation/fields`,
//!   `PATCH /{Entity}`, `/Tickets/{id}/Notes`):
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/API_Calls/REST_Resource_Child_Access_URLs.htm>
//! - Entities: Tickets, TicketNotes, TimeEntries, Contacts:
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketsEntity.htm>,
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TicketNotesEntity.htm>,
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/TimeEntriesEntity.htm>,
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/Entities/ContactsEntity.htm>
//! - Thresholds and latency (10,000 requests per hour per database, latency added as usage
//!   rises): <https://www.autotask.net/help/DeveloperHelp/Content/APIs/REST/General_Topics/REST_Thresholds_Limits.htm>
//! - Thread limiting (3 simultaneous requests per endpoint and tracking identifier):
//!   <https://www.autotask.net/help/DeveloperHelp/Content/APIs/General/ThreadLimiting.htm>
//!
//! Wire contract:
//!
//! - Before the first call, the zone is discovered once with
//!   `GET {discovery}/v1.0/zoneInformation?user={username}` (default discovery base
//!   [`DEFAULT_DISCOVERY_URL`]); its `url` (e.g. `https://webservices2.autotask.net/ATServicesRest/`)
//!   is cached and every call goes to `{url}/v1.0/…`. A known zone can be configured
//!   instead ([`AutotaskConfig::zone_url`]).
//! - Every request carries `ApiIntegrationcode`, `UserName`, `Secret` (a `SecretString`,
//!   sent as a sensitive header, never logged) and `Content-Type: application/json`.
//! - Tenants map to companies (`companyID`). Every query is filtered with
//!   `{"op":"eq","field":"companyID","value":…}` and every ticket or contact read by id is
//!   checked against the tenant's company (a foreign object is `NotFound`). An unmapped
//!   tenant is `WrongTenant` before any request, zone discovery included.
//! - Queries are `GET /{Entity}/query?search={"MaxRecords":n,"filter":[…]}` (built with
//!   `serde_json`, so user text cannot alter a filter; see [`Filter`]) and follow
//!   `pageDetails.nextPageUrl` until it is null.
//! - Status, priority, queue and issue/sub-issue types are picklists: their labels come
//!   from `GET /Tickets/entityInformation/fields` once per connector and are resolved by
//!   label ([`StatusLabels`], [`PriorityLabels`]). Updates are `PATCH /Tickets` with the
//!   `id` in the body.
//! - Notes: `POST /Tickets/{id}/Notes` with `publish` 1 (All Autotask Users) for
//!   [`NoteVisibility::Public`] and 2 (Internal Only) for [`NoteVisibility::Internal`]
//!   (configurable) and the configured `noteType`; read back with `TicketNotes/query`.
//! - Time: `POST /TimeEntries` with `ticketID`, `resourceID`, `dateWorked`,
//!   `startDateTime`/`endDateTime`, `hoursWorked`, `summaryNotes`, `isNonBillable`
//!   (and `roleID` when configured). Entries of [`AutotaskConfig::agent_resource_id`] read
//!   back as [`Actor::Agent`], all others as [`Actor::Technician`].
//! - Errors: Autotask bodies `{"errors":["…"]}` become the text of the typed
//!   [`msp_agent_core::CapabilityError`]. GETs and the PATCH are retried on 429 / 5xx
//!   honouring `Retry-After`; POSTs (notes, time) never are, and a 429 surfaces as
//!   `RateLimited { retry_after }`.
//! - Rate limit: client-side [`default_rate_limit`] (the hourly threshold spread per
//!   minute) and at most [`DEFAULT_MAX_CONCURRENCY`] requests in flight; both configurable.
//!   [`Autotask::threshold_information`] reads the database's current usage.
//!
//! [`NoteVisibility::Public`]: msp_agent_core::domain::NoteVisibility::Public
//! [`NoteVisibility::Internal`]: msp_agent_core::domain::NoteVisibility::Internal
//! [`Actor::Agent`]: msp_agent_core::domain::Actor::Agent
//! [`Actor::Technician`]: msp_agent_core::domain::Actor::Technician
//!
//! ```no_run
//! use msp_agent_autotask::{Autotask, AutotaskConfig};
//! use msp_agent_core::capability::{TicketQuery, TicketSystem};
//! use msp_agent_core::domain::TenantId;
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = AutotaskConfig::new(
//!     "msp-agent-api@example.com",
//!     SecretString::from("api-secret".to_string()),
//!     "TRACKINGIDENTIFIER12345678",
//!     29_683_000, // resource the agent logs time under
//! )
//! .tenant("contoso", 250);
//! let psa = Autotask::new(config)?;
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
mod filter;
mod model;

pub use config::{
    AutotaskConfig, DEFAULT_DISCOVERY_URL, DEFAULT_MAX_CONCURRENCY, HOURLY_REQUEST_THRESHOLD,
    Labels, MAX_RECORDS, PriorityLabels, StatusLabels, default_rate_limit,
};
pub use connector::{Autotask, ThresholdInformation};
pub use filter::Filter;
