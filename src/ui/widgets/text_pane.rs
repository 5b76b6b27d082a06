//! Drawing a pane of text: lines wrapped at the pane's width inside a bordered block, scrolled
//! down some rows (the utility card, a scope's details, a finding, a failure).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

/// `lines` in `block`, wrapped, the first `scroll` rows scrolled out of view.
pub fn render(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>, scroll: u16, block: Block) {
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}
