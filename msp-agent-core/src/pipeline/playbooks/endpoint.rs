//! Software install (RMM script on the requester's device) and VPN guidance (a public reply
//! from the client's documentation).

use async_trait::async_trait;
use serde_json::{Value, json};

use super::self_service_target;
use crate::domain::{Device, Intent, Ticket, TicketStatus};
use crate::error::CapResult;
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Software install: only packages of the client's `software_catalogue`, only on a device
/// of the verified requester that is online and of a supported platform. A package outside
/// the catalogue, an ambiguous name or device, or an offline device escalates.
#[derive(Debug, Clone, Copy, Default)]
pub struct SoftwareInstall;

/// VPN issue: reply to the verified requester with the client's VPN guide and wait for
/// their confirmation (status `waiting`); a technician sees the device state in the note.
#[derive(Debug, Clone, Copy, Default)]
pub struct VpnIssue;

/// Longest guide excerpt sent in a reply.
const GUIDE_CHARS: usize = 1_500;

/// The catalogue package the request names: by id, or by a name containing the request.
fn find_package<'c>(catalogue: &'c [Value], wanted: &str) -> Result<&'c Value, String> {
    let wanted = wanted.trim().to_lowercase();
    let matches: Vec<&Value> = catalogue
        .iter()
        .filter(|p| {
            let id = p["id"].as_str().unwrap_or_default();
            let name = p["name"].as_str().unwrap_or_default().to_lowercase();
            id == wanted || name == wanted || name.contains(&wanted) || wanted.contains(&name)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "`{wanted}` is not in the client's software catalogue; it needs the client's approval"
        )),
        _ => Err(format!("`{wanted}` matches several catalogue packages")),
    }
}

/// The one device to install on: named in the ticket, else the user's only device.
fn pick_device<'d>(devices: &'d [Device], text: &str) -> Result<&'d Device, String> {
    let text = text.to_lowercase();
    let named: Vec<&Device> = devices
        .iter()
        .filter(|d| text.contains(&d.name.to_lowercase()))
        .collect();
    match (named.as_slice(), devices) {
        ([one], _) => Ok(one),
        ([], [one]) => Ok(one),
        ([], []) => Err("the requester has no managed device".to_owned()),
        _ => Err("the requester has several devices and the ticket does not say which".to_owned()),
    }
}

#[async_trait]
impl Playbook for SoftwareInstall {
    fn intent(&self) -> Intent {
        Intent::SoftwareInstall
    }

    async fn plan(&self, cx: &ToolContext<'_>, t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "software_install";
        const CATEGORY: &str = "Software / Install";
        let escalate = |why: String| Ok(Plan::escalate(NAME, CATEGORY, why));
        let user = match self_service_target(p) {
            Ok(u) => u,
            Err(why) => return escalate(why),
        };
        let Some(wanted) = p.entities.software.as_deref() else {
            return escalate("the ticket names no software".to_owned());
        };
        let catalogue = cx
            .caps
            .docs
            .client_configuration(cx.tenant, "software_catalogue")
            .await?
            .unwrap_or(Value::Null);
        let packages = catalogue["packages"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let package = match find_package(&packages, wanted) {
            Ok(p) => p,
            Err(why) => return escalate(why),
        };
        let devices = cx.caps.rmm.list_devices(cx.tenant, Some(user)).await?;
        let device = match pick_device(&devices, &format!("{} {}", t.subject, t.body)) {
            Ok(d) => d,
            Err(why) => return escalate(why),
        };
        let os = device.os.to_lowercase();
        let supported = package["platforms"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p.as_str().is_some_and(|p| os.contains(p)))
        });
        let name = package["name"].as_str().unwrap_or(wanted);
        if !supported {
            return escalate(format!(
                "{name} is not available for {} ({})",
                device.name, device.os
            ));
        }
        if !device.online {
            return escalate(format!("{} is offline", device.name));
        }
        Ok(Plan::act(
            NAME,
            CATEGORY,
            vec![PlannedCall::new(
                "install_software",
                json!({ "device": device.id, "package": package["id"] }),
                format!(
                    "{} asked for {name}, a catalogue package, on {}",
                    user.upn, device.name
                ),
            )],
            Vec::new(),
        ))
    }
}

#[async_trait]
impl Playbook for VpnIssue {
    fn intent(&self) -> Intent {
        Intent::VpnIssue
    }

    async fn plan(&self, cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "vpn_issue";
        const CATEGORY: &str = "Network / VPN";
        let user = match self_service_target(p) {
            Ok(u) => u,
            Err(why) => return Ok(Plan::escalate(NAME, CATEGORY, why)),
        };
        let docs = cx.caps.docs.search(cx.tenant, "vpn", 5).await?;
        let guide = docs.iter().find(|d| {
            d.tags.iter().any(|t| t.eq_ignore_ascii_case("vpn"))
                || d.title.to_lowercase().contains("vpn")
        });
        let Some(guide) = guide else {
            return Ok(Plan::escalate(
                NAME,
                CATEGORY,
                "the client has no VPN guide",
            ));
        };
        let excerpt: String = guide.body.chars().take(GUIDE_CHARS).collect();
        let mut plan = Plan::act(
            NAME,
            CATEGORY,
            vec![PlannedCall::new(
                "add_public_note",
                json!({ "text": format!(
                    "Hi {}, here are the steps from your company's guide \"{}\":\n\n{excerpt}\n\n\
                     Reply to this ticket if the VPN still does not connect and a technician \
                     will call you.",
                    user.display_name, guide.title
                ) }),
                format!("documented VPN guidance for {}", user.upn),
            )],
            Vec::new(),
        );
        plan.resolved_status = TicketStatus::Waiting;
        plan.findings.push(format!("Guide sent: {}", guide.title));
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_catalogue_packages_by_id_or_name() {
        let catalogue = vec![
            json!({ "id": "zoom", "name": "Zoom Workplace" }),
            json!({ "id": "acrobat-reader", "name": "Adobe Acrobat Reader" }),
            json!({ "id": "7zip", "name": "7-Zip" }),
        ];
        assert_eq!(find_package(&catalogue, "zoom").unwrap()["id"], "zoom");
        assert_eq!(
            find_package(&catalogue, "Adobe Acrobat").unwrap()["id"],
            "acrobat-reader"
        );
        assert_eq!(find_package(&catalogue, "7-Zip").unwrap()["id"], "7zip");
        assert!(find_package(&catalogue, "Docker Desktop").is_err());
        assert!(find_package(&catalogue, "a").is_err(), "ambiguous");
    }
}
