//! The authorization server metadata (CDS-WG1-02 §3.1, RFC 8414 §3): where the server metadata
//! leads, fetching it, and normalizing and checking it against the coverage listing.

use std::collections::HashSet;

use serde_json::Value;
use url::Url;

use crate::cds::AuthorizationServerMetadata;
use crate::cds::auth_server_metadata::OAUTH_WELL_KNOWN_SUFFIX;
use crate::cds::conformance::{self, Finding, OAuthContext, Report, Severity};
use crate::cds::drafts;
use crate::http::{self, Fetched, HttpClient, HttpError};

use super::coverage::Coverage;
use super::decode::{decode_finding, translation_findings};
use super::links::MetadataLinks;
use super::progress::{DocumentKind, ProgressSink, fetch};
use super::result::Document;

/// Fetches the authorization server metadata the links lead to: the `oauth_metadata` link, or,
/// with no link but the `oauth` capability, the RFC 8414 §3 well-known location on the
/// metadata's origin. `None` when there is nothing to fetch.
pub(super) async fn fetch_oauth(
    client: &HttpClient,
    links: &MetadataLinks,
    metadata_url: &Url,
    sink: &ProgressSink,
) -> Option<Result<(Fetched, Value), HttpError>> {
    let url = match &links.oauth {
        Some(url) => url.clone(),
        // No link: RFC 8414 §3 well-known location on the metadata's origin.
        None if links.wants_oauth => metadata_url.join(OAUTH_WELL_KNOWN_SUFFIX).ok()?,
        None => return None,
    };
    Some(fetch(client, &url, DocumentKind::OAuthMetadata, sink).await)
}

/// The fetched document normalized and checked (coverage ids only from a complete listing), or
/// an unreachable document as an error finding about the server metadata's link.
pub(super) fn take_oauth(
    fetched: Result<(Fetched, Value), HttpError>,
    coverage: Option<&Coverage>,
    metadata_url: &Url,
    findings: &mut Vec<Finding>,
) -> Option<Document<AuthorizationServerMetadata>> {
    match fetched {
        Ok((fetched, raw)) => {
            let coverage_ids: Option<HashSet<String>> = coverage
                .filter(|c| c.complete)
                .map(|c| c.entries.iter().map(|e| e.id.clone()).collect());
            Some(normalize_oauth(
                raw,
                &fetched.url,
                coverage_ids.as_ref(),
                findings,
            ))
        }
        Err(e) => {
            findings.push(Finding {
                severity: Severity::Error,
                code: "discovery.oauth_unreachable".into(),
                message: e.to_string(),
                section: "CDS-WG1-02 §3.1".into(),
                pointer: "/oauth_metadata".into(),
                document: Some(metadata_url.to_string()),
            });
            None
        }
    }
}

pub(super) fn normalize_oauth(
    raw: Value,
    url: &Url,
    coverage_ids: Option<&HashSet<String>>,
    findings: &mut Vec<Finding>,
) -> Document<AuthorizationServerMetadata> {
    let n = drafts::normalize_oauth_metadata(raw);
    translation_findings(findings, url, n.draft, n.translations);
    let mut r = Report {
        findings,
        document: Some(url.to_string()),
    };
    conformance::check_oauth_metadata(
        &mut r,
        &n.value,
        &OAuthContext {
            served_from: url,
            coverage_ids,
        },
    );
    let parsed = decode_finding(&n.value, url, "oauth.decode", "CDS-WG1-02 §3.2", findings);
    // A document that aims the client's credentials inward is not used at all.
    let parsed = parsed
        .filter(|_| !aims_inward(&n.value, url, findings))
        .map(|mut m: AuthorizationServerMetadata| {
            m.draft = n.draft;
            m
        });
    Document {
        url: url.clone(),
        draft: n.draft,
        raw: n.value,
        parsed,
    }
}

/// Whether any endpoint the client will send credentials to (`*_endpoint`, every `cds_*_api`,
/// `jwks_uri`) points at this machine or its private networks while the document itself came
/// from elsewhere (issue 9; RFC 9700 §4.5): each such endpoint is an error finding.
fn aims_inward(doc: &Value, url: &Url, findings: &mut Vec<Finding>) -> bool {
    let Some(obj) = doc.as_object() else {
        return false;
    };
    let mut inward = false;
    for (key, value) in obj {
        let endpoint = key.ends_with("_endpoint") || key.ends_with("_api") || key == "jwks_uri";
        let Some(text) = value.as_str().filter(|_| endpoint) else {
            continue;
        };
        let Ok(to) = Url::parse(text) else { continue };
        if let Err(e) = http::check_not_inward(url, &to) {
            inward = true;
            findings.push(Finding {
                severity: Severity::Error,
                code: "oauth.endpoint_inward".into(),
                message: format!("`{key}`: {e}; the document is not used"),
                section: "RFC 9700 §4.5".into(),
                pointer: format!("/{}", conformance::pointer_token(key)),
                document: Some(url.to_string()),
            });
        }
    }
    inward
}
