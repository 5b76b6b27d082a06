//! The Catalog view (issue 13 point 5): a row of tabs over the utilities list, the scope-type
//! matrix, one utility's catalog (the Scopes screen's detail pane, WG1-02 §3.4–§3.10) and two
//! snapshots compared. Only the rows in view are built; everything else was computed when the
//! data arrived.

mod compare;
mod lists;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::screens::catalog::{CatalogState, CatalogTab};
use crate::app::screens::scopes::ScopesState;
use crate::app::widgets::tabs::{self, Tab};
use crate::app::{App, Remote};
use crate::ui::screens::scopes::detail_lines;
use crate::ui::widgets::list::List;
use crate::ui::widgets::{self, text_pane};
use crate::ui::{Hits, Theme, strings};

/// The top line: the program, the view, and the database it reads.
pub fn title(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::styled(
        format!("{} · {}", strings::APP_NAME, strings::CATALOG_TITLE),
        theme.title(),
    )];
    if let Some(f) = app.catalog.view() {
        spans.push(Span::styled(format!(" · {}", f.db), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let c = &app.catalog;
    let fleet = match &c.fleet {
        Remote::Ready(f) => f,
        Remote::Failed(e) => {
            let block = Block::bordered().title(Span::styled(
                format!(" {} ", strings::CATALOG_TITLE),
                theme.title(),
            ));
            let lines = vec![
                Line::styled(e.message.clone(), theme.warning()),
                Line::raw(""),
                Line::styled(strings::CATALOG_RETRY, theme.dim()),
            ];
            text_pane::render(frame, area, lines, 0, block);
            return;
        }
        Remote::Idle | Remote::Loading { .. } => {
            let text = format!("{} {}", strings::spinner(app), strings::CATALOG_READING);
            frame.render_widget(Paragraph::new(text), area);
            return;
        }
    };
    let [tab_row, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let labels = tab_labels(c, fleet.rows.len());
    widgets::tabs::render(frame, tab_row, &labels, tabs::index(c.tab), theme, hits);
    if fleet.rows.is_empty() {
        let p = Paragraph::new(strings::CATALOG_EMPTY).wrap(Wrap { trim: false });
        frame.render_widget(p, body);
        return;
    }
    match c.tab {
        CatalogTab::Utilities => lists::utilities(frame, body, app, fleet, theme, hits),
        CatalogTab::Matrix => lists::matrix(frame, body, app, fleet, theme, hits),
        CatalogTab::Scopes => scopes(frame, body, c, theme, hits),
        CatalogTab::Compare => compare::render(frame, body, app, theme),
    }
}

fn tab_labels(c: &CatalogState, total: usize) -> Vec<String> {
    CatalogTab::ALL
        .iter()
        .map(|t| match t {
            CatalogTab::Utilities => format!(" Utilities {}/{} ", c.shown.rows.len(), total),
            CatalogTab::Matrix => {
                let n = c.shown.types.len();
                format!(" Scope matrix {n} type{} ", crate::present::plural(n))
            }
            CatalogTab::Scopes => " Scopes ".to_owned(),
            CatalogTab::Compare => format!(" Compare ({} marked) ", c.marked.len()),
        })
        .collect()
}

/// `s` cut or padded to exactly `w` characters.
pub(crate) fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s}{}", " ".repeat(w - n))
    } else if w == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(w - 1).collect();
        out.push('…');
        out
    }
}

/// `s` cut to `w` characters and right-aligned.
pub(crate) fn right(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        fit(s, w)
    } else {
        format!("{}{s}", " ".repeat(w - n))
    }
}

/// One utility's catalog: its scopes by type on the left, the Scopes screen's detail pane for
/// the one under the cursor on the right.
fn scopes(frame: &mut Frame, area: Rect, c: &CatalogState, theme: &Theme, hits: &mut Hits) {
    let current = c.current().map(|r| r.name.clone()).unwrap_or_default();
    let Some(id) = c.browsing else {
        let text = format!("{} {current}.", strings::CATALOG_PRESS_R);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
        return;
    };
    let name = c
        .view()
        .and_then(|f| f.by_id(id))
        .map(|r| r.name.clone())
        .unwrap_or(current);
    let s = &c.scopes;
    if let Some(why) = &s.unavailable {
        let block = Block::bordered().title(format!(" {name} "));
        text_pane::render(frame, area, vec![Line::raw(why.clone())], 0, block);
        return;
    }
    if matches!(c.stored.get(&id), Some(Remote::Loading { .. })) {
        frame.render_widget(Paragraph::new(strings::CATALOG_READING), area);
        return;
    }
    let list_width = if area.width >= 110 {
        44
    } else {
        (area.width * 2 / 5).max(24)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(10)]).areas(area);
    scope_list(frame, left, s, &name, theme, hits);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", strings::DETAIL_TITLE),
        theme.title(),
    ));
    match s.current() {
        Some(sc) => {
            let mut lines = detail_lines(sc, false, false, theme);
            lines.push(Line::raw(""));
            let complete = c.stored(id).is_some_and(|u| u.complete);
            if !complete {
                lines.push(Line::styled(strings::CATALOG_ROWS_NOTE, theme.dim()));
            }
            lines.push(Line::styled(strings::CATALOG_STORED_NOTE, theme.dim()));
            text_pane::render(frame, right, lines, s.detail_scroll, block);
        }
        None => frame.render_widget(Paragraph::new(strings::NO_SCOPE).block(block), right),
    }
}

/// The utility's scopes grouped by type, with the `/` search line when there is a search.
fn scope_list(
    frame: &mut Frame,
    left: Rect,
    s: &ScopesState,
    name: &str,
    theme: &Theme,
    hits: &mut Hits,
) {
    let title = Span::styled(
        format!(" {} · {}/{} ", name, s.shown(), s.catalog.len()),
        theme.title(),
    );
    let block = Block::bordered().title(title);
    let mut inner = block.inner(left);
    frame.render_widget(block, left);
    if s.searching || !s.query.is_empty() {
        let [line, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(
            lists::search_line(s.query.as_str(), s.searching, theme),
            line,
        );
        inner = rest;
    }
    if s.rows.is_empty() {
        frame.render_widget(Paragraph::new(strings::NO_MATCH), inner);
    } else {
        use crate::app::screens::scopes::Row;
        List::new(s.rows.len(), s.cursor).render(frame, inner, hits, |n, at| {
            [match s.rows[n] {
                Row::Header(i) => Line::styled(
                    crate::text::sanitize(&s.catalog[i].scope_type),
                    theme.heading(),
                ),
                Row::Scope(i) => {
                    let style = if at {
                        theme.selected()
                    } else {
                        ratatui::style::Style::new()
                    };
                    Line::styled(
                        format!("  {}", crate::text::sanitize(&s.catalog[i].id)),
                        style,
                    )
                }
            }]
        });
    }
}
