//! The global `--har FILE` (issue 12): recording every exchange of a run into a HAR file, or —
//! for `discover`, `validate` and `scopes` without a URL — reading a recording back through an
//! in-process replay server on loopback, so the same discovery code runs with no network.
//! Also keeps, in the program's home, where the last transcript went and the last error, for
//! `cds-wizard report`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::cli::{Cli, Command, TargetArgs};
use crate::onboarding::transcript::recording::{Recording, Rewriter};
use crate::onboarding::transcript::redact::Redactor;
use crate::onboarding::transcript::replay::ReplayServer;
use crate::onboarding::transcript::{self, Recorder};

/// In the home: the path of the last transcript written.
pub const LAST_TRANSCRIPT: &str = "last-transcript";
/// In the home: the last error a command ended with (redacted).
pub const LAST_ERROR: &str = "last-error.txt";

/// An offline run's replay: where discovery starts, and the replay origin → recorded origin.
struct Offline {
    start: String,
    back: Rewriter,
}

static OFFLINE: Mutex<Option<Offline>> = Mutex::new(None);

/// What `--har` set up for this run; finishing it (drop) says where the transcript went.
pub struct Session {
    recording: Option<(PathBuf, std::sync::Arc<Recorder>)>,
    _replay: Option<ReplayServer>,
}

/// Sets up `--har` for this run: a recorder every client reports to, or (offline reading) the
/// replay of an existing recording.
pub async fn begin(cli: &Cli) -> anyhow::Result<Session> {
    let mut session = Session {
        recording: None,
        _replay: None,
    };
    let Some(path) = &cli.har else {
        return Ok(session);
    };
    let offline = match &cli.command {
        Some(Command::Discover(a) | Command::Scopes(a)) => a.url.is_none(),
        Some(Command::Validate(v)) => v.target.url.is_none(),
        // Replay reads its own file; a recording of it would be empty.
        Some(Command::Replay(_)) => return Ok(session),
        _ => false,
    };
    if offline {
        let recording = Recording::load(path)?;
        let server = ReplayServer::start(recording, 0, false).await?;
        let start = server
            .start_url()
            .ok_or_else(|| anyhow::anyhow!("{} holds no request to start from", path.display()))?;
        let back = Rewriter::new(server.mapping.clone()).reversed();
        // JSON output is mapped back; the human summary names the replay's own address.
        for (recorded, here) in &server.mapping {
            eprintln!(
                "note: reading {} offline; {} stands for {}",
                crate::text::sanitize(&path.display().to_string()),
                crate::text::sanitize(here),
                crate::text::sanitize(recorded)
            );
        }
        *lock() = Some(Offline { start, back });
        session._replay = Some(server);
        return Ok(session);
    }
    let recorder = Recorder::to_file(path)?;
    transcript::install(recorder.clone());
    session.recording = Some((path.clone(), recorder));
    Ok(session)
}

fn lock() -> std::sync::MutexGuard<'static, Option<Offline>> {
    OFFLINE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The URL a discover/validate/scopes run starts at: its argument, or the start of the
/// recording it reads offline.
pub fn target_url(args: &TargetArgs) -> anyhow::Result<String> {
    if let Some(u) = &args.url {
        return Ok(u.clone());
    }
    lock().as_ref().map(|o| o.start.clone()).ok_or_else(|| {
        anyhow::anyhow!("give the utility's URL, or --har FILE.har to read a recording")
    })
}

/// Whether output is rewritten by [`unmap`] (an offline run over a recording).
pub fn maps_origins() -> bool {
    lock().is_some()
}

/// Output of an offline run names the recorded origins, not the replay server's.
pub fn unmap(text: String) -> String {
    match lock().as_ref() {
        Some(o) => o.back.text(&text),
        None => text,
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let Some((path, recorder)) = self.recording.take() else {
            return;
        };
        let entries = recorder.stop_file().map_or(0, |(_, n)| n);
        let shown = crate::text::sanitize(&path.display().to_string());
        match recorder.file_error() {
            Some(e) => eprintln!(
                "warning: the transcript {shown} stopped early: {}",
                crate::text::sanitize(&e)
            ),
            None => eprintln!("transcript: {shown} ({entries} exchanges)"),
        }
        let full = std::path::absolute(&path).unwrap_or(path);
        let _ = write_in_home(LAST_TRANSCRIPT, full.display().to_string().as_bytes());
    }
}

/// Keeps the error a command ended with (redacted) for `cds-wizard report`.
pub fn remember_error(text: &str) {
    let redacted = Redactor::current().text(text).into_owned();
    let stamp = jiff::Timestamp::now();
    let _ = write_in_home(LAST_ERROR, format!("{stamp}\n{redacted}\n").as_bytes());
}

/// Replaces a small private file in the home.
fn write_in_home(name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let home = crate::profiles::home().map_err(std::io::Error::other)?;
    crate::profiles::lock::create_private_dir(&home)?;
    let path = home.join(name);
    let _ = std::fs::remove_file(&path);
    let mut f = crate::profiles::lock::open_private_append(&path)?;
    std::io::Write::write_all(&mut f, bytes)
}

/// A file in the home, if it is there.
pub fn read_in_home(name: &str) -> Option<(PathBuf, String)> {
    let path = crate::profiles::home().ok()?.join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path, text))
}

/// The last transcript recorded on this machine, if its file is still there.
pub fn last_transcript() -> Option<PathBuf> {
    let (_, text) = read_in_home(LAST_TRANSCRIPT)?;
    let p = PathBuf::from(text.trim());
    Path::exists(&p).then_some(p)
}
