//! The interactive wizard as a pure state machine (issue 5): [`update`] is the only place where
//! state changes or steps switch, and it answers with [`Effect`]s for the executor to run. No
//! I/O here: no terminal, no HTTP, no spawning — which is what lets it be unit-tested.

pub mod keymap;
mod messages;
pub mod screens;
pub mod widgets;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use url::Url;

use crate::cds::AuthorizationServerMetadata;
use keymap::{Action, Context};
use screens::authorize::AuthorizeState;
use screens::catalog::CatalogState;
use screens::console::{self as console_screen, ConsoleState};
use screens::discover::DiscoverState;
use screens::done::DoneState;
use screens::home::HomeState;
use screens::inspector;
use screens::inspector::InspectorState;
use screens::modifiers::{Files, ModifiersState};
use screens::registration::RegistrationState;
use screens::review::ReviewState;
use screens::scopes::ScopesState;
use screens::submit::SubmitState;
use screens::{authorize, discover, done, home, modifiers, registration, screen, submit};
use widgets::confirm::{self, Answer, Question};

pub use messages::{Effect, Msg};
pub use screens::done::done_accounts;

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
    /// Tab `n` of the current screen's row of tabs.
    Tab(usize),
    /// Row `n` of the current screen's main list (scopes, coverage, findings, form fields,
    /// clients, home items, stored accounts).
    Row(usize),
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
    /// A stored profile's Console (not a step of the indicator).
    Console,
    /// The research catalog, browsed offline (not a step of the onboarding).
    Catalog,
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
    /// A yes/no dialog (the confirmation widget).
    Confirm(Question),
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
    /// The registration was not sent (the user declined a keyring that forgets at reboot).
    NotSent,
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
    pub review: ReviewState,
    pub submit: SubmitState,
    pub authorize: AuthorizeState,
    pub done: DoneState,
    pub catalog: CatalogState,
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
    /// The Console of a stored profile.
    pub console: ConsoleState,
    /// Every exchange of the session, over any step.
    pub inspector: InspectorState,
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
            review: ReviewState::default(),
            submit: SubmitState::default(),
            authorize: AuthorizeState::default(),
            done: DoneState::default(),
            catalog: CatalogState::default(),
            meta: None,
            metadata_url: None,
            utility_name: String::new(),
            files: HashMap::new(),
            taken_profiles: Vec::new(),
            overlay: None,
            notice: None,
            size: (80, 24),
            next_req: 1,
            console: ConsoleState::default(),
            inspector: InspectorState::default(),
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

    /// The Console of the stored profile `name` (`cds-wizard PROFILE`).
    pub fn console(name: &str, now: Instant) -> (App, Vec<Effect>) {
        let mut app = App::blank(String::new(), Step::Console, now);
        app.home.profiles = Remote::Loading { req: 0, since: now };
        let mut effects = console_screen::open(&mut app, name, None);
        effects.push(Effect::LoadProfiles);
        (app, effects)
    }

    /// The Catalog view (`cds-wizard catalog browse`): the research catalog's database.
    pub fn catalog(now: Instant) -> (App, Vec<Effect>) {
        let mut app = App::blank(String::new(), Step::Catalog, now);
        let mut effects = screens::catalog::open(&mut app);
        effects.push(Effect::LoadProfiles);
        (app, effects)
    }

    pub(crate) fn req(&mut self) -> ReqId {
        let r = self.next_req;
        self.next_req += 1;
        r
    }

    pub(crate) fn start_discovery(&mut self) -> Vec<Effect> {
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
        screen(self.step).typing(self)
    }

    /// The key context right now: overlays first, then the step's screen.
    pub fn context(&self) -> Context {
        match self.overlay {
            Some(Overlay::Help) => Context::Help,
            Some(Overlay::Confirm(_)) => Context::Confirm,
            None if self.inspector.open => Context::Inspector,
            None => screen(self.step).context(self),
        }
    }

    /// Whether the registration was sent (steps before Submit can no longer change it).
    /// A failure before anything was stored does not count: the user may change and resend.
    pub fn registered(&self) -> bool {
        self.submit.running.is_some()
            || self.submit.done()
            || self.submit.failure.as_ref().is_some_and(|f| f.resumable)
    }

    /// Goes to an earlier (or already reached) step before the registration was sent.
    pub(crate) fn go_to(&mut self, step: Step) {
        if self.registered() || self.authorize.running().is_some() || step >= self.step {
            return;
        }
        match step {
            Step::Discover | Step::Scopes => self.step = step,
            Step::Modifiers => modifiers::enter(self),
            Step::Registration => registration::enter(self),
            _ => {}
        }
    }
}

/// The one place where state changes: what is global here, the rest to the current screen.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) => Vec::new(),
        Msg::Paste(text) => {
            if app.overlay.is_none() && !app.inspector.open {
                // One line: a pasted newline must not submit anything.
                let line = crate::text::sanitize(&text.replace(['\r', '\n'], ""));
                screen(app.step).type_text(app, line.trim());
            }
            Vec::new()
        }
        Msg::Mouse(m) => {
            let action = match m.kind {
                MouseEventKind::ScrollUp => Action::Up,
                MouseEventKind::ScrollDown => Action::Down,
                _ => return Vec::new(),
            };
            if app.overlay.is_none() && (!app.typing() || app.inspector.open) {
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
            if app.inspector.open {
                inspector::click(app, target);
                return Vec::new();
            }
            match target {
                Target::Step(step) => app.go_to(step),
                Target::Tab(n) => screen(app.step).click_tab(app, n),
                Target::Row(n) => screen(app.step).click_row(app, n),
            }
            Vec::new()
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
        Msg::FileRead { path, result } => {
            app.files.insert(path, result);
            match app.step {
                Step::Modifiers => modifiers::revalidate(app),
                Step::Registration => registration::revalidate(app),
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
        Msg::Info(text) => {
            app.notice = Some(Notice::Info(crate::text::sanitize(&text)));
            Vec::new()
        }
        result => route(app, result),
    }
}

/// A background result, to the screen that asked for it.
fn route(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::DiscoveryProgress { req, event } => discover::progress(app, req, event),
        Msg::DiscoveryDone { req, result } => discover::discovered(app, req, result),
        Msg::ProfilesLoaded(result) => home::profiles_loaded(app, result),
        Msg::DemoStarted(result) => return home::demo_started(app, result),
        Msg::RegisterProgress { req, event } => submit::progress(app, req, event),
        Msg::RegisterDone { req, result } => submit::finished(app, req, result),
        Msg::AuthorizeReady {
            req,
            url,
            loopback,
            paste_reason,
            pushed,
            ssh_hint,
        } => {
            let ready = authorize::Ready {
                url,
                loopback,
                paste_reason,
                pushed,
                ssh_hint,
            };
            authorize::ready(app, req, ready);
        }
        Msg::PasteRejected { req, message } => authorize::paste_rejected(app, req, &message),
        Msg::AuthorizeCompleting { req } => authorize::completing(app, req),
        Msg::AuthorizeDone { req, result } => authorize::finished(app, req, result),
        Msg::Revealed { account, result } => done::revealed(app, account, result),
        Msg::ConsolePage {
            req,
            tab,
            zone,
            result,
        } => return console_screen::page(app, req, tab, zone, result),
        Msg::ConsoleActed { req, result } => return console_screen::acted(app, req, result),
        Msg::Exchange(exchange) => inspector::received(app, exchange),
        Msg::Recording(event) => inspector::recording(app, event),
        Msg::CatalogLoaded { req, result } => screens::catalog::fleet_loaded(app, req, result),
        Msg::CatalogUtility { req, id, result } => {
            screens::catalog::utility_loaded(app, req, id, result)
        }
        _ => {}
    }
    Vec::new()
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.notice = None;
    if app.done.revealed.is_some() {
        app.done.revealed = None; // a revealed secret is masked again on the next key
    }
    let ctx = app.context();
    if app.overlay.is_none()
        && !app.inspector.open
        && let Some(effects) = screen(app.step).key(app, &key)
    {
        return effects;
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
                screen(app.step).type_text(app, c.encode_utf8(&mut [0; 4]));
            }
            Vec::new()
        }
    }
}

/// The global actions (quitting, the overlays, the guard on going back once registered); every
/// other action belongs to the current screen.
fn act(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(Overlay::Confirm(question)) = app.overlay
        && let Some(answer) = confirm::answer(action)
    {
        app.overlay = None;
        return match (answer, question) {
            (Answer::Yes, Question::Quit) => vec![Effect::Quit],
            (Answer::Yes, Question::Console) => console_screen::confirmed(app),
            (answer, Question::VolatileKeyring) => {
                submit::volatile_answered(app, answer == Answer::Yes)
            }
            (Answer::No, _) => Vec::new(),
        };
    }
    match action {
        Action::ForceQuit => return vec![Effect::Quit],
        Action::AskQuit => app.overlay = Some(Overlay::Confirm(Question::Quit)),
        Action::Help => app.overlay = Some(Overlay::Help),
        Action::CloseHelp => app.overlay = None,
        _ if app.inspector.open => return inspector::update(app, action),
        Action::Inspector => inspector::toggle(app),
        Action::ToggleRecording => return inspector::toggle_recording(app),
        Action::Back if app.registered() && app.step >= Step::Submit => {
            app.notice = Some(Notice::Registered);
        }
        _ => return screen(app.step).update(app, action),
    }
    Vec::new()
}
