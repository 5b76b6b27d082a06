//! The Inspector (issue 12 points 1 and 3): every HTTP exchange of the session as a list that
//! grows live, the detail of one (headers, bodies, the conformance findings about that document,
//! the redacted request as curl), and recording to a HAR file switched on and off. It opens over
//! any step (one key from anywhere) and closes back to it; the step keeps its state.
//!
//! The exchanges come already redacted from the recorder (`onboarding::transcript`); their
//! rows and details are sanitized by `present::transcript` when they arrive or are opened.

use std::collections::VecDeque;
use std::sync::Arc;

use super::discover::FindingRow;
use crate::app::keymap::Action;
use crate::app::widgets::list::{moved, movement};
use crate::app::widgets::tabs::{self, Tab};
use crate::app::{App, Effect, Notice, Remote, Target};
use crate::onboarding::transcript::Exchange;
use crate::present::transcript::{ExchangeDetail, ExchangeRow, detail, row};

/// Exchanges the Inspector keeps (the recorder keeps as many; older ones fall off the front).
pub const KEPT: usize = 1_000;

#[derive(Debug, Default)]
pub struct InspectorState {
    /// Drawn over the current step, and takes the keys.
    pub open: bool,
    /// The exchanges of the session, oldest first, at most [`KEPT`].
    pub entries: VecDeque<Entry>,
    /// Exchanges that fell off the front of the list.
    pub evicted: u64,
    pub cursor: usize,
    /// The user moved the cursor: it stays on its exchange. Otherwise it follows the newest
    /// (End follows again).
    pub pinned: bool,
    /// The detail of the exchange under the cursor, when open.
    pub detail: Option<DetailState>,
    /// The HAR file being written, as it was named.
    pub recording: Option<String>,
    /// A start or stop of the recording was asked for and has not been answered yet.
    pub switching: bool,
}

/// One exchange: its row (sanitized once) and the record the detail is built from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub row: ExchangeRow,
    pub exchange: Arc<Exchange>,
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub view: ExchangeDetail,
    pub tab: DetailTab,
    /// First line of the tab shown.
    pub scroll: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DetailTab {
    /// Facts, request headers, response headers.
    #[default]
    Headers,
    Request,
    Response,
    /// The conformance findings about the document this response is.
    Findings,
    /// The redacted request as a curl command, in full.
    Curl,
}

impl Tab for DetailTab {
    const ALL: &'static [Self] = &[
        DetailTab::Headers,
        DetailTab::Request,
        DetailTab::Response,
        DetailTab::Findings,
        DetailTab::Curl,
    ];
}

/// What became of a request to start or stop recording to a file (the executor's answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingEvent {
    /// Recording into this (new) file.
    Started(String),
    /// The file is complete with this many exchanges.
    Stopped { path: String, entries: usize },
    /// The file could not be created, or a write failed (recording to the file stopped).
    Failed(String),
}

impl InspectorState {
    pub fn current(&self) -> Option<&Entry> {
        self.entries.get(self.cursor)
    }

    /// Adds an exchange at the end: the cursor stays on its exchange (or follows the newest
    /// when the user has not moved it), and the oldest falls off past [`KEPT`].
    pub fn push(&mut self, exchange: Arc<Exchange>) {
        if self.entries.len() >= KEPT {
            self.entries.pop_front();
            self.evicted += 1;
            self.cursor = self.cursor.saturating_sub(1);
        }
        self.entries.push_back(Entry {
            row: row(&exchange),
            exchange,
        });
        if self.follows() {
            self.cursor = self.entries.len() - 1;
        }
    }

    fn follows(&self) -> bool {
        !self.pinned && self.detail.is_none()
    }

    fn open_detail(&mut self, tab: DetailTab) {
        if let Some(e) = self.current() {
            let view = detail(&e.exchange);
            self.detail = Some(DetailState {
                view,
                tab,
                scroll: 0,
            });
        }
    }

    /// Moves the cursor by `delta` (the detail, when open, shows the new exchange).
    fn move_by(&mut self, delta: isize) {
        let len = self.entries.len();
        self.cursor = moved(self.cursor, delta, len);
        // End (a jump past the last) follows new exchanges again.
        self.pinned = delta < isize::MAX / 4;
        if let Some(d) = &self.detail {
            let tab = d.tab;
            self.open_detail(tab);
        }
    }
}

/// Opens the Inspector over the current step, or closes it.
pub fn toggle(app: &mut App) {
    let s = &mut app.inspector;
    s.open = !s.open;
    s.detail = None;
}

/// A new exchange from the recorder.
pub fn received(app: &mut App, exchange: Arc<Exchange>) {
    app.inspector.push(exchange);
}

/// The executor's answer to a start or stop of the recording.
pub fn recording(app: &mut App, event: RecordingEvent) {
    use crate::text::sanitize;
    let s = &mut app.inspector;
    s.switching = false;
    app.notice = Some(match event {
        RecordingEvent::Started(path) => {
            let path = sanitize(&path);
            let text = format!("Recording to {path}: the session so far and what follows");
            s.recording = Some(path);
            Notice::Info(text)
        }
        RecordingEvent::Stopped { path, entries } => {
            s.recording = None;
            Notice::Info(format!(
                "Stopped recording: {} holds {entries} exchange{} (no secrets in it)",
                sanitize(&path),
                crate::present::plural(entries)
            ))
        }
        RecordingEvent::Failed(why) => {
            s.recording = None;
            Notice::Warn(format!("Recording to a file stopped: {}", sanitize(&why)))
        }
    });
}

/// The file name a new recording gets (the executor adds `-2`, `-3`… when it exists).
pub fn default_file_name(wall: jiff::Timestamp) -> String {
    format!("cds-wizard-{}.har", wall.strftime("%Y%m%d-%H%M%SZ"))
}

/// Starts or stops recording to a file (from any step, or in the Inspector).
pub fn toggle_recording(app: &mut App) -> Vec<Effect> {
    let s = &mut app.inspector;
    if s.switching {
        return Vec::new();
    }
    s.switching = true;
    if s.recording.is_some() {
        vec![Effect::StopRecording]
    } else {
        vec![Effect::StartRecording {
            name: default_file_name(app.wall),
        }]
    }
}

/// Shows the redacted request as curl in full (and hands it to the terminal's clipboard).
fn show_curl(app: &mut App) -> Vec<Effect> {
    let s = &mut app.inspector;
    match &mut s.detail {
        Some(d) => {
            d.tab = DetailTab::Curl;
            d.scroll = 0;
        }
        None => s.open_detail(DetailTab::Curl),
    }
    match &s.detail {
        Some(d) => {
            app.notice = Some(Notice::Info(
                "curl in full, secrets redacted; also sent to the terminal clipboard (OSC 52)"
                    .to_owned(),
            ));
            vec![Effect::Copy(d.view.curl.join("\n"))]
        }
        None => Vec::new(),
    }
}

/// The Inspector's actions (the global ones never come here).
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ToggleRecording => return toggle_recording(app),
        Action::ShowCurl => return show_curl(app),
        Action::Inspector => toggle(app),
        _ if app.inspector.detail.is_some() => detail_action(app, action),
        Action::Activate => app.inspector.open_detail(DetailTab::default()),
        Action::Back => toggle(app),
        _ => {
            if let Some(delta) = movement(action) {
                app.inspector.move_by(delta);
            }
        }
    }
    Vec::new()
}

fn detail_action(app: &mut App, action: Action) {
    let limit = scroll_limit(app);
    let s = &mut app.inspector;
    let Some(d) = &mut s.detail else {
        return;
    };
    if tabs::update(&mut d.tab, action) {
        d.scroll = 0;
        return;
    }
    match action {
        Action::Back => {
            s.detail = None;
            if !s.pinned {
                s.cursor = s.entries.len().saturating_sub(1);
            }
        }
        Action::NextExchange => s.move_by(1),
        Action::PrevExchange => s.move_by(-1),
        _ => {
            if let Some(delta) = movement(action) {
                d.scroll = moved(d.scroll, delta, limit + 1);
            }
        }
    }
}

/// A click while the Inspector is open: a row selects (a second click opens it), a tab shows.
pub fn click(app: &mut App, target: Target) {
    let s = &mut app.inspector;
    match target {
        Target::Row(n) if s.detail.is_none() && n < s.entries.len() => {
            if n == s.cursor {
                s.open_detail(DetailTab::default());
            } else {
                s.cursor = n;
                s.pinned = true;
            }
        }
        Target::Tab(n) => {
            if let Some(d) = &mut s.detail {
                tabs::click(&mut d.tab, n);
                d.scroll = 0;
            }
        }
        _ => {}
    }
}

/// The discovery findings about the document at `url` (the findings name the document they
/// point into; the exchange that fetched it has the same address).
pub fn findings_for<'a>(app: &'a App, url: &str) -> Vec<&'a FindingRow> {
    match &app.discover.remote {
        Remote::Ready(v) => v
            .findings
            .iter()
            .filter(|f| f.document.as_deref() == Some(url))
            .collect(),
        _ => Vec::new(),
    }
}

/// Rows above and below the detail's text on the screen (status lines, borders, headline,
/// address, tabs).
pub const DETAIL_CHROME: usize = 7;

/// Rows `line` takes wrapped at `width` columns: ratatui's word wrapping without trimming
/// (`Wrap { trim: false }`, `reflow::WordWrapper`), counted rather than built, one column a
/// character.
pub fn wrapped_rows(line: &str, width: usize) -> usize {
    let max = width.max(1);
    let (mut rows, mut line_w, mut word_w, mut space_w) = (0, 0, 0, 0);
    let mut line_empty = true;
    let mut after_word = false;
    for c in line.chars() {
        let space = c.is_whitespace();
        // A word ended, or the row's only word and spaces fill it: both go on the row.
        if (after_word && space) || (line_empty && word_w + space_w + 1 > max) {
            line_w += space_w + word_w;
            line_empty &= space_w + word_w == 0;
            (space_w, word_w) = (0, 0);
        }
        if line_w >= max || line_w + space_w + word_w >= max {
            let remaining = max.saturating_sub(line_w);
            rows += 1;
            line_w = 0;
            line_empty = true;
            // Spaces that still fit end the row rather than start the next.
            space_w -= space_w.min(remaining);
            if space && space_w == 0 {
                continue;
            }
        }
        if space {
            space_w += 1;
        } else {
            word_w += 1;
        }
        after_word = !space;
    }
    if !line_empty || space_w + word_w > 0 || rows == 0 {
        rows += 1;
    }
    rows
}

/// Rows the detail's current tab takes at `width` columns (the lines the drawing shows,
/// wrapped).
pub fn detail_rows(app: &App, width: usize) -> usize {
    let Some(d) = &app.inspector.detail else {
        return 0;
    };
    let rows = |line: &str| wrapped_rows(line, width);
    let lines = |v: &[String]| v.iter().map(|l| rows(l)).sum::<usize>();
    let v = &d.view;
    match d.tab {
        DetailTab::Headers => {
            let pairs = |h: &[(String, String)]| {
                h.iter()
                    .map(|(k, v)| rows(&format!("{k}: {v}")))
                    .sum::<usize>()
                    .max(1)
            };
            let facts: usize = v
                .facts
                .iter()
                .map(|(label, x)| rows(&format!("{label:<11} {x}")))
                .sum();
            facts + pairs(&v.request_headers) + pairs(&v.response_headers) + 4
        }
        DetailTab::Request => lines(&v.request_body).max(1),
        DetailTab::Response => lines(&v.response_body).max(1),
        DetailTab::Findings => findings_for(app, &v.url)
            .iter()
            .map(|f| {
                let head = format!("{} {}  {}", f.severity.as_str(), f.code, f.section);
                let at = format!("  at {}", f.pointer);
                rows(&head)
                    + rows(&format!("  {}", f.message))
                    + usize::from(!f.pointer.is_empty()) * rows(&at)
                    + 1
            })
            .sum::<usize>()
            .max(1),
        // A note and a blank line above the command.
        DetailTab::Curl => lines(&v.curl) + 3,
    }
}

/// How far the detail may scroll: until its last row is at the bottom of the screen.
fn scroll_limit(app: &App) -> usize {
    let (w, h) = (app.size.0 as usize, app.size.1 as usize);
    detail_rows(app, w.saturating_sub(2)).saturating_sub(h.saturating_sub(DETAIL_CHROME))
}

#[cfg(test)]
mod tests {
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
}
