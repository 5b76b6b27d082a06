//! The real OS keyring backends (Linux): Secret Service through a private gnome-keyring
//! (scripts/test starts one) and kernel keyutils (a session keyring is created in-process).

#![cfg(target_os = "linux")]

use std::process::Command;

use cds_wizard::vault::keyring::{KeyringStore, build};
use cds_wizard::vault::{SERVICE, Secret, SecretKind, SecretStore, VaultError, account};

fn unique(tag: &str) -> String {
    format!(
        "test-{tag}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn round_trip(store: &KeyringStore) {
    store.probe().expect("probe");
    let acct = account(&unique(store.name()), "client-1", SecretKind::ClientSecret);
    assert_eq!(store.get(&acct).unwrap(), None, "nothing there yet");
    let secret = Secret::new("s3cr3t-ünïcode-✓");
    store.set(&acct, &secret).expect("set");
    assert_eq!(store.get(&acct).unwrap(), Some(secret.clone()));
    let newer = Secret::new("rotated");
    store.set(&acct, &newer).expect("overwrite");
    assert_eq!(store.get(&acct).unwrap(), Some(newer));
    store.delete(&acct).expect("delete");
    assert_eq!(store.get(&acct).unwrap(), None);
    store
        .delete(&acct)
        .expect("deleting a missing entry is fine");
}

#[test]
fn keyutils_round_trip() {
    let store = build("keyutils").expect("keyutils store");
    round_trip(&store);
}

/// Needs a Secret Service: scripts/test (and so CI) runs the tests inside a private D-Bus
/// session with an unlocked gnome-keyring and sets CDS_WIZARD_TEST_SECRET_SERVICE=1. Plain
/// `cargo test` without that session fails here with a message saying so, never skips.
#[test]
fn secret_service_round_trip_visible_to_other_tools() {
    if std::env::var_os("CDS_WIZARD_TEST_SECRET_SERVICE").is_none() {
        panic!(
            "run the tests through scripts/test: this test needs the private Secret Service it starts"
        );
    }
    let store = build("secret-service").expect("secret service store");
    round_trip(&store);

    // What the program stores is what the desktop's own tools see.
    let acct = account(&unique("ss"), "client-2", SecretKind::RefreshToken);
    store
        .set(&acct, &Secret::new("visible-to-secret-tool"))
        .unwrap();
    let out = Command::new("secret-tool")
        .args(["lookup", "service", SERVICE, "username", &acct])
        .output()
        .expect("secret-tool");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "visible-to-secret-tool"
    );
    store.delete(&acct).unwrap();
}

#[test]
fn an_unknown_store_name_is_refused() {
    assert!(matches!(
        build("plaintext-file"),
        Err(VaultError::UnknownStore(_))
    ));
}
