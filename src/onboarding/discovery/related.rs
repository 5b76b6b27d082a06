//! Related metadata (CDS-WG1-01 §3.3): the `related_metadata` links walked breadth-first, with
//! cycles, depth and count limits reported as findings.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::conformance::{Finding, Severity};
use crate::http::{Fetched, HttpClient, HttpError};

use super::limits::DiscoveryLimits;
use super::links::MetadataLinks;
use super::metadata::normalize_metadata;
use super::progress::{DocumentKind, ProgressSink, fetch};

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

/// A link still to read: the document, and the document that linked to it.
type Link = (Url, Url);

/// Walks `related_metadata` breadth-first, each level's documents fetched concurrently; a link
/// back to a document already seen is a cycle: reported once per URL and not followed.
pub(super) async fn fetch_related(
    client: &HttpClient,
    start: &Url,
    root: &Url,
    links: &[Url],
    limits: &DiscoveryLimits,
    sink: &ProgressSink,
) -> (Vec<RelatedServer>, Vec<Finding>) {
    let mut walk = Walk::new(start, root);
    let mut level: Vec<Link> = links.iter().map(|u| (u.clone(), root.clone())).collect();
    let mut depth = 1;
    loop {
        // Cycles first, so a level made only of links back is a cycle, not "too deep".
        let mut batch = walk.unseen(std::mem::take(&mut level));
        if batch.is_empty() {
            break;
        }
        if depth > limits.max_related_depth {
            walk.findings.push(warn(
                "related.too_deep",
                format!(
                    "related metadata nests deeper than {} levels; stopped there",
                    limits.max_related_depth
                ),
                root,
            ));
            break;
        }
        let room = limits.max_related_documents.saturating_sub(walk.out.len());
        let over = batch.len() > room;
        batch.truncate(room);
        for (url, from, res) in fetch_level(client, batch, sink).await {
            level.extend(walk.record(url, from, depth, res));
        }
        if over {
            walk.findings.push(warn(
                "related.too_many",
                format!(
                    "more than {} related metadata documents; stopped",
                    limits.max_related_documents
                ),
                root,
            ));
            break;
        }
        depth += 1;
    }
    (walk.out, walk.findings)
}

/// One level's documents, fetched concurrently, in the order of `batch`.
async fn fetch_level(
    client: &HttpClient,
    batch: Vec<Link>,
    sink: &ProgressSink,
) -> Vec<(Url, Url, Result<(Fetched, Value), HttpError>)> {
    futures::future::join_all(batch.into_iter().map(|(url, from)| async move {
        let res = fetch(client, &url, DocumentKind::RelatedMetadata, sink).await;
        (url, from, res)
    }))
    .await
}

/// A related-metadata warning about the document `from`.
fn warn(code: &str, message: String, from: &Url) -> Finding {
    Finding {
        severity: Severity::Warning,
        code: code.into(),
        message,
        section: "CDS-WG1-01 §3.3".into(),
        pointer: "/related_metadata".into(),
        document: Some(from.to_string()),
    }
}

/// The walk so far: what was seen, the servers found and the findings.
struct Walk<'a> {
    start: &'a Url,
    seen: HashSet<Url>,
    cycles_reported: HashSet<Url>,
    out: Vec<RelatedServer>,
    findings: Vec<Finding>,
}

impl<'a> Walk<'a> {
    fn new(start: &'a Url, root: &Url) -> Self {
        Self {
            start,
            // The user's URL and where it led both count as the root.
            seen: HashSet::from([root.clone(), start.clone()]),
            cycles_reported: HashSet::new(),
            out: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The links of a level not read before; a link back is reported once per URL.
    fn unseen(&mut self, level: Vec<Link>) -> Vec<Link> {
        let mut batch = Vec::new();
        for (url, from) in level {
            if self.seen.contains(&url) {
                if self.cycles_reported.insert(url.clone()) {
                    self.findings.push(warn(
                        "related.cycle",
                        format!(
                            "{from} links back to {url}, which was already read; not followed again"
                        ),
                        &from,
                    ));
                }
                continue;
            }
            self.seen.insert(url.clone());
            batch.push((url, from));
        }
        batch
    }

    /// Records one fetched (or failed) document; returns its own links for the next level.
    fn record(
        &mut self,
        url: Url,
        from: Url,
        depth: usize,
        res: Result<(Fetched, Value), HttpError>,
    ) -> Vec<Link> {
        match res {
            Ok((fetched, raw)) => {
                self.seen.insert(fetched.url.clone());
                let doc = normalize_metadata(raw, &fetched.url, &mut self.findings);
                let links =
                    MetadataLinks::read(&doc.raw, &fetched.url, self.start, &mut self.findings);
                self.out
                    .push(related_server(&doc.raw, &fetched.url, from, depth));
                links
                    .related
                    .into_iter()
                    .map(|u| (u, fetched.url.clone()))
                    .collect()
            }
            Err(e) => {
                self.findings
                    .push(warn("related.unreachable", e.to_string(), &from));
                self.out.push(RelatedServer {
                    url,
                    linked_from: from,
                    depth,
                    name: None,
                    description: None,
                    capabilities: Vec::new(),
                    error: Some(e.to_string()),
                });
                Vec::new()
            }
        }
    }
}

/// A related server as its (normalized) metadata describes it.
fn related_server(raw: &Value, url: &Url, linked_from: Url, depth: usize) -> RelatedServer {
    let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_owned);
    RelatedServer {
        url: url.clone(),
        linked_from,
        depth,
        name: text("name"),
        description: text("description"),
        capabilities: raw
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
    }
}
