//! The Inspector (issue 12 item 3): the session's HTTP exchanges as a list, and one exchange
//! in detail (headers, pretty-printed body, the findings about it, the request as curl).
//! Everything shown is redacted already and sanitized here (server text is hostile).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::screens::inspector::{Exchange, InspectorState, pretty_body};
use crate::text::{sanitize, sanitize_line};
use crate::ui::widgets::list::List;
use crate::ui::{Hits, Theme};

/// The keys, as the footer of each view says them.
const LIST_KEYS: &str = "↑/↓ move · Enter details · c copy as curl · r record on/off · Esc close";
const DETAIL_KEYS: &str = "↑/↓ scroll · ←/→ previous/next · c copy as curl · Esc back";

/// Draws the Inspector over `area` (it covers the screen it was opened from).
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &InspectorState,
    theme: &Theme,
    hits: &mut Hits,
) {
    frame.render_widget(Clear, area);
    let title = format!(
        " Inspector · {} exchange{} ",
        state.exchanges.len(),
        if state.exchanges.len() == 1 { "" } else { "s" }
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [status, body, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(recording_line(state, theme)), status);
    match (state.detail, state.selected()) {
        (true, Some(ex)) => {
            frame.render_widget(detail(state, ex, theme, body.height as usize), body);
            frame.render_widget(Paragraph::new(Span::styled(DETAIL_KEYS, theme.dim())), keys);
        }
        _ => {
            list(frame, body, state, theme, hits);
            frame.render_widget(Paragraph::new(Span::styled(LIST_KEYS, theme.dim())), keys);
        }
    }
}

fn recording_line<'a>(state: &InspectorState, theme: &Theme) -> Line<'a> {
    let mut spans = match &state.recording {
        Some(file) => vec![
            Span::styled("● recording to ", theme.error()),
            Span::raw(sanitize(file)),
        ],
        None => vec![Span::styled("○ not recording to a file", theme.dim())],
    };
    if state.dropped > 0 {
        spans.push(Span::styled(
            format!("  ({} not shown: too many at once)", state.dropped),
            theme.warning(),
        ));
    }
    Line::from(spans)
}

/// One row per exchange: time, method, status, duration, size, step, URL (cut to fit).
fn list(frame: &mut Frame, area: Rect, state: &InspectorState, theme: &Theme, hits: &mut Hits) {
    if state.exchanges.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No exchange yet: requests appear here as they run.",
                theme.dim(),
            )),
            area,
        );
        return;
    }
    let [head, rows] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    // time, method, status, ms, size, step, and the spaces between.
    let fixed = 12 + 1 + 7 + 4 + 8 + 9 + 1 + 12 + 1;
    let url_width = (area.width as usize).saturating_sub(fixed).max(10);
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                "{:<12} {:<7}{:<4}{:>8}{:>9} {:<12} URL",
                "time", "method", "st", "ms", "size", "step"
            ),
            theme.heading(),
        )),
        head,
    );
    List::new(state.exchanges.len(), state.cursor).render(frame, rows, hits, |i, at| {
        let ex = &state.exchanges[i];
        let status = ex.status.map_or("—".to_owned(), |s| s.to_string());
        let status_style = match ex.status {
            Some(s) if s < 400 && ex.error.is_none() => theme.ok(),
            _ => theme.error(),
        };
        let text = format!(
            "{:<12} {:<7}",
            ex.started.strftime("%H:%M:%S%.3f"),
            sanitize_line(&ex.method, 7)
        );
        let rest = format!(
            "{:>8}{:>9} {:<12} {}",
            ex.duration.as_millis(),
            size(ex.size),
            sanitize_line(&ex.step, 12),
            shown_url(ex, url_width)
        );
        let base = if at { theme.selected() } else { Style::new() };
        [Line::from(vec![
            Span::styled(text, base),
            Span::styled(format!("{status:<4}"), base.patch(status_style)),
            Span::styled(rest, base),
        ])]
    });
}

/// The URL, or its path and query when the whole does not fit, cut with `…`.
fn shown_url(ex: &Exchange, width: usize) -> String {
    let full = sanitize(&ex.url);
    let text = if full.chars().count() <= width {
        full
    } else {
        match url::Url::parse(&ex.url) {
            Ok(u) => sanitize(&u[url::Position::BeforePath..]),
            Err(_) => full,
        }
    };
    if text.chars().count() <= width {
        return text;
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// The detail view of one exchange, scrolled.
fn detail<'a>(
    state: &InspectorState,
    ex: &Exchange,
    theme: &Theme,
    height: usize,
) -> Paragraph<'a> {
    let mut lines: Vec<Line<'a>> = Vec::new();
    lines.push(Line::styled(
        format!("{} {}", sanitize(&ex.method), sanitize(&ex.url)),
        theme.heading(),
    ));
    let status = match ex.status {
        Some(s) => format!("{s}"),
        None => "no answer".to_owned(),
    };
    lines.push(Line::from(vec![
        Span::styled(
            status,
            if ex.status.is_some_and(|s| s < 400) {
                theme.ok()
            } else {
                theme.error()
            },
        ),
        Span::styled(
            format!(
                " · {} ms (first byte {} ms) · {} · step {}{}{}",
                ex.duration.as_millis(),
                ex.wait.as_millis(),
                size(ex.size),
                sanitize(&ex.step),
                if ex.inbound {
                    " · received by cds-wizard"
                } else {
                    ""
                },
                if ex.cut {
                    " · cut at the size limit"
                } else {
                    ""
                }
            ),
            theme.dim(),
        ),
    ]));
    if let Some(e) = &ex.error {
        lines.push(Line::styled(format!("✗ {}", sanitize(e)), theme.error()));
    }
    if let Some(to) = &ex.redirect_to {
        lines.push(Line::raw(format!("→ moved to {}", sanitize(to))));
    }
    section(&mut lines, "Request headers", theme);
    headers(&mut lines, &ex.request_headers, theme);
    if let Some(body) = &ex.request_body {
        section(&mut lines, "Request body", theme);
        lines.extend(body.lines().map(|l| Line::raw(sanitize(l))));
    }
    if ex.status.is_none() {
        section(&mut lines, "No response", theme);
    } else {
        section(&mut lines, "Response headers", theme);
        headers(&mut lines, &ex.response_headers, theme);
    }
    let findings = state.findings_of(ex);
    if !findings.is_empty() {
        section(&mut lines, &format!("Findings ({})", findings.len()), theme);
        for f in findings {
            lines.push(Line::from(vec![
                Span::styled(format!("{:?} ", f.severity), theme.warning()),
                Span::raw(sanitize(&format!(
                    "{} [{}] {}",
                    f.code, f.section, f.message
                ))),
            ]));
        }
    }
    if ex.status.is_some() {
        section(&mut lines, "Response body", theme);
        let body = pretty_body(ex);
        if body.is_empty() {
            lines.push(Line::styled("(empty)", theme.dim()));
        }
        lines.extend(body.lines().map(|l| Line::raw(sanitize(l))));
    }
    if ex.shortened {
        lines.push(Line::styled(
            "… (the rest is in the transcript file)",
            theme.dim(),
        ));
    }
    section(&mut lines, "As curl (c copies it)", theme);
    lines.extend(
        ex.curl()
            .lines()
            .map(|l| Line::styled(sanitize(l), theme.key())),
    );
    let max_scroll = lines.len().saturating_sub(height.max(1));
    let scroll = state.scroll.min(max_scroll) as u16;
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
}

fn section<'a>(lines: &mut Vec<Line<'a>>, title: &str, theme: &Theme) {
    lines.push(Line::raw(""));
    lines.push(Line::styled(title.to_owned(), theme.heading()));
}

fn headers<'a>(lines: &mut Vec<Line<'a>>, headers: &[(String, String)], theme: &Theme) {
    if headers.is_empty() {
        lines.push(Line::styled("(none)", theme.dim()));
    }
    for (k, v) in headers {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", sanitize(k)), theme.dim()),
            Span::raw(sanitize(v)),
        ]));
    }
}
