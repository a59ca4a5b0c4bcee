//! The agent runtime: composes the pipeline over a set of capabilities.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tracing::Instrument;

use crate::audit::{AuditError, AuditSink, MemoryAuditSink};
use crate::capability::{ApprovalGateway, Capabilities, ChatModel, Usage};
use crate::domain::{Intent, TenantId, TicketId};
use crate::error::CapabilityError;
use crate::pipeline::model::{HybridReason, ModelLimits, ModelPerceive, ModelReason};
use crate::pipeline::{
    Act, BillingException, Closure, DefaultEvaluate, Evaluate, Evaluation, Perceive, Playbooks,
    PolicyGate, Reason, RulePerceive, StepMeta, StepRecord, StepStatus, TicketOutcome,
};
use crate::run::RunContext;
use crate::tool::{ToolContext, ToolRegistry};
use msp_agent_policy::{Mode, PolicyEngine, Scope};

/// Why the agent could not work a ticket at all.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// A read the pipeline needs failed (ticket, contact, directory).
    #[error("ticket {ticket}: {source}")]
    Capability {
        /// The ticket.
        ticket: TicketId,
        /// The failure.
        #[source]
        source: CapabilityError,
    },
    /// The audit trail could not be written.
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// What the agent did with one ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketReport {
    /// The client.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// Triage intent.
    pub intent: Intent,
    /// Triage confidence.
    pub confidence: f64,
    /// How it ended.
    pub outcome: TicketOutcome,
    /// The plan's steps, as they went.
    pub steps: Vec<StepRecord>,
    /// Closure steps (note, category, time, status).
    pub closing: Vec<StepRecord>,
    /// Why it was escalated, when it was.
    pub escalation: Option<String>,
    /// Contract and billing exceptions flagged on the ticket (DESIGN §7).
    pub billing: Vec<BillingException>,
    /// Model tokens spent planning this ticket, when a model planned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// Resolves tickets end to end under the policy.
///
/// ```no_run
/// # async fn demo(caps: msp_agent_core::capability::Capabilities) -> Result<(), msp_agent_core::agent::AgentError> {
/// use msp_agent_core::agent::Agent;
/// let agent = Agent::builder(caps).build();
/// let report = agent.handle(&"acme".into(), &"T-1001".into()).await?;
/// println!("{:?}", report.outcome);
/// # Ok(()) }
/// ```
pub struct Agent {
    caps: Capabilities,
    perceive: Arc<dyn Perceive>,
    reason: Arc<dyn Reason>,
    act: Arc<dyn Act>,
    evaluate: Arc<dyn Evaluate>,
    audit: Arc<dyn AuditSink>,
    policy: Arc<PolicyEngine>,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").finish_non_exhaustive()
    }
}

/// Builds an [`Agent`]; every part has a default.
pub struct AgentBuilder {
    caps: Capabilities,
    policy: Arc<PolicyEngine>,
    tools: ToolRegistry,
    audit: Arc<dyn AuditSink>,
    approvals: Option<(Arc<dyn ApprovalGateway>, Duration)>,
    mode: Option<Mode>,
    perceive: Option<Arc<dyn Perceive>>,
    reason: Option<Arc<dyn Reason>>,
    evaluate: Arc<dyn Evaluate>,
    act: Option<Arc<dyn Act>>,
    model: Option<Arc<dyn ChatModel>>,
    model_limits: ModelLimits,
}

impl AgentBuilder {
    /// The policy engine (default: the built-in policy). Keep a clone of the `Arc` to flip
    /// the kill switch or mode while the agent runs.
    pub fn policy(mut self, policy: impl Into<Arc<PolicyEngine>>) -> Self {
        self.policy = policy.into();
        self
    }
    /// The tools (default: [`ToolRegistry::builtin`]).
    pub fn tools(mut self, tools: ToolRegistry) -> Self {
        self.tools = tools;
        self
    }
    /// The audit sink (default: in memory).
    pub fn audit(mut self, audit: Arc<dyn AuditSink>) -> Self {
        self.audit = audit;
        self
    }
    /// Where to ask for approvals, and how long to wait (default: none; approval-tier
    /// actions escalate).
    pub fn approvals(mut self, gateway: Arc<dyn ApprovalGateway>, timeout: Duration) -> Self {
        self.approvals = Some((gateway, timeout));
        self
    }
    /// Set the global rollout mode on the policy engine at build time.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }
    /// Replace Perceive.
    pub fn perceive(mut self, perceive: Arc<dyn Perceive>) -> Self {
        self.perceive = Some(perceive);
        self
    }
    /// Replace Reason.
    pub fn reason(mut self, reason: Arc<dyn Reason>) -> Self {
        self.reason = Some(reason);
        self
    }
    /// Replace Evaluate.
    pub fn evaluate(mut self, evaluate: Arc<dyn Evaluate>) -> Self {
        self.evaluate = evaluate;
        self
    }
    /// Use a language model where the deterministic path is unsure: triage by
    /// [`ModelPerceive`] when the rule confidence is below the autonomous threshold (or the
    /// intent is `other`), and planning by [`ModelReason`] — through this agent's policy
    /// gate — for intents without a playbook ([`HybridReason`]). A Perceive or Reason set
    /// explicitly is kept. Without a model nothing changes.
    pub fn model(mut self, model: Arc<dyn ChatModel>) -> Self {
        self.model = Some(model);
        self
    }
    /// Bounds of the model's tool loop (default [`ModelLimits::default`]).
    pub fn model_limits(mut self, limits: ModelLimits) -> Self {
        self.model_limits = limits;
        self
    }
    /// Replace Act; a custom Act should wrap a [`PolicyGate`], the only way to run tools.
    pub fn act(mut self, act: Arc<dyn Act>) -> Self {
        self.act = Some(act);
        self
    }

    /// Build the agent.
    pub fn build(self) -> Agent {
        if let Some(mode) = self.mode {
            self.policy.set_mode(Scope::Global, mode);
        }
        let tools = Arc::new(self.tools);
        let act = self.act.unwrap_or_else(|| {
            let mut gate = PolicyGate::new(self.policy.clone(), tools.clone(), self.audit.clone());
            if let Some((gateway, timeout)) = self.approvals {
                gate = gate.with_approvals(gateway, timeout);
            }
            Arc::new(gate)
        });
        let (perceive, reason): (Arc<dyn Perceive>, Arc<dyn Reason>) = match self.model {
            None => (
                self.perceive
                    .unwrap_or_else(|| Arc::new(RulePerceive::new())),
                self.reason
                    .unwrap_or_else(|| Arc::new(Playbooks::builtin())),
            ),
            Some(model) => (
                self.perceive.unwrap_or_else(|| {
                    Arc::new(ModelPerceive::new(model.clone(), self.policy.clone()))
                }),
                self.reason.unwrap_or_else(|| {
                    let planner =
                        ModelReason::new(model, &tools, act.clone()).limits(self.model_limits);
                    Arc::new(HybridReason::new(Playbooks::builtin(), planner))
                }),
            ),
        };
        Agent {
            caps: self.caps,
            perceive,
            reason,
            act,
            evaluate: self.evaluate,
            audit: self.audit,
            policy: self.policy,
        }
    }
}

impl Agent {
    /// Start building an agent over these systems.
    pub fn builder(caps: Capabilities) -> AgentBuilder {
        AgentBuilder {
            caps,
            policy: Arc::new(PolicyEngine::builtin()),
            tools: ToolRegistry::builtin(),
            audit: Arc::new(MemoryAuditSink::new()),
            approvals: None,
            mode: None,
            perceive: None,
            reason: None,
            evaluate: Arc::new(DefaultEvaluate),
            act: None,
            model: None,
            model_limits: ModelLimits::default(),
        }
    }

    /// The policy engine: flip the kill switch or change modes here while the agent runs.
    pub fn policy(&self) -> &Arc<PolicyEngine> {
        &self.policy
    }

    /// Work many tickets, at most `concurrency` at a time; reports come back in input order.
    pub async fn handle_many(
        &self,
        tickets: impl IntoIterator<Item = (TenantId, TicketId)>,
        concurrency: usize,
    ) -> Vec<Result<TicketReport, AgentError>> {
        use futures::StreamExt;
        futures::stream::iter(tickets)
            .map(|(tenant, ticket)| async move { self.handle(&tenant, &ticket).await })
            .buffered(concurrency.max(1))
            .collect()
            .await
    }

    /// Work one ticket end to end.
    pub async fn handle(
        &self,
        tenant: &TenantId,
        ticket_id: &TicketId,
    ) -> Result<TicketReport, AgentError> {
        let span = tracing::info_span!("ticket", tenant = %tenant, ticket = %ticket_id);
        self.handle_inner(tenant, ticket_id, None)
            .instrument(span)
            .await
    }

    /// Work a claimed run durably: every write is journaled in the run's store; steps a
    /// previous attempt finished are not done again (see [`crate::run`]). A run waiting for
    /// an approval ends with [`TicketOutcome::AwaitingApproval`] and nothing closed.
    pub async fn handle_run(&self, run: &RunContext) -> Result<TicketReport, AgentError> {
        let claim = run.claim();
        let span = tracing::info_span!(
            "ticket", tenant = %claim.tenant, ticket = %claim.ticket,
            run = %claim.run, attempt = claim.attempt
        );
        self.handle_inner(&claim.tenant, &claim.ticket, Some(run))
            .instrument(span)
            .await
    }

    async fn handle_inner(
        &self,
        tenant: &TenantId,
        ticket_id: &TicketId,
        run: Option<&RunContext>,
    ) -> Result<TicketReport, AgentError> {
        let started = Instant::now();
        let cx = ToolContext {
            tenant,
            ticket: ticket_id,
            caps: &self.caps,
            run,
        };
        let cap_err = |source| AgentError::Capability {
            ticket: ticket_id.clone(),
            source,
        };
        let ticket = self
            .caps
            .tickets
            .get_ticket(tenant, ticket_id)
            .await
            .map_err(cap_err)?;
        let saved = match run {
            Some(run) => run.saved_plan().await,
            None => None,
        };
        let (perception, mut plan) = match saved {
            Some(saved) => saved,
            None => {
                let perception = self
                    .perceive
                    .perceive(&cx, &ticket)
                    .await
                    .map_err(cap_err)?;
                let plan = self
                    .reason
                    .plan(&cx, &ticket, &perception)
                    .await
                    .map_err(cap_err)?;
                // A durable run keeps its plan: a resumed attempt follows it rather than
                // planning again from a world its own steps changed. (A model's tool loop
                // already acted while planning; it plans again, through the journal.)
                if let Some(run) = run
                    && plan.taken.is_empty()
                {
                    run.save_plan(&perception, &plan).await;
                }
                (perception, plan)
            }
        };
        // A resumed run whose new plan escalates says what the earlier attempt did.
        if let Some(run) = run
            && plan.escalate.is_some()
        {
            plan.findings.extend(run.earlier_steps().await);
        }

        // Steps a planner already took through the gate (the model's tool loop) come first.
        let mut steps = plan.taken.clone();
        steps.reserve(plan.steps.len());
        let requester = perception.requester.user().map(|u| &u.id);
        let mut bound = std::collections::HashMap::new();
        if plan.escalate.is_none() {
            for call in &plan.steps {
                let call = &call.resolve(&bound);
                let reasoning = format!(
                    "{} playbook, intent {} ({:.2}, {}): {}",
                    plan.playbook,
                    perception.intent,
                    perception.confidence,
                    perception.method,
                    call.why
                );
                let meta = StepMeta {
                    confidence: perception.confidence,
                    reasoning: &reasoning,
                    requester,
                };
                let record = self.act.act(&cx, call, meta).await;
                let status = record.status;
                if let (Some(name), Some(output)) = (&call.bind, &record.output) {
                    bound.insert(name.clone(), output.clone());
                }
                steps.push(record);
                // Shadow mode logs every predicted step; otherwise the first step that did
                // not run stops the plan.
                if !status.ran() && status != StepStatus::LogOnly {
                    break;
                }
            }
        }
        if steps.last().is_some_and(|s| s.status == StepStatus::Parked) {
            self.audit.flush().await?;
            tracing::info!(intent = %perception.intent, "ticket parked for approval");
            return Ok(TicketReport {
                tenant: tenant.clone(),
                ticket: ticket_id.clone(),
                intent: perception.intent,
                confidence: perception.confidence,
                outcome: TicketOutcome::AwaitingApproval,
                steps,
                closing: Vec::new(),
                escalation: None,
                billing: Vec::new(),
                usage: plan.usage,
            });
        }
        let minutes = u32::try_from(started.elapsed().as_secs().div_ceil(60))
            .unwrap_or(u32::MAX)
            .max(1);
        if let Some(run) = run {
            run.enter_closure();
        }
        let closure = self
            .evaluate
            .evaluate(
                &cx,
                self.act.as_ref(),
                Evaluation {
                    perception: &perception,
                    plan: &plan,
                    steps: &steps,
                    ticket: &ticket,
                    minutes,
                },
            )
            .await;
        self.audit.flush().await?;
        let Closure {
            outcome,
            steps: closing,
            billing,
            problem,
        } = closure;
        let escalation = match outcome {
            TicketOutcome::Escalated => plan.escalate.clone().or_else(|| {
                steps
                    .iter()
                    .chain(&closing)
                    .find(|s| !s.status.ran())
                    .map(|s| {
                        format!(
                            "`{}`: {:?}{}",
                            s.action,
                            s.status,
                            s.error
                                .as_deref()
                                .map(|e| format!(" — {e}"))
                                .unwrap_or_default()
                        )
                    })
                    .or(problem)
            }),
            _ => None,
        };
        tracing::info!(outcome = ?outcome, intent = %perception.intent, "ticket done");
        Ok(TicketReport {
            tenant: tenant.clone(),
            ticket: ticket_id.clone(),
            intent: perception.intent,
            confidence: perception.confidence,
            outcome,
            steps,
            closing,
            escalation,
            billing,
            usage: plan.usage,
        })
    }
}
