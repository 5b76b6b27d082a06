//! The authorization server metadata (CDS-WG1-02 §3.1, RFC 8414 §3): where the server metadata
//! leads, fetching it, and normalizing and checking it against the coverage listing.

use std::collections::HashSet;

use serde::de::IgnoredAny;
use serde_json::Value;
use url::Url;

use crate::cds::AuthorizationServerMetadata;
use crate::cds::auth_server_metadata::OAUTH_WELL_KNOWN_SUFFIX;
use crate::cds::conformance::{self, Finding, OAuthContext, Report, Severity};
use crate::cds::drafts;
use crate::http::{self, Fetched, HttpClient, HttpError};

use super::coverage::Coverage;
use super::decode::{decode_text_finding, translation_findings};
use super::links::MetadataLinks;
use super::progress::{DocumentKind, ProgressSink, fetch};
use super::raw_json::RawJson;
use super::result::Document;
use super::worker::Worker;

/// Fetches the authorization server metadata the links lead to: the `oauth_metadata` link, or,
/// with no link but the `oauth` capability, the RFC 8414 §3 well-known location on the
/// metadata's origin. `None` when there is nothing to fetch.
pub(super) async fn fetch_oauth(
    client: &HttpClient,
    links: &MetadataLinks,
    metadata_url: &Url,
    sink: &ProgressSink,
) -> Option<Result<Fetched, HttpError>> {
    let url = match &links.oauth {
        Some(url) => url.clone(),
        // No link: RFC 8414 §3 well-known location on the metadata's origin.
        None if links.wants_oauth => metadata_url.join(OAUTH_WELL_KNOWN_SUFFIX).ok()?,
        None => return None,
    };
    // Checked as JSON here (the error is the fetch's); built on a reading thread.
    let fetched = fetch::<IgnoredAny>(client, &url, DocumentKind::OAuthMetadata, sink).await;
    Some(fetched.map(|(fetched, _)| fetched))
}

/// A document this large leaves enough freed memory behind its tree to give back (a
/// utility's usual few kilobytes do not; a crawl reads a thousand of those).
const LARGE_DOCUMENT: usize = 1 << 20;

/// The authorization server metadata as read, with its own findings.
pub(super) struct ReadOAuth {
    pub doc: Option<Document<AuthorizationServerMetadata, RawJson>>,
    pub findings: Vec<Finding>,
    /// Each scope's `coverages_supported`, in the document's shape, for the check made once
    /// the coverage listing is read.
    pub references: Value,
}

/// The fetched document normalized, checked and decoded on a blocking thread, because it can
/// be megabytes and the coverage walk goes on meanwhile (issue 15); or an unreachable document
/// as an error finding about the server metadata's link. The scopes' coverage ids are checked
/// once the listing is read ([`check_against_coverage`]).
pub(super) async fn read_oauth(
    fetched: Result<Fetched, HttpError>,
    metadata_url: &Url,
    worker: &Worker,
) -> ReadOAuth {
    match fetched {
        Ok(fetched) => {
            worker
                .run(move || {
                    let mut findings = Vec::new();
                    let url = fetched.url;
                    // The fetch read it as JSON already; Null only if that could ever differ.
                    let raw = serde_json::from_slice(&fetched.body).unwrap_or(Value::Null);
                    let large = fetched.body.len() > LARGE_DOCUMENT;
                    drop(fetched.body);
                    let (doc, references) = normalize_oauth(raw, &url, None, &mut findings);
                    if large {
                        // The tree's pages, freed among blocks that live on (issue 15).
                        crate::memory::give_back_free_memory();
                    }
                    ReadOAuth {
                        doc: Some(doc),
                        findings,
                        references,
                    }
                })
                .await
        }
        Err(e) => ReadOAuth {
            doc: None,
            findings: vec![Finding {
                severity: Severity::Error,
                code: "discovery.oauth_unreachable".into(),
                message: e.to_string(),
                section: "CDS-WG1-02 §3.1".into(),
                pointer: "/oauth_metadata".into(),
                document: Some(metadata_url.to_string()),
            }],
            references: Value::Null,
        },
    }
}

/// The scopes' `coverages_supported` (`references`, from [`ReadOAuth`]) against a complete
/// coverage listing (WG1-02 §3.4); an incomplete listing proves nothing missing.
pub(super) fn check_against_coverage(
    doc: &Document<AuthorizationServerMetadata, RawJson>,
    references: &Value,
    coverage: Option<&Coverage>,
    findings: &mut Vec<Finding>,
) {
    let Some(coverage) = coverage.filter(|c| c.complete) else {
        return;
    };
    let ids: HashSet<&str> = coverage.entries.iter().map(|e| &*e.id).collect();
    let mut r = Report {
        findings,
        document: Some(doc.url.to_string()),
    };
    conformance::check_coverage_references(&mut r, references, &ids);
}

/// The document normalized, checked and decoded, kept as text, with each scope's
/// `coverages_supported` apart for [`check_against_coverage`] (`coverage_ids` checks them here
/// instead, when the listing is already known).
pub(super) fn normalize_oauth(
    raw: Value,
    url: &Url,
    coverage_ids: Option<&HashSet<String>>,
    findings: &mut Vec<Finding>,
) -> (Document<AuthorizationServerMetadata, RawJson>, Value) {
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
    let mut inward = Vec::new();
    let aims_inward = aims_inward(&n.value, url, &mut inward);
    let references = coverage_references(&n.value);
    let raw = RawJson::from_value(&n.value);
    // The tree goes before the typed copy is made from its text: both at once were the
    // peak of a large discovery (issue 15).
    drop(n.value);
    let parsed = decode_text_finding(raw.text(), url, "oauth.decode", "CDS-WG1-02 §3.2", findings);
    // A document that aims the client's credentials inward is not used at all (said of a
    // document that decodes).
    let parsed = parsed.and_then(|mut m: AuthorizationServerMetadata| {
        if aims_inward {
            findings.append(&mut inward);
            return None;
        }
        m.draft = n.draft;
        Some(m)
    });
    let doc = Document {
        url: url.clone(),
        draft: n.draft,
        raw,
        parsed,
    };
    (doc, references)
}

/// `{"cds_scope_descriptions": {id: {"coverages_supported": [...]}}}` of `doc`: what the coverage
/// check reads, and nothing else.
fn coverage_references(doc: &Value) -> Value {
    let mut scopes = serde_json::Map::new();
    let all = doc
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (key, scope) in all {
        if let Some(c) = scope.get("coverages_supported") {
            let mut s = serde_json::Map::new();
            s.insert("coverages_supported".to_owned(), c.clone());
            scopes.insert(key.clone(), Value::Object(s));
        }
    }
    let mut out = serde_json::Map::new();
    out.insert("cds_scope_descriptions".to_owned(), Value::Object(scopes));
    Value::Object(out)
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
