//! The Inspector (issue 12 point 3), drawn over the current step: the session's exchanges as
//! a list (time, method, status, duration, size, step, address), or one exchange in detail
//! (headers, bodies, findings about the document, the request as curl). All text was
//! sanitized when the rows and the detail were built (`present::transcript`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::screens::inspector::{
    DetailState, DetailTab, InspectorState, detail_rows, findings_for,
};
use crate::app::widgets::tabs::{self, Tab};
use crate::cds::conformance::Severity;
use crate::present::transcript::{ExchangeRow, Outcome};
use crate::ui::widgets::list::List;
use crate::ui::widgets::tabs as tab_row;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    frame.render_widget(Clear, area);
    let s = &app.inspector;
    let block = Block::bordered()
        .title(Span::styled(title(s), theme.title()))
        .title_top(recording_title(s, theme).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &s.detail {
        None => list(frame, inner, app, theme, hits),
        Some(d) => detail(frame, inner, app, d, theme, hits),
    }
}

fn title(s: &InspectorState) -> String {
    let n = s.entries.len() as u64 + s.evicted;
    match &s.detail {
        Some(d) => format!(" {} · #{} ", strings::INSPECTOR_TITLE, d.view.id),
        None => format!(
            " {} · {n} exchange{} ",
            strings::INSPECTOR_TITLE,
            crate::present::plural(n as usize)
        ),
    }
}

/// The file being written, or how to start writing one.
fn recording_title<'a>(s: &'a InspectorState, theme: &Theme) -> Line<'a> {
    match &s.recording {
        Some(path) => Line::from(vec![
            Span::styled(" ● REC ", theme.error()),
            Span::raw(path.as_str()),
            Span::raw(" "),
        ]),
        None => Line::styled(strings::NOT_RECORDING, theme.dim()),
    }
}

/// Column widths: time, method, status, duration, size, step, the mark of findings about the
/// document; the address takes the rest.
const COLUMNS: [usize; 7] = [8, 6, 3, 8, 8, 12, 1];

fn columns(width: usize) -> ([usize; 7], usize) {
    let mut c = COLUMNS;
    if width < 100 {
        c[5] = 10;
    }
    let used: usize = c.iter().map(|w| w + 1).sum();
    (c, width.saturating_sub(used))
}

/// `text` in `w` columns: padded, or cut with an ellipsis at the end (`keep_end` cuts the start
/// instead: an address is told apart by its end).
fn fit(text: &str, w: usize, right: bool, keep_end: bool) -> String {
    let n = text.chars().count();
    let cut = if n <= w {
        text.to_owned()
    } else if w == 0 {
        String::new()
    } else if keep_end {
        let tail: String = text.chars().skip(n - (w - 1)).collect();
        format!("…{tail}")
    } else {
        let head: String = text.chars().take(w - 1).collect();
        format!("{head}…")
    };
    if right {
        format!("{cut:>w$}")
    } else {
        format!("{cut:<w$}")
    }
}

/// The utility's origin without its scheme (`host:port`): rows on it show only their path.
fn home_origin(app: &App) -> String {
    let rest = app
        .url
        .split_once("://")
        .map_or(app.url.as_str(), |(_, r)| r);
    rest.split('/').next().unwrap_or("").to_owned()
}

/// A row's address: its path when it is on the utility's origin, all of it otherwise.
fn short<'a>(url: &'a str, origin: &str) -> &'a str {
    match url.strip_prefix(origin) {
        Some(path) if !origin.is_empty() && (path.is_empty() || path.starts_with(['/', '?'])) => {
            if path.is_empty() {
                "/"
            } else {
                path
            }
        }
        _ => url,
    }
}

/// The most severe finding discovery made about the document at `url`, as a mark.
fn mark(app: &App, url: &str, theme: &Theme) -> (&'static str, Style) {
    let worst = findings_for(app, url).iter().map(|f| f.severity).min();
    match worst {
        Some(Severity::Error) => (strings::FINDING_MARKS[0], theme.error()),
        Some(Severity::Warning) => (strings::FINDING_MARKS[1], theme.warning()),
        Some(Severity::Info) => (strings::FINDING_MARKS[2], theme.dim()),
        None => (" ", Style::new()),
    }
}

fn row_line(
    r: &ExchangeRow,
    url: &str,
    (mark, mark_style): (&'static str, Style),
    width: usize,
    at: bool,
    theme: &Theme,
) -> Line<'static> {
    let (c, url_w) = columns(width);
    let status_style = match r.outcome {
        Outcome::Ok => theme.ok(),
        Outcome::Redirect => theme.dim(),
        Outcome::Failed => theme.error(),
        Outcome::Inbound => theme.key(),
    };
    let base = if at { theme.selected() } else { Style::new() };
    let status = if at { base } else { status_style };
    Line::from(vec![
        Span::styled(format!("{} ", fit(&r.time, c[0], false, false)), base),
        Span::styled(format!("{} ", fit(&r.method, c[1], false, false)), base),
        Span::styled(format!("{} ", fit(&r.status, c[2], false, false)), status),
        Span::styled(format!("{} ", fit(&r.duration, c[3], true, false)), base),
        Span::styled(format!("{} ", fit(&r.size, c[4], true, false)), base),
        Span::styled(format!("{} ", fit(&r.step, c[5], false, false)), base),
        Span::styled(format!("{mark} "), if at { base } else { mark_style }),
        Span::styled(fit(url, url_w, false, true), base),
    ])
}

fn list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let s = &app.inspector;
    let origin = home_origin(app);
    let [head, rows, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let width = area.width as usize;
    let (c, url_w) = columns(width);
    let h = strings::INSPECTOR_COLUMNS;
    let header: String = [
        fit(h[0], c[0], false, false),
        fit(h[1], c[1], false, false),
        fit(h[2], c[2], false, false),
        fit(h[3], c[3], true, false),
        fit(h[4], c[4], true, false),
        fit(h[5], c[5], false, false),
        fit("", c[6], false, false),
        fit(&strings::inspector_url_column(&origin), url_w, false, false),
    ]
    .join(" ");
    frame.render_widget(Paragraph::new(Line::styled(header, theme.heading())), head);
    if s.entries.is_empty() {
        frame.render_widget(
            Paragraph::new(strings::NO_EXCHANGES)
                .style(theme.dim())
                .wrap(Wrap { trim: false }),
            rows,
        );
        return;
    }
    // The whole address of the exchange under the cursor (the column may have cut it).
    if let Some(e) = s.current() {
        let text = format!("#{} {} {}", e.row.id, e.row.method, e.row.full_url);
        frame.render_widget(
            Paragraph::new(Line::styled(fit(&text, width, false, true), theme.dim())),
            foot,
        );
    }
    List::new(s.entries.len(), s.cursor).render(frame, rows, hits, |i, at| {
        let r = &s.entries[i].row;
        let m = mark(app, &r.full_url, theme);
        [row_line(r, short(&r.url, &origin), m, width, at, theme)]
    });
}

fn tab_label(app: &App, d: &DetailState, t: DetailTab) -> String {
    let v = &d.view;
    let count = |n: usize| {
        if n == 0 {
            String::new()
        } else {
            format!(" ({n})")
        }
    };
    let name = match t {
        DetailTab::Headers => strings::TAB_HEADERS.to_owned(),
        DetailTab::Request => strings::TAB_REQUEST.to_owned(),
        DetailTab::Response => strings::TAB_RESPONSE.to_owned(),
        DetailTab::Findings => format!(
            "{}{}",
            strings::TAB_FINDINGS,
            count(findings_for(app, &v.url).len())
        ),
        DetailTab::Curl => strings::TAB_CURL.to_owned(),
    };
    format!(" {name} ")
}

fn detail(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    d: &DetailState,
    theme: &Theme,
    hits: &mut Hits,
) {
    let [headline, url, tab_area, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    let v = &d.view;
    frame.render_widget(
        Paragraph::new(Line::styled(v.headline.clone(), theme.heading())),
        headline,
    );
    frame.render_widget(
        Paragraph::new(fit(&v.url, url.width as usize, false, true)),
        url,
    );
    let labels: Vec<String> = DetailTab::ALL
        .iter()
        .map(|t| tab_label(app, d, *t))
        .collect();
    tab_row::render(frame, tab_area, &labels, tabs::index(d.tab), theme, hits);
    let lines = match d.tab {
        DetailTab::Headers => headers(d, theme),
        DetailTab::Request => body_lines(&v.request_body, strings::NO_REQUEST_BODY),
        DetailTab::Response => body_lines(&v.response_body, strings::NO_RESPONSE_BODY),
        DetailTab::Findings => findings(app, d, theme),
        DetailTab::Curl => {
            let mut l = vec![Line::styled(strings::CURL_NOTE, theme.dim()), Line::raw("")];
            l.extend(v.curl.iter().map(|c| Line::raw(c.clone())));
            l
        }
    };
    // The same limit the app scrolls to, so the last row can reach the bottom and no further.
    let rows = detail_rows(app, body.width as usize);
    let limit = rows.saturating_sub(body.height as usize);
    let scroll = d.scroll.min(limit).min(u16::MAX as usize) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
}

fn headers(d: &DetailState, theme: &Theme) -> Vec<Line<'static>> {
    let v = &d.view;
    let mut lines: Vec<Line<'static>> = v
        .facts
        .iter()
        .map(|(label, value)| {
            Line::from(vec![
                Span::styled(format!("{label:<11} "), theme.dim()),
                Span::raw(value.clone()),
            ])
        })
        .collect();
    for (title, list) in [
        (strings::REQUEST_HEADERS, &v.request_headers),
        (strings::RESPONSE_HEADERS, &v.response_headers),
    ] {
        lines.push(Line::raw(""));
        lines.push(Line::styled(title, theme.heading()));
        if list.is_empty() {
            lines.push(Line::styled(strings::NONE, theme.dim()));
        }
        for (k, val) in list {
            lines.push(Line::from(vec![
                Span::styled(format!("{k}: "), theme.key()),
                Span::raw(val.clone()),
            ]));
        }
    }
    lines
}

fn body_lines(body: &[String], empty: &'static str) -> Vec<Line<'static>> {
    if body.is_empty() {
        return vec![Line::raw(empty)];
    }
    body.iter().map(|l| Line::raw(l.clone())).collect()
}

fn findings(app: &App, d: &DetailState, theme: &Theme) -> Vec<Line<'static>> {
    let found = findings_for(app, &d.view.url);
    if found.is_empty() {
        return vec![Line::styled(strings::NO_DOCUMENT_FINDINGS, theme.dim())];
    }
    let mut lines = Vec::new();
    for f in found {
        let style = match f.severity {
            Severity::Error => theme.error(),
            Severity::Warning => theme.warning(),
            Severity::Info => theme.dim(),
        };
        let label = f.severity.as_str();
        lines.push(Line::from(vec![
            Span::styled(format!("{label} "), style),
            Span::styled(f.code.clone(), theme.heading()),
            Span::styled(format!("  {}", f.section), theme.dim()),
        ]));
        lines.push(Line::raw(format!("  {}", f.message)));
        if !f.pointer.is_empty() {
            lines.push(Line::styled(format!("  at {}", f.pointer), theme.dim()));
        }
        lines.push(Line::raw(""));
    }
    lines
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::app::screens::inspector::wrapped_rows;

    /// The rows a wrapped paragraph of `line` takes when drawn `width` wide.
    fn drawn_rows(line: &str, width: u16) -> usize {
        let mut t = Terminal::new(TestBackend::new(width, 40)).unwrap();
        t.draw(|f| {
            let p = Paragraph::new(line.to_owned()).wrap(Wrap { trim: false });
            f.render_widget(p, f.area());
        })
        .unwrap();
        let text = t.backend().to_string();
        let rows: Vec<&str> = text.lines().collect();
        rows.iter()
            .rposition(|r| r.trim_matches(['"', ' ']).chars().count() > 0)
            .map_or(1, |i| i + 1)
    }

    #[test]
    fn the_scroll_limit_counts_rows_as_they_are_drawn() {
        for line in [
            "authorization: Basic [redacted:client_credentials]",
            "  \"pushed_authorization_request_endpoint\": \"http://127.0.0.1:40000/oauth/par\",",
            "URL         http://127.0.0.1:40000/.well-known/oauth-authorization-server?x=1",
            "a-very-long-word-without-any-space-at-all-that-must-be-broken-somewhere-in-it",
            "  `client_admin` (CDSC 2025) read as `cds_client_admin` (document is CDSC 2025)",
        ] {
            for width in [20u16, 33, 78] {
                assert_eq!(
                    wrapped_rows(line, width as usize),
                    drawn_rows(line, width),
                    "{line:?} at {width}"
                );
            }
        }
        // Words and runs of spaces of every length, at narrow widths.
        let mut seed = 7u32;
        for _ in 0..300 {
            let mut line = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let word = (seed >> 16) as usize % 14;
                let spaces = (seed >> 8) as usize % 4;
                line.push_str(&"x".repeat(word));
                line.push_str(&" ".repeat(spaces));
            }
            // (A row of nothing but spaces at the end cannot be told from no row here.)
            let line = line.trim_end();
            for width in [5u16, 9, 16] {
                assert_eq!(
                    wrapped_rows(line, width as usize),
                    drawn_rows(line, width),
                    "{line:?} at {width}"
                );
            }
        }
    }
}
