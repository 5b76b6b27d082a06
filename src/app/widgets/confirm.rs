//! A yes/no question in a dialog over the screen (quitting): which question is open, and how
//! the confirmation keys of the key table answer it.

use crate::app::keymap::Action;

/// A question the wizard asks before doing something that cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Leave the wizard (what was entered and not registered is lost).
    Quit,
    /// A console action that cannot be undone (`ConsoleState::pending` says which).
    Console,
    /// Registering with a keyring that forgets at reboot (`SubmitState::volatile` names it).
    VolatileKeyring,
}

/// How the user answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
}

/// The answer an action gives while the dialog is open; `None` for other actions.
pub fn answer(action: Action) -> Option<Answer> {
    match action {
        Action::Confirm => Some(Answer::Yes),
        Action::Cancel => Some(Answer::No),
        _ => None,
    }
}
