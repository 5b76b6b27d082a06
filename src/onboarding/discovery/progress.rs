//! Discovery's progress events and the one GET that reports them (the documents of
//! CDS-WG1-01 §3–§4 and CDS-WG1-02 §3.1).

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use url::Url;

use crate::http::{Fetched, HttpClient, HttpError};

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

/// One GET with progress events.
pub(super) async fn fetch<T: serde::de::DeserializeOwned>(
    client: &HttpClient,
    url: &Url,
    kind: DocumentKind,
    sink: &ProgressSink,
) -> Result<(Fetched, T), HttpError> {
    sink(DiscoveryEvent::Fetching {
        kind,
        url: url.clone(),
    });
    let started = Instant::now();
    match client.get_json_as(url).await {
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
