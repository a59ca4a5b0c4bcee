//! Contract and billing exceptions, checked at closure (DESIGN §7).
//!
//! The client's `contract` configuration record (from
//! [`Documentation`](crate::capability::Documentation)) says which ticket types the plan
//! includes, which are billed on top, and whether after-hours work is covered:
//!
//! ```json
//! { "included": ["password_reset", "account_unlock"],
//!   "billable": ["onboarding", "software_install"],
//!   "after_hours_multiplier": 1.5,
//!   "business_hours": { "start": "08:00", "end": "18:00", "utc_offset": "-05:00",
//!                       "days": ["mon", "tue", "wed", "thu", "fri"] } }
//! ```
//!
//! A ticket whose intent is in neither list, a ticket raised out of business hours when the
//! contract has no `after_hours_multiplier`, or a client with no contract record is an
//! exception: Evaluate flags it in the internal note, logs the agent's time as not billable
//! for a human to review, and reports it in the ticket's result.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use msp_agent_core::domain::Intent;
//! use msp_agent_core::pipeline::{BillingException, billing_exceptions};
//! use serde_json::json;
//!
//! let contract = json!({ "included": ["password_reset"],
//!     "business_hours": { "start": "08:00", "end": "18:00", "utc_offset": "+00:00" } });
//! let saturday_night = Utc.with_ymd_and_hms(2026, 11, 28, 23, 30, 0).unwrap();
//! assert_eq!(
//!     billing_exceptions(Some(&contract), Intent::PrinterIssue, saturday_night),
//!     [
//!         BillingException::NotCovered { intent: Intent::PrinterIssue },
//!         BillingException::AfterHoursNotCovered { local_time: "Sat 23:30".into() },
//!     ]
//! );
//! ```

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::domain::Intent;

/// Why a ticket's work is not simply covered by the client's contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "exception", rename_all = "snake_case")]
pub enum BillingException {
    /// The client has no `contract` record in its documentation.
    NoContract,
    /// The ticket type is neither included in the plan nor billable on top.
    NotCovered {
        /// The ticket's intent.
        intent: Intent,
    },
    /// Raised out of business hours, and the contract has no after-hours cover.
    AfterHoursNotCovered {
        /// When, in the client's time (`Sat 23:30`).
        local_time: String,
    },
}

impl std::fmt::Display for BillingException {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BillingException::NoContract => f.write_str("the client has no contract on record"),
            BillingException::NotCovered { intent } => {
                write!(f, "`{intent}` work is not covered by the client's contract")
            }
            BillingException::AfterHoursNotCovered { local_time } => write!(
                f,
                "raised out of business hours ({local_time}) and the contract has no after-hours cover"
            ),
        }
    }
}

/// The exceptions for a ticket of `intent` raised at `created_at` under `contract` (the
/// client's `contract` record, `None` when there is none).
pub fn billing_exceptions(
    contract: Option<&Value>,
    intent: Intent,
    created_at: DateTime<Utc>,
) -> Vec<BillingException> {
    let Some(contract) = contract else {
        return vec![BillingException::NoContract];
    };
    let mut out = Vec::new();
    let listed = |field: &str| {
        contract[field]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(intent.as_str())))
    };
    if !listed("included") && !listed("billable") {
        out.push(BillingException::NotCovered { intent });
    }
    if contract["after_hours_multiplier"].as_f64().is_none() {
        if let Some(local) = out_of_hours(&contract["business_hours"], created_at) {
            out.push(BillingException::AfterHoursNotCovered { local_time: local });
        }
    }
    out
}

/// The local time (`Sat 23:30`) when `at` falls outside `hours`; `None` inside them, or when
/// the contract states no (readable) business hours.
fn out_of_hours(hours: &Value, at: DateTime<Utc>) -> Option<String> {
    let time = |field: &str| NaiveTime::parse_from_str(hours[field].as_str()?, "%H:%M").ok();
    let (start, end) = (time("start")?, time("end")?);
    let offset = hours["utc_offset"]
        .as_str()
        .and_then(|o| {
            DateTime::parse_from_str(&format!("2000-01-01T00:00:00{o}"), "%Y-%m-%dT%H:%M:%S%:z")
                .ok()
        })
        .map_or_else(|| FixedOffset::east_opt(0), |d| Some(*d.offset()))?;
    let local = at.with_timezone(&offset);
    let day = local.weekday().to_string().to_lowercase();
    let workday = match hours["days"].as_array() {
        Some(days) => days.iter().any(|d| d.as_str() == Some(day.as_str())),
        None => local.weekday().num_days_from_monday() < 5,
    };
    let t = local.time();
    let inside = workday && t >= start && t < end;
    (!inside).then(|| local.format("%a %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        // 2026-11-23 is a Monday.
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    #[test]
    fn covered_work_in_hours_has_no_exception() {
        let c = json!({ "included": ["password_reset"], "billable": ["onboarding"],
            "business_hours": { "start": "08:00", "end": "18:00", "utc_offset": "-05:00" } });
        // Monday 14:00 UTC = 09:00 in UTC-5.
        assert!(billing_exceptions(Some(&c), Intent::PasswordReset, at(23, 14, 0)).is_empty());
        assert!(billing_exceptions(Some(&c), Intent::Onboarding, at(23, 14, 0)).is_empty());
    }

    #[test]
    fn business_hours_boundaries_use_the_client_offset() {
        let c = json!({ "included": ["password_reset"],
            "business_hours": { "start": "08:00", "end": "18:00", "utc_offset": "-05:00" } });
        let ex = |t| billing_exceptions(Some(&c), Intent::PasswordReset, t);
        assert!(ex(at(23, 13, 0)).is_empty(), "08:00 local is inside");
        assert_eq!(
            ex(at(23, 12, 59)),
            [BillingException::AfterHoursNotCovered {
                local_time: "Mon 07:59".into()
            }]
        );
        assert_eq!(
            ex(at(23, 23, 0)),
            [BillingException::AfterHoursNotCovered {
                local_time: "Mon 18:00".into()
            }]
        );
        // Saturday noon local.
        assert_eq!(
            ex(at(28, 17, 0)),
            [BillingException::AfterHoursNotCovered {
                local_time: "Sat 12:00".into()
            }]
        );
    }

    #[test]
    fn after_hours_cover_or_no_stated_hours_is_not_an_exception() {
        let covered = json!({ "included": ["password_reset"], "after_hours_multiplier": 1.5,
            "business_hours": { "start": "08:00", "end": "18:00" } });
        assert!(billing_exceptions(Some(&covered), Intent::PasswordReset, at(28, 3, 0)).is_empty());
        let silent = json!({ "included": ["password_reset"] });
        assert!(billing_exceptions(Some(&silent), Intent::PasswordReset, at(28, 3, 0)).is_empty());
    }

    #[test]
    fn uncovered_types_and_missing_contracts_are_exceptions() {
        let c = json!({ "included": ["password_reset"] });
        assert_eq!(
            billing_exceptions(Some(&c), Intent::PrinterIssue, at(23, 12, 0)),
            [BillingException::NotCovered {
                intent: Intent::PrinterIssue
            }]
        );
        assert_eq!(
            billing_exceptions(None, Intent::PasswordReset, at(23, 12, 0)),
            [BillingException::NoContract]
        );
    }
}
