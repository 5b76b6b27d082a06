//! The coverage listing (CDS-WG1-01 §4): every page read by following `next`, each entry
//! decoded (§4.3) and checked against the listing so far, stopping on a loop or a limit.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::CoverageEntry;
use crate::cds::conformance::{Finding, ListingCheck, Severity};
use crate::http::{self, HttpClient, HttpError};

use super::limits::DiscoveryLimits;
use super::page_head::PageHead;
use super::progress::{DocumentKind, ProgressSink, fetch};
use super::reader::Reader;
use super::worker::Worker;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub pages: usize,
    /// False when a page failed or a limit stopped the walk.
    pub complete: bool,
    pub entries: Vec<CoverageEntry>,
}

/// A listing as read: the typed entries, the findings of its pages, and the listing-wide
/// checks so far (finished against the server metadata by [`check_listing`]).
#[derive(Default)]
pub(super) struct Listing {
    pub(super) coverage: Coverage,
    pub(super) findings: Vec<Finding>,
    pub(super) check: ListingCheck,
}

/// What the walk hands the reader, in listing order.
pub(super) enum Step {
    /// A page's text as served from `url` (its JSON already checked by the walk).
    Page { url: Url, body: Vec<u8> },
    /// Why the walk stopped early.
    Stop(Finding),
}

/// Reads every coverage page by following `next`, stopping on a loop or a limit.
///
/// Two stages overlap (issue 15): this task walks the pages (fetch, find `next`, send the next
/// request) while the discovery's reading thread checks and decodes the pages already
/// fetched. No page is kept once read: memory holds the typed entries, not the listing's JSON.
pub(super) async fn fetch_coverage(
    client: &HttpClient,
    start: &Url,
    first: &Url,
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
    worker: &Worker,
) -> Listing {
    let listing = Listing {
        coverage: Coverage::default(),
        findings: Vec::new(),
        check: ListingCheck::new(Some(first.to_string())),
    };
    let reader = Arc::new(Mutex::new(Reader::new(
        listing,
        limits.max_coverage_entries,
    )));
    let hand = |step: Step| {
        let reader = reader.clone();
        worker.queue(move || lock(&reader).step(step))
    };
    let complete = walk(client, start, first, limits, sink, hand).await;
    let reader = reader.clone();
    // After every page queued before it.
    let mut listing = worker
        .run(move || std::mem::take(&mut lock(&reader).listing))
        .await;
    listing.coverage.complete = complete;
    listing
}

fn lock(reader: &Mutex<Reader>) -> std::sync::MutexGuard<'_, Reader> {
    reader.lock().unwrap_or_else(|p| p.into_inner())
}

/// Walks the pages from `first`, handing each to the reader; whether the walk reached the last
/// page (no limit, loop or failure stopped it).
async fn walk<F: Future<Output = ()>>(
    client: &HttpClient,
    start: &Url,
    first: &Url,
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
    hand: impl Fn(Step) -> F,
) -> bool {
    let stop = |finding: Finding| {
        let handed = hand(Step::Stop(finding));
        async move {
            handed.await;
            false
        }
    };
    let mut seen = HashSet::new();
    let (mut pages, mut entries, mut bytes) = (0usize, 0usize, 0usize);
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        if let Some(finding) = stop_before(&url, &mut seen, pages, limits) {
            return stop(finding).await;
        }
        // Only `next` and the entry count now; the reader builds the page.
        let (fetched, head) =
            match fetch::<PageHead>(client, &url, DocumentKind::CoveragePage, sink).await {
                Ok(ok) => ok,
                Err(e) => return stop(unreachable(&url, &e)).await,
            };
        pages += 1;
        bytes += fetched.body.len();
        entries += head.entries;
        let following = next_page(head.next.as_ref(), &fetched.url, start);
        let url = fetched.url;
        let body = fetched.body;
        hand(Step::Page {
            url: url.clone(),
            body,
        })
        .await;
        if bytes >= limits.max_coverage_bytes {
            let message = format!(
                "coverage pages of more than {} bytes in all; stopped reading",
                limits.max_coverage_bytes
            );
            return stop(warn("coverage.too_many_bytes", message, "/next", &url)).await;
        }
        // Every entry counts toward the cap, whether it decodes or not.
        if entries >= limits.max_coverage_entries {
            let message = format!(
                "more than {} coverage entries; stopped reading",
                limits.max_coverage_entries
            );
            return stop(warn(
                "coverage.too_many_entries",
                message,
                "/coverage_entries",
                &url,
            ))
            .await;
        }
        next = match following {
            Ok(n) => n,
            // The listing goes on, but this client cannot follow it: not complete.
            Err(e) => return stop(next_rejected(&url, &e)).await,
        };
    }
    true
}

/// The listing-wide checks (CDS-WG1-01 §4) on a listing; its findings are added to `findings`
/// after the pages' own.
pub(super) fn check_listing(
    listing: Listing,
    server: &Value,
    findings: &mut Vec<Finding>,
) -> Coverage {
    let Listing {
        coverage,
        findings: mut page_findings,
        check,
    } = listing;
    findings.append(&mut page_findings);
    findings.append(&mut check.finish(Some(server)));
    coverage
}

/// The page `url` could not be read (§4).
pub(super) fn unreachable(url: &Url, e: &HttpError) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "coverage.unreachable".into(),
        message: e.to_string(),
        section: "CDS-WG1-01 §4".into(),
        pointer: String::new(),
        document: Some(url.to_string()),
    }
}

/// The `next` of the page `url` cannot be followed (§4.1).
fn next_rejected(url: &Url, e: &HttpError) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "coverage.next_rejected".into(),
        message: e.to_string(),
        section: "CDS-WG1-01 §4.1".into(),
        pointer: "/next".into(),
        document: Some(url.to_string()),
    }
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
fn next_page(next: Option<&Value>, url: &Url, start: &Url) -> Result<Option<Url>, HttpError> {
    let v = match next {
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
