//! NinjaOne RMM connector for msp-agent.
#![forbid(unsafe_code)]
