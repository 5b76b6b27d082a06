//! The Scopes screen: the catalog grouped by type with selection marks and the `/` search on
//! the left, everything about the scope under the cursor on the right (CDS-WG1-02 §3.4–3.10).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::app::screens::scopes::{Row, ScopesState};
use crate::cds::catalog::CatalogScope;
use crate::present;
use crate::ui::widgets::list::List;
use crate::ui::widgets::text_pane;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let s = &app.scopes;
    if let Some(why) = &s.unavailable {
        let block = Block::bordered().title(strings::SCOPES_TITLE);
        text_pane::render(frame, area, vec![Line::raw(why.clone())], 0, block);
        return;
    }
    // Wide enough for the longest scope id (" [x] id", borders, the locked mark) from 110
    // columns on, up to three fifths of the screen: ids are never cut at 120 columns.
    let longest = s
        .catalog
        .iter()
        .map(|sc| sc.id.chars().count() + strings::LOCKED_SUFFIX.chars().count() + 3)
        .max()
        .unwrap_or(0);
    let list_width = if area.width >= 110 {
        u16::try_from(longest + 8)
            .unwrap_or(u16::MAX)
            .clamp(48, area.width * 3 / 5)
    } else {
        (area.width * 2 / 5).max(24)
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(10)]).areas(area);
    list(frame, left, s, theme, hits);
    detail(frame, right, s, theme);
}

fn list(frame: &mut Frame, area: Rect, s: &ScopesState, theme: &Theme, hits: &mut Hits) {
    let title = Span::styled(
        format!(
            " {} {}/{} · {} selected ",
            strings::SCOPES_TITLE,
            s.shown(),
            s.catalog.len(),
            s.selected.len()
        ),
        theme.title(),
    );
    let block = Block::bordered().title(title);
    let mut inner = block.inner(area);
    frame.render_widget(block, area);
    if s.searching || !s.query.is_empty() {
        let [search, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let mut spans = vec![
            Span::styled(strings::SEARCH_PROMPT, theme.key()),
            Span::raw(s.query.as_str().to_owned()),
        ];
        if s.searching {
            spans.push(Span::styled("▏", theme.key()));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), search);
        inner = rest;
    }
    if s.rows.is_empty() {
        frame.render_widget(Paragraph::new(strings::NO_MATCH), inner);
        return;
    }
    List::new(s.rows.len(), s.cursor).render(frame, inner, hits, |n, at| {
        [match s.rows[n] {
            Row::Header(i) => Line::styled(s.catalog[i].scope_type.clone(), theme.heading()),
            Row::Scope(i) => {
                let sc = &s.catalog[i];
                let style = if at { theme.selected() } else { Style::new() };
                let mark = if s.selected.contains(&sc.id) {
                    "[x]"
                } else {
                    "[ ]"
                };
                let mut spans = vec![Span::styled(format!(" {mark} {}", sc.id), style)];
                if s.is_locked(i) {
                    spans.push(Span::styled(
                        format!(" ({})", strings::LOCKED_SUFFIX),
                        theme.dim(),
                    ));
                } else if area.width >= 48 {
                    spans.push(Span::styled(format!("  {}", sc.name), theme.dim()));
                }
                Line::from(spans)
            }
        }]
    });
}

/// The detail pane of a scope: the words from `present::scope::detail` (the ones
/// `cds-wizard scopes` prints), styled, with whether the scope is selected.
pub fn detail_lines(
    sc: &CatalogScope,
    selected: bool,
    locked: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let d = present::scope::detail(sc);
    let mark = if locked {
        "  · always selected"
    } else if selected {
        "  · selected"
    } else {
        ""
    };
    let mut lines = vec![
        Line::styled(d.name, theme.heading()),
        Line::from(vec![
            Span::raw(d.id_and_type),
            Span::styled(mark.to_owned(), theme.ok()),
        ]),
        Line::raw(""),
        Line::raw(d.description),
        Line::raw(""),
    ];
    for (label, value) in d.facts {
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<15}"), theme.dim()),
            Span::raw(value),
        ]));
    }
    for section in d.sections {
        lines.push(Line::raw(""));
        lines.push(Line::styled(section.heading, theme.heading()));
        for item in section.items {
            lines.push(Line::raw(format!("  {}", item.line)));
            for note in item.notes {
                lines.push(Line::styled(format!("    {note}"), theme.dim()));
            }
        }
    }
    lines
}

fn detail(frame: &mut Frame, area: Rect, s: &ScopesState, theme: &Theme) {
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", strings::DETAIL_TITLE),
        theme.title(),
    ));
    let Some(sc) = s.current() else {
        frame.render_widget(Paragraph::new(strings::NO_SCOPE).block(block), area);
        return;
    };
    let idx = s.catalog.iter().position(|x| x.id == sc.id).unwrap_or(0);
    let lines = detail_lines(sc, s.selected.contains(&sc.id), s.is_locked(idx), theme);
    text_pane::render(frame, area, lines, s.detail_scroll, block);
}
