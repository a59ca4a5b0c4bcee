//! `msp-agent policy check | decide | explain | graduation`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use msp_agent_core::audit::{ActionTally, HistoryBuilder};
use msp_agent_policy::{
    ActionClass, ActionRequest, Decision, GraduationRule, Policy, Recommendation, builtin_action,
};
use serde::Serialize;

use crate::Failure;
use crate::audit_cmd::{FilterArgs, open, read_failure};

#[derive(Subcommand)]
pub(crate) enum PolicyCommand {
    /// Validate a policy file: exit 0 if valid, 2 with the error otherwise.
    Check {
        /// The policy file (TOML).
        file: PathBuf,
    },
    /// Print the decision for one action.
    Decide(DecideArgs),
    /// Explain the decision for one action in plain English.
    Explain(DecideArgs),
    /// Recommend approval → autonomous promotions from an audit log's track record.
    /// Never changes the policy: prints the evidence and the TOML to paste.
    Graduation(GraduationArgs),
}

#[derive(Args)]
pub(crate) struct GraduationArgs {
    /// The audit log (its hash chain must verify).
    #[arg(long)]
    audit: PathBuf,
    /// Policy file; the built-in policy when absent.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Approved-and-succeeded executions required.
    #[arg(long, default_value_t = GraduationRule::default().min_approved)]
    min_approved: u32,
    #[command(flatten)]
    filter: FilterArgs,
    /// Print one JSON object `{"recommendations":[...]}`.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct DecideArgs {
    /// Policy file; the built-in policy when absent.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Client (tenant) id.
    #[arg(long)]
    tenant: String,
    /// Action (tool) name.
    #[arg(long)]
    action: String,
    /// Triage confidence in [0, 1].
    #[arg(long, default_value_t = 1.0, value_parser = parse_confidence)]
    confidence: f64,
    /// The target is privileged (admin, break-glass, service account, VIP).
    #[arg(long)]
    privileged: bool,
    /// Executions of this action for this client in the last hour (for limits).
    #[arg(long)]
    recent: Option<u32>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_confidence(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(c) if (0.0..=1.0).contains(&c) => Ok(c),
        _ => Err(format!("`{s}` is not a number between 0 and 1")),
    }
}

#[derive(Serialize)]
struct DecisionJson<'a> {
    tenant: &'a str,
    action: &'a str,
    #[serde(flatten)]
    decision: &'a Decision,
}

fn load(path: Option<&PathBuf>) -> Result<Policy, Failure> {
    match path {
        Some(p) => Policy::from_file(p).map_err(Failure::input),
        None => Ok(Policy::builtin()),
    }
}

fn decide(args: &DecideArgs) -> Result<Decision, Failure> {
    let policy = load(args.policy.as_ref())?;
    // The CLI asks about an action by name: its class is the one the policy knows.
    let class = builtin_action(&args.action).map_or(ActionClass::Write, |a| a.class);
    let mut req = ActionRequest::new(&args.tenant, &args.action, class)
        .confidence(args.confidence)
        .privileged(args.privileged);
    req.recent_executions = args.recent;
    Ok(policy.decide(&req))
}

/// The DESIGN §5 JSON line: `{"tenant","action","tier","outcome","reasons":[...]}`.
fn print_json(args: &DecideArgs, decision: &Decision) -> Result<(), Failure> {
    let out = DecisionJson {
        tenant: &args.tenant,
        action: &args.action,
        decision,
    };
    println!("{}", serde_json::to_string(&out).map_err(Failure::input)?);
    Ok(())
}

#[derive(Serialize)]
struct RecommendationJson<'a> {
    #[serde(flatten)]
    recommendation: &'a Recommendation,
    evidence: &'a ActionTally,
    toml: String,
}

#[derive(Serialize)]
struct GraduationJson<'a> {
    recommendations: Vec<RecommendationJson<'a>>,
}

fn graduation(args: &GraduationArgs) -> Result<(), Failure> {
    let policy = load(args.policy.as_ref())?;
    // One pass, verifying the chain: evidence from an altered log is no evidence.
    let mut builder = HistoryBuilder::new();
    for record in open(&args.audit, args.filter.query()?)?.verify_chain() {
        builder.add(&record.map_err(|e| read_failure(&args.audit, &e))?);
    }
    let tallies = builder.finish();
    let rule = GraduationRule {
        min_approved: args.min_approved,
    };
    let recs = policy.graduation(rule, tallies.iter().map(ActionTally::graduation_input));
    let evidence = |r: &Recommendation| {
        tallies
            .iter()
            .find(|t| t.tenant == r.tenant && t.action == r.action)
            .ok_or_else(|| Failure::input("internal: recommendation without evidence"))
    };
    if args.json {
        let recommendations = recs
            .iter()
            .map(|r| {
                Ok(RecommendationJson {
                    recommendation: r,
                    evidence: evidence(r)?,
                    toml: r.toml_snippet(),
                })
            })
            .collect::<Result<_, Failure>>()?;
        let out = GraduationJson { recommendations };
        println!("{}", serde_json::to_string(&out).map_err(Failure::input)?);
        return Ok(());
    }
    if recs.is_empty() {
        println!(
            "no graduation recommendations: none of {} client/action pairs in {} is at approval \
             with >= {} approved executions and no rejection or failure",
            tallies.len(),
            args.audit.display(),
            rule.min_approved
        );
        return Ok(());
    }
    let fmt = "%Y-%m-%dT%H:%M:%SZ";
    for r in &recs {
        let t = evidence(r)?;
        println!(
            "{} {}: {} -> {}: {} approved and succeeded, {} rejected, {} failed, \
             {} unanswered ({} .. {})",
            r.tenant,
            r.action,
            r.from,
            r.to,
            r.history.approved,
            r.history.rejected,
            r.history.errors,
            t.timed_out,
            t.first.format(fmt),
            t.last.format(fmt),
        );
    }
    println!();
    println!("# Review, then add to the policy file (merge into existing client tables):");
    let mut tenant = None;
    for r in &recs {
        if tenant != Some(&r.tenant) {
            println!("[clients.{}.actions]", r.tenant);
            tenant = Some(&r.tenant);
        }
        println!("{} = \"{}\"", r.action, r.to);
    }
    Ok(())
}

pub(crate) fn run(cmd: PolicyCommand) -> Result<(), Failure> {
    match cmd {
        PolicyCommand::Graduation(args) => return graduation(&args),
        PolicyCommand::Check { file } => {
            let policy = load(Some(&file))?;
            println!(
                "{}: ok ({} client sections)",
                file.display(),
                policy.clients().count()
            );
        }
        PolicyCommand::Decide(args) => {
            let d = decide(&args)?;
            if args.json {
                print_json(&args, &d)?;
            } else {
                let rules: Vec<_> = d.reasons.iter().map(|r| r.rule()).collect();
                println!(
                    "{} {} tier={} outcome={} reasons={}",
                    args.tenant,
                    args.action,
                    d.tier,
                    d.outcome,
                    rules.join(",")
                );
            }
        }
        PolicyCommand::Explain(args) => {
            let d = decide(&args)?;
            if args.json {
                return print_json(&args, &d);
            }
            let verdict = match d.outcome {
                msp_agent_policy::Outcome::Execute => "the agent may do this on its own",
                msp_agent_policy::Outcome::AwaitApproval => {
                    "the agent must ask a human to approve first"
                }
                msp_agent_policy::Outcome::Escalate => "the agent must hand this to a human",
                msp_agent_policy::Outcome::LogOnly => {
                    "the agent only logs what it would do (shadow mode)"
                }
                msp_agent_policy::Outcome::Halted => "the agent is stopped by the kill switch",
            };
            println!(
                "`{}` for client `{}`: {verdict} (tier {}, outcome {}).",
                args.action, args.tenant, d.tier, d.outcome
            );
            println!("Why:");
            for (i, r) in d.reasons.iter().enumerate() {
                println!("  {}. {r}.", i + 1);
            }
        }
    }
    Ok(())
}
