//! A fleet of demo utilities on one loopback server (issue 13): N variants of the demo's public
//! documents (CDS-WG1-01 §3–§4, CDS-WG1-02 §3.1–§3.2), each under `/u/<slug>/` with its own
//! well-known documents, and `/fleet.txt` listing their metadata URLs for `catalog crawl --from`.
//! Only the discovery documents are served: a fleet is for crawling, not onboarding.

pub mod variants;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;

use super::documents::Documents;
use crate::cds::server_metadata::WELL_KNOWN_PATH;
pub use variants::{Behaviour, FleetDraft, PlantedChange, behaviour, draft, planted_between};

/// How a fleet is made.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    pub size: usize,
    pub seed: u64,
    /// Epoch 1 is the base; each later epoch plants changes in a quarter of the utilities.
    pub epoch: u32,
    /// Added before every response of every utility.
    pub latency: Duration,
    /// Added before every response of the slow utilities (one in ten).
    pub slow: Duration,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self {
            size: 10,
            seed: 1,
            epoch: 1,
            latency: Duration::ZERO,
            slow: Duration::from_millis(400),
        }
    }
}

/// A running fleet's state; documents are rendered on first use and kept per epoch.
pub struct Fleet {
    pub base_url: String,
    pub options: FleetOptions,
    epoch: AtomicU32,
    cache: Mutex<HashMap<(usize, u32), Arc<Documents>>>,
}

impl Fleet {
    /// The metadata URL of utility `i`.
    pub fn metadata_url(&self, i: usize) -> String {
        format!("{}{WELL_KNOWN_PATH}", self.utility_base(i))
    }
    pub fn utility_base(&self, i: usize) -> String {
        format!("{}/u/{}", self.base_url, variants::slug(i))
    }
    /// `fleet.txt`: one metadata URL a line, after a comment naming the fleet.
    pub fn list(&self) -> String {
        let mut s = format!(
            "# cds-wizard demo fleet: {} utilities, seed {}, epoch {}\n",
            self.options.size,
            self.options.seed,
            self.epoch()
        );
        for i in 0..self.options.size {
            s.push_str(&self.metadata_url(i));
            s.push('\n');
        }
        s
    }
    pub fn epoch(&self) -> u32 {
        self.epoch.load(Ordering::Relaxed)
    }
    /// Serves another epoch from now on (tests crawl the same URLs twice).
    pub fn set_epoch(&self, epoch: u32) {
        self.epoch.store(epoch.max(1), Ordering::Relaxed);
    }
    /// The changes planted from epoch `from` to `to` in every utility.
    pub fn planted(&self, from: u32, to: u32) -> Vec<PlantedChange> {
        (0..self.options.size)
            .flat_map(|i| variants::planted_between(self.options.seed, i, from, to))
            .collect()
    }
    fn documents(&self, i: usize) -> Option<Arc<Documents>> {
        let epoch = self.epoch();
        let cached = |f: &Self| {
            f.cache
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&(i, epoch))
                .cloned()
        };
        if let Some(d) = cached(self) {
            return Some(d);
        }
        // Rendered outside the lock: a thousand utilities' first requests must not queue
        // behind each other's rendering (two may render the same one; the first kept wins).
        let d = Arc::new(variants::documents(
            self.options.seed,
            i,
            epoch,
            &self.utility_base(i),
        )?);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        Some(cache.entry((i, epoch)).or_insert(d).clone())
    }
}

fn index_of(fleet: &Fleet, slug: &str) -> Option<usize> {
    let i: usize = slug.strip_prefix('u')?.parse().ok()?;
    (i < fleet.options.size && variants::slug(i) == slug).then_some(i)
}

fn json(v: &serde_json::Value) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json;charset=UTF-8",
        )],
        serde_json::to_string(v).unwrap_or_default(),
    )
        .into_response()
}

/// Which document of a utility a route serves.
#[derive(Clone, Copy)]
enum Doc {
    Server,
    North,
    Gas,
    OAuth,
}

async fn serve_doc(fleet: &Fleet, slug: &str, doc: Doc) -> Response {
    let Some(i) = index_of(fleet, slug) else {
        return (StatusCode::NOT_FOUND, "no such utility\n").into_response();
    };
    wait(fleet, i).await;
    if matches!(doc, Doc::Server) && behaviour(i) == Behaviour::Failing {
        return (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance\n").into_response();
    }
    let Some(d) = fleet.documents(i) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no documents\n").into_response();
    };
    json(match doc {
        Doc::Server => &d.server_metadata,
        Doc::North => &d.related_north,
        Doc::Gas => &d.related_gas,
        Doc::OAuth => &d.oauth_metadata,
    })
}

async fn wait(fleet: &Fleet, i: usize) {
    let mut delay = fleet.options.latency;
    if behaviour(i) == Behaviour::Slow {
        delay += fleet.options.slow;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

#[derive(serde::Deserialize)]
struct CoverageQuery {
    page: Option<usize>,
    ids: Option<String>,
}

async fn coverage(
    State(f): State<Arc<Fleet>>,
    Path(slug): Path<String>,
    Query(q): Query<CoverageQuery>,
) -> Response {
    let Some(i) = index_of(&f, &slug) else {
        return (StatusCode::NOT_FOUND, "no such utility\n").into_response();
    };
    wait(&f, i).await;
    match f.documents(i) {
        Some(d) => json(&d.coverage_page(
            &f.utility_base(i),
            q.page.unwrap_or(1).max(1),
            q.ids.as_deref(),
        )),
        None => (StatusCode::INTERNAL_SERVER_ERROR, "no documents\n").into_response(),
    }
}

/// The fleet's routes.
pub fn router(fleet: Arc<Fleet>) -> Router {
    let doc = |d: Doc| {
        move |State(f): State<Arc<Fleet>>, Path(slug): Path<String>| async move {
            serve_doc(&f, &slug, d).await
        }
    };
    Router::new()
        .route(
            "/fleet.txt",
            get(|State(f): State<Arc<Fleet>>| async move { f.list() }),
        )
        .route(
            &format!("/u/{{slug}}{WELL_KNOWN_PATH}"),
            get(doc(Doc::Server)),
        )
        .route(
            "/u/{slug}/subsidiaries/north/cds-server-metadata.json",
            get(doc(Doc::North)),
        )
        .route(
            "/u/{slug}/subsidiaries/gas/cds-server-metadata.json",
            get(doc(Doc::Gas)),
        )
        .route(
            "/u/{slug}/.well-known/oauth-authorization-server",
            get(doc(Doc::OAuth)),
        )
        .route("/u/{slug}/cds/coverage", get(coverage))
        .with_state(fleet)
}

/// A running fleet server.
pub struct FleetServer {
    pub base_url: String,
    pub fleet: Arc<Fleet>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl FleetServer {
    /// Binds `127.0.0.1:port` (0 for any) and serves in a background task.
    pub async fn start(port: u16, options: FleetOptions) -> std::io::Result<FleetServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let fleet = Arc::new(Fleet {
            base_url: base_url.clone(),
            epoch: AtomicU32::new(options.epoch.max(1)),
            options,
            cache: Mutex::new(HashMap::new()),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(fleet.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FleetServer {
            base_url,
            fleet,
            shutdown: Some(tx),
            task,
        })
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}
