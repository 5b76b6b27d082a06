//! The demo that remembers (issue 10 point 6): `cds-wizard demo` keeps the demo utility's state
//! (the WG1-02 §4–§9 registry: clients, credentials, grants, tokens) in the program's home, under
//! `demo/`, and comes back on the same loopback port, so a profile registered with it still works
//! the next day; `token`, `authorize` and the wizard start it in-process for a profile that
//! belongs to it (`profiles.rs`).
//!
//! Files in `<home>/demo/` (the directory 0700, every file 0600):
//! - `state.json`: the registry as `demo-server --state` keeps it (`demo::persist`: written
//!   atomically, temp file + rename), sealed (`seal.rs`): it holds what a server holds, client
//!   secrets and tokens, so it is encrypted under a key kept in the OS keyring. Its envelope's
//!   `base_url` (in clear) is the address the demo last served on: the port it comes back on.
//! - `state.json.lock`: an advisory lock (`profiles::lock`), held by the one process serving the
//!   state, so two processes never serve (and save) it at once.
//! - `state.json.running`: who holds the lock (pid, address, and whether it stays up or serves
//!   one command), for the processes that find the lock taken.
//! - `state.json.bases`: every address the demo has served on, so a profile registered before the
//!   port moved is still recognised as the demo's.

mod profiles;
pub mod seal;

pub use profiles::{adopt, belongs, demo_profiles, ensure_for_profile, to_stderr};

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::demo::state::sealed::{self, Sealing};
use crate::demo::{DemoOptions, DemoServer, persist};
use crate::profiles::lock::{self, Lock};

/// The test hook: the lifetime, in seconds, of access tokens the demo issues in this process
/// (so tests can let tokens expire; see README "The demo remembers").
pub const TOKEN_LIFETIME_ENV: &str = "CDS_WIZARD_DEMO_TOKEN_LIFETIME";
/// How long a command waits for another one that borrowed the demo for a moment.
const BORROW_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum DemoHomeError {
    #[error(transparent)]
    Home(#[from] crate::profiles::IndexError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the demo utility is running in another cds-wizard process (pid {pid}) at {base_url}; \
         stop it first"
    )]
    Running { pid: u32, base_url: String },
    #[error(
        "the demo utility is busy in another cds-wizard process (pid {pid}) for over {secs} s; \
         try again when it is done"
    )]
    Busy { pid: u32, secs: u64 },
    #[error(
        "cannot start the demo utility from {path}: {source:#} (`cds-wizard demo --fresh` starts \
         over)"
    )]
    Start {
        path: PathBuf,
        source: anyhow::Error,
    },
    #[error(
        "cannot use the key of the demo's remembered state (`{account}` in the keyring): \
         {reason}; its state was left as it is"
    )]
    Key { account: String, reason: String },
}

/// How the demo is served by the process that holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// `cds-wizard demo`: up until the user stops it; others use it.
    Serving,
    /// Started for one command (`token`, `authorize`, the wizard's Console): others wait.
    Borrowed,
}

/// What `state.json.running` says about the process serving the state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunningInfo {
    pub pid: u32,
    pub base_url: String,
    pub role: Role,
}

/// The demo's remembered files: `<home>/demo/state.json` and its neighbours.
#[derive(Debug, Clone)]
pub struct DemoHome {
    state: PathBuf,
}

impl DemoHome {
    /// `<home>/demo/state.json` in the program's home (`CDS_WIZARD_HOME` or the config dir).
    pub fn default_home() -> Result<DemoHome, DemoHomeError> {
        Ok(DemoHome::for_state(
            crate::profiles::home()?.join("demo").join("state.json"),
        ))
    }

    /// The neighbours of any state file (`demo-server --state FILE` takes the same lock).
    pub fn for_state(state: PathBuf) -> DemoHome {
        DemoHome { state }
    }

    pub fn state_file(&self) -> &Path {
        &self.state
    }

    fn neighbour(&self, ext: &str) -> PathBuf {
        let mut name = self.state.file_name().unwrap_or_default().to_os_string();
        name.push(ext);
        self.state.with_file_name(name)
    }

    fn lock_file(&self) -> PathBuf {
        self.neighbour(".lock")
    }

    fn running_file(&self) -> PathBuf {
        self.neighbour(".running")
    }

    fn bases_file(&self) -> PathBuf {
        self.neighbour(".bases")
    }

    fn dir(&self) -> PathBuf {
        self.state
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> DemoHomeError {
        let path = path.to_path_buf();
        move |source| DemoHomeError::Io {
            path: path.clone(),
            source,
        }
    }

    /// The address the demo last served on (the state's `base_url`), if it has state.
    pub fn remembered_base(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.state).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        let base = v.get("base_url")?.as_str()?.trim_end_matches('/');
        (!base.is_empty()).then(|| base.to_owned())
    }

    /// Every address the demo has served on, oldest first.
    pub fn known_bases(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_to_string(self.bases_file())
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(b) = self.remembered_base()
            && !out.contains(&b)
        {
            out.push(b);
        }
        out
    }

    /// Who serves the state now: `None` when nobody holds the lock.
    pub fn running(&self) -> Option<RunningInfo> {
        let held = match lock::try_exclusive(&self.lock_file()) {
            Ok(Some(_free)) => false,
            Ok(None) => true,
            Err(_) => return None,
        };
        if !held {
            return None;
        }
        // The holder writes the file right after taking the lock: give it a moment.
        for _ in 0..50 {
            if let Some(info) = std::fs::read_to_string(self.running_file())
                .ok()
                .and_then(|t| serde_json::from_str::<RunningInfo>(&t).ok())
            {
                return Some(info);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

/// What `--fresh` threw away.
#[derive(Debug, Clone, Default)]
pub struct Discarded {
    pub clients: usize,
    pub credentials: usize,
    pub grants: usize,
    pub tokens: usize,
}

/// The demo utility served by this process from its remembered state, holding the lock.
pub struct Hosted {
    /// `None` once stopped.
    server: Option<DemoServer>,
    home: DemoHome,
    _lock: Lock,
    pub base_url: String,
    /// The remembered port, when it was taken and the demo listens elsewhere this time.
    pub port_taken: Option<u16>,
    /// What `--fresh` discarded (`None`: nothing was asked to be discarded, or nothing was there).
    pub discarded: Option<Discarded>,
    /// The remembered state could not be opened (its key is gone) and was started fresh.
    pub lost: bool,
    /// The key the state is sealed with; `None`: no keyring, nothing is remembered this time.
    sealing: Option<Sealing>,
    /// What preparing the state did (sealed a plaintext one, started fresh, no keyring).
    said: Vec<String>,
}

impl Hosted {
    pub fn state_file(&self) -> &Path {
        self.home.state_file()
    }

    /// The running server (tests inspect its registry); `None` once stopped.
    pub fn server(&self) -> Option<&DemoServer> {
        self.server.as_ref()
    }

    /// Whether this run's state is remembered (sealed in the home); `false` without a keyring.
    pub fn remembers(&self) -> bool {
        self.sealing.is_some()
    }

    /// One line saying where the demo listens and, when its port moved, why.
    pub fn notes(&self) -> Vec<String> {
        let mut out = self.said.clone();
        if let Some(d) = &self.discarded {
            out.push(format!(
                "Started the demo utility over: discarded its state ({} clients, {} credentials \
                 with their secrets, {} grants, {} tokens); profiles registered with it no longer \
                 work there.",
                d.clients, d.credentials, d.grants, d.tokens
            ));
        }
        if let Some(p) = self.port_taken {
            out.push(format!(
                "The demo utility's port {p} is taken by another program: it listens on {} this \
                 time. Profiles registered with it follow it; apps that kept its old address \
                 do not.",
                self.base_url
            ));
        }
        out
    }

    /// Stops serving, saves the state a last time, and releases the lock.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        let _ = std::fs::remove_file(self.home.running_file());
        // The lock is released when `self._lock` drops, after the last save.
    }
}

impl Drop for Hosted {
    /// Not stopped (an early return, an error): the state is saved here, synchronously, before
    /// the lock is released, so the next process finds every change.
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            if let Some(sealing) = &self.sealing {
                let state = &**server.state();
                let plain = persist::snapshot_bytes(state);
                let bytes = persist::file_bytes(state, &plain, Some(sealing));
                if let Err(e) = persist::write_atomic(self.home.state_file(), &bytes) {
                    eprintln!("warning: {e}");
                }
            }
            let _ = std::fs::remove_file(self.home.running_file());
        }
    }
}

/// The demo's options from the state file, sealed with `sealing` (none: in memory only), and the
/// test hook for token lifetimes.
fn options(home: &DemoHome, sealing: Option<&Sealing>) -> DemoOptions {
    if let Some(secs) = std::env::var(TOKEN_LIFETIME_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        crate::demo::store::set_token_lifetime_secs(secs);
    }
    DemoOptions {
        state_file: sealing.map(|_| home.state.clone()),
        sealing: sealing.cloned(),
        ..DemoOptions::default()
    }
}

/// Serves the remembered state in this process: takes the lock (an error naming the holder when
/// another process serves it), discards the state first when `fresh`, and listens on the
/// remembered port, or on a free one when that is taken.
pub async fn host(home: &DemoHome, role: Role, fresh: bool) -> Result<Hosted, DemoHomeError> {
    host_prepared(home, role, fresh, |h| seal::prepare(h, fresh)).await
}

/// [`host`] with the state's key from `prepare` (tests give an in-memory keyring).
async fn host_prepared(
    home: &DemoHome,
    role: Role,
    fresh: bool,
    prepare: impl FnOnce(&DemoHome) -> Result<seal::Prepared, DemoHomeError>,
) -> Result<Hosted, DemoHomeError> {
    let lock = take_lock(home)?;
    let (sealing, said, lost) = match prepare(home)? {
        seal::Prepared::Sealed {
            sealing,
            notes,
            lost,
        } => (Some(sealing), notes, lost),
        seal::Prepared::NoKeyring(why) => (None, vec![no_keyring_note(&why)], false),
    };
    let discarded = match &sealing {
        Some(s) if fresh && !lost => discard(home, s)?,
        _ => None,
    };
    let remembered = home
        .remembered_base()
        .or_else(|| home.known_bases().pop())
        .and_then(|b| url::Url::parse(&b).ok())
        .and_then(|u| u.port());
    let start = |port| DemoServer::start(port, options(home, sealing.as_ref()));
    let failed = |source| DemoHomeError::Start {
        path: home.state.clone(),
        source,
    };
    let (server, port_taken) = match remembered {
        Some(p) => match start_again(p, &start).await {
            Ok(s) => (s, None),
            Err(e) if addr_in_use(&e) => (start(0).await.map_err(failed)?, Some(p)),
            Err(e) => return Err(failed(e)),
        },
        None => (start(0).await.map_err(failed)?, None),
    };
    let base_url = server.base_url.clone();
    write_running(home, &base_url, role)?;
    remember_base(home, &base_url)?;
    Ok(Hosted {
        server: Some(server),
        home: home.clone(),
        _lock: lock,
        base_url,
        port_taken,
        discarded,
        lost,
        sealing,
        said,
    })
}

fn no_keyring_note(why: &str) -> String {
    format!(
        "The demo utility does not remember anything this time: {why}. Its state would hold the \
         client secrets and tokens it issues; what you register with it is gone when it stops."
    )
}

/// The demo for a command that needs it for a while: hosted here, or the address of the process
/// that serves it (`Serving`), waiting for one that only borrowed it.
pub enum Found {
    Hosted(Box<Hosted>),
    Elsewhere(RunningInfo),
}

/// [`host`], or the demo another process serves. A process that borrowed the demo for one
/// command is waited for (up to [`BORROW_WAIT`]), since it will stop it soon.
pub async fn host_or_find(home: &DemoHome, role: Role) -> Result<Found, DemoHomeError> {
    let started = std::time::Instant::now();
    loop {
        match host(home, role, false).await {
            Ok(h) => return Ok(Found::Hosted(Box::new(h))),
            Err(DemoHomeError::Running { pid, .. }) => {
                let info = home.running();
                match info {
                    Some(i) if i.role == Role::Serving || i.pid == std::process::id() => {
                        return Ok(Found::Elsewhere(i));
                    }
                    _ if started.elapsed() > BORROW_WAIT => {
                        return Err(DemoHomeError::Busy {
                            pid,
                            secs: BORROW_WAIT.as_secs(),
                        });
                    }
                    _ => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// Takes the lock of any state file (`demo-server --state FILE`), so two processes never serve
/// and save one state at once; released when dropped.
pub fn lock_state(state: &Path) -> Result<Lock, DemoHomeError> {
    take_lock(&DemoHome::for_state(state.to_path_buf()))
}

/// Tells other processes who serves `state` (after [`lock_state`]): removed when the returned
/// guard drops.
pub fn announce(state: &Path, base_url: &str) -> Result<Announced, DemoHomeError> {
    let home = DemoHome::for_state(state.to_path_buf());
    write_running(&home, base_url, Role::Serving)?;
    remember_base(&home, base_url)?;
    Ok(Announced(home.running_file()))
}

/// Removes the running file when dropped.
pub struct Announced(PathBuf);

impl Drop for Announced {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn write_running(home: &DemoHome, base_url: &str, role: Role) -> Result<(), DemoHomeError> {
    let info = RunningInfo {
        pid: std::process::id(),
        base_url: base_url.to_owned(),
        role,
    };
    let running = home.running_file();
    let bytes = serde_json::to_vec(&info).unwrap_or_default();
    persist::write_atomic(&running, &bytes).map_err(|e| DemoHomeError::Io {
        path: running.clone(),
        source: std::io::Error::other(e.to_string()),
    })
}

fn take_lock(home: &DemoHome) -> Result<Lock, DemoHomeError> {
    let dir = home.dir();
    lock::create_private_dir(&dir).map_err(home.io(&dir))?;
    // A directory made by hand (or by an older version) is made private too.
    lock::tighten_dir(&dir).map_err(home.io(&dir))?;
    match lock::try_exclusive(&home.lock_file())? {
        Some(l) => Ok(l),
        None => {
            let info = home.running();
            Err(DemoHomeError::Running {
                pid: info.as_ref().map_or(0, |i| i.pid),
                base_url: info.map_or_else(|| "an unknown address".to_owned(), |i| i.base_url),
            })
        }
    }
}

/// Starts on the remembered `port`, trying again for a moment while it is busy: a port just
/// freed can be held briefly by an outgoing connection that drew it from the same ephemeral
/// range, and a demo that stopped a moment ago may still be closing.
async fn start_again<F, Fut>(port: u16, start: &F) -> anyhow::Result<DemoServer>
where
    F: Fn(u16) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<DemoServer>>,
{
    const TRIES: u32 = 15;
    let mut tries = 0;
    loop {
        match start(port).await {
            Err(e) if addr_in_use(&e) && tries < TRIES => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}

fn addr_in_use(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse)
    })
}

/// Appends `base` to the addresses the demo has served on (once).
fn remember_base(home: &DemoHome, base: &str) -> Result<(), DemoHomeError> {
    let mut bases = home.known_bases();
    if bases.iter().any(|b| b == base) && home.bases_file().exists() {
        return Ok(());
    }
    if !bases.iter().any(|b| b == base) {
        bases.push(base.to_owned());
    }
    let path = home.bases_file();
    persist::write_atomic(&path, format!("{}\n", bases.join("\n")).as_bytes()).map_err(|e| {
        DemoHomeError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        }
    })
}

/// Replaces the state by an empty one (the lock is held), saying what it held. The remembered
/// port is kept (the empty state and the bases file still name it), so the demo comes back
/// where it was.
fn discard(home: &DemoHome, sealing: &Sealing) -> Result<Option<Discarded>, DemoHomeError> {
    let bytes = match std::fs::read(&home.state) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(home.io(&home.state)(e)),
    };
    // Sealed with this key (after `seal::prepare`), or unreadable: then nothing is counted.
    let v: serde_json::Value = sealed::open(&sealing.key, &bytes)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .unwrap_or_default();
    let count = |k: &str| {
        v.get(k).map_or(0, |x| {
            x.as_array()
                .map(Vec::len)
                .or_else(|| x.as_object().map(serde_json::Map::len))
                .unwrap_or(0)
        })
    };
    let d = Discarded {
        clients: count("clients"),
        credentials: count("credentials"),
        grants: count("grants"),
        tokens: count("tokens") + count("refresh_tokens"),
    };
    let base = home
        .remembered_base()
        .or_else(|| home.known_bases().pop())
        .unwrap_or_default();
    seal::write_sealed(home, sealing, &base, &seal::empty_state(&base))?;
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_process_serves_a_state_and_it_comes_back_on_its_port() {
        let dir = tempfile::tempdir().unwrap();
        let home = DemoHome::for_state(dir.path().join("demo").join("state.json"));
        let first = host(&home, Role::Serving, false).await.unwrap();
        let base = first.base_url.clone();
        // Held: a second server of the same state is refused, naming the first.
        match host(&home, Role::Borrowed, false).await {
            Err(DemoHomeError::Running { pid, base_url }) => {
                assert_eq!(
                    (pid, base_url.as_str()),
                    (std::process::id(), base.as_str())
                );
            }
            Err(e) => panic!("refused for another reason: {e}"),
            Ok(_) => panic!("a second server of one state"),
        }
        assert!(matches!(
            host_or_find(&home, Role::Borrowed).await,
            Ok(Found::Elsewhere(i)) if i.base_url == base
        ));
        first.stop().await;
        assert!(home.running().is_none(), "released");
        let again = host(&home, Role::Serving, false).await.unwrap();
        assert_eq!(again.base_url, base, "the same port");
        assert_eq!(again.port_taken, None);
        again.stop().await;
    }

    #[tokio::test]
    async fn fresh_recovers_from_an_unreadable_state() {
        let dir = tempfile::tempdir().unwrap();
        let home = DemoHome::for_state(dir.path().join("state.json"));
        std::fs::write(home.state_file(), "{ not json").unwrap();
        let store = crate::vault::memory::MemoryStore::default();
        let store = &store;
        let prepare = |fresh| move |h: &DemoHome| seal::prepare_with(h, store, fresh);
        let err = host_prepared(&home, Role::Serving, false, prepare(false))
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("--fresh"), "{err}");
        let h = host_prepared(&home, Role::Serving, true, prepare(true))
            .await
            .unwrap();
        assert!(h.discarded.is_some() && h.remembers());
        h.stop().await;
        let v = seal::open_state(home.state_file(), store).expect("sealed, opens");
        assert_eq!(v["format"], persist::FORMAT);
    }
}
