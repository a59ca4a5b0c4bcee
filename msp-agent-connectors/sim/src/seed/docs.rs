//! Seed documentation: SOPs, client configuration records and vault entries, written once
//! and filled in from each client's profile.

use serde_json::{Value, json};

use super::devices::CATALOGUE;

/// What differs between the clients' documentation.
pub(crate) struct Profile {
    pub tenant: &'static str,
    pub company: &'static str,
    pub domain: &'static str,
    pub vpn_client: &'static str,
    pub vpn_gateway: &'static str,
    pub printers: &'static str,
    pub timezone: &'static str,
    /// UTC offset of the client's business hours (fixed; no daylight saving in the sim).
    pub utc_offset: &'static str,
    /// Whether the contract covers after-hours work.
    pub after_hours: bool,
    pub language: &'static str,
    pub base_license: &'static str,
    pub base_groups: &'static [&'static str],
    pub apps: &'static [&'static str],
    pub allow_external_forwarding: bool,
    pub approver: &'static str,
    /// HR contact, authorised to request onboarding and offboarding.
    pub hr: &'static str,
    pub plan: &'static str,
    pub rate: u32,
    pub wifi: &'static str,
}

/// The three clients.
pub(crate) const PROFILES: &[Profile] = &[
    Profile {
        tenant: super::ACME,
        company: "Acme Manufacturing Ltd",
        domain: "acme.example",
        vpn_client: "GlobalProtect",
        vpn_gateway: "vpn.acme.example",
        printers: "ACME-PRN-01 (HP LaserJet M608, ground-floor office) and ACME-PRN-02 \
                   (Canon imageRUNNER C3226, 2nd floor, scan-to-email via svc-scan2mail)",
        timezone: "Eastern Standard Time",
        utc_offset: "-05:00",
        after_hours: true,
        language: "en-US",
        base_license: "SPB",
        base_groups: &["All Staff", "VPN Users"],
        apps: &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Adobe Acrobat Reader",
            "GlobalProtect",
        ],
        allow_external_forwarding: false,
        approver: "Priya Raman (IT Manager)",
        hr: "linda.chow@acme.example",
        plan: "Managed Pro",
        rate: 125,
        wifi: "Forklift-Orange-42",
    },
    Profile {
        tenant: super::GLOBEX,
        company: "Globex Corporation",
        domain: "globex.example",
        vpn_client: "FortiClient VPN",
        vpn_gateway: "remote.globex.example:10443",
        printers: "GLX-PRN-01 (Kyocera TASKalfa 3554ci, open-plan office) and GLX-PRN-02 \
                   (HP Color LaserJet M455, finance room)",
        timezone: "GMT Standard Time",
        utc_offset: "+00:00",
        after_hours: true,
        language: "en-GB",
        base_license: "SPE_E3",
        base_groups: &["All Staff"],
        apps: &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Google Chrome",
            "FortiClient VPN",
        ],
        allow_external_forwarding: true,
        approver: "Oliver Hughes (IT & Facilities Lead)",
        hr: "grace.bennett@globex.example",
        plan: "Managed Essentials",
        rate: 95,
        wifi: "Volcano-Lair-1996",
    },
    Profile {
        tenant: super::INITECH,
        company: "Initech LLC",
        domain: "initech.example",
        vpn_client: "OpenVPN Connect",
        vpn_gateway: "vpn.initech.example",
        printers: "INI-PRN-01 (Brother MFC-L8900CDW, next to the kitchen)",
        timezone: "Central Standard Time",
        utc_offset: "-06:00",
        after_hours: false,
        language: "en-US",
        base_license: "SPB",
        base_groups: &["All Staff"],
        apps: &[
            "Microsoft 365 Apps",
            "Microsoft Teams",
            "Slack",
            "OpenVPN Connect",
        ],
        allow_external_forwarding: false,
        approver: "Samuel Ortiz (Engineering Manager)",
        hr: "dana.whitmore@initech.example",
        plan: "Managed Pro",
        rate: 110,
        wifi: "TPS-Cover-Sheet-7",
    },
];

/// One SOP: id suffix, title, tags, body (with `{company}`-style placeholders).
type DocTemplate = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

/// The SOPs every client has, in the client's words.
const DOCS: &[DocTemplate] = &[
    (
        "vpn",
        "VPN remote access guide",
        &["sop", "vpn", "remote access"],
        "Remote access to {company} uses {vpn_client} to {vpn_gateway}.\n\
         1. Install {vpn_client} from Company Portal (members of the VPN Users group only).\n\
         2. Portal/gateway: {vpn_gateway}. Sign in with your work e-mail and approve the MFA prompt.\n\
         3. If it hangs on 'connecting': check the internet connection, disconnect from hotel or \
         captive-portal Wi-Fi login pages, restart the client, then reboot.\n\
         4. Error -7200 / 'credential or SSL VPN configuration is wrong': the password expired or \
         the account is locked; check the account in the directory first.\n\
         5. Drops every few minutes: flush DNS and check power saving on the network adapter.\n\
         Escalate if the device is offline in the RMM or the gateway is down for more than one user.",
    ),
    (
        "printer",
        "Printer troubleshooting SOP",
        &["sop", "printer", "printing", "scan to email"],
        "Printers at {company}: {printers}.\n\
         Jobs stuck in the queue: run the RMM script clear_print_queue on the user's device (it \
         stops the spooler, deletes the queued jobs and restarts it), then ask the user to reprint.\n\
         Printer shows offline: check the printer's display and network cable; run \
         restart_print_spooler on the workstation; re-add the printer from the print server.\n\
         Paper jam with no paper visible: open all trays and the rear door, check the fuser area; \
         log a vendor call if the error persists after a power cycle.\n\
         Scan to email asks for a password: the copier authenticates as the scan-to-email service \
         account. Never reset that account's password from a user ticket; escalate to the MSP \
         engineer, who rotates it in the vault and on the copier together.",
    ),
    (
        "onboarding",
        "New starter onboarding standard",
        &["sop", "onboarding", "new starter", "new user"],
        "Every new starter at {company} needs HR's request with name, job title, manager and start \
         date at least three working days ahead.\n\
         1. Create the account as first.last@{domain} (disabled until the start date).\n\
         2. Assign licence {base_license} and the groups in the onboarding template.\n\
         3. Mailbox: time zone {timezone}, language {language}, archive on.\n\
         4. Issue a Temporary Access Pass for first sign-in, delivered to the manager, never in \
         the ticket.\n\
         5. Install the standard apps from the software catalogue; add role-specific apps only \
         with the manager's approval.\n\
         6. Send the welcome pack and confirm with the manager.\n\
         Approver for exceptions: {approver}.",
    ),
    (
        "password",
        "Password and account lockout policy",
        &["policy", "password", "lockout", "security"],
        "Passwords at {company} are at least 14 characters; self-service password reset is \
         enabled for users who registered the authenticator app.\n\
         Help-desk resets: verify the requester is the account owner (ticket from the address on \
         file, matching PSA contact), reset with 'change at next sign-in', and deliver the \
         temporary password out of band: SMS to the mobile on file, or to the manager if there \
         is none. Never put a password in a ticket, chat or e-mail to the requester.\n\
         Accounts lock for 15 minutes after 10 failed sign-ins; unlock only for the verified \
         owner. Resets for someone else, admin accounts, break-glass or service accounts always \
         go to a senior engineer.",
    ),
    (
        "mfa",
        "MFA re-registration SOP",
        &["sop", "mfa", "authenticator", "new phone"],
        "When a user at {company} changes or loses their phone: verify the user out of band \
         (call back on the number on file or confirm with the manager), get approval, delete the \
         old authenticator and phone methods, revoke sessions, issue a one-hour Temporary Access \
         Pass delivered out of band, and have the user register again at aka.ms/mysecurityinfo. \
         Unexpected MFA prompts the user did not trigger are a security incident, not an MFA \
         reset: escalate immediately.",
    ),
    (
        "offboarding",
        "Leaver / offboarding checklist",
        &["sop", "offboarding", "leaver"],
        "On the leaver's last day at {company}: disable sign-in, revoke sessions, reset the \
         password, remove licences, remove from groups and distribution lists, convert the mailbox \
         to shared and grant the manager access, set forwarding to the manager for 30 days if HR \
         asks, wipe or collect devices, and rotate any shared credentials the leaver knew. \
         Requests must come from HR or the leaver's manager.",
    ),
    (
        "mailbox",
        "Shared mailboxes and distribution lists",
        &[
            "sop",
            "shared mailbox",
            "distribution list",
            "mailbox",
            "email",
        ],
        "Access to a shared mailbox or a distribution list at {company} is granted on the request \
         of the user's manager or the mailbox owner. Full access shows the mailbox in Outlook \
         within an hour; send-as is granted separately. Lists that carry finance, HR or admin \
         traffic are restricted and need {approver}'s approval.\n\
         Forwarding: users can set forwarding themselves in Outlook on the web under Settings > \
         Mail > Forwarding. External forwarding is {external}.",
    ),
    (
        "security",
        "Phishing and security incident response",
        &["sop", "security", "phishing", "incident"],
        "Anyone at {company} who reports a suspicious e-mail: thank them, do not ask them to \
         forward it again, and escalate to the security engineer on call. If the user clicked a \
         link or entered a password: treat it as a compromised account, revoke sessions and \
         reset the password only under the engineer's direction, and check the mailbox for new \
         forwarding or inbox rules. Antivirus detections go to the same queue.",
    ),
];

/// The filled-in documents of a client: (id, title, tags, body).
pub(crate) fn documents(p: &Profile) -> Vec<(String, String, Vec<String>, String)> {
    let external = if p.allow_external_forwarding {
        "allowed but reviewed monthly"
    } else {
        "blocked by the outbound spam policy"
    };
    DOCS.iter()
        .map(|(suffix, title, tags, body)| {
            let body = body
                .replace("{company}", p.company)
                .replace("{domain}", p.domain)
                .replace("{vpn_client}", p.vpn_client)
                .replace("{vpn_gateway}", p.vpn_gateway)
                .replace("{printers}", p.printers)
                .replace("{timezone}", p.timezone)
                .replace("{language}", p.language)
                .replace("{base_license}", p.base_license)
                .replace("{approver}", p.approver)
                .replace("{external}", external);
            (
                format!("doc-{}-{suffix}", p.tenant),
                (*title).to_owned(),
                tags.iter().map(|t| (*t).to_owned()).collect(),
                body,
            )
        })
        .collect()
}

/// The client configuration records of a client, by name.
pub(crate) fn configuration(p: &Profile) -> Vec<(&'static str, Value)> {
    let catalogue: Vec<Value> = CATALOGUE
        .iter()
        .filter(|(_, _, _, _, tenants)| tenants.contains(&p.tenant))
        .map(|(id, name, version, platforms, _)| {
            json!({ "id": id, "name": name, "version": version, "platforms": platforms })
        })
        .collect();
    vec![
        (
            "onboarding_template",
            json!({
                "upn_format": format!("first.last@{}", p.domain),
                "licenses": [p.base_license],
                "groups": p.base_groups,
                "mailbox": {
                    "timezone": p.timezone,
                    "language": p.language,
                    "archive": true,
                    "shared_mailboxes": [],
                },
                "apps": p.apps,
                "temporary_access_pass": { "lifetime_minutes": 480, "deliver_to": "manager" },
                "welcome_pack": format!("doc-{}-onboarding", p.tenant),
                "notify": ["manager", "hr"],
                "lead_time_days": 3,
                "authorized_requesters": [p.hr],
            }),
        ),
        (
            "offboarding",
            json!({
                "disable_sign_in": true,
                "revoke_sessions": true,
                "remove_licenses": true,
                "remove_groups": true,
                "convert_mailbox_to_shared": true,
                "mailbox_access_to": "manager",
                "forward_to_manager_days": 30,
                "devices": "wipe_and_collect",
                "requested_by": ["hr", "manager"],
                "authorized_requesters": [p.hr],
            }),
        ),
        (
            "software_catalogue",
            json!({
                "packages": catalogue,
                "install_script": "install_package",
                "non_catalogue": "needs approval from the client's IT contact",
            }),
        ),
        (
            "contract",
            json!({
                "plan": p.plan,
                "hourly_rate_usd": p.rate,
                "included": ["password_reset", "account_unlock", "mfa_reset", "distribution_list_access",
                             "shared_mailbox_access", "printer_issue", "outlook_sync", "vpn_issue"],
                "billable": ["onboarding", "offboarding", "software_install", "project_work"],
                "after_hours_multiplier": if p.after_hours { json!(1.5) } else { Value::Null },
                "business_hours": {
                    "start": "08:00",
                    "end": "18:00",
                    "utc_offset": p.utc_offset,
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                },
                "approver": p.approver,
            }),
        ),
        (
            "mail_policy",
            json!({
                "allow_external_forwarding": p.allow_external_forwarding,
                "domain": p.domain,
            }),
        ),
    ]
}

/// Vault entries of a client: (name, secret).
pub(crate) fn vault(p: &Profile) -> Vec<(&'static str, String)> {
    vec![
        ("guest-wifi", p.wifi.to_owned()),
        (
            "printer-admin",
            format!("{}-Prn-Admin-{}", p.tenant, p.rate * 7),
        ),
    ]
}
