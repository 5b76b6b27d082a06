//! The Discovery screen: fetch progress while loading; then tabs with the utility card, the
//! coverage list and the findings; or the error with a retry hint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::screens::discover::{
    DiscoverState, DiscoverTab, DiscoveryView, FetchStatus, SeverityFilter, joined_list,
};
use crate::app::widgets::tabs::{self, Tab};
use crate::app::{App, Remote};
use crate::cds::conformance::Severity;
use crate::present::plural;
use crate::ui::widgets::list::List;
use crate::ui::widgets::{self, text_pane};
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let d = &app.discover;
    match &d.remote {
        Remote::Idle | Remote::Loading { .. } => loading(frame, area, app, theme),
        Remote::Failed(e) => failed(frame, area, app, &e.message, theme),
        Remote::Ready(view) => ready(frame, area, d, view, theme, hits),
    }
}

fn fetch_lines(d: &DiscoverState, theme: &Theme) -> Vec<Line<'static>> {
    if d.fetches.is_empty() {
        return vec![Line::styled(strings::NO_FETCHES_YET, theme.dim())];
    }
    let mut lines = Vec::new();
    for f in &d.fetches {
        // Status before the URL, so a narrow terminal cuts the URL, not the news.
        let (mark, style, status, below) = match &f.status {
            FetchStatus::Running => ("…", theme.warning(), String::new(), None),
            FetchStatus::Done { bytes, millis } => (
                "✓",
                theme.ok(),
                format!("{} {millis} ms", human_bytes(*bytes)),
                None,
            ),
            FetchStatus::Failed(e) => (
                "✗",
                theme.error(),
                strings::FETCH_FAILED.to_owned(),
                Some(e.clone()),
            ),
            FetchStatus::Moved { status, to } => (
                "↪",
                theme.warning(),
                format!("{status}"),
                Some(format!("→ {to}")),
            ),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(format!("{:<17}", f.what), theme.heading()),
            Span::styled(format!("{status:<15}"), style),
            Span::raw(f.url.clone()),
        ]));
        if let Some(b) = below {
            lines.push(Line::styled(format!("    {b}"), style));
        }
    }
    lines
}

fn human_bytes(n: usize) -> String {
    if n < 1000 {
        format!("{n} B")
    } else if n < 1_000_000 {
        format!("{:.1} kB", n as f64 / 1000.0)
    } else {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    }
}

fn loading(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let secs = match app.discover.remote {
        Remote::Loading { since, .. } => app.now.saturating_duration_since(since).as_secs_f32(),
        _ => 0.0,
    };
    let title = Line::from(vec![
        Span::styled(format!(" {} ", strings::DISCOVERING), theme.title()),
        Span::raw(format!("{} ", app.url)),
        Span::styled(format!("{secs:.1} s "), theme.dim()),
    ]);
    let lines = fetch_lines(&app.discover, theme);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

fn failed(frame: &mut Frame, area: Rect, app: &App, message: &str, theme: &Theme) {
    let mut lines = vec![
        Line::styled(message.to_owned(), theme.error()),
        Line::raw(""),
        Line::raw(strings::RETRY_HINT),
        Line::raw(""),
    ];
    lines.extend(fetch_lines(&app.discover, theme));
    let title = Line::from(vec![
        Span::styled(format!(" {} ", strings::DISCOVERY_FAILED), theme.error()),
        Span::raw(format!("{} ", app.url)),
    ]);
    text_pane::render(frame, area, lines, 0, Block::bordered().title(title));
}

fn ready(
    frame: &mut Frame,
    area: Rect,
    d: &DiscoverState,
    v: &DiscoveryView,
    theme: &Theme,
    hits: &mut Hits,
) {
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let labels: Vec<String> = DiscoverTab::ALL
        .iter()
        .map(|t| tab_label(*t, d, v))
        .collect();
    widgets::tabs::render(frame, tabs, &labels, tabs::index(d.tab), theme, hits);
    match d.tab {
        // Wide terminals have room for the card and the coverage side by side.
        DiscoverTab::Utility if body.width >= 110 => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(body);
            utility(frame, left, v, d.utility_scroll, theme);
            coverage(frame, right, d, v, theme, false, hits);
        }
        DiscoverTab::Utility => utility(frame, body, v, d.utility_scroll, theme),
        DiscoverTab::Coverage => coverage(frame, body, d, v, theme, true, hits),
        DiscoverTab::Findings => findings(frame, body, d, theme, hits),
    }
}

/// A tab's label, with what it holds: the number of entries, of findings and their filter.
fn tab_label(tab: DiscoverTab, d: &DiscoverState, v: &DiscoveryView) -> String {
    match tab {
        DiscoverTab::Utility => format!(" {} ", strings::TAB_UTILITY),
        DiscoverTab::Coverage => format!(" {} ({}) ", strings::TAB_COVERAGE, v.coverage.len()),
        DiscoverTab::Findings => {
            let filter = match d.min_severity {
                SeverityFilter::All => strings::FILTER_ALL,
                SeverityFilter::Warnings => strings::FILTER_WARNINGS,
                SeverityFilter::Errors => strings::FILTER_ERRORS,
            };
            format!(
                " {} ({} error{}, {} warning{}; {filter}) ",
                strings::TAB_FINDINGS,
                v.errors,
                plural(v.errors),
                v.warnings,
                plural(v.warnings),
            )
        }
    }
}

fn utility(frame: &mut Frame, area: Rect, v: &DiscoveryView, scroll: usize, theme: &Theme) {
    let label = |l: &str| Span::styled(format!("{l:<14}"), theme.dim());
    let mut lines = vec![Line::raw(v.description.clone()), Line::raw("")];
    lines.push(Line::from(vec![
        label(strings::LABEL_METADATA),
        Span::raw(v.metadata_url.clone()),
    ]));
    lines.push(Line::from(vec![
        label(strings::LABEL_DRAFT),
        Span::raw(v.draft.clone()),
    ]));
    for (k, url) in &v.links {
        lines.push(Line::from(vec![
            label(k),
            Span::styled(url.clone(), theme.link()),
        ]));
    }
    lines.push(Line::from(vec![
        label(strings::LABEL_CAPABILITIES),
        Span::raw(v.capabilities.join(", ")),
    ]));
    if let Some(tz) = &v.timezone {
        lines.push(Line::from(vec![
            label(strings::LABEL_TIMEZONE),
            Span::raw(tz.clone()),
        ]));
    }
    if !v.related.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{} ({})", strings::LABEL_RELATED, v.related.len()),
            theme.heading(),
        ));
        for r in &v.related {
            let name = if r.name.is_empty() {
                strings::UNNAMED.to_owned()
            } else {
                r.name.clone()
            };
            lines.push(Line::from(vec![
                Span::raw(format!("  {name}  ")),
                Span::styled(r.url.clone(), theme.link()),
            ]));
            match &r.error {
                Some(e) => lines.push(Line::styled(
                    format!("    {}: {e}", strings::UNREACHABLE),
                    theme.error(),
                )),
                None => lines.push(Line::styled(
                    format!(
                        "    {}: {}",
                        strings::LABEL_CAPABILITIES,
                        if r.capabilities.is_empty() {
                            strings::NONE.to_owned()
                        } else {
                            r.capabilities.join(", ")
                        }
                    ),
                    theme.dim(),
                )),
            }
        }
    }
    let title = Span::styled(format!(" {} ", v.name), theme.title());
    // Lines before wrapping: a slight under-count, so the last lines may need one more key.
    let scroll = scroll.min(lines.len().saturating_sub(1)) as u16;
    text_pane::render(frame, area, lines, scroll, Block::bordered().title(title));
}

/// The coverage entries; `focused` shows the cursor (it is not where keys go otherwise).
fn coverage(
    frame: &mut Frame,
    area: Rect,
    d: &DiscoverState,
    v: &DiscoveryView,
    theme: &Theme,
    focused: bool,
    hits: &mut Hits,
) {
    let mut title = format!(
        " {} ({}) · {} page{} ",
        strings::TAB_COVERAGE,
        v.coverage.len(),
        v.coverage_pages,
        if v.coverage_pages == 1 { "" } else { "s" }
    );
    if !v.coverage_complete {
        title = format!("{title}· {} ", strings::COVERAGE_INCOMPLETE);
    }
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if v.coverage.is_empty() {
        frame.render_widget(Paragraph::new(strings::NO_COVERAGE), inner);
        return;
    }
    // Two rows per entry; only the visible window is built, so long listings stay cheap.
    List::new(v.coverage.len(), d.coverage_cursor)
        .item_height(2)
        .clickable(focused)
        .render(frame, inner, hits, |i, at| {
            let e = &v.coverage[i];
            let sel = focused && at;
            let style = if sel { theme.selected() } else { Style::new() };
            [
                Line::from(vec![
                    Span::styled(format!("{} ", if sel { "▶" } else { " " }), style),
                    Span::styled(e.name.to_string(), style.patch(theme.heading())),
                    Span::styled(format!("  {} · {}", e.id, e.entity_name), theme.dim()),
                ]),
                Line::from(vec![
                    Span::raw("    "),
                    Span::raw(format!(
                        "{} · {} · {} · {}",
                        e.coverage_type,
                        e.role,
                        joined_list(&e.commodity_types),
                        joined_list(&e.infrastructure_types)
                    )),
                ]),
            ]
        });
}

fn severity_style(s: Severity, theme: &Theme) -> Style {
    match s {
        Severity::Error => theme.error(),
        Severity::Warning => theme.warning(),
        Severity::Info => theme.dim(),
    }
}

fn findings(frame: &mut Frame, area: Rect, d: &DiscoverState, theme: &Theme, hits: &mut Hits) {
    let visible = d.visible_findings();
    let detail_height = if visible.is_empty() { 0 } else { 6 };
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_height)]).areas(area);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ({} shown) ", strings::TAB_FINDINGS, visible.len()),
        theme.title(),
    ));
    let inner = block.inner(list_area);
    frame.render_widget(block, list_area);
    if visible.is_empty() {
        frame.render_widget(Paragraph::new(strings::NO_FINDINGS), inner);
        return;
    }
    List::new(visible.len(), d.findings_cursor).render(frame, inner, hits, |i, at| {
        let f = visible[i];
        let base = if at { theme.selected() } else { Style::new() };
        [Line::from(vec![
            Span::styled(
                format!("{:<8}", f.severity.as_str()),
                base.patch(severity_style(f.severity, theme)),
            ),
            Span::styled(format!("{}  ", f.code), base),
            Span::styled(f.message.clone(), base),
        ])]
    });
    if let Some(f) = visible.get(d.findings_cursor) {
        let text = vec![
            Line::styled(format!("{} · {}", f.code, f.section), theme.heading()),
            Line::raw(f.message.clone()),
        ];
        text_pane::render(frame, detail_area, text, 0, Block::bordered());
    }
}
