//! OpenAI-compatible chat-completions model provider for msp-agent.
#![forbid(unsafe_code)]
