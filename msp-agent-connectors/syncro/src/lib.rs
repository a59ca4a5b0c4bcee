//! Syncro (SyncroMSP) PSA ticket system connector for msp-agent.
//!
//! [`Syncro`] implements [`msp_agent_core::capability::TicketSystem`] against the Syncro
//! REST API v1, following the vendor's API reference:
//!
//! - API reference (Swagger UI; authentication, rate limits, Tickets, Contacts):
//!   <https://api-docs.syncromsp.com/>, machine-readable at
//!   <https://api-docs.syncromsp.com/swagger.json>
//!
//! Wire contract:
//!
//! - base URL `https://{subdomain}.syncromsp.com/api/v1` ([`SyncroConfig::subdomain_url`]);
//!   every request carries `Authorization: Bearer {token}`. The token is never put in a URL
//!   (the `?api_key=` form is not used), so it appears in no log or audit record.
//! - Tenants map to customers ([`SyncroConfig::tenant`]): listings send
//!   `customer_id=…`, and every ticket or contact read is checked against the tenant's
//!   `customer_id` (another customer's object is `NotFound`). An unmapped tenant is
//!   `WrongTenant` before any request is sent.
//! - Tickets: `GET /tickets/{id}` (`{"ticket": …}` with `comments` and `ticket_timers`),
//!   `GET /tickets?customer_id=&status=&query=&page=` (`{"tickets": […], "meta":
//!   {"total_pages": …}}`, 25 per page), `PUT /tickets/{id}` with `status`, `priority`,
//!   `problem_type` (idempotent: retried on 429 / 5xx). Syncro has no board; a board
//!   update is `Unsupported`. A ticket's body is its oldest comment (the initial issue);
//!   its category is `problem_type`.
//! - Listings read `page=1,2,…` until `meta.total_pages` ([`SyncroConfig::max_pages`] caps
//!   it). Syncro filters by one status per request, so a [`TicketStatus`] mapped to several
//!   names is one listing per name; results are re-filtered client-side and sorted newest
//!   first.
//! - Notes are ticket comments: `POST /tickets/{id}/comment` with `subject`, `body`,
//!   `hidden` (true ⇔ [`NoteVisibility::Internal`]), `do_not_email` (always true for hidden
//!   comments) and `tech` (the note's author); they are read back from the ticket's
//!   `comments`.
//! - Time: `POST /tickets/{id}/timer_entry` with `start_at`, `end_at`, `notes`, `user_id`,
//!   `billable`; read back from the ticket's `ticket_timers`. Agent time is logged under
//!   [`SyncroConfig::agent_user_id`] and timers of that user read as [`Actor::Agent`]; any
//!   other user's time is [`Actor::Technician`].
//! - Contacts: `GET /contacts?customer_id=&query={email}` (fuzzy search; the e-mail must
//!   match exactly, ignoring case) and `GET /contacts/{id}`.
//! - Statuses are account-defined strings ([`StatusMap`], stock names by default);
//!   priorities likewise ([`PriorityMap`], `0 Urgent` … `3 Low`).
//! - Errors: Syncro bodies (`{"message": …}`, `{"success": false, "message": […]}`,
//!   `{"error": …}`) become the text of the typed [`msp_agent_core::CapabilityError`].
//!   POSTs (comments, timers) are never retried.
//! - Rate limit: the API reference documents 180 requests per minute per IP address; the
//!   connector defaults to a client-side 170/minute with bursts of 10
//!   ([`default_rate_limit`]), configurable, and honours `429` (+ `Retry-After` when sent).
//!
//! [`TicketStatus`]: msp_agent_core::domain::TicketStatus
//! [`NoteVisibility::Internal`]: msp_agent_core::domain::NoteVisibility::Internal
//! [`Actor::Agent`]: msp_agent_core::domain::Actor::Agent
//! [`Actor::Technician`]: msp_agent_core::domain::Actor::Technician
//!
//! ```no_run
//! use msp_agent_core::capability::{TicketQuery, TicketSystem};
//! use msp_agent_core::domain::TenantId;
//! use msp_agent_syncro::{Syncro, SyncroConfig};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = SyncroConfig::new(
//!     SyncroConfig::subdomain_url("mymsp"),
//!     SecretString::from("api-token".to_string()),
//!     4242, // the Syncro user the agent's time is logged under
//! )
//! .tenant("contoso", 1_234_567);
//! let psa = Syncro::new(config)?;
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
    DOCUMENTED_REQUESTS_PER_MINUTE, PriorityMap, StatusMap, SyncroConfig, default_rate_limit,
};
pub use connector::Syncro;
