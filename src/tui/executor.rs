//! Runs the app's effects (discovery, registration CDS-WG1-02 §4–§7, authorization RFC 6749
//! §4.1, keyring reads): each one a background task that answers with messages; never draws.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OnceCell, mpsc};
use tokio::task::AbortHandle;

use super::files::{expand_home, write_new};
use super::flows::{Fresh, Shared, authorize_flow, loaded, open_vault, register};
use crate::app::screens::discover::Discovered;
use crate::app::screens::inspector::RecordingEvent;
use crate::app::{Effect, Msg, ReqId};
use crate::http::HttpClient;
use crate::onboarding::discovery::{self, DiscoveryLimits, ProgressSink};
use crate::onboarding::plan;
use crate::onboarding::transcript::Recorder;
use crate::profiles::Index;
use crate::vault::SecretStore;

pub use super::flows::profile_view;

/// Messages from background tasks waiting to be handled, at most.
const CHANNEL: usize = 1024;

/// Runs effects: each one a task that sends messages back; never draws.
pub struct Executor {
    tx: mpsc::Sender<Msg>,
    pub(super) rx: Option<mpsc::Receiver<Msg>>,
    http: HttpClient,
    /// The keyring, opened on first use (registration, authorization, reveal).
    vault: Arc<OnceCell<Arc<dyn SecretStore>>>,
    /// The profile index, loaded on first use; locked only around engine calls.
    index: Arc<Mutex<Option<Index>>>,
    /// Running authorizations: where pasted addresses go, and how to stop them.
    flows: HashMap<ReqId, Flow>,
    /// Whether effects may write to the real terminal (the OSC 52 clipboard).
    terminal: bool,
    /// The session's recorder, which the Inspector shows and records to a file with.
    recorder: Option<Arc<Recorder>>,
    /// The research catalog's database (`None`: the default one).
    catalog_db: Option<std::path::PathBuf>,
    /// The remembered demo utility, when this wizard serves it (`demo_home`).
    hosted: super::demo::Slot,
}

struct Flow {
    paste: mpsc::Sender<String>,
    task: AbortHandle,
}

impl Executor {
    pub fn new(http: HttpClient) -> Self {
        let (tx, rx) = mpsc::channel(CHANNEL);
        Executor {
            tx,
            rx: Some(rx),
            http,
            vault: Arc::new(OnceCell::new()),
            index: Arc::new(Mutex::new(None)),
            flows: HashMap::new(),
            terminal: false,
            recorder: None,
            catalog_db: None,
            hosted: Arc::new(Mutex::new(None)),
        }
    }

    /// Lets effects write to the real terminal (the OSC 52 clipboard).
    pub fn on_terminal(self) -> Self {
        Executor {
            terminal: true,
            ..self
        }
    }

    /// Uses `vault` instead of opening the platform keyring (tests).
    pub fn with_vault(self, vault: Arc<dyn SecretStore>) -> Self {
        let cell = OnceCell::new();
        let _ = cell.set(vault);
        Executor {
            vault: Arc::new(cell),
            ..self
        }
    }

    /// Shows `recorder`'s exchanges in the Inspector as they happen (the client given to
    /// [`Executor::new`] must report to it) and records to a file with it.
    pub fn with_recorder(self, recorder: Arc<Recorder>) -> Self {
        super::inspector::watch(recorder.clone(), self.tx.clone());
        Executor {
            recorder: Some(recorder),
            ..self
        }
    }

    /// Reads the research catalog from `path` instead of the default database.
    pub fn with_catalog_db(self, path: std::path::PathBuf) -> Self {
        Executor {
            catalog_db: Some(path),
            ..self
        }
    }

    fn shared(&self) -> Shared {
        Shared {
            http: self.http.clone(),
            vault: self.vault.clone(),
            index: self.index.clone(),
            tx: self.tx.clone(),
        }
    }

    /// Starts `effect`; returns false when it asks the loop to stop. One arm per effect.
    pub(super) fn run(&mut self, effect: Effect) -> bool {
        self.flows.retain(|_, f| !f.task.is_finished());
        match effect {
            Effect::Quit => return false,
            Effect::Discover { req, url } => self.discover(req, url),
            Effect::LoadProfiles => self.load_profiles(),
            Effect::StartDemo => self.start_demo(),
            Effect::ReadFile { path } => self.read_file(path),
            Effect::Export { path, contents } => self.export(path, contents),
            Effect::Register {
                req,
                meta,
                metadata_url,
                plan,
                profile,
                volatile_ok,
            } => {
                let fresh = Fresh {
                    meta,
                    metadata_url,
                    plan,
                    volatile_ok,
                };
                self.register(req, profile, Some(fresh));
            }
            Effect::ResumeRegistration { req, profile } => self.register(req, profile, None),
            Effect::Authorize {
                req,
                profile,
                client_id,
                wait,
            } => self.authorize(req, profile, client_id, wait),
            Effect::PasteRedirect { req, text } => {
                if let Some(f) = self.flows.get(&req) {
                    let _ = f.paste.try_send(text);
                }
            }
            Effect::CancelAuthorize { req } => {
                // Dropping the task drops the listener: the port closes at once.
                if let Some(f) = self.flows.remove(&req) {
                    f.task.abort();
                }
            }
            Effect::OpenBrowser(url) => self.open_browser(url),
            Effect::Copy(text) => self.copy(&text),
            Effect::Reveal { account } => self.reveal(account),
            Effect::ConsoleLoad {
                req,
                profile,
                tab,
                cursor,
            } => self.console_load(req, profile, tab, cursor),
            Effect::ConsoleAct {
                req,
                profile,
                action,
            } => self.console_act(req, profile, action),
            Effect::StartRecording { name } => self.recording(Some(name)),
            Effect::StopRecording => self.recording(None),
            Effect::LoadCatalog { req } => {
                super::catalog::load_fleet(self.tx.clone(), self.catalog_db.clone(), req)
            }
            Effect::LoadCatalogUtility { req, id } => {
                super::catalog::load_utility(self.tx.clone(), self.catalog_db.clone(), req, id)
            }
        }
        true
    }

    /// Discovery from `url`, its progress as it goes, then the view built off the loop.
    fn discover(&self, req: ReqId, url: String) {
        let (tx, http) = (self.tx.clone(), self.http.clone());
        tokio::spawn(async move {
            let progress_tx = tx.clone();
            // Progress is advisory: when the queue is full an event is dropped rather than
            // blocking discovery; the final result carries everything.
            let sink: ProgressSink = Arc::new(move |event| {
                let _ = progress_tx.try_send(Msg::DiscoveryProgress { req, event });
            });
            let found = discovery::discover(&http, &url, &DiscoveryLimits::default(), Some(sink))
                .await
                .and_then(|d| d.require_cds());
            // The view is built (and the raw discovery freed) here, not in the event loop: at
            // scale it takes a noticeable fraction of a second. What the discovery held beyond
            // the view goes back to the system (issue 15).
            let result = match found {
                Ok(d) => tokio::task::spawn_blocking(move || {
                    let view = Box::new(Discovered::new(d));
                    crate::memory::give_back_free_memory();
                    view
                })
                .await
                .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::DiscoveryDone { req, result }).await;
        });
    }

    fn load_profiles(&self) {
        let (tx, index) = (self.tx.clone(), self.index.clone());
        tokio::spawn(async move {
            let result = loaded(&index)
                .await
                .map(|ix| ix.profiles().iter().map(profile_view).collect());
            let _ = tx.send(Msg::ProfilesLoaded(result)).await;
        });
    }

    /// The remembered demo utility (`demo_home`): on its port, kept until the wizard ends.
    fn start_demo(&self) {
        let (tx, slot) = (self.tx.clone(), self.hosted.clone());
        tokio::spawn(async move {
            match super::demo::start(&slot).await {
                Ok((url, notes)) => {
                    let _ = tx.send(Msg::DemoStarted(Ok(url))).await;
                    if !notes.is_empty() {
                        let _ = tx.send(Msg::Info(notes.join(" "))).await;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Msg::DemoStarted(Err(e))).await;
                }
            }
        });
    }

    /// A file named on a form, read up to the plan's cap.
    fn read_file(&self, path: String) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let p = expand_home(&path);
            let result = tokio::task::spawn_blocking(move || {
                plan::read_capped(&p, plan::MAX_FILE_BYTES)
                    .map(Arc::new)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            let _ = tx.send(Msg::FileRead { path, result }).await;
        });
    }

    fn export(&self, path: String, contents: String) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = tokio::task::spawn_blocking(move || write_new(&path, &contents))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            let _ = tx.send(Msg::Exported(result)).await;
        });
    }

    /// A registration through the engine: a new one, or the rest of a stored one.
    fn register(&self, req: ReqId, profile: String, fresh: Option<Fresh>) {
        let (tx, shared) = (self.tx.clone(), self.shared());
        tokio::spawn(async move {
            let result = register(&shared, req, &profile, fresh.as_ref()).await;
            let _ = tx.send(Msg::RegisterDone { req, result }).await;
        });
    }

    /// A customer authorization, kept among the running flows so pastes and cancels reach it.
    fn authorize(&mut self, req: ReqId, profile: String, client_id: String, wait: Duration) {
        let (tx, shared) = (self.tx.clone(), self.shared());
        let (paste_tx, paste_rx) = mpsc::channel(4);
        let hosted = self.hosted.clone();
        let task = tokio::spawn(async move {
            super::demo::ensure(&shared, &hosted, &profile).await;
            let result = authorize_flow(&shared, req, &profile, &client_id, wait, paste_rx).await;
            let _ = tx.send(Msg::AuthorizeDone { req, result }).await;
        });
        let flow = Flow {
            paste: paste_tx,
            task: task.abort_handle(),
        };
        self.flows.insert(req, flow);
    }

    fn open_browser(&self, url: String) {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let opened = tokio::task::spawn_blocking(move || webbrowser::open(&url)).await;
            let text = match opened {
                Ok(Ok(())) => "Opened the browser.".to_owned(),
                Ok(Err(e)) => format!("Could not open a browser ({e}); copy the address."),
                Err(e) => format!("Could not open a browser ({e}); copy the address."),
            };
            let _ = tx.send(Msg::Info(text)).await;
        });
    }

    /// OSC 52: the terminal puts the text on the clipboard (also over SSH).
    fn copy(&self, text: &str) {
        if self.terminal {
            use base64::Engine as _;
            use std::io::Write;
            let b64 = base64::engine::general_purpose::STANDARD.encode(text);
            let mut out = io::stdout();
            let _ = write!(out, "\x1b]52;c;{b64}\x07");
            let _ = out.flush();
        }
    }

    /// One secret read from the keyring, at the user's request.
    fn reveal(&self, account: String) {
        let (tx, vault) = (self.tx.clone(), self.vault.clone());
        tokio::spawn(async move {
            let result = async {
                let v = open_vault(&vault).await?;
                let acct = account.clone();
                tokio::task::spawn_blocking(move || v.get(&acct))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("the keyring has no entry {account}"))
            }
            .await;
            let _ = tx.send(Msg::Revealed { account, result }).await;
        });
    }

    /// Uses `index` instead of loading the default one (tests).
    pub fn with_index(self, index: Index) -> Self {
        Executor {
            index: Arc::new(Mutex::new(Some(index))),
            ..self
        }
    }

    /// One page of a console tab.
    fn console_load(
        &self,
        req: ReqId,
        profile: String,
        tab: crate::app::screens::console::ConsoleTab,
        cursor: crate::app::screens::console::listing::Cursor,
    ) {
        let (tx, shared) = (self.tx.clone(), self.shared());
        let hosted = self.hosted.clone();
        tokio::spawn(async move {
            super::demo::ensure(&shared, &hosted, &profile).await;
            let (zone, result) = super::console::load(&shared, &profile, tab, cursor).await;
            let msg = Msg::ConsolePage {
                req,
                tab,
                zone,
                result,
            };
            let _ = tx.send(msg).await;
        });
    }

    /// One console action (rotate, expire, mark read, close, download, show).
    fn console_act(
        &self,
        req: ReqId,
        profile: String,
        action: crate::app::screens::console::ConsoleAction,
    ) {
        let (tx, shared) = (self.tx.clone(), self.shared());
        let hosted = self.hosted.clone();
        tokio::spawn(async move {
            super::demo::ensure(&shared, &hosted, &profile).await;
            let result = super::console::act(&shared, &profile, action).await;
            let _ = tx.send(Msg::ConsoleActed { req, result }).await;
        });
    }

    /// Starts recording to a new file named after `name`, or stops (`None`).
    fn recording(&self, name: Option<String>) {
        let (tx, recorder) = (self.tx.clone(), self.recorder.clone());
        tokio::spawn(async move {
            let event = match recorder {
                None => RecordingEvent::Failed("this wizard has no recorder".to_owned()),
                Some(r) => tokio::task::spawn_blocking(move || match name {
                    Some(n) => super::inspector::start(&r, &n),
                    None => super::inspector::stop(&r),
                })
                .await
                .unwrap_or_else(|e| RecordingEvent::Failed(e.to_string())),
            };
            let _ = tx.send(Msg::Recording(event)).await;
        });
    }

    /// Stops what the wizard started (the demo utility) once the loop ends.
    pub async fn shutdown(&mut self) {
        for (_, f) in self.flows.drain() {
            f.task.abort();
        }
        super::demo::stop(&self.hosted).await;
    }
}
