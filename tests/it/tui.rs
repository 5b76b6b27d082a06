//! The wizard without a terminal: `app::update` driven by messages (keys, results), and every
//! screen state drawn on ratatui's TestBackend and compared with insta snapshots at 80x24 and
//! 120x40. Data comes from the demo's documents rendered for a fixed URL, with a fixed clock.

use std::time::{Duration, Instant};

use cds_wizard::app::screens::discover::{DiscoverTab, Discovered};
use cds_wizard::app::{self, App, Effect, Msg, Remote, Step};
use cds_wizard::cds::conformance::{Finding, Severity};
use cds_wizard::cds::drafts::Draft;
use cds_wizard::demo::documents::Documents;
use cds_wizard::onboarding::discovery::{
    Coverage, Discovery, DiscoveryEvent, Document, DocumentKind, RawJson, RelatedServer,
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
            raw: RawJson::from_value(&docs.oauth_metadata),
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
    let (mut app, effects) = App::new(BASE, t0);
    let [Effect::Discover { req, url }, Effect::LoadProfiles] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(url, BASE);
    let req = *req;
    // A fixed wall clock: relative dates read the same on every run.
    app.wall = "2026-11-27T20:00:00Z".parse().unwrap();
    (app, req)
}

fn ready(t0: Instant) -> App {
    let (mut app, req) = started(t0);
    app::update(
        &mut app,
        Msg::DiscoveryDone {
            req,
            result: Ok(Box::new(Discovered::new(demo_discovery()))),
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
    assert_eq!(app.scopes.catalog.len(), 9);
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
            result: Ok(Box::new(Discovered::new(demo_discovery()))),
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
            result: Ok(Box::new(Discovered::new(demo_discovery()))),
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
    // dge_usage_electric, dge_usage_gas and the native-app dge_usage_native.
    assert_eq!(app.scopes.shown(), 3);
    assert_eq!(app.scopes.current().unwrap().id, "dge_usage_electric");
    // `q` while typing is a letter, not quit.
    chars(&mut app, "q");
    assert_eq!(app.scopes.shown(), 0);
    assert_eq!(app.overlay, None);
    app::update(&mut app, key(KeyCode::Backspace));
    assert_eq!(app.scopes.shown(), 3);
    app::update(&mut app, key(KeyCode::Enter));
    assert!(!app.scopes.searching);
    assert_eq!(app.scopes.query, "usage");
    app::update(&mut app, key(KeyCode::Down));
    assert_eq!(app.scopes.current().unwrap().id, "dge_usage_gas");
    app::update(&mut app, key(KeyCode::Char('/')));
    app::update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.scopes.shown(), 9);
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
    assert_eq!(
        app.overlay,
        Some(app::Overlay::Confirm(app::widgets::confirm::Question::Quit))
    );
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
            .draw(|f| {
                ui::draw(f, app, &Theme::plain());
            })
            .unwrap();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn snapshot_discovery_loading() {
    let t0 = Instant::now();
    let (mut app, req) = started(t0);
    progress(&mut app, req);
    let wall = app.wall;
    app::update(
        &mut app,
        Msg::Tick {
            now: t0 + Duration::from_millis(1500),
            wall,
        },
    );
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
            .draw(|f| {
                ui::draw(
                    f,
                    &app,
                    &Theme {
                        color,
                        links: false,
                    },
                );
            })
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

// ---- the steps after the catalog ----

/// Index of the form field `key` on the current step's form.
fn field(app: &App, key: &str) -> usize {
    let form = match app.step {
        Step::Modifiers => &app.modifiers.form,
        _ => &app.registration.form,
    };
    form.fields
        .iter()
        .position(|f| f.key == key)
        .unwrap_or_else(|| panic!("no field {key}"))
}

/// Clicks the field `key` (as the mouse would) and types `text` into it.
fn fill(app: &mut App, key: &str, text: &str) -> Vec<Effect> {
    let row = field(app, key);
    app::update(app, Msg::Click(app::Target::Row(row)));
    app::update(app, self::key(KeyCode::Enter));
    app::update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    chars(app, text);
    app::update(app, self::key(KeyCode::Enter))
}

/// The demo catalog with dge_usage_electric selected, on the Modifiers step.
fn modifiers() -> App {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    app::update(&mut app, key(KeyCode::Char('/')));
    chars(&mut app, "dge_usage_electric");
    app::update(&mut app, key(KeyCode::Enter));
    app::update(&mut app, key(KeyCode::Char(' ')));
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Modifiers);
    app
}

#[test]
fn modifiers_validate_as_you_type_and_read_dates_in_the_server_zone() {
    let mut app = modifiers();
    assert_eq!(app.modifiers.scopes.len(), 1);
    assert_eq!(app.modifiers.problems(), 0, "every field has a default");
    fill(&mut app, "segment_start", "P2Y");
    let f = &app.modifiers.form.fields[field(&app, "segment_start")];
    let reading = f.reading.clone().unwrap();
    assert!(reading.contains("2 years back"), "{reading}");
    assert!(reading.contains("2024-11-27"), "{reading}");
    assert!(reading.ends_with("America/Los_Angeles"), "{reading}");
    assert!(
        app.modifiers
            .preview
            .iter()
            .any(|l| l.contains("\"segment_start\": \"P2Y\"")),
        "{:?}",
        app.modifiers.preview
    );
    snap("modifiers", &app);
    // A bad value is named on its field and keeps the wizard here.
    fill(&mut app, "segment_start", "yesterday");
    let f = &app.modifiers.form.fields[field(&app, "segment_start")];
    assert!(f.problem.is_some(), "{f:?}");
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Modifiers);
    assert_eq!(app.notice, Some(app::Notice::FixFirst(1)));
    // Out of range for an int, then back to the default with x.
    fill(&mut app, "dge_max_meters", "100000");
    assert!(
        app.modifiers.form.fields[field(&app, "dge_max_meters")]
            .problem
            .is_some()
    );
    app::update(&mut app, key(KeyCode::Char('x')));
    let row = field(&app, "segment_start");
    app::update(&mut app, Msg::Click(app::Target::Row(row)));
    app::update(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.modifiers.problems(), 0);
}

fn icon() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/answers-demo-icon.png"
    ))
    .unwrap()
}

/// The Registration step filled in as a developer would, the icon read by the executor.
fn registration() -> App {
    let mut app = modifiers();
    fill(&mut app, "segment_start", "P2Y");
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Registration);
    assert!(app.registration.plan.is_none());
    fill(&mut app, "client_name", "Watt Watcher");
    fill(
        &mut app,
        "contacts",
        "dev@wattwatcher.example, not-an-address",
    );
    assert!(
        app.registration.form.fields[field(&app, "contacts")]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("not-an-address"))
    );
    fill(&mut app, "contacts", "dev@wattwatcher.example");
    fill(&mut app, "company_name", "Watt Watcher Inc.");
    fill(&mut app, "company_website", "https://wattwatcher.example");
    fill(&mut app, "contact_email", "dev@wattwatcher.example");
    let row = field(&app, "data_terms_accepted");
    app::update(&mut app, Msg::Click(app::Target::Row(row)));
    app::update(&mut app, key(KeyCode::Char(' ')));
    let effects = fill(&mut app, "authorization_form_icon", "icon.png");
    assert_eq!(
        effects,
        vec![Effect::ReadFile {
            path: "icon.png".into()
        }]
    );
    app::update(
        &mut app,
        Msg::FileRead {
            path: "icon.png".into(),
            result: Ok(std::sync::Arc::new(icon())),
        },
    );
    app
}

#[test]
fn registration_builds_the_plan_and_review_exports_it_without_secrets() {
    let mut app = registration();
    assert_eq!(
        app.registration.problems(),
        0,
        "{:?}",
        app.registration.form
    );
    let plan = app.registration.plan.clone().expect("a plan");
    assert_eq!(plan.request["cds_data_terms_accepted"], true);
    assert_eq!(
        plan.authorization_details["dge_usage_electric"][0]["segment_start"],
        "P2Y"
    );
    assert!(
        app.registration
            .checklist
            .iter()
            .any(|c| c.amount.is_some() || c.kind == "internal_review"),
        "{:?}",
        app.registration.checklist
    );
    snap("registration", &app);
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Review);
    snap("review", &app);
    let effects = app::update(&mut app, key(KeyCode::Char('c')));
    let [Effect::Export { path, contents }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(path, "cds-registration-demo-gas-electric.sh");
    assert!(
        contents.contains(&format!("POST '{BASE}/oauth/register'")),
        "{contents}"
    );
    assert!(contents.contains("\"client_name\": \"Watt Watcher\""));
    let effects = app::update(&mut app, key(KeyCode::Char('h')));
    let [Effect::Export { path, contents }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(
        path.ends_with(".http") && contents.starts_with("###"),
        "{contents}"
    );
    assert!(!contents.to_lowercase().contains("authorization:"));
    // Back and forward keep what was entered.
    app::update(&mut app, Msg::Click(app::Target::Step(Step::Modifiers)));
    assert_eq!(app.step, Step::Modifiers);
    app::update(&mut app, key(KeyCode::Tab));
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Review);
    assert_eq!(app.registration.plan, Some(plan));
}

fn outcome() -> cds_wizard::onboarding::register::RegisterOutcome {
    use cds_wizard::onboarding::register::{ClientSummary, RegisterOutcome, TodoItem};
    RegisterOutcome {
        profile: "demo-gas-electric".into(),
        keyring: "keyutils".into(),
        admin_client_id: "admin1".into(),
        clients: vec![ClientSummary {
            client_id: "code1".into(),
            scope: "dge_usage_electric".into(),
            status: "sandbox".into(),
            token_endpoint_auth_method: Some("client_secret_basic".into()),
            keyring_accounts: vec!["demo-gas-electric/code1/client_secret".into()],
        }],
        todo: vec![TodoItem {
            message_type: "registration_payment".into(),
            status: "pending".into(),
            name: "Pay the \u{1b}[31mregistration fee".into(),
            description: "Pay before production access.".into(),
            amount: Some("25.00".parse().unwrap()),
            currency: Some("USD".into()),
            link: Some(url(&format!("{BASE}/forms/payment"))),
            link_type: None,
        }],
    }
}

fn profile_view() -> app::screens::authorize::ProfileView {
    use app::screens::authorize::{ClientRow, ProfileView};
    let row = |id: &str, scope: &str, code: bool, kinds: &[&str]| ClientRow {
        client_id: id.into(),
        scope: scope.into(),
        status: "sandbox".into(),
        code_flow: code,
        accounts: kinds
            .iter()
            .map(|k| format!("demo-gas-electric/{id}/{k}"))
            .collect(),
        public: false,
    };
    ProfileView {
        name: "demo-gas-electric".into(),
        issuer: format!("{BASE}/"),
        keyring: "keyutils".into(),
        service: "cds-wizard".into(),
        clients: vec![
            row(
                "admin1",
                "cds_client_admin",
                false,
                &["client_secret", "access_token"],
            ),
            row("code1", "dge_usage_electric", true, &["client_secret"]),
        ],
        unfinished: None,
    }
}

#[test]
fn submit_shows_each_step_and_resumes_after_a_failure() {
    use cds_wizard::onboarding::register::RegisterEvent;
    use cds_wizard::profiles::RegistrationStep;
    let mut app = registration();
    app::update(&mut app, key(KeyCode::Tab));
    let effects = app::update(&mut app, key(KeyCode::Enter));
    let [Effect::Register { req, profile, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(profile, "demo-gas-electric");
    let req = *req;
    assert_eq!(app.step, Step::Submit);
    for event in [
        RegisterEvent::Started {
            step: RegistrationStep::Registered,
        },
        RegisterEvent::Done {
            step: RegistrationStep::Registered,
            detail: "admin client admin1, secret in the keyutils keyring".into(),
        },
        RegisterEvent::Started {
            step: RegistrationStep::AdminToken,
        },
    ] {
        app::update(&mut app, Msg::RegisterProgress { req, event });
    }
    app::update(
        &mut app,
        Msg::RegisterDone {
            req,
            result: Err(app::screens::submit::Failure {
                message: "http://127.0.0.1:9/oauth/token answered 503".into(),
                resumable: true,
                volatile_keyring: None,
            }),
        },
    );
    snap("submit_failed", &app);
    // Going back would change a registration that already exists.
    app::update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.step, Step::Submit);
    let effects = app::update(&mut app, key(KeyCode::Char('r')));
    let [
        Effect::ResumeRegistration {
            req: again,
            profile,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(profile, "demo-gas-electric");
    let again = *again;
    app::update(
        &mut app,
        Msg::RegisterDone {
            req: again,
            result: Ok((Box::new(outcome()), profile_view())),
        },
    );
    snap("submit_done", &app);
    assert!(app.registered());
    app::update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.step, Step::Authorize);
    snap("authorize_choose", &app);
}

fn authorizing() -> (App, u64) {
    let mut app = ready(Instant::now());
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![profile_view()])));
    app.step = Step::Authorize;
    app.authorize.profile = Some(profile_view());
    let effects = app::update(&mut app, key(KeyCode::Enter));
    let [Effect::Authorize { req, client_id, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(client_id, "code1", "only the code-flow client is offered");
    let req = *req;
    app::update(
        &mut app,
        Msg::AuthorizeReady {
            req,
            url: format!("{BASE}/oauth/authorize?client_id=code1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc123"),
            loopback: Some("http://127.0.0.1:45678/callback".into()),
            paste_reason: None,
            pushed: true,
            ssh_hint: Some("Over SSH: forward the callback first, e.g. `ssh -L 45678:127.0.0.1:45678 <this host>`".into()),
        },
    );
    (app, req)
}

#[test]
fn authorize_waits_with_a_countdown_takes_a_paste_and_cancels() {
    let (mut app, req) = authorizing();
    snap("authorize_waiting", &app);
    let effects = app::update(&mut app, key(KeyCode::Char('o')));
    assert!(matches!(effects.as_slice(), [Effect::OpenBrowser(u)] if u.contains("request_uri")));
    app::update(&mut app, key(KeyCode::Char('p')));
    app::update(
        &mut app,
        Msg::Paste("http://127.0.0.1:45678/callback?code=abc&state=x\n".into()),
    );
    let effects = app::update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::PasteRedirect {
            req,
            text: "http://127.0.0.1:45678/callback?code=abc&state=x".into()
        }]
    );
    app::update(
        &mut app,
        Msg::PasteRejected {
            req,
            message: "the state does not match this authorization".into(),
        },
    );
    snap("authorize_paste_rejected", &app);
    app::update(&mut app, key(KeyCode::Esc)); // leave the paste line
    let effects = app::update(&mut app, key(KeyCode::Char('x')));
    assert_eq!(effects, vec![Effect::CancelAuthorize { req }]);
    assert_eq!(app.authorize.phase, app::screens::authorize::Phase::Choose);
    // A result of the cancelled flow is stale.
    app::update(
        &mut app,
        Msg::AuthorizeDone {
            req,
            result: Err("late".into()),
        },
    );
    assert_eq!(app.authorize.phase, app::screens::authorize::Phase::Choose);
}

#[test]
fn authorize_shows_the_grant_then_done_names_what_is_stored() {
    use app::screens::authorize::OutcomeView;
    let (mut app, req) = authorizing();
    app::update(&mut app, Msg::AuthorizeCompleting { req });
    let view = OutcomeView {
        client_id: "code1".into(),
        requested_scope: "dge_usage_electric".into(),
        granted_scope: "dge_usage_electric".into(),
        grant: Some("grant-1 · status active · scope dge_usage_electric".into()),
        differences: vec![(
            true,
            "dge_usage_electric: segment_start narrowed from P2Y to P1Y".into(),
        )],
        granted_details: vec![
            "[".into(),
            "  {\"type\": \"dge_usage_electric\"}".into(),
            "]".into(),
        ],
        expires_at: Some("2026-11-27T21:00:00Z".into()),
        refresh_token: true,
        stored: vec!["demo-gas-electric/code1/access_token".into()],
    };
    app::update(
        &mut app,
        Msg::AuthorizeDone {
            req,
            result: Ok((Box::new(view), profile_view())),
        },
    );
    snap("authorize_outcome", &app);
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Done);
    snap("done", &app);
    app::update(&mut app, key(KeyCode::Down));
    let effects = app::update(&mut app, key(KeyCode::Char('v')));
    assert_eq!(
        effects,
        vec![Effect::Reveal {
            account: "demo-gas-electric/admin1/access_token".into()
        }]
    );
    app::update(
        &mut app,
        Msg::Revealed {
            account: "demo-gas-electric/admin1/access_token".into(),
            result: Ok(cds_wizard::vault::Secret::new("s3cr3t-token-value")),
        },
    );
    assert!(
        screen(&app).contains("s3cr3t-token-value"),
        "revealed on request"
    );
    app::update(&mut app, key(KeyCode::Down));
    assert!(
        !screen(&app).contains("s3cr3t-token-value"),
        "masked again on the next key"
    );
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, app, &Theme::plain());
        })
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn home_offers_a_url_the_demo_and_stored_profiles() {
    let (mut app, effects) = App::home(Instant::now());
    assert_eq!(effects, vec![Effect::LoadProfiles]);
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![profile_view()])));
    snap("home", &app);
    chars(&mut app, "https://utility.example");
    let effects = app::update(&mut app, key(KeyCode::Enter));
    assert!(
        matches!(effects.as_slice(), [Effect::Discover { url, .. }] if url == "https://utility.example"),
        "{effects:?}"
    );
    assert_eq!(app.step, Step::Discover);

    let (mut app, _) = App::home(Instant::now());
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![profile_view()])));
    app::update(&mut app, key(KeyCode::Esc)); // leave the URL line
    app::update(&mut app, key(KeyCode::Down));
    assert_eq!(
        app::update(&mut app, key(KeyCode::Enter)),
        vec![Effect::StartDemo]
    );
    let effects = app::update(&mut app, Msg::DemoStarted(Ok(BASE.into())));
    assert!(matches!(effects.as_slice(), [Effect::Discover { .. }]));

    let (mut app, _) = App::home(Instant::now());
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![profile_view()])));
    app::update(&mut app, Msg::Click(app::Target::Row(2)));
    app::update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.step,
        Step::Console,
        "a stored profile opens at its Console"
    );
    app::update(&mut app, key(KeyCode::Char('a')));
    assert_eq!(
        app.step,
        Step::Authorize,
        "the Console's `a` opens the customer authorization"
    );
}

#[test]
fn client_credentials_scopes_take_their_modifiers_per_token_request() {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    for id in ["cds_grant_admin_1", "cds_server_provided_files_1"] {
        app::update(&mut app, key(KeyCode::Char('/')));
        app::update(&mut app, key(KeyCode::Esc)); // clears the last search
        app::update(&mut app, key(KeyCode::Char('/')));
        chars(&mut app, id);
        app::update(&mut app, key(KeyCode::Enter));
        app::update(&mut app, key(KeyCode::Char(' ')));
    }
    assert!(app.scopes.selected.contains("cds_grant_admin_1"));
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Modifiers);
    assert!(app.modifiers.scopes.is_empty());
    assert_eq!(
        app.modifiers.per_request.len(),
        2,
        "{:?}",
        app.modifiers.per_request
    );
    assert_eq!(app.modifiers.problems(), 0);
    app::update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.step, Step::Registration);
    assert!(
        app.registration.general.is_empty(),
        "no authorization details asked at registration: {:?}",
        app.registration.general
    );
}

#[test]
fn a_refused_registration_can_be_changed_and_sent_again() {
    let mut app = registration();
    app::update(&mut app, key(KeyCode::Tab));
    let effects = app::update(&mut app, key(KeyCode::Enter));
    let [Effect::Register { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let req = *req;
    app::update(
        &mut app,
        Msg::RegisterDone {
            req,
            result: Err(app::screens::submit::Failure {
                message: "invalid_client_metadata: client_uri \u{1b}[31mis not allowed".into(),
                resumable: false,
                volatile_keyring: None,
            }),
        },
    );
    let failure = app.submit.failure.clone().unwrap();
    assert!(
        !failure.message.contains('\u{1b}'),
        "sanitized: {failure:?}"
    );
    assert!(!app.registered(), "nothing was stored");
    app::update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.step, Step::Review);
    app::update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.step, Step::Registration);
    assert_eq!(app.registration.profile_name(), "demo-gas-electric", "kept");
    app::update(&mut app, key(KeyCode::Tab));
    let effects = app::update(&mut app, key(KeyCode::Enter));
    assert!(matches!(effects.as_slice(), [Effect::Register { req: again, .. }] if *again != req));
}

#[test]
fn a_keyring_that_forgets_at_reboot_is_asked_about_before_anything_is_sent() {
    let mut app = registration();
    app::update(&mut app, key(KeyCode::Tab));
    let effects = app::update(&mut app, key(KeyCode::Enter));
    let [
        Effect::Register {
            req,
            volatile_ok: false,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    // The task found only keyutils and sent nothing: the wizard asks, on the Review step.
    let refused = |req| Msg::RegisterDone {
        req,
        result: Err(app::screens::submit::Failure {
            message: "the only keyring available is keyutils".into(),
            resumable: false,
            volatile_keyring: Some("keyutils".into()),
        }),
    };
    app::update(&mut app, refused(*req));
    assert_eq!(app.step, Step::Review);
    assert!(app.submit.failure.is_none() && !app.registered());
    snap("volatile_keyring_question", &app);
    let text = screen(&app);
    assert!(
        text.contains("do not survive a") && text.contains("reboot"),
        "{text}"
    );
    // No: nothing sent, and the status line says why.
    assert!(app::update(&mut app, key(KeyCode::Char('n'))).is_empty());
    assert!(app.overlay.is_none());
    assert!(screen(&app).contains("Nothing was sent"));
    // Sending again asks again; yes sends with the consent.
    let effects = app::update(&mut app, key(KeyCode::Enter));
    let [Effect::Register { req, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    app::update(&mut app, refused(*req));
    let effects = app::update(&mut app, key(KeyCode::Char('y')));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Register {
                volatile_ok: true,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert_eq!(app.step, Step::Submit);
}

#[test]
fn an_unfinished_profile_from_home_resumes_its_registration() {
    let (mut app, _) = App::home(Instant::now());
    let mut p = profile_view();
    p.unfinished = Some("The registration stopped before `admin_token`.".into());
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![p])));
    app::update(&mut app, Msg::Click(app::Target::Row(2)));
    app::update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.step, Step::Authorize);
    let effects = app::update(&mut app, key(KeyCode::Char('r')));
    let [Effect::ResumeRegistration { req, profile }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(profile, "demo-gas-electric");
    assert_eq!(app.step, Step::Submit);
    let req = *req;
    app::update(
        &mut app,
        Msg::RegisterDone {
            req,
            result: Ok((Box::new(outcome()), profile_view())),
        },
    );
    app::update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.step, Step::Authorize);
    assert!(app.authorize.profile.as_ref().unwrap().unfinished.is_none());
}

// ---- one wording for the wizard and the commands ----

/// The text of drawn lines, styles dropped.
fn plain(lines: &[ratatui::text::Line]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn the_wizard_and_the_cli_word_a_scope_alike() {
    use cds_wizard::cds::catalog::CatalogRequirement;
    use cds_wizard::present::scope;
    let app = ready(Instant::now());
    let mut catalog = app.scopes.catalog.clone();
    // A fee, so the amount's wording is compared too.
    catalog[0]
        .registration_requirements
        .push(CatalogRequirement {
            id: "fee".into(),
            field_type: "payment_required".into(),
            description: "Paid once.".into(),
            field_name: None,
            format: None,
            amount: Some("25.00".parse().unwrap()),
            currency: Some("USD".into()),
            unresolved: false,
        });
    let theme = Theme::plain();
    for sc in &catalog {
        let wizard = plain(&ui::screens::scopes::detail_lines(sc, false, false, &theme));
        let cli = scope::summary(sc);
        let both = |w: String, c: String| {
            assert!(wizard.contains(&w), "wizard lacks {w:?}: {wizard:#?}");
            assert!(
                cli.iter().any(|l| l.contains(&c)),
                "CLI lacks {c:?}: {cli:#?}"
            );
        };
        for (label, value) in scope::methods(sc) {
            both(
                format!("{label:<15}{value}"),
                format!("  {label:<14} {value}"),
            );
        }
        for c in &sc.coverages {
            both(format!("  {}", scope::coverage(c)), scope::coverage(c));
        }
        for r in &sc.registration_requirements {
            let words = scope::requirement(r);
            both(format!("  {words}"), format!("  requires       {words}"));
        }
        for m in &sc.authorization_details_fields {
            both(
                format!("  {}", scope::modifier_head(m)),
                format!("  modifier       {}", scope::modifier(m)),
            );
        }
    }
    let wizard = plain(&ui::screens::scopes::detail_lines(
        &catalog[0],
        false,
        false,
        &theme,
    ));
    assert!(
        wizard.contains(&"  fee [payment_required] 25.00 USD".to_owned()),
        "{wizard:#?}"
    );
}

#[test]
fn the_wizard_and_the_cli_word_a_to_do_item_alike() {
    use cds_wizard::present::register;
    let theme = Theme::plain();
    for t in &outcome().todo {
        let wizard = plain(&ui::screens::submit::todo_lines(register::todo(t), &theme));
        let cli = register::todo_lines(t);
        assert_eq!(wizard[0], format!(" ☐ {}", register::todo_headline(t)));
        assert_eq!(cli[0], format!("[pending] {}", register::todo_headline(t)));
        assert_eq!(wizard[0], " ☐ Pay the [31mregistration fee — 25.00 USD");
        // The description and link, in the same words, under the headline.
        let rest = |lines: &[String]| -> Vec<String> {
            lines[1..].iter().map(|l| l.trim().to_owned()).collect()
        };
        assert_eq!(rest(&wizard), rest(&cli));
        assert_eq!(rest(&cli).len(), 2);
    }
}

/// Issue 10 point 8: at 120 columns the scope list is wide enough for every id.
#[test]
fn long_scope_ids_are_not_cut_at_120_columns() {
    let mut app = ready(Instant::now());
    app::update(&mut app, key(KeyCode::Tab));
    let long = "cds_usage_interval_electricity_with_reactive_power_15min";
    let last = app.scopes.catalog.len() - 1;
    app.scopes.catalog[last].id = long.to_owned();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, &app, &Theme::plain());
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    let text: String = (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(text.contains(long), "{text}");
}
