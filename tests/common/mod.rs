//! Shared test support: one demo server per test binary, and a hostile server whose routes
//! each break one rule (HTML, wrong shapes, huge bodies, loops, cycles, silence).
#![allow(dead_code)]

pub mod customer;
pub mod fixtures;
pub mod pty;
pub mod secrets;

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// Runs `f` on a dedicated thread with its own runtime that lives as long as the test binary,
/// so servers started there survive the per-test runtimes of `#[tokio::test]`.
fn background<T: Send + 'static>(
    f: impl FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>> + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("test runtime");
        rt.block_on(async move {
            let v = f().await;
            tx.send(v).expect("send");
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("background server started")
}

/// The demo utility, started once per test binary.
pub fn demo_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        background(|| {
            Box::pin(async {
                let s = cds_wizard::demo::DemoServer::start(0, Default::default())
                    .await
                    .expect("demo server");
                let url = s.base_url.clone();
                std::mem::forget(s);
                url
            })
        })
    })
}

/// A second demo utility whose reviews take a second (support requests answered, production
/// access granted), for tests that wait for the utility's answer; started once per binary.
pub fn quick_demo_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        background(|| {
            Box::pin(async {
                let mut opts = cds_wizard::demo::DemoOptions::default();
                opts.registry.review_delay = Duration::from_secs(1);
                let s = cds_wizard::demo::DemoServer::start(0, opts)
                    .await
                    .expect("demo server");
                let url = s.base_url.clone();
                std::mem::forget(s);
                url
            })
        })
    })
}

/// The demo utility serving hostile display text (terminal escapes, bidi overrides, invisible
/// characters in every name and description: `demo-server --hostile-strings`), started once
/// per test binary. It registers and authorizes like the normal demo.
pub fn hostile_demo_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        background(|| {
            Box::pin(async {
                let options = cds_wizard::demo::DemoOptions {
                    hostile_strings: true,
                    ..Default::default()
                };
                let s = cds_wizard::demo::DemoServer::start(0, options)
                    .await
                    .expect("hostile demo server");
                let url = s.base_url.clone();
                std::mem::forget(s);
                url
            })
        })
    })
}

/// The hostile server, started once per test binary.
pub fn hostile_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        background(|| {
            Box::pin(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let base = format!("http://{}", listener.local_addr().expect("addr"));
                let app = hostile_router(base.clone());
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                });
                base
            })
        })
    })
}

/// A port with nothing listening (bound then released).
pub fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}/")
}

/// A socket that accepts connections and never answers.
pub fn silent_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/", l.local_addr().expect("addr"));
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for s in l.incoming().flatten() {
                held.push(s);
            }
        });
        url
    })
}

/// A minimal valid server metadata document at `url`, with overrides merged in.
pub fn metadata(base: &str, path: &str, extra: Value) -> Value {
    let mut v = json!({
        "cds_metadata_version": "v1",
        "cds_metadata_url": format!("{base}{path}"),
        "created": "2024-01-01T00:00:00Z",
        "updated": "2024-06-01T00:00:00Z",
        "name": "Hostile Utility",
        "description": "A test server that breaks rules on purpose",
        "website": format!("{base}/w"),
        "documentation": format!("{base}/d"),
        "support": format!("{base}/s"),
        "capabilities": []
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in e {
            o.insert(k.clone(), val.clone());
        }
    }
    v
}

fn hostile_router(base: String) -> Router {
    Router::new()
        .route(
            "/html/.well-known/cds-server-metadata.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<html><body>Welcome</body></html>",
                )
            }),
        )
        .route(
            "/shape/meta.json",
            get(|| async { axum::Json(json!(["not", "an", "object"])) }),
        )
        .route(
            "/notcds/meta.json",
            get(|| async { axum::Json(json!({"hello": "world", "capabilities": "not-a-list"})) }),
        )
        .route(
            "/truncated/meta.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"cds_metadata_version\": \"v1\", \"name\": \"cut",
                )
            }),
        )
        .route(
            "/huge/meta.json",
            get(|| async {
                // 50 MB, streamed without a Content-Length, so only the client's cap can stop it.
                let chunk = vec![b' '; 1024 * 1024];
                let stream = futures::stream::iter(
                    (0..50).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
                );
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    Body::from_stream(stream),
                )
            }),
        )
        .route("/loop/a", get(|| async { Redirect::temporary("/loop/b") }))
        .route("/loop/b", get(|| async { Redirect::temporary("/loop/a") }))
        .route(
            "/insecure/meta.json",
            get(|| async { Redirect::temporary("http://example.com/meta.json") }),
        )
        .route("/covloop/meta.json", get(covloop_meta))
        .route("/covloop/page1", get(covloop_page1))
        .route("/covloop/page2", get(covloop_page2))
        .route("/cycle/a.json", get(cycle_a))
        .route("/cycle/b.json", get(cycle_b))
        .route("/missing-oauth/meta.json", get(missing_oauth))
        .route("/nolink/meta.json", get(nolink_meta))
        // A 2025 CDSC deployment: only the legacy well-known path, old field names.
        .route(
            "/.well-known/carbon-data-spec.json",
            get(legacy_2025_metadata),
        )
        .route(
            "/legacy/.well-known/oauth-authorization-server",
            get(legacy_2025_oauth),
        )
        .route(
            "/legacy/cds-coverage.json",
            get(|| async {
                axum::Json(json!({"coverage_entries": [], "next": null, "previous": null}))
            }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(rfc8414_metadata),
        )
        .route(
            "/slow/meta.json",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "{}"
            }),
        )
        .with_state(base)
}

async fn covloop_meta(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(metadata(
        &base,
        "/covloop/meta.json",
        json!({
            "capabilities": ["coverage"],
            "coverage": format!("{base}/covloop/page1"),
        }),
    ))
}

async fn covloop_page1(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(
        json!({"coverage_entries": [], "next": format!("{base}/covloop/page2"), "previous": null}),
    )
}

async fn covloop_page2(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(
        json!({"coverage_entries": [], "next": format!("{base}/covloop/page1"), "previous": format!("{base}/covloop/page1")}),
    )
}

async fn cycle_a(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(metadata(
        &base,
        "/cycle/a.json",
        json!({"related_metadata": [format!("{base}/cycle/b.json")]}),
    ))
}

async fn cycle_b(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(metadata(
        &base,
        "/cycle/b.json",
        json!({"related_metadata": [format!("{base}/cycle/a.json")]}),
    ))
}

async fn missing_oauth(State(base): State<String>) -> Response {
    axum::Json(metadata(
        &base,
        "/missing-oauth/meta.json",
        json!({
            "capabilities": ["oauth"],
            "oauth_metadata": format!("{base}/nowhere"),
        }),
    ))
    .into_response()
}

fn legacy_fixture(name: &str, base: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/drafts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    serde_json::from_str(&text.replace(
        "https://cds.demo-utility.example",
        &format!("{base}/legacy"),
    ))
    .expect("fixture JSON")
}

async fn legacy_2025_metadata(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(legacy_fixture("cdsc2025-server-metadata.json", &base))
}

async fn legacy_2025_oauth(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(legacy_fixture("cdsc2025-oauth-metadata.json", &base))
}

async fn nolink_meta(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(metadata(
        &base,
        "/nolink/meta.json",
        json!({"capabilities": ["oauth"]}),
    ))
}

async fn rfc8414_metadata(State(base): State<String>) -> axum::Json<Value> {
    axum::Json(
        json!({"issuer": base, "response_types_supported": [], "token_endpoint": format!("{base}/token")}),
    )
}

/// Runs the built binary with `args`; returns (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run cds-wizard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Marks every stored access token of the home's profiles as expired (so `token` refreshes).
pub fn expire_access_tokens(home: &std::path::Path) {
    let index_path = home.join("profiles.toml");
    let text = std::fs::read_to_string(&index_path).unwrap();
    let expired = text
        .lines()
        .map(|l| {
            if l.starts_with("access_token_expires_at") {
                "access_token_expires_at = \"2000-01-01T00:00:00Z\"".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&index_path, expired).unwrap();
}
