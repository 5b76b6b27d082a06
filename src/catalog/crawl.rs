//! `catalog crawl`: many utilities discovered concurrently (CDS-WG1-01 §3–§4, CDS-WG1-02 §3.1)
//! with the single-utility engine and its limits, politely: a bound on utilities in flight
//! overall, on requests in flight per host, one utility's failure recorded and never fatal,
//! and an interruption that keeps every utility already finished.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::model::UtilitySnapshot;
use super::store::{Catalog, RawDocument, StoreError, UtilityRecord};
use crate::http::HttpClient;
use crate::onboarding::discovery::{self, Discovery, DiscoveryEvent, DiscoveryLimits};

/// How a crawl behaves.
#[derive(Debug, Clone)]
pub struct CrawlOptions {
    /// Utilities discovered at once, overall.
    pub concurrency: usize,
    /// Requests in flight at once at one host (`host:port`), over every utility it serves;
    /// also the number of its utilities discovered at once (one discovery can have three
    /// requests in flight: related metadata, a coverage page and the OAuth metadata,
    /// CDS-WG1-01 §3.3/§4.1).
    pub per_host: usize,
    pub limits: DiscoveryLimits,
    /// Free text kept with the snapshot (e.g. "2026-Q4").
    pub label: Option<String>,
}

impl Default for CrawlOptions {
    fn default() -> Self {
        Self {
            concurrency: 16,
            per_host: 2,
            limits: DiscoveryLimits::default(),
            label: None,
        }
    }
}

/// What a crawl tells its watcher while it runs (called from many tasks; must not block).
#[derive(Debug, Clone, PartialEq)]
pub enum CrawlEvent {
    Started { total: usize },
    Request { bytes: u64 },
    Finished { url: String, error: Option<String> },
}

pub type CrawlSink = Arc<dyn Fn(CrawlEvent) + Send + Sync>;

/// The end of a crawl.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrawlSummary {
    pub crawl_id: i64,
    pub total: usize,
    pub ok: usize,
    pub failed: usize,
    /// Utilities not finished when the crawl was interrupted.
    pub not_finished: usize,
    pub interrupted: bool,
    pub requests: u64,
    pub bytes: u64,
    pub elapsed_ms: u64,
}

/// Reads a URL list: one base or metadata URL a line; blank lines and `#` comments skipped;
/// duplicates dropped (first kept).
pub fn parse_url_list(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .filter(|l| seen.insert(l.to_string()))
        .map(str::to_owned)
        .collect()
}

/// The host of a listed URL (`host:port`); an unparsable one is its own host.
fn host_key(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| crate::http::host_key(&u))
        .unwrap_or_else(|_| url.to_owned())
}

/// The raw documents of a discovery worth keeping, compressed.
fn raw_documents(d: &Discovery) -> std::io::Result<Vec<RawDocument>> {
    let mut docs = vec![RawDocument::new(
        "server_metadata",
        d.metadata_url.to_string(),
        &d.server.raw,
    )?];
    if let Some(o) = &d.oauth {
        docs.push(RawDocument::from_text(
            "oauth_metadata",
            o.url.to_string(),
            o.raw.text().as_bytes(),
        )?);
    }
    if let Some(c) = &d.coverage {
        let url = d
            .server
            .parsed
            .as_ref()
            .and_then(|s| s.coverage.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default();
        let entries = serde_json::to_value(&c.entries).unwrap_or_default();
        docs.push(RawDocument::new("coverage", url, &entries)?);
    }
    Ok(docs)
}

/// Discovers one utility and turns the outcome into a record.
async fn crawl_one(
    client: HttpClient,
    url: String,
    limits: DiscoveryLimits,
    sink: CrawlSink,
) -> UtilityRecord {
    let requests = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let (rq, by, s) = (requests.clone(), bytes.clone(), sink.clone());
    let progress: discovery::ProgressSink = Arc::new(move |e| match e {
        DiscoveryEvent::Fetched { bytes: b, .. } => {
            rq.fetch_add(1, Ordering::Relaxed);
            by.fetch_add(b as u64, Ordering::Relaxed);
            s(CrawlEvent::Request { bytes: b as u64 });
        }
        DiscoveryEvent::Failed { .. } => {
            rq.fetch_add(1, Ordering::Relaxed);
            s(CrawlEvent::Request { bytes: 0 });
        }
        _ => {}
    });
    let started = Instant::now();
    let outcome = match discovery::discover(&client, &url, &limits, Some(progress)).await {
        Ok(d) => match raw_documents(&d) {
            Ok(docs) => Ok((UtilitySnapshot::from_discovery(&url, &d), docs)),
            Err(e) => Err(format!("compressing its documents: {e}")),
        },
        Err(e) => Err(e.to_string()),
    };
    UtilityRecord {
        input_url: url,
        outcome,
        requests: requests.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Crawls `urls` into a new snapshot of `catalog` until done or `shutdown` completes.
pub async fn crawl(
    catalog: &mut Catalog,
    client: &HttpClient,
    urls: Vec<String>,
    options: &CrawlOptions,
    sink: CrawlSink,
    shutdown: impl Future<Output = ()>,
) -> Result<CrawlSummary, StoreError> {
    let started = Instant::now();
    let crawl_id = catalog.begin_crawl(options.label.as_deref())?;
    let total = urls.len();
    sink(CrawlEvent::Started { total });
    // Every request of the crawl counts toward its host's share, whichever utility made it.
    let client = client.with_host_limit(options.per_host);
    let overall = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = JoinSet::new();
    for url in urls {
        let host = hosts
            .entry(host_key(&url))
            .or_insert_with(|| Arc::new(Semaphore::new(options.per_host.max(1))))
            .clone();
        let overall = overall.clone();
        let (client, limits, sink) = (client.clone(), options.limits.clone(), sink.clone());
        tasks.spawn(async move {
            // Host first: a task waiting for its host must not hold an overall permit that a
            // utility on another host could use.
            let _host = host.acquire_owned().await.ok();
            let _overall = overall.acquire_owned().await.ok();
            crawl_one(client, url, limits, sink).await
        });
    }
    let mut summary = CrawlSummary {
        crawl_id,
        total,
        ok: 0,
        failed: 0,
        not_finished: 0,
        interrupted: false,
        requests: 0,
        bytes: 0,
        elapsed_ms: 0,
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let next = tokio::select! {
            biased;
            () = &mut shutdown => { summary.interrupted = true; break; }
            next = tasks.join_next() => next,
        };
        let Some(joined) = next else { break };
        if let Ok(record) = joined {
            keep(catalog, crawl_id, &record, &mut summary, &sink)?;
        }
    }
    if summary.interrupted {
        // Whatever finished before the interruption is kept; the rest is dropped unwritten.
        tasks.abort_all();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(record) = joined {
                keep(catalog, crawl_id, &record, &mut summary, &sink)?;
            }
        }
    }
    summary.not_finished = total - summary.ok - summary.failed;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    catalog.finish_crawl(crawl_id, summary.interrupted)?;
    Ok(summary)
}

fn keep(
    catalog: &mut Catalog,
    crawl_id: i64,
    record: &UtilityRecord,
    summary: &mut CrawlSummary,
    sink: &CrawlSink,
) -> Result<(), StoreError> {
    // A few milliseconds of SQLite in one transaction; not worth a blocking thread.
    catalog.record(crawl_id, record)?;
    summary.requests += record.requests;
    summary.bytes += record.bytes;
    let error = record.outcome.as_ref().err().cloned();
    if error.is_some() {
        summary.failed += 1;
    } else {
        summary.ok += 1;
    }
    sink(CrawlEvent::Finished {
        url: record.input_url.clone(),
        error,
    });
    Ok(())
}

/// A crawl's default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_lists_skip_comments_blanks_and_duplicates() {
        let list = "# fleet\nhttp://a/x\n\n  http://b/y  # second\nhttp://a/x\n#http://c\n";
        assert_eq!(parse_url_list(list), vec!["http://a/x", "http://b/y"]);
    }

    #[test]
    fn hosts_are_keyed_with_their_port() {
        assert_eq!(host_key("http://127.0.0.1:8080/u/1"), "127.0.0.1:8080");
        assert_eq!(host_key("https://u.example/x"), "u.example:443");
        assert_eq!(host_key("not a url"), "not a url");
    }
}
