//! Secret values and the names they are kept under in the OS keyring (CDS-WG1-02 client
//! secrets, RFC 6749 tokens): a leaf module with no I/O, so the pure layers may hold secrets
//! without reaching the keyring code in `vault/`.

use std::fmt;

/// The keyring "service" every entry of this program is stored under.
pub const SERVICE: &str = "cds-wizard";

/// A secret value. Its `Debug` and `Display` never show it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Also remembers the value in [`known`], so transcripts can redact it wherever it appears.
    pub fn new(s: impl Into<String>) -> Self {
        let s = s.into();
        known::remember(&s);
        Secret(s)
    }
    /// The secret itself, for the one place that sends it (an Authorization header, a form).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The account name of one secret of one client of one profile.
pub fn account(profile: &str, client_id: &str, kind: SecretKind) -> String {
    format!("{profile}/{client_id}/{}", kind.as_str())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    ClientSecret,
    AccessToken,
    RefreshToken,
    /// The key that seals the demo utility's remembered state (`demo/store/sealed.rs`), kept as
    /// `demo/<state id>/demo_state_key`: one per state file, so homes never share a key.
    DemoStateKey,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client_secret",
            SecretKind::AccessToken => "access_token",
            SecretKind::RefreshToken => "refresh_token",
            SecretKind::DemoStateKey => "demo_state_key",
        }
    }
}

/// Every secret value this process has held (read from or stored in the keyring, received
/// from a server, typed by the user): a transcript (issue 12) replaces each wherever it
/// appears, whatever the key or header it travels under. In memory only, never written.
pub mod known {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, PoisonError};

    /// Shorter values are not kept: they would match ordinary text by chance.
    pub const MIN_LEN: usize = 8;

    static KNOWN: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    /// Bumped on every new value, so a cache of the set knows when to rebuild.
    static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

    pub(super) fn remember(value: &str) {
        if value.len() < MIN_LEN {
            return;
        }
        let mut set = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
        if set.insert(value.to_owned()) {
            GENERATION.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// The values remembered so far.
    pub fn values() -> Vec<String> {
        let set = KNOWN.lock().unwrap_or_else(PoisonError::into_inner);
        set.iter().cloned().collect()
    }

    /// Changes whenever a value is added.
    pub fn generation() -> u64 {
        GENERATION.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
        let _long = Secret::new("correct horse battery");
        assert!(known::values().contains(&"correct horse battery".to_owned()));
        assert!(
            !known::values().contains(&"hunter2".to_owned()),
            "too short"
        );
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(
            account("p", "c1", SecretKind::RefreshToken),
            "p/c1/refresh_token"
        );
    }
}
