//! The Inspector (issue 12 item 3): every HTTP exchange of the session, as the transcript
//! recorder hands them over (already redacted), in a list — time, method, URL, status,
//! duration, size, step — with a detail view: headers, the pretty-printed body, the
//! conformance findings about that response, and the redacted request as a curl command to
//! copy. Opened with one key from any screen (the router's business); its own keys are here.
//! Pure: it only holds data and answers with what the router should do.

use std::sync::Arc;

use crate::app::keymap::Action;
use crate::cds::conformance::Finding;
// Re-exported so the drawing side names it through app/ (the layer table's rule).
pub use crate::onboarding::transcript::Exchange;

/// Exchanges kept (the oldest go first).
pub const KEPT: usize = 1_000;

#[derive(Debug, Default)]
pub struct InspectorState {
    pub exchanges: Vec<Arc<Exchange>>,
    pub cursor: usize,
    /// The detail view of the exchange under the cursor is open.
    pub detail: bool,
    /// First line of the detail view shown.
    pub scroll: usize,
    /// The cursor follows new exchanges while it is on the last one.
    pub follow: bool,
    /// The transcript file being written, if recording is on.
    pub recording: Option<String>,
    /// Exchanges the Inspector missed because it fell behind.
    pub dropped: u64,
    /// Findings of the last discovery, matched to exchanges by document URL.
    pub findings: Vec<Finding>,
}

/// What the router does after an Inspector key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Nothing beyond the Inspector's own state.
    Done,
    /// Close the Inspector.
    Close,
    /// Put this on the clipboard.
    Copy(String),
    /// Switch recording to a file on or off.
    ToggleRecording,
}

impl InspectorState {
    pub fn new() -> Self {
        InspectorState {
            follow: true,
            ..Default::default()
        }
    }

    /// A new exchange from the recorder.
    pub fn push(&mut self, exchange: Arc<Exchange>) {
        let at_end = self.cursor + 1 >= self.exchanges.len();
        self.exchanges.push(exchange);
        if self.exchanges.len() > KEPT {
            self.exchanges.remove(0);
            self.cursor = self.cursor.saturating_sub(1);
        }
        if self.follow && at_end && !self.detail {
            self.cursor = self.exchanges.len() - 1;
        }
    }

    pub fn selected(&self) -> Option<&Exchange> {
        self.exchanges.get(self.cursor).map(Arc::as_ref)
    }

    /// The findings about the selected exchange's document.
    pub fn findings_of(&self, exchange: &Exchange) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.document.as_deref() == Some(exchange.url.as_str()))
            .collect()
    }

    /// One of the Inspector's actions.
    pub fn update(&mut self, action: Action, page: usize) -> Reply {
        let len = self.exchanges.len();
        let page = page.max(1);
        if self.detail {
            match action {
                Action::Back | Action::Cancel | Action::CloseHelp => self.detail = false,
                Action::Up | Action::DetailUp => self.scroll = self.scroll.saturating_sub(1),
                Action::Down | Action::DetailDown => self.scroll += 1,
                Action::PageUp => self.scroll = self.scroll.saturating_sub(page),
                Action::PageDown => self.scroll += page,
                Action::Home => self.scroll = 0,
                Action::Left => self.step(-1),
                Action::Right => self.step(1),
                _ => return self.common(action),
            }
            return Reply::Done;
        }
        match action {
            Action::Up => self.step(-1),
            Action::Down => self.step(1),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(page),
            Action::PageDown => self.cursor = (self.cursor + page).min(len.saturating_sub(1)),
            Action::Home => self.cursor = 0,
            Action::End => self.cursor = len.saturating_sub(1),
            Action::Activate | Action::Next if len > 0 => {
                self.detail = true;
                self.scroll = 0;
            }
            Action::Back | Action::Cancel | Action::CloseHelp => return Reply::Close,
            _ => return self.common(action),
        }
        self.follow = self.cursor + 1 >= len;
        Reply::Done
    }

    /// Keys of both views: copy as curl, switch recording.
    fn common(&self, action: Action) -> Reply {
        match action {
            Action::ExportCurl | Action::CopyUrl => self
                .selected()
                .map_or(Reply::Done, |e| Reply::Copy(e.curl())),
            Action::Toggle => Reply::ToggleRecording,
            _ => Reply::Done,
        }
    }

    fn step(&mut self, delta: i64) {
        let len = self.exchanges.len();
        if len == 0 {
            return;
        }
        let next = (self.cursor as i64 + delta).clamp(0, len as i64 - 1) as usize;
        if next != self.cursor {
            self.cursor = next;
            self.scroll = 0;
        }
    }
}

/// A body for reading: JSON pretty-printed, other text as it is, Base64 bodies named only.
pub fn pretty_body(exchange: &Exchange) -> String {
    if exchange.body_base64 {
        return format!(
            "({} bytes of binary content{})",
            exchange.size,
            exchange
                .response_content_type()
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        );
    }
    let body = &exchange.response_body;
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.clone()),
        Err(_) => body.clone(),
    }
}
