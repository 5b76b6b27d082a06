//! The key of the demo's remembered state (issue 10 point 6; "secrets live only in the OS
//! keyring"): `<home>/demo/state.json` holds what a server holds (WG1-02 §7.1 client secrets,
//! tokens), so it is sealed (`demo::state::sealed`) under a random key kept in the keyring the
//! user chose (`CDS_WIZARD_KEYRING` or the platform's), as `demo/<state id>/demo_state_key`.
//!
//! Before the demo starts from its state ([`prepare`], the lock held):
//! - no state yet: a new key;
//! - a sealed state whose key opens it: that key;
//! - a sealed state whose key is gone (keyutils forgets at reboot) or does not open it (the file
//!   was changed): said in one line, and started fresh on the same port with a new key;
//! - a plaintext state of the previous format: sealed, and the plaintext overwritten and removed;
//! - no keyring at all: nothing is remembered this time (never a plaintext state).

use std::io::Write;
use std::path::Path;

use super::{DemoHome, DemoHomeError};
use crate::demo::persist;
use crate::demo::state::random_hex;
use crate::demo::state::sealed::{self, SealKey, Sealing};
use crate::secret::{Secret, SecretKind, account};
use crate::vault::{SecretStore, keyring};

/// How the demo keeps its state this time.
pub enum Prepared {
    /// Remembered, sealed with this key. `lost`: the old state could not be opened and was
    /// replaced by an empty one; `notes` say what happened.
    Sealed {
        sealing: Sealing,
        notes: Vec<String>,
        lost: bool,
    },
    /// No keyring works: the demo runs in memory only; why.
    NoKeyring(String),
}

/// [`prepare_with`] in the keyring the user chose.
pub fn prepare(home: &DemoHome) -> Result<Prepared, DemoHomeError> {
    match keyring::open() {
        Ok(store) => prepare_with(home, &store),
        Err(e) => Ok(Prepared::NoKeyring(e.to_string())),
    }
}

/// The key for `home`'s state in `store`, migrating or starting fresh as the module says.
pub fn prepare_with(home: &DemoHome, store: &dyn SecretStore) -> Result<Prepared, DemoHomeError> {
    let path = home.state_file();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(sealed_with(new_key(store, &new_account())?, Vec::new()));
        }
        Err(e) => return Err(home.io(path)(e)),
    };
    if let Some(env) = sealed::envelope(&bytes) {
        let key = match store.get(&env.account) {
            Ok(k) => k,
            // A keyring that does not answer now may answer later: nothing is thrown away.
            Err(e) => return Err(key_error(&env.account, &e.to_string())),
        };
        let why = match key.as_ref().map(|k| SealKey::from_text(k.expose())) {
            None => format!("its key is no longer in the keyring ({})", store.name()),
            Some(None) => format!("the keyring entry {} is not its key", env.account),
            Some(Some(key)) => match sealed::open_envelope(&key, &env) {
                Ok(_) => {
                    let sealing = Sealing {
                        key,
                        account: env.account,
                    };
                    return Ok(sealed_with(sealing, Vec::new()));
                }
                Err(e) => e.to_string(),
            },
        };
        return start_fresh(home, store, &env.account, &env.base_url, &why);
    }
    if sealed::looks_sealed(&bytes) {
        let base = home.known_bases().pop().unwrap_or_default();
        let why = "the file is damaged (not a readable sealed envelope)";
        return start_fresh(home, store, &new_account(), &base, why);
    }
    match legacy_base(&bytes) {
        Some(base) => migrate(home, store, &bytes, &base),
        // Not demo state at all: loading it fails and names the file (`--fresh` starts over).
        None => Ok(sealed_with(new_key(store, &new_account())?, Vec::new())),
    }
}

fn sealed_with(sealing: Sealing, notes: Vec<String>) -> Prepared {
    Prepared::Sealed {
        sealing,
        notes,
        lost: false,
    }
}

fn new_account() -> String {
    account("demo", &random_hex(8), SecretKind::DemoStateKey)
}

fn key_error(account: &str, reason: &str) -> DemoHomeError {
    DemoHomeError::Key {
        account: account.to_owned(),
        reason: reason.to_owned(),
    }
}

/// A new random key, stored under `account` (replacing what was there).
fn new_key(store: &dyn SecretStore, account: &str) -> Result<Sealing, DemoHomeError> {
    let key = SealKey::generate();
    store
        .set(account, &Secret::new(key.to_text()))
        .map_err(|e| key_error(account, &e.to_string()))?;
    Ok(Sealing {
        key,
        account: account.to_owned(),
    })
}

/// Replaces the state that does not open by an empty sealed one on the same port.
fn start_fresh(
    home: &DemoHome,
    store: &dyn SecretStore,
    account: &str,
    base: &str,
    why: &str,
) -> Result<Prepared, DemoHomeError> {
    let sealing = new_key(store, account)?;
    write_sealed(home, &sealing, base, &empty_state(base))?;
    Ok(Prepared::Sealed {
        sealing,
        notes: vec![format!(
            "The demo's remembered state can't be opened: {why}; starting fresh, profiles made \
             before no longer work here."
        )],
        lost: true,
    })
}

/// A state that names only where the demo served (so it comes back on that port).
pub(super) fn empty_state(base: &str) -> Vec<u8> {
    let empty = serde_json::json!({
        "format": persist::FORMAT,
        "version": persist::VERSION,
        "base_url": base,
    });
    serde_json::to_vec_pretty(&empty).unwrap_or_default()
}

pub(super) fn write_sealed(
    home: &DemoHome,
    sealing: &Sealing,
    base: &str,
    plaintext: &[u8],
) -> Result<(), DemoHomeError> {
    let path = home.state_file();
    persist::write_atomic(path, &sealed::seal(sealing, base, plaintext)).map_err(|e| {
        DemoHomeError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        }
    })
}

/// The `base_url` of a plaintext state of the previous format; `None` for any other file.
fn legacy_base(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if v.get("format")?.as_str()? != persist::FORMAT {
        return None;
    }
    Some(
        v.get("base_url")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Seals a plaintext state; the plaintext is overwritten through a handle kept on it (the sealed
/// file replaced it atomically first, so a crash never loses the state) and so removed.
fn migrate(
    home: &DemoHome,
    store: &dyn SecretStore,
    plaintext: &[u8],
    base: &str,
) -> Result<Prepared, DemoHomeError> {
    let path = home.state_file();
    let sealing = new_key(store, &new_account())?;
    let old = std::fs::OpenOptions::new().write(true).open(path);
    write_sealed(home, &sealing, base, plaintext)?;
    if let Ok(mut f) = old {
        let _ = f
            .write_all(&vec![0u8; plaintext.len()])
            .and_then(|()| f.sync_all());
    }
    Ok(sealed_with(
        sealing,
        vec![format!(
            "The demo's remembered state was kept in plaintext by an earlier cds-wizard: it is \
             now sealed with a key in the keyring ({}), and the plaintext is gone.",
            store.name()
        )],
    ))
}

/// The remembered state as plaintext JSON, opened with its key from `store` (for `--fresh`'s
/// count and for tests). `None` when there is no state or it does not open.
pub fn open_state(path: &Path, store: &dyn SecretStore) -> Option<serde_json::Value> {
    let bytes = std::fs::read(path).ok()?;
    let env = sealed::envelope(&bytes)?;
    let key = SealKey::from_text(store.get(&env.account).ok()??.expose())?;
    serde_json::from_slice(&sealed::open_envelope(&key, &env).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::memory::MemoryStore;

    fn home() -> (tempfile::TempDir, DemoHome) {
        let dir = tempfile::tempdir().unwrap();
        let home = DemoHome::for_state(dir.path().join("state.json"));
        (dir, home)
    }

    fn sealing(p: Prepared) -> (Sealing, Vec<String>, bool) {
        match p {
            Prepared::Sealed {
                sealing,
                notes,
                lost,
            } => (sealing, notes, lost),
            Prepared::NoKeyring(why) => panic!("no keyring: {why}"),
        }
    }

    #[test]
    fn a_key_is_made_once_and_found_again() {
        let (_d, home) = home();
        let store = MemoryStore::default();
        let (first, notes, _) = sealing(prepare_with(&home, &store).unwrap());
        assert!(notes.is_empty());
        write_sealed(&home, &first, "http://127.0.0.1:4000", b"{}").unwrap();
        let (again, notes, lost) = sealing(prepare_with(&home, &store).unwrap());
        assert_eq!((again.key, again.account), (first.key, first.account));
        assert!(notes.is_empty() && !lost);
    }

    #[test]
    fn a_lost_key_starts_fresh_on_the_same_port_and_says_so() {
        let (_d, home) = home();
        let store = MemoryStore::default();
        let (first, _, _) = sealing(prepare_with(&home, &store).unwrap());
        write_sealed(&home, &first, "http://127.0.0.1:4000", b"{\"seq\":3}").unwrap();
        store.delete(&first.account).unwrap();
        let (fresh, notes, lost) = sealing(prepare_with(&home, &store).unwrap());
        assert!(lost);
        assert!(
            notes[0].contains("its key is no longer in the keyring (memory)"),
            "{notes:?}"
        );
        assert_ne!(fresh.key, first.key);
        assert_eq!(
            home.remembered_base().as_deref(),
            Some("http://127.0.0.1:4000")
        );
        let v = open_state(home.state_file(), &store).unwrap();
        assert!(v.get("seq").is_none(), "empty: {v}");
    }
}
