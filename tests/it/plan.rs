//! The commented example answers file (assets/answers-demo.toml) against the demo catalog:
//! planned with zero problems, then sent to a real demo server, which accepts it (201).

use std::path::{Path, PathBuf};

use cds_wizard::cds::{AuthorizationServerMetadata, RegistrationFieldType};
use cds_wizard::demo::documents::Documents;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::onboarding::answers;
use cds_wizard::onboarding::plan::{self, RegistrationPlan};
use serde_json::Value;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/answers-demo.toml")
}

fn catalog(base: &str) -> AuthorizationServerMetadata {
    let docs = Documents::render(base).expect("demo documents");
    serde_json::from_value(docs.oauth_metadata).expect("demo catalog")
}

fn plan_example(meta: &AuthorizationServerMetadata) -> RegistrationPlan {
    let a = answers::load(&example()).expect("example answers load");
    let read = |p: &Path| std::fs::read(p);
    match plan::plan(meta, &a.selection(), &read, jiff::Timestamp::now()) {
        Ok(p) => p,
        Err(problems) => panic!(
            "the example has problems:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn the_example_plans_cleanly_against_the_demo_catalog() {
    let meta = catalog("http://127.0.0.1:9");
    let p = plan_example(&meta);
    assert_eq!(p.endpoint.as_str(), "http://127.0.0.1:9/oauth/register");
    let r = &p.request;
    assert_eq!(
        r["scope"],
        "cds_client_admin dge_usage_electric dge_bill_statements dge_public_outages"
    );
    assert_eq!(r["cds_company_name"], "Watt Watcher Inc.");
    assert_eq!(r["cds_company_dba"], Value::Null);
    assert!(r.get("redirect_uris").is_none());
    let purposes = &r["cds_purposes"][0];
    assert_eq!(purposes["id"], "");
    assert_eq!(purposes["scopes_supported"], serde_json::json!([]));
    // Files went in as Base64 and show as names in the redacted view.
    assert!(
        r["cds_authorization_form_icon"]
            .as_str()
            .unwrap()
            .starts_with("iVBORw0KGgo")
    );
    assert!(
        r["cds_insurance_certificate"]
            .as_str()
            .unwrap()
            .starts_with("JVBERi0")
    );
    let shown = p.redacted_request().to_string();
    assert!(shown.contains("answers-demo-insurance.pdf"), "{shown}");
    assert!(!shown.contains("JVBERi0"));
    // The checklist names every post-registration step, with the exact fee.
    let ids: Vec<&str> = p.checklist.iter().map(|s| s.field_id.as_str()).collect();
    for id in [
        "contact_email_verification",
        "dge_internal_review",
        "third_party_agreement_pdf",
        "bill_access_setup_fee",
        "cybersecurity_attestation",
        "partner_portal_sso",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let fee = p
        .checklist
        .iter()
        .find(|s| s.kind == RegistrationFieldType::PaymentRequired)
        .unwrap();
    // The catalog writes 250.00; the digits survive exactly.
    assert_eq!(fee.amount.unwrap().to_string(), "250.00");
    assert_eq!(fee.currency.as_deref(), Some("USD"));
    // Modifiers kept for the authorize step, defaults filled in.
    let usage = &p.authorization_details["dge_usage_electric"][0];
    assert_eq!(usage["segment_start"], "P12M");
    assert_eq!(usage["dge_rounding_increment_kwh"].to_string(), "0.01");
    assert_eq!(usage["purpose"], "dge_purpose_general");
    assert_eq!(
        p.authorization_details["dge_public_outages"][0]["dge_feed_format"],
        "geojson"
    );
}

#[tokio::test]
async fn the_example_registers_at_a_real_demo_server() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = DemoServer::start(0, DemoOptions::default())
        .await
        .expect("demo server");
    let meta = catalog(&server.base_url);
    let p = plan_example(&meta);
    let resp = reqwest::Client::new()
        .post(p.endpoint.clone())
        .header("content-type", "application/json")
        .body(p.body())
        .send()
        .await
        .expect("register");
    let status = resp.status();
    let body: Value = resp.json().await.expect("json");
    server.stop().await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert_eq!(body["scope"], "cds_client_admin");
    assert!(
        body["client_secret"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}
