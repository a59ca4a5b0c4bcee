//! Choose and configure connectors from a TOML file instead of code.
//!
//! ```toml
//! [psa]
//! vendor = "connectwise"            # "sim" | "connectwise" | "autotask" | "halopsa" | "syncro"
//! site = "api-na.myconnectwise.net"
//! codebase = "v4_6_release"
//! company_id = "mymsp"
//! public_key = "AbCdEf123"
//! private_key_env = "CW_PRIVATE_KEY"  # secrets: the *name* of an environment variable
//! client_id = "00000000-0000-0000-0000-000000000000"
//! agent_member = "msp-agent"
//!
//! [psa.tenants]                     # msp-agent tenant → the vendor's company / client
//! contoso = { id = 250 }
//! ```
//!
//! Secrets are never written in the file: every `*_env` field names an environment
//! variable, read when the connector is built (a missing one is
//! [`ConfigError::MissingEnv`]). Unknown vendors, unknown or misspelt fields and vendors
//! whose cargo feature is off are typed [`ConfigError`]s, with the line of the file where
//! one is known.
//!
//! | `vendor` | feature | settings |
//! |---|---|---|
//! | `sim` | `sim` | none: the simulated PSA ([`SimSettings`]) |
//! | `connectwise` | `connectwise` | [`ConnectWiseSettings`] |
//! | `autotask` | `autotask` | [`AutotaskSettings`] |
//! | `halopsa` | `halopsa` | [`HaloPsaSettings`] |
//! | `syncro` | `syncro` | [`SyncroSettings`] |
//!
//! Every real vendor also takes `statuses` / `priorities` (the vendor's name — for HaloPSA
//! the priority id — written for each agent status and priority), `page_size` where the
//! API pages, `timeout_secs` (one request attempt) and `requests_per_minute` (client-side
//! limit; `0` turns it off; default: the vendor crate's documented-quota default).
//!
//! ```no_run
//! # fn demo(base: msp_agent_core::capability::Capabilities) -> Result<(), Box<dyn std::error::Error>> {
//! use msp_agent_connectors::config::ConnectorsConfig;
//! let config = ConnectorsConfig::from_path("connectors.toml")?;
//! // Everything from `base`, except the PSA, which the file chooses.
//! let caps = config.builder().capabilities(base)?;
//! # let _ = caps; Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use msp_agent_core::CapabilityError;
use msp_agent_core::capability::{Capabilities, TicketSystem};
use msp_agent_core::domain::{Priority, TenantId, TicketStatus};
use serde::Deserialize;

/// The vendors `[psa] vendor = …` accepts.
pub const PSA_VENDORS: [&str; 5] = ["sim", "connectwise", "autotask", "halopsa", "syncro"];

/// A connectors file: which PSA the agent works tickets in, and how to reach it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorsConfig {
    /// `[psa]`: the ticket system (default: the simulated one).
    #[serde(default)]
    pub psa: PsaConfig,
}

/// `[psa]`: one ticket system, chosen by `vendor`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "vendor", rename_all = "lowercase")]
pub enum PsaConfig {
    /// `vendor = "sim"`: the simulated PSA of `msp-agent-sim`.
    Sim(SimSettings),
    /// `vendor = "connectwise"`: ConnectWise PSA (Manage) REST v3.
    ConnectWise(ConnectWiseSettings),
    /// `vendor = "autotask"`: Autotask PSA REST.
    Autotask(AutotaskSettings),
    /// `vendor = "halopsa"`: HaloPSA.
    HaloPsa(HaloPsaSettings),
    /// `vendor = "syncro"`: Syncro.
    Syncro(SyncroSettings),
}

impl Default for PsaConfig {
    fn default() -> Self {
        PsaConfig::Sim(SimSettings {})
    }
}

impl PsaConfig {
    /// The `vendor` string of this section.
    pub fn vendor(&self) -> &'static str {
        match self {
            PsaConfig::Sim(_) => "sim",
            PsaConfig::ConnectWise(_) => "connectwise",
            PsaConfig::Autotask(_) => "autotask",
            PsaConfig::HaloPsa(_) => "halopsa",
            PsaConfig::Syncro(_) => "syncro",
        }
    }

    /// The tenants mapped in `[psa.tenants]`, sorted (none for the simulator, which serves
    /// its own).
    pub fn tenants(&self) -> Vec<TenantId> {
        let keys: Vec<&String> = match self {
            PsaConfig::Sim(_) => Vec::new(),
            PsaConfig::ConnectWise(s) => s.tenants.keys().collect(),
            PsaConfig::Autotask(s) => s.tenants.keys().collect(),
            PsaConfig::HaloPsa(s) => s.tenants.keys().collect(),
            PsaConfig::Syncro(s) => s.tenants.keys().collect(),
        };
        keys.into_iter()
            .map(|k| TenantId::new(k.as_str()))
            .collect()
    }
}

/// `vendor = "sim"` takes no settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimSettings {}

/// A ConnectWise company in `[psa.tenants]`: `{ id = 250 }`, `{ identifier = "Contoso" }`
/// or both.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySetting {
    /// `company/id`.
    pub id: Option<u64>,
    /// `company/identifier` (the short "Company ID" shown in PSA).
    pub identifier: Option<String>,
}

/// `vendor = "connectwise"`: see `msp_agent_connectwise::ConnectWiseConfig`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectWiseSettings {
    /// Full API base (`https://…/v4_6_release/apis/3.0`); or give `site` (+ `codebase`).
    pub base_url: Option<String>,
    /// Cloud site, e.g. `api-na.myconnectwise.net`, `api-eu.myconnectwise.net`.
    pub site: Option<String>,
    /// Codebase of the site (default `v4_6_release`; see `/login/companyinfo/{company}`).
    pub codebase: Option<String>,
    /// The company id you log in with.
    pub company_id: String,
    /// Public key of the API member.
    pub public_key: String,
    /// Environment variable holding the API member's private key.
    pub private_key_env: String,
    /// The integration's `clientId` (developer.connectwise.com → ClientId).
    pub client_id: String,
    /// Member agent time is logged under.
    pub agent_member: String,
    /// Member technician time is logged under (unset: the agent never logs it).
    pub technician_member: Option<String>,
    /// `version` of the `Accept` header (default: the crate's tested version).
    pub api_version: Option<String>,
    /// Tenant → company.
    #[serde(default)]
    pub tenants: BTreeMap<String, CompanySetting>,
    /// Status name written for each status (`waiting = "Waiting on Client"`).
    #[serde(default)]
    pub statuses: HashMap<TicketStatus, String>,
    /// Priority name written for each priority.
    #[serde(default)]
    pub priorities: HashMap<Priority, String>,
    /// Listing page size (1..=1000, default 100).
    pub page_size: Option<u32>,
    /// Timeout of one request attempt, seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// Client-side rate limit (`0`: none; default 60).
    pub requests_per_minute: Option<u32>,
}

/// `vendor = "autotask"`: see `msp_agent_autotask::AutotaskConfig`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutotaskSettings {
    /// API user name (header `UserName`).
    pub username: String,
    /// Environment variable holding the API user's secret (header `Secret`).
    pub secret_env: String,
    /// Tracking identifier of the integration (header `ApiIntegrationcode`).
    pub integration_code: String,
    /// Resource agent time is logged under.
    pub agent_resource_id: i64,
    /// Resource technician time is logged under (unset: the agent never logs it).
    pub technician_resource_id: Option<i64>,
    /// `roleID` of time entries.
    pub time_entry_role_id: Option<i64>,
    /// Known zone URL (e.g. `https://webservices2.autotask.net/ATServicesRest/`); unset:
    /// discovered from the user name.
    pub zone_url: Option<String>,
    /// Zone discovery base (default `https://webservices.autotask.net/atservicesrest`).
    pub discovery_url: Option<String>,
    /// Tenant → `companyID`.
    #[serde(default)]
    pub tenants: BTreeMap<String, i64>,
    /// Status picklist label written for each status.
    #[serde(default)]
    pub statuses: HashMap<TicketStatus, String>,
    /// Priority picklist label written for each priority.
    #[serde(default)]
    pub priorities: HashMap<Priority, String>,
    /// `noteType` of agent notes (default 1).
    pub note_type: Option<i64>,
    /// `publish` of public notes (default 1).
    pub publish_public: Option<i64>,
    /// `publish` of internal notes (default 2).
    pub publish_internal: Option<i64>,
    /// `MaxRecords` of query pages (1..=500, default 500).
    pub page_size: Option<u32>,
    /// Requests in flight at once (default 3).
    pub max_concurrency: Option<usize>,
    /// Timeout of one request attempt, seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// Client-side rate limit (`0`: none; default 166).
    pub requests_per_minute: Option<u32>,
}

/// `vendor = "halopsa"`: see `msp_agent_halopsa::HaloConfig`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaloPsaSettings {
    /// Instance URL (`https://mymsp.halopsa.com`); or give `instance` for a hosted one.
    pub instance_url: Option<String>,
    /// Hosted instance name: `mymsp` → `https://mymsp.halopsa.com`.
    pub instance: Option<String>,
    /// Separate authorisation server (self-hosted); default `{instance}/auth`.
    pub auth_url: Option<String>,
    /// `?tenant=` of token requests (Halo-hosted instances).
    pub hosted_tenant: Option<String>,
    /// Client ID of the API application.
    pub client_id: String,
    /// Environment variable holding the API application's client secret.
    pub client_secret_env: String,
    /// OAuth2 scope(s) (default `all`).
    pub scope: Option<String>,
    /// Halo agent id of the agent.
    pub agent_id: u64,
    /// Agent id technician time is logged under (unset: the agent never logs it).
    pub technician_agent_id: Option<u64>,
    /// Outcome of note actions (default `Note`).
    pub note_outcome: Option<String>,
    /// Outcome of time actions (default `Time Entry`).
    pub time_outcome: Option<String>,
    /// Tenant → Halo `client_id`.
    #[serde(default)]
    pub tenants: BTreeMap<String, u64>,
    /// Status name written for each status.
    #[serde(default)]
    pub statuses: HashMap<TicketStatus, String>,
    /// `priority_id` written for each priority.
    #[serde(default)]
    pub priorities: HashMap<Priority, u64>,
    /// Listing page size (1..=1000, default 100).
    pub page_size: Option<u32>,
    /// Timeout of one request attempt, seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// Client-side rate limit (`0`: none; default 130).
    pub requests_per_minute: Option<u32>,
}

/// `vendor = "syncro"`: see `msp_agent_syncro::SyncroConfig`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncroSettings {
    /// API base (`https://mymsp.syncromsp.com/api/v1`); or give `subdomain`.
    pub base_url: Option<String>,
    /// Account subdomain: `mymsp` → `https://mymsp.syncromsp.com/api/v1`.
    pub subdomain: Option<String>,
    /// Environment variable holding the API token.
    pub api_token_env: String,
    /// Syncro user agent time is logged under.
    pub agent_user_id: u64,
    /// Syncro user technician time is logged under (unset: the agent never logs it).
    pub technician_user_id: Option<u64>,
    /// Tenant → `customer_id`.
    #[serde(default)]
    pub tenants: BTreeMap<String, u64>,
    /// Status name written for each status.
    #[serde(default)]
    pub statuses: HashMap<TicketStatus, String>,
    /// Priority name written for each priority.
    #[serde(default)]
    pub priorities: HashMap<Priority, String>,
    /// Subject of agent comments (default `Update`).
    pub comment_subject: Option<String>,
    /// Let Syncro e-mail public comments (default true).
    pub email_public_comments: Option<bool>,
    /// Safety cap on pages per listing (default 40).
    pub max_pages: Option<u32>,
    /// Timeout of one request attempt, seconds (default 30).
    pub timeout_secs: Option<u64>,
    /// Client-side rate limit (`0`: none; default 170).
    pub requests_per_minute: Option<u32>,
}

/// Why a connectors file could not be read or turned into connectors.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or a value of the wrong type / a required field missing.
    #[error("connectors config{}: {message}", at(*line))]
    Parse {
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// `vendor` names no known vendor.
    #[error("connectors config{}: unknown {section} vendor `{vendor}`, expected one of: {}", at(*line), PSA_VENDORS.join(", "))]
    UnknownVendor {
        /// The section (`psa`).
        section: &'static str,
        /// What the file said.
        vendor: String,
        /// 1-based line, when known.
        line: Option<usize>,
    },
    /// A field no section knows (a typo, or a field of another vendor).
    #[error("connectors config{}: {message}", at(*line))]
    UnknownField {
        /// The field.
        field: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// The parser's message (naming the field and the expected ones).
        message: String,
    },
    /// Settings that parse but cannot work (both or neither of two alternatives, no tenant…).
    #[error("connectors config: `{field}`: {message}")]
    Invalid {
        /// The offending field, e.g. `psa.tenants`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable a `*_env` field names is not set (or empty).
    #[error("environment variable `{var}` (named by `{field}`) is not set")]
    MissingEnv {
        /// The variable.
        var: String,
        /// The field naming it, e.g. `psa.private_key_env`.
        field: String,
    },
    /// The vendor's connector is not compiled in.
    #[error(
        "{section} vendor `{vendor}` is not compiled in: enable the `{feature}` feature of msp-agent-connectors"
    )]
    NotCompiled {
        /// The section (`psa`).
        section: &'static str,
        /// The vendor.
        vendor: &'static str,
        /// The cargo feature that compiles it.
        feature: &'static str,
    },
    /// The vendor crate refused the configuration.
    #[error("building the {vendor} connector: {source}")]
    Connector {
        /// The vendor.
        vendor: &'static str,
        /// The connector's error.
        source: CapabilityError,
    },
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!(" line {l}")).unwrap_or_default()
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Where `key = …` (or `key.… =`) is written at or after `from`, as a 1-based line.
fn line_of_key(text: &str, from: usize, key: &str) -> Option<usize> {
    let start = text[..from.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let first = line_of(text, start);
    text[start..].lines().enumerate().find_map(|(i, l)| {
        let l = l.trim_start();
        let rest = l
            .strip_prefix(key)
            .or_else(|| l.strip_prefix(&format!("\"{key}\"")))?;
        let rest = rest.trim_start();
        (rest.starts_with('=') || rest.starts_with('.')).then_some(first + i)
    })
}

/// Probe of `[psa] vendor` only, for a precise unknown-vendor error.
#[derive(Deserialize)]
struct Probe {
    psa: Option<PsaProbe>,
}

#[derive(Deserialize)]
struct PsaProbe {
    vendor: Option<toml::Spanned<String>>,
}

fn parse_error(text: &str, e: &toml::de::Error) -> ConfigError {
    let message = e.message().trim_end().to_string();
    let span = e.span();
    let line = span.as_ref().map(|s| line_of(text, s.start));
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        let line = span
            .and_then(|s| line_of_key(text, s.start, field))
            .or(line);
        return ConfigError::UnknownField {
            field: field.to_string(),
            line,
            message,
        };
    }
    ConfigError::Parse { line, message }
}

impl ConnectorsConfig {
    /// Parse a connectors file. Structure is checked here; environment variables are read
    /// only when connectors are built ([`ConnectorsConfig::builder`]).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let probe: Probe = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        if let Some(psa) = probe.psa {
            match psa.vendor {
                None => {
                    return Err(ConfigError::Parse {
                        line: text
                            .lines()
                            .position(|l| l.trim() == "[psa]")
                            .map(|i| i + 1),
                        message: format!(
                            "[psa] needs `vendor = …`, one of: {}",
                            PSA_VENDORS.join(", ")
                        ),
                    });
                }
                Some(v) if !PSA_VENDORS.contains(&v.get_ref().as_str()) => {
                    return Err(ConfigError::UnknownVendor {
                        section: "psa",
                        vendor: v.get_ref().clone(),
                        line: Some(line_of(text, v.span().start)),
                    });
                }
                Some(_) => {}
            }
        }
        let config: ConnectorsConfig = toml::from_str(text).map_err(|e| parse_error(text, &e))?;
        config.validate()?;
        Ok(config)
    }

    /// Read and parse a connectors file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// Check what parsing cannot: exactly one of two alternative fields, at least one
    /// tenant, company references with an id or identifier.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.psa {
            PsaConfig::Sim(_) => Ok(()),
            PsaConfig::ConnectWise(s) => {
                one_of("psa.base_url", &s.base_url, "psa.site", &s.site)?;
                if s.codebase.is_some() && s.site.is_none() {
                    return Err(invalid("psa.codebase", "only goes with `site`"));
                }
                some_tenant(s.tenants.len())?;
                for (tenant, c) in &s.tenants {
                    if c.id.is_none() && c.identifier.is_none() {
                        return Err(invalid(
                            &format!("psa.tenants.{tenant}"),
                            "give `id` and/or `identifier` of the company",
                        ));
                    }
                }
                Ok(())
            }
            PsaConfig::Autotask(s) => some_tenant(s.tenants.len()),
            PsaConfig::HaloPsa(s) => {
                one_of(
                    "psa.instance_url",
                    &s.instance_url,
                    "psa.instance",
                    &s.instance,
                )?;
                some_tenant(s.tenants.len())
            }
            PsaConfig::Syncro(s) => {
                one_of("psa.base_url", &s.base_url, "psa.subdomain", &s.subdomain)?;
                some_tenant(s.tenants.len())
            }
        }
    }

    /// Build connectors from this configuration, reading secrets from the process
    /// environment (change with [`ConnectorsBuilder::env`]).
    pub fn builder(&self) -> ConnectorsBuilder<'_> {
        ConnectorsBuilder {
            config: self,
            env: Box::new(|name| std::env::var(name).ok()),
            #[cfg(feature = "sim")]
            sim: None,
        }
    }
}

fn invalid(field: &str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn one_of(a: &str, va: &Option<String>, b: &str, vb: &Option<String>) -> Result<(), ConfigError> {
    match (va, vb) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        (Some(_), Some(_)) => Err(invalid(a, &format!("give `{a}` or `{b}`, not both"))),
        (None, None) => Err(invalid(a, &format!("give `{a}` or `{b}`"))),
    }
}

fn some_tenant(n: usize) -> Result<(), ConfigError> {
    if n == 0 {
        return Err(invalid(
            "psa.tenants",
            "map at least one tenant to the vendor's company/client (`[psa.tenants]`)",
        ));
    }
    Ok(())
}

type EnvLookup<'a> = Box<dyn Fn(&str) -> Option<String> + Send + Sync + 'a>;

/// Builds connectors from a [`ConnectorsConfig`] (see [`ConnectorsConfig::builder`]).
pub struct ConnectorsBuilder<'a> {
    config: &'a ConnectorsConfig,
    env: EnvLookup<'a>,
    #[cfg(feature = "sim")]
    sim: Option<msp_agent_sim::SimMsp>,
}

impl fmt::Debug for ConnectorsBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorsBuilder")
            .field("vendor", &self.config.psa.vendor())
            .finish_non_exhaustive()
    }
}

impl<'a> ConnectorsBuilder<'a> {
    /// Where `*_env` variables are looked up (default: the process environment). Tests and
    /// secret managers plug in here.
    pub fn env(mut self, lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'a) -> Self {
        self.env = Box::new(lookup);
        self
    }

    /// The simulator `vendor = "sim"` serves (default: a fresh `SimMsp::seeded()`). Pass
    /// the one whose other capabilities you use, so tickets and directory are one world.
    #[cfg(feature = "sim")]
    pub fn sim(mut self, msp: msp_agent_sim::SimMsp) -> Self {
        self.sim = Some(msp);
        self
    }

    /// `base` with its PSA replaced by the configured one (identity, RMM, documentation
    /// and delivery are kept).
    pub fn capabilities(&self, base: Capabilities) -> Result<Capabilities, ConfigError> {
        Ok(Capabilities {
            tickets: self.tickets()?,
            ..base
        })
    }

    /// The configured PSA.
    pub fn tickets(&self) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        self.config.validate()?;
        match &self.config.psa {
            PsaConfig::Sim(_) => self.sim_tickets(),
            PsaConfig::ConnectWise(s) => self.connectwise(s),
            PsaConfig::Autotask(s) => self.autotask(s),
            PsaConfig::HaloPsa(s) => self.halopsa(s),
            PsaConfig::Syncro(s) => self.syncro(s),
        }
    }

    /// The secret in the variable `field` names.
    #[allow(dead_code)]
    fn secret(&self, field: &str, var: &str) -> Result<secrecy::SecretString, ConfigError> {
        match (self.env)(var) {
            Some(v) if !v.is_empty() => Ok(secrecy::SecretString::from(v)),
            _ => Err(ConfigError::MissingEnv {
                var: var.to_string(),
                field: format!("psa.{field}"),
            }),
        }
    }

    #[cfg(feature = "sim")]
    fn sim_tickets(&self) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Ok(Arc::new(self.sim.clone().unwrap_or_default()))
    }

    #[cfg(not(feature = "sim"))]
    fn sim_tickets(&self) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Err(not_compiled("sim"))
    }

    #[cfg(feature = "connectwise")]
    fn connectwise(&self, s: &ConnectWiseSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        use msp_agent_connectwise::{
            CompanyRef, ConnectWise, ConnectWiseConfig, PriorityMap, StatusMap,
        };
        let base_url = match (&s.base_url, &s.site) {
            (Some(url), _) => url.clone(),
            (None, site) => ConnectWiseConfig::cloud_base_url(
                site.as_deref().unwrap_or_default(),
                s.codebase.as_deref().unwrap_or("v4_6_release"),
            ),
        };
        let mut c = ConnectWiseConfig::new(
            base_url,
            &s.company_id,
            &s.public_key,
            self.secret("private_key_env", &s.private_key_env)?,
            &s.client_id,
            &s.agent_member,
        );
        for (tenant, company) in &s.tenants {
            let r = CompanyRef {
                id: company.id,
                identifier: company.identifier.clone(),
            };
            c = c.tenant(tenant.as_str(), r);
        }
        if let Some(m) = &s.technician_member {
            c = c.technician_member(m);
        }
        if let Some(v) = &s.api_version {
            c = c.api_version(v);
        }
        let mut statuses = StatusMap::default();
        for (status, name) in &s.statuses {
            statuses = statuses.set(*status, name);
        }
        let mut priorities = PriorityMap::default();
        for (priority, name) in &s.priorities {
            priorities = priorities.set(*priority, name);
        }
        c = c.statuses(statuses).priorities(priorities);
        if let Some(n) = s.page_size {
            c = c.page_size(n);
        }
        if let Some(t) = s.timeout_secs {
            c = c.timeout(std::time::Duration::from_secs(t));
        }
        if let Some(n) = s.requests_per_minute {
            c = c.rate_limit(rate_limit(n));
        }
        let psa = ConnectWise::new(c).map_err(|source| ConfigError::Connector {
            vendor: "connectwise",
            source,
        })?;
        Ok(Arc::new(psa))
    }

    #[cfg(not(feature = "connectwise"))]
    fn connectwise(&self, _: &ConnectWiseSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Err(not_compiled("connectwise"))
    }

    #[cfg(feature = "autotask")]
    fn autotask(&self, s: &AutotaskSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        use msp_agent_autotask::{Autotask, AutotaskConfig, PriorityLabels, StatusLabels};
        let mut c = AutotaskConfig::new(
            &s.username,
            self.secret("secret_env", &s.secret_env)?,
            &s.integration_code,
            s.agent_resource_id,
        );
        for (tenant, company) in &s.tenants {
            c = c.tenant(tenant.as_str(), *company);
        }
        if let Some(url) = &s.zone_url {
            c = c.zone_url(url);
        }
        if let Some(url) = &s.discovery_url {
            c = c.discovery_url(url);
        }
        if let Some(id) = s.technician_resource_id {
            c = c.technician_resource(id);
        }
        if let Some(id) = s.time_entry_role_id {
            c = c.time_entry_role(id);
        }
        let mut statuses = StatusLabels::default();
        for (status, label) in &s.statuses {
            statuses = statuses.set(*status, label);
        }
        let mut priorities = PriorityLabels::default();
        for (priority, label) in &s.priorities {
            priorities = priorities.set(*priority, label);
        }
        c = c.statuses(statuses).priorities(priorities);
        if let Some(n) = s.note_type {
            c = c.note_type(n);
        }
        if s.publish_public.is_some() || s.publish_internal.is_some() {
            let (public, internal) = (c.publish_public, c.publish_internal);
            c = c.publish(
                s.publish_public.unwrap_or(public),
                s.publish_internal.unwrap_or(internal),
            );
        }
        if let Some(n) = s.page_size {
            c = c.page_size(n);
        }
        if let Some(n) = s.max_concurrency {
            c = c.max_concurrency(n);
        }
        if let Some(t) = s.timeout_secs {
            c = c.timeout(std::time::Duration::from_secs(t));
        }
        if let Some(n) = s.requests_per_minute {
            c = c.rate_limit(rate_limit(n));
        }
        let psa = Autotask::new(c).map_err(|source| ConfigError::Connector {
            vendor: "autotask",
            source,
        })?;
        Ok(Arc::new(psa))
    }

    #[cfg(not(feature = "autotask"))]
    fn autotask(&self, _: &AutotaskSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Err(not_compiled("autotask"))
    }

    #[cfg(feature = "halopsa")]
    fn halopsa(&self, s: &HaloPsaSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        use msp_agent_halopsa::{HaloConfig, HaloPsa, PriorityIds, StatusNames};
        let instance_url = match (&s.instance_url, &s.instance) {
            (Some(url), _) => url.clone(),
            (None, name) => HaloConfig::hosted_url(name.as_deref().unwrap_or_default()),
        };
        let mut c = HaloConfig::new(
            instance_url,
            &s.client_id,
            self.secret("client_secret_env", &s.client_secret_env)?,
            s.agent_id,
        );
        for (tenant, client) in &s.tenants {
            c = c.tenant(tenant.as_str(), *client);
        }
        if let Some(url) = &s.auth_url {
            c = c.auth_url(url);
        }
        if let Some(t) = &s.hosted_tenant {
            c = c.hosted_tenant(t);
        }
        if let Some(scope) = &s.scope {
            c = c.scope(scope);
        }
        if let Some(id) = s.technician_agent_id {
            c = c.technician_agent_id(id);
        }
        if s.note_outcome.is_some() || s.time_outcome.is_some() {
            let note = s.note_outcome.clone().unwrap_or(c.note_outcome.clone());
            let time = s.time_outcome.clone().unwrap_or(c.time_outcome.clone());
            c = c.outcomes(note, time);
        }
        let mut statuses = StatusNames::default();
        for (status, name) in &s.statuses {
            statuses = statuses.write_as(*status, name);
        }
        let mut priorities = PriorityIds::default();
        for (priority, id) in &s.priorities {
            priorities = priorities.set(*priority, *id);
        }
        c = c.statuses(statuses).priorities(priorities);
        if let Some(n) = s.page_size {
            c = c.page_size(n);
        }
        if let Some(t) = s.timeout_secs {
            c = c.timeout(std::time::Duration::from_secs(t));
        }
        if let Some(n) = s.requests_per_minute {
            c = c.rate_limit(rate_limit(n));
        }
        let psa = HaloPsa::new(c).map_err(|source| ConfigError::Connector {
            vendor: "halopsa",
            source,
        })?;
        Ok(Arc::new(psa))
    }

    #[cfg(not(feature = "halopsa"))]
    fn halopsa(&self, _: &HaloPsaSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Err(not_compiled("halopsa"))
    }

    #[cfg(feature = "syncro")]
    fn syncro(&self, s: &SyncroSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        use msp_agent_syncro::{PriorityMap, StatusMap, Syncro, SyncroConfig};
        let base_url = match (&s.base_url, &s.subdomain) {
            (Some(url), _) => url.clone(),
            (None, sub) => SyncroConfig::subdomain_url(sub.as_deref().unwrap_or_default()),
        };
        let mut c = SyncroConfig::new(
            base_url,
            self.secret("api_token_env", &s.api_token_env)?,
            s.agent_user_id,
        );
        for (tenant, customer) in &s.tenants {
            c = c.tenant(tenant.as_str(), *customer);
        }
        if let Some(id) = s.technician_user_id {
            c = c.technician_user_id(id);
        }
        let mut statuses = StatusMap::default();
        for (status, name) in &s.statuses {
            statuses = statuses.write_as(*status, name);
        }
        let mut priorities = PriorityMap::default();
        for (priority, name) in &s.priorities {
            priorities = priorities.write_as(*priority, name);
        }
        c = c.statuses(statuses).priorities(priorities);
        if let Some(subject) = &s.comment_subject {
            c = c.comment_subject(subject);
        }
        if let Some(email) = s.email_public_comments {
            c = c.email_public_comments(email);
        }
        if let Some(n) = s.max_pages {
            c = c.max_pages(n);
        }
        if let Some(t) = s.timeout_secs {
            c = c.timeout(std::time::Duration::from_secs(t));
        }
        if let Some(n) = s.requests_per_minute {
            c = c.rate_limit(rate_limit(n));
        }
        let psa = Syncro::new(c).map_err(|source| ConfigError::Connector {
            vendor: "syncro",
            source,
        })?;
        Ok(Arc::new(psa))
    }

    #[cfg(not(feature = "syncro"))]
    fn syncro(&self, _: &SyncroSettings) -> Result<Arc<dyn TicketSystem>, ConfigError> {
        Err(not_compiled("syncro"))
    }
}

/// `requests_per_minute = n`: `0` turns the client-side limit off.
#[allow(dead_code)]
fn rate_limit(n: u32) -> Option<msp_agent_http::RateLimit> {
    NonZeroU32::new(n).map(msp_agent_http::RateLimit::per_minute)
}

#[allow(dead_code)]
fn not_compiled(vendor: &'static str) -> ConfigError {
    ConfigError::NotCompiled {
        section: "psa",
        vendor,
        feature: vendor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_simulator() {
        let c = ConnectorsConfig::from_toml_str("").unwrap_or_default();
        assert_eq!(c.psa.vendor(), "sim");
    }

    #[test]
    fn key_lines_are_found() {
        let text = "[psa]\nvendor = \"sim\"\n\n  colour = 1\n";
        assert_eq!(line_of_key(text, 0, "colour"), Some(4));
        assert_eq!(line_of_key(text, 0, "missing"), None);
        assert_eq!(line_of(text, 6), 2);
    }

    #[cfg(not(feature = "connectwise"))]
    #[test]
    fn vendor_compiled_out_is_named_with_its_feature() {
        let text = r#"
            [psa]
            vendor = "connectwise"
            site = "api-na.myconnectwise.net"
            company_id = "mymsp"
            public_key = "pub"
            private_key_env = "CW_PRIVATE_KEY"
            client_id = "id"
            agent_member = "msp-agent"
            tenants = { contoso = { id = 250 } }
        "#;
        let config = ConnectorsConfig::from_toml_str(text);
        let err = config
            .as_ref()
            .map(|c| c.builder().env(|_| Some("k".into())).tickets().err());
        assert!(
            matches!(
                err,
                Ok(Some(ConfigError::NotCompiled {
                    vendor: "connectwise",
                    feature: "connectwise",
                    ..
                }))
            ),
            "{err:?}"
        );
    }

    #[cfg(not(feature = "sim"))]
    #[test]
    fn sim_compiled_out_is_named_with_its_feature() {
        let config = ConnectorsConfig::default();
        let err = config.builder().tickets().err();
        assert!(
            matches!(err, Some(ConfigError::NotCompiled { feature: "sim", .. })),
            "{err:?}"
        );
    }
}
