//! The Review screen: the endpoint and the exact request JSON that will be sent (file contents
//! shortened to their size), and how to export it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::text::sanitize;
use crate::ui::{Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::bordered().title(Span::styled(strings::REVIEW_TITLE, theme.title()));
    let Some(plan) = &app.registration.plan else {
        frame.render_widget(Paragraph::new(strings::NO_PLAN).block(block), area);
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("POST ", theme.key()),
            Span::raw(sanitize(plan.endpoint.as_str())),
        ]),
        Line::styled(
            format!(
                "profile `{}` · Content-Type: application/json · {} bytes{}",
                app.registration.profile_name(),
                plan.body().len(),
                if plan.files.is_empty() {
                    String::new()
                } else {
                    format!(
                        " · {} shown by size",
                        crate::text::count(plan.files.len(), "file", "files")
                    )
                }
            ),
            theme.dim(),
        ),
        Line::styled(strings::REVIEW_EXPORT, theme.dim()),
        Line::raw(""),
    ];
    let json = serde_json::to_string_pretty(&plan.redacted_request()).unwrap_or_default();
    lines.extend(json.lines().map(|l| Line::raw(sanitize(l))));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((app.review.scroll, 0))
            .block(block),
        area,
    );
}
