//! The wizard's Inspector (issue 12 points 1 and 3): the exchanges of a real discovery of the
//! in-process demo, recorded over a real `HttpClient`, drawn as a list and in detail (headers,
//! pretty body, findings about the document, curl) at 80x24 and 120x40; and the event loop
//! with the real executor, where the Inspector fills while discovery runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cds_wizard::app::screens::discover::Discovered;
use cds_wizard::app::screens::inspector::{DetailTab, RecordingEvent};
use cds_wizard::app::{self, App, Effect, Msg};
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::discovery::{self, Discovery, DiscoveryLimits};
use cds_wizard::onboarding::transcript::{Exchange, Recorder};
use cds_wizard::tui::{Executor, Start, run_loop};
use cds_wizard::ui::{self, Theme};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::common;

/// The origin the snapshots show: five digits like every ephemeral port, so sizes and
/// `content-length` stay true after the rewrite.
const ORIGIN: &str = "http://127.0.0.1:40000";

/// A discovery of `base` through a client that reports to a fresh recorder. Discovery fetches
/// some documents at once, so the order they end in varies: the snapshots take them by
/// address, numbered again.
async fn recorded_discovery(base: &str) -> (Discovery, Vec<Arc<Exchange>>) {
    let recorder = Recorder::new();
    let http = HttpClient::new(HttpPolicy::default())
        .unwrap()
        .with_observer(recorder.clone());
    let d = discovery::discover(&http, base, &DiscoveryLimits::default(), None)
        .await
        .expect("discovery");
    let mut exchanges: Vec<Exchange> = recorder.snapshot().iter().map(|e| (**e).clone()).collect();
    exchanges.sort_by(|a, b| a.url.cmp(&b.url));
    for (n, e) in exchanges.iter_mut().enumerate() {
        e.id = n as u64 + 1;
    }
    (d, exchanges.into_iter().map(Arc::new).collect())
}

/// `e` with what changes between runs fixed: the origin, the clock, the timings.
fn steady(e: &Exchange, base: &str) -> Arc<Exchange> {
    assert_eq!(base.len(), ORIGIN.len(), "a five-digit port: {base}");
    let fix = |s: &str| s.replace(base, ORIGIN);
    let mut e = e.clone();
    e.url = fix(&e.url);
    e.response_body = fix(&e.response_body);
    e.redirect_to = e.redirect_to.as_deref().map(fix);
    for (k, v) in e.response_headers.iter_mut().chain(&mut e.request_headers) {
        *v = if k.eq_ignore_ascii_case("date") {
            "Tue, 01 Dec 2026 15:10:02 GMT".to_owned()
        } else {
            fix(v)
        };
    }
    let t0: jiff::Timestamp = "2026-12-01T15:10:02Z".parse().unwrap();
    e.started = t0 + jiff::SignedDuration::from_millis(e.id as i64 * 40);
    e.wait = Duration::from_millis(e.id * 3);
    e.duration = Duration::from_millis(e.id * 3 + 2);
    Arc::new(e)
}

/// A wizard whose discovery of `base` finished with `d`, shown at `ORIGIN`, and every
/// exchange of it received.
fn wizard(d: &Discovery, exchanges: &[Arc<Exchange>], base: &str) -> App {
    let (mut app, effects) = App::new(ORIGIN, Instant::now());
    let Some(Effect::Discover { req, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    let req = *req;
    app.wall = "2026-12-01T15:12:00Z".parse().unwrap();
    let result = Ok(Box::new(Discovered::new(d.clone())));
    app::update(&mut app, Msg::DiscoveryDone { req, result });
    if let app::Remote::Ready(v) = &mut app.discover.remote {
        for f in &mut v.findings {
            f.document = f.document.as_deref().map(|u| u.replace(base, ORIGIN));
        }
    }
    for e in exchanges {
        app::update(&mut app, Msg::Exchange(steady(e, base)));
    }
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app::update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, app, &Theme::plain());
        })
        .unwrap();
    terminal.backend().to_string()
}

fn snap(name: &str, app: &mut App) {
    for (w, h) in [(80, 24), (120, 40)] {
        app.size = (w, h);
        let text = screen(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

/// Moves the cursor to the exchange whose address ends with `tail`.
fn select(app: &mut App, tail: &str) {
    press(app, KeyCode::Home);
    for _ in 0..app.inspector.entries.len() {
        if app
            .inspector
            .current()
            .unwrap()
            .exchange
            .url
            .ends_with(tail)
        {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("no exchange ends with {tail}");
}

#[tokio::test]
async fn snapshot_inspector_list_and_detail_of_a_demo_discovery() {
    let base = common::demo_url();
    let (d, exchanges) = recorded_discovery(base).await;
    // Every document discovery read is in the list, in the order the exchanges ended.
    assert_eq!(exchanges.len(), 7, "{exchanges:#?}");
    let mut app = wizard(&d, &exchanges, base);
    press(&mut app, KeyCode::Char('i'));
    assert!(app.inspector.open);
    snap("inspector_list", &mut app);
    // The help over the Inspector lists its keys; closing it returns to the Inspector.
    press(&mut app, KeyCode::Char('?'));
    snap("inspector_help", &mut app);
    press(&mut app, KeyCode::Esc);
    assert!(app.inspector.open && app.overlay.is_none());
    // Recording: the file name in the Inspector's title and in the status bar.
    let effects = press(&mut app, KeyCode::Char('r'));
    let [Effect::StartRecording { name }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(name, "cds-wizard-20261201-151200Z.har");
    let started = RecordingEvent::Started(name.clone());
    app::update(&mut app, Msg::Recording(started));
    press(&mut app, KeyCode::Home);
    snap("inspector_list_recording", &mut app);
    // In the Inspector the title names the file and the status bar marks the recording;
    // back on a step, the status bar names it.
    let text = screen(&app, 80, 24);
    assert_eq!(text.matches(name.as_str()).count(), 1, "{text}");
    assert!(text.lines().last().unwrap().contains("● REC"), "{text}");
    press(&mut app, KeyCode::Esc);
    assert!(!app.inspector.open);
    let text = screen(&app, 80, 24);
    let status = text.lines().last().unwrap();
    assert!(status.contains(&format!("● REC {name}")), "{text}");
    press(&mut app, KeyCode::F(12));

    select(&mut app, "/.well-known/oauth-authorization-server");
    press(&mut app, KeyCode::Enter);
    snap("inspector_detail_headers", &mut app);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    assert_eq!(
        app.inspector.detail.as_ref().unwrap().tab,
        DetailTab::Response
    );
    snap("inspector_detail_response", &mut app);
    // The body is the server's document, pretty-printed: every member on its own line.
    let body = &app.inspector.detail.as_ref().unwrap().view.response_body;
    // (The demo's document is longer than the in-memory limit: its first part, laid out.)
    assert!(
        body.iter()
            .any(|l| l.trim() == format!("\"issuer\": \"{ORIGIN}\",")),
        "{body:?}"
    );
    assert!(body.len() > 100, "pretty-printed: {} lines", body.len());

    let effects = press(&mut app, KeyCode::Char('c'));
    let Some(Effect::Copy(curl)) = effects.first() else {
        panic!("{effects:?}")
    };
    // The redacted request, one argument a line, the way `Exchange::curl` writes it.
    let want = format!("curl \\\n  '{ORIGIN}/.well-known/oauth-authorization-server' \\\n");
    assert!(curl.starts_with(&want), "{curl}");
    assert!(curl.contains("-H 'accept: application/json'"), "{curl}");
    snap("inspector_detail_curl", &mut app);
}

#[tokio::test]
async fn findings_about_a_document_show_beside_its_exchange_and_hostile_text_is_defused() {
    let base = common::hostile_url();
    let (d, exchanges) = recorded_discovery(base).await;
    let documents: Vec<String> = d
        .findings
        .iter()
        .filter_map(|f| f.document.clone())
        .collect();
    assert!(!documents.is_empty(), "the hostile server draws findings");
    let mut app = wizard(&d, &exchanges, base);
    press(&mut app, KeyCode::F(12));
    // The list marks the exchanges whose documents have findings (the worst of them).
    snap("inspector_list_findings", &mut app);
    // The exchange of the document the first finding names, and the same count of findings.
    let first = documents[0].replace(base, ORIGIN);
    let want = documents
        .iter()
        .filter(|u| u.replace(base, ORIGIN) == first)
        .count();
    let path = first.strip_prefix(ORIGIN).unwrap().to_owned();
    select(&mut app, &path);
    press(&mut app, KeyCode::Enter);
    let url = app.inspector.detail.as_ref().unwrap().view.url.clone();
    assert_eq!(url, first);
    assert_eq!(
        app::screens::inspector::findings_for(&app, &url).len(),
        want
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
    }
    assert_eq!(
        app.inspector.detail.as_ref().unwrap().tab,
        DetailTab::Findings
    );
    snap("inspector_detail_findings", &mut app);
    // Whatever tab and exchange: nothing the server sent acts on the terminal.
    for _ in 0..exchanges.len() {
        for _ in 0..5 {
            for (w, h) in [(80, 24), (120, 40)] {
                let text = screen(&app, w, h);
                assert!(!text.contains(['\u{1b}', '\u{202e}', '\u{7}']), "{text}");
            }
            press(&mut app, KeyCode::Right);
        }
        press(&mut app, KeyCode::Char(']'));
    }
}

fn key(code: KeyCode) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[tokio::test]
async fn the_inspector_fills_live_while_discovery_runs() {
    // A slow demo: the Inspector is open well before the first answer arrives.
    let server = DemoServer::start(
        0,
        DemoOptions {
            latency: Duration::from_millis(150),
            ..DemoOptions::default()
        },
    )
    .await
    .unwrap();
    let recorder = Recorder::new();
    let http = HttpClient::new(HttpPolicy::default())
        .unwrap()
        .with_observer(recorder.clone());
    let mut executor = Executor::new(http).with_recorder(recorder.clone());
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let watcher = recorder.clone();
    let feeder = tokio::spawn(async move {
        tx.unbounded_send(key(KeyCode::Char('i'))).unwrap();
        let mut seen = 0;
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            seen = watcher.snapshot().len();
            if seen == 7 {
                break;
            }
        }
        // Let the last exchange reach the loop, then quit.
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))))
        .unwrap();
        seen
    });
    tokio::time::timeout(
        Duration::from_secs(30),
        run_loop(
            &mut terminal,
            rx,
            Start::Url(server.base_url.clone()),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    assert_eq!(feeder.await.unwrap(), 7);
    server.stop().await;
    let text = terminal.backend().to_string();
    assert!(text.contains("Inspector · 7 exchanges"), "{text}");
    for path in [
        "/.well-known/cds-server-metadata.json",
        "/.well-known/oauth-authorization-server",
        "/cds/coverage?page=3",
    ] {
        assert!(text.contains(path), "{path} in {text}");
    }
    assert!(text.contains(" 200 "), "{text}");
}

#[tokio::test]
async fn a_recording_started_late_holds_the_session_so_far_then_what_follows() {
    let base = common::demo_url();
    let recorder = Recorder::new();
    let http = HttpClient::new(HttpPolicy::default())
        .unwrap()
        .with_observer(recorder.clone());
    discovery::discover(&http, base, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.har");
    assert_eq!(recorder.start_file_with_kept(&path).unwrap(), 7);
    // Never over an existing file.
    assert!(recorder.start_file_with_kept(&path).is_err());
    let more = url::Url::parse(&format!("{base}/cds/coverage")).unwrap();
    http.get(&more).await.unwrap();
    let (written, entries) = recorder.stop_file().unwrap();
    assert_eq!((written, entries), (path.clone(), 8));
    let har: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    crate::transcript_har::assert_har_1_2(&har);
    let urls: Vec<&str> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), 8);
    assert_eq!(urls[7], format!("{base}/cds/coverage"));
}

/// What the Inspector draws, on every exchange, every tab, scrolled to the end, at both sizes.
fn everything_drawn(app: &mut App) -> String {
    let mut all = String::new();
    press(app, KeyCode::Home);
    press(app, KeyCode::Enter);
    for _ in 0..app.inspector.entries.len() {
        for _ in 0..5 {
            for (w, h) in [(80, 24), (120, 40)] {
                app.size = (w, h);
                press(app, KeyCode::Home);
                for _ in 0..20 {
                    all.push_str(&screen(app, w, h));
                    press(app, KeyCode::PageDown);
                }
            }
            press(app, KeyCode::Right);
        }
        press(app, KeyCode::Char(']'));
    }
    all
}

#[test]
fn no_secret_reaches_the_inspector() {
    use base64::Engine as _;
    use cds_wizard::http::{ExchangeObserver, RawExchange, RawResponse};
    use cds_wizard::secret::Secret;

    let client_secret = "cs-7f3a9c2e5b1d4068a2c4";
    let code = "code-5e8b2f1a9d7c4b36";
    let verifier = "verifier-0a1b2c3d4e5f6a7b8c9d";
    let access = "at-2b9e7d4c1a8f5e3b6d0c";
    let refresh = "rt-9c1e4b7a2d5f8e0b3c6a";
    // A value the keyring holds, showing up where no rule names it.
    let stored = "kr-4d7a0e3b6c9f2a5d8e1b";
    let _held = Secret::new(stored);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("c1:{client_secret}"));
    let recorder = Recorder::new();
    let token_url = url::Url::parse("http://127.0.0.1:40000/oauth/token").unwrap();
    let request = format!(
        "grant_type=authorization_code&code={code}&code_verifier={verifier}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcallback"
    );
    let response = format!(
        r#"{{"access_token":"{access}","refresh_token":"{refresh}","token_type":"Bearer","expires_in":3600,"note":{{"deep":["{stored}"]}}}}"#
    );
    recorder.exchange(&RawExchange {
        step: Some("token"),
        started: std::time::SystemTime::now(),
        method: "POST",
        url: &token_url,
        request_headers: vec![
            ("authorization".into(), format!("Basic {basic}")),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("x-trace".into(), stored.into()),
        ],
        request_body: Some(request.as_bytes()),
        response: Some(RawResponse {
            status: 200,
            http_version: "HTTP/1.1".into(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("set-cookie".into(), format!("session={access}")),
            ],
            body: response.as_bytes(),
            cut: false,
        }),
        wait: Duration::from_millis(3),
        total: Duration::from_millis(4),
        error: None,
        inbound: false,
    });
    let callback = url::Url::parse(&format!(
        "http://127.0.0.1:5555/callback?code={code}&state=s1"
    ))
    .unwrap();
    recorder.exchange(&RawExchange {
        step: Some("callback"),
        started: std::time::SystemTime::now(),
        method: "GET",
        url: &callback,
        request_headers: Vec::new(),
        request_body: None,
        response: None,
        wait: Duration::ZERO,
        total: Duration::ZERO,
        error: None,
        inbound: true,
    });
    let (mut app, _) = App::new(ORIGIN, Instant::now());
    for e in recorder.snapshot() {
        app::update(&mut app, Msg::Exchange(e));
    }
    press(&mut app, KeyCode::Char('i'));
    let mut drawn = everything_drawn(&mut app);
    // The curl command handed to the clipboard too.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Enter);
    for _ in 0..2 {
        for e in press(&mut app, KeyCode::Char('c')) {
            if let Effect::Copy(text) = e {
                drawn.push_str(&text);
            }
        }
        press(&mut app, KeyCode::Char(']'));
    }
    assert!(drawn.contains("[redacted:"), "the redactions show");
    assert!(drawn.contains("grant_type=authorization_code"), "{drawn}");
    // Every part was drawn: the request body, the response body, the callback, curl.
    for part in [
        "\"token_type\": \"Bearer\"",
        "/callback?code=",
        "--data-raw 'grant_type",
    ] {
        assert!(drawn.contains(part), "{part} in {drawn}");
    }
    for s in [client_secret, code, verifier, access, refresh, stored] {
        assert!(!drawn.contains(s), "{s} drawn");
    }
    assert!(!drawn.contains(&basic), "the Basic credentials drawn");
}
