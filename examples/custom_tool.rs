//! A custom tool plugs in like a built-in one: typed arguments with a JSON Schema,
//! validation before it runs, and the policy deciding every call.
//!
//! Run: `cargo run --example custom_tool`

use std::sync::Arc;

use async_trait::async_trait;
use msp_agent::pipeline::{Act, PlannedCall, PolicyGate, StepMeta};
use msp_agent::policy::ActionClass;
use msp_agent::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Arguments: which device to restart the print spooler on.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RestartSpoolerArgs {
    /// RMM device id.
    device: msp_agent::domain::DeviceId,
}

/// Restart the Windows print spooler through the RMM's script library.
struct RestartSpooler;

#[async_trait]
impl Tool for RestartSpooler {
    type Args = RestartSpoolerArgs;
    type Output = i32;
    const NAME: &'static str = "restart_print_spooler";
    const DESCRIPTION: &'static str = "Restart the print spooler service on a device.";
    const CLASS: ActionClass = ActionClass::Write;

    async fn run(&self, cx: &ToolContext<'_>, args: RestartSpoolerArgs) -> Result<i32, ToolError> {
        let result = cx
            .caps
            .rmm
            .run_script(cx.tenant, &args.device, "clear_print_queue", &[])
            .await?;
        Ok(result.exit_code)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let msp = SimMsp::seeded();
    let mut tools = ToolRegistry::builtin();
    tools.register(RestartSpooler);
    println!(
        "schema: {}",
        tools
            .schema("restart_print_spooler")
            .map(|s| s.to_string())
            .unwrap_or_default()
    );

    // The policy learns the tool's class and default tier (approval for a write), and a
    // policy file can graduate it for one client.
    let policy = Policy::from_toml_str(
        "[clients.acme.actions]\nrestart_print_spooler = \"autonomous\"\n",
        "inline",
    )?;
    let gate = PolicyGate::new(
        Arc::new(PolicyEngine::new(policy)),
        Arc::new(tools),
        Arc::new(MemoryAuditSink::new()),
    );

    let caps = msp.capabilities();
    let (tenant, ticket) = (TenantId::from("acme"), TicketId::from("custom-1"));
    let cx = ToolContext::new(&tenant, &ticket, &caps);
    let meta = StepMeta {
        confidence: 0.95,
        reasoning: "printer queue stuck",
        requester: None,
    };

    let device = caps
        .rmm
        .list_devices(&tenant, None)
        .await?
        .into_iter()
        .find(|d| d.online)
        .ok_or("no online device")?;
    let good = PlannedCall::new(
        "restart_print_spooler",
        json!({ "device": device.id }),
        "queue stuck",
    );
    let rec = gate.act(&cx, &good, meta).await;
    println!("valid call   → {:?}, output {:?}", rec.status, rec.output);

    let bad = PlannedCall::new(
        "restart_print_spooler",
        json!({ "device": 7 }),
        "model typo",
    );
    let rec = gate.act(&cx, &bad, meta).await;
    println!(
        "invalid call → {:?}: {}",
        rec.status,
        rec.error.unwrap_or_default()
    );
    Ok(())
}
