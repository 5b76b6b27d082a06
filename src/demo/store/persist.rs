//! Persistent state for the demo utility (`demo-server --state FILE`): the registry's store
//! (WG1-02 §4–§7 Client objects, Credentials with their secrets, Messages, Grants, access
//! tokens and the sequence counter) is loaded from FILE at start and saved after changes.
//!
//! - Saving never blocks a request: `Registry::lock` signals a `Notify`, and one background task
//!   snapshots the store at most every [`SAVE_INTERVAL`] and writes only when the bytes differ;
//!   a graceful stop saves once more. A kill loses at most the last interval's changes.
//! - Saving is atomic: a temp file in the same directory (mode 0600: it holds client secrets),
//!   fsync, rename over FILE, fsync the directory. A crash mid-write leaves FILE as it was plus a
//!   stray temp file, which the next start removes.
//! - A file that exists but does not load is an error naming the file and the problem; the demo
//!   never starts empty over it (that would overwrite the user's registrations).
//! - The demo's remembered state (`cds-wizard demo`) is sealed (`sealed.rs`): written as an
//!   encrypted envelope, compared as plaintext. `demo-server --state FILE` writes plaintext: the
//!   operator's own data file, which holds client secrets and tokens in clear (mode 0600).
//! - URLs inside stored objects (`cds_client_uri`, credential `uri`, message links...) start
//!   with the base URL of the run that created them. When a later run listens elsewhere (the
//!   default `--port 0` picks a new port each time), every stored string that starts with the
//!   old base URL is rewritten to the new one at load, so the stored objects keep pointing at
//!   this server. `--port` is still recommended with `--state`: apps that saved those URLs
//!   elsewhere keep working only if the port stays the same.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cds::{ClientObject, Credential, Grant, Message};

use super::sealed::{self, Sealing};
use super::{AccessToken, Record, Registry, Store, random_hex};

/// What the file says it is, so another JSON file is not mistaken for state.
pub const FORMAT: &str = "cds-wizard-demo-state";
/// Version written; a file with a higher one came from a newer cds-wizard.
pub const VERSION: u32 = 1;
/// At most one save per interval, however busy the server is.
pub const SAVE_INTERVAL: Duration = Duration::from_millis(100);

/// A stored object with the `client_secret` its wire type never serializes (Client objects
/// from a registration response, WG1-02 §4.2; Credentials, §7.1).
#[derive(Serialize, Deserialize)]
pub struct SecretRecord<T> {
    pub registration: String,
    pub seq: u64,
    pub item: T,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// The persisted form of [`Store`]: one struct built from and into it.
///
/// MERGING: every field is `#[serde(default)]` so a file written before a field existed still
/// loads. When a store is added to `Store` (authorization codes, refresh tokens, sessions...),
/// add a field here with `#[serde(default)]` and copy it in `from_store` and `into_store`; keep
/// secrets that a wire type skips on serialize in a [`SecretRecord`]-like wrapper. No `Debug`:
/// it holds secrets.
#[derive(Serialize, Deserialize, Default)]
pub struct Snapshot {
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub version: u32,
    /// The base URL of the run that wrote the file (for rewriting stored URLs at load).
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub seq: u64,
    #[serde(default)]
    pub clients: Vec<SecretRecord<ClientObject>>,
    #[serde(default)]
    pub credentials: Vec<SecretRecord<Credential>>,
    #[serde(default)]
    pub messages: Vec<Record<Message>>,
    #[serde(default)]
    pub grants: Vec<Record<Grant>>,
    /// Server-provided files (their bytes are embedded in the binary, found again by name).
    #[serde(default)]
    pub files: Vec<Record<crate::cds::ServerProvidedFile>>,
    /// Sorted, so an unchanged store always serializes to the same bytes.
    #[serde(default)]
    pub tokens: BTreeMap<String, AccessToken>,
    /// The customer flow's long-lived parts (refresh tokens, which Grant each access token
    /// belongs to, who approved each Grant). Pushed requests, sessions and codes live seconds
    /// to minutes and are not kept across restarts.
    #[serde(default)]
    pub refresh_tokens: BTreeMap<String, super::oauth::RefreshToken>,
    #[serde(default)]
    pub token_info: BTreeMap<String, super::oauth::TokenInfo>,
    #[serde(default)]
    pub grant_customers: BTreeMap<String, String>,
}

fn with_secret<T: Clone>(r: &Record<T>, secret: Option<&String>) -> SecretRecord<T> {
    SecretRecord {
        registration: r.registration.clone(),
        seq: r.seq,
        item: r.item.clone(),
        client_secret: secret.cloned(),
    }
}

impl Snapshot {
    pub fn from_store(store: &Store, base_url: &str) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            base_url: base_url.to_owned(),
            seq: store.seq(),
            clients: store
                .clients
                .iter()
                .map(|r| with_secret(r, r.item.client_secret.as_ref()))
                .collect(),
            credentials: store
                .credentials
                .iter()
                .map(|r| with_secret(r, r.item.client_secret.as_ref()))
                .collect(),
            messages: store.messages.clone(),
            grants: store.grants.clone(),
            files: store
                .files
                .iter()
                .map(|r| Record {
                    registration: r.registration.clone(),
                    seq: r.seq,
                    item: r.item.file.clone(),
                })
                .collect(),
            tokens: store
                .tokens
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            refresh_tokens: store
                .oauth
                .refresh_tokens
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            token_info: store
                .oauth
                .token_info
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            grant_customers: store
                .oauth
                .grant_customers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    pub fn into_store(self) -> Store {
        let mut store = Store::default();
        store.set_seq(self.seq);
        store.clients = self
            .clients
            .into_iter()
            .map(|r| {
                let mut item = r.item;
                item.client_secret = r.client_secret;
                Record {
                    registration: r.registration,
                    seq: r.seq,
                    item,
                }
            })
            .collect();
        store.credentials = self
            .credentials
            .into_iter()
            .map(|r| {
                let mut item = r.item;
                item.client_secret = r.client_secret;
                Record {
                    registration: r.registration,
                    seq: r.seq,
                    item,
                }
            })
            .collect();
        store.messages = self.messages;
        store.grants = self.grants;
        store.files = self
            .files
            .into_iter()
            .filter_map(|r| {
                let bytes = super::files::template_bytes(&r.item.name)?;
                Some(Record {
                    registration: r.registration,
                    seq: r.seq,
                    item: super::files::StoredFile {
                        file: r.item,
                        bytes,
                    },
                })
            })
            .collect();
        store.tokens = self.tokens.into_iter().collect();
        store.oauth.refresh_tokens = self.refresh_tokens.into_iter().collect();
        store.oauth.token_info = self.token_info.into_iter().collect();
        store.oauth.grant_customers = self.grant_customers.into_iter().collect();
        store
    }
}

/// Why the state file cannot be used. Each is one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "state file {path} is not usable demo state: {what} (it was left untouched; fix it, or \
         move it away to start empty)"
    )]
    Corrupt { path: PathBuf, what: String },
    #[error("cannot save state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Loads `path` for a server at `base_url`. A missing file is an empty store; anything else
/// that does not load is an error (never silently empty).
pub fn load(path: &Path, base_url: &str) -> Result<Store, StateError> {
    load_sealed(path, base_url, None)
}

/// [`load`], opening a sealed file (`sealed.rs`) with `sealing`'s key. A plaintext file still
/// loads (the previous format: the first save seals it); a sealed one without a key does not.
pub fn load_sealed(
    path: &Path,
    base_url: &str,
    sealing: Option<&Sealing>,
) -> Result<Store, StateError> {
    let corrupt = |what: String| StateError::Corrupt {
        path: path.to_owned(),
        what,
    };
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(StateError::Read {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("directory {} does not exist", dir.display()),
            ),
        });
    }
    remove_stale_temp_files(path);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Store::default()),
        Err(source) => {
            return Err(StateError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let bytes = match (sealed::looks_sealed(&bytes), sealing) {
        (false, _) => bytes,
        (true, None) => {
            return Err(corrupt(
                "it is sealed with a key kept in the OS keyring; only `cds-wizard demo` opens it"
                    .to_owned(),
            ));
        }
        (true, Some(s)) => sealed::open(&s.key, &bytes).map_err(|e| corrupt(e.to_string()))?,
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(corrupt("not UTF-8 text".to_owned()));
    };
    if text.trim().is_empty() {
        return Err(corrupt("the file is empty".to_owned()));
    }
    let mut value: Value = serde_json::from_str(&text).map_err(|e| {
        corrupt(if e.is_eof() {
            format!("JSON ends early at line {} column {}", e.line(), e.column())
        } else {
            format!("invalid JSON: {e}")
        })
    })?;
    let Some(obj) = value.as_object() else {
        return Err(corrupt("not a JSON object".to_owned()));
    };
    match obj.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        _ => {
            return Err(corrupt(format!(
                "no \"format\": \"{FORMAT}\" marker (not written by cds-wizard demo-server)"
            )));
        }
    }
    if let Some(v) = obj.get("version").and_then(Value::as_u64)
        && v > u64::from(VERSION)
    {
        return Err(corrupt(format!(
            "written by a newer cds-wizard (state version {v}, this one reads {VERSION})"
        )));
    }
    let old_base = obj
        .get("base_url")
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('/').to_owned())
        .unwrap_or_default();
    if !old_base.is_empty() && old_base != base_url {
        rewrite_base(&mut value, &old_base, base_url);
    }
    let snapshot: Snapshot = serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        corrupt(format!("at {at}: {}", e.into_inner()))
    })?;
    Ok(snapshot.into_store())
}

/// Replaces the prefix `old` by `new` in every string that is `old` or continues it with a
/// path, query or fragment (so `http://127.0.0.1:80` never matches `http://127.0.0.1:8080`).
pub fn rewrite_base(v: &mut Value, old: &str, new: &str) {
    match v {
        Value::String(s) => {
            if let Some(rest) = s.strip_prefix(old)
                && (rest.is_empty() || rest.starts_with(['/', '?', '#']))
            {
                *s = format!("{new}{rest}");
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_base(x, old, new)),
        Value::Object(o) => o.values_mut().for_each(|x| rewrite_base(x, old, new)),
        _ => {}
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    format!(".{name}.tmp-")
}

/// Temp files a crash left behind (the rename never happened, so FILE is intact). Best effort:
/// one server per state file is assumed, so no other writer owns them.
fn remove_stale_temp_files(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = std::fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to `path` atomically: temp file in the same directory (mode 0600), fsync,
/// rename over `path`, fsync the directory so the rename itself survives a power loss.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let err = |source| StateError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = parent_dir(path);
    let tmp = dir.join(format!("{}{}", temp_prefix(path), random_hex(6)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err)?;
    Ok(())
}

/// What the saver saves: a registry and the base URL its objects' URIs start with (the demo's
/// `DemoState`; a trait so the store never depends on the server around it).
pub trait Persisted: Send + Sync + 'static {
    fn registry(&self) -> &Registry;
    fn base_url(&self) -> &str;
}

/// The file's bytes for `plaintext` (from [`snapshot_bytes`]): sealed when a key is given.
pub fn file_bytes(state: &impl Persisted, plaintext: &[u8], sealing: Option<&Sealing>) -> Vec<u8> {
    match sealing {
        Some(s) => sealed::seal(s, state.base_url(), plaintext),
        None => plaintext.to_vec(),
    }
}

/// The store as plaintext JSON bytes (the lock is held only to clone).
pub fn snapshot_bytes(state: &impl Persisted) -> Vec<u8> {
    let snapshot = Snapshot::from_store(&state.registry().lock_quiet(), state.base_url());
    let mut bytes = serde_json::to_vec_pretty(&snapshot).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The background saver of one server.
pub struct Saver {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Saver {
    /// Saves the loaded state once (so an unwritable FILE fails the start, not a later save,
    /// and a rewritten base URL or a too-open file mode is fixed at once), then saves after
    /// changes until [`Saver::finish`].
    pub async fn start(
        state: Arc<impl Persisted>,
        path: PathBuf,
        sealing: Option<Sealing>,
    ) -> Result<Saver, StateError> {
        let bytes = snapshot_bytes(&*state);
        let (p, b) = (path.clone(), file_bytes(&*state, &bytes, sealing.as_ref()));
        tokio::task::spawn_blocking(move || write_atomic(&p, &b))
            .await
            .map_err(|e| StateError::Write {
                path: path.clone(),
                source: std::io::Error::other(e),
            })??;
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut last = bytes;
            loop {
                tokio::select! {
                    _ = state.registry().changed() => {}
                    _ = &mut stopped => break,
                }
                // Coalesce a burst of changes into one save.
                tokio::select! {
                    _ = tokio::time::sleep(SAVE_INTERVAL) => {}
                    _ = &mut stopped => break,
                }
                save_if_changed(&*state, &path, sealing.as_ref(), &mut last).await;
            }
            save_if_changed(&*state, &path, sealing.as_ref(), &mut last).await;
        });
        Ok(Saver { stop, task })
    }

    /// Saves the final state and ends the task (graceful shutdown).
    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Compares plaintext (sealed bytes differ on every write: a new nonce), writes sealed.
async fn save_if_changed(
    state: &impl Persisted,
    path: &Path,
    sealing: Option<&Sealing>,
    last: &mut Vec<u8>,
) {
    let bytes = snapshot_bytes(state);
    if bytes == *last {
        return;
    }
    let (p, b) = (path.to_owned(), file_bytes(state, &bytes, sealing));
    match tokio::task::spawn_blocking(move || write_atomic(&p, &b)).await {
        Ok(Ok(())) => *last = bytes,
        // Kept in memory; the next change retries. The demo owns its stderr.
        Ok(Err(e)) => eprintln!("warning: {e}"),
        Err(e) => eprintln!("warning: saving {} failed: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base_url_rewrite_matches_whole_origins_only() {
        let mut v = json!({
            "a": "http://127.0.0.1:80/x",
            "b": ["http://127.0.0.1:80", "http://127.0.0.1:8080/y", "http://127.0.0.1:80?q"],
            "c": "secret-http://127.0.0.1:80",
        });
        rewrite_base(&mut v, "http://127.0.0.1:80", "http://127.0.0.1:5");
        assert_eq!(
            v,
            json!({
                "a": "http://127.0.0.1:5/x",
                "b": ["http://127.0.0.1:5", "http://127.0.0.1:8080/y", "http://127.0.0.1:5?q"],
                "c": "secret-http://127.0.0.1:80",
            })
        );
    }

    #[test]
    fn empty_snapshot_round_trips() {
        let bytes = serde_json::to_vec(&Snapshot::from_store(&Store::default(), "b")).unwrap();
        let back: Snapshot = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.format, FORMAT);
        assert_eq!(back.version, VERSION);
        // Every field defaults: an older or hand-trimmed file loads.
        let min: Snapshot = serde_json::from_str("{}").unwrap();
        assert!(min.clients.is_empty() && min.tokens.is_empty());
    }
}
