//! Autotask PSA ticket system connector for msp-agent.
#![forbid(unsafe_code)]
