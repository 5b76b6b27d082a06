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
mod tests;
