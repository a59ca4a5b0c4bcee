//! The vault secret and the API key never reach the logs, even at TRACE level.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use msp_agent_core::capability::Documentation;
use msp_agent_core::domain::TenantId;
use wiremock::{MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_are_not_logged() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    api("GET", "/organizations/100/relationships/passwords")
        .respond_with(ResponseTemplate::new(200).set_body_json(collection(
            vec![password_entry(55, CONTOSO_ORG, "Firewall admin")],
            None,
            1,
            1,
        )))
        .mount(&server)
        .await;
    api("GET", "/organizations/100/relationships/passwords/55")
        .respond_with(ResponseTemplate::new(200).set_body_json(password_detail(
            55,
            CONTOSO_ORG,
            "Firewall admin",
            Some(SECRET),
        )))
        .mount(&server)
        .await;
    let secret = itglue(&server.uri())
        .vault_secret(&TenantId::new("contoso"), "Firewall admin")
        .await
        .unwrap();
    tracing::info!(?secret, "done");

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("http.request"), "nothing captured: {text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(API_KEY), "{text}");
}
