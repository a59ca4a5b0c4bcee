#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::pipeline::PlannedCall;

const PR: Intent = Intent::PasswordReset;
const AU: Intent = Intent::AccountUnlock;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    // January 2026: the 5th is a Monday.
    Utc.with_ymd_and_hms(2026, 1, d, h, m, 0).unwrap()
}

fn obs(human: Option<Intent>, predicted: Intent, confidence: f64, d: Disposition) -> Observation {
    Observation {
        tenant: TenantId::new("acme"),
        human_intent: human,
        predicted,
        confidence,
        disposition: d,
        write_actions: Vec::new(),
        created: None,
        first_response: None,
        resolved: None,
        reassignments: None,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn empty_input() {
    let k = kpis(MetricsConfig::default(), &[]);
    assert_eq!(k.counts, Counts::default());
    assert_eq!(k.agreement, Rate::of(0, 0));
    assert_eq!(k.agreement.rate, None);
    assert!(k.by_intent.is_empty());
    assert_eq!(k.calibration.len(), 7);
    assert!(
        k.calibration
            .iter()
            .all(|b| b.agreement.total == 0 && b.mean_confidence.is_none())
    );
    assert_eq!(k.autonomous_rate.rate, None);
    assert_eq!(
        (k.first_response.p50_minutes, k.first_response.p95_minutes),
        (None, None)
    );
    assert_eq!(k.reassignment.rate, None);
    assert_eq!(k.after_hours.rate, None);
    assert_eq!(k.cost.baseline_cost, 0.0);
    assert_eq!(k.cost.cost_per_ticket_projected, None);
    assert_eq!(k.cost.roi, None);
    assert!(k.gates.is_empty());
    let diff = recommended_policy_diff(&k.gates, &BTreeMap::new(), &Policy::builtin());
    assert_eq!(diff, "# no change recommended\n");
}

#[test]
fn one_ticket() {
    let mut o = obs(Some(PR), PR, 0.95, Disposition::Autonomous);
    o.created = Some(at(5, 9, 0));
    o.first_response = Some(at(5, 9, 10));
    o.resolved = Some(at(5, 11, 0));
    o.reassignments = Some(0);
    let k = kpis(MetricsConfig::default(), &[o]);
    assert_eq!(k.agreement, Rate::of(1, 1));
    assert_eq!(k.agreement.rate, Some(1.0));
    assert_eq!(k.autonomous_rate, Rate::of(1, 1));
    assert_eq!(k.first_response.p50_minutes, Some(10));
    assert_eq!(k.first_response.p95_minutes, Some(10));
    assert_eq!((k.first_response.n, k.first_response.missing), (1, 0));
    assert_eq!(k.reassignment, Rate::of(0, 1));
    assert_eq!(k.after_hours, Rate::of(0, 1));
    let pr = &k.by_intent[0];
    assert_eq!(pr.intent, PR);
    assert_eq!(pr.mttr_hours, Some(2.0));
    assert_eq!(k.calibration[6].agreement, Rate::of(1, 1)); // [0.95, 1.0]
    let c = &k.cost;
    assert!(close(c.baseline_cost, 22.0));
    assert!(close(c.gross_savings, 22.0));
    assert!(close(c.agent_cost, 0.5));
    assert!(close(c.net_savings, 21.5));
    assert!(close(c.cost_per_ticket_projected.unwrap(), 0.5));
    assert!(close(c.technician_hours_recovered, 20.0 / 60.0));
    assert!(close(c.roi.unwrap(), 43.0));
    assert!(close(pr.net_savings, 21.5));
}

fn five() -> Vec<Observation> {
    vec![
        obs(Some(PR), PR, 0.95, Disposition::Autonomous),
        obs(Some(AU), PR, 0.70, Disposition::Approval),
        obs(Some(AU), AU, 0.92, Disposition::Approval),
        obs(None, Intent::Other, 0.5, Disposition::Human),
        obs(Some(PR), AU, 0.90, Disposition::Autonomous),
    ]
}

#[test]
fn agreement_precision_and_recall() {
    let k = kpis(MetricsConfig::default(), &five());
    assert_eq!(k.counts.tickets, 5);
    assert_eq!(k.counts.labelled, 4);
    assert_eq!(k.agreement, Rate::of(2, 4));
    let get = |i| k.by_intent.iter().find(|a| a.intent == i).unwrap();
    let pr = get(PR);
    assert_eq!(
        (pr.predicted, pr.agreement, pr.recall),
        (2, Rate::of(1, 2), Rate::of(1, 2))
    );
    assert!(close(pr.mean_confidence.unwrap(), 0.825));
    assert_eq!(pr.autonomous, Rate::of(1, 2));
    let au = get(AU);
    assert_eq!((au.agreement, au.recall), (Rate::of(1, 2), Rate::of(1, 2)));
    let other = get(Intent::Other);
    assert_eq!(other.agreement.rate, None);
    assert_eq!(other.recall.total, 0);
    // Design order: password_reset, account_unlock, ..., other.
    let order: Vec<Intent> = k.by_intent.iter().map(|a| a.intent).collect();
    assert_eq!(order, [PR, AU, Intent::Other]);
}

#[test]
fn cost_and_roi_by_hand() {
    let k = kpis(MetricsConfig::default(), &five());
    let c = &k.counts;
    assert_eq!((c.autonomous, c.approval, c.human), (2, 2, 1));
    assert_eq!(
        (c.autonomous_correct, c.autonomous_wrong, c.approval_correct),
        (1, 1, 1)
    );
    let cost = &k.cost;
    assert!(close(cost.baseline_cost, 110.0));
    assert!(close(cost.gross_savings, 33.0)); // (1 + 0.5·1) · 22
    assert!(close(cost.rework_cost, 44.0));
    assert!(close(cost.agent_cost, 2.0));
    assert!(close(cost.net_savings, -13.0));
    assert!(close(cost.cost_per_ticket_baseline.unwrap(), 22.0));
    assert!(close(cost.cost_per_ticket_projected.unwrap(), 24.6));
    assert!(close(cost.technician_hours_recovered, 0.5));
    assert!(close(cost.roi.unwrap(), -6.5));
    assert_eq!(k.autonomous_rate, Rate::of(2, 5));

    // A custom model: $30 tickets, no agent cost, a fixed platform cost.
    let cfg = MetricsConfig {
        cost: CostModel {
            cost_per_ticket: 30.0,
            agent_cost_per_ticket: 0.0,
            platform_cost: 5.0,
            rework_cost_per_error: 0.0,
            ..CostModel::default()
        },
        ..MetricsConfig::default()
    };
    let k = kpis(cfg, &five());
    assert!(close(k.cost.net_savings, 45.0 - 5.0));
    assert!(close(k.cost.roi.unwrap(), 8.0));
}

#[test]
fn calibration_bands_with_ties_on_edges() {
    let k = kpis(MetricsConfig::default(), &five());
    let band = |lo: f64| k.calibration.iter().find(|b| close(b.lo, lo)).unwrap();
    assert_eq!(band(0.7).agreement, Rate::of(0, 1));
    // 0.90 sits on an edge: it belongs to [0.90, 0.95).
    assert_eq!(band(0.9).agreement, Rate::of(1, 2));
    assert!(close(band(0.9).mean_confidence.unwrap(), 0.91));
    assert_eq!(band(0.95).agreement, Rate::of(1, 1));
    assert!(close(band(0.95).hi, 1.0));
    assert_eq!(band(0.5).agreement.total, 0); // the unlabelled 0.5 is left out
    assert_eq!(band_of(&[0.0, 0.5, 1.0], 1.0), Some(1));
    assert_eq!(band_of(&[0.0, 0.5, 1.0], 0.5), Some(1));
    assert_eq!(band_of(&[0.0, 0.5, 1.0], f64::NAN), None);
    assert_eq!(band_of(&[0.0, 0.5, 1.0], 1.5), None);
}

#[test]
fn percentiles_nearest_rank_with_ties() {
    let mut h = MinuteHistogram::default();
    assert_eq!(h.percentile(50.0), None);
    for m in [10, 5, 5, 5] {
        h.push(m);
    }
    assert_eq!(h.percentile(50.0), Some(5)); // rank 2
    assert_eq!(h.percentile(95.0), Some(10)); // rank ⌈3.8⌉ = 4
    let mut h = MinuteHistogram::default();
    (1..=20).for_each(|m| h.push(m));
    assert_eq!(h.percentile(50.0), Some(10));
    assert_eq!(h.percentile(95.0), Some(19));
    assert_eq!(h.percentile(100.0), Some(20));
    assert_eq!(round_minutes(Duration::seconds(89)), 1);
    assert_eq!(round_minutes(Duration::seconds(90)), 2);
}

#[test]
fn missing_and_inconsistent_timestamps() {
    let mut a = obs(Some(PR), PR, 0.9, Disposition::Approval);
    a.created = Some(at(5, 9, 0));
    a.first_response = Some(at(5, 9, 30));
    a.resolved = Some(at(5, 13, 0));
    let mut b = a.clone();
    b.created = None; // nothing measurable
    let mut c = a.clone();
    c.first_response = Some(at(5, 8, 0)); // before creation
    c.resolved = Some(at(5, 8, 0));
    let mut d = a.clone();
    d.first_response = None;
    d.resolved = Some(at(5, 10, 0));
    let k = kpis(MetricsConfig::default(), &[a, b, c, d]);
    assert_eq!(k.first_response.n, 1);
    assert_eq!(k.first_response.missing, 3);
    assert_eq!(k.first_response.p50_minutes, Some(30));
    assert_eq!(k.after_hours.total, 3);
    // MTTR over a (4 h) and d (1 h) only.
    assert!(close(k.by_intent[0].mttr_hours.unwrap(), 2.5));
}

#[test]
fn reassignment_and_after_hours() {
    let mk = |t: DateTime<Utc>, r: Option<u32>| {
        let mut o = obs(None, PR, 0.9, Disposition::Human);
        o.created = Some(t);
        o.reassignments = r;
        o
    };
    let obs = [
        mk(at(10, 10, 0), Some(0)), // Saturday
        mk(at(5, 7, 59), Some(2)),  // Monday, before 08:00
        mk(at(5, 8, 0), None),      // Monday 08:00: business hours
        mk(at(5, 18, 0), Some(1)),  // 18:00: after hours
    ];
    let k = kpis(MetricsConfig::default(), &obs);
    assert_eq!(k.reassignment, Rate::of(2, 3));
    assert_eq!(k.after_hours, Rate::of(3, 4));
    let h = BusinessHours {
        utc_offset_minutes: 60,
        ..BusinessHours::default()
    };
    assert!(!h.is_after_hours(at(5, 7, 30))); // 08:30 local
    assert!(h.is_after_hours(at(5, 17, 0))); // 18:00 local
}

fn labelled(n: usize, agree: usize, week_day: u32, conf: f64, d: Disposition) -> Vec<Observation> {
    (0..n)
        .map(|i| {
            let predicted = if i < agree { PR } else { AU };
            let mut o = obs(Some(predicted), PR, conf, d);
            o.created = Some(
                Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap()
                    + Duration::days(week_day.into()),
            );
            o.write_actions = vec!["reset_password".into(), "add_internal_note".into()];
            o
        })
        .collect()
}

#[test]
fn gates_readiness() {
    let cfg = MetricsConfig::default();
    // 25 agreeing, confident: supervised (sample < 50 for autonomous).
    let k = kpis(
        cfg.clone(),
        &labelled(25, 25, 0, 0.95, Disposition::Approval),
    );
    assert_eq!(k.gates.len(), 1);
    assert_eq!(k.gates[0].readiness, Readiness::Supervised);
    assert_eq!(k.gates[0].weeks.len(), 1);
    assert_eq!(k.gates[0].weeks[0].week, 1);
    // 60 over a few weeks: autonomous.
    let mut many = labelled(30, 30, 0, 0.95, Disposition::Approval);
    many.extend(labelled(30, 30, 14, 0.95, Disposition::Approval));
    let k = kpis(cfg.clone(), &many);
    assert_eq!(k.gates[0].readiness, Readiness::Autonomous);
    assert_eq!(
        k.gates[0].weeks.iter().map(|w| w.week).collect::<Vec<_>>(),
        [1, 3]
    );
    // Exactly at the thresholds (ties) passes: 85% agreement, 0.90 confidence, 20 tickets.
    let k = kpis(cfg.clone(), &labelled(20, 17, 0, 0.90, Disposition::Human));
    assert_eq!(k.gates[0].agreement, Rate::of(17, 20));
    assert_eq!(
        k.gates[0].readiness,
        Readiness::Supervised,
        "{:?}",
        k.gates[0].reasons
    );
    // Below: shadow, with reasons.
    let k = kpis(cfg.clone(), &labelled(20, 16, 0, 0.89, Disposition::Human));
    assert_eq!(k.gates[0].readiness, Readiness::Shadow);
    assert_eq!(
        k.gates[0].reasons,
        ["agreement 80.0% < 85.0%", "mean confidence 0.890 < 0.900"]
    );
    // Never automated.
    let mut sec = obs(
        Some(Intent::SecurityIncident),
        Intent::SecurityIncident,
        0.99,
        Disposition::Human,
    );
    sec.created = Some(at(5, 9, 0));
    let k = kpis(cfg, &vec![sec; 100]);
    assert_eq!(k.gates[0].readiness, Readiness::HumanOnly);
}

#[test]
fn gates_rollback_flags() {
    let cfg = MetricsConfig::default();
    // Week 1: 50 tickets, one wrong would-be action (2% is not > 2%); week 2: 1 in 40 (2.5%).
    let mut o = labelled(50, 49, 0, 0.95, Disposition::Approval);
    o.extend(labelled(40, 39, 7, 0.95, Disposition::Approval));
    // Week 7: agreement 3/5 = 60% (< 75%) but escalated, so no error; week 3: 4 tickets,
    // all wrong, below the weekly minimum sample.
    o.extend(labelled(5, 3, 42, 0.95, Disposition::Human));
    o.extend(labelled(4, 0, 14, 0.95, Disposition::Approval));
    let k = kpis(cfg, &o);
    let g = &k.gates[0];
    assert_eq!(
        g.rollback,
        [
            "week 2: error rate 2.5% > 2.0%",
            "week 7: agreement 60.0% < 75.0%"
        ]
    );
    assert_eq!(g.readiness, Readiness::Shadow);
    assert!(g.reasons.contains(&"rollback flags".to_owned()));
}

#[test]
fn policy_diff_promotes_and_rolls_back() {
    let mut many = labelled(60, 60, 0, 0.95, Disposition::Approval);
    let mut mfa = labelled(60, 60, 0, 0.95, Disposition::Human);
    for o in &mut mfa {
        o.predicted = Intent::MfaReset;
        o.human_intent = Some(Intent::MfaReset);
        o.write_actions = vec!["reset_mfa".into()];
    }
    many.extend(mfa);
    let mut acc = Accumulator::default();
    many.iter().for_each(|o| acc.push(o));
    let k = acc.finish();
    let shadow = Policy::from_toml_str("[global]\nmode = \"shadow\"\n", "p.toml").unwrap();
    let diff = recommended_policy_diff(&k.gates, acc.actions(), &shadow);
    assert_eq!(
        diff,
        "# recommended by shadow replay: review, then apply to the policy file\n \
         [clients.acme]\n+mode = \"autonomous\"  # was \"shadow\" (global)\n \
         [clients.acme.actions]\n\
         +reset_password = \"autonomous\"  # password_reset: agreement 100.0% over 60\n"
    );
    // A file that already made it autonomous, and a bad week: roll back.
    let mut bad = many.clone();
    bad.extend(labelled(10, 5, 7, 0.95, Disposition::Autonomous));
    let mut acc = Accumulator::default();
    bad.iter().for_each(|o| acc.push(o));
    let k = acc.finish();
    let live = Policy::from_toml_str(
        "[clients.acme]\nmode = \"autonomous\"\n[clients.acme.actions]\nreset_password = \"autonomous\"\n",
        "p.toml",
    )
    .unwrap();
    let diff = recommended_policy_diff(&k.gates, acc.actions(), &live);
    assert!(diff.contains("-reset_password = \"autonomous\"\n+reset_password = \"approval\"  # rollback: password_reset: week 2: error rate 50.0% > 2.0%"), "{diff}");
    assert!(!diff.contains("mode"), "{diff}");
}

#[test]
fn disposition_of_plans() {
    let builtin = Policy::builtin();
    let reset = Plan::act(
        "password_reset",
        "Password",
        vec![
            PlannedCall::new("lookup_user", json!({}), "read"),
            PlannedCall::new("reset_password", json!({}), "reset"),
            PlannedCall::new("add_internal_note", json!({}), "note"),
        ],
        Vec::new(),
    );
    let (d, writes) = Disposition::of_plan(&builtin, "acme", &reset, 0.95, false);
    assert_eq!(d, Disposition::Approval);
    assert_eq!(writes, ["reset_password", "add_internal_note"]);
    let graduated = Policy::from_toml_str(
        "[global]\nmode = \"shadow\"\n[clients.acme.actions]\nreset_password = \"autonomous\"\n",
        "p.toml",
    )
    .unwrap();
    // Shadow mode still reports the tier.
    assert_eq!(
        Disposition::of_plan(&graduated, "acme", &reset, 0.95, false).0,
        Disposition::Autonomous
    );
    assert_eq!(
        Disposition::of_plan(&graduated, "acme", &reset, 0.80, false).0,
        Disposition::Approval
    );
    assert_eq!(
        Disposition::of_plan(&graduated, "acme", &reset, 0.95, true).0,
        Disposition::Human
    );
    assert_eq!(
        Disposition::of_plan(&graduated, "globex", &reset, 0.95, false).0,
        Disposition::Approval
    );
    let esc = Plan::escalate("diagnose", "Printer", "needs hands");
    assert_eq!(
        Disposition::of_plan(&builtin, "acme", &esc, 0.99, false).0,
        Disposition::Human
    );
    let read_only = Plan::act(
        "x",
        "y",
        vec![PlannedCall::new("get_ticket", json!({}), "r")],
        Vec::new(),
    );
    assert_eq!(
        Disposition::of_plan(&builtin, "acme", &read_only, 0.99, false),
        (Disposition::Autonomous, Vec::new())
    );
}
