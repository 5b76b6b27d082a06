//! One module per wizard step: its state, and how its own actions, typed text and clicks change
//! it ([`Screen`]). The router (`app::update`) keeps what is global and delegates the rest to
//! the screen of the current step through [`screen`].

pub mod authorize;
pub mod catalog;
pub mod console;
pub mod discover;
pub mod done;
pub mod home;
pub mod inspector;
pub mod modifiers;
pub mod registration;
pub mod review;
pub mod scopes;
pub mod submit;

use crossterm::event::KeyEvent;

use super::keymap::{Action, Context};
use super::widgets::form::{Form, FormReply};
use super::{App, Effect, Notice, Step};

/// A wizard step's input: everything not global goes through here.
pub trait Screen: Sync {
    /// The key context while no overlay is open.
    fn context(&self, app: &App) -> Context;
    /// Whether a text line is being typed into (keys go to it, not to the bindings).
    fn typing(&self, _app: &App) -> bool {
        false
    }
    /// A key the screen reads before the key table; `None` lets the table decide.
    fn key(&self, _app: &mut App, _key: &KeyEvent) -> Option<Vec<Effect>> {
        None
    }
    /// One of this screen's actions (the global ones never come here).
    fn update(&self, app: &mut App, action: Action) -> Vec<Effect>;
    /// Text typed or pasted into the line being edited.
    fn type_text(&self, _app: &mut App, _text: &str) {}
    /// A click on row `n` of the screen's main list.
    fn click_row(&self, _app: &mut App, _n: usize) {}
    /// A click on tab `n` of the screen's row of tabs.
    fn click_tab(&self, _app: &mut App, _n: usize) {}
}

/// The screen of `step`: one arm per screen.
pub fn screen(step: Step) -> &'static dyn Screen {
    match step {
        Step::Home => &home::Home,
        Step::Discover => &discover::Discover,
        Step::Scopes => &scopes::Scopes,
        Step::Modifiers => &modifiers::Modifiers,
        Step::Registration => &registration::Registration,
        Step::Review => &review::Review,
        Step::Submit => &submit::Submit,
        Step::Authorize => &authorize::Authorize,
        Step::Done => &done::Done,
        Step::Console => &console::Console,
        Step::Catalog => &catalog::Catalog,
    }
}

/// A form screen's action on its form: the form changes, then the screen revalidates (and may
/// have a named file read). `None` when the action is not a form's.
fn form_action(
    app: &mut App,
    action: Action,
    form: fn(&mut App) -> &mut Form,
    revalidate: fn(&mut App),
) -> Option<Vec<Effect>> {
    match form(app).update(action) {
        FormReply::NotMine => None,
        FormReply::Unchanged => Some(Vec::new()),
        FormReply::Changed => {
            revalidate(app);
            Some(Vec::new())
        }
        FormReply::Read(path) => {
            revalidate(app);
            Some(vec![Effect::ReadFile { path }])
        }
        FormReply::NotNullable => {
            app.notice = Some(Notice::NotNullable);
            Some(Vec::new())
        }
    }
}
