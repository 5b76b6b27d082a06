//! Runs the app's effects (discovery, registration CDS-WG1-02 §4–§7, authorization RFC 6749
//! §4.1, keyring reads): each one a background task that answers with messages; never draws.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OnceCell, mpsc};
use tokio::task::AbortHandle;

use crate::app::screens::authorize::{ClientRow, OutcomeView, ProfileView};
use crate::app::screens::discover::Discovered;
use crate::app::screens::submit::Failure;
use crate::app::{Effect, Msg, ReqId};
use crate::cds::AuthorizationServerMetadata;
use crate::demo::{DemoOptions, DemoServer};
use crate::http::HttpClient;
use crate::onboarding::authorize::{self, AuthorizeOptions, Redirect};
use crate::onboarding::callback::{self, wait_for_callback};
use crate::onboarding::discovery::{self, DiscoveryLimits, ProgressSink};
use crate::onboarding::engine::Engine;
use crate::onboarding::plan::{self, RegistrationPlan};
use crate::onboarding::register::{self, RegisterOutcome};
use crate::profiles::{Index, Profile, RegistrationStep};
use crate::vault::{SecretStore, keyring};

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
    /// The demo utility started from the home screen, kept until the wizard ends.
    demo: Arc<Mutex<Option<DemoServer>>>,
    /// Whether effects may write to the real terminal (the OSC 52 clipboard).
    terminal: bool,
}

struct Flow {
    paste: mpsc::Sender<String>,
    task: AbortHandle,
}

/// What an engine task works with: the HTTP client, the keyring (opened on first use), the
/// profile index (loaded on first use), and where to send its messages.
#[derive(Clone)]
struct Shared {
    http: HttpClient,
    vault: Arc<OnceCell<Arc<dyn SecretStore>>>,
    index: Arc<Mutex<Option<Index>>>,
    tx: mpsc::Sender<Msg>,
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
            demo: Arc::new(Mutex::new(None)),
            terminal: false,
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

    fn shared(&self) -> Shared {
        Shared {
            http: self.http.clone(),
            vault: self.vault.clone(),
            index: self.index.clone(),
            tx: self.tx.clone(),
        }
    }

    /// Starts `effect`; returns false when it asks the loop to stop.
    pub(super) fn run(&mut self, effect: Effect) -> bool {
        self.flows.retain(|_, f| !f.task.is_finished());
        let tx = self.tx.clone();
        let http = self.http.clone();
        match effect {
            Effect::Quit => return false,
            Effect::Discover { req, url } => {
                tokio::spawn(async move {
                    let progress_tx = tx.clone();
                    // Progress is advisory: when the queue is full an event is dropped rather
                    // than blocking discovery; the final result carries everything.
                    let sink: ProgressSink = Arc::new(move |event| {
                        let _ = progress_tx.try_send(Msg::DiscoveryProgress { req, event });
                    });
                    let found =
                        discovery::discover(&http, &url, &DiscoveryLimits::default(), Some(sink))
                            .await;
                    // The view is built (and the raw discovery freed) here, not in the event
                    // loop: at scale it takes a noticeable fraction of a second.
                    let result = match found {
                        Ok(d) => tokio::task::spawn_blocking(move || Box::new(Discovered::new(&d)))
                            .await
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Msg::DiscoveryDone { req, result }).await;
                });
            }
            Effect::LoadProfiles => {
                let index = self.index.clone();
                tokio::spawn(async move {
                    let result = loaded(&index)
                        .await
                        .map(|ix| ix.profiles().iter().map(profile_view).collect());
                    let _ = tx.send(Msg::ProfilesLoaded(result)).await;
                });
            }
            Effect::StartDemo => {
                let slot = self.demo.clone();
                tokio::spawn(async move {
                    let result = match DemoServer::start(0, DemoOptions::default()).await {
                        Ok(server) => {
                            let url = server.base_url.clone();
                            *slot.lock().await = Some(server);
                            Ok(url)
                        }
                        Err(e) => Err(format!("the demo utility did not start: {e:#}")),
                    };
                    let _ = tx.send(Msg::DemoStarted(result)).await;
                });
            }
            Effect::ReadFile { path } => {
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
            Effect::Export { path, contents } => {
                tokio::spawn(async move {
                    let result = tokio::task::spawn_blocking(move || write_new(&path, &contents))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = tx.send(Msg::Exported(result)).await;
                });
            }
            Effect::Register {
                req,
                meta,
                metadata_url,
                plan,
                profile,
            } => {
                let shared = self.shared();
                tokio::spawn(async move {
                    let fresh = Some((&*meta, metadata_url.as_ref(), &*plan));
                    let result = register(&shared, req, &profile, fresh).await;
                    let _ = tx.send(Msg::RegisterDone { req, result }).await;
                });
            }
            Effect::ResumeRegistration { req, profile } => {
                let shared = self.shared();
                tokio::spawn(async move {
                    let result = register(&shared, req, &profile, None).await;
                    let _ = tx.send(Msg::RegisterDone { req, result }).await;
                });
            }
            Effect::Authorize {
                req,
                profile,
                client_id,
                wait,
            } => {
                let shared = self.shared();
                let (paste_tx, paste_rx) = mpsc::channel(4);
                let task = tokio::spawn(async move {
                    let result =
                        authorize_flow(&shared, req, &profile, &client_id, wait, paste_rx).await;
                    let _ = tx.send(Msg::AuthorizeDone { req, result }).await;
                });
                self.flows.insert(
                    req,
                    Flow {
                        paste: paste_tx,
                        task: task.abort_handle(),
                    },
                );
            }
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
            Effect::OpenBrowser(url) => {
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
            Effect::Copy(text) => {
                if self.terminal {
                    use base64::Engine as _;
                    use std::io::Write;
                    // OSC 52: the terminal puts the text on the clipboard (also over SSH).
                    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
                    let mut out = io::stdout();
                    let _ = write!(out, "\x1b]52;c;{b64}\x07");
                    let _ = out.flush();
                }
            }
            Effect::Reveal { account } => {
                let vault = self.vault.clone();
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
        }
        true
    }

    /// Stops what the wizard started (the demo utility) once the loop ends.
    pub async fn shutdown(&mut self) {
        for (_, f) in self.flows.drain() {
            f.task.abort();
        }
        if let Some(server) = self.demo.lock().await.take() {
            server.stop().await;
        }
    }
}

/// Writes `contents` to `path`, or to `name-2.ext`, `name-3.ext`... when it exists: an export
/// never overwrites a file. Returns the absolute path written.
fn write_new(path: &str, contents: &str) -> Result<String, String> {
    use std::io::Write;
    let p = PathBuf::from(path);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..=99 {
        let candidate = if n == 1 {
            p.clone()
        } else {
            p.with_file_name(format!("{stem}-{n}{ext}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(contents.as_bytes())
                    .map_err(|e| format!("cannot write {}: {e}", candidate.display()))?;
                return Ok(std::path::absolute(&candidate)
                    .unwrap_or(candidate)
                    .display()
                    .to_string());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("cannot write {}: {e}", candidate.display())),
        }
    }
    Err(format!(
        "{path} and 98 numbered variants exist already; nothing written"
    ))
}

/// `~/x` is the home directory's `x`, as shells read it.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The keyring, opened once (the probe can block on D-Bus, so off the async threads).
async fn open_vault(cell: &OnceCell<Arc<dyn SecretStore>>) -> Result<Arc<dyn SecretStore>, String> {
    cell.get_or_try_init(|| async {
        tokio::task::spawn_blocking(keyring::open)
            .await
            .map_err(|e| e.to_string())?
            .map(|k| Arc::new(k) as Arc<dyn SecretStore>)
            .map_err(|e| format!("no keyring is reachable, so nothing can be stored: {e}"))
    })
    .await
    .cloned()
}

/// The profile index, loaded on first use and locked while the guard lives.
async fn loaded(
    slot: &Mutex<Option<Index>>,
) -> Result<tokio::sync::MappedMutexGuard<'_, Index>, String> {
    let mut guard = slot.lock().await;
    if guard.is_none() {
        *guard = Some(Index::load_default().map_err(|e| e.to_string())?);
    }
    tokio::sync::MutexGuard::try_map(guard, Option::as_mut)
        .map_err(|_| "the profile index is not loaded".to_owned())
}

/// A stored profile as the screens show it: names, never secrets.
pub fn profile_view(p: &Profile) -> ProfileView {
    use crate::text::sanitize;
    ProfileView {
        name: sanitize(&p.name),
        issuer: sanitize(&p.issuer),
        keyring: sanitize(&p.keyring_store),
        service: crate::vault::SERVICE.to_owned(),
        clients: p
            .clients
            .iter()
            .map(|c| ClientRow {
                client_id: sanitize(&c.client_id),
                scope: sanitize(&c.scope),
                status: sanitize(&c.status),
                code_flow: c.response_types.iter().any(|r| r == "code"),
                accounts: c
                    .secrets
                    .iter()
                    .map(|k| sanitize(&p.account(&c.client_id, *k)))
                    .collect(),
            })
            .collect(),
        unfinished: p.next_step().map(|s| {
            format!(
                "The registration stopped before `{s}`: press r to finish it here (or run `cds-wizard register --resume {}`).",
                sanitize(&p.name)
            )
        }),
    }
}

/// Registers (or resumes, when `fresh` is `None`) through the engine, reporting progress.
async fn register(
    shared: &Shared,
    req: ReqId,
    profile: &str,
    fresh: Option<(
        &AuthorizationServerMetadata,
        Option<&url::Url>,
        &RegistrationPlan,
    )>,
) -> Result<(Box<RegisterOutcome>, ProfileView), Failure> {
    let fail = |message: String| Failure {
        message,
        resumable: false,
    };
    // The keyring first: a keyring that fails after registration would strand the secret.
    let vault = open_vault(&shared.vault).await.map_err(fail)?;
    let mut ix = loaded(&shared.index).await.map_err(fail)?;
    let progress_tx = shared.tx.clone();
    let progress = move |event| {
        let _ = progress_tx.try_send(Msg::RegisterProgress { req, event });
    };
    let mut engine = Engine {
        http: &shared.http,
        vault: &*vault,
        index: &mut ix,
    };
    let result = match fresh {
        Some((meta, url, plan)) => {
            register::register(&mut engine, meta, url, plan, profile, &progress).await
        }
        None => register::resume(&mut engine, profile, &progress).await,
    };
    let stored = ix.profile(profile);
    match result {
        Ok(outcome) => {
            let view = stored
                .map(profile_view)
                .ok_or_else(|| fail(format!("profile {profile} vanished")))?;
            Ok((Box::new(outcome), view))
        }
        Err(e) => Err(Failure {
            message: format!("{e:#}"),
            resumable: stored.is_some_and(|p| p.is_complete(RegistrationStep::AdminSecretStored)),
        }),
    }
}

/// One customer authorization: prepare (listener bound first), announce, wait for the callback
/// or a pasted address, complete.
async fn authorize_flow(
    shared: &Shared,
    req: ReqId,
    profile: &str,
    client_id: &str,
    wait: Duration,
    mut pasted: mpsc::Receiver<String>,
) -> Result<(Box<OutcomeView>, ProfileView), String> {
    let (http, tx) = (&shared.http, &shared.tx);
    let vault = open_vault(&shared.vault).await?;
    let opts = AuthorizeOptions {
        client_id: Some(client_id.to_owned()),
        ..AuthorizeOptions::default()
    };
    let mut prepared = {
        let mut ix = loaded(&shared.index).await?;
        let mut engine = Engine {
            http,
            vault: &*vault,
            index: &mut ix,
        };
        authorize::prepare(&mut engine, profile, &opts)
            .await
            .map_err(|e| format!("{e:#}"))?
    };
    let ssh_hint = callback::ssh_hint(&prepared);
    let (loopback, paste_reason) = match &prepared.redirect {
        Redirect::Loopback(l) => (Some(l.redirect_uri()), None),
        Redirect::Pasted { why, .. } => (None, Some(why.clone())),
    };
    let _ = tx
        .send(Msg::AuthorizeReady {
            req,
            url: prepared.url.to_string(),
            loopback,
            paste_reason,
            pushed: prepared.pushed,
            ssh_hint,
        })
        .await;
    let pasted = futures::stream::poll_fn(|cx| pasted.poll_recv(cx).map(|t| t.map(Ok)));
    let rejected = |e: &authorize::AuthorizeError| {
        let (tx, message) = (tx.clone(), format!("{e:#}"));
        async move {
            let _ = tx.send(Msg::PasteRejected { req, message }).await;
        }
    };
    let callback = wait_for_callback(&mut prepared, wait, pasted, Some(wait), rejected)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let _ = tx.send(Msg::AuthorizeCompleting { req }).await;
    let mut ix = loaded(&shared.index).await?;
    let outcome = authorize::complete(http, &*vault, Some(&mut *ix), prepared, &callback)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let view = ix
        .profile(profile)
        .map(profile_view)
        .ok_or_else(|| format!("profile {profile} vanished"))?;
    Ok((Box::new(OutcomeView::from_outcome(&outcome)), view))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_export_never_overwrites_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cds-registration-x.sh");
        let path = p.to_str().unwrap();
        let first = super::write_new(path, "one").unwrap();
        let second = super::write_new(path, "two").unwrap();
        assert!(second.ends_with("cds-registration-x-2.sh"), "{second}");
        assert_eq!(std::fs::read_to_string(first).unwrap(), "one");
        assert_eq!(std::fs::read_to_string(second).unwrap(), "two");
    }
}
