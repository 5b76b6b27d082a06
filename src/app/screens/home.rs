//! The home screen of `cds-wizard` without arguments: type a utility's URL, start the built-in
//! demo utility, or pick a stored profile.

use crate::app::Remote;
use crate::app::screens::authorize::ProfileView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeItem {
    Url,
    Demo,
    Profile(usize),
}

#[derive(Debug, Default)]
pub struct HomeState {
    pub url: String,
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
        let n = self.items().len() as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, n - 1) as usize;
    }
}
