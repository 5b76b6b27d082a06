//! The demo utility's records (CDS-WG1-02 §4–§9): the Client objects, Credentials, Messages,
//! Grants, shared files and tokens that registrations and authorizations create, behind one
//! mutex, with the clock, ids and secrets they use. Imports no handler module.

pub mod files;
pub mod oauth;
pub mod objects;
pub mod persist;
pub mod sealed;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use jiff::Timestamp;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cds::{AuthorizationServerMetadata, ClientObject, Credential, Grant, Message};

use super::documents::Documents;
use super::reply::ApiError;

/// Lifetime of access tokens issued by the token endpoint (seconds), unless
/// [`set_token_lifetime_secs`] changed it.
pub const TOKEN_LIFETIME_SECS: u64 = 3600;

static TOKEN_LIFETIME: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(TOKEN_LIFETIME_SECS);

/// Lifetime of the access tokens this process's demo servers issue (seconds).
pub fn token_lifetime_secs() -> u64 {
    TOKEN_LIFETIME.load(std::sync::atomic::Ordering::Relaxed)
}

/// Shortens (or lengthens) the lifetime of access tokens issued from now on, for every demo
/// server of this process. Only the binary's test hook calls it
/// (`CDS_WIZARD_DEMO_TOKEN_LIFETIME`, see `demo_home`), so tests can let tokens expire.
pub fn set_token_lifetime_secs(secs: u64) {
    TOKEN_LIFETIME.store(secs.max(1), std::sync::atomic::Ordering::Relaxed);
}

/// Where "now" comes from, so tests can fake time (token expiry, timestamps).
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(Timestamp::now))
    }
    /// A clock that asks `f` for the time.
    pub fn from_fn(f: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        Clock(Arc::new(f))
    }
    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// How the registry behaves (for tests and demonstrations).
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// How long the simulated `internal_review` (WG1-02 §3.6) takes before production access is
    /// granted.
    pub review_delay: Duration,
    pub clock: Clock,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            review_delay: Duration::from_secs(30),
            clock: Clock::system(),
        }
    }
}

/// One stored object: which registration it belongs to and when it was stored (a sequence
/// number breaks ties between equal timestamps so listings are stable).
/// Serde: for the persisted snapshot (persist.rs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record<T> {
    pub registration: String,
    pub seq: u64,
    pub item: T,
}

/// An issued opaque bearer token. Serde: for the persisted snapshot (persist.rs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessToken {
    pub client_id: String,
    pub registration: String,
    pub scopes: Vec<String>,
    pub expires_at: Timestamp,
    #[serde(default)]
    pub authorization_details: Option<Vec<Value>>,
    /// The Credential whose secret authenticated the token request, so expiring that Credential
    /// revokes exactly its tokens (WG1-02 §7.6). `None`: issued otherwise or before tracking.
    #[serde(default)]
    pub credential_id: Option<String>,
    /// The Grant this token was issued for (a Grant Admin token, WG1-02 §3.3.2), so closing the
    /// Grant revokes it (§8.6) and the Server-Provided Files API knows what it shares (§9).
    #[serde(default)]
    pub grant_id: Option<String>,
}

/// Everything the registrations created. Client objects keep `client_secret: None`; the secrets
/// live in the Credentials (WG1-02 §7).
#[derive(Default)]
pub struct Store {
    seq: u64,
    pub clients: Vec<Record<ClientObject>>,
    pub credentials: Vec<Record<Credential>>,
    pub messages: Vec<Record<Message>>,
    /// Grants (WG1-02 §8): created by customer consent, or by the server (server-provided files).
    pub grants: Vec<Record<Grant>>,
    /// Keyed by the token string.
    pub tokens: HashMap<String, AccessToken>,
    /// Server-Provided Files (WG1-02 §9) with their bytes.
    pub files: Vec<Record<files::StoredFile>>,
    /// The customer authorization flow: pushed requests, sessions, codes, refresh tokens.
    pub oauth: oauth::OAuthStore,
}

impl std::fmt::Debug for Store {
    /// Counts only: the store holds secrets and tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("clients", &self.clients.len())
            .field("credentials", &self.credentials.len())
            .field("messages", &self.messages.len())
            .field("grants", &self.grants.len())
            .field("tokens", &self.tokens.len())
            .field("files", &self.files.len())
            .field("oauth", &self.oauth)
            .finish()
    }
}

impl Store {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn add_client(&mut self, registration: &str, item: ClientObject) {
        let seq = self.next_seq();
        self.clients.push(Record {
            registration: registration.to_owned(),
            seq,
            item,
        });
    }

    pub fn add_credential(&mut self, registration: &str, item: Credential) {
        let seq = self.next_seq();
        self.credentials.push(Record {
            registration: registration.to_owned(),
            seq,
            item,
        });
    }

    pub fn add_message(&mut self, registration: &str, item: Message) {
        let seq = self.next_seq();
        self.messages.push(Record {
            registration: registration.to_owned(),
            seq,
            item,
        });
    }

    pub fn add_grant(&mut self, registration: &str, item: Grant) {
        let seq = self.next_seq();
        self.grants.push(Record {
            registration: registration.to_owned(),
            seq,
            item,
        });
    }

    pub fn add_file(&mut self, registration: &str, item: files::StoredFile) {
        let seq = self.next_seq();
        self.files.push(Record {
            registration: registration.to_owned(),
            seq,
            item,
        });
    }

    /// Revokes every token issued for `grant_id` (WG1-02 §8.2: a `closed` Grant gives no more
    /// access). Token kinds stored elsewhere (refresh tokens) belong here too.
    /// Revokes every access and refresh token issued for `grant_id` (a closed Grant, §8.6).
    pub fn revoke_grant_tokens(&mut self, grant_id: &str) {
        self.tokens
            .retain(|_, t| t.grant_id.as_deref() != Some(grant_id));
        self.oauth
            .refresh_tokens
            .retain(|_, r| r.grant_id != grant_id);
        let live = &self.tokens;
        self.oauth.token_info.retain(|k, _| live.contains_key(k));
    }

    /// Whether Grant `grant_id` still gives access (WG1-02 §8.2).
    pub fn grant_gives_access(&self, grant_id: &str) -> bool {
        self.grants
            .iter()
            .find(|g| g.item.grant_id == grant_id)
            .is_some_and(|g| !g.item.status.is_inaccessible())
    }

    pub fn client(&self, client_id: &str) -> Option<&Record<ClientObject>> {
        self.clients.iter().find(|r| r.item.client_id == client_id)
    }

    /// Whether a `production_request` naming the Client object at `client_uri` is still pending
    /// in `registration` (its review has not finished, WG1-02 §6.3).
    pub fn production_review_pending(&self, registration: &str, client_uri: &str) -> bool {
        use crate::cds::messages::{MessageStatus, MessageType};
        self.messages.iter().any(|m| {
            m.registration == registration
                && m.item.message_type == MessageType::ProductionRequest
                && m.item.status == MessageStatus::Pending
                && m.item.related_uri.as_ref().map(url::Url::as_str) == Some(client_uri)
        })
    }

    /// A production Client object of `registration` that already serves what `sandbox` does
    /// (the same scopes and response types, not disabled): a production request for the
    /// sandbox is answered with it rather than with a second copy (WG1-02 §6.9).
    pub fn production_copy(
        &self,
        registration: &str,
        sandbox: &ClientObject,
    ) -> Option<&Record<ClientObject>> {
        use crate::cds::ClientStatus;
        use crate::demo::scopes::{as_set, scope_list};
        self.clients.iter().find(|c| {
            c.registration == registration
                && c.item
                    .cds_status_options
                    .contains(&ClientStatus::Production)
                && c.item.cds_status != ClientStatus::Disabled
                && as_set(&scope_list(&c.item.scope)) == as_set(&scope_list(&sandbox.scope))
                && as_set(&c.item.response_types) == as_set(&sandbox.response_types)
        })
    }

    /// The sequence counter, for the persisted snapshot (persist.rs).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Restores the sequence counter from a snapshot (persist.rs).
    pub fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }
}

/// The registry of one demo server: options, the parsed scope catalog and the store.
#[derive(Debug)]
pub struct Registry {
    pub options: RegistryOptions,
    store: Mutex<Store>,
    catalog: OnceLock<Result<AuthorizationServerMetadata, String>>,
    /// Signalled whenever the store is locked (it may have changed); the persistence task
    /// (persist.rs) waits on it instead of handlers writing to disk.
    changed: tokio::sync::Notify,
}

impl Registry {
    pub fn new(options: RegistryOptions) -> Self {
        Self {
            options,
            store: Mutex::new(Store::default()),
            catalog: OnceLock::new(),
            changed: tokio::sync::Notify::new(),
        }
    }

    /// The store. Never held across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        let guard = self.lock_quiet();
        // Any holder may change the store. Signalled while the guard is held, so the saver
        // (which takes the lock to snapshot) sees the change; a stored permit is never lost.
        self.changed.notify_one();
        guard
    }

    /// The store without signalling a change (snapshots and loading, persist.rs).
    pub fn lock_quiet(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Completes after the store was (possibly) changed since the last wait.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    pub fn now(&self) -> Timestamp {
        self.options.clock.now()
    }

    /// The demo's authorization server metadata as the shared wire type (parsed once).
    pub fn catalog(&self, documents: &Documents) -> Result<&AuthorizationServerMetadata, ApiError> {
        self.catalog
            .get_or_init(|| {
                serde_json::from_value(documents.oauth_metadata.clone()).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    format!("the demo's oauth metadata does not decode: {e}"),
                )
            })
    }
}

/// `bytes` random bytes as lowercase hex (ids).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh secret or token: 48 random bytes (384 bits), Base64url without padding.
pub fn random_secret() -> String {
    let mut buf = [0u8; 48];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Compares secrets without an early exit on the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Serializes a Client object, adding `client_secret` back where the spec wants it (the wire
/// type never serializes it).
pub fn client_json(client: &ClientObject, secret: Option<&str>) -> Value {
    let mut v = serde_json::to_value(client).unwrap_or(Value::Null);
    if let (Some(o), Some(s)) = (v.as_object_mut(), secret) {
        o.insert("client_secret".to_owned(), Value::String(s.to_owned()));
    }
    v
}

/// Serializes a Credential with its `client_secret` (WG1-02 §7.1: included for `client_secret`
/// credentials), placed right after `type` as in the spec's examples.
pub fn credential_json(credential: &Credential) -> Value {
    let v = serde_json::to_value(credential).unwrap_or(Value::Null);
    let Value::Object(o) = v else { return v };
    let mut out = serde_json::Map::new();
    for (k, val) in o {
        let is_type = k == "type";
        out.insert(k, val);
        if is_type && let Some(s) = &credential.client_secret {
            out.insert("client_secret".to_owned(), Value::String(s.clone()));
        }
    }
    if let Some(s) = &credential.client_secret {
        out.entry("client_secret")
            .or_insert_with(|| Value::String(s.clone()));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, random_secret());
        assert_eq!(random_hex(8).len(), 16);
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
