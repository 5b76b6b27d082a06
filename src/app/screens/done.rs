//! The Done step: what is stored and where (keyring service and account names, never the
//! secrets unless the user asks to reveal one), and the commands to use it next time.

use super::Screen;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::confirm::Question;
use crate::app::widgets::list::{moved, movement};
use crate::app::{App, Effect, Overlay};
use crate::secret::Secret;

#[derive(Debug, Default)]
pub struct DoneState {
    pub cursor: usize,
    /// The account revealed on request, with its secret (masked again on the next key).
    pub revealed: Option<(String, Secret)>,
    pub reveal_error: Option<String>,
}

/// The Done screen's input.
pub struct Done;

impl Screen for Done {
    fn context(&self, _app: &App) -> Context {
        Context::Done
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            app.done.cursor = moved(app.done.cursor, delta, done_accounts(app).len());
            return Vec::new();
        }
        match action {
            Action::Next | Action::Activate => app.overlay = Some(Overlay::Confirm(Question::Quit)),
            Action::Reveal => {
                if let Some(account) = done_accounts(app).get(app.done.cursor) {
                    return vec![Effect::Reveal {
                        account: account.clone(),
                    }];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn click_row(&self, app: &mut App, n: usize) {
        app.done.cursor = n;
    }
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

/// A secret read from the keyring on request (masked again on the next key).
pub(crate) fn revealed(app: &mut App, account: String, result: Result<Secret, String>) {
    match result {
        Ok(secret) => {
            app.done.revealed = Some((account, secret));
            app.done.reveal_error = None;
        }
        Err(e) => app.done.reveal_error = Some(crate::text::sanitize(&e)),
    }
}
