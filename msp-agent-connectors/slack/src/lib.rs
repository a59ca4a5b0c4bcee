//! Slack approval gateway for msp-agent.
#![forbid(unsafe_code)]
