//! The Catalog view (issue 13 point 5): the research catalog browsed offline, from the
//! database. Four tabs: the utilities with their counts and last crawl, the matrix of scope
//! types (WG1-02 §3.4) by utility, one utility's catalog in the Scopes screen's words, and two
//! snapshots compared. Everything the view shows is computed when a result arrives (the
//! executor runs the queries off the loop), never while drawing.

pub mod compare;
pub mod fleet;

use std::collections::HashMap;
use std::sync::Arc;

use super::Screen;
use super::scopes::ScopesState;
use crate::app::keymap::{Action, Context};
use crate::app::widgets::list::{PAGE, moved, movement, scroll};
use crate::app::widgets::tabs::{self, Tab};
use crate::app::widgets::text_input::TextInput;
use crate::app::{App, Effect, ErrorView, Notice, Remote, ReqId, Step};
use crate::catalog::model::UtilitySnapshot;
use crate::cds::catalog::CatalogScope;
use compare::Comparison;
use fleet::{Filtered, FleetView, SortBy, UtilityRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CatalogTab {
    #[default]
    Utilities,
    Matrix,
    Scopes,
    Compare,
}

impl Tab for CatalogTab {
    const ALL: &'static [Self] = &[
        CatalogTab::Utilities,
        CatalogTab::Matrix,
        CatalogTab::Scopes,
        CatalogTab::Compare,
    ];
}

/// One stored snapshot, read back: the rows (for comparing) and the Scopes screen's catalog.
#[derive(Debug, Clone)]
pub struct StoredUtility {
    pub snapshot: UtilitySnapshot,
    pub scopes: Vec<CatalogScope>,
    /// Whether `scopes` came from the stored OAuth metadata document (else from the rows,
    /// which keep less: no documentation links, response types or descriptions of modifiers).
    pub complete: bool,
    /// The crawl it was stored by: its label, or its number and date (not yet sanitized).
    pub crawl: String,
}

/// Snapshots kept in memory at most (a big utility's coverage is large); those in view stay.
const KEEP: usize = 8;

#[derive(Debug, Default)]
pub struct CatalogState {
    pub tab: CatalogTab,
    pub fleet: Remote<FleetView>,
    /// The `/` filter over the utilities (and the matrix's columns).
    pub filter: TextInput,
    pub filtering: bool,
    pub shown: Filtered,
    /// The order of `shown.rows`.
    pub sort: SortBy,
    /// Index into `shown.rows`.
    pub cursor: usize,
    /// Index into `shown.types`: the matrix's highlighted column.
    pub column: usize,
    /// Snapshots marked to compare (at most two; a third replaces the oldest).
    pub marked: Vec<i64>,
    pub stored: HashMap<i64, Remote<Arc<StoredUtility>>>,
    /// The snapshot whose catalog `scopes` holds.
    pub browsing: Option<i64>,
    /// The Scopes tab: the same state (grouping, search, detail scroll) as the Scopes step.
    pub scopes: ScopesState,
    /// The two snapshots the Compare tab shows (A, B), and their layout once both are in.
    pub comparing: Option<(i64, i64)>,
    pub compare: Option<Comparison>,
}

impl CatalogState {
    pub fn view(&self) -> Option<&FleetView> {
        match &self.fleet {
            Remote::Ready(f) => Some(f),
            _ => None,
        }
    }

    /// The utility under the cursor.
    pub fn current(&self) -> Option<&UtilityRow> {
        let f = self.view()?;
        f.rows.get(*self.shown.rows.get(self.cursor)?)
    }

    /// Recomputes what the filter keeps, the cursor staying on the same utility when it can.
    pub fn refilter(&mut self) {
        let keep = self.current().map(|r| r.id);
        let keep_type = self.shown.types.get(self.column).copied();
        let Remote::Ready(f) = &self.fleet else {
            self.shown = Filtered::default();
            return;
        };
        let mut shown = fleet::filter(f, self.filter.as_str());
        fleet::sort(f, &mut shown.rows, self.sort);
        self.cursor = keep
            .and_then(|id| shown.rows.iter().position(|&i| f.rows[i].id == id))
            .unwrap_or(0);
        self.column = keep_type
            .and_then(|t| shown.types.iter().position(|&x| x == t))
            .unwrap_or(0);
        self.shown = shown;
    }

    /// The snapshot stored as `id`, when it has arrived.
    pub fn stored(&self, id: i64) -> Option<&Arc<StoredUtility>> {
        match self.stored.get(&id) {
            Some(Remote::Ready(s)) => Some(s),
            _ => None,
        }
    }

    /// Toggles the mark of the utility under the cursor; `Err` says why it cannot be marked.
    pub fn toggle_mark(&mut self) -> Result<(), String> {
        let Some(r) = self.current() else {
            return Ok(());
        };
        if !r.ok {
            return Err(format!("{} has no stored catalog to compare.", r.name));
        }
        let id = r.id;
        if let Some(at) = self.marked.iter().position(|m| *m == id) {
            self.marked.remove(at);
        } else {
            self.marked.push(id);
            if self.marked.len() > 2 {
                self.marked.remove(0);
            }
        }
        Ok(())
    }

    /// Forgets snapshots beyond [`KEEP`] that nothing shows.
    fn trim(&mut self) {
        if self.stored.len() <= KEEP {
            return;
        }
        let used = |id: i64| {
            Some(id) == self.browsing
                || self.comparing.is_some_and(|(a, b)| a == id || b == id)
                || self.marked.contains(&id)
        };
        let drop: Vec<i64> = self
            .stored
            .iter()
            .filter(|(id, r)| !used(**id) && !matches!(r, Remote::Loading { .. }))
            .map(|(id, _)| *id)
            .collect();
        for id in drop.into_iter().take(self.stored.len() - KEEP) {
            self.stored.remove(&id);
        }
    }
}

/// Opens the Catalog view (from the home screen), reading the database the first time.
pub(crate) fn open(app: &mut App) -> Vec<Effect> {
    app.step = Step::Catalog;
    match app.catalog.fleet {
        Remote::Idle | Remote::Failed(_) => reload(app),
        _ => Vec::new(),
    }
}

fn reload(app: &mut App) -> Vec<Effect> {
    let req = app.req();
    app.catalog.fleet = Remote::Loading {
        req,
        since: app.now,
    };
    vec![Effect::LoadCatalog { req }]
}

/// The database was read (or could not be).
pub(crate) fn fleet_loaded(app: &mut App, req: ReqId, result: Result<Box<FleetView>, String>) {
    let c = &mut app.catalog;
    if !matches!(c.fleet, Remote::Loading { req: r, .. } if r == req) {
        return;
    }
    let keep = c.current().map(|r| r.id);
    c.fleet = match result {
        Ok(f) => Remote::Ready(*f),
        Err(e) => Remote::Failed(ErrorView {
            message: crate::text::sanitize(&e),
        }),
    };
    c.refilter();
    if let Some(id) = keep {
        let f = c.view().map(|f| &f.rows);
        if let Some(at) = c
            .shown
            .rows
            .iter()
            .position(|&i| f.is_some_and(|rows| rows[i].id == id))
        {
            c.cursor = at;
        }
    }
}

/// A stored snapshot arrived: into the Scopes tab or the comparison waiting for it.
pub(crate) fn utility_loaded(
    app: &mut App,
    req: ReqId,
    id: i64,
    result: Result<Arc<StoredUtility>, String>,
) {
    let c = &mut app.catalog;
    if !matches!(c.stored.get(&id), Some(Remote::Loading { req: r, .. }) if *r == req) {
        return;
    }
    let entry = match result {
        Ok(s) => Remote::Ready(s),
        Err(e) => Remote::Failed(ErrorView {
            message: crate::text::sanitize(&e),
        }),
    };
    c.stored.insert(id, entry);
    if c.browsing == Some(id) {
        show_scopes(c, id);
    }
    build_compare(c);
    c.trim();
}

/// Asks for snapshot `id` unless it is here or coming.
fn fetch(app: &mut App, id: i64) -> Vec<Effect> {
    if matches!(
        app.catalog.stored.get(&id),
        Some(Remote::Ready(_) | Remote::Loading { .. })
    ) {
        return Vec::new();
    }
    let req = app.req();
    let since = app.now;
    app.catalog
        .stored
        .insert(id, Remote::Loading { req, since });
    vec![Effect::LoadCatalogUtility { req, id }]
}

/// Fills the Scopes tab with snapshot `id`'s catalog (or why there is none).
fn show_scopes(c: &mut CatalogState, id: i64) {
    let catalog = match c.stored.get(&id) {
        Some(Remote::Ready(s)) => Ok(s.scopes.clone()),
        Some(Remote::Failed(e)) => Err(e.message.clone()),
        _ => return,
    };
    c.scopes.clear_search();
    c.scopes.set_catalog(catalog);
}

/// The Scopes tab shows the utility under the cursor: reads it when needed and `fetch` allows
/// (a click cannot start a read; the tab then asks for `r`).
fn browse_current(app: &mut App, fetch_it: bool) -> Vec<Effect> {
    let Some(row) = app.catalog.current() else {
        return Vec::new();
    };
    let (id, ok, name, error) = (row.id, row.ok, row.name.clone(), row.last_error.clone());
    if app.catalog.browsing == Some(id) {
        return Vec::new();
    }
    if !ok {
        app.catalog.browsing = Some(id);
        let why = error.unwrap_or_default();
        app.catalog.scopes.set_catalog(Err(format!(
            "{name}: no catalog stored; the crawl failed: {why}"
        )));
        return Vec::new();
    }
    let here = matches!(
        app.catalog.stored.get(&id),
        Some(Remote::Ready(_) | Remote::Loading { .. })
    );
    if !here && !fetch_it {
        app.catalog.browsing = None;
        return Vec::new();
    }
    app.catalog.browsing = Some(id);
    app.catalog.scopes.set_catalog(Ok(Vec::new()));
    let effects = fetch(app, id);
    show_scopes(&mut app.catalog, id);
    effects
}

/// Lays out the comparison once both of its snapshots are in.
fn build_compare(c: &mut CatalogState) {
    let Some((a, b)) = c.comparing else { return };
    if c.compare.as_ref().is_some_and(|x| (x.a, x.b) == (a, b)) {
        return;
    }
    let (Some(sa), Some(sb)) = (c.stored(a), c.stored(b)) else {
        return;
    };
    // One utility at two crawls: name the crawls.
    let crawls = (sa.snapshot.input_url == sb.snapshot.input_url)
        .then_some((sa.crawl.as_str(), sb.crawl.as_str()));
    let cmp = Comparison::new((a, &sa.snapshot), (b, &sb.snapshot), crawls);
    c.compare = Some(cmp);
}

/// Shows snapshots `a` and `b` side by side, loading what is missing.
fn compare(app: &mut App, a: i64, b: i64) -> Vec<Effect> {
    app.catalog.tab = CatalogTab::Compare;
    if app.catalog.comparing != Some((a, b)) {
        app.catalog.comparing = Some((a, b));
        app.catalog.compare = None;
    }
    let mut effects = fetch(app, a);
    effects.extend(fetch(app, b));
    build_compare(&mut app.catalog);
    effects
}

/// `c`: the two marked utilities side by side.
fn compare_marked(app: &mut App) -> Vec<Effect> {
    match app.catalog.marked[..] {
        [a, b] => compare(app, a, b),
        _ => {
            app.notice = Some(Notice::Info(
                "Mark two utilities with Space first, then press c to compare them.".into(),
            ));
            Vec::new()
        }
    }
}

/// `t`: the utility under the cursor against its previous snapshot.
fn compare_over_time(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.catalog.current() else {
        return Vec::new();
    };
    match (r.ok, r.previous) {
        (true, Some(prev)) => {
            let id = r.id;
            compare(app, prev, id)
        }
        _ => {
            app.notice = Some(Notice::Info(format!(
                "{} has one stored snapshot: crawl again to see how it changes.",
                r.name
            )));
            Vec::new()
        }
    }
}

/// Enter: onboarding starts at the utility's discovery (live, from its address).
fn onboard(app: &mut App) -> Vec<Effect> {
    let url = match app.catalog.tab {
        CatalogTab::Scopes => app
            .catalog
            .browsing
            .and_then(|id| app.catalog.view()?.by_id(id))
            .map(|r| r.url.clone()),
        CatalogTab::Compare => None,
        _ => app.catalog.current().map(|r| r.url.clone()),
    };
    let Some(url) = url else {
        return Vec::new();
    };
    app.url = url;
    app.step = Step::Discover;
    app.start_discovery()
}

fn switch_tab(app: &mut App, tab: CatalogTab, fetch_it: bool) -> Vec<Effect> {
    app.catalog.tab = tab;
    match tab {
        CatalogTab::Scopes => browse_current(app, fetch_it),
        CatalogTab::Compare if app.catalog.comparing.is_none() && fetch_it => compare_marked(app),
        _ => Vec::new(),
    }
}

/// `r`: the database read again (the lists), or the tab's snapshots read again.
fn retry(app: &mut App) -> Vec<Effect> {
    let c = &mut app.catalog;
    match c.tab {
        CatalogTab::Utilities | CatalogTab::Matrix => reload(app),
        CatalogTab::Scopes => {
            if let Some(id) = c.browsing.take() {
                c.stored.remove(&id);
            }
            browse_current(app, true)
        }
        CatalogTab::Compare => match c.comparing {
            Some((a, b)) => {
                for id in [a, b] {
                    if matches!(c.stored.get(&id), Some(Remote::Failed(_))) {
                        c.stored.remove(&id);
                    }
                }
                compare(app, a, b)
            }
            None => compare_marked(app),
        },
    }
}

/// A movement key on the current tab.
fn move_by(app: &mut App, action: Action, delta: isize) {
    let c = &mut app.catalog;
    match c.tab {
        CatalogTab::Utilities | CatalogTab::Matrix => {
            c.cursor = moved(c.cursor, delta, c.shown.rows.len());
        }
        CatalogTab::Scopes => match action {
            Action::PageUp => scroll(&mut c.scopes.detail_scroll, -PAGE),
            Action::PageDown => scroll(&mut c.scopes.detail_scroll, PAGE),
            _ => c.scopes.move_by(delta),
        },
        CatalogTab::Compare => {
            if let Some(cmp) = &mut c.compare {
                cmp.scroll = moved(cmp.scroll, delta, cmp.shown().len());
            }
        }
    }
}

/// The Catalog view's input.
pub struct Catalog;

impl Screen for Catalog {
    fn context(&self, app: &App) -> Context {
        if self.typing(app) {
            Context::Search
        } else {
            Context::Catalog
        }
    }

    fn typing(&self, app: &App) -> bool {
        app.catalog.filtering || app.catalog.scopes.searching
    }

    fn update(&self, app: &mut App, action: Action) -> Vec<Effect> {
        if let Some(delta) = movement(action) {
            move_by(app, action, delta);
            return Vec::new();
        }
        let mut tab = app.catalog.tab;
        if tabs::update(&mut tab, action) {
            return switch_tab(app, tab, true);
        }
        let c = &mut app.catalog;
        let on_scopes = c.tab == CatalogTab::Scopes;
        match action {
            Action::StartSearch if on_scopes => c.scopes.searching = true,
            Action::StartSearch if c.tab != CatalogTab::Compare => c.filtering = true,
            Action::AcceptSearch if on_scopes => c.scopes.searching = false,
            Action::AcceptSearch => c.filtering = false,
            Action::CancelSearch if on_scopes => c.scopes.clear_search(),
            Action::CancelSearch => {
                c.filter.update(Action::ClearLine);
                c.filtering = false;
                c.refilter();
            }
            Action::DeleteChar if on_scopes => c.scopes.delete_char(),
            Action::DeleteChar => {
                c.filter.update(Action::DeleteChar);
                c.refilter();
            }
            Action::Toggle => {
                if let Err(why) = c.toggle_mark() {
                    app.notice = Some(Notice::Warn(why));
                }
            }
            Action::PrevColumn => c.column = c.column.saturating_sub(1),
            Action::NextColumn => {
                c.column = moved(c.column, 1, c.shown.types.len());
            }
            Action::CycleSort => {
                c.sort = c.sort.next();
                c.refilter();
            }
            Action::DifferencesOnly => {
                if let Some(cmp) = &mut c.compare {
                    cmp.toggle_differences();
                }
            }
            Action::CompareMarked => return compare_marked(app),
            Action::CompareOverTime => return compare_over_time(app),
            Action::Activate => return onboard(app),
            Action::Retry => return retry(app),
            Action::Back if app.home.visited => super::home::back_home(app),
            _ => {}
        }
        Vec::new()
    }

    fn type_text(&self, app: &mut App, text: &str) {
        let c = &mut app.catalog;
        if c.scopes.searching {
            c.scopes.type_str(text);
        } else if c.filtering {
            c.filter.insert(text);
            c.refilter();
        }
    }

    fn click_row(&self, app: &mut App, n: usize) {
        let c = &mut app.catalog;
        match c.tab {
            CatalogTab::Utilities | CatalogTab::Matrix if n < c.shown.rows.len() => c.cursor = n,
            CatalogTab::Scopes => {
                if matches!(c.scopes.rows.get(n), Some(super::scopes::Row::Scope(_))) {
                    c.scopes.cursor = n;
                    c.scopes.detail_scroll = 0;
                }
            }
            _ => {}
        }
    }

    fn click_tab(&self, app: &mut App, n: usize) {
        let mut tab = app.catalog.tab;
        tabs::click(&mut tab, n);
        // A click cannot start a read: a tab that needs one asks for `r`.
        let _ = switch_tab(app, tab, false);
    }
}

#[cfg(test)]
mod tests;
