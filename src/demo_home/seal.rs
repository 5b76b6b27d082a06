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
pub fn prepare(home: &DemoHome, fresh: bool) -> Result<Prepared, DemoHomeError> {
    match keyring::open() {
        Ok(store) => prepare_with(home, &store, fresh),
        Err(e) => Ok(Prepared::NoKeyring(e.to_string())),
    }
}

/// The key for `home`'s state: new keys go to `store`; an existing one is looked up in the
/// keyring the envelope names (when another keyring is chosen today, the key stays where it
/// was made). `fresh`: the state is about to be discarded, so one that does not open is no
/// error.
pub fn prepare_with(
    home: &DemoHome,
    store: &dyn SecretStore,
    fresh: bool,
) -> Result<Prepared, DemoHomeError> {
    let path = home.state_file();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(sealed_with(new_key(store, &new_account())?, Vec::new()));
        }
        Err(e) => return Err(home.io(path)(e)),
    };
    if let Some(env) = sealed::envelope(&bytes) {
        let why = match find_key(store, &env) {
            Ok(Ok(sealing)) => return Ok(sealed_with(sealing, Vec::new())),
            Ok(Err(why)) => why,
            Err(e) if fresh => e.to_string(),
            Err(e) => return Err(e),
        };
        // The same account when the key lives in this keyring (replaced, not left behind).
        let reuse = (env.keyring.is_empty() || env.keyring == store.name()).then_some(&env.account);
        return start_fresh(home, store, reuse, &env.base_url, &why, fresh);
    }
    if sealed::looks_sealed(&bytes) {
        let base = home.known_bases().pop().unwrap_or_default();
        let why = "the file is damaged (not a readable sealed envelope)";
        return start_fresh(home, store, None, &base, why, fresh);
    }
    match legacy_base(&bytes) {
        Some(base) => migrate(home, store, &bytes, &base),
        // Not demo state at all: `--fresh` replaces it; otherwise the error names the file.
        None if fresh => Ok(sealed_with(new_key(store, &new_account())?, Vec::new())),
        None => Err(DemoHomeError::Start {
            path: path.to_owned(),
            source: match persist::load(path, "") {
                Err(e) => e.into(),
                Ok(_) => anyhow::anyhow!("not demo state"),
            },
        }),
    }
}

/// The key that opens `env`: `Ok(Err(why))` when it is gone or does not open it (start fresh),
/// `Err` when its keyring does not answer (nothing is thrown away).
fn find_key(
    current: &dyn SecretStore,
    env: &sealed::Envelope,
) -> Result<Result<Sealing, String>, DemoHomeError> {
    let other;
    let store: &dyn SecretStore = if env.keyring.is_empty() || env.keyring == current.name() {
        current
    } else {
        other = keyring::open_named(Some(&env.keyring)).map_err(|e| {
            key_error(
                &env.account,
                &format!(
                    "it was sealed in the {} keyring, which does not work now ({e}); use it \
                     again, or `cds-wizard demo --fresh` to start over",
                    env.keyring
                ),
            )
        })?;
        &other
    };
    let key = store
        .get(&env.account)
        // A keyring that does not answer now may answer later: nothing is thrown away.
        .map_err(|e| key_error(&env.account, &e.to_string()))?;
    Ok(match key.as_ref().map(|k| SealKey::from_text(k.expose())) {
        None => Err(format!(
            "its key is no longer in the keyring ({})",
            store.name()
        )),
        Some(None) => Err(format!("the keyring entry {} is not its key", env.account)),
        Some(Some(key)) => match sealed::open_envelope(&key, env) {
            Ok(_) => Ok(Sealing {
                key,
                keyring: store.name().to_owned(),
                account: env.account.clone(),
            }),
            Err(e) => Err(e.to_string()),
        },
    })
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
        keyring: store.name().to_owned(),
        account: account.to_owned(),
    })
}

/// Replaces the state that does not open by an empty sealed one on the same port, with a new
/// key in `store` (under `account`, or a new one).
fn start_fresh(
    home: &DemoHome,
    store: &dyn SecretStore,
    account: Option<&String>,
    base: &str,
    why: &str,
    fresh: bool,
) -> Result<Prepared, DemoHomeError> {
    let sealing = new_key(store, account.map_or(&new_account(), |a| a))?;
    write_sealed(home, &sealing, base, &empty_state(base))?;
    let note = if fresh {
        format!(
            "Started the demo utility over: discarded its state, which could not be opened \
             ({why}); profiles registered with it no longer work there."
        )
    } else {
        format!(
            "The demo's remembered state can't be opened: {why}; starting fresh, profiles made \
             before no longer work here."
        )
    };
    Ok(Prepared::Sealed {
        sealing,
        notes: vec![note],
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
        let (first, notes, _) = sealing(prepare_with(&home, &store, false).unwrap());
        assert!(notes.is_empty());
        write_sealed(&home, &first, "http://127.0.0.1:4000", b"{}").unwrap();
        let (again, notes, lost) = sealing(prepare_with(&home, &store, false).unwrap());
        assert_eq!((again.key, again.account), (first.key, first.account));
        assert!(notes.is_empty() && !lost);
    }

    #[test]
    fn a_lost_key_starts_fresh_on_the_same_port_and_says_so() {
        let (_d, home) = home();
        let store = MemoryStore::default();
        let (first, _, _) = sealing(prepare_with(&home, &store, false).unwrap());
        write_sealed(&home, &first, "http://127.0.0.1:4000", b"{\"seq\":3}").unwrap();
        store.delete(&first.account).unwrap();
        let (fresh, notes, lost) = sealing(prepare_with(&home, &store, false).unwrap());
        assert!(lost);
        assert!(
            notes[0].contains("its key is no longer in the keyring (memory)"),
            "{notes:?}"
        );
        assert_ne!(fresh.key, first.key);
        assert_eq!(fresh.account, first.account, "replaced, not left behind");
        assert_eq!(
            home.remembered_base().as_deref(),
            Some("http://127.0.0.1:4000")
        );
        let v = open_state(home.state_file(), &store).unwrap();
        assert!(v.get("seq").is_none(), "empty: {v}");
        // With --fresh, the same loss is what starting over discarded.
        store.delete(&fresh.account).unwrap();
        let (_, notes, lost) = sealing(prepare_with(&home, &store, true).unwrap());
        assert!(
            lost && notes[0].starts_with("Started the demo utility over"),
            "{notes:?}"
        );
    }

    #[test]
    fn a_plaintext_state_is_sealed_and_loads_as_it_was() {
        let (_d, home) = home();
        let store = MemoryStore::default();
        let plain = format!(
            "{{\"format\":\"{}\",\"version\":1,\"base_url\":\"http://127.0.0.1:4000\",\"seq\":7}}",
            persist::FORMAT
        );
        std::fs::write(home.state_file(), &plain).unwrap();
        let (s, notes, lost) = sealing(prepare_with(&home, &store, false).unwrap());
        assert!(!lost && notes[0].contains("now sealed"), "{notes:?}");
        let bytes = std::fs::read(home.state_file()).unwrap();
        assert!(sealed::looks_sealed(&bytes) && !String::from_utf8_lossy(&bytes).contains("seq"));
        assert_eq!(open_state(home.state_file(), &store).unwrap()["seq"], 7);
        // Only `cds-wizard demo` (with the key) loads it.
        let base = "http://127.0.0.1:4000";
        assert!(persist::load_sealed(home.state_file(), base, Some(&s)).is_ok());
        let err = persist::load(home.state_file(), base).err().unwrap();
        assert!(
            err.to_string().contains("only `cds-wizard demo` opens it"),
            "{err}"
        );
    }
}
