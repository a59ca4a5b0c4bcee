//! End-to-end: replay of the sample history in `examples/data/`, the report's numbers, and
//! the HTML's SVG charts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::path::PathBuf;

use msp_agent_core::domain::Intent;
use msp_agent_core::metrics::{Accumulator, MetricsConfig, Readiness};
use msp_agent_core::pipeline::classify::Classifier;
use msp_agent_core::policy::Policy;
use msp_agent_report::Report;
use msp_agent_report::history::{HistoryReader, HistoryRecord, human_intent};
use msp_agent_report::replay::Replayer;
use msp_agent_sim::SimMsp;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

fn sample_report() -> Report {
    let policy = Policy::from_file(data("policy.toml")).unwrap();
    let replayer = Replayer::new(SimMsp::seeded().capabilities(), policy);
    let mut acc = Accumulator::new(MetricsConfig::default());
    let input = HistoryReader::csv(File::open(data("history.csv")).unwrap()).unwrap();
    let outcome = replayer.replay(input, &mut acc);
    Report::new("history.csv", &replayer, outcome, &acc)
}

fn records() -> Vec<HistoryRecord> {
    HistoryReader::csv(File::open(data("history.csv")).unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .collect()
}

#[test]
fn sample_history_totals_and_timing_kpis() {
    let r = sample_report();
    let t = &r.totals;
    assert_eq!((t.rows, t.replayed, t.malformed), (602, 600, 2));
    assert_eq!(
        (t.replay_errors, t.unlabelled, t.unmapped_types),
        (0, 17, 0)
    );
    let lines: Vec<u64> = r.malformed.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3394, 3395]);
    assert_eq!(r.malformed[0].message, "expected 14 fields, found 3");
    assert_eq!(r.malformed[1].message, "bad timestamp `last tuesday`");

    let k = &r.kpis;
    assert_eq!(k.counts.tickets, 600);
    assert_eq!(k.counts.labelled, 583);
    // Figures that depend on the data only.
    assert_eq!((k.first_response.n, k.first_response.missing), (586, 14));
    assert_eq!(k.first_response.p50_minutes, Some(35));
    assert_eq!(k.first_response.p95_minutes, Some(2066));
    assert_eq!((k.reassignment.hits, k.reassignment.total), (98, 600));
    assert_eq!((k.after_hours.hits, k.after_hours.total), (160, 600));
}

#[test]
fn sample_agreement_matches_an_independent_count() {
    let r = sample_report();
    let k = &r.kpis;
    let classifier = Classifier::new();
    let (mut labelled, mut agreed) = (0, 0);
    let mut per_intent = std::collections::BTreeMap::<Intent, (u64, u64)>::new();
    for rec in records() {
        let Some(h) = human_intent(&rec.kind) else {
            continue;
        };
        let p = classifier.classify(&rec.subject, &rec.body).intent;
        labelled += 1;
        agreed += u64::from(h == p);
        let e = per_intent.entry(p).or_default();
        e.0 += u64::from(h == p);
        e.1 += 1;
    }
    assert_eq!((k.agreement.hits, k.agreement.total), (agreed, labelled));
    for a in &k.by_intent {
        let (hits, total) = per_intent.get(&a.intent).copied().unwrap_or_default();
        assert_eq!(
            (a.agreement.hits, a.agreement.total),
            (hits, total),
            "{}",
            a.intent
        );
    }
    // The rule classifier agrees with the (noisy) human labels on most tickets.
    assert!(k.agreement.rate.unwrap() > 0.85, "{:?}", k.agreement);
    // Calibration: the top band is the most accurate and holds most tickets.
    let top = k.calibration.last().unwrap();
    assert!(top.agreement.total > 400 && top.agreement.rate.unwrap() > 0.9);
}

#[test]
fn sample_dispositions_gates_and_cost_are_consistent() {
    let r = sample_report();
    let k = &r.kpis;
    let c = &k.counts;
    assert_eq!(c.autonomous + c.approval + c.human, 600);
    // Only acme lets anything run alone, so every autonomous ticket is acme's.
    assert!(c.autonomous > 50, "{c:?}");
    let acme_pr = k
        .gates
        .iter()
        .find(|g| g.tenant.as_str() == "acme" && g.intent == Intent::PasswordReset)
        .unwrap();
    assert!(acme_pr.agreement.total >= 50);
    // Human mislabels make single weeks exceed the 2% error rate: acme rolls back.
    assert!(!acme_pr.rollback.is_empty());
    assert_eq!(acme_pr.readiness, Readiness::Shadow);
    assert!(
        r.policy_diff
            .contains("-reset_password = \"autonomous\"\n+reset_password = \"approval\""),
        "{}",
        r.policy_diff
    );
    for g in &k.gates {
        if matches!(g.intent, Intent::SecurityIncident | Intent::Other) {
            assert_eq!(g.readiness, Readiness::HumanOnly);
        }
        if g.readiness >= Readiness::Supervised {
            assert!(g.agreement.rate.unwrap() >= 0.85 && g.mean_confidence.unwrap() >= 0.90);
            assert!(g.agreement.total >= 20 && g.rollback.is_empty());
            assert!(
                r.policy_diff
                    .contains(&format!("[clients.{}]", g.tenant.as_str()))
                    || g.tenant.as_str() == "acme"
            );
        }
    }
    // Cost: the formulas of the module documentation over the counts.
    let m = &k.cost.model;
    assert_eq!(m.cost_per_ticket, 22.0);
    let saved = c.autonomous_correct as f64 + 0.5 * c.approval_correct as f64;
    let net =
        saved * 22.0 - c.autonomous_wrong as f64 * 44.0 - (c.autonomous + c.approval) as f64 * 0.5;
    assert!((k.cost.net_savings - net).abs() < 1e-6);
    assert!((k.cost.technician_hours_recovered - saved * 20.0 / 60.0).abs() < 1e-9);
    assert!((k.cost.baseline_cost - 600.0 * 22.0).abs() < 1e-9);
}

fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

#[test]
fn html_report_is_self_contained_with_parsable_svgs() {
    let r = sample_report();
    let html = r.to_html().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["http://", "https://", "<link", "src=\""] {
        let outside_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !outside_svg_ns.contains(external),
            "external reference {external}"
        );
    }
    let charts = svgs(&html);
    assert_eq!(charts.len(), 3);
    for svg in &charts {
        let doc = roxmltree::Document::parse(svg).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let shapes = doc
            .descendants()
            .filter(|n| {
                ["rect", "polyline", "circle", "line"]
                    .iter()
                    .any(|t| n.has_tag_name(*t))
            })
            .count();
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(shapes > 3, "a chart draws shapes");
        assert!(!texts.is_empty());
    }
    // Every intent of the report is labelled on the agreement chart.
    let agreement = roxmltree::Document::parse(charts[0]).unwrap();
    let labels: Vec<&str> = agreement
        .descendants()
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for a in &r.kpis.by_intent {
        assert!(labels.contains(&a.intent.as_str()), "{} missing", a.intent);
    }
    // The readiness table and the same numbers as JSON.
    assert!(html.contains("Rollout readiness"));
    let start = html.find("id=\"report-data\">").unwrap() + "id=\"report-data\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let embedded: serde_json::Value =
        serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(embedded == json, "embedded JSON differs from to_json()");
    assert_eq!(json["totals"]["replayed"], 600);
    assert_eq!(json["kpis"]["agreement"]["hits"], r.kpis.agreement.hits);
}

#[test]
fn empty_history_still_renders() {
    let replayer = Replayer::new(SimMsp::seeded().capabilities(), Policy::builtin());
    let mut acc = Accumulator::new(MetricsConfig::default());
    let outcome = replayer.replay(
        HistoryReader::csv("id,tenant\n".as_bytes()).unwrap(),
        &mut acc,
    );
    let r = Report::new("empty", &replayer, outcome, &acc);
    assert_eq!(r.totals.rows, 0);
    let html = r.to_html().unwrap();
    assert_eq!(svgs(&html).len(), 3);
    for svg in svgs(&html) {
        roxmltree::Document::parse(svg).unwrap();
    }
    assert!(r.policy_diff.starts_with("# no change"));
}

#[test]
fn unknown_client_falls_back_to_the_text() {
    let replayer = Replayer::new(SimMsp::seeded().capabilities(), Policy::builtin());
    let mut acc = Accumulator::new(MetricsConfig::default());
    let csv = "id,tenant,subject,body,type\nT-1,umbrella,Password reset,I forgot my password,Password Reset\n";
    let outcome = replayer.replay(HistoryReader::csv(csv.as_bytes()).unwrap(), &mut acc);
    assert_eq!(outcome.totals.replay_errors, 1);
    let k = acc.finish();
    assert_eq!(k.agreement.hits, 1);
    assert_eq!(k.counts.human, 1);
}
