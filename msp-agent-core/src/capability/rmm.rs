use async_trait::async_trait;

use crate::domain::{Alert, Device, DeviceId, DeviceStatus, DirectoryUser, ScriptResult, TenantId};
use crate::error::CapResult;

/// Remote monitoring and management: devices, health, scripts, alerts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Rmm: Send + Sync {
    /// Devices of a client, or those used by one directory user when given. RMMs record a
    /// device's user in their own way (an id, a UPN, `DOMAIN\\name`); a connector matches
    /// whichever of the user's id, UPN or mail it can.
    async fn list_devices<'a>(
        &self,
        tenant: &TenantId,
        user: Option<&'a DirectoryUser>,
    ) -> CapResult<Vec<Device>>;
    /// Current health of a device.
    async fn device_status(&self, tenant: &TenantId, device: &DeviceId) -> CapResult<DeviceStatus>;
    /// Run a named script (from the RMM's library) with arguments and wait for its result.
    async fn run_script(
        &self,
        tenant: &TenantId,
        device: &DeviceId,
        script: &str,
        args: &[String],
    ) -> CapResult<ScriptResult>;
    /// Open alerts, for one device when given.
    async fn list_alerts<'a>(
        &self,
        tenant: &TenantId,
        device: Option<&'a DeviceId>,
    ) -> CapResult<Vec<Alert>>;
}
