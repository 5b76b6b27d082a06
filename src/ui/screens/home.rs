//! The home screen: the URL line, the demo utility, and the stored profiles.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::screens::home::HomeItem;
use crate::app::{App, Remote, Target};
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let h = &app.home;
    let block = Block::bordered().title(Span::styled(strings::HOME_TITLE, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The introduction may wrap; the rows below it do not, so each click lands on its item.
    let [intro, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(strings::HOME_INTRO).wrap(Wrap { trim: false }),
        intro,
    );
    let style = |item: HomeItem| {
        if h.current() == item {
            theme.selected()
        } else {
            Style::new()
        }
    };
    let mut lines: Vec<Line> = Vec::new();
    let item = |lines: &mut Vec<Line>, n: usize, line: Line<'static>, hits: &mut Hits| {
        let y = body.y + lines.len() as u16;
        if y < body.bottom() {
            hits.add(
                Rect {
                    y,
                    height: 1,
                    ..body
                },
                Target::Row(n),
            );
        }
        lines.push(line);
    };
    let url = if h.editing && h.current() == HomeItem::Url {
        format!("{}▏", h.url)
    } else if h.url.is_empty() {
        strings::URL_PLACEHOLDER.to_owned()
    } else {
        h.url.to_string()
    };
    item(
        &mut lines,
        0,
        Line::from(vec![
            Span::styled(" Utility URL: ", style(HomeItem::Url)),
            Span::raw(" "),
            Span::raw(url),
        ]),
        hits,
    );
    let demo = if h.starting_demo {
        strings::DEMO_STARTING
    } else {
        strings::DEMO_ITEM
    };
    item(
        &mut lines,
        1,
        Line::styled(format!(" {demo} "), style(HomeItem::Demo)),
        hits,
    );
    if let Some(e) = &h.error {
        lines.push(Line::styled(format!("✗ {e}"), theme.error()));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::STORED_PROFILES, theme.heading()));
    match &h.profiles {
        Remote::Ready(ps) if ps.is_empty() => {
            lines.push(Line::styled(strings::NO_PROFILES, theme.dim()))
        }
        Remote::Ready(ps) => {
            for (i, p) in ps.iter().enumerate() {
                let line = Line::from(vec![
                    Span::styled(format!(" {} ", p.name), style(HomeItem::Profile(i))),
                    Span::styled(
                        format!(
                            "  {} · {} client(s){}",
                            p.issuer,
                            p.clients.len(),
                            if p.unfinished.is_some() {
                                " · unfinished"
                            } else {
                                ""
                            }
                        ),
                        theme.dim(),
                    ),
                ]);
                item(&mut lines, 2 + i, line, hits);
            }
        }
        Remote::Failed(e) => lines.push(Line::styled(e.message.clone(), theme.warning())),
        _ => lines.push(Line::styled(strings::LOADING, theme.dim())),
    }
    frame.render_widget(Paragraph::new(lines), body);
}
