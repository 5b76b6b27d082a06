//! One console tab's list (the listings of CDS-WG1-02 §5.3, §6.8, §7.3, §8.4 and §9.2): the
//! items loaded so far and where the next page is, the `/` filter, the cursor, the detail
//! pane's scroll and the tab's status line. Pages load lazily: the next one when the cursor
//! reaches the end of what is loaded.

use std::collections::HashSet;
use std::time::Instant;

use url::Url;

use super::items::{Arranged, Item, Place};
use crate::app::keymap::Action;
use crate::app::widgets::list::{moved, scroll};
use crate::app::widgets::text_input::TextInput;
use crate::app::{ErrorView, Remote, ReqId};

/// Where a page is: which part of the listing (Messages: 0 unread, 1 read; Files: the n-th
/// Grant that shares files; the others have one part) and its link (`None`: the part's first
/// page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub part: usize,
    pub url: Option<Url>,
}

impl Cursor {
    /// The first page of the listing.
    pub fn first() -> Cursor {
        Cursor { part: 0, url: None }
    }
}

/// What follows the loaded items.
#[derive(Debug, Clone, PartialEq)]
pub enum More {
    /// Nothing: every page is loaded.
    End,
    /// Another page, not asked for yet.
    Next(Cursor),
    Loading {
        req: ReqId,
        cursor: Cursor,
    },
    /// The next page failed; reloading asks again.
    Failed {
        cursor: Cursor,
        error: ErrorView,
    },
}

/// The items loaded so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub more: More,
}

/// An action of the tab (rotate, expire, mark read, close, download), through its life.
#[derive(Debug, Clone, PartialEq)]
pub enum Acting {
    Running { req: ReqId, what: String },
    Done(Vec<String>),
    Failed(ErrorView),
}

/// A page as it arrives: its items and where the next one is.
pub type PageResult<T> = Result<(Vec<T>, Option<Cursor>), String>;

#[derive(Debug)]
pub struct TabList<T> {
    pub list: Remote<Listing<T>>,
    /// Index into [`TabList::shown`].
    pub cursor: usize,
    pub query: TextInput,
    pub searching: bool,
    pub detail_scroll: u16,
    /// The last action and what came of it (the tab's status line).
    pub acting: Option<Acting>,
    /// The order and places of the loaded items (recomputed when they change).
    pub arranged: Arranged,
}

impl<T> Default for TabList<T> {
    fn default() -> Self {
        TabList {
            list: Remote::Idle,
            cursor: 0,
            query: TextInput::default(),
            searching: false,
            detail_scroll: 0,
            acting: None,
            arranged: Arranged::default(),
        }
    }
}

impl<T: Item> TabList<T> {
    /// Starts (or restarts) loading from the first page.
    pub fn begin(&mut self, req: ReqId, now: Instant) {
        self.list = Remote::Loading { req, since: now };
        self.cursor = 0;
        self.detail_scroll = 0;
    }

    /// A page arrived. False when no request of this list has that id (stale: dropped).
    pub fn loaded(&mut self, req: ReqId, result: PageResult<T>) -> bool {
        let before = self.current().map(|i| i.key().to_owned());
        let took = self.take_page(req, result);
        if took {
            self.rearrange();
            // A page can place items above the cursor (a reply under its request): it stays
            // on the item it was on.
            if let Some(k) = before
                && let Some(n) = self.position(&k)
            {
                self.cursor = n;
            }
        }
        took
    }

    fn position(&self, key: &str) -> Option<usize> {
        let items = self.items();
        self.shown()
            .iter()
            .position(|i| items.get(*i).is_some_and(|it| it.key() == key))
    }

    fn rearrange(&mut self) {
        self.arranged = T::arrange(self.items());
    }

    /// The place of item `i` among the others.
    pub fn place(&self, i: usize) -> Place {
        self.arranged.places.get(i).cloned().unwrap_or_default()
    }

    fn take_page(&mut self, req: ReqId, result: PageResult<T>) -> bool {
        let next = |c: Option<Cursor>| c.map_or(More::End, More::Next);
        match &mut self.list {
            Remote::Loading { req: r, .. } if *r == req => {
                self.list = match result {
                    Ok((items, c)) => Remote::Ready(Listing {
                        items,
                        more: next(c),
                    }),
                    Err(e) => Remote::Failed(error(&e)),
                };
                self.cursor = 0;
                true
            }
            Remote::Ready(l) => match &l.more {
                More::Loading { req: r, cursor } if *r == req => {
                    l.more = match result {
                        Ok((items, c)) => {
                            // Once each: an item can move between lists while paging (a
                            // message marked read leaves the unread list for the read one).
                            let seen: HashSet<String> =
                                l.items.iter().map(|i| i.key().to_owned()).collect();
                            l.items
                                .extend(items.into_iter().filter(|i| !seen.contains(i.key())));
                            next(c)
                        }
                        Err(e) => More::Failed {
                            cursor: cursor.clone(),
                            error: error(&e),
                        },
                    };
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The items loaded (none while the first page loads or after it failed).
    pub fn items(&self) -> &[T] {
        match &self.list {
            Remote::Ready(l) => &l.items,
            _ => &[],
        }
    }

    /// Indices of the items the filter lets through (with the replies of those it matches),
    /// in order.
    pub fn shown(&self) -> Vec<usize> {
        let q = self.query.as_str().to_lowercase();
        let items = self.items();
        let flat;
        let order = if self.arranged.order.len() == items.len() {
            &self.arranged.order
        } else {
            flat = (0..items.len()).collect::<Vec<_>>();
            &flat
        };
        if q.is_empty() {
            return order.clone();
        }
        // What matches, and everything that answers it (a thread stays whole).
        let mut keep = vec![false; items.len()];
        for (i, it) in items.iter().enumerate() {
            if it.search().contains(&q) {
                keep[i] = true;
                for r in self.arranged.places.get(i).map_or(&[][..], |p| &p.replies) {
                    if let Some(k) = keep.get_mut(*r) {
                        *k = true;
                    }
                }
            }
        }
        order
            .iter()
            .copied()
            .filter(|i| keep.get(*i).copied().unwrap_or(false))
            .collect()
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<&T> {
        let shown = self.shown();
        shown.get(self.cursor).and_then(|i| self.items().get(*i))
    }

    pub fn move_by(&mut self, delta: isize) {
        let before = self.cursor;
        self.cursor = moved(self.cursor, delta, self.shown().len());
        if self.cursor != before {
            self.detail_scroll = 0;
        }
    }

    /// The next page to ask for, when the cursor is on the last item shown (or nothing is
    /// shown, or a filter is set) and another page exists.
    pub fn wants_more(&self) -> Option<Cursor> {
        let Remote::Ready(l) = &self.list else {
            return None;
        };
        let More::Next(c) = &l.more else {
            return None;
        };
        // A filter reads every page: what it looks for may be on any of them.
        let n = self.shown().len();
        (n == 0 || self.cursor + 1 >= n || !self.query.is_empty()).then(|| c.clone())
    }

    /// Marks the next page as asked for under `req`.
    pub fn asked(&mut self, req: ReqId, cursor: Cursor) {
        if let Remote::Ready(l) = &mut self.list {
            l.more = More::Loading { req, cursor };
        }
    }

    /// Replaces the item with the same key (a changed object the server sent back).
    pub fn replace(&mut self, item: T) {
        if let Remote::Ready(l) = &mut self.list
            && let Some(slot) = l.items.iter_mut().find(|i| i.key() == item.key())
        {
            *slot = item;
            self.rearrange();
        }
    }

    /// Whether a page is on its way.
    pub fn loading(&self) -> bool {
        match &self.list {
            Remote::Loading { .. } => true,
            Remote::Ready(l) => matches!(l.more, More::Loading { .. }),
            _ => false,
        }
    }

    /// Whether an action of this tab waits for `req`.
    pub fn acting_on(&self, req: ReqId) -> bool {
        matches!(&self.acting, Some(Acting::Running { req: r, .. }) if *r == req)
    }

    /// Recomputes the cursor after the filter changed.
    pub fn refilter(&mut self) {
        self.cursor = self.cursor.min(self.shown().len().saturating_sub(1));
        self.detail_scroll = 0;
    }
}

/// The operations every tab's list has, whatever it holds.
pub(super) trait ListOps {
    fn move_by(&mut self, delta: isize);
    fn set_cursor(&mut self, n: usize);
    fn wants_more(&self) -> Option<Cursor>;
    fn asked(&mut self, req: ReqId, cursor: Cursor);
    fn begin(&mut self, req: ReqId, now: std::time::Instant);
    fn idle(&self) -> bool;
    fn searching(&self) -> bool;
    /// Whether a filter is set.
    fn filtered(&self) -> bool;
    fn set_searching(&mut self, on: bool);
    fn filter(&mut self, action: Action, text: Option<&str>);
    fn scroll(&mut self, delta: isize);
    fn set_acting(&mut self, acting: Acting);
}

impl<T: Item> ListOps for TabList<T> {
    fn move_by(&mut self, delta: isize) {
        TabList::move_by(self, delta);
    }
    fn set_cursor(&mut self, n: usize) {
        if n < self.shown().len() {
            self.cursor = n;
            self.detail_scroll = 0;
        }
    }
    fn wants_more(&self) -> Option<Cursor> {
        TabList::wants_more(self)
    }
    fn asked(&mut self, req: ReqId, cursor: Cursor) {
        TabList::asked(self, req, cursor);
    }
    fn begin(&mut self, req: ReqId, now: std::time::Instant) {
        TabList::begin(self, req, now);
    }
    fn idle(&self) -> bool {
        matches!(self.list, Remote::Idle)
    }
    fn searching(&self) -> bool {
        self.searching
    }
    fn filtered(&self) -> bool {
        !self.query.is_empty()
    }
    fn set_searching(&mut self, on: bool) {
        self.searching = on;
    }
    fn filter(&mut self, action: Action, text: Option<&str>) {
        match text {
            Some(t) => self.query.insert(t),
            None if action == Action::CancelSearch => {
                self.query.update(Action::ClearLine);
                self.searching = false;
            }
            None => {
                self.query.update(action);
            }
        }
        self.refilter();
    }
    fn scroll(&mut self, delta: isize) {
        scroll(&mut self.detail_scroll, delta);
    }
    fn set_acting(&mut self, acting: Acting) {
        self.acting = Some(acting);
    }
}

fn error(e: &str) -> ErrorView {
    ErrorView {
        message: crate::text::sanitize(e),
    }
}
