//! `OpenAiChat` against a local mock of the chat-completions API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{
    ChatMessage, ChatModel, ChatRequest, Role, ToolCall, ToolSpec, Usage,
};
use msp_agent_openai::{
    AZURE_API_VERSION, OpenAiChat, OpenAiChatBuilder, RetryPolicy, TokenLimitField,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-s3cr3t";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

fn fast(b: OpenAiChatBuilder) -> OpenAiChat {
    b.retry(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn openai(server: &MockServer) -> OpenAiChat {
    fast(OpenAiChat::openai(SecretString::from(KEY), "gpt-4o-mini").base_url(server.uri()))
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
            msg(Role::User, "Compare tickets 1 and 2"),
            ChatMessage {
                tool_calls: vec![
                    ToolCall {
                        id: "call_1".into(),
                        name: "get_ticket".into(),
                        arguments: r#"{"id":1}"#.into(),
                    },
                    ToolCall {
                        id: "call_2".into(),
                        name: "get_ticket".into(),
                        arguments: r#"{"id":2}"#.into(),
                    },
                ],
                ..msg(Role::Assistant, "")
            },
            tool_result("call_1", r#"{"summary":"printer"}"#),
            tool_result("call_2", r#"{"summary":"vpn"}"#),
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

fn completion(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    })
}

fn text_reply(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(completion(
        json!({"role": "assistant", "content": text}),
        "stop",
    ))
}

async fn error_of(status: u16, body: &str, request: &ChatRequest) -> (CapabilityError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    let err = openai(&server).complete(request).await.unwrap_err();
    let n = server.received_requests().await.unwrap().len();
    (err, n)
}

#[tokio::test]
async fn openai_sends_exact_round_trip_body_and_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", "Bearer sk-test-s3cr3t"))
        .and(header("openai-organization", "org-42"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "You are an MSP assistant."},
                {"role": "user", "content": "Compare tickets 1 and 2"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_ticket", "arguments": "{\"id\":1}"}},
                    {"id": "call_2", "type": "function",
                     "function": {"name": "get_ticket", "arguments": "{\"id\":2}"}}
                ]},
                {"role": "tool", "content": "{\"summary\":\"printer\"}", "tool_call_id": "call_1"},
                {"role": "tool", "content": "{\"summary\":\"vpn\"}", "tool_call_id": "call_2"}
            ],
            "tools": [{"type": "function", "function": {
                "name": "get_ticket",
                "description": "Fetch a PSA ticket",
                "parameters": {"type": "object", "properties": {"id": {"type": "integer"}},
                               "required": ["id"]}
            }}],
            "tool_choice": "auto",
            "max_completion_tokens": 300
        })))
        .respond_with(text_reply(
            "Ticket 1 is a printer issue, ticket 2 a VPN issue.",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let model = fast(
        OpenAiChat::openai(SecretString::from(KEY), "gpt-4o-mini")
            .base_url(server.uri())
            .organization("org-42"),
    );
    let reply = model.complete(&round_trip()).await.unwrap();
    assert_eq!(
        reply.message,
        msg(
            Role::Assistant,
            "Ticket 1 is a printer issue, ticket 2 a VPN issue."
        )
    );
    assert_eq!(
        reply.usage,
        Usage {
            input_tokens: 120,
            output_tokens: 30
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn parses_multiple_tool_calls_with_null_content() {
    let server = MockServer::start().await;
    let message = json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [
            {"id": "call_a", "type": "function",
             "function": {"name": "get_ticket", "arguments": "{\"id\":1}"}},
            {"id": "call_b", "type": "function",
             "function": {"name": "reset_mfa", "arguments": "{\"user\":\"bob\"}"}}
        ]
    });
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(message, "tool_calls")))
        .mount(&server)
        .await;
    let reply = openai(&server).complete(&simple()).await.unwrap();
    assert_eq!(reply.message.role, Role::Assistant);
    assert_eq!(reply.message.content, "");
    assert_eq!(
        reply.message.tool_calls,
        vec![
            ToolCall {
                id: "call_a".into(),
                name: "get_ticket".into(),
                arguments: r#"{"id":1}"#.into()
            },
            ToolCall {
                id: "call_b".into(),
                name: "reset_mfa".into(),
                arguments: r#"{"user":"bob"}"#.into()
            },
        ]
    );
    assert_eq!(reply.usage.output_tokens, 30);
}

#[tokio::test]
async fn without_tools_sends_no_tools_nor_tool_choice_and_honours_options() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_json(json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 50,
            "temperature": 0.25
        })))
        .respond_with(text_reply("hi"))
        .expect(1)
        .mount(&server)
        .await;
    let model = fast(
        OpenAiChat::openai(SecretString::from(KEY), "gpt-4o-mini")
            .base_url(server.uri())
            .token_limit_field(TokenLimitField::MaxTokens)
            .temperature(0.25),
    );
    assert_eq!(
        model.complete(&simple()).await.unwrap().message.content,
        "hi"
    );
    server.verify().await;
}

#[tokio::test]
async fn azure_uses_deployment_url_api_version_and_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/gpt4o-prod/chat/completions"))
        .and(query_param("api-version", AZURE_API_VERSION))
        .and(header("api-key", KEY))
        .and(body_json(json!({
            "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 50
        })))
        .respond_with(text_reply("hi from azure"))
        .expect(1)
        .mount(&server)
        .await;
    let endpoint = format!("{}/", server.uri());
    let model = fast(OpenAiChat::azure(
        &endpoint,
        "gpt4o-prod",
        AZURE_API_VERSION,
        SecretString::from(KEY),
    ));
    assert_eq!(model.model(), "gpt4o-prod");
    let reply = model.complete(&simple()).await.unwrap();
    assert_eq!(reply.message.content, "hi from azure");
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(!sent.headers.contains_key("authorization"));
    server.verify().await;
}

#[tokio::test]
async fn compatible_server_without_key_sends_no_authorization() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_json(json!({
            "model": "llama3.1:8b",
            "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 50
        })))
        .respond_with(text_reply("hi from ollama"))
        .expect(1)
        .mount(&server)
        .await;
    let model = fast(OpenAiChat::compatible(
        format!("{}/v1", server.uri()),
        "llama3.1:8b",
        None,
    ));
    let reply = model.complete(&simple()).await.unwrap();
    assert_eq!(reply.message.content, "hi from ollama");
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(!sent.headers.contains_key("authorization"));
    server.verify().await;
}

#[tokio::test]
async fn compatible_server_with_key_and_object_arguments() {
    let server = MockServer::start().await;
    // Some compatible servers return arguments as a JSON object instead of a string.
    let message = json!({"role": "assistant", "content": "", "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_ticket", "arguments": {"id": 7}}}
    ]});
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer vllm-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(message, "tool_calls")))
        .expect(1)
        .mount(&server)
        .await;
    let model = fast(OpenAiChat::compatible(
        server.uri(),
        "qwen",
        Some(SecretString::from("vllm-key")),
    ));
    let reply = model.complete(&simple()).await.unwrap();
    assert_eq!(reply.message.tool_calls[0].arguments, r#"{"id":7}"#);
    server.verify().await;
}

#[tokio::test]
async fn bad_request_surfaces_provider_message_without_retry() {
    let body = r#"{"error":{"message":"Invalid schema for function 'get_ticket'.","type":"invalid_request_error","param":"tools[0].function.parameters","code":"invalid_function_parameters"}}"#;
    let (err, sent) = error_of(400, body, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::InvalidInput(
            "Invalid schema for function 'get_ticket'. (type: invalid_request_error, code: invalid_function_parameters)".into()
        )
    );
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn unauthorized_is_not_retried() {
    let body = r#"{"error":{"message":"Incorrect API key provided: sk-xx***xx.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#;
    let (err, sent) = error_of(401, body, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Unauthorized(
            "Incorrect API key provided: sk-xx***xx. (type: invalid_request_error, code: invalid_api_key)".into()
        )
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
                .set_body_json(json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}})),
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
    let reply = openai(&server).complete(&simple()).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(reply.message.content, "after the wait");
    server.verify().await;
}

#[tokio::test]
async fn rate_limit_exhausted_is_rate_limited() {
    let (err, sent) = error_of(429, "{}", &simple()).await;
    assert_eq!(err, CapabilityError::RateLimited { retry_after: None });
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn server_error_is_transient_after_retries() {
    let body = r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#;
    let (err, sent) = error_of(500, body, &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Transient(
            "HTTP 500: The server had an error while processing your request. (type: server_error)"
                .into()
        )
    );
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn truncated_json_is_permanent() {
    let (err, sent) = error_of(200, r#"{"id":"chatcmpl-1","choices":[{"mess"#, &simple()).await;
    assert!(
        matches!(&err, CapabilityError::Permanent(m) if m.starts_with("malformed chat completion response")),
        "{err:?}"
    );
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn missing_or_empty_choices_are_permanent() {
    for body in [
        r#"{"id":"chatcmpl-1","object":"chat.completion"}"#,
        r#"{"id":"chatcmpl-1","choices":[]}"#,
    ] {
        let (err, _) = error_of(200, body, &simple()).await;
        assert_eq!(
            err,
            CapabilityError::Permanent("chat completion response has no choices".into())
        );
    }
}

#[tokio::test]
async fn null_content_without_tool_calls_is_permanent() {
    let body = completion(
        json!({"role": "assistant", "content": null}),
        "content_filter",
    );
    let (err, _) = error_of(200, &body.to_string(), &simple()).await;
    assert_eq!(
        err,
        CapabilityError::Permanent(
            "chat completion has neither content nor tool calls (finish_reason: content_filter)"
                .into()
        )
    );
}

#[tokio::test]
async fn tool_message_without_call_id_is_rejected_before_sending() {
    let mut request = simple();
    request.messages.push(msg(Role::Tool, "orphan result"));
    let (err, sent) = error_of(200, "{}", &request).await;
    assert_eq!(
        err,
        CapabilityError::InvalidInput("tool message without tool_call_id".into())
    );
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn api_keys_are_absent_from_debug() {
    let builder = OpenAiChat::openai(SecretString::from(KEY), "gpt-4o-mini").organization("org-9");
    assert!(!format!("{builder:?}").contains("s3cr3t"));
    let model = builder.build().unwrap();
    let shown = format!("{model:?}");
    assert!(shown.contains("gpt-4o-mini"), "{shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
    let azure = OpenAiChat::azure(
        "https://r.openai.azure.com",
        "d",
        AZURE_API_VERSION,
        SecretString::from(KEY),
    );
    assert!(!format!("{azure:?}").contains("s3cr3t"));
    assert!(!format!("{:?}", azure.build().unwrap()).contains("s3cr3t"));
}
