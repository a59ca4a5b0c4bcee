//! IT Glue documentation connector for msp-agent.
#![forbid(unsafe_code)]
