//! The Catalog view's two lists of utilities: one row each with counts and last crawl, and the
//! matrix of scope types (WG1-02 §3.4) by utility. Both draw only the rows in view, with the
//! filter line above and the utility under the cursor described below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{fit, right};
use crate::app::App;
use crate::app::screens::catalog::CatalogState;
use crate::app::screens::catalog::fleet::{FleetView, SortBy, UtilityRow};
use crate::ui::widgets::list::List;
use crate::ui::{Hits, Theme, strings};

/// The `/` line: the query, with a cursor while typing.
pub(super) fn search_line(query: &str, typing: bool, theme: &Theme) -> Paragraph<'static> {
    let mut spans = vec![
        Span::styled(strings::SEARCH_PROMPT, theme.key()),
        Span::raw(query.to_owned()),
    ];
    if typing {
        spans.push(Span::styled("▏", theme.key()));
    }
    Paragraph::new(Line::from(spans))
}

/// Splits `area` into the filter line (when there is a filter), the header, the rows and the
/// description of the utility under the cursor.
fn frame_list(
    frame: &mut Frame,
    area: Rect,
    c: &CatalogState,
    header_rows: u16,
    theme: &Theme,
) -> [Rect; 3] {
    let filter = u16::from(c.filtering || !c.filter.is_empty());
    let [f, header, rows, _, about] = Layout::vertical([
        Constraint::Length(filter),
        Constraint::Length(header_rows),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(4),
    ])
    .areas(area);
    if filter > 0 {
        frame.render_widget(search_line(c.filter.as_str(), c.filtering, theme), f);
    }
    [header, rows, about]
}

/// `A`/`B` in front of a marked utility.
fn mark(c: &CatalogState, r: &UtilityRow) -> &'static str {
    match c.marked.iter().position(|m| *m == r.id) {
        Some(0) => "A ",
        Some(_) => "B ",
        None => "  ",
    }
}

/// How long ago `t` was, from the wizard's clock: `40 s ago`, `5 min ago`, `3 h ago`, `2 d ago`.
pub(super) fn age(t: Option<jiff::Timestamp>, now: jiff::Timestamp) -> String {
    let Some(t) = t else {
        return "—".to_owned();
    };
    let s = (now.as_second() - t.as_second()).max(0);
    match s {
        0..60 => format!("{s} s ago"),
        60..3600 => format!("{} min ago", s / 60),
        3600..86_400 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

/// The columns of the utilities list at a width: name, draft, scopes, coverage entries,
/// errors, warnings, registration cost (when there is room) and when it was crawled.
struct Columns {
    name_w: usize,
    cost_w: usize,
}

impl Columns {
    fn at(width: usize) -> Self {
        let cost_w = if width >= 110 { 16 } else { 0 };
        // mark, draft, scopes, coverage, errors, warnings, crawled, and the gaps between them.
        let fixed = 2 + 10 + 8 + 9 + 5 + 6 + 12 + cost_w;
        Columns {
            name_w: width.saturating_sub(fixed).clamp(12, 44),
            cost_w,
        }
    }

    fn line(
        &self,
        [
            name,
            draft,
            scopes,
            coverage,
            errors,
            warnings,
            cost,
            crawled,
        ]: [&str; 8],
    ) -> String {
        let mut s = format!(
            "{} {}{}{}{}{}",
            fit(name, self.name_w),
            fit(draft, 10),
            right(scopes, 7),
            right(coverage, 9),
            right(errors, 5),
            right(warnings, 6),
        );
        if self.cost_w > 0 {
            s.push_str(&format!("  {}", fit(cost, self.cost_w - 2)));
        }
        s.push_str(&format!("  {crawled}"));
        s
    }

    /// A utility's row: its counts, or that its crawl failed.
    fn row(&self, r: &UtilityRow, now: jiff::Timestamp) -> String {
        if !r.ok {
            return format!("{} {}", fit(&r.name, self.name_w), strings::CATALOG_FAILED);
        }
        let cost = if r.cost.is_empty() { "free" } else { &r.cost };
        self.line([
            &r.name,
            &r.draft,
            &r.scopes.to_string(),
            &r.coverage.to_string(),
            &r.errors.to_string(),
            &r.warnings.to_string(),
            cost,
            &age(r.crawled_at, now),
        ])
    }
}

/// The utilities with their counts, the one under the cursor described below.
pub(super) fn utilities(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    fleet: &FleetView,
    theme: &Theme,
    hits: &mut Hits,
) {
    let c = &app.catalog;
    let [header, rows, about] = frame_list(frame, area, c, 1, theme);
    let cols = Columns::at(area.width as usize);
    let sorted = |by: SortBy, name: &str| {
        if c.sort == by {
            format!("{name}▾")
        } else {
            name.to_owned()
        }
    };
    let head = cols.line([
        &sorted(SortBy::Name, "Utility"),
        "Draft",
        &sorted(SortBy::Scopes, "Scopes"),
        &sorted(SortBy::Coverage, "Coverage"),
        &sorted(SortBy::Findings, "Err"),
        "Warn",
        "Registration",
        &sorted(SortBy::Crawled, "Crawled"),
    ]);
    frame.render_widget(
        Paragraph::new(Line::styled(format!("  {head}"), theme.heading())),
        header,
    );
    if c.shown.rows.is_empty() {
        frame.render_widget(Paragraph::new(strings::CATALOG_NO_MATCH), rows);
    } else {
        List::new(c.shown.rows.len(), c.cursor).render(frame, rows, hits, |n, at| {
            let r = &fleet.rows[c.shown.rows[n]];
            let style = match (at, r.ok) {
                (true, _) => theme.selected(),
                (false, false) => theme.warning(),
                _ => Style::new(),
            };
            [Line::from(vec![
                Span::styled(mark(c, r), theme.key()),
                Span::styled(cols.row(r, app.wall), style),
            ])]
        });
    }
    describe(frame, about, app, theme);
}

/// The utility under the cursor: its address, its crawl, and what the newest crawl said.
fn describe(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(r) = app.catalog.current() else {
        return;
    };
    let mut facts = Vec::new();
    if let Some(t) = r.crawled_at {
        facts.push(format!(
            "{} {}",
            strings::CATALOG_CRAWLED,
            crate::present::time::in_zone(t, None)
        ));
    }
    if let Some(l) = &r.crawl_label {
        facts.push(format!("crawl “{l}”"));
    }
    if !r.time_zone.is_empty() {
        facts.push(format!("time zone {}", r.time_zone));
    }
    if r.ok {
        facts.push(format!(
            "registration {}",
            if r.cost.is_empty() { "free" } else { &r.cost }
        ));
    }
    let mut lines = vec![
        Line::styled(r.url.clone(), theme.link()),
        Line::styled(facts.join(" · "), theme.dim()),
    ];
    match (&r.last_error, r.ok) {
        (Some(e), true) => lines.push(Line::styled(
            format!("{} {e}", strings::CATALOG_LAST_FAILED_KEPT),
            theme.warning(),
        )),
        (Some(e), false) => lines.push(Line::styled(format!("✗ {e}"), theme.error())),
        (None, _) if r.previous.is_some() => {
            lines.push(Line::styled(strings::CATALOG_HAS_PREVIOUS, theme.dim()))
        }
        _ => {}
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The scope types of the matrix in view: the window of columns that holds the highlighted
/// one, and each column's width.
fn columns(c: &CatalogState, room: usize) -> (usize, usize, usize) {
    let n = c.shown.types.len().max(1);
    let col_w = (room / n).clamp(7, 14);
    let fit_n = (room / col_w).max(1).min(n);
    let first = c.column.saturating_sub(fit_n - 1).min(n - fit_n);
    // No type at all (an empty catalog): no column.
    (first, fit_n.min(c.shown.types.len()), col_w)
}

/// A type's column heading on two lines: without the `cds_` every standard type starts with,
/// split at its first `_` (`bill` over `statements`).
fn heading(t: &str) -> (&str, &str) {
    let t = t.strip_prefix("cds_").unwrap_or(t);
    match t.split_once('_') {
        Some((a, b)) => (a, b),
        None => ("", t),
    }
}

/// Scope types × utilities: how many scopes of each type each utility offers.
pub(super) fn matrix(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    fleet: &FleetView,
    theme: &Theme,
    hits: &mut Hits,
) {
    let c = &app.catalog;
    let [header, rows, about] = frame_list(frame, area, c, 2, theme);
    let w = area.width as usize;
    let name_w = (w * 3 / 10).clamp(14, 34);
    let (first, count, col_w) = columns(c, w.saturating_sub(name_w + 3));
    let shown_types =
        &c.shown.types[first.min(c.shown.types.len())..][..count.min(c.shown.types.len())];
    let window = (first, count, col_w);
    matrix_header(frame, header, c, fleet, name_w, window, theme);
    if c.shown.rows.is_empty() {
        frame.render_widget(Paragraph::new(strings::CATALOG_NO_MATCH), rows);
    } else {
        List::new(c.shown.rows.len(), c.cursor).render(frame, rows, hits, |n, at| {
            let r = &fleet.rows[c.shown.rows[n]];
            let name_style = if at { theme.selected() } else { Style::new() };
            let mut spans = vec![
                Span::styled(mark(c, r), theme.key()),
                Span::styled(fit(&r.name, name_w), name_style),
                Span::raw(" "),
            ];
            for (k, &t) in shown_types.iter().enumerate() {
                let n = r.per_type.get(t).copied().unwrap_or(0);
                let cell = if !r.ok {
                    "?".to_owned()
                } else if n == 0 {
                    "·".to_owned()
                } else {
                    n.to_string()
                };
                let style = if first + k == c.column || at {
                    theme.heading()
                } else {
                    theme.dim()
                };
                let style = if n > 0 { style } else { theme.dim() };
                spans.push(Span::styled(right(&cell, col_w - 1), style));
                spans.push(Span::raw(" "));
            }
            [Line::from(spans)]
        });
    }
    column_about(frame, about, c, fleet, theme);
}

/// The matrix's two heading rows: each scope type split over them, the highlighted one marked,
/// `‹` `›` where columns are out of view.
fn matrix_header(
    frame: &mut Frame,
    header: Rect,
    c: &CatalogState,
    fleet: &FleetView,
    name_w: usize,
    window: (usize, usize, usize),
    theme: &Theme,
) {
    let (first, count, col_w) = window;
    let shown_types = &c.shown.types[first..first + count];
    let more_left = first > 0;
    let more_right = first + count < c.shown.types.len();
    let mut head = [
        vec![Span::raw(format!("  {} ", fit("", name_w)))],
        vec![Span::styled(
            format!(
                "{}{} ",
                if more_left { "‹ " } else { "  " },
                fit("Utility", name_w)
            ),
            theme.heading(),
        )],
    ];
    for (k, &t) in shown_types.iter().enumerate() {
        let style = if first + k == c.column {
            theme.selected()
        } else {
            theme.heading()
        };
        let (top, bottom) = heading(&fleet.types[t]);
        for (line, text) in head.iter_mut().zip([top, bottom]) {
            line.push(Span::styled(right(text, col_w - 1), style));
            line.push(Span::raw(" "));
        }
    }
    if more_right {
        head[1].push(Span::styled("›", theme.heading()));
    }
    let [top, bottom] = head;
    let head = vec![Line::from(top), Line::from(bottom)];
    frame.render_widget(Paragraph::new(head), header);
}

/// The highlighted column: its full type name and how many of the shown utilities offer it.
fn column_about(frame: &mut Frame, area: Rect, c: &CatalogState, fleet: &FleetView, theme: &Theme) {
    let mut lines = Vec::new();
    if let (Some(&t), Some(&n)) = (c.shown.types.get(c.column), c.shown.offered.get(c.column)) {
        lines.push(Line::from(vec![
            Span::styled(fleet.types[t].clone(), theme.heading()),
            Span::raw(format!(
                ": offered by {n} of the {} utilities shown",
                c.shown.rows.len()
            )),
        ]));
    }
    if let Some(r) = c.current() {
        lines.push(Line::styled(r.url.clone(), theme.link()));
    }
    lines.push(Line::styled(strings::CATALOG_MATRIX_HINT, theme.dim()));
    frame.render_widget(Paragraph::new(lines), area);
}
