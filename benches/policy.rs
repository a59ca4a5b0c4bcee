//! Median time of one policy decision, msp-agent-policy against the same decisions in Cedar.
//!
//! Groups (criterion ids):
//! - `decide/builtin`: [`Policy::builtin`] over a fixed mix of requests (reads, autonomous
//!   writes, approval writes, floor actions, privileged targets, low confidence, an unknown
//!   action); each iteration is one decision, cycling through the mix.
//! - `decide/file_100x20`: a policy file generated here (20 clients `c00..c19` with 5 action
//!   overrides each = 100 overrides, plus global overrides, limits, thresholds and two
//!   supervised clients) loaded with [`Policy::from_toml_str`]; requests spread across the
//!   clients.
//! - `decide/engine`: the file policy through [`PolicyEngine::decide`] (the shared,
//!   `ArcSwap`-loaded snapshot every agent worker uses).
//! - `cedar/builtin`, `cedar/file_100x20`: the same decisions expressed in Cedar
//!   (`cedar-policy` 4), compiled from the same settings. Base tiers are `permit` policies
//!   over the action groups `Action::"base_autonomous"` / `Action::"base_approval"`, each
//!   client override is a `permit` of its own (and the base permit of an overridden action
//!   steps aside for the clients overriding it); floors, privileged targets, confidence
//!   thresholds, hourly limits and supervised mode are `forbid` policies. Principal
//!   `Client::"cNN"`, action e.g. `Action::"reset_password"` (member of `Action::"read"` or
//!   `Action::"write"` and of the floor groups), resource `Tier::"autonomous"` or
//!   `Tier::"approval"`, context `{confidence: long (per mille; `decimal` is off),
//!   privileged: bool, recent?: long}`. The tier is the first of autonomous, approval that
//!   `is_authorized` allows, else human.
//! - `cedar/file_100x20_attrs`: the file in a leaner Cedar encoding, the overrides as set
//!   attributes of the `Client` entities (19 policies instead of 105), so the ratio is not
//!   flattered by a naive one-policy-per-override translation.
//!
//! Policy sets and entities are built once; a timed Cedar iteration builds the
//! `EntityUid`s, the `Context` and the `Request`(s) and calls `Authorizer::is_authorized`
//! once or twice, as a timed Rust iteration calls `decide` once.
//!
//! Before timing, the setup checks that Cedar and msp-agent-policy give the same tier for
//! every request of the mixes and for a grid of ~95k more (every client and one without a
//! section × every built-in action and an unknown one × confidences × privileged or not ×
//! hourly counts, for each Cedar encoding), that Cedar reports no evaluation error, and
//! panics on the first difference.
//!
//! Kill switch and shadow mode are off in both policies: they only choose the outcome
//! (`halted`, `log_only`), never the tier the Cedar cascade computes.
//!
//! After criterion, a one-line summary prints the six medians and the Cedar /
//! msp-agent-policy ratios: criterion's median estimates of this run (read back from its
//! `estimates.json`), or, when a filter ran only some groups, a quick `Instant` timing
//! (200k decisions per Rust case, 20k per Cedar case), labelled as such. `POLICY_BENCH_DUMP=1` also prints
//! the generated TOML file and Cedar policies.
//!
//! Run: `cargo bench --bench policy`

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request, Response, RestrictedExpression,
};
use criterion::Criterion;
use msp_agent::policy::{
    ActionClass, ActionRequest, BUILTIN_ACTIONS, DEFAULT_AUTONOMOUS_MIN_CONFIDENCE,
    DEFAULT_HUMAN_BELOW_CONFIDENCE, Floor, Policy, PolicyEngine, Tier, builtin_action, floor_of,
};

// ---------------------------------------------------------------------------------------
// The policy settings, from which both the TOML file and the Cedar policies are generated.
// ---------------------------------------------------------------------------------------

/// `(human_below_confidence, autonomous_min_confidence)`, each optional (inherits).
type Thresholds = (Option<f64>, Option<f64>);

/// Settings of one `[clients.NAME]` section.
struct ClientSpec {
    name: String,
    supervised: bool,
    thresholds: Thresholds,
    actions: Vec<(&'static str, Tier)>,
    limits: Vec<(&'static str, u32)>,
}

/// Settings of a policy; `Spec::default()` is the built-in policy.
#[derive(Default)]
struct Spec {
    thresholds: Thresholds,
    actions: Vec<(&'static str, Tier)>,
    limits: Vec<(&'static str, u32)>,
    clients: Vec<ClientSpec>,
}

const N_CLIENTS: usize = 20;
const OVERRIDES_PER_CLIENT: usize = 5;

fn client_name(i: usize) -> String {
    format!("c{i:02}")
}

/// 20 clients × 5 action overrides, global overrides, limits, thresholds, supervised mode.
fn file_spec() -> Spec {
    // Write actions a file may override (always-human floors cannot be changed).
    let pool: Vec<&'static str> = BUILTIN_ACTIONS
        .iter()
        .filter(|a| a.class == ActionClass::Write && floor_of(a.name) != Some(Floor::AlwaysHuman))
        .map(|a| a.name)
        .collect();
    let tiers = [Tier::Autonomous, Tier::Approval, Tier::Human];
    let clients = (0..N_CLIENTS)
        .map(|i| {
            let actions = (0..OVERRIDES_PER_CLIENT)
                .map(|k| {
                    let action = pool[(3 * i + 7 * k) % pool.len()];
                    let tier = match floor_of(action) {
                        Some(Floor::NeverAutonomous) => Tier::Approval,
                        _ => tiers[(i + k) % tiers.len()],
                    };
                    (action, tier)
                })
                .collect();
            ClientSpec {
                name: client_name(i),
                supervised: i == 5 || i == 15,
                thresholds: match i {
                    3 => (None, Some(0.95)),
                    11 => (Some(0.70), None),
                    _ => (None, None),
                },
                actions,
                limits: if i == 7 {
                    vec![("reset_password", 5)]
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    Spec {
        thresholds: (Some(0.55), Some(0.85)),
        actions: vec![
            ("add_public_note", Tier::Autonomous),
            ("run_script", Tier::Human),
            ("create_user", Tier::Autonomous),
        ],
        limits: vec![("reset_password", 20), ("add_internal_note", 50)],
        clients,
    }
}

fn spec_toml(spec: &Spec) -> String {
    fn section(out: &mut String, path: &str, th: Thresholds, extra: &str) {
        let _ = writeln!(out, "[{path}]");
        out.push_str(extra);
        if let Some(v) = th.0 {
            let _ = writeln!(out, "human_below_confidence = {v:?}");
        }
        if let Some(v) = th.1 {
            let _ = writeln!(out, "autonomous_min_confidence = {v:?}");
        }
    }
    fn tables(out: &mut String, path: &str, actions: &[(&str, Tier)], limits: &[(&str, u32)]) {
        if !actions.is_empty() {
            let _ = writeln!(out, "[{path}.actions]");
            for (a, t) in actions {
                let _ = writeln!(out, "{a} = \"{}\"", t.as_str());
            }
        }
        if !limits.is_empty() {
            let _ = writeln!(out, "[{path}.limits]");
            for (a, n) in limits {
                let _ = writeln!(out, "{a} = {{ per_hour = {n} }}");
            }
        }
    }
    let mut out = String::from("# Generated by benches/policy.rs\n");
    section(
        &mut out,
        "global",
        spec.thresholds,
        "mode = \"autonomous\"\nkill_switch = false\n",
    );
    tables(&mut out, "global", &spec.actions, &spec.limits);
    for c in &spec.clients {
        let path = format!("clients.{}", c.name);
        let mode = if c.supervised {
            "mode = \"supervised\"\n"
        } else {
            ""
        };
        out.push('\n');
        section(&mut out, &path, c.thresholds, mode);
        tables(&mut out, &path, &c.actions, &c.limits);
    }
    out
}

// ---------------------------------------------------------------------------------------
// The same settings compiled to Cedar.
// ---------------------------------------------------------------------------------------

/// Confidence as the whole per-mille Cedar compares (`decimal` is a default-off feature).
fn per_mille(confidence: f64) -> i64 {
    // Same fail-closed clamp as the Rust engine: out of range (or NaN) is 0.
    if (0.0..=1.0).contains(&confidence) {
        (confidence * 1000.0).round() as i64
    } else {
        0
    }
}

fn client_set(names: &[&str]) -> String {
    let list: Vec<String> = names.iter().map(|c| format!("Client::\"{c}\"")).collect();
    format!("[{}]", list.join(", "))
}

/// `resource` scope for "allowed at this tier or stricter": any tier for autonomous,
/// only the approval query for approval.
fn resource_scope(t: Tier) -> Option<&'static str> {
    match t {
        Tier::Autonomous => Some("resource"),
        Tier::Approval => Some("resource == Tier::\"approval\""),
        Tier::Human => None,
    }
}

/// Every write action: built-in ones, then those only the file names.
fn write_actions(spec: &Spec) -> Vec<&'static str> {
    let mut writes: Vec<&'static str> = BUILTIN_ACTIONS
        .iter()
        .filter(|a| a.class == ActionClass::Write)
        .map(|a| a.name)
        .collect();
    for (a, _) in spec
        .actions
        .iter()
        .chain(spec.clients.iter().flat_map(|c| c.actions.iter()))
    {
        if !writes.contains(a) {
            writes.push(a);
        }
    }
    writes
}

/// Tier before client overrides: global override, else built-in default (`None`: unknown).
fn base_tier(spec: &Spec, action: &str) -> Option<Tier> {
    spec.actions
        .iter()
        .find(|(a, _)| *a == action)
        .map(|x| x.1)
        .or_else(|| builtin_action(action).map(|b| b.tier))
}

/// Clients whose section overrides the action.
fn overriding_clients<'s>(spec: &'s Spec, action: &str) -> Vec<&'s str> {
    spec.clients
        .iter()
        .filter(|c| c.actions.iter().any(|(a, _)| *a == action))
        .map(|c| c.name.as_str())
        .collect()
}

/// How the client overrides are expressed in Cedar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// One `permit` per override (the literal translation of the file).
    Policies,
    /// Overrides as set attributes of `Client` entities; a fixed handful of policies.
    Attributes,
}

impl Encoding {
    /// Condition that lets a client's override replace the base tier.
    fn base_tail(self) -> &'static str {
        match self {
            Encoding::Policies => "",
            Encoding::Attributes => {
                " unless { principal has overridden && principal.overridden.contains(action) }"
            }
        }
    }
}

fn spec_cedar(spec: &Spec, enc: Encoding) -> String {
    let mut out = String::new();
    let p = &mut out;
    // Reads always run.
    let _ = writeln!(
        p,
        "permit(principal, action in Action::\"read\", resource);"
    );

    // Base tiers: global override → built-in default, as the entity groups
    // `Action::"base_<tier>"`; then the client overrides.
    let _ = writeln!(
        p,
        "permit(principal, action in Action::\"base_autonomous\", resource){};\n\
         permit(principal, action in Action::\"base_approval\", resource == Tier::\"approval\"){};",
        enc.base_tail(),
        enc.base_tail(),
    );
    match enc {
        // Actions that some client overrides are not in the base groups: each gets a
        // policy that steps aside for those clients; each override is a policy.
        Encoding::Policies => {
            for action in write_actions(spec) {
                let excl = overriding_clients(spec, action);
                if excl.is_empty() {
                    continue;
                }
                if let Some(res) = base_tier(spec, action).and_then(resource_scope) {
                    let _ = writeln!(
                        p,
                        "permit(principal, action == Action::\"{action}\", {res}) \
                         unless {{ {}.contains(principal) }};",
                        client_set(&excl)
                    );
                }
            }
            for c in &spec.clients {
                for (action, tier) in &c.actions {
                    if let Some(res) = resource_scope(*tier) {
                        let _ = writeln!(
                            p,
                            "permit(principal == Client::\"{}\", action == Action::\"{action}\", \
                             {res});",
                            c.name
                        );
                    }
                }
            }
        }
        // The overrides are attributes of the client entities.
        Encoding::Attributes => {
            let _ = writeln!(
                p,
                "permit(principal, action, resource) \
                 when {{ principal has autonomous && principal.autonomous.contains(action) }};\n\
                 permit(principal, action, resource == Tier::\"approval\") \
                 when {{ principal has approval && principal.approval.contains(action) }};"
            );
        }
    }

    // Hard floors and privileged targets.
    let _ = writeln!(
        p,
        "forbid(principal, action in Action::\"always_human\", resource);\n\
         forbid(principal, action in Action::\"never_autonomous\", resource == Tier::\"autonomous\");\n\
         forbid(principal, action in Action::\"write\", resource) when {{ context.privileged }};"
    );

    // Confidence thresholds: global, and clients with their own (each key inherits).
    let g_human = spec.thresholds.0.unwrap_or(DEFAULT_HUMAN_BELOW_CONFIDENCE);
    let g_auto = spec
        .thresholds
        .1
        .unwrap_or(DEFAULT_AUTONOMOUS_MIN_CONFIDENCE);
    let own: Vec<&ClientSpec> = spec
        .clients
        .iter()
        .filter(|c| c.thresholds != (None, None))
        .collect();
    let own_names: Vec<&str> = own.iter().map(|c| c.name.as_str()).collect();
    let unless_own = if own.is_empty() {
        String::new()
    } else {
        format!(
            " unless {{ {}.contains(principal) }}",
            client_set(&own_names)
        )
    };
    let threshold_pair = |p: &mut String, principal: &str, human: f64, auto: f64, tail: &str| {
        let _ = writeln!(
            p,
            "forbid({principal}, action in Action::\"write\", resource) \
             when {{ context.confidence < {} }}{tail};\n\
             forbid({principal}, action in Action::\"write\", resource == Tier::\"autonomous\") \
             when {{ context.confidence < {} }}{tail};",
            per_mille(human),
            per_mille(auto),
        );
    };
    threshold_pair(p, "principal", g_human, g_auto, &unless_own);
    for c in &own {
        let scope = format!("principal == Client::\"{}\"", c.name);
        let human = c.thresholds.0.unwrap_or(g_human);
        let auto = c.thresholds.1.unwrap_or(g_auto);
        threshold_pair(p, &scope, human, auto, "");
    }

    // Hourly limits: client limit, else global limit; they only stop autonomy.
    let limit = |p: &mut String, principal: &str, action: &str, n: u32, tail: &str| {
        let _ = writeln!(
            p,
            "forbid({principal}, action == Action::\"{action}\", resource == Tier::\"autonomous\") \
             when {{ context has recent && context.recent >= {n} }}{tail};"
        );
    };
    for (action, n) in &spec.limits {
        let own: Vec<&str> = spec
            .clients
            .iter()
            .filter(|c| c.limits.iter().any(|(a, _)| a == action))
            .map(|c| c.name.as_str())
            .collect();
        let tail = if own.is_empty() {
            String::new()
        } else {
            format!(" unless {{ {}.contains(principal) }}", client_set(&own))
        };
        limit(p, "principal", action, *n, &tail);
    }
    for c in &spec.clients {
        for (action, n) in &c.limits {
            limit(
                p,
                &format!("principal == Client::\"{}\"", c.name),
                action,
                *n,
                "",
            );
        }
    }

    // Supervised mode: no write is autonomous.
    for c in spec.clients.iter().filter(|c| c.supervised) {
        let _ = writeln!(
            p,
            "forbid(principal == Client::\"{}\", action in Action::\"write\", \
             resource == Tier::\"autonomous\");",
            c.name
        );
    }
    out
}

/// Action entities with their groups: read / write, the floor groups, and the base-tier
/// groups of the actions no client overrides.
fn cedar_entities_json(spec: &Spec, enc: Encoding) -> String {
    let mut rows: Vec<String> = Vec::new();
    let entity = |id: &str, parents: &[&str]| {
        let parents: Vec<String> = parents
            .iter()
            .map(|p| format!("{{\"type\":\"Action\",\"id\":\"{p}\"}}"))
            .collect();
        format!(
            "{{\"uid\":{{\"type\":\"Action\",\"id\":\"{id}\"}},\"attrs\":{{}},\"parents\":[{}]}}",
            parents.join(",")
        )
    };
    for group in [
        "read",
        "write",
        "always_human",
        "never_autonomous",
        "base_autonomous",
        "base_approval",
    ] {
        rows.push(entity(group, &[]));
    }
    for a in BUILTIN_ACTIONS
        .iter()
        .filter(|a| a.class == ActionClass::Read)
    {
        rows.push(entity(a.name, &["read"]));
    }
    for action in write_actions(spec) {
        let mut parents = vec!["write"];
        match floor_of(action) {
            Some(Floor::AlwaysHuman) => parents.push("always_human"),
            Some(Floor::NeverAutonomous) => parents.push("never_autonomous"),
            None => {}
        }
        if enc == Encoding::Attributes || overriding_clients(spec, action).is_empty() {
            match base_tier(spec, action) {
                Some(Tier::Autonomous) => parents.push("base_autonomous"),
                Some(Tier::Approval) => parents.push("base_approval"),
                Some(Tier::Human) | None => {}
            }
        }
        rows.push(entity(action, &parents));
    }
    if enc == Encoding::Attributes {
        let uids = |actions: &mut dyn Iterator<Item = &str>| {
            let list: Vec<String> = actions
                .map(|a| format!("{{\"__entity\":{{\"type\":\"Action\",\"id\":\"{a}\"}}}}"))
                .collect();
            format!("[{}]", list.join(","))
        };
        for c in &spec.clients {
            let of_tier = |t: Tier| {
                uids(
                    &mut c
                        .actions
                        .iter()
                        .filter(move |(_, tier)| *tier == t)
                        .map(|(a, _)| *a),
                )
            };
            rows.push(format!(
                "{{\"uid\":{{\"type\":\"Client\",\"id\":\"{}\"}},\"attrs\":{{\
                 \"autonomous\":{},\"approval\":{},\"overridden\":{}}},\"parents\":[]}}",
                c.name,
                of_tier(Tier::Autonomous),
                of_tier(Tier::Approval),
                uids(&mut c.actions.iter().map(|(a, _)| *a)),
            ));
        }
    }
    format!("[{}]", rows.join(",\n"))
}

/// A Cedar policy set and entity store answering the tier question.
struct CedarTiers {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    client_type: EntityTypeName,
    action_type: EntityTypeName,
    autonomous: EntityUid,
    approval: EntityUid,
}

fn parse<T: FromStr>(text: &str, what: &str) -> T
where
    T::Err: std::fmt::Display,
{
    T::from_str(text).unwrap_or_else(|e| panic!("bench setup: cannot parse {what} `{text}`: {e}"))
}

impl CedarTiers {
    fn new(spec: &Spec, enc: Encoding) -> Self {
        let source = spec_cedar(spec, enc);
        let policies = PolicySet::from_str(&source)
            .unwrap_or_else(|e| panic!("bench setup: Cedar policies do not parse: {e}\n{source}"));
        let json = cedar_entities_json(spec, enc);
        let entities = Entities::from_json_str(&json, None)
            .unwrap_or_else(|e| panic!("bench setup: Cedar entities do not parse: {e}"));
        CedarTiers {
            authorizer: Authorizer::new(),
            policies,
            entities,
            client_type: parse("Client", "entity type"),
            action_type: parse("Action", "entity type"),
            autonomous: parse("Tier::\"autonomous\"", "entity uid"),
            approval: parse("Tier::\"approval\"", "entity uid"),
        }
    }

    fn policy_count(&self) -> usize {
        self.policies.policies().count()
    }

    /// Principal, action and context of a request (part of the timed work).
    fn parts(&self, req: &ActionRequest<'_>) -> (EntityUid, EntityUid, Context) {
        let principal =
            EntityUid::from_type_name_and_id(self.client_type.clone(), EntityId::new(req.tenant));
        let action =
            EntityUid::from_type_name_and_id(self.action_type.clone(), EntityId::new(req.action));
        let mut pairs = Vec::with_capacity(3);
        pairs.push((
            "confidence".to_owned(),
            RestrictedExpression::new_long(per_mille(req.confidence)),
        ));
        pairs.push((
            "privileged".to_owned(),
            RestrictedExpression::new_bool(req.target_privileged),
        ));
        if let Some(n) = req.recent_executions {
            pairs.push((
                "recent".to_owned(),
                RestrictedExpression::new_long(i64::from(n)),
            ));
        }
        let context =
            Context::from_pairs(pairs).unwrap_or_else(|e| panic!("Cedar context for {req:?}: {e}"));
        (principal, action, context)
    }

    fn ask(&self, p: EntityUid, a: EntityUid, r: EntityUid, c: Context) -> Response {
        let request =
            Request::new(p, a, r, c, None).unwrap_or_else(|e| panic!("Cedar request: {e}"));
        self.authorizer
            .is_authorized(&request, &self.policies, &self.entities)
    }

    /// The per-decision work: build the request, ask autonomous, then approval.
    fn decide(&self, req: &ActionRequest<'_>) -> Tier {
        let (p, a, c) = self.parts(req);
        let allows = |r: EntityUid, p, a, c| self.ask(p, a, r, c).decision() == Decision::Allow;
        if allows(self.autonomous.clone(), p.clone(), a.clone(), c.clone()) {
            Tier::Autonomous
        } else if allows(self.approval.clone(), p, a, c) {
            Tier::Approval
        } else {
            Tier::Human
        }
    }

    /// Like [`CedarTiers::decide`] but panics on any evaluation error (setup check only).
    fn decide_checked(&self, req: &ActionRequest<'_>) -> Tier {
        let (p, a, c) = self.parts(req);
        for (resource, tier) in [
            (&self.autonomous, Tier::Autonomous),
            (&self.approval, Tier::Approval),
        ] {
            let response = self.ask(p.clone(), a.clone(), resource.clone(), c.clone());
            let errors: Vec<String> = response
                .diagnostics()
                .errors()
                .map(ToString::to_string)
                .collect();
            assert!(
                errors.is_empty(),
                "Cedar evaluation errors for {req:?} at {tier}: {errors:?}"
            );
            if response.decision() == Decision::Allow {
                return tier;
            }
        }
        Tier::Human
    }
}

// ---------------------------------------------------------------------------------------
// Request mixes and the equivalence check.
// ---------------------------------------------------------------------------------------

fn builtin_mix() -> Vec<ActionRequest<'static>> {
    vec![
        ActionRequest::read("c00", "get_ticket"),
        ActionRequest::read("c01", "lookup_user"),
        ActionRequest::read("c02", "search_documentation"),
        ActionRequest::write("c03", "add_internal_note"),
        ActionRequest::write("c04", "triage_ticket").confidence(0.95),
        ActionRequest::write("c05", "update_ticket_status").recent_executions(3),
        ActionRequest::write("c06", "reset_password").confidence(0.95),
        ActionRequest::write("c07", "unlock_account"),
        ActionRequest::write("c08", "install_software").confidence(0.92),
        ActionRequest::write("c09", "delete_account"),
        ActionRequest::write("c10", "reset_mfa"),
        ActionRequest::write("c11", "assign_admin_role").confidence(0.99),
        ActionRequest::write("c12", "reset_password").privileged(true),
        ActionRequest::write("c13", "add_internal_note").privileged(true),
        ActionRequest::write("c14", "add_internal_note").confidence(0.75),
        ActionRequest::write("c15", "reset_password").confidence(0.4),
        ActionRequest::write("c16", "format_c_drive"),
    ]
}

/// Requests over the 20 clients of the file: each client's own overrides with varied
/// confidence and counts, global overrides, limits, supervised and own-threshold clients.
fn file_mix(spec: &Spec) -> Vec<ActionRequest<'_>> {
    let confidences = [1.0, 0.96, 0.88, 0.7, 0.5];
    let mut mix = Vec::new();
    for (i, c) in spec.clients.iter().enumerate() {
        let (action, _) = c.actions[i % c.actions.len()];
        let mut req =
            ActionRequest::write(&c.name, action).confidence(confidences[i % confidences.len()]);
        if i % 4 == 1 {
            req = req.recent_executions(25);
        }
        if i % 7 == 6 {
            req = req.privileged(true);
        }
        mix.push(req);
        let (other, _) = c.actions[(i + 2) % c.actions.len()];
        mix.push(ActionRequest::write(&c.name, other));
    }
    let extra = [
        ActionRequest::read("c00", "get_ticket"),
        ActionRequest::read("c09", "list_devices"),
        ActionRequest::read("c17", "search_documentation"),
        ActionRequest::write("c01", "add_public_note"),
        ActionRequest::write("c02", "run_script"),
        ActionRequest::write("c04", "create_user").confidence(0.9),
        ActionRequest::write("c05", "add_internal_note"),
        ActionRequest::write("c15", "add_public_note"),
        ActionRequest::write("c07", "reset_password").recent_executions(6),
        ActionRequest::write("c08", "add_internal_note").recent_executions(60),
        ActionRequest::write("c03", "add_internal_note").confidence(0.9),
        ActionRequest::write("c11", "add_internal_note").confidence(0.65),
        ActionRequest::write("c12", "delete_data"),
        ActionRequest::write("c13", "disable_account"),
        ActionRequest::write("c18", "format_c_drive"),
        ActionRequest::write("zz-unlisted", "update_ticket_status"),
    ];
    mix.extend(extra);
    mix
}

/// Panics unless Cedar and msp-agent-policy give the same tier for every request; with
/// `timed`, also checks the timed Cedar path against the checked one.
fn check_same(
    name: &str,
    policy: &Policy,
    cedar: &CedarTiers,
    reqs: &[ActionRequest<'_>],
    timed: bool,
) {
    for req in reqs {
        let d = policy.decide(req);
        let c = cedar.decide_checked(req);
        assert_eq!(
            d.outcome,
            d.tier.outcome(),
            "{name}: the mix must not hit the kill switch or shadow mode: {req:?}"
        );
        assert!(
            d.tier == c,
            "{name}: msp-agent-policy and Cedar disagree on {req:?}: msp-agent-policy {} \
             (reasons {:?}), Cedar {c}",
            d.tier,
            d.reasons
        );
        if timed {
            assert_eq!(
                cedar.decide(req),
                c,
                "{name}: timed Cedar path differs on {req:?}"
            );
        }
    }
}

/// Every client (and one without a section) × every built-in action and an unknown one ×
/// confidences × privileged × hourly counts.
fn grid(spec: &Spec) -> Vec<(String, &'static str, f64, bool, Option<u32>)> {
    let mut clients: Vec<String> = (0..N_CLIENTS).map(client_name).collect();
    clients.push("zz-unlisted".to_owned());
    let mut actions: Vec<&'static str> = BUILTIN_ACTIONS.iter().map(|a| a.name).collect();
    actions.push("format_c_drive");
    for (a, _) in spec.clients.iter().flat_map(|c| c.actions.iter()) {
        if !actions.contains(a) {
            actions.push(a);
        }
    }
    let mut out = Vec::new();
    for c in &clients {
        for &a in &actions {
            for conf in [0.96, 0.9, 0.86, 0.62, 0.5, 1.5] {
                for privileged in [false, true] {
                    for recent in [None, Some(5), Some(30)] {
                        out.push((c.clone(), a, conf, privileged, recent));
                    }
                }
            }
        }
    }
    out
}

fn check_grid(name: &str, policy: &Policy, cedar: &CedarTiers, spec: &Spec) -> usize {
    let grid = grid(spec);
    let reqs: Vec<ActionRequest<'_>> = grid
        .iter()
        .map(|(c, a, conf, privileged, recent)| {
            let class = builtin_action(a).map_or(ActionClass::Write, |b| b.class);
            let mut r = ActionRequest::new(c, a, class)
                .confidence(*conf)
                .privileged(*privileged);
            if let Some(n) = recent {
                r = r.recent_executions(*n);
            }
            r
        })
        .collect();
    check_same(name, policy, cedar, &reqs, false);
    reqs.len()
}

// ---------------------------------------------------------------------------------------
// Benchmarks.
// ---------------------------------------------------------------------------------------

struct Fixture {
    spec: Spec,
    builtin: Policy,
    file: Policy,
    engine: PolicyEngine,
    cedar_builtin: CedarTiers,
    cedar_file: CedarTiers,
    cedar_file_attrs: CedarTiers,
}

fn fixture() -> Fixture {
    let spec = file_spec();
    let overrides: usize = spec.clients.iter().map(|c| c.actions.len()).sum();
    assert_eq!(
        overrides,
        N_CLIENTS * OVERRIDES_PER_CLIENT,
        "the file must hold 100 client action overrides"
    );
    let toml = spec_toml(&spec);
    let file = Policy::from_toml_str(&toml, "bench-policy.toml")
        .unwrap_or_else(|e| panic!("bench setup: generated policy file rejected: {e}\n{toml}"));
    let builtin = Policy::builtin();
    let cedar_builtin = CedarTiers::new(&Spec::default(), Encoding::Policies);
    let cedar_file = CedarTiers::new(&spec, Encoding::Policies);
    let cedar_file_attrs = CedarTiers::new(&spec, Encoding::Attributes);
    Fixture {
        engine: PolicyEngine::new(file.clone()),
        spec,
        builtin,
        file,
        cedar_builtin,
        cedar_file,
        cedar_file_attrs,
    }
}

fn verify(f: &Fixture) {
    let builtin_mix = builtin_mix();
    let file_mix = file_mix(&f.spec);
    check_same(
        "builtin mix",
        &f.builtin,
        &f.cedar_builtin,
        &builtin_mix,
        true,
    );
    check_same("file mix", &f.file, &f.cedar_file, &file_mix, true);
    check_same(
        "file mix (attrs)",
        &f.file,
        &f.cedar_file_attrs,
        &file_mix,
        true,
    );
    let n = check_grid(
        "builtin grid",
        &f.builtin,
        &f.cedar_builtin,
        &Spec::default(),
    ) + check_grid("file grid", &f.file, &f.cedar_file, &f.spec)
        + check_grid("file grid (attrs)", &f.file, &f.cedar_file_attrs, &f.spec);
    let tiers = |p: &Policy, mix: &[ActionRequest<'_>]| {
        let mut count = [0usize; 3];
        for r in mix {
            count[p.decide(r).tier as usize] += 1;
        }
        count
    };
    let b = tiers(&f.builtin, &builtin_mix);
    let m = tiers(&f.file, &file_mix);
    println!(
        "policy bench setup: Cedar and msp-agent-policy agree on {} mix requests and {n} grid \
         requests. builtin mix {} requests (autonomous/approval/human {}/{}/{}), Cedar {} \
         policies; file mix {} requests ({}/{}/{}), 100 overrides × 20 clients, Cedar {} policies \
         (one per override) or {} (overrides as client attributes)",
        builtin_mix.len() + file_mix.len(),
        builtin_mix.len(),
        b[0],
        b[1],
        b[2],
        f.cedar_builtin.policy_count(),
        file_mix.len(),
        m[0],
        m[1],
        m[2],
        f.cedar_file.policy_count(),
        f.cedar_file_attrs.policy_count(),
    );
}

fn configured<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    g
}

/// One decision per iteration, cycling through `mix`.
fn cycle<'m, T>(
    mix: &'m [ActionRequest<'m>],
    mut decide: impl FnMut(&ActionRequest<'m>) -> T,
) -> impl FnMut() -> T {
    let mut i = 0usize;
    move || {
        let req = &mix[i];
        i = if i + 1 == mix.len() { 0 } else { i + 1 };
        decide(black_box(req))
    }
}

fn bench(c: &mut Criterion, f: &Fixture) {
    let builtin_mix = builtin_mix();
    let file_mix = file_mix(&f.spec);

    let mut g = configured(c, "decide");
    g.bench_function("builtin", |b| {
        b.iter(cycle(&builtin_mix, |r| f.builtin.decide(r)))
    });
    g.bench_function("file_100x20", |b| {
        b.iter(cycle(&file_mix, |r| f.file.decide(r)))
    });
    g.bench_function("engine", |b| {
        b.iter(cycle(&file_mix, |r| f.engine.decide(r)))
    });
    g.finish();

    let mut g = configured(c, "cedar");
    g.bench_function("builtin", |b| {
        b.iter(cycle(&builtin_mix, |r| f.cedar_builtin.decide(r)))
    });
    g.bench_function("file_100x20", |b| {
        b.iter(cycle(&file_mix, |r| f.cedar_file.decide(r)))
    });
    g.bench_function("file_100x20_attrs", |b| {
        b.iter(cycle(&file_mix, |r| f.cedar_file_attrs.decide(r)))
    });
    g.finish();
}

/// The benchmark ids, in the order of the summary.
const IDS: [&str; 6] = [
    "decide/builtin",
    "decide/file_100x20",
    "decide/engine",
    "cedar/builtin",
    "cedar/file_100x20",
    "cedar/file_100x20_attrs",
];

/// Criterion's median estimates (ns) of this run, if it wrote all of them after `since`.
fn criterion_medians(since: SystemTime) -> Option<[f64; 6]> {
    let home = match std::env::var_os("CRITERION_HOME") {
        Some(h) => PathBuf::from(h),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| PathBuf::from("target"), PathBuf::from)
            .join("criterion"),
    };
    let mut out = [0.0; 6];
    for (slot, id) in out.iter_mut().zip(IDS) {
        let path = home.join(id).join("new").join("estimates.json");
        let fresh = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since);
        if !fresh {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        *slot = json["median"]["point_estimate"].as_f64()?;
    }
    Some(out)
}

/// Median ns per decision over `batches` batches of `per_batch` decisions.
fn quick_median<T>(batches: usize, per_batch: usize, mut one: impl FnMut() -> T) -> f64 {
    for _ in 0..per_batch {
        black_box(one());
    }
    let mut ns: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                black_box(one());
            }
            start.elapsed().as_nanos() as f64 / per_batch as f64
        })
        .collect();
    ns.sort_by(f64::total_cmp);
    ns[ns.len() / 2]
}

/// Quick `Instant` medians: 200k decisions for each msp-agent-policy case, 20k for each
/// Cedar one (two to three orders of magnitude slower per decision).
fn quick_medians(f: &Fixture) -> [f64; 6] {
    let builtin_mix = builtin_mix();
    let file_mix = file_mix(&f.spec);
    let (batches, rust, cedar) = (21, 200_000 / 21, 20_000 / 21);
    [
        quick_median(batches, rust, cycle(&builtin_mix, |r| f.builtin.decide(r))),
        quick_median(batches, rust, cycle(&file_mix, |r| f.file.decide(r))),
        quick_median(batches, rust, cycle(&file_mix, |r| f.engine.decide(r))),
        quick_median(
            batches,
            cedar,
            cycle(&builtin_mix, |r| f.cedar_builtin.decide(r)),
        ),
        quick_median(batches, cedar, cycle(&file_mix, |r| f.cedar_file.decide(r))),
        quick_median(
            batches,
            cedar,
            cycle(&file_mix, |r| f.cedar_file_attrs.decide(r)),
        ),
    ]
}

/// One line: medians (criterion's when this run produced all six, else a quick timing)
/// and the Cedar / msp-agent-policy ratios.
fn summary(f: &Fixture, since: SystemTime) {
    let (source, m) = match criterion_medians(since) {
        Some(m) => ("criterion medians", m),
        None => (
            "quick Instant timing, median of 21 batches; criterion's figures above are the \
             authority",
            quick_medians(f),
        ),
    };
    let mut line = format!("policy bench summary ({source}), ns per decision:");
    for (id, ns) in IDS.iter().zip(m) {
        let _ = write!(line, " {id} {ns:.0},");
    }
    let _ = write!(
        line,
        " cedar/msp ratio: builtin {:.0}x, file_100x20 {:.0}x, file_100x20_attrs {:.0}x \
         (vs decide/engine {:.0}x)",
        m[3] / m[0],
        m[4] / m[1],
        m[5] / m[1],
        m[5] / m[2],
    );
    println!("{line}");
}

fn main() {
    let started = SystemTime::now();
    let fixture = fixture();
    if std::env::var_os("POLICY_BENCH_DUMP").is_some() {
        for (title, text) in [
            ("policy file (TOML)", spec_toml(&fixture.spec)),
            (
                "Cedar, built-in policy",
                spec_cedar(&Spec::default(), Encoding::Policies),
            ),
            (
                "Cedar, file, one policy per override",
                spec_cedar(&fixture.spec, Encoding::Policies),
            ),
            (
                "Cedar, file, overrides as client attributes",
                spec_cedar(&fixture.spec, Encoding::Attributes),
            ),
        ] {
            println!("===== {title}\n{text}");
        }
    }
    verify(&fixture);
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &fixture);
    c.final_summary();
    // `--test` (cargo test --benches) and `--list` run no measurement: no summary either.
    let quick =
        std::env::args().any(|a| a == "--test" || a == "--list" || a.starts_with("--profile-time"));
    if !quick {
        summary(&fixture, started);
    }
}
