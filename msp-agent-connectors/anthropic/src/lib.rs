//! Anthropic Messages model provider for msp-agent.
#![forbid(unsafe_code)]
