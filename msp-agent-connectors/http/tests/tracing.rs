//! Request spans carry method, path and status, and never credentials.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use msp_agent_http::{Basic, Request, StaticHeaders};
use secrecy::SecretString;
use serde_json::{Value, json};
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
async fn spans_never_contain_credentials() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let keyed = common::builder(&server.uri())
        .auth(
            StaticHeaders::new([("x-api-key", SecretString::from("KEY-s3cr3t".to_string()))])
                .unwrap(),
        )
        .build()
        .unwrap();
    keyed
        .send_json::<Value>(&Request::get("/devices/42").query("apikey", "Q-s3cr3t"))
        .await
        .unwrap();
    let basic = common::builder(&server.uri())
        .auth(Basic::new("u", SecretString::from("PW-s3cr3t".to_string())))
        .build()
        .unwrap();
    basic
        .send_json::<Value>(&Request::post("/tickets").json(&json!({"password": "BODY-s3cr3t"})))
        .await
        .unwrap_err();

    let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("method=GET"), "{out}");
    assert!(out.contains("path=/devices/42"), "{out}");
    assert!(out.contains("status=200"), "{out}");
    assert!(
        out.contains("method=POST") && out.contains("status=404"),
        "{out}"
    );
    assert!(!out.contains("s3cr3t"), "{out}");
    // Basic credentials base64("u:PW-s3cr3t")
    assert!(!out.contains("dTpQVy1zM2NyM3Q"), "{out}");
}
