//! Wire format of the chat-completions API (request body, response, error body).
//!
//! Reference: <https://platform.openai.com/docs/api-reference/chat/create> and
//! <https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#chat-completions>.

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{ChatMessage, ChatRequest, Role, ToolCall, Usage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::TokenLimitField;

/// The request body of `POST …/chat/completions`.
#[derive(Debug, Serialize)]
pub(crate) struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Message<'a> {
    role: &'static str,
    /// `null` only for an assistant message that carries tool calls and no text.
    content: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<OutCall<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct OutCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: OutFunction<'a>,
}

#[derive(Debug, Serialize)]
struct OutFunction<'a> {
    name: &'a str,
    arguments: &'a str,
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: ToolFunction<'a>,
}

#[derive(Debug, Serialize)]
struct ToolFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
}

impl<'a> Body<'a> {
    /// Translate a [`ChatRequest`]; a tool message without `tool_call_id` is invalid input.
    pub(crate) fn new(
        model: Option<&'a str>,
        request: &'a ChatRequest,
        token_limit: TokenLimitField,
        temperature: Option<f64>,
    ) -> Result<Self, CapabilityError> {
        let messages = request
            .messages
            .iter()
            .map(Message::from_chat)
            .collect::<Result<Vec<_>, _>>()?;
        let tools: Vec<Tool<'a>> = request
            .tools
            .iter()
            .map(|t| Tool {
                kind: "function",
                function: ToolFunction {
                    name: &t.name,
                    description: &t.description,
                    parameters: &t.parameters,
                },
            })
            .collect();
        let limit = Some(request.max_tokens);
        Ok(Self {
            model,
            tool_choice: (!tools.is_empty()).then_some("auto"),
            tools,
            messages,
            max_completion_tokens: limit
                .filter(|_| token_limit == TokenLimitField::MaxCompletionTokens),
            max_tokens: limit.filter(|_| token_limit == TokenLimitField::MaxTokens),
            temperature,
        })
    }
}

impl<'a> Message<'a> {
    fn from_chat(m: &'a ChatMessage) -> Result<Self, CapabilityError> {
        let text = Some(m.content.as_str());
        Ok(match m.role {
            Role::System => Self::plain("system", text),
            Role::User => Self::plain("user", text),
            Role::Assistant => Self {
                role: "assistant",
                content: text.filter(|t| !t.is_empty() || m.tool_calls.is_empty()),
                tool_calls: m
                    .tool_calls
                    .iter()
                    .map(|c| OutCall {
                        id: &c.id,
                        kind: "function",
                        function: OutFunction {
                            name: &c.name,
                            arguments: &c.arguments,
                        },
                    })
                    .collect(),
                tool_call_id: None,
            },
            Role::Tool => Self {
                tool_call_id: Some(m.tool_call_id.as_deref().ok_or_else(|| {
                    CapabilityError::InvalidInput("tool message without tool_call_id".into())
                })?),
                ..Self::plain("tool", text)
            },
        })
    }

    fn plain(role: &'static str, content: Option<&'a str>) -> Self {
        Self {
            role,
            content,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
}

/// The response body of a successful completion.
#[derive(Debug, Deserialize)]
pub(crate) struct Completion {
    #[serde(default)]
    pub(crate) model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: InMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<InCall>>,
}

#[derive(Debug, Deserialize)]
struct InCall {
    id: String,
    function: InFunction,
}

#[derive(Debug, Deserialize)]
struct InFunction {
    name: String,
    /// A JSON string per the API; some compatible servers send an object instead.
    #[serde(default)]
    arguments: Value,
}

#[derive(Debug, Default, Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

/// What a completion yields: the assistant message, the finish reason and usage.
pub(crate) struct Outcome {
    pub(crate) message: ChatMessage,
    pub(crate) finish_reason: String,
    pub(crate) usage: Usage,
}

impl Completion {
    /// The first choice as an assistant message; no choice or an empty message is a
    /// permanent failure.
    pub(crate) fn into_outcome(self) -> Result<Outcome, CapabilityError> {
        let usage = self.usage.unwrap_or_default();
        let choice = self.choices.into_iter().next().ok_or_else(|| {
            CapabilityError::Permanent("chat completion response has no choices".into())
        })?;
        let finish_reason = choice.finish_reason.unwrap_or_else(|| "unknown".into());
        let InMessage {
            content,
            refusal,
            tool_calls,
        } = choice.message;
        let tool_calls: Vec<ToolCall> = tool_calls
            .unwrap_or_default()
            .into_iter()
            .map(|c| ToolCall {
                id: c.id,
                name: c.function.name,
                arguments: match c.function.arguments {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                },
            })
            .collect();
        let content = content.or(refusal).unwrap_or_default();
        if content.is_empty() && tool_calls.is_empty() {
            return Err(CapabilityError::Permanent(format!(
                "chat completion has neither content nor tool calls (finish_reason: {finish_reason})"
            )));
        }
        Ok(Outcome {
            message: ChatMessage {
                role: Role::Assistant,
                content,
                tool_calls,
                tool_call_id: None,
            },
            finish_reason,
            usage: Usage {
                input_tokens: usage.prompt_tokens,
                output_tokens: usage.completion_tokens,
            },
        })
    }
}

/// The provider's message from an error body `{"error":{"message","type","code"}}`
/// (or `{"error":"…"}`, as some compatible servers send); the raw body otherwise.
pub(crate) fn provider_message(body: &str) -> String {
    let Ok(Value::Object(root)) = serde_json::from_str::<Value>(body) else {
        return body.to_string();
    };
    match root.get("error") {
        Some(Value::String(message)) => message.clone(),
        Some(Value::Object(error)) => {
            let field = |name: &str| match error.get(name) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let mut message = field("message").unwrap_or_else(|| body.to_string());
            let details: Vec<String> = [("type", field("type")), ("code", field("code"))]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
                .collect();
            if !details.is_empty() {
                message.push_str(&format!(" ({})", details.join(", ")));
            }
            message
        }
        _ => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_provider_message() {
        assert_eq!(
            provider_message(
                r#"{"error":{"message":"bad model","type":"invalid_request_error","code":null}}"#
            ),
            "bad model (type: invalid_request_error)"
        );
        assert_eq!(
            provider_message(r#"{"error":{"code":"DeploymentNotFound","message":"nope"}}"#),
            "nope (code: DeploymentNotFound)"
        );
        assert_eq!(
            provider_message(r#"{"error":"model not found"}"#),
            "model not found"
        );
        assert_eq!(provider_message("<html>oops"), "<html>oops");
    }
}
