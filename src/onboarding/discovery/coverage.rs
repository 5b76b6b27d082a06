//! The coverage listing (CDS-WG1-01 §4): every page read by following `next`, each entry
//! decoded (§4.3), stopping on a loop or a limit, then checked as a whole.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::CoverageEntry;
use crate::cds::conformance::{self, Finding, Report, Severity};
use crate::http::{self, HttpClient, HttpError};

use super::decode::path_to_pointer;
use super::limits::DiscoveryLimits;
use super::progress::{DocumentKind, ProgressSink, fetch};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub pages: usize,
    /// False when a page failed or a limit stopped the walk.
    pub complete: bool,
    pub entries: Vec<CoverageEntry>,
}

/// A listing as read: the typed entries, the raw entries (for listing-wide checks) and the
/// findings of its pages.
pub(super) type Listing = (Coverage, Vec<Value>, Vec<Finding>);

/// Reads every coverage page by following `next`, stopping on a loop or the page limit.
/// Returns the typed entries, the raw entries (for listing-wide checks) and findings.
pub(super) async fn fetch_coverage(
    client: &HttpClient,
    start: &Url,
    first: &Url,
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
) -> Listing {
    let mut walk = Walk::default();
    let mut seen = HashSet::new();
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        if let Some(stop) = stop_before(&url, &mut seen, walk.coverage.pages, limits) {
            walk.findings.push(stop);
            return walk.done();
        }
        let (fetched, page) = match fetch(client, &url, DocumentKind::CoveragePage, sink).await {
            Ok(ok) => ok,
            Err(e) => {
                walk.findings.push(Finding {
                    severity: Severity::Error,
                    code: "coverage.unreachable".into(),
                    message: e.to_string(),
                    section: "CDS-WG1-01 §4".into(),
                    pointer: String::new(),
                    document: Some(url.to_string()),
                });
                return walk.done();
            }
        };
        walk.bytes += fetched.body.len();
        walk.read_page(&fetched.url, &page, limits.max_coverage_entries);
        if walk.bytes >= limits.max_coverage_bytes {
            walk.findings.push(warn(
                "coverage.too_many_bytes",
                format!(
                    "coverage pages of more than {} bytes in all; stopped reading",
                    limits.max_coverage_bytes
                ),
                "/next",
                &fetched.url,
            ));
            return walk.done();
        }
        // Every entry counts toward the cap, whether it decodes or not.
        if walk.raw_entries.len() >= limits.max_coverage_entries {
            walk.findings.push(warn(
                "coverage.too_many_entries",
                format!(
                    "more than {} coverage entries; stopped reading",
                    limits.max_coverage_entries
                ),
                "/coverage_entries",
                &fetched.url,
            ));
            return walk.done();
        }
        next = match next_page(&page, &fetched.url, start) {
            Ok(n) => n,
            Err(e) => {
                // The listing goes on, but this client cannot follow it: not complete.
                walk.findings.push(Finding {
                    severity: Severity::Error,
                    code: "coverage.next_rejected".into(),
                    message: e.to_string(),
                    section: "CDS-WG1-01 §4.1".into(),
                    pointer: "/next".into(),
                    document: Some(fetched.url.to_string()),
                });
                return walk.done();
            }
        };
    }
    walk.coverage.complete = true;
    walk.done()
}

/// The listing-wide checks (CDS-WG1-01 §4) on a listing read from `document`; its findings are
/// added to `findings` after the pages' own.
pub(super) fn check_listing(
    listing: Listing,
    document: Option<&Url>,
    server: &Value,
    findings: &mut Vec<Finding>,
) -> Coverage {
    let (coverage, raw_entries, mut page_findings) = listing;
    findings.append(&mut page_findings);
    let mut r = Report {
        findings,
        document: document.map(Url::to_string),
    };
    conformance::check_coverage_listing(&mut r, &raw_entries, Some(server));
    coverage
}

/// A coverage warning about the page `url` (§4.1).
fn warn(code: &str, message: String, pointer: &str, url: &Url) -> Finding {
    Finding {
        severity: Severity::Warning,
        code: code.into(),
        message,
        section: "CDS-WG1-01 §4.1".into(),
        pointer: pointer.into(),
        document: Some(url.to_string()),
    }
}

/// Why the page `url` is not read: it was read before (`next` loops), or the page limit is
/// reached.
fn stop_before(
    url: &Url,
    seen: &mut HashSet<Url>,
    pages: usize,
    limits: &DiscoveryLimits,
) -> Option<Finding> {
    if !seen.insert(url.clone()) {
        return Some(warn(
            "coverage.next_loop",
            format!("coverage `next` leads back to {url}, a page already read; stopped"),
            "/next",
            url,
        ));
    }
    if pages >= limits.max_coverage_pages {
        return Some(warn(
            "coverage.too_many_pages",
            format!(
                "more than {} coverage pages; stopped",
                limits.max_coverage_pages
            ),
            "/next",
            url,
        ));
    }
    None
}

/// The page after `page` (served from `url`): `None` at the end, or why its `next` cannot be
/// followed (not a string, not a URL, or refused by the URL policy).
fn next_page(page: &Value, url: &Url, start: &Url) -> Result<Option<Url>, HttpError> {
    let v = match page.get("next") {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let s = v
        .as_str()
        .ok_or_else(|| HttpError::NotHttp(v.to_string()))?;
    let n = url.join(s).map_err(|_| HttpError::NotHttp(s.to_owned()))?;
    http::check_url(&n)?;
    http::check_not_inward(start, &n)?;
    Ok(Some(n))
}

/// The listing read so far.
#[derive(Default)]
struct Walk {
    coverage: Coverage,
    raw_entries: Vec<Value>,
    findings: Vec<Finding>,
    /// Bytes of every page read so far.
    bytes: usize,
}

impl Walk {
    /// Counts, checks and decodes one page served from `url`.
    fn read_page(&mut self, url: &Url, page: &Value, max_entries: usize) {
        self.coverage.pages += 1;
        let mut r = Report {
            findings: &mut self.findings,
            document: Some(url.to_string()),
        };
        conformance::check_coverage_page(&mut r, page);
        if let Some(entries) = page.get("coverage_entries").and_then(Value::as_array) {
            let room = max_entries.saturating_sub(self.raw_entries.len());
            for (i, e) in entries.iter().enumerate().take(room) {
                match decode_entry(i, e, url) {
                    Ok(entry) => self.coverage.entries.push(entry),
                    Err(f) => self.findings.push(f),
                }
                self.raw_entries.push(e.clone());
            }
        }
    }

    fn done(self) -> Listing {
        (self.coverage, self.raw_entries, self.findings)
    }
}

/// Entry `i` of a page served from `url`, or why it cannot be read (§4.3).
fn decode_entry(i: usize, e: &Value, url: &Url) -> Result<CoverageEntry, Finding> {
    serde_path_to_error::deserialize::<_, CoverageEntry>(e).map_err(|err| Finding {
        severity: Severity::Error,
        code: "coverage.decode".into(),
        message: format!(
            "coverage entry cannot be read: {} at {}",
            err.inner(),
            err.path()
        ),
        section: "CDS-WG1-01 §4.3".into(),
        pointer: format!(
            "/coverage_entries/{i}{}",
            path_to_pointer(&err.path().to_string())
        ),
        document: Some(url.to_string()),
    })
}
