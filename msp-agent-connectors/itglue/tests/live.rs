//! Optional live conformance run against a real IT Glue account.
//!
//! Runs only when every variable below is set; otherwise it prints why and passes:
//! `ITGLUE_API_KEY`, `ITGLUE_REGION` (`us`, `eu`, `au` or a base URL), `ITGLUE_ORG_ID`,
//! `ITGLUE_SOP_TYPE_ID`, `ITGLUE_CONFIG_TYPE_ID`, `ITGLUE_QUERY`, `ITGLUE_CONFIG_NAME`,
//! `ITGLUE_VAULT_ENTRY`. Read-only: it never writes to IT Glue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use msp_agent_core::conformance::{DocumentationFixture, check_documentation};
use msp_agent_core::domain::TenantId;
use msp_agent_itglue::{ConfigurationAssets, ItGlue, ItGlueConfig, Region, SearchSource};
use secrecy::SecretString;

const VARS: [&str; 8] = [
    "ITGLUE_API_KEY",
    "ITGLUE_REGION",
    "ITGLUE_ORG_ID",
    "ITGLUE_SOP_TYPE_ID",
    "ITGLUE_CONFIG_TYPE_ID",
    "ITGLUE_QUERY",
    "ITGLUE_CONFIG_NAME",
    "ITGLUE_VAULT_ENTRY",
];

#[tokio::test]
async fn live_itglue_conformance() {
    let values: Vec<String> = VARS
        .iter()
        .filter_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .collect();
    if values.len() != VARS.len() {
        println!("skipping live IT Glue test: set {}", VARS.join(", "));
        return;
    }
    let region = match values[1].to_ascii_lowercase().as_str() {
        "us" => Region::Us,
        "eu" => Region::Eu,
        "au" => Region::Au,
        _ => Region::Custom(values[1].clone()),
    };
    let config = ItGlueConfig::new(region, SecretString::from(values[0].clone()))
        .tenant("live", values[2].parse().unwrap())
        .search(SearchSource::FlexibleAssets {
            type_id: values[3].parse().unwrap(),
        })
        .configuration(ConfigurationAssets::new(values[4].parse().unwrap()));
    let ig = ItGlue::new(config).unwrap();
    let fixture = DocumentationFixture {
        tenant: TenantId::new("live"),
        query: values[5].clone(),
        configuration: values[6].clone(),
        vault_entry: values[7].clone(),
        missing_name: "msp-agent-live-test-missing-entry".into(),
        unmapped_tenant: TenantId::new("unmapped"),
    };
    let passed = check_documentation(&ig, &fixture).await.unwrap();
    assert_eq!(passed.len(), 6, "{passed:?}");
}
