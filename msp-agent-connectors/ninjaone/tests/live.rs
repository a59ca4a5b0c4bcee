//! Read-only checks against a real NinjaOne instance, run only when configured:
//!
//! - `NINJAONE_CLIENT_ID`, `NINJAONE_CLIENT_SECRET`: an API client app (client credentials);
//! - `NINJAONE_ORG_ID`: an organization id to read;
//! - `NINJAONE_INSTANCE` (optional): `app` (default), `us2`, `eu`, `ca`, `oc` or a base URL;
//! - `NINJAONE_DEVICE_ID` (optional): a device of that organization for status and alerts.
//!
//! No script is run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::capability::Rmm;
use msp_agent_core::domain::{DeviceId, TenantId};
use msp_agent_ninjaone::{Instance, NinjaOne, NinjaOneConfig};
use secrecy::SecretString;

fn instance(name: &str) -> Instance {
    match name {
        "" | "app" | "us" => Instance::Us,
        "us2" => Instance::Us2,
        "eu" => Instance::Eu,
        "ca" => Instance::Ca,
        "oc" => Instance::Oc,
        url => Instance::Custom(url.to_string()),
    }
}

#[tokio::test]
async fn live_read_only() {
    let (Ok(id), Ok(secret), Ok(org)) = (
        std::env::var("NINJAONE_CLIENT_ID"),
        std::env::var("NINJAONE_CLIENT_SECRET"),
        std::env::var("NINJAONE_ORG_ID"),
    ) else {
        println!(
            "skipping live NinjaOne test: set NINJAONE_CLIENT_ID, NINJAONE_CLIENT_SECRET and NINJAONE_ORG_ID"
        );
        return;
    };
    let inst = instance(&std::env::var("NINJAONE_INSTANCE").unwrap_or_default());
    let config = NinjaOneConfig::new(inst, id, SecretString::from(secret))
        .tenant("live", org.parse().expect("NINJAONE_ORG_ID is a number"));
    let rmm = NinjaOne::new(config).unwrap();
    let tenant = TenantId::new("live");

    let devices = rmm.list_devices(&tenant, None).await.unwrap();
    println!("{} devices", devices.len());
    assert!(devices.iter().all(|d| d.tenant == tenant));
    if let Ok(device) = std::env::var("NINJAONE_DEVICE_ID") {
        let device = DeviceId::new(device);
        let status = rmm.device_status(&tenant, &device).await.unwrap();
        assert_eq!(status.device, device);
        println!("{status:?}");
        let alerts = rmm.list_alerts(&tenant, Some(&device)).await.unwrap();
        assert!(alerts.iter().all(|a| a.device == device));
    }
}
