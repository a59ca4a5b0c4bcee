//! `msp-agent shadow`: replay a ticket history in shadow mode against the simulated MSP's
//! directory, print the KPIs, rollout gates and recommended policy changes, optionally write
//! the HTML report.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use msp_agent_core::metrics::{Accumulator, MetricsConfig, Rate};
use msp_agent_core::policy::Policy;
use msp_agent_report::Report;
use msp_agent_report::history::{Format, HistoryReader};
use msp_agent_report::replay::Replayer;
use msp_agent_sim::SimMsp;

use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Csv,
    Jsonl,
}

#[derive(Args)]
pub(crate) struct ShadowArgs {
    /// Ticket history: CSV with a header row, or JSON Lines (`.jsonl`, `.ndjson`, `.json`).
    #[arg(long)]
    history: PathBuf,
    /// Policy file (default: the built-in policy).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Write the self-contained HTML report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Metrics configuration (TOML: `[cost]`, `[hours]`, `[gates]`, `calibration_edges`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Input format (default: from the file extension).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: ShadowArgs) -> Result<(), Failure> {
    let policy = match &args.policy {
        Some(p) => Policy::from_file(p).map_err(Failure::input)?,
        None => Policy::builtin(),
    };
    let config = match &args.config {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Failure::input(format!("{}: {e}", p.display())))?;
            toml::from_str::<MetricsConfig>(&text)
                .map_err(|e| Failure::input(format!("{}: {e}", p.display())))?
        }
        None => MetricsConfig::default(),
    };
    let format = match args.format {
        Some(InputFormat::Csv) => Format::Csv,
        Some(InputFormat::Jsonl) => Format::JsonLines,
        None => Format::of_path(&args.history),
    };
    let file = File::open(&args.history)
        .map_err(|e| Failure::input(format!("{}: {e}", args.history.display())))?;
    let reader = HistoryReader::new(file, format)
        .map_err(|e| Failure::input(format!("{}: {e}", args.history.display())))?;

    let replayer = Replayer::new(SimMsp::seeded().capabilities(), policy);
    let mut acc = Accumulator::new(config);
    let outcome = replayer.replay(reader, &mut acc);
    for e in &outcome.malformed {
        eprintln!("msp-agent: {}: skipped {e}", args.history.display());
    }
    let report = Report::new(
        &args.history.display().to_string(),
        &replayer,
        outcome,
        &acc,
    );

    if let Some(path) = &args.report {
        let html = report.to_html().map_err(Failure::input)?;
        std::fs::write(path, html)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    }
    let text = if args.json {
        report.to_json() + "\n"
    } else {
        render_text(&report)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::input(format!("stdout: {e}")))
}

fn rate(r: &Rate) -> String {
    r.rate.map_or("n/a".to_owned(), |x| {
        format!("{:.1}% ({}/{})", x * 100.0, r.hits, r.total)
    })
}

fn render_text(r: &Report) -> String {
    let k = &r.kpis;
    let t = &r.totals;
    let mins = |m: Option<u64>| m.map_or("n/a".to_owned(), |m| format!("{m} min"));
    let mut s = format!(
        "rows {}  replayed {}  malformed {}  replay errors {}  unlabelled {}  unknown types {}\n\
         agreement {}\nwould-be autonomous {}\nfirst response p50 {}  p95 {}\n\
         reassignment {}\nafter hours {}\n\
         net savings ${:.2}  technician hours recovered {:.1}  ROI {}\n\n",
        t.rows,
        t.replayed,
        t.malformed,
        t.replay_errors,
        t.unlabelled,
        t.unmapped_types,
        rate(&k.agreement),
        rate(&k.autonomous_rate),
        mins(k.first_response.p50_minutes),
        mins(k.first_response.p95_minutes),
        rate(&k.reassignment),
        rate(&k.after_hours),
        k.cost.net_savings,
        k.cost.technician_hours_recovered,
        k.cost.roi.map_or("n/a".to_owned(), |x| format!("{x:.1}x")),
    );
    s.push_str(&format!(
        "{:<10} {:<26} {:>6} {:>8} {:>6}  {}\n",
        "client", "intent", "sample", "agree", "conf", "readiness"
    ));
    for g in &k.gates {
        s.push_str(&format!(
            "{:<10} {:<26} {:>6} {:>8} {:>6}  {}{}\n",
            g.tenant.as_str(),
            g.intent.as_str(),
            g.agreement.total,
            g.agreement
                .rate
                .map_or("n/a".to_owned(), |x| format!("{:.1}%", x * 100.0)),
            g.mean_confidence
                .map_or("n/a".to_owned(), |c| format!("{c:.2}")),
            g.readiness.as_str(),
            if g.rollback.is_empty() {
                ""
            } else {
                "  ROLLBACK"
            },
        ));
    }
    s.push('\n');
    s.push_str(&r.policy_diff);
    s
}
