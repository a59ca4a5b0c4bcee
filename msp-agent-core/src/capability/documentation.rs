use async_trait::async_trait;
use secrecy::SecretString;

use crate::domain::{Document, TenantId};
use crate::error::CapResult;

/// Documentation: SOPs, client configuration, the password vault.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Documentation: Send + Sync {
    /// Documents matching a query (words, case-insensitive), best first, at most `limit`.
    async fn search(&self, tenant: &TenantId, query: &str, limit: u32) -> CapResult<Vec<Document>>;
    /// A client configuration record by name (e.g. `onboarding_template`), as JSON.
    async fn client_configuration(
        &self,
        tenant: &TenantId,
        name: &str,
    ) -> CapResult<Option<serde_json::Value>>;
    /// A vault entry's secret. Never log or store the result.
    async fn vault_secret(&self, tenant: &TenantId, name: &str) -> CapResult<SecretString>;
}
