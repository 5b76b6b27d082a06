//! The Catalog view's comparison: A and B side by side, each row signed and colored by how it
//! differs (`+` only B, `-` only A, `~` changed), then every difference `catalog diff` finds.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::fit;
use crate::app::screens::catalog::compare::{CompareRow, Comparison, Mark};
use crate::app::{App, Remote};
use crate::ui::{Theme, strings};

/// `s` in a column of `w`, a space kept after it.
fn gap(s: &str, w: usize) -> String {
    format!("{} ", fit(s, w.saturating_sub(1)))
}

fn style(mark: Mark, theme: &Theme) -> Style {
    match mark {
        Mark::Same => Style::new(),
        Mark::Changed => theme.warning(),
        Mark::OnlyA => theme.error(),
        Mark::OnlyB => theme.ok(),
    }
}

pub(super) fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.catalog;
    let Some(cmp) = &c.compare else {
        let text = match c.comparing {
            None => strings::CATALOG_COMPARE_HINT.to_owned(),
            Some((a, b)) => {
                let failed = [a, b].iter().find_map(|id| match c.stored.get(id) {
                    Some(Remote::Failed(e)) => Some(e.message.clone()),
                    _ => None,
                });
                let loading = [a, b]
                    .iter()
                    .any(|id| matches!(c.stored.get(id), Some(Remote::Loading { .. })));
                match failed {
                    Some(e) => format!("✗ {e}\n{}", strings::CATALOG_RETRY),
                    None if loading => strings::CATALOG_READING.to_owned(),
                    None => strings::CATALOG_RETRY.to_owned(),
                }
            }
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
        return;
    };
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
    let w = area.width as usize;
    let label_w = (w / 4).clamp(14, 32);
    let side_w = w.saturating_sub(label_w + 4) / 2;
    let heading = Line::from(vec![
        Span::raw(format!("  {} ", fit("", label_w))),
        Span::styled(gap(&format!("A  {}", cmp.a_title), side_w), theme.heading()),
        Span::styled(gap(&format!("B  {}", cmp.b_title), side_w), theme.heading()),
    ]);
    let count = Line::styled(
        format!(
            "  {} difference{} · {} · {}",
            cmp.changes,
            crate::present::plural(cmp.changes),
            if cmp.only_differences {
                strings::CATALOG_SHOW_ALL
            } else {
                strings::CATALOG_SHOW_DIFFERENCES
            },
            strings::CATALOG_COMPARE_SIGNS
        ),
        theme.dim(),
    );
    frame.render_widget(Paragraph::new(vec![heading, count]), head);
    let lines = visible(cmp, body.height as usize, label_w, side_w, theme);
    frame.render_widget(Paragraph::new(lines), body);
}

/// The rows from the scroll position down, as many as fit.
fn visible(
    cmp: &Comparison,
    height: usize,
    label_w: usize,
    side_w: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let rows = cmp.shown();
    let first = cmp.scroll.min(rows.len().saturating_sub(height));
    rows[first..]
        .iter()
        .take(height)
        .map(|row| match row {
            CompareRow::Heading(h) => Line::styled(h.clone(), theme.heading()),
            CompareRow::Blank => Line::raw(""),
            CompareRow::Pair { label, a, b, mark } => {
                let st = style(*mark, theme);
                Line::from(vec![
                    Span::styled(format!("{} ", mark.sign()), st),
                    Span::styled(format!("{} ", fit(label, label_w)), st),
                    Span::styled(gap(a, side_w), st),
                    Span::styled(gap(b, side_w), st),
                ])
            }
            CompareRow::Change { text, mark } => {
                Line::styled(format!("  {text}"), style(*mark, theme))
            }
        })
        .collect()
}
