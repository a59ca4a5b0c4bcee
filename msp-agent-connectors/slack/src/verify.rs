//! Verifying that a request comes from Slack, as documented at
//! <https://api.slack.com/authentication/verifying-requests-from-slack>.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::InteractionError;

/// Header carrying the request timestamp (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// Header carrying `v0=<hex HMAC-SHA256>`.
pub const SIGNATURE_HEADER: &str = "x-slack-signature";
/// How far a request timestamp may be from now (Slack recommends five minutes).
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, InteractionError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(InteractionError::MissingHeader(name))
}

/// The `X-Slack-Signature` value Slack sends for `body` at `timestamp`:
/// `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{body}`)).
pub fn sign(signing_secret: &SecretString, timestamp: &str, body: &[u8]) -> String {
    format!(
        "v0={}",
        hex::encode(mac(signing_secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(signing_secret: &SecretString, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(signing_secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// Check the `X-Slack-Request-Timestamp` and `X-Slack-Signature` headers of a request
/// whose raw body is `body`: the timestamp must be within [`MAX_SKEW`] of `now` and the
/// signature must match (compared in constant time).
pub fn verify_signature(
    signing_secret: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<(), InteractionError> {
    let timestamp = header(headers, TIMESTAMP_HEADER)?;
    let signature = header(headers, SIGNATURE_HEADER)?;
    let ts: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| InteractionError::StaleTimestamp)?;
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    if now.abs_diff(ts) > MAX_SKEW.as_secs() {
        return Err(InteractionError::StaleTimestamp);
    }
    let given = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(InteractionError::BadSignature)?;
    mac(signing_secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| InteractionError::BadSignature)
}
