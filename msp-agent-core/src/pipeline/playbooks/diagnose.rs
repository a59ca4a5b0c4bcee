//! The fallback for intents without a playbook, low-confidence tickets and security
//! incidents: gather what a technician needs across the stack, act on nothing.

use futures::future::join_all;

use crate::domain::{AutomationLevel, Device, DirectoryUser, Intent, Ticket, TicketStatus};
use crate::pipeline::perceive::{Perception, RequesterCheck};
use crate::pipeline::plan::Plan;
use crate::tool::ToolContext;

/// Open tickets of the same requester listed in the findings, at most.
const RECENT_TICKETS: u32 = 5;

/// Diagnose and escalate. Reads, all at once: the account (state, MFA methods, groups), the
/// user's devices (health, pending patches, recent alerts), the requester's other open
/// tickets and the client's matching SOPs. A read that fails is reported as a finding; it
/// never stops the escalation.
pub(crate) async fn diagnose(cx: &ToolContext<'_>, t: &Ticket, p: &Perception) -> Plan {
    let why = match p.intent.automation() {
        AutomationLevel::Never => "security incidents always go to a human".to_owned(),
        AutomationLevel::Unknown => "the request is not one the agent knows".to_owned(),
        _ => format!("no automated playbook for `{}`", p.intent),
    };
    let mut plan = Plan::escalate("diagnose", &category(p.intent), why);
    plan.findings.push(match &p.requester {
        RequesterCheck::Verified { user, .. } => format!("Requester verified: {}", user.upn),
        RequesterCheck::Unverified { reason } => format!("Requester NOT verified: {reason}"),
    });

    let (account, devices, history, sops) = futures::join!(
        account(cx, p.affected_user.as_ref()),
        devices(cx, p.affected_user.as_ref()),
        history(cx, t),
        sops(cx, p.intent),
    );
    plan.findings.extend(account);
    plan.findings.extend(devices);
    plan.findings.extend(history);
    plan.findings.extend(sops);
    plan
}

async fn account(cx: &ToolContext<'_>, user: Option<&DirectoryUser>) -> Vec<String> {
    let Some(user) = user else {
        return vec!["Account: no directory account identified".to_owned()];
    };
    let s = &user.state;
    let mut out = vec![format!(
        "Account {}: {}, {}{}",
        user.upn,
        if s.enabled { "enabled" } else { "DISABLED" },
        if s.locked { "LOCKED" } else { "not locked" },
        if user.privileged { ", privileged" } else { "" },
    )];
    let (methods, groups) = futures::join!(
        cx.caps.identity.list_auth_methods(cx.tenant, &user.id),
        cx.caps.identity.list_user_groups(cx.tenant, &user.id),
    );
    out.push(match methods {
        Ok(m) => format!(
            "Sign-in methods: {}",
            m.iter()
                .map(|m| format!("{:?}", m.kind).to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => format!("Sign-in methods: unavailable ({e})"),
    });
    out.push(match groups {
        Ok(g) => format!(
            "Groups: {}",
            g.iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => format!("Groups: unavailable ({e})"),
    });
    out
}

async fn devices(cx: &ToolContext<'_>, user: Option<&DirectoryUser>) -> Vec<String> {
    let Some(user) = user else {
        return Vec::new();
    };
    match cx.caps.rmm.list_devices(cx.tenant, Some(user)).await {
        Ok(devices) => join_all(devices.iter().map(|d| device(cx, d)))
            .await
            .into_iter()
            .flatten()
            .collect(),
        Err(e) => vec![format!("Devices: unavailable ({e})")],
    }
}

async fn device(cx: &ToolContext<'_>, d: &Device) -> Vec<String> {
    let (status, alerts) = futures::join!(
        cx.caps.rmm.device_status(cx.tenant, &d.id),
        cx.caps.rmm.list_alerts(cx.tenant, Some(&d.id)),
    );
    let mut out = vec![match status {
        Ok(s) => format!(
            "Device {} ({}): {}, CPU {:.0}%, memory {:.0}%, {:.1} GB free, {} pending patches, last seen {}",
            d.name,
            d.os,
            if s.online { "online" } else { "offline" },
            s.cpu_percent,
            s.memory_percent,
            s.disk_free_gb,
            s.pending_patches,
            s.last_seen.format("%Y-%m-%d %H:%M UTC"),
        ),
        Err(e) => format!("Device {} ({}): status unavailable ({e})", d.name, d.os),
    }];
    if let Ok(alerts) = alerts {
        out.extend(
            alerts
                .iter()
                .take(3)
                .map(|a| format!("Alert on {} [{}]: {}", d.name, a.severity, a.message)),
        );
    }
    out
}

async fn history(cx: &ToolContext<'_>, t: &Ticket) -> Vec<String> {
    let query = crate::capability::TicketQuery {
        requester_email: Some(t.requester_email.clone()),
        limit: Some(RECENT_TICKETS + 1),
        ..Default::default()
    };
    match cx.caps.tickets.search_tickets(cx.tenant, &query).await {
        Ok(tickets) => tickets
            .iter()
            .filter(|o| o.id != t.id && o.status != TicketStatus::Closed)
            .take(RECENT_TICKETS as usize)
            .map(|o| format!("Also open from this requester: {} {}", o.id, o.subject))
            .collect(),
        Err(e) => vec![format!("Ticket history: unavailable ({e})")],
    }
}

async fn sops(cx: &ToolContext<'_>, intent: Intent) -> Vec<String> {
    if intent == Intent::Other {
        return Vec::new();
    }
    let query = intent.as_str().replace('_', " ");
    match cx.caps.docs.search(cx.tenant, &query, 3).await {
        Ok(docs) => docs.iter().map(|d| format!("SOP: {}", d.title)).collect(),
        Err(e) => vec![format!("SOPs: unavailable ({e})")],
    }
}

fn category(intent: Intent) -> String {
    format!("Triage / {}", intent.as_str().replace('_', " "))
}
