//! Generated tickets for benchmarks and load tests: templates filled in over the seed users,
//! deterministic for a given seed.

use chrono::Duration;
use msp_agent_core::domain::{Intent, Priority, TenantId, TicketId, TicketStatus, UserId};

use crate::SimMsp;
use crate::psa::NewTicket;
use crate::seed::epoch;
use crate::state::lock;

/// SplitMix64: small, fast, and stable across versions (unlike library RNGs).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len()))
    }
}

/// What a template needs to know about the requester and their client.
struct Requester {
    tenant: TenantId,
    user: UserId,
    name: String,
    title: String,
    mail: String,
    domain: String,
    lists: Vec<(String, String)>,
    groups: Vec<String>,
    mailboxes: Vec<String>,
    skus: Vec<String>,
    packages: Vec<String>,
    colleagues: Vec<String>,
}

/// Share (in percent) of each kind of generated ticket; `None` is an unverified sender.
#[rustfmt::skip]
const MIX: &[(Option<Intent>, u32)] = &[
    (Some(Intent::PasswordReset), 40), (Some(Intent::AccountUnlock), 17), (None, 3),
    (Some(Intent::MfaReset), 5), (Some(Intent::DistributionListAccess), 5),
    (Some(Intent::SharedMailboxAccess), 4), (Some(Intent::LicenseAssignment), 3),
    (Some(Intent::PermissionGrant), 1), (Some(Intent::SoftwareInstall), 3),
    (Some(Intent::PrinterIssue), 3), (Some(Intent::VpnIssue), 3), (Some(Intent::OutlookSync), 3),
    (Some(Intent::PerformanceIssue), 2), (Some(Intent::FileAccess), 2),
    (Some(Intent::EmailForwarding), 2), (Some(Intent::SecurityIncident), 2), (Some(Intent::Other), 2),
];

const GREETINGS: &[&str] = &[
    "Hi,",
    "Hello,",
    "Hi team,",
    "Hello IT,",
    "Morning,",
    "Good afternoon,",
    "",
    "Hiya,",
];
const SIGNOFFS: &[&str] = &[
    "Thanks,\n{first}",
    "Thanks\n{name}\n{title}",
    "Cheers, {first}",
    "Kind regards,\n{name}",
    "{first}",
    "Many thanks,\n{name}\n{title}",
    "thx",
];

/// Subjects and bodies per intent.
#[rustfmt::skip]
fn templates(intent: Intent) -> (&'static [&'static str], &'static [&'static str]) {
    use Intent::*;
    match intent {
        PasswordReset => (
            &["Password reset", "password reset please", "Forgot password", "Can't log in", "Reset my password", "pw expired", "Password not working"],
            &["I've forgotten my password and can't sign in. Could you reset it please?",
              "my password expired and the change screen keeps failing. can you reset it?",
              "I changed my password on Friday and now I can't remember it. Please reset it.",
              "Can't log in to Outlook or Teams, I think I've forgotten my password. Could you reset it for me?",
              "pls reset my pasword, it stopped working this morning",
              "I need my password reset, I've been away and it has expired."],
        ),
        AccountUnlock => (
            &["Account locked", "Locked out", "account locked out", "Can't sign in - locked", "Unlock my account please"],
            &["My account is locked after too many attempts. Can you unlock it? I know my password.",
              "It says my account has been locked to prevent unauthorised use. Please unlock it.",
              "locked out again, probably my phone with the old password. can you unlock pls",
              "I typed the wrong password a few times and now I'm locked out. Could you unlock my account?"],
        ),
        MfaReset => (
            &["New phone", "MFA reset", "Authenticator not working", "Lost my phone - 2FA"],
            &["I've got a new phone and the Authenticator app didn't move over. Can you reset my MFA?",
              "Lost my phone so I can't approve sign-ins. Please remove the old one so I can register again.",
              "The authenticator app keeps failing. Could you reset my MFA registration?"],
        ),
        DistributionListAccess => (
            &["Add me to {list}", "Distribution list", "{list} emails"],
            &["Could you add me to the {list} distribution list ({listmail})? I'm not getting the emails.",
              "Please can I be added to {listmail}? Thanks"],
        ),
        SharedMailboxAccess => (
            &["Access to {mailbox}", "Shared mailbox access"],
            &["Could I get full access to the {mailbox} shared mailbox? My manager has OK'd it.",
              "I need access to {mailbox} to cover while a colleague is off."],
        ),
        LicenseAssignment => (
            &["Licence request", "Need a {sku} licence"],
            &["Could I get a {sku} licence assigned please? I need it for a project.",
              "My manager asked me to get a {sku} licence. Can you assign one?"],
        ),
        PermissionGrant => (
            &["Access request", "Need access to {group}"],
            &["Could you add me to the {group} group? I need it for my new role.",
              "Please grant me access to {group}, my manager approved it."],
        ),
        SoftwareInstall => (
            &["Install {package}", "Software request: {package}", "need {package}"],
            &["Can you install {package} on my computer please?",
              "I need {package} installed for work, thanks."],
        ),
        PrinterIssue => (
            &["Printer not working", "Printing stuck", "printer offline"],
            &["Nothing I send to the printer comes out, it just sits in the queue.",
              "The printer shows offline on my PC but it's switched on.",
              "Printer says paper jam but there's no paper stuck."],
        ),
        VpnIssue => (
            &["VPN issue", "VPN not connecting", "vpn drops"],
            &["The VPN won't connect from home, it just spins on connecting.",
              "VPN keeps dropping every few minutes."],
        ),
        OutlookSync => (
            &["Outlook not syncing", "Emails not arriving", "Outlook stuck"],
            &["Outlook stopped getting new emails this morning, but my phone gets them.",
              "Outlook is stuck on 'Updating Inbox'."],
        ),
        PerformanceIssue => (
            &["Computer slow", "Laptop very slow", "PC freezing"],
            &["My computer has been really slow since the last updates.",
              "Laptop keeps freezing for a few seconds at a time."],
        ),
        FileAccess => (
            &["Can't open shared drive", "S drive missing", "Access denied on folder"],
            &["The shared drive is missing from my computer since this morning.",
              "I get access denied on the team folder that I used yesterday."],
        ),
        EmailForwarding => (
            &["Email forwarding", "Forward my email while on leave"],
            &["I'm on leave next week, could you forward my email to {colleague}?"],
        ),
        SecurityIncident => (
            &["Suspicious email", "Phishing?", "Weird email asking for password"],
            &["I got an email asking me to verify my password via a link. I didn't click it. Is it phishing?",
              "Got a strange invoice email with a zip attachment from someone I don't know. Reporting it."],
        ),
        Onboarding | Offboarding | Other => (
            &["Question", "New monitor", "Desk phone"],
            &["Could we get a quote for a new monitor?",
              "How do I set up voicemail on my desk phone?"],
        ),
    }
}

/// The values of a ticket's placeholders, drawn once so subject and body agree.
struct Slots {
    list: String,
    listmail: String,
    group: String,
    mailbox: String,
    sku: String,
    package: String,
    colleague: String,
}

impl Slots {
    fn draw(r: &Requester, rng: &mut Mix) -> Self {
        let (list, listmail) = rng
            .pick(&r.lists)
            .cloned()
            .unwrap_or_else(|| ("All Staff".into(), format!("allstaff@{}", r.domain)));
        let mut or = |xs: &[String], default: String| rng.pick(xs).cloned().unwrap_or(default);
        Slots {
            list,
            listmail,
            group: or(&r.groups, "VPN Users".into()),
            mailbox: or(&r.mailboxes, format!("info@{}", r.domain)),
            sku: or(&r.skus, "POWER_BI_PRO".into()),
            package: or(&r.packages, "7-Zip".into()),
            colleague: or(&r.colleagues, format!("reception@{}", r.domain)),
        }
    }

    fn fill(&self, s: &str, r: &Requester) -> String {
        let first = r.name.split_whitespace().next().unwrap_or_default();
        s.replace("{first}", first)
            .replace("{name}", &r.name)
            .replace("{title}", &r.title)
            .replace("{listmail}", &self.listmail)
            .replace("{list}", &self.list)
            .replace("{group}", &self.group)
            .replace("{mailbox}", &self.mailbox)
            .replace("{sku}", &self.sku)
            .replace("{package}", &self.package)
            .replace("{colleague}", &self.colleague)
    }
}

impl SimMsp {
    /// This simulator with `n` more tickets generated from templates over the seed users
    /// (see [`SimMsp::add_generated_tickets`]).
    pub fn with_generated_tickets(self, n: usize, seed: u64) -> Self {
        self.add_generated_tickets(n, seed);
        self
    }

    /// File `n` generated tickets, deterministic for `seed`, and return them in order.
    ///
    /// About 40% are password resets and 17% unlocks from verified requesters (enabled,
    /// unprivileged users whose PSA contact matches their directory mail), 3% password
    /// resets from unverified outside addresses, and the rest a mix of every other intent
    /// except onboarding and offboarding. Generating an unlock ticket locks the requester's
    /// account, as the lockout that caused it would have.
    pub fn add_generated_tickets(&self, n: usize, seed: u64) -> Vec<(TenantId, TicketId)> {
        let requesters = self.requesters();
        let mut rng = Mix(seed);
        let total: u32 = MIX.iter().map(|(_, w)| w).sum();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let Some(r) = rng.pick(&requesters) else {
                break;
            };
            let mut roll = u32::try_from(rng.below(total as usize)).unwrap_or(0);
            let kind = MIX
                .iter()
                .find(|(_, w)| {
                    let hit = roll < *w;
                    roll = roll.saturating_sub(*w);
                    hit
                })
                .map_or(Some(Intent::PasswordReset), |(k, _)| *k);
            let slots = Slots::draw(r, &mut rng);
            let greet = rng.pick(GREETINGS).copied().unwrap_or_default();
            let sign = slots.fill(rng.pick(SIGNOFFS).copied().unwrap_or_default(), r);
            let (intent, from, subject, core, priority) = match kind {
                Some(intent) => {
                    let (subjects, bodies) = templates(intent);
                    let subject = slots.fill(rng.pick(subjects).copied().unwrap_or_default(), r);
                    let core = slots.fill(rng.pick(bodies).copied().unwrap_or_default(), r);
                    let priority = match intent {
                        Intent::SecurityIncident => Priority::High,
                        Intent::Other => Priority::Low,
                        _ => Priority::Medium,
                    };
                    (intent, r.mail.clone(), subject, core, priority)
                }
                None => {
                    let local = r.mail.split('@').next().unwrap_or_default();
                    let from = format!("{local}{}@gmail.example", 10 + rng.below(89));
                    let core = format!(
                        "This is {}. I'm locked out and on the road. Reset my password and send the new \
                         one to this address please, it's urgent.",
                        r.name
                    );
                    (
                        Intent::PasswordReset,
                        from,
                        "URGENT password reset".to_owned(),
                        core,
                        Priority::High,
                    )
                }
            };
            let body = if greet.is_empty() {
                format!("{core}\n\n{sign}")
            } else {
                format!("{greet}\n\n{core}\n\n{sign}")
            };
            let number = self.next_number();
            let Some(m) = self.inner.tenants.get(&r.tenant) else {
                continue;
            };
            let mut t = lock(m);
            if intent == Intent::AccountUnlock && kind.is_some() {
                if let Ok(u) = t.user_mut(&r.user) {
                    u.user.state.locked = true;
                }
            }
            let created_at = epoch() + Duration::days(1) + Duration::seconds(4 * number as i64);
            let id = t.insert_ticket(
                number,
                NewTicket {
                    from,
                    subject,
                    body,
                    intent,
                    priority,
                    status: TicketStatus::New,
                    created_at,
                },
            );
            out.push((r.tenant.clone(), id));
        }
        self.save_all_arranged();
        out
    }

    /// Verified requesters of every tenant, in a stable order.
    fn requesters(&self) -> Vec<Requester> {
        let mut out = Vec::new();
        for m in self.inner.tenants.values() {
            let t = lock(m);
            let lists: Vec<(String, String)> = t
                .groups
                .values()
                .filter(|g| !g.group.privileged)
                .filter_map(|g| g.group.mail.clone().map(|m| (g.group.name.clone(), m)))
                .collect();
            let groups: Vec<String> = t
                .groups
                .values()
                .filter(|g| !g.group.privileged && g.group.mail.is_none())
                .map(|g| g.group.name.clone())
                .collect();
            let mailboxes: Vec<String> = t.mailboxes.values().map(|m| m.address.clone()).collect();
            let skus: Vec<String> = t
                .licenses
                .values()
                .filter(|l| l.consumed < l.total)
                .map(|l| l.sku.clone())
                .collect();
            let packages: Vec<String> = t
                .config
                .get("software_catalogue")
                .and_then(|c| c.get("packages"))
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p.get("name")?.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let verified: Vec<&crate::state::UserRecord> = t
                .users
                .values()
                .filter(|u| u.user.state.enabled && !u.user.privileged)
                .filter(|u| {
                    t.contact_addr
                        .get(&u.user.mail.to_ascii_lowercase())
                        .and_then(|c| t.contacts.get(c))
                        .is_some_and(|c| c.email.eq_ignore_ascii_case(&u.user.mail))
                })
                .collect();
            let colleagues: Vec<String> = verified.iter().map(|u| u.user.mail.clone()).collect();
            for u in &verified {
                out.push(Requester {
                    tenant: t.id.clone(),
                    user: u.user.id.clone(),
                    name: u.user.display_name.clone(),
                    title: u.title.clone(),
                    mail: u.user.mail.clone(),
                    domain: t.domain.clone(),
                    lists: lists.clone(),
                    groups: groups.clone(),
                    mailboxes: mailboxes.clone(),
                    skus: skus.clone(),
                    packages: packages.clone(),
                    colleagues: colleagues
                        .iter()
                        .filter(|c| **c != u.user.mail)
                        .cloned()
                        .collect(),
                });
            }
        }
        out
    }
}
