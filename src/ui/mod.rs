//! Drawing only: turns an [`App`] into a frame. No state changes, no I/O; every string here is
//! either from `strings` or was sanitized when the app state was built.

pub mod screens;
pub mod strings;
pub mod theme;
pub mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::keymap::{self, BINDINGS, Binding, Context};
use crate::app::{App, Overlay, Step, Target};
pub use theme::Theme;

/// Where clickable things were drawn in the last frame; the event loop resolves clicks here.
/// Also the addresses to turn into terminal links (OSC 8) once the frame is on screen: cells
/// cannot carry them, so the event loop writes them over the same text.
#[derive(Debug, Default)]
pub struct Hits(Vec<(Rect, Target)>, Vec<Link>);

/// `text`, drawn at (`x`, `y`), links to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub x: u16,
    pub y: u16,
    pub text: String,
    pub url: String,
}

impl Hits {
    /// Both are written inside an OSC 8 sequence: sanitized here, so neither can end it early
    /// or carry an escape of its own, whatever the caller passed.
    pub fn link(&mut self, x: u16, y: u16, text: &str, url: &str) {
        self.1.push(Link {
            x,
            y,
            text: crate::text::sanitize(text),
            url: crate::text::sanitize(url),
        });
    }

    pub fn links(&self) -> &[Link] {
        &self.1
    }

    pub fn add(&mut self, area: Rect, target: Target) {
        self.0.push((area, target));
    }

    /// One-row targets `Row(first)`, `Row(first + 1)`... down `area`, `count` of them at most.
    pub fn rows(&mut self, area: Rect, first: usize, count: usize) {
        for off in 0..(area.height as usize).min(count) {
            let row = Rect {
                y: area.y + off as u16,
                height: 1,
                ..area
            };
            self.add(row, Target::Row(first + off));
        }
    }

    /// The last target drawn at the cell (`x`, `y`): later ones are on top.
    pub fn at(&self, x: u16, y: u16) -> Option<Target> {
        self.0
            .iter()
            .rev()
            .find(|(r, _)| r.contains(ratatui::layout::Position { x, y }))
            .map(|(_, t)| *t)
    }
}

/// Draws the whole wizard and returns where its clickable parts are.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) -> Hits {
    let mut hits = Hits::default();
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    if app.step == Step::Catalog {
        screens::catalog::title(frame, top, app, theme);
    } else if matches!(app.step, Step::Home | Step::Console) {
        frame.render_widget(
            Paragraph::new(Line::styled(strings::APP_NAME, theme.title())),
            top,
        );
    } else {
        step_indicator(frame, top, app.step, theme, &mut hits);
    }
    match app.step {
        Step::Home => screens::home::render(frame, body, app, theme, &mut hits),
        Step::Discover => screens::discover::render(frame, body, app, theme, &mut hits),
        Step::Scopes => screens::scopes::render(frame, body, app, theme, &mut hits),
        Step::Modifiers => screens::modifiers::render(frame, body, app, theme, &mut hits),
        Step::Registration => screens::registration::render(frame, body, app, theme, &mut hits),
        Step::Review => screens::review::render(frame, body, app, theme),
        Step::Submit => screens::submit::render(frame, body, app, theme),
        Step::Authorize => screens::authorize::render(frame, body, app, theme, &mut hits),
        Step::Done => screens::done::render(frame, body, app, theme, &mut hits),
        Step::Console => screens::console::render(frame, body, app, theme, &mut hits),
        Step::Catalog => screens::catalog::render(frame, body, app, theme, &mut hits),
    }
    if app.inspector.open {
        // Drawn over the step, which keeps its state; nothing under it can be clicked.
        hits.0.clear();
        hits.1.clear();
        screens::inspector::render(frame, body, app, theme, &mut hits);
    }
    footer(frame, bottom, app, theme);
    match app.overlay {
        Some(Overlay::Help) => help(frame, frame.area(), app, theme),
        Some(Overlay::Confirm(q)) => widgets::confirm::render(
            frame,
            frame.area(),
            strings::confirm_title(q),
            strings::confirm_question(app, q),
            theme,
        ),
        None => {}
    }
    if app.overlay.is_some() {
        hits.0.clear();
        hits.1.clear();
    }
    hits
}

/// "1 Discovery › 2 Scopes › …": the current step highlighted; names shrink to numbers when
/// the line is too narrow.
fn step_indicator(frame: &mut Frame, area: Rect, current: Step, theme: &Theme, hits: &mut Hits) {
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
    let mut x = area.x;
    for (i, s) in Step::ALL.iter().enumerate() {
        let text = if short && *s != current {
            format!(" {} ", i + 1)
        } else {
            format!(" {} {} ", i + 1, strings::step_name(*s))
        };
        let w = text.chars().count() as u16;
        if x < area.right() {
            let width = w.min(area.right() - x);
            hits.add(Rect { x, width, ..area }, Target::Step(*s));
        }
        x = x.saturating_add(w + 1);
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
    // While every exchange is recorded to a file, its name stays at the right of the bar.
    let area = match &app.inspector.recording {
        Some(path) => {
            // In the Inspector its title names the file already.
            let text = strings::recording(if app.inspector.open { "" } else { path });
            let w = (text.chars().count() as u16 + 1).min(area.width / 2);
            let [rest, rec] =
                Layout::horizontal([Constraint::Min(0), Constraint::Length(w)]).areas(area);
            frame.render_widget(
                Paragraph::new(Line::styled(text, theme.error())).right_aligned(),
                rec,
            );
            rest
        }
        None => area,
    };
    if let Some(n) = &app.notice {
        let style = match n {
            crate::app::Notice::Info(_) => theme.ok(),
            _ => theme.warning(),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(strings::notice(n), style)),
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

/// The contexts a step's keys come from, for the help.
fn step_contexts(step: Step) -> &'static [Context] {
    match step {
        Step::Home => &[Context::Home, Context::Edit],
        Step::Discover => &[Context::Discover],
        Step::Scopes => &[Context::Scopes, Context::Search],
        Step::Modifiers | Step::Registration => &[Context::Form, Context::Edit],
        Step::Review => &[Context::Review],
        Step::Submit => &[Context::Submit],
        Step::Authorize => &[Context::Authorize, Context::Waiting, Context::Edit],
        Step::Done => &[Context::Done],
        Step::Console => &[
            Context::Console,
            Context::ConsoleClients,
            Context::ConsoleCredentials,
            Context::ConsoleMessages,
            Context::ConsoleGrants,
            Context::ConsoleFiles,
            Context::Search,
            Context::ConsoleForm,
        ],
        Step::Catalog => &[Context::Catalog, Context::Search],
    }
}

/// Every key of this step from the key table (and the global ones), in two columns.
fn help(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
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
    let left_lines = column(&[Context::Global]);
    let (left_lines, right_lines) = if app.inspector.open {
        // The Inspector keeps no global key but its own: its keys fill both columns.
        let mut all = column(&[Context::Inspector]);
        let right = all.split_off(all.len().div_ceil(2));
        (all, right)
    } else {
        (left_lines, column(step_contexts(app.step)))
    };
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
