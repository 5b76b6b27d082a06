//! Drawing a [`Form`]: fields under their group headings with a mark (✗ a problem, ✓ given,
//! · left out), and the detail of the field under the cursor (help, problem, plain reading).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::Target;
use crate::app::widgets::form::{Field, Form, Input, Presence};
use crate::ui::{Hits, Theme, window};

/// The fields, grouped; `heading` names a group. Clicking a field selects it.
pub fn list(
    frame: &mut Frame,
    area: Rect,
    form: &Form,
    title: String,
    heading: &dyn Fn(&str) -> String,
    theme: &Theme,
    hits: &mut Hits,
) {
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Lines and the field each shows (None for headings).
    let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    let mut last_group: Option<&str> = None;
    let label_width = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, (inner.width as usize / 2).max(8));
    for (i, f) in form.fields.iter().enumerate() {
        if last_group != Some(f.group.as_str()) {
            rows.push((Line::styled(heading(&f.group), theme.heading()), None));
            last_group = Some(f.group.as_str());
        }
        rows.push((
            field_line(f, i == form.cursor, form, label_width, theme),
            Some(i),
        ));
    }
    let cursor_row = rows
        .iter()
        .position(|(_, i)| *i == Some(form.cursor))
        .unwrap_or(0);
    let h = inner.height as usize;
    let first = window(cursor_row, rows.len(), h);
    let mut lines = Vec::new();
    for (off, (line, field)) in rows.into_iter().skip(first).take(h).enumerate() {
        if let Some(i) = field {
            let r = Rect {
                y: inner.y + off as u16,
                height: 1,
                ..inner
            };
            hits.add(r, Target::Row(i));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn field_line(
    f: &Field,
    at: bool,
    form: &Form,
    label_width: usize,
    theme: &Theme,
) -> Line<'static> {
    let (mark, mark_style) = if f.problem.is_some() {
        ("✗", theme.error())
    } else if f.presence == Presence::Omitted {
        ("·", theme.dim())
    } else {
        ("✓", theme.ok())
    };
    let required = if f.required { "*" } else { " " };
    let label: String = f.label.chars().take(label_width).collect();
    let editing = at && form.editing.is_some();
    let value = match (&f.input, editing) {
        (Input::Text(t), true) => format!("{t}▏"),
        (
            Input::Multi {
                options,
                chosen,
                at: o,
            },
            _,
        ) if at => options
            .iter()
            .zip(chosen)
            .enumerate()
            .map(|(k, (opt, c))| {
                let b = if *c { "[x]" } else { "[ ]" };
                if k == *o {
                    format!("›{b} {}", opt.name)
                } else {
                    format!(" {b} {}", opt.name)
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => f.display(),
    };
    let label_style = if at { theme.selected() } else { Style::new() };
    let value_style = if f.presence == Presence::Omitted && !editing {
        theme.dim()
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled(mark.to_owned(), mark_style),
        Span::styled(required.to_owned(), theme.warning()),
        Span::styled(format!("{label:<label_width$}"), label_style),
        Span::raw(" "),
        Span::styled(value, value_style),
    ])
}

/// Everything about the field under the cursor.
pub fn detail(frame: &mut Frame, area: Rect, form: &Form, title: &str, theme: &Theme) {
    let mut lines = Vec::new();
    if let Some(f) = form.current() {
        lines.push(Line::styled(f.label.clone(), theme.heading()));
        for h in &f.help {
            lines.push(Line::raw(h.clone()));
        }
        let mut facts = Vec::new();
        if f.required {
            facts.push("required".to_owned());
        }
        if f.nullable {
            facts.push("n sets null".to_owned());
        }
        if let Some(d) = &f.default_text {
            facts.push(format!("default {d}"));
        }
        if !facts.is_empty() {
            lines.push(Line::styled(facts.join(" · "), theme.dim()));
        }
        if let Some(p) = &f.problem {
            lines.push(Line::from(vec![
                Span::styled("✗ ", theme.error()),
                Span::styled(p.clone(), theme.error()),
            ]));
        } else if let Some(r) = &f.reading {
            lines.push(Line::from(vec![
                Span::styled("means: ", theme.dim()),
                Span::styled(r.clone(), theme.ok()),
            ]));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(title.to_owned(), theme.title()))),
        area,
    );
}
