//! Shadow-mode replay of a help-desk history and the KPI/ROI report.
//!
//! Replays `examples/data/history.csv` (600 closed tickets of the simulated MSP over ten
//! weeks, with realistic noise and two malformed rows) under `examples/data/policy.toml`
//! (every client in shadow mode) against the simulated MSP's directory, then writes the HTML
//! report and its JSON and prints the headline numbers and the recommended policy changes.
//!
//! Run: `cargo run --example shadow_report [-- OUT.html]` (default `target/shadow-report.html`).
//!
//! The sample history was made with `cargo run --example shadow_report -- --generate`:
//! `SimMsp::generate_history(600, 10, 2025)` written as CSV, plus two malformed rows at the
//! end (a truncated row and a bad timestamp) to show that they are reported and skipped.

use std::fs::File;
use std::path::Path;

use msp_agent::policy::Policy;
use msp_agent::sim::SimMsp;
use msp_agent_core::metrics::{Accumulator, MetricsConfig};
use msp_agent_report::Report;
use msp_agent_report::history::{HistoryReader, HistoryRecord, write_csv};
use msp_agent_report::replay::Replayer;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");

fn generate(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let history = SimMsp::seeded().generate_history(600, 10, 2025);
    let records = history
        .into_iter()
        .map(|t| serde_json::from_value::<HistoryRecord>(serde_json::to_value(t)?))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    write_csv(&mut out, records)?;
    out.extend_from_slice(b"T-9001,acme,truncated row\n");
    out.extend_from_slice(
        b"T-9002,globex,kim@globex.example,last tuesday,,,VPN down,VPN will not connect,\
          Service Desk,Vpn Issue,Medium,s.patel,0,Re-imported profile\n",
    );
    std::fs::write(path, out)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let history = Path::new(DATA).join("history.csv");
    if args.first().map(String::as_str) == Some("--generate") {
        return generate(&history);
    }
    let out = args.first().cloned().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/shadow-report.html").into()
    });

    let policy = Policy::from_file(Path::new(DATA).join("policy.toml"))?;
    let replayer = Replayer::new(SimMsp::seeded().capabilities(), policy);
    let mut acc = Accumulator::new(MetricsConfig::default());
    let outcome = replayer.replay(HistoryReader::csv(File::open(&history)?)?, &mut acc);
    let report = Report::new(&history.display().to_string(), &replayer, outcome, &acc);

    if let Some(dir) = Path::new(&out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, report.to_html()?)?;
    std::fs::write(Path::new(&out).with_extension("json"), report.to_json())?;

    let k = &report.kpis;
    let pct = |r: Option<f64>| r.map_or("n/a".into(), |x| format!("{:.1}%", x * 100.0));
    println!(
        "replayed {} tickets, skipped {} malformed rows",
        report.totals.replayed, report.totals.malformed
    );
    for e in &report.malformed {
        println!("  {e}");
    }
    println!(
        "agreement {}, would-be autonomous {}",
        pct(k.agreement.rate),
        pct(k.autonomous_rate.rate)
    );
    println!(
        "net savings ${:.0}, {:.1} technician hours recovered",
        k.cost.net_savings, k.cost.technician_hours_recovered
    );
    println!("\n{}", report.policy_diff);
    println!("report: {out}");
    Ok(())
}
