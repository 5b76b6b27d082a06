//! The Scopes step's state: the scope catalog (CDS-WG1-02 §3.4) grouped by type, a `/` search
//! that filters as you type, and the multi-selection, with `cds_client_admin` always selected
//! (clients MUST submit it when registering, CDS-WG1-02 §4.1).

use std::collections::BTreeSet;

use super::Screen;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{PAGE, movement, scroll};
use crate::app::widgets::text_input::TextInput;
use crate::app::{App, Effect, Notice, Step};
use crate::cds::catalog::CatalogScope;

/// The scope type every registration receives; shown selected and cannot be unselected.
pub const LOCKED_TYPE: &str = "cds_client_admin";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A group heading: index of the first scope of the group.
    Header(usize),
    Scope(usize),
}

#[derive(Debug, Default)]
pub struct ScopesState {
    /// Sanitized scopes, grouped by type (types in order of first appearance).
    pub catalog: Vec<CatalogScope>,
    /// Per scope, what the search looks in, lowercased once when the catalog is loaded (a
    /// keystroke refilters 10,000 scopes in well under a frame, issue 5).
    search_keys: Vec<String>,
    /// Rows matching the query, headings included.
    pub rows: Vec<Row>,
    /// Index into `rows`; always a `Row::Scope` when there is one.
    pub cursor: usize,
    pub selected: BTreeSet<String>,
    pub query: TextInput,
    pub searching: bool,
    pub detail_scroll: u16,
    /// Why there is no catalog, when there is none.
    pub unavailable: Option<String>,
}

impl ScopesState {
    /// Loads a catalog, keeping the selection of scopes that still exist.
    pub fn set_catalog(&mut self, catalog: Result<Vec<CatalogScope>, String>) {
        match catalog {
            Ok(mut scopes) => {
                let mut order: Vec<String> = Vec::new();
                for s in &scopes {
                    if !order.contains(&s.scope_type) {
                        order.push(s.scope_type.clone());
                    }
                }
                // Stable: scopes keep the server's order inside their group.
                scopes.sort_by_key(|s| order.iter().position(|t| *t == s.scope_type));
                self.selected
                    .retain(|id| scopes.iter().any(|s| &s.id == id));
                for s in &scopes {
                    if s.scope_type == LOCKED_TYPE {
                        self.selected.insert(s.id.clone());
                    }
                }
                self.search_keys = scopes.iter().map(Self::search_key).collect();
                self.catalog = scopes;
                self.unavailable = None;
            }
            Err(why) => {
                self.catalog.clear();
                self.search_keys.clear();
                self.unavailable = Some(why);
            }
        }
        self.refilter();
    }

    pub fn is_locked(&self, idx: usize) -> bool {
        self.catalog
            .get(idx)
            .is_some_and(|s| s.scope_type == LOCKED_TYPE)
    }

    pub fn current(&self) -> Option<&CatalogScope> {
        match self.rows.get(self.cursor) {
            Some(Row::Scope(i)) => self.catalog.get(*i),
            _ => None,
        }
    }

    /// The fields the search matches, lowercased, one per line: a query has no line break (it
    /// is typed or sanitized), so it never matches across two fields.
    fn search_key(s: &CatalogScope) -> String {
        [&s.id, &s.name, &s.scope_type, &s.description]
            .map(|f| f.to_lowercase())
            .join("\n")
    }

    /// Recomputes the visible rows after the query or catalog changed, keeping the cursor on
    /// the same scope when it is still visible.
    pub fn refilter(&mut self) {
        let keep = self.current().map(|s| s.id.clone());
        let q = self.query.as_str().to_lowercase();
        self.rows.clear();
        let mut last_type: Option<&str> = None;
        for (i, s) in self.catalog.iter().enumerate() {
            let matches = q.is_empty()
                || match self.search_keys.get(i) {
                    Some(key) => key.contains(&q),
                    None => Self::search_key(s).contains(&q),
                };
            if !matches {
                continue;
            }
            if last_type != Some(s.scope_type.as_str()) {
                self.rows.push(Row::Header(i));
                last_type = Some(s.scope_type.as_str());
            }
            self.rows.push(Row::Scope(i));
        }
        self.cursor = keep
            .and_then(|id| {
                self.rows
                    .iter()
                    .position(|r| matches!(r, Row::Scope(i) if self.catalog[*i].id == id))
            })
            .or_else(|| self.rows.iter().position(|r| matches!(r, Row::Scope(_))))
            .unwrap_or(0);
        self.detail_scroll = 0;
    }

    /// Moves the cursor by `delta` scopes, skipping headings.
    pub fn move_by(&mut self, delta: isize) {
        let scopes: Vec<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::Scope(_)))
            .map(|(i, _)| i)
            .collect();
        if scopes.is_empty() {
            return;
        }
        let at = scopes.iter().position(|&i| i == self.cursor).unwrap_or(0) as isize;
        let to = (at + delta).clamp(0, scopes.len() as isize - 1) as usize;
        if scopes[to] != self.cursor {
            self.cursor = scopes[to];
            self.detail_scroll = 0;
        }
    }

    /// Toggles the scope under the cursor; `Err` names why it cannot change.
    pub fn toggle(&mut self) -> Result<(), &'static str> {
        let Some(Row::Scope(i)) = self.rows.get(self.cursor).copied() else {
            return Ok(());
        };
        if self.is_locked(i) {
            return Err("locked");
        }
        let id = self.catalog[i].id.clone();
        if !self.selected.remove(&id) {
            self.selected.insert(id);
        }
        Ok(())
    }

    pub fn type_str(&mut self, text: &str) {
        self.query.insert(text);
        self.refilter();
    }

    pub fn delete_char(&mut self) {
        self.query.update(Action::DeleteChar);
        self.refilter();
    }

    pub fn clear_search(&mut self) {
        self.query.update(Action::ClearLine);
        self.searching = false;
        self.refilter();
    }

    /// Number of scopes shown (without headings).
    pub fn shown(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r, Row::Scope(_)))
            .count()
    }
}

/// The Scopes screen's input.
pub struct Scopes;

impl Screen for Scopes {
    fn context(&self, app: &App) -> Context {
        if app.scopes.searching {
            Context::Search
        } else {
            Context::Scopes
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.scopes.searching
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        let s = &mut app.scopes;
        if let Some(delta) = movement(action) {
            s.move_by(delta);
            return Vec::new();
        }
        match action {
            Action::Toggle if s.toggle().is_err() => app.notice = Some(Notice::ScopeLocked),
            Action::StartSearch => s.searching = true,
            Action::AcceptSearch => s.searching = false,
            Action::CancelSearch => s.clear_search(),
            Action::DeleteChar => s.delete_char(),
            Action::DetailUp => scroll(&mut s.detail_scroll, -PAGE),
            Action::DetailDown => scroll(&mut s.detail_scroll, PAGE),
            Action::Next | Action::Activate => super::modifiers::enter(app),
            Action::Back | Action::PrevTab => app.step = Step::Discover,
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        if app.scopes.searching {
            app.scopes.type_str(text);
        }
    }

    fn click_row(&self, app: &mut App, n: usize) {
        if matches!(app.scopes.rows.get(n), Some(Row::Scope(_))) {
            app.scopes.cursor = n;
            app.scopes.detail_scroll = 0;
        }
    }
}
