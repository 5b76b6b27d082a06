//! The home screen: the URL line, the demo utility, and the stored profiles.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::screens::home::{HomeItem, HomeState};
use crate::app::{App, Remote, Target};
use crate::present;
use crate::ui::{Hits, Theme, strings};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, hits: &mut Hits) {
    let block = Block::bordered().title(Span::styled(strings::HOME_TITLE, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The introduction may wrap; the rows below it do not, so each click lands on its item.
    let [intro, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    frame.render_widget(
        Paragraph::new(strings::HOME_INTRO).wrap(Wrap { trim: false }),
        intro,
    );
    let mut rows = Rows {
        lines: Vec::new(),
        area: body,
        hits,
    };
    let h = &app.home;
    rows.item(0, url_line(h, theme));
    let demo = if h.starting_demo {
        strings::DEMO_STARTING
    } else {
        strings::DEMO_ITEM
    };
    rows.item(
        1,
        Line::styled(format!(" {demo} "), style(h, HomeItem::Demo, theme)),
    );
    if let Some(e) = &h.error {
        rows.line(Line::styled(format!("✗ {e}"), theme.error()));
    }
    rows.line(Line::raw(""));
    rows.line(Line::styled(strings::STORED_PROFILES, theme.heading()));
    profiles(&mut rows, h, theme);
    frame.render_widget(Paragraph::new(rows.lines), body);
}

/// The lines of the home screen's body, the selectable ones recorded as click targets.
struct Rows<'h> {
    lines: Vec<Line<'static>>,
    area: Rect,
    hits: &'h mut Hits,
}

impl Rows<'_> {
    fn line(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    /// A line that is item `n` of the home screen.
    fn item(&mut self, n: usize, line: Line<'static>) {
        let y = self.area.y + self.lines.len() as u16;
        if y < self.area.bottom() {
            let row = Rect {
                y,
                height: 1,
                ..self.area
            };
            self.hits.add(row, Target::Row(n));
        }
        self.lines.push(line);
    }
}

fn style(h: &HomeState, item: HomeItem, theme: &Theme) -> Style {
    if h.current() == item {
        theme.selected()
    } else {
        Style::new()
    }
}

fn url_line(h: &HomeState, theme: &Theme) -> Line<'static> {
    let url = if h.editing && h.current() == HomeItem::Url {
        format!("{}▏", h.url)
    } else if h.url.is_empty() {
        strings::URL_PLACEHOLDER.to_owned()
    } else {
        h.url.to_string()
    };
    Line::from(vec![
        Span::styled(" Utility URL: ", style(h, HomeItem::Url, theme)),
        Span::raw(" "),
        Span::raw(url),
    ])
}

/// The stored profiles, one item each, in the words of `present::profile::headline`.
fn profiles(rows: &mut Rows, h: &HomeState, theme: &Theme) {
    match &h.profiles {
        Remote::Ready(ps) if ps.is_empty() => {
            rows.line(Line::styled(strings::NO_PROFILES, theme.dim()))
        }
        Remote::Ready(ps) => {
            for (i, p) in ps.iter().enumerate() {
                let headline =
                    present::profile::headline(&p.issuer, p.clients.len(), p.unfinished.is_none());
                let line = Line::from(vec![
                    Span::styled(
                        format!(" {} ", p.name),
                        style(h, HomeItem::Profile(i), theme),
                    ),
                    Span::styled(format!("  {headline}"), theme.dim()),
                ]);
                rows.item(2 + i, line);
            }
        }
        Remote::Failed(e) => rows.line(Line::styled(e.message.clone(), theme.warning())),
        _ => rows.line(Line::styled(strings::LOADING, theme.dim())),
    }
}
