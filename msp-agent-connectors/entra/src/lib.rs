//! Microsoft Entra ID (Graph v1.0) identity provider connector for msp-agent.
#![forbid(unsafe_code)]
