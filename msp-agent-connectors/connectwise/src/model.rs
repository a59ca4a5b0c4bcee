//! The subset of ConnectWise REST objects the connector reads (unknown fields ignored).

use chrono::{DateTime, Utc};
use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use serde::Deserialize;

/// A reference to another object (`{"id":1,"name":"..","identifier":".."}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Ref {
    pub id: Option<u64>,
    pub name: Option<String>,
    pub identifier: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Info {
    pub date_entered: Option<DateTime<Utc>>,
}

/// `/service/tickets` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CwTicket {
    pub id: u64,
    pub summary: Option<String>,
    pub board: Option<Ref>,
    pub status: Option<Ref>,
    pub company: Option<Ref>,
    pub contact: Option<Ref>,
    pub contact_email_address: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<Ref>,
    pub sub_type: Option<Ref>,
    pub priority: Option<Ref>,
    pub initial_description: Option<String>,
    #[serde(rename = "_info")]
    pub info: Option<Info>,
}

/// `/service/tickets/{id}/notes` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CwNote {
    pub text: Option<String>,
    pub internal_analysis_flag: Option<bool>,
    pub member: Option<Ref>,
    pub contact: Option<Ref>,
    pub created_by: Option<String>,
}

/// `/time/entries` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CwTimeEntry {
    pub member: Option<Ref>,
    pub time_start: Option<DateTime<Utc>>,
    pub time_end: Option<DateTime<Utc>>,
    pub actual_hours: Option<f64>,
    pub billable_option: Option<String>,
    pub notes: Option<String>,
}

/// A contact's communication item (`communicationType` is `Email`, `Phone` or `Fax`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CommunicationItem {
    pub value: Option<String>,
    pub communication_type: Option<String>,
    pub default_flag: Option<bool>,
}

/// `/company/contacts` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CwContact {
    pub id: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<Ref>,
    #[serde(default)]
    pub communication_items: Vec<CommunicationItem>,
}

impl CwContact {
    /// Values of the items of `kind` (`Email`, `Phone`), default item first.
    pub fn items(&self, kind: &str) -> Vec<&str> {
        let mut items: Vec<&CommunicationItem> = self
            .communication_items
            .iter()
            .filter(|i| {
                i.communication_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(kind))
            })
            .collect();
        items.sort_by_key(|i| !i.default_flag.unwrap_or(false));
        items
            .into_iter()
            .filter_map(|i| i.value.as_deref())
            .collect()
    }
}

/// `/service/boards`, `/service/boards/{id}/statuses`, `/service/priorities` … item.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Named {
    pub id: u64,
    pub name: Option<String>,
}

/// The ConnectWise error body: `{"code":"..","message":"..","errors":[{..}]}`.
#[derive(Debug, Clone, Deserialize)]
struct CwError {
    code: Option<String>,
    message: Option<String>,
    #[serde(default)]
    errors: Option<Vec<CwFieldError>>,
}

#[derive(Debug, Clone, Deserialize)]
struct CwFieldError {
    code: Option<String>,
    message: Option<String>,
    field: Option<String>,
}

/// The readable text of a ConnectWise error body (`code: message [field: message; …]`),
/// or the raw text when it is not one.
pub(crate) fn error_text(body: &str) -> String {
    let Ok(err) = serde_json::from_str::<CwError>(body) else {
        return body.to_string();
    };
    let mut text = match (err.code, err.message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m,
        (Some(c), None) => c,
        (None, None) => return body.to_string(),
    };
    let details: Vec<String> = err
        .errors
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            let msg = e.message.or(e.code)?;
            Some(match e.field {
                Some(f) => format!("{f}: {msg}"),
                None => msg,
            })
        })
        .collect();
    if !details.is_empty() {
        text.push_str(&format!(" [{}]", details.join("; ")));
    }
    text
}

/// Map an HTTP error to a capability error, replacing raw ConnectWise error bodies by
/// their `code: message` text.
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
    fn reads_error_bodies() {
        assert_eq!(
            error_text(r#"{"code":"NotFound","message":"Ticket 9 not found","errors":null}"#),
            "NotFound: Ticket 9 not found"
        );
        assert_eq!(
            error_text(
                r#"{"code":"InvalidObject","message":"ticket object is invalid","errors":[{"code":"InvalidValue","message":"Status is invalid","resource":"ticket","field":"status"}]}"#
            ),
            "InvalidObject: ticket object is invalid [status: Status is invalid]"
        );
        assert_eq!(error_text("plain"), "plain");
    }
}
