//! The wizard without a terminal: `app::update` driven by messages (keys, results), and every
//! screen state drawn on ratatui's TestBackend and compared with insta snapshots at 80x24 and
//! 120x40. Data comes from the demo's documents rendered for a fixed URL, with a fixed clock.

use std::time::{Duration, Instant};

use cds_wizard::app::screens::discover::DiscoverTab;
use cds_wizard::app::{self, App, Effect, Msg, Remote, Step};
use cds_wizard::cds::conformance::{Finding, Severity};
use cds_wizard::cds::drafts::Draft;
use cds_wizard::demo::documents::Documents;
use cds_wizard::onboarding::discovery::{
    Coverage, Discovery, DiscoveryEvent, Document, DocumentKind, RelatedServer,
};
use cds_wizard::ui::{self, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use url::Url;

const BASE: &str = "http://127.0.0.1:9";

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// The demo utility as discovery would find it, built from its documents without a socket.
fn demo_discovery() -> Discovery {
    let docs = Documents::render(BASE).unwrap();
    let metadata_url = url(&format!("{BASE}/.well-known/cds-server-metadata.json"));
    let related = [&docs.related_north, &docs.related_gas]
        .iter()
        .map(|r| RelatedServer {
            url: url(r["cds_metadata_url"].as_str().unwrap()),
            linked_from: metadata_url.clone(),
            depth: 1,
            name: r["name"].as_str().map(str::to_owned),
            description: r["description"].as_str().map(str::to_owned),
            capabilities: Vec::new(),
            error: None,
        })
        .collect();
    let entries = docs
        .coverage_entries
        .iter()
        .map(|e| serde_json::from_value(e.clone()).unwrap())
        .collect();
    let oauth_url = url(&format!("{BASE}/.well-known/oauth-authorization-server"));
    Discovery {
        input: url(BASE),
        metadata_url: metadata_url.clone(),
        moves: Vec::new(),
        server: Document {
            url: metadata_url,
            draft: Draft::Cds2026,
            parsed: Some(serde_json::from_value(docs.server_metadata.clone()).unwrap()),
            raw: docs.server_metadata,
        },
        related,
        coverage: Some(Coverage {
            pages: 1,
            complete: true,
            entries,
        }),
        oauth: Some(Document {
            url: oauth_url,
            draft: Draft::Cds2026,
            parsed: Some(serde_json::from_value(docs.oauth_metadata.clone()).unwrap()),
            raw: docs.oauth_metadata,
        }),
        // Two findings of different severity, so the findings list and its filter have work.
        findings: vec![
            Finding {
                severity: Severity::Warning,
                code: "oauth.example_warning".into(),
                message: "an example warning\u{1b}[31m with an escape".into(),
                section: "CDS-WG1-02 §3.2".into(),
                pointer: "/issuer".into(),
                document: None,
            },
            Finding {
                severity: Severity::Info,
                code: "draft.translated".into(),
                message: "an example note".into(),
                section: "compatibility".into(),
                pointer: String::new(),
                document: None,
            },
        ],
        elapsed: Duration::from_millis(42),
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        app::update(app, key(KeyCode::Char(c)));
    }
}

/// A wizard whose discovery (request 1) has started; returns it and the request id.
fn started(t0: Instant) -> (App, u64) {
    let (app, effects) = App::new(BASE, t0);
    let [Effect::Discover { req, url }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(url, BASE);
    let req = *req;
    (app, req)
}

fn ready(t0: Instant) -> App {
    let (mut app, req) = started(t0);
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req,
            result: Ok(Box::new(demo_discovery())),
        },
    );
    app
}

fn progress(app: &mut App, req: u64) {
    let ev = [
        DiscoveryEvent::Fetching {
            kind: DocumentKind::ServerMetadata,
            url: url(&format!("{BASE}/.well-known/cds-server-metadata.json")),
        },
        DiscoveryEvent::Fetched {
            kind: DocumentKind::ServerMetadata,
            url: url(&format!("{BASE}/.well-known/cds-server-metadata.json")),
            bytes: 1234,
            millis: 12,
        },
        DiscoveryEvent::Fetching {
            kind: DocumentKind::CoveragePage,
            url: url(&format!("{BASE}/cds/coverage")),
        },
        DiscoveryEvent::Fetching {
            kind: DocumentKind::OAuthMetadata,
            url: url(&format!("{BASE}/.well-known/oauth-authorization-server")),
        },
        DiscoveryEvent::Failed {
            kind: DocumentKind::RelatedMetadata,
            url: url(&format!("{BASE}/.well-known/oauth-authorization-server")),
            error: "HTTP 503 from the server".into(),
        },
    ];
    for event in ev {
        app::update(app, Msg::DiscoveryProgress { req, event });
    }
}

// ---- update, without a terminal ----

#[test]
fn discovery_result_makes_the_catalog_with_client_admin_locked_in() {
    let mut app = ready(Instant::now());
    let Remote::Ready(v) = &app.discover.remote else {
        panic!("not ready")
    };
    assert_eq!(v.name, "Demo Gas & Electric");
    assert_eq!(v.coverage.len(), 8);
    // Server text is sanitized when the view is built.
    assert!(v.findings.iter().all(|f| !f.message.contains('\u{1b}')));
    assert_eq!(app.scopes.catalog.len(), 8);
    assert!(app.scopes.selected.contains("cds_client_admin"));

    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Scopes);
    assert_eq!(app.scopes.current().unwrap().id, "cds_client_admin");
    app::update(&mut app, key(KeyCode::Char(' ')));
    assert!(
        app.scopes.selected.contains("cds_client_admin"),
        "cds_client_admin cannot be unselected"
    );
    assert_eq!(app.notice, Some(app::Notice::ScopeLocked));
    app::update(&mut app, key(KeyCode::Down));
    app::update(&mut app, key(KeyCode::Char(' ')));
    assert!(app.scopes.selected.contains("cds_grant_admin_1"));
    app::update(&mut app, key(KeyCode::Char(' ')));
    assert!(!app.scopes.selected.contains("cds_grant_admin_1"));
}

#[test]
fn a_stale_result_is_dropped() {
    let t0 = Instant::now();
    let (mut app, first) = started(t0);
    // Retry before the first run answers: a second request replaces it.
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req: first,
            result: Err("connection refused".into()),
        },
    );
    assert!(matches!(app.discover.remote, Remote::Failed(_)));
    let effects = app::update(&mut app, key(KeyCode::Char('r')));
    let [Effect::Discover { req: second, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_ne!(*second, first);
    progress(&mut app, first);
    assert!(
        app.discover.fetches.is_empty(),
        "progress of the old run is ignored"
    );
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req: first,
            result: Ok(Box::new(demo_discovery())),
        },
    );
    assert!(
        matches!(app.discover.remote, Remote::Loading { req, .. } if req == *second),
        "the old run's result must not land"
    );
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req: *second,
            result: Ok(Box::new(demo_discovery())),
        },
    );
    assert!(matches!(app.discover.remote, Remote::Ready(_)));
}

#[test]
fn search_filters_as_you_type_and_esc_clears_it() {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    app::update(&mut app, key(KeyCode::Char('/')));
    chars(&mut app, "usage");
    assert_eq!(app.scopes.shown(), 2);
    assert_eq!(app.scopes.current().unwrap().id, "dge_usage_electric");
    // `q` while typing is a letter, not quit.
    chars(&mut app, "q");
    assert_eq!(app.scopes.shown(), 0);
    assert_eq!(app.overlay, None);
    app::update(&mut app, key(KeyCode::Backspace));
    assert_eq!(app.scopes.shown(), 2);
    app::update(&mut app, key(KeyCode::Enter));
    assert!(!app.scopes.searching);
    assert_eq!(app.scopes.query, "usage");
    app::update(&mut app, key(KeyCode::Down));
    assert_eq!(app.scopes.current().unwrap().id, "dge_usage_gas");
    app::update(&mut app, key(KeyCode::Char('/')));
    app::update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.scopes.shown(), 8);
    assert_eq!(
        app.scopes.current().unwrap().id,
        "dge_usage_gas",
        "cursor stays on its scope"
    );
}

#[test]
fn quitting_asks_first_and_ctrl_c_does_not() {
    let mut app = ready(Instant::now());
    assert!(app::update(&mut app, key(KeyCode::Char('q'))).is_empty());
    assert_eq!(app.overlay, Some(app::Overlay::ConfirmQuit));
    app::update(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.overlay, None);
    app::update(&mut app, key(KeyCode::Esc));
    assert_eq!(
        app::update(&mut app, key(KeyCode::Char('y'))),
        vec![Effect::Quit]
    );

    let mut app = ready(Instant::now());
    let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(app::update(&mut app, ctrl_c), vec![Effect::Quit]);
}

#[test]
fn tabs_and_severity_filter() {
    let mut app = ready(Instant::now());
    assert_eq!(app.discover.tab, DiscoverTab::Utility);
    app::update(&mut app, key(KeyCode::Right));
    assert_eq!(app.discover.tab, DiscoverTab::Coverage);
    app::update(&mut app, key(KeyCode::End));
    assert_eq!(app.discover.coverage_cursor, 7);
    assert_eq!(app.discover.visible_findings().len(), 2);
    app::update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.discover.tab, DiscoverTab::Findings);
    assert_eq!(app.discover.visible_findings().len(), 1);
    app::update(&mut app, key(KeyCode::Char('s')));
    assert_eq!(app.discover.visible_findings().len(), 0);
}

// ---- snapshots ----

fn snap(name: &str, app: &App) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| ui::draw(f, app, &Theme { color: false }))
            .unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn snapshot_discovery_loading() {
    let t0 = Instant::now();
    let (mut app, req) = started(t0);
    progress(&mut app, req);
    app::update(&mut app, Msg::Tick(t0 + Duration::from_millis(1500)));
    snap("discovery_loading", &app);
}

#[test]
fn snapshot_discovery_ready() {
    let mut app = ready(Instant::now());
    snap("discovery_ready_utility", &app);
    app::update(&mut app, key(KeyCode::Right));
    app::update(&mut app, key(KeyCode::Down));
    snap("discovery_ready_coverage", &app);
    app::update(&mut app, key(KeyCode::Right));
    snap("discovery_ready_findings", &app);
}

#[test]
fn snapshot_discovery_failed() {
    let (mut app, req) = started(Instant::now());
    progress(&mut app, req);
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req,
            result: Err(format!(
                "no CDS server metadata found at /.well-known/cds-server-metadata.json: {BASE}/ answered 404"
            )),
        },
    );
    snap("discovery_failed", &app);
}

#[test]
fn snapshot_scopes() {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    snap("scopes_list", &app);
    app::update(&mut app, key(KeyCode::Char('/')));
    chars(&mut app, "usage");
    snap("scopes_search", &app);
    app::update(&mut app, key(KeyCode::Enter));
    app::update(&mut app, key(KeyCode::Char(' ')));
    app::update(&mut app, key(KeyCode::PageDown));
    snap("scopes_detail", &app);
}

#[test]
fn snapshot_overlays() {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Char('?')));
    snap("help", &app);
    app::update(&mut app, key(KeyCode::Esc));
    app::update(&mut app, key(KeyCode::Char('q')));
    snap("confirm_quit", &app);
}

#[test]
fn no_color_keeps_the_selection_visible_without_colors() {
    use ratatui::style::{Color, Modifier};
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    for color in [false, true] {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| ui::draw(f, &app, &Theme { color }))
            .unwrap();
        let buf = terminal.backend().buffer();
        let colored = buf
            .content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset);
        assert_eq!(colored, color, "color: {color}");
        let reversed = buf
            .content()
            .iter()
            .any(|c| c.modifier.contains(Modifier::REVERSED));
        assert!(reversed, "the selection is reversed, color: {color}");
    }
}
