//! Deterministic, zero-LLM ticket classifier: subject + body → [`Intent`], a calibrated
//! confidence and the [`Entities`] a playbook needs (DESIGN §2 *Perceive*, §3 intents).
//!
//! # Rule table
//!
//! Everything the classifier knows is in the tables at the bottom of this file, read as data:
//!
//! * `RULES`: `rule(intent, weight, phrases)`: each phrase found in the ticket adds the
//!   weight's points to the intent. Weights: `Hint` 0.6, `Medium` 1.5, `Strong` 3.0 and
//!   `Decisive` 3.0 plus an override: a decisive phrase (phishing, ransomware, "clicked a
//!   link", …) sends the ticket to its intent (`security_incident`) whatever else it says.
//! * `COMBOS`: `combo(intent, weight, groups)`: the weight counts once when every group has
//!   at least one phrase in the ticket, anywhere ("password" + "forgot"/"reset"/"expired"):
//!   another route to the same evidence, for phrasings the phrase lists do not spell out.
//! * `SOFTWARE`: known products; each is a `Hint` for `software_install`, counted once per
//!   ticket (combos can name them all as `ANY_SOFTWARE`), and the source of
//!   [`Entities::software`].
//! * Negative phrases: `MASKS` neutralise the matches they contain ("password manager" hides
//!   "password", "looking forward" hides "forward"); e-mail addresses and URLs are masked the
//!   same way. `DAMPERS` multiply an intent's score by a factor (0 vetoes it).
//! * `ABSORBS`: umbrella intents (onboarding needs licences, groups and software; a password
//!   reset also unlocks) silence their parts once they have `Strong` evidence of their own
//!   (score ≥ 3), so the parts neither win nor lower the confidence.
//!
//! Phrases are lower case; `*` at the end matches any word ending (`licen*`: licence, licensed,
//! licensing); otherwise a phrase must sit on word boundaries ("dl" never matches "download").
//! All phrases are compiled once into one Aho–Corasick automaton, run once over the text.
//!
//! # Scoring
//!
//! The subject and the body are whitespace-normalised and ASCII-lower-cased once (subject
//! capped at 2 KiB, body at 32 KiB). Each distinct phrase counts once per field; a phrase found
//! in the subject is worth `1.6 ×` its points, in the body only `1.0 ×`. An intent's score is
//! `max(sum of its phrases, sum of its combos)` times its smallest damper factor; absorbed
//! intents score 0.
//!
//! # Confidence
//!
//! With `s1` the best score, `s2` the runner-up and `K = 1.2`:
//!
//! ```text
//! confidence = (1 − e^(−s1/K)) × s1² / (s1² + s2²)        capped at 0.99
//! ```
//!
//! The first factor is the *strength* of the evidence (one `Strong` phrase in the body: 0.92;
//! with the bare word "password" as well: 0.95; a lone `Medium` phrase: 0.71), the second the
//! *dominance*: a tie halves the confidence, a runner-up at half the best score costs 20 %, at a
//! third 10 %. A `Decisive` match gives its intent the strength of its own score, undiluted.
//! When `s1 < 1.0` (nothing, or a single hint) the intent is `other` with confidence
//! `0.5 × e^(−s1/K)` (0.5 when nothing matched at all).
//! Calibration: ≥ 0.90 only for one dominant intent with strong phrases, 0.60–0.90 plausible
//! but weaker or mixed, < 0.60 weak or ambiguous: the bands of the policy thresholds (§4).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::{Deserialize, Serialize};

use crate::domain::Intent;

/// Entities found in a ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entities {
    /// Every e-mail address in subject and body, lower-cased, in order of appearance, deduplicated
    /// (within the text read: the first 2 KiB of the subject, 32 KiB of the body; at most 256).
    pub emails: Vec<String>,
    /// E-mail / UPN of the user the request is about when the text names one explicitly
    /// ("for bob@acme.example", "reset jane.doe@acme.example's password",
    /// "new starter: Ann Lee <ann.lee@acme.example>"); `None` means the requester themself.
    pub affected_user: Option<String>,
    /// Group or distribution list, by name or address ("add me to the Sales-Team list",
    /// "sales@acme.example DL").
    pub group: Option<String>,
    /// Shared mailbox, by address or name ("access to accounts@acme.example shared mailbox").
    pub mailbox: Option<String>,
    /// Software package ("install Zoom", "need Adobe Acrobat Reader").
    pub software: Option<String>,
    /// A person named as the subject of onboarding or offboarding
    /// ("new starter John Smith starting Monday").
    pub person_name: Option<String>,
}

/// The classifier's verdict on one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The triage intent (`other` when no rule matched well enough).
    pub intent: Intent,
    /// Calibrated confidence in `intent`, in [0, 1] (see the module documentation).
    pub confidence: f64,
    /// Entities found in the text.
    pub entities: Entities,
}

/// Deterministic rule-based ticket classifier.
///
/// Built once ([`Classifier::new`] compiles the rule table into one automaton), then shared:
/// [`Classifier::classify`] takes `&self`, allocates only a few small buffers and runs in a few
/// microseconds on a typical 1 KB ticket.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// All phrases of all tables; `None` only if the automaton could not be built (a test
    /// guarantees it can), in which case every ticket is `other`.
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern: its term and boundary rules.
    bounds: Vec<Bounds>,
    /// Per term (phrase) id: what a match means.
    terms: Vec<Term>,
    /// Combos (each term knows the `(combo, group)` pairs it belongs to).
    combos: Vec<CompiledCombo>,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Classifier {
    /// The classifier with the built-in rule table.
    pub fn new() -> Self {
        let mut b = Builder::default();
        for r in RULES {
            let action = Action::Score {
                intent: r.intent,
                points: r.weight.points(),
                decisive: r.weight == W::Decisive,
            };
            for p in r.phrases {
                b.add(p, action);
            }
        }
        for d in DAMPERS {
            for p in d.phrases {
                b.add(
                    p,
                    Action::Damp {
                        intent: d.intent,
                        factor: d.factor,
                    },
                );
            }
        }
        for p in MASKS {
            b.add(p, Action::Mask);
        }
        for p in URL_STARTS {
            b.add(p, Action::Url);
        }
        for &(p, name) in SOFTWARE {
            b.add(p, Action::Software(name));
        }
        for &(kw, phrases) in ENTITY_KEYWORDS {
            for p in phrases {
                b.add(p, Action::Kw(kw));
            }
        }
        let mut combos = Vec::with_capacity(COMBOS.len());
        for (ci, c) in COMBOS.iter().enumerate() {
            for (gi, g) in c.groups.iter().enumerate().take(MAX_GROUPS) {
                let ids: Vec<usize> = g.iter().flat_map(|p| b.ids(p)).collect();
                for id in ids {
                    if let Some(t) = b.terms.get_mut(id) {
                        t.in_combos.push((ci, gi));
                    }
                }
            }
            combos.push(CompiledCombo {
                intent: c.intent,
                points: c.weight.points(),
                groups: c.groups.len().min(MAX_GROUPS),
            });
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&b.patterns)
            .ok();
        Classifier {
            automaton,
            bounds: b.bounds,
            terms: b.terms,
            combos,
        }
    }

    /// Classify one ticket. Never panics; any input (empty, non-ASCII, huge) is fine.
    pub fn classify(&self, subject: &str, body: &str) -> Classification {
        let text = Text::new(subject, body);
        let emails = find_emails(&text.low, &text.ats);
        let scan = self.scan(&text, &emails);
        let (intent, confidence) = decide(&self.score(&scan));
        let entities = extract_entities(&text, &emails, &scan, intent);
        Classification {
            intent,
            confidence,
            entities,
        }
    }

    /// One pass of the automaton: which phrases occur where (masks applied), plus the entity
    /// keyword positions.
    fn scan(&self, t: &Text, emails: &[Span]) -> Scan {
        let mut scan = Scan {
            seen: vec![0; self.terms.len()],
            ..Scan::default()
        };
        let Some(ac) = &self.automaton else {
            return scan;
        };
        let mut masks: Vec<Span> = emails.iter().copied().take(MAX_MASKS).collect();
        let mut hits: Vec<(usize, Span)> = Vec::new();
        for m in ac.find_overlapping_iter(t.low.as_slice()) {
            let (s, e) = (m.start(), m.end());
            let Some(bounds) = self.bounds.get(m.pattern().as_usize()) else {
                continue;
            };
            let pid = bounds.term;
            let Some(term) = self.terms.get(pid) else {
                continue;
            };
            if !bounds.ok(&t.low, s, e) {
                continue;
            }
            if term.mask || term.url {
                if masks.len() < MAX_MASKS {
                    masks.push((s, if term.url { url_end(&t.low, e) } else { e }));
                }
            } else if hits.len() < MAX_HITS {
                hits.push((pid, (s, e)));
            }
        }
        for (pid, (s, e)) in hits {
            if masks.iter().any(|&(ms, me)| ms <= s && e <= me) {
                continue;
            }
            let field = if s < t.subject_end {
                IN_SUBJECT
            } else {
                IN_BODY
            };
            let (Some(term), Some(seen)) = (self.terms.get(pid), scan.seen.get_mut(pid)) else {
                continue;
            };
            if *seen == 0 {
                scan.touched.push(pid);
            }
            *seen |= field;
            for a in &term.actions {
                match *a {
                    Action::Kw(kw) if scan.keywords.len() < MAX_KEYWORDS => {
                        scan.keywords.push((kw, s, e))
                    }
                    Action::Software(name) => {
                        scan.software_fields |= field;
                        let longer = scan.software.is_none_or(|(bs, be, _)| e - s > be - bs);
                        if longer {
                            scan.software = Some((s, e, name));
                        }
                    }
                    _ => {}
                }
            }
        }
        scan
    }

    /// Per-intent scores of one scan (see the module documentation).
    fn score(&self, scan: &Scan) -> Scores {
        let mut own = [0.0; N];
        let mut decisive = [0.0; N];
        let mut damp = [1.0_f64; N];
        for &pid in &scan.touched {
            let (Some(term), Some(&bits)) = (self.terms.get(pid), scan.seen.get(pid)) else {
                continue;
            };
            let f = field_factor(bits);
            for a in &term.actions {
                match *a {
                    Action::Score {
                        intent,
                        points,
                        decisive: true,
                    } => decisive[ix(intent)] += points * f,
                    Action::Score {
                        intent,
                        points,
                        decisive: false,
                    } => own[ix(intent)] += points * f,
                    Action::Damp { intent, factor } => {
                        damp[ix(intent)] = damp[ix(intent)].min(factor)
                    }
                    _ => {}
                }
            }
        }
        if scan.software.is_some() {
            own[ix(Intent::SoftwareInstall)] +=
                W::Hint.points() * field_factor(scan.software_fields);
        }
        let mut group_bits = [[0u8; MAX_GROUPS]; COMBOS.len()];
        for &pid in &scan.touched {
            let (Some(term), Some(&bits)) = (self.terms.get(pid), scan.seen.get(pid)) else {
                continue;
            };
            for &(c, g) in &term.in_combos {
                if let Some(slot) = group_bits.get_mut(c).and_then(|gs| gs.get_mut(g)) {
                    *slot |= bits;
                }
            }
        }
        let mut combos = [0.0; N];
        for (c, bits) in self.combos.iter().zip(group_bits) {
            let bits = bits.get(..c.groups).unwrap_or_default();
            let all_found = bits.iter().all(|&b| b != 0);
            let all_in_subject = bits.iter().all(|&b| b & IN_SUBJECT != 0);
            if all_found {
                let f = if all_in_subject {
                    SUBJECT_FACTOR
                } else {
                    BODY_FACTOR
                };
                combos[ix(c.intent)] += c.points * f;
            }
        }
        for ((o, c), d) in own.iter_mut().zip(combos).zip(damp) {
            *o = o.max(c) * d;
        }
        Scores { own, decisive }
    }
}

// ---------------------------------------------------------------------------------------------
// Decision and confidence
// ---------------------------------------------------------------------------------------------

/// Number of intents.
const N: usize = Intent::ALL.len();
/// Factor of a phrase found in the subject.
const SUBJECT_FACTOR: f64 = 1.6;
/// Factor of a phrase found in the body only.
const BODY_FACTOR: f64 = 1.0;
/// Scale of the evidence-strength curve `1 − e^(−s/K)`.
const K: f64 = 1.2;
/// Below this best score the ticket is `other`.
const MIN_SCORE: f64 = 1.0;
/// An umbrella intent absorbs its parts only with at least this much evidence of its own.
const ABSORB_MIN: f64 = 3.0;
/// Rules never claim certainty.
const MAX_CONFIDENCE: f64 = 0.99;

const IN_SUBJECT: u8 = 1;
const IN_BODY: u8 = 2;

/// Index of an intent in [`Intent::ALL`] (declaration order).
fn ix(i: Intent) -> usize {
    i as usize
}

fn field_factor(bits: u8) -> f64 {
    if bits & IN_SUBJECT != 0 {
        SUBJECT_FACTOR
    } else {
        BODY_FACTOR
    }
}

fn strength(s: f64) -> f64 {
    1.0 - (-s / K).exp()
}

fn round3(x: f64) -> f64 {
    ((x * 1000.0).round() / 1000.0).clamp(0.0, MAX_CONFIDENCE)
}

struct Scores {
    /// Damped score of ordinary phrases and combos.
    own: [f64; N],
    /// Points of decisive phrases (never damped).
    decisive: [f64; N],
}

/// Pick the intent and compute the confidence (formula in the module documentation).
fn decide(sc: &Scores) -> (Intent, f64) {
    if let Some(i) = (0..N).find(|&i| sc.decisive[i] > 0.0) {
        return (Intent::ALL[i], round3(strength(sc.decisive[i] + sc.own[i])));
    }
    let mut eff = sc.own;
    let mut absorbed = [false; N];
    for &(parent, children) in ABSORBS {
        let p = ix(parent);
        if sc.own[p] < ABSORB_MIN || absorbed[p] {
            continue;
        }
        for &child in children {
            let c = ix(child);
            if c != p && !absorbed[c] {
                eff[c] = 0.0;
                absorbed[c] = true;
            }
        }
    }
    let other = ix(Intent::Other);
    let (mut best, mut s1, mut s2) = (other, 0.0_f64, 0.0_f64);
    for (i, &s) in eff.iter().enumerate() {
        if i == other {
            continue;
        }
        if s > s1 {
            s2 = s1;
            s1 = s;
            best = i;
        } else if s > s2 {
            s2 = s;
        }
    }
    if s1 < MIN_SCORE {
        return (Intent::Other, round3(0.5 * (-s1 / K).exp()));
    }
    (
        Intent::ALL[best],
        round3(strength(s1) * s1 * s1 / (s1 * s1 + s2 * s2)),
    )
}

// ---------------------------------------------------------------------------------------------
// Compiled table
// ---------------------------------------------------------------------------------------------

/// What a matched phrase means.
#[derive(Debug, Clone, Copy)]
enum Action {
    Score {
        intent: Intent,
        points: f64,
        decisive: bool,
    },
    Damp {
        intent: Intent,
        factor: f64,
    },
    Mask,
    Url,
    Software(&'static str),
    Kw(Kw),
}

/// One phrase of the tables (one or two automaton patterns).
#[derive(Debug, Clone)]
struct Term {
    mask: bool,
    url: bool,
    actions: Vec<Action>,
    /// `(combo, group)` pairs this phrase belongs to.
    in_combos: Vec<(usize, usize)>,
}

/// One automaton pattern: its term and where it may match.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    term: usize,
    /// The match must start on a word boundary.
    left: bool,
    /// The match must end on a word boundary.
    right: bool,
}

impl Bounds {
    fn ok(&self, low: &[u8], s: usize, e: usize) -> bool {
        let left_ok = !self.left || s == 0 || low.get(s - 1).is_none_or(|&b| !is_word(b));
        let right_ok = !self.right || low.get(e).is_none_or(|&b| !is_word(b));
        left_ok && right_ok
    }
}

#[derive(Debug, Clone)]
struct CompiledCombo {
    intent: Intent,
    points: f64,
    /// Number of groups (at most [`MAX_GROUPS`]); terms know their `(combo, group)`.
    groups: usize,
}

/// Groups per combo.
const MAX_GROUPS: usize = 4;

#[derive(Default)]
struct Builder {
    /// Automaton patterns.
    patterns: Vec<String>,
    /// Per pattern: its term and boundary rules.
    bounds: Vec<Bounds>,
    terms: Vec<Term>,
    ids: HashMap<&'static str, usize>,
}

impl Builder {
    /// Term id of a phrase (`*` suffix: prefix match), created on first use. A phrase with an
    /// apostrophe also matches without it ("can't" / "cant", "isn't" / "isnt").
    fn id(&mut self, phrase: &'static str) -> usize {
        if let Some(&id) = self.ids.get(phrase) {
            return id;
        }
        let id = self.terms.len();
        self.terms.push(Term {
            mask: false,
            url: false,
            actions: Vec::new(),
            in_combos: Vec::new(),
        });
        self.ids.insert(phrase, id);
        let prefix = phrase.ends_with('*');
        let text = phrase.trim_end_matches('*').to_ascii_lowercase();
        let mut variants = vec![text.replace('\'', "")];
        if text.contains('\'') {
            variants.push(text);
        }
        for t in variants {
            let bytes = t.as_bytes();
            self.bounds.push(Bounds {
                term: id,
                left: bytes.first().is_some_and(|&b| is_word(b)),
                right: !prefix && bytes.last().is_some_and(|&b| is_word(b)),
            });
            self.patterns.push(t);
        }
        id
    }

    /// Pattern ids of a combo phrase ([`ANY_SOFTWARE`] stands for every software name).
    fn ids(&mut self, phrase: &'static str) -> Vec<usize> {
        if phrase == ANY_SOFTWARE {
            SOFTWARE.iter().map(|&(p, _)| self.id(p)).collect()
        } else {
            vec![self.id(phrase)]
        }
    }

    fn add(&mut self, phrase: &'static str, action: Action) {
        let id = self.id(phrase);
        if let Some(t) = self.terms.get_mut(id) {
            match action {
                Action::Mask => t.mask = true,
                Action::Url => t.url = true,
                a => t.actions.push(a),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text normalisation and scanning
// ---------------------------------------------------------------------------------------------

/// Subject bytes read (longer subjects are cut at a character boundary).
const MAX_SUBJECT_BYTES: usize = 2 * 1024;
/// Body bytes read (the request is at the top; the rest is usually quoted history).
const MAX_BODY_BYTES: usize = 32 * 1024;
const MAX_MASKS: usize = 512;
const MAX_HITS: usize = 8192;
const MAX_KEYWORDS: usize = 64;
const MAX_EMAILS: usize = 256;
/// Separates subject from body in the normalised text (never a word byte, never in input:
/// control characters become spaces).
const SEP: u8 = 0x1f;

/// Byte range in the normalised text.
type Span = (usize, usize);

/// Subject and body, whitespace-normalised; `orig` keeps case and line breaks, `low` is the
/// same bytes ASCII-lower-cased with line breaks as spaces. Same length, same offsets.
struct Text {
    orig: Vec<u8>,
    low: Vec<u8>,
    subject_end: usize,
    /// Positions of `@` (e-mail candidates).
    ats: Vec<usize>,
}

impl Text {
    fn new(subject: &str, body: &str) -> Self {
        let (subject, body) = (clip(subject, MAX_SUBJECT_BYTES), clip(body, MAX_BODY_BYTES));
        let cap = subject.len() + body.len() + 1;
        let mut t = Text {
            orig: Vec::with_capacity(cap),
            low: Vec::with_capacity(cap),
            subject_end: 0,
            ats: Vec::new(),
        };
        t.push(subject);
        t.subject_end = t.orig.len();
        t.orig.push(SEP);
        t.low.push(SEP);
        t.push(body);
        t
    }

    fn push(&mut self, s: &str) {
        let start = self.orig.len();
        let bytes = s.as_bytes();
        let mut pending: Option<u8> = None;
        let mut i = 0;
        while i < bytes.len() {
            // Fast path: printable ASCII with single inner spaces is copied as is.
            let run_start = i;
            let mut has_at = false;
            while let Some(&b) = bytes.get(i) {
                has_at |= b == b'@';
                let plain = is_plain(b)
                    || (b == b' '
                        && i > run_start
                        && bytes.get(i + 1).is_some_and(|&n| is_plain(n)));
                if !plain {
                    break;
                }
                i += 1;
            }
            if i > run_start {
                let run = bytes.get(run_start..i).unwrap_or_default();
                self.flush(pending.take(), start);
                if has_at {
                    let base = self.orig.len();
                    let ats = run.iter().enumerate().filter(|&(_, &b)| b == b'@');
                    self.ats.extend(ats.map(|(k, _)| base + k));
                }
                self.orig.extend_from_slice(run);
                self.low.extend(run.iter().map(u8::to_ascii_lowercase));
                continue;
            }
            // Slow path: one character.
            let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            let c = match c {
                '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                    pending = Some(b'\n');
                    continue;
                }
                '\u{200b}'..='\u{200d}' | '\u{feff}' | '\u{ad}' => continue,
                '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
                '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{ab}' | '\u{bb}' => '"',
                '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
                c if c.is_whitespace() || c.is_control() => {
                    pending = pending.or(Some(b' '));
                    continue;
                }
                c => c,
            };
            self.flush(pending.take(), start);
            let mut buf = [0u8; 4];
            let enc = c.encode_utf8(&mut buf).as_bytes();
            self.orig.extend_from_slice(enc);
            self.low.extend(enc.iter().map(u8::to_ascii_lowercase));
        }
    }

    /// Emit pending whitespace (none at the start of a field).
    fn flush(&mut self, pending: Option<u8>, field_start: usize) {
        if let Some(ws) = pending {
            if self.orig.len() > field_start {
                self.orig.push(ws);
                self.low.push(b' ');
            }
        }
    }

    /// Original text of a span (lossless: spans always fall on character boundaries).
    fn orig_str(&self, (s, e): Span) -> String {
        String::from_utf8_lossy(self.orig.get(s..e).unwrap_or_default()).into_owned()
    }

    fn low_str(&self, (s, e): Span) -> String {
        String::from_utf8_lossy(self.low.get(s..e).unwrap_or_default()).into_owned()
    }

    fn low_at(&self, (s, e): Span) -> &[u8] {
        self.low.get(s..e).unwrap_or_default()
    }
}

/// `s` cut to at most `max` bytes at a character boundary.
fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Printable ASCII copied unchanged by the normaliser (a backtick becomes an apostrophe).
fn is_plain(b: u8) -> bool {
    matches!(b, b'!'..=b'~') && b != b'`'
}

/// Letters, digits and any non-ASCII byte (so words never split a character).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

#[derive(Default)]
struct Scan {
    /// Per pattern id: `IN_SUBJECT | IN_BODY` bits of its unmasked, bounded matches.
    seen: Vec<u8>,
    /// Pattern ids with a non-zero `seen`, in first-match order.
    touched: Vec<usize>,
    /// Entity keyword occurrences.
    keywords: Vec<(Kw, usize, usize)>,
    /// Longest known software name: (start, end, display name).
    software: Option<(usize, usize, &'static str)>,
    software_fields: u8,
}

/// End of a URL starting before `from`: the next whitespace, quote or bracket.
fn url_end(low: &[u8], from: usize) -> usize {
    let rest = low.get(from..).unwrap_or_default();
    from + rest
        .iter()
        .position(|&b| matches!(b, b' ' | SEP | b'"' | b'<' | b'>' | b'(' | b')'))
        .unwrap_or(rest.len())
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// E-mail address spans around the `@` positions `ats`, in order (at most [`MAX_EMAILS`]).
fn find_emails(low: &[u8], ats: &[usize]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut from = 0;
    for &at in ats {
        if at < from {
            continue;
        }
        let mut s = at;
        while s > 0 && low.get(s - 1).is_some_and(|&b| is_local(b)) {
            s -= 1;
        }
        while s < at && low.get(s) == Some(&b'.') {
            s += 1;
        }
        let mut e = at + 1;
        while low.get(e).is_some_and(|&b| is_domain(b)) {
            e += 1;
        }
        while e > at + 1 && low.get(e - 1).is_some_and(|&b| b == b'.' || b == b'-') {
            e -= 1;
        }
        let (Some(local), Some(domain)) = (low.get(s..at), low.get(at + 1..e)) else {
            continue;
        };
        if local.is_empty() || out.last().is_some_and(|&(_, pe)| s < pe) {
            continue;
        }
        let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or_default();
        let valid = domain.contains(&b'.')
            && !domain.starts_with(b".")
            && !domain.starts_with(b"-")
            && !domain.windows(2).any(|w| w == b"..")
            && tld.len() >= 2
            && tld.iter().all(u8::is_ascii_alphabetic);
        if valid {
            out.push((s, e));
            from = e;
            if out.len() >= MAX_EMAILS {
                break;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Entity extraction
// ---------------------------------------------------------------------------------------------

/// Entity keywords: where in the text to look for an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    /// "distribution list", "DL": a group named before or after.
    GroupStrong,
    /// "list", "group": a group named before, after "to the"/"from the".
    GroupWeak,
    /// "shared mailbox": a mailbox named before or after.
    MailboxStrong,
    /// "mailbox", "inbox": a mailbox named before, after "the".
    MailboxWeak,
    /// "install": software named after.
    InstallThenName,
    /// "installed": software named before.
    NameThenInstalled,
    /// "new starter", "offboard": a person named after.
    PersonAfter,
    /// "is starting", "'s last day": a person named before.
    PersonBefore,
}

fn extract_entities(t: &Text, emails: &[Span], scan: &Scan, intent: Intent) -> Entities {
    let mut out = Entities::default();
    for &sp in emails {
        let addr = t.low_str(sp);
        if !out.emails.contains(&addr) {
            out.emails.push(addr);
        }
    }
    let kws = |wanted: &'static [Kw]| scan.keywords.iter().filter(move |k| wanted.contains(&k.0));
    out.group = kws(&[Kw::GroupStrong, Kw::GroupWeak])
        .find_map(|&(kw, s, e)| named_near(t, emails, (s, e), kw == Kw::GroupStrong, GROUP_STOPS));
    out.mailbox = kws(&[Kw::MailboxStrong, Kw::MailboxWeak]).find_map(|&(kw, s, e)| {
        named_near(t, emails, (s, e), kw == Kw::MailboxStrong, MAILBOX_STOPS)
    });
    if out.group.is_none() && intent == Intent::DistributionListAccess {
        out.group = email_after_cue(t, emails, GROUP_CUES);
    }
    if out.mailbox.is_none() && intent == Intent::SharedMailboxAccess {
        out.mailbox = email_after_cue(t, emails, MAILBOX_CUES);
    }
    let taken: Vec<&str> = out
        .group
        .iter()
        .chain(out.mailbox.iter())
        .map(String::as_str)
        .collect();
    out.affected_user = emails
        .iter()
        .find(|&&sp| !taken.contains(&t.low_str(sp).as_str()) && names_affected(t, sp))
        .map(|&sp| t.low_str(sp));
    out.software = scan
        .software
        .map(|(_, _, name)| name.to_owned())
        .or_else(|| {
            kws(&[Kw::InstallThenName, Kw::NameThenInstalled]).find_map(|&(kw, s, e)| {
                let words = if kw == Kw::InstallThenName {
                    words_after(t, e, &SOFTWARE_AFTER)
                } else {
                    words_before(t, s, &SOFTWARE_BEFORE).map(|(sp, _)| sp)
                };
                words.map(|sp| t.orig_str(sp))
            })
        });
    out.person_name = kws(&[Kw::PersonAfter, Kw::PersonBefore]).find_map(|&(kw, s, e)| {
        let words = if kw == Kw::PersonAfter {
            words_after(t, e, &PERSON_AFTER)
        } else {
            words_before(t, s, &PERSON_BEFORE).map(|(sp, _)| sp)
        };
        words.map(|sp| t.orig_str(sp))
    });
    out
}

/// How to collect a run of words next to a keyword.
struct WordRun {
    /// Words skipped before the run starts (scanning after a keyword only).
    fillers: &'static [&'static str],
    /// Words that end the run (not included).
    stops: &'static [&'static str],
    min_words: usize,
    max_words: usize,
    /// Every word must be capitalised and made of letters (person names).
    capitalized: bool,
}

const SOFTWARE_AFTER: WordRun = WordRun {
    fillers: SOFTWARE_FILLERS,
    stops: SOFTWARE_STOPS,
    min_words: 1,
    max_words: 3,
    capitalized: false,
};
const SOFTWARE_BEFORE: WordRun = WordRun {
    fillers: &[],
    stops: SOFTWARE_STOPS,
    min_words: 1,
    max_words: 3,
    capitalized: false,
};
const PERSON_AFTER: WordRun = WordRun {
    fillers: PERSON_FILLERS,
    stops: NAME_STOPS,
    min_words: 2,
    max_words: 4,
    capitalized: true,
};
const PERSON_BEFORE: WordRun = WordRun {
    fillers: &[],
    stops: NAME_STOPS,
    min_words: 2,
    max_words: 4,
    capitalized: true,
};

/// Bytes of a word: letters, digits, non-ASCII and `- _ . & ' +`.
fn is_name_byte(b: u8) -> bool {
    is_word(b) || matches!(b, b'-' | b'_' | b'.' | b'&' | b'\'' | b'+')
}

/// The raw word ending at `end` once spaces (not line breaks) are skipped back.
fn word_before(buf: &[u8], mut end: usize) -> Option<Span> {
    while end > 0 && buf.get(end - 1) == Some(&b' ') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && buf.get(start - 1).is_some_and(|&b| is_name_byte(b)) {
        start -= 1;
    }
    (start < end).then_some((start, end))
}

/// The raw word starting at `start` once spaces (not line breaks) are skipped.
fn word_after(buf: &[u8], mut start: usize) -> Option<Span> {
    while buf.get(start) == Some(&b' ') {
        start += 1;
    }
    let mut end = start;
    while buf.get(end).is_some_and(|&b| is_name_byte(b)) {
        end += 1;
    }
    (start < end).then_some((start, end))
}

/// A raw word without surrounding quotes/dots/dashes and without a possessive `'s`;
/// the flag says whether anything was cut at the end (the run stops there).
fn trim_word(low: &[u8], (mut s, mut e): Span) -> (Span, bool) {
    while s < e
        && low
            .get(s)
            .is_some_and(|&b| matches!(b, b'\'' | b'.' | b'-' | b'_'))
    {
        s += 1;
    }
    let raw_end = e;
    if e >= s + 3 && low.get(e - 2..e) == Some(b"'s".as_slice()) {
        e -= 2;
    }
    while e > s
        && low
            .get(e - 1)
            .is_some_and(|&b| matches!(b, b'\'' | b'.' | b'-' | b'_' | b'&'))
    {
        e -= 1;
    }
    ((s, e), e < raw_end)
}

fn in_list(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| w.as_bytes() == word)
}

/// A person-name word: capitalised, letters (and `'`, `-`, `.`) only.
fn is_name_word(t: &Text, sp: Span) -> bool {
    let Some(w) = t
        .orig
        .get(sp.0..sp.1)
        .and_then(|b| std::str::from_utf8(b).ok())
    else {
        return false;
    };
    w.chars().next().is_some_and(char::is_uppercase)
        && w.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.'))
}

/// Words right after `pos` (skipping `: - " (` and fillers), as one span of the text.
fn words_after(t: &Text, pos: usize, run: &WordRun) -> Option<Span> {
    let mut j = pos;
    let (mut first, mut last, mut n, mut skipped) = (None, 0, 0, 0);
    loop {
        if n == 0 {
            // before the run: punctuation such as "Request - Name" or "for: Name"
            while t
                .orig
                .get(j)
                .is_some_and(|&b| matches!(b, b' ' | b':' | b'-' | b'"' | b'(' | b',' | b'\''))
            {
                j += 1;
            }
        }
        let Some(raw) = word_after(&t.orig, j) else {
            break;
        };
        let ((s, e), cut) = trim_word(&t.low, raw);
        if s >= e {
            break;
        }
        let w = t.low_at((s, e));
        if n == 0 && skipped < 4 && in_list(w, run.fillers) {
            skipped += 1;
            j = raw.1;
            continue;
        }
        if in_list(w, run.stops) || (run.capitalized && !is_name_word(t, (s, e))) {
            break;
        }
        first.get_or_insert(s);
        last = e;
        n += 1;
        j = raw.1;
        if n >= run.max_words || cut || t.orig.get(j).is_some_and(|&b| b != b' ') {
            break;
        }
    }
    let first = first?;
    (n >= run.min_words).then_some((first, last))
}

/// Words right before `pos` (back to a stop word or punctuation): the span and the stop word
/// that ended the run, if any.
fn words_before(t: &Text, pos: usize, run: &WordRun) -> Option<(Span, Option<Span>)> {
    let mut j = pos;
    let (mut first, mut last, mut n, mut stop) = (0, None, 0, None);
    while let Some(raw) = word_before(&t.orig, j) {
        let ((s, e), cut) = trim_word(&t.low, raw);
        if s >= e || (cut && n > 0) {
            break;
        }
        let w = t.low_at((s, e));
        if in_list(w, run.stops) {
            stop = Some((s, e));
            break;
        }
        if run.capitalized && !is_name_word(t, (s, e)) {
            break;
        }
        last.get_or_insert(e);
        first = s;
        n += 1;
        j = raw.0;
        if n >= run.max_words {
            break;
        }
    }
    let last = last?;
    (n >= run.min_words).then_some(((first, last), stop))
}

/// The group or mailbox named next to keyword `kw`: an adjacent e-mail address, else the words
/// before it (for weak keywords only after "the"/"to"/"from"…), else (strong keywords) the
/// words after it.
fn named_near(
    t: &Text,
    emails: &[Span],
    kw: Span,
    strong: bool,
    stops: &'static [&'static str],
) -> Option<String> {
    if let Some(sp) = email_ending_before(t, emails, kw.0) {
        return Some(t.low_str(sp));
    }
    if let Some(sp) = email_starting_after(t, emails, kw.1) {
        return Some(t.low_str(sp));
    }
    let before = WordRun {
        fillers: &[],
        stops,
        min_words: 1,
        max_words: 3,
        capitalized: false,
    };
    if let Some((sp, stop)) = words_before(t, kw.0, &before) {
        let anchored = stop.is_some_and(|st| in_list(t.low_at(st), NAME_ANCHORS));
        if strong || anchored {
            return Some(t.orig_str(sp));
        }
    }
    if strong {
        let after = WordRun {
            fillers: NAME_FILLERS,
            stops,
            min_words: 1,
            max_words: 3,
            capitalized: false,
        };
        return words_after(t, kw.1, &after).map(|sp| t.orig_str(sp));
    }
    None
}

fn email_ending_before(t: &Text, emails: &[Span], pos: usize) -> Option<Span> {
    let mut j = pos;
    while j > 0
        && t.orig
            .get(j - 1)
            .is_some_and(|&b| matches!(b, b' ' | b'"' | b')' | b'>' | b']'))
    {
        j -= 1;
    }
    if j >= 2 && t.low.get(j - 2..j) == Some(b"'s".as_slice()) {
        j -= 2;
    }
    emails.iter().copied().find(|&(_, e)| e == j)
}

fn email_starting_after(t: &Text, emails: &[Span], pos: usize) -> Option<Span> {
    let mut j = pos;
    while t
        .orig
        .get(j)
        .is_some_and(|&b| matches!(b, b' ' | b':' | b'"' | b'(' | b'<' | b'[' | b'-'))
    {
        j += 1;
    }
    emails.iter().copied().find(|&(s, _)| s == j)
}

/// `hay` ends with the word `w` (on a word boundary).
fn ends_with_word(hay: &[u8], w: &str) -> bool {
    let w = w.as_bytes();
    hay.ends_with(w)
        && (hay.len() == w.len()
            || hay
                .get(hay.len() - w.len() - 1)
                .is_some_and(|&b| !is_word(b)))
}

/// Position before `pos` once spaces and `: , - " '` are skipped back on the same line.
fn skip_back_punct(t: &Text, mut j: usize) -> usize {
    while j > 0
        && t.orig
            .get(j - 1)
            .is_some_and(|&b| matches!(b, b' ' | b':' | b',' | b'-' | b'"' | b'\''))
    {
        j -= 1;
    }
    j
}

/// The first address preceded by one of `cues` ("access to accounts@…").
fn email_after_cue(t: &Text, emails: &[Span], cues: &[&str]) -> Option<String> {
    emails.iter().find_map(|&sp| {
        let hay = t.low.get(..skip_back_punct(t, sp.0)).unwrap_or_default();
        cues.iter()
            .any(|c| ends_with_word(hay, c))
            .then(|| t.low_str(sp))
    })
}

/// The text names the address at `sp` as the user the request is about.
fn names_affected(t: &Text, (s, e): Span) -> bool {
    let rest = t.low.get(e..).unwrap_or_default();
    if let Some(after) = rest.strip_prefix(b"'s") {
        if after.first().is_none_or(|&b| !is_word(b)) {
            return !OWNED_RESOURCES
                .iter()
                .any(|r| after.starts_with(r.as_bytes()));
        }
    }
    if AFFECTED_SUFFIXES
        .iter()
        .any(|x| rest.starts_with(x.as_bytes()))
    {
        return true;
    }
    // Before the address: an optional "<" / "(" after a display name, then a cue word.
    let mut j = s;
    let mut bracket = false;
    while j > 0 {
        match t.orig.get(j - 1) {
            Some(b' ') => j -= 1,
            Some(b'<' | b'(' | b'[') if !bracket => {
                bracket = true;
                j -= 1;
            }
            Some(b'"' | b'\'') => j -= 1,
            _ => break,
        }
    }
    let cue_matches = |k: usize| {
        let hay = t.low.get(..k).unwrap_or_default();
        AFFECTED_PREFIXES.iter().any(|&(cue, needs)| {
            ends_with_word(hay, cue)
                && (needs.is_empty() || needs.iter().any(|n| rest.starts_with(n.as_bytes())))
        })
    };
    let display_words = if bracket { 5 } else { 0 };
    for step in 0..=display_words {
        let k = skip_back_punct(t, j);
        if cue_matches(k) {
            return true;
        }
        if step == display_words {
            break;
        }
        match word_before(&t.orig, k) {
            Some((ws, _)) => j = ws,
            None => break,
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// The rule table
// ---------------------------------------------------------------------------------------------

/// Weight of a phrase.
#[derive(Debug, Clone, Copy, PartialEq)]
enum W {
    /// Suggestive only; never decides alone (0.6).
    Hint,
    /// Plausible signal (1.5).
    Medium,
    /// Clear signal (3.0).
    Strong,
    /// Clear signal that overrides every other intent (3.0).
    Decisive,
}

impl W {
    const fn points(self) -> f64 {
        match self {
            W::Hint => 0.6,
            W::Medium => 1.5,
            W::Strong | W::Decisive => 3.0,
        }
    }
}

/// Each phrase found adds `weight` to `intent`.
struct Rule {
    intent: Intent,
    weight: W,
    phrases: &'static [&'static str],
}

/// `weight` is added once when each group has at least one phrase in the ticket.
struct Combo {
    intent: Intent,
    weight: W,
    groups: &'static [&'static [&'static str]],
}

/// Any phrase found multiplies `intent`'s score by `factor` (0 vetoes).
struct Damper {
    intent: Intent,
    factor: f64,
    phrases: &'static [&'static str],
}

const fn rule(intent: Intent, weight: W, phrases: &'static [&'static str]) -> Rule {
    Rule {
        intent,
        weight,
        phrases,
    }
}

const fn combo(intent: Intent, weight: W, groups: &'static [&'static [&'static str]]) -> Combo {
    Combo {
        intent,
        weight,
        groups,
    }
}

const fn damper(intent: Intent, factor: f64, phrases: &'static [&'static str]) -> Damper {
    Damper {
        intent,
        factor,
        phrases,
    }
}

use table::*;

/// The data of the rule table, kept dense (one row per rule) rather than one phrase per line.
#[rustfmt::skip]
mod table {
    use super::{combo, damper, rule, Combo, Damper, Intent, Kw, Rule, W};

    use Intent::{
        AccountUnlock, DistributionListAccess, EmailForwarding, FileAccess, LicenseAssignment,
        MfaReset, Offboarding, Onboarding, OutlookSync, PasswordReset, PerformanceIssue,
        PermissionGrant, PrinterIssue, SecurityIncident, SharedMailboxAccess, SoftwareInstall,
        VpnIssue,
    };

    pub(super) const PASSWORD_WORDS: &[&str] = &[
        "password*", "pasword*", "passwrod*", "passowrd*", "passwrd*", "paswword*", "passwd",
        "passwort", "pwd", "pw",
    ];

    pub(super) const CANT_LOG_IN: &[&str] = &[
        "can't log in", "cannot log in", "can not log in", "unable to log in", "can't login",
        "cannot login", "unable to login", "can't log on", "cannot log on", "can't logon",
        "cannot logon", "can't sign in", "cannot sign in", "unable to sign in", "can't log into",
        "cannot log into", "unable to log into", "can't sign into", "cannot sign into",
        "can't get in", "can't get into my account", "can't access my account",
        "cannot access my account", "not letting me log in", "won't let me log in",
        "won't let me sign in", "login issue*", "login problem*", "log in issue*", "sign in issue*",
        "sign-in issue*", "sign in problem*", "sign-in problem*",
    ];

    /// Positive phrases, per intent.
    pub(super) const RULES: &[Rule] = &[
        // --- password_reset
        rule(PasswordReset, W::Strong, &[
            "forgot my password", "forgotten my password", "forgot password", "forgot my pasword",
            "forgot my passwd", "forgot my pw", "reset my password", "reset my pasword",
            "reset my pw", "password reset", "pasword reset", "reset password",
            "reset the password", "reset his password", "reset her password",
            "reset their password", "password expired", "password has expired",
            "password is expired", "expired password", "password expiring", "change my password",
            "temporary password", "temp password", "don't remember my password",
            "can't remember my password", "cannot remember my password", "password not working",
            "password isn't working", "password doesn't work", "password does not work",
            "password is not working", "sspr", "self-service password", "pw reset", "pwd reset",
            "password change",
        ]),
        rule(PasswordReset, W::Medium, &[
            "new password", "wrong password", "incorrect password", "password is incorrect",
            "password incorrect", "password is wrong",
        ]),
        rule(PasswordReset, W::Hint, PASSWORD_WORDS),
        rule(PasswordReset, W::Hint, CANT_LOG_IN),
        // --- account_unlock
        rule(AccountUnlock, W::Strong, &[
            "locked out", "lockedout", "locked me out", "locked myself out", "account locked",
            "account is locked", "account has been locked", "account got locked",
            "account was locked", "account lockout", "unlock my account", "unlock account",
            "unlock the account", "unlock his account", "unlock her account",
            "unlock their account", "re-enable my account", "reenable my account",
            "my account is disabled", "my account has been disabled", "my account was disabled",
            "my account got disabled", "too many attempts", "too many failed",
            "too many login attempts", "too many sign-in attempts", "too many times",
        ]),
        rule(AccountUnlock, W::Medium, CANT_LOG_IN),
        rule(AccountUnlock, W::Medium, &["unlock*", "lockout"]),
        rule(AccountUnlock, W::Hint, &["locked"]),
        // --- mfa_reset
        rule(MfaReset, W::Strong, &[
            "mfa", "2fa", "multi-factor", "multi factor", "multifactor", "two-factor", "two factor",
            "2-factor", "2 factor", "two-step", "2-step", "two step", "authenticator*",
            "authentication app", "security info", "re-register", "reregister", "number matching",
            "duo push", "duo mobile", "okta verify",
        ]),
        rule(MfaReset, W::Medium, &[
            "new phone", "lost my phone", "lost phone", "phone was stolen", "stolen phone",
            "changed my phone", "replaced my phone", "broke my phone", "broken phone",
            "phone broke", "new mobile", "verification code*", "sms code*", "text code*",
            "approve sign-in", "approve the sign-in", "sign-in request", "authentication code",
            "one-time code", "otp", "auth app",
        ]),
        // --- distribution_list_access
        rule(DistributionListAccess, W::Strong, &[
            "distribution list*", "distribution group*", "distro list*", "distro", "mailing list*",
            "email list", "e-mail list", "dl", "dls", "email group", "e-mail group", "mail group",
            "mail-enabled group", "contact group",
        ]),
        rule(DistributionListAccess, W::Hint, &["list"]),
        // --- shared_mailbox_access
        rule(SharedMailboxAccess, W::Strong, &[
            "shared mailbox*", "shared mail box", "shared inbox*", "shared email", "shared e-mail",
            "mailbox access", "access to the mailbox", "access to mailbox", "access to a mailbox",
            "mailbox permission*", "send as", "send-as", "sendas", "send on behalf",
            "send-on-behalf", "delegate access", "delegated access", "generic mailbox",
            "team mailbox", "group mailbox", "department mailbox", "resource mailbox",
        ]),
        rule(SharedMailboxAccess, W::Medium, &["full access"]),
        rule(SharedMailboxAccess, W::Hint, &["mailbox*"]),
        // --- license_assignment
        rule(LicenseAssignment, W::Strong, &[
            "licen*", "lisence*", "licsense*", "liscence*", "unlicensed", "e1", "e3", "e5", "f3",
            "business premium", "business basic", "business standard", "power bi pro", "visio plan",
            "project plan",
        ]),
        rule(LicenseAssignment, W::Medium, &[
            "product activation", "activate office", "product deactivated", "reduced functionality",
            "subscription",
        ]),
        rule(LicenseAssignment, W::Hint, &["activation", "copilot"]),
        // --- permission_grant
        rule(PermissionGrant, W::Strong, &[
            "access rights", "edit rights", "edit access", "edit permission*", "write access",
            "read access", "read-only access", "read only access", "contributor access",
            "owner access", "security group*", "sharepoint site*", "sharepoint access",
            "access to the sharepoint", "teams channel", "team site", "admin rights",
            "admin access", "administrator rights", "local admin", "access request",
            "request access", "requesting access",
        ]),
        rule(PermissionGrant, W::Medium, &[
            "permission*", "membership", "member of", "grant access", "grant me access",
            "give me access", "give access",
        ]),
        rule(PermissionGrant, W::Hint, &["add me to the group", "added to the group", "add to group"]),
        rule(PermissionGrant, W::Hint, &["need access to", "sharepoint", "group"]),
        // --- onboarding
        rule(Onboarding, W::Strong, &[
            "new starter*", "new hire*", "new employee*", "new joiner*", "new staff",
            "new team member*", "new member of staff", "onboard*", "on-board*", "joiner",
            "starter pack", "start date", "welcome pack", "create a new user", "create new user",
            "create a user", "user creation", "account creation", "new user account",
            "new user setup", "new user set up", "new user request", "set up a new user",
            "setup a new user", "set up new user", "setup new user",
        ]),
        rule(Onboarding, W::Medium, &[
            "new user", "new colleague*", "will be starting", "is starting", "joining us",
            "joins us", "joining the team", "first day",
        ]),
        // --- offboarding
        rule(Offboarding, W::Strong, &[
            "leaver*", "offboard*", "off-board*", "off board", "last day", "last working day",
            "leaving the company", "leaving the business", "leaving us", "left the company",
            "left the business", "has left", "no longer with", "no longer works",
            "no longer employed", "no longer working", "terminated", "termination", "resign*",
            "departing", "employee exit", "end of employment", "contract ended",
            "contract has ended", "made redundant", "disable the account", "disable account",
            "disable his account", "disable her account", "disable their account",
            "deactivate the account", "deactivate account", "remove all access",
            "revoke all access", "convert to a shared mailbox", "convert to shared mailbox",
            "convert his mailbox", "convert her mailbox", "convert their mailbox",
        ]),
        rule(Offboarding, W::Medium, &["leaving", "retiring", "retirement", "departure"]),
        rule(Offboarding, W::Hint, &["exit", "disable*", "deactivate*"]),
        // --- software_install (plus every SOFTWARE name, once)
        rule(SoftwareInstall, W::Strong, &[
            "install*", "re-install*", "reinstall*", "software request", "new software",
            "download and install",
        ]),
        rule(SoftwareInstall, W::Medium, &["uninstall*", "software"]),
        // (every SOFTWARE name is a Hint, see COMBOS for "need <software>")
        // --- email_forwarding
        rule(EmailForwarding, W::Strong, &[
            "forwarding", "forward my email*", "forward my e-mail*", "forward my mail*",
            "forward all", "forward email*", "forward e-mail*", "forward emails", "forward mail*",
            "forward his email*", "forward her email*", "forward their email*", "forward incoming",
            "forward the mailbox", "forward my mailbox", "auto-forward*", "autoforward*",
            "auto forward*", "automatic forward*", "mail forward*", "email forward*",
            "redirect my email*", "redirect email*", "redirect mail*", "redirect all",
        ]),
        rule(EmailForwarding, W::Medium, &[
            "forward an email", "forward a email", "forward a message", "forward this email",
            "forward messages",
        ]),
        rule(EmailForwarding, W::Hint, &["forward", "redirect"]),
        // --- vpn_issue
        rule(VpnIssue, W::Strong, &[
            "vpn*", "globalprotect", "global protect", "anyconnect", "any connect", "forticlient",
            "forti client", "openvpn", "wireguard", "pulse secure", "remote access",
        ]),
        rule(VpnIssue, W::Medium, &[
            "remote desktop", "rdp", "connect from home", "connect remotely",
        ]),
        rule(VpnIssue, W::Hint, &["working from home", "wfh", "from home", "tunnel"]),
        // --- file_access
        rule(FileAccess, W::Strong, &[
            "access to the folder", "access to folder", "access to a folder", "access to the file*",
            "access to the share", "access to the drive", "shared drive*", "network drive*",
            "mapped drive*", "map a drive", "map drive", "map the drive", "drive mapping",
            "file share", "fileshare", "network share", "shared folder*", "can't open the file",
            "cannot open the file", "can't open file", "file is locked", "locked for editing",
            "access denied", "access is denied", "file server", "restore a file",
            "restore the file", "restore files", "deleted a file", "deleted file*",
            "previous version*", "recover a file", "recover file*", "missing file*",
            "missing folder*",
        ]),
        rule(FileAccess, W::Medium, &[
            "onedrive", "one drive", "folder*", "f drive", "g drive", "h drive", "i drive",
            "j drive", "k drive", "m drive", "n drive", "p drive", "q drive", "r drive", "s drive",
            "t drive", "u drive", "w drive", "x drive", "y drive", "z drive", "f: drive",
            "g: drive", "h: drive", "i: drive", "j: drive", "k: drive", "m: drive", "n: drive",
            "p: drive", "q: drive", "r: drive", "s: drive", "t: drive", "u: drive", "w: drive",
            "x: drive", "y: drive", "z: drive",
        ]),
        rule(FileAccess, W::Hint, &["file", "files", "drive"]),
        // --- outlook_sync
        rule(OutlookSync, W::Strong, &[
            "emails not arriving", "email not arriving", "not receiving email*",
            "not receiving any email*", "not getting email*", "not getting any email*",
            "stuck in outbox", "stuck in the outbox", "outbox", "working offline",
            "disconnected from server", "calendar not updating", "calendar not syncing",
            "emails not syncing", "email not syncing", "mail not syncing", "inbox not updating",
            "outlook profile", "repair outlook", "send/receive", "ost file", "pst file",
        ]),
        rule(OutlookSync, W::Medium, &[
            "not receiving", "can't send email*", "cannot send email*", "unable to send email*",
            "bounce*", "undeliverable", "mailbox is full", "mailbox full", "not syncing",
            "isn't syncing", "won't sync",
        ]),
        rule(OutlookSync, W::Hint, &["outlook", "sync*", "synchroni*"]),
        // --- printer_issue
        rule(PrinterIssue, W::Strong, &[
            "printer*", "printing", "print job*", "print queue", "print spooler", "spooler",
            "won't print", "can't print", "cannot print", "unable to print", "not printing",
            "paper jam", "jammed", "toner", "cartridge*", "scanner", "scan to email",
            "scan to folder", "copier", "photocopier", "mfp", "plotter",
        ]),
        rule(PrinterIssue, W::Medium, &["print", "scan", "scanning", "ink"]),
        // --- performance_issue
        rule(PerformanceIssue, W::Strong, &[
            "very slow", "really slow", "so slow", "super slow", "extremely slow", "running slow*",
            "slow computer", "slow laptop", "slow pc", "computer is slow", "laptop is slow",
            "pc is slow", "sluggish", "takes forever", "taking forever", "takes ages",
            "taking ages", "high cpu", "cpu usage", "100% cpu", "100% disk", "disk usage",
            "memory usage", "out of memory", "spinning wheel", "spinning circle", "keeps freezing",
            "freezes", "freezing", "frozen", "hangs", "not responding", "lagging", "laggy",
            "performance", "slowness", "slowed down", "slow to boot", "slow boot",
        ]),
        rule(PerformanceIssue, W::Medium, &["slow*", "lag", "freez*", "blue screen", "bsod"]),
        rule(PerformanceIssue, W::Hint, &["crash*", "reboot*", "restart*"]),
        // --- security_incident: decisive phrases win over everything
        rule(SecurityIncident, W::Decisive, &[
            "phish*", "suspicious*", "suspicous*", "compromis*", "ransom*", "hacked", "hacker*",
            "hacking", "malware", "breach*", "clicked a link", "clicked on a link",
            "clicked the link", "clicked on the link", "clicked a suspicious",
            "clicked on a suspicious", "clicked on something", "clicked something",
            "opened the attachment", "opened an attachment", "opened a suspicious",
            "verify your password", "verify my password", "confirm your password",
            "confirm my password", "entered my password", "entered my credentials",
            "gave my password", "gave away my password", "typed my password into", "spoof*",
            "scam*", "fraud*", "unauthorized access", "unauthorised access",
            "unauthorized sign-in*", "unauthorised sign-in*", "unauthorized login*",
            "unauthorised login*", "impossible travel", "mfa fatigue", "someone logged in",
            "someone logged into", "someone has logged in", "someone has access",
            "someone accessed", "someone is using my account", "files are encrypted",
            "files have been encrypted", "encrypted my files", "trojan", "keylogger", "spyware",
            "data leak", "leaked", "dodgy email", "dodgy link", "fake email", "fake invoice",
            "fake login", "fake microsoft", "gift card*", "change of bank details",
            "sent emails i didn't send", "emails i didn't send", "someone trying to",
            "someone is trying to", "someone tried to", "someone has been trying",
            "trying to get into my account", "trying to access my account",
            "tried to log into my account", "verify your account", "verify my account",
            "confirm your account", "account will be suspended", "account will be closed",
            "account will be deleted", "unless i log in",
        ]),
        rule(SecurityIncident, W::Strong, &[
            "virus*", "unauthori*", "security incident", "security alert", "unusual sign-in*",
            "unusual activity", "strange sign-in*", "unknown sign-in*", "is this legit",
            "is this legitimate", "is this email legit", "threat detected", "defender alert",
            "is this real", "is this genuine", "is this safe", "wasn't me", "was not me",
            "didn't request a", "did not request a", "didn't ask for a", "did not ask for a",
        ]),
        rule(SecurityIncident, W::Medium, &[
            "antivirus", "quarantine*", "spam", "click here", "via the link", "through the link",
        ]),
    ];

    /// Phrases that count together (each group needs one phrase, anywhere in the ticket).
    pub(super) const COMBOS: &[Combo] = &[
        combo(PasswordReset, W::Strong, &[
            PASSWORD_WORDS,
            &["reset*", "forgot*", "forget*", "expir*", "remember", "change", "changed"],
        ]),
        combo(AccountUnlock, W::Strong, &[
            &["account", "acount", "login", "log in", "sign in", "sign-in"],
            &["locked", "lock out", "lockout", "blocked"],
        ]),
        combo(MfaReset, W::Medium, &[
            &["phone", "mobile", "sim"],
            &[
                "authenticator*", "mfa", "2fa", "verification code*", "code", "codes",
                "sign-in request*", "approve sign*", "approve the sign*", "approval request*",
                "prompt*", "notification*",
            ],
        ]),
        combo(DistributionListAccess, W::Medium, &[
            &["add*", "added", "remove*", "join", "subscribe*", "unsubscribe*"],
            &["list", "lists", "dl", "email group", "mailing"],
        ]),
        combo(DistributionListAccess, W::Medium, &[
            &[
                "add me to", "add us to", "added to", "remove me from", "subscribe me",
                "unsubscribe me",
            ],
            &["emails", "email", "mail", "messages", "newsletter*"],
        ]),
        combo(SharedMailboxAccess, W::Strong, &[
            &["mailbox*"],
            &[
                "access", "permission*", "add*", "added", "open", "see", "full access", "delegate*",
                "send as", "send from",
            ],
        ]),
        combo(LicenseAssignment, W::Medium, &[
            &[
                "office", "microsoft 365", "m365", "office 365", "o365", "visio", "project",
                "adobe", "copilot", "power bi",
            ],
            &["activate", "activation", "unlicensed", "subscription", "seat", "assign*"],
        ]),
        combo(PermissionGrant, W::Medium, &[
            &["access", "permission*", "rights"],
            &[
                "sharepoint", "site", "teams channel", "channel", "security group", "group", "crm",
                "erp", "portal", "application",
            ],
        ]),
        combo(PermissionGrant, W::Medium, &[
            &["owner", "owners", "member", "admin", "administrator"],
            &["team", "teams", "site", "group", "channel", "workspace"],
        ]),
        combo(FileAccess, W::Strong, &[
            &["access", "open", "permission*", "get into"],
            &["folder*", "drive", "share", "directory"],
        ]),
        combo(FileAccess, W::Medium, &[
            &["access", "open", "permission*", "locked", "read-only", "read only"],
            &["file", "files", "spreadsheet*", "document*", "workbook", "excel", "word"],
        ]),
        combo(Onboarding, W::Medium, &[
            &["create*", "set up", "setup", "provision*"],
            &["account*", "user*", "login*", "email address"], &["new"],
        ]),
        combo(Onboarding, W::Medium, &[
            &["starting", "starts", "will start", "joining", "joins"],
            &["monday", "tuesday", "wednesday", "thursday", "friday", "next week", "tomorrow"],
        ]),
        combo(Offboarding, W::Medium, &[
            &["disable*", "deactivate*", "remove*", "revoke*", "block*"],
            &["account*", "access", "login*", "user*"],
            &["his", "her", "their", "leaving", "left", "leaver*"],
        ]),
        combo(OutlookSync, W::Strong, &[
            &["outlook"],
            &[
                "sync*", "not updating", "isn't updating", "not working", "isn't working",
                "doesn't work", "crash*", "keeps closing", "not responding", "won't open",
                "not opening", "doesn't open", "will not open", "won't load", "not loading",
                "keeps asking", "disconnected", "offline", "stuck", "asking for my password",
                "asks for my password", "asks for password", "password prompt*", "prompting",
                "asks again", "keeps popping up", "not receiving", "not sending", "won't send",
                "can't send", "cannot send", "missing",
            ],
        ]),
        combo(OutlookSync, W::Medium, &[
            &["email*", "e-mail*", "emails", "mail", "inbox", "calendar"],
            &[
                "sync*", "not updating", "isn't updating", "not arriving", "not coming through",
                "not coming in", "nothing new", "no new", "not showing up", "stuck", "not receiving",
                "not sending", "won't send", "can't send", "cannot send", "delayed", "disappeared",
            ],
        ]),
        combo(PerformanceIssue, W::Strong, &[
            &["computer", "laptop", "pc", "machine", "desktop", "workstation", "everything"],
            &[
                "slow*", "sluggish", "freez*", "frozen", "hang*", "lag*", "takes ages",
                "takes forever", "not responding",
            ],
        ]),
        combo(SoftwareInstall, W::Medium, &[
            &[
                "need", "needs", "want", "request*", "require*", "download", "can i get",
                "could i get", "can i have", "could i have", "can we get", "get me", "put it on",
                "deploy*",
            ],
            &[ANY_SOFTWARE],
        ]),
        combo(VpnIssue, W::Medium, &[
            &["connect*", "access"], &["from home", "remotely", "office network"],
        ]),
        combo(EmailForwarding, W::Medium, &[
            &["forward", "forwarding", "redirect*"],
            &["email*", "e-mail*", "mail", "mailbox", "inbox", "messages"],
        ]),
        combo(SecurityIncident, W::Strong, &[
            &["email*", "e-mail*", "message", "link", "attachment", "text", "call"],
            &[
                "strange", "weird", "odd", "unusual", "unexpected", "dodgy", "fake", "legit*",
                "genuine",
            ],
        ]),
        combo(SecurityIncident, W::Strong, &[
            &["sign-in*", "sign in*", "login*", "log in*", "logon"],
            &["unusual", "strange", "unknown", "unrecogni*", "another country", "abroad"],
        ]),
    ];

    /// Negative phrases that neutralise the matches they contain.
    pub(super) const MASKS: &[&str] = &[
        "password manager*",
        "password-protected",
        "password protected",
        "wifi password",
        "wi-fi password",
        "guest wifi password",
        "look forward",
        "looking forward",
        "forwarded message",
        "forwarded email",
        "driver's license",
        "driver license",
        "driving licence",
        "driving license",
        "scanned for virus*",
        "virus-free",
        "virus free",
        "virus checked",
        "free of virus*",
        "free from virus*",
        "last day of the month",
        "last day of the year",
        "last day of the quarter",
        "zoom in",
        "zoom out",
        "zoom level",
        "exit code",
        "lock screen",
        "screen locked",
        "caps lock",
        "new phone number",
        "prevent unauthori*",
        "do not click links",
        "don't click links",
        "never ask for your password",
        "never ask you for your password",
        // signatures and disclaimers
        "before printing*",
        "print this email",
        "printing this email",
        "printing this e-mail",
        "sent from my*",
        "sent from outlook*",
        "get outlook for*",
        "sent from mail for windows",
        "this email and any*",
        "this e-mail and any*",
        "this message and any*",
        "this email is confidential",
        "this email may contain",
        "this e-mail may contain",
        "received this email in error",
        "received this e-mail in error",
        "received this message in error",
        "received it in error", "if you have received*", "if you are not the intended*",
        "intended recipient*",
        "this email has been scanned",
        "this e-mail has been scanned",
        "this email originated from outside",
        "originated from outside*",
        "unless you recognize the sender",
        "unless you recognise the sender",
    ];

    /// Negative phrases that reduce (or, with factor 0, veto) an intent.
    pub(super) const DAMPERS: &[Damper] = &[
        damper(PasswordReset, 0.3, &[
            "lastpass", "bitwarden", "1password", "keepass", "dashlane", "keeper",
        ]),
        damper(SoftwareInstall, 0.3, &["printer*", "print driver*", "windows update*"]),
        damper(SharedMailboxAccess, 0.3, &[
            "mailbox is full", "mailbox full", "mailbox size", "quota", "mailbox storage",
        ]),
        damper(SharedMailboxAccess, 0.5, &["my mailbox", "my inbox", "my own mailbox"]),
        damper(OutlookSync, 0.5, &["onedrive", "one drive", "sharepoint"]),
    ];

    /// Umbrella intents: with `ABSORB_MIN` points of their own they silence these intents.
    pub(super) const ABSORBS: &[(Intent, &[Intent])] = &[
        (Onboarding, &[
            LicenseAssignment, SoftwareInstall, DistributionListAccess, SharedMailboxAccess,
            PermissionGrant, FileAccess, MfaReset, PasswordReset, AccountUnlock,
        ]),
        (Offboarding, &[
            EmailForwarding, SharedMailboxAccess, LicenseAssignment, DistributionListAccess,
            PermissionGrant, FileAccess, PasswordReset, AccountUnlock,
        ]),
        (SecurityIncident, &[
            PasswordReset, MfaReset, AccountUnlock, PerformanceIssue, OutlookSync,
        ]),
        (PasswordReset, &[AccountUnlock]),
        (MfaReset, &[AccountUnlock]),
    ];

    /// Starts of URLs (masked up to the next space).
    pub(super) const URL_STARTS: &[&str] = &["http://*", "https://*", "www.*"];

    /// In a combo group: any of the `SOFTWARE` names.
    pub(super) const ANY_SOFTWARE: &str = "<software>";

    /// Known software: phrase → display name.
    pub(super) const SOFTWARE: &[(&str, &str)] = &[
        ("adobe acrobat reader", "Adobe Acrobat Reader"),
        ("acrobat reader", "Adobe Acrobat Reader"), ("adobe reader", "Adobe Acrobat Reader"),
        ("adobe acrobat pro", "Adobe Acrobat Pro"), ("adobe acrobat", "Adobe Acrobat"),
        ("acrobat", "Adobe Acrobat"), ("adobe creative cloud", "Adobe Creative Cloud"),
        ("creative cloud", "Adobe Creative Cloud"), ("photoshop", "Adobe Photoshop"),
        ("illustrator", "Adobe Illustrator"), ("indesign", "Adobe InDesign"), ("zoom", "Zoom"),
        ("slack", "Slack"), ("webex", "Webex"), ("google chrome", "Google Chrome"),
        ("chrome", "Google Chrome"), ("firefox", "Mozilla Firefox"),
        ("microsoft visio", "Microsoft Visio"), ("visio", "Microsoft Visio"),
        ("ms project", "Microsoft Project"), ("microsoft project", "Microsoft Project"),
        ("autocad", "AutoCAD"), ("7-zip", "7-Zip"), ("7zip", "7-Zip"), ("notepad++", "Notepad++"),
        ("vlc", "VLC"), ("python", "Python"), ("visual studio code", "Visual Studio Code"),
        ("vs code", "Visual Studio Code"), ("vscode", "Visual Studio Code"),
        ("visual studio", "Visual Studio"), ("power bi desktop", "Power BI Desktop"),
        ("tableau", "Tableau"), ("quickbooks", "QuickBooks"), ("sage 50", "Sage 50"),
        ("xero", "Xero"), ("dropbox", "Dropbox"), ("citrix workspace", "Citrix Workspace"),
        ("teamviewer", "TeamViewer"), ("anydesk", "AnyDesk"), ("java", "Java"),
        ("winrar", "WinRAR"), ("putty", "PuTTY"), ("filezilla", "FileZilla"), ("git", "Git"),
        ("docker desktop", "Docker Desktop"), ("sap gui", "SAP GUI"),
        ("microsoft office", "Microsoft Office"), ("microsoft teams", "Microsoft Teams"),
        ("onenote", "OneNote"), ("greenshot", "Greenshot"), ("snagit", "Snagit"),
        ("nitro pdf", "Nitro PDF"), ("foxit", "Foxit PDF Reader"), ("libreoffice", "LibreOffice"),
        ("gimp", "GIMP"), ("rstudio", "RStudio"), ("matlab", "MATLAB"),
        ("solidworks", "SolidWorks"), ("sketchup", "SketchUp"), ("revit", "Revit"),
        ("bluebeam", "Bluebeam Revu"), ("docusign", "DocuSign"), ("wireshark", "Wireshark"),
        ("postman", "Postman"), ("node.js", "Node.js"), ("nodejs", "Node.js"),
    ];

    /// Entity keywords (see [`Kw`]).
    pub(super) const ENTITY_KEYWORDS: &[(Kw, &[&str])] = &[
        (Kw::GroupStrong, &[
            "distribution list", "distribution group", "distro list", "mailing list", "dl",
            "email group", "e-mail group", "mail group", "security group", "email list",
        ]),
        (Kw::GroupWeak, &["list", "group"]),
        (Kw::MailboxStrong, &[
            "shared mailbox", "shared inbox", "shared mail box", "generic mailbox", "team mailbox",
        ]),
        (Kw::MailboxWeak, &["mailbox", "inbox"]),
        (Kw::InstallThenName, &[
            "install", "reinstall", "re-install", "installation of", "install of",
        ]),
        (Kw::NameThenInstalled, &["installed"]),
        (Kw::PersonAfter, &[
            "new starter", "new starters", "new hire", "new employee", "new joiner", "new user",
            "new team member", "new staff member", "new colleague", "starter", "joiner", "leaver",
            "onboarding", "onboard", "on-board", "offboarding", "offboard", "off-board",
            "off-boarding", "disable", "deactivate", "terminate", "account for", "account of",
            "welcome",
        ]),
        (Kw::PersonBefore, &[
            "is a new starter", "is a new hire", "is a new employee", "is starting", "starts on",
            "will be starting", "will start", "is joining", "will be joining", "joins us",
            "'s last day", "'s first day", "is leaving", "will be leaving", "has left",
            "has resigned", "is a leaver", "has been terminated", "is retiring", "left", "left us",
            "leaves", "will leave", "is no longer",
        ]),
    ];

    /// Words that end a group name.
    pub(super) const GROUP_STOPS: &[&str] = &[
        "the", "to", "a", "an", "my", "our", "your", "their", "his", "her", "from", "of", "in",
        "on", "for", "me", "us", "add", "remove", "please", "distribution", "mailing", "email",
        "e-mail", "mail", "security", "this", "that", "following", "above", "below", "same",
        "whole", "entire", "correct", "right", "new", "attached", "to-do", "todo", "task", "price",
        "contact", "and", "or", "is", "called", "named", "list", "group", "dl", "access", "into",
        "onto", "any", "which", "what", "with", "by", "via", "as", "it", "i", "missing",
        "request", "requests", "issue", "issues", "problem", "problems", "help", "permission",
        "permissions", "rights", "not", "needed", "required", "membership", "update", "change",
        "removal", "addition", "gone", "setup", "set", "error", "question", "owner", "members",
        "member",
    ];

    /// Words that end a mailbox name.
    pub(super) const MAILBOX_STOPS: &[&str] = &[
        "the", "to", "a", "an", "my", "our", "your", "their", "his", "her", "from", "of", "in",
        "on", "for", "me", "us", "add", "please", "shared", "mailbox", "inbox", "email", "e-mail",
        "mail", "this", "that", "own", "same", "new", "and", "or", "is", "called", "named",
        "access", "into", "any", "all", "which", "what", "with", "by", "via", "as", "it", "i",
        "full", "generic", "team", "see", "open", "missing", "request", "requests", "issue",
        "issues", "problem", "problems", "help", "permission", "permissions", "rights", "not",
        "needed", "required", "update", "change", "gone", "setup", "set", "error", "question",
        "owner", "delegate", "delegation",
    ];

    /// A weak keyword ("the X list") only names something after one of these.
    pub(super) const NAME_ANCHORS: &[&str] = &["the", "to", "from", "our", "of"];

    /// Skipped right after a strong keyword ("distribution list called Marketing").
    pub(super) const NAME_FILLERS: &[&str] = &["called", "named", "is", "for", "-"];

    /// Address cues when the intent is a group request but no keyword named the group.
    pub(super) const GROUP_CUES: &[&str] = &[
        "add me to", "added to", "add us to", "member of", "join", "subscribe me to",
        "remove me from", "access to",
    ];

    /// Address cues when the intent is a shared-mailbox request but no keyword named the mailbox.
    pub(super) const MAILBOX_CUES: &[&str] = &[
        "access to", "send as", "send from", "on behalf of", "permission to", "permissions to",
        "permissions on", "permissions for", "access on",
    ];

    /// After "'s", these make the address a resource owner, not the affected user.
    pub(super) const OWNED_RESOURCES: &[&str] = &[
        " mailbox", " inbox", " calendar", " shared", " folder", " files",
    ];

    /// Right after an address: it is the affected user.
    pub(super) const AFFECTED_SUFFIXES: &[&str] = &[
        " is locked", " is unable", " is starting", " is leaving", " has left", " has forgotten",
        " forgot", " can't", " cant ", " cannot", " can not", " is not able", " isn't able",
        " needs", " will be starting", " starts", " is a new", " has been locked", " got locked",
    ];

    /// Right before an address (and the suffix it needs, if any): it is the affected user.
    pub(super) const AFFECTED_PREFIXES: &[(&str, &[&str])] = &[
        ("for", &[]),
        ("for user", &[]),
        ("user", &[]),
        ("username", &[]),
        ("upn", &[]),
        ("account", &[]),
        ("on behalf of", &[]),
        ("colleague", &[]),
        ("reset", &[]),
        ("unlock", &[]),
        ("unblock", &[]),
        ("enable", &[]),
        ("re-enable", &[]),
        ("disable", &[]),
        ("offboard", &[]),
        ("onboard", &[]),
        ("new starter", &[]),
        ("new hire", &[]),
        ("new user", &[]),
        ("new employee", &[]),
        ("new joiner", &[]),
        ("starter", &[]),
        ("joiner", &[]),
        ("leaver", &[]),
        ("employee", &[]),
        ("staff member", &[]),
        ("named", &[]),
        ("add", &[" to"]),
        ("remove", &[" from"]),
        ("move", &[" to"]),
        ("give", &[" access", " permission", " rights", " full"]),
        ("grant", &[" access", " permission", " rights", " full"]),
    ];

    /// Skipped between "install" and the software name.
    pub(super) const SOFTWARE_FILLERS: &[&str] = &[
        "the", "a", "an", "me", "us", "latest", "newest", "new", "version", "of", "program",
        "software", "app", "application", "please", "copy",
    ];

    /// End a software name.
    pub(super) const SOFTWARE_STOPS: &[&str] = &[
        "on", "for", "to", "in", "onto", "please", "so", "as", "and", "from", "at", "i", "my",
        "with", "it", "this", "that", "them", "pc", "laptop", "computer", "machine", "need", "get",
        "have", "having", "be", "the", "a", "an", "is", "was", "we", "want", "like", "can", "could",
        "you", "me", "got", "had", "been", "being", "asap", "today", "tomorrow", "by", "if", "when",
        "but", "or", "not", "already", "properly", "correctly", "software", "app", "application",
        "program", "update", "updates", "printer", "driver", "drivers",
    ];

    /// Skipped between a person keyword and the name ("Onboarding request for John Smith").
    pub(super) const PERSON_FILLERS: &[&str] = &[
        "request", "for", "of", "named", "called", "is", "the", "user", "employee", "starter",
        "starters", "hire", "please", "form", "a", "an", "account", "new", "setup", "set", "up",
        "create", "our", "mr", "mrs", "ms", "miss", "dr", "process", "-", "details", "info",
        "information", "notice", "notification", "today", "tomorrow",
    ];

    /// Never part of a person's name.
    pub(super) const NAME_STOPS: &[&str] = &[
        "hi", "hello", "hey", "dear", "team", "please", "thanks", "thank", "regards", "monday",
        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
        "march", "september", "october", "november", "december", "the", "new", "starter", "hire",
        "user", "employee", "leaver", "onboarding", "offboarding", "request", "account", "it", "i",
        "we", "our", "my", "subject", "re", "fw", "fwd", "urgent", "asap", "next", "this", "on",
        "from", "in", "at", "for", "and", "ltd", "inc", "office", "microsoft", "laptop", "access",
        "setup", "starting", "start", "today", "tomorrow", "week", "please", "mailbox", "email",
        "manager", "sales", "finance", "hr", "marketing", "accounts", "support", "is", "will",
        "has", "who", "whose", "their", "his", "her",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use Intent::{
        AccountUnlock, DistributionListAccess, EmailForwarding, FileAccess, LicenseAssignment,
        MfaReset, Offboarding, Onboarding, OutlookSync, PasswordReset, PerformanceIssue,
        PermissionGrant, PrinterIssue, SecurityIncident, SharedMailboxAccess, SoftwareInstall,
        VpnIssue,
    };

    /// One classifier for all tests (building the automaton is the slow part in debug builds).
    fn shared() -> &'static Classifier {
        static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
        CLASSIFIER.get_or_init(Classifier::new)
    }

    fn classify(subject: &str, body: &str) -> Classification {
        shared().classify(subject, body)
    }

    const SIGNATURE: &str = "\n\nKind regards,\n\nJohn Carter\nOperations Director | Acme Ltd\n\
        M: +44 7700 900123 | john.carter@acme.example\nwww.acme.example\n\nThis email and any \
        attachments are confidential. If you have received it in error please notify the sender. \
        This email has been scanned for viruses. Please consider the environment before printing \
        this email.\nSent from Outlook for iOS";

    /// (subject, body, expected intent)
    const LABELLED: &[(&str, &str, Intent)] = &[
        // password_reset
        (
            "Password reset",
            "Hi, I forgot my password, please reset it.\nThanks, Bob",
            PasswordReset,
        ),
        (
            "cant get in",
            "hello, I think my pasword expired over the weekend, can you reset?\n\nMaria",
            PasswordReset,
        ),
        (
            "Help!!",
            "Forgot password again :( need it reset before my 10am call. Thx\nSent from my iPhone",
            PasswordReset,
        ),
        (
            "Re: login",
            "Good morning,\nOutlook says my password is expired and it won't let me change it.\n\nKind regards\nPriya Shah\nAccounts Assistant",
            PasswordReset,
        ),
        (
            "Reset password for a colleague",
            "Hi team,\ncould you please reset the password for bob@acme.example? He is on the road.\nThanks",
            PasswordReset,
        ),
        // account_unlock
        (
            "Locked out of my account",
            "Hi, I typed the wrong password too many times and now I'm locked out. Can you unlock me?",
            AccountUnlock,
        ),
        (
            "account locked",
            "morning - my account got locked again, cant log in to anything",
            AccountUnlock,
        ),
        (
            "Cannot sign in",
            "Windows says my account is locked. Please help asap.\n--\nTom Baker | Warehouse",
            AccountUnlock,
        ),
        // mfa_reset
        (
            "MFA reset please",
            "Hi, I got a new phone and the Authenticator app didn't transfer. Can you reset my MFA?",
            MfaReset,
        ),
        (
            "new phone - 2FA codes",
            "Hello, since switching phones I don't get the verification codes any more.",
            MfaReset,
        ),
        (
            "Authenticator not working",
            "I lost my phone yesterday so I can't approve sign-in requests. Regards, Jo",
            MfaReset,
        ),
        // distribution_list_access
        (
            "Add me to the Sales-Team list",
            "Hi, could you please add me to the Sales-Team list? Thanks",
            DistributionListAccess,
        ),
        (
            "DL request",
            "Please add jane.doe@acme.example to the sales@acme.example DL.\nCheers",
            DistributionListAccess,
        ),
        (
            "distribution list",
            "Can I be removed from the Marketing distribution list please, I moved teams.",
            DistributionListAccess,
        ),
        // shared_mailbox_access
        (
            "Shared mailbox access",
            "Hi, I need access to accounts@acme.example shared mailbox for month end.",
            SharedMailboxAccess,
        ),
        (
            "accounts inbox",
            "Could I get full access and send as permissions on the Accounts shared mailbox? My manager approved.",
            SharedMailboxAccess,
        ),
        (
            "Mailbox",
            "Please give me access to the info@acme.example mailbox, thanks!",
            SharedMailboxAccess,
        ),
        // license_assignment
        (
            "Licence needed",
            "Hi, my Office says unlicensed product, can I get an E3 licence assigned?",
            LicenseAssignment,
        ),
        (
            "Visio license",
            "Could you assign me a Visio license please? Need it for process diagrams.",
            LicenseAssignment,
        ),
        (
            "Power BI",
            "My manager said I should get a Power BI Pro licence for the new dashboards.",
            LicenseAssignment,
        ),
        // permission_grant
        (
            "SharePoint access",
            "Hi, can you grant me edit access to the HR SharePoint site? Thanks",
            PermissionGrant,
        ),
        (
            "Permissions",
            "Please add me to the Finance-Approvers security group so I can approve invoices.",
            PermissionGrant,
        ),
        (
            "need access",
            "I need edit rights on the Projects Teams channel, thanks",
            PermissionGrant,
        ),
        // onboarding
        (
            "New starter John Smith starting Monday",
            "Hi,\nNew starter John Smith starting Monday in Sales. Needs laptop, E3 licence, Sales DL and Zoom.\nThanks, Karen",
            Onboarding,
        ),
        (
            "Onboarding request",
            "New starter: Ann Lee <ann.lee@acme.example>, start date 3rd March, same setup as Bob please.",
            Onboarding,
        ),
        (
            "new hire",
            "We have a new hire joining us next week, please create a user account and mailbox.",
            Onboarding,
        ),
        // offboarding
        (
            "Leaver - Mark Jones",
            "Mark Jones's last day is Friday. Please disable his account and forward his emails to his manager.",
            Offboarding,
        ),
        (
            "Offboarding",
            "Please offboard Sarah O'Connor, she has left the company. Convert her mailbox to a shared mailbox.",
            Offboarding,
        ),
        (
            "staff leaving",
            "Peter Parker is leaving on the 30th, last working day. Remove all access please.",
            Offboarding,
        ),
        // software_install
        (
            "Install Zoom",
            "Hi, can you install Zoom on my laptop please? Thanks",
            SoftwareInstall,
        ),
        (
            "software request",
            "I need Adobe Acrobat Reader installed to open supplier PDFs.",
            SoftwareInstall,
        ),
        (
            "Greenshot",
            "could you please install Greenshot on my PC, it's for screenshots",
            SoftwareInstall,
        ),
        // email_forwarding
        (
            "Email forwarding",
            "Please set up forwarding of my mailbox to bob@acme.example while I'm on leave.",
            EmailForwarding,
        ),
        (
            "forward emails",
            "Can you forward all emails sent to info@ to me and Steve?",
            EmailForwarding,
        ),
        (
            "question",
            "How do I forward an email to an external address?",
            EmailForwarding,
        ),
        // vpn_issue
        (
            "VPN not connecting",
            "Hi, the VPN keeps disconnecting when I work from home. GlobalProtect says gateway not found.",
            VpnIssue,
        ),
        (
            "cant connect from home",
            "AnyConnect fails with a certificate error since this morning.",
            VpnIssue,
        ),
        // file_access
        (
            "S drive",
            "I can't get into the S: drive, it says access denied.",
            FileAccess,
        ),
        (
            "Folder access",
            "Hi, I need access to the folder \\\\fs01\\Finance\\2024 please.",
            FileAccess,
        ),
        (
            "missing file",
            "I deleted a file from the shared folder by accident, can you restore the previous version?",
            FileAccess,
        ),
        // outlook_sync
        (
            "Outlook not syncing",
            "My Outlook is not syncing, emails stuck in outbox since this morning.",
            OutlookSync,
        ),
        (
            "emails not arriving",
            "I'm not receiving any emails since 9am, but I can send.",
            OutlookSync,
        ),
        (
            "Outlook",
            "Outlook keeps asking for my password and then says disconnected.",
            OutlookSync,
        ),
        // printer_issue
        (
            "Printer",
            "The printer on 2nd floor says paper jam but there is no paper stuck.",
            PrinterIssue,
        ),
        (
            "Reset the printer",
            "Could someone please reset the printer in reception? It is showing an error.",
            PrinterIssue,
        ),
        (
            "can't print",
            "hi, nothing prints from my laptop, the print queue is stuck",
            PrinterIssue,
        ),
        (
            "Install printer",
            "Please install the new HP printer driver on my laptop.",
            PrinterIssue,
        ),
        // performance_issue
        (
            "Laptop very slow",
            "My laptop is very slow since the update, takes ages to open anything.",
            PerformanceIssue,
        ),
        (
            "slow",
            "My password manager is slow to open, everything else fine.",
            PerformanceIssue,
        ),
        (
            "PC freezing",
            "PC keeps freezing every hour and then I have to restart.",
            PerformanceIssue,
        ),
        // security_incident
        (
            "Phishing?",
            "Got this email asking me to verify your password at a weird link. Is this legit?",
            SecurityIncident,
        ),
        (
            "Suspicious email",
            "I clicked a link in an email from 'DHL' and entered my password. Sorry!",
            SecurityIncident,
        ),
        (
            "Password reset email",
            "I received an email saying my password expires and asking me to verify your password via a link. Didn't click.",
            SecurityIncident,
        ),
        (
            "URGENT all files encrypted",
            "All files on the shared drive have a .locked extension and there's a ransom note.",
            SecurityIncident,
        ),
        (
            "account hacked?",
            "I think my account was compromised, people got emails I didn't send.",
            SecurityIncident,
        ),
        (
            "slow laptop, virus?",
            "Laptop is super slow and pop-ups everywhere, I think I have a virus.",
            SecurityIncident,
        ),
        // other
        (
            "New monitor",
            "Hi, can I order a second monitor for my desk? Thanks",
            Intent::Other,
        ),
        (
            "Invoice query",
            "Hello, question about last month's invoice, who should I speak to?",
            Intent::Other,
        ),
        (
            "Meeting room TV",
            "The TV in the boardroom shows no signal when we plug in the HDMI.",
            Intent::Other,
        ),
        ("", "", Intent::Other),
        // look-alikes and noisy phrasing
        (
            "Password manager",
            "Bitwarden extension is not filling in my passwords in Chrome.",
            Intent::Other,
        ),
        (
            "PDF password",
            "How do I open a password protected PDF from a supplier?",
            Intent::Other,
        ),
        (
            "Question",
            "What is the Wi-Fi password for guests?",
            Intent::Other,
        ),
        (
            "Mobile phone",
            "Can I get a work mobile phone? My manager approved it.",
            Intent::Other,
        ),
        (
            "Looking forward",
            "Could you send me last month's invoice? Looking forward to hearing from you.",
            Intent::Other,
        ),
        (
            "FW: printer quote",
            "---------- Forwarded message ---------\nFrom: Dan\nPlease see the printer quote below, can we approve?",
            PrinterIssue,
        ),
        (
            "HELP CANT LOGIN",
            "I CANT LOGIN TO MY COMPUTER IT SAYS PASSWORD INCORRECT. MEETING IN 10 MINS",
            PasswordReset,
        ),
        (
            "Sign in blocked",
            "Your account has been locked to prevent unauthorised use - that's the message I get.",
            AccountUnlock,
        ),
        (
            "Can't sign in on new phone",
            "Just got my new phone and the authenticator isn't set up, so I cannot sign in to Outlook.",
            MfaReset,
        ),
        (
            "Outlook password prompt",
            "Outlook keeps popping up asking for my password, I enter it and it asks again.",
            OutlookSync,
        ),
        (
            "password reset email??",
            "I didn't ask for a password reset but got a reset code email, is someone trying to get into my account?",
            SecurityIncident,
        ),
        (
            "FW: Your account will be suspended",
            "Is this real? It says my Office 365 account will be suspended unless I log in via the link.",
            SecurityIncident,
        ),
        (
            "Add to distribution list",
            "Please could you add our new colleague Tom to the 'Operations' distribution list? Many thanks",
            DistributionListAccess,
        ),
        (
            "License for new starter",
            "Please assign a Business Premium licence to our new starter Amy Fox (amy.fox@acme.example).",
            Onboarding,
        ),
        (
            "my outlook",
            "my outlook isnt updating, last email received 2 days ago",
            OutlookSync,
        ),
    ];

    #[test]
    fn table_order_matches_intent_all() {
        for (n, i) in Intent::ALL.iter().enumerate() {
            assert_eq!(ix(*i), n);
        }
    }

    #[test]
    fn automaton_builds() {
        let c = shared();
        assert!(c.automaton.is_some());
        assert_eq!(
            c.bounds.len(),
            c.automaton.as_ref().map_or(0, |a| a.patterns_len())
        );
        assert!(c.bounds.iter().all(|b| b.term < c.terms.len()));
        assert!(
            COMBOS
                .iter()
                .all(|k| (2..=MAX_GROUPS).contains(&k.groups.len()))
        );
        // every phrase is lower case (the text is matched lower-cased)
        let all = RULES
            .iter()
            .flat_map(|r| r.phrases.iter())
            .chain(MASKS)
            .chain(SOFTWARE.iter().map(|s| &s.0));
        for p in all {
            assert_eq!(
                *p,
                p.to_ascii_lowercase(),
                "phrase {p:?} must be lower case"
            );
        }
    }

    #[test]
    fn labelled_examples_accuracy() {
        let c = shared();
        let mut right = 0;
        for (subject, body, expected) in LABELLED {
            let got = c.classify(subject, &format!("{body}{SIGNATURE}"));
            let bare = c.classify(subject, body);
            assert_eq!(got.intent, bare.intent, "the signature changed {subject:?}");
            println!(
                "{:>24} {:.3} {subject:?}",
                got.intent.as_str(),
                got.confidence
            );
            if got.intent == *expected {
                right += 1;
            } else {
                println!(
                    "MISS {subject:?}: expected {expected}, got {} ({})",
                    got.intent, got.confidence
                );
            }
            assert!((0.0..=1.0).contains(&got.confidence));
        }
        let accuracy = right as f64 / LABELLED.len() as f64;
        println!(
            "accuracy {right}/{} = {:.1}%",
            LABELLED.len(),
            accuracy * 100.0
        );
        assert!(LABELLED.len() >= 40);
        assert!(accuracy >= 0.90, "accuracy {accuracy}");
    }

    #[test]
    fn every_intent_is_covered_by_examples() {
        for i in Intent::ALL {
            assert!(
                LABELLED.iter().any(|(_, _, e)| *e == i),
                "no example for {i}"
            );
        }
    }

    #[test]
    fn strong_clear_password_reset_is_confident() {
        let c = classify("", "forgot my password, please reset");
        assert_eq!(c.intent, PasswordReset);
        assert!((0.93..=0.97).contains(&c.confidence), "{}", c.confidence);
        let c = classify(
            "Password reset",
            "Hi, I forgot my password, please reset it.",
        );
        assert!(c.confidence >= 0.95, "{}", c.confidence);
    }

    #[test]
    fn password_manager_is_not_a_confident_password_reset() {
        let c = classify("", "my password manager is slow");
        assert!(c.intent != PasswordReset || c.confidence < 0.6, "{c:?}");
        let c = classify(
            "LastPass",
            "my LastPass vault won't open, can you check it?",
        );
        assert!(c.intent != PasswordReset || c.confidence < 0.6, "{c:?}");
    }

    #[test]
    fn reset_the_printer_is_printer_issue() {
        let c = classify("reset the printer", "");
        assert_eq!(c.intent, PrinterIssue);
    }

    #[test]
    fn security_terms_override_everything() {
        for word in [
            "phishing",
            "suspicious",
            "compromised",
            "ransomware",
            "hacked",
        ] {
            let body = format!(
                "Hi, please reset my password and unlock my account, also I think it was {word}."
            );
            let c = classify("Password reset", &body);
            assert_eq!(c.intent, SecurityIncident, "{word}");
            assert!(c.confidence >= 0.9, "{word}: {}", c.confidence);
        }
        let c = classify(
            "verify your account",
            "Email says: 'Your password expires today, verify your password here'",
        );
        assert_eq!(c.intent, SecurityIncident);
    }

    #[test]
    fn ties_and_mixed_requests_lower_confidence() {
        let c = classify("", "The VPN is down and the printer is offline.");
        assert!(c.confidence < 0.6, "{c:?}");
        let c = classify("", "The VPN is down and the printer won't print.");
        assert_eq!(c.intent, PrinterIssue);
        assert!((0.6..0.9).contains(&c.confidence), "{c:?}");
        let c = classify("", "Can't log in to the VPN");
        assert_eq!(c.intent, VpnIssue);
        assert!((0.6..0.9).contains(&c.confidence), "{c:?}");
    }

    #[test]
    fn weak_matches_are_not_confident() {
        let c = classify("", "do you have a list of the office phone numbers?");
        assert!(c.intent == Intent::Other || c.confidence < 0.6, "{c:?}");
        let c = classify("", "need Adobe Acrobat Reader");
        assert_eq!(c.intent, SoftwareInstall);
        assert!((0.6..0.9).contains(&c.confidence), "{c:?}");
    }

    #[test]
    fn nothing_matches_is_other_at_most_half() {
        let c = classify("Hello", "Can we have a chat about the Christmas party?");
        assert_eq!(c.intent, Intent::Other);
        assert!(c.confidence <= 0.5);
    }

    #[test]
    fn forwarding_look_alikes() {
        assert_eq!(
            classify("", "how do I forward an email").intent,
            EmailForwarding
        );
        assert_eq!(
            classify("", "set up forwarding of my mailbox to x@acme.example").intent,
            EmailForwarding
        );
        let c = classify(
            "New monitor",
            "Could I get a bigger monitor? Looking forward to hearing from you.",
        );
        assert_eq!(c.intent, Intent::Other);
    }

    #[test]
    fn phrases_inside_addresses_and_urls_are_ignored() {
        let c = classify(
            "Hello",
            "Please call me back.\nBob\nprinter-team@acme.example\nhttps://acme.example/vpn/password-reset",
        );
        assert_eq!(c.intent, Intent::Other);
    }

    #[test]
    fn emails_are_listed_lowercased_deduped_in_order() {
        let c = classify(
            "From Bob@Acme.Example",
            "cc: ALICE@acme.example, bob@acme.example; <carol.x+it@sub.acme.co.uk>.",
        );
        assert_eq!(
            c.entities.emails,
            [
                "bob@acme.example",
                "alice@acme.example",
                "carol.x+it@sub.acme.co.uk"
            ]
        );
        let c = classify(
            "",
            "not emails: a@b, @acme.example, x@y.z1, me@localhost, foo@@bar.com",
        );
        assert!(c.entities.emails.is_empty(), "{:?}", c.entities.emails);
    }

    #[test]
    fn affected_user_is_explicit_only() {
        let e = |s: &str, b: &str| classify(s, b).entities.affected_user;
        assert_eq!(
            e("", "please reset the password for bob@acme.example"),
            Some("bob@acme.example".into())
        );
        assert_eq!(
            e("", "can you reset Jane.Doe@acme.example's password?"),
            Some("jane.doe@acme.example".into())
        );
        assert_eq!(
            e("", "New starter: Ann Lee <ann.lee@acme.example> on Monday"),
            Some("ann.lee@acme.example".into())
        );
        assert_eq!(
            e("", "My colleague tom@acme.example is locked out"),
            Some("tom@acme.example".into())
        );
        assert_eq!(
            e("", "add pete@acme.example to the sales@acme.example DL"),
            Some("pete@acme.example".into())
        );
        // the requester's own signature is not an affected user
        assert_eq!(
            e(
                "",
                "I forgot my password.\nThanks\nBob Smith\nbob@acme.example"
            ),
            None
        );
        assert_eq!(
            e("", "set up forwarding of my mailbox to bob@acme.example"),
            None
        );
        assert_eq!(
            e("", "access to accounts@acme.example shared mailbox please"),
            None
        );
    }

    #[test]
    fn group_entities() {
        let g = |s: &str, b: &str| classify(s, b).entities.group;
        assert_eq!(
            g("", "Hi, add me to the Sales-Team list please"),
            Some("Sales-Team".into())
        );
        assert_eq!(
            g("", "Please add me to sales@acme.example DL"),
            Some("sales@acme.example".into())
        );
        assert_eq!(
            g("", "remove me from the distribution list Marketing."),
            Some("Marketing".into())
        );
        assert_eq!(
            g("", "add me to the All Staff distribution list"),
            Some("All Staff".into())
        );
        assert_eq!(
            g("", "Please add me to the Finance-Approvers security group"),
            Some("Finance-Approvers".into())
        );
        assert_eq!(g("", "see the following list of items"), None);
        assert_eq!(
            g("DL", "Please add me to the list: hr-team@acme.example"),
            Some("hr-team@acme.example".into())
        );
    }

    #[test]
    fn mailbox_entities() {
        let m = |s: &str, b: &str| classify(s, b).entities.mailbox;
        assert_eq!(
            m("", "I need access to accounts@acme.example shared mailbox"),
            Some("accounts@acme.example".into())
        );
        assert_eq!(
            m("", "Could I get access to the Accounts shared mailbox?"),
            Some("Accounts".into())
        );
        assert_eq!(
            m("", "access to the shared mailbox info@acme.example"),
            Some("info@acme.example".into())
        );
        assert_eq!(
            m(
                "Mailbox",
                "Please give me access to the info@acme.example mailbox"
            ),
            Some("info@acme.example".into())
        );
        assert_eq!(m("", "my mailbox is full"), None);
        assert_eq!(
            m(
                "",
                "Can I get full access to billing@acme.example please, it's a shared one"
            ),
            Some("billing@acme.example".into())
        );
    }

    #[test]
    fn software_entities() {
        let s = |b: &str| classify("", b).entities.software;
        assert_eq!(s("Please install Zoom on my laptop"), Some("Zoom".into()));
        assert_eq!(
            s("need Adobe Acrobat Reader for PDFs"),
            Some("Adobe Acrobat Reader".into())
        );
        assert_eq!(
            s("can you install the latest version of Greenshot on my PC"),
            Some("Greenshot".into())
        );
        assert_eq!(
            s("Can I get Tableau Desktop installed?"),
            Some("Tableau".into())
        );
        assert_eq!(
            s("Can I get FooBar Studio installed?"),
            Some("FooBar Studio".into())
        );
        assert_eq!(s("please install it"), None);
    }

    #[test]
    fn person_name_entities() {
        let p = |s: &str, b: &str| classify(s, b).entities.person_name;
        assert_eq!(
            p("", "new starter John Smith starting Monday"),
            Some("John Smith".into())
        );
        assert_eq!(
            p("New Starter Request - Mary-Jane O'Neil", ""),
            Some("Mary-Jane O'Neil".into())
        );
        assert_eq!(
            p("", "New starter: Ann Lee <ann.lee@acme.example>"),
            Some("Ann Lee".into())
        );
        assert_eq!(
            p("", "Hi team, Mark Jones's last day is Friday."),
            Some("Mark Jones".into())
        );
        assert_eq!(
            p("", "Please offboard Sarah O'Connor, she has left."),
            Some("Sarah O'Connor".into())
        );
        assert_eq!(
            p("", "José Álvarez is starting on the 4th"),
            Some("José Álvarez".into())
        );
        assert_eq!(p("", "new starter starting Monday"), None);
        assert_eq!(p("", "I forgot my password"), None);
    }

    #[test]
    fn entities_of_a_full_onboarding_ticket() {
        let c = classify(
            "New starter John Smith starting Monday",
            "Hi,\n\nNew starter John Smith starting Monday in Sales, email john.smith@acme.example.\n\
             Please add him to the Sales-Team list, assign an E3 licence and install Zoom.\n\nThanks\nKaren\nkaren@acme.example",
        );
        assert_eq!(c.intent, Onboarding);
        assert!(c.confidence >= 0.9, "{}", c.confidence);
        assert_eq!(c.entities.person_name.as_deref(), Some("John Smith"));
        assert_eq!(c.entities.group.as_deref(), Some("Sales-Team"));
        assert_eq!(c.entities.software.as_deref(), Some("Zoom"));
        assert_eq!(
            c.entities.emails,
            ["john.smith@acme.example", "karen@acme.example"]
        );
    }

    #[test]
    fn empty_and_garbage_input_never_panic() {
        let c = shared();
        let r = c.classify("", "");
        assert_eq!(r.intent, Intent::Other);
        assert_eq!(r.confidence, 0.5);
        assert_eq!(r.entities, Entities::default());
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let garbage = String::from_utf8_lossy(&bytes);
        let r = c.classify(&garbage, &garbage);
        assert!((0.0..=1.0).contains(&r.confidence));
        for s in [
            "@",
            "@@@",
            "a@",
            "@b.c",
            "'s",
            "<",
            "(",
            "\u{0}\u{1f}\u{7f}",
            "😀 pässwörd réset 😀",
            "ﬁ",
            "İ",
            "install",
            "new starter",
            "distribution list",
            "shared mailbox",
            "x@y.co's",
            "for <a@b.co>",
        ] {
            let r = c.classify(s, s);
            assert!((0.0..=1.0).contains(&r.confidence), "{s:?}");
        }
        let huge = "forgot my password ".repeat(200_000);
        let r = c.classify(&huge, &huge);
        assert_eq!(r.intent, PasswordReset);
        let multibyte = "é".repeat(40_000);
        let _ = c.classify(&multibyte, &multibyte);
    }

    #[test]
    fn serde_round_trip() {
        let c = classify("Install Zoom", "please install Zoom for bob@acme.example");
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert!(json.contains("\"intent\":\"software_install\""), "{json}");
        let back: Classification = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, c);
    }
}
