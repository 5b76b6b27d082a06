//! Drawing a row of tabs: each label in turn, the current one highlighted, each a click target
//! (`Target::Tab(n)`; the input half is `app::widgets::tabs`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::Target;
use crate::ui::{Hits, Theme};

/// The tabs `labels` on the row `area`, tab `current` highlighted.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    labels: &[String],
    current: usize,
    theme: &Theme,
    hits: &mut Hits,
) {
    let mut spans = Vec::new();
    let mut x = area.x;
    for (n, label) in labels.iter().enumerate() {
        let w = label.chars().count() as u16;
        if x < area.right() {
            let width = w.min(area.right() - x);
            hits.add(Rect { x, width, ..area }, Target::Tab(n));
        }
        x = x.saturating_add(w + 1);
        let style = if n == current {
            theme.selected()
        } else {
            theme.dim()
        };
        spans.push(Span::styled(label.clone(), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
