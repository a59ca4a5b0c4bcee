//! `msp-agent demo`: the agent over the simulated MSP with the built-in policy.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use msp_agent_core::agent::{Agent, AgentBuilder};
use msp_agent_core::audit::{AuditSink, JsonlAuditSink, MemoryAuditSink};
use msp_agent_core::report::{Totals, render_table};
use msp_agent_sim::{ApprovalMode, SimMsp};
use serde::Serialize;

use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Approvals {
    /// A simulated technician approves every request.
    Approve,
    /// A simulated technician rejects every request.
    Reject,
    /// No approval gateway: approval-tier actions escalate.
    None,
}

#[derive(Args)]
pub(crate) struct DemoArgs {
    /// Print JSON (reports and totals).
    #[arg(long)]
    json: bool,
    /// Append the audit trail to this JSON Lines file.
    #[arg(long)]
    audit: Option<PathBuf>,
    /// How approval requests are answered.
    #[arg(long, value_enum, default_value = "approve")]
    approvals: Approvals,
}

#[derive(Serialize)]
struct DemoJson<'a> {
    reports: &'a [msp_agent_core::agent::TicketReport],
    totals: Totals,
}

pub(crate) fn run(args: DemoArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| Failure::input(format!("runtime: {e}")))?;
    runtime.block_on(async {
        let sim = SimMsp::seeded();
        let agent = sim_agent(&sim, args.audit.as_deref(), args.approvals)?.build();
        let mut reports = Vec::new();
        for result in agent.handle_many(sim.open_tickets(), 4).await {
            reports.push(result.map_err(Failure::input)?);
        }
        if args.json {
            let out = DemoJson {
                reports: &reports,
                totals: Totals::of(&reports),
            };
            println!("{}", serde_json::to_string(&out).map_err(Failure::input)?);
        } else {
            print!("{}", render_table(&reports));
        }
        Ok(())
    })
}

/// An agent over the simulated MSP with an audit trail (a JSON Lines file, or in memory)
/// and approvals answered by a simulated technician as `approvals` says.
pub(crate) fn sim_agent(
    sim: &SimMsp,
    audit: Option<&std::path::Path>,
    approvals: Approvals,
) -> Result<AgentBuilder, Failure> {
    let audit: Arc<dyn AuditSink> = match audit {
        Some(path) => Arc::new(JsonlAuditSink::open(path).map_err(Failure::input)?),
        None => Arc::new(MemoryAuditSink::new()),
    };
    let builder = Agent::builder(sim.capabilities()).audit(audit);
    let approver = "sim-technician".to_owned();
    let mode = match approvals {
        Approvals::Approve => ApprovalMode::ApproveAll { approver },
        Approvals::Reject => ApprovalMode::RejectAll { approver },
        Approvals::None => return Ok(builder),
    };
    Ok(builder.approvals(sim.approvals(mode), Duration::from_secs(5)))
}
