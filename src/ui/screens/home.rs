//! The home screen: the URL line, the demo utility, and the stored profiles.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::screens::home::HomeItem;
use crate::app::{App, Remote};
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let h = &app.home;
    let block = Block::bordered().title(Span::styled(strings::HOME_TITLE, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = vec![Line::raw(strings::HOME_INTRO), Line::raw("")];
    let style = |item: HomeItem| {
        if h.current() == item {
            theme.selected()
        } else {
            Style::new()
        }
    };
    let row = |lines: &Vec<Line>| inner.y + lines.len() as u16;
    let add_hit = |y: u16, n: usize, hits: &mut Hits| {
        hits.add(
            Rect {
                y,
                height: 1,
                ..inner
            },
            crate::app::Target::Row(n),
        )
    };
    add_hit(row(&lines), 0, hits);
    let url = if h.editing && h.current() == HomeItem::Url {
        format!("{}▏", h.url)
    } else if h.url.is_empty() {
        strings::URL_PLACEHOLDER.to_owned()
    } else {
        h.url.clone()
    };
    lines.push(Line::from(vec![
        Span::styled(" Utility URL: ", style(HomeItem::Url)),
        Span::raw(" "),
        Span::raw(url),
    ]));
    add_hit(row(&lines), 1, hits);
    lines.push(Line::styled(
        if h.starting_demo {
            format!(" {} ", strings::DEMO_STARTING)
        } else {
            format!(" {} ", strings::DEMO_ITEM)
        },
        style(HomeItem::Demo),
    ));
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
                add_hit(row(&lines), 2 + i, hits);
                lines.push(Line::from(vec![
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
                ]));
            }
        }
        Remote::Failed(e) => lines.push(Line::styled(e.message.clone(), theme.warning())),
        _ => lines.push(Line::styled(strings::LOADING, theme.dim())),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
