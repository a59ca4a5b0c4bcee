//! Anthropic Messages model provider for msp-agent.
//!
//! [`AnthropicChat`] implements [`ChatModel`] over `POST https://api.anthropic.com/v1/messages`
//! with the headers `x-api-key`, `anthropic-version: 2023-06-01` and
//! `content-type: application/json`.
//!
//! Translation of a [`ChatRequest`]:
//! - system messages are joined (blank line between) into the top-level `system`;
//! - user text becomes a `text` block; assistant tool calls become `tool_use` blocks
//!   `{id, name, input}` whose `input` is [`ToolCall::arguments`] parsed as a JSON object
//!   (anything else is [`CapabilityError::InvalidInput`]);
//! - tool results become user-role `tool_result` blocks `{tool_use_id, content}`;
//!   consecutive messages of the same API role (e.g. several tool results) are merged
//!   into one message, as the API requires alternating roles;
//! - tools are sent as `{name, description, input_schema}`; `max_tokens` is required.
//!
//! The reply's `text` blocks (joined by newlines) and `tool_use` blocks (arguments =
//! serialised `input`) form the assistant [`ChatMessage`]; `usage.input_tokens` (plus any
//! prompt-cache tokens) and `usage.output_tokens` form the [`Usage`].
//!
//! Errors `{"type":"error","error":{"type","message"}}` surface their message: 400 →
//! `InvalidInput`, 401 → `Unauthorized`, 403 → `Forbidden`, 429 → `RateLimited`
//! (`retry-after` honoured), 500/529 `overloaded_error` → `Transient`. A message has no
//! side effect, so the POST is marked idempotent and 429/5xx/529 are retried per the
//! [`RetryPolicy`]. An undecodable body or a reply with neither text nor tool calls is
//! `Permanent`.
//!
//! Every call emits an `info` tracing event (target `msp_agent_anthropic`) with the model,
//! token usage and stop reason — never the key or message content.
//!
//! References followed:
//! - <https://docs.anthropic.com/en/api/messages>
//! - <https://docs.anthropic.com/en/api/versioning>
//! - <https://docs.anthropic.com/en/docs/build-with-claude/tool-use>
//! - <https://docs.anthropic.com/en/api/errors>
//! - <https://docs.anthropic.com/en/api/rate-limits>
//!
//! [`ToolCall::arguments`]: msp_agent_core::capability::ToolCall::arguments
//! [`ChatMessage`]: msp_agent_core::capability::ChatMessage
//! [`Usage`]: msp_agent_core::capability::Usage
//!
//! ```no_run
//! use msp_agent_anthropic::AnthropicChat;
//! use msp_agent_core::capability::{ChatMessage, ChatModel, ChatRequest, Role};
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let key = SecretString::from(std::env::var("ANTHROPIC_API_KEY").unwrap_or_default());
//! let model = AnthropicChat::builder(key, "claude-sonnet-4-5").build()?;
//! let reply = model
//!     .complete(&ChatRequest {
//!         messages: vec![ChatMessage {
//!             role: Role::User,
//!             content: "Summarise ticket 4711".into(),
//!             tool_calls: vec![],
//!             tool_call_id: None,
//!         }],
//!         tools: vec![],
//!         max_tokens: 1024,
//!     })
//!     .await?;
//! println!("{} ({} tokens out)", reply.message.content, reply.usage.output_tokens);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod wire;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use msp_agent_core::capability::{ChatModel, ChatRequest, ChatResponse};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{HttpClient, HttpError, Request, StaticHeaders};
use secrecy::SecretString;

/// Re-exported so callers can tune retries and rate limits without depending on the
/// HTTP crate.
pub use msp_agent_http::{RateLimit, RetryPolicy};

/// Base URL of the Anthropic API.
pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com/v1";

/// The `anthropic-version` header value sent with every request.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Default timeout of one request attempt: messages can take a while.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Builder of an [`AnthropicChat`]; see [`AnthropicChat::builder`].
pub struct AnthropicChatBuilder {
    api_key: SecretString,
    model: String,
    base_url: String,
    temperature: Option<f64>,
    retry: RetryPolicy,
    timeout: Duration,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for AnthropicChatBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnthropicChatBuilder")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("temperature", &self.temperature)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl AnthropicChatBuilder {
    /// Override the base URL (a proxy or gateway; the request path is `messages`
    /// relative to it).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sampling temperature (default: the provider's).
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Retry policy for 429/5xx/529/timeouts (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout of one request attempt (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Client-side request rate limit (default: none).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Build the client; fails on an invalid base URL or API key.
    pub fn build(self) -> CapResult<AnthropicChat> {
        let mut http = HttpClient::builder(self.base_url)
            .timeout(self.timeout)
            .retry(self.retry)
            .auth(StaticHeaders::new([("x-api-key", self.api_key)])?);
        if let Some(limit) = self.rate_limit {
            http = http.rate_limit(limit);
        }
        Ok(AnthropicChat {
            http: http.build()?,
            model: self.model,
            temperature: self.temperature,
        })
    }
}

/// A [`ChatModel`] over the Anthropic Messages API.
///
/// Cheap to clone (clones share the connection pool and rate limiter).
#[derive(Clone)]
pub struct AnthropicChat {
    http: HttpClient,
    model: String,
    temperature: Option<f64>,
}

impl fmt::Debug for AnthropicChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnthropicChat")
            .field("model", &self.model)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl AnthropicChat {
    /// A builder for `model` (e.g. `claude-sonnet-4-5`) authenticated with `api_key`.
    pub fn builder(api_key: SecretString, model: impl Into<String>) -> AnthropicChatBuilder {
        AnthropicChatBuilder {
            api_key,
            model: model.into(),
            base_url: ANTHROPIC_BASE_URL.into(),
            temperature: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            rate_limit: None,
        }
    }

    /// The model this client asks for.
    pub fn model(&self) -> &str {
        &self.model
    }
}

/// Map an HTTP failure, replacing the raw error body by the provider's message.
fn map_error(err: HttpError) -> CapabilityError {
    use wire::provider_message as msg;
    match err {
        HttpError::InvalidInput { body, .. } => CapabilityError::InvalidInput(msg(&body)),
        HttpError::Unauthorized(body) => CapabilityError::Unauthorized(msg(&body)),
        HttpError::Forbidden(body) => CapabilityError::Forbidden(msg(&body)),
        HttpError::NotFound(body) => CapabilityError::NotFound(msg(&body)),
        HttpError::Conflict(body) => CapabilityError::Conflict(msg(&body)),
        HttpError::Server { status, body, .. } => {
            CapabilityError::Transient(format!("HTTP {status}: {}", msg(&body)))
        }
        HttpError::UnexpectedStatus { status, body } => {
            CapabilityError::Permanent(format!("HTTP {status}: {}", msg(&body)))
        }
        other => other.into(),
    }
}

#[async_trait]
impl ChatModel for AnthropicChat {
    async fn complete(&self, request: &ChatRequest) -> CapResult<ChatResponse> {
        let body = wire::Body::new(&self.model, request, self.temperature)?;
        // No side effect: safe to retry on 429/5xx/529/timeouts.
        let req = Request::post("messages")
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(&body)
            .idempotent(true);
        let resp = self.http.send(&req).await.map_err(map_error)?;
        let reply: wire::Reply = serde_json::from_slice(resp.bytes())
            .map_err(|e| CapabilityError::Permanent(format!("malformed messages response: {e}")))?;
        let model = reply.model.clone().unwrap_or_else(|| self.model.clone());
        let outcome = reply.into_outcome()?;
        tracing::info!(
            provider = "anthropic",
            model = %model,
            input_tokens = outcome.usage.input_tokens,
            output_tokens = outcome.usage.output_tokens,
            stop_reason = %outcome.stop_reason,
            tool_calls = outcome.message.tool_calls.len(),
            "chat completion"
        );
        if outcome.stop_reason == "max_tokens" {
            tracing::warn!(model = %model, "message cut off by max_tokens");
        }
        Ok(ChatResponse {
            message: outcome.message,
            usage: outcome.usage,
        })
    }
}
