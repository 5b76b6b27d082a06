//! Drawing a list with a cursor: only the items around the cursor are built (a listing of
//! 100,000 entries stays cheap), the caller styles the item under the cursor, and each item
//! shown is a click target (`Target::Row(i)`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::app::Target;
use crate::ui::{Hits, window};

/// A list of `len` items, `cursor` on one of them.
#[derive(Debug, Clone, Copy)]
pub struct List {
    len: usize,
    cursor: usize,
    item_height: u16,
    clickable: bool,
}

impl List {
    /// One row per item, each a click target.
    pub fn new(len: usize, cursor: usize) -> Self {
        List {
            len,
            cursor,
            item_height: 1,
            clickable: true,
        }
    }

    /// Items of `rows` rows each.
    pub fn item_height(self, rows: u16) -> Self {
        List {
            item_height: rows.max(1),
            ..self
        }
    }

    /// Whether clicks select items (not when the list is shown beside what keys go to).
    pub fn clickable(self, clickable: bool) -> Self {
        List { clickable, ..self }
    }

    /// Draws the items that keep the cursor visible in `area`; `item(i, at_cursor)` builds
    /// the lines of item `i`.
    pub fn render<'a, I>(
        self,
        frame: &mut Frame,
        area: Rect,
        hits: &mut Hits,
        mut item: impl FnMut(usize, bool) -> I,
    ) where
        I: IntoIterator<Item = Line<'a>>,
    {
        let h = area.height as usize;
        let ih = self.item_height as usize;
        // At least one tall item, cut rather than left out, when it does not fit whole.
        let per_page = if ih > 1 { (h / ih).max(1) } else { h };
        let first = window(self.cursor, self.len, per_page);
        let shown = per_page.min(self.len.saturating_sub(first));
        if self.clickable {
            for off in 0..shown {
                let r = Rect {
                    y: area.y.saturating_add((ih * off) as u16),
                    height: self.item_height,
                    ..area
                };
                hits.add(r.intersection(area), Target::Row(first + off));
            }
        }
        let mut lines = Vec::new();
        for i in first..first + shown {
            lines.extend(item(i, i == self.cursor));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}
