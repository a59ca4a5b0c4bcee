//! `msp-agent audit verify | query`.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use msp_agent_core::audit::{
    ActionResult, AuditQuery, AuditReader, AuditRecord, ReadError, parse_timestamp, verify_chain,
};

use crate::Failure;

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Verify the hash chain of a JSON Lines audit log: exit 0 if intact, 1 with the first
    /// bad line otherwise.
    Verify {
        /// The audit log.
        file: PathBuf,
    },
    /// Print the records of an audit log that match every given filter, one per line.
    Query(QueryArgs),
}

#[derive(Args)]
pub(crate) struct QueryArgs {
    /// The audit log.
    file: PathBuf,
    #[command(flatten)]
    filter: FilterArgs,
    /// Only this ticket.
    #[arg(long)]
    ticket: Option<String>,
    /// Only this outcome (execute, await_approval, escalate, log_only, halted).
    #[arg(long)]
    outcome: Option<String>,
    /// Only this result status (ok, error, not_run).
    #[arg(long)]
    status: Option<String>,
    /// Only this approver (`auto`, `none` or a person).
    #[arg(long)]
    approver: Option<String>,
    /// Print each matching record as its JSON line.
    #[arg(long)]
    json: bool,
}

/// Record filters shared by `audit query` and `policy graduation`.
#[derive(Args)]
pub(crate) struct FilterArgs {
    /// Only this client (tenant).
    #[arg(long)]
    tenant: Option<String>,
    /// Only this action.
    #[arg(long)]
    action: Option<String>,
    /// Only records at or after this RFC 3339 time (inclusive).
    #[arg(long)]
    since: Option<String>,
    /// Only records before this RFC 3339 time (exclusive).
    #[arg(long)]
    until: Option<String>,
}

impl FilterArgs {
    /// The query, or a one-line error for a bad timestamp.
    pub(crate) fn query(&self) -> Result<AuditQuery, Failure> {
        let time = |flag: &str, value: &Option<String>| {
            value
                .as_deref()
                .map(parse_timestamp)
                .transpose()
                .map_err(|e| Failure::input(format!("--{flag}: {e}")))
        };
        Ok(AuditQuery {
            tenant: self.tenant.clone(),
            action: self.action.clone(),
            since: time("since", &self.since)?,
            until: time("until", &self.until)?,
            ..AuditQuery::new()
        })
    }
}

fn parse_opt<T: std::str::FromStr>(flag: &str, value: Option<&str>) -> Result<Option<T>, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .map(str::parse)
        .transpose()
        .map_err(|e| Failure::input(format!("--{flag}: {e}")))
}

/// Open a log for reading, or a one-line `FILE: error`.
pub(crate) fn open(
    file: &Path,
    query: AuditQuery,
) -> Result<AuditReader<BufReader<File>>, Failure> {
    AuditReader::open(file, query).map_err(|e| Failure::input(format!("{}: {e}", file.display())))
}

/// `FILE:LINE: message` for a read error; a broken chain exits 1 as `audit verify` does.
pub(crate) fn read_failure(file: &Path, e: &ReadError) -> Failure {
    // Every `ReadError` reads `line N: …`; print it as `FILE:N: …`.
    let text = e.to_string();
    let prefix = format!("line {}: ", e.line());
    Failure {
        code: if matches!(e, ReadError::Chain(_)) {
            1
        } else {
            2
        },
        message: format!(
            "{}:{}: {}",
            file.display(),
            e.line(),
            text.strip_prefix(&prefix).unwrap_or(&text)
        ),
    }
}

/// The human line: time, client, ticket, action, tier, outcome, approver, result.
fn human_line(r: &AuditRecord) -> String {
    let e = &r.entry;
    let result = match &e.result {
        ActionResult::Ok => "ok".to_owned(),
        ActionResult::Error { message } => format!("error: {message}"),
        ActionResult::NotRun => "not_run".to_owned(),
    };
    format!(
        "{}  {:<10} {:<10} {:<24} {:<10} {:<14} {:<16} {result}",
        e.ts.format("%Y-%m-%dT%H:%M:%SZ"),
        // The ids' and enums' `Display` ignore padding: pad their text.
        e.tenant.as_str(),
        e.ticket_id.as_str(),
        e.action,
        e.tier.as_str(),
        e.outcome.as_str(),
        e.approver,
    )
}

fn query(args: &QueryArgs) -> Result<(), Failure> {
    let mut query = args.filter.query()?;
    query.ticket.clone_from(&args.ticket);
    query.approver.clone_from(&args.approver);
    query.outcome = parse_opt("outcome", args.outcome.as_deref())?;
    query.status = parse_opt("status", args.status.as_deref())?;
    let reader = open(&args.file, query)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let write_err = |e: std::io::Error| Failure::input(format!("stdout: {e}"));
    for record in reader {
        let record = record.map_err(|e| read_failure(&args.file, &e))?;
        let line = if args.json {
            serde_json::to_string(&record).map_err(Failure::input)?
        } else {
            human_line(&record)
        };
        match writeln!(out, "{}", line.replace('\n', " ")) {
            // The reader went away (`| head`): stop quietly.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            r => r.map_err(write_err)?,
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(write_err(e)),
        _ => Ok(()),
    }
}

pub(crate) fn run(cmd: AuditCommand) -> Result<(), Failure> {
    match cmd {
        AuditCommand::Verify { file } => {
            let f = File::open(&file)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            match verify_chain(BufReader::new(f)) {
                Ok(n) => {
                    println!("{}: {n} records, chain intact", file.display());
                    Ok(())
                }
                Err(e) => Err(Failure {
                    code: 1,
                    message: format!("{}: {e}", file.display()),
                }),
            }
        }
        AuditCommand::Query(args) => query(&args),
    }
}
