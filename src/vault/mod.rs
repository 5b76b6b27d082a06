//! Secrets live only in the OS keyring. `SecretStore` is the small interface the engine uses;
//! `keyring` implements it on the OS stores (Secret Service or kernel keyutils on Linux, the
//! macOS Keychain, the Windows Credential Manager), `memory` for unit tests of flow logic.
//! There is no file fallback, by design: when no keyring works, the caller is told and stops.

pub mod keyring;
pub mod memory;

use std::time::Duration;

// The store interface speaks these; they live in the I/O-free `crate::secret`.
pub use crate::secret::{SERVICE, Secret, SecretKind, account};

/// How long one keyring call may take before it is abandoned (a locked or broken keyring must
/// never hang the program).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

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
