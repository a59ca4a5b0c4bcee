//! `msp-agent`: the command-line tool (DESIGN §5).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod audit_cmd;
mod classify_cmd;
mod demo_cmd;
mod policy_cmd;
mod runs_cmd;
mod shadow_cmd;

/// msp-agent: guarded agentic automation for MSP help desks.
#[derive(Parser)]
#[command(name = "msp-agent", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files and ask the policy engine for decisions.
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
    /// Run the agent over the simulated MSP's tickets with the built-in policy.
    Demo(demo_cmd::DemoArgs),
    /// Classify tickets: JSON Lines `{"id","subject","body"}` on stdin.
    Classify(classify_cmd::ClassifyArgs),
    /// Work with audit logs.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Replay a ticket history in shadow mode: KPIs, rollout gates, HTML report.
    Shadow(shadow_cmd::ShadowArgs),
    /// Work tickets durably: queue them in a run store and work them with a worker;
    /// a crashed run resumes where it stopped.
    Run(runs_cmd::RunArgs),
    /// Inspect and steer durable runs.
    #[command(subcommand)]
    Runs(runs_cmd::RunsCommand),
}

/// A failure that ends the command with an exit code and a one-line message.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    /// Usage or input error: exit 2.
    pub(crate) fn input(message: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Policy(cmd) => policy_cmd::run(cmd),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Classify(args) => classify_cmd::run(args),
        Command::Audit(cmd) => audit_cmd::run(cmd),
        Command::Shadow(args) => shadow_cmd::run(args),
        Command::Run(args) => runs_cmd::run(args),
        Command::Runs(cmd) => runs_cmd::runs(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // One line, whatever the message holds.
            eprintln!("msp-agent: {}", f.message.replace('\n', " "));
            ExitCode::from(f.code)
        }
    }
}
