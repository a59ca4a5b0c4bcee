//! `msp-agent classify`: JSON Lines of tickets on stdin → one classification per line.

use std::io::{BufRead, Write};

use clap::Args;
use msp_agent_core::pipeline::classify::Classifier;
use serde::{Deserialize, Serialize};

use crate::Failure;

#[derive(Args)]
pub(crate) struct ClassifyArgs {
    /// Write JSON Lines `{"id","intent","confidence"}` (default: a text table).
    #[arg(long)]
    json: bool,
}

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    intent: &'static str,
    confidence: f64,
}

pub(crate) fn run(args: ClassifyArgs) -> Result<(), Failure> {
    let classifier = Classifier::new();
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let write_err = |e: std::io::Error| Failure::input(format!("stdout: {e}"));
    for (i, line) in stdin.lines().enumerate() {
        let line = line.map_err(|e| Failure::input(format!("stdin line {}: {e}", i + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = serde_json::from_str(&line).map_err(|e| {
            Failure::input(format!(
                "stdin line {}: expected {{\"id\",\"subject\",\"body\"}}: {e}",
                i + 1
            ))
        })?;
        let c = classifier.classify(&input.subject, &input.body);
        let confidence = (c.confidence * 100.0).round() / 100.0;
        if args.json {
            let o = Output {
                id: &input.id,
                intent: c.intent.as_str(),
                confidence,
            };
            serde_json::to_writer(&mut out, &o).map_err(|e| write_err(e.into()))?;
            writeln!(out).map_err(write_err)?;
        } else {
            let id = input
                .id
                .as_str()
                .map_or_else(|| input.id.to_string(), str::to_owned);
            writeln!(out, "{id:<12} {:<26} {confidence:.2}", c.intent.as_str())
                .map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}
