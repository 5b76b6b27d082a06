//! A stored profile's Console (issue 11): tabs for its Client objects (CDS-WG1-02 §5),
//! Credentials (§7), Messages (§6), Grants (§8) and shared files (§9), each a lazily paged
//! list with a `/` filter, a detail pane and the tab's actions on keys of the one key table
//! (rotate and expire a secret, mark a message read, close a grant, download a file); the
//! destructive ones ask first), and small forms to send or answer a Message, modify a client
//! and reduce a grant (`forms`, `editing`). Lists and actions run in the background (`Effect::ConsoleLoad`,
//! `Effect::ConsoleAct`) and answer with messages whose stale ids are dropped.

mod authorizing;
mod build;
mod editing;
pub mod forms;
pub mod items;
pub mod listing;
mod words;

use crossterm::event::KeyEvent;

use super::Screen;
use super::authorize::ProfileView;
use super::home::back_home;
use crate::app::keymap::{self, Action, BINDINGS, Context};
use crate::app::widgets::confirm::Question;
use crate::app::widgets::list::{PAGE, movement};
use crate::app::widgets::tabs::{self, Tab};
use crate::app::{App, Effect, ErrorView, Overlay, Remote, ReqId, Step};
use crate::cds::{ClientObject, Credential, Grant, Message};
use crate::onboarding::manage::clients::ClientChange;
use crate::onboarding::manage::credentials::{CredentialState, Rotation};
use crate::onboarding::manage::files::{Downloaded, SharedFile};
use crate::onboarding::manage::grants::GrantChange;
pub(crate) use authorizing::{authorizing, back};
use forms::{Compose, ConsoleForm};
use items::Item;
use listing::{Acting, Cursor, ListOps, TabList};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleTab {
    Clients,
    Credentials,
    Messages,
    Grants,
    Files,
}

impl Tab for ConsoleTab {
    const ALL: &'static [Self] = &[
        ConsoleTab::Clients,
        ConsoleTab::Credentials,
        ConsoleTab::Messages,
        ConsoleTab::Grants,
        ConsoleTab::Files,
    ];
}

impl ConsoleTab {
    /// The key context of the tab (its actions).
    pub fn context(self) -> Context {
        match self {
            ConsoleTab::Clients => Context::ConsoleClients,
            ConsoleTab::Credentials => Context::ConsoleCredentials,
            ConsoleTab::Messages => Context::ConsoleMessages,
            ConsoleTab::Grants => Context::ConsoleGrants,
            ConsoleTab::Files => Context::ConsoleFiles,
        }
    }
}

/// A change the console asks the engine for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleAction {
    /// A new secret for the client, stored and proven, the old credential expired (§7).
    Rotate {
        client_id: String,
        credential_id: String,
    },
    /// `client_secret_expires_at` set to now (§7.6).
    Expire { credential_id: String },
    /// §6.11.
    MarkRead { message_id: String, read: bool },
    /// §8: the Grant closed.
    CloseGrant { grant_id: String },
    /// §9.4: saved as `name` in the current directory (never over an existing file).
    Download { file_id: String, name: String },
    /// §5.4: the Client object read again.
    ShowClient { client_id: String },
    /// §6.9: a new Message, or a client_submission answering a server_request.
    Send(Box<Compose>),
    /// §7.5: a new Credential, its secret proven and installed in the keyring (the old one
    /// stays valid on the server).
    CreateCredential { client_id: String },
    /// §5.5: the changed fields, and one `field=value` the engine parses, PUT with the rest.
    ModifyClient {
        client_id: String,
        changes: Vec<(String, serde_json::Value)>,
        other: Option<String>,
    },
    /// §8.6: the scope and/or authorization details to keep (`None`: unchanged).
    ReduceGrant {
        grant_id: String,
        scope: Option<String>,
        authorization_details: Option<Vec<serde_json::Value>>,
    },
}

impl ConsoleAction {
    /// Whether it cannot be undone (asks first).
    pub fn destructive(&self) -> bool {
        matches!(
            self,
            ConsoleAction::Rotate { .. }
                | ConsoleAction::Expire { .. }
                | ConsoleAction::CloseGrant { .. }
                | ConsoleAction::CreateCredential { .. }
                | ConsoleAction::ReduceGrant { .. }
        )
    }

    /// Whether a console form sends it (its answer goes back to the form).
    fn sent_by_form(&self) -> bool {
        matches!(
            self,
            ConsoleAction::Send(_)
                | ConsoleAction::ModifyClient { .. }
                | ConsoleAction::ReduceGrant { .. }
        )
    }

    fn tab(&self) -> ConsoleTab {
        match self {
            ConsoleAction::Rotate { .. } | ConsoleAction::Expire { .. } => ConsoleTab::Credentials,
            ConsoleAction::MarkRead { .. } => ConsoleTab::Messages,
            ConsoleAction::CloseGrant { .. } => ConsoleTab::Grants,
            ConsoleAction::Download { .. } => ConsoleTab::Files,
            ConsoleAction::ShowClient { .. } => ConsoleTab::Clients,
            ConsoleAction::Send(_) => ConsoleTab::Messages,
            ConsoleAction::CreateCredential { .. } => ConsoleTab::Credentials,
            ConsoleAction::ModifyClient { .. } => ConsoleTab::Clients,
            ConsoleAction::ReduceGrant { .. } => ConsoleTab::Grants,
        }
    }
}

/// A page of one tab, as the engine returned it.
#[derive(Debug)]
pub enum Loaded {
    Clients(Vec<ClientObject>),
    Credentials(Vec<CredentialState>),
    Messages {
        items: Vec<Message>,
        /// On the first page: how many requests are outstanding (open or pending, §6.8),
        /// and whether more pages of them exist.
        outstanding: Option<(usize, bool)>,
    },
    Grants(Vec<Grant>),
    Files(Vec<SharedFile>),
}

/// What an action did.
#[derive(Debug)]
pub enum ConsoleOutcome {
    Rotated(Box<Rotation>),
    Expired(Box<Credential>),
    Marked(Box<Message>),
    Grant(Box<GrantChange>),
    Downloaded(Downloaded),
    /// The Client object as the server holds it now.
    Client(Box<ClientObject>),
    /// The Message as the server created it.
    Sent(Box<Message>),
    /// A new Credential, its secret in the keyring.
    Created(Box<Rotation>),
    /// A modified Client object (applied, or under review).
    Modified(Box<ClientChange>),
}

#[derive(Debug, Default)]
pub struct ConsoleState {
    /// The profile open, by name (its view arrives with the stored profiles).
    pub name: String,
    pub profile: Option<ProfileView>,
    /// The utility's time zone (from the profile), for the times shown.
    pub zone: Option<String>,
    pub tab: Option<ConsoleTab>,
    pub clients: TabList<ClientObject>,
    pub credentials: TabList<CredentialState>,
    pub messages: TabList<Message>,
    pub outstanding: Option<(usize, bool)>,
    pub grants: TabList<Grant>,
    pub files: TabList<SharedFile>,
    /// The destructive action the confirmation dialog asks about.
    pub pending: Option<ConsoleAction>,
    /// The form open over the tab.
    pub form: Option<ConsoleForm>,
    /// The Message just sent: the list pages on until the cursor can rest on it.
    pub sent: Option<String>,
}

impl ConsoleState {
    pub fn tab(&self) -> ConsoleTab {
        self.tab.unwrap_or(ConsoleTab::Clients)
    }

    fn list(&mut self, tab: ConsoleTab) -> &mut dyn ListOps {
        match tab {
            ConsoleTab::Clients => &mut self.clients,
            ConsoleTab::Credentials => &mut self.credentials,
            ConsoleTab::Messages => &mut self.messages,
            ConsoleTab::Grants => &mut self.grants,
            ConsoleTab::Files => &mut self.files,
        }
    }

    fn view(&self, tab: ConsoleTab) -> &dyn ListOps {
        match tab {
            ConsoleTab::Clients => &self.clients,
            ConsoleTab::Credentials => &self.credentials,
            ConsoleTab::Messages => &self.messages,
            ConsoleTab::Grants => &self.grants,
            ConsoleTab::Files => &self.files,
        }
    }

    /// Whether the current tab's filter line is being typed into.
    pub fn searching(&self) -> bool {
        self.view(self.tab()).searching()
    }

    /// Whether keys go to a line of text (the filter, or a form).
    pub fn typing(&self) -> bool {
        self.form.is_some() || self.searching()
    }

    /// Unread messages among those loaded, and whether unread ones may remain unloaded.
    pub fn unread(&self) -> (usize, bool) {
        let n = self.messages.items().iter().filter(|m| !m.read).count();
        let more = match &self.messages.list {
            Remote::Ready(l) => match &l.more {
                listing::More::Next(c)
                | listing::More::Loading { cursor: c, .. }
                | listing::More::Failed { cursor: c, .. } => c.part == 0,
                listing::More::End => false,
            },
            _ => false,
        };
        (n, more)
    }
}

/// Opens `name`'s console on its first tab and starts loading every tab's first page.
pub fn open(app: &mut App, name: &str, profile: Option<ProfileView>) -> Vec<Effect> {
    app.console = ConsoleState {
        name: name.to_owned(),
        profile,
        ..ConsoleState::default()
    };
    app.step = Step::Console;
    ConsoleTab::ALL.iter().map(|t| load(app, *t)).collect()
}

/// Loads `tab` again from its first page.
fn load(app: &mut App, tab: ConsoleTab) -> Effect {
    let req = app.req();
    let now = app.now;
    app.console.list(tab).begin(req, now);
    Effect::ConsoleLoad {
        req,
        profile: app.console.name.clone(),
        tab,
        cursor: Cursor::first(),
    }
}

/// The next page of the current tab when its cursor reached the end of what is loaded.
fn more(app: &mut App) -> Vec<Effect> {
    let tab = app.console.tab();
    let Some(cursor) = app.console.view(tab).wants_more() else {
        return Vec::new();
    };
    let req = app.req();
    app.console.list(tab).asked(req, cursor.clone());
    vec![Effect::ConsoleLoad {
        req,
        profile: app.console.name.clone(),
        tab,
        cursor,
    }]
}

/// The stored profiles arrived: the console opened by name gets its profile's view.
pub(crate) fn profiles_loaded(app: &mut App) {
    if app.console.profile.is_none()
        && let Remote::Ready(ps) = &app.home.profiles
    {
        app.console.profile = ps.iter().find(|p| p.name == app.console.name).cloned();
    }
}

fn deliver<T: Item>(
    list: &mut TabList<T>,
    req: ReqId,
    result: Result<(Vec<T>, Option<Cursor>), String>,
) -> bool {
    list.loaded(req, result)
}

/// A page of `tab` arrived (dropped when no list of the console waits for it).
pub(crate) fn page(
    app: &mut App,
    req: ReqId,
    tab: ConsoleTab,
    zone: Option<String>,
    result: Result<(Loaded, Option<Cursor>), String>,
) -> Vec<Effect> {
    // Also while the console's Authorize screen is open (its lists must not stay loading);
    // once the console is left, what still arrives for it is dropped.
    let authorizing = app.step == Step::Authorize
        && app
            .authorize
            .profile
            .as_ref()
            .is_some_and(|p| p.name == app.console.name);
    if app.step != Step::Console && !authorizing {
        return Vec::new();
    }
    let c = &mut app.console;
    let accepted = match (tab, result) {
        (ConsoleTab::Clients, Ok((Loaded::Clients(v), n))) => {
            deliver(&mut c.clients, req, Ok((v, n)))
        }
        (ConsoleTab::Credentials, Ok((Loaded::Credentials(v), n))) => {
            deliver(&mut c.credentials, req, Ok((v, n)))
        }
        (ConsoleTab::Messages, Ok((Loaded::Messages { items, outstanding }, n))) => {
            let ok = deliver(&mut c.messages, req, Ok((items, n)));
            if ok && outstanding.is_some() {
                c.outstanding = outstanding;
            }
            ok
        }
        (ConsoleTab::Grants, Ok((Loaded::Grants(v), n))) => deliver(&mut c.grants, req, Ok((v, n))),
        (ConsoleTab::Files, Ok((Loaded::Files(v), n))) => deliver(&mut c.files, req, Ok((v, n))),
        (tab, Ok(_)) => deliver_err(c, tab, req, "the page does not belong to this tab".into()),
        (tab, Err(e)) => deliver_err(c, tab, req, e),
    };
    if accepted && zone.is_some() {
        c.zone = zone;
    }
    if accepted && tab == ConsoleTab::Messages && c.sent.is_some() {
        return editing::find_sent(app);
    }
    // A page whose items the filter hides (or an empty first part) asks for the next at once;
    // so does any page while a filter is set (it reads them all).
    if accepted && tab == c.tab() && c.view(tab).wants_more().is_some() {
        let shown_none = match tab {
            ConsoleTab::Clients => c.clients.shown().is_empty(),
            ConsoleTab::Credentials => c.credentials.shown().is_empty(),
            ConsoleTab::Messages => c.messages.shown().is_empty(),
            ConsoleTab::Grants => c.grants.shown().is_empty(),
            ConsoleTab::Files => c.files.shown().is_empty(),
        };
        if shown_none || c.view(tab).filtered() {
            return more(app);
        }
    }
    Vec::new()
}

fn deliver_err(c: &mut ConsoleState, tab: ConsoleTab, req: ReqId, e: String) -> bool {
    match tab {
        ConsoleTab::Clients => c.clients.loaded(req, Err(e)),
        ConsoleTab::Credentials => c.credentials.loaded(req, Err(e)),
        ConsoleTab::Messages => c.messages.loaded(req, Err(e)),
        ConsoleTab::Grants => c.grants.loaded(req, Err(e)),
        ConsoleTab::Files => c.files.loaded(req, Err(e)),
    }
}

/// The action for `key` on the current tab, from the item under the cursor.
fn action_for(c: &ConsoleState, action: Action) -> Option<ConsoleAction> {
    Some(match (c.tab(), action) {
        (ConsoleTab::Credentials, Action::Rotate) => {
            let k = c.credentials.current()?;
            ConsoleAction::Rotate {
                client_id: k.credential.client_id.clone(),
                credential_id: k.credential.credential_id.clone(),
            }
        }
        (ConsoleTab::Credentials, Action::Expire) => ConsoleAction::Expire {
            credential_id: c.credentials.current()?.credential.credential_id.clone(),
        },
        (ConsoleTab::Messages, Action::MarkRead) => {
            let m = c.messages.current()?;
            ConsoleAction::MarkRead {
                message_id: m.message_id.clone(),
                read: !m.read,
            }
        }
        (ConsoleTab::Grants, Action::CloseGrant) => ConsoleAction::CloseGrant {
            grant_id: c.grants.current()?.grant_id.clone(),
        },
        (ConsoleTab::Files, Action::Download) => {
            let f = c.files.current()?;
            ConsoleAction::Download {
                file_id: f.file.file_id.clone(),
                name: items::save_name(&f.file.name, &f.file.file_id),
            }
        }
        (ConsoleTab::Clients, Action::Activate) => ConsoleAction::ShowClient {
            client_id: c.clients.current()?.client_id.clone(),
        },
        _ => return None,
    })
}

/// Asks first when the action cannot be undone; else starts it.
pub(super) fn ask_or_run(app: &mut App, action: ConsoleAction) -> Vec<Effect> {
    if action.destructive() {
        app.console.pending = Some(action);
        app.overlay = Some(Overlay::Confirm(Question::Console));
        return Vec::new();
    }
    run(app, action)
}

/// The confirmation dialog said yes: the pending action starts.
pub(crate) fn confirmed(app: &mut App) -> Vec<Effect> {
    match app.console.pending.take() {
        Some(action) if app.step == Step::Console => run(app, action),
        _ => Vec::new(),
    }
}

fn run(app: &mut App, action: ConsoleAction) -> Vec<Effect> {
    let req = app.req();
    let what = words::running(&action);
    app.console
        .list(action.tab())
        .set_acting(Acting::Running { req, what });
    if action.sent_by_form() {
        editing::started(app, req);
    }
    vec![Effect::ConsoleAct {
        req,
        profile: app.console.name.clone(),
        action,
    }]
}

/// An action finished: its words on the tab's status line, the changed object in the list
/// (a rotation or expiry reloads the credentials).
pub(crate) fn acted(
    app: &mut App,
    req: ReqId,
    result: Result<ConsoleOutcome, String>,
) -> Vec<Effect> {
    let c = &app.console;
    let Some(tab) = ConsoleTab::ALL.iter().copied().find(|t| match t {
        ConsoleTab::Clients => c.clients.acting_on(req),
        ConsoleTab::Credentials => c.credentials.acting_on(req),
        ConsoleTab::Messages => c.messages.acting_on(req),
        ConsoleTab::Grants => c.grants.acting_on(req),
        ConsoleTab::Files => c.files.acting_on(req),
    }) else {
        return Vec::new(); // stale: the console moved on
    };
    let tz = app.console.zone.clone();
    let tz = tz.as_deref();
    editing::finished(app, req, result.as_ref().err().map(String::as_str));
    let outcome = match result {
        Err(e) => {
            app.console.list(tab).set_acting(Acting::Failed(ErrorView {
                message: crate::text::sanitize(&e),
            }));
            return Vec::new();
        }
        Ok(o) => o,
    };
    let words = words::outcome(&outcome, tz);
    app.console.list(tab).set_acting(Acting::Done(words));
    let c = &mut app.console;
    match outcome {
        ConsoleOutcome::Rotated(_) | ConsoleOutcome::Expired(_) | ConsoleOutcome::Created(_) => {
            return vec![load(app, ConsoleTab::Credentials)];
        }
        ConsoleOutcome::Sent(m) => {
            c.sent = Some(m.message_id.clone());
            return vec![load(app, ConsoleTab::Messages)];
        }
        ConsoleOutcome::Modified(change) => c.clients.replace(change.client().clone()),
        ConsoleOutcome::Marked(m) => c.messages.replace(*m),
        ConsoleOutcome::Grant(g) => c.grants.replace(g.grant().clone()),
        ConsoleOutcome::Client(client) => c.clients.replace(*client),
        ConsoleOutcome::Downloaded(_) => {}
    }
    Vec::new()
}

/// The Console screen's input.
pub struct Console;

impl Screen for Console {
    fn context(&self, app: &App) -> Context {
        if app.console.form.is_some() {
            Context::ConsoleForm
        } else if app.console.searching() {
            Context::Search
        } else {
            app.console.tab().context()
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.console.typing()
    }

    /// The console's keys shared by every tab (tabs, filter, authorize, reload); the tab's own
    /// and the global ones go through the table with the tab's context.
    fn key(&self, app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
        if app.console.form.is_some() {
            return editing::key(app, key);
        }
        if app.console.searching() {
            return None;
        }
        let action = keymap::lookup(Context::Console, key)?;
        let own = BINDINGS
            .iter()
            .any(|b| b.context == Context::Console && b.action == action);
        own.then(|| self.update(app, action))
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        let tab = app.console.tab();
        if let Some(delta) = movement(action) {
            app.console.list(tab).move_by(delta);
            return more(app);
        }
        match action {
            Action::NextTab | Action::PrevTab => {
                let mut t = tab;
                tabs::update(&mut t, action);
                app.console.tab = Some(t);
                if app.console.view(t).idle() {
                    return vec![load(app, t)];
                }
                return more(app);
            }
            Action::StartSearch => app.console.list(tab).set_searching(true),
            Action::AcceptSearch => {
                app.console.list(tab).set_searching(false);
                return more(app);
            }
            Action::CancelSearch | Action::DeleteChar | Action::ClearLine => {
                app.console.list(tab).filter(action, None);
                return more(app);
            }
            Action::DetailUp => app.console.list(tab).scroll(-PAGE),
            Action::DetailDown => app.console.list(tab).scroll(PAGE),
            Action::Reload => return vec![load(app, tab)],
            Action::OpenAuthorize => authorizing::authorize(app),
            Action::Back if app.home.visited => back_home(app),
            _ => {
                if let Some(effects) = editing::open(app, action) {
                    return effects;
                }
                if let Some(a) = action_for(&app.console, action) {
                    return ask_or_run(app, a);
                }
            }
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        if let Some(f) = app.console.form.as_mut() {
            f.type_text(text);
        } else if app.console.searching() {
            let tab = app.console.tab();
            app.console.list(tab).filter(Action::DeleteChar, Some(text));
        }
    }

    fn click_row(&self, app: &mut App, n: usize) {
        let tab = app.console.tab();
        app.console.list(tab).set_cursor(n);
    }

    fn click_tab(&self, app: &mut App, n: usize) {
        let mut t = app.console.tab();
        tabs::click(&mut t, n);
        app.console.tab = Some(t);
    }
}
