//! CDS-WG1-01 coverage pages: the page checks, the listing checks and the typed decode.
#![no_main]

use cds_wizard::cds::CoverageListing;
use cds_wizard::cds::conformance::{Report, check_coverage_listing, check_coverage_page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    check_coverage_page(&mut r, &doc);
    if let Some(entries) = doc.get("coverage_entries").and_then(|v| v.as_array()) {
        check_coverage_listing(&mut r, entries, None);
    }
    let _ = serde_json::from_value::<CoverageListing>(doc);
});
