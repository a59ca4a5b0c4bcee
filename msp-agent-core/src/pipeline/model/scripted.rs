//! A scripted [`ChatModel`] for tests: answers from a queue, records every request.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::capability::{ChatMessage, ChatModel, ChatRequest, ChatResponse, Role, ToolCall, Usage};
use crate::error::{CapResult, CapabilityError};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum ScriptedReply {
    /// Plain text.
    Text(String),
    /// Tool calls: `(name, raw argument text)`, which may be malformed on purpose.
    Calls(Vec<(String, String)>),
    /// A provider error.
    Error(CapabilityError),
    /// Wait this long, then give the inner reply (to exercise timeouts).
    Delayed(Duration, Box<ScriptedReply>),
}

/// A deterministic model: each `complete` pops the next reply; when the queue is empty it
/// repeats the `forever` reply if one is set, else fails. Every request is kept for
/// inspection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use msp_agent_core::capability::{ChatModel, ChatRequest};
/// use msp_agent_core::pipeline::model::ScriptedModel;
/// use serde_json::json;
///
/// let model = ScriptedModel::new()
///     .call("lookup_user", json!({ "email": "ann@acme.example" }))
///     .raw_call("reset_password", "{not json")
///     .text("done");
/// let req = ChatRequest { messages: vec![], tools: vec![], max_tokens: 100 };
/// assert_eq!(model.complete(&req).await.unwrap().message.tool_calls[0].name, "lookup_user");
/// assert_eq!(model.complete(&req).await.unwrap().message.tool_calls[0].arguments, "{not json");
/// assert_eq!(model.complete(&req).await.unwrap().message.content, "done");
/// assert!(model.complete(&req).await.is_err());
/// assert_eq!(model.requests().len(), 4);
/// # }
/// ```
#[derive(Debug, Default)]
pub struct ScriptedModel {
    queue: Mutex<VecDeque<ScriptedReply>>,
    forever: Option<ScriptedReply>,
    usage: Usage,
    requests: Mutex<Vec<ChatRequest>>,
}

impl ScriptedModel {
    /// An empty script; each reply reports 100 input and 20 output tokens.
    pub fn new() -> Self {
        ScriptedModel {
            usage: Usage {
                input_tokens: 100,
                output_tokens: 20,
            },
            ..Self::default()
        }
    }

    /// Queue a reply.
    pub fn reply(self, reply: ScriptedReply) -> Self {
        self.queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(reply);
        self
    }

    /// Queue a plain-text answer.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.reply(ScriptedReply::Text(text.into()))
    }

    /// Queue one tool call with JSON arguments.
    pub fn call(self, name: &str, args: Value) -> Self {
        self.raw_call(name, &args.to_string())
    }

    /// Queue one tool call with raw argument text (malformed JSON, smuggled fields, …).
    pub fn raw_call(self, name: &str, arguments: &str) -> Self {
        self.reply(ScriptedReply::Calls(vec![(
            name.to_owned(),
            arguments.to_owned(),
        )]))
    }

    /// Queue several tool calls in one turn.
    pub fn calls(self, calls: Vec<(&str, Value)>) -> Self {
        let calls = calls
            .into_iter()
            .map(|(n, a)| (n.to_owned(), a.to_string()))
            .collect();
        self.reply(ScriptedReply::Calls(calls))
    }

    /// Queue a provider error.
    pub fn error(self, error: CapabilityError) -> Self {
        self.reply(ScriptedReply::Error(error))
    }

    /// When the queue is empty, give this reply every time.
    pub fn forever(mut self, reply: ScriptedReply) -> Self {
        self.forever = Some(reply);
        self
    }

    /// Tokens reported per reply.
    pub fn usage(mut self, usage: Usage) -> Self {
        self.usage = usage;
        self
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replies still queued.
    pub fn remaining(&self) -> usize {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn next(&self) -> Option<ScriptedReply> {
        let popped = self
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        popped.or_else(|| self.forever.clone())
    }

    fn respond(&self, reply: ScriptedReply, turn: usize) -> CapResult<ChatResponse> {
        let (content, tool_calls) = match reply {
            ScriptedReply::Text(t) => (t, Vec::new()),
            ScriptedReply::Calls(calls) => (
                String::new(),
                calls
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, arguments))| ToolCall {
                        id: format!("call_{turn}_{i}"),
                        name,
                        arguments,
                    })
                    .collect(),
            ),
            ScriptedReply::Error(e) => return Err(e),
            ScriptedReply::Delayed(_, inner) => return self.respond(*inner, turn),
        };
        Ok(ChatResponse {
            message: ChatMessage {
                role: Role::Assistant,
                content,
                tool_calls,
                tool_call_id: None,
            },
            usage: self.usage,
        })
    }
}

#[async_trait]
impl ChatModel for ScriptedModel {
    async fn complete(&self, request: &ChatRequest) -> CapResult<ChatResponse> {
        let turn = {
            let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            requests.push(request.clone());
            requests.len()
        };
        let reply = self
            .next()
            .ok_or_else(|| CapabilityError::Permanent("scripted model: script exhausted".into()))?;
        if let ScriptedReply::Delayed(d, _) = &reply {
            tokio::time::sleep(*d).await;
        }
        self.respond(reply, turn)
    }
}
