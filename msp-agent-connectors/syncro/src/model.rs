//! The subset of Syncro REST objects the connector reads (unknown fields ignored) and the
//! reading of Syncro error bodies.

use chrono::{DateTime, Utc};
use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` or missing → empty list.
fn list_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A person embedded in a ticket (`contact`, `customer`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Person {
    pub email: Option<String>,
}

/// `GET /tickets/{id}` → `{"ticket": …}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TicketEnvelope {
    pub ticket: SyncroTicket,
}

/// A ticket, from `GET /tickets` (`tickets[]`) or `GET /tickets/{id}` (`ticket`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SyncroTicket {
    pub id: u64,
    pub subject: Option<String>,
    pub customer_id: Option<u64>,
    pub contact_id: Option<u64>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub problem_type: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub contact: Option<Person>,
    pub customer: Option<Person>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub comments: Vec<SyncroComment>,
    #[serde(default, deserialize_with = "list_or_null")]
    pub ticket_timers: Vec<SyncroTimer>,
}

/// A ticket comment (`ticket.comments[]`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SyncroComment {
    pub id: Option<u64>,
    pub created_at: Option<DateTime<Utc>>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub tech: Option<String>,
    pub hidden: Option<bool>,
}

/// A ticket timer (`ticket.ticket_timers[]`, or the answer of `POST …/timer_entry`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SyncroTimer {
    pub user_id: Option<u64>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: Option<DateTime<Utc>>,
    pub billable: Option<bool>,
    pub notes: Option<String>,
    /// Seconds.
    pub active_duration: Option<f64>,
}

impl SyncroTimer {
    /// Whole minutes worked: `active_duration`, else end − start.
    pub fn minutes(&self) -> u32 {
        let secs = match (self.active_duration, self.start_time, self.end_time) {
            (Some(d), _, _) => d,
            (None, Some(start), Some(end)) => (end - start).num_seconds() as f64,
            _ => 0.0,
        };
        (secs / 60.0).round().clamp(0.0, f64::from(u32::MAX)) as u32
    }
}

/// A contact (`GET /contacts` → `contacts[]`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SyncroContact {
    pub id: u64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub customer_id: Option<u64>,
}

/// `GET /contacts/{id}`: the contact, wrapped in `{"contact": …}` or bare.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneContact {
    Wrapped { contact: SyncroContact },
    Bare(SyncroContact),
}

impl OneContact {
    pub fn into_inner(self) -> SyncroContact {
        match self {
            OneContact::Wrapped { contact } | OneContact::Bare(contact) => contact,
        }
    }
}

/// The human text of a Syncro error body: `{"message": "Not found"}`,
/// `{"success": false, "message": ["Body can't be blank", …]}`, `{"error": "…"}` or
/// `{"errors": …}`; anything else verbatim.
pub(crate) fn vendor_message(body: &str) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return body.to_string();
    };
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            Value::Object(_) => Some(v.to_string()),
            _ => None,
        }
    };
    ["message", "error", "errors"]
        .iter()
        .find_map(|k| json.get(k).and_then(text))
        .unwrap_or_else(|| body.to_string())
}

/// An HTTP failure as a [`CapabilityError`], with the vendor's message as its text.
pub(crate) fn to_capability(err: HttpError) -> CapabilityError {
    let err = match err {
        HttpError::InvalidInput { status, body } => HttpError::InvalidInput {
            status,
            body: vendor_message(&body),
        },
        HttpError::Unauthorized(b) => HttpError::Unauthorized(vendor_message(&b)),
        HttpError::Forbidden(b) => HttpError::Forbidden(vendor_message(&b)),
        HttpError::NotFound(b) => HttpError::NotFound(vendor_message(&b)),
        other => other,
    };
    err.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_syncro_error_bodies() {
        assert_eq!(vendor_message(r#"{"message":"Not found"}"#), "Not found");
        assert_eq!(
            vendor_message(
                r#"{"success":false,"message":["Body can't be blank","Subject can't be blank"]}"#
            ),
            "Body can't be blank; Subject can't be blank"
        );
        assert_eq!(
            vendor_message(r#"{"error":"Customer required field"}"#),
            "Customer required field"
        );
        assert_eq!(vendor_message("Bad Gateway"), "Bad Gateway");
    }

    #[test]
    fn timer_minutes() {
        let t: SyncroTimer = serde_json::from_value(serde_json::json!({
            "start_time": "2019-11-05T12:15:59.000Z",
            "end_time": "2019-11-05T12:25:59.000Z",
            "active_duration": null
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.minutes(), 10);
        let t: SyncroTimer = serde_json::from_value(serde_json::json!({"active_duration": 359}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.minutes(), 6);
    }
}
