//! The Console (issue 11) in the real binary in a pseudo-terminal, by keystrokes only: a stored
//! profile opens at its Console, a customer authorizes from it (so there is a Grant), a
//! credential is rotated, a support request is sent, the demo utility's `server_request` in
//! its thread is answered and its `request_update` shows, and the Grant is closed. Then the
//! kernel keyring and the demo's own state (read through the headless commands' `--json`)
//! say the same.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cds_wizard::vault::{SecretKind, SecretStore};
use serde_json::Value;

mod common;

use common::pty::{Wizard, row_after};

const LEFT: &[u8] = b"\x1b[D";
const RIGHT: &[u8] = b"\x1b[C";
const BACK_TAB: &[u8] = b"\x1b[Z";
const END: &[u8] = b"\x1b[F";
const F5: &[u8] = b"\x1b[15~";

fn cli(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(args)
        .env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .output()
        .unwrap()
}

fn cli_json(home: &Path, args: &[&str]) -> Value {
    let out = cli(home, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The profile's client secrets as the keyring holds them, by account.
fn client_secrets(home: &Path, profile: &str) -> Vec<(String, String)> {
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    let index = cds_wizard::profiles::Index::load(home).unwrap();
    let p = index.profile(profile).expect("profile stored");
    p.stored_accounts()
        .into_iter()
        .filter(|(_, kind, _)| *kind == SecretKind::ClientSecret)
        .map(|(_, _, account)| {
            let s = store.get(&account).unwrap().expect("in the keyring");
            (account, s.expose().to_owned())
        })
        .collect()
}

/// The word after `before` on the screen (an id a status line names).
fn word_after(screen: &str, before: &str) -> String {
    let (_, rest) = screen
        .split_once(before)
        .unwrap_or_else(|| panic!("{before:?} not on the screen:\n{screen}"));
    rest.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Loads the tab again (every page) until `needle` shows; the screen then.
fn reload_until(w: &mut Wizard, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        std::thread::sleep(Duration::from_millis(600));
        w.press(F5);
        std::thread::sleep(Duration::from_millis(400));
        for _ in 0..8 {
            w.press(END);
        }
        let text = w.screen.text();
        if text.contains(needle) {
            return text;
        }
        assert!(Instant::now() < deadline, "no {needle:?}:\n{text}");
    }
}

#[test]
fn the_console_authorizes_rotates_answers_a_message_and_closes_a_grant_by_keystrokes() {
    let base = common::quick_demo_url();
    let home = tempfile::tempdir().unwrap();
    let profile = format!("console-ops-{}", std::process::id());
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo.toml");
    let out = cli(
        home.path(),
        &[
            "register",
            base,
            "--answers",
            answers,
            "--profile",
            &profile,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = client_secrets(home.path(), &profile);

    let mut w = Wizard::start(
        30,
        220,
        &[&profile],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            ("CDS_WIZARD_KEYRING", "keyutils".as_ref()),
        ],
    );
    w.screen.wait_for(&format!("Console · {profile}"));
    w.screen.wait_for("CLIENT ID");

    // Authorize, one of the console's actions: a customer approves, and back to the Console.
    w.press(b"a");
    w.screen.wait_for("Choose the client");
    w.press(b"\r");
    let waiting = w
        .screen
        .wait_for("Waiting for the callback on http://127.0.0.1:");
    let url = row_after(&waiting, "Send the customer to this address:");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let redirect = rt.block_on(common::customer::play(&url, "alice", "approve"));
    assert!(redirect.contains("code="), "{redirect}");
    w.screen.wait_for("Authorized client");
    w.press(BACK_TAB);
    w.screen.wait_for(&format!("Console · {profile}"));

    // Rotate the secret of the first credential the keyring holds.
    w.press(RIGHT);
    w.screen.wait_for("in the keyring (current)");
    w.press(b"r");
    w.screen.wait_for("Rotate the secret of client");
    w.press(b"y");
    let rotated = w.screen.wait_for("Expired the old credential");
    assert!(rotated.contains("New credential"), "{rotated}");

    // A support request too short for the demo's desk, typed into the form: the desk asks for
    // detail with a server_request, answered here with a client_submission.
    w.press(RIGHT);
    w.screen.wait_for("MESSAGE ID");
    w.press(b"s");
    w.screen.wait_for("Send a message to the utility");
    w.press(b"\r");
    for c in "Token trouble".bytes() {
        w.press(&[c]);
    }
    w.press(b"\r");
    for c in "401s".bytes() {
        w.press(&[c]);
    }
    w.press(b"\r");
    let sent = w.screen.wait_for("Sent support_request");
    let message_id = word_after(&sent, "Sent support_request");
    assert_eq!(message_id.len(), 16, "{sent}");
    // Its thread only: the request, and what answers it (their `answers` lines name it).
    w.press(b"/");
    for c in message_id.bytes() {
        w.press(&[c]);
    }
    w.press(b"\r");
    reload_until(&mut w, "More detail needed");
    w.press(b"g");
    w.press(b"j"); // the question, under the request
    w.press(b"r");
    w.screen.wait_for("Answering: More detail needed");
    for c in "Every token request since 09:00 answers 401.".bytes() {
        w.press(&[c]);
    }
    w.press(b"\r");
    w.screen.wait_for("Sent client_submission");
    let thread = reload_until(&mut w, "Support request answered");
    assert!(
        thread.contains(&format!("{message_id}  support_request      complete")),
        "the request shows the status of its latest update:\n{thread}"
    );
    assert!(thread.contains("↳ "), "the answers under it:\n{thread}");

    // Close the Grant the authorization made.
    w.press(RIGHT);
    w.screen.wait_for("GRANT ID");
    w.screen.wait_for("active");
    w.press(b"c");
    w.screen.wait_for("Close Grant");
    w.press(b"y");
    let closed = w.screen.wait_for("is now closed");
    let grant_id = word_after(&closed, "✓ Grant");
    w.press(LEFT);
    w.press(b"\x03");
    assert!(w.wait_exit().success());

    // The keyring holds a new secret for exactly one client.
    let after = client_secrets(home.path(), &profile);
    let changed = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.0 == a.0 && b.1 != a.1)
        .count();
    assert_eq!(changed, 1, "exactly one client secret rotated");
    // The demo's state agrees: the Grant is closed, the support thread complete.
    let grant = cli_json(
        home.path(),
        &["grants", &profile, "show", &grant_id, "--json"],
    );
    assert_eq!(grant["status"], "closed", "{grant}");
    let threads = cli_json(home.path(), &["messages", &profile, "list", "--json"]);
    let t = threads
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["root"]["message_id"] == message_id.as_str())
        .unwrap_or_else(|| panic!("the support thread: {threads}"));
    assert_eq!(t["status"], "complete", "{t}");
    assert!(
        t["replies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "request_update"),
        "{t}"
    );
    for kind in ["server_request", "client_submission"] {
        assert!(
            t["replies"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["type"] == kind),
            "{kind}: {t}"
        );
    }
    // No secret reached the terminal.
    let raw = String::from_utf8_lossy(&w.raw.lock().unwrap()).into_owned();
    let refs: Vec<&str> = before
        .iter()
        .chain(&after)
        .map(|(_, s)| s.as_str())
        .collect();
    common::secrets::assert_no_secret_in_text("the terminal output", &raw, &refs);
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    for (account, _) in &after {
        let _ = store.delete(account);
    }
}
