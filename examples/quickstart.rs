//! Quickstart: the agent works every open ticket of the simulated MSP under the built-in
//! policy. Approval-tier actions (password resets, unlocks) go to a simulated technician
//! who approves them; privileged targets, unverified requesters and everything without a
//! playbook are escalated with a note. No credentials, no network.
//!
//! Run: `cargo run --example quickstart`

use std::sync::Arc;
use std::time::Duration;

use msp_agent::prelude::*;
use msp_agent::report::render_table;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The systems: an in-memory PSA, directory, RMM and documentation.
    let msp = SimMsp::seeded();

    // 2. The agent: built-in tools, playbooks and policy; an audit trail in memory;
    //    approvals answered by a (simulated) technician within 30 s.
    let audit = Arc::new(MemoryAuditSink::new());
    let technician = ApprovalMode::ApproveAll {
        approver: "jane.tech@msp.example".into(),
    };
    let agent = Agent::builder(msp.capabilities())
        .audit(audit.clone())
        .approvals(msp.approvals(technician), Duration::from_secs(30))
        .build();

    // 3. Work the queue, four tickets at a time.
    let mut reports = Vec::new();
    for report in agent.handle_many(msp.open_tickets(), 4).await {
        reports.push(report?);
    }

    print!("{}", render_table(&reports));
    println!("{} audit records, hash-chained", audit.records().len());
    Ok(())
}
