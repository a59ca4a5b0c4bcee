//! The agent runs over the whole simulated queue without a capability failure, and what it
//! resolves is visible in the simulated systems.

use std::time::Duration;

use msp_agent_core::agent::Agent;
use msp_agent_core::pipeline::TicketOutcome;
use msp_agent_core::secrecy::ExposeSecret;
use msp_agent_sim::{ApprovalMode, SimMsp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_works_the_seed_and_generated_queue() {
    let sim = SimMsp::seeded().with_generated_tickets(300, 7);
    let agent = Agent::builder(sim.capabilities())
        .approvals(
            sim.approvals(ApprovalMode::ApproveAll {
                approver: "jane".into(),
            }),
            Duration::from_secs(5),
        )
        .build();
    let tickets = sim.open_tickets();
    let mut resolved = 0;
    for (report, (tenant, ticket)) in agent
        .handle_many(tickets.clone(), 8)
        .await
        .into_iter()
        .zip(&tickets)
    {
        let report = report.unwrap_or_else(|e| panic!("{tenant}/{ticket}: {e}"));
        if report.outcome == TicketOutcome::Resolved {
            resolved += 1;
        }
        assert!(
            !sim.notes(tenant, ticket).is_empty(),
            "{ticket} has the agent's note"
        );
    }
    assert!(resolved > 0);
    assert!(sim.open_tickets().len() < tickets.len());
    // Every secret the agent delivered is the one now set (or the last one set) for the user.
    for (tenant, user, purpose, _, secret) in sim.delivered_secrets().iter().rev().take(1) {
        if purpose == "password_reset" {
            assert!(sim.password_matches(tenant, user, secret.expose_secret()));
        }
    }
}
