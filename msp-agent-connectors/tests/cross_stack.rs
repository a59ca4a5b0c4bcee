//! Issue 7 acceptance: the software-install and cross-stack diagnosis playbooks run end to
//! end over real connectors — ConnectWise (PSA), NinjaOne (RMM) and IT Glue (documentation),
//! each pointed at its own wiremock server — with the directory and secret delivery of the
//! simulated MSP. Assertions are on what each vendor API received.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use msp_agent_connectwise::{CompanyRef, ConnectWise, ConnectWiseConfig};
use msp_agent_core::agent::{Agent, TicketReport};
use msp_agent_core::capability::{Capabilities, InMemoryApprovalGateway};
use msp_agent_core::domain::{Intent, TenantId, TicketId};
use msp_agent_core::pipeline::TicketOutcome;
use msp_agent_core::secrecy::SecretString;
use msp_agent_http::RetryPolicy;
use msp_agent_itglue::{ConfigurationAssets, ItGlue, ItGlueConfig, Region, SearchSource};
use msp_agent_ninjaone::{Instance, NinjaOne, NinjaOneConfig, ScriptRef};
use msp_agent_sim::SimMsp;
use serde_json::{Value, json};
use wiremock::matchers::{
    any, body_json, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

/// The sim's client and one of its users (directory account `u-1008`).
const TENANT: &str = "acme";
const MARIA: &str = "maria.gonzalez@acme.example";
const TECHNICIAN: &str = "jane.tech";

// ConnectWise: company of `acme`, Maria's contact, the ticket under work, its board.
const CW_AUTH: &str = "Basic bXltc3ArcHVia2V5OnByaXZrZXk="; // base64("mymsp+pubkey:privkey")
const CW_CLIENT_ID: &str = "7d1c0c4e-0000-4000-8000-00000000cafe";
const CW_COMPANY: u64 = 250;
const CW_CONTACT: u64 = 55;
const TICKET: u64 = 5001;
const BOARD: u64 = 1;

// NinjaOne: organization of `acme`, Maria's laptop, the `install_package` library script.
const NJ_TOKEN: &str = "nj-access-token";
const NJ_ORG: u64 = 12;
const LAPTOP: u64 = 1008;
const LAPTOP_NAME: &str = "ACME-LT-1008";
const INSTALL_SCRIPT: u64 = 102;

// IT Glue: organization of `acme` and the flexible-asset types the connector reads.
const ITG_KEY: &str = "ITG.cross-stack-key";
const ITG_ORG: u64 = 100;
const SOP_TYPE: u64 = 41;
const CONFIG_TYPE: u64 = 42;

/// Three vendor APIs behind wiremock plus the simulated MSP's directory.
struct Stack {
    psa: MockServer,
    rmm: MockServer,
    docs: MockServer,
    sim: SimMsp,
}

impl Stack {
    /// Start the servers and mount what every ticket needs: the ticket, its contact, the
    /// board lookups, the closing writes, the RMM token, Maria's laptop and the client's
    /// configuration records.
    async fn start(subject: &str, body: &str, laptop_offline: bool) -> Self {
        let stack = Stack {
            psa: MockServer::start().await,
            rmm: MockServer::start().await,
            docs: MockServer::start().await,
            sim: SimMsp::seeded(),
        };
        // Any request no test mounted fails the test when the servers are dropped.
        for server in [&stack.psa, &stack.rmm, &stack.docs] {
            Mock::given(any())
                .respond_with(ResponseTemplate::new(418))
                .with_priority(u8::MAX)
                .expect(0)
                .named("unexpected request")
                .mount(server)
                .await;
        }
        let ticket = cw_ticket(TICKET, subject, body, "New");
        cw("GET", &format!("/service/tickets/{TICKET}"))
            .respond_with(ok(ticket.clone()))
            .mount(&stack.psa)
            .await;
        cw("GET", &format!("/company/contacts/{CW_CONTACT}"))
            .respond_with(ok(json!({
                "id": CW_CONTACT, "firstName": "Maria", "lastName": "Gonzalez",
                "company": {"id": CW_COMPANY},
                "communicationItems": [{"value": MARIA, "communicationType": "Email", "defaultFlag": true}]
            })))
            .mount(&stack.psa)
            .await;
        for kind in ["types", "subtypes", "statuses"] {
            cw("GET", &format!("/service/boards/{BOARD}/{kind}"))
                .respond_with(EchoName)
                .mount(&stack.psa)
                .await;
        }
        for (verb, p) in [
            ("PATCH", format!("/service/tickets/{TICKET}")),
            ("POST", format!("/service/tickets/{TICKET}/notes")),
            ("POST", "/time/entries".to_owned()),
        ] {
            cw(verb, &p)
                .respond_with(ok(json!({"id": 1})))
                .mount(&stack.psa)
                .await;
        }

        Mock::given(method("POST"))
            .and(path("/ws/oauth/token"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .respond_with(ok(json!({
                "access_token": NJ_TOKEN, "token_type": "Bearer", "expires_in": 3600
            })))
            .mount(&stack.rmm)
            .await;
        let laptop = nj_device(laptop_offline);
        nj("GET", "/v2/devices-detailed")
            .and(query_param("df", format!("org={NJ_ORG}")))
            .and(query_param_is_missing("after"))
            .respond_with(ok(json!([laptop])))
            .mount(&stack.rmm)
            .await;
        nj("GET", "/v2/devices-detailed")
            .and(query_param("after", LAPTOP.to_string()))
            .respond_with(ok(json!([])))
            .mount(&stack.rmm)
            .await;
        nj("GET", &format!("/v2/device/{LAPTOP}"))
            .respond_with(ok(laptop))
            .mount(&stack.rmm)
            .await;

        let catalogue = json!({"packages": [
            {"id": "acrobat-reader", "name": "Adobe Acrobat Reader", "platforms": ["windows", "macos"]},
            {"id": "7zip", "name": "7-Zip", "platforms": ["windows"]}
        ]});
        let contract = json!({"included": ["vpn_issue"], "billable": ["software_install"]});
        itg_assets(CONFIG_TYPE)
            .respond_with(ok(jsonapi(vec![
                itg_record(701, "software_catalogue", &catalogue),
                itg_record(702, "contract", &contract),
            ])))
            .mount(&stack.docs)
            .await;
        stack
    }

    /// Build the agent over ConnectWise + NinjaOne + IT Glue (+ the sim's directory and
    /// delivery) and work the ticket, a technician approving what needs approval.
    async fn handle(&self) -> TicketReport {
        let sim = self.sim.capabilities();
        let caps = Capabilities {
            tickets: Arc::new(ConnectWise::new(cw_config(&self.psa.uri())).unwrap()),
            identity: sim.identity,
            rmm: Arc::new(NinjaOne::new(nj_config(&self.rmm.uri())).unwrap()),
            docs: Arc::new(ItGlue::new(itg_config(&self.docs.uri())).unwrap()),
            delivery: sim.delivery,
        };
        // A technician approves every request as it comes in.
        let gateway = Arc::new(InMemoryApprovalGateway::new());
        let mut requests = gateway.subscribe();
        let technician = gateway.clone();
        let approving = tokio::spawn(async move {
            while let Ok(pending) = requests.recv().await {
                technician.approve(&pending.id, TECHNICIAN).unwrap();
            }
        });
        let report = Agent::builder(caps)
            .approvals(gateway, Duration::from_secs(5))
            .build()
            .handle(&TenantId::new(TENANT), &TicketId::new(TICKET.to_string()))
            .await
            .unwrap();
        approving.abort();
        report
    }
}

// ---- connector configuration ------------------------------------------------------------

fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(1),
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn cw_config(base: &str) -> ConnectWiseConfig {
    ConnectWiseConfig::new(
        base,
        "mymsp",
        "pubkey",
        secret("privkey"),
        CW_CLIENT_ID,
        "msp-agent",
    )
    .tenant(TENANT, CompanyRef::id(CW_COMPANY))
    .retry(quick_retry())
    .rate_limit(None)
}

fn nj_config(base: &str) -> NinjaOneConfig {
    NinjaOneConfig::new(
        Instance::Custom(base.to_owned()),
        "nj-client",
        secret("nj-secret"),
    )
    .tenant(TENANT, NJ_ORG)
    .script("install_package", ScriptRef::script(INSTALL_SCRIPT))
    .poll(Duration::from_millis(10), Duration::from_secs(5))
    .retry(quick_retry())
    .rate_limit(None)
}

fn itg_config(base: &str) -> ItGlueConfig {
    ItGlueConfig::new(Region::Custom(base.to_owned()), secret(ITG_KEY))
        .tenant(TENANT, ITG_ORG)
        .search(SearchSource::FlexibleAssets { type_id: SOP_TYPE })
        .configuration(ConfigurationAssets::new(CONFIG_TYPE))
        .retry(quick_retry())
        .rate_limit(None)
}

// ---- vendor-shaped mocks and bodies -----------------------------------------------------

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// ConnectWise: member API key, `clientId` and versioned `Accept` on every call.
fn cw(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p.to_owned()))
        .and(header("Authorization", CW_AUTH))
        .and(header("clientId", CW_CLIENT_ID))
        .and(header(
            "Accept",
            "application/vnd.connectwise.com+json; version=2025.1",
        ))
}

/// NinjaOne: the OAuth bearer token on every call.
fn nj(verb: &str, p: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(p.to_owned()))
        .and(header(
            "Authorization",
            format!("Bearer {NJ_TOKEN}").as_str(),
        ))
}

/// IT Glue: the flexible assets of one type in `acme`'s organization, with the API key.
fn itg_assets(type_id: u64) -> MockBuilder {
    Mock::given(method("GET"))
        .and(path("/flexible_assets"))
        .and(header("x-api-key", ITG_KEY))
        .and(header("Content-Type", "application/vnd.api+json"))
        .and(query_param(
            "filter[flexible-asset-type-id]",
            type_id.to_string(),
        ))
        .and(query_param("filter[organization-id]", ITG_ORG.to_string()))
}

/// Answers a ConnectWise board lookup (`conditions=name="X"`) with one object named X.
struct EchoName;

impl Respond for EchoName {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "conditions")
            .map(|(_, v)| v.trim_start_matches("name=").trim_matches('"').to_owned())
            .unwrap_or_default();
        ok(json!([{"id": status_id(&name), "name": name}]))
    }
}

/// Board item ids the mock hands out: the ticket's status is later patched to one of them.
fn status_id(name: &str) -> u64 {
    match name {
        "Closed" => 6,
        "Escalated" => 7,
        _ => 90,
    }
}

fn cw_ticket(id: u64, summary: &str, description: &str, status: &str) -> Value {
    json!({
        "id": id,
        "summary": summary,
        "initialDescription": description,
        "board": {"id": BOARD, "name": "Help Desk"},
        "status": {"name": status},
        "company": {"id": CW_COMPANY, "identifier": "Acme"},
        "contact": {"id": CW_CONTACT, "name": "Maria Gonzalez"},
        "contactEmailAddress": MARIA,
        "priority": {"name": "Priority 3 - Normal Response"},
        "_info": {"dateEntered": "2026-11-23T15:00:00Z"}
    })
}

fn nj_device(offline: bool) -> Value {
    json!({
        "id": LAPTOP,
        "organizationId": NJ_ORG,
        "nodeClass": "WINDOWS_WORKSTATION",
        "offline": offline,
        "systemName": LAPTOP_NAME,
        "os": {"name": "Windows 11 Pro"},
        "lastLoggedInUser": "ACME\\maria.gonzalez",
        "lastContact": 1_764_000_000.0
    })
}

fn jsonapi(data: Vec<Value>) -> Value {
    json!({"data": data, "links": {}, "meta": {"current-page": 1, "total-pages": 1}})
}

fn itg_asset(id: u64, type_name: &str, name: &str, traits: Value) -> Value {
    json!({
        "id": id.to_string(),
        "type": "flexible-assets",
        "attributes": {
            "organization-id": ITG_ORG,
            "flexible-asset-type-name": type_name,
            "name": name,
            "archived": false,
            "traits": traits
        }
    })
}

/// A client configuration record: the JSON in the `json` trait.
fn itg_record(id: u64, name: &str, record: &Value) -> Value {
    itg_asset(
        id,
        "msp-agent configuration",
        name,
        json!({"name": name, "json": record.to_string()}),
    )
}

// ---- what the vendors received ----------------------------------------------------------

/// Every request a server received that is not a read (`GET`) or the OAuth token call.
async fn writes(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() != "GET" && r.url.path() != "/ws/oauth/token")
        .collect()
}

fn described(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

/// The JSON bodies the PSA received as `verb path`.
async fn bodies(server: &MockServer, verb: &str, p: &str) -> Vec<Value> {
    writes(server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == p)
        .map(|r| r.body_json::<Value>().unwrap())
        .collect()
}

/// The one internal note the agent wrote on the ticket.
async fn internal_note(psa: &MockServer) -> String {
    let notes = bodies(psa, "POST", &format!("/service/tickets/{TICKET}/notes")).await;
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["internalAnalysisFlag"], true);
    assert_eq!(notes[0]["detailDescriptionFlag"], false);
    notes[0]["text"].as_str().unwrap().to_owned()
}

/// The ticket was closed out on ConnectWise: one agent time entry (billable or not) and the
/// status patched to the board status `status`.
async fn assert_closed_out(psa: &MockServer, billable: &str, status: &str) {
    let time = bodies(psa, "POST", "/time/entries").await;
    assert_eq!(time.len(), 1, "{time:#?}");
    assert_eq!(time[0]["chargeToId"], TICKET);
    assert_eq!(time[0]["chargeToType"], "ServiceTicket");
    assert_eq!(time[0]["member"]["identifier"], "msp-agent");
    assert_eq!(time[0]["billableOption"], billable);

    let patches = bodies(psa, "PATCH", &format!("/service/tickets/{TICKET}")).await;
    let status_ops: Vec<&Value> = patches
        .iter()
        .flat_map(|p| p.as_array().unwrap())
        .filter(|op| op["path"] == "status")
        .collect();
    assert_eq!(
        status_ops,
        [&json!({"op": "replace", "path": "status", "value": {"id": status_id(status)}})]
    );
}

// ---- the tickets ------------------------------------------------------------------------

fn script_run_path() -> String {
    format!("/v2/device/{LAPTOP}/script/run")
}

#[tokio::test]
async fn software_install_runs_the_ninjaone_script_and_closes_the_connectwise_ticket() {
    let stack = Stack::start(
        "Install Adobe Acrobat Reader",
        "Hi, please install Adobe Acrobat Reader on my laptop. Thanks, Maria",
        false,
    )
    .await;
    // The run: baseline activity, the script POST (the catalogue id as its parameter),
    // then the run's activity reported complete.
    nj("GET", &format!("/v2/device/{LAPTOP}/activities"))
        .and(query_param("pageSize", "1"))
        .and(query_param_is_missing("newerThan"))
        .respond_with(ok(
            json!({"activities": [{"id": 500, "statusCode": "COMPLETED"}]}),
        ))
        .expect(1)
        .mount(&stack.rmm)
        .await;
    nj("POST", &script_run_path())
        .and(body_json(json!({
            "type": "SCRIPT", "id": INSTALL_SCRIPT, "runAs": "SYSTEM", "parameters": "acrobat-reader"
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&stack.rmm)
        .await;
    nj("GET", &format!("/v2/device/{LAPTOP}/activities"))
        .and(query_param("newerThan", "500"))
        .respond_with(ok(json!({"activities": [{
            "id": 501, "activityType": "SCRIPTING", "statusCode": "COMPLETED",
            "activityResult": "SUCCESS", "seriesUid": "job-77",
            "message": "Adobe Acrobat Reader installed"
        }]})))
        .expect(1..)
        .mount(&stack.rmm)
        .await;

    let report = stack.handle().await;

    assert_eq!(report.intent, Intent::SoftwareInstall, "{report:#?}");
    assert_eq!(report.outcome, TicketOutcome::Resolved, "{report:#?}");
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.steps[0].action, "install_software");
    assert_eq!(report.steps[0].args["device"], LAPTOP.to_string());
    assert_eq!(report.steps[0].args["package"], "acrobat-reader");
    assert_eq!(report.steps[0].approver.as_deref(), Some(TECHNICIAN));

    // NinjaOne: exactly one script run, on Maria's laptop, and nothing else written.
    assert_eq!(
        described(&writes(&stack.rmm).await),
        [format!("POST {}", script_run_path())]
    );
    // IT Glue is only read.
    assert!(writes(&stack.docs).await.is_empty());

    let note = internal_note(&stack.psa).await;
    assert!(note.contains("install_software: executed"), "{note}");
    assert!(note.contains("Resolved by the agent"), "{note}");
    assert_closed_out(&stack.psa, "Billable", "Closed").await;
}

#[tokio::test]
async fn software_install_on_an_offline_ninjaone_device_runs_nothing_and_escalates() {
    let stack = Stack::start(
        "Install 7-Zip",
        "Can you install 7-Zip on my laptop please? Thanks, Maria",
        true,
    )
    .await;
    nj("POST", &script_run_path())
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&stack.rmm)
        .await;

    let report = stack.handle().await;

    assert_eq!(report.intent, Intent::SoftwareInstall, "{report:#?}");
    assert_eq!(report.outcome, TicketOutcome::Escalated, "{report:#?}");
    let why = report.escalation.as_deref().unwrap();
    assert!(why.contains(&format!("{LAPTOP_NAME} is offline")), "{why}");
    assert!(report.steps.is_empty(), "{:#?}", report.steps);
    assert!(writes(&stack.rmm).await.is_empty());
    assert!(writes(&stack.docs).await.is_empty());

    let note = internal_note(&stack.psa).await;
    assert!(
        note.contains(&format!(
            "Escalated to a technician: {LAPTOP_NAME} is offline"
        )),
        "{note}"
    );
    assert_closed_out(&stack.psa, "DoNotBill", "Escalated").await;
}

#[tokio::test]
async fn diagnosis_gathers_facts_from_every_system_into_one_note_and_acts_on_nothing() {
    let stack = Stack::start(
        "Laptop slow and no file share",
        "Hi, my laptop is really slow since this morning and I can't access the file share. \
         Thanks, Maria",
        false,
    )
    .await;
    // ConnectWise history: Maria's tickets, newest first; the closed one is not "open".
    cw("GET", "/service/tickets")
        .and(query_param(
            "conditions",
            format!("company/id={CW_COMPANY} and contactEmailAddress=\"{MARIA}\""),
        ))
        .respond_with(ok(json!([
            cw_ticket(TICKET, "Laptop slow and no file share", "", "New"),
            cw_ticket(
                4990,
                "Outlook keeps asking for my password",
                "",
                "In Progress"
            ),
            cw_ticket(4800, "Printer jammed on floor 2", "", "Closed"),
        ])))
        .expect(1)
        .mount(&stack.psa)
        .await;
    // NinjaOne health of the laptop: volumes, pending patches, open alerts.
    for (p, body) in [
        (
            "volumes",
            json!([{"deviceType": "Local Disk", "capacity": 2.5e11, "freeSpace": 3.2e9}]),
        ),
        ("os-patches", json!({"results": [{"id": 1}, {"id": 2}]})),
        (
            "alerts",
            json!([{"deviceId": LAPTOP, "severity": "CRITICAL",
                    "message": "Disk C: is 98% full", "createTime": 1_764_000_000.0}]),
        ),
    ] {
        nj("GET", &format!("/v2/device/{LAPTOP}/{p}"))
            .respond_with(ok(body))
            .expect(1)
            .mount(&stack.rmm)
            .await;
    }
    // IT Glue SOPs.
    itg_assets(SOP_TYPE)
        .respond_with(ok(jsonapi(vec![
            itg_asset(
                801,
                "SOP",
                "Slow laptop and file share troubleshooting",
                json!({"procedure": "<p>Check free disk space, then the mapped drives.</p>",
                       "tags": "performance, file access"}),
            ),
            itg_asset(
                802,
                "SOP",
                "Printer onboarding",
                json!({"procedure": "<p>Add the printer.</p>", "tags": "printer"}),
            ),
        ])))
        .expect(1)
        .mount(&stack.docs)
        .await;

    let report = stack.handle().await;

    assert!(
        matches!(report.intent, Intent::PerformanceIssue | Intent::FileAccess),
        "{report:#?}"
    );
    assert_eq!(report.outcome, TicketOutcome::Escalated, "{report:#?}");
    assert!(report.steps.is_empty(), "diagnosis acts on nothing");

    let note = internal_note(&stack.psa).await;
    for fact in [
        // NinjaOne
        "Disk C: is 98% full",
        &format!("Device {LAPTOP_NAME} (Windows 11 Pro): online"),
        "2 pending patches",
        // IT Glue
        "SOP: Slow laptop and file share troubleshooting",
        // ConnectWise
        "Also open from this requester: 4990 Outlook keeps asking for my password",
        // the sim's directory
        &format!("Account {MARIA}: enabled, not locked"),
    ] {
        assert!(note.contains(fact), "missing {fact:?} in\n{note}");
    }
    assert!(!note.contains("Printer jammed"), "{note}");
    assert!(!note.contains("Printer onboarding"), "{note}");

    // Writes: the note, the agent's time and the ticket patches on ConnectWise; nothing on
    // NinjaOne or IT Glue.
    let mut psa_writes = described(&writes(&stack.psa).await);
    psa_writes.sort();
    assert_eq!(
        psa_writes,
        [
            format!("PATCH /service/tickets/{TICKET}"),
            format!("PATCH /service/tickets/{TICKET}"),
            format!("POST /service/tickets/{TICKET}/notes"),
            "POST /time/entries".to_owned(),
        ]
    );
    assert!(writes(&stack.rmm).await.is_empty());
    assert!(writes(&stack.docs).await.is_empty());
    assert_closed_out(&stack.psa, "DoNotBill", "Escalated").await;
}
