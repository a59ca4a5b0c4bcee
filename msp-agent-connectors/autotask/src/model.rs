//! The subset of Autotask REST entities the connector reads (unknown fields ignored),
//! picklists, and error mapping.

use chrono::{DateTime, NaiveDateTime, Utc};
use msp_agent_core::CapabilityError;
use msp_agent_http::HttpError;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `GET /v1.0/zoneInformation` answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ZoneInformation {
    pub url: Option<String>,
}

/// `GET /{Entity}/{id}` answer: `{"item": {...}}` (null when there is none).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct One<T> {
    pub item: Option<T>,
}

/// Autotask timestamps are ISO 8601, usually with `Z`, sometimes without an offset
/// (then UTC) and with up to 7 fractional digits.
fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| Some(t.and_utc()))
        .map_err(serde::de::Error::custom)
}

/// `Tickets` entity.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AtTicket {
    pub id: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "companyID")]
    pub company_id: Option<i64>,
    #[serde(rename = "contactID")]
    pub contact_id: Option<i64>,
    pub status: Option<i64>,
    pub priority: Option<i64>,
    #[serde(rename = "queueID")]
    pub queue_id: Option<i64>,
    #[serde(rename = "issueType")]
    pub issue_type: Option<i64>,
    #[serde(rename = "subIssueType")]
    pub sub_issue_type: Option<i64>,
    #[serde(rename = "createDate", default, deserialize_with = "timestamp")]
    pub create_date: Option<DateTime<Utc>>,
}

/// `TicketNotes` entity.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AtNote {
    pub id: i64,
    pub title: Option<String>,
    pub description: Option<String>,
    pub publish: Option<i64>,
    #[serde(rename = "creatorResourceID")]
    pub creator_resource_id: Option<i64>,
    #[serde(rename = "createdByContactID")]
    pub created_by_contact_id: Option<i64>,
    #[serde(rename = "createDateTime", default, deserialize_with = "timestamp")]
    pub create_date_time: Option<DateTime<Utc>>,
}

/// `TimeEntries` entity.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AtTimeEntry {
    #[serde(rename = "resourceID")]
    pub resource_id: Option<i64>,
    #[serde(rename = "hoursWorked")]
    pub hours_worked: Option<f64>,
    #[serde(rename = "startDateTime", default, deserialize_with = "timestamp")]
    pub start: Option<DateTime<Utc>>,
    #[serde(rename = "endDateTime", default, deserialize_with = "timestamp")]
    pub end: Option<DateTime<Utc>>,
    #[serde(rename = "summaryNotes")]
    pub summary_notes: Option<String>,
    #[serde(rename = "isNonBillable")]
    pub is_non_billable: Option<bool>,
}

impl AtTimeEntry {
    /// Minutes worked: the start–end span when both are set, else `hoursWorked`.
    pub fn minutes(&self) -> u32 {
        match (self.start, self.end, self.hours_worked) {
            (Some(s), Some(e), _) if e > s => u32::try_from((e - s).num_minutes()).unwrap_or(0),
            (_, _, Some(h)) if h.is_finite() && h > 0.0 => (h * 60.0).round() as u32,
            _ => 0,
        }
    }
}

/// `Contacts` entity.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AtContact {
    pub id: i64,
    #[serde(rename = "companyID")]
    pub company_id: Option<i64>,
    #[serde(rename = "firstName")]
    pub first_name: Option<String>,
    #[serde(rename = "lastName")]
    pub last_name: Option<String>,
    #[serde(rename = "emailAddress")]
    pub email: Option<String>,
    #[serde(rename = "emailAddress2")]
    pub email2: Option<String>,
    #[serde(rename = "emailAddress3")]
    pub email3: Option<String>,
    pub phone: Option<String>,
    #[serde(rename = "mobilePhone")]
    pub mobile_phone: Option<String>,
    #[serde(rename = "isActive", default)]
    pub is_active: Option<Value>,
}

impl AtContact {
    /// Non-empty e-mail addresses, primary first.
    pub fn emails(&self) -> impl Iterator<Item = &str> {
        [&self.email, &self.email2, &self.email3]
            .into_iter()
            .flatten()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
    }

    /// False only when Autotask says inactive (`0` or `false`).
    pub fn active(&self) -> bool {
        !matches!(&self.is_active, Some(Value::Bool(false)))
            && self.is_active.as_ref().and_then(Value::as_i64) != Some(0)
    }
}

/// One entry of a field's `picklistValues`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PicklistValue {
    pub value: Value,
    pub label: String,
    #[serde(default)]
    pub parent_value: Option<Value>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// One field of `GET /{Entity}/entityInformation/fields`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FieldInfo {
    pub name: String,
    #[serde(default)]
    pub picklist_values: Option<Vec<PicklistValue>>,
}

/// `GET /{Entity}/entityInformation/fields` answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct FieldsInfo {
    pub fields: Vec<FieldInfo>,
}

/// A picklist value as an integer: Autotask sends them as strings (`"1"`) or numbers.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An entry of one picklist: value, label, parent value (sub-issue types), active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub value: i64,
    pub label: String,
    pub parent: Option<i64>,
    pub active: bool,
}

/// The picklists of the `Tickets` entity, by field name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Picklists(Vec<(String, Vec<Choice>)>);

impl Picklists {
    pub fn from_fields(info: FieldsInfo) -> Self {
        Self(
            info.fields
                .into_iter()
                .filter_map(|f| {
                    let choices = f
                        .picklist_values?
                        .into_iter()
                        .filter_map(|p| {
                            Some(Choice {
                                value: as_int(&p.value)?,
                                label: p.label,
                                parent: p.parent_value.as_ref().and_then(as_int),
                                active: p.is_active.unwrap_or(true),
                            })
                        })
                        .collect();
                    Some((f.name, choices))
                })
                .collect(),
        )
    }

    /// The entries of `field` (empty when it is not a picklist).
    pub fn choices(&self, field: &str) -> &[Choice] {
        self.0
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(field))
            .map(|(_, c)| c.as_slice())
            .unwrap_or_default()
    }

    /// The label of `value` in `field`.
    pub fn label(&self, field: &str, value: Option<i64>) -> Option<&str> {
        let value = value?;
        self.choices(field)
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.label.as_str())
    }

    /// The value labelled `label` (case-insensitive; active entries first) in `field`,
    /// under `parent` when given.
    pub fn value(&self, field: &str, label: &str, parent: Option<i64>) -> Option<i64> {
        let label = label.trim();
        let hits: Vec<&Choice> = self
            .choices(field)
            .iter()
            .filter(|c| c.label.trim().eq_ignore_ascii_case(label))
            .filter(|c| parent.is_none() || c.parent == parent)
            .collect();
        hits.iter()
            .find(|c| c.active)
            .or(hits.first())
            .map(|c| c.value)
    }
}

/// The messages of an Autotask error body (`{"errors": ["…", …]}`), when it is one.
fn messages(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let errors = v.get("errors")?.as_array()?;
    let texts: Vec<String> = errors
        .iter()
        .filter_map(|e| match e {
            Value::String(s) => Some(s.clone()),
            other => other.get("message")?.as_str().map(str::to_string),
        })
        .collect();
    (!texts.is_empty()).then(|| texts.join("; "))
}

/// Map an HTTP error, using the Autotask `errors` messages as the error text.
pub(crate) fn map_err(err: HttpError) -> CapabilityError {
    let body = match &err {
        HttpError::InvalidInput { body, .. }
        | HttpError::Server { body, .. }
        | HttpError::UnexpectedStatus { body, .. } => Some(body.as_str()),
        HttpError::Unauthorized(b)
        | HttpError::Forbidden(b)
        | HttpError::NotFound(b)
        | HttpError::Conflict(b) => Some(b.as_str()),
        _ => None,
    };
    let text = body.and_then(messages);
    match (CapabilityError::from(err), text) {
        (CapabilityError::InvalidInput(_), Some(t)) => CapabilityError::InvalidInput(t),
        (CapabilityError::Unauthorized(_), Some(t)) => CapabilityError::Unauthorized(t),
        (CapabilityError::Forbidden(_), Some(t)) => CapabilityError::Forbidden(t),
        (CapabilityError::NotFound(_), Some(t)) => CapabilityError::NotFound(t),
        (CapabilityError::Conflict(_), Some(t)) => CapabilityError::Conflict(t),
        (other, _) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_messages() {
        assert_eq!(
            messages(r#"{"errors":["Invalid filter","second"]}"#).as_deref(),
            Some("Invalid filter; second")
        );
        assert_eq!(
            messages(r#"{"errors":[{"message":"m"}]}"#).as_deref(),
            Some("m")
        );
        assert_eq!(messages("<html>"), None);
    }

    #[test]
    fn picklist_lookup() {
        let info: FieldsInfo = serde_json::from_value(json!({"fields": [
            {"name": "status", "picklistValues": [
                {"value": "1", "label": "New", "isActive": true},
                {"value": 8, "label": "In Progress", "isActive": true}
            ]},
            {"name": "subIssueType", "picklistValues": [
                {"value": "10", "label": "VPN", "parentValue": "3", "isActive": true},
                {"value": "11", "label": "VPN", "parentValue": "4", "isActive": true}
            ]},
            {"name": "title", "picklistValues": null}
        ]}))
        .unwrap_or_else(|e| panic!("{e}"));
        let p = Picklists::from_fields(info);
        assert_eq!(p.value("Status", "in progress", None), Some(8));
        assert_eq!(p.label("status", Some(1)), Some("New"));
        assert_eq!(p.value("subIssueType", "VPN", Some(4)), Some(11));
        assert_eq!(p.value("status", "Gone", None), None);
        assert!(p.choices("title").is_empty());
    }

    #[test]
    fn time_entry_minutes() {
        let e: AtTimeEntry = serde_json::from_value(json!({
            "resourceID": 1, "hoursWorked": 0.1167,
            "startDateTime": "2026-11-25T10:00:00Z", "endDateTime": "2026-11-25T10:07:00Z"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.minutes(), 7);
        let e: AtTimeEntry =
            serde_json::from_value(json!({"hoursWorked": 1.25})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.minutes(), 75);
    }
}
