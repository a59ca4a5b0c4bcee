//! OpenAI-compatible chat-completions model provider for msp-agent.
//!
//! [`OpenAiChat`] implements [`ChatModel`] over the chat-completions API of
//!
//! - **OpenAI** ([`OpenAiChat::openai`]): `POST https://api.openai.com/v1/chat/completions`
//!   with `Authorization: Bearer <key>` and optional `OpenAI-Organization` /
//!   `OpenAI-Project` headers;
//! - **Azure OpenAI** ([`OpenAiChat::azure`]):
//!   `POST {endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…` with
//!   an `api-key` header (the deployment selects the model, so no `model` is sent);
//! - **OpenAI-compatible servers** ([`OpenAiChat::compatible`]) such as Ollama
//!   (`http://localhost:11434/v1`) and vLLM (`http://localhost:8000/v1`), with an optional
//!   bearer key.
//!
//! Tool calls round-trip as `tool_calls` on assistant messages and `tool` messages with
//! `tool_call_id`; tools are sent as `function` tools with `tool_choice: "auto"`. The output
//! budget goes in `max_completion_tokens` (OpenAI) or `max_tokens` (Azure and compatible
//! servers), see [`TokenLimitField`].
//!
//! A completion has no side effect, so the POST is marked idempotent: 429 (honouring
//! `Retry-After`), 5xx, timeouts and connection failures are retried per the
//! [`RetryPolicy`]. Provider errors `{"error":{"message","type","code"}}` surface their
//! message: 400 → [`CapabilityError::InvalidInput`], 401 → `Unauthorized`, 429 →
//! `RateLimited`, 5xx → `Transient`; an undecodable body, no choice, or a choice with
//! neither text nor tool calls → `Permanent`.
//!
//! Every call emits an `info` tracing event (target `msp_agent_openai`) with the model,
//! token usage and finish reason — never the key or message content.
//!
//! References followed:
//! - <https://platform.openai.com/docs/api-reference/chat/create>
//! - <https://platform.openai.com/docs/guides/function-calling>
//! - <https://platform.openai.com/docs/guides/error-codes>
//! - <https://learn.microsoft.com/en-us/azure/ai-services/openai/reference>
//! - <https://github.com/ollama/ollama/blob/main/docs/openai.md>
//! - <https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html>
//!
//! ```no_run
//! use msp_agent_core::capability::{ChatMessage, ChatModel, ChatRequest, Role};
//! use msp_agent_openai::OpenAiChat;
//! use secrecy::SecretString;
//!
//! # async fn demo() -> Result<(), msp_agent_core::CapabilityError> {
//! let key = SecretString::from(std::env::var("OPENAI_API_KEY").unwrap_or_default());
//! let model = OpenAiChat::openai(key, "gpt-4o-mini").build()?;
//! let reply = model
//!     .complete(&ChatRequest {
//!         messages: vec![ChatMessage {
//!             role: Role::User,
//!             content: "Summarise ticket 4711".into(),
//!             tool_calls: vec![],
//!             tool_call_id: None,
//!         }],
//!         tools: vec![],
//!         max_tokens: 512,
//!     })
//!     .await?;
//! println!("{} ({} tokens in)", reply.message.content, reply.usage.input_tokens);
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
use secrecy::{ExposeSecret, SecretString};

/// Re-exported so callers can tune retries and rate limits without depending on the
/// HTTP crate.
pub use msp_agent_http::{RateLimit, RetryPolicy};

/// Base URL of the OpenAI API.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Default Azure OpenAI data-plane `api-version` (latest GA inference release).
pub const AZURE_API_VERSION: &str = "2024-10-21";

/// Default timeout of one request attempt: completions can take a while.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Which request field carries the output token budget ([`ChatRequest::max_tokens`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLimitField {
    /// `max_completion_tokens`: OpenAI's current field (required by reasoning models).
    MaxCompletionTokens,
    /// `max_tokens`: the legacy field, understood by Azure OpenAI and compatible servers.
    MaxTokens,
}

/// Which flavour of the API a client talks to (for logs and request shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// api.openai.com.
    OpenAi,
    /// Azure OpenAI.
    Azure,
    /// An OpenAI-compatible server (Ollama, vLLM, …).
    Compatible,
}

impl Flavour {
    fn as_str(self) -> &'static str {
        match self {
            Flavour::OpenAi => "openai",
            Flavour::Azure => "azure-openai",
            Flavour::Compatible => "openai-compatible",
        }
    }
}

/// Builder of an [`OpenAiChat`]; start with [`OpenAiChat::openai`], [`OpenAiChat::azure`]
/// or [`OpenAiChat::compatible`].
pub struct OpenAiChatBuilder {
    flavour: Flavour,
    base_url: String,
    headers: Vec<(&'static str, SecretString)>,
    model: Option<String>,
    label: String,
    api_version: Option<String>,
    token_limit: TokenLimitField,
    temperature: Option<f64>,
    retry: RetryPolicy,
    timeout: Duration,
    rate_limit: Option<RateLimit>,
}

impl fmt::Debug for OpenAiChatBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiChatBuilder")
            .field("flavour", &self.flavour)
            .field("base_url", &self.base_url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("model", &self.label)
            .field("api_version", &self.api_version)
            .field("token_limit", &self.token_limit)
            .field("temperature", &self.temperature)
            .finish_non_exhaustive()
    }
}

impl OpenAiChatBuilder {
    fn new(flavour: Flavour, base_url: String, label: String) -> Self {
        Self {
            flavour,
            base_url,
            headers: Vec::new(),
            model: None,
            label,
            api_version: None,
            token_limit: TokenLimitField::MaxTokens,
            temperature: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            rate_limit: None,
        }
    }

    /// Send `OpenAI-Organization: <id>` (OpenAI only; no effect elsewhere but harmless).
    pub fn organization(mut self, id: impl Into<String>) -> Self {
        self.headers
            .push(("openai-organization", SecretString::from(id.into())));
        self
    }

    /// Send `OpenAI-Project: <id>`.
    pub fn project(mut self, id: impl Into<String>) -> Self {
        self.headers
            .push(("openai-project", SecretString::from(id.into())));
        self
    }

    /// Override the base URL (a proxy or gateway; the request path is `chat/completions`
    /// relative to it).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Which field carries the token budget (default: `max_completion_tokens` for OpenAI,
    /// `max_tokens` for Azure and compatible servers).
    pub fn token_limit_field(mut self, field: TokenLimitField) -> Self {
        self.token_limit = field;
        self
    }

    /// Sampling temperature (default: the provider's).
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Retry policy for 429/5xx/timeouts (default [`RetryPolicy::default`]).
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

    /// Build the client; fails on an invalid base URL or header value.
    pub fn build(self) -> CapResult<OpenAiChat> {
        let mut http = HttpClient::builder(self.base_url)
            .timeout(self.timeout)
            .retry(self.retry);
        if let Some(limit) = self.rate_limit {
            http = http.rate_limit(limit);
        }
        if !self.headers.is_empty() {
            http = http.auth(StaticHeaders::new(self.headers)?);
        }
        Ok(OpenAiChat {
            http: http.build()?,
            flavour: self.flavour,
            model: self.model,
            label: self.label,
            api_version: self.api_version,
            token_limit: self.token_limit,
            temperature: self.temperature,
        })
    }
}

/// A [`ChatModel`] over an OpenAI-style chat-completions endpoint.
///
/// Cheap to clone (clones share the connection pool and rate limiter).
#[derive(Clone)]
pub struct OpenAiChat {
    http: HttpClient,
    flavour: Flavour,
    model: Option<String>,
    label: String,
    api_version: Option<String>,
    token_limit: TokenLimitField,
    temperature: Option<f64>,
}

impl fmt::Debug for OpenAiChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiChat")
            .field("flavour", &self.flavour)
            .field("model", &self.label)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl OpenAiChat {
    /// OpenAI (`https://api.openai.com/v1`) with a bearer API key and `model`
    /// (token budget in `max_completion_tokens`).
    pub fn openai(api_key: SecretString, model: impl Into<String>) -> OpenAiChatBuilder {
        let model = model.into();
        let mut b = OpenAiChatBuilder::new(Flavour::OpenAi, OPENAI_BASE_URL.into(), model.clone());
        b.headers.push(("authorization", bearer(&api_key)));
        b.model = Some(model);
        b.token_limit = TokenLimitField::MaxCompletionTokens;
        b
    }

    /// Azure OpenAI: `endpoint` like `https://my-resource.openai.azure.com`, the model
    /// `deployment` name, an `api_version` such as [`AZURE_API_VERSION`], and the resource
    /// key sent as `api-key` (token budget in `max_tokens`).
    pub fn azure(
        endpoint: &str,
        deployment: &str,
        api_version: impl Into<String>,
        api_key: SecretString,
    ) -> OpenAiChatBuilder {
        let base = format!(
            "{}/openai/deployments/{deployment}",
            endpoint.trim_end_matches('/')
        );
        let mut b = OpenAiChatBuilder::new(Flavour::Azure, base, deployment.into());
        b.headers.push(("api-key", api_key));
        b.api_version = Some(api_version.into());
        b
    }

    /// An OpenAI-compatible server at `base_url` (e.g. Ollama `http://localhost:11434/v1`,
    /// vLLM `http://localhost:8000/v1`), with an optional bearer key (token budget in
    /// `max_tokens`).
    pub fn compatible(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: Option<SecretString>,
    ) -> OpenAiChatBuilder {
        let model = model.into();
        let mut b = OpenAiChatBuilder::new(Flavour::Compatible, base_url.into(), model.clone());
        if let Some(key) = api_key {
            b.headers.push(("authorization", bearer(&key)));
        }
        b.model = Some(model);
        b
    }

    /// The model (or Azure deployment) this client asks for.
    pub fn model(&self) -> &str {
        &self.label
    }

    /// The API flavour.
    pub fn flavour(&self) -> Flavour {
        self.flavour
    }
}

fn bearer(key: &SecretString) -> SecretString {
    SecretString::from(format!("Bearer {}", key.expose_secret()))
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
impl ChatModel for OpenAiChat {
    async fn complete(&self, request: &ChatRequest) -> CapResult<ChatResponse> {
        let body = wire::Body::new(
            self.model.as_deref(),
            request,
            self.token_limit,
            self.temperature,
        )?;
        // No side effect: safe to retry on 429/5xx/timeouts.
        let mut req = Request::post("chat/completions")
            .json(&body)
            .idempotent(true);
        if let Some(version) = &self.api_version {
            req = req.query("api-version", version);
        }
        let resp = self.http.send(&req).await.map_err(map_error)?;
        let completion: wire::Completion = serde_json::from_slice(resp.bytes()).map_err(|e| {
            CapabilityError::Permanent(format!("malformed chat completion response: {e}"))
        })?;
        let model = completion
            .model
            .clone()
            .unwrap_or_else(|| self.label.clone());
        let outcome = completion.into_outcome()?;
        tracing::info!(
            provider = self.flavour.as_str(),
            model = %model,
            input_tokens = outcome.usage.input_tokens,
            output_tokens = outcome.usage.output_tokens,
            finish_reason = %outcome.finish_reason,
            tool_calls = outcome.message.tool_calls.len(),
            "chat completion"
        );
        if outcome.finish_reason == "length" {
            tracing::warn!(model = %model, "completion cut off by the token limit");
        }
        Ok(ChatResponse {
            message: outcome.message,
            usage: outcome.usage,
        })
    }
}
