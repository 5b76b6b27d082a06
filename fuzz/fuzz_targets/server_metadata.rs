//! CDS-WG1-01 server metadata of every draft (2026, 2025 CDSC, May 2023 CDSC): translation to
//! the 2026 shape, the conformance checks, the typed decode, and terminal sanitizing of what a
//! card would show.
#![no_main]

use cds_wizard::cds::ServerMetadata;
use cds_wizard::cds::conformance::{Report, check_metadata_location, check_server_metadata};
use cds_wizard::cds::drafts::normalize_server_metadata;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let normalized = normalize_server_metadata(doc);
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    check_server_metadata(&mut r, &normalized.value);
    let served =
        url::Url::parse("https://utility.example/.well-known/cds-server-metadata.json").unwrap();
    check_metadata_location(&mut r, &normalized.value, &served);
    if let Ok(m) = serde_json::from_value::<ServerMetadata>(normalized.value) {
        let _ = cds_wizard::text::sanitize(&format!("{m:?}"));
    }
    for f in &findings {
        let _ = cds_wizard::text::sanitize(&f.message);
    }
});
