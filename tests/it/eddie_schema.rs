//! The demo's documents against the JSON Schema that a real client (EDDIE's CDS region
//! connector) uses against a deployed CDS server (tests/fixtures/eddie/cds-schemas.json,
//! 2025-era field names). Where the field names agree the documents must validate; where the
//! deployed variant differs, the differences are recorded in
//! tests/fixtures/eddie-schema-differences.txt and this test fails if they change.
//! Regenerate after an intended change with `UPDATE_EDDIE_DIFFERENCES=1 cargo test --test it eddie_schema`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use base64::Engine;
use cds_wizard::demo::documents::Documents;
use cds_wizard::demo::{DemoOptions, DemoServer};
use serde_json::{Value, json};

fn eddie_schema() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eddie/cds-schemas.json");
    serde_json::from_str(&std::fs::read_to_string(&path).expect("eddie schema"))
        .expect("schema JSON")
}

/// Validates `instance` against `$defs/<def>` of the EDDIE schema; one line per error,
/// `<label> <def> <instance path>: <message>` with volatile values (URLs, ids) kept out.
fn differences(schema: &Value, def: &str, label: &str, instance: &Value) -> Vec<String> {
    let mut s = schema.clone();
    s["$ref"] = json!(format!("#/$defs/{def}"));
    let validator = jsonschema::validator_for(&s).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| {
            let msg = e.to_string();
            // Messages quote the instance; keep only the part before any quoted value that
            // may hold a port or random id, so the record is stable.
            let msg = msg.replace(|c: char| c.is_ascii_digit(), "#");
            let msg: String = msg.chars().take(160).collect();
            format!("{label} {def} {}: {msg}", e.instance_path())
        })
        .collect()
}

#[tokio::test]
async fn demo_documents_against_the_deployed_schema() {
    let schema = eddie_schema();
    let server = DemoServer::start(0, DemoOptions::default())
        .await
        .expect("demo");
    let docs = Documents::render(&server.base_url).expect("documents");
    let mut out: BTreeSet<String> = BTreeSet::new();

    out.extend(differences(
        &schema,
        "CDSMetadata",
        "server-metadata",
        &docs.server_metadata,
    ));
    out.extend(differences(
        &schema,
        "CDSMetadata",
        "related-north",
        &docs.related_north,
    ));
    out.extend(differences(
        &schema,
        "CDSMetadata",
        "related-gas",
        &docs.related_gas,
    ));
    let page = docs.coverage_page(&server.base_url, 1, None);
    out.extend(differences(
        &schema,
        "CoverageListing",
        "coverage-page-1",
        &page,
    ));
    for e in &docs.coverage_entries {
        let id = e["id"].as_str().unwrap_or("?");
        out.extend(differences(
            &schema,
            "CoverageEntry",
            &format!("coverage/{id}"),
            e,
        ));
    }
    out.extend(differences(
        &schema,
        "OAuthMetadata",
        "oauth-metadata",
        &docs.oauth_metadata,
    ));
    for (id, scope) in docs.oauth_metadata["cds_scope_descriptions"]
        .as_object()
        .unwrap()
    {
        out.extend(differences(
            &schema,
            "CdsScopeDescription",
            &format!("scope/{id}"),
            scope,
        ));
        for f in scope["authorization_details_fields_supported"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let fid = f["id"].as_str().unwrap_or("?");
            out.extend(differences(
                &schema,
                "AuthorizationDetailsField",
                &format!("scope/{id}/field/{fid}"),
                f,
            ));
        }
    }
    for (id, field) in docs.oauth_metadata["cds_registration_fields"]
        .as_object()
        .unwrap()
    {
        out.extend(differences(
            &schema,
            "RegistrationField",
            &format!("registration-field/{id}"),
            field,
        ));
    }

    // Objects the demo creates at run time: the registration response, a Clients page, a
    // Credentials page.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let c = reqwest::Client::new();
    let pdf = base64::engine::general_purpose::STANDARD.encode(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    );
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let reg: Value = c
        .post(format!("{}/oauth/register", server.base_url))
        .json(&json!({
            "scope": "cds_client_admin dge_usage_electric dge_bill_statements dge_public_outages cds_server_provided_files_1",
            "client_name": "Schema Check",
            "contacts": ["dev@schema.example"],
            "cds_company_name": "Schema Check Inc.",
            "cds_company_website": "https://schema.example",
            "cds_contact_email": "dev@schema.example",
            "cds_data_terms_accepted": true,
            "cds_authorization_form_icon": png,
            "cds_insurance_certificate": pdf,
        }))
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("registration JSON");
    assert!(
        reg["client_secret"].is_string(),
        "registration failed: {reg}"
    );
    out.extend(differences(
        &schema,
        "ClientRegistrationResponse",
        "registration-response",
        &reg,
    ));
    out.extend(differences(
        &schema,
        "Client",
        "registration-response",
        &reg,
    ));
    let token: Value = c
        .post(format!("{}/oauth/token", server.base_url))
        .basic_auth(
            reg["client_id"].as_str().unwrap(),
            reg["client_secret"].as_str(),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "cds_client_admin"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().expect("admin token");
    for (path, def, label) in [
        ("/api/clients", "Clients", "clients-page-1"),
        ("/api/credentials", "Credentials", "credentials-page-1"),
    ] {
        let page: Value = c
            .get(format!("{}{path}", server.base_url))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(differences(&schema, def, label, &page));
    }
    server.stop().await;

    let record = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eddie-schema-differences.txt");
    let header = "# Where the demo's 2026-shaped documents differ from the EDDIE CDS schema (2025 CDSC names).\n\
                  # Generated by tests/eddie_schema.rs; each line: <document> <schema $def> <instance path>: <error>.\n";
    let actual = format!(
        "{header}{}\n",
        out.into_iter().collect::<Vec<_>>().join("\n")
    );
    if std::env::var_os("UPDATE_EDDIE_DIFFERENCES").is_some() {
        std::fs::write(&record, &actual).expect("write record");
    }
    let expected = std::fs::read_to_string(&record).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "the differences from the EDDIE schema changed; review and regenerate with UPDATE_EDDIE_DIFFERENCES=1"
    );
}
