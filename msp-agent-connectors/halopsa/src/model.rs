//! The subset of Halo API objects the connector reads (unknown fields ignored).

use chrono::{DateTime, NaiveDateTime, Utc};
use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use serde::Deserialize;
use serde_json::Value;

/// `GET /api/Tickets/{id}` and the items of `GET /api/Tickets` (`tickets`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct HaloTicket {
    pub id: u64,
    pub client_id: Option<u64>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub status_id: Option<u64>,
    pub priority_id: Option<u64>,
    pub user_id: Option<i64>,
    pub user_email: Option<String>,
    pub team: Option<String>,
    pub category_1: Option<String>,
    pub dateoccurred: Option<String>,
}

/// Items of `GET /api/Actions?ticket_id=` (`actions`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct HaloAction {
    pub ticket_id: Option<u64>,
    pub note: Option<String>,
    pub who: Option<String>,
    pub who_agentid: Option<i64>,
    pub hiddenfromuser: Option<bool>,
    pub timetaken: Option<f64>,
    pub actisbillable: Option<bool>,
}

/// `GET /api/Users/{id}` and the items of `GET /api/Users` (`users`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct HaloUser {
    pub id: u64,
    pub name: Option<String>,
    pub client_id: Option<u64>,
    pub emailaddress: Option<String>,
    pub phonenumber_preferred: Option<String>,
    pub phonenumber: Option<String>,
    pub mobilenumber: Option<String>,
}

/// Items of `GET /api/Status` and `GET /api/Team`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Named {
    pub id: u64,
    pub name: Option<String>,
}

/// `GET /api/Actions` answer: `{"record_count": n, "actions": [...]}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ActionList {
    #[serde(default)]
    pub actions: Vec<HaloAction>,
}

/// A Halo timestamp: RFC 3339, or without offset (Halo stores UTC).
pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// The readable part of a Halo error body: a JSON string, or the `message` /
/// `error_description` / `error` of a JSON object; otherwise the raw text.
pub(crate) fn error_text(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => ["message", "Message", "error_description", "error"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .map_or_else(|| body.to_string(), str::to_string),
        _ => body.to_string(),
    }
}

/// Map an HTTP error onto a capability error, reducing Halo error bodies to their text.
pub(crate) fn map_err(err: HttpError) -> CapabilityError {
    match err {
        HttpError::InvalidInput { body, .. } => CapabilityError::InvalidInput(error_text(&body)),
        HttpError::Unauthorized(b) => CapabilityError::Unauthorized(error_text(&b)),
        HttpError::Forbidden(b) => CapabilityError::Forbidden(error_text(&b)),
        HttpError::NotFound(b) => CapabilityError::NotFound(error_text(&b)),
        HttpError::Conflict(b) => CapabilityError::Conflict(error_text(&b)),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_halo_times() {
        let want = "2026-11-20T09:15:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(parse_time("2026-11-20T09:15:00"), want);
        assert_eq!(parse_time("2026-11-20T09:15:00.000Z"), want);
        assert_eq!(parse_time("2026-11-20T10:15:00+01:00"), want);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn reads_error_bodies() {
        assert_eq!(error_text(r#""Ticket not found""#), "Ticket not found");
        assert_eq!(
            error_text(r#"{"error":"invalid_client","error_description":"Bad secret"}"#),
            "Bad secret"
        );
        assert_eq!(error_text(r#"{"id":1}"#), r#"{"id":1}"#);
        assert_eq!(error_text("plain"), "plain");
    }
}
