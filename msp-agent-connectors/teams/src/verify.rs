//! Verifying outgoing-webhook requests as documented at
//! <https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook>:
//! `Authorization: HMAC <base64(HMAC-SHA256(base64-decoded security token, raw body))>`.
//!
//! Teams sends no timestamp header; the activity's own `timestamp` (inside the signed
//! body) must be within [`MAX_SKEW`] of now, which bounds replays.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use msp_agent_http::HttpError;
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;

use crate::InteractionError;

/// How far an activity timestamp may be from now.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// The decoded security token.
pub(crate) type Key = SecretSlice<u8>;

pub(crate) fn decode_key(security_token: &SecretString) -> Result<Key, HttpError> {
    STANDARD
        .decode(security_token.expose_secret().trim())
        .map(Key::from)
        .map_err(|_| {
            HttpError::InvalidRequest("outgoing webhook security token is not base64".into())
        })
}

fn mac(key: &Key, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    mac
}

/// The `Authorization` header value Teams sends for `body`: `HMAC <base64 digest>`.
pub fn sign(security_token: &SecretString, body: &[u8]) -> Result<String, HttpError> {
    let key = decode_key(security_token)?;
    Ok(format!(
        "HMAC {}",
        STANDARD.encode(mac(&key, body).finalize().into_bytes())
    ))
}

/// Check the `Authorization: HMAC …` header against the raw `body` (constant-time).
pub fn verify_signature(
    security_token: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), InteractionError> {
    let key = decode_key(security_token).map_err(|_| InteractionError::BadSignature)?;
    verify_key(&key, headers, body)
}

pub(crate) fn verify_key(
    key: &Key,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), InteractionError> {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(InteractionError::MissingSignature)?;
    let given = value
        .strip_prefix("HMAC ")
        .ok_or(InteractionError::MissingSignature)?;
    let given = STANDARD
        .decode(given.trim())
        .map_err(|_| InteractionError::BadSignature)?;
    mac(key, body)
        .verify_slice(&given)
        .map_err(|_| InteractionError::BadSignature)
}

pub(crate) fn check_timestamp(
    timestamp: Option<&str>,
    now: SystemTime,
) -> Result<(), InteractionError> {
    let sent = timestamp
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .ok_or(InteractionError::StaleTimestamp)?;
    let now = chrono::DateTime::<chrono::Utc>::from(now);
    let skew = (now - sent.to_utc()).abs();
    match skew.to_std() {
        Ok(d) if d <= MAX_SKEW => Ok(()),
        _ => Err(InteractionError::StaleTimestamp),
    }
}
