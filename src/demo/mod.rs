//! The embedded demo utility: a CDS server (axum) on loopback that serves the public documents
//! of CDS-WG1-01 and CDS-WG1-02 §3, the RFC 7591/9126/6749 authorization server (`oauth/`),
//! the CDS-WG1-02 §5–§9 management APIs (`api/`) over the records in `store/`, and the human
//! pages (`pages/`). It imports only `cds/` wire types, `text` and `assets/`, never the client
//! side.

pub mod accounts;
mod answers;
pub mod api;
pub mod documents;
pub mod faults;
pub mod fleet;
pub mod legacy;
pub mod oauth;
mod pages;
mod reply;
mod review;
pub mod scale;
mod scopes;
pub mod store;
mod support;

pub use accounts::{TEST_ACCOUNTS, TestAccount, test_accounts};
pub use oauth::{authorize, rar};
/// The records' old paths (`demo::state::RegistryOptions`, `demo::persist`).
pub use store::{self as state, persist};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::cds::server_metadata::WELL_KNOWN_PATH;
use documents::{Documents, MAP_FILES};

/// How the demo behaves beyond the spec (for tests and demonstrations).
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Added before every response (simulates a distant server). Shorthand for a `*` latency
    /// fault that adds to any matching rule's.
    pub latency: Duration,
    /// How registrations behave: the internal-review delay and the clock.
    pub registry: store::RegistryOptions,
    /// Faults injected into matching requests (faults.rs); none by default. Builder:
    /// `DemoOptions::default().fault(FaultRule::new("/cds/coverage").latency(d))`.
    pub faults: Vec<faults::FaultRule>,
    /// Serve documents whose display strings carry terminal escapes and bidi overrides
    /// (`faults::make_hostile`).
    pub hostile_strings: bool,
    /// Load the registry from this file and save it after changes (persist.rs); `None` keeps
    /// it in memory only.
    pub state_file: Option<PathBuf>,
    /// Refuse authorization requests that do not come through PAR (RFC 9126 §5).
    pub require_par: bool,
    /// Generated scopes and coverage entries added to the documents (scale.rs); none by default.
    pub scale: scale::Scale,
    /// Review Grant scope and authorization details reductions asynchronously: answer
    /// `202 Accepted` with the Grant `pending`, settled after `review_delay` (WG1-02 §8.6).
    pub grant_review: bool,
    /// Seal `state_file` with this key (store/sealed.rs): the demo's remembered state. `None`
    /// writes it in plaintext (`demo-server --state FILE`).
    pub sealing: Option<store::sealed::Sealing>,
    /// Serve the catalog as this draft's servers write it (legacy.rs): the 2025 well-known path,
    /// scope ids and shapes; the 2026 demo by default.
    pub draft: crate::cds::drafts::Draft,
}

/// Shared state of one running demo server.
#[derive(Debug)]
pub struct DemoState {
    pub base_url: String,
    pub documents: Documents,
    pub options: DemoOptions,
    /// Registrations and what they created (WG1-02 §4–§7).
    pub registry: store::Registry,
    /// The fault rules with their use counters (faults.rs).
    pub faults: faults::Injector,
    /// The edge translation of a legacy-draft demo (`DemoOptions::draft`); `None` for 2026.
    pub legacy: Option<legacy::Edge>,
    /// Scaled documents as served (scale.rs).
    pub served: scale::Served,
}

impl DemoState {
    pub fn new(base_url: &str, options: DemoOptions) -> Result<Self, documents::AssetError> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let mut documents = Documents::render(&base_url)?;
        scale::apply(&mut documents, &base_url, options.scale);
        if options.hostile_strings {
            faults::make_hostile(&mut documents);
        }
        let legacy = legacy::render(&documents, &base_url, options.draft);
        Ok(Self {
            legacy,
            documents,
            base_url,
            registry: store::Registry::new(options.registry.clone()),
            faults: faults::Injector::new(&options),
            options,
            served: scale::Served::default(),
        })
    }
}

impl persist::Persisted for DemoState {
    fn registry(&self) -> &store::Registry {
        &self.registry
    }
    fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// The demo server's routes. One table, longer than the usual function: the whole URL space
/// reads best in one place.
pub fn router(state: Arc<DemoState>) -> Router {
    Router::new()
        .route(WELL_KNOWN_PATH, get(server_metadata))
        // The 2025 CDSC well-known path moved to the 2026 one: WG1-01 §5 says a moved metadata
        // endpoint answers 301 with the new location.
        .route("/.well-known/carbon-data-spec.json", get(legacy_well_known))
        .route(
            "/subsidiaries/north/cds-server-metadata.json",
            get(related_north),
        )
        .route(
            "/subsidiaries/gas/cds-server-metadata.json",
            get(related_gas),
        )
        .route("/cds/coverage", get(coverage))
        .route("/cds/maps/{file}", get(map_file))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth_metadata),
        )
        .route("/docs", get(pages::docs_index))
        // Static routes win over `/docs/{*page}` in axum's matcher.
        .route(
            "/docs/test-accounts",
            get(pages::accounts::test_accounts_page),
        )
        .route("/docs/{*page}", get(pages::doc_page))
        .route("/register-by-hand", get(pages::human_registration))
        .route("/oauth/register", post(oauth::register::register))
        .route("/oauth/token", post(oauth::token::token))
        .route("/oauth/par", post(oauth::par::par))
        .route("/oauth/authorize", get(oauth::authorize::authorize))
        .route("/oauth/authorize/login", post(oauth::consent::login))
        .route("/oauth/authorize/consent", post(oauth::consent::consent))
        .route("/oauth/introspect", post(oauth::introspect::introspect))
        .route("/oauth/revoke", post(oauth::introspect::revoke))
        .route(store::objects::RECEIPT_PATH, get(pages::forms::receipt))
        .route("/forms/payment/{id}", get(pages::forms::payment_form))
        .route("/forms/complete/{id}", post(pages::forms::complete))
        .route("/forms/return/{id}", get(pages::forms::return_form))
        .route("/forms/receipt/{id}", get(pages::forms::payment_receipt))
        .route("/forms/online/{id}", get(pages::forms::online_form))
        .route("/forms/pdf/{file}", get(pages::forms::pdf_form))
        .route("/api/clients", get(api::clients::list_clients))
        .route(
            "/api/clients/{id}",
            get(api::clients::get_client).put(api::clients::modify_client),
        )
        .route(
            "/api/credentials",
            get(api::credentials::list_credentials).post(api::credentials::create_credential),
        )
        .route(
            "/api/credentials/{id}",
            get(api::credentials::get_credential).patch(api::credentials::modify_credential),
        )
        .route(
            "/api/messages",
            get(api::messages::list_messages)
                .post(api::messages::create_message)
                .layer(DefaultBodyLimit::max(api::messages::MESSAGE_BODY_LIMIT)),
        )
        .route(
            "/api/messages/{id}",
            get(api::messages::get_message).patch(api::messages::modify_message),
        )
        .route(api::grants::GRANTS_PATH, get(api::grants::list_grants))
        .route(
            "/api/grants/{id}",
            get(api::grants::get_grant).patch(api::grants::patch_grant),
        )
        .route(api::files::FILES_PATH, get(api::files::list_files))
        .route("/api/server-provided-files/{id}", get(api::files::get_file))
        .route(
            "/api/server-provided-files/{id}/download",
            get(api::files::download_file),
        )
        .route("/", get(pages::home))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), legacy::edge))
        .with_state(state)
}

fn json_response(v: &serde_json::Value) -> Response {
    json_body(serde_json::to_string_pretty(v).unwrap_or_default())
}

/// A document that grows with `DemoOptions::scale`: pretty for people reading the demo, compact
/// once scaled (10,000 scope descriptions pretty-printed would pass the client's 8 MiB cap).
/// `key`, when given, names the document for [`scale::Served`].
fn scalable_response(s: &DemoState, key: Option<&str>, v: &impl serde::Serialize) -> Response {
    if s.options.scale.is_none() {
        return json_body(serde_json::to_string_pretty(v).unwrap_or_default());
    }
    let compact = || serde_json::to_string(v).unwrap_or_default();
    match key {
        Some(key) => json_body(s.served.get_or_write(key, compact)),
        None => json_body(compact()),
    }
}

fn json_body(body: impl IntoResponse) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        body,
    )
        .into_response()
}

async fn server_metadata(State(s): State<Arc<DemoState>>) -> Response {
    // A legacy-draft demo has only the legacy well-known path, as those servers do.
    if s.legacy.is_some() {
        return StatusCode::NOT_FOUND.into_response();
    }
    json_response(&s.documents.server_metadata)
}

async fn legacy_well_known(State(s): State<Arc<DemoState>>) -> Response {
    if let Some(edge) = &s.legacy {
        return json_response(&edge.server_metadata);
    }
    // Exactly 301 (axum's permanent redirect is 308, which §5 does not name).
    let location = format!("{}{WELL_KNOWN_PATH}", s.base_url);
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}

async fn related_north(State(s): State<Arc<DemoState>>) -> Response {
    json_response(&s.documents.related_north)
}

async fn related_gas(State(s): State<Arc<DemoState>>) -> Response {
    json_response(&s.documents.related_gas)
}

async fn oauth_metadata(State(s): State<Arc<DemoState>>) -> Response {
    if let Some(edge) = &s.legacy {
        return scalable_response(&s, Some("oauth"), &edge.oauth_metadata);
    }
    scalable_response(&s, Some("oauth"), &s.documents.oauth_metadata)
}

#[derive(Debug, Deserialize)]
struct CoverageQuery {
    page: Option<String>,
    ids: Option<String>,
}

async fn coverage(State(s): State<Arc<DemoState>>, Query(q): Query<CoverageQuery>) -> Response {
    let page = match q.page.as_deref().map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => {
            return (
                StatusCode::BAD_REQUEST,
                "`page` must be a positive integer\n",
            )
                .into_response();
        }
    };
    let key = q.ids.is_none().then(|| format!("coverage?page={page}"));
    scalable_response(
        &s,
        key.as_deref(),
        &s.documents
            .coverage_page_borrowed(&s.base_url, page, q.ids.as_deref()),
    )
}

async fn map_file(Path(file): Path<String>) -> Response {
    match MAP_FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, bytes)) => ([(header::CONTENT_TYPE, *mime)], *bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such map\n").into_response(),
    }
}

/// A running demo server.
pub struct DemoServer {
    pub base_url: String,
    pub addr: SocketAddr,
    /// The served state, for tests that stand in for other flows (e.g. add a consent Grant).
    state: Arc<DemoState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    /// Saves the registry to `DemoOptions::state_file` (persist.rs).
    saver: Option<persist::Saver>,
}

impl DemoServer {
    /// Binds `127.0.0.1:port` (0 for a random port) and serves in a background task.
    pub async fn start(port: u16, options: DemoOptions) -> anyhow::Result<DemoServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let state_file = options.state_file.clone();
        let state = Arc::new(DemoState::new(&base_url, options)?);
        let saver = match state_file {
            Some(path) => {
                let sealing = state.options.sealing.clone();
                *state.registry.lock_quiet() =
                    persist::load_sealed(&path, &state.base_url, sealing.as_ref())?;
                // Reviews that were running when the demo stopped run again.
                answers::resume(&state);
                Some(persist::Saver::start(state.clone(), path, sealing).await?)
            }
            None => None,
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let task = tokio::spawn(async move {
            let _ = serve(listener, served, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(DemoServer {
            base_url,
            addr,
            state,
            shutdown: Some(tx),
            task,
            saver,
        })
    }

    /// The server's state (registry, documents).
    pub fn state(&self) -> &Arc<DemoState> {
        &self.state
    }

    /// Stops serving and waits for the server task to end; then saves the state a last time.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(saver) = self.saver.take() {
            saver.finish().await;
        }
    }
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<DemoState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
