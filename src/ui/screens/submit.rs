//! The Submit screen: each engine step as it runs, then the clients and what remains to do; on
//! failure the message and how to go on.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::app::screens::submit::StepState;
use crate::present::register::{self, Todo};
use crate::text::sanitize;
use crate::ui::{Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let s = &app.submit;
    let mut lines = vec![Line::styled(
        format!("Registering as profile `{}`", s.profile),
        theme.heading(),
    )];
    for (step, state) in &s.steps {
        let (mark, style, detail) = match state {
            StepState::Pending => ("·", theme.dim(), String::new()),
            StepState::Running => (strings::spinner(app), theme.key(), String::new()),
            StepState::Done(d) => ("✓", theme.ok(), d.clone()),
            StepState::Failed => ("✗", theme.error(), String::new()),
        };
        let mut spans = vec![
            Span::styled(format!(" {mark} "), style),
            Span::raw(strings::register_step(*step)),
        ];
        if !detail.is_empty() {
            spans.push(Span::styled(format!(" — {detail}"), theme.dim()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    if let Some(f) = &s.failure {
        lines.push(Line::styled(format!("✗ {}", f.message), theme.error()));
        lines.push(Line::raw(if f.resumable {
            strings::RESUME_HINT
        } else {
            strings::RETRY_SUBMIT_HINT
        }));
    }
    if let Some(o) = &s.outcome {
        lines.push(Line::styled(strings::REGISTERED, theme.ok()));
        for c in &o.clients {
            lines.push(Line::raw(format!(
                " {} · {} · {}",
                sanitize(&c.client_id),
                sanitize(&c.status),
                sanitize(&c.scope)
            )));
        }
        if !o.todo.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled(strings::TODO_TITLE, theme.heading()));
            for t in &o.todo {
                lines.extend(todo_lines(register::todo(t), theme));
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::raw(strings::AUTHORIZE_NEXT));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(strings::SUBMIT_TITLE, theme.title()))),
        area,
    );
}

/// A to-do item in the words `cds-wizard register` uses (`present::register::todo`): the
/// headline with a box to tick, then its description and link.
pub fn todo_lines(t: Todo, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(" ☐ ", theme.key()),
        Span::raw(t.headline),
    ])];
    if let Some(d) = t.description {
        lines.push(Line::styled(format!("   {d}"), theme.dim()));
    }
    if let Some(l) = t.link {
        lines.push(Line::styled(format!("   {l}"), theme.link()));
    }
    lines
}
