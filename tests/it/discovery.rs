//! Discovery over real HTTP: against the demo utility, and against a hostile server whose
//! routes each break one rule.

use crate::common;

use std::sync::{Arc, Mutex};

use cds_wizard::cds::conformance::Severity;
use cds_wizard::cds::drafts::Draft;
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::discovery::{
    DiscoveryError, DiscoveryEvent, DiscoveryLimits, DocumentKind, discover,
};

fn client() -> HttpClient {
    HttpClient::new(HttpPolicy::default()).expect("http client")
}

#[tokio::test]
async fn the_demo_utility_is_discovered_completely_and_cleanly() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let d = discover(
        &client(),
        common::demo_url(),
        &DiscoveryLimits::default(),
        Some(Arc::new(move |e| sink.lock().unwrap().push(e))),
    )
    .await
    .expect("demo discovery");

    assert_eq!(d.draft(), Draft::Cds2026);
    assert!(
        d.metadata_url
            .as_str()
            .ends_with("/.well-known/cds-server-metadata.json")
    );
    let server = d.server.parsed.as_ref().expect("metadata decodes");
    assert_eq!(server.name, "Demo Gas & Electric");
    assert_eq!(d.related.len(), 2);
    assert!(
        d.related
            .iter()
            .all(|r| r.error.is_none() && r.name.is_some())
    );
    let cov = d.coverage.as_ref().expect("coverage");
    assert!(cov.complete);
    assert_eq!(cov.pages, 3);
    assert_eq!(cov.entries.len(), 8);
    let oauth = d
        .oauth
        .as_ref()
        .and_then(|o| o.parsed.as_ref())
        .expect("oauth metadata decodes");
    assert!(
        oauth
            .cds_scope_descriptions
            .contains_key("cds_client_admin")
    );
    assert_eq!(d.errors(), 0, "{:#?}", d.findings);
    assert_eq!(d.warnings(), 0, "{:#?}", d.findings);
    let gas = d.coverage.as_ref().expect("coverage listing");
    let gas = gas.entries.iter().find(|e| &*e.id == "dge_gas");
    assert_eq!(gas.map(|e| &*e.name), Some("Natural gas service territory"));

    // Every document was announced and then reported fetched.
    let events = events.lock().unwrap();
    let fetched = |kind| {
        events
            .iter()
            .filter(|e| matches!(e, DiscoveryEvent::Fetched { kind: k, .. } if *k == kind))
            .count()
    };
    assert_eq!(fetched(DocumentKind::ServerMetadata), 1);
    assert_eq!(fetched(DocumentKind::RelatedMetadata), 2);
    assert_eq!(fetched(DocumentKind::CoveragePage), 3);
    assert_eq!(fetched(DocumentKind::OAuthMetadata), 1);
    let fetching = events
        .iter()
        .filter(|e| matches!(e, DiscoveryEvent::Fetching { .. }))
        .count();
    assert_eq!(fetching, 7);
}

#[tokio::test]
async fn the_legacy_well_known_path_moves_and_the_move_is_reported() {
    let legacy = format!("{}/.well-known/carbon-data-spec.json", common::demo_url());
    let d = discover(&client(), &legacy, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    assert!(
        d.metadata_url
            .as_str()
            .ends_with("/.well-known/cds-server-metadata.json")
    );
    assert_eq!(d.moves.len(), 1);
    assert_eq!(d.moves[0].status, 301);
    assert!(
        d.findings
            .iter()
            .any(|f| f.code == "discovery.moved" && f.severity == Severity::Info)
    );
}

#[tokio::test]
async fn a_related_metadata_cycle_is_a_warning_and_stops() {
    let url = format!("{}/cycle/a.json", common::hostile_url());
    let d = discover(&client(), &url, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    assert_eq!(d.related.len(), 1, "b is read once, a is not read again");
    let cycle = d
        .findings
        .iter()
        .find(|f| f.code == "related.cycle")
        .expect("cycle finding");
    assert_eq!(cycle.severity, Severity::Warning);
}

#[tokio::test]
async fn a_coverage_next_loop_is_a_warning_and_stops() {
    let url = format!("{}/covloop/meta.json", common::hostile_url());
    let d = discover(&client(), &url, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let cov = d.coverage.as_ref().unwrap();
    assert_eq!(cov.pages, 2);
    assert!(!cov.complete);
    let f = d
        .findings
        .iter()
        .find(|f| f.code == "coverage.next_loop")
        .expect("loop finding");
    assert_eq!(f.severity, Severity::Warning);
}

#[tokio::test]
async fn without_an_oauth_metadata_link_the_rfc8414_location_is_tried() {
    let url = format!("{}/nolink/meta.json", common::hostile_url());
    let d = discover(&client(), &url, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let oauth = d.oauth.as_ref().expect("found at the RFC 8414 location");
    assert!(
        oauth
            .url
            .as_str()
            .ends_with("/.well-known/oauth-authorization-server")
    );
    assert!(
        d.findings
            .iter()
            .any(|f| f.code == "metadata.oauth_metadata_missing")
    );
}

#[tokio::test]
async fn an_unreachable_oauth_metadata_is_an_error_finding_not_a_failure() {
    let url = format!("{}/missing-oauth/meta.json", common::hostile_url());
    let d = discover(&client(), &url, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    assert!(d.oauth.is_none());
    let f = d
        .findings
        .iter()
        .find(|f| f.code == "discovery.oauth_unreachable")
        .unwrap();
    assert!(
        f.message.contains("/nowhere") && f.message.contains("404"),
        "{}",
        f.message
    );
}

#[tokio::test]
async fn a_response_over_the_size_cap_is_refused_without_reading_it_all() {
    let url = format!("{}/huge/meta.json", common::hostile_url());
    let err = discover(&client(), &url, &DiscoveryLimits::default(), None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[tokio::test]
async fn a_silent_host_times_out() {
    let client = HttpClient::new(HttpPolicy {
        timeout: std::time::Duration::from_millis(500),
        ..HttpPolicy::default()
    })
    .expect("http client");
    let err = discover(
        &client,
        common::silent_url(),
        &DiscoveryLimits::default(),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DiscoveryError::Http(_)), "{err}");
    assert!(err.to_string().contains("no complete answer"), "{err}");
}

#[tokio::test]
async fn a_2025_deployment_is_found_at_the_legacy_path_and_translated() {
    let d = discover(
        &client(),
        common::hostile_url(),
        &DiscoveryLimits::default(),
        None,
    )
    .await
    .expect("legacy discovery");
    assert!(
        d.metadata_url
            .as_str()
            .ends_with("/.well-known/carbon-data-spec.json")
    );
    assert_eq!(d.draft(), Draft::Cdsc2025);
    let oauth = d.oauth.as_ref().expect("oauth metadata");
    assert_eq!(oauth.draft, Draft::Cdsc2025);
    let meta = oauth.parsed.as_ref().expect("translated metadata decodes");
    assert!(meta.cds_scope_descriptions.contains_key("cds_client_admin"));
    let translated: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.code == "draft.translated")
        .collect();
    assert!(!translated.is_empty());
    assert!(
        translated
            .iter()
            .all(|f| f.severity == Severity::Info && f.message.contains("CDSC 2025"))
    );
    assert!(translated.iter().any(|f| {
        f.pointer
            .starts_with("/cds_scope_descriptions/client_admin")
    }));
}

/// Issue 9 point 4: a whole discovery has a deadline of its own, beyond each request's.
#[tokio::test]
async fn the_whole_discovery_has_a_deadline() {
    let limits = DiscoveryLimits {
        deadline: std::time::Duration::from_secs(1),
        ..DiscoveryLimits::default()
    };
    let t = std::time::Instant::now();
    // The silent host never answers; each request alone would wait 15 s.
    let err = discover(&client(), common::silent_url(), &limits, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DiscoveryError::Deadline { secs: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("within 1 s in all"), "{err}");
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
}

/// A coverage listing of `pages` pages of `per_page` entries that do not decode.
async fn undecodable_coverage(pages: usize, per_page: usize) -> String {
    use axum::extract::{Query, State};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let meta = common::metadata(
        &base,
        "/meta.json",
        serde_json::json!({"capabilities": ["coverage"], "coverage": format!("{base}/coverage")}),
    );
    let app = axum::Router::new()
        .route(
            "/meta.json",
            axum::routing::get(move || async move { axum::Json(meta) }),
        )
        .route(
            "/coverage",
            axum::routing::get(
                move |State(base): State<String>,
                      Query(q): Query<std::collections::HashMap<String, usize>>| async move {
                    let page = q.get("page").copied().unwrap_or(1);
                    let next = (page < pages).then(|| format!("{base}/coverage?page={}", page + 1));
                    let entries: Vec<serde_json::Value> = (0..per_page)
                        .map(|i| serde_json::json!({"id": i, "padding": "x".repeat(100)}))
                        .collect();
                    axum::Json(serde_json::json!({
                        "coverage_entries": entries, "next": next, "previous": null
                    }))
                },
            ),
        )
        .with_state(base.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("{base}/meta.json")
}

/// Every coverage entry counts toward the cap, decodable or not, and all pages together have a
/// byte budget.
#[tokio::test]
async fn coverage_caps_count_every_entry_and_every_byte() {
    let url = undecodable_coverage(10, 10).await;
    let limits = DiscoveryLimits {
        max_coverage_entries: 25,
        ..DiscoveryLimits::default()
    };
    let d = discover(&client(), &url, &limits, None).await.unwrap();
    let codes: Vec<&str> = d.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"coverage.too_many_entries"), "{codes:?}");
    let cov = d.coverage.as_ref().unwrap();
    assert!(cov.entries.is_empty(), "none of them decodes");
    assert_eq!(cov.pages, 3, "stopped once 25 entries were read");

    let limits = DiscoveryLimits {
        max_coverage_bytes: 3_000,
        ..DiscoveryLimits::default()
    };
    let d = discover(&client(), &url, &limits, None).await.unwrap();
    let codes: Vec<&str> = d.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"coverage.too_many_bytes"), "{codes:?}");
    assert!(d.coverage.as_ref().unwrap().pages < 10);
}
