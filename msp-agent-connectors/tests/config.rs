//! `ConnectorsConfig`: parsing every vendor section, every error path, and each real PSA
//! built from TOML and pointed at wiremock, checking the vendor's documented auth arrives.
#![cfg(all(feature = "psa", feature = "sim"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use msp_agent_connectors::config::{ConfigError, ConnectorsConfig, PsaConfig};
use msp_agent_core::domain::{Priority, TenantId, TicketId, TicketStatus};
use msp_agent_sim::SimMsp;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const EXAMPLE: &str = include_str!("../../examples/data/connectors.toml");

fn parse(text: &str) -> ConnectorsConfig {
    ConnectorsConfig::from_toml_str(text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

fn parse_err(text: &str) -> ConfigError {
    ConnectorsConfig::from_toml_str(text).expect_err("must not parse")
}

/// An environment with exactly these variables.
fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn build_err(config: &ConnectorsConfig) -> ConfigError {
    config
        .builder()
        .env(env(&[]))
        .tickets()
        .err()
        .expect("must not build")
}

/// The commented-out section of `vendor` in the example file, uncommented.
fn example_section(vendor: &str) -> String {
    let blocks: Vec<&str> = EXAMPLE.split("\n\n").collect();
    let block = blocks
        .iter()
        .find(|b| b.contains(&format!("# vendor = \"{vendor}\"")))
        .unwrap_or_else(|| panic!("no {vendor} section in the example"));
    block
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

fn contoso() -> TenantId {
    TenantId::new("contoso")
}

// ---------------------------------------------------------------------------------------
// Parsing

#[test]
fn example_file_selects_the_simulator() {
    let c = parse(EXAMPLE);
    assert!(matches!(c.psa, PsaConfig::Sim(_)));
    assert_eq!(c.psa.vendor(), "sim");
    assert!(c.psa.tenants().is_empty());
    let c = ConnectorsConfig::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/connectors.toml"
    ))
    .unwrap();
    assert_eq!(c.psa.vendor(), "sim");
}

#[test]
fn every_ready_to_fill_example_section_parses() {
    for vendor in ["connectwise", "autotask", "halopsa", "syncro"] {
        let c = parse(&example_section(vendor));
        assert_eq!(c.psa.vendor(), vendor);
        assert!(c.psa.tenants().contains(&contoso()), "{vendor}");
    }
}

#[test]
fn empty_file_is_the_simulator() {
    assert_eq!(parse("").psa.vendor(), "sim");
}

#[test]
fn connectwise_section() {
    let c = parse(
        r#"
        [psa]
        vendor = "connectwise"
        site = "api-eu.myconnectwise.net"
        codebase = "v2025_1"
        company_id = "mymsp"
        public_key = "pub123"
        private_key_env = "CW_PRIVATE_KEY"
        client_id = "3f7c2b1e-0000-4000-8000-0123456789ab"
        agent_member = "msp-agent"
        technician_member = "jtech"
        api_version = "2024.1"
        page_size = 250
        timeout_secs = 10
        requests_per_minute = 0

        [psa.tenants]
        contoso = { id = 250 }
        fabrikam = { identifier = "Fabrikam" }

        [psa.statuses]
        waiting = "Waiting on Client"

        [psa.priorities]
        critical = "P1"
        "#,
    );
    let PsaConfig::ConnectWise(s) = &c.psa else {
        panic!("{c:?}")
    };
    assert_eq!(s.site.as_deref(), Some("api-eu.myconnectwise.net"));
    assert_eq!(s.codebase.as_deref(), Some("v2025_1"));
    assert_eq!(s.base_url, None);
    assert_eq!(s.company_id, "mymsp");
    assert_eq!(s.private_key_env, "CW_PRIVATE_KEY");
    assert_eq!(s.technician_member.as_deref(), Some("jtech"));
    assert_eq!(s.tenants["contoso"].id, Some(250));
    assert_eq!(
        s.tenants["fabrikam"].identifier.as_deref(),
        Some("Fabrikam")
    );
    assert_eq!(s.statuses[&TicketStatus::Waiting], "Waiting on Client");
    assert_eq!(s.priorities[&Priority::Critical], "P1");
    assert_eq!((s.page_size, s.timeout_secs), (Some(250), Some(10)));
    assert_eq!(s.requests_per_minute, Some(0));
    assert_eq!(
        c.psa.tenants(),
        [TenantId::new("contoso"), TenantId::new("fabrikam")]
    );
}

#[test]
fn autotask_section() {
    let c = parse(
        r#"
        [psa]
        vendor = "autotask"
        username = "agent-api@mymsp.example"
        secret_env = "AUTOTASK_SECRET"
        integration_code = "TRACKING"
        agent_resource_id = 29683000
        technician_resource_id = 29682885
        time_entry_role_id = 29683400
        discovery_url = "https://webservices.autotask.net/atservicesrest"
        note_type = 3
        publish_internal = 4
        max_concurrency = 2
        tenants = { contoso = 250 }
        statuses = { closed = "Done" }
        "#,
    );
    let PsaConfig::Autotask(s) = &c.psa else {
        panic!("{c:?}")
    };
    assert_eq!(s.username, "agent-api@mymsp.example");
    assert_eq!(s.secret_env, "AUTOTASK_SECRET");
    assert_eq!(s.agent_resource_id, 29_683_000);
    assert_eq!(s.technician_resource_id, Some(29_682_885));
    assert_eq!(s.time_entry_role_id, Some(29_683_400));
    assert_eq!(s.zone_url, None);
    assert_eq!((s.note_type, s.publish_public), (Some(3), None));
    assert_eq!(s.publish_internal, Some(4));
    assert_eq!(s.max_concurrency, Some(2));
    assert_eq!(s.tenants["contoso"], 250);
    assert_eq!(s.statuses[&TicketStatus::Closed], "Done");
}

#[test]
fn halopsa_section() {
    let c = parse(
        r#"
        [psa]
        vendor = "halopsa"
        instance = "mymsp"
        hosted_tenant = "mymsp"
        client_id = "app"
        client_secret_env = "HALO_CLIENT_SECRET"
        scope = "read:tickets edit:tickets"
        agent_id = 42
        note_outcome = "Private Note"
        [psa.tenants]
        contoso = 12
        [psa.priorities]
        high = 7
        "#,
    );
    let PsaConfig::HaloPsa(s) = &c.psa else {
        panic!("{c:?}")
    };
    assert_eq!(s.instance.as_deref(), Some("mymsp"));
    assert_eq!(s.hosted_tenant.as_deref(), Some("mymsp"));
    assert_eq!(s.client_secret_env, "HALO_CLIENT_SECRET");
    assert_eq!(s.scope.as_deref(), Some("read:tickets edit:tickets"));
    assert_eq!(s.agent_id, 42);
    assert_eq!(s.note_outcome.as_deref(), Some("Private Note"));
    assert_eq!(s.tenants["contoso"], 12);
    assert_eq!(s.priorities[&Priority::High], 7);
}

#[test]
fn syncro_section() {
    let c = parse(
        r#"
        [psa]
        vendor = "syncro"
        subdomain = "mymsp"
        api_token_env = "SYNCRO_API_TOKEN"
        agent_user_id = 77
        comment_subject = "Agent update"
        email_public_comments = false
        max_pages = 5
        [psa.tenants]
        contoso = 1001
        [psa.statuses]
        escalated = "Escalated"
        "#,
    );
    let PsaConfig::Syncro(s) = &c.psa else {
        panic!("{c:?}")
    };
    assert_eq!(s.subdomain.as_deref(), Some("mymsp"));
    assert_eq!(s.api_token_env, "SYNCRO_API_TOKEN");
    assert_eq!(s.agent_user_id, 77);
    assert_eq!(s.comment_subject.as_deref(), Some("Agent update"));
    assert_eq!(s.email_public_comments, Some(false));
    assert_eq!(s.max_pages, Some(5));
    assert_eq!(s.tenants["contoso"], 1001);
    assert_eq!(s.statuses[&TicketStatus::Escalated], "Escalated");
}

// ---------------------------------------------------------------------------------------
// Errors

#[test]
fn unknown_vendor_is_named_with_its_line() {
    let err = parse_err("# PSA\n[psa]\nvendor = \"freshdesk\"\n");
    assert!(
        matches!(&err, ConfigError::UnknownVendor { section: "psa", vendor, line: Some(3) } if vendor == "freshdesk"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("line 3") && text.contains("freshdesk"),
        "{text}"
    );
    assert!(
        text.contains("connectwise, autotask, halopsa, syncro"),
        "{text}"
    );
}

#[test]
fn missing_vendor_is_a_parse_error() {
    let err = parse_err("[psa]\nsite = \"x\"\n");
    assert!(
        matches!(&err, ConfigError::Parse { line: Some(1), message } if message.contains("vendor")),
        "{err:?}"
    );
}

#[test]
fn unknown_field_is_named_with_its_line() {
    let err = parse_err(
        "[psa]\nvendor = \"syncro\"\nsubdomain = \"mymsp\"\napi_token = \"inline!\"\n\
         api_token_env = \"T\"\nagent_user_id = 1\ntenants = { contoso = 1 }\n",
    );
    assert!(
        matches!(&err, ConfigError::UnknownField { field, line: Some(4), .. } if field == "api_token"),
        "{err:?}"
    );
    assert!(err.to_string().contains("api_token_env"), "{err}");

    // A field of another vendor.
    let err = parse_err("[psa]\nvendor = \"sim\"\nsite = \"api-na.myconnectwise.net\"\n");
    assert!(
        matches!(&err, ConfigError::UnknownField { field, line: Some(3), .. } if field == "site"),
        "{err:?}"
    );

    // An unknown section.
    let err = parse_err("[psa]\nvendor = \"sim\"\n\n[rmm]\nvendor = \"ninjaone\"\n");
    assert!(
        matches!(&err, ConfigError::UnknownField { field, line: Some(4), .. } if field == "rmm"),
        "{err:?}"
    );

    // Inside a tenant's company reference.
    let mut text = example_section("connectwise");
    text = text.replace("{ id = 250 }", "{ id = 250, name = \"Contoso\" }");
    let err = parse_err(&text);
    assert!(
        matches!(&err, ConfigError::UnknownField { field, .. } if field == "name"),
        "{err:?}"
    );
}

#[test]
fn wrong_type_and_bad_toml_are_parse_errors() {
    let mut text = example_section("syncro");
    text = text.replace("agent_user_id = 77", "agent_user_id = \"seventy-seven\"");
    let err = parse_err(&text);
    assert!(matches!(err, ConfigError::Parse { .. }), "{err:?}");

    let err = parse_err("[psa\nvendor = \"sim\"\n");
    assert!(
        matches!(err, ConfigError::Parse { line: Some(1), .. }),
        "{err:?}"
    );
}

#[test]
fn unreadable_file_is_an_io_error() {
    let err = ConnectorsConfig::from_path("/nonexistent/connectors.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/connectors.toml"));
}

#[test]
fn invalid_combinations_are_refused() {
    let cw = example_section("connectwise");
    let both = cw.replace(
        "site = ",
        "base_url = \"https://cw.example/v4_6_release/apis/3.0\"\nsite = ",
    );
    let err = parse_err(&both);
    assert!(
        matches!(&err, ConfigError::Invalid { field, message } if field == "psa.base_url" && message.contains("not both")),
        "{err:?}"
    );

    let no_company = cw.replace("{ id = 250 }", "{}");
    let err = parse_err(&no_company);
    assert!(
        matches!(&err, ConfigError::Invalid { field, .. } if field == "psa.tenants.contoso"),
        "{err:?}"
    );

    let halo = example_section("halopsa");
    let neither = halo.replace("instance = \"mymsp\"", "");
    let err = parse_err(&neither);
    assert!(
        matches!(&err, ConfigError::Invalid { field, .. } if field == "psa.instance_url"),
        "{err:?}"
    );

    let syncro = example_section("syncro");
    let no_tenants = syncro
        .replace("[psa.tenants]", "")
        .replace("contoso = 1001", "");
    let err = parse_err(&no_tenants);
    assert!(
        matches!(&err, ConfigError::Invalid { field, .. } if field == "psa.tenants"),
        "{err:?}"
    );
}

#[test]
fn missing_secret_variable_is_named() {
    for (vendor, var, field) in [
        ("connectwise", "CW_PRIVATE_KEY", "psa.private_key_env"),
        ("autotask", "AUTOTASK_SECRET", "psa.secret_env"),
        ("halopsa", "HALO_CLIENT_SECRET", "psa.client_secret_env"),
        ("syncro", "SYNCRO_API_TOKEN", "psa.api_token_env"),
    ] {
        let config = parse(&example_section(vendor));
        let err = build_err(&config);
        assert!(
            matches!(&err, ConfigError::MissingEnv { var: v, field: f } if v == var && f == field),
            "{vendor}: {err:?}"
        );
        assert!(err.to_string().contains(var), "{err}");
        // Set but empty is missing too.
        let err = config
            .builder()
            .env(env(&[(var, "")]))
            .tickets()
            .err()
            .unwrap();
        assert!(matches!(err, ConfigError::MissingEnv { .. }), "{err:?}");
        // Set: it builds (nothing is sent until the first call).
        assert!(
            config
                .builder()
                .env(env(&[(var, "s3cret")]))
                .tickets()
                .is_ok(),
            "{vendor}"
        );
    }
}

#[test]
fn the_secret_never_shows_in_errors_or_debug() {
    let config = parse(&example_section("syncro"));
    let builder = config
        .builder()
        .env(env(&[("SYNCRO_API_TOKEN", "tok-XYZ")]));
    assert!(!format!("{builder:?} {config:?}").contains("tok-XYZ"));
}

// ---------------------------------------------------------------------------------------
// Simulator

#[tokio::test]
async fn sim_vendor_serves_the_given_simulator() {
    let msp = SimMsp::seeded();
    let config = parse(EXAMPLE);
    let caps = config
        .builder()
        .sim(msp.clone())
        .capabilities(msp.capabilities())
        .unwrap();
    let (tenant, id) = msp.open_tickets().remove(0);
    let ticket = caps.tickets.get_ticket(&tenant, &id).await.unwrap();
    assert_eq!(ticket.id, id);
    // Without an explicit simulator, a freshly seeded one.
    let tickets = config.builder().tickets().unwrap();
    assert_eq!(tickets.get_ticket(&tenant, &id).await.unwrap().id, id);
}

#[tokio::test]
async fn a_real_vendor_replaces_only_the_psa() {
    let server = MockServer::start().await;
    let text = format!(
        "[psa]\nvendor = \"syncro\"\nbase_url = \"{}\"\napi_token_env = \"T\"\n\
         agent_user_id = 1\ntenants = {{ contoso = 1001 }}\n",
        server.uri()
    );
    let msp = SimMsp::seeded();
    let base = msp.capabilities();
    let identity = base.identity.clone();
    let caps = parse(&text)
        .builder()
        .env(env(&[("T", "tok")]))
        .capabilities(base)
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(&caps.identity, &identity));
    // The sim's ticket is not in Syncro: the PSA really is the configured one.
    let (tenant, id) = msp.open_tickets().remove(0);
    assert!(caps.tickets.get_ticket(&tenant, &id).await.is_err());
}

// ---------------------------------------------------------------------------------------
// Each real PSA, built from TOML, against wiremock

#[tokio::test]
async fn connectwise_from_toml_sends_basic_auth_and_client_id() {
    let server = MockServer::start().await;
    // base64("mymsp+pub123:priv-456")
    let basic = "Basic bXltc3ArcHViMTIzOnByaXYtNDU2";
    let client_id = "3f7c2b1e-0000-4000-8000-0123456789ab";
    Mock::given(method("GET"))
        .and(path("/v4_6_release/apis/3.0/service/tickets/101"))
        .and(header("Authorization", basic))
        .and(header("clientId", client_id))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 101,
            "summary": "Printer offline on 3rd floor",
            "board": {"id": 1, "name": "Help Desk"},
            "status": {"id": 16, "name": "New"},
            "company": {"id": 250, "identifier": "Contoso", "name": "Contoso Ltd"},
            "contact": {"id": 55, "name": "Jane Doe"},
            "contactEmailAddress": "jane@contoso.com",
            "priority": {"id": 4, "name": "Priority 3 - Normal Response"},
            "initialDescription": "The HP on floor 3 shows offline.",
            "_info": {"dateEntered": "2026-11-24T08:00:00Z"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let text = format!(
        r#"
        [psa]
        vendor = "connectwise"
        base_url = "{}/v4_6_release/apis/3.0"
        company_id = "mymsp"
        public_key = "pub123"
        private_key_env = "CW_KEY"
        client_id = "{client_id}"
        agent_member = "msp-agent"
        api_version = "2025.1"
        [psa.tenants]
        contoso = {{ id = 250 }}
        "#,
        server.uri()
    );
    let psa = parse(&text)
        .builder()
        .env(env(&[("CW_KEY", "priv-456")]))
        .tickets()
        .unwrap();
    let t = psa
        .get_ticket(&contoso(), &TicketId::new("101"))
        .await
        .unwrap();
    assert_eq!(t.subject, "Printer offline on 3rd floor");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.requester_email, "jane@contoso.com");
    let requests = server.received_requests().await.unwrap();
    let accept = requests[0].headers.get("accept").unwrap().to_str().unwrap();
    assert!(accept.contains("version=2025.1"), "{accept}");
}

#[tokio::test]
async fn autotask_from_toml_sends_its_three_auth_headers() {
    let server = MockServer::start().await;
    let authed = |verb: &str, p: &str| {
        Mock::given(method(verb))
            .and(path(format!("/ATServicesRest/v1.0{p}")))
            .and(header("UserName", "agent-api@mymsp.example"))
            .and(header("Secret", "at-s3cret"))
            .and(header("ApiIntegrationcode", "TRACKING123"))
    };
    authed("GET", "/Tickets/101")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"item": {
            "id": 101,
            "ticketNumber": "T20261124.0001",
            "title": "Printer offline on 3rd floor",
            "description": "The HP on floor 3 shows offline.",
            "companyID": 250,
            "contactID": 55,
            "status": 1,
            "priority": 2,
            "queueID": 8,
            "issueType": null,
            "subIssueType": null,
            "createDate": "2026-11-24T08:00:00.000Z"
        }})))
        .expect(1)
        .mount(&server)
        .await;
    let pick = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(v, l)| json!({"value": v, "label": l, "isActive": true}))
            .collect::<Vec<_>>()
    };
    authed("GET", "/Tickets/entityInformation/fields")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fields": [
            {"name": "status", "isPickList": true, "picklistValues": pick(&[("1", "New"), ("5", "Complete")])},
            {"name": "priority", "isPickList": true, "picklistValues": pick(&[("1", "High"), ("2", "Medium")])},
            {"name": "queueID", "isPickList": true, "picklistValues": pick(&[("8", "Level I Support")])}
        ]})))
        .mount(&server)
        .await;
    authed("GET", "/Contacts/query")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"id": 55, "companyID": 250, "firstName": "Jane", "lastName": "Doe",
                       "emailAddress": "jane@contoso.com", "isActive": 1}],
            "pageDetails": {"count": 1, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}
        })))
        .mount(&server)
        .await;
    let text = format!(
        r#"
        [psa]
        vendor = "autotask"
        username = "agent-api@mymsp.example"
        secret_env = "AT_SECRET"
        integration_code = "TRACKING123"
        agent_resource_id = 29683000
        zone_url = "{}/ATServicesRest/"
        tenants = {{ contoso = 250 }}
        "#,
        server.uri()
    );
    let psa = parse(&text)
        .builder()
        .env(env(&[("AT_SECRET", "at-s3cret")]))
        .tickets()
        .unwrap();
    let t = psa
        .get_ticket(&contoso(), &TicketId::new("101"))
        .await
        .unwrap();
    assert_eq!(t.subject, "Printer offline on 3rd floor");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.priority, Priority::Medium);
    assert_eq!(t.requester_email, "jane@contoso.com");
    // The zone was configured: no discovery request.
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| !r.url.path().contains("zoneInformation"))
    );
}

#[tokio::test]
async fn halopsa_from_toml_gets_a_token_then_sends_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(query_param("tenant", "mymsp"))
        .and(|r: &Request| {
            let body = String::from_utf8_lossy(&r.body);
            body.contains("grant_type=client_credentials")
                && body.contains("client_id=halo-app")
                && body.contains("client_secret=halo-s3cret")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "halo-token-1", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let bearer = |p: &str| {
        Mock::given(method("GET"))
            .and(path(format!("/api{p}")))
            .and(header("Authorization", "Bearer halo-token-1"))
    };
    bearer("/Tickets/101")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 101,
            "dateoccurred": "2026-11-24T08:00:00",
            "summary": "Printer offline on 3rd floor",
            "details": "The HP on floor 3 shows offline.",
            "status_id": 1,
            "priority_id": 3,
            "client_id": 12,
            "user_id": 55,
            "user_email": "jane@contoso.com",
            "team": "Service Desk"
        })))
        .expect(1)
        .mount(&server)
        .await;
    bearer("/Status")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "name": "New"}, {"id": 9, "name": "Closed"}
        ])))
        .mount(&server)
        .await;
    let text = format!(
        r#"
        [psa]
        vendor = "halopsa"
        instance_url = "{}"
        hosted_tenant = "mymsp"
        client_id = "halo-app"
        client_secret_env = "HALO_SECRET"
        agent_id = 42
        tenants = {{ contoso = 12 }}
        "#,
        server.uri()
    );
    let psa = parse(&text)
        .builder()
        .env(env(&[("HALO_SECRET", "halo-s3cret")]))
        .tickets()
        .unwrap();
    let t = psa
        .get_ticket(&contoso(), &TicketId::new("101"))
        .await
        .unwrap();
    assert_eq!(t.subject, "Printer offline on 3rd floor");
    assert_eq!(t.status, TicketStatus::New);
    assert_eq!(t.board, "Service Desk");
}

#[tokio::test]
async fn syncro_from_toml_sends_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tickets/501"))
        .and(header("Authorization", "Bearer sy-T0ken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ticket": {
            "id": 501,
            "number": 20501,
            "subject": "Printer offline on 3rd floor",
            "created_at": "2026-11-24T08:00:00.000-05:00",
            "customer_id": 1001,
            "problem_type": "Hardware",
            "status": "New",
            "priority": "2 Normal",
            "contact_id": 301,
            "comments": [{"id": 1, "created_at": "2026-11-24T08:00:00.000-05:00",
                          "subject": "Initial Issue", "body": "The HP on floor 3 shows offline.",
                          "hidden": false, "user_id": null}],
            "contact": {"id": 301, "name": "Jane Doe", "email": "jane@contoso.com"}
        }})))
        .expect(1)
        .mount(&server)
        .await;
    let text = format!(
        "[psa]\nvendor = \"syncro\"\nbase_url = \"{}\"\napi_token_env = \"SY_TOKEN\"\n\
         agent_user_id = 77\n[psa.tenants]\ncontoso = 1001\n",
        server.uri()
    );
    let psa = parse(&text)
        .builder()
        .env(env(&[("SY_TOKEN", "sy-T0ken")]))
        .tickets()
        .unwrap();
    let t = psa
        .get_ticket(&contoso(), &TicketId::new("501"))
        .await
        .unwrap();
    assert_eq!(t.subject, "Printer offline on 3rd floor");
    assert_eq!(t.body, "The HP on floor 3 shows offline.");
    assert_eq!(t.priority, Priority::Medium);
    assert_eq!(t.requester_email, "jane@contoso.com");
    // The token travels in the header only, never in the URL.
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.url.query().is_none()));
}
