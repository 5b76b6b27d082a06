//! Deliberately broken documents: each starts from the demo utility's own (conformant)
//! documents, breaks one rule, and must trigger the finding that targets it.

use std::collections::HashSet;

use cds_wizard::cds::conformance::{self, Finding, OAuthContext, Report, Severity};
use cds_wizard::demo::documents::Documents;
use serde_json::{Value, json};
use url::Url;

const BASE: &str = "http://127.0.0.1:9";

fn docs() -> Documents {
    Documents::render(BASE).expect("demo documents")
}

fn oauth_findings(doc: &Value) -> Vec<Finding> {
    let d = docs();
    let ids: HashSet<String> = d
        .coverage_entries
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    let served = Url::parse(&format!("{BASE}/.well-known/oauth-authorization-server")).unwrap();
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    conformance::check_oauth_metadata(
        &mut r,
        doc,
        &OAuthContext {
            served_from: &served,
            coverage_ids: Some(&ids),
        },
    );
    findings
}

fn metadata_findings(doc: &Value, entries: &[Value]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    conformance::check_server_metadata(&mut r, doc);
    let page = json!({"coverage_entries": entries, "next": null, "previous": null});
    conformance::check_coverage_page(&mut r, &page);
    conformance::check_coverage_listing(&mut r, entries, Some(doc));
    findings
}

fn errors(f: &[Finding]) -> Vec<&Finding> {
    f.iter().filter(|f| f.severity == Severity::Error).collect()
}

#[track_caller]
fn assert_finding(findings: &[Finding], code: &str, pointer: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.code == code && f.pointer == pointer),
        "expected {code} at {pointer}, got:\n{}",
        findings
            .iter()
            .map(|f| format!("  {} {} {}", f.code, f.pointer, f.message))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_demo_documents_are_conformant() {
    let d = docs();
    let f = oauth_findings(&d.oauth_metadata);
    assert!(errors(&f).is_empty(), "{:#?}", errors(&f));
    assert!(f.iter().all(|f| f.severity != Severity::Warning), "{f:#?}");
    let f = metadata_findings(&d.server_metadata, &d.coverage_entries);
    assert!(f.is_empty(), "{f:#?}");
}

/// Applies `edit` to the demo OAuth metadata and expects `code` at `pointer`.
#[track_caller]
fn broken_oauth(edit: impl FnOnce(&mut Value), code: &str, pointer: &str) {
    let mut doc = docs().oauth_metadata;
    edit(&mut doc);
    let f = oauth_findings(&doc);
    assert_finding(&f, code, pointer);
    let hit = f.iter().find(|x| x.code == code).unwrap();
    assert!(!hit.section.is_empty() && !hit.message.is_empty());
}

fn scope<'a>(doc: &'a mut Value, id: &str) -> &'a mut Value {
    &mut doc["cds_scope_descriptions"][id]
}

fn field<'a>(doc: &'a mut Value, scope_id: &str, field_id: &str) -> &'a mut Value {
    let fields = scope(doc, scope_id)["authorization_details_fields_supported"]
        .as_array_mut()
        .unwrap();
    fields.iter_mut().find(|f| f["id"] == field_id).unwrap()
}

fn index_of(doc: &Value, scope_id: &str, field_id: &str) -> usize {
    doc["cds_scope_descriptions"][scope_id]["authorization_details_fields_supported"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f["id"] == field_id)
        .unwrap()
}

#[test]
fn pkce_plain_offered_at_top_level() {
    broken_oauth(
        |d| d["code_challenge_methods_supported"] = json!(["S256", "plain"]),
        "oauth.pkce_plain_offered",
        "/code_challenge_methods_supported",
    );
}

#[test]
fn code_flow_scope_without_s256() {
    broken_oauth(
        |d| scope(d, "dge_rate_plan")["code_challenge_methods_supported"] = json!(["plain"]),
        "scope.pkce_s256_missing",
        "/cds_scope_descriptions/dge_rate_plan/code_challenge_methods_supported",
    );
}

#[test]
fn client_admin_missing() {
    broken_oauth(
        |d| {
            d["cds_scope_descriptions"]
                .as_object_mut()
                .unwrap()
                .shift_remove("cds_client_admin");
        },
        "oauth.client_admin_missing",
        "/cds_scope_descriptions",
    );
}

#[test]
fn client_admin_with_the_wrong_shape() {
    broken_oauth(
        |d| scope(d, "cds_client_admin")["grant_types_supported"] = json!(["authorization_code"]),
        "scope.cds_client_admin.shape",
        "/cds_scope_descriptions/cds_client_admin/grant_types_supported",
    );
}

#[test]
fn registration_reference_unresolved() {
    broken_oauth(
        |d| scope(d, "dge_rate_plan")["registration_requirements"] = json!(["no_such_field"]),
        "scope.registration_ref_unresolved",
        "/cds_scope_descriptions/dge_rate_plan/registration_requirements/0",
    );
}

#[test]
fn for_types_outside_the_scope_types() {
    let doc = docs().oauth_metadata;
    let i = index_of(&doc, "dge_usage_gas", "sync_until");
    broken_oauth(
        |d| field(d, "dge_usage_gas", "sync_until")["for_types"] = json!(["dge_usage_electric"]),
        "adf.for_types_not_subset",
        &format!(
            "/cds_scope_descriptions/dge_usage_gas/authorization_details_fields_supported/{i}/for_types/0"
        ),
    );
}

#[test]
fn bounds_missing_where_the_format_needs_them() {
    let doc = docs().oauth_metadata;
    let i = index_of(&doc, "dge_public_outages", "dge_min_customers_affected");
    broken_oauth(
        |d| {
            let f = field(d, "dge_public_outages", "dge_min_customers_affected");
            f.as_object_mut().unwrap().shift_remove("maximum");
            f.as_object_mut().unwrap().shift_remove("minimum");
        },
        "adf.bounds_missing",
        &format!(
            "/cds_scope_descriptions/dge_public_outages/authorization_details_fields_supported/{i}/maximum"
        ),
    );
}

#[test]
fn bound_of_the_wrong_type() {
    let doc = docs().oauth_metadata;
    let i = index_of(&doc, "dge_public_outages", "dge_history_start");
    broken_oauth(
        |d| field(d, "dge_public_outages", "dge_history_start")["maximum"] = json!("two years"),
        "adf.bound_type",
        &format!(
            "/cds_scope_descriptions/dge_public_outages/authorization_details_fields_supported/{i}/maximum"
        ),
    );
}

#[test]
fn choice_without_choices() {
    let doc = docs().oauth_metadata;
    let i = index_of(&doc, "dge_public_outages", "dge_feed_format");
    broken_oauth(
        |d| {
            field(d, "dge_public_outages", "dge_feed_format")
                .as_object_mut()
                .unwrap()
                .shift_remove("choices");
        },
        "adf.choices_missing",
        &format!(
            "/cds_scope_descriptions/dge_public_outages/authorization_details_fields_supported/{i}/choices"
        ),
    );
}

#[test]
fn default_on_a_required_field() {
    let doc = docs().oauth_metadata;
    let i = index_of(&doc, "cds_grant_admin_1", "grant_id");
    broken_oauth(
        |d| field(d, "cds_grant_admin_1", "grant_id")["default"] = json!("x"),
        "adf.default_on_required",
        &format!(
            "/cds_scope_descriptions/cds_grant_admin_1/authorization_details_fields_supported/{i}/default"
        ),
    );
}

#[test]
fn coverage_id_not_in_the_listing() {
    broken_oauth(
        |d| scope(d, "dge_usage_gas")["coverages_supported"] = json!(["dge_gas", "atlantis"]),
        "scope.coverage_unknown",
        "/cds_scope_descriptions/dge_usage_gas/coverages_supported/1",
    );
}

#[test]
fn par_and_test_accounts_required_with_response_types() {
    broken_oauth(
        |d| {
            d.as_object_mut()
                .unwrap()
                .shift_remove("pushed_authorization_request_endpoint");
        },
        "oauth.par_missing",
        "/pushed_authorization_request_endpoint",
    );
    broken_oauth(
        |d| {
            d.as_object_mut().unwrap().shift_remove("cds_test_accounts");
        },
        "oauth.test_accounts_missing",
        "/cds_test_accounts",
    );
}

#[test]
fn issuer_not_where_the_metadata_came_from() {
    broken_oauth(
        |d| d["issuer"] = json!("https://other.example"),
        "oauth.issuer_mismatch",
        "/issuer",
    );
    broken_oauth(
        |d| d["issuer"] = json!(format!("{BASE}/tenant")),
        "oauth.issuer_mismatch",
        "/issuer",
    );
}

#[test]
fn the_spec_texts_grant_admin_for_types_is_accepted_too() {
    // §3.3.2 writes `for_types: ["cds_grant_admin"]`; §12.2 uses the scope id. Both pass.
    let mut doc = docs().oauth_metadata;
    for id in ["client_id", "grant_id"] {
        field(&mut doc, "cds_grant_admin_1", id)["for_types"] = json!(["cds_grant_admin"]);
    }
    assert!(errors(&oauth_findings(&doc)).is_empty());
}

#[test]
fn plain_at_top_level_only_warns_since_non_cds_scopes_may_use_it() {
    let mut doc = docs().oauth_metadata;
    doc["code_challenge_methods_supported"] = json!(["S256", "plain"]);
    let f = oauth_findings(&doc);
    let hit = f
        .iter()
        .find(|f| f.code == "oauth.pkce_plain_offered")
        .unwrap();
    assert_eq!(hit.severity, Severity::Warning);
}

#[test]
fn an_issuer_on_another_host_is_fine_when_the_metadata_is_not_at_a_well_known_url() {
    let mut doc = docs().oauth_metadata;
    doc["issuer"] = json!("https://auth.example");
    let served = Url::parse(&format!("{BASE}/cds/oauth.json")).unwrap();
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    conformance::check_oauth_metadata(
        &mut r,
        &doc,
        &OAuthContext {
            served_from: &served,
            coverage_ids: None,
        },
    );
    assert!(errors(&findings).is_empty(), "{findings:#?}");
    assert!(findings.iter().any(|f| f.code == "oauth.issuer_elsewhere"));
}

#[test]
fn the_capabilities_union_applies_only_with_the_coverage_capability() {
    let d = docs();
    let mut meta = d.server_metadata.clone();
    meta["capabilities"] = json!(["oauth"]);
    meta.as_object_mut().unwrap().shift_remove("coverage");
    let f = metadata_findings(&meta, &d.coverage_entries);
    assert!(
        !f.iter().any(|f| f.code == "metadata.capabilities_union"),
        "{f:#?}"
    );
}

#[test]
fn union_rules_between_top_level_and_scopes() {
    broken_oauth(
        |d| {
            d["scopes_supported"]
                .as_array_mut()
                .unwrap()
                .retain(|s| s != "dge_usage_gas")
        },
        "oauth.union.scopes_supported",
        "/scopes_supported",
    );
    broken_oauth(
        |d| d["token_endpoint_auth_methods_supported"] = json!(["client_secret_basic"]),
        "oauth.union.token_endpoint_auth_methods_supported",
        "/token_endpoint_auth_methods_supported",
    );
    broken_oauth(
        |d| d["authorization_details_types_supported"] = json!([]),
        "oauth.union.authorization_details_types_supported",
        "/authorization_details_types_supported",
    );
}

#[test]
fn required_fields_and_timezone() {
    broken_oauth(
        |d| {
            d.as_object_mut().unwrap().shift_remove("cds_grants_api");
        },
        "oauth.required_field",
        "/cds_grants_api",
    );
    broken_oauth(
        |d| d["cds_timezone"] = json!("Mars/Olympus_Mons"),
        "oauth.timezone_unknown",
        "/cds_timezone",
    );
    broken_oauth(
        |d| d["introspection_endpoint"] = json!(42),
        "oauth.field_type",
        "/introspection_endpoint",
    );
}

#[test]
fn grant_admin_scope_reference_and_spf_api() {
    broken_oauth(
        |d| scope(d, "dge_rate_plan")["grant_admin_scope"] = json!("cds_grant_admin_9"),
        "scope.grant_admin_scope_unknown",
        "/cds_scope_descriptions/dge_rate_plan/grant_admin_scope",
    );
    broken_oauth(
        |d| {
            d.as_object_mut()
                .unwrap()
                .shift_remove("cds_server_provided_files_api");
        },
        "oauth.spf_api_missing",
        "/cds_server_provided_files_api",
    );
}

#[test]
fn registration_field_rules() {
    let pay = docs().oauth_metadata["cds_registration_fields"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, f)| f["type"] == "payment_required")
        .map(|(k, _)| k.clone())
        .unwrap();
    broken_oauth(
        |d| {
            d["cds_registration_fields"][&pay]
                .as_object_mut()
                .unwrap()
                .shift_remove("amount");
        },
        "regfield.payment_amount_missing",
        &format!("/cds_registration_fields/{pay}/amount"),
    );
    let named = docs().oauth_metadata["cds_registration_fields"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, f)| f["type"] == "registration_field")
        .map(|(k, _)| k.clone())
        .unwrap();
    broken_oauth(
        |d| d["cds_registration_fields"][&named]["field_name"] = json!("company"),
        "regfield.field_name_prefix",
        &format!("/cds_registration_fields/{named}/field_name"),
    );
}

// ---- CDS-WG1-01 documents ----

#[track_caller]
fn broken_metadata(edit: impl FnOnce(&mut Value, &mut Vec<Value>), code: &str, pointer: &str) {
    let d = docs();
    let mut meta = d.server_metadata.clone();
    let mut entries = d.coverage_entries.clone();
    edit(&mut meta, &mut entries);
    assert_finding(&metadata_findings(&meta, &entries), code, pointer);
}

#[test]
fn server_metadata_rules() {
    broken_metadata(
        |m, _| {
            m.as_object_mut().unwrap().shift_remove("support");
        },
        "metadata.required_field",
        "/support",
    );
    broken_metadata(
        |m, _| {
            m.as_object_mut().unwrap().shift_remove("coverage");
        },
        "metadata.coverage_missing",
        "/coverage",
    );
    broken_metadata(
        |m, _| {
            m.as_object_mut().unwrap().shift_remove("oauth_metadata");
        },
        "metadata.oauth_metadata_missing",
        "/oauth_metadata",
    );
    broken_metadata(
        |m, _| m["created"] = json!("yesterday"),
        "metadata.field_type",
        "/created",
    );
    broken_metadata(
        |m, _| m["capabilities"] = json!(["coverage"]),
        "metadata.capabilities_union",
        "/capabilities",
    );
}

#[test]
fn coverage_rules() {
    broken_metadata(
        |_, e| e[0]["capabilities"] = json!(["coverage"]),
        "coverage.lists_coverage_capability",
        "/coverage_entries/0/capabilities",
    );
    let geo = docs()
        .coverage_entries
        .iter()
        .position(|e| e["type"] == "geographic")
        .unwrap();
    broken_metadata(
        move |_, e| {
            let o = e[geo].as_object_mut().unwrap();
            o.shift_remove("map_resource");
            o.shift_remove("geojson_resource");
        },
        "coverage.geographic_without_map",
        &format!("/coverage_entries/{geo}"),
    );
    broken_metadata(
        move |_, e| {
            e[geo]
                .as_object_mut()
                .unwrap()
                .shift_remove("map_content_type");
        },
        "coverage.map_content_type_missing",
        &format!("/coverage_entries/{geo}/map_content_type"),
    );
    broken_metadata(
        |_, e| e.swap(0, 1),
        "coverage.order",
        "/coverage_entries/1/updated",
    );
    broken_metadata(
        |_, e| e[2]["country"] = json!("usa"),
        "coverage.field_type",
        "/coverage_entries/2/country",
    );
    broken_metadata(
        |_, e| {
            e[1].as_object_mut()
                .unwrap()
                .shift_remove("entity_abbreviation");
        },
        "coverage.required_field",
        "/coverage_entries/1/entity_abbreviation",
    );
}
