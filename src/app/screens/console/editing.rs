//! The console's forms in the screen (issue 11): the tab keys that open one (send or answer a
//! Message §6.9, modify a client §5.5, reduce a grant §8.6; a new credential §7.5 only asks),
//! the keys while one is open, and what comes back for it: the server's error stays in the
//! form, a success closes it and the tab's list shows the change.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::forms::ConsoleForm;
use super::listing::More;
use super::{ConsoleAction, ConsoleTab, ask_or_run};
use crate::app::keymap::{self, Action, Context};
use crate::app::{App, Effect, Notice, Remote, ReqId};
use crate::present::forms as words;

/// A tab key that opens a form (or asks for a new credential); `None` for the others.
pub(super) fn open(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let c = &app.console;
    let form = match (c.tab(), action) {
        (ConsoleTab::Messages, Action::Compose) => {
            let known = c.profile.as_ref().map_or(&[][..], |p| &p.clients);
            Ok(ConsoleForm::send(c.clients.items(), known))
        }
        (ConsoleTab::Messages, Action::Answer) => match c.messages.current() {
            Some(m) => ConsoleForm::answer(m),
            None => return Some(Vec::new()),
        },
        (ConsoleTab::Clients, Action::ModifyClient) => match c.clients.current() {
            Some(cl) => Ok(ConsoleForm::modify(cl)),
            None => return Some(Vec::new()),
        },
        (ConsoleTab::Grants, Action::ReduceGrant) => match c.grants.current() {
            Some(g) => ConsoleForm::reduce(g),
            None => return Some(Vec::new()),
        },
        (ConsoleTab::Credentials, Action::NewCredential) => {
            let Some(k) = c.credentials.current() else {
                return Some(Vec::new());
            };
            let action = ConsoleAction::CreateCredential {
                client_id: k.credential.client_id.clone(),
            };
            return Some(ask_or_run(app, action));
        }
        (ConsoleTab::Credentials, Action::Reveal) => return Some(reveal(app)),
        _ => return None,
    };
    match form {
        Ok(f) => app.console.form = Some(f),
        Err(why) => app.notice = Some(Notice::Warn(why.to_owned())),
    }
    Some(Vec::new())
}

/// The keyring's secret of the selected credential's client, asked for on purpose (shown
/// until the next key); only the credential the keyring holds has one.
fn reveal(app: &mut App) -> Vec<Effect> {
    let c = &app.console;
    let Some(k) = c.credentials.current() else {
        return Vec::new();
    };
    let account = c.profile.as_ref().and_then(|p| {
        p.clients
            .iter()
            .find(|r| r.client_id == k.credential.client_id)
            .and_then(|r| r.accounts.iter().find(|a| a.ends_with("client_secret")))
            .cloned()
    });
    match account {
        Some(account) if k.in_keyring => vec![Effect::Reveal { account }],
        _ => {
            app.notice = Some(Notice::Warn(words::NOT_IN_KEYRING.to_owned()));
            Vec::new()
        }
    }
}

/// A key while a form is open: typed text into the field under the cursor, the form's keys
/// from the table. `None` lets the router have it (Ctrl-C quits).
pub(super) fn key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let form = app.console.form.as_mut()?;
    if let KeyCode::Char(ch) = key.code
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && form.on_text()
    {
        form.type_text(ch.encode_utf8(&mut [0; 4]));
        return Some(Vec::new());
    }
    match keymap::lookup(Context::ConsoleForm, key) {
        Some(Action::ForceQuit) => None,
        Some(Action::CancelForm) => {
            if form.sending.is_none() {
                app.console.form = None;
            }
            Some(Vec::new())
        }
        Some(action) => match form.update(action) {
            Some(send) => Some(ask_or_run(app, send)),
            None => Some(Vec::new()),
        },
        None => Some(Vec::new()),
    }
}

/// The form's action started under `req` (after the confirmation where it asks one).
pub(super) fn started(app: &mut App, req: ReqId) {
    if let Some(f) = app.console.form.as_mut() {
        f.sending = Some(req);
        f.problem = None;
    }
}

/// The form's action finished: a failure stays in the form to be fixed, a success closes it.
pub(super) fn finished(app: &mut App, req: ReqId, error: Option<&str>) {
    let Some(f) = app.console.form.as_mut() else {
        return;
    };
    if f.sending != Some(req) {
        return;
    }
    match error {
        Some(e) => {
            f.sending = None;
            f.problem = Some(crate::text::sanitize(e));
        }
        None => app.console.form = None,
    }
}

/// A page of Messages arrived after a Message was sent: the cursor goes to it once it is
/// loaded; until then the next page is asked for (the lists hold a sent Message among the
/// read ones, after the unread).
pub(super) fn find_sent(app: &mut App) -> Vec<Effect> {
    let c = &mut app.console;
    let Some(id) = c.sent.clone() else {
        return Vec::new();
    };
    let l = &mut c.messages;
    let items = l.items();
    if let Some(n) = l
        .shown()
        .iter()
        .position(|i| items.get(*i).is_some_and(|m| m.message_id == id))
    {
        l.cursor = n;
        l.detail_scroll = 0;
        c.sent = None;
        return Vec::new();
    }
    let next = match &l.list {
        Remote::Ready(r) => match &r.more {
            More::Next(cursor) => Some(cursor.clone()),
            More::Loading { .. } => return Vec::new(),
            _ => None,
        },
        Remote::Loading { .. } => return Vec::new(),
        _ => None,
    };
    let Some(cursor) = next else {
        c.sent = None; // not listed (filtered out, or the server does not list it yet)
        return Vec::new();
    };
    let req = app.req();
    app.console.messages.asked(req, cursor.clone());
    vec![Effect::ConsoleLoad {
        req,
        profile: app.console.name.clone(),
        tab: ConsoleTab::Messages,
        cursor,
    }]
}
