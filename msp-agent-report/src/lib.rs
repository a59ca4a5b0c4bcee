//! Shadow-mode replay reports for msp-agent: self-contained HTML with server-side SVG charts, and JSON.
//!
//! - [`history`]: CSV / JSON Lines readers of historical tickets (malformed rows reported
//!   with their line numbers and skipped).
//! - [`replay`]: Perceive + Reason over each ticket in shadow mode, folded into the
//!   [`msp_agent_core::metrics`] KPIs.
//! - [`Report`]: the numbers (JSON) and [`Report::to_html`], one HTML file with inline SVG
//!   charts ([`charts`]) and no external asset.
//!
//! ```
//! use msp_agent_core::metrics::{Accumulator, MetricsConfig};
//! use msp_agent_core::policy::Policy;
//! use msp_agent_report::{Report, history::HistoryReader, replay::Replayer};
//!
//! let csv = "id,tenant,requester,subject,body,type\n\
//!            T-1,acme,ann@acme.example,Password reset,I forgot my password,Password Reset\n\
//!            T-2,acme\n";
//! let replayer = Replayer::new(msp_agent_sim::SimMsp::seeded().capabilities(), Policy::builtin());
//! let mut acc = Accumulator::new(MetricsConfig::default());
//! let outcome = replayer.replay(HistoryReader::csv(csv.as_bytes()).unwrap(), &mut acc);
//! assert_eq!((outcome.totals.replayed, outcome.totals.malformed), (1, 1));
//! assert_eq!(outcome.malformed[0].line, 3);
//! let report = Report::new("inline", &replayer, outcome, &acc);
//! assert!(report.to_html().unwrap().contains("<svg"));
//! ```

#![forbid(unsafe_code)]

pub mod charts;
pub mod history;
pub mod replay;

use std::fmt::Write as _;

use msp_agent_core::metrics::{Accumulator, Kpis, Rate, recommended_policy_diff};
use serde::{Deserialize, Serialize};

use history::RowError;
use replay::{ReplayOutcome, Replayer, Totals};

/// The result of a shadow replay: everything the HTML shows, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Where the history came from.
    pub source: String,
    /// Row counts.
    pub totals: Totals,
    /// Malformed rows (the first [`replay::MAX_ROW_ERRORS`]).
    pub malformed: Vec<RowError>,
    /// The KPIs.
    pub kpis: Kpis,
    /// Recommended policy changes (diff-style lines).
    pub policy_diff: String,
}

impl Report {
    /// Assemble a report from a finished replay.
    pub fn new(
        source: &str,
        replayer: &Replayer,
        outcome: ReplayOutcome,
        acc: &Accumulator,
    ) -> Self {
        let kpis = acc.finish();
        let policy_diff = recommended_policy_diff(&kpis.gates, acc.actions(), replayer.policy());
        Report {
            source: source.to_owned(),
            totals: outcome.totals,
            malformed: outcome.malformed,
            kpis,
            policy_diff,
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The report as one self-contained HTML page (inline CSS and SVG, the JSON embedded).
    pub fn to_html(&self) -> Result<String, charts::ChartError> {
        let k = &self.kpis;
        let agreement = charts::agreement_by_intent(k)?;
        let calibration = charts::calibration_curve(k)?;
        let volume = charts::volume_and_savings(k)?;
        let mut h = String::with_capacity(64 * 1024);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>msp-agent shadow report</title><style>{CSS}</style></head><body>\
             <h1>Shadow-mode replay</h1><p class=\"src\">History: <code>{}</code></p>",
            esc(&self.source)
        );
        let c = &k.cost;
        let money = |x: f64| format!("${x:.2}");
        let opt = |x: Option<f64>, f: &dyn Fn(f64) -> String| x.map_or("n/a".to_owned(), f);
        let mins = |x: Option<u64>| x.map_or("n/a".to_owned(), |m| format!("{m} min"));
        let t = &self.totals;
        let cards = [
            ("Tickets replayed", t.replayed.to_string()),
            ("Malformed rows skipped", t.malformed.to_string()),
            ("Agreement", rate(&k.agreement)),
            ("Would-be autonomous", rate(&k.autonomous_rate)),
            (
                "First response p50 / p95",
                format!(
                    "{} / {}",
                    mins(k.first_response.p50_minutes),
                    mins(k.first_response.p95_minutes)
                ),
            ),
            ("Reassignment rate", rate(&k.reassignment)),
            ("After-hours share", rate(&k.after_hours)),
            (
                "Cost per ticket (now → projected)",
                format!(
                    "{} → {}",
                    opt(c.cost_per_ticket_baseline, &money),
                    opt(c.cost_per_ticket_projected, &money)
                ),
            ),
            ("Net savings", money(c.net_savings)),
            (
                "Technician hours recovered",
                format!("{:.1} h", c.technician_hours_recovered),
            ),
            ("ROI", opt(c.roi, &|r| format!("{:.1}×", r))),
        ];
        h.push_str("<div class=\"cards\">");
        for (label, value) in cards {
            let _ = write!(
                h,
                "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
                esc(&value),
                esc(label)
            );
        }
        h.push_str("</div>");
        let _ = write!(
            h,
            "<p class=\"note\">Totals: {} rows read, {} replayed, {} malformed, {} replay errors, \
             {} without a human type, {} with an unknown type. Cost model: ${:.2} per L1 ticket, \
             {:.0} technician minutes each.</p>",
            t.rows,
            t.replayed,
            t.malformed,
            t.replay_errors,
            t.unlabelled,
            t.unmapped_types,
            c.model.cost_per_ticket,
            c.model.minutes_per_ticket
        );
        let _ = write!(
            h,
            "<h2>Agreement by intent</h2><figure>{agreement}</figure>"
        );
        let _ = write!(h, "<h2>Calibration</h2><figure>{calibration}</figure>");
        let _ = write!(
            h,
            "<h2>Volume and projected savings</h2><figure>{volume}</figure>"
        );
        h.push_str(
            "<h2>By intent</h2><table><tr><th>intent</th><th>tickets</th><th>agreement</th>\
             <th>recall</th><th>mean confidence</th><th>autonomous</th><th>MTTR (h)</th>\
             <th>net savings</th></tr>",
        );
        for a in &k.by_intent {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                a.intent,
                a.predicted,
                rate(&a.agreement),
                rate(&a.recall),
                opt(a.mean_confidence, &|x| format!("{x:.2}")),
                rate(&a.autonomous),
                opt(a.mttr_hours, &|x| format!("{x:.1}")),
                money(a.net_savings)
            );
        }
        h.push_str("</table>");
        h.push_str(
            "<h2>Rollout readiness</h2><table class=\"gates\"><tr><th>client</th><th>intent</th>\
             <th>sample</th><th>agreement</th><th>mean confidence</th><th>readiness</th>\
             <th>why not further</th><th>rollback flags</th></tr>",
        );
        for g in &k.gates {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"r-{r}\">{r}</td><td>{}</td><td>{}</td></tr>",
                esc(g.tenant.as_str()),
                g.intent,
                g.agreement.total,
                rate(&g.agreement),
                opt(g.mean_confidence, &|x| format!("{x:.2}")),
                esc(&g.reasons.join("; ")),
                esc(&g.rollback.join("; ")),
                r = g.readiness.as_str(),
            );
        }
        h.push_str("</table>");
        let _ = write!(
            h,
            "<h2>Recommended policy changes</h2><pre class=\"diff\">{}</pre>",
            esc(&self.policy_diff)
        );
        if !self.malformed.is_empty() {
            h.push_str("<h2>Malformed rows (skipped)</h2><ul>");
            for e in self.malformed.iter().take(50) {
                let _ = write!(h, "<li>line {}: {}</li>", e.line, esc(&e.message));
            }
            h.push_str("</ul>");
        }
        let json = serde_json::to_string(self)
            .unwrap_or_default()
            .replace("</", "<\\/");
        let _ = writeln!(
            h,
            "<script type=\"application/json\" id=\"report-data\">{json}</script></body></html>"
        );
        Ok(h)
    }
}

fn rate(r: &Rate) -> String {
    r.rate.map_or("n/a".to_owned(), |x| {
        format!("{:.1}% ({}/{})", x * 100.0, r.hits, r.total)
    })
}

/// Escape text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:sans-serif;margin:2em;color:#222;max-width:1100px}\
h1{margin-bottom:0}.src{color:#666}\
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}\
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:150px;background:#f7fafc}\
.card .v{font-size:1.3em;font-weight:bold;color:#2b6cb0}.card .l{color:#555;font-size:.85em}\
table{border-collapse:collapse;margin:1em 0;font-size:.9em}\
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#edf2f7}\
.r-autonomous{background:#c6f6d5}.r-supervised{background:#fefcbf}\
.r-shadow{background:#fed7d7}.r-human_only{background:#e2e8f0}\
pre.diff{background:#f7fafc;border:1px solid #ddd;padding:1em;overflow-x:auto}\
figure{margin:0}figcaption{font-size:.85em;color:#555}\
.sw{display:inline-block;width:10px;height:10px}.blue{background:#2b6cb0}.teal{background:#319795}.note{color:#555;font-size:.9em}";
