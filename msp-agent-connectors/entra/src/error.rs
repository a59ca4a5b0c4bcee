//! Graph error bodies → [`CapabilityError`].
//!
//! Graph answers errors with `{"error": {"code": "...", "message": "..."}}`
//! (<https://learn.microsoft.com/graph/errors>). The HTTP status picks the variant (via
//! msp-agent-http's mapping) except for codes that say more than the status:
//! `Request_ResourceNotFound`/`ResourceNotFound`/`ErrorItemNotFound` are always
//! [`CapabilityError::NotFound`] (Graph sends some with 400), and
//! `Authorization_RequestDenied` is [`CapabilityError::Forbidden`].

use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use serde::Deserialize;

#[derive(Deserialize)]
struct Envelope {
    error: GraphErrorBody,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The Graph error code and message in an HTTP error's body, when it has one.
pub(crate) fn graph_code(err: &HttpError) -> Option<(String, String)> {
    let body = match err {
        HttpError::InvalidInput { body, .. }
        | HttpError::Server { body, .. }
        | HttpError::UnexpectedStatus { body, .. }
        | HttpError::Unauthorized(body)
        | HttpError::Forbidden(body)
        | HttpError::NotFound(body)
        | HttpError::Conflict(body) => body,
        _ => return None,
    };
    let env: Envelope = serde_json::from_str(body).ok()?;
    Some((env.error.code, env.error.message))
}

/// Map an HTTP error from Graph onto a [`CapabilityError`], with `code: message` from the
/// Graph error body as the message when there is one.
pub fn graph_error(err: HttpError) -> CapabilityError {
    let Some((code, message)) = graph_code(&err) else {
        return err.into();
    };
    let text = format!("{code}: {message}");
    match code.as_str() {
        "Request_ResourceNotFound" | "ResourceNotFound" | "ErrorItemNotFound" => {
            return CapabilityError::NotFound(text);
        }
        "Authorization_RequestDenied" => return CapabilityError::Forbidden(text),
        _ => {}
    }
    match CapabilityError::from(err) {
        CapabilityError::NotFound(_) => CapabilityError::NotFound(text),
        CapabilityError::Unauthorized(_) => CapabilityError::Unauthorized(text),
        CapabilityError::Forbidden(_) => CapabilityError::Forbidden(text),
        CapabilityError::InvalidInput(_) => CapabilityError::InvalidInput(text),
        CapabilityError::Conflict(_) => CapabilityError::Conflict(text),
        CapabilityError::Transient(_) => CapabilityError::Transient(text),
        CapabilityError::Permanent(_) => CapabilityError::Permanent(text),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str) -> String {
        format!(r#"{{"error":{{"code":"{code}","message":"msg","innerError":{{}}}}}}"#)
    }

    #[test]
    fn maps_codes_and_statuses() {
        let nf = HttpError::InvalidInput {
            status: 400,
            body: body("Request_ResourceNotFound"),
        };
        assert_eq!(
            graph_error(nf),
            CapabilityError::NotFound("Request_ResourceNotFound: msg".into())
        );
        let denied = HttpError::Forbidden(body("Authorization_RequestDenied"));
        assert_eq!(
            graph_error(denied),
            CapabilityError::Forbidden("Authorization_RequestDenied: msg".into())
        );
        let bad = HttpError::InvalidInput {
            status: 400,
            body: body("Request_BadRequest"),
        };
        assert_eq!(
            graph_error(bad),
            CapabilityError::InvalidInput("Request_BadRequest: msg".into())
        );
        let server = HttpError::Server {
            status: 503,
            body: body("serviceNotAvailable"),
            retry_after: None,
        };
        assert_eq!(
            graph_error(server),
            CapabilityError::Transient("serviceNotAvailable: msg".into())
        );
        // Not a Graph body: the plain mapping.
        assert_eq!(
            graph_error(HttpError::NotFound("<html>".into())),
            CapabilityError::NotFound("<html>".into())
        );
        assert_eq!(
            graph_error(HttpError::RateLimited { retry_after: None }),
            CapabilityError::RateLimited { retry_after: None }
        );
    }
}
