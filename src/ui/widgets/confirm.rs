//! Drawing a yes/no dialog: the question in a titled box over the screen, with the keys that
//! answer it from the key table (the input half is `app::widgets::confirm`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::keymap::{self, Context};
use crate::ui::{Theme, centered};

/// The dialog, centered in `area`.
pub fn render(frame: &mut Frame, area: Rect, title: &str, question: String, theme: &Theme) {
    // Tall enough for the wrapped question (word wrapping may take a row more), the blank
    // row and the keys.
    let inner_w = usize::from(area.width.min(60).saturating_sub(2).max(1));
    let rows = question.chars().count().div_ceil(inner_w) + 1;
    let rect = centered(area, 60, (rows as u16 + 4).max(7));
    frame.render_widget(Clear, rect);
    let mut keys = Vec::new();
    for b in keymap::hints(Context::Confirm) {
        if !keys.is_empty() {
            keys.push(Span::styled(" · ", theme.dim()));
        }
        keys.push(Span::styled(b.label, theme.key()));
        keys.push(Span::raw(format!(" {}", b.hint)));
    }
    let text = vec![Line::raw(question), Line::raw(""), Line::from(keys)];
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(title.to_owned(), theme.title()))),
        rect,
    );
}
