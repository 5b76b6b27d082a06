//! Drawing only: turns an [`App`] into a frame. No state changes, no I/O; every string here is
//! either from `strings` or was sanitized when the app state was built.

pub mod screens;
pub mod strings;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::keymap::{self, BINDINGS, Binding, Context};
use crate::app::{App, Overlay, Step};
pub use theme::Theme;

/// Draws the whole wizard.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    step_indicator(frame, top, app.step, theme);
    match app.step {
        Step::Scopes => screens::scopes::render(frame, body, app, theme),
        _ => screens::discover::render(frame, body, app, theme),
    }
    footer(frame, bottom, app, theme);
    match app.overlay {
        Some(Overlay::Help) => help(frame, frame.area(), theme),
        Some(Overlay::ConfirmQuit) => confirm_quit(frame, frame.area(), theme),
        None => {}
    }
}

/// "1 Discovery › 2 Scopes › …": the current step highlighted; names shrink to numbers when
/// the line is too narrow.
fn step_indicator(frame: &mut Frame, area: Rect, current: Step, theme: &Theme) {
    let full: usize = Step::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(" {} {} ", i + 1, strings::step_name(*s))
                .chars()
                .count()
                + 1
        })
        .sum();
    let short = full > area.width as usize;
    let mut spans = Vec::new();
    for (i, s) in Step::ALL.iter().enumerate() {
        let text = if short && *s != current {
            format!(" {} ", i + 1)
        } else {
            format!(" {} {} ", i + 1, strings::step_name(*s))
        };
        let style = if *s == current {
            theme.current_step()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(text, style));
        if i + 1 < Step::ALL.len() {
            spans.push(Span::styled("›", theme.dim()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(n) = app.notice {
        frame.render_widget(
            Paragraph::new(Line::styled(strings::notice(n), theme.warning())),
            area,
        );
        return;
    }
    let mut spans = Vec::new();
    for b in keymap::hints(app.context()) {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::raw(" "));
        spans.push(Span::raw(b.hint));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A rectangle of at most `w`×`h` centered in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn confirm_quit(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 56, 6);
    frame.render_widget(Clear, rect);
    let hints = keymap::hints(Context::Confirm);
    let mut keys = Vec::new();
    for b in hints {
        if !keys.is_empty() {
            keys.push(Span::styled(" · ", theme.dim()));
        }
        keys.push(Span::styled(b.label, theme.key()));
        keys.push(Span::raw(format!(" {}", b.hint)));
    }
    let text = vec![
        Line::raw(strings::CONFIRM_QUIT),
        Line::raw(""),
        Line::from(keys),
    ];
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::bordered().title(Span::styled(strings::CONFIRM_QUIT_TITLE, theme.title())),
        ),
        rect,
    );
}

/// Every key from the key table, in two columns.
fn help(frame: &mut Frame, area: Rect, theme: &Theme) {
    let column = |contexts: &[Context]| -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for cx in contexts {
            lines.push(Line::styled(cx.title(), theme.heading()));
            let mut seen: Vec<&Binding> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.context == *cx) {
                // Ctrl-C is repeated in every context for handling; the help says it once.
                if *cx != Context::Global && b.action == crate::app::keymap::Action::ForceQuit {
                    continue;
                }
                if seen.iter().any(|s| s.label == b.label && s.help == b.help) {
                    continue;
                }
                seen.push(b);
                lines.push(Line::from(vec![
                    Span::styled(format!(" {:<10}", b.label), theme.key()),
                    Span::raw(b.help),
                ]));
            }
        }
        lines
    };
    let left_lines = column(&[Context::Global, Context::Discover]);
    let right_lines = column(&[Context::Scopes, Context::Search, Context::Confirm]);
    let height = left_lines.len().max(right_lines.len()) as u16 + 2;
    let rect = centered(area, area.width.saturating_sub(2).min(130), height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(strings::HELP_TITLE, theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    frame.render_widget(Paragraph::new(left_lines), left);
    frame.render_widget(Paragraph::new(right_lines), right);
}

/// The first row to draw so that `cursor` stays visible in `height` rows (kept near the middle).
pub fn window(cursor: usize, len: usize, height: usize) -> usize {
    if len <= height || height == 0 {
        return 0;
    }
    cursor.saturating_sub(height / 2).min(len - height)
}
