//! Loading policy files (TOML, DESIGN §4) with strict validation and precise locations.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::builtin::{Floor, builtin_action, floor_of};
use crate::error::{Location, PolicyError};
use crate::policy::{
    DEFAULT_AUTONOMOUS_MIN_CONFIDENCE, DEFAULT_HUMAN_BELOW_CONFIDENCE, Policy, Section,
};
use crate::tier::{ActionClass, Mode, Tier};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    global: Option<SectionDoc>,
    #[serde(default)]
    clients: BTreeMap<Spanned<String>, SectionDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionDoc {
    mode: Option<Mode>,
    kill_switch: Option<bool>,
    autonomous_min_confidence: Option<Spanned<f64>>,
    human_below_confidence: Option<Spanned<f64>>,
    #[serde(default)]
    actions: BTreeMap<Spanned<String>, Spanned<Tier>>,
    #[serde(default)]
    limits: BTreeMap<Spanned<String>, Spanned<LimitDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitDoc {
    per_hour: Spanned<i64>,
}

/// True for a valid action name: snake_case ASCII, starting with a letter, at most 64 bytes.
pub(crate) fn is_action_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn is_client_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

struct Loader<'a> {
    file: &'a str,
    text: &'a str,
}

impl Loader<'_> {
    fn err(
        &self,
        span: Range<usize>,
        client: Option<&str>,
        action: Option<&str>,
        what: impl std::fmt::Display,
    ) -> PolicyError {
        let mut message = String::new();
        if let Some(c) = client {
            message.push_str(&format!("client `{c}`: "));
        }
        if let Some(a) = action {
            message.push_str(&format!("action `{a}`: "));
        }
        message.push_str(&what.to_string());
        PolicyError::Invalid {
            location: Location::at(self.file, self.text, span.start),
            message,
            client: client.map(str::to_owned),
            action: action.map(str::to_owned),
        }
    }

    fn section(&self, doc: SectionDoc, client: Option<&str>) -> Result<Section, PolicyError> {
        let mut section = Section {
            mode: doc.mode,
            kill_switch: doc.kill_switch,
            ..Section::default()
        };
        for (key, value) in [
            ("autonomous_min_confidence", &doc.autonomous_min_confidence),
            ("human_below_confidence", &doc.human_below_confidence),
        ] {
            if let Some(v) = value
                && !(0.0..=1.0).contains(v.get_ref())
            {
                return Err(self.err(
                    v.span(),
                    client,
                    None,
                    format!("`{key}` must be between 0 and 1, got {}", v.get_ref()),
                ));
            }
        }
        section.autonomous_min_confidence = doc.autonomous_min_confidence.map(Spanned::into_inner);
        section.human_below_confidence = doc.human_below_confidence.map(Spanned::into_inner);

        for (name, tier) in doc.actions {
            let action = self.action_name(&name, client, "actions")?;
            let t = *tier.get_ref();
            if let Some(floor) = floor_of(action)
                && t < floor.min_tier()
            {
                let rule = match floor {
                    Floor::AlwaysHuman => "it is always human",
                    Floor::NeverAutonomous => "it is never autonomous (approval at the lowest)",
                };
                return Err(self.err(
                    tier.span(),
                    client,
                    Some(action),
                    format!("tier `{t}` would lower a hard floor: {rule}"),
                ));
            }
            section.actions.insert(action.into(), t);
        }
        for (name, limit) in doc.limits {
            let action = self.action_name(&name, client, "limits")?;
            let per_hour = &limit.get_ref().per_hour;
            let n = u32::try_from(*per_hour.get_ref())
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    self.err(
                        per_hour.span(),
                        client,
                        Some(action),
                        format!(
                            "`per_hour` must be a whole number of at least 1, got {}",
                            per_hour.get_ref()
                        ),
                    )
                })?;
            section.limits.insert(action.into(), n);
        }
        Ok(section)
    }

    fn action_name<'n>(
        &self,
        name: &'n Spanned<String>,
        client: Option<&str>,
        table: &str,
    ) -> Result<&'n str, PolicyError> {
        let action = name.get_ref().as_str();
        if !is_action_name(action) {
            return Err(self.err(
                name.span(),
                client,
                None,
                format!("`{action}` in `{table}` is not an action name (snake_case, a-z 0-9 _)"),
            ));
        }
        if builtin_action(action).is_some_and(|a| a.class == ActionClass::Read) {
            return Err(self.err(
                name.span(),
                client,
                Some(action),
                format!("is a read action, which always runs; it cannot be set in `{table}`"),
            ));
        }
        Ok(action)
    }

    fn check_thresholds(
        &self,
        sec: &Section,
        inherited: (f64, f64),
        span: Range<usize>,
        client: Option<&str>,
    ) -> Result<(), PolicyError> {
        let human_below = sec.human_below_confidence.unwrap_or(inherited.0);
        let autonomous_min = sec.autonomous_min_confidence.unwrap_or(inherited.1);
        if human_below > autonomous_min {
            return Err(self.err(
                span,
                client,
                None,
                format!(
                    "`human_below_confidence` ({human_below}) must not exceed \
                     `autonomous_min_confidence` ({autonomous_min})"
                ),
            ));
        }
        Ok(())
    }

    fn load(&self) -> Result<Policy, PolicyError> {
        let doc: FileDoc = toml::from_str(self.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            self.err(span, None, None, e.message().trim_end())
        })?;
        // Spans of the thresholds, for errors about their combination.
        let span_of = |d: &SectionDoc| {
            d.human_below_confidence
                .as_ref()
                .or(d.autonomous_min_confidence.as_ref())
                .map(Spanned::span)
        };
        let global_span = doc.global.as_ref().and_then(span_of);
        let global = match doc.global {
            Some(g) => self.section(g, None)?,
            None => Section::default(),
        };
        let defaults = (
            DEFAULT_HUMAN_BELOW_CONFIDENCE,
            DEFAULT_AUTONOMOUS_MIN_CONFIDENCE,
        );
        self.check_thresholds(&global, defaults, global_span.unwrap_or(0..0), None)?;
        let inherited = (
            global.human_below_confidence.unwrap_or(defaults.0),
            global.autonomous_min_confidence.unwrap_or(defaults.1),
        );
        let mut clients = HashMap::with_capacity(doc.clients.len());
        for (name, sec_doc) in doc.clients {
            let client = name.get_ref().as_str();
            if !is_client_name(client) {
                return Err(self.err(
                    name.span(),
                    None,
                    None,
                    format!("`{client}` is not a client name (letters, digits, `-`, `_`, `.`)"),
                ));
            }
            let span = span_of(&sec_doc).unwrap_or(name.span());
            let sec = self.section(sec_doc, Some(client))?;
            self.check_thresholds(&sec, inherited, span, Some(client))?;
            clients.insert(client.into(), sec);
        }
        Ok(Policy {
            global,
            clients,
            tools: HashMap::new(),
        })
    }
}

impl Policy {
    /// Parse a policy from TOML text; `origin` names the file in errors.
    ///
    /// ```
    /// use msp_agent_policy::Policy;
    /// let err = Policy::from_toml_str("[clients.acme.actions]\ndelete_account = \"approval\"\n", "p.toml")
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "p.toml:2:18: client `acme`: action `delete_account`: tier `approval` would lower a hard floor: it is always human"
    /// );
    /// ```
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        Loader { file: origin, text }.load()
    }

    /// Parse a policy from bytes that may not be UTF-8.
    pub fn from_toml_bytes(bytes: &[u8], origin: &str) -> Result<Policy, PolicyError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::from_toml_str(text, origin),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                // The valid prefix is UTF-8 by construction.
                let text = std::str::from_utf8(valid).unwrap_or_default();
                Err(PolicyError::Invalid {
                    location: Location::at(origin, text, text.len()),
                    message: "the file is not valid UTF-8".to_owned(),
                    client: None,
                    action: None,
                })
            }
        }
    }

    /// Read and parse a policy file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| PolicyError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_toml_bytes(&bytes, &shown)
    }
}
