//! The Inspector's update logic: opening over any step, live appends keeping the selection,
//! the bound on the list, the detail, clicks, and recording switched through the executor.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::{Msg, update};

fn ex(id: u64, path: &str) -> Arc<Exchange> {
    Arc::new(Exchange {
        id,
        started: jiff::Timestamp::from_second(1_800_000_000 + id as i64).unwrap(),
        step: "discovery".into(),
        inbound: false,
        method: "GET".into(),
        url: format!("http://127.0.0.1:9{path}"),
        request_headers: vec![("accept".into(), "application/json".into())],
        request_body: None,
        status: Some(200),
        http_version: "HTTP/1.1".into(),
        response_headers: vec![("content-type".into(), "application/json".into())],
        response_body: r#"{"issuer":"x"}"#.into(),
        body_base64: false,
        size: 14,
        cut: false,
        shortened: false,
        wait: Duration::from_millis(3),
        duration: Duration::from_millis(4),
        error: None,
        redirect_to: None,
    })
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn app() -> App {
    let (mut app, _) = App::new("http://127.0.0.1:9", Instant::now());
    app.wall = "2026-12-01T15:10:02Z".parse().unwrap();
    app
}

fn selected(app: &App) -> u64 {
    app.inspector.current().map(|e| e.exchange.id).unwrap_or(0)
}

#[test]
fn wrapping_is_counted_like_it_is_drawn() {
    assert_eq!(wrapped_rows("", 10), 1);
    assert_eq!(wrapped_rows("0123456789", 10), 1);
    assert_eq!(wrapped_rows("01234 6789 abc", 10), 2);
    assert_eq!(wrapped_rows("0123456789abcdefghijk", 10), 3);
    assert_eq!(wrapped_rows("ab 0123456789abcdefghij", 10), 3);
}

#[test]
fn opens_from_any_step_and_closes_back_to_it() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    assert!(a.inspector.open);
    assert_eq!(a.context(), crate::app::keymap::Context::Inspector);
    // q and Esc go back, not quit.
    assert!(key(&mut a, KeyCode::Char('q')).is_empty());
    assert!(!a.inspector.open);
    assert_eq!(a.step, crate::app::Step::Discover);
    // While a line is typed, `i` is text and F12 opens the Inspector.
    let (mut home, _) = App::home(Instant::now());
    key(&mut home, KeyCode::Char('i'));
    assert!(!home.inspector.open);
    assert_eq!(home.home.url.as_str(), "i");
    key(&mut home, KeyCode::F(12));
    assert!(home.inspector.open);
    key(&mut home, KeyCode::F(12));
    assert!(!home.inspector.open);
    assert_eq!(home.home.url.as_str(), "i");
}

#[test]
fn live_exchanges_keep_the_selection_and_end_follows_again() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    for id in 1..=3 {
        update(&mut a, Msg::Exchange(ex(id, "/a")));
    }
    // Untouched, the cursor follows the newest.
    assert_eq!(selected(&a), 3);
    key(&mut a, KeyCode::Up);
    assert_eq!(selected(&a), 2);
    for id in 4..=6 {
        update(&mut a, Msg::Exchange(ex(id, "/b")));
    }
    assert_eq!(selected(&a), 2);
    assert_eq!(a.inspector.entries.len(), 6);
    // The detail stays on its exchange too.
    key(&mut a, KeyCode::Enter);
    update(&mut a, Msg::Exchange(ex(7, "/c")));
    assert_eq!(a.inspector.detail.as_ref().unwrap().view.id, 2);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::End);
    assert_eq!(selected(&a), 7);
    update(&mut a, Msg::Exchange(ex(8, "/d")));
    assert_eq!(selected(&a), 8);
}

#[test]
fn the_list_is_bounded_and_eviction_keeps_the_selection() {
    let mut a = app();
    for id in 1..=10 {
        update(&mut a, Msg::Exchange(ex(id, "/a")));
    }
    a.inspector.cursor = 4;
    a.inspector.pinned = true;
    for id in 11..=(KEPT as u64 + 3) {
        update(&mut a, Msg::Exchange(ex(id, "/a")));
    }
    let s = &a.inspector;
    assert_eq!(s.entries.len(), KEPT);
    assert_eq!(s.evicted, 3);
    assert_eq!(s.entries.front().unwrap().exchange.id, 4);
    assert_eq!(selected(&a), 5);
}

#[test]
fn recording_toggles_through_the_executor() {
    let mut a = app();
    // Ctrl-R from any step; `r` in the Inspector.
    let fx = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL)),
    );
    let name = "cds-wizard-20261201-151002Z.har".to_owned();
    assert_eq!(fx, vec![Effect::StartRecording { name: name.clone() }]);
    // A second press before the answer does nothing.
    key(&mut a, KeyCode::Char('i'));
    assert!(key(&mut a, KeyCode::Char('r')).is_empty());
    update(
        &mut a,
        Msg::Recording(RecordingEvent::Started(name.clone())),
    );
    assert_eq!(a.inspector.recording.as_deref(), Some(name.as_str()));
    assert!(matches!(&a.notice, Some(Notice::Info(t)) if t.contains(&name)));
    assert_eq!(key(&mut a, KeyCode::Char('r')), vec![Effect::StopRecording]);
    let stopped = RecordingEvent::Stopped {
        path: name.clone(),
        entries: 3,
    };
    update(&mut a, Msg::Recording(stopped));
    assert_eq!(a.inspector.recording, None);
    assert!(matches!(&a.notice, Some(Notice::Info(t)) if t.contains("3 exchanges")));
    key(&mut a, KeyCode::Char('r'));
    let failed = RecordingEvent::Failed("disk full\u{1b}[2J".into());
    update(&mut a, Msg::Recording(failed));
    assert_eq!(a.inspector.recording, None);
    assert!(matches!(&a.notice, Some(Notice::Warn(t)) if !t.contains('\u{1b}')));
}

#[test]
fn detail_tabs_scroll_and_walk_the_exchanges() {
    let mut a = app();
    a.size = (80, 24);
    key(&mut a, KeyCode::F(12));
    // Nothing to open yet.
    key(&mut a, KeyCode::Enter);
    assert!(a.inspector.detail.is_none());
    update(&mut a, Msg::Exchange(ex(1, "/a")));
    update(&mut a, Msg::Exchange(ex(2, "/b")));
    key(&mut a, KeyCode::Home);
    key(&mut a, KeyCode::Enter);
    let d = a.inspector.detail.as_ref().unwrap();
    assert_eq!((d.view.id, d.tab), (1, DetailTab::Headers));
    key(&mut a, KeyCode::Right);
    key(&mut a, KeyCode::Right);
    assert_eq!(
        a.inspector.detail.as_ref().unwrap().tab,
        DetailTab::Response
    );
    // A short body does not scroll.
    key(&mut a, KeyCode::PageDown);
    assert_eq!(a.inspector.detail.as_ref().unwrap().scroll, 0);
    key(&mut a, KeyCode::Char(']'));
    let d = a.inspector.detail.as_ref().unwrap();
    assert_eq!((d.view.id, d.tab), (2, DetailTab::Response));
    // c shows the curl command and hands it to the clipboard effect.
    let fx = key(&mut a, KeyCode::Char('c'));
    let d = a.inspector.detail.as_ref().unwrap();
    assert_eq!(d.tab, DetailTab::Curl);
    assert_eq!(fx, vec![Effect::Copy(d.view.curl.join("\n"))]);
    assert!(d.view.curl[0].starts_with("curl "));
    key(&mut a, KeyCode::Esc);
    assert!(a.inspector.detail.is_none() && a.inspector.open);
    key(&mut a, KeyCode::Esc);
    assert!(!a.inspector.open);
}

#[test]
fn clicks_select_then_open_and_pick_tabs() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    for id in 1..=3 {
        update(&mut a, Msg::Exchange(ex(id, "/a")));
    }
    update(&mut a, Msg::Click(Target::Row(0)));
    assert_eq!(selected(&a), 1);
    assert!(a.inspector.detail.is_none());
    update(&mut a, Msg::Click(Target::Row(0)));
    assert!(a.inspector.detail.is_some());
    update(&mut a, Msg::Click(Target::Tab(4)));
    assert_eq!(a.inspector.detail.as_ref().unwrap().tab, DetailTab::Curl);
    // Clicks never reach the step under the Inspector.
    update(&mut a, Msg::Click(Target::Step(crate::app::Step::Scopes)));
    assert_eq!(a.step, crate::app::Step::Discover);
}
