//! Authorize as one of the console's actions: the profile's customer authorization (the
//! screen stored profiles used to open at, CDS-WG1-02 §4), and back to the Console after it.

use super::{ConsoleTab, load};
use crate::app::screens::authorize::AuthorizeState;
use crate::app::{App, Effect, Step};

/// Whether the Authorize screen was opened from the Console (Shift-Tab returns there) and
/// waits for nothing.
pub(crate) fn authorizing(app: &App) -> bool {
    app.authorize.running().is_none()
        && !app.console.name.is_empty()
        && app
            .authorize
            .profile
            .as_ref()
            .is_some_and(|p| p.name == app.console.name)
}

/// Back from the authorization to the Console; its Grants load again (a new one may be there).
pub(crate) fn back(app: &mut App) -> Vec<Effect> {
    app.step = Step::Console;
    vec![load(app, ConsoleTab::Grants)]
}

/// The profile's customer authorization (the screen stored profiles used to open at).
pub(super) fn authorize(app: &mut App) {
    let Some(p) = app.console.profile.clone() else {
        return;
    };
    app.authorize = AuthorizeState {
        profile: Some(p),
        ..AuthorizeState::default()
    };
    app.step = Step::Authorize;
}
