//! The terminal edge of the wizard: owns the terminal (raw mode, alternate screen, mouse),
//! runs the event loop and executes the app's effects in background tasks that answer with
//! messages. All decisions are in `app::update`; all drawing is in `ui`.

mod catalog;
mod console;
mod demo;
mod event_loop;
mod executor;
mod files;
mod flows;
mod inspector;
mod terminal;

use std::io;
use std::time::Duration;

use crossterm::event::EventStream;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::http::{HttpClient, HttpPolicy};
use crate::onboarding::transcript;
use crate::ui::Theme;

pub use event_loop::run_loop;
pub use executor::{Executor, profile_view};
pub use terminal::TerminalGuard;

/// Where the wizard starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The home screen: type a URL, start the demo, pick a stored profile.
    Home,
    /// Discovery of this utility.
    Url(String),
    /// The Console of this stored profile.
    Console(String),
    /// The Catalog view of the research catalog in this database (else the default one).
    Catalog(Option<std::path::PathBuf>),
}

/// Opens the wizard on the real terminal; returns when the user quits.
pub async fn run(start: Start) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        anyhow::bail!(match &start {
            Start::Url(url) => format!(
                "the interactive wizard needs a terminal; for a printed summary use `cds-wizard discover {}`",
                crate::text::sanitize(url)
            ),
            Start::Home => "the interactive wizard needs a terminal; see `cds-wizard --help` for the headless commands".to_owned(),
            Start::Console(p) => format!(
                "the interactive wizard needs a terminal; for a summary use `cds-wizard status {}`",
                crate::text::sanitize(p)
            ),
            Start::Catalog(_) => "browsing the catalog needs a terminal; `cds-wizard catalog list|show|scopes|fields|search|diff` answer without one".to_owned(),
        });
    }
    // The run's recorder (`--har FILE`), or one in memory only: the Inspector always has the
    // exchanges, and can start writing them to a file later. Installed before the client is
    // built so the client reports to it.
    let recorder = transcript::session().unwrap_or_else(|| {
        let r = transcript::Recorder::new();
        transcript::install(r.clone());
        r
    });
    let http = transcript::observed(HttpClient::new(HttpPolicy {
        timeout: Duration::from_secs(30),
        ..HttpPolicy::default()
    })?);
    let guard = TerminalGuard::enter()?;
    // Not `terminal.clear()`: it asks the terminal where the cursor is, and a terminal that
    // does not answer stalls start-up; the guard clears the fresh alternate screen instead.
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut executor = Executor::new(http).with_recorder(recorder).on_terminal();
    if let Start::Catalog(Some(db)) = &start {
        executor = executor.with_catalog_db(db.clone());
    }
    let result = run_loop(
        &mut terminal,
        EventStream::new(),
        start,
        &mut executor,
        // https://no-color.org: any non-empty NO_COLOR turns colors off.
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            links: true,
        },
    )
    .await;
    drop(terminal);
    drop(guard);
    executor.shutdown().await;
    result
}
