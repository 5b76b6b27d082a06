//! The interactive wizard as a pure state machine (issue 5): [`update`] is the only place where
//! state changes or steps switch, and it answers with [`Effect`]s for the executor to run. No
//! I/O here: no terminal, no HTTP, no spawning — which is what lets it be unit-tested.

pub mod form;
pub mod keymap;
pub mod screens;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use url::Url;

use crate::cds::AuthorizationServerMetadata;
use crate::onboarding::discovery::DiscoveryEvent;
use crate::onboarding::plan::RegistrationPlan;
use crate::onboarding::register::{RegisterEvent, RegisterOutcome};
use crate::vault::Secret;
use keymap::{Action, Context};
use screens::authorize::{AuthorizeState, OutcomeView, Phase, ProfileView, WAIT_SECS, Waiting};
use screens::discover::{DiscoverState, DiscoverTab, Discovered};
use screens::done::DoneState;
use screens::home::{HomeItem, HomeState};
use screens::modifiers::{Files, ModifiersState};
use screens::registration::{RegistrationState, suggest_profile};
use screens::scopes::ScopesState;
use screens::submit::{Failure, SubmitState};

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

/// Something on screen a mouse click can land on (the drawing code records where each is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A step of the step indicator.
    Step(Step),
    /// A tab of the Discovery screen.
    Tab(DiscoverTab),
    /// Row `n` of the current screen's main list (scopes, coverage, findings, form fields,
    /// clients, home items, stored accounts).
    Row(usize),
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    /// A left click resolved by the event loop against what was drawn.
    Click(Target),
    Resize(u16, u16),
    /// The clock, read by the event loop (app/ never reads it): `now` for elapsed times and
    /// deadlines, `wall` for relative dates.
    Tick {
        now: Instant,
        wall: jiff::Timestamp,
    },
    DiscoveryProgress {
        req: ReqId,
        event: DiscoveryEvent,
    },
    DiscoveryDone {
        req: ReqId,
        result: Result<Box<Discovered>, String>,
    },
    ProfilesLoaded(Result<Vec<ProfileView>, String>),
    DemoStarted(Result<String, String>),
    FileRead {
        path: String,
        result: Result<Arc<Vec<u8>>, String>,
    },
    Exported(Result<String, String>),
    RegisterProgress {
        req: ReqId,
        event: RegisterEvent,
    },
    RegisterDone {
        req: ReqId,
        result: Result<(Box<RegisterOutcome>, ProfileView), Failure>,
    },
    AuthorizeReady {
        req: ReqId,
        url: String,
        loopback: Option<String>,
        paste_reason: Option<String>,
        pushed: bool,
        ssh_hint: Option<String>,
    },
    /// A pasted address was refused; the flow keeps waiting.
    PasteRejected {
        req: ReqId,
        message: String,
    },
    AuthorizeCompleting {
        req: ReqId,
    },
    AuthorizeDone {
        req: ReqId,
        result: Result<(Box<OutcomeView>, ProfileView), String>,
    },
    Revealed {
        account: String,
        result: Result<Secret, String>,
    },
    /// A line for the status bar (a browser that did not open, a copied URL).
    Info(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Discover {
        req: ReqId,
        url: String,
    },
    LoadProfiles,
    StartDemo,
    /// Reads a file the user named (capped) and answers with `Msg::FileRead`.
    ReadFile {
        path: String,
    },
    /// Writes an export (no secrets in it) to `path`.
    Export {
        path: String,
        contents: String,
    },
    Register {
        req: ReqId,
        meta: Arc<AuthorizationServerMetadata>,
        metadata_url: Option<Url>,
        plan: Box<RegistrationPlan>,
        profile: String,
    },
    ResumeRegistration {
        req: ReqId,
        profile: String,
    },
    Authorize {
        req: ReqId,
        profile: String,
        client_id: String,
        wait: Duration,
    },
    PasteRedirect {
        req: ReqId,
        text: String,
    },
    CancelAuthorize {
        req: ReqId,
    },
    OpenBrowser(String),
    /// Puts text on the clipboard (OSC 52, which also works over SSH).
    Copy(String),
    Reveal {
        account: String,
    },
    Quit,
}

/// The wizard's steps, in order; `Home` comes before them when no URL was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Home,
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
    /// The steps of the indicator.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    ScopeLocked,
    NoCatalogYet,
    NoOAuth,
    /// N problems must be solved before going on.
    FixFirst(usize),
    NotNullable,
    Registered,
    Info(String),
    Warn(String),
}

#[derive(Debug)]
pub struct App {
    /// The utility's URL as the user gave it.
    pub url: String,
    pub step: Step,
    pub now: Instant,
    /// Wall-clock time, for relative dates (set by ticks, the first one before anything is
    /// drawn; tests fix it).
    pub wall: jiff::Timestamp,
    pub home: HomeState,
    pub discover: DiscoverState,
    pub scopes: ScopesState,
    pub modifiers: ModifiersState,
    pub registration: RegistrationState,
    pub review_scroll: u16,
    pub submit: SubmitState,
    pub authorize: AuthorizeState,
    pub done: DoneState,
    /// The utility's OAuth metadata and where discovery found it.
    pub meta: Option<Arc<AuthorizationServerMetadata>>,
    pub metadata_url: Option<Url>,
    pub utility_name: String,
    /// Files read for the forms, by path as typed.
    pub files: Files,
    /// Names of the profiles stored on this machine.
    pub taken_profiles: Vec<String>,
    pub overlay: Option<Overlay>,
    pub notice: Option<Notice>,
    pub size: (u16, u16),
    next_req: ReqId,
}

impl App {
    fn blank(url: String, step: Step, now: Instant) -> App {
        App {
            url,
            step,
            now,
            wall: jiff::Timestamp::UNIX_EPOCH,
            home: HomeState::default(),
            discover: DiscoverState::default(),
            scopes: ScopesState::default(),
            modifiers: ModifiersState::default(),
            registration: RegistrationState::default(),
            review_scroll: 0,
            submit: SubmitState::default(),
            authorize: AuthorizeState::default(),
            done: DoneState::default(),
            meta: None,
            metadata_url: None,
            utility_name: String::new(),
            files: HashMap::new(),
            taken_profiles: Vec::new(),
            overlay: None,
            notice: None,
            size: (80, 24),
            next_req: 1,
        }
    }

    /// A wizard at `url`'s discovery; the effects start it.
    pub fn new(url: impl Into<String>, now: Instant) -> (App, Vec<Effect>) {
        let mut app = App::blank(url.into(), Step::Discover, now);
        let mut effects = app.start_discovery();
        effects.push(Effect::LoadProfiles);
        (app, effects)
    }

    /// The home screen (no URL given): type one, start the demo, or pick a stored profile.
    pub fn home(now: Instant) -> (App, Vec<Effect>) {
        let mut app = App::blank(String::new(), Step::Home, now);
        app.home.editing = true;
        app.home.visited = true;
        app.home.profiles = Remote::Loading { req: 0, since: now };
        (app, vec![Effect::LoadProfiles])
    }

    fn req(&mut self) -> ReqId {
        let r = self.next_req;
        self.next_req += 1;
        r
    }

    fn start_discovery(&mut self) -> Vec<Effect> {
        let req = self.req();
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

    /// Whether a text line is being typed into (keys go to it, not to the bindings).
    pub fn typing(&self) -> bool {
        match self.step {
            Step::Home => self.home.editing && self.home.current() == HomeItem::Url,
            Step::Scopes => self.scopes.searching,
            Step::Modifiers => self.modifiers.form.editing.is_some(),
            Step::Registration => self.registration.form.editing.is_some(),
            Step::Authorize => {
                matches!(&self.authorize.phase, Phase::Waiting(w) if w.paste.is_some())
            }
            _ => false,
        }
    }

    /// The key context right now: overlays first, then the step.
    pub fn context(&self) -> Context {
        match self.overlay {
            Some(Overlay::Help) => Context::Help,
            Some(Overlay::ConfirmQuit) => Context::Confirm,
            None => match self.step {
                Step::Scopes if self.scopes.searching => Context::Search,
                _ if self.typing() => Context::Edit,
                Step::Home => Context::Home,
                Step::Discover => Context::Discover,
                Step::Scopes => Context::Scopes,
                Step::Modifiers | Step::Registration => Context::Form,
                Step::Review => Context::Review,
                Step::Submit => Context::Submit,
                Step::Authorize => match self.authorize.phase {
                    Phase::Waiting(_) => Context::Waiting,
                    _ => Context::Authorize,
                },
                Step::Done => Context::Done,
            },
        }
    }

    fn discovery_loading(&self, req: ReqId) -> bool {
        matches!(self.discover.remote, Remote::Loading { req: r, .. } if r == req)
    }

    /// Whether the registration was sent (steps before Submit can no longer change it).
    /// A failure before anything was stored does not count: the user may change and resend.
    pub fn registered(&self) -> bool {
        self.submit.running.is_some()
            || self.submit.done()
            || self.submit.failure.as_ref().is_some_and(|f| f.resumable)
    }

    fn revalidate_modifiers(&mut self) {
        if let Some(meta) = &self.meta {
            self.modifiers.revalidate(meta, &self.files, self.wall);
        }
    }

    fn revalidate_registration(&mut self) {
        if let Some(meta) = &self.meta {
            let details = self.modifiers.details(meta, &self.files);
            self.registration.revalidate(
                meta,
                &self.scopes.selected,
                details,
                &self.files,
                &self.taken_profiles,
                self.wall,
            );
        }
    }

    fn enter_modifiers(&mut self) {
        if let Some(meta) = self.meta.clone() {
            self.modifiers = ModifiersState::build(
                &meta,
                &self.scopes.catalog,
                &self.scopes.selected,
                &self.modifiers,
            );
            self.revalidate_modifiers();
            self.step = Step::Modifiers;
        } else {
            self.notice = Some(Notice::NoOAuth);
        }
    }

    fn enter_registration(&mut self) {
        let Some(meta) = self.meta.clone() else {
            self.notice = Some(Notice::NoOAuth);
            return;
        };
        let suggestion = suggest_profile(&self.utility_name, &self.taken_profiles);
        self.registration = RegistrationState::build(
            &meta,
            &self.scopes.selected,
            &suggestion,
            &self.registration,
        );
        self.revalidate_registration();
        self.step = Step::Registration;
    }

    /// Goes to an earlier (or already reached) step before the registration was sent.
    fn go_to(&mut self, step: Step) {
        if self.registered() || self.authorize.running().is_some() || step >= self.step {
            return;
        }
        match step {
            Step::Discover | Step::Scopes => self.step = step,
            Step::Modifiers => self.enter_modifiers(),
            Step::Registration => self.enter_registration(),
            _ => {}
        }
    }
}

/// The one place where state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) => Vec::new(),
        Msg::Paste(text) => {
            if app.overlay.is_none() {
                // One line: a pasted newline must not submit anything.
                let line = crate::text::sanitize(&text.replace(['\r', '\n'], ""));
                type_text(app, line.trim());
            }
            Vec::new()
        }
        Msg::Mouse(m) => {
            let action = match m.kind {
                MouseEventKind::ScrollUp => Action::Up,
                MouseEventKind::ScrollDown => Action::Down,
                _ => return Vec::new(),
            };
            if app.overlay.is_none() && !app.typing() {
                act(app, action)
            } else {
                Vec::new()
            }
        }
        Msg::Click(target) => {
            // A click ends typing the home URL; elsewhere a line being typed is kept first.
            if app.overlay.is_some() || (app.typing() && app.step != Step::Home) {
                return Vec::new();
            }
            app.notice = None;
            click(app, target)
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Tick { now, wall } => {
            app.now = now;
            app.wall = wall;
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
                    let Discovered {
                        mut view,
                        meta,
                        metadata_url,
                    } = *d;
                    // The scopes screen owns the catalog; the view keeps only the outcome.
                    let catalog = match &mut view.catalog {
                        Ok(scopes) => Ok(std::mem::take(scopes)),
                        Err(e) => Err(e.clone()),
                    };
                    app.scopes.set_catalog(catalog);
                    app.utility_name = view.name.clone();
                    app.meta = meta.map(Arc::new);
                    app.metadata_url = Some(metadata_url);
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
        Msg::ProfilesLoaded(result) => {
            match result {
                Ok(profiles) => {
                    app.taken_profiles = profiles.iter().map(|p| p.name.clone()).collect();
                    app.home.profiles = Remote::Ready(profiles);
                }
                Err(e) => {
                    app.home.profiles = Remote::Failed(ErrorView {
                        message: crate::text::sanitize(&e),
                    })
                }
            }
            if app.step == Step::Registration {
                app.revalidate_registration();
            }
            Vec::new()
        }
        Msg::DemoStarted(result) => {
            // Only while still waiting for it on the home screen: the user may have moved on.
            if app.step != Step::Home || !app.home.starting_demo {
                return Vec::new();
            }
            app.home.starting_demo = false;
            match result {
                Ok(url) => {
                    app.url = url;
                    app.step = Step::Discover;
                    app.start_discovery()
                }
                Err(e) => {
                    app.home.error = Some(crate::text::sanitize(&e));
                    Vec::new()
                }
            }
        }
        Msg::FileRead { path, result } => {
            app.files.insert(path, result);
            match app.step {
                Step::Modifiers => app.revalidate_modifiers(),
                Step::Registration => app.revalidate_registration(),
                _ => {}
            }
            Vec::new()
        }
        Msg::Exported(result) => {
            app.notice = Some(match result {
                Ok(path) => Notice::Info(format!(
                    "Wrote {} (no secrets in it).",
                    crate::text::sanitize(&path)
                )),
                Err(e) => Notice::Warn(crate::text::sanitize(&e)),
            });
            Vec::new()
        }
        Msg::RegisterProgress { req, event } => {
            if app.submit.running == Some(req) {
                app.submit.progress(event);
            }
            Vec::new()
        }
        Msg::RegisterDone { req, result } => {
            if app.submit.running != Some(req) {
                return Vec::new();
            }
            app.submit.running = None;
            match result {
                Ok((outcome, profile)) => {
                    app.taken_profiles.push(profile.name.clone());
                    app.submit.outcome = Some(*outcome);
                    app.authorize = AuthorizeState {
                        profile: Some(profile),
                        ..AuthorizeState::default()
                    };
                }
                Err(f) => app.submit.fail(f),
            }
            Vec::new()
        }
        Msg::AuthorizeReady {
            req,
            url,
            loopback,
            paste_reason,
            pushed,
            ssh_hint,
        } => {
            if app.authorize.running() == Some(req) {
                let client_id = app
                    .authorize
                    .chosen()
                    .map(|c| c.client_id.clone())
                    .unwrap_or_default();
                app.authorize.phase = Phase::Waiting(Box::new(Waiting {
                    req,
                    client_id,
                    qr: crate::text::qr_lines(&url),
                    url: crate::text::sanitize(&url),
                    paste: None,
                    loopback,
                    paste_reason,
                    pushed,
                    deadline: app.now + Duration::from_secs(WAIT_SECS),
                    ssh_hint,
                    paste_error: None,
                }));
            }
            Vec::new()
        }
        Msg::PasteRejected { req, message } => {
            if let Some(w) = app.authorize.waiting_mut()
                && w.req == req
            {
                w.paste_error = Some(crate::text::sanitize(&message));
                w.paste = Some(String::new());
            }
            Vec::new()
        }
        Msg::AuthorizeCompleting { req } => {
            if app.authorize.running() == Some(req) {
                app.authorize.phase = Phase::Completing { req };
            }
            Vec::new()
        }
        Msg::AuthorizeDone { req, result } => {
            if app.authorize.running() != Some(req) {
                return Vec::new();
            }
            app.authorize.phase = match result {
                Ok((outcome, profile)) => {
                    app.authorize.profile = Some(profile);
                    Phase::Done(outcome)
                }
                Err(message) => Phase::Failed {
                    message: crate::text::sanitize(&message),
                },
            };
            Vec::new()
        }
        Msg::Revealed { account, result } => {
            match result {
                Ok(secret) => {
                    app.done.revealed = Some((account, secret));
                    app.done.reveal_error = None;
                }
                Err(e) => app.done.reveal_error = Some(crate::text::sanitize(&e)),
            }
            Vec::new()
        }
        Msg::Info(text) => {
            app.notice = Some(Notice::Info(crate::text::sanitize(&text)));
            Vec::new()
        }
    }
}

/// Text typed or pasted into whatever line is being edited.
fn type_text(app: &mut App, text: &str) {
    match app.step {
        Step::Home if app.typing() => app.home.url.push_str(text),
        Step::Scopes if app.scopes.searching => {
            app.scopes.query.push_str(text);
            app.scopes.refilter();
        }
        Step::Modifiers => app.modifiers.form.type_str(text),
        Step::Registration => app.registration.form.type_str(text),
        Step::Authorize => {
            if let Some(w) = app.authorize.waiting_mut() {
                // A pasted address opens the paste line by itself.
                w.paste.get_or_insert_with(String::new).push_str(text);
            }
        }
        _ => {}
    }
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.notice = None;
    if app.done.revealed.is_some() {
        app.done.revealed = None; // a revealed secret is masked again on the next key
    }
    let ctx = app.context();
    // ↑/↓ leave the home URL line for the items below it.
    if app.step == Step::Home
        && ctx == Context::Edit
        && matches!(key.code, KeyCode::Up | KeyCode::Down)
    {
        move_by(app, if key.code == KeyCode::Up { -1 } else { 1 });
        return Vec::new();
    }
    match keymap::lookup(ctx, &key) {
        Some(action) => act(app, action),
        None => {
            if matches!(ctx, Context::Search | Context::Edit)
                && let KeyCode::Char(c) = key.code
                && !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            {
                type_text(app, c.encode_utf8(&mut [0; 4]));
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
        Action::Retry => return retry(app),
        Action::Next => return next(app),
        Action::Back | Action::PrevTab if app.step == Step::Scopes => app.step = Step::Discover,
        Action::Back => back(app),
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
        Action::Toggle => match app.step {
            Step::Scopes => {
                if app.scopes.toggle().is_err() {
                    app.notice = Some(Notice::ScopeLocked);
                }
            }
            _ => {
                with_form(app, |f| {
                    f.toggle();
                    None
                });
            }
        },
        Action::StartSearch => app.scopes.searching = true,
        Action::AcceptSearch => app.scopes.searching = false,
        Action::CancelSearch => app.scopes.clear_search(),
        Action::DeleteChar => match app.step {
            Step::Home => {
                app.home.url.pop();
            }
            Step::Scopes => app.scopes.delete_char(),
            Step::Authorize => {
                if let Some(p) = app.authorize.waiting_mut().and_then(|w| w.paste.as_mut()) {
                    p.pop();
                }
            }
            _ => {
                if let Some(f) = form_mut(app) {
                    f.backspace();
                }
            }
        },
        Action::ClearLine => match app.step {
            Step::Home => app.home.url.clear(),
            Step::Authorize => {
                if let Some(p) = app.authorize.waiting_mut().and_then(|w| w.paste.as_mut()) {
                    p.clear();
                }
            }
            _ => {
                if let Some(f) = form_mut(app) {
                    f.clear_text();
                }
            }
        },
        Action::DetailUp => scroll(app, -PAGE),
        Action::DetailDown => scroll(app, PAGE),
        Action::Activate => return activate(app),
        Action::Left | Action::Right => {
            let delta = if action == Action::Left { -1 } else { 1 };
            with_form(app, |f| {
                f.side(delta);
                None
            });
        }
        Action::ClearField => {
            with_form(app, |f| {
                f.clear();
                None
            });
        }
        Action::SetNull => {
            let ok = form_mut(app).is_some_and(|f| f.set_null());
            if ok {
                revalidate(app);
            } else {
                app.notice = Some(Notice::NotNullable);
            }
        }
        Action::CommitEdit => return commit(app),
        Action::CancelEdit => match app.step {
            Step::Home => app.home.editing = false,
            Step::Authorize => {
                if let Some(w) = app.authorize.waiting_mut() {
                    w.paste = None;
                }
            }
            _ => {
                if let Some(f) = form_mut(app) {
                    f.cancel_edit();
                }
            }
        },
        Action::ExportCurl | Action::ExportHttp => return export(app, action),
        Action::OpenBrowser => {
            if let Some(w) = app.authorize.waiting_mut() {
                return vec![Effect::OpenBrowser(w.url.clone())];
            }
        }
        Action::CopyUrl => {
            if let Some(w) = app.authorize.waiting_mut() {
                app.notice = Some(Notice::Info(
                    "Copied the address to the clipboard (OSC 52; some terminals ignore it)."
                        .into(),
                ));
                return vec![Effect::Copy(w.url.clone())];
            }
        }
        Action::StartPaste => {
            if let Some(w) = app.authorize.waiting_mut() {
                w.paste = Some(String::new());
            }
        }
        Action::CancelWait => {
            if let Some(req) = app.authorize.running() {
                app.authorize.phase = Phase::Choose;
                return vec![Effect::CancelAuthorize { req }];
            }
        }
        Action::Reveal => {
            if let Some(account) = done_accounts(app).get(app.done.cursor) {
                return vec![Effect::Reveal {
                    account: account.clone(),
                }];
            }
        }
    }
    Vec::new()
}

/// Every keyring account of the profile, for the Done screen.
pub fn done_accounts(app: &App) -> Vec<String> {
    app.authorize
        .profile
        .iter()
        .flat_map(|p| p.clients.iter())
        .flat_map(|c| c.accounts.iter().cloned())
        .collect()
}

fn form_mut(app: &mut App) -> Option<&mut form::Form> {
    match app.step {
        Step::Modifiers => Some(&mut app.modifiers.form),
        Step::Registration => Some(&mut app.registration.form),
        _ => None,
    }
}

/// Changes the current form and revalidates; the closure may ask for a file to be read.
fn with_form(app: &mut App, f: impl FnOnce(&mut form::Form) -> Option<String>) -> Vec<Effect> {
    let Some(form) = form_mut(app) else {
        return Vec::new();
    };
    let read = f(form);
    revalidate(app);
    read.into_iter()
        .map(|path| Effect::ReadFile { path })
        .collect()
}

fn revalidate(app: &mut App) {
    match app.step {
        Step::Modifiers => app.revalidate_modifiers(),
        Step::Registration => app.revalidate_registration(),
        _ => {}
    }
}

fn commit(app: &mut App) -> Vec<Effect> {
    match app.step {
        Step::Home => {
            let url = app.home.url.trim().to_owned();
            if url.is_empty() {
                app.home.error = Some("Type the utility's address first.".into());
                return Vec::new();
            }
            app.home.editing = false;
            app.home.error = None;
            app.url = url;
            app.step = Step::Discover;
            app.start_discovery()
        }
        Step::Authorize => {
            let Some(w) = app.authorize.waiting_mut() else {
                return Vec::new();
            };
            let text = w.paste.take().unwrap_or_default();
            w.paste_error = None;
            if text.trim().is_empty() {
                return Vec::new();
            }
            vec![Effect::PasteRedirect { req: w.req, text }]
        }
        _ => with_form(app, |f| f.commit().map(|(_, path)| path)),
    }
}

fn activate(app: &mut App) -> Vec<Effect> {
    match app.step {
        Step::Home => match app.home.current() {
            HomeItem::Url => {
                app.home.editing = true;
                Vec::new()
            }
            HomeItem::Demo => {
                if app.home.starting_demo {
                    return Vec::new();
                }
                app.home.starting_demo = true;
                vec![Effect::StartDemo]
            }
            HomeItem::Profile(i) => {
                let Remote::Ready(profiles) = &app.home.profiles else {
                    return Vec::new();
                };
                let Some(p) = profiles.get(i).cloned() else {
                    return Vec::new();
                };
                app.authorize = AuthorizeState {
                    profile: Some(p),
                    ..AuthorizeState::default()
                };
                app.step = Step::Authorize;
                Vec::new()
            }
        },
        Step::Modifiers | Step::Registration => with_form(app, |f| {
            f.activate();
            None
        }),
        Step::Authorize => match &app.authorize.phase {
            Phase::Choose | Phase::Failed { .. } => {
                let Some(profile) = app.authorize.profile.as_ref().map(|p| p.name.clone()) else {
                    return Vec::new();
                };
                let Some(client) = app.authorize.chosen().map(|c| c.client_id.clone()) else {
                    app.notice = Some(Notice::Warn(
                        "This profile has no client a customer can authorize (response type `code`)."
                            .into(),
                    ));
                    return Vec::new();
                };
                let req = app.req();
                app.authorize.phase = Phase::Preparing { req };
                vec![Effect::Authorize {
                    req,
                    profile,
                    client_id: client,
                    wait: Duration::from_secs(WAIT_SECS),
                }]
            }
            Phase::Done(_) => next(app),
            _ => Vec::new(),
        },
        _ => next(app),
    }
}

fn next(app: &mut App) -> Vec<Effect> {
    match app.step {
        Step::Home => return activate(app),
        Step::Discover => {
            if matches!(app.discover.remote, Remote::Ready(_)) {
                app.step = Step::Scopes;
            } else {
                app.notice = Some(Notice::NoCatalogYet);
            }
        }
        Step::Scopes => app.enter_modifiers(),
        Step::Modifiers => {
            let n = app.modifiers.problems();
            if n > 0 {
                app.notice = Some(Notice::FixFirst(n));
            } else {
                app.enter_registration();
            }
        }
        Step::Registration => {
            if app.registration.plan.is_some() {
                app.review_scroll = 0;
                app.step = Step::Review;
            } else {
                app.notice = Some(Notice::FixFirst(app.registration.problems().max(1)));
            }
        }
        Step::Review => return submit(app, false),
        Step::Submit => {
            if app.submit.done() {
                app.step = Step::Authorize;
            }
        }
        Step::Authorize => {
            if matches!(
                app.authorize.phase,
                Phase::Choose | Phase::Done(_) | Phase::Failed { .. }
            ) {
                app.done = DoneState::default();
                app.step = Step::Done;
            }
        }
        Step::Done => app.overlay = Some(Overlay::ConfirmQuit),
    }
    Vec::new()
}

fn back(app: &mut App) {
    if app.registered() && app.step >= Step::Submit {
        app.notice = Some(Notice::Registered);
        return;
    }
    match app.step {
        // Refused before anything was stored: back to change what is sent.
        Step::Submit => app.step = Step::Review,
        // Started from the home screen: back there, to another address or the demo.
        Step::Discover | Step::Authorize
            if app.home.visited && app.authorize.running().is_none() =>
        {
            app.step = Step::Home;
            app.home.editing = app.home.current() == HomeItem::Url;
        }
        Step::Modifiers => app.go_to(Step::Scopes),
        Step::Registration => app.go_to(Step::Modifiers),
        Step::Review => app.go_to(Step::Registration),
        _ => {}
    }
}

fn retry(app: &mut App) -> Vec<Effect> {
    match app.step {
        Step::Discover => app.start_discovery(),
        Step::Submit => match &app.submit.failure {
            Some(f) if f.resumable => {
                let req = app.req();
                let profile = app.submit.profile.clone();
                app.submit.start(&profile, req);
                vec![Effect::ResumeRegistration { req, profile }]
            }
            Some(_) => submit(app, true),
            None => Vec::new(),
        },
        // A stored profile whose registration stopped part-way: finish it here.
        Step::Authorize if app.authorize.running().is_none() => {
            let Some(p) = app
                .authorize
                .profile
                .as_ref()
                .filter(|p| p.unfinished.is_some())
            else {
                app.notice = Some(Notice::Info(
                    "This profile's registration is complete; nothing to resume.".into(),
                ));
                return Vec::new();
            };
            let profile = p.name.clone();
            let req = app.req();
            app.submit = SubmitState::default();
            app.submit.start(&profile, req);
            app.step = Step::Submit;
            vec![Effect::ResumeRegistration { req, profile }]
        }
        _ => Vec::new(),
    }
}

/// Sends the registration (Review → Submit, or again after a failure before anything was
/// stored).
fn submit(app: &mut App, again: bool) -> Vec<Effect> {
    let (Some(meta), Some(plan)) = (app.meta.clone(), app.registration.plan.clone()) else {
        return Vec::new();
    };
    if app.registered() && !again {
        app.step = Step::Submit;
        return Vec::new();
    }
    let req = app.req();
    let profile = app.registration.profile_name();
    app.submit.start(&profile, req);
    app.step = Step::Submit;
    vec![Effect::Register {
        req,
        meta,
        metadata_url: app.metadata_url.clone(),
        plan: Box::new(plan),
        profile,
    }]
}

fn export(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(plan) = &app.registration.plan else {
        return Vec::new();
    };
    let profile = app.registration.profile_name();
    let body = serde_json::to_string_pretty(&plan.request).unwrap_or_default();
    let (path, contents) = if action == Action::ExportCurl {
        (
            format!("cds-registration-{profile}.sh"),
            format!(
                "#!/bin/sh\n# The registration request cds-wizard would send (CDS-WG1-02 §4.1, RFC 7591).\n\
                 # It carries no secrets: the server answers with the client secret, once.\n\
                 curl --fail-with-body -sS -X POST {} \\\n  -H 'Content-Type: application/json' \\\n  -H 'Accept: application/json' \\\n  --data-binary @- <<'JSON'\n{body}\nJSON\n",
                shell_quote(plan.endpoint.as_str())
            ),
        )
    } else {
        (
            format!("cds-registration-{profile}.http"),
            format!(
                "### The registration request cds-wizard would send (CDS-WG1-02 §4.1, RFC 7591); no secrets.\n\
                 POST {}\nContent-Type: application/json\nAccept: application/json\n\n{body}\n",
                plan.endpoint
            ),
        )
    };
    vec![Effect::Export { path, contents }]
}

/// `s` as one single-quoted shell word: the endpoint comes from the server, and a `'` in it
/// must not end the quoting of the exported script.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn scroll(app: &mut App, delta: isize) {
    let s = match app.step {
        Step::Scopes => &mut app.scopes.detail_scroll,
        Step::Modifiers => &mut app.modifiers.preview_scroll,
        Step::Registration => &mut app.registration.detail_scroll,
        Step::Review => &mut app.review_scroll,
        _ => return,
    };
    *s = (*s as isize + delta).clamp(0, u16::MAX as isize) as u16;
}

fn click(app: &mut App, target: Target) -> Vec<Effect> {
    match target {
        Target::Step(step) => app.go_to(step),
        Target::Tab(tab) => app.discover.tab = tab,
        Target::Row(n) => match app.step {
            Step::Home => {
                app.home.cursor = n.min(app.home.items().len().saturating_sub(1));
                app.home.editing = app.home.current() == HomeItem::Url;
            }
            Step::Discover => {
                match app.discover.tab {
                    DiscoverTab::Coverage => app.discover.coverage_cursor = n,
                    DiscoverTab::Findings => app.discover.findings_cursor = n,
                    DiscoverTab::Utility => {}
                }
                move_by(app, 0);
            }
            Step::Scopes => {
                if matches!(app.scopes.rows.get(n), Some(screens::scopes::Row::Scope(_))) {
                    app.scopes.cursor = n;
                    app.scopes.detail_scroll = 0;
                }
            }
            Step::Modifiers => app.modifiers.form.move_to(n),
            Step::Registration => app.registration.form.move_to(n),
            Step::Authorize if app.authorize.phase == Phase::Choose => {
                app.authorize.cursor = n;
                app.authorize.move_by(0);
            }
            Step::Done => app.done.cursor = n,
            _ => {}
        },
    }
    Vec::new()
}

fn move_by(app: &mut App, delta: isize) {
    match app.step {
        Step::Home => {
            app.home.move_by(delta);
            app.home.editing = false;
        }
        Step::Scopes => app.scopes.move_by(delta),
        Step::Modifiers => app.modifiers.form.move_by(delta),
        Step::Registration => app.registration.form.move_by(delta),
        Step::Review => scroll(app, delta),
        Step::Authorize => app.authorize.move_by(delta),
        Step::Done => {
            let n = done_accounts(app).len() as isize;
            app.done.cursor = (app.done.cursor as isize + delta).clamp(0, (n - 1).max(0)) as usize;
        }
        Step::Submit => {}
        Step::Discover => {
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_in_the_endpoint_stays_inside_one_shell_word() {
        assert_eq!(
            super::shell_quote("https://u.example/r';sh;'"),
            r"'https://u.example/r'\'';sh;'\'''"
        );
    }
}
