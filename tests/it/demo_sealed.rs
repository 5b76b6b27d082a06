//! The demo's remembered state sealed at rest (issue 10 point 6; "secrets live only in the OS
//! keyring"), as a user meets it: the built binary, a temporary home, the kernel keyring
//! (keyutils). The file holds none of the secrets the demo issued, in any encoding; a lost key
//! or a changed file starts the demo fresh on its port, saying so; a plaintext state of the
//! previous format is sealed and its plaintext gone; without a keyring nothing is remembered.

use crate::common;
use crate::demo_remembers::{
    Run, authorize, cli, code_client, profile_entry, register, run, spawn_server, state,
    state_file, unique,
};

use std::path::Path;

use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};

/// Every secret of `profile` in the keyring: its clients' secrets and tokens.
fn profile_secrets(home: &Path, profile: &str) -> Vec<String> {
    let keyring = build("keyutils").unwrap();
    let mut out = Vec::new();
    for c in profile_entry(home, profile)["client"].as_array().unwrap() {
        let id = c["client_id"].as_str().unwrap();
        for kind in [
            SecretKind::ClientSecret,
            SecretKind::AccessToken,
            SecretKind::RefreshToken,
        ] {
            if let Some(s) = keyring.get(&account(profile, id, kind)).unwrap() {
                out.push(s.expose().to_owned());
            }
        }
    }
    out
}

fn envelope(home: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(state_file(home)).unwrap()).expect("a JSON envelope")
}

fn no_panic(r: &Run) {
    assert!(
        !r.stderr.contains("panicked") && r.code != 101,
        "no panic: {}",
        r.stderr
    );
}

/// A demo that served one registration (with a consent, so it issued tokens), stopped.
async fn registered(home: &Path, tag: &str) -> (String, String) {
    let profile = unique(tag);
    let demo = spawn_server(home, &["demo", "--serve"]).await;
    let base = demo.base.trim_end_matches('/').to_owned();
    register(home, &demo.base, &profile).await;
    let a = authorize(home, &profile).await;
    assert_eq!(a.code, 0, "{}\n{}", a.stdout, a.stderr);
    demo.stop().await;
    (profile, base)
}

#[tokio::test]
async fn the_remembered_state_holds_none_of_the_demos_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (profile, base) = registered(home, "sealed").await;
    let secrets = profile_secrets(home, &profile);
    assert!(
        secrets.len() >= 4,
        "client secrets and tokens: {}",
        secrets.len()
    );
    // The demo did keep them (opened with the key from the keyring)...
    let opened = state(home).to_string();
    let client = code_client(home, &profile);
    assert!(opened.contains(&client), "the registration is remembered");
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            opened.contains(s.as_str()),
            "secret #{i} is kept by the demo"
        );
    }
    // ...but the file shows none of them, raw or encoded, and no readable registry.
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    common::secrets::assert_no_secret_in(home, &refs);
    let env = envelope(home);
    let mut keys: Vec<&str> = env
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "account",
            "base_url",
            "cipher",
            "ciphertext",
            "format",
            "keyring",
            "nonce",
            "version"
        ]
    );
    assert_eq!(env["format"], "cds-wizard-demo-state-sealed");
    assert_eq!(env["keyring"], "keyutils", "where its key is");
    assert_eq!(
        env["base_url"],
        base.as_str(),
        "the port, readable without the key"
    );
    let raw = std::fs::read_to_string(state_file(home)).unwrap();
    assert!(!raw.contains(&client) && !raw.contains("clients"), "{raw}");
    // The key is in the keyring under the account the envelope names.
    let key = build("keyutils")
        .unwrap()
        .get(env["account"].as_str().unwrap())
        .unwrap();
    assert!(key.is_some(), "the key is in the keyring");
}

#[tokio::test]
async fn a_key_gone_from_the_keyring_starts_the_demo_fresh_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (profile, base) = registered(home, "lostkey").await;
    let account = envelope(home)["account"].as_str().unwrap().to_owned();
    // As after a reboot with keyutils.
    build("keyutils").unwrap().delete(&account).unwrap();

    let t = run(home, &["token", &profile]).await;
    no_panic(&t);
    assert!(
        t.stderr.contains(
            "The demo's remembered state can't be opened: its key is no longer in the keyring \
             (keyutils); starting fresh, profiles made before no longer work here"
        ),
        "says it in one line: {}",
        t.stderr
    );
    assert!(
        t.stderr
            .contains(&format!("on {base} until this command ends")),
        "on the same port: {}",
        t.stderr
    );
    // It ends as a command does (a token still valid in the keyring may even be printed; the
    // demo no longer knows it).
    assert!(matches!(t.code, 0..=2), "exits cleanly: {}", t.code);
    // The fresh state opens with the new key: the next run says nothing more, and is empty.
    let d = run(home, &["demo", "--summary"]).await;
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(!d.stderr.contains("can't be opened"), "{}", d.stderr);
    let after = state(home);
    assert!(after["clients"].as_array().is_none_or(Vec::is_empty));
    assert_eq!(after["base_url"], base.as_str());
}

#[tokio::test]
async fn a_changed_file_starts_the_demo_fresh_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (_profile, base) = registered(home, "tamper").await;

    // One character of the ciphertext changed (still valid Base64url).
    let text = std::fs::read_to_string(state_file(home)).unwrap();
    let at = text.find("\"ciphertext\": \"").unwrap() + 30;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(state_file(home), &bytes).unwrap();
    let d = run(home, &["demo", "--summary"]).await;
    no_panic(&d);
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(
        d.stderr
            .contains("can't be opened: it does not decrypt with the key in the keyring")
            && d.stderr.contains("starting fresh"),
        "{}",
        d.stderr
    );
    assert_eq!(state(home)["base_url"], base.as_str(), "the port is kept");

    // One byte of the envelope itself broken: no longer JSON.
    let mut bytes = std::fs::read(state_file(home)).unwrap();
    bytes[0] = b'X';
    std::fs::write(state_file(home), &bytes).unwrap();
    let d = run(home, &["demo", "--summary"]).await;
    no_panic(&d);
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(
        d.stderr.contains("can't be opened: the file is damaged"),
        "{}",
        d.stderr
    );
    assert_eq!(state(home)["base_url"], base.as_str(), "the port is kept");
}

#[tokio::test]
async fn a_plaintext_state_of_the_previous_format_is_sealed_and_the_plaintext_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let profile = unique("legacy");
    // The previous format: the server's plaintext state, where `cds-wizard demo` kept it.
    let demo_dir = home.join("demo");
    std::fs::create_dir(&demo_dir).unwrap();
    let file = state_file(home);
    let file_arg = file.display().to_string();
    let server = spawn_server(home, &["demo-server", "--state", &file_arg]).await;
    register(home, &server.base, &profile).await;
    server.stop().await;
    let plain = std::fs::read_to_string(&file).unwrap();
    let secrets = profile_secrets(home, &profile);
    let client_secrets: Vec<&str> = secrets
        .iter()
        .map(String::as_str)
        .filter(|s| plain.contains(s))
        .collect();
    assert!(
        !client_secrets.is_empty(),
        "the plaintext held client secrets"
    );

    let d = run(home, &["demo", "--summary"]).await;
    assert_eq!(d.code, 0, "{}", d.stderr);
    assert!(
        d.stderr.contains(
            "was kept in plaintext by an earlier cds-wizard: it is now sealed with a key in the \
             keyring (keyutils), and the plaintext is gone"
        ),
        "{}",
        d.stderr
    );
    assert_eq!(envelope(home)["format"], "cds-wizard-demo-state-sealed");
    common::secrets::assert_no_secret_in(home, &client_secrets);
    // Nothing was lost: the registration is in the sealed state, and the profile still works.
    assert!(state(home).to_string().contains(client_secrets[0]));
    let t = run(home, &["token", &profile]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
}

#[tokio::test]
async fn without_a_keyring_the_demo_remembers_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let out = cli(home)
        .args(["demo", "--summary"])
        // No session bus: the Secret Service the user named cannot be reached.
        .env("CDS_WIZARD_KEYRING", "secret-service")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", home)
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("does not remember anything this time")
            && err.contains("no working OS keyring"),
        "{err}"
    );
    assert!(
        !state_file(home).exists(),
        "no state written, sealed or not"
    );
}

#[tokio::test]
async fn the_key_is_found_in_the_keyring_it_was_made_in_when_another_is_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let (profile, _base) = registered(home, "otherring").await;
    let client = code_client(home, &profile);
    // Sealed with a key in keyutils; today the Secret Service is chosen.
    let out = cli(home)
        .args(["demo", "--summary"])
        .env("CDS_WIZARD_KEYRING", "secret-service")
        .output()
        .await
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("can't be opened"), "{err}");
    assert_eq!(envelope(home)["keyring"], "keyutils", "the key stays there");
    assert!(state(home).to_string().contains(&client), "nothing lost");
}
