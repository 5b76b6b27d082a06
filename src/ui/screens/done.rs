//! The Done screen: what is stored where (keyring backend, service and account names; a secret
//! only when revealed on request), and the commands to use it next time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::{App, done_accounts};
use crate::ui::widgets::list::List;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let block = Block::bordered().title(Span::styled(strings::DONE_TITLE, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(p) = &app.authorize.profile else {
        frame.render_widget(Paragraph::new(strings::NO_PROFILE), inner);
        return;
    };
    let header = vec![
        Line::from(vec![
            Span::styled("Profile    ", theme.dim()),
            Span::raw(p.name.clone()),
            Span::styled(format!("  ({})", p.issuer), theme.dim()),
        ]),
        Line::from(vec![
            Span::styled("Keyring    ", theme.dim()),
            Span::raw(format!("{} · service \"{}\"", p.keyring, p.service)),
        ]),
        Line::styled(strings::ACCOUNTS, theme.heading()),
    ];
    let accounts = done_accounts(app);
    // Header rows and account rows do not wrap (each account is one clickable row); the
    // commands below may.
    let room = inner.height.saturating_sub(3 + 8).max(1);
    let list_height = (accounts.len() as u16).clamp(1, room);
    let [head_area, list_area, rest] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(list_height),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(header), head_area);
    List::new(accounts.len(), app.done.cursor).render(frame, list_area, hits, |i, at| {
        let acct = &accounts[i];
        let secret = match &app.done.revealed {
            Some((a, s)) if a == acct && at => crate::text::sanitize(s.expose()),
            _ => "••••••••".to_owned(),
        };
        [Line::from(vec![
            Span::styled(
                format!(" {acct} "),
                if at { theme.selected() } else { Style::new() },
            ),
            Span::styled(format!(" {secret}"), theme.dim()),
        ])]
    });
    let mut lines = Vec::new();
    if let Some(e) = &app.done.reveal_error {
        lines.push(Line::styled(format!("✗ {e}"), theme.error()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::NEXT_TIME, theme.heading()));
    for (cmd, what) in strings::next_commands(&p.name) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd}"), theme.key()),
            Span::styled(format!("  {what}"), theme.dim()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}
