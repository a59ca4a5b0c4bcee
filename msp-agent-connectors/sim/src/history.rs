//! A realistic help-desk history for shadow-mode replay: the generated tickets of
//! [`SimMsp::add_generated_tickets`] as a PSA export would list them once closed, with what
//! the human technicians did (board, type, priority, assignee, resolution, timestamps) and the
//! noise real exports have: mislabelled and unlabelled types, reassignments, after-hours
//! tickets, missing timestamps.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use msp_agent_core::domain::{Intent, Priority};
use serde::Serialize;

use crate::SimMsp;
use crate::state::lock;

/// One closed ticket of a history export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoricalTicket {
    /// PSA ticket id.
    pub id: String,
    /// Client.
    pub tenant: String,
    /// Sender address.
    pub requester: String,
    /// Opened.
    pub created: Option<DateTime<Utc>>,
    /// First human response (missing in some exports).
    pub first_response: Option<DateTime<Utc>>,
    /// Resolved.
    pub resolved: Option<DateTime<Utc>>,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// The board the human put it on.
    pub board: String,
    /// The human's type, in PSA wording ("Password Reset"); empty when never set.
    #[serde(rename = "type")]
    pub kind: String,
    /// The human's priority.
    pub priority: String,
    /// Last assignee.
    pub assignee: String,
    /// Times it changed hands.
    pub reassignments: u32,
    /// Resolution note.
    pub resolution: String,
    /// Ground truth (not part of an export; for tests).
    #[serde(skip)]
    pub true_intent: Intent,
}

/// SplitMix64, as in the ticket generator: stable across versions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

const TECHNICIANS: [&str; 5] = ["j.okafor", "m.lindqvist", "s.patel", "r.moreau", "t.nguyen"];

/// The intent a hurried technician might file a ticket under instead.
fn confusable(i: Intent) -> Intent {
    use Intent::*;
    match i {
        PasswordReset => AccountUnlock,
        AccountUnlock => PasswordReset,
        DistributionListAccess | SharedMailboxAccess | FileAccess => PermissionGrant,
        MfaReset => PasswordReset,
        SoftwareInstall => LicenseAssignment,
        _ => Other,
    }
}

/// "password_reset" → "Password Reset".
fn psa_type(i: Intent) -> String {
    i.as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn resolution(i: Intent) -> &'static str {
    use Intent::*;
    match i {
        PasswordReset => "Verified caller, reset password with change at next sign-in.",
        AccountUnlock => "Unlocked account; stale credentials on phone removed.",
        MfaReset => "Verified by call-back, cleared MFA methods, issued TAP.",
        DistributionListAccess | PermissionGrant => "Added to group after manager approval.",
        SharedMailboxAccess => "Granted full access to the shared mailbox.",
        LicenseAssignment => "Assigned licence.",
        SoftwareInstall => "Deployed package via RMM.",
        SecurityIncident => "Reported phishing purged from mailboxes; user briefed.",
        PrinterIssue => "Cleared the print queue and restarted the spooler.",
        VpnIssue => "Re-imported VPN profile.",
        OutlookSync => "Rebuilt the Outlook profile.",
        _ => "Answered the user's question.",
    }
}

/// Typical resolution time in minutes after the first response.
fn work_minutes(i: Intent, rng: &mut Rng) -> i64 {
    use Intent::*;
    let (base, spread) = match i {
        PasswordReset | AccountUnlock => (10, 90),
        MfaReset
        | DistributionListAccess
        | SharedMailboxAccess
        | LicenseAssignment
        | PermissionGrant
        | EmailForwarding => (30, 240),
        SecurityIncident => (60, 480),
        _ => (60, 1440),
    };
    base + i64::try_from(rng.below(spread)).unwrap_or(0)
}

/// First Monday of the history.
fn start() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2025, 9, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
        .unwrap_or_default()
}

impl SimMsp {
    /// File `n` generated tickets (see [`SimMsp::add_generated_tickets`]) and return them as a
    /// closed-ticket history over `weeks` weeks from Monday 2025-09-01, sorted by creation time,
    /// deterministic for `seed`.
    ///
    /// Noise, per ticket: most are opened in business hours (weekdays 08–18 UTC; 70% of the
    /// weekend draws move to Monday), the rest on evenings and weekends and answered the next
    /// business morning; 4% of the human types are a
    /// confusable intent (password reset ↔ unlock, access requests → permission grant, …) and
    /// 2% are blank; 12% were reassigned once and 3% twice; 3% lack a first-response time and
    /// 2% a resolution time.
    pub fn generate_history(&self, n: usize, weeks: u32, seed: u64) -> Vec<HistoricalTicket> {
        let ids = self.add_generated_tickets(n, seed);
        let mut rng = Rng(seed ^ 0x5EED_F00D);
        let days = u64::from(weeks.max(1)) * 7;
        let mut out = Vec::with_capacity(ids.len());
        for (tenant, id) in ids {
            let Some(m) = self.inner.tenants.get(&tenant) else {
                continue;
            };
            let (ticket, intent) = {
                let t = lock(m);
                match t.tickets.get(&id) {
                    Some(r) => (r.ticket.clone(), r.intent),
                    None => continue,
                }
            };
            let mut day = start() + Duration::days(i64::try_from(rng.below(days)).unwrap_or(0));
            // Fewer tickets at weekends: most weekend draws move to the next Monday.
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && rng.chance(70) {
                while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    day += Duration::days(1);
                }
            }
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let business = !weekend && rng.chance(82);
            let minute = |rng: &mut Rng, from: u64, to: u64| {
                Duration::minutes(i64::try_from(from + rng.below(to - from)).unwrap_or(0))
            };
            let created = if business {
                day + minute(&mut rng, 8 * 60, 18 * 60)
            } else if rng.chance(50) {
                day + minute(&mut rng, 18 * 60, 24 * 60)
            } else {
                day + minute(&mut rng, 0, 8 * 60)
            };
            let wait = if business {
                minute(&mut rng, 2, 45)
                    + if rng.chance(10) {
                        minute(&mut rng, 60, 300)
                    } else {
                        Duration::zero()
                    }
            } else {
                // Picked up at the next business morning.
                let mut next = created
                    .date_naive()
                    .and_hms_opt(8, 0, 0)
                    .map(|d| d.and_utc());
                if created.time() >= chrono::NaiveTime::MIN + Duration::hours(8) {
                    next = next.map(|d| d + Duration::days(1));
                }
                let mut next = next.unwrap_or(created);
                while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
                    next += Duration::days(1);
                }
                (next - created) + minute(&mut rng, 5, 60)
            };
            let first = created + wait;
            let resolved = first + Duration::minutes(work_minutes(intent, &mut rng));
            let roll = rng.below(100);
            let human = if roll < 4 {
                psa_type(confusable(intent))
            } else if roll < 6 {
                String::new()
            } else {
                psa_type(intent)
            };
            let reassignments = match rng.below(100) {
                0..12 => 1,
                12..15 => 2,
                _ => 0,
            };
            let board = match intent {
                Intent::SecurityIncident => "Security",
                Intent::Onboarding | Intent::Offboarding => "Projects",
                _ => "Service Desk",
            };
            let priority = match ticket.priority {
                Priority::Low => "Low",
                Priority::Medium => "Medium",
                Priority::High => "High",
                Priority::Critical => "Critical",
            };
            out.push(HistoricalTicket {
                id: ticket.id.as_str().to_owned(),
                tenant: tenant.as_str().to_owned(),
                requester: ticket.requester_email,
                created: Some(created),
                first_response: (!rng.chance(3)).then_some(first),
                resolved: (!rng.chance(2)).then_some(resolved),
                subject: ticket.subject,
                body: ticket.body,
                board: board.to_owned(),
                kind: human,
                priority: priority.to_owned(),
                assignee: TECHNICIANS[usize::try_from(rng.below(5)).unwrap_or(0)].to_owned(),
                reassignments,
                resolution: resolution(intent).to_owned(),
                true_intent: intent,
            });
        }
        out.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn history_is_deterministic_and_noisy() {
        let a = SimMsp::seeded().generate_history(400, 10, 7);
        let b = SimMsp::seeded().generate_history(400, 10, 7);
        assert_eq!(a, b);
        assert_eq!(a.len(), 400);
        assert!(a.windows(2).all(|w| w[0].created <= w[1].created));
        let mislabelled = a
            .iter()
            .filter(|t| !t.kind.is_empty() && t.kind != psa_type(t.true_intent))
            .count();
        assert!((10..=45).contains(&mislabelled), "{mislabelled}");
        assert!(a.iter().any(|t| t.kind.is_empty()));
        assert!(a.iter().any(|t| t.first_response.is_none()));
        assert!(a.iter().any(|t| t.reassignments == 2));
        for t in &a {
            let (c, f) = (t.created.unwrap(), t.first_response);
            assert!(f.is_none_or(|f| f > c));
            assert!(t.resolved.is_none_or(|r| r > c));
        }
        assert_eq!(psa_type(Intent::PasswordReset), "Password Reset");
    }
}
