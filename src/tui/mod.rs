//! The terminal edge of the wizard: owns the terminal (raw mode, alternate screen, mouse),
//! runs the event loop and executes the app's effects in background tasks that answer with
//! messages. All decisions are in `app::update`; all drawing is in `ui`.

use std::io::{self, Stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use tokio::sync::mpsc;

use crate::app::{self, App, Effect, Msg};
use crate::http::{HttpClient, HttpPolicy};
use crate::onboarding::discovery::{self, DiscoveryLimits, ProgressSink};
use crate::ui::{self, Theme};

/// How often the clock ticks (elapsed times, spinners); input and results wake the loop anyway.
const TICK: Duration = Duration::from_millis(250);
/// Messages from background tasks waiting to be handled, at most.
const CHANNEL: usize = 1024;

/// Opens the wizard at `url` on the real terminal; returns when the user quits.
pub async fn run(url: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        anyhow::bail!(
            "the interactive wizard needs a terminal; for a printed summary use `cds-wizard discover {}`",
            crate::text::sanitize(url)
        );
    }
    let http = HttpClient::new(HttpPolicy {
        timeout: Duration::from_secs(30),
        ..HttpPolicy::default()
    })?;
    let guard = TerminalGuard::enter()?;
    // Not `terminal.clear()`: it asks the terminal where the cursor is, and a terminal that
    // does not answer stalls start-up; the guard clears the fresh alternate screen instead.
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let result = run_loop(
        &mut terminal,
        EventStream::new(),
        url,
        Executor::new(http),
        // https://no-color.org: any non-empty NO_COLOR turns colors off.
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
    )
    .await;
    drop(terminal);
    drop(guard);
    result
}

/// Restores the terminal when dropped, and on panic (the hook runs before the unwinding drop,
/// so the panic message lands on a normal screen).
pub struct TerminalGuard {
    _private: (),
}

fn restore() -> io::Result<()> {
    let r = disable_raw_mode();
    let mut out: Stdout = io::stdout();
    execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )?;
    r
}

impl TerminalGuard {
    pub fn enter() -> io::Result<Self> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = restore();
            previous(info);
        }));
        enable_raw_mode()?;
        let guard = TerminalGuard { _private: () };
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Runs effects: each one a task that sends messages back; never draws.
pub struct Executor {
    tx: mpsc::Sender<Msg>,
    rx: Option<mpsc::Receiver<Msg>>,
    http: HttpClient,
}

impl Executor {
    pub fn new(http: HttpClient) -> Self {
        let (tx, rx) = mpsc::channel(CHANNEL);
        Executor {
            tx,
            rx: Some(rx),
            http,
        }
    }

    /// Starts `effect`; returns false when it asks the loop to stop.
    fn run(&self, effect: Effect) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::Discover { req, url } => {
                let tx = self.tx.clone();
                let http = self.http.clone();
                tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    // Progress is advisory: when the queue is full an event is dropped rather
                    // than blocking discovery; the final result carries everything.
                    let sink: ProgressSink = std::sync::Arc::new(move |event| {
                        let _ = progress_tx.try_send(Msg::DiscoveryProgress { req, event });
                    });
                    let result =
                        discovery::discover(&http, &url, &DiscoveryLimits::default(), Some(sink))
                            .await
                            .map(Box::new)
                            .map_err(|e| e.to_string());
                    let _ = tx.send(Msg::DiscoveryDone { req, result }).await;
                });
            }
        }
        true
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
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
    url: &str,
    mut executor: Executor,
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
    let (mut app, effects) = App::new(url, Instant::now());
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    for e in effects {
        executor.run(e);
    }
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    terminal.draw(|f| ui::draw(f, &app, &theme))?;
    loop {
        let first = tokio::select! {
            biased;
            Some(msg) = results.recv() => msg,
            ev = input.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) { Some(m) => m, None => continue },
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()), // input closed: nothing more can happen
            },
            _ = tick.tick() => Msg::Tick(Instant::now()),
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
        terminal.draw(|f| ui::draw(f, &app, &theme))?;
    }
}
