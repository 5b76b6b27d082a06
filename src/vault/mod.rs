//! Secrets live only in the OS keyring. `SecretStore` is the small interface the engine uses;
//! `keyring` implements it on the OS stores (Secret Service or kernel keyutils on Linux, the
//! macOS Keychain, the Windows Credential Manager), `memory` for unit tests of flow logic.
//! There is no file fallback, by design: when no keyring works, the caller is told and stops.

pub mod index;
pub mod keyring;
pub mod memory;

use std::fmt;
use std::time::Duration;

/// The keyring "service" every entry of this program is stored under.
pub const SERVICE: &str = "cds-wizard";

/// How long one keyring call may take before it is abandoned (a locked or broken keyring must
/// never hang the program).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A secret value. Its `Debug` and `Display` never show it; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
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

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No keyring could be used; each tried store and why it failed.
    #[error(
        "no working OS keyring ({}); cds-wizard keeps secrets only in a keyring and will not write them to a file",
        .tried.iter().map(|(n, why)| format!("{n}: {why}")).collect::<Vec<_>>().join("; ")
    )]
    Unavailable { tried: Vec<(String, String)> },
    #[error("the {store} keyring did not answer within {secs} s (locked or stuck?)")]
    Timeout { store: String, secs: u64 },
    #[error("the {store} keyring refused `{account}`: {reason}")]
    Store {
        store: String,
        account: String,
        reason: String,
    },
    #[error("unknown keyring `{0}` in CDS_WIZARD_KEYRING (use secret-service or keyutils)")]
    UnknownStore(String),
}

/// Where secrets go. Accounts are strings such as `<profile>/<client_id>/client_secret`.
pub trait SecretStore: Send + Sync {
    /// A short name for messages: `secret-service`, `keyutils`, `macos-keychain`, ...
    fn name(&self) -> &str;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError>;
    /// `None` when there is no such entry.
    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError>;
    /// Deleting a missing entry is not an error.
    fn delete(&self, account: &str) -> Result<(), VaultError>;
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
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client_secret",
            SecretKind::AccessToken => "access_token",
            SecretKind::RefreshToken => "refresh_token",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?} {s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(
            account("p", "c1", SecretKind::RefreshToken),
            "p/c1/refresh_token"
        );
    }
}
