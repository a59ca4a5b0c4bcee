//! Model Reason: a bounded tool-calling loop whose every call goes through the policy gate.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{DATA_RULES, cut, delimit};
use crate::capability::{ChatMessage, ChatModel, ChatRequest, Role, ToolCall, ToolSpec, Usage};
use crate::domain::{Intent, Ticket};
use crate::error::CapResult;
use crate::pipeline::act::{Act, StepMeta, StepRecord, StepStatus};
use crate::pipeline::perceive::Perception;
use crate::pipeline::plan::{Check, Plan, PlannedCall};
use crate::pipeline::reason::{Playbooks, Reason};
use crate::tool::{ToolContext, ToolRegistry};
use msp_agent_policy::Reason as Rule;

/// Tools the model is not offered: Evaluate owns the ticket's closure.
const CLOSURE_TOOLS: [&str; 3] = [
    "update_ticket_status",
    "log_time_entry",
    "categorize_ticket",
];

/// Bounds of one tool-calling loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelLimits {
    /// Model turns (each may propose several calls).
    pub max_steps: u32,
    /// Tool calls over the whole loop.
    pub max_calls: u32,
    /// Input + output tokens over the whole loop.
    pub max_tokens: u32,
    /// Output tokens asked for per turn.
    pub max_output_tokens: u32,
    /// Longest wait for one model turn.
    pub step_timeout: Duration,
    /// Largest accepted tool-call argument text, in bytes.
    pub max_argument_bytes: usize,
    /// Largest tool result returned to the model, in bytes (cut beyond).
    pub max_result_bytes: usize,
}

impl Default for ModelLimits {
    fn default() -> Self {
        ModelLimits {
            max_steps: 8,
            max_calls: 16,
            max_tokens: 32_000,
            max_output_tokens: 1_024,
            step_timeout: Duration::from_secs(60),
            max_argument_bytes: 4 * 1024,
            max_result_bytes: 4 * 1024,
        }
    }
}

/// The model planner: offers the registry's tools to the model, runs each proposed call
/// through `act` (validation → policy → approval → execution → audit) and feeds the result
/// back, until the model answers without calls or a limit is hit (then the plan escalates
/// with the reason). The steps taken are in [`Plan::taken`], the tokens in [`Plan::usage`].
pub struct ModelReason {
    model: Arc<dyn ChatModel>,
    act: Arc<dyn Act>,
    specs: Vec<ToolSpec>,
    limits: ModelLimits,
}

impl std::fmt::Debug for ModelReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelReason")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Why the loop ended.
enum End {
    Answered(String),
    Escalate(String),
}

impl ModelReason {
    /// A planner over `model` offering `tools` (minus the closure tools Evaluate owns), whose
    /// calls run through `act` — pass the agent's own gate.
    pub fn new(model: Arc<dyn ChatModel>, tools: &ToolRegistry, act: Arc<dyn Act>) -> Self {
        let specs = tools
            .specs()
            .into_iter()
            .filter(|s| !CLOSURE_TOOLS.contains(&s.name.as_str()))
            .collect();
        ModelReason {
            model,
            act,
            specs,
            limits: ModelLimits::default(),
        }
    }

    /// Replace the limits.
    pub fn limits(mut self, limits: ModelLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The tools offered to the model.
    pub fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }

    fn offered(&self, name: &str) -> bool {
        self.specs.iter().any(|s| s.name == name)
    }

    fn prompt(&self, ticket: &Ticket, p: &Perception) -> Vec<ChatMessage> {
        let system = format!(
            "You are the L1 help-desk agent of a managed service provider, working one ticket \
             with the tools offered. {DATA_RULES}\n\
             Every tool call is checked against the MSP's policy; a refusal or validation error \
             comes back as the tool result: correct the call or stop. Act only for the verified \
             requester unless the policy approves otherwise. Never put passwords, passes or \
             other secrets in notes. When done, answer in plain text with a short summary; \
             start it with `ESCALATE:` when a technician must take over."
        );
        let requester = match p.requester.user() {
            Some(u) => format!("verified requester: {} (user id {})", u.upn, u.id),
            None => "requester: NOT verified — do not change any account".to_owned(),
        };
        let user = format!(
            "{}\nTriage: intent {} (confidence {:.2}, {}); {requester}.",
            delimit(ticket),
            p.intent,
            p.confidence,
            p.method
        );
        vec![
            message(Role::System, system, None),
            message(Role::User, user, None),
        ]
    }

    /// One proposed call → the record (when it reached the gate) and the text for the model.
    async fn call(
        &self,
        cx: &ToolContext<'_>,
        call: &ToolCall,
        meta: StepMeta<'_>,
    ) -> (Option<StepRecord>, Value) {
        let refuse = |why: String| (None, json!({ "status": "refused", "error": why }));
        if !self.offered(&call.name) {
            return refuse(format!(
                "unknown tool `{}`; use only the tools offered",
                call.name
            ));
        }
        if call.arguments.len() > self.limits.max_argument_bytes {
            return refuse(format!(
                "arguments of {} bytes exceed the limit of {}",
                call.arguments.len(),
                self.limits.max_argument_bytes
            ));
        }
        let args: Value = match serde_json::from_str(call.arguments.trim()) {
            Ok(v) => v,
            Err(e) => return refuse(format!("arguments are not valid JSON: {e}")),
        };
        let planned = PlannedCall::new(&call.name, args, "proposed by the model");
        let record = self.act.act(cx, &planned, meta).await;
        let mut result = json!({ "status": record.status });
        if let Some(error) = &record.error {
            result["error"] = json!(error);
        }
        if let Some(decision) = &record.decision
            && !record.status.ran()
        {
            let reasons: Vec<String> = decision.reasons.iter().map(|r| r.to_string()).collect();
            result["policy"] =
                json!({ "tier": decision.tier, "outcome": decision.outcome, "reasons": reasons });
        }
        if let Some(output) = &record.output {
            result["output"] = output.clone();
        }
        (Some(record), result)
    }

    async fn run_loop(
        &self,
        cx: &ToolContext<'_>,
        ticket: &Ticket,
        p: &Perception,
        taken: &mut Vec<StepRecord>,
        findings: &mut Vec<String>,
        usage: &mut Usage,
    ) -> End {
        let limits = self.limits;
        // One request, grown in place: the conversation and the tool specs are not copied
        // per step.
        let mut request = ChatRequest {
            messages: self.prompt(ticket, p),
            tools: self.specs.clone(),
            max_tokens: limits.max_output_tokens,
        };
        let requester = p.requester.user().map(|u| &u.id);
        let mut calls = 0u32;
        for step in 1..=limits.max_steps {
            let spent = usage.input_tokens.saturating_add(usage.output_tokens);
            request.max_tokens = limits
                .max_output_tokens
                .min(limits.max_tokens.saturating_sub(spent));
            let response = match tokio::time::timeout(
                limits.step_timeout,
                self.model.complete(&request),
            )
            .await
            {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return End::Escalate(format!("model error at step {step}: {e}")),
                Err(_) => {
                    return End::Escalate(format!(
                        "model step {step} timed out after {:?}",
                        limits.step_timeout
                    ));
                }
            };
            usage.input_tokens = usage
                .input_tokens
                .saturating_add(response.usage.input_tokens);
            usage.output_tokens = usage
                .output_tokens
                .saturating_add(response.usage.output_tokens);
            let spent = usage.input_tokens.saturating_add(usage.output_tokens);
            if spent >= limits.max_tokens {
                return End::Escalate(format!(
                    "token limit reached ({spent} of {} tokens)",
                    limits.max_tokens
                ));
            }
            let assistant = response.message;
            if assistant.tool_calls.is_empty() {
                return End::Answered(assistant.content);
            }
            request.messages.push(ChatMessage {
                role: Role::Assistant,
                ..assistant.clone()
            });
            for call in &assistant.tool_calls {
                calls += 1;
                if calls > limits.max_calls {
                    return End::Escalate(format!(
                        "tool call limit ({}) reached",
                        limits.max_calls
                    ));
                }
                let reasoning = format!(
                    "model planner, intent {} ({:.2}, {}): step {step}, `{}`",
                    p.intent, p.confidence, p.method, call.name
                );
                let meta = StepMeta {
                    confidence: p.confidence,
                    reasoning: &reasoning,
                    requester,
                };
                let (record, result) = self.call(cx, call, meta).await;
                match record {
                    Some(r) if r.status == StepStatus::Invalid => findings.push(format!(
                        "model call `{}` refused: {}",
                        r.action,
                        r.error.as_deref().unwrap_or("invalid")
                    )),
                    Some(r) if r.status == StepStatus::Failed && is_read(&r) => {
                        findings.push(format!(
                            "model read `{}` failed: {}",
                            r.action,
                            r.error.as_deref().unwrap_or("error")
                        ))
                    }
                    Some(r) => taken.push(r),
                    None => findings.push(format!(
                        "model call `{}` refused: {}",
                        truncated(&call.name, 64),
                        result["error"].as_str().unwrap_or("refused")
                    )),
                }
                let mut content = result.to_string();
                cut(&mut content, limits.max_result_bytes);
                request
                    .messages
                    .push(message(Role::Tool, content, Some(call.id.clone())));
            }
        }
        End::Escalate(format!("step limit ({}) reached", limits.max_steps))
    }
}

/// A read: the policy let it run as one.
fn is_read(r: &StepRecord) -> bool {
    r.decision
        .as_ref()
        .is_some_and(|d| d.reasons.contains(&Rule::ReadAction))
}

fn truncated(s: &str, max: usize) -> String {
    let mut s = s.to_owned();
    cut(&mut s, max);
    s
}

fn message(role: Role, content: String, tool_call_id: Option<String>) -> ChatMessage {
    ChatMessage {
        role,
        content,
        tool_calls: Vec::new(),
        tool_call_id,
    }
}

/// Post-conditions of the writes the model ran, re-read by Evaluate.
fn checks_for(taken: &[StepRecord], since: chrono::DateTime<chrono::Utc>) -> Vec<Check> {
    let user = |r: &StepRecord| {
        r.args
            .get("user")
            .and_then(Value::as_str)
            .map(crate::domain::UserId::from)
    };
    taken
        .iter()
        .filter(|r| r.status == StepStatus::Executed)
        .filter_map(|r| match r.action.as_str() {
            "reset_password" => Some(Check::PasswordChanged {
                user: user(r)?,
                since,
            }),
            "unlock_account" => Some(Check::Unlocked { user: user(r)? }),
            "add_group_member" => Some(Check::GroupMember {
                group: r.args.get("group")?.as_str()?.to_owned(),
                user: user(r)?,
            }),
            _ => None,
        })
        .collect()
}

#[async_trait]
impl Reason for ModelReason {
    async fn plan(&self, cx: &ToolContext<'_>, ticket: &Ticket, p: &Perception) -> CapResult<Plan> {
        let since = cx.started_at();
        let (mut taken, mut findings, mut usage) = (Vec::new(), Vec::new(), Usage::default());
        let end = self
            .run_loop(cx, ticket, p, &mut taken, &mut findings, &mut usage)
            .await;
        let category = p.intent.as_str();
        let wrote = taken.iter().any(|r| r.status.ran() && !is_read(r));
        let escalate = match end {
            End::Escalate(why) => Some(why),
            End::Answered(text) => {
                let mut summary = text.trim().to_owned();
                cut(&mut summary, 1_000);
                let escalated = summary
                    .get(..8)
                    .is_some_and(|head| head.eq_ignore_ascii_case("escalate"));
                if !summary.is_empty() {
                    findings.push(format!("model summary: {summary}"));
                }
                if escalated {
                    let mut why = summary[8..].trim_start_matches([':', ' ']).to_owned();
                    cut(&mut why, 200);
                    Some(format!("the model asked for a technician: {why}"))
                } else if taken.iter().any(|r| !r.status.ran()) {
                    // Evaluate escalates with the first call that did not run, and why.
                    None
                } else if !wrote {
                    Some("the model made no change".to_owned())
                } else {
                    None
                }
            }
        };
        tracing::info!(
            steps = taken.len(),
            input_tokens = usage.input_tokens,
            output_tokens = usage.output_tokens,
            escalate = escalate.is_some(),
            "model plan"
        );
        findings.push(format!(
            "model tokens: {} in, {} out",
            usage.input_tokens, usage.output_tokens
        ));
        let checks = checks_for(&taken, since);
        Ok(Plan {
            taken,
            usage: Some(usage),
            findings,
            escalate,
            checks,
            ..Plan::act("model", category, Vec::new(), Vec::new())
        })
    }
}

/// Playbooks first; the model for intents without one (never for `security_incident`, which
/// always goes to a human).
pub struct HybridReason {
    playbooks: Playbooks,
    model: ModelReason,
}

impl std::fmt::Debug for HybridReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HybridReason")
            .field("playbooks", &self.playbooks)
            .finish_non_exhaustive()
    }
}

impl HybridReason {
    /// Combine the playbooks and the model planner.
    pub fn new(playbooks: Playbooks, model: ModelReason) -> Self {
        HybridReason { playbooks, model }
    }
}

#[async_trait]
impl Reason for HybridReason {
    async fn plan(&self, cx: &ToolContext<'_>, ticket: &Ticket, p: &Perception) -> CapResult<Plan> {
        if p.intent == Intent::SecurityIncident || self.playbooks.intents().any(|i| i == p.intent) {
            self.playbooks.plan(cx, ticket, p).await
        } else {
            self.model.plan(cx, ticket, p).await
        }
    }
}
