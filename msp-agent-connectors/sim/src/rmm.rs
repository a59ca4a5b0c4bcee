//! The RMM: devices, health, alerts, and a small script library that changes device state.

use async_trait::async_trait;
use chrono::Utc;
use msp_agent_core::capability::Rmm;
use msp_agent_core::domain::{
    Alert, Device, DeviceId, DeviceStatus, DirectoryUser, ScriptResult, TenantId,
};
use msp_agent_core::{CapResult, CapabilityError};
use serde_json::{Value, json};

use crate::SimMsp;
use crate::state::{DeviceRecord, TenantState, call, not_found};

/// The scripts of the simulated RMM library: name, arguments, what it does.
pub const SCRIPT_LIBRARY: &[(&str, &str, &str)] = &[
    (
        "install_package",
        "<package>",
        "install a package from the client's software catalogue",
    ),
    (
        "uninstall_package",
        "<package>",
        "uninstall an installed package",
    ),
    (
        "clear_print_queue",
        "",
        "stop the spooler, delete queued jobs, start the spooler",
    ),
    ("restart_print_spooler", "", "restart the print spooler"),
    ("flush_dns", "", "flush the DNS resolver cache"),
    ("gpupdate", "", "refresh group policy (Windows only)"),
    ("disk_cleanup", "", "delete temporary files"),
    ("clear_outlook_cache", "", "rebuild the Outlook OST cache"),
    ("install_patches", "", "install pending OS patches"),
    ("restart_service", "<service>", "restart a Windows service"),
    ("reboot", "", "restart the device with a user notification"),
    (
        "collect_diagnostics",
        "",
        "report CPU, memory, disk and the busiest process",
    ),
];

fn url(tenant: &TenantId, rest: &str) -> String {
    format!("sim://rmm/{tenant}/{rest}")
}

fn is_mac(d: &DeviceRecord) -> bool {
    d.device.os.starts_with("macOS")
}

fn ok(output: String) -> ScriptResult {
    ScriptResult {
        exit_code: 0,
        output,
    }
}

fn fail(output: String) -> ScriptResult {
    ScriptResult {
        exit_code: 1,
        output,
    }
}

/// A package of the client's software catalogue: (name, version, platforms).
fn catalogue_entry(t: &TenantState, wanted: &str) -> Option<(String, String, Vec<String>)> {
    let packages = t
        .config
        .get("software_catalogue")?
        .get("packages")?
        .as_array()?;
    let wanted = wanted.trim();
    packages.iter().find_map(|p| {
        let name = p.get("name")?.as_str()?;
        let id = p.get("id").and_then(Value::as_str).unwrap_or_default();
        if !name.eq_ignore_ascii_case(wanted) && !id.eq_ignore_ascii_case(wanted) {
            return None;
        }
        let version = p
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let platforms = p
            .get("platforms")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Some((name.to_owned(), version, platforms))
    })
}

fn one_arg<'a>(script: &str, args: &'a [String]) -> CapResult<&'a str> {
    match args {
        [a] if !a.trim().is_empty() => Ok(a.trim()),
        _ => Err(CapabilityError::InvalidInput(format!(
            "script `{script}` takes exactly one argument"
        ))),
    }
}

fn run(
    t: &mut TenantState,
    device: &DeviceId,
    script: &str,
    args: &[String],
) -> CapResult<ScriptResult> {
    if !SCRIPT_LIBRARY.iter().any(|(name, ..)| *name == script) {
        return Err(not_found("script", script));
    }
    let tenant = t.id.clone();
    t.device(device)?;
    let package = if script == "install_package" {
        let wanted = one_arg(script, args)?;
        Some((wanted.to_owned(), catalogue_entry(t, wanted)))
    } else {
        None
    };
    let d = t.device_mut(device)?;
    if !d.device.online {
        return Err(CapabilityError::Transient(format!(
            "device {} offline",
            d.device.name
        )));
    }
    let takes_arg = matches!(
        script,
        "install_package" | "uninstall_package" | "restart_service"
    );
    if !takes_arg && !args.is_empty() {
        return Err(CapabilityError::InvalidInput(format!(
            "script `{script}` takes no arguments"
        )));
    }
    let mac = is_mac(d);
    let result = match script {
        "install_package" => match package {
            Some((wanted, None)) => fail(format!(
                "package `{wanted}` is not in the software catalogue of {tenant}"
            )),
            Some((_, Some((name, version, platforms)))) => {
                let platform = if mac { "macos" } else { "windows" };
                if !platforms.iter().any(|p| p == platform) {
                    fail(format!("{name} is not available for {}", d.device.os))
                } else if d.installed.contains(&name) {
                    ok(format!(
                        "{name} {version} is already installed on {}",
                        d.device.name
                    ))
                } else {
                    d.installed.insert(name.clone());
                    ok(format!("Installed {name} {version} on {}", d.device.name))
                }
            }
            None => fail("no package".to_owned()),
        },
        "uninstall_package" => {
            let wanted = one_arg(script, args)?;
            let found = d
                .installed
                .iter()
                .find(|p| p.eq_ignore_ascii_case(wanted))
                .cloned();
            match found {
                Some(name) => {
                    d.installed.remove(&name);
                    ok(format!("Uninstalled {name} from {}", d.device.name))
                }
                None => fail(format!("`{wanted}` is not installed on {}", d.device.name)),
            }
        }
        "clear_print_queue" => {
            let jobs = std::mem::take(&mut d.print_jobs);
            ok(format!(
                "Stopped Spooler. Deleted {jobs} job(s) from the queue. Started Spooler."
            ))
        }
        "restart_print_spooler" if mac => ok("cupsd restarted.".to_owned()),
        "restart_print_spooler" => {
            ok("The Print Spooler service was restarted successfully.".to_owned())
        }
        "flush_dns" if mac => ok(
            "DNS cache flushed (dscacheutil -flushcache; killall -HUP mDNSResponder).".to_owned(),
        ),
        "flush_dns" => ok("Successfully flushed the DNS Resolver Cache.".to_owned()),
        "gpupdate" if mac => fail("gpupdate is not available on macOS".to_owned()),
        "gpupdate" => ok("Computer Policy update has completed successfully.\n\
                          User Policy update has completed successfully."
            .to_owned()),
        "disk_cleanup" => {
            let freed = std::mem::take(&mut d.temp_gb);
            d.status.disk_free_gb += freed;
            ok(format!(
                "Removed temporary files: {freed:.1} GB freed, {:.1} GB free.",
                d.status.disk_free_gb
            ))
        }
        "clear_outlook_cache" => ok(
            "Closed Outlook and renamed the OST cache; Outlook rebuilds it at next start."
                .to_owned(),
        ),
        "install_patches" => {
            let n = std::mem::take(&mut d.status.pending_patches);
            ok(format!(
                "Installed {n} update(s). A restart is required to finish."
            ))
        }
        "restart_service" => {
            let service = one_arg(script, args)?;
            if mac {
                fail("restart_service is not available on macOS".to_owned())
            } else {
                ok(format!("Service `{service}` restarted."))
            }
        }
        "reboot" => {
            d.status.cpu_percent = d.status.cpu_percent.min(15.0);
            d.status.memory_percent = d.status.memory_percent.min(45.0);
            ok(format!(
                "{} restarted after a 5-minute user notification.",
                d.device.name
            ))
        }
        // collect_diagnostics
        _ => ok(format!(
            "{}: CPU {:.0}%, memory {:.0}%, {:.1} GB free, {} patch(es) pending, top process {}, \
             {} stuck print job(s).",
            d.device.name,
            d.status.cpu_percent,
            d.status.memory_percent,
            d.status.disk_free_gb,
            d.status.pending_patches,
            d.top_process,
            d.print_jobs
        )),
    };
    Ok(result)
}

#[async_trait]
impl Rmm for SimMsp {
    async fn list_devices<'a>(
        &self,
        tenant: &TenantId,
        user: Option<&'a DirectoryUser>,
    ) -> CapResult<Vec<Device>> {
        self.with(tenant, |t| {
            let filter = user.map(|u| format!("?user={}", u.id)).unwrap_or_default();
            call("GET", url(tenant, &format!("devices{filter}")), Value::Null);
            Ok(t.devices
                .values()
                .filter(|d| user.is_none_or(|u| d.device.user.as_ref() == Some(&u.id)))
                .map(|d| d.device.clone())
                .collect())
        })
    }

    async fn device_status(&self, tenant: &TenantId, device: &DeviceId) -> CapResult<DeviceStatus> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("devices/{device}/status")),
                Value::Null,
            );
            let d = t.device(device)?;
            let mut status = d.status.clone();
            status.online = d.device.online;
            if status.online {
                status.last_seen = Utc::now();
            }
            Ok(status)
        })
    }

    async fn run_script(
        &self,
        tenant: &TenantId,
        device: &DeviceId,
        script: &str,
        args: &[String],
    ) -> CapResult<ScriptResult> {
        self.with(tenant, |t| {
            call(
                "POST",
                url(tenant, &format!("devices/{device}/scripts/{script}")),
                json!({ "args": args }),
            );
            let result = run(t, device, script, args)?;
            if let Ok(d) = t.device_mut(device) {
                d.script_runs.push((script.to_owned(), args.to_vec()));
            }
            Ok(result)
        })
    }

    async fn list_alerts<'a>(
        &self,
        tenant: &TenantId,
        device: Option<&'a DeviceId>,
    ) -> CapResult<Vec<Alert>> {
        self.with(tenant, |t| {
            let filter = device.map(|d| format!("?device={d}")).unwrap_or_default();
            call("GET", url(tenant, &format!("alerts{filter}")), Value::Null);
            if let Some(d) = device {
                t.device(d)?;
            }
            Ok(t.alerts
                .iter()
                .filter(|a| device.is_none_or(|d| &a.device == d))
                .cloned()
                .collect())
        })
    }
}
