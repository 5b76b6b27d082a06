//! The event loop: input, background results and the clock become messages for
//! `app::update`; the effects go to the executor; one frame is drawn per batch.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;

use super::{Executor, Start};
use crate::app::{self, App, Msg};
use crate::ui::{self, Theme};

/// How often the clock ticks (elapsed times, spinners); input and results wake the loop anyway.
const TICK: Duration = Duration::from_millis(250);
/// A terminal event as a message; a left click becomes what was drawn under it.
fn to_msg(event: Event, hits: &ui::Hits) -> Option<Msg> {
    use crossterm::event::{MouseButton, MouseEventKind};
    match event {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            hits.at(m.column, m.row).map(Msg::Click)
        }
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// The event loop: waits for input, results or the tick, handles everything already queued,
/// then draws once. `input` is any stream of terminal events, so tests can feed their own.
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    mut input: S,
    start: Start,
    executor: &mut Executor,
    theme: Theme,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut results = executor
        .rx
        .take()
        .ok_or_else(|| anyhow::anyhow!("executor already used"))?;
    let (mut app, effects) = match start {
        Start::Home => App::home(Instant::now()),
        Start::Url(url) => App::new(url, Instant::now()),
        Start::Console(name) => App::console(&name, Instant::now()),
        Start::Catalog(_) => App::catalog(Instant::now()),
    };
    // The wall clock before anything is drawn (relative dates read from it).
    app::update(&mut app, tick_now());
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    for e in effects {
        executor.run(e);
    }
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut hits = ui::Hits::default();
    terminal.draw(|f| hits = ui::draw(f, &app, &theme))?;
    loop {
        let first = tokio::select! {
            biased;
            Some(msg) = results.recv() => msg,
            ev = input.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev, &hits) { Some(m) => m, None => continue },
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()), // input closed: nothing more can happen
            },
            _ = tick.tick() => tick_now(),
        };
        let mut queue = vec![first];
        // Coalesce: every result already waiting is handled before the next frame. (Input is
        // not drained this way: polling crossterm's EventStream with a no-op waker would leave
        // its wake-up task holding that waker, and keys would wait for the next tick.)
        while let Ok(m) = results.try_recv() {
            queue.push(m);
        }
        for msg in queue {
            for effect in app::update(&mut app, msg) {
                if !executor.run(effect) {
                    return Ok(());
                }
            }
        }
        terminal.draw(|f| hits = ui::draw(f, &app, &theme))?;
        if theme.links {
            write_links(&hits);
        }
    }
}

/// The clock as the app reads it: only the event loop looks at it.
fn tick_now() -> Msg {
    Msg::Tick {
        now: Instant::now(),
        wall: jiff::Timestamp::now(),
    }
}

/// Rewrites each address already on screen wrapped in an OSC 8 link, so terminals that support
/// it make it clickable (the others ignore the sequence). The text is sanitized, so it holds no
/// escape of its own.
fn write_links(hits: &ui::Hits) {
    use crossterm::{cursor::MoveTo, queue, style::Print};
    use std::io::Write;
    if hits.links().is_empty() {
        return;
    }
    let mut out = io::stdout();
    for l in hits.links() {
        let _ = queue!(
            out,
            MoveTo(l.x, l.y),
            Print(format!("\x1b]8;;{}\x1b\\{}\x1b]8;;\x1b\\", l.url, l.text))
        );
    }
    let _ = out.flush();
}
