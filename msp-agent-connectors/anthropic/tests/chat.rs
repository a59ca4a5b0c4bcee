//! `AnthropicChat` against a local mock of the Messages API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use msp_agent_anthropic::{ANTHROPIC_VERSION, AnthropicChat, RetryPolicy};
use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ChatMessage, ChatModel, ChatRequest, Role, ToolCall, ToolSpec, Usage,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-ant-test-s3cr3t";
const MODEL: &str = "claude-sonnet-4-5";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn claude(server: &MockServer) -> AnthropicChat {
    AnthropicChat::builder(SecretString::from(KEY), MODEL)
        .base_url(format!("{}/v1", server.uri()))
        .retry(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn msg(role: Role, content: &str) -> ChatMessage {
    ChatMessage {
        role,
        content: content.into(),
        tool_calls: vec![],
        tool_call_id: None,
    }
}

fn tool_result(id: &str, content: &str) -> ChatMessage {
    ChatMessage {
        tool_call_id: Some(id.into()),
        ..msg(Role::Tool, content)
    }
}

fn call(id: &str, arguments: &str) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: "get_ticket".into(),
        arguments: arguments.into(),
    }
}

fn lookup_tool() -> ToolSpec {
    ToolSpec {
        name: "get_ticket".into(),
        description: "Fetch a PSA ticket".into(),
        parameters: json!({
            "type": "object",
            "properties": {"id": {"type": "integer"}},
            "required": ["id"]
        }),
    }
}

/// A conversation with a full tool round trip: two calls, two results, a follow-up.
fn round_trip() -> ChatRequest {
    ChatRequest {
        messages: vec![
            msg(Role::System, "You are an MSP assistant."),
            msg(Role::System, "Never reveal secrets."),
            msg(Role::User, "Compare tickets 1 and 2"),
            ChatMessage {
                tool_calls: vec![
                    call("toolu_1", r#"{"id":1}"#),
                    call("toolu_2", r#"{"id": 2}"#),
                ],
                ..msg(Role::Assistant, "Let me look them up.")
            },
            tool_result("toolu_1", r#"{"summary":"printer"}"#),
            tool_result("toolu_2", r#"{"summary":"vpn"}"#),
            msg(Role::User, "Be brief."),
        ],
        tools: vec![lookup_tool()],
        max_tokens: 300,
    }
}

fn simple() -> ChatRequest {
    ChatRequest {
        messages: vec![msg(Role::User, "hello")],
        tools: vec![],
        max_tokens: 50,
    }
}

fn reply(content: Value, stop_reason: &str) -> Value {
    json!({
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {"input_tokens": 210, "output_tokens": 42}
    })
}

fn text_reply(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(reply(json!([{"type": "text", "text": text}]), "end_turn"))
}

async fn error_of(status: u16, body: &str, request: &ChatRequest) -> (CapabilityError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    let err = claude(&server).complete(request).await.unwrap_err();
    let n = server.received_requests().await.unwrap().len();
    (err, n)
}

#[tokio::test]
async fn sends_exact_round_trip_body_and_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", KEY))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "model": MODEL,
            "max_tokens": 300,
            "system": "You are an MSP assistant.\n\nNever reveal secrets.",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Compare tickets 1 and 2"}]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Let me look them up."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_ticket", "input": {"id": 1}},
                    {"type": "tool_use", "id": "toolu_2", "name": "get_ticket", "input": {"id": 2}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "{\"summary\":\"printer\"}"},
                    {"type": "tool_result", "tool_use_id": "toolu_2", "content": "{\"summary\":\"vpn\"}"},
                    {"type": "text", "text": "Be brief."}
                ]}
            ],
            "tools": [{
                "name": "get_ticket",
                "description": "Fetch a PSA ticket",
                "input_schema": {"type": "object", "properties": {"id": {"type": "integer"}},
                                 "required": ["id"]}
            }]
        })))
        .respond_with(text_reply("Printer vs VPN."))
        .expect(1)
        .mount(&server)
        .await;
    let out = claude(&server).complete(&round_trip()).await.unwrap();
    assert_eq!(out.message, msg(Role::Assistant, "Printer vs VPN."));
    assert_eq!(
        out.usage,
        Usage {
            input_tokens: 210,
            output_tokens: 42
        }
    );
    assert_eq!(ANTHROPIC_VERSION, "2023-06-01");
    server.verify().await;
}

#[tokio::test]
async fn tool_calls_without_text_omit_the_empty_text_block_and_temperature_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({
            "model": MODEL,
            "max_tokens": 50,
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "hello"}]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "toolu_9", "name": "get_ticket", "input": {}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_9", "content": "none"}
                ]}
            ],
            "temperature": 0.5
        })))
        .respond_with(text_reply("done"))
        .expect(1)
        .mount(&server)
        .await;
    let mut request = simple();
    request.messages.push(ChatMessage {
        tool_calls: vec![call("toolu_9", "")],
        ..msg(Role::Assistant, "")
    });
    request.messages.push(tool_result("toolu_9", "none"));
    let model = AnthropicChat::builder(SecretString::from(KEY), MODEL)
        .base_url(server.uri())
        .temperature(0.5)
        .build()
        .unwrap();
    assert_eq!(
        model.complete(&request).await.unwrap().message.content,
        "done"
    );
    server.verify().await;
}

#[tokio::test]
async fn parses_text_and_multiple_tool_use_blocks() {
    let server = MockServer::start().await;
    let content = json!([
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "text", "text": "Looking up both tickets."},
        {"type": "tool_use", "id": "toolu_a", "name": "get_ticket", "input": {"id": 1}},
        {"type": "tool_use", "id": "toolu_b", "name": "reset_mfa", "input": {"user": "bob", "notify": true}}
    ]);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply(content, "tool_use")))
        .mount(&server)
        .await;
    let out = claude(&server).complete(&simple()).await.unwrap();
    assert_eq!(out.message.role, Role::Assistant);
    assert_eq!(out.message.content, "Looking up both tickets.");
    // Arguments compared as JSON: key order depends on serde_json features in the build.
    let calls: Vec<(&str, &str, serde_json::Value)> = out
        .message
        .tool_calls
        .iter()
        .map(|c| {
            let args = serde_json::from_str(&c.arguments).unwrap();
            (c.id.as_str(), c.name.as_str(), args)
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("toolu_a", "get_ticket", json!({"id": 1})),
            (
                "toolu_b",
                "reset_mfa",
                json!({"user": "bob", "notify": true})
            ),
        ]
    );
}

#[tokio::test]
async fn only_tool_use_yields_empty_content() {
    let server = MockServer::start().await;
    let content =
        json!([{"type": "tool_use", "id": "t", "name": "get_ticket", "input": {"id": 3}}]);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(reply(content, "tool_use")))
        .mount(&server)
        .await;
    let out = claude(&server).complete(&simple()).await.unwrap();
    assert_eq!(out.message.content, "");
    assert_eq!(out.message.tool_calls, vec![call("t", r#"{"id":3}"#)]);
}

#[tokio::test]
async fn cache_tokens_count_as_input() {
    let server = MockServer::start().await;
    let mut body = reply(json!([{"type": "text", "text": "ok"}]), "end_turn");
    body["usage"] = json!({"input_tokens": 10, "output_tokens": 5,
        "cache_creation_input_tokens": 100, "cache_read_input_tokens": 1000});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let out = claude(&server).complete(&simple()).await.unwrap();
    assert_eq!(
        out.usage,
        Usage {
            input_tokens: 1110,
            output_tokens: 5
        }
    );
}

#[tokio::test]
async fn invalid_tool_arguments_are_rejected_before_sending() {
    for (arguments, expected) in [
        ("{not json", "are not valid JSON"),
        ("[1,2]", "are not a JSON object"),
    ] {
        let mut request = simple();
        request.messages.push(ChatMessage {
            tool_calls: vec![call("toolu_x", arguments)],
            ..msg(Role::Assistant, "")
        });
        let (err, sent) = error_of(200, "{}", &request).await;
        assert!(
            matches!(&err, CapabilityError::InvalidInput(m) if m.contains("toolu_x") && m.contains(expected)),
            "{err:?}"
        );
        assert_eq!(sent, 0);
    }
}

#[tokio::test]
async fn tool_result_without_id_and_zero_max_tokens_are_invalid() {
    let mut request = simple();
    request.messages.push(msg(Role::Tool, "orphan"));
    let (err, sent) = error_of(200, "{}", &request).await;
    assert_eq!(
        err,
        CapabilityError::InvalidInput("tool message without tool_call_id".into())
    );
    assert_eq!(sent, 0);
    let mut request = simple();
    request.max_tokens = 0;
    let (err, _) = error_of(200, "{}", &request).await;
    assert!(matches!(err, CapabilityError::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn bad_request_surfaces_provider_message_without_retry() {
    let body = r#"{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks"},"request_id":"req_1"}"#;
    let (err, sent) = error_of(400, body, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::InvalidInput(
            "messages.1.content.0: unexpected `tool_use_id` found in `tool_result` blocks (type: invalid_request_error)".into()
        )
    );
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let body =
        r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
    let (err, sent) = error_of(401, body, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Unauthorized("invalid x-api-key (type: authentication_error)".into())
    );
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn rate_limit_is_retried_after_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(text_reply("after the wait"))
        .expect(1)
        .mount(&server)
        .await;
    let start = Instant::now();
    let out = claude(&server).complete(&simple()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "retry-after not honoured"
    );
    assert_eq!(out.message.content, "after the wait");
    server.verify().await;
}

#[tokio::test]
async fn overloaded_529_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(529).set_body_json(
            json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        ))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(text_reply("finally"))
        .expect(1)
        .mount(&server)
        .await;
    let out = claude(&server).complete(&simple()).await.unwrap();
    assert_eq!(out.message.content, "finally");
    server.verify().await;
}

#[tokio::test]
async fn persistent_overload_and_server_errors_are_transient() {
    let overloaded =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let (err, sent) = error_of(529, overloaded, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Transient("HTTP 529: Overloaded (type: overloaded_error)".into())
    );
    assert_eq!(sent, 3);
    let api = r#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#;
    let (err, sent) = error_of(500, api, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Transient("HTTP 500: Internal server error (type: api_error)".into())
    );
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn truncated_json_and_missing_content_are_permanent() {
    let (err, sent) = error_of(200, r#"{"id":"msg_01","content":[{"type":"te"#, &simple()).await;
    assert!(
        matches!(&err, CapabilityError::Permanent(m) if m.starts_with("malformed messages response")),
        "{err:?}"
    );
    assert_eq!(sent, 1);
    let mut no_content = reply(json!([]), "end_turn");
    no_content.as_object_mut().unwrap().remove("content");
    let (err, _) = error_of(200, &no_content.to_string(), &simple()).await;
    assert!(
        matches!(&err, CapabilityError::Permanent(m) if m.contains("missing field `content`")),
        "{err:?}"
    );
    let empty = reply(json!([]), "end_turn");
    let (err, _) = error_of(200, &empty.to_string(), &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Permanent(
            "message has neither text nor tool calls (stop_reason: end_turn)".into()
        )
    );
}

#[tokio::test]
async fn api_key_is_absent_from_debug() {
    let builder = AnthropicChat::builder(SecretString::from(KEY), MODEL);
    assert!(!format!("{builder:?}").contains("s3cr3t"));
    let model = builder.build().unwrap();
    let shown = format!("{model:?}");
    assert!(shown.contains(MODEL), "{shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
}
