//! The home screen of `cds-wizard` without arguments: type a utility's URL, start the built-in
//! demo utility, or pick a stored profile.

use crossterm::event::{KeyCode, KeyEvent};

use super::Screen;
use super::authorize::{AuthorizeState, ProfileView};
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{moved, movement};
use crate::app::widgets::text_input::TextInput;
use crate::app::{App, Effect, ErrorView, Remote, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeItem {
    Url,
    Demo,
    Profile(usize),
}

#[derive(Debug, Default)]
pub struct HomeState {
    pub url: TextInput,
    /// Typing into the URL line.
    pub editing: bool,
    pub cursor: usize,
    pub profiles: Remote<Vec<ProfileView>>,
    pub starting_demo: bool,
    pub error: Option<String>,
    /// The wizard started here, so Shift-Tab from Discovery (or a profile's Authorize) returns.
    pub visited: bool,
}

impl HomeState {
    pub fn items(&self) -> Vec<HomeItem> {
        let mut items = vec![HomeItem::Url, HomeItem::Demo];
        if let Remote::Ready(p) = &self.profiles {
            items.extend((0..p.len()).map(HomeItem::Profile));
        }
        items
    }

    pub fn current(&self) -> HomeItem {
        self.items()
            .get(self.cursor)
            .copied()
            .unwrap_or(HomeItem::Url)
    }

    pub fn move_by(&mut self, delta: isize) {
        self.cursor = moved(self.cursor, delta, self.items().len());
    }
}

/// The home screen's input.
pub struct Home;

impl Screen for Home {
    fn context(&self, app: &App) -> Context {
        if self.typing(app) {
            Context::Edit
        } else {
            Context::Home
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.home.editing && app.home.current() == HomeItem::Url
    }

    fn key(&self, app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
        // ↑/↓ leave the URL line for the items below it.
        if !self.typing(app) || !matches!(key.code, KeyCode::Up | KeyCode::Down) {
            return None;
        }
        move_by(app, if key.code == KeyCode::Up { -1 } else { 1 });
        Some(Vec::new())
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            move_by(app, delta);
            return Vec::new();
        }
        match action {
            Action::Activate | Action::Next => return activate(app),
            Action::CommitEdit => return commit(app),
            Action::CancelEdit => app.home.editing = false,
            Action::OpenCatalog => return super::catalog::open(app),
            _ => {
                app.home.url.update(action);
            }
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        if self.typing(app) {
            app.home.url.insert(text);
        }
    }

    fn click_row(&self, app: &mut App, n: usize) {
        app.home.cursor = n.min(app.home.items().len().saturating_sub(1));
        app.home.editing = app.home.current() == HomeItem::Url;
    }
}

fn move_by(app: &mut App, delta: isize) {
    app.home.move_by(delta);
    app.home.editing = false;
}

/// Back to the home screen (the wizard started there).
pub(crate) fn back_home(app: &mut App) {
    app.step = Step::Home;
    app.home.editing = app.home.current() == HomeItem::Url;
}

fn commit(app: &mut App) -> Vec<Effect> {
    let url = app.home.url.as_str().trim().to_owned();
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

fn activate(app: &mut App) -> Vec<Effect> {
    match app.home.current() {
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
            // A complete profile opens at its Console; an unfinished one where it resumes.
            if p.unfinished.is_none() {
                let name = p.name.clone();
                return super::console::open(app, &name, Some(p));
            }
            app.authorize = AuthorizeState {
                profile: Some(p),
                ..AuthorizeState::default()
            };
            app.step = Step::Authorize;
            Vec::new()
        }
    }
}

/// The stored profiles arrived (their names are taken for a new profile).
pub(crate) fn profiles_loaded(app: &mut App, result: Result<Vec<ProfileView>, String>) {
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
        super::registration::revalidate(app);
    }
    super::console::profiles_loaded(app);
}

/// The demo utility started (or did not): on to its discovery.
pub(crate) fn demo_started(app: &mut App, result: Result<String, String>) -> Vec<Effect> {
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
