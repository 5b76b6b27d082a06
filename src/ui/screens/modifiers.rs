//! The Modifiers screen: the form of every authorization details field of the selected scopes
//! on the left; the field under the cursor and the live `authorization_details` preview on the
//! right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::ui::widgets::form;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let m = &app.modifiers;
    if m.scopes.is_empty() {
        let mut lines = vec![Line::raw(strings::NO_MODIFIERS), Line::raw("")];
        if !m.per_request.is_empty() {
            lines.push(Line::raw(strings::per_request(&m.per_request)));
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(strings::NO_MODIFIERS_NEXT, theme.dim()));
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::bordered().title(Span::styled(strings::MODIFIERS_TITLE, theme.title())),
            ),
            area,
        );
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let title = format!(
        " {} · {} scope{} · {} ",
        strings::MODIFIERS_TITLE,
        m.scopes.len(),
        if m.scopes.len() == 1 { "" } else { "s" },
        strings::problems(m.problems())
    );
    let heading = |group: &str| -> String {
        m.scopes
            .iter()
            .find(|s| s.id == group)
            .map_or_else(|| group.to_owned(), |s| format!("{} — {}", s.id, s.name))
    };
    form::list(frame, left, &m.form, title, &heading, theme, hits);
    let detail_height = (right.height / 2).max(6);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(detail_height), Constraint::Min(3)]).areas(right);
    form::detail(frame, top, &m.form, strings::FIELD_TITLE, theme);
    let mut lines: Vec<Line> = m
        .general
        .iter()
        .map(|g| Line::styled(format!("✗ {g}"), theme.error()))
        .collect();
    if !m.per_request.is_empty() {
        lines.push(Line::styled(
            strings::per_request(&m.per_request),
            theme.dim(),
        ));
    }
    lines.extend(m.preview.iter().map(|l| Line::raw(l.clone())));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((m.preview_scroll, 0))
            .block(Block::bordered().title(Span::styled(strings::PREVIEW_TITLE, theme.title()))),
        bottom,
    );
}
