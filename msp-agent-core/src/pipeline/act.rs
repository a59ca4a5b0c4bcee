//! Act: every tool call goes through the policy here, and nowhere else.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tracing::Instrument;

use super::plan::PlannedCall;
use crate::audit::{ActionResult, AuditEntry, AuditSink, recording};
use crate::capability::{ApprovalDecision, ApprovalGateway, ApprovalRequest};
use crate::domain::{TenantId, UserId};
use crate::run::journal::{JournalRecord, Prior, fingerprint};
use crate::run::{ApprovalState, RunContext};
use crate::tool::{Reconciled, TargetRef, ToolContext, ToolError, ToolRegistry, ValidatedCall};
use msp_agent_policy::{ActionClass, ActionRequest, Decision, Outcome, PolicyEngine};

/// What happened to one planned call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Ran and succeeded.
    Executed,
    /// Ran and failed.
    Failed,
    /// Arguments did not validate, or no such tool; nothing ran.
    Invalid,
    /// The policy requires a human; nothing ran.
    Escalated,
    /// A human rejected it; nothing ran.
    Rejected,
    /// No approval came in time (or no gateway is configured); nothing ran.
    ApprovalTimedOut,
    /// Shadow mode: logged, nothing ran.
    LogOnly,
    /// Kill switch: nothing ran.
    Halted,
    /// A durable run is waiting for an approval; nothing ran. The run is parked and
    /// resumes when the approval is answered.
    Parked,
}

impl StepStatus {
    /// True when the call ran successfully.
    pub fn ran(self) -> bool {
        self == StepStatus::Executed
    }
}

/// The record of one planned call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    /// Tool (action) name.
    pub action: String,
    /// Arguments as planned.
    pub args: Value,
    /// The policy decision (absent when the call was invalid).
    pub decision: Option<Decision>,
    /// What happened.
    pub status: StepStatus,
    /// `auto` or who approved / rejected.
    pub approver: Option<String>,
    /// Tool output when it ran (never a secret).
    pub output: Option<Value>,
    /// Error text when it failed or was invalid.
    pub error: Option<String>,
}

/// Facts about the run that the policy and the audit need for each call.
#[derive(Debug, Clone, Copy)]
pub struct StepMeta<'a> {
    /// Confidence of the triage.
    pub confidence: f64,
    /// Why the agent is doing this (audit `reasoning`).
    pub reasoning: &'a str,
    /// The verified requester, `None` when there is none (unverified, or not a ticket
    /// request). A write that changes any other user — or any user at all when this is
    /// `None` — is a third-party write: never autonomous (policy reason
    /// `third_party_target`).
    pub requester: Option<&'a UserId>,
}

/// The Act stage. The only way to run a registered tool is [`PolicyGate`]; a custom `Act`
/// wraps one.
#[async_trait]
pub trait Act: Send + Sync {
    /// Decide, (maybe) get approval, run and audit one call.
    async fn act(&self, cx: &ToolContext<'_>, call: &PlannedCall, meta: StepMeta<'_>)
    -> StepRecord;
}

/// Why the audit trail could not be written; the run must stop.
pub type AuditFailure = crate::audit::AuditError;

/// The default Act: validation → policy decision → approval → execution → audit record.
pub struct PolicyGate {
    policy: Arc<PolicyEngine>,
    tools: Arc<ToolRegistry>,
    audit: Arc<dyn AuditSink>,
    approvals: Option<Arc<dyn ApprovalGateway>>,
    approval_timeout: Duration,
    recent: Mutex<HashMap<(TenantId, &'static str), VecDeque<Instant>>>,
}

impl std::fmt::Debug for PolicyGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyGate")
            .field("tools", &self.tools)
            .finish_non_exhaustive()
    }
}

const HOUR: Duration = Duration::from_secs(3600);

impl PolicyGate {
    /// A gate over a policy, tools and audit sink; without an approval gateway,
    /// approval-tier calls escalate.
    pub fn new(
        policy: Arc<PolicyEngine>,
        tools: Arc<ToolRegistry>,
        audit: Arc<dyn AuditSink>,
    ) -> Self {
        for (name, class, tier) in tools.actions() {
            if msp_agent_policy::builtin_action(name).is_none() {
                policy.declare_action(name, class, tier);
            }
        }
        PolicyGate {
            policy,
            tools,
            audit,
            approvals: None,
            approval_timeout: Duration::from_secs(15 * 60),
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Ask this gateway for approvals, waiting at most `timeout` for an answer.
    pub fn with_approvals(mut self, gateway: Arc<dyn ApprovalGateway>, timeout: Duration) -> Self {
        self.approvals = Some(gateway);
        self.approval_timeout = timeout;
        self
    }

    /// The policy engine (switch mode or kill switch on it at run time).
    pub fn policy(&self) -> &Arc<PolicyEngine> {
        &self.policy
    }

    /// The tools.
    pub fn tools(&self) -> &Arc<ToolRegistry> {
        &self.tools
    }

    fn recent_count(&self, tenant: &TenantId, action: &'static str) -> u32 {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let q = recent.entry((tenant.clone(), action)).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) > HOUR) {
            q.pop_front();
        }
        u32::try_from(q.len()).unwrap_or(u32::MAX)
    }

    fn count_execution(&self, tenant: &TenantId, action: &'static str) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent
            .entry((tenant.clone(), action))
            .or_default()
            .push_back(Instant::now());
    }

    /// Is any target privileged? Lookup failures other than "not found" count as
    /// privileged: fail closed.
    async fn privileged(&self, cx: &ToolContext<'_>, targets: &[TargetRef]) -> bool {
        for target in targets {
            let privileged = match target {
                TargetRef::User(id) => match cx.caps.identity.get_user(cx.tenant, id).await {
                    Ok(u) => u.privileged,
                    Err(crate::CapabilityError::NotFound(_)) => false,
                    Err(_) => true,
                },
                TargetRef::Group(name) => {
                    match cx.caps.identity.find_group(cx.tenant, name).await {
                        Ok(g) => g.is_some_and(|g| g.privileged),
                        Err(_) => true,
                    }
                }
            };
            if privileged {
                return true;
            }
        }
        false
    }

    async fn approve(
        &self,
        cx: &ToolContext<'_>,
        call: &ValidatedCall,
        reasoning: &str,
        seq: Option<u32>,
    ) -> Result<String, (StepStatus, Option<String>)> {
        let request = ApprovalRequest {
            tenant: cx.tenant.clone(),
            ticket: cx.ticket.clone(),
            action: call.name().to_owned(),
            change: call.args_json.clone(),
            reasoning: reasoning.to_owned(),
        };
        let Some(gateway) = &self.approvals else {
            return Err((StepStatus::ApprovalTimedOut, None));
        };
        if let (Some(run), Some(seq)) = (cx.run, seq) {
            return self.approve_durably(gateway, run, seq, &request).await;
        }
        match tokio::time::timeout(self.approval_timeout, gateway.request_approval(&request)).await
        {
            Ok(Ok(decision)) => approved(decision),
            Ok(Err(_)) | Err(_) => Err((StepStatus::ApprovalTimedOut, None)),
        }
    }

    /// Approvals of a durable run live in its store under the step's idempotency key, so
    /// one asked before a crash is not asked twice and its answer is not lost. A new request
    /// is posted to the gateway and waited for up to the run's park time; then the run parks
    /// until the answer reaches the store ([`crate::run::RunStore::answer_approval`]).
    async fn approve_durably(
        &self,
        gateway: &Arc<dyn ApprovalGateway>,
        run: &RunContext,
        seq: u32,
        request: &ApprovalRequest,
    ) -> Result<String, (StepStatus, Option<String>)> {
        let key = run.key(seq);
        let state = run
            .store()
            .request_approval(run.claim(), &key, request)
            .await;
        let timed_out = Err((StepStatus::ApprovalTimedOut, None));
        match state {
            Err(e) => {
                tracing::warn!(error = %e, "run store: approval not recorded");
                timed_out
            }
            Ok(ApprovalState::Answered(decision)) => approved(decision),
            Ok(ApprovalState::Pending { requested_at }) => {
                // Asked by an attempt that died: the gateway's answer to it may be lost
                // with that process, so ask again; an answer given meanwhile through the
                // store wins.
                let waited = (Utc::now() - requested_at).to_std().unwrap_or_default();
                if waited >= self.approval_timeout {
                    return timed_out;
                }
                self.ask(gateway, run, &key, request, self.approval_timeout - waited)
                    .await
            }
            Ok(ApprovalState::New) => {
                self.ask(gateway, run, &key, request, self.approval_timeout)
                    .await
            }
        }
    }

    /// Post a request to the gateway and wait up to the run's park time (at most `left`);
    /// record the answer in the store, or park the run.
    async fn ask(
        &self,
        gateway: &Arc<dyn ApprovalGateway>,
        run: &RunContext,
        key: &str,
        request: &ApprovalRequest,
        left: Duration,
    ) -> Result<String, (StepStatus, Option<String>)> {
        let wait = run.park_wait().min(left);
        match tokio::time::timeout(wait, gateway.request_approval(request)).await {
            Ok(Ok(decision)) => {
                if let Err(e) = run.store().answer_approval(key, &decision).await {
                    tracing::warn!(error = %e, "run store: approval answer not recorded");
                }
                // The first answer recorded wins (one may have come in through the store).
                match run
                    .store()
                    .request_approval(run.claim(), key, request)
                    .await
                {
                    Ok(ApprovalState::Answered(first)) => approved(first),
                    _ => approved(decision),
                }
            }
            Ok(Err(_)) => Err((StepStatus::ApprovalTimedOut, None)),
            Err(_) if wait < left => Err((StepStatus::Parked, None)),
            Err(_) => Err((StepStatus::ApprovalTimedOut, None)),
        }
    }

    /// Before a journaled write runs: what does the journal say about this step? `Ok` with
    /// a record ends the step there (finished before, reconciled, or not safe to redo).
    async fn check_journal(
        &self,
        cx: &ToolContext<'_>,
        (run, seq, fingerprint): (&RunContext, u32, &str),
        call: &PlannedCall,
        validated: &ValidatedCall,
        meta: StepMeta<'_>,
    ) -> Result<Option<StepRecord>, AuditFailure> {
        let failed = |error: String| StepRecord {
            action: call.tool.clone(),
            args: call.args.clone(),
            decision: None,
            status: StepStatus::Failed,
            approver: None,
            output: None,
            error: Some(error),
        };
        let since = match run.prior(seq, fingerprint).await {
            Err(e) => return Ok(Some(failed(format!("run journal: {e}")))),
            Ok(Prior::Fresh) => return Ok(None),
            Ok(Prior::Finished(record)) => {
                return Ok(Some(record.into_step(call.tool.clone(), call.args.clone())));
            }
            Ok(Prior::Diverged(was)) => {
                return Ok(Some(failed(format!(
                    "the resumed run planned `{}` at step {seq} where the journal has `{was}`; \
                     nothing ran",
                    call.tool
                ))));
            }
            Ok(Prior::Interrupted(since)) => since,
        };
        let (status, output, error) = match validated.reconcile(cx, since).await {
            Ok(Reconciled::NotDone) => return Ok(None),
            Ok(Reconciled::Done(out)) => (StepStatus::Executed, Some(out), None),
            Ok(Reconciled::Unknown(why)) => (StepStatus::Failed, None, Some(why)),
            Err(e) => (
                StepStatus::Failed,
                None,
                Some(format!(
                    "interrupted, and re-reading the target failed: {e}"
                )),
            ),
        };
        // The decision was taken (and audited) before the crash; this records how it ended.
        let decision = Decision {
            tier: self
                .policy
                .decide(&ActionRequest::new(
                    cx.tenant.as_str(),
                    validated.name(),
                    validated.class(),
                ))
                .tier,
            outcome: Outcome::Execute,
            reasons: Vec::new(),
        };
        let record = StepRecord {
            action: call.tool.clone(),
            args: call.args.clone(),
            decision: Some(decision),
            status,
            approver: Some("reconciled".to_owned()),
            output,
            error,
        };
        self.audit_step(
            cx,
            validated,
            &record,
            Vec::new(),
            &format!("{}; reconciled after an interrupted run", meta.reasoning),
        )
        .await?;
        if let Some(j) = JournalRecord::of(&record)
            && let Err(e) = run.finished(seq, &j, validated.name()).await
        {
            tracing::warn!(error = %e, "run journal: reconciled step not recorded");
        }
        Ok(Some(record))
    }

    async fn audit_step(
        &self,
        cx: &ToolContext<'_>,
        validated: &ValidatedCall,
        record: &StepRecord,
        calls: Vec<crate::audit::VendorCall>,
        reasoning: &str,
    ) -> Result<(), AuditFailure> {
        let Some(decision) = &record.decision else {
            return Ok(());
        };
        let result = match (&record.status, &record.error) {
            (StepStatus::Executed, _) => ActionResult::Ok,
            (_, Some(message)) => ActionResult::Error {
                message: message.clone(),
            },
            _ => ActionResult::NotRun,
        };
        self.audit
            .record(AuditEntry {
                ts: Utc::now(),
                tenant: cx.tenant.clone(),
                ticket_id: cx.ticket.clone(),
                affected_user: affected_user_of(validated).cloned(),
                action: validated.name().to_owned(),
                tool: validated.name().to_owned(),
                request: json!({ "args": validated.args_json, "calls": calls }),
                tier: decision.tier,
                outcome: decision.outcome,
                approver: record.approver.clone().unwrap_or_else(|| "none".to_owned()),
                result,
                reasoning: reasoning.to_owned(),
            })
            .await?;
        Ok(())
    }

    async fn run_checked(
        &self,
        cx: &ToolContext<'_>,
        call: PlannedCall,
        meta: StepMeta<'_>,
    ) -> Result<StepRecord, AuditFailure> {
        let mut validated = match self.tools.validate(&call.tool, &call.args) {
            Ok(v) => v,
            Err(e) => {
                return Ok(StepRecord {
                    action: call.tool,
                    args: call.args,
                    decision: None,
                    status: StepStatus::Invalid,
                    approver: None,
                    output: None,
                    error: Some(e.to_string()),
                });
            }
        };
        let action = validated.name();
        let class = validated.class();
        // Writes of a durable run are journaled; reads run again on resume.
        let journal = cx.run.filter(|_| class == ActionClass::Write).map(|run| {
            (
                run,
                run.next_seq(),
                fingerprint(action, &validated.args_json),
            )
        });
        if let Some((run, seq, fp)) = &journal
            && let Some(record) = self
                .check_journal(cx, (run, *seq, fp), &call, &validated, meta)
                .await?
        {
            return Ok(record);
        }
        let privileged =
            class == ActionClass::Write && self.privileged(cx, &validated.targets).await;
        let third_party = class == ActionClass::Write
            && validated.targets.iter().any(|t| match t {
                TargetRef::User(user) => meta.requester != Some(user),
                TargetRef::Group(_) => false,
            });
        let recent = self.recent_count(cx.tenant, action);
        let req = ActionRequest::new(cx.tenant.as_str(), action, class)
            .confidence(meta.confidence)
            .privileged(privileged)
            .third_party(third_party)
            .recent_executions(recent);
        let decision = self.policy.decide(&req);

        let (status, approver) = match decision.outcome {
            Outcome::Execute => (None, "auto".to_owned()),
            Outcome::AwaitApproval => {
                let seq = journal.as_ref().map(|(_, seq, _)| *seq);
                match self.approve(cx, &validated, meta.reasoning, seq).await {
                    Ok(approver) => (None, approver),
                    Err((status, who)) => (Some(status), who.unwrap_or_else(|| "none".to_owned())),
                }
            }
            Outcome::Escalate => (Some(StepStatus::Escalated), "none".to_owned()),
            Outcome::LogOnly => (Some(StepStatus::LogOnly), "none".to_owned()),
            Outcome::Halted => (Some(StepStatus::Halted), "none".to_owned()),
        };

        // Set once the tool ran: only then is there an end to journal.
        let mut ran = false;
        let (status, output, error, calls) = match status {
            Some(s) => (s, None, None, Vec::new()),
            None => {
                if let Some((run, seq, fp)) = &journal
                    && let Err(e) = run.started(*seq, action, fp).await
                {
                    // Not journaled, so not run: a lost lease means another worker owns
                    // the ticket now.
                    (
                        StepStatus::Failed,
                        None,
                        Some(format!("run journal: {e}; nothing ran")),
                        Vec::new(),
                    )
                } else {
                    let tool = validated.tool.clone();
                    let (result, calls): (Result<Value, ToolError>, _) =
                        recording(tool.run(cx, validated.take_args())).await;
                    ran = true;
                    if let Some((run, seq, _)) = &journal {
                        run.effect_done(*seq, action);
                    }
                    self.count_execution(cx.tenant, action);
                    match result {
                        Ok(out) => (StepStatus::Executed, Some(out), None, calls),
                        Err(e) => (StepStatus::Failed, None, Some(e.to_string()), calls),
                    }
                }
            }
        };
        let reasons: Vec<&str> = decision.reasons.iter().map(|r| r.rule()).collect();
        let record = StepRecord {
            action: call.tool,
            args: call.args,
            decision: Some(decision),
            status,
            approver: Some(approver),
            output,
            error,
        };
        let reasoning = format!("{}; policy: {}", meta.reasoning, reasons.join(", "));
        self.audit_step(cx, &validated, &record, calls, &reasoning)
            .await?;
        if let Some((run, seq, _)) = &journal
            && ran
            && let Some(j) = JournalRecord::of(&record)
            && let Err(e) = run.finished(*seq, &j, action).await
        {
            tracing::warn!(error = %e, "run journal: finished step not recorded");
        }
        Ok(record)
    }
}

fn approved(decision: ApprovalDecision) -> Result<String, (StepStatus, Option<String>)> {
    match decision {
        ApprovalDecision::Approved { approver } => Ok(approver),
        ApprovalDecision::Rejected { approver, .. } => Err((StepStatus::Rejected, Some(approver))),
    }
}

/// Who a call affects, for callers that want it without running the call.
pub fn affected_user_of(call: &ValidatedCall) -> Option<&UserId> {
    call.targets.iter().find_map(|t| match t {
        TargetRef::User(u) => Some(u),
        TargetRef::Group(_) => None,
    })
}

#[async_trait]
impl Act for PolicyGate {
    async fn act(
        &self,
        cx: &ToolContext<'_>,
        call: &PlannedCall,
        meta: StepMeta<'_>,
    ) -> StepRecord {
        let span = tracing::info_span!("step", tool = %call.tool);
        let tool = call.tool.clone();
        match self
            .run_checked(cx, call.clone(), meta)
            .instrument(span)
            .await
        {
            Ok(record) => {
                tracing::debug!(tool = %record.action, status = ?record.status, "step");
                record
            }
            Err(e) => StepRecord {
                action: tool,
                args: call.args.clone(),
                decision: None,
                status: StepStatus::Failed,
                approver: None,
                output: None,
                error: Some(format!("audit trail unavailable: {e}")),
            },
        }
    }
}
