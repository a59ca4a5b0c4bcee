//! Slack approval gateway for msp-agent.
//!
//! [`SlackApprovals`] posts each approval request to a channel as a Block Kit message with
//! Approve / Reject buttons ([`chat.postMessage`]), and waits. The embedding app forwards
//! Slack's interactivity callback (raw body + headers) to
//! [`SlackApprovals::handle_interaction`], which verifies the request signature, resolves
//! the pending approval with the clicking user as approver and (optionally) replaces the
//! buttons with the outcome ([`chat.update`]).
//!
//! Vendor documentation followed:
//! - `chat.postMessage`: <https://api.slack.com/methods/chat.postMessage>
//! - `chat.update`: <https://api.slack.com/methods/chat.update>
//! - Web API errors (`{"ok":false,"error":"…"}` with HTTP 200):
//!   <https://api.slack.com/web#responses>
//! - Rate limits (HTTP 429 with `Retry-After`): <https://api.slack.com/apis/rate-limits>
//! - Signing secret verification:
//!   <https://api.slack.com/authentication/verifying-requests-from-slack>
//! - Interactivity payloads (`block_actions`, form field `payload`):
//!   <https://api.slack.com/interactivity/handling#payloads>,
//!   <https://api.slack.com/reference/interaction-payloads/block-actions>
//!
//! Set-up and an HTTP handler example: `docs/connectors/slack.md`.
//!
//! [`chat.postMessage`]: https://api.slack.com/methods/chat.postMessage
//! [`chat.update`]: https://api.slack.com/methods/chat.update
#![forbid(unsafe_code)]

mod blocks;
mod verify;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use http::HeaderMap;
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalGateway, ApprovalId, ApprovalRequest, PendingApprovals, ResolveError,
};
use msp_agent_core::domain::TenantId;
use msp_agent_http::{HttpClient, HttpError, Request, RetryPolicy, StaticHeaders};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

pub use blocks::{
    ACTIONS_BLOCK_ID, APPROVE_ACTION_ID, REJECT_ACTION_ID, approval_blocks, fallback_text,
};
pub use verify::{MAX_SKEW, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify_signature};

/// The Slack Web API base URL.
pub const SLACK_API: &str = "https://slack.com/api";

/// Text replacing the buttons of a request that expired before anyone clicked.
const EXPIRED_TEXT: &str = ":hourglass: Expired: no answer came in time, nothing was done.";
/// Longest wait for `chat.update` inside a callback (Slack wants an answer within 3 s).
const UPDATE_TIMEOUT: Duration = Duration::from_millis(2500);

/// A Slack Web API call failed.
#[derive(Debug, thiserror::Error)]
pub enum SlackApiError {
    /// Slack answered `{"ok": false, "error": …}`
    /// (<https://api.slack.com/methods/chat.postMessage#errors>).
    #[error("Slack {method} failed: {error}")]
    Api {
        /// The Web API method, e.g. `chat.postMessage`.
        method: &'static str,
        /// Slack's error code, e.g. `channel_not_found`, `invalid_auth`, `ratelimited`.
        error: String,
    },
    /// The HTTP exchange failed (transport, 429 after retries, 5xx, …).
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl From<SlackApiError> for CapabilityError {
    fn from(err: SlackApiError) -> Self {
        let (method, error) = match err {
            SlackApiError::Http(e) => return e.into(),
            SlackApiError::Api { method, error } => (method, error),
        };
        let msg = format!("Slack {method}: {error}");
        match error.as_str() {
            "ratelimited" => CapabilityError::RateLimited { retry_after: None },
            "not_authed" | "invalid_auth" | "account_inactive" | "token_revoked"
            | "token_expired" | "no_permission" => CapabilityError::Unauthorized(msg),
            "missing_scope"
            | "not_in_channel"
            | "restricted_action"
            | "is_archived"
            | "ekm_access_denied"
            | "team_access_not_granted" => CapabilityError::Forbidden(msg),
            "channel_not_found" | "message_not_found" => CapabilityError::NotFound(msg),
            "invalid_blocks"
            | "invalid_blocks_format"
            | "msg_too_long"
            | "no_text"
            | "invalid_arguments"
            | "too_many_attachments"
            | "cant_update_message"
            | "edit_window_closed" => CapabilityError::InvalidInput(msg),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                CapabilityError::Transient(msg)
            }
            _ => CapabilityError::Permanent(msg),
        }
    }
}

/// Why an interactivity callback was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InteractionError {
    /// A required header is absent (or not text).
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// The signature does not match the body and signing secret.
    #[error("bad signature")]
    BadSignature,
    /// The timestamp is unreadable or more than five minutes from now (possible replay).
    #[error("stale or invalid timestamp")]
    StaleTimestamp,
    /// The body is not a form with a `payload` holding a `block_actions` JSON payload
    /// with one of our buttons.
    #[error("malformed payload: {0}")]
    MalformedPayload(String),
    /// The clicking user is not on the allow-list of approvers.
    #[error("Slack user `{user}` may not decide approvals")]
    NotAllowed {
        /// The Slack user id.
        user: String,
    },
    /// The approval id is unknown, expired or already decided.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl InteractionError {
    /// The HTTP status the embedding app should answer with: 401 for a failed
    /// verification, 400 for a malformed body, 403 for a user not allowed, 200 when the
    /// request was authentic but the approval can no longer be decided (Slack shows an
    /// error to the user on any non-200 answer).
    pub fn http_status(&self) -> u16 {
        match self {
            InteractionError::MissingHeader(_)
            | InteractionError::BadSignature
            | InteractionError::StaleTimestamp => 401,
            InteractionError::MalformedPayload(_) => 400,
            InteractionError::NotAllowed { .. } => 403,
            InteractionError::Resolve(_) => 200,
        }
    }
}

/// A click on Approve or Reject that was verified and applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// The approval decided.
    pub id: ApprovalId,
    /// The decision, with approver `slack:<user id> (<user name>)`.
    pub decision: ApprovalDecision,
    /// Slack user id of the approver.
    pub user_id: String,
    /// Slack user name of the approver (as in the payload), if given.
    pub user_name: Option<String>,
    /// Channel of the approval message.
    pub channel: Option<String>,
    /// `ts` of the approval message.
    pub message_ts: Option<String>,
    /// Blocks of the approval message, as Slack sent them.
    pub message_blocks: Vec<Value>,
}

/// Where and when an approval message was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedMessage {
    /// Channel id.
    pub channel: String,
    /// Message timestamp (its id within the channel).
    pub ts: String,
}

/// Builder of [`SlackApprovals`]; see [`SlackApprovals::builder`].
pub struct SlackApprovalsBuilder {
    bot_token: SecretString,
    signing_secret: SecretString,
    channel: String,
    routes: HashMap<TenantId, String>,
    base_url: String,
    retry: RetryPolicy,
    registry: PendingApprovals,
    allowed: Option<HashSet<String>>,
    update_messages: bool,
}

impl fmt::Debug for SlackApprovalsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackApprovalsBuilder")
            .field("channel", &self.channel)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SlackApprovalsBuilder {
    /// Post requests of `tenant` to `channel` instead of the default channel.
    pub fn route(mut self, tenant: TenantId, channel: impl Into<String>) -> Self {
        self.routes.insert(tenant, channel.into());
        self
    }

    /// Web API base URL (default [`SLACK_API`]; tests point it at a mock server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Retry policy of Web API calls (default [`RetryPolicy::default`]). Posting is
    /// retried on 429 / 5xx: a rare duplicate message carries the same approval id, so
    /// only one click counts.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Share a registry with other gateways (default: a fresh one).
    pub fn registry(mut self, registry: PendingApprovals) -> Self {
        self.registry = registry;
        self
    }

    /// Only these Slack user ids may decide (default: anyone who can click in the channel).
    pub fn allowed_approvers<I, S>(mut self, users: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed = Some(users.into_iter().map(Into::into).collect());
        self
    }

    /// After a decision, replace the buttons with the outcome via `chat.update`
    /// (default true; needs no extra scope).
    pub fn update_messages(mut self, update: bool) -> Self {
        self.update_messages = update;
        self
    }

    /// Build the gateway.
    pub fn build(self) -> Result<SlackApprovals, HttpError> {
        let bearer = SecretString::from(format!("Bearer {}", self.bot_token.expose_secret()));
        let client = HttpClient::builder(self.base_url)
            .auth(StaticHeaders::new([("authorization", bearer)])?)
            .retry(self.retry)
            .build()?;
        Ok(SlackApprovals {
            client,
            signing_secret: self.signing_secret,
            channel: self.channel,
            routes: self.routes,
            registry: self.registry,
            allowed: self.allowed,
            update_messages: self.update_messages,
        })
    }
}

/// Approvals in a Slack channel. See the [crate docs](crate).
pub struct SlackApprovals {
    client: HttpClient,
    signing_secret: SecretString,
    channel: String,
    routes: HashMap<TenantId, String>,
    registry: PendingApprovals,
    allowed: Option<HashSet<String>>,
    update_messages: bool,
}

impl fmt::Debug for SlackApprovals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackApprovals")
            .field("client", &self.client)
            .field("channel", &self.channel)
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct ApiResponse {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    ts: Option<String>,
}

#[derive(Deserialize)]
struct Form {
    payload: String,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    user: PayloadUser,
    #[serde(default)]
    actions: Vec<PayloadAction>,
    #[serde(default)]
    channel: Option<PayloadChannel>,
    #[serde(default)]
    container: Option<PayloadContainer>,
    #[serde(default)]
    message: Option<PayloadMessage>,
}

#[derive(Deserialize)]
struct PayloadUser {
    id: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct PayloadAction {
    action_id: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct PayloadChannel {
    id: String,
}

#[derive(Deserialize)]
struct PayloadContainer {
    #[serde(default)]
    channel_id: Option<String>,
    #[serde(default)]
    message_ts: Option<String>,
}

#[derive(Deserialize)]
struct PayloadMessage {
    #[serde(default)]
    ts: Option<String>,
    #[serde(default)]
    blocks: Vec<Value>,
}

impl SlackApprovals {
    /// A builder posting to `channel` (a channel id such as `C0123456789`) with a bot token
    /// (`xoxb-…`, scope `chat:write`) and the app's signing secret.
    pub fn builder(
        bot_token: SecretString,
        signing_secret: SecretString,
        channel: impl Into<String>,
    ) -> SlackApprovalsBuilder {
        SlackApprovalsBuilder {
            bot_token,
            signing_secret,
            channel: channel.into(),
            routes: HashMap::new(),
            base_url: SLACK_API.to_owned(),
            retry: RetryPolicy::default(),
            registry: PendingApprovals::new(),
            allowed: None,
            update_messages: true,
        }
    }

    /// The registry of pending approvals.
    pub fn registry(&self) -> &PendingApprovals {
        &self.registry
    }

    /// The channel requests of `tenant` go to.
    pub fn channel_for(&self, tenant: &TenantId) -> &str {
        self.routes.get(tenant).unwrap_or(&self.channel)
    }

    async fn call(&self, method: &'static str, body: &Value) -> Result<ApiResponse, SlackApiError> {
        let request = Request::post(format!("/{method}"))
            .header("content-type", "application/json; charset=utf-8")
            .json(body)
            .idempotent(true);
        let resp: ApiResponse = self.client.send_json(&request).await?;
        if resp.ok {
            Ok(resp)
        } else {
            Err(SlackApiError::Api {
                method,
                error: resp.error.unwrap_or_else(|| "unknown_error".to_owned()),
            })
        }
    }

    /// Post the approval message for `request` under `id` (`chat.postMessage`).
    pub async fn post_approval(
        &self,
        id: &ApprovalId,
        request: &ApprovalRequest,
    ) -> Result<PostedMessage, SlackApiError> {
        let channel = self.channel_for(&request.tenant);
        let body = json!({
            "channel": channel,
            "text": fallback_text(request),
            "blocks": approval_blocks(id, request),
            "unfurl_links": false,
            "unfurl_media": false,
        });
        let resp = self.call("chat.postMessage", &body).await?;
        Ok(PostedMessage {
            channel: resp.channel.unwrap_or_else(|| channel.to_owned()),
            ts: resp.ts.unwrap_or_default(),
        })
    }

    /// Verify and apply an interactivity callback: `headers` and the raw `body` exactly as
    /// received on the Request URL. Answer Slack with HTTP 200 promptly on success
    /// (see [`InteractionError::http_status`] otherwise).
    ///
    /// With [`SlackApprovalsBuilder::update_messages`], the message is then updated to show
    /// the outcome (or that the request expired), waiting at most 2.5 s; a failure to
    /// update is logged, not returned (the decision stands).
    pub async fn handle_interaction(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Interaction, InteractionError> {
        let interaction = self.verify_and_parse(headers, body, SystemTime::now())?;
        let resolved = self
            .registry
            .resolve(&interaction.id, interaction.decision.clone());
        if self.update_messages {
            let text = match &resolved {
                Ok(()) => Some(blocks::outcome_text(
                    &interaction.decision,
                    &interaction.user_id,
                )),
                Err(ResolveError::Expired) => Some(EXPIRED_TEXT.to_owned()),
                Err(_) => None,
            };
            if let Some(text) = text {
                // Slack wants the callback answered within 3 s: bound the update.
                let update = self.replace_buttons(&interaction, &text);
                match tokio::time::timeout(UPDATE_TIMEOUT, update).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, id = %interaction.id, "could not update the Slack approval message");
                    }
                    Err(_) => {
                        tracing::warn!(id = %interaction.id, "updating the Slack approval message timed out");
                    }
                }
            }
        }
        resolved?;
        Ok(interaction)
    }

    /// Verify and apply a callback at time `now`, without updating the message (for
    /// apps that update it themselves, e.g. in a spawned task, with
    /// [`update_message`](Self::update_message)).
    pub fn apply_interaction(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Interaction, InteractionError> {
        let interaction = self.verify_and_parse(headers, body, now)?;
        self.registry
            .resolve(&interaction.id, interaction.decision.clone())?;
        Ok(interaction)
    }

    /// Verify the signature, parse the click and check the user; decides nothing.
    fn verify_and_parse(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Interaction, InteractionError> {
        verify_signature(&self.signing_secret, headers, body, now)?;
        let form: Form = serde_urlencoded::from_bytes(body)
            .map_err(|e| InteractionError::MalformedPayload(format!("form: {e}")))?;
        let payload: Payload = serde_json::from_str(&form.payload)
            .map_err(|e| InteractionError::MalformedPayload(format!("payload: {e}")))?;
        if payload.kind != "block_actions" {
            return Err(InteractionError::MalformedPayload(format!(
                "unexpected payload type `{}`",
                payload.kind
            )));
        }
        let (approve, id) = payload
            .actions
            .iter()
            .find_map(|a| {
                let approve = match a.action_id.as_str() {
                    APPROVE_ACTION_ID => true,
                    REJECT_ACTION_ID => false,
                    _ => return None,
                };
                Some((approve, a.value.clone()?))
            })
            .ok_or_else(|| InteractionError::MalformedPayload("no approval action".into()))?;
        let user = payload.user;
        if let Some(allowed) = &self.allowed {
            if !allowed.contains(&user.id) {
                return Err(InteractionError::NotAllowed { user: user.id });
            }
        }
        let user_name = user.username.or(user.name);
        let approver = match &user_name {
            Some(name) => format!("slack:{} ({name})", user.id),
            None => format!("slack:{}", user.id),
        };
        let decision = if approve {
            ApprovalDecision::Approved { approver }
        } else {
            ApprovalDecision::Rejected {
                approver,
                reason: None,
            }
        };
        let container = payload.container;
        let channel = container
            .as_ref()
            .and_then(|c| c.channel_id.clone())
            .or(payload.channel.map(|c| c.id));
        let (message_ts, message_blocks) = match payload.message {
            Some(m) => (m.ts, m.blocks),
            None => (None, Vec::new()),
        };
        let message_ts = container.and_then(|c| c.message_ts).or(message_ts);
        Ok(Interaction {
            id: ApprovalId::from(id),
            decision,
            user_id: user.id,
            user_name,
            channel,
            message_ts,
            message_blocks,
        })
    }

    /// Replace the buttons of the decided message with the outcome (`chat.update`).
    pub async fn update_message(&self, interaction: &Interaction) -> Result<(), SlackApiError> {
        let text = blocks::outcome_text(&interaction.decision, &interaction.user_id);
        self.replace_buttons(interaction, &text).await
    }

    async fn replace_buttons(
        &self,
        interaction: &Interaction,
        text: &str,
    ) -> Result<(), SlackApiError> {
        let (Some(channel), Some(ts)) = (&interaction.channel, &interaction.message_ts) else {
            return Ok(());
        };
        let body = json!({
            "channel": channel,
            "ts": ts,
            "text": text,
            "blocks": blocks::decided_blocks(&interaction.message_blocks, text),
        });
        self.call("chat.update", &body).await.map(|_| ())
    }
}

#[async_trait]
impl ApprovalGateway for SlackApprovals {
    async fn request_approval(
        &self,
        request: &ApprovalRequest,
    ) -> msp_agent_core::CapResult<ApprovalDecision> {
        let pending = self.registry.register(request.clone());
        // On failure `pending` is dropped, which withdraws the request.
        self.post_approval(pending.id(), request).await?;
        pending.await
    }
}
