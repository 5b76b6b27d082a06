//! The Scopes screen: the catalog grouped by type with selection marks and the `/` search on
//! the left, everything about the scope under the cursor on the right (CDS-WG1-02 §3.4–3.10).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::app::screens::scopes::{Row, ScopesState};
use crate::cds::catalog::{CatalogRequirement, CatalogScope};
use crate::text::sanitize;
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
    let list_width = if area.width >= 110 {
        48
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

fn joined(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_owned()
    } else {
        v.join(", ")
    }
}

fn requirement_line(r: &CatalogRequirement) -> String {
    if r.unresolved {
        return format!("{} (not described by the server)", r.id);
    }
    let mut kind = r.field_type.clone();
    if let Some(f) = &r.format {
        kind.push_str(&format!(", {f}"));
    }
    let mut line = format!("{} [{kind}]", r.id);
    if let (Some(a), Some(c)) = (&r.amount, &r.currency) {
        line.push_str(&format!(" costs {a} {c}"));
    }
    line
}

fn detail_lines(
    sc: &CatalogScope,
    selected: bool,
    locked: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let label = |l: &str| Span::styled(format!("{l:<15}"), theme.dim());
    let row = |l: &str, v: String| Line::from(vec![label(l), Span::raw(v)]);
    let mut lines = vec![
        Line::styled(sc.name.clone(), theme.heading()),
        Line::from(vec![
            Span::raw(format!("{} · {}", sc.id, sc.scope_type)),
            Span::styled(
                if locked {
                    "  · always selected".to_owned()
                } else if selected {
                    "  · selected".to_owned()
                } else {
                    String::new()
                },
                theme.ok(),
            ),
        ]),
        Line::raw(""),
        Line::raw(sc.description.clone()),
        Line::raw(""),
        row("docs", sc.documentation.clone()),
        row("grant types", joined(&sc.grant_types)),
        row("response types", joined(&sc.response_types)),
        row("auth methods", joined(&sc.auth_methods)),
        row("PKCE", joined(&sc.pkce_methods)),
    ];
    if let Some(g) = &sc.grant_admin_scope {
        lines.push(row("grant admin", g.clone()));
    }
    if !sc.authorization_details_types.is_empty() {
        lines.push(row(
            "details types",
            joined(&sc.authorization_details_types),
        ));
    }
    if !sc.coverages.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Coverages ({})", sc.coverages.len()),
            theme.heading(),
        ));
        for c in &sc.coverages {
            lines.push(Line::raw(match &c.name {
                Some(n) => format!("  {n} ({})", c.id),
                None => format!("  {} (not in the coverage listing)", c.id),
            }));
        }
    }
    for (title, reqs) in [
        ("Registering requires", &sc.registration_requirements),
        ("Optional at registration", &sc.registration_optional),
    ] {
        if reqs.is_empty() {
            continue;
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(title.to_owned(), theme.heading()));
        for r in reqs.iter() {
            lines.push(Line::raw(format!("  {}", requirement_line(r))));
            if !r.description.is_empty() {
                lines.push(Line::styled(format!("    {}", r.description), theme.dim()));
            }
        }
    }
    if !sc.authorization_details_fields.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Modifiers ({})", sc.authorization_details_fields.len()),
            theme.heading(),
        ));
        for m in &sc.authorization_details_fields {
            let mut head = format!("  {} ({}", m.id, m.format);
            if m.required {
                head.push_str(", required");
            }
            head.push(')');
            lines.push(Line::raw(head));
            let mut facts = Vec::new();
            if let Some(d) = &m.default {
                // JSON values from the server: sanitized here, where they become text.
                facts.push(format!("default {}", sanitize(&d.to_string())));
            }
            if let Some(r) = &m.range {
                facts.push(format!("range {r}"));
            }
            if !m.choices.is_empty() {
                let ids: Vec<&str> = m.choices.iter().map(|c| c.id.as_str()).collect();
                facts.push(format!("choices {}", ids.join(" | ")));
            }
            if !m.for_types.is_empty() {
                facts.push(format!("for {}", m.for_types.join(", ")));
            }
            if !facts.is_empty() {
                lines.push(Line::styled(
                    format!("    {}", facts.join(" · ")),
                    theme.dim(),
                ));
            }
            lines.push(Line::styled(
                format!("    {} — {}", m.name, m.description),
                theme.dim(),
            ));
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
