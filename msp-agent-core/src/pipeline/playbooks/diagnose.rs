//! The fallback for intents without a playbook: gather what a technician needs, act on nothing.

use crate::domain::{AutomationLevel, Intent};
use crate::error::CapResult;
use crate::pipeline::perceive::{Perception, RequesterCheck};
use crate::pipeline::plan::Plan;
use crate::tool::ToolContext;

/// Diagnose and escalate: requester check, account state, devices, matching SOPs.
pub(crate) async fn diagnose(cx: &ToolContext<'_>, p: &Perception) -> CapResult<Plan> {
    let why = match p.intent.automation() {
        AutomationLevel::Never => "security incidents always go to a human".to_owned(),
        AutomationLevel::Unknown => "the request is not one the agent knows".to_owned(),
        _ => format!("no automated playbook for `{}`", p.intent),
    };
    let mut plan = Plan::escalate("diagnose", &category(p.intent), why);
    match &p.requester {
        RequesterCheck::Verified { user, .. } => plan.findings.push(format!(
            "Requester verified: {} (enabled: {}, locked: {})",
            user.upn, user.state.enabled, user.state.locked
        )),
        RequesterCheck::Unverified { reason } => plan
            .findings
            .push(format!("Requester NOT verified: {reason}")),
    }
    if let Some(user) = &p.affected_user {
        for device in cx
            .caps
            .rmm
            .list_devices(cx.tenant, Some(&user.id))
            .await
            .unwrap_or_default()
        {
            plan.findings.push(format!(
                "Device {} ({}): {}",
                device.name,
                device.os,
                if device.online { "online" } else { "offline" }
            ));
        }
    }
    if p.intent != Intent::Other {
        let query = p.intent.as_str().replace('_', " ");
        for doc in cx
            .caps
            .docs
            .search(cx.tenant, &query, 3)
            .await
            .unwrap_or_default()
        {
            plan.findings.push(format!("SOP: {}", doc.title));
        }
    }
    Ok(plan)
}

fn category(intent: Intent) -> String {
    format!("Triage / {}", intent.as_str().replace('_', " "))
}
