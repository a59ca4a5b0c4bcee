//! Human-readable summaries of agent runs (used by the quickstart and `msp-agent demo`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::agent::TicketReport;
use crate::pipeline::{StepStatus, TicketOutcome};

/// Counts of ticket outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Tickets seen.
    pub tickets: usize,
    /// Resolved and closed by the agent.
    pub resolved: usize,
    /// Handed to a human.
    pub escalated: usize,
    /// Shadow mode (logged only).
    pub shadow: usize,
    /// Stopped by the kill switch.
    pub halted: usize,
    /// Parked until an approval is answered (durable runs).
    pub awaiting_approval: usize,
    /// Actions that went through an approval and ran.
    pub approved_actions: usize,
    /// Tickets flagged with a contract or billing exception.
    pub billing_exceptions: usize,
}

impl Totals {
    /// Count the outcomes of a batch.
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a TicketReport>) -> Self {
        let mut t = Totals::default();
        for r in reports {
            t.tickets += 1;
            match r.outcome {
                TicketOutcome::Resolved => t.resolved += 1,
                TicketOutcome::Escalated => t.escalated += 1,
                TicketOutcome::Shadow => t.shadow += 1,
                TicketOutcome::Halted => t.halted += 1,
                TicketOutcome::AwaitingApproval => t.awaiting_approval += 1,
            }
            t.approved_actions += r
                .steps
                .iter()
                .filter(|s| {
                    s.status == StepStatus::Executed
                        && s.approver.as_deref().is_some_and(|a| a != "auto")
                })
                .count();
            t.billing_exceptions += usize::from(!r.billing.is_empty());
        }
        t
    }
}

fn outcome_text(o: TicketOutcome) -> &'static str {
    match o {
        TicketOutcome::Resolved => "resolved",
        TicketOutcome::Escalated => "escalated",
        TicketOutcome::Shadow => "shadow",
        TicketOutcome::Halted => "halted",
        TicketOutcome::AwaitingApproval => "awaiting approval",
    }
}

/// One line describing what happened to the plan's steps, e.g.
/// `reset_password ✓(jane), unlock_account ✓`.
pub fn actions_text(r: &TicketReport) -> String {
    let mut out = String::new();
    for (i, s) in r.steps.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&s.action);
        let mark = match s.status {
            StepStatus::Executed => "✓",
            StepStatus::Failed => "✗failed",
            StepStatus::Invalid => "✗invalid",
            StepStatus::Escalated => "→human",
            StepStatus::Rejected => "✗rejected",
            StepStatus::ApprovalTimedOut => "…no approval",
            StepStatus::LogOnly => "(logged)",
            StepStatus::Halted => "■halted",
            StepStatus::Parked => "…awaiting approval",
        };
        out.push(' ');
        out.push_str(mark);
        if let Some(a) = s
            .approver
            .as_deref()
            .filter(|a| s.status == StepStatus::Executed && *a != "auto")
        {
            let _ = write!(out, "({a})");
        }
    }
    if let Some(why) = r.escalation.as_deref().filter(|_| r.steps.is_empty()) {
        let short: String = why.chars().take(70).collect();
        let _ = write!(
            out,
            "→ {short}{}",
            if why.chars().count() > 70 { "…" } else { "" }
        );
    }
    if out.is_empty() {
        out.push('-');
    }
    out
}

/// A fixed-width table of reports followed by totals.
pub fn render_table(reports: &[TicketReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<8} {:<26} {:>5}  {:<10} actions",
        "tenant", "ticket", "intent", "conf", "outcome"
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:<26} {:>5.2}  {:<10} {}",
            r.tenant.as_str(),
            r.ticket.as_str(),
            r.intent.as_str(),
            r.confidence,
            outcome_text(r.outcome),
            actions_text(r)
        );
    }
    let t = Totals::of(reports);
    let _ = writeln!(
        out,
        "\n{} tickets: {} resolved, {} escalated, {} shadow, {} halted; {} actions ran after approval; {} billing exceptions flagged",
        t.tickets,
        t.resolved,
        t.escalated,
        t.shadow,
        t.halted,
        t.approved_actions,
        t.billing_exceptions
    );
    out
}
