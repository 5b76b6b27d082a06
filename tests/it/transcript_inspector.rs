//! The Inspector (issue 12 item 3): its state (new exchanges followed while the cursor is on
//! the last, moving, the detail view, copy as curl, switching recording, closing) and its
//! drawing, snapshotted at 80x24 and 120x40: the list, the detail of a JSON answer with a
//! finding, a failed exchange, and the empty list.

use std::sync::Arc;
use std::time::Duration;

use cds_wizard::app::keymap::Action;
use cds_wizard::app::screens::inspector::{Exchange, InspectorState, Reply};
use cds_wizard::cds::conformance::{Finding, Severity};
use cds_wizard::ui::screens::inspector::render;
use cds_wizard::ui::{Hits, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const BASE: &str = "http://127.0.0.1:8080";

fn exchange(id: u64, step: &str, method: &str, path: &str, status: Option<u16>) -> Arc<Exchange> {
    let started: jiff::Timestamp = "2026-12-01T14:00:00Z".parse().unwrap();
    let body = match path {
        "/.well-known/cds-server-metadata.json" => {
            r#"{"cds_metadata_version":"v1","name":"Demo Utility","coverage":"http://127.0.0.1:8080/cds/coverage"}"#
        }
        "/oauth/token" => {
            r#"{"access_token":"[redacted:access_token]","token_type":"Bearer","expires_in":3600}"#
        }
        _ => "",
    };
    Arc::new(Exchange {
        id,
        started: started + Duration::from_millis(150 * id),
        step: step.to_owned(),
        inbound: false,
        method: method.to_owned(),
        url: format!("{BASE}{path}"),
        request_headers: vec![
            ("accept".to_owned(), "application/json".to_owned()),
            (
                "authorization".to_owned(),
                "Basic [redacted:client_credentials]".to_owned(),
            ),
        ],
        request_body: (method == "POST")
            .then(|| "grant_type=refresh_token&refresh_token=[redacted:refresh_token]".to_owned()),
        status,
        http_version: "HTTP/1.1".to_owned(),
        response_headers: match status {
            Some(_) => vec![("content-type".to_owned(), "application/json".to_owned())],
            None => Vec::new(),
        },
        response_body: body.to_owned(),
        body_base64: false,
        size: body.len(),
        cut: false,
        shortened: false,
        wait: Duration::from_millis(40 + id),
        duration: Duration::from_millis(52 + id),
        error: status.is_none().then(|| {
            format!("{BASE}/cds/coverage: could not connect (host down, wrong port, or refused)")
        }),
        redirect_to: None,
    })
}

fn state() -> InspectorState {
    let mut s = InspectorState::new();
    s.recording = Some("/home/support/run.har".to_owned());
    for (i, (step, method, path, status)) in [
        (
            "discovery",
            "GET",
            "/.well-known/cds-server-metadata.json",
            Some(200),
        ),
        ("discovery", "GET", "/cds/coverage", None),
        (
            "discovery",
            "GET",
            "/.well-known/oauth-authorization-server",
            Some(200),
        ),
        ("registration", "POST", "/oauth/register", Some(201)),
        ("token", "POST", "/oauth/token", Some(200)),
        (
            "management",
            "GET",
            "/cds/clients?page=1&limit=100",
            Some(503),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        s.push(exchange(i as u64 + 1, step, method, path, status));
    }
    let finding = Finding {
        severity: Severity::Warning,
        code: "metadata.missing_field".to_owned(),
        section: "CDS-WG1-01 §3.2".to_owned(),
        message: "`support` is missing".to_owned(),
        document: Some(format!("{BASE}/.well-known/cds-server-metadata.json")),
        pointer: String::new(),
    };
    s.findings = vec![finding];
    s
}

fn snap(name: &str, state: &InspectorState) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal
            .draw(|f| {
                render(f, f.area(), state, &Theme::plain(), &mut Hits::default());
            })
            .unwrap();
        insta::assert_snapshot!(format!("inspector_{name}_{w}x{h}"), terminal.backend());
    }
}

#[test]
fn new_exchanges_are_followed_until_the_user_moves() {
    let mut s = state();
    assert_eq!(s.cursor, 5, "follows the newest");
    assert_eq!(s.update(Action::Up, 10), Reply::Done);
    assert_eq!(s.cursor, 4);
    s.push(exchange(7, "token", "POST", "/oauth/token", Some(200)));
    assert_eq!(s.cursor, 4, "stays where the user put it");
    s.update(Action::End, 10);
    s.push(exchange(8, "token", "POST", "/oauth/token", Some(200)));
    assert_eq!(s.cursor, 7, "follows again from the end");
    s.update(Action::Home, 10);
    assert_eq!(s.cursor, 0);
    s.update(Action::PageDown, 3);
    assert_eq!(s.cursor, 3);
}

#[test]
fn detail_copy_record_and_close() {
    let mut s = state();
    s.update(Action::Home, 10);
    assert_eq!(s.update(Action::Activate, 10), Reply::Done);
    assert!(s.detail);
    s.update(Action::Down, 10);
    s.update(Action::Down, 10);
    assert_eq!(s.scroll, 2);
    s.update(Action::Right, 10);
    assert_eq!((s.cursor, s.scroll), (1, 0), "next exchange, from its top");
    match s.update(Action::ExportCurl, 10) {
        Reply::Copy(curl) => {
            assert!(curl.starts_with("curl "), "{curl}");
            assert!(curl.contains("/cds/coverage"), "{curl}");
            assert!(curl.contains("[redacted:client_credentials]"), "{curl}");
        }
        other => panic!("expected a copy, got {other:?}"),
    }
    assert_eq!(s.update(Action::Toggle, 10), Reply::ToggleRecording);
    assert_eq!(s.update(Action::Back, 10), Reply::Done);
    assert!(!s.detail);
    assert_eq!(s.update(Action::Back, 10), Reply::Close);
}

#[test]
fn snapshot_list() {
    snap("list", &state());
}

#[test]
fn snapshot_detail_with_a_finding() {
    let mut s = state();
    s.update(Action::Home, 10);
    s.update(Action::Activate, 10);
    snap("detail", &s);
}

#[test]
fn snapshot_failed_exchange() {
    let mut s = state();
    s.update(Action::Home, 10);
    s.update(Action::Down, 10);
    s.update(Action::Activate, 10);
    s.recording = None;
    snap("failed", &s);
}

#[test]
fn snapshot_empty() {
    snap("empty", &InspectorState::new());
}
