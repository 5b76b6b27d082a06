//! Discovery: from a base URL or a metadata URL to the server metadata (CDS-WG1-01 §3),
//! related metadata (§3.3), the whole coverage listing (§4) and the authorization server
//! metadata (CDS-WG1-02 §3.1, RFC 8414 §3), each normalized from its draft and checked.
//!
//! Independent documents are fetched concurrently; the critical path is the metadata, then the
//! related documents, the first coverage page and the OAuth metadata together, then the
//! remaining coverage pages one after another (each page names the next).

mod coverage;
mod decode;
mod limits;
mod links;
mod metadata;
mod oauth;
mod page_head;
mod progress;
mod raw_json;
mod reader;
mod related;
mod result;
mod worker;

use std::sync::Arc;
use std::time::Instant;

use url::Url;

use crate::cds::conformance;
use crate::http::{self, HttpClient, HttpError};

pub use coverage::Coverage;
pub use limits::DiscoveryLimits;
pub use progress::{DiscoveryEvent, DocumentKind, ProgressSink};
pub use raw_json::RawJson;
pub use related::RelatedServer;
pub use result::{Discovery, Document, OAuthMetadataError};

use links::MetadataLinks;

/// Why discovery could not produce a result at all.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The cause is part of the message, not a `source` (which would print it twice).
    #[error("discovery failed: {0}")]
    Http(HttpError),
    #[error("no CDS server metadata found at {tried}: {last}")]
    NotFound { tried: String, last: Box<HttpError> },
    /// The whole discovery took longer than `DiscoveryLimits::deadline`.
    #[error(
        "{input}: discovery did not finish within {secs} s in all (each request has its own \
         timeout too); the utility may be very large or slow"
    )]
    Deadline { input: String, secs: u64 },
    /// JSON, but not CDS server metadata of any draft (see `Discovery::require_cds`).
    #[error("{url} {why}")]
    NotCds {
        url: Url,
        why: crate::cds::server_metadata::NotCds,
    },
}

impl From<HttpError> for DiscoveryError {
    fn from(e: HttpError) -> Self {
        DiscoveryError::Http(e)
    }
}

/// Each finding judged by the draft its document follows (`upgrade.` for newer rules): the
/// OAuth metadata by its own draft, every other document by the server metadata's.
fn grade_findings(
    findings: &mut [conformance::Finding],
    server: &Document<crate::cds::ServerMetadata>,
    oauth: Option<&Document<crate::cds::AuthorizationServerMetadata, RawJson>>,
) {
    conformance::grade_by_draft(findings, |doc| match oauth {
        Some(o) if doc == Some(o.url.as_str()) => o.draft,
        _ => server.draft,
    });
}

/// Runs discovery from `input`: a base URL (`https://utility.example`) or the URL of a
/// metadata document.
pub async fn discover(
    client: &HttpClient,
    input: &str,
    limits: &DiscoveryLimits,
    progress: Option<ProgressSink>,
) -> Result<Discovery, DiscoveryError> {
    match tokio::time::timeout(
        limits.deadline,
        discover_unbounded(client, input, limits, progress),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(DiscoveryError::Deadline {
            input: crate::text::sanitize(input),
            secs: limits.deadline.as_secs().max(1),
        }),
    }
}

/// [`discover`] without the overall deadline.
async fn discover_unbounded(
    client: &HttpClient,
    input: &str,
    limits: &DiscoveryLimits,
    progress: Option<ProgressSink>,
) -> Result<Discovery, DiscoveryError> {
    let started = Instant::now();
    let client = &client.for_step("discovery");
    let input = http::parse_url(input)?;
    // The user named this host: it may resolve to a private address (an internal deployment).
    client.trust(&input);
    let sink = progress.unwrap_or_else(|| Arc::new(|_| {}));
    let mut findings = Vec::new();

    let (fetched, raw) = metadata::fetch_server_metadata(client, &input, &sink).await?;
    let metadata_url = fetched.url.clone();
    findings.extend(fetched.redirects.iter().map(metadata::moved_finding));
    let server = metadata::normalize_metadata(raw, &metadata_url, &mut findings);

    // Links are read from the raw document so that a document which fails to decode can still
    // be followed as far as it goes.
    let links = MetadataLinks::read(&server.raw, &metadata_url, &input, &mut findings);
    // Documents are read while the requests go on (see `worker`): the coverage pages on one
    // thread, in order, and the OAuth metadata on another, beside them (issue 15).
    let worker = worker::Worker::start();
    let oauth_worker = worker::Worker::start();
    let related_fut =
        related::fetch_related(client, &input, &metadata_url, &links.related, limits, &sink);
    let coverage_fut = async {
        match &links.coverage {
            Some(url) => {
                Some(coverage::fetch_coverage(client, &input, url, limits, &sink, &worker).await)
            }
            None => None,
        }
    };
    let oauth_fut = async {
        match oauth::fetch_oauth(client, &links, &metadata_url, &sink).await {
            Some(fetched) => Some(oauth::read_oauth(fetched, &metadata_url, &oauth_worker).await),
            None => None,
        }
    };
    let ((related, mut related_findings), coverage, oauth) =
        tokio::join!(related_fut, coverage_fut, oauth_fut);
    findings.append(&mut related_findings);

    let coverage =
        coverage.map(|listing| coverage::check_listing(listing, &server.raw, &mut findings));
    let oauth = oauth.and_then(|mut read| {
        findings.append(&mut read.findings);
        let doc = read.doc?;
        oauth::check_against_coverage(&doc, &read.references, coverage.as_ref(), &mut findings);
        Some(doc)
    });
    let mut server = server;
    server.draft = metadata::utility_draft(&server, oauth.as_ref().map(|o| o.draft));
    grade_findings(&mut findings, &server, oauth.as_ref());

    let mut findings = conformance::bound_per_code(findings, conformance::MAX_PER_CODE);
    findings.sort_by_key(|a| a.severity);
    Ok(Discovery {
        input,
        metadata_url,
        moves: fetched.redirects,
        server,
        related,
        coverage,
        oauth,
        findings,
        elapsed: started.elapsed(),
    })
}
