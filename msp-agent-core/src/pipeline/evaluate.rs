//! Evaluate: verify the outcome in the target system, then note, categorize, log time and
//! close or escalate — each of those writes through the policy gate too.

use std::fmt::Write as _;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::json;

use super::act::{Act, StepMeta, StepRecord, StepStatus};
use super::billing::{BillingException, billing_exceptions};
use super::perceive::Perception;
use super::plan::{Check, Plan, PlannedCall};
use crate::domain::{AuthMethodKind, Ticket, TicketStatus};
use crate::tool::ToolContext;

/// How a ticket ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketOutcome {
    /// Resolved by the agent and closed.
    Resolved,
    /// Handed to a human with a note.
    Escalated,
    /// Shadow mode: nothing changed; the prediction is in the audit log.
    Shadow,
    /// The kill switch stopped the run.
    Halted,
    /// A durable run is parked until an approval is answered; nothing was closed.
    AwaitingApproval,
}

/// What Evaluate gets to judge.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation<'a> {
    /// The perception.
    pub perception: &'a Perception,
    /// The plan.
    pub plan: &'a Plan,
    /// What happened to each planned step.
    pub steps: &'a [StepRecord],
    /// The ticket as read at the start of the run.
    pub ticket: &'a Ticket,
    /// Agent minutes to log.
    pub minutes: u32,
}

/// What Evaluate did.
#[derive(Debug, Clone, PartialEq)]
pub struct Closure {
    /// How the ticket ended.
    pub outcome: TicketOutcome,
    /// The closing steps taken (note, category, time entry, status).
    pub steps: Vec<StepRecord>,
    /// Contract and billing exceptions flagged on the ticket.
    pub billing: Vec<BillingException>,
    /// Why the ticket was not resolved (plan, step or verification), when it was not.
    pub problem: Option<String>,
}

/// The Evaluate stage.
#[async_trait]
pub trait Evaluate: Send + Sync {
    /// Verify, flag billing exceptions, and close or escalate.
    async fn evaluate(&self, cx: &ToolContext<'_>, act: &dyn Act, e: Evaluation<'_>) -> Closure;
}

/// Default Evaluate.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultEvaluate;

/// Re-read a user from the directory for a check.
async fn read_user(
    cx: &ToolContext<'_>,
    user: &crate::domain::UserId,
) -> Result<crate::domain::DirectoryUser, String> {
    cx.caps
        .identity
        .get_user(cx.tenant, user)
        .await
        .map_err(|e| e.to_string())
}

async fn check_holds(cx: &ToolContext<'_>, check: &Check) -> Result<(), String> {
    match check {
        Check::PasswordChanged { user, since } => {
            let u = read_user(cx, user).await?;
            let changed = u.state.password_changed_at.is_some_and(|t| t >= *since);
            if changed && u.state.force_change_password {
                Ok(())
            } else {
                Err(format!(
                    "password of {} not changed with force-change",
                    u.upn
                ))
            }
        }
        Check::Unlocked { user } => {
            let u = read_user(cx, user).await?;
            if u.state.locked {
                Err(format!("{} is still locked", u.upn))
            } else {
                Ok(())
            }
        }
        Check::GroupMember { group, user } => {
            let groups = cx
                .caps
                .identity
                .list_user_groups(cx.tenant, user)
                .await
                .map_err(|e| e.to_string())?;
            let named = |g: &crate::domain::Group| {
                g.name.eq_ignore_ascii_case(group)
                    || g.mail
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(group))
            };
            if groups.iter().any(named) {
                Ok(())
            } else {
                Err(format!("{user} is not a member of `{group}`"))
            }
        }
        Check::MfaCleared { user } => {
            let left: Vec<_> = cx
                .caps
                .identity
                .list_auth_methods(cx.tenant, user)
                .await
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|m| {
                    !matches!(
                        m.kind,
                        AuthMethodKind::Password | AuthMethodKind::TemporaryAccessPass
                    )
                })
                .collect();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("{user} still has {} MFA method(s)", left.len()))
            }
        }
        Check::SignInDisabled { user } => {
            let u = read_user(cx, user).await?;
            if u.state.enabled {
                Err(format!("{} can still sign in", u.upn))
            } else {
                Ok(())
            }
        }
        Check::UserExists { upn } => match cx.caps.identity.find_user(cx.tenant, upn).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(format!("{upn} does not exist")),
            Err(e) => Err(e.to_string()),
        },
    }
}

fn describe(step: &StepRecord) -> String {
    let mut line = format!(
        "- {}: {}",
        step.action,
        serde_json::to_string(&step.status)
            .unwrap_or_default()
            .trim_matches('"')
    );
    if let Some(approver) = step
        .approver
        .as_deref()
        .filter(|a| *a != "auto" && *a != "none")
    {
        let _ = write!(line, " (by {approver})");
    }
    if let Some(receipt) = step.output.as_ref().and_then(|o| o.get("delivered")) {
        let _ = write!(
            line,
            " — secret delivered out of band via {} to {}",
            receipt["channel"].as_str().unwrap_or("?"),
            receipt["destination"].as_str().unwrap_or("?")
        );
    }
    if let Some(err) = &step.error {
        let _ = write!(line, " — {err}");
    }
    line
}

#[async_trait]
impl Evaluate for DefaultEvaluate {
    async fn evaluate(&self, cx: &ToolContext<'_>, act: &dyn Act, e: Evaluation<'_>) -> Closure {
        let p = e.perception;
        let all_ran = e.steps.iter().all(|s| s.status.ran());
        let stopped = e.steps.iter().find(|s| !s.status.ran());
        let mut problem = e.plan.escalate.clone().or_else(|| {
            stopped.map(|s| format!("step `{}` did not complete ({:?})", s.action, s.status))
        });
        if problem.is_none() && all_ran {
            for check in &e.plan.checks {
                if let Err(why) = check_holds(cx, check).await {
                    problem = Some(format!("verification failed: {why}"));
                    break;
                }
            }
        }

        let mut note = format!(
            "msp-agent ({} playbook): intent {} (confidence {:.2}, {}).\n",
            e.plan.playbook, p.intent, p.confidence, p.method
        );
        for step in e.steps {
            note.push_str(&describe(step));
            note.push('\n');
        }
        if e.plan.escalate.is_none() && e.steps.len() < e.plan.steps.len() {
            let rest: Vec<&str> = e.plan.steps[e.steps.len()..]
                .iter()
                .map(|c| c.tool.as_str())
                .collect();
            let _ = writeln!(note, "- not run: {}", rest.join(", "));
        }
        for finding in &e.plan.findings {
            let _ = writeln!(note, "* {finding}");
        }
        let (billing, billing_note) = match cx
            .caps
            .docs
            .client_configuration(cx.tenant, "contract")
            .await
        {
            Ok(contract) => (
                billing_exceptions(contract.as_ref(), p.intent, e.ticket.created_at),
                None,
            ),
            Err(err) => (
                Vec::new(),
                Some(format!(
                    "Billing check skipped: contract unavailable ({err})."
                )),
            ),
        };
        for exception in &billing {
            let _ = writeln!(note, "! Billing exception: {exception}.");
        }
        if let Some(line) = billing_note {
            let _ = writeln!(note, "{line}");
        }
        let resolved = problem.is_none();
        let waiting = e.plan.resolved_status == TicketStatus::Waiting;
        match &problem {
            None if waiting => {
                note.push_str("Answered by the agent; waiting for the user to confirm.");
            }
            None => note.push_str("Verified in the target system. Resolved by the agent."),
            Some(why) => {
                let _ = write!(note, "Escalated to a technician: {why}.");
            }
        }
        let (status, why) = if resolved {
            (e.plan.resolved_status, "resolved and verified")
        } else {
            (TicketStatus::Escalated, "needs a technician")
        };
        let closing = [
            PlannedCall::new(
                "add_internal_note",
                json!({ "text": note }),
                "record what the agent did",
            ),
            PlannedCall::new(
                "categorize_ticket",
                json!({ "category": e.plan.category }),
                "categorize",
            ),
            PlannedCall::new(
                "log_time_entry",
                json!({ "minutes": e.minutes.max(1), "billable": resolved && billing.is_empty(), "notes": format!("msp-agent: {}", e.plan.playbook) }),
                "agent time, kept apart from technician time",
            ),
            PlannedCall::new("update_ticket_status", json!({ "status": status }), why),
        ];
        let meta = StepMeta {
            confidence: 1.0,
            reasoning: "ticket closure",
            requester: None,
        };
        let mut records = Vec::with_capacity(closing.len());
        for call in &closing {
            records.push(act.act(cx, call, meta).await);
        }

        let every = e.steps.iter().chain(&records);
        let outcome = if every.clone().any(|s| s.status == StepStatus::Halted) {
            TicketOutcome::Halted
        } else if every.clone().any(|s| s.status == StepStatus::LogOnly) {
            TicketOutcome::Shadow
        } else if resolved && records.iter().all(|r| r.status.ran()) {
            TicketOutcome::Resolved
        } else {
            TicketOutcome::Escalated
        };
        Closure {
            outcome,
            steps: records,
            billing,
            problem,
        }
    }
}
