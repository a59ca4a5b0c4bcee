//! Shared test helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use msp_agent_http::{HttpClient, HttpClientBuilder, RetryPolicy};

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    }
}

pub fn builder(base: &str) -> HttpClientBuilder {
    HttpClient::builder(base)
        .retry(fast_retry())
        .timeout(Duration::from_secs(2))
}

pub fn client(base: &str) -> HttpClient {
    builder(base).build().unwrap()
}
