//! The embedded demo utility: a CDS server (axum) on loopback that serves the public documents
//! of CDS-WG1-01 and CDS-WG1-02 §3. It imports only `cds/` wire types and `assets/`, never the
//! client side.

pub mod authorize;
pub mod documents;
mod introspect;
mod management;
mod pages;
pub mod rar;
mod registration;
pub mod state;
mod token;

pub use authorize::{TEST_ACCOUNTS, TestAccount, test_accounts};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::cds::server_metadata::WELL_KNOWN_PATH;
use documents::{Documents, MAP_FILES};

/// How the demo behaves beyond the spec (for tests and demonstrations).
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Added before every response (simulates a distant server).
    pub latency: Duration,
    /// How registrations behave: the internal-review delay and the clock.
    pub registry: state::RegistryOptions,
    /// Refuse authorization requests that do not come through PAR (RFC 9126 §5).
    pub require_par: bool,
}

/// Shared state of one running demo server.
#[derive(Debug)]
pub struct DemoState {
    pub base_url: String,
    pub documents: Documents,
    pub options: DemoOptions,
    /// Registrations and what they created (WG1-02 §4–§7).
    pub registry: state::Registry,
}

impl DemoState {
    pub fn new(base_url: &str, options: DemoOptions) -> Result<Self, documents::AssetError> {
        let base_url = base_url.trim_end_matches('/').to_owned();
        Ok(Self {
            documents: Documents::render(&base_url)?,
            base_url,
            registry: state::Registry::new(options.registry.clone()),
            options,
        })
    }
}

/// The demo server's routes.
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
        .route("/docs/test-accounts", get(authorize::test_accounts_page))
        .route("/docs/{*page}", get(pages::doc_page))
        .route("/register-by-hand", get(pages::human_registration))
        .route("/oauth/register", post(registration::register))
        .route("/oauth/token", post(token::token))
        .route("/oauth/par", post(authorize::par))
        .route("/oauth/authorize", get(authorize::authorize))
        .route("/oauth/authorize/login", post(authorize::login))
        .route("/oauth/authorize/consent", post(authorize::consent))
        .route("/oauth/introspect", post(introspect::introspect))
        .route("/oauth/revoke", post(introspect::revoke))
        .route(registration::RECEIPT_PATH, get(registration::receipt))
        .route("/forms/payment/{id}", get(registration::payment_form))
        .route("/forms/online/{id}", get(registration::online_form))
        .route("/forms/pdf/{file}", get(registration::pdf_form))
        .route("/api/clients", get(management::list_clients))
        .route("/api/clients/{id}", get(management::get_client))
        .route("/api/credentials", get(management::list_credentials))
        .route("/api/credentials/{id}", get(management::get_credential))
        .route("/api/messages", get(management::list_messages))
        .route("/api/messages/{id}", get(management::get_message))
        .route("/", get(pages::home))
        .layer(middleware::from_fn_with_state(state.clone(), faults))
        .with_state(state)
}

async fn faults(State(state): State<Arc<DemoState>>, req: Request, next: Next) -> Response {
    if !state.options.latency.is_zero() {
        tokio::time::sleep(state.options.latency).await;
    }
    next.run(req).await
}

fn json_response(v: &serde_json::Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        serde_json::to_string_pretty(v).unwrap_or_default(),
    )
        .into_response()
}

async fn server_metadata(State(s): State<Arc<DemoState>>) -> Response {
    json_response(&s.documents.server_metadata)
}

async fn legacy_well_known(State(s): State<Arc<DemoState>>) -> Response {
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
    json_response(&s.documents.oauth_metadata)
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
    json_response(
        &s.documents
            .coverage_page(&s.base_url, page, q.ids.as_deref()),
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
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl DemoServer {
    /// Binds `127.0.0.1:port` (0 for a random port) and serves in a background task.
    pub async fn start(port: u16, options: DemoOptions) -> anyhow::Result<DemoServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let state = Arc::new(DemoState::new(&base_url, options)?);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(DemoServer {
            base_url,
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
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
