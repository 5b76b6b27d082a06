//! The server metadata document (CDS-WG1-01 §3): where to look for it (the well-known path,
//! then the legacy ones), fetching it, and normalizing and checking it.

use serde_json::Value;
use url::Url;

use crate::cds::ServerMetadata;
use crate::cds::conformance::{self, Finding, Report, Severity};
use crate::cds::drafts::{self, Draft, LEGACY_WELL_KNOWN_PATHS};
use crate::cds::server_metadata::WELL_KNOWN_PATH;
use crate::http::{Fetched, HttpClient, HttpError, Redirect};

use super::DiscoveryError;
use super::decode::{decode_finding, translation_findings};
use super::progress::{DocumentKind, ProgressSink, fetch};
use super::result::Document;

/// The URLs to try for the server metadata, in order.
fn metadata_candidates(input: &Url) -> Vec<Url> {
    if input.path() == "/" || input.path().is_empty() {
        let mut v: Vec<Url> = Vec::new();
        for path in std::iter::once(WELL_KNOWN_PATH).chain(LEGACY_WELL_KNOWN_PATHS.iter().copied())
        {
            if let Ok(u) = input.join(path) {
                v.push(u);
            }
        }
        v
    } else {
        vec![input.clone()]
    }
}

pub(super) async fn fetch_server_metadata(
    client: &HttpClient,
    input: &Url,
    sink: &ProgressSink,
) -> Result<(Fetched, Value), DiscoveryError> {
    let candidates = metadata_candidates(input);
    let mut last: Option<HttpError> = None;
    for url in &candidates {
        match fetch(client, url, DocumentKind::ServerMetadata, sink).await {
            Ok(ok) => return Ok(ok),
            // Only "not there" moves on to the next path; anything else is the answer.
            Err(
                e @ HttpError::Status {
                    status: 404 | 410, ..
                },
            ) => last = Some(e),
            // A catch-all HTML page at the new path must not hide a document at the legacy one.
            Err(e @ HttpError::NotJson { .. }) if candidates.len() > 1 => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    match last {
        Some(last) if candidates.len() > 1 => Err(DiscoveryError::NotFound {
            tried: candidates
                .iter()
                .map(Url::path)
                .collect::<Vec<_>>()
                .join(" and "),
            last: Box::new(last),
        }),
        Some(last) => Err(last.into()),
        None => Err(HttpError::NotHttp(input.to_string()).into()),
    }
}

/// A redirect on the way to the server metadata, as an info finding (CDS-WG1-01 §5).
pub(super) fn moved_finding(m: &Redirect) -> Finding {
    Finding {
        severity: Severity::Info,
        code: "discovery.moved".into(),
        message: format!(
            "{} answered {} and moved to {} (server migration)",
            m.from, m.status, m.to
        ),
        section: "CDS-WG1-01 §5".into(),
        pointer: String::new(),
        document: Some(m.from.to_string()),
    }
}

/// The draft a utility's server metadata follows, told with what discovery learnt since: a
/// document fetched from the legacy well-known path is at most CDSC 2025, and a legacy document
/// whose OAuth metadata follows the May 2023 overview follows it too (both drafts use that
/// path, and only the OAuth document tells them apart).
pub(super) fn utility_draft(server: &Document<ServerMetadata>, oauth: Option<Draft>) -> Draft {
    let legacy_path = drafts::is_legacy_well_known(server.url.as_str());
    match (server.draft, oauth) {
        (Draft::Cds2026, _) if !legacy_path => Draft::Cds2026,
        (_, Some(Draft::Cdsc2023)) => Draft::Cdsc2023,
        _ => Draft::Cdsc2025,
    }
}

pub(super) fn normalize_metadata(
    raw: Value,
    url: &Url,
    findings: &mut Vec<Finding>,
) -> Document<ServerMetadata> {
    let n = drafts::normalize_server_metadata(raw);
    translation_findings(findings, url, n.draft, n.translations);
    let mut r = Report {
        findings,
        document: Some(url.to_string()),
    };
    conformance::check_server_metadata(&mut r, &n.value);
    conformance::check_metadata_location(&mut r, &n.value, url);
    let parsed = decode_finding(
        &n.value,
        url,
        "metadata.decode",
        "CDS-WG1-01 §3.2",
        findings,
    );
    Document {
        url: url.clone(),
        draft: n.draft,
        raw: n.value,
        parsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_for_base_and_document_urls() {
        let c = metadata_candidates(&Url::parse("https://u.example").unwrap());
        assert_eq!(
            c[0].as_str(),
            "https://u.example/.well-known/cds-server-metadata.json"
        );
        assert_eq!(
            c[1].as_str(),
            "https://u.example/.well-known/carbon-data-spec.json"
        );
        let c = metadata_candidates(&Url::parse("https://u.example/x/meta.json").unwrap());
        assert_eq!(c.len(), 1);
    }
}
