//! The quickstart with the PSA chosen by a configuration file instead of code.
//!
//! `examples/data/connectors.toml` says `[psa] vendor = "sim"`, so this runs like the
//! quickstart: no credentials, no network. Switching to ConnectWise, Autotask, HaloPSA or
//! Syncro is an edit of that file (uncomment and fill in the vendor's section, export the
//! secret's environment variable); this code does not change. With a real PSA the agent
//! runs in shadow mode (it predicts, nothing is written) over the newest tickets of the
//! tenants mapped in `[psa.tenants]`, and directory, RMM and documentation stay simulated
//! (their clients are `acme`, `globex` and `initech`; tickets of other tenants are counted
//! as failed): wire the real ones the same way once the PSA side looks right.
//!
//! Run: `cargo run --example configured [-- path/to/connectors.toml]`

use std::sync::Arc;
use std::time::Duration;

use msp_agent::capability::TicketQuery;
use msp_agent::domain::TicketStatus;
use msp_agent::prelude::*;
use msp_agent_connectors::config::{ConnectorsConfig, PsaConfig};

const DEFAULT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/connectors.toml");

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| DEFAULT.into());

    // 1. The file picks the PSA; secrets come from the environment variables it names.
    let config = ConnectorsConfig::from_path(&path)?;
    let msp = SimMsp::seeded();
    let caps = config
        .builder()
        .sim(msp.clone()) // what `vendor = "sim"` serves
        .capabilities(msp.capabilities())?; // everything else stays simulated
    println!("PSA: {} (from {path})", config.psa.vendor());

    // 2. The agent and its queue.
    let audit = Arc::new(MemoryAuditSink::new());
    let builder = Agent::builder(caps.clone()).audit(audit.clone());
    let (agent, queue) = match &config.psa {
        PsaConfig::Sim(_) => {
            let technician = ApprovalMode::ApproveAll {
                approver: "jane.tech@msp.example".into(),
            };
            let agent = builder
                .approvals(msp.approvals(technician), Duration::from_secs(30))
                .build();
            (agent, msp.open_tickets())
        }
        _ => {
            // A real PSA: predict only, over the newest new tickets of each mapped tenant.
            let agent = builder.mode(Mode::Shadow).build();
            let query = TicketQuery {
                status: Some(TicketStatus::New),
                limit: Some(10),
                ..TicketQuery::default()
            };
            let mut queue = Vec::new();
            for tenant in config.psa.tenants() {
                for t in caps.tickets.search_tickets(&tenant, &query).await? {
                    queue.push((tenant.clone(), t.id));
                }
            }
            (agent, queue)
        }
    };

    // 3. Work the queue and summarise. With a real PSA, a ticket whose tenant the
    //    simulated directory does not know fails alone; the others go on.
    let mut counts = [0usize; 5];
    let mut failed = Vec::new();
    for report in agent.handle_many(queue, 4).await {
        match report {
            Ok(r) => {
                counts[match r.outcome {
                    TicketOutcome::Resolved => 0,
                    TicketOutcome::Escalated => 1,
                    TicketOutcome::Shadow => 2,
                    TicketOutcome::Halted => 3,
                    TicketOutcome::AwaitingApproval => 4,
                }] += 1
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    let [resolved, escalated, shadow, halted, waiting] = counts;
    println!(
        "{} tickets: {resolved} resolved, {escalated} escalated, {shadow} shadow, \
         {halted} halted, {waiting} awaiting approval, {} failed",
        counts.iter().sum::<usize>() + failed.len(),
        failed.len()
    );
    if let Some(first) = failed.first() {
        println!("first failure: {first}");
    }
    println!("{} audit records", audit.records().len());
    Ok(())
}
