//! Microsoft Teams approval gateway for msp-agent.
//!
//! [`TeamsApprovals`] posts each approval request to a channel as an Adaptive Card through
//! a **Workflows webhook URL** ("Post to a channel when a webhook request is received"; a
//! legacy incoming-webhook URL works the same), and approvers answer by replying in the
//! card's thread to an **outgoing webhook**: `@MSP Agent approve <id>` or
//! `@MSP Agent reject <id> <reason>`. The embedding app forwards that outgoing-webhook
//! request (raw body + headers) to [`TeamsApprovals::handle_outgoing_webhook`], which
//! verifies its HMAC, resolves the pending approval with the sender (name + Entra object
//! id) as approver, and returns the reply to send back as the HTTP response.
//!
//! Why this pair and not a Bot Framework bot: both are created in the Teams / Workflows UI
//! by a team owner in minutes, with no Azure Bot registration, app manifest, or Entra
//! app — what a small MSP can set up. The price: a webhook-posted card cannot carry
//! working submit buttons (outgoing webhooks support no card action but `openURL`), so the
//! Approve / Reject actions reveal the reply to type, and the decision arrives as a
//! signed @mention.
//!
//! Vendor documentation followed:
//! - Outgoing webhooks, HMAC verification and the 5-second reply:
//!   <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook>
//! - Workflows webhooks and the message format:
//!   <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using>
//! - Activity fields (`from.aadObjectId`, `timestamp`, `text`):
//!   <https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object>
//! - Adaptive Cards: <https://adaptivecards.io/explorer/>
//!
//! Set-up and an HTTP handler example: `docs/connectors/teams.md`.
#![forbid(unsafe_code)]

mod card;
mod verify;

use std::collections::HashSet;
use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;
use http::HeaderMap;
use msp_agent_core::CapResult;
use msp_agent_core::capability::{
    ApprovalDecision, ApprovalGateway, ApprovalId, ApprovalRequest, PendingApprovals, ResolveError,
};
use msp_agent_http::{HttpClient, HttpError, Request, RetryPolicy};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

pub use card::{approval_card, approval_message};
pub use verify::{MAX_SKEW, sign, verify_signature};

/// Why an outgoing-webhook request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InteractionError {
    /// No `Authorization: HMAC …` header.
    #[error("missing `Authorization: HMAC` header")]
    MissingSignature,
    /// The HMAC does not match the body and the webhook's security token.
    #[error("bad signature")]
    BadSignature,
    /// The activity's `timestamp` is unreadable or more than five minutes from now
    /// (possible replay).
    #[error("stale or invalid timestamp")]
    StaleTimestamp,
    /// The body is not a message activity with a sender.
    #[error("malformed payload: {0}")]
    MalformedPayload(String),
    /// The message is authentic but not `approve <id>` / `reject <id> [reason]`.
    #[error("not an approval command")]
    NotACommand,
    /// The sender is not on the allow-list of approvers.
    #[error("Teams user `{user}` may not decide approvals")]
    NotAllowed {
        /// The sender's Entra object id.
        user: String,
    },
    /// The approval id is unknown, expired or already decided.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl InteractionError {
    /// The HTTP status to answer with: 401 when the request is not authentic, 400 when it
    /// is malformed, 200 otherwise (with [`reply`](Self::reply) as body, so the sender
    /// sees why in the thread).
    pub fn http_status(&self) -> u16 {
        match self {
            InteractionError::MissingSignature
            | InteractionError::BadSignature
            | InteractionError::StaleTimestamp => 401,
            InteractionError::MalformedPayload(_) => 400,
            InteractionError::NotACommand
            | InteractionError::NotAllowed { .. }
            | InteractionError::Resolve(_) => 200,
        }
    }

    /// The reply message telling the sender why nothing happened.
    pub fn reply(&self) -> Value {
        let text = match self {
            InteractionError::NotACommand => {
                "Reply with `approve <id>` or `reject <id> <reason>`.".to_owned()
            }
            InteractionError::NotAllowed { .. } => {
                "You are not allowed to decide approvals.".to_owned()
            }
            InteractionError::Resolve(ResolveError::AlreadyDecided { .. }) => {
                "This approval was already decided.".to_owned()
            }
            InteractionError::Resolve(ResolveError::Expired) => {
                "This approval request expired; nothing was done.".to_owned()
            }
            InteractionError::Resolve(ResolveError::Unknown) => "Unknown approval id.".to_owned(),
            other => format!("Refused: {other}."),
        };
        message(text)
    }
}

fn message(text: String) -> Value {
    json!({ "type": "message", "text": text })
}

/// A verified approval command that was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// The approval decided.
    pub id: ApprovalId,
    /// The decision, with approver `teams:<Entra object id> (<name>)`.
    pub decision: ApprovalDecision,
    /// Display name of the approver.
    pub user_name: String,
    /// Entra (AAD) object id of the approver.
    pub aad_object_id: String,
}

impl Interaction {
    /// The reply to return as the HTTP response body (Teams shows it in the thread).
    pub fn reply(&self) -> Value {
        message(match &self.decision {
            ApprovalDecision::Approved { .. } => format!("✅ Approved by {}.", self.user_name),
            ApprovalDecision::Rejected { .. } => format!("⛔ Rejected by {}.", self.user_name),
        })
    }
}

/// Builder of [`TeamsApprovals`]; see [`TeamsApprovals::builder`].
pub struct TeamsApprovalsBuilder {
    webhook_url: SecretString,
    security_token: SecretString,
    mention: String,
    retry: RetryPolicy,
    registry: PendingApprovals,
    allowed: Option<HashSet<String>>,
}

impl fmt::Debug for TeamsApprovalsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeamsApprovalsBuilder")
            .field("mention", &self.mention)
            .finish_non_exhaustive()
    }
}

impl TeamsApprovalsBuilder {
    /// Retry policy of posting (default [`RetryPolicy::default`]). Posting is retried on
    /// 429 / 5xx: a rare duplicate card carries the same approval id, so only one answer
    /// counts.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Share a registry with other gateways (default: a fresh one).
    pub fn registry(mut self, registry: PendingApprovals) -> Self {
        self.registry = registry;
        self
    }

    /// Only these Entra object ids may decide (default: anyone who can post in the team).
    pub fn allowed_approvers<I, S>(mut self, users: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed = Some(users.into_iter().map(Into::into).collect());
        self
    }

    /// Build the gateway; fails on an invalid webhook URL or a security token that is not
    /// base64.
    pub fn build(self) -> Result<TeamsApprovals, HttpError> {
        let url = url::Url::parse(self.webhook_url.expose_secret())
            .map_err(|e| HttpError::InvalidRequest(format!("webhook URL: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(HttpError::InvalidRequest(
                "webhook URL must be http(s)".into(),
            ));
        }
        let key = verify::decode_key(&self.security_token)?;
        // The client only knows the origin: the URL's signature (`sig=`) stays out of
        // its Debug output and spans.
        let client = HttpClient::builder(url.origin().ascii_serialization())
            .retry(self.retry)
            .build()?;
        Ok(TeamsApprovals {
            client,
            webhook_url: self.webhook_url,
            key,
            mention: self.mention,
            registry: self.registry,
            allowed: self.allowed,
        })
    }
}

/// Approvals in a Teams channel. See the [crate docs](crate).
pub struct TeamsApprovals {
    client: HttpClient,
    webhook_url: SecretString,
    key: verify::Key,
    mention: String,
    registry: PendingApprovals,
    allowed: Option<HashSet<String>>,
}

impl fmt::Debug for TeamsApprovals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeamsApprovals")
            .field("client", &self.client)
            .field("mention", &self.mention)
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    #[serde(rename = "type")]
    kind: String,
    timestamp: Option<String>,
    #[serde(default)]
    text: String,
    from: Option<From>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct From {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    aad_object_id: Option<String>,
}

/// `(approve?, id, reason)` from the message text, ignoring `<at>…</at>` mentions.
fn parse_command(text: &str) -> Option<(bool, String, Option<String>)> {
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<at>") {
        plain.push_str(&rest[..start]);
        rest = match rest[start..].find("</at>") {
            Some(end) => &rest[start + end + "</at>".len()..],
            None => "",
        };
    }
    plain.push_str(rest);
    let plain = plain.replace("&nbsp;", " ");
    let mut words = plain.split_whitespace();
    let approve = match words.next()?.to_ascii_lowercase().as_str() {
        "approve" => true,
        "reject" => false,
        _ => return None,
    };
    let id = words.next()?.to_owned();
    let reason = words.collect::<Vec<_>>().join(" ");
    Some((approve, id, (!reason.is_empty()).then_some(reason)))
}

impl TeamsApprovals {
    /// A builder posting to `webhook_url` (the Workflows "When a Teams webhook request is
    /// received" URL; it embeds a signature, so it is a secret), verifying callbacks with
    /// the outgoing webhook's `security_token` (the base64 string Teams shows once), whose
    /// name is `mention` (what approvers @mention).
    pub fn builder(
        webhook_url: SecretString,
        security_token: SecretString,
        mention: impl Into<String>,
    ) -> TeamsApprovalsBuilder {
        TeamsApprovalsBuilder {
            webhook_url,
            security_token,
            mention: mention.into(),
            retry: RetryPolicy::default(),
            registry: PendingApprovals::new(),
            allowed: None,
        }
    }

    /// The registry of pending approvals.
    pub fn registry(&self) -> &PendingApprovals {
        &self.registry
    }

    /// Post the approval card for `request` under `id`.
    pub async fn post_approval(
        &self,
        id: &ApprovalId,
        request: &ApprovalRequest,
    ) -> Result<(), HttpError> {
        let body = approval_message(id, request, &self.mention);
        let req = Request::post(self.webhook_url.expose_secret())
            .json(&body)
            .idempotent(true);
        self.client.send(&req).await.map(|_| ())
    }

    /// Verify and apply an outgoing-webhook request: `headers` and the raw `body` exactly
    /// as received. On success answer HTTP 200 with [`Interaction::reply`] within five
    /// seconds; on error see [`InteractionError::http_status`] and
    /// [`InteractionError::reply`].
    pub fn handle_outgoing_webhook(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Interaction, InteractionError> {
        self.apply_at(headers, body, SystemTime::now())
    }

    /// [`handle_outgoing_webhook`](Self::handle_outgoing_webhook) at a given time.
    pub fn apply_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Interaction, InteractionError> {
        verify::verify_key(&self.key, headers, body)?;
        let activity: Activity = serde_json::from_slice(body)
            .map_err(|e| InteractionError::MalformedPayload(e.to_string()))?;
        verify::check_timestamp(activity.timestamp.as_deref(), now)?;
        if activity.kind != "message" {
            return Err(InteractionError::MalformedPayload(format!(
                "unexpected activity type `{}`",
                activity.kind
            )));
        }
        let from = activity
            .from
            .ok_or_else(|| InteractionError::MalformedPayload("no sender".into()))?;
        let aad_object_id = from
            .aad_object_id
            .ok_or_else(|| InteractionError::MalformedPayload("no sender aadObjectId".into()))?;
        let (approve, id, reason) =
            parse_command(&activity.text).ok_or(InteractionError::NotACommand)?;
        if let Some(allowed) = &self.allowed {
            if !allowed.contains(&aad_object_id) {
                return Err(InteractionError::NotAllowed {
                    user: aad_object_id,
                });
            }
        }
        let user_name = from.name.unwrap_or_default();
        let approver = format!("teams:{aad_object_id} ({user_name})");
        let decision = if approve {
            ApprovalDecision::Approved { approver }
        } else {
            ApprovalDecision::Rejected { approver, reason }
        };
        let id = ApprovalId::from(id);
        self.registry.resolve(&id, decision.clone())?;
        Ok(Interaction {
            id,
            decision,
            user_name,
            aad_object_id,
        })
    }
}

#[async_trait]
impl ApprovalGateway for TeamsApprovals {
    async fn request_approval(&self, request: &ApprovalRequest) -> CapResult<ApprovalDecision> {
        let pending = self.registry.register(request.clone());
        // On failure `pending` is dropped, which withdraws the request.
        self.post_approval(pending.id(), request).await?;
        pending.await
    }
}

#[cfg(test)]
mod tests {
    use super::parse_command;

    #[test]
    fn parses_commands_around_mentions() {
        assert_eq!(
            parse_command("<at>MSP Agent</at> approve abc123\n"),
            Some((true, "abc123".into(), None))
        );
        assert_eq!(
            parse_command("<at>MSP Agent</at>&nbsp;REJECT abc123 not during   business hours"),
            Some((
                false,
                "abc123".into(),
                Some("not during business hours".into())
            ))
        );
        assert_eq!(parse_command("<at>MSP Agent</at> approve"), None);
        assert_eq!(parse_command("<at>MSP Agent</at> hello abc"), None);
        assert_eq!(parse_command("<at>MSP Agent"), None);
    }
}
