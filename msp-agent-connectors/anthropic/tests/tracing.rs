//! The per-call tracing event: model and tokens, never the key or message content.
//!
//! Alone in its own test binary: a thread-local subscriber races with callsite-interest
//! caching when other tests run concurrently.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use msp_agent_anthropic::AnthropicChat;
use msp_agent_core::capability::{ChatMessage, ChatModel, ChatRequest, Role};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_model_and_tokens_but_no_key_or_content() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_01",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "CONFIDENTIAL-REPLY"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 210, "output_tokens": 42}
        })))
        .mount(&server)
        .await;
    let model = AnthropicChat::builder(SecretString::from("sk-ant-s3cr3t"), "claude-sonnet-4-5")
        .base_url(server.uri())
        .build()
        .unwrap();
    let request = ChatRequest {
        messages: vec![ChatMessage {
            role: Role::User,
            content: "CONFIDENTIAL-PROMPT".into(),
            tool_calls: vec![],
            tool_call_id: None,
        }],
        tools: vec![],
        max_tokens: 50,
    };
    model.complete(&request).await.unwrap();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("model=claude-sonnet-4-5-20250929"), "{logs}");
    assert!(logs.contains("input_tokens=210"), "{logs}");
    assert!(logs.contains("output_tokens=42"), "{logs}");
    assert!(logs.contains("stop_reason=end_turn"), "{logs}");
    assert!(!logs.contains("s3cr3t"), "{logs}");
    assert!(!logs.contains("CONFIDENTIAL"), "{logs}");
}
