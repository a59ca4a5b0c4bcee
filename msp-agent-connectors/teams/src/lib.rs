//! Microsoft Teams approval gateway for msp-agent.
#![forbid(unsafe_code)]
