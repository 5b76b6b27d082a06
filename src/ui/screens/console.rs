//! The Console of a stored profile: the tabs (Clients, Credentials, Messages with its unread
//! and outstanding counts, Grants, Files), the current tab's list with its column heads and
//! `/` filter, the selected item's details and the tab's status line (CDS-WG1-02 §5–§9).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::keymap::{self, Context};
use crate::app::screens::console::forms::ConsoleForm;
use crate::app::screens::console::items::Item;
use crate::app::screens::console::listing::{Acting, More, TabList};
use crate::app::screens::console::{ConsoleAction, ConsoleState, ConsoleTab};
use crate::app::widgets::form::Input;
use crate::app::widgets::tabs;
use crate::app::{App, Remote};
use crate::present::forms;
use crate::ui::widgets::list::List;
use crate::ui::widgets::{form, tabs as tab_row, text_pane};
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let c = &app.console;
    let issuer = c
        .profile
        .as_ref()
        .map(|p| format!(" · {}", p.issuer))
        .unwrap_or_default();
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} · {}{issuer} ", strings::CONSOLE_TITLE, c.name),
            theme.title(),
        ))
        .title_bottom(console_keys(theme).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let tab = c.tab();
    let mut status = status_lines(c, tab, theme);
    if tab == ConsoleTab::Credentials
        && let Some((account, secret)) = &app.done.revealed
    {
        status.insert(
            0,
            Line::styled(forms::revealed(account, secret.expose()), theme.warning()),
        );
    }
    // Wrapped at the width: each line takes as many rows as it needs, four at most in all.
    let width = usize::from(inner.width.max(1));
    let status_rows: usize = status
        .iter()
        .map(|l| l.width().max(1).div_ceil(width))
        .sum();
    let status_h = status_rows.min(4) as u16;
    // The list takes the rows it needs (at most three fifths), the details the rest.
    let room = inner.height.saturating_sub(1 + status_h);
    let wanted = match tab {
        ConsoleTab::Clients => wanted(&c.clients),
        ConsoleTab::Credentials => wanted(&c.credentials),
        ConsoleTab::Messages => wanted(&c.messages),
        ConsoleTab::Grants => wanted(&c.grants),
        ConsoleTab::Files => wanted(&c.files),
    };
    let list_h = wanted.clamp(3, (room * 3 / 5).max(3));
    let [row, list_area, detail_area, status_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(list_h),
        Constraint::Min(3),
        Constraint::Length(status_h),
    ])
    .areas(inner);
    // The open requests' count goes when the row is too narrow for it.
    let mut names = labels(c, true);
    if names.iter().map(|l| l.chars().count() + 1).sum::<usize>() > usize::from(row.width) + 1 {
        names = labels(c, false);
    }
    tab_row::render(frame, row, &names, tabs::index(tab), theme, hits);
    let tz = c.zone.as_deref();
    match tab {
        ConsoleTab::Clients => {
            tab_body(frame, [list_area, detail_area], &c.clients, tz, theme, hits)
        }
        ConsoleTab::Credentials => tab_body(
            frame,
            [list_area, detail_area],
            &c.credentials,
            tz,
            theme,
            hits,
        ),
        ConsoleTab::Messages => tab_body(
            frame,
            [list_area, detail_area],
            &c.messages,
            tz,
            theme,
            hits,
        ),
        ConsoleTab::Grants => tab_body(frame, [list_area, detail_area], &c.grants, tz, theme, hits),
        ConsoleTab::Files => tab_body(frame, [list_area, detail_area], &c.files, tz, theme, hits),
    }
    frame.render_widget(
        Paragraph::new(status).wrap(Wrap { trim: false }),
        status_area,
    );
    if let Some(f) = &c.form {
        form_popup(frame, inner, f, theme);
    }
}

/// A console form over the tab: its fields, then the field's help and what came of sending.
fn form_popup(frame: &mut Frame, area: Rect, f: &ConsoleForm, theme: &Theme) {
    let fields_h = f.form.fields.len() as u16 + 3;
    let info_lines = info(f, theme);
    let inner_w = usize::from(area.width.saturating_sub(2).max(1));
    let info_rows: usize = info_lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let info_h = info_rows as u16 + 2;
    // Over the lower part of the tab: the list (the message answered, the client or grant
    // changed) stays in sight above it.
    let h = (fields_h + info_h).min(area.height);
    let rect = Rect {
        y: area.bottom() - h,
        height: h,
        ..area
    };
    frame.render_widget(Clear, rect);
    let [top, bottom] =
        Layout::vertical([Constraint::Length(fields_h), Constraint::Min(3)]).areas(rect);
    // Clicks on the tab under the form go nowhere.
    let mut no_hits = Hits::default();
    let heading = |_: &str| f.heading.clone();
    form::list(
        frame,
        top,
        &f.form,
        format!(" {} ", f.title()),
        &heading,
        theme,
        &mut no_hits,
    );
    frame.render_widget(
        Paragraph::new(info_lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered()),
        bottom,
    );
}

/// The help of the field under the cursor, then the problem, or that it is being sent.
fn info(f: &ConsoleForm, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = f
        .form
        .current()
        .map(|x| x.help.iter().map(|h| Line::raw(h.clone())).collect())
        .unwrap_or_default();
    // A list of options, one a line (the field's own row is too narrow for more than one).
    if let Some(Input::Multi {
        options,
        chosen,
        at,
    }) = f.form.current().map(|x| &x.input)
    {
        for (i, (o, c)) in options.iter().zip(chosen).enumerate() {
            let mark = if *c { "[x]" } else { "[ ]" };
            let line = format!("{}{mark} {}", if i == *at { "›" } else { " " }, o.name);
            lines.push(if i == *at {
                Line::styled(line, theme.selected())
            } else {
                Line::raw(line)
            });
        }
    }
    if f.sending.is_some() {
        lines.push(Line::styled(forms::SENDING, theme.dim()));
    } else if let Some(p) = &f.problem {
        lines.push(Line::styled(format!("✗ {p}"), theme.error()));
    }
    lines
}

/// The keys every tab shares, from the key table.
fn console_keys(theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for b in keymap::hints(Context::Console)
        .into_iter()
        .filter(|b| b.context == Context::Console)
    {
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::raw(format!(" {} ", b.hint)));
    }
    Line::from(spans)
}

/// The rows a tab's list needs: the heads, the filter line, the items, what follows.
fn wanted<T: Item>(l: &TabList<T>) -> u16 {
    match &l.list {
        Remote::Ready(r) => {
            let filter = l.searching || !l.query.is_empty();
            let rows = l.shown().len().max(1) + 1 + usize::from(filter);
            (rows + usize::from(r.more != More::End)).min(u16::MAX as usize) as u16
        }
        Remote::Failed(_) => 3,
        _ => 1,
    }
}

/// How many of a list are loaded: `3`, `3+` (more pages), `…` (loading), `!` (failed).
fn count<T: Item>(l: &TabList<T>) -> String {
    match &l.list {
        Remote::Ready(r) => format!(
            "{}{}",
            r.items.len(),
            if matches!(r.more, More::End) { "" } else { "+" }
        ),
        Remote::Failed(_) => "!".to_owned(),
        _ => "…".to_owned(),
    }
}

/// The tabs' names with their counts (Messages: unread, and open requests when `open`).
fn labels(c: &ConsoleState, open: bool) -> Vec<String> {
    let [cl, cr, me, gr, fi] = strings::CONSOLE_TABS;
    let (unread, more) = c.unread();
    let open = match c.outstanding {
        Some((n, more)) if open => format!(" · {n}{} open", if more { "+" } else { "" }),
        _ => String::new(),
    };
    let messages = match &c.messages.list {
        Remote::Ready(_) => format!("{me} {unread}{} unread{open}", if more { "+" } else { "" }),
        _ => format!("{me} {}", count(&c.messages)),
    };
    vec![
        format!(" {cl} {} ", count(&c.clients)),
        format!(" {cr} {} ", count(&c.credentials)),
        format!(" {messages} "),
        format!(" {gr} {} ", count(&c.grants)),
        format!(" {fi} {} ", count(&c.files)),
    ]
}

/// The list (heads, filter, rows, what follows) and the detail pane of one tab.
fn tab_body<T: Item>(
    frame: &mut Frame,
    [list_area, detail_area]: [Rect; 2],
    l: &TabList<T>,
    tz: Option<&str>,
    theme: &Theme,
    hits: &mut Hits,
) {
    list(frame, list_area, l, tz, theme, hits);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", strings::DETAIL_TITLE),
        theme.title(),
    ));
    let at = l.shown().get(l.cursor).copied();
    let lines: Vec<Line> = match (l.current(), at) {
        (Some(it), Some(i)) => it
            .detail_at(&l.place(i), l.items(), tz)
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    Line::styled(s, theme.heading())
                } else {
                    Line::raw(s)
                }
            })
            .collect(),
        _ => vec![Line::styled(strings::CONSOLE_NOTHING_SELECTED, theme.dim())],
    };
    text_pane::render(frame, detail_area, lines, l.detail_scroll, block);
}

fn list<T: Item>(
    frame: &mut Frame,
    area: Rect,
    l: &TabList<T>,
    tz: Option<&str>,
    theme: &Theme,
    hits: &mut Hits,
) {
    let listing = match &l.list {
        Remote::Ready(r) => r,
        Remote::Failed(e) => {
            let text = vec![Line::styled(format!("✗ {}", e.message), theme.error())];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
            return;
        }
        _ => {
            frame.render_widget(
                Paragraph::new(Line::styled(strings::LOADING, theme.dim())),
                area,
            );
            return;
        }
    };
    let mut top = vec![Line::styled(format!(" {}", T::head()), theme.dim())];
    if l.searching || !l.query.is_empty() {
        let mut spans = vec![
            Span::styled(strings::SEARCH_PROMPT, theme.key()),
            Span::raw(l.query.as_str().to_owned()),
        ];
        if l.searching {
            spans.push(Span::styled("▏", theme.key()));
        }
        top.insert(0, Line::from(spans));
    }
    let footer = match &listing.more {
        More::End => None,
        More::Next(_) => Some(Line::styled(
            format!(" {}", strings::CONSOLE_MORE),
            theme.dim(),
        )),
        More::Loading { .. } => Some(Line::styled(
            format!(" {}", strings::CONSOLE_LOADING_MORE),
            theme.dim(),
        )),
        More::Failed { error, .. } => Some(Line::styled(
            format!(" ✗ {} (F5 reloads)", error.message),
            theme.error(),
        )),
    };
    let [head, rows, tail] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Min(1),
        Constraint::Length(u16::from(footer.is_some())),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(top), head);
    if let Some(f) = footer {
        frame.render_widget(Paragraph::new(f), tail);
    }
    let shown = l.shown();
    if shown.is_empty() {
        let why = if listing.items.is_empty() {
            strings::CONSOLE_EMPTY
        } else {
            strings::CONSOLE_NO_MATCH
        };
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {why}"), theme.dim())),
            rows,
        );
        return;
    }
    List::new(shown.len(), l.cursor).render(frame, rows, hits, |n, at| {
        let it = &listing.items[shown[n]];
        let style = if at { theme.selected() } else { Style::new() };
        let row = it.row_at(&l.place(shown[n]), tz);
        [Line::styled(format!(" {row}"), style)]
    });
}

/// The tab's status line: the action running, done or failed.
fn status_lines(c: &ConsoleState, tab: ConsoleTab, theme: &Theme) -> Vec<Line<'static>> {
    let acting = match tab {
        ConsoleTab::Clients => &c.clients.acting,
        ConsoleTab::Credentials => &c.credentials.acting,
        ConsoleTab::Messages => &c.messages.acting,
        ConsoleTab::Grants => &c.grants.acting,
        ConsoleTab::Files => &c.files.acting,
    };
    match acting {
        None => Vec::new(),
        Some(Acting::Running { what, .. }) => vec![Line::styled(what.clone(), theme.dim())],
        // The mark on the first line; the others read as its continuation.
        Some(Acting::Done(lines)) => lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Line::styled(
                    format!("{} {l}", if i == 0 { "✓" } else { " " }),
                    theme.ok(),
                )
            })
            .collect(),
        Some(Acting::Failed(e)) => vec![Line::styled(format!("✗ {}", e.message), theme.error())],
    }
}

/// The confirmation dialog's question for the pending console action.
pub fn question(app: &App) -> String {
    use crate::text::sanitize;
    let profile = sanitize(&app.console.name);
    match &app.console.pending.as_ref().map(|a| match a {
        // Ids come from the server: drawn sanitized.
        ConsoleAction::Rotate {
            client_id,
            credential_id,
        } => ConsoleAction::Rotate {
            client_id: sanitize(client_id),
            credential_id: sanitize(credential_id),
        },
        ConsoleAction::Expire { credential_id } => ConsoleAction::Expire {
            credential_id: sanitize(credential_id),
        },
        ConsoleAction::CloseGrant { grant_id } => ConsoleAction::CloseGrant {
            grant_id: sanitize(grant_id),
        },
        other => other.clone(),
    }) {
        Some(ConsoleAction::Rotate {
            client_id,
            credential_id,
        }) => format!(
            "Rotate the secret of client {client_id}? A new one goes to the keyring of profile \
             {profile}; credential {credential_id} and other old ones stop working."
        ),
        Some(ConsoleAction::Expire { credential_id }) => format!(
            "Expire credential {credential_id} now? Whatever still uses its secret stops \
             working; this cannot be undone."
        ),
        Some(ConsoleAction::CloseGrant { grant_id }) => format!(
            "Close Grant {grant_id}? The customer's authorization ends; this cannot be undone."
        ),
        Some(ConsoleAction::CreateCredential { client_id }) => {
            forms::confirm_create(client_id, &app.console.name)
        }
        Some(ConsoleAction::ReduceGrant {
            grant_id,
            scope,
            authorization_details,
        }) => {
            let of = app
                .console
                .grants
                .items()
                .iter()
                .find(|g| g.grant_id == *grant_id)
                .map_or(0, |g| g.authorization_details.len());
            let details = authorization_details.as_ref().map(|d| (d.len(), of));
            forms::confirm_reduce(grant_id, scope.as_deref(), details)
        }
        _ => "Go ahead?".to_owned(),
    }
}
