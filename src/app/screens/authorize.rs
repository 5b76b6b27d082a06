//! The Authorize step: choose a code-flow client of the profile, then the engine's flow
//! (`onboarding::authorize`): the loopback listener is bound before the URL is shown; the URL,
//! its QR code, a countdown, and a pasted redirect when the callback cannot reach this machine;
//! finally the Grant and what the customer granted compared with what was asked.

use std::time::{Duration, Instant};

use super::Screen;
use super::done::DoneState;
use super::home::back_home;
use super::submit::SubmitState;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{moved, movement};
use crate::app::widgets::text_input::TextInput;
use crate::app::{App, Effect, Notice, ReqId, Step};
use crate::onboarding::authorize::Outcome;
use crate::text::sanitize;

/// How long the wizard waits for the customer (the listener accepts one request until then).
pub const WAIT_SECS: u64 = 300;

/// A stored profile as the wizard shows it (names only, never secrets).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub name: String,
    pub issuer: String,
    /// The keyring backend (`secret-service`, `keyutils`...) and the service name entries use.
    pub keyring: String,
    pub service: String,
    pub clients: Vec<ClientRow>,
    /// Registration steps still to do (`--resume`), in words; empty when complete.
    pub unfinished: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub client_id: String,
    pub scope: String,
    pub status: String,
    /// Has the `code` response type: a customer can authorize it.
    pub code_flow: bool,
    /// Keyring account names of its stored secrets.
    pub accounts: Vec<String>,
    /// A public client (auth method `none`, RFC 6749 §2.1): it has no client secret.
    pub public: bool,
}

/// An authorization waiting for the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub req: u64,
    pub client_id: String,
    pub url: String,
    /// The loopback redirect, when the listener is used; else why the address is pasted.
    pub loopback: Option<String>,
    pub paste_reason: Option<String>,
    pub pushed: bool,
    pub deadline: Instant,
    pub qr: Option<Vec<String>>,
    /// `ssh -L` hint, when the wizard runs over SSH.
    pub ssh_hint: Option<String>,
    /// The pasted address being typed (`p`), and why the last one was refused.
    pub paste: Option<TextInput>,
    pub paste_error: Option<String>,
}

/// The result of a completed authorization, sanitized for display.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeView {
    pub client_id: String,
    pub requested_scope: String,
    pub granted_scope: String,
    pub grant: Option<String>,
    /// Differences between what was asked and granted, narrowing ones flagged.
    pub differences: Vec<(bool, String)>,
    pub granted_details: Vec<String>,
    pub expires_at: Option<String>,
    pub refresh_token: bool,
    pub stored: Vec<String>,
}

impl OutcomeView {
    pub fn from_outcome(o: &Outcome) -> Self {
        let details =
            serde_json::to_string_pretty(&o.granted_authorization_details).unwrap_or_default();
        OutcomeView {
            client_id: sanitize(&o.client_id),
            requested_scope: sanitize(o.requested_scope.as_deref().unwrap_or_default()),
            granted_scope: sanitize(o.granted_scope.as_deref().unwrap_or_default()),
            grant: o.grant.as_ref().map(|g| {
                sanitize(&format!(
                    "{} · status {} · scope {}",
                    g.grant_id, g.status, g.scope
                ))
            }),
            differences: o
                .differences
                .iter()
                .map(|d| (d.is_narrowing(), sanitize(&d.describe())))
                .collect(),
            granted_details: if o.granted_authorization_details.is_empty() {
                Vec::new()
            } else {
                details.lines().map(sanitize).collect()
            },
            expires_at: o
                .access_token_expires_at
                .map(|t| crate::present::time::in_zone(t, o.timezone.as_deref())),
            refresh_token: o.refresh_token,
            stored: o.stored.iter().map(|s| sanitize(s)).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    #[default]
    Choose,
    Preparing {
        req: u64,
    },
    Waiting(Box<Waiting>),
    Completing {
        req: u64,
    },
    Failed {
        message: String,
    },
    Done(Box<OutcomeView>),
}

#[derive(Debug, Clone, Default)]
pub struct AuthorizeState {
    pub profile: Option<ProfileView>,
    /// Index into the code-flow clients.
    pub cursor: usize,
    pub phase: Phase,
}

impl AuthorizeState {
    pub fn code_clients(&self) -> Vec<&ClientRow> {
        self.profile
            .iter()
            .flat_map(|p| p.clients.iter())
            .filter(|c| c.code_flow)
            .collect()
    }

    pub fn chosen(&self) -> Option<&ClientRow> {
        self.code_clients().get(self.cursor).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.code_clients().len();
        if n == 0 || self.phase != Phase::Choose {
            return;
        }
        self.cursor = moved(self.cursor, delta, n);
    }

    /// The request the running flow carries, if any.
    pub fn running(&self) -> Option<u64> {
        match &self.phase {
            Phase::Preparing { req } | Phase::Completing { req } => Some(*req),
            Phase::Waiting(w) => Some(w.req),
            _ => None,
        }
    }

    pub fn waiting_mut(&mut self) -> Option<&mut Waiting> {
        match &mut self.phase {
            Phase::Waiting(w) => Some(w),
            _ => None,
        }
    }
}

/// The Authorize screen's input.
pub struct Authorize;

impl Screen for Authorize {
    fn context(&self, app: &App) -> Context {
        match &app.authorize.phase {
            _ if self.typing(app) => Context::Edit,
            Phase::Waiting(_) => Context::Waiting,
            _ => Context::Authorize,
        }
    }

    fn typing(&self, app: &App) -> bool {
        matches!(&app.authorize.phase, Phase::Waiting(w) if w.paste.is_some())
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            app.authorize.move_by(delta);
            return Vec::new();
        }
        match action {
            Action::Activate => return activate(app),
            Action::Next => finish(app),
            Action::Retry if app.authorize.running().is_none() => return resume(app),
            Action::Back if super::console::authorizing(app) => return super::console::back(app),
            Action::Back if app.home.visited && app.authorize.running().is_none() => back_home(app),
            Action::CancelWait => {
                if let Some(req) = app.authorize.running() {
                    app.authorize.phase = Phase::Choose;
                    return vec![Effect::CancelAuthorize { req }];
                }
            }
            _ => return waiting(app, action),
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        if let Some(w) = app.authorize.waiting_mut() {
            // A pasted address opens the paste line by itself.
            w.paste.get_or_insert_default().insert(text);
        }
    }

    fn click_row(&self, app: &mut App, n: usize) {
        if app.authorize.phase == Phase::Choose {
            app.authorize.cursor = n;
            app.authorize.move_by(0);
        }
    }
}

/// The actions while waiting for the customer: the address, and the paste line.
fn waiting(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(w) = app.authorize.waiting_mut() else {
        return Vec::new();
    };
    match action {
        Action::OpenBrowser => return vec![Effect::OpenBrowser(w.url.clone())],
        Action::CopyUrl => {
            let url = w.url.clone();
            app.notice = Some(Notice::Info(
                "Copied the address to the clipboard (OSC 52; some terminals ignore it).".into(),
            ));
            return vec![Effect::Copy(url)];
        }
        Action::StartPaste => w.paste = Some(TextInput::default()),
        Action::CancelEdit => w.paste = None,
        Action::CommitEdit => {
            let text = w.paste.take().unwrap_or_default().take();
            w.paste_error = None;
            if !text.trim().is_empty() {
                return vec![Effect::PasteRedirect { req: w.req, text }];
            }
        }
        _ => {
            if let Some(p) = w.paste.as_mut() {
                p.update(action);
            }
        }
    }
    Vec::new()
}

/// Enter: authorize the chosen client (again after a failure), or on to Done.
fn activate(app: &mut App) -> Vec<Effect> {
    match &app.authorize.phase {
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
        Phase::Done(_) => {
            finish(app);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// On to Done, unless an authorization is running.
fn finish(app: &mut App) {
    if matches!(
        app.authorize.phase,
        Phase::Choose | Phase::Done(_) | Phase::Failed { .. }
    ) {
        app.done = DoneState::default();
        app.step = Step::Done;
    }
}

/// A stored profile whose registration stopped part-way: finish it on the Submit step.
fn resume(app: &mut App) -> Vec<Effect> {
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

/// The flow is ready: the address to show and how the answer comes back.
pub(crate) struct Ready {
    pub url: String,
    pub loopback: Option<String>,
    pub paste_reason: Option<String>,
    pub pushed: bool,
    pub ssh_hint: Option<String>,
}

/// The running flow announced its address: wait for the customer.
pub(crate) fn ready(app: &mut App, req: ReqId, r: Ready) {
    if app.authorize.running() != Some(req) {
        return;
    }
    let client_id = app
        .authorize
        .chosen()
        .map(|c| c.client_id.clone())
        .unwrap_or_default();
    app.authorize.phase = Phase::Waiting(Box::new(Waiting {
        req,
        client_id,
        qr: crate::text::qr_lines(&r.url),
        url: sanitize(&r.url),
        paste: None,
        loopback: r.loopback,
        paste_reason: r.paste_reason,
        pushed: r.pushed,
        deadline: app.now + Duration::from_secs(WAIT_SECS),
        ssh_hint: r.ssh_hint,
        paste_error: None,
    }));
}

/// A pasted address was refused; the flow keeps waiting.
pub(crate) fn paste_rejected(app: &mut App, req: ReqId, message: &str) {
    if let Some(w) = app.authorize.waiting_mut()
        && w.req == req
    {
        w.paste_error = Some(sanitize(message));
        w.paste = Some(TextInput::default());
    }
}

/// The callback arrived: the code is being exchanged.
pub(crate) fn completing(app: &mut App, req: ReqId) {
    if app.authorize.running() == Some(req) {
        app.authorize.phase = Phase::Completing { req };
    }
}

/// The flow ended: the Grant, or why not.
pub(crate) fn finished(
    app: &mut App,
    req: ReqId,
    result: Result<(Box<OutcomeView>, ProfileView), String>,
) {
    if app.authorize.running() != Some(req) {
        return;
    }
    app.authorize.phase = match result {
        Ok((outcome, profile)) => {
            app.authorize.profile = Some(profile);
            Phase::Done(outcome)
        }
        Err(message) => Phase::Failed {
            message: sanitize(&message),
        },
    };
}
