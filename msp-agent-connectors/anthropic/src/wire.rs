//! Wire format of the Messages API (request body, response, error body).
//!
//! Reference: <https://docs.anthropic.com/en/api/messages>,
//! <https://docs.anthropic.com/en/docs/build-with-claude/tool-use> and
//! <https://docs.anthropic.com/en/api/errors>.

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{ChatMessage, ChatRequest, Role, ToolCall, Usage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request body of `POST /v1/messages`.
#[derive(Debug, Serialize)]
pub(crate) struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<Message<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Message<'a> {
    role: &'static str,
    content: Vec<Block<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block<'a> {
    Text {
        text: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Value,
    },
    ToolResult {
        tool_use_id: &'a str,
        content: &'a str,
    },
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: &'a Value,
}

impl<'a> Body<'a> {
    /// Translate a [`ChatRequest`]: system messages go to the top-level `system`, the rest
    /// become content blocks, and consecutive messages of the same API role (tool results
    /// and user text are both `user`) are merged into one message, as the API requires
    /// alternating roles.
    pub(crate) fn new(
        model: &'a str,
        request: &'a ChatRequest,
        temperature: Option<f64>,
    ) -> Result<Self, CapabilityError> {
        if request.max_tokens == 0 {
            return Err(CapabilityError::InvalidInput(
                "max_tokens must be at least 1".into(),
            ));
        }
        let mut system: Vec<&str> = Vec::new();
        let mut messages: Vec<Message<'a>> = Vec::new();
        for m in &request.messages {
            let (role, blocks) = match m.role {
                Role::System => {
                    system.push(&m.content);
                    continue;
                }
                Role::User => ("user", vec![Block::Text { text: &m.content }]),
                Role::Assistant => ("assistant", assistant_blocks(m)?),
                Role::Tool => {
                    let id = m.tool_call_id.as_deref().ok_or_else(|| {
                        CapabilityError::InvalidInput("tool message without tool_call_id".into())
                    })?;
                    (
                        "user",
                        vec![Block::ToolResult {
                            tool_use_id: id,
                            content: &m.content,
                        }],
                    )
                }
            };
            match messages.last_mut() {
                Some(last) if last.role == role => last.content.extend(blocks),
                _ => messages.push(Message {
                    role,
                    content: blocks,
                }),
            }
        }
        Ok(Self {
            model,
            max_tokens: request.max_tokens,
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            messages,
            tools: request
                .tools
                .iter()
                .map(|t| Tool {
                    name: &t.name,
                    description: &t.description,
                    input_schema: &t.parameters,
                })
                .collect(),
            temperature,
        })
    }
}

/// Text (omitted when empty alongside tool calls: the API rejects empty text blocks),
/// then one `tool_use` block per call with its arguments parsed as a JSON object.
fn assistant_blocks(m: &ChatMessage) -> Result<Vec<Block<'_>>, CapabilityError> {
    let mut blocks = Vec::with_capacity(m.tool_calls.len() + 1);
    if !m.content.is_empty() || m.tool_calls.is_empty() {
        blocks.push(Block::Text { text: &m.content });
    }
    for call in &m.tool_calls {
        let input = if call.arguments.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&call.arguments).map_err(|e| {
                CapabilityError::InvalidInput(format!(
                    "arguments of tool call `{}` ({}) are not valid JSON: {e}",
                    call.id, call.name
                ))
            })?
        };
        if !input.is_object() {
            return Err(CapabilityError::InvalidInput(format!(
                "arguments of tool call `{}` ({}) are not a JSON object",
                call.id, call.name
            )));
        }
        blocks.push(Block::ToolUse {
            id: &call.id,
            name: &call.name,
            input,
        });
    }
    Ok(blocks)
}

/// The response body of a successful `POST /v1/messages`.
#[derive(Debug, Deserialize)]
pub(crate) struct Reply {
    #[serde(default)]
    pub(crate) model: Option<String>,
    content: Vec<InBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: InUsage,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum InBlock {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    /// Block types this provider does not use (thinking, server tools, …).
    #[serde(other)]
    Other,
}

#[derive(Debug, Default, Deserialize)]
struct InUsage {
    #[serde(default)]
    input_tokens: u32,
    #[serde(default)]
    output_tokens: u32,
    #[serde(default)]
    cache_creation_input_tokens: Option<u32>,
    #[serde(default)]
    cache_read_input_tokens: Option<u32>,
}

/// What a reply yields: the assistant message, the stop reason and usage.
pub(crate) struct Outcome {
    pub(crate) message: ChatMessage,
    pub(crate) stop_reason: String,
    pub(crate) usage: Usage,
}

impl Reply {
    /// The reply as an assistant message; one with neither text nor tool calls is a
    /// permanent failure.
    pub(crate) fn into_outcome(self) -> Result<Outcome, CapabilityError> {
        let stop_reason = self.stop_reason.unwrap_or_else(|| "unknown".into());
        let mut texts = Vec::new();
        let mut tool_calls = Vec::new();
        for block in self.content {
            match block {
                InBlock::Text { text } => texts.push(text),
                InBlock::ToolUse { id, name, input } => tool_calls.push(ToolCall {
                    id,
                    name,
                    arguments: input.to_string(),
                }),
                InBlock::Other => {}
            }
        }
        let content = texts.join("\n");
        if content.is_empty() && tool_calls.is_empty() {
            return Err(CapabilityError::Permanent(format!(
                "message has neither text nor tool calls (stop_reason: {stop_reason})"
            )));
        }
        let u = self.usage;
        let cached = u
            .cache_creation_input_tokens
            .unwrap_or(0)
            .saturating_add(u.cache_read_input_tokens.unwrap_or(0));
        Ok(Outcome {
            message: ChatMessage {
                role: Role::Assistant,
                content,
                tool_calls,
                tool_call_id: None,
            },
            stop_reason,
            usage: Usage {
                input_tokens: u.input_tokens.saturating_add(cached),
                output_tokens: u.output_tokens,
            },
        })
    }
}

/// The provider's message from `{"type":"error","error":{"type","message"}}`; the raw
/// body otherwise.
pub(crate) fn provider_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct Envelope {
        error: Detail,
    }
    #[derive(Deserialize)]
    struct Detail {
        #[serde(rename = "type")]
        kind: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_str::<Envelope>(body) {
        Ok(Envelope {
            error:
                Detail {
                    kind,
                    message: Some(message),
                },
        }) => match kind {
            Some(kind) => format!("{message} (type: {kind})"),
            None => message,
        },
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
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}"#
            ),
            "bad (type: invalid_request_error)"
        );
        assert_eq!(provider_message("upstream timeout"), "upstream timeout");
    }
}
