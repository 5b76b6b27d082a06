//! The Registration screen: profile name, client metadata and registration fields on the left;
//! the field under the cursor, then what happens after registration (with amounts) on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::app::screens::registration::{GROUP_CLIENT, GROUP_FIELDS, GROUP_PROFILE};
use crate::ui::widgets::form;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let r = &app.registration;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let title = format!(
        " {} · {} ",
        strings::REGISTRATION_TITLE,
        strings::problems(r.problems())
    );
    let heading = |group: &str| -> String {
        match group {
            GROUP_PROFILE => "This machine".to_owned(),
            GROUP_CLIENT => "Your app (RFC 7591 client metadata)".to_owned(),
            GROUP_FIELDS => "Asked by the selected scopes (CDS-WG1-02 §3.5)".to_owned(),
            other => other.to_owned(),
        }
    };
    form::list(frame, left, &r.form, title, &heading, theme, hits);
    let detail_height = (right.height / 2).max(6);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(detail_height), Constraint::Min(3)]).areas(right);
    form::detail(frame, top, &r.form, strings::FIELD_TITLE, theme);
    let mut lines: Vec<Line> = r
        .general
        .iter()
        .map(|g| Line::styled(format!("✗ {g}"), theme.error()))
        .collect();
    if r.checklist.is_empty() {
        lines.push(Line::styled(strings::NOTHING_AFTER, theme.dim()));
    }
    for c in &r.checklist {
        let mut head = vec![
            Span::styled("☐ ", theme.key()),
            Span::styled(c.kind.clone(), theme.heading()),
        ];
        if let Some(a) = &c.amount {
            head.push(Span::styled(format!("  {a}"), theme.warning()));
        }
        lines.push(Line::from(head));
        lines.push(Line::raw(format!("  {}", c.description)));
        let docs = if c.documentation.is_empty() {
            String::new()
        } else {
            format!(" · {}", c.documentation)
        };
        lines.push(Line::styled(
            format!("  for {}{docs}", c.scopes.join(", ")),
            theme.dim(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((r.detail_scroll, 0))
            .block(Block::bordered().title(Span::styled(strings::AFTER_TITLE, theme.title()))),
        bottom,
    );
}
