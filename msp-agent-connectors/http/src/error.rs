//! The error type of every HTTP call and its mapping onto [`CapabilityError`].

use std::time::Duration;

use msp_agent_core::CapabilityError;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::retry::parse_retry_after;

/// Vendor error bodies are truncated to this many characters in error messages.
pub const MAX_ERROR_BODY_CHARS: usize = 500;

/// Why an HTTP call to a vendor failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The vendor rejected the request as invalid (HTTP 400 or 422).
    #[error("invalid request (HTTP {status}): {body}")]
    InvalidInput {
        /// HTTP status code.
        status: u16,
        /// The vendor's error body, truncated to [`MAX_ERROR_BODY_CHARS`].
        body: String,
    },
    /// Credentials missing, expired or rejected (HTTP 401, or the token endpoint refused).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The object does not exist (HTTP 404).
    #[error("not found: {0}")]
    NotFound(String),
    /// The change conflicts with the current state (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Too many requests (HTTP 429).
    #[error("rate limited{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// Delay the vendor asked for (`Retry-After`), when given.
        retry_after: Option<Duration>,
    },
    /// The vendor failed (HTTP 5xx).
    #[error("server error (HTTP {status}): {body}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// The vendor's error body, truncated to [`MAX_ERROR_BODY_CHARS`].
        body: String,
        /// Delay the vendor asked for (`Retry-After`, usually with 503), when given.
        retry_after: Option<Duration>,
    },
    /// The request timed out.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The connection failed (refused, reset, DNS, TLS).
    #[error("connection failed: {0}")]
    Connection(String),
    /// The response could not be decoded.
    #[error("malformed response: {0}")]
    MalformedResponse(String),
    /// Any other unsuccessful status (e.g. 405, 410).
    #[error("unexpected status (HTTP {status}): {body}")]
    UnexpectedStatus {
        /// HTTP status code.
        status: u16,
        /// The vendor's error body, truncated to [`MAX_ERROR_BODY_CHARS`].
        body: String,
    },
    /// The request could not be built (bad URL, header or body): a bug or misconfiguration.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl HttpError {
    /// Build the error for an unsuccessful response from its status, headers and body.
    pub fn from_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let text = truncate(&String::from_utf8_lossy(body));
        let retry_after = || {
            headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after)
        };
        let code = status.as_u16();
        match code {
            400 | 422 => HttpError::InvalidInput {
                status: code,
                body: text,
            },
            401 => HttpError::Unauthorized(text),
            403 => HttpError::Forbidden(text),
            404 => HttpError::NotFound(text),
            409 => HttpError::Conflict(text),
            429 => HttpError::RateLimited {
                retry_after: retry_after(),
            },
            500..=599 => HttpError::Server {
                status: code,
                body: text,
                retry_after: retry_after(),
            },
            _ => HttpError::UnexpectedStatus {
                status: code,
                body: text,
            },
        }
    }

    /// The HTTP status behind this error, when there was a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::InvalidInput { status, .. }
            | HttpError::Server { status, .. }
            | HttpError::UnexpectedStatus { status, .. } => Some(*status),
            HttpError::Unauthorized(_) => Some(401),
            HttpError::Forbidden(_) => Some(403),
            HttpError::NotFound(_) => Some(404),
            HttpError::Conflict(_) => Some(409),
            HttpError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// True for failures worth retrying: 429, 5xx, timeouts and connection failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            HttpError::RateLimited { .. }
                | HttpError::Server { .. }
                | HttpError::Timeout(_)
                | HttpError::Connection(_)
        )
    }

    /// The delay the vendor asked for (`Retry-After`), when given.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::RateLimited { retry_after } | HttpError::Server { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// Map a `reqwest` transport error.
    ///
    /// The URL is stripped (its query may hold an API key); the source chain is kept.
    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        let err = err.without_url();
        let mut msg = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            msg.push_str(": ");
            msg.push_str(&cause.to_string());
            source = cause.source();
        }
        let msg = truncate(&msg);
        if err.is_timeout() {
            HttpError::Timeout(msg)
        } else if err.is_decode() {
            HttpError::MalformedResponse(msg)
        } else if err.is_builder() {
            HttpError::InvalidRequest(msg)
        } else {
            // connect errors, resets, body read failures: all may pass.
            HttpError::Connection(msg)
        }
    }
}

/// Truncate `text` to [`MAX_ERROR_BODY_CHARS`] characters (not bytes), marking the cut.
pub(crate) fn truncate(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(MAX_ERROR_BODY_CHARS) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_string(),
    }
}

impl From<HttpError> for CapabilityError {
    fn from(err: HttpError) -> Self {
        match err {
            HttpError::InvalidInput { body, .. } => CapabilityError::InvalidInput(body),
            HttpError::Unauthorized(m) => CapabilityError::Unauthorized(m),
            HttpError::Forbidden(m) => CapabilityError::Forbidden(m),
            HttpError::NotFound(m) => CapabilityError::NotFound(m),
            HttpError::Conflict(m) => CapabilityError::Conflict(m),
            HttpError::RateLimited { retry_after } => CapabilityError::RateLimited { retry_after },
            e @ (HttpError::Server { .. } | HttpError::Timeout(_) | HttpError::Connection(_)) => {
                CapabilityError::Transient(e.to_string())
            }
            e @ HttpError::MalformedResponse(_) => CapabilityError::Permanent(e.to_string()),
            e @ (HttpError::UnexpectedStatus { .. } | HttpError::InvalidRequest(_)) => {
                CapabilityError::Permanent(e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_char_boundary() {
        let long = "é".repeat(600);
        let t = truncate(&long);
        assert_eq!(t.chars().count(), MAX_ERROR_BODY_CHARS + 1);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn maps_statuses() {
        let h = HeaderMap::new();
        let e = |c: u16| {
            CapabilityError::from(HttpError::from_response(
                StatusCode::from_u16(c).unwrap_or(StatusCode::IM_A_TEAPOT),
                &h,
                b"boom",
            ))
        };
        assert_eq!(e(400), CapabilityError::InvalidInput("boom".into()));
        assert_eq!(e(422), CapabilityError::InvalidInput("boom".into()));
        assert_eq!(e(401), CapabilityError::Unauthorized("boom".into()));
        assert_eq!(e(403), CapabilityError::Forbidden("boom".into()));
        assert_eq!(e(404), CapabilityError::NotFound("boom".into()));
        assert_eq!(e(409), CapabilityError::Conflict("boom".into()));
        assert_eq!(e(429), CapabilityError::RateLimited { retry_after: None });
        assert!(matches!(e(502), CapabilityError::Transient(_)));
        assert!(matches!(e(405), CapabilityError::Permanent(_)));
        let m = CapabilityError::from(HttpError::MalformedResponse("x".into()));
        assert_eq!(
            m,
            CapabilityError::Permanent("malformed response: x".into())
        );
    }
}
