//! Onboarding and offboarding (DESIGN §7): multi-step plans built from the client's
//! documented templates, each step decided by the policy on its own.
//!
//! Both read the client configuration record (`onboarding_template`, `offboarding`) from
//! [`Documentation`](crate::capability::Documentation) and escalate when it is missing: the
//! agent never invents a client's standard. Both require the verified requester to be
//! authorised: listed in the record's `authorized_requesters` (e-mail addresses), or the
//! manager of the person concerned.

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::capability::MailboxPermission;
use crate::domain::{DirectoryUser, Intent, Ticket};
use crate::error::CapResult;
use crate::pipeline::perceive::{Perception, RequesterCheck};
use crate::pipeline::plan::{Check, Plan, PlannedCall};
use crate::pipeline::reason::Playbook;
use crate::tool::ToolContext;

/// Binding name of the user created by onboarding's first step.
const NEW_USER: &str = "${new_user.id}";

/// Onboarding: parse the request, read the client's template, then create the user, assign
/// the template's licences and groups, grant its shared mailboxes, issue a Temporary Access
/// Pass delivered out of band (to the manager while the starter has no phone on file),
/// send the welcome reply, and close once the account is verified. Apps to deploy and any
/// extra the request names are listed for the technician who prepares the device.
#[derive(Debug, Clone, Copy, Default)]
pub struct Onboarding;

/// Offboarding, in the documented order: revoke sessions, scramble the password (not
/// delivered), disable sign-in (human-only by default, so the default policy stops the run
/// there and a technician continues from a safe state), remove groups, give the manager
/// the mailbox and forward mail as the client's record says, remove the template licences.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offboarding;

/// The value after `Label:` on a line of the body ("Manager: Tom Brennan").
fn labelled<'t>(body: &'t str, label: &str) -> Option<&'t str> {
    body.lines().find_map(|line| {
        let (key, value) = line.trim().split_once(':')?;
        let value = value.trim();
        (key.trim().eq_ignore_ascii_case(label) && !value.is_empty()).then_some(value)
    })
}

/// Up to three capitalised words after `marker` ("reporting to Claire Donnelly, …").
fn name_after(text: &str, marker: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let at = lower.find(marker)? + marker.len();
    let words: Vec<&str> = text
        .get(at..)?
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ')']))
        .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
        .take(3)
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// A UPN from the template's `upn_format` (`first.last@domain`) and a full name.
fn upn_for(format: &str, name: &str) -> Option<String> {
    let clean = |w: &str| -> String {
        w.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let words: Vec<String> = name
        .split_whitespace()
        .map(clean)
        .filter(|w| !w.is_empty())
        .collect();
    let (first, last) = match words.as_slice() {
        [first, .., last] => (first, last),
        _ => return None,
    };
    let upn = format.replace("first", first).replace("last", last);
    upn.contains('@').then_some(upn)
}

/// The domain of a template's `upn_format`.
fn domain_of(format: &str) -> Option<&str> {
    format.split_once('@').map(|(_, d)| d)
}

/// A string list field of a configuration record.
fn strings(record: &Value, field: &str) -> Vec<String> {
    record[field]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The verified requester, if authorised by the record's list or as `manager`.
fn authorised<'p>(
    p: &'p Perception,
    record: &Value,
    manager: Option<&DirectoryUser>,
) -> Result<&'p DirectoryUser, String> {
    let requester = match &p.requester {
        RequesterCheck::Verified { user, .. } => user.as_ref(),
        RequesterCheck::Unverified { reason } => {
            return Err(format!("requester not verified: {reason}"));
        }
    };
    let listed = strings(record, "authorized_requesters")
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&requester.mail) || a.eq_ignore_ascii_case(&requester.upn));
    if listed || manager.is_some_and(|m| m.id == requester.id) {
        Ok(requester)
    } else {
        Err(format!(
            "{} is neither an authorised requester of the client nor the manager",
            requester.upn
        ))
    }
}

/// A client configuration record, or the reason to escalate.
async fn record(cx: &ToolContext<'_>, name: &str) -> CapResult<Result<Value, String>> {
    Ok(cx
        .caps
        .docs
        .client_configuration(cx.tenant, name)
        .await?
        .ok_or_else(|| format!("the client has no `{name}` record in its documentation")))
}

/// Resolve a person by name through the template's UPN format.
async fn person(
    cx: &ToolContext<'_>,
    format: &str,
    name: &str,
) -> CapResult<Option<DirectoryUser>> {
    match upn_for(format, name) {
        Some(upn) => cx.caps.identity.find_user(cx.tenant, &upn).await,
        None => Ok(None),
    }
}

/// Unwrap a planning result or return the escalation plan.
macro_rules! or_escalate {
    ($name:expr, $category:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(why) => return Ok(Plan::escalate($name, $category, why)),
        }
    };
}

#[async_trait]
impl Playbook for Onboarding {
    fn intent(&self) -> Intent {
        Intent::Onboarding
    }

    async fn plan(&self, cx: &ToolContext<'_>, t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "onboarding";
        const CATEGORY: &str = "User lifecycle / Onboarding";
        let template = or_escalate!(NAME, CATEGORY, record(cx, "onboarding_template").await?);
        let format = template["upn_format"].as_str().unwrap_or_default();
        let domain = or_escalate!(
            NAME,
            CATEGORY,
            domain_of(format).ok_or("the onboarding template has no `upn_format`")
        );

        let name = labelled(&t.body, "Name")
            .map(str::to_owned)
            .or_else(|| p.entities.person_name.clone());
        let name = or_escalate!(
            NAME,
            CATEGORY,
            name.ok_or("the request names no new starter")
        );
        let upn = labelled(&t.body, "Email")
            .map(str::to_ascii_lowercase)
            .or_else(|| upn_for(format, &name));
        let upn = or_escalate!(
            NAME,
            CATEGORY,
            upn.ok_or_else(|| format!("no address can be derived for `{name}`"))
        );
        if !upn.ends_with(&format!("@{domain}")) {
            return Ok(Plan::escalate(
                NAME,
                CATEGORY,
                format!("`{upn}` is not in the client's domain {domain}"),
            ));
        }
        if cx.caps.identity.find_user(cx.tenant, &upn).await?.is_some() {
            return Ok(Plan::escalate(
                NAME,
                CATEGORY,
                format!("a user {upn} already exists"),
            ));
        }
        let manager_name = labelled(&t.body, "Manager").map(str::to_owned).or_else(|| {
            name_after(&t.body, "reporting to ").or_else(|| name_after(&t.body, "reports to "))
        });
        let manager = match &manager_name {
            Some(m) => person(cx, format, m).await?,
            None => None,
        };
        let manager = or_escalate!(
            NAME,
            CATEGORY,
            manager.ok_or_else(|| match &manager_name {
                Some(m) => format!("manager `{m}` not found in the directory"),
                None => "the request names no manager".to_owned(),
            })
        );
        or_escalate!(NAME, CATEGORY, authorised(p, &template, Some(&manager)));

        let mut steps = vec![
            PlannedCall::new(
                "create_user",
                json!({ "display_name": name, "upn": upn, "manager": manager.id }),
                format!("new starter {name} requested by an authorised requester"),
            )
            .bind("new_user"),
        ];
        for sku in strings(&template, "licenses") {
            steps.push(PlannedCall::new(
                "assign_license",
                json!({ "user": NEW_USER, "sku": sku }),
                "licence of the client's onboarding template",
            ));
        }
        for group in strings(&template, "groups") {
            steps.push(PlannedCall::new(
                "add_group_member",
                json!({ "group": group, "user": NEW_USER }),
                "group of the client's onboarding template",
            ));
        }
        for mailbox in strings(&template["mailbox"], "shared_mailboxes") {
            steps.push(PlannedCall::new(
                "grant_mailbox_access",
                json!({ "mailbox": mailbox, "user": NEW_USER, "permission": MailboxPermission::FullAccess }),
                "shared mailbox of the client's onboarding template",
            ));
        }
        let tap_minutes = template["temporary_access_pass"]["lifetime_minutes"]
            .as_u64()
            .unwrap_or(480);
        steps.push(PlannedCall::new(
            "create_temporary_access_pass",
            json!({ "user": NEW_USER, "lifetime_minutes": tap_minutes }),
            "first sign-in without a password, delivered out of band",
        ));
        steps.push(PlannedCall::new(
            "add_public_note",
            json!({ "text": format!(
                "Welcome pack for {name}: the account {upn} is ready, with the standard licences \
                 and groups. A Temporary Access Pass for the first sign-in has been sent out of \
                 band to {} (manager); it is not in this ticket. The device is prepared by a \
                 technician before the start date.",
                manager.display_name
            ) }),
            "welcome package and manager notification",
        ));

        let mut plan = Plan::act(NAME, CATEGORY, steps, vec![Check::UserExists { upn }]);
        let apps = strings(&template, "apps");
        if !apps.is_empty() {
            plan.findings.push(format!(
                "Apps to deploy with the device: {}",
                apps.join(", ")
            ));
        }
        plan.findings.push(format!(
            "Requested in the ticket, for a technician to check against the template: {}",
            first_line_of_needs(&t.body)
        ));
        Ok(plan)
    }
}

/// The sentence of the request that lists what the starter needs, or a pointer to the ticket.
fn first_line_of_needs(body: &str) -> String {
    body.split(['\n', '.'])
        .map(str::trim)
        .find(|s| {
            let l = s.to_lowercase();
            l.contains("need") || l.contains("access to") || l.contains("plus")
        })
        .map(str::to_owned)
        .unwrap_or_else(|| "see the ticket".to_owned())
}

#[async_trait]
impl Playbook for Offboarding {
    fn intent(&self) -> Intent {
        Intent::Offboarding
    }

    async fn plan(&self, cx: &ToolContext<'_>, _t: &Ticket, p: &Perception) -> CapResult<Plan> {
        const NAME: &str = "offboarding";
        const CATEGORY: &str = "User lifecycle / Offboarding";
        let rules = or_escalate!(NAME, CATEGORY, record(cx, "offboarding").await?);
        let template = cx
            .caps
            .docs
            .client_configuration(cx.tenant, "onboarding_template")
            .await?
            .unwrap_or(Value::Null);
        let format = template["upn_format"].as_str().unwrap_or_default();

        let leaver = match (&p.affected_user, &p.entities.person_name) {
            (Some(u), _) if p.third_party => Some(u.clone()),
            (_, Some(name)) => person(cx, format, name).await?,
            _ => None,
        };
        let leaver = or_escalate!(
            NAME,
            CATEGORY,
            leaver.ok_or("the leaver named in the request is not in the directory")
        );
        let manager = match &leaver.manager {
            Some(id) => Some(cx.caps.identity.get_user(cx.tenant, id).await?),
            None => None,
        };
        let requester = or_escalate!(NAME, CATEGORY, authorised(p, &rules, manager.as_ref()));
        if requester.id == leaver.id {
            return Ok(Plan::escalate(
                NAME,
                CATEGORY,
                "the requester asks to offboard themself",
            ));
        }

        let on = |flag: &str| rules[flag].as_bool().unwrap_or(false);
        let u = json!({ "user": leaver.id });
        let mut steps = Vec::new();
        let mut checks = Vec::new();
        if on("revoke_sessions") {
            steps.push(PlannedCall::new(
                "revoke_sessions",
                u.clone(),
                "leaver: end every session",
            ));
        }
        steps.push(PlannedCall::new(
            "reset_password",
            json!({ "user": leaver.id, "deliver": false }),
            "leaver: scramble the password (not delivered to anyone)",
        ));
        if on("disable_sign_in") {
            steps.push(PlannedCall::new(
                "disable_account",
                u.clone(),
                "leaver: disable sign-in",
            ));
            checks.push(Check::SignInDisabled {
                user: leaver.id.clone(),
            });
        }
        if on("remove_groups") {
            for g in cx
                .caps
                .identity
                .list_user_groups(cx.tenant, &leaver.id)
                .await?
            {
                steps.push(PlannedCall::new(
                    "remove_group_member",
                    json!({ "group": g.name, "user": leaver.id }),
                    "leaver: remove group membership",
                ));
            }
        }
        let mut findings = Vec::new();
        if let Some(m) = manager
            .as_ref()
            .filter(|_| rules["mailbox_access_to"] == "manager")
        {
            steps.push(PlannedCall::new(
                "grant_mailbox_access",
                json!({ "mailbox": leaver.mail, "user": m.id, "permission": MailboxPermission::FullAccess }),
                "leaver's mailbox to the manager, as the client's record says",
            ));
            if let Some(days) = rules["forward_to_manager_days"].as_u64() {
                steps.push(PlannedCall::new(
                    "set_email_forwarding",
                    json!({ "user": leaver.id, "forward_to": m.mail }),
                    format!("forward to the manager for {days} days, as the client's record says"),
                ));
                findings.push(format!(
                    "Remove the forwarding to {} after {days} days.",
                    m.mail
                ));
            }
        }
        if on("remove_licenses") {
            for sku in strings(&template, "licenses") {
                steps.push(PlannedCall::new(
                    "remove_license",
                    json!({ "user": leaver.id, "sku": sku }),
                    "leaver: free the template licence",
                ));
            }
        }
        if on("convert_mailbox_to_shared") {
            findings.push(format!(
                "Convert {}'s mailbox to a shared mailbox (no API in the identity provider).",
                leaver.display_name
            ));
        }
        if let Some(devices) = rules["devices"].as_str() {
            findings.push(format!("Devices: {}", devices.replace('_', " ")));
        }
        let mut plan = Plan::act(NAME, CATEGORY, steps, checks);
        plan.findings = findings;
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labelled_fields_and_names() {
        let body = "Name: Hannah Cole\nTitle: Sales Executive\nManager: Tom Brennan\n";
        assert_eq!(labelled(body, "name"), Some("Hannah Cole"));
        assert_eq!(labelled(body, "Manager"), Some("Tom Brennan"));
        assert_eq!(labelled(body, "Email"), None);
        assert_eq!(
            name_after(
                "Mark Jensen, reporting to Claire Donnelly, starting",
                "reporting to "
            ),
            Some("Claire Donnelly".into())
        );
        assert_eq!(name_after("reporting to megan", "reporting to "), None);
        assert_eq!(
            upn_for("first.last@acme.example", "Mary-Jane O'Neil"),
            Some("mary-jane.oneil@acme.example".into())
        );
        assert_eq!(upn_for("first.last@acme.example", "Cher"), None);
    }
}
