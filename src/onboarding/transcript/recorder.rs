//! The recorder (issue 12 items 1 and 3): the [`ExchangeObserver`] a run's HTTP client is
//! given. Each exchange is redacted once, appended to the HAR file when one is open, kept in a
//! bounded in-memory list, and sent to every subscriber (the wizard's Inspector).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;

use super::TranscriptError;
use super::exchange::Exchange;
use super::redact::Redactor;
use super::writer::HarWriter;
use crate::http::{ExchangeObserver, RawExchange};

/// Exchanges kept in memory for [`Recorder::snapshot`].
pub const KEPT: usize = 1_000;
/// Bytes of a response body kept in memory per exchange (the file keeps all of it).
pub const KEPT_BODY: usize = 64 * 1024;
/// Exchanges a subscriber may have unread before new ones are dropped for it.
pub const SUBSCRIBER_QUEUE: usize = 256;

/// Records every exchange of the clients it observes. Share it as `Arc<Recorder>`.
pub struct Recorder {
    state: Mutex<State>,
    /// Whether exchanges are also kept in memory for [`Recorder::snapshot`] and subscribers
    /// (the wizard's Inspector). A headless run writing a file keeps nothing: the file is
    /// the record, and a large discovery should not hold its responses twice.
    keep: bool,
}

#[derive(Default)]
struct State {
    next_id: u64,
    file: Option<HarWriter>,
    /// The first write error of the open file (the run goes on; the user is told).
    file_error: Option<String>,
    kept: VecDeque<Arc<Exchange>>,
    subscribers: Vec<mpsc::Sender<Arc<Exchange>>>,
    dropped: u64,
    /// The redactor and the generation of `secret::known` it was built for.
    redactor: Option<(u64, Arc<Redactor>)>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("file", &self.file_path())
            .finish()
    }
}

impl Recorder {
    /// A recorder that keeps exchanges in memory (the last [`KEPT`], bodies cut at
    /// [`KEPT_BODY`]) and writes them to a file once [`Recorder::start_file`] is called.
    pub fn new() -> Arc<Self> {
        Arc::new(Recorder {
            state: Mutex::default(),
            keep: true,
        })
    }

    /// A recorder that only writes a new HAR file at `path` (a headless `--har` run): each
    /// exchange is redacted, streamed to the file and dropped.
    pub fn to_file(path: &Path) -> Result<Arc<Self>, TranscriptError> {
        let r = Arc::new(Recorder {
            state: Mutex::default(),
            keep: false,
        });
        r.start_file(path)?;
        Ok(r)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts writing new exchanges to a new HAR file at `path` (closing any open one).
    pub fn start_file(&self, path: &Path) -> Result<(), TranscriptError> {
        let w = HarWriter::create(path)?;
        let mut s = self.lock();
        s.file = Some(w);
        s.file_error = None;
        Ok(())
    }

    /// Stops writing; the file (complete as it is) and its number of entries.
    pub fn stop_file(&self) -> Option<(PathBuf, usize)> {
        self.lock()
            .file
            .take()
            .map(|w| (w.path().to_owned(), w.entries()))
    }

    /// The file being written, if any.
    pub fn file_path(&self) -> Option<PathBuf> {
        self.lock().file.as_ref().map(|w| w.path().to_owned())
    }

    /// Why the file stopped being written, if it did.
    pub fn file_error(&self) -> Option<String> {
        self.lock().file_error.clone()
    }

    /// The exchanges of this session so far (the last [`KEPT`]), oldest first.
    pub fn snapshot(&self) -> Vec<Arc<Exchange>> {
        self.lock().kept.iter().cloned().collect()
    }

    /// Every exchange from now on. A subscriber that falls [`SUBSCRIBER_QUEUE`] behind loses
    /// exchanges (counted by [`Recorder::dropped`]) rather than slowing the requests down.
    pub fn subscribe(&self) -> mpsc::Receiver<Arc<Exchange>> {
        let (tx, rx) = mpsc::channel(SUBSCRIBER_QUEUE);
        self.lock().subscribers.push(tx);
        rx
    }

    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Like [`Recorder::start_file`], but the exchanges kept so far are written first, so a
    /// recording started after something went wrong holds it (the wizard's Inspector). Their
    /// bodies are the kept copies: one longer than [`KEPT_BODY`] is marked cut. Returns how
    /// many were written.
    pub fn start_file_with_kept(&self, path: &Path) -> Result<usize, TranscriptError> {
        let mut w = HarWriter::create(path)?;
        // Under the lock: no exchange can end between the history and the live ones.
        let mut s = self.lock();
        for ex in &s.kept {
            let mut entry = ex.to_entry();
            if ex.shortened {
                entry.cut = true;
                entry.comment = Some(format!(
                    "step: {}; only the first {KEPT_BODY} bytes of the body were kept",
                    ex.step
                ));
            }
            w.append(&entry)?;
        }
        let n = s.kept.len();
        s.file = Some(w);
        s.file_error = None;
        Ok(n)
    }

    /// The redactor for the secrets known now (rebuilt only when a new one was learnt).
    fn redactor(&self) -> Arc<Redactor> {
        let generation = crate::secret::known::generation();
        let mut s = self.lock();
        match &s.redactor {
            Some((g, r)) if *g == generation => r.clone(),
            _ => {
                let r = Arc::new(Redactor::current());
                s.redactor = Some((generation, r.clone()));
                r
            }
        }
    }
}

impl ExchangeObserver for Recorder {
    fn exchange(&self, raw: &RawExchange<'_>) {
        let redactor = self.redactor();
        let id = {
            let mut s = self.lock();
            s.next_id += 1;
            s.next_id
        };
        let mut ex = Exchange::from_raw(id, raw, &redactor);
        let mut s = self.lock();
        if let Some(w) = &mut s.file {
            // The body moves into the entry and back: a large response is never copied again.
            let body = std::mem::take(&mut ex.response_body);
            let mut entry = ex.to_entry();
            if ex.status.is_some() {
                entry.response.content.text = Some(body);
            }
            let written = w.append(&entry);
            ex.response_body = entry.response.content.text.take().unwrap_or_default();
            if let Err(e) = written {
                s.file_error = Some(e.to_string());
                s.file = None;
            }
        }
        if !self.keep {
            return;
        }
        if ex.response_body.len() > KEPT_BODY {
            let mut cut = KEPT_BODY;
            while !ex.response_body.is_char_boundary(cut) {
                cut -= 1;
            }
            // A copy of the start, not `truncate`: that would keep the whole allocation alive
            // for as long as the exchange is kept (issue 12 item 6: recording holds at most
            // one response beyond what discovery holds).
            ex.response_body = ex.response_body[..cut].to_owned();
            ex.shortened = true;
        }
        let ex = Arc::new(ex);
        if s.kept.len() == KEPT {
            s.kept.pop_front();
        }
        s.kept.push_back(ex.clone());
        let mut dropped = 0;
        s.subscribers.retain(|tx| match tx.try_send(ex.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                dropped += 1;
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        s.dropped += dropped;
    }
}
