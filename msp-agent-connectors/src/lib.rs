//! # msp-agent-connectors
//!
//! One dependency for every vendor connector of msp-agent, each behind its own cargo
//! feature so an MSP compiles only what it runs:
//!
//! | feature | module | implements | vendor |
//! |---|---|---|---|
//! | `connectwise` | [`connectwise`] | `TicketSystem` | ConnectWise PSA (Manage) REST v3 |
//! | `autotask` | [`autotask`] | `TicketSystem` | Autotask PSA REST |
//! | `halopsa` | [`halopsa`] | `TicketSystem` | HaloPSA |
//! | `syncro` | [`syncro`] | `TicketSystem` | Syncro |
//! | `entra` | [`entra`] | `IdentityProvider` | Microsoft Entra ID (Graph v1.0) |
//! | `ninjaone` | [`ninjaone`] | `Rmm` | NinjaOne public API v2 |
//! | `itglue` | [`itglue`] | `Documentation` | IT Glue |
//! | `slack` | [`slack`] | `ApprovalGateway` | Slack (Block Kit + signed interactivity) |
//! | `teams` | [`teams`] | `ApprovalGateway` | Microsoft Teams (Workflows card + outgoing webhook) |
//! | `openai` | [`openai`] | `ChatModel` | OpenAI, Azure OpenAI, OpenAI-compatible servers |
//! | `anthropic` | [`anthropic`] | `ChatModel` | Anthropic Messages |
//!
//! Group features: `psa`, `identity`, `rmm`, `documentation`, `approvals`, `models`, `full`.
//! No feature is on by default. The shared HTTP plumbing is always available as [`http`].
//!
//! ```toml
//! msp-agent-connectors = { version = "0.1", features = ["connectwise", "entra"] }
//! ```
//!
//! ## Choosing the PSA by configuration
//!
//! [`config::ConnectorsConfig`] reads a small TOML file whose `[psa] vendor = …` picks the
//! ticket system (`sim`, `connectwise`, `autotask`, `halopsa`, `syncro`) with that vendor's
//! settings; secrets are named environment variables, never inline. Switching from the
//! simulator to a real PSA is then an edit of the file, not of the code:
//!
//! ```no_run
//! # fn demo(base: msp_agent_core::capability::Capabilities) -> Result<(), msp_agent_connectors::config::ConfigError> {
//! use msp_agent_connectors::config::ConnectorsConfig;
//!
//! let config = ConnectorsConfig::from_path("connectors.toml")?;
//! let caps = config.builder().capabilities(base)?; // `base` with the configured PSA
//! # let _ = caps; Ok(()) }
//! ```
//!
//! The `sim` feature compiles `vendor = "sim"` (the simulated PSA of `msp-agent-sim`).
#![forbid(unsafe_code)]

pub mod config;

/// Shared HTTP plumbing (client, errors, retries, auth, rate limits, pagination).
pub use msp_agent_http as http;

/// Anthropic Messages model provider.
#[cfg(feature = "anthropic")]
pub use msp_agent_anthropic as anthropic;
/// Autotask PSA ticket system.
#[cfg(feature = "autotask")]
pub use msp_agent_autotask as autotask;
/// ConnectWise PSA ticket system.
#[cfg(feature = "connectwise")]
pub use msp_agent_connectwise as connectwise;
/// Microsoft Entra ID identity provider.
#[cfg(feature = "entra")]
pub use msp_agent_entra as entra;
/// HaloPSA ticket system.
#[cfg(feature = "halopsa")]
pub use msp_agent_halopsa as halopsa;
/// IT Glue documentation.
#[cfg(feature = "itglue")]
pub use msp_agent_itglue as itglue;
/// NinjaOne RMM.
#[cfg(feature = "ninjaone")]
pub use msp_agent_ninjaone as ninjaone;
/// OpenAI-compatible chat-completions model provider.
#[cfg(feature = "openai")]
pub use msp_agent_openai as openai;
/// Slack approval gateway.
#[cfg(feature = "slack")]
pub use msp_agent_slack as slack;
/// Syncro ticket system.
#[cfg(feature = "syncro")]
pub use msp_agent_syncro as syncro;
/// Microsoft Teams approval gateway.
#[cfg(feature = "teams")]
pub use msp_agent_teams as teams;
