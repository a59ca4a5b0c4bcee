//! Documentation: SOP search, client configuration records, the password vault.

use async_trait::async_trait;
use msp_agent_core::CapResult;
use msp_agent_core::capability::Documentation;
use msp_agent_core::domain::{Document, TenantId};
use msp_agent_core::secrecy::SecretString;
use serde_json::{Value, json};

use crate::SimMsp;
use crate::state::{DocRecord, call, not_found};
use crate::text::index_words;

fn url(tenant: &TenantId, rest: &str) -> String {
    format!("sim://docs/{tenant}/{rest}")
}

/// Score of a document for the query words: 3 per word in the title, 2 per word in the
/// tags, 1 per word in the body.
fn score(doc: &DocRecord, words: &[String]) -> u32 {
    words
        .iter()
        .map(|w| {
            3 * u32::from(doc.title_words.contains(w))
                + 2 * u32::from(doc.tag_words.contains(w))
                + u32::from(doc.body_words.contains(w))
        })
        .sum()
}

#[async_trait]
impl Documentation for SimMsp {
    async fn search(&self, tenant: &TenantId, query: &str, limit: u32) -> CapResult<Vec<Document>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, "search"),
                json!({ "query": query, "limit": limit }),
            );
            let mut words: Vec<String> = index_words(query).collect();
            words.sort();
            words.dedup();
            let mut hits: Vec<(u32, &DocRecord)> = t
                .docs
                .iter()
                .map(|d| (score(d, &words), d))
                .filter(|(s, _)| *s > 0)
                .collect();
            hits.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.doc.id.cmp(&b.1.doc.id)));
            Ok(hits
                .into_iter()
                .take(limit as usize)
                .map(|(_, d)| d.doc.clone())
                .collect())
        })
    }

    async fn client_configuration(
        &self,
        tenant: &TenantId,
        name: &str,
    ) -> CapResult<Option<Value>> {
        self.with(tenant, |t| {
            call(
                "GET",
                url(tenant, &format!("configurations/{name}")),
                Value::Null,
            );
            Ok(t.config.get(name).cloned())
        })
    }

    async fn vault_secret(&self, tenant: &TenantId, name: &str) -> CapResult<SecretString> {
        self.with(tenant, |t| {
            call("GET", url(tenant, &format!("vault/{name}")), Value::Null);
            t.vault
                .get(name)
                .cloned()
                .ok_or_else(|| not_found("vault entry", name))
        })
    }
}
