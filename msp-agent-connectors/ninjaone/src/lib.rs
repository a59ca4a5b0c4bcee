//! NinjaOne RMM connector for msp-agent.
//!
//! [`NinjaOne`] implements [`msp_agent_core::capability::Rmm`] against the NinjaOne public
//! API v2, following the vendor's documentation:
//!
//! - API reference (OpenAPI 3, "NinjaOne Public API 2.0"): <https://app.ninjarmm.com/apidocs-beta/>,
//!   spec <https://app.ninjarmm.com/apidocs/NinjaRMM-API-v2.json>
//! - OAuth client apps and scopes:
//!   <https://www.ninjaone.com/docs/application-programming-interface-api/oauth-token-configuration/>
//! - Device filter (`df`) syntax:
//!   <https://resources.ninjarmm.com/API/Ninja+RMM+Public+API+v2.0.5+Device+Filter+Syntax.pdf>
//!
//! Wire contract:
//!
//! - Base URL = the instance ([`Instance`]: `app`, `us2`, `eu`, `ca`, `oc` `.ninjarmm.com`,
//!   or a custom URL). OAuth2 client credentials: `POST {instance}/ws/oauth/token`
//!   (form `grant_type=client_credentials`, `client_id`, `client_secret`,
//!   `scope=monitoring management`), then `Authorization: Bearer …` on every call; the
//!   token is cached until shortly before `expires_in` and refreshed once on a 401.
//! - Tenants map to organization ids. Devices: `GET /v2/devices-detailed?df=org={id}`
//!   with `pageSize` and `after` (= the last device id of the previous page) until an empty
//!   page; each device's `organizationId` is checked again. One device:
//!   `GET /v2/device/{id}`; a device of another organization is `NotFound`. An unmapped
//!   tenant is `WrongTenant` before any request is sent.
//! - `list_devices(Some(user))` keeps the devices whose `lastLoggedInUser` (`DOMAIN\name`,
//!   `name` or a UPN) is the user: the whole value equals the UPN or mail, or the account
//!   name equals the local part of the UPN or mail (case-insensitive).
//! - Status: `offline` and `lastContact` of the device, free space summed over the local
//!   volumes of `GET /v2/device/{id}/volumes` (`freeSpace`, bytes), pending patches =
//!   the count of `GET /v2/device/{id}/os-patches?status=PENDING`. The API exposes no live
//!   CPU or memory utilisation: those are reported as `0.0`.
//! - Alerts: `GET /v2/device/{id}/alerts` for a device; `GET /v2/alerts?df=org={id}` for
//!   a tenant, kept only for the organization's devices.
//! - Scripts: msp-agent script names map to a library script id or a built-in action uid
//!   ([`ScriptRef`]); unknown names are `InvalidInput`. The newest activity id is read
//!   (`GET /v2/device/{id}/activities?pageSize=1`), the run is requested with
//!   `POST /v2/device/{id}/script/run` `{type, id|uid, parameters, runAs}` (never retried),
//!   then `GET /v2/device/{id}/activities?newerThan=…` is polled every
//!   [`PollPolicy::interval`] until the run's activity reaches `COMPLETED` (exit code and
//!   output from the activity's `data`, `activityResult` and `message`; see
//!   `docs/connectors/ninjaone.md`) or [`PollPolicy::timeout`]
//!   passes (`Transient`, naming the script, device and job).
//! - Errors: 400 → `InvalidInput`, 401 → `Unauthorized`, 403 → `Forbidden`,
//!   404 → `NotFound`, 429 → `RateLimited` (`Retry-After`), 5xx → `Transient`. GETs are
//!   retried on 429/5xx per the [`msp_agent_http::RetryPolicy`].
//! - Rate limit: the API reference declares no numeric quota for the public API, so the
//!   client defaults to 60 requests/minute with bursts of 10 ([`default_rate_limit`]).
//!
//! ```no_run
//! use msp_agent_core::capability::Rmm;
//! use msp_agent_core::domain::{DeviceId, TenantId};
//! use msp_agent_ninjaone::{Instance, NinjaOne, NinjaOneConfig, ScriptRef};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let config = NinjaOneConfig::new(
//!     Instance::Eu,
//!     "client-id",
//!     SecretString::from("client-secret".to_string()),
//! )
//! .tenant("acme", 12)
//! .script("flush_dns", ScriptRef::script(101));
//! let rmm = NinjaOne::new(config)?;
//! let acme = TenantId::new("acme");
//! let result = rmm.run_script(&acme, &DeviceId::new("1001"), "flush_dns", &[]).await?;
//! # let _ = result;
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod config;
mod connector;
mod model;

pub use config::{
    DEFAULT_SCOPE, Instance, MAX_PAGE_SIZE, NinjaOneConfig, PollPolicy, ScriptRef, ScriptTarget,
    default_rate_limit,
};
pub use connector::NinjaOne;
