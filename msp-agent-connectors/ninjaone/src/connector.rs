//! The [`Rmm`] implementation.

use std::collections::HashSet;

use async_trait::async_trait;
use futures::TryStreamExt;
use msp_agent_core::capability::Rmm;
use msp_agent_core::domain::{
    Alert, Device, DeviceId, DeviceStatus, DirectoryUser, ScriptResult, TenantId,
};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{ClientCredentials, HttpClient, HttpError, Pagination, Request, paginate};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::config::{NinjaOneConfig, ScriptRef, ScriptTarget};
use crate::model::{
    NjActivities, NjActivity, NjAlert, NjDevice, NjVolume, count_items, epoch, free_gib,
    user_matches,
};

/// Activity types a script or built-in action run is recorded under.
const RUN_ACTIVITY_TYPES: [&str; 2] = ["ACTION", "SCRIPTING"];

/// NinjaOne public API v2 as an [`Rmm`].
///
/// Cheap to share (`Arc`); the OAuth token is cached and refreshed before it expires.
pub struct NinjaOne {
    http: HttpClient,
    config: NinjaOneConfig,
}

impl std::fmt::Debug for NinjaOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NinjaOne")
            .field("instance", &self.config.instance)
            .field("client_id", &self.config.client_id)
            .field("tenants", &self.config.tenants.len())
            .field("scripts", &self.config.scripts.len())
            .finish_non_exhaustive()
    }
}

impl NinjaOne {
    /// A connector for `config`; fails on an invalid instance URL.
    pub fn new(config: NinjaOneConfig) -> CapResult<Self> {
        let oauth = ClientCredentials::new(
            config.instance.token_url(),
            config.client_id.clone(),
            config.client_secret.clone(),
            Some(config.scope.clone()),
        )?;
        let mut builder = HttpClient::builder(config.instance.base_url())
            .auth(oauth)
            .retry(config.retry.clone())
            .timeout(config.timeout);
        if let Some(limit) = config.rate_limit {
            builder = builder.rate_limit(limit);
        }
        Ok(Self {
            http: builder.build()?,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &NinjaOneConfig {
        &self.config
    }

    fn organization(&self, tenant: &TenantId) -> CapResult<u64> {
        self.config
            .tenants
            .get(tenant)
            .copied()
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    async fn get<T: DeserializeOwned>(&self, request: Request) -> CapResult<T> {
        Ok(self.http.send_json(&request).await?)
    }

    /// Every device of organization `org`: `GET /v2/devices-detailed?df=org={org}`, paged
    /// with `pageSize` and `after` = the last device id of the previous page. Devices
    /// that name another organization are dropped.
    async fn org_devices(&self, org: u64) -> CapResult<Vec<NjDevice>> {
        let request = Request::get("/v2/devices-detailed")
            .query("df", format!("org={org}"))
            .query("pageSize", self.config.page_size);
        let devices: Vec<NjDevice> = paginate(
            &self.http,
            request,
            Pagination::cursor_from_last_item("after", "id"),
        )
        .try_collect()
        .await?;
        Ok(devices
            .into_iter()
            .filter(|d| {
                let ours = d.organization_id == Some(org);
                if !ours {
                    tracing::warn!(device = d.id, "device of another organization dropped");
                }
                ours
            })
            .collect())
    }

    /// The device, if it exists and belongs to `tenant`'s organization; a device of
    /// another organization is `NotFound` (its existence is not revealed).
    async fn device(&self, tenant: &TenantId, id: &DeviceId) -> CapResult<NjDevice> {
        let org = self.organization(tenant)?;
        let missing = || CapabilityError::NotFound(format!("NinjaOne device {id}"));
        let num: u64 = id.as_str().parse().map_err(|_| missing())?;
        let device: NjDevice = match self
            .http
            .send_json(&Request::get(format!("/v2/device/{num}")))
            .await
        {
            Ok(d) => d,
            Err(HttpError::NotFound(_)) => return Err(missing()),
            Err(e) => return Err(e.into()),
        };
        if device.id != num || device.organization_id != Some(org) {
            return Err(missing());
        }
        Ok(device)
    }

    /// Id of the newest activity of the device (activities are listed newest first), the
    /// baseline for picking a new run's activities with `newerThan`.
    async fn latest_activity(&self, device: u64) -> CapResult<u64> {
        let page: NjActivities = self
            .get(Request::get(format!("/v2/device/{device}/activities")).query("pageSize", 1))
            .await?;
        Ok(page.activities.iter().map(|a| a.id).max().unwrap_or(0))
    }

    /// Wait for the run's terminal activity. The run is the first script/action activity
    /// newer than `baseline` (with `activity_name` = `sourceName` when configured); its
    /// `seriesUid` ties the later activities of the same job to it.
    async fn await_run(
        &self,
        device: u64,
        baseline: u64,
        name: &str,
        script: &ScriptRef,
    ) -> CapResult<ScriptResult> {
        let poll = self.config.poll;
        let deadline = Instant::now() + poll.timeout;
        let mut series: Option<String> = None;
        loop {
            tokio::time::sleep(poll.interval).await;
            let page: NjActivities = self
                .get(
                    Request::get(format!("/v2/device/{device}/activities"))
                        .query("newerThan", baseline)
                        .query("pageSize", 100),
                )
                .await?;
            let mut activities: Vec<NjActivity> = page
                .activities
                .into_iter()
                .filter(|a| a.id > baseline && is_run(a, script))
                .collect();
            activities.sort_by_key(|a| a.id);
            for activity in activities {
                match (&series, &activity.series_uid) {
                    (None, uid) => series = uid.clone().or_else(|| Some(String::new())),
                    (Some(job), Some(uid)) if !job.is_empty() && job != uid => continue,
                    _ => {}
                }
                if !activity.is_terminal() {
                    continue;
                }
                tracing::debug!(device, activity = activity.id, "script run finished");
                return match activity.status_code.as_deref() {
                    Some("COMPLETED") => Ok(activity.to_result()),
                    other => Err(CapabilityError::Permanent(format!(
                        "NinjaOne {} `{name}` on device {device} ended {}: {}",
                        describe(&script.target),
                        other.unwrap_or("?"),
                        activity.status.or(activity.message).unwrap_or_default()
                    ))),
                };
            }
            if Instant::now() >= deadline {
                let job = series
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| "not yet started".to_owned(), |s| format!("job {s}"));
                return Err(CapabilityError::Transient(format!(
                    "NinjaOne {} `{name}` on device {device} did not finish within {:?} ({job}); \
                     it may still run: check the device's activities before running it again",
                    describe(&script.target),
                    poll.timeout
                )));
            }
        }
    }
}

/// Whether an activity can belong to a run of `script`.
fn is_run(activity: &NjActivity, script: &ScriptRef) -> bool {
    let type_ok = activity
        .activity_type
        .as_deref()
        .is_none_or(|t| RUN_ACTIVITY_TYPES.contains(&t));
    let name_ok = match &script.activity_name {
        Some(name) => activity.source_name.as_deref() == Some(name.as_str()),
        None => true,
    };
    type_ok && name_ok
}

fn describe(target: &ScriptTarget) -> String {
    match target {
        ScriptTarget::Script(id) => format!("script {id}"),
        ScriptTarget::Action(uid) => format!("action {uid}"),
    }
}

/// The `parameters` string of a run: arguments separated by spaces, those with
/// whitespace (or empty) in double quotes. Double quotes and control characters are
/// refused, so an argument can never split into several or inject a command.
pub(crate) fn parameters(args: &[String]) -> CapResult<String> {
    args.iter()
        .map(|a| {
            if a.chars().any(|c| c == '"' || c.is_control()) {
                Err(CapabilityError::InvalidInput(format!(
                    "script argument {a:?} holds a double quote or control character"
                )))
            } else if a.is_empty() || a.chars().any(char::is_whitespace) {
                Ok(format!("\"{a}\""))
            } else {
                Ok(a.clone())
            }
        })
        .collect::<CapResult<Vec<_>>>()
        .map(|parts| parts.join(" "))
}

#[async_trait]
impl Rmm for NinjaOne {
    async fn list_devices<'a>(
        &self,
        tenant: &TenantId,
        user: Option<&'a DirectoryUser>,
    ) -> CapResult<Vec<Device>> {
        let org = self.organization(tenant)?;
        if let Some(u) = user.filter(|u| u.tenant != *tenant) {
            return Err(CapabilityError::InvalidInput(format!(
                "user {} of tenant {} asked under tenant {tenant}",
                u.upn, u.tenant
            )));
        }
        let devices = self.org_devices(org).await?;
        Ok(devices
            .iter()
            .filter_map(|d| match user {
                None => Some(d.to_device(tenant)),
                Some(u) => d
                    .last_logged_in_user
                    .as_deref()
                    .is_some_and(|seen| user_matches(seen, u))
                    .then(|| Device {
                        user: Some(u.id.clone()),
                        ..d.to_device(tenant)
                    }),
            })
            .collect())
    }

    async fn device_status(&self, tenant: &TenantId, device: &DeviceId) -> CapResult<DeviceStatus> {
        let d = self.device(tenant, device).await?;
        let volumes: Vec<NjVolume> = self
            .get(Request::get(format!("/v2/device/{}/volumes", d.id)))
            .await?;
        let patches: Value = self
            .get(Request::get(format!("/v2/device/{}/os-patches", d.id)).query("status", "PENDING"))
            .await?;
        Ok(DeviceStatus {
            device: device.clone(),
            online: !d.offline,
            // The public API v2 exposes no current CPU or memory utilisation.
            cpu_percent: 0.0,
            memory_percent: 0.0,
            disk_free_gb: free_gib(&volumes),
            pending_patches: count_items(&patches),
            last_seen: epoch(d.last_contact),
        })
    }

    async fn run_script(
        &self,
        tenant: &TenantId,
        device: &DeviceId,
        script: &str,
        args: &[String],
    ) -> CapResult<ScriptResult> {
        self.organization(tenant)?;
        let Some(sref) = self.config.scripts.get(script) else {
            let mut known: Vec<&str> = self.config.scripts.keys().map(String::as_str).collect();
            known.sort_unstable();
            return Err(CapabilityError::InvalidInput(format!(
                "unknown script `{script}` (configured: {})",
                known.join(", ")
            )));
        };
        let params = parameters(args)?;
        let d = self.device(tenant, device).await?;
        let baseline = self.latest_activity(d.id).await?;
        let mut body = match &sref.target {
            ScriptTarget::Script(id) => json!({"type": "SCRIPT", "id": id}),
            ScriptTarget::Action(uid) => json!({"type": "ACTION", "uid": uid}),
        };
        body["runAs"] = json!(sref.run_as);
        if !params.is_empty() {
            body["parameters"] = json!(params);
        }
        // A POST: the client never retries it, so a script never runs twice by accident.
        self.http
            .send(&Request::post(format!("/v2/device/{}/script/run", d.id)).json(&body))
            .await?;
        tracing::info!(device = d.id, script, "script run requested");
        self.await_run(d.id, baseline, script, sref).await
    }

    async fn list_alerts<'a>(
        &self,
        tenant: &TenantId,
        device: Option<&'a DeviceId>,
    ) -> CapResult<Vec<Alert>> {
        if let Some(id) = device {
            let d = self.device(tenant, id).await?;
            let alerts: Vec<NjAlert> = self
                .get(Request::get(format!("/v2/device/{}/alerts", d.id)))
                .await?;
            return Ok(alerts
                .iter()
                .filter(|a| a.device_id.is_none_or(|n| n == d.id))
                .map(|a| a.to_alert(d.id))
                .collect());
        }
        let org = self.organization(tenant)?;
        let ours: HashSet<u64> = self.org_devices(org).await?.iter().map(|d| d.id).collect();
        let alerts: Vec<NjAlert> = self
            .get(Request::get("/v2/alerts").query("df", format!("org={org}")))
            .await?;
        Ok(alerts
            .iter()
            .filter_map(|a| {
                a.device_id
                    .filter(|n| ours.contains(n))
                    .map(|n| a.to_alert(n))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_parameters() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parameters(&[]).ok(), Some(String::new()));
        assert_eq!(
            parameters(&args(&["-Name", "7-Zip 23", ""])).ok(),
            Some("-Name \"7-Zip 23\" \"\"".into())
        );
        assert!(matches!(
            parameters(&args(&["a\" ; rm -rf /"])),
            Err(CapabilityError::InvalidInput(_))
        ));
        assert!(parameters(&args(&["a\nb"])).is_err());
    }
}
