//! The [`Documentation`] implementation.

use async_trait::async_trait;
use futures::{StreamExt, TryStreamExt};
use msp_agent_core::capability::Documentation;
use msp_agent_core::domain::{Document, DocumentId, TenantId};
use msp_agent_core::{CapResult, CapabilityError};
use msp_agent_http::{HttpClient, HttpError, Pagination, Request, StaticHeaders, paginate};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{ConfigurationAssets, ItGlueConfig, SearchSource};
use crate::model::{
    AssetAttrs, DocumentAttrs, PasswordEntry, PasswordSecret, Resource, Single, html_to_text,
    map_err, query_words, score,
};

/// The JSON:API media type every request declares.
pub const JSON_API: &str = "application/vnd.api+json";

/// The IT Glue REST API as a [`Documentation`] source.
///
/// Cheap to share (`Arc`): one connection pool and rate limiter for all calls.
pub struct ItGlue {
    http: HttpClient,
    config: ItGlueConfig,
}

impl std::fmt::Debug for ItGlue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItGlue")
            .field("base_url", &self.config.region.base_url())
            .field("tenants", &self.config.tenants.len())
            .finish_non_exhaustive()
    }
}

impl ItGlue {
    /// A connector for `config`; fails on an invalid base URL or API key.
    pub fn new(config: ItGlueConfig) -> CapResult<Self> {
        let key = StaticHeaders::new([("x-api-key", config.api_key.clone())])
            .map_err(CapabilityError::from)?;
        let mut builder = HttpClient::builder(config.region.base_url())
            .auth(key)
            .retry(config.retry.clone())
            .timeout(config.timeout);
        if let Some(limit) = config.rate_limit {
            builder = builder.rate_limit(limit);
        }
        let http = builder.build().map_err(CapabilityError::from)?;
        Ok(Self { http, config })
    }

    /// The configuration.
    pub fn config(&self) -> &ItGlueConfig {
        &self.config
    }

    /// The organization id of `tenant`, or `WrongTenant`.
    fn organization(&self, tenant: &TenantId) -> CapResult<u64> {
        self.config
            .tenants
            .get(tenant)
            .copied()
            .ok_or_else(|| CapabilityError::WrongTenant(tenant.clone()))
    }

    fn req(request: Request) -> Request {
        request.header("Content-Type", JSON_API)
    }

    /// Every resource of a listing (at most `max_scan`), one `page[size]` page at a time,
    /// following the JSON:API `links.next`.
    async fn list<A>(&self, request: Request) -> CapResult<Vec<Resource<A>>>
    where
        A: DeserializeOwned + Send + 'static,
    {
        let request = Self::req(request)
            .set_query("page[size]", self.config.page_size)
            .set_query("page[number]", 1);
        paginate::<Resource<A>>(&self.http, request, Pagination::json_api())
            .take(self.config.max_scan)
            .try_collect()
            .await
            .map_err(map_err)
    }

    /// Flexible assets of `type_id` in organization `org` (others dropped).
    async fn assets(&self, org: u64, type_id: u64) -> CapResult<Vec<Resource<AssetAttrs>>> {
        let request = Request::get("/flexible_assets")
            .query("filter[flexible-asset-type-id]", type_id)
            .query("filter[organization-id]", org);
        let assets = self.list::<AssetAttrs>(request).await?;
        Ok(assets
            .into_iter()
            .filter(|a| owned_by(org, a.attributes.organization_id, "flexible asset", &a.id))
            .filter(|a| a.attributes.archived != Some(true))
            .collect())
    }

    async fn source_documents(
        &self,
        tenant: &TenantId,
        org: u64,
        source: &SearchSource,
    ) -> CapResult<Vec<Document>> {
        Ok(match source {
            SearchSource::FlexibleAssets { type_id } => self
                .assets(org, *type_id)
                .await?
                .into_iter()
                .map(|a| asset_document(tenant, a))
                .collect(),
            SearchSource::Documents => {
                let request = Request::get(format!("/organizations/{org}/relationships/documents"));
                self.list::<DocumentAttrs>(request)
                    .await?
                    .into_iter()
                    .filter(|d| owned_by(org, d.attributes.organization_id, "document", &d.id))
                    .filter(|d| d.attributes.archived != Some(true))
                    .map(|d| Document {
                        id: DocumentId::new(format!("documents/{}", d.id)),
                        tenant: tenant.clone(),
                        title: d.attributes.name.unwrap_or_default(),
                        body: html_to_text(d.attributes.content.as_deref().unwrap_or_default()),
                        tags: vec!["document".into()],
                    })
                    .collect()
            }
        })
    }
}

/// Whether an object belongs to organization `org`; logs (ids only) when it does not.
fn owned_by(org: u64, owner: Option<u64>, kind: &str, id: &str) -> bool {
    let ok = owner == Some(org);
    if !ok {
        tracing::warn!(
            kind,
            id,
            organization = org,
            ?owner,
            "dropped object of another organization"
        );
    }
    ok
}

/// A flexible asset as a document: name → title, text traits → body, type name and a
/// `tags` trait → tags.
fn asset_document(tenant: &TenantId, asset: Resource<AssetAttrs>) -> Document {
    let attrs = asset.attributes;
    let traits = attrs.traits.unwrap_or_default();
    let body = traits
        .iter()
        .filter(|(k, _)| k.as_str() != "tags")
        .filter_map(|(_, v)| v.as_str().map(html_to_text))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let mut tags: Vec<String> = attrs
        .flexible_asset_type_name
        .iter()
        .map(|t| t.to_lowercase())
        .collect();
    if let Some(list) = traits.get("tags").and_then(Value::as_str) {
        tags.extend(
            html_to_text(list)
                .split([',', '\n'])
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty()),
        );
    }
    Document {
        id: DocumentId::new(format!("flexible_assets/{}", asset.id)),
        tenant: tenant.clone(),
        title: attrs.name.unwrap_or_default(),
        body,
        tags,
    }
}

/// The text of a trait (strings only, HTML stripped).
fn trait_text(traits: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    traits.get(key).and_then(Value::as_str).map(html_to_text)
}

/// The JSON of a configuration asset's JSON trait: as stored, or once HTML is stripped
/// (rich-text Textbox fields come back as HTML).
fn parse_record(
    cfg: &ConfigurationAssets,
    asset: &Resource<AssetAttrs>,
    traits: &serde_json::Map<String, Value>,
) -> CapResult<Value> {
    let label = || {
        format!(
            "flexible asset {} `{}`",
            asset.id,
            asset.attributes.name.as_deref().unwrap_or_default()
        )
    };
    match traits.get(&cfg.json_trait) {
        Some(Value::String(raw)) => serde_json::from_str(raw)
            .or_else(|_| serde_json::from_str(&html_to_text(raw)))
            .map_err(|e| {
                CapabilityError::Permanent(format!(
                    "{}: trait `{}` is not valid JSON: {e}",
                    label(),
                    cfg.json_trait
                ))
            }),
        Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(v.clone()),
        _ => Err(CapabilityError::Permanent(format!(
            "{}: no text trait `{}`",
            label(),
            cfg.json_trait
        ))),
    }
}

#[async_trait]
impl Documentation for ItGlue {
    async fn search(&self, tenant: &TenantId, query: &str, limit: u32) -> CapResult<Vec<Document>> {
        let org = self.organization(tenant)?;
        if self.config.search_sources.is_empty() {
            return Err(CapabilityError::Unsupported(
                "no IT Glue search source configured".into(),
            ));
        }
        let words = query_words(query);
        let mut ranked: Vec<(u32, Document)> = Vec::new();
        for source in &self.config.search_sources {
            for doc in self.source_documents(tenant, org, source).await? {
                let s = score(&words, &doc.title, &doc.body, &doc.tags);
                if s > 0 {
                    ranked.push((s, doc));
                }
            }
        }
        ranked.sort_by(|(a, da), (b, db)| b.cmp(a).then_with(|| da.title.cmp(&db.title)));
        Ok(ranked
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(_, d)| d)
            .collect())
    }

    async fn client_configuration(
        &self,
        tenant: &TenantId,
        name: &str,
    ) -> CapResult<Option<Value>> {
        let org = self.organization(tenant)?;
        let cfg = self.config.configuration.as_ref().ok_or_else(|| {
            CapabilityError::Unsupported("no IT Glue configuration asset type configured".into())
        })?;
        let wanted = name.trim();
        for asset in self.assets(org, cfg.type_id).await? {
            let traits = asset.attributes.traits.clone().unwrap_or_default();
            let matches = trait_text(&traits, &cfg.name_trait)
                .is_some_and(|n| n.trim().eq_ignore_ascii_case(wanted));
            if matches {
                return parse_record(cfg, &asset, &traits).map(Some);
            }
        }
        Ok(None)
    }

    async fn vault_secret(&self, tenant: &TenantId, name: &str) -> CapResult<SecretString> {
        let org = self.organization(tenant)?;
        let request = Request::get(format!("/organizations/{org}/relationships/passwords"))
            .query("filter[name]", name);
        let entries: Vec<Resource<PasswordEntry>> = self
            .list::<PasswordEntry>(request)
            .await?
            .into_iter()
            .filter(|p| owned_by(org, p.attributes.organization_id, "password", &p.id))
            .collect();
        let entry = entries
            .iter()
            .find(|p| p.attributes.name == name)
            .or_else(|| {
                entries
                    .iter()
                    .find(|p| p.attributes.name.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| {
                CapabilityError::NotFound(format!("vault entry `{name}` in organization {org}"))
            })?;
        let request = Self::req(
            Request::get(format!(
                "/organizations/{org}/relationships/passwords/{}",
                entry.id
            ))
            .query("show_password", "true"),
        );
        // A decoding error could quote the password: report it without details.
        let secret: Single<PasswordSecret> =
            self.http.send_json(&request).await.map_err(|e| match e {
                HttpError::MalformedResponse(_) => CapabilityError::Permanent(format!(
                    "malformed IT Glue response for vault entry `{name}`"
                )),
                other => map_err(other),
            })?;
        if secret.data.attributes.organization_id != Some(org) {
            return Err(CapabilityError::NotFound(format!(
                "vault entry `{name}` in organization {org}"
            )));
        }
        match secret.data.attributes.password {
            Some(p) if !p.expose_secret().is_empty() => Ok(p),
            Some(_) => Err(CapabilityError::Permanent(format!(
                "vault entry `{name}` has an empty password"
            ))),
            None => Err(CapabilityError::Forbidden(format!(
                "IT Glue returned no password for `{name}`: does the API key have Password Access?"
            ))),
        }
    }
}
