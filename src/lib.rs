//! # msp-agent
//!
//! Embeddable SDK for guarded agentic automation at managed service providers.
//! This facade re-exports the workspace crates.

#![forbid(unsafe_code)]

pub use msp_agent_policy as policy;
