//! The OS keyring through keyring-core (keyring v4), one store chosen at start-up and probed
//! with a throw-away entry before anything is sent to a server (a keyring that fails after a
//! registration would strand its secret). Every call runs on a helper thread bounded by
//! [`CALL_TIMEOUT`], so a locked or broken keyring cannot hang the program.
//!
//! Linux: Secret Service when a session bus answers, kernel keyutils otherwise;
//! `CDS_WIZARD_KEYRING=secret-service|keyutils` forces one.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};

use super::{CALL_TIMEOUT, SERVICE, Secret, SecretStore, VaultError};

/// A keyring-core store with a name and a per-call timeout.
pub struct KeyringStore {
    name: String,
    store: Arc<CredentialStore>,
    timeout: Duration,
}

impl KeyringStore {
    fn new(name: &str, store: Arc<CredentialStore>) -> Self {
        Self {
            name: name.to_owned(),
            store,
            timeout: CALL_TIMEOUT,
        }
    }

    /// Runs `f` on a helper thread; gives up after the timeout (the thread is left to finish).
    fn bounded<T: Send + 'static>(
        &self,
        f: impl FnOnce(Arc<CredentialStore>) -> T + Send + 'static,
    ) -> Result<T, VaultError> {
        let (tx, rx) = mpsc::channel();
        let store = self.store.clone();
        let keyutils = self.name == "keyutils";
        std::thread::Builder::new()
            .name("keyring-call".into())
            .spawn(move || {
                // A session keyring belongs to the thread that joined it and the threads it
                // starts later: a call from any other thread (an async worker of the wizard)
                // needs its own, or the kernel answers AccessDenied. Keys live in the
                // persistent keyring, which every session keyring of this user reaches.
                #[cfg(target_os = "linux")]
                if keyutils {
                    let _ = linux_keyutils::KeyRing::from_special_id(
                        linux_keyutils::KeyRingIdentifier::Session,
                        true,
                    );
                }
                #[cfg(not(target_os = "linux"))]
                let _ = keyutils;
                let _ = tx.send(f(store));
            })
            .map_err(|e| VaultError::Store {
                store: self.name.clone(),
                account: String::new(),
                reason: format!("cannot start a thread: {e}"),
            })?;
        rx.recv_timeout(self.timeout)
            .map_err(|_| VaultError::Timeout {
                store: self.name.clone(),
                secs: self.timeout.as_secs(),
            })
    }

    fn store_error(&self, account: &str, e: keyring_core::Error) -> VaultError {
        VaultError::Store {
            store: self.name.clone(),
            account: account.to_owned(),
            reason: describe(&e),
        }
    }

    /// Set, read back and delete a throw-away entry: a plain `get` can answer "no entry" from a
    /// broken store (shared/KEYRING.md), so only a round trip proves the store works.
    pub fn probe(&self) -> Result<(), VaultError> {
        let account = format!("probe-{}", std::process::id());
        let value = Secret::new(format!("probe-{:x}", rand_u64()));
        self.set(&account, &value)?;
        let back = self.get(&account)?;
        self.delete(&account)?;
        if back.as_ref() != Some(&value) {
            return Err(VaultError::Store {
                store: self.name.clone(),
                account,
                reason: "a value written could not be read back".into(),
            });
        }
        Ok(())
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// keyring-core errors in words a user can act on (they never contain the secret).
fn describe(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::NoStorageAccess(inner) => {
            format!("no access to the keyring (locked?): {inner}")
        }
        keyring_core::Error::PlatformFailure(inner) => format!("keyring failure: {inner}"),
        keyring_core::Error::BadEncoding(_) => "the stored value is not text".into(),
        other => other.to_string(),
    }
}

impl SecretStore for KeyringStore {
    fn name(&self) -> &str {
        &self.name
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        let (acct, value) = (account.to_owned(), secret.expose().to_owned());
        self.bounded(move |store| {
            Entry::new_in_store(&store, SERVICE, &acct)?.set_password(&value)
        })?
        .map_err(|e| self.store_error(account, e))
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError> {
        let acct = account.to_owned();
        match self
            .bounded(move |store| Entry::new_in_store(&store, SERVICE, &acct)?.get_password())?
        {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.store_error(account, e)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), VaultError> {
        let acct = account.to_owned();
        match self.bounded(move |store| {
            Entry::new_in_store(&store, SERVICE, &acct)?.delete_credential()
        })? {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.store_error(account, e)),
        }
    }
}

/// Which keyring to use: `CDS_WIZARD_KEYRING`, or the platform's choice.
pub fn open() -> Result<KeyringStore, VaultError> {
    let forced = std::env::var("CDS_WIZARD_KEYRING").ok();
    open_named(forced.as_deref())
}

/// Whether entries in the keyring named `name` outlive a reboot. Kernel keyutils keeps them in
/// memory only (the persistent keyring expires and is gone at shutdown).
pub fn survives_reboot(name: &str) -> bool {
    name != "keyutils"
}

/// Whether registering with `store` needs the user's consent first (CDS issue 9 item 8): its
/// entries do not survive a reboot, and the user did not name it (`--keyring`,
/// `CDS_WIZARD_KEYRING`), so the one-time client secrets could be lost without their knowing.
pub fn needs_consent(store: &str, chosen: Option<&str>) -> bool {
    !survives_reboot(store) && chosen.filter(|c| !c.is_empty()) != Some(store)
}

/// [`open`] with the store named by the caller (`None` or empty: the platform's choice).
pub fn open_named(forced: Option<&str>) -> Result<KeyringStore, VaultError> {
    let forced = forced.filter(|s| !s.is_empty());
    let candidates: Vec<&str> = match forced {
        Some(name) => {
            if !platform_stores().contains(&name) {
                return Err(VaultError::UnknownStore(name.to_owned()));
            }
            vec![name]
        }
        None => platform_stores().to_vec(),
    };
    let mut tried = Vec::new();
    for name in candidates {
        match build(name).and_then(|s| s.probe().map(|()| s)) {
            Ok(store) => return Ok(store),
            // `build` says why one store is unavailable: its reasons, not a nested sentence.
            Err(VaultError::Unavailable { tried: why }) => tried.extend(why),
            Err(e) => tried.push((name.to_owned(), e.to_string())),
        }
    }
    Err(VaultError::Unavailable { tried })
}

#[cfg(target_os = "linux")]
fn platform_stores() -> &'static [&'static str] {
    &["secret-service", "keyutils"]
}

#[cfg(target_os = "macos")]
fn platform_stores() -> &'static [&'static str] {
    &["macos-keychain"]
}

#[cfg(target_os = "windows")]
fn platform_stores() -> &'static [&'static str] {
    &["windows"]
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_stores() -> &'static [&'static str] {
    &[]
}

/// Builds one named store (without probing it).
pub fn build(name: &str) -> Result<KeyringStore, VaultError> {
    let unavailable = |why: String| VaultError::Unavailable {
        tried: vec![(name.to_owned(), why)],
    };
    let store: Arc<CredentialStore> = match name {
        #[cfg(target_os = "linux")]
        "secret-service" => {
            // Without a session bus the store would fail on every call; say why up front.
            if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
                && !std::path::Path::new(&format!("/run/user/{}/bus", unsafe_uid())).exists()
            {
                return Err(unavailable("no D-Bus session bus".into()));
            }
            zbus_secret_service_keyring_store::Store::new()
                .map_err(|e| unavailable(describe(&e)))?
        }
        #[cfg(target_os = "linux")]
        "keyutils" => {
            // keyutils needs a session keyring, which plain shells and CI lack: create one
            // for this process (shared/KEYRING.md).
            linux_keyutils::KeyRing::from_special_id(
                linux_keyutils::KeyRingIdentifier::Session,
                true,
            )
            .map_err(|e| unavailable(format!("no session keyring: {e:?}")))?;
            linux_keyutils_keyring_store::Store::new().map_err(|e| unavailable(describe(&e)))?
        }
        #[cfg(target_os = "macos")]
        "macos-keychain" => apple_native_keyring_store::keychain::Store::new()
            .map_err(|e| unavailable(describe(&e)))?,
        #[cfg(target_os = "windows")]
        "windows" => {
            windows_native_keyring_store::Store::new().map_err(|e| unavailable(describe(&e)))?
        }
        other => return Err(VaultError::UnknownStore(other.to_owned())),
    };
    Ok(KeyringStore::new(name, store))
}

#[cfg(target_os = "linux")]
fn unsafe_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}
