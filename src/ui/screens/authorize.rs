//! The Authorize screen: the client to authorize; then the address for the customer on lines of
//! its own (a clickable OSC 8 link where the terminal supports it) with its QR code, the
//! countdown, the paste line; then the Grant compared with what was asked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::app::screens::authorize::{OutcomeView, Phase, Waiting};
use crate::ui::widgets::list::List;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let a = &app.authorize;
    let block = Block::bordered().title(Span::styled(
        match &a.profile {
            Some(p) => format!(" {} · profile {} ", strings::AUTHORIZE_TITLE, p.name),
            None => format!(" {} ", strings::AUTHORIZE_TITLE),
        },
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &a.phase {
        Phase::Choose => choose(frame, inner, app, None, theme, hits),
        Phase::Failed { message } => choose(frame, inner, app, Some(message), theme, hits),
        Phase::Preparing { .. } => frame.render_widget(
            Paragraph::new(format!("{} {}", strings::spinner(app), strings::PREPARING))
                .wrap(Wrap { trim: false }),
            inner,
        ),
        Phase::Completing { .. } => frame.render_widget(
            Paragraph::new(format!("{} {}", strings::spinner(app), strings::COMPLETING))
                .wrap(Wrap { trim: false }),
            inner,
        ),
        Phase::Waiting(w) => waiting(frame, inner, app, w, theme, hits),
        Phase::Done(o) => outcome(frame, inner, o, theme),
    }
}

fn choose(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    failure: Option<&String>,
    theme: &Theme,
    hits: &mut Hits,
) {
    let a = &app.authorize;
    let clients = a.code_clients();
    // The question on one row, the clients one row each (so clicks land), then the rest,
    // which may wrap.
    let list_height = (clients.len() as u16).clamp(1, area.height.saturating_sub(2).max(1));
    let [head, list_area, _, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(list_height),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(strings::CHOOSE_CLIENT), head);
    List::new(clients.len(), a.cursor).render(frame, list_area, hits, |i, at| {
        let c = &clients[i];
        let style = if at { theme.selected() } else { Style::new() };
        [Line::from(vec![
            Span::styled(format!(" {} ", c.client_id), style),
            Span::styled(
                format!(
                    " {} · {}{}",
                    c.status,
                    c.scope,
                    if c.public { strings::PUBLIC_CLIENT } else { "" }
                ),
                theme.dim(),
            ),
        ])]
    });
    let mut lines = Vec::new();
    if clients.is_empty() {
        lines.push(Line::styled(strings::NO_CODE_CLIENT, theme.warning()));
    }
    if let Some(p) = &a.profile
        && let Some(u) = &p.unfinished
    {
        lines.push(Line::styled(u.clone(), theme.warning()));
    }
    if let Some(m) = failure {
        lines.push(Line::styled(format!("✗ {m}"), theme.error()));
        lines.push(Line::raw(strings::AUTHORIZE_AGAIN));
    } else {
        lines.push(Line::styled(strings::LISTENER_FIRST, theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}

fn waiting(frame: &mut Frame, area: Rect, app: &App, w: &Waiting, theme: &Theme, hits: &mut Hits) {
    let qr = w.qr.as_ref().filter(|q| {
        let width = q.first().map_or(0, |l| l.chars().count()) as u16;
        width + 40 <= area.width && q.len() as u16 <= area.height
    });
    let (text_area, qr_area) = match qr {
        Some(q) => {
            let width = q.first().map_or(0, |l| l.chars().count()) as u16;
            let [l, r] =
                Layout::horizontal([Constraint::Min(38), Constraint::Length(width)]).areas(area);
            (l, Some(r))
        }
        None => (area, None),
    };
    let left = w.deadline.saturating_duration_since(app.now).as_secs();
    // The heading on one row, then the address on rows of its own, cut (not wrapped at
    // spaces) so it copies whole and each row's position is known for the terminal link.
    let width = text_area.width.max(1) as usize;
    let chars: Vec<char> = w.url.chars().collect();
    let url_rows: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
    let url_height = (url_rows.len() as u16).min(text_area.height.saturating_sub(1));
    let [head_area, url_area, rest_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(url_height),
        Constraint::Min(0),
    ])
    .areas(text_area);
    frame.render_widget(
        Paragraph::new(Line::styled(strings::SEND_CUSTOMER, theme.heading())),
        head_area,
    );
    frame.render_widget(
        Paragraph::new(
            url_rows
                .iter()
                .map(|r| Line::styled(r.clone(), theme.link()))
                .collect::<Vec<_>>(),
        ),
        url_area,
    );
    for (i, r) in url_rows.iter().enumerate().take(url_height as usize) {
        hits.link(url_area.x, url_area.y + i as u16, r, &w.url);
    }
    let mut lines = status_lines(w, left, theme);
    if qr.is_none() && w.qr.is_some() {
        lines.push(Line::styled(strings::QR_TOO_SMALL, theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest_area);
    if let (Some(q), Some(a)) = (qr, qr_area) {
        // QR codes read dark-on-light: the colors stay as drawn, whatever the theme.
        let lines: Vec<Line> = q.iter().map(|l| Line::raw(l.clone())).collect();
        frame.render_widget(Paragraph::new(lines), a);
    }
}

/// Under the address: where the callback is awaited and for how long (or why the address is
/// pasted), the client, hints, and the paste line.
fn status_lines(w: &Waiting, left: u64, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::raw("")];
    match (&w.loopback, &w.paste_reason) {
        (Some(cb), _) => lines.push(Line::raw(format!(
            "{} {cb} · {}",
            strings::WAITING_ON,
            strings::time_left(left)
        ))),
        (None, reason) => {
            lines.push(Line::styled(
                format!(
                    "{} ({})",
                    strings::PASTE_NEEDED,
                    reason.clone().unwrap_or_default()
                ),
                theme.warning(),
            ));
            lines.push(Line::raw(strings::time_left(left)));
        }
    }
    if w.pushed {
        lines.push(Line::styled(
            format!("client {} · {}", w.client_id, strings::PUSHED),
            theme.dim(),
        ));
    } else {
        lines.push(Line::styled(format!("client {}", w.client_id), theme.dim()));
    }
    if let Some(h) = &w.ssh_hint {
        lines.push(Line::styled(h.clone(), theme.warning()));
    }
    if let Some(e) = &w.paste_error {
        lines.push(Line::styled(format!("✗ {e}"), theme.error()));
    }
    match &w.paste {
        Some(p) => {
            lines.push(Line::raw(strings::PASTE_PROMPT));
            lines.push(Line::from(vec![
                Span::styled("› ", theme.key()),
                Span::raw(format!("{p}▏")),
            ]));
        }
        None => lines.push(Line::styled(strings::PASTE_HINT, theme.dim())),
    }
    lines
}

fn outcome(frame: &mut Frame, area: Rect, o: &OutcomeView, theme: &Theme) {
    let mut lines = vec![
        Line::styled(format!("✓ Authorized client {}", o.client_id), theme.ok()),
        Line::raw(""),
    ];
    if let Some(g) = &o.grant {
        lines.push(Line::from(vec![
            Span::styled("Grant      ", theme.dim()),
            Span::raw(g.clone()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled("Asked for  ", theme.dim()),
        Span::raw(o.requested_scope.clone()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Granted    ", theme.dim()),
        Span::raw(o.granted_scope.clone()),
    ]));
    if o.differences.is_empty() {
        lines.push(Line::styled(strings::GRANTED_AS_ASKED, theme.ok()));
    } else {
        lines.push(Line::styled(strings::DIFFERENCES, theme.heading()));
        for (narrowing, d) in &o.differences {
            let (mark, style) = if *narrowing {
                ("⚠ ", theme.warning())
            } else {
                ("· ", Style::new())
            };
            lines.push(Line::from(vec![
                Span::styled(mark, style),
                Span::styled(d.clone(), style),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled("Tokens     ", theme.dim()),
        Span::raw(format!(
            "access token{}{} · in the keyring",
            o.expires_at
                .as_ref()
                .map(|e| format!(" until {e}"))
                .unwrap_or_default(),
            if o.refresh_token {
                " · refresh token"
            } else {
                ""
            }
        )),
    ]));
    if !o.granted_details.is_empty() {
        lines.push(Line::styled(strings::GRANTED_DETAILS, theme.heading()));
        lines.extend(o.granted_details.iter().map(|l| Line::raw(l.clone())));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(strings::TO_SUMMARY));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
