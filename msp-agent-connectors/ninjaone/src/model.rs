//! NinjaOne API v2 wire types (only the fields the connector reads) and their mapping.

use chrono::{DateTime, Utc};
use msp_agent_core::domain::{Alert, Device, DeviceId, DirectoryUser, ScriptResult, TenantId};
use serde::Deserialize;
use serde_json::Value;

/// A device of `GET /v2/devices-detailed` and `GET /v2/device/{id}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NjDevice {
    pub id: u64,
    pub organization_id: Option<u64>,
    #[serde(default)]
    pub offline: bool,
    pub system_name: Option<String>,
    pub display_name: Option<String>,
    pub dns_name: Option<String>,
    pub node_class: Option<String>,
    pub os: Option<NjOs>,
    pub last_logged_in_user: Option<String>,
    pub last_contact: Option<f64>,
}

/// `os` of a detailed device.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NjOs {
    pub name: Option<String>,
}

impl NjDevice {
    /// The host name: `systemName`, else `displayName`, else `dnsName`, else the id.
    pub fn name(&self) -> String {
        [&self.system_name, &self.display_name, &self.dns_name]
            .into_iter()
            .flatten()
            .find(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| self.id.to_string())
    }

    /// The OS name, else the node class (e.g. `WINDOWS_WORKSTATION`), else empty.
    pub fn os_name(&self) -> String {
        self.os
            .as_ref()
            .and_then(|o| o.name.clone())
            .or_else(|| self.node_class.clone())
            .unwrap_or_default()
    }

    pub fn to_device(&self, tenant: &TenantId) -> Device {
        Device {
            id: DeviceId::new(self.id.to_string()),
            tenant: tenant.clone(),
            name: self.name(),
            user: None,
            os: self.os_name(),
            online: !self.offline,
        }
    }
}

/// A volume of `GET /v2/device/{id}/volumes` (sizes in bytes).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NjVolume {
    pub device_type: Option<String>,
    pub capacity: Option<f64>,
    pub free_space: Option<f64>,
}

/// Free space in GiB over the device's local volumes (removable, network, optical and
/// zero-capacity volumes are left out).
pub(crate) fn free_gib(volumes: &[NjVolume]) -> f32 {
    let bytes: f64 = volumes
        .iter()
        .filter(|v| {
            let kind = v.device_type.as_deref().unwrap_or("").to_ascii_lowercase();
            !["removable", "network", "cd", "optical"]
                .iter()
                .any(|k| kind.contains(k))
        })
        .filter(|v| v.capacity.is_none_or(|c| c > 0.0))
        .filter_map(|v| v.free_space)
        .filter(|b| *b > 0.0)
        .sum();
    (bytes / f64::from(1u32 << 30)) as f32
}

/// Number of items of a listing answered either as a JSON array or as
/// `{"results": [...]}` (the queries/patch report shape).
pub(crate) fn count_items(body: &Value) -> u32 {
    let len = match body {
        Value::Array(items) => items.len(),
        Value::Object(map) => map
            .get("results")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        _ => 0,
    };
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// An alert of `GET /v2/device/{id}/alerts` and `GET /v2/alerts`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NjAlert {
    pub device_id: Option<u64>,
    pub severity: Option<String>,
    pub priority: Option<String>,
    pub subject: Option<String>,
    pub message: Option<String>,
    pub create_time: Option<f64>,
}

impl NjAlert {
    pub fn to_alert(&self, device: u64) -> Alert {
        let text = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        Alert {
            device: DeviceId::new(device.to_string()),
            severity: text(&self.severity)
                .or_else(|| text(&self.priority))
                .unwrap_or_else(|| "NONE".into()),
            message: text(&self.message)
                .or_else(|| text(&self.subject))
                .unwrap_or_default(),
            at: epoch(self.create_time),
        }
    }
}

/// `GET /v2/device/{id}/activities`: `{"lastActivityId": …, "activities": [...]}` (only
/// the activities are read).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NjActivities {
    #[serde(default)]
    pub activities: Vec<NjActivity>,
}

/// One activity (fields of the API reference's `Activity` schema).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NjActivity {
    pub id: u64,
    pub activity_type: Option<String>,
    pub status_code: Option<String>,
    pub status: Option<String>,
    pub activity_result: Option<String>,
    pub series_uid: Option<String>,
    pub source_name: Option<String>,
    pub message: Option<String>,
    pub data: Option<Value>,
}

/// Status codes that end a script or action run.
const TERMINAL: [&str; 3] = ["COMPLETED", "CANCELLED", "BLOCKED"];

impl NjActivity {
    pub fn is_terminal(&self) -> bool {
        self.status_code
            .as_deref()
            .is_some_and(|c| TERMINAL.contains(&c))
    }

    /// The script result of a terminal activity: the exit code is a numeric `exitCode`
    /// (or `resultCode`) in `data` or `data.message.params` when NinjaOne gives one, else
    /// `0` for `activityResult: SUCCESS` and `1` otherwise; the output is `data.output`
    /// (or `data.message.params.output`) when given, else the activity `message`.
    pub fn to_result(&self) -> ScriptResult {
        let data = self.data.as_ref();
        let params = data.and_then(|d| d.pointer("/message/params"));
        let field = |names: &[&str]| {
            [data, params]
                .into_iter()
                .flatten()
                .flat_map(|v| names.iter().filter_map(move |n| v.get(*n)))
                .next()
                .cloned()
        };
        let exit_code = field(&["exitCode", "resultCode"])
            .and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(match self.activity_result.as_deref() {
                Some("SUCCESS") => 0,
                _ => 1,
            });
        let output = field(&["output"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .or_else(|| self.message.clone())
            .unwrap_or_default();
        ScriptResult { exit_code, output }
    }
}

/// NinjaOne timestamps are epoch seconds (with a fraction); values beyond year 33658 in
/// seconds are taken as milliseconds. Missing or invalid → the Unix epoch.
pub(crate) fn epoch(value: Option<f64>) -> DateTime<Utc> {
    let Some(mut secs) = value.filter(|v| v.is_finite() && *v >= 0.0) else {
        return DateTime::UNIX_EPOCH;
    };
    if secs >= 1e12 {
        secs /= 1000.0;
    }
    let whole = secs.trunc() as i64;
    let nanos = ((secs - secs.trunc()) * 1e9) as u32;
    DateTime::from_timestamp(whole, nanos).unwrap_or(DateTime::UNIX_EPOCH)
}

/// Whether NinjaOne's `lastLoggedInUser` is the directory user.
///
/// NinjaOne records the account that last signed in as `DOMAIN\name`, `name` or a UPN
/// (`name@domain`). It matches when, case-insensitively, the whole value equals the
/// user's UPN or mail, or its account name (the part after `\`, before `@`) equals the
/// local part of the UPN or mail. Empty values never match.
pub(crate) fn user_matches(last_logged_in: &str, user: &DirectoryUser) -> bool {
    let seen = last_logged_in.trim().to_lowercase();
    if seen.is_empty() {
        return false;
    }
    let ids: Vec<String> = [&user.upn, &user.mail]
        .into_iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.contains(&seen) {
        return true;
    }
    let account = seen.rsplit('\\').next().unwrap_or(&seen);
    let account = account.split('@').next().unwrap_or(account);
    !account.is_empty()
        && ids
            .iter()
            .any(|id| id.split('@').next().is_some_and(|local| local == account))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use msp_agent_core::domain::{AccountState, UserId};
    use serde_json::json;

    fn user(upn: &str, mail: &str) -> DirectoryUser {
        DirectoryUser {
            id: UserId::new("u1"),
            tenant: TenantId::new("acme"),
            upn: upn.into(),
            display_name: "Maria".into(),
            mail: mail.into(),
            state: AccountState {
                enabled: true,
                locked: false,
                force_change_password: false,
                password_changed_at: None,
            },
            privileged: false,
            privilege_reason: None,
            manager: None,
        }
    }

    #[test]
    fn user_matching() {
        let maria = user("maria.lopez@acme.example", "maria@acme.example");
        assert!(user_matches("ACME\\maria", &maria));
        assert!(user_matches("ACME\\Maria.Lopez", &maria));
        assert!(user_matches("Maria.Lopez@acme.example", &maria));
        assert!(user_matches("maria", &maria));
        assert!(!user_matches("ACME\\mario", &maria));
        assert!(!user_matches("", &maria));
        assert!(!user_matches("ACME\\", &maria));
        assert!(!user_matches("ACME\\maria", &user("", "")));
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            epoch(Some(1_700_000_000.5)).timestamp_millis(),
            1_700_000_000_500
        );
        assert_eq!(epoch(Some(1_700_000_000_000.0)).timestamp(), 1_700_000_000);
        assert_eq!(epoch(None), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn volumes_and_counts() {
        let v: Vec<NjVolume> = serde_json::from_value(json!([
            {"deviceType": "Local Disk", "capacity": 2.0e11, "freeSpace": 2147483648u64},
            {"deviceType": "Removable Disk", "capacity": 1.0e10, "freeSpace": 1073741824u64},
            {"capacity": 1.0e11, "freeSpace": 1073741824u64}
        ]))
        .unwrap();
        assert!((free_gib(&v) - 3.0).abs() < 1e-6);
        assert_eq!(count_items(&json!([1, 2])), 2);
        assert_eq!(count_items(&json!({"results": [1, 2, 3]})), 3);
        assert_eq!(count_items(&json!(null)), 0);
    }

    #[test]
    fn activity_results() {
        let a: NjActivity = serde_json::from_value(json!({
            "id": 9, "statusCode": "COMPLETED", "activityResult": "FAILURE",
            "message": "Script failed",
            "data": {"message": {"params": {"exitCode": "3", "output": "boom"}}}
        }))
        .unwrap();
        assert!(a.is_terminal());
        assert_eq!(
            a.to_result(),
            ScriptResult {
                exit_code: 3,
                output: "boom".into()
            }
        );
        let b: NjActivity = serde_json::from_value(json!({
            "id": 10, "statusCode": "COMPLETED", "activityResult": "SUCCESS", "message": "ok"
        }))
        .unwrap();
        assert_eq!(
            b.to_result(),
            ScriptResult {
                exit_code: 0,
                output: "ok".into()
            }
        );
    }
}
