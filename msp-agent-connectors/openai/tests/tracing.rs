//! The per-call tracing event: model and tokens, never the key or message content.
//!
//! Alone in its own test binary: a thread-local subscriber races with callsite-interest
//! caching when other tests run concurrently.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use msp_agent_core::capability::{ChatMessage, ChatModel, ChatRequest, Role};
use msp_agent_openai::OpenAiChat;
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
            "id": "chatcmpl-1",
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "CONFIDENTIAL-REPLY"}}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
        })))
        .mount(&server)
        .await;
    let model = OpenAiChat::openai(SecretString::from("sk-test-s3cr3t"), "gpt-4o-mini")
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
    assert!(logs.contains("model=gpt-4o-mini-2024-07-18"), "{logs}");
    assert!(logs.contains("input_tokens=120"), "{logs}");
    assert!(logs.contains("output_tokens=30"), "{logs}");
    assert!(logs.contains("provider=\"openai\""), "{logs}");
    assert!(!logs.contains("s3cr3t"), "{logs}");
    assert!(!logs.contains("CONFIDENTIAL"), "{logs}");
}
