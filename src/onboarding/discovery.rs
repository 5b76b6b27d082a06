//! Discovery: from a base URL or a metadata URL to the server metadata (CDS-WG1-01 §3),
//! related metadata (§3.3), the whole coverage listing (§4) and the authorization server
//! metadata (CDS-WG1-02 §3.1, RFC 8414 §3), each normalized from its draft and checked.
//!
//! Independent documents are fetched concurrently; the critical path is the metadata, then the
//! related documents, the first coverage page and the OAuth metadata together, then the
//! remaining coverage pages one after another (each page names the next).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::auth_server_metadata::OAUTH_WELL_KNOWN_SUFFIX;
use crate::cds::catalog::{self, CatalogScope};
use crate::cds::conformance::{self, Finding, OAuthContext, Report, Severity};
use crate::cds::drafts::{self, Draft, LEGACY_WELL_KNOWN_PATHS};
use crate::cds::server_metadata::WELL_KNOWN_PATH;
use crate::cds::{AuthorizationServerMetadata, CoverageEntry, ServerMetadata};
use crate::http::{self, Fetched, HttpClient, HttpError, Redirect};

/// How far discovery goes before it stops and says so.
#[derive(Debug, Clone)]
pub struct DiscoveryLimits {
    pub max_related_depth: usize,
    pub max_related_documents: usize,
    /// Coverage pages read at most. Pages are sequential round trips, so this bounds time;
    /// 2,000 pages of a utility's usual hundreds of entries is well past the 100,000 entries
    /// the wizard must handle (issue 5; the scaled demo pages 1,000 at a time).
    pub max_coverage_pages: usize,
    /// Coverage entries kept in memory at most (500,000: five times issue 5's scale).
    pub max_coverage_entries: usize,
}

impl Default for DiscoveryLimits {
    fn default() -> Self {
        Self {
            max_related_depth: 3,
            max_related_documents: 32,
            max_coverage_pages: 2_000,
            max_coverage_entries: 500_000,
        }
    }
}

/// Which document a progress event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    ServerMetadata,
    RelatedMetadata,
    CoveragePage,
    OAuthMetadata,
}

impl DocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::ServerMetadata => "server metadata",
            DocumentKind::RelatedMetadata => "related metadata",
            DocumentKind::CoveragePage => "coverage page",
            DocumentKind::OAuthMetadata => "OAuth metadata",
        }
    }
}

/// What a UI shows while discovery runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DiscoveryEvent {
    Fetching {
        kind: DocumentKind,
        url: Url,
    },
    Fetched {
        kind: DocumentKind,
        url: Url,
        bytes: usize,
        millis: u64,
    },
    Moved {
        from: Url,
        to: Url,
        status: u16,
    },
    Failed {
        kind: DocumentKind,
        url: Url,
        error: String,
    },
}

/// Receives progress events; called from the discovery task, must not block.
pub type ProgressSink = Arc<dyn Fn(DiscoveryEvent) + Send + Sync>;

/// A document as served (normalized to the 2026 shape) and, when it decodes, as typed.
#[derive(Debug, Clone, Serialize)]
pub struct Document<T> {
    pub url: Url,
    pub draft: Draft,
    #[serde(skip)]
    pub raw: Value,
    #[serde(skip)]
    pub parsed: Option<T>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedServer {
    pub url: Url,
    /// Which metadata document linked to it.
    pub linked_from: Url,
    pub depth: usize,
    pub name: Option<String>,
    pub description: Option<String>,
    pub capabilities: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub pages: usize,
    /// False when a page failed or a limit stopped the walk.
    pub complete: bool,
    pub entries: Vec<CoverageEntry>,
}

/// The result of discovery: everything found, plus the findings.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub input: Url,
    pub metadata_url: Url,
    pub moves: Vec<Redirect>,
    pub server: Document<ServerMetadata>,
    pub related: Vec<RelatedServer>,
    pub coverage: Option<Coverage>,
    pub oauth: Option<Document<AuthorizationServerMetadata>>,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
}

impl Discovery {
    /// The draft of the server metadata (the OAuth metadata may differ and is reported apart).
    pub fn draft(&self) -> Draft {
        self.server.draft
    }
    pub fn errors(&self) -> usize {
        conformance::count(&self.findings, Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        conformance::count(&self.findings, Severity::Warning)
    }
    /// A coverage entry's name by id, for showing scopes' `coverages_supported`.
    pub fn coverage_name(&self, id: &str) -> Option<&str> {
        self.coverage
            .as_ref()?
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.name.as_str())
    }

    /// The decoded authorization server metadata (CDS-WG1-02 §3.2), or why there is none.
    pub fn oauth_metadata(&self) -> Result<&AuthorizationServerMetadata, OAuthMetadataError> {
        let oauth = self
            .oauth
            .as_ref()
            .ok_or_else(|| OAuthMetadataError::Absent {
                metadata_url: self.metadata_url.clone(),
            })?;
        oauth
            .parsed
            .as_ref()
            .ok_or_else(|| OAuthMetadataError::DoesNotDecode {
                url: oauth.url.clone(),
                why: self
                    .findings
                    .iter()
                    .find(|f| f.code == "oauth.decode")
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| "does not decode".to_owned()),
            })
    }

    /// The scope catalog (WG1-02 §3.4–3.10) with coverage ids resolved to names, or why there
    /// is none.
    pub fn catalog(&self) -> Result<Vec<CatalogScope>, OAuthMetadataError> {
        let meta = self.oauth_metadata()?;
        // One index instead of a scan per reference: with 10,000 scopes and 100,000 entries
        // the scans took seconds (issue 5). The first entry of an id wins, as in
        // [`Discovery::coverage_name`].
        let mut names: HashMap<&str, &str> = HashMap::new();
        for e in self.coverage.iter().flat_map(|c| &c.entries) {
            names.entry(e.id.as_str()).or_insert(e.name.as_str());
        }
        Ok(catalog::build(meta, |id| names.get(id).copied()))
    }
}

/// Why a discovery has no usable authorization server metadata, and so no scope catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthMetadataError {
    /// The server metadata leads to no authorization server metadata (none is linked, or it
    /// could not be fetched: the findings say which).
    #[error("{metadata_url} offers no OAuth authorization server, so it has no scope catalog")]
    Absent { metadata_url: Url },
    /// The document was read but does not decode into the 2026 model; `why` is the
    /// `oauth.decode` finding's message.
    #[error("{url}: authorization server metadata {why} (see `cds-wizard validate`)")]
    DoesNotDecode { url: Url, why: String },
}

/// Why discovery could not produce a result at all.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("no CDS server metadata found at {tried}: {last}")]
    NotFound { tried: String, last: HttpError },
    #[error("{url}: server metadata is not a JSON object")]
    NotObject { url: Url },
}

/// Runs discovery from `input`: a base URL (`https://utility.example`) or the URL of a
/// metadata document.
pub async fn discover(
    client: &HttpClient,
    input: &str,
    limits: &DiscoveryLimits,
    progress: Option<ProgressSink>,
) -> Result<Discovery, DiscoveryError> {
    let started = Instant::now();
    let input = http::parse_url(input)?;
    let sink = progress.unwrap_or_else(|| Arc::new(|_| {}));
    let mut findings = Vec::new();

    let (fetched, raw) = fetch_server_metadata(client, &input, &sink).await?;
    let metadata_url = fetched.url.clone();
    for m in &fetched.redirects {
        findings.push(Finding {
            severity: Severity::Info,
            code: "discovery.moved".into(),
            message: format!(
                "{} answered {} and moved to {} (server migration)",
                m.from, m.status, m.to
            ),
            section: "CDS-WG1-01 §5".into(),
            pointer: String::new(),
            document: Some(m.from.to_string()),
        });
    }
    if !raw.is_object() {
        return Err(DiscoveryError::NotObject { url: metadata_url });
    }
    let server = normalize_metadata(raw, &metadata_url, &mut findings);

    // Links are read from the raw document so that a document which fails to decode can still
    // be followed as far as it goes.
    let links = MetadataLinks::read(&server.raw, &metadata_url, &input, &mut findings);
    let related_fut = fetch_related(client, &input, &metadata_url, &links.related, limits, &sink);
    let coverage_fut = async {
        match &links.coverage {
            Some(url) => Some(fetch_coverage(client, &input, url, limits, &sink).await),
            None => None,
        }
    };
    let oauth_fut = async {
        match &links.oauth {
            Some(url) => Some(fetch_oauth(client, url, &sink).await),
            None if links.wants_oauth => {
                // No link: RFC 8414 §3 well-known location on the metadata's origin.
                let url = metadata_url.join(OAUTH_WELL_KNOWN_SUFFIX).ok()?;
                Some(fetch_oauth(client, &url, &sink).await)
            }
            None => None,
        }
    };
    let ((related, mut related_findings), coverage, oauth) =
        tokio::join!(related_fut, coverage_fut, oauth_fut);
    findings.append(&mut related_findings);

    let coverage = coverage.map(|(cov, raw_entries, mut f)| {
        findings.append(&mut f);
        let mut r = Report {
            findings: &mut findings,
            document: links.coverage.as_ref().map(Url::to_string),
        };
        conformance::check_coverage_listing(&mut r, &raw_entries, Some(&server.raw));
        cov
    });

    let oauth = match oauth {
        Some(Ok((fetched, raw))) => {
            let coverage_ids: Option<HashSet<String>> = coverage
                .as_ref()
                .filter(|c| c.complete)
                .map(|c| c.entries.iter().map(|e| e.id.clone()).collect());
            Some(normalize_oauth(
                raw,
                &fetched.url,
                coverage_ids.as_ref(),
                &mut findings,
            ))
        }
        Some(Err(e)) => {
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
        None => None,
    };

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

async fn fetch_server_metadata(
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
            last,
        }),
        Some(last) => Err(last.into()),
        None => Err(HttpError::NotHttp(input.to_string()).into()),
    }
}

/// One GET with progress events.
async fn fetch(
    client: &HttpClient,
    url: &Url,
    kind: DocumentKind,
    sink: &ProgressSink,
) -> Result<(Fetched, Value), HttpError> {
    sink(DiscoveryEvent::Fetching {
        kind,
        url: url.clone(),
    });
    let started = Instant::now();
    match client.get_json(url).await {
        Ok((fetched, value)) => {
            for r in &fetched.redirects {
                sink(DiscoveryEvent::Moved {
                    from: r.from.clone(),
                    to: r.to.clone(),
                    status: r.status,
                });
            }
            sink(DiscoveryEvent::Fetched {
                kind,
                url: url.clone(),
                bytes: fetched.body.len(),
                millis: started.elapsed().as_millis() as u64,
            });
            Ok((fetched, value))
        }
        Err(e) => {
            sink(DiscoveryEvent::Failed {
                kind,
                url: url.clone(),
                error: e.to_string(),
            });
            Err(e)
        }
    }
}

/// The links a server metadata document makes, read leniently.
struct MetadataLinks {
    related: Vec<Url>,
    coverage: Option<Url>,
    oauth: Option<Url>,
    wants_oauth: bool,
}

impl MetadataLinks {
    /// Reads the links of `doc` (served from `base`), dropping — with an error finding — those
    /// the URL policy refuses: plain http to a remote host, or a remote document pointing at
    /// this machine (`start` is where the user began).
    fn read(doc: &Value, base: &Url, start: &Url, findings: &mut Vec<Finding>) -> Self {
        let mut allowed = |key: &str, s: &str| -> Option<Url> {
            let url = base.join(s).ok()?;
            match http::check_url(&url).and_then(|()| http::check_not_inward(start, &url)) {
                Ok(()) => Some(url),
                Err(e) => {
                    findings.push(link_refused(base, key, &e));
                    None
                }
            }
        };
        let coverage = doc
            .get("coverage")
            .and_then(Value::as_str)
            .and_then(|s| allowed("coverage", s));
        let oauth = doc
            .get("oauth_metadata")
            .and_then(Value::as_str)
            .and_then(|s| allowed("oauth_metadata", s));
        let mut related: Vec<Url> = Vec::new();
        let links = doc
            .get("related_metadata")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for s in links {
            // Each link once per document, however often it is repeated.
            if let Some(u) = allowed("related_metadata", s)
                && !related.contains(&u)
            {
                related.push(u);
                if related.len() >= MAX_LINKS_PER_DOCUMENT {
                    break;
                }
            }
        }
        let caps: Vec<&str> = doc
            .get("capabilities")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Self {
            related,
            coverage,
            oauth,
            wants_oauth: caps.contains(&"oauth"),
        }
    }
}

/// More related links than this in one document are not read.
const MAX_LINKS_PER_DOCUMENT: usize = 100;

fn link_refused(document: &Url, key: &str, e: &HttpError) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "discovery.link_refused".into(),
        message: e.to_string(),
        section: "CDS-WG1-01 §3".into(),
        pointer: format!("/{key}"),
        document: Some(document.to_string()),
    }
}

fn translation_findings(
    findings: &mut Vec<Finding>,
    url: &Url,
    draft: Draft,
    translations: Vec<drafts::Translation>,
) {
    for t in translations {
        findings.push(Finding {
            severity: Severity::Info,
            code: "draft.translated".into(),
            message: format!("{} (document is {})", t.message, draft.label()),
            section: "compatibility".into(),
            pointer: t.pointer,
            document: Some(url.to_string()),
        });
    }
}

fn decode_finding<T: serde::de::DeserializeOwned>(
    raw: &Value,
    url: &Url,
    code: &str,
    section: &str,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(raw) {
        Ok(v) => Some(v),
        Err(e) => {
            let path = e.path().to_string();
            findings.push(Finding {
                severity: Severity::Error,
                code: code.into(),
                message: format!("cannot be read as {section}: {} at {path}", e.inner()),
                section: section.into(),
                pointer: path_to_pointer(&path),
                document: Some(url.to_string()),
            });
            None
        }
    }
}

/// serde_path_to_error's `a.b[0].c` as an RFC 6901 pointer.
fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for seg in path.split('.') {
        let (name, indices) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !name.is_empty() {
            out.push('/');
            out.push_str(&conformance::pointer_token(name));
        }
        for idx in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(idx);
        }
    }
    out
}

fn normalize_metadata(
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

fn normalize_oauth(
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
    Document {
        url: url.clone(),
        draft: n.draft,
        raw: n.value,
        parsed,
    }
}

async fn fetch_oauth(
    client: &HttpClient,
    url: &Url,
    sink: &ProgressSink,
) -> Result<(Fetched, Value), HttpError> {
    fetch(client, url, DocumentKind::OAuthMetadata, sink).await
}

/// Walks `related_metadata` breadth-first, each level's documents fetched concurrently; a link
/// back to a document already seen is a cycle: reported once per URL and not followed.
async fn fetch_related(
    client: &HttpClient,
    start: &Url,
    root: &Url,
    links: &[Url],
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
) -> (Vec<RelatedServer>, Vec<Finding>) {
    // The user's URL and where it led both count as the root.
    let mut seen: HashSet<Url> = HashSet::from([root.clone(), start.clone()]);
    let mut cycles_reported: HashSet<Url> = HashSet::new();
    let mut out = Vec::new();
    let mut findings = Vec::new();
    let warn = |code: &str, message: String, from: &Url| Finding {
        severity: Severity::Warning,
        code: code.into(),
        message,
        section: "CDS-WG1-01 §3.3".into(),
        pointer: "/related_metadata".into(),
        document: Some(from.to_string()),
    };
    let mut level: Vec<(Url, Url)> = links.iter().map(|u| (u.clone(), root.clone())).collect();
    let mut depth = 1;
    'levels: loop {
        // Cycles first, so a level made only of links back is a cycle, not "too deep".
        let mut batch = Vec::new();
        for (url, from) in level.drain(..) {
            if seen.contains(&url) {
                if cycles_reported.insert(url.clone()) {
                    findings.push(warn(
                        "related.cycle",
                        format!(
                            "{from} links back to {url}, which was already read; not followed again"
                        ),
                        &from,
                    ));
                }
                continue;
            }
            seen.insert(url.clone());
            batch.push((url, from));
        }
        if batch.is_empty() {
            break;
        }
        if depth > limits.max_related_depth {
            findings.push(warn(
                "related.too_deep",
                format!(
                    "related metadata nests deeper than {} levels; stopped there",
                    limits.max_related_depth
                ),
                root,
            ));
            break;
        }
        let room = limits.max_related_documents.saturating_sub(out.len());
        let over = batch.len() > room;
        batch.truncate(room);
        let results = futures::future::join_all(batch.into_iter().map(|(url, from)| async move {
            let res = fetch(client, &url, DocumentKind::RelatedMetadata, sink).await;
            (url, from, res)
        }))
        .await;
        for (url, from, res) in results {
            match res {
                Ok((fetched, raw)) => {
                    seen.insert(fetched.url.clone());
                    let doc = normalize_metadata(raw, &fetched.url, &mut findings);
                    let links = MetadataLinks::read(&doc.raw, &fetched.url, start, &mut findings);
                    level.extend(links.related.into_iter().map(|u| (u, fetched.url.clone())));
                    let text = |k: &str| doc.raw.get(k).and_then(Value::as_str).map(str::to_owned);
                    out.push(RelatedServer {
                        url: fetched.url.clone(),
                        linked_from: from,
                        depth,
                        name: text("name"),
                        description: text("description"),
                        capabilities: doc
                            .raw
                            .get("capabilities")
                            .and_then(Value::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default(),
                        error: None,
                    });
                }
                Err(e) => {
                    findings.push(warn("related.unreachable", e.to_string(), &from));
                    out.push(RelatedServer {
                        url,
                        linked_from: from,
                        depth,
                        name: None,
                        description: None,
                        capabilities: Vec::new(),
                        error: Some(e.to_string()),
                    });
                }
            }
        }
        if over {
            findings.push(warn(
                "related.too_many",
                format!(
                    "more than {} related metadata documents; stopped",
                    limits.max_related_documents
                ),
                root,
            ));
            break 'levels;
        }
        depth += 1;
    }
    (out, findings)
}

/// Reads every coverage page by following `next`, stopping on a loop or the page limit.
/// Returns the typed entries, the raw entries (for listing-wide checks) and findings.
async fn fetch_coverage(
    client: &HttpClient,
    start: &Url,
    first: &Url,
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
) -> (Coverage, Vec<Value>, Vec<Finding>) {
    let mut coverage = Coverage::default();
    let mut raw_entries = Vec::new();
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        if !seen.insert(url.clone()) {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "coverage.next_loop".into(),
                message: format!(
                    "coverage `next` leads back to {url}, a page already read; stopped"
                ),
                section: "CDS-WG1-01 §4.1".into(),
                pointer: "/next".into(),
                document: Some(url.to_string()),
            });
            return (coverage, raw_entries, findings);
        }
        if coverage.pages >= limits.max_coverage_pages {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "coverage.too_many_pages".into(),
                message: format!(
                    "more than {} coverage pages; stopped",
                    limits.max_coverage_pages
                ),
                section: "CDS-WG1-01 §4.1".into(),
                pointer: "/next".into(),
                document: Some(url.to_string()),
            });
            return (coverage, raw_entries, findings);
        }
        let (fetched, page) = match fetch(client, &url, DocumentKind::CoveragePage, sink).await {
            Ok(ok) => ok,
            Err(e) => {
                findings.push(Finding {
                    severity: Severity::Error,
                    code: "coverage.unreachable".into(),
                    message: e.to_string(),
                    section: "CDS-WG1-01 §4".into(),
                    pointer: String::new(),
                    document: Some(url.to_string()),
                });
                return (coverage, raw_entries, findings);
            }
        };
        coverage.pages += 1;
        let mut r = Report {
            findings: &mut findings,
            document: Some(fetched.url.to_string()),
        };
        conformance::check_coverage_page(&mut r, &page);
        if let Some(entries) = page.get("coverage_entries").and_then(Value::as_array) {
            for (i, e) in entries.iter().enumerate() {
                match serde_path_to_error::deserialize::<_, CoverageEntry>(e) {
                    Ok(entry) => coverage.entries.push(entry),
                    Err(err) => findings.push(Finding {
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
                        document: Some(fetched.url.to_string()),
                    }),
                }
                raw_entries.push(e.clone());
            }
        }
        if coverage.entries.len() >= limits.max_coverage_entries {
            findings.push(Finding {
                severity: Severity::Warning,
                code: "coverage.too_many_entries".into(),
                message: format!(
                    "more than {} coverage entries; stopped reading",
                    limits.max_coverage_entries
                ),
                section: "CDS-WG1-01 §4.1".into(),
                pointer: "/coverage_entries".into(),
                document: Some(fetched.url.to_string()),
            });
            return (coverage, raw_entries, findings);
        }
        next = match page.get("next") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let resolved = v
                    .as_str()
                    .ok_or_else(|| HttpError::NotHttp(v.to_string()))
                    .and_then(|s| {
                        fetched
                            .url
                            .join(s)
                            .map_err(|_| HttpError::NotHttp(s.to_owned()))
                    })
                    .and_then(|n| {
                        http::check_url(&n)?;
                        http::check_not_inward(start, &n)?;
                        Ok(n)
                    });
                match resolved {
                    Ok(n) => Some(n),
                    Err(e) => {
                        // The listing goes on, but this client cannot follow it: not complete.
                        findings.push(Finding {
                            severity: Severity::Error,
                            code: "coverage.next_rejected".into(),
                            message: e.to_string(),
                            section: "CDS-WG1-01 §4.1".into(),
                            pointer: "/next".into(),
                            document: Some(fetched.url.to_string()),
                        });
                        return (coverage, raw_entries, findings);
                    }
                }
            }
        };
    }
    coverage.complete = true;
    (coverage, raw_entries, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A discovery of `url` whose OAuth metadata is `oauth` (as served), if any.
    fn discovery_with(oauth: Option<Value>) -> Discovery {
        let url = Url::parse("https://u.example/.well-known/cds-server-metadata.json").unwrap();
        let oauth_url = Url::parse("https://u.example/oauth").unwrap();
        let mut findings = Vec::new();
        let oauth = oauth.map(|raw| normalize_oauth(raw, &oauth_url, None, &mut findings));
        Discovery {
            input: url.clone(),
            metadata_url: url.clone(),
            moves: Vec::new(),
            server: Document {
                url,
                draft: Draft::Cds2026,
                raw: Value::Null,
                parsed: None,
            },
            related: Vec::new(),
            coverage: None,
            oauth,
            findings,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn oauth_metadata_says_why_there_is_none() {
        let d = discovery_with(None);
        let e = d.oauth_metadata().unwrap_err();
        assert_eq!(
            e.to_string(),
            "https://u.example/.well-known/cds-server-metadata.json offers no OAuth authorization server, so it has no scope catalog"
        );
        assert!(d.catalog().is_err());

        let d = discovery_with(Some(serde_json::json!({"issuer": 7})));
        let e = d.catalog().unwrap_err();
        assert!(
            matches!(&e, OAuthMetadataError::DoesNotDecode { url, .. } if url.as_str() == "https://u.example/oauth"),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with("https://u.example/oauth: authorization server metadata cannot be read as CDS-WG1-02 §3.2:"),
            "{msg}"
        );
        assert!(msg.ends_with("(see `cds-wizard validate`)"), "{msg}");
    }

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

    #[test]
    fn links_are_checked_and_deduplicated() {
        let base = Url::parse("https://u.example/meta.json").unwrap();
        let doc = serde_json::json!({
            "capabilities": ["oauth"],
            "coverage": "http://127.0.0.1:6379/",
            "oauth_metadata": "http://u.example/oauth",
            "related_metadata": ["/a.json", "/a.json", "https://u.example/a.json", 7, "/b.json"]
        });
        let mut findings = Vec::new();
        let links = MetadataLinks::read(&doc, &base, &base, &mut findings);
        assert_eq!(
            links.related.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://u.example/a.json", "https://u.example/b.json"]
        );
        assert!(
            links.coverage.is_none(),
            "a remote document may not point at loopback"
        );
        assert!(links.oauth.is_none(), "plain http to a remote host");
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.code == "discovery.link_refused"));
        assert_eq!(findings[0].pointer, "/coverage");
        // A loopback start may lead to loopback links (the demo, local testing).
        let local = Url::parse("http://127.0.0.1:8080/meta.json").unwrap();
        let mut findings = Vec::new();
        let links = MetadataLinks::read(&doc, &local, &local, &mut findings);
        assert!(links.coverage.is_some());
    }

    #[test]
    fn serde_paths_become_pointers() {
        assert_eq!(path_to_pointer("."), "");
        assert_eq!(path_to_pointer("a.b[0].c"), "/a/b/0/c");
        assert_eq!(
            path_to_pointer("cds_scope_descriptions.x/y.name"),
            "/cds_scope_descriptions/x~1y/name"
        );
    }
}
