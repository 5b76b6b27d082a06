//! The interactive wizard as a pure state machine (issue 5): [`update`] is the only place where
//! state changes or steps switch, and it answers with [`Effect`]s for the executor to run. No
//! I/O here: no terminal, no HTTP, no spawning — which is what lets it be unit-tested.

pub mod keymap;
pub mod screens;

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseEvent, MouseEventKind};

use crate::onboarding::discovery::{Discovery, DiscoveryEvent};
use keymap::{Action, Context};
use screens::discover::{DiscoverState, DiscoverTab, DiscoveryView};
use screens::scopes::ScopesState;

/// Identifies one background request; results carrying another id are stale and dropped.
pub type ReqId = u64;

/// Data fetched in the background, through its whole life.
#[derive(Debug, Default)]
pub enum Remote<T> {
    #[default]
    Idle,
    Loading {
        req: ReqId,
        since: Instant,
    },
    Ready(T),
    Failed(ErrorView),
}

/// A failure as the user reads it (already sanitized).
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorView {
    pub message: String,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick(Instant),
    DiscoveryProgress {
        req: ReqId,
        event: DiscoveryEvent,
    },
    DiscoveryDone {
        req: ReqId,
        result: Result<Box<Discovery>, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Discover { req: ReqId, url: String },
    Quit,
}

/// The wizard's steps, in order (issue 5); later ones are not built yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Discover,
    Scopes,
    Modifiers,
    Registration,
    Review,
    Submit,
    Authorize,
    Done,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Discover,
        Step::Scopes,
        Step::Modifiers,
        Step::Registration,
        Step::Review,
        Step::Submit,
        Step::Authorize,
        Step::Done,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    ConfirmQuit,
}

/// What the user is told on the status line until the next key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    ScopeLocked,
    StepNotBuilt,
    NoCatalogYet,
}

#[derive(Debug)]
pub struct App {
    /// The utility's URL as the user gave it.
    pub url: String,
    pub step: Step,
    pub now: Instant,
    pub discover: DiscoverState,
    pub scopes: ScopesState,
    pub overlay: Option<Overlay>,
    pub notice: Option<Notice>,
    pub size: (u16, u16),
    next_req: ReqId,
}

impl App {
    /// A wizard at `url`'s discovery; the effects start it.
    pub fn new(url: impl Into<String>, now: Instant) -> (App, Vec<Effect>) {
        let mut app = App {
            url: url.into(),
            step: Step::Discover,
            now,
            discover: DiscoverState::default(),
            scopes: ScopesState::default(),
            overlay: None,
            notice: None,
            size: (80, 24),
            next_req: 1,
        };
        let effects = app.start_discovery();
        (app, effects)
    }

    fn start_discovery(&mut self) -> Vec<Effect> {
        let req = self.next_req;
        self.next_req += 1;
        self.discover.remote = Remote::Loading {
            req,
            since: self.now,
        };
        self.discover.fetches.clear();
        vec![Effect::Discover {
            req,
            url: self.url.clone(),
        }]
    }

    /// The key context right now: overlays first, then the step.
    pub fn context(&self) -> Context {
        match self.overlay {
            Some(Overlay::Help) => Context::Help,
            Some(Overlay::ConfirmQuit) => Context::Confirm,
            None => match self.step {
                Step::Scopes if self.scopes.searching => Context::Search,
                Step::Scopes => Context::Scopes,
                _ => Context::Discover,
            },
        }
    }

    fn discovery_loading(&self, req: ReqId) -> bool {
        matches!(self.discover.remote, Remote::Loading { req: r, .. } if r == req)
    }
}

/// The one place where state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) => Vec::new(),
        Msg::Paste(text) => {
            if app.overlay.is_none() && app.step == Step::Scopes && app.scopes.searching {
                let line = crate::text::sanitize(&text);
                app.scopes.query.push_str(line.trim());
                app.scopes.refilter();
            }
            Vec::new()
        }
        Msg::Mouse(m) => {
            let action = match m.kind {
                MouseEventKind::ScrollUp => Action::Up,
                MouseEventKind::ScrollDown => Action::Down,
                _ => return Vec::new(),
            };
            if app.overlay.is_none() {
                act(app, action)
            } else {
                Vec::new()
            }
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            Vec::new()
        }
        Msg::DiscoveryProgress { req, event } => {
            if app.discovery_loading(req) {
                app.discover.progress(event);
            }
            Vec::new()
        }
        Msg::DiscoveryDone { req, result } => {
            if !app.discovery_loading(req) {
                return Vec::new(); // stale: a retry started another run
            }
            match result {
                Ok(d) => {
                    let view = DiscoveryView::from_discovery(&d);
                    app.scopes.set_catalog(view.catalog.clone());
                    app.discover.remote = Remote::Ready(view);
                    app.discover.coverage_cursor = 0;
                    app.discover.findings_cursor = 0;
                }
                Err(e) => {
                    app.discover.remote = Remote::Failed(ErrorView {
                        message: crate::text::sanitize(&e),
                    })
                }
            }
            Vec::new()
        }
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.notice = None;
    let ctx = app.context();
    match keymap::lookup(ctx, &key) {
        Some(action) => act(app, action),
        None => {
            if ctx == Context::Search
                && let KeyCode::Char(c) = key.code
                && !key.modifiers.intersects(
                    crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
                )
            {
                app.scopes.type_char(c);
            }
            Vec::new()
        }
    }
}

/// Rows a page-sized jump moves (the list height is a drawing matter; this is close enough).
const PAGE: isize = 10;

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::ForceQuit => return vec![Effect::Quit],
        Action::AskQuit => app.overlay = Some(Overlay::ConfirmQuit),
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::CloseHelp | Action::Cancel => app.overlay = None,
        Action::Confirm => return vec![Effect::Quit],
        Action::Retry => return app.start_discovery(),
        Action::Next => match app.step {
            Step::Discover => {
                if matches!(app.discover.remote, Remote::Ready(_)) {
                    app.step = Step::Scopes;
                } else {
                    app.notice = Some(Notice::NoCatalogYet);
                }
            }
            _ => app.notice = Some(Notice::StepNotBuilt),
        },
        Action::Back | Action::PrevTab if app.step == Step::Scopes => app.step = Step::Discover,
        Action::Back => {}
        Action::NextTab => app.discover.tab = app.discover.tab.next(),
        Action::PrevTab => app.discover.tab = app.discover.tab.prev(),
        Action::CycleSeverity => {
            app.discover.min_severity = app.discover.min_severity.next();
            app.discover.tab = DiscoverTab::Findings;
            app.discover.findings_cursor = 0;
        }
        Action::Up => move_by(app, -1),
        Action::Down => move_by(app, 1),
        Action::PageUp => move_by(app, -PAGE),
        Action::PageDown => move_by(app, PAGE),
        Action::Home => move_by(app, isize::MIN / 2),
        Action::End => move_by(app, isize::MAX / 2),
        Action::Toggle => {
            if app.scopes.toggle().is_err() {
                app.notice = Some(Notice::ScopeLocked);
            }
        }
        Action::StartSearch => app.scopes.searching = true,
        Action::AcceptSearch => app.scopes.searching = false,
        Action::CancelSearch => app.scopes.clear_search(),
        Action::DeleteChar => app.scopes.delete_char(),
        Action::DetailUp => {
            app.scopes.detail_scroll = app.scopes.detail_scroll.saturating_sub(PAGE as u16)
        }
        Action::DetailDown => {
            app.scopes.detail_scroll = app.scopes.detail_scroll.saturating_add(PAGE as u16)
        }
    }
    Vec::new()
}

fn move_by(app: &mut App, delta: isize) {
    match app.step {
        Step::Scopes => app.scopes.move_by(delta),
        _ => {
            let Remote::Ready(view) = &app.discover.remote else {
                return;
            };
            let (cursor, len) = match app.discover.tab {
                // Bounded by the drawing code, which knows how many lines the card has.
                DiscoverTab::Utility => (&mut app.discover.utility_scroll, 200),
                DiscoverTab::Coverage => (&mut app.discover.coverage_cursor, view.coverage.len()),
                DiscoverTab::Findings => {
                    let len = view
                        .findings
                        .iter()
                        .filter(|f| app.discover.min_severity.admits(f.severity))
                        .count();
                    (&mut app.discover.findings_cursor, len)
                }
            };
            let to = (*cursor as isize).saturating_add(delta);
            *cursor = to.clamp(0, len.saturating_sub(1) as isize) as usize;
        }
    }
}
