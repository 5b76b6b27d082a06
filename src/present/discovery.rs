//! Discovery in words (CDS-WG1-01 §3–4): related entities, coverage entries and the count of
//! findings, as `cds-wizard discover` lists them.

use crate::cds::CoverageEntry;
use crate::onboarding::discovery::{Coverage, Discovery, RelatedServer};
use crate::text::{sanitize, sanitize_line};

/// A related entity (WG1-01 §3.3): its name, address and capabilities, or why it could not
/// be read.
pub fn related(r: &RelatedServer) -> String {
    match &r.error {
        None => format!(
            "  {}  {}\n      capabilities: {}",
            sanitize_line(r.name.as_deref().unwrap_or("(unnamed)"), 60),
            r.url,
            if r.capabilities.is_empty() {
                "none".to_owned()
            } else {
                sanitize(&r.capabilities.join(", "))
            }
        ),
        Some(e) => format!("  {}  unreachable: {}", r.url, sanitize_line(e, 200)),
    }
}

/// The coverage listing's heading: `Coverage: 3 entries on 1 page`.
pub fn coverage_heading(c: &Coverage) -> String {
    format!(
        "Coverage: {} entr{} on {} page{}{}",
        c.entries.len(),
        if c.entries.len() == 1 { "y" } else { "ies" },
        c.pages,
        super::plural(c.pages),
        if c.complete { "" } else { " (incomplete)" }
    )
}

/// One coverage entry (WG1-01 §4.3): id, type, role and name, then entity and commodities.
pub fn coverage_entry(e: &CoverageEntry) -> String {
    let commodities: Vec<&str> = e.commodity_types.iter().map(|c| c.as_str()).collect();
    let infra: Vec<&str> = e.infrastructure_types.iter().map(|c| c.as_str()).collect();
    format!(
        "  {:<22} {:<10} {:<13} {}\n      {} · {} · {}",
        sanitize_line(&e.id, 22),
        sanitize_line(e.coverage_type.as_str(), 10),
        sanitize_line(e.role.as_str(), 13),
        sanitize_line(&e.name, 60),
        sanitize_line(&e.entity_name, 40),
        sanitize(&commodities.join(", ")),
        sanitize(&infra.join(", "))
    )
}

/// The findings in one line: `Findings: 1 error, 2 warnings, 0 info`.
pub fn findings_count(d: &Discovery) -> String {
    use crate::text::count;
    format!(
        "Findings: {}, {}, {} info (see `cds-wizard validate`)",
        count(d.errors(), "error", "errors"),
        count(d.warnings(), "warning", "warnings"),
        d.findings.len() - d.errors() - d.warnings()
    )
}

/// The utility's name from its server metadata (WG1-01 §3.2 `name`), or, for a document without
/// one (the May 2023 overview shows none), its host marked as such. Sanitized, one line.
pub fn utility_name(metadata: &serde_json::Value, metadata_url: &url::Url) -> String {
    match metadata.get("name").and_then(serde_json::Value::as_str) {
        Some(name) => sanitize_line(name, 100),
        None => format!(
            "{} (no name given)",
            sanitize_line(metadata_url.host_str().unwrap_or("—"), 100)
        ),
    }
}
