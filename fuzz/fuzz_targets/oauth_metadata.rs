//! RFC 8414 authorization server metadata with the CDS-WG1-02 §3 extensions, of every draft:
//! translation, conformance, the typed decode and the scope catalog built from it.
#![no_main]

use cds_wizard::cds::AuthorizationServerMetadata;
use cds_wizard::cds::conformance::{OAuthContext, Report, check_oauth_metadata};
use cds_wizard::cds::drafts::normalize_oauth_metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let normalized = normalize_oauth_metadata(doc);
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    let served =
        url::Url::parse("https://utility.example/.well-known/oauth-authorization-server").unwrap();
    let ctx = OAuthContext {
        served_from: &served,
        coverage_ids: None,
    };
    check_oauth_metadata(&mut r, &normalized.value, &ctx);
    if let Ok(meta) = serde_json::from_value::<AuthorizationServerMetadata>(normalized.value) {
        let catalog = cds_wizard::cds::catalog::build(&meta, |_| None);
        let _ = cds_wizard::text::sanitize(&format!("{catalog:?}"));
    }
});
