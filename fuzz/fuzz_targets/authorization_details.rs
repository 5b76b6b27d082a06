//! RFC 9396 authorization details (the CDS-WG1-02 scope modifiers) as a user or an answers file
//! writes them, validated against the demo utility's catalog: every format, limit and date rule.
#![no_main]

use std::sync::OnceLock;

use cds_wizard::cds::AuthorizationServerMetadata;
use cds_wizard::cds::authorization_details::validate;
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static AuthorizationServerMetadata {
    static META: OnceLock<AuthorizationServerMetadata> = OnceLock::new();
    META.get_or_init(|| {
        let docs = cds_wizard::demo::documents::Documents::render("https://utility.example")
            .expect("the demo documents render");
        serde_json::from_value(docs.oauth_metadata).expect("the demo catalog decodes")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(details) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let meta = catalog();
    let scopes: Vec<&str> = meta
        .cds_scope_descriptions
        .keys()
        .map(String::as_str)
        .collect();
    let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let _ = validate(meta, &scopes, None, &details, now);
});
