//! Servers that follow the older drafts, as their texts write them (CDS-WG1-01/02 compatibility):
//! a May 2023 CDSC deployment and a 2025 CDSC deployment, each on its own loopback origin and
//! built from `tests/fixtures/drafts/`, are discovered, listed and validated end to end through
//! the binary. Validation judges each by its own draft and lists the distance to 2026 apart.

use std::sync::OnceLock;

use axum::Router;
use axum::routing::get;
use serde_json::Value;

use crate::common::run_cli;

const SERVER_2023: &str = include_str!("../fixtures/drafts/cdsc2023-server-metadata.json");
const OAUTH_2023: &str = include_str!("../fixtures/drafts/cdsc2023-oauth-metadata.json");
const SERVER_2025: &str = include_str!("../fixtures/drafts/cdsc2025-server-metadata.json");
const OAUTH_2025: &str = include_str!("../fixtures/drafts/cdsc2025-oauth-metadata.json");
const COVERAGE_2025: &str = include_str!("../fixtures/drafts/cdsc2025-coverage.json");

/// Serves `docs` (path, body) on a new loopback origin, with every `origins` URL in the bodies
/// rewritten to it. Runs on its own thread for the whole test binary.
fn serve(
    docs: &'static [(&'static str, &'static str)],
    origins: &'static [&'static str],
) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let base = format!("http://{}", listener.local_addr().expect("addr"));
            let mut app = Router::new();
            for (path, body) in docs {
                let mut text = body.to_string();
                for o in origins {
                    text = text.replace(o, &base);
                }
                app = app.route(
                    path,
                    get(move || async move {
                        (
                            [(axum::http::header::CONTENT_TYPE, "application/json")],
                            text,
                        )
                    }),
                );
            }
            tx.send(base).expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server started")
}

fn utility_2023() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        serve(
            &[
                ("/.well-known/carbon-data-spec.json", SERVER_2023),
                ("/.well-known/oauth-authorization-server", OAUTH_2023),
            ],
            &["https://demoutility.com"],
        )
    })
}

fn utility_2025() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        serve(
            &[
                ("/.well-known/carbon-data-spec.json", SERVER_2025),
                ("/.well-known/oauth-authorization-server", OAUTH_2025),
                ("/cds-coverage.json", COVERAGE_2025),
            ],
            &[
                "https://cds.demo-utility.example",
                "https://demo-utility.example",
            ],
        )
    })
}

fn json_of(args: &[&str]) -> Value {
    let (code, out, err) = run_cli(args);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

fn codes(v: &Value, prefix: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|c| c.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_may_2023_deployment_is_discovered_and_its_catalog_listed() {
    let url = utility_2023();
    let (code, out, err) = run_cli(&["discover", url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(no name given)"), "{out}");
    assert!(out.contains("CDSC May 2023"), "{out}");
    let d = json_of(&["discover", url, "--json"]);
    assert_eq!(d["draft"], "cdsc-2023");

    let (code, out, err) = run_cli(&["scopes", url]);
    assert_eq!(code, 0, "{err}");
    // Scope modifiers as a map (`accounts`, `usage`) and as an empty list (`client_admin`),
    // registration extras without `documentation`, `requirements` read as registration fields.
    for needle in [
        "3 scopes",
        "cds_client_admin",
        "modifier       _number (boolean)",
        "modifier       _intervals (boolean)",
        "requires       sou [registration_field, string]",
        "requires       review_step1 [internal_review]",
        "optional       cds_autolist_in_directory [registration_field, boolean]",
    ] {
        assert!(out.contains(needle), "`{needle}` not in:\n{out}");
    }
}

#[test]
fn a_may_2023_deployment_is_valid_by_its_draft_and_shows_what_2026_adds() {
    let url = utility_2023();
    let v = json_of(&["validate", url, "--json"]);
    assert_eq!(v["errors"], 0, "{v:#}");
    let upgrades = codes(&v, "upgrade.");
    for code in [
        "upgrade.metadata.required_field",
        "upgrade.oauth.required_field",
        "upgrade.regfield.required_field",
        "upgrade.scope.required_field",
        "upgrade.oauth.par_missing",
    ] {
        assert!(
            upgrades.iter().any(|c| c == code),
            "{code} not in {upgrades:?}"
        );
    }
    assert_eq!(v["upgrades"].as_u64(), Some(upgrades.len() as u64));
    let (code, out, _) = run_cli(&["validate", url]);
    assert_eq!(code, 0);
    assert!(out.contains("what CDS 2026 adds to CDSC May 2023"), "{out}");

    // Targeting 2026, the same distance is the errors.
    let strict = json_of(&["validate", url, "--json", "--target", "2026"]);
    assert_eq!(strict["errors"].as_u64(), Some(upgrades.len() as u64));
    let (code, _, _) = run_cli(&["validate", url, "--target", "2026"]);
    assert_eq!(code, 1);
}

#[test]
fn a_2025_deployment_is_judged_by_the_2025_draft() {
    let url = utility_2025();
    let (code, out, err) = run_cli(&["scopes", url]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cds_usage_basic"), "{out}");
    let v = json_of(&["validate", url, "--json"]);
    assert_eq!(v["draft"], "cdsc-2025");
    assert_eq!(v["errors"], 0, "{v:#}");
    let upgrades = codes(&v, "upgrade.");
    assert!(
        upgrades.contains(&"upgrade.oauth.required_field".to_owned()),
        "{upgrades:?}"
    );
    assert!(
        upgrades.contains(&"upgrade.adf.minimum_missing".to_owned()),
        "{upgrades:?}"
    );
    // A 2025 requirement stays an error of a 2025 document: no upgrade.* for PAR here.
    assert!(
        !upgrades.iter().any(|c| c.contains("par_missing")),
        "{upgrades:?}"
    );
}
