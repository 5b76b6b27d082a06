//! The real binary in a pseudo-terminal: `cds-wizard demo` opens the wizard, keystrokes walk it,
//! a VT100 parser reads the screen back, and quitting restores the terminal.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

mod common;

use common::pty::{Screen, Wizard, row_after};

#[test]
fn demo_wizard_in_a_pty_finds_a_scope_and_quits_cleanly() {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
    cmd.arg("demo");
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env("CDS_WIZARD_HOME", home.path());
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen(parser.clone());
    let mut keys = pair.master.take_writer().unwrap();
    let mut press = |bytes: &[u8]| {
        keys.write_all(bytes).unwrap();
        keys.flush().unwrap();
        // Let each key be read on its own (an ESC followed at once by a letter is Alt+letter).
        std::thread::sleep(Duration::from_millis(60));
    };

    screen.wait_for("Demo Gas & Electric");
    assert!(parser.lock().unwrap().screen().alternate_screen());
    press(b"\t");
    screen.wait_for("cds_client_admin");
    press(b"/");
    for c in b"usage" {
        press(&[*c]);
    }
    let text = screen.wait_for("dge_usage_electric");
    assert!(text.contains("/usage"), "{text}");
    assert!(
        !text.contains("cds_client_admin (always)"),
        "filtered out:\n{text}"
    );
    press(b"\r"); // keep the filter, leave the search field
    press(b"q");
    screen.wait_for("Quit the wizard?");
    press(b"y");

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the wizard did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(pair.master);
    let _ = pump.join();
    assert!(status.success(), "exit status {status:?}");
    let p = parser.lock().unwrap();
    assert!(!p.screen().alternate_screen(), "alternate screen left");
    assert_eq!(
        p.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse capture turned off"
    );
    assert!(!p.screen().bracketed_paste(), "bracketed paste turned off");
}

/// Walks the wizard from discovery to its last step: one usage scope, its modifiers, the
/// registration form, the Review (and the keyring question when `ask_keyring`), registration,
/// the customer's authorization played over HTTP, Done, and quitting. Returns the Done screen.
fn walk_to_done(w: &mut Wizard, ask_keyring: bool) -> String {
    let icon = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo-icon.png");
    w.screen.wait_for("Demo Gas & Electric");
    w.press(b"\t");
    w.screen.wait_for("cds_client_admin");
    for k in ["/", "u", "s", "a", "g", "e", "\r", " ", "\t"] {
        w.press(k.as_bytes());
    }
    // Modifiers: one scope, every field at its default; set the history to two years.
    w.screen.wait_for("Usage history start");
    w.press(b"G");
    let text = w.screen.text();
    assert!(text.contains("authorization_details (RFC 9396)"), "{text}");
    w.press(b"\t");
    // Registration: client metadata, then the fields the demo asks for.
    w.screen.wait_for("Profile name");
    w.press(b"j");
    w.type_line("Watt Watcher");
    w.press(b"j");
    w.type_line("dev@wattwatcher.example");
    for _ in 0..5 {
        w.press(b"j");
    }
    w.type_line("Watt Watcher Inc.");
    w.press(b"j");
    w.type_line("https://wattwatcher.example");
    w.press(b"j");
    w.type_line("dev@wattwatcher.example");
    w.press(b"j");
    w.press(b" "); // accept the data terms
    w.press(b"j");
    w.type_line(icon);
    w.screen.wait_for("Registration · ✓ valid");
    w.press(b"\t");
    let review = w.screen.wait_for("POST http://127.0.0.1:");
    assert!(
        review.contains("\"cds_data_terms_accepted\": true"),
        "{review}"
    );
    w.press(b"\r");
    if ask_keyring {
        let asked = w.screen.wait_for("Keyring forgets at reboot");
        assert!(asked.contains("survive a"), "{asked}");
        w.press(b"y");
    }
    w.screen.wait_for("Registered. Clients:");
    w.press(b"\r");
    w.screen.wait_for("Choose the client");
    w.press(b"\r");
    let waiting = w
        .screen
        .wait_for("Waiting for the callback on http://127.0.0.1:");
    let url = row_after(&waiting, "Send the customer to this address:");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}\n{waiting}");
    assert!(url.contains("request_uri="), "pushed first (PAR): {url}");
    let redirect = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::customer::play(&url, "alice", "approve"));
    assert!(redirect.contains("code="), "{redirect}");
    let outcome = w.screen.wait_for("Authorized client");
    assert!(outcome.contains("Grant"), "{outcome}");
    w.press(b"\t");
    let done = w.screen.wait_for("Stored in the keyring");
    assert!(done.contains("••••••••"), "secrets masked:\n{done}");
    w.press(b"\r");
    w.screen.wait_for("Quit the wizard?");
    w.press(b"y");
    assert!(w.wait_exit().success());
    done
}

#[test]
fn hostile_server_text_never_reaches_the_terminal_on_any_step() {
    // Every name and description the utility serves carries a window-title change, clear
    // screen, colours, a C1 CSI, bidi overrides and isolates and zero-width characters; the
    // whole wizard is walked against it: discovery, scopes, modifiers, registration, review,
    // submit, authorization (the customer's pages too), done.
    let home = tempfile::tempdir().unwrap();
    let mut w = Wizard::start(
        30,
        220,
        &["tui", common::hostile_demo_url()],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            ("CDS_WIZARD_KEYRING", "keyutils".as_ref()),
        ],
    );
    let done = walk_to_done(&mut w, false);
    assert!(done.contains("cds-wizard token "), "{done}");
    let mut raw = String::from_utf8_lossy(&w.raw.lock().unwrap()).into_owned();
    // The wizard's own OSC 8 links (the authorization address made clickable) are set aside:
    // each opens and closes with ST and holds no escape of its own.
    while let Some(at) = raw.find("\u{1b}]8;;") {
        let rest = &raw[at + 5..];
        let end = rest.find("\u{1b}\\").expect("an OSC 8 link ends with ST");
        let url = &rest[..end];
        assert!(!url.chars().any(char::is_control), "{url:?}");
        raw.replace_range(at..at + 5 + end + 2, "");
    }
    // What the documents plant and the wizard itself never writes: an OSC (window title,
    // clipboard), a bell, a C1 CSI, bidi controls, invisible characters.
    for planted in [
        "\u{1b}]", "\u{7}", "\u{9b}", "\u{202e}", "\u{202c}", "\u{2066}", "\u{2069}", "\u{200b}",
        "\u{200d}", "\u{feff}",
    ] {
        if let Some(at) = raw.find(planted) {
            let around: String = raw[at.saturating_sub(80)..].chars().take(200).collect();
            panic!("{planted:?} reached the terminal: {around:?}");
        }
    }
    assert!(
        raw.contains("hostile title"),
        "the hostile text was shown, cleaned"
    );
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    for p in index.profiles() {
        for (_, _, account) in p.stored_accounts() {
            let _ = cds_wizard::vault::SecretStore::delete(&store, &account);
        }
    }
}

#[test]
fn the_whole_wizard_registers_authorizes_and_leaves_credentials_in_the_keyring() {
    let home = tempfile::tempdir().unwrap();
    let mut w = Wizard::start(
        30,
        220,
        &["demo"],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            // No keyring named and no Secret Service to reach: the platform's choice falls to
            // keyutils, which forgets at reboot, so the wizard must ask before registering.
            ("CDS_WIZARD_KEYRING", "".as_ref()),
            (
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/cds-wizard-test-bus".as_ref(),
            ),
        ],
    );
    let done = walk_to_done(&mut w, true);
    assert!(
        done.contains("cds-wizard token demo-gas-electric"),
        "{done}"
    );
    // Every secret the index names is in the real kernel keyring, and none reached the screen.
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let profile = index.profile("demo-gas-electric").expect("profile stored");
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    let mut secrets = Vec::new();
    for (_, kind, account) in profile.stored_accounts() {
        let s = cds_wizard::vault::SecretStore::get(&store, &account)
            .unwrap()
            .unwrap_or_else(|| panic!("{account} ({kind:?}) is not in the keyring"));
        secrets.push(s.expose().to_owned());
    }
    let code_client = profile
        .clients
        .iter()
        .find(|c| c.response_types.iter().any(|r| r == "code"))
        .expect("a code-flow client");
    assert!(
        code_client.has_secret(cds_wizard::vault::SecretKind::AccessToken)
            && code_client.has_secret(cds_wizard::vault::SecretKind::RefreshToken),
        "{code_client:?}"
    );
    assert!(
        secrets.len() >= 5,
        "client secrets and tokens: {}",
        secrets.len()
    );
    let raw = String::from_utf8_lossy(&w.raw.lock().unwrap()).into_owned();
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    common::secrets::assert_no_secret_in_text("the terminal output", &raw, &refs);
    common::secrets::assert_no_secret_in(home.path(), &refs);
    for (_, _, account) in profile.stored_accounts() {
        let _ = cds_wizard::vault::SecretStore::delete(&store, &account);
    }
}

/// `cds-wizard PROFILE` opens the stored profile's Console; a credential is rotated by
/// keystrokes (Credentials tab, `r`, confirmed), and the kernel keyring holds the new secret.
#[test]
fn a_stored_profile_opens_its_console_and_rotates_a_secret_by_keystrokes() {
    use cds_wizard::vault::{SecretKind, SecretStore};
    let base = common::demo_url();
    let home = tempfile::tempdir().unwrap();
    let profile = format!("console-pty-{}", std::process::id());
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args([
            "register",
            base,
            "--answers",
            answers,
            "--profile",
            &profile,
        ])
        .env("CDS_WIZARD_HOME", home.path())
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = cds_wizard::vault::keyring::build("keyutils").unwrap();
    let secrets = |home: &std::path::Path| -> Vec<(String, String)> {
        let index = cds_wizard::profiles::Index::load(home).unwrap();
        let p = index.profile(&profile).expect("profile stored");
        p.stored_accounts()
            .into_iter()
            .filter(|(_, kind, _)| *kind == SecretKind::ClientSecret)
            .map(|(_, _, account)| {
                let s = store.get(&account).unwrap().expect("in the keyring");
                (account, s.expose().to_owned())
            })
            .collect()
    };
    let before = secrets(home.path());

    let mut w = Wizard::start(
        30,
        120,
        &[&profile],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            ("CDS_WIZARD_KEYRING", "keyutils".as_ref()),
        ],
    );
    w.screen.wait_for(&format!("Console · {profile}"));
    w.screen.wait_for("CLIENT ID");
    w.press(b"\x1b[C"); // → Credentials
    let listed = w.screen.wait_for("in the keyring (current)");
    assert!(listed.contains("CREDENTIAL ID"), "{listed}");
    w.press(b"r");
    w.screen.wait_for("Rotate the secret of client");
    w.press(b"y");
    let done = w.screen.wait_for("Expired the old credential");
    assert!(done.contains("New credential"), "{done}");
    w.press(b"\x03");
    assert!(w.wait_exit().success());

    let after = secrets(home.path());
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.0 == a.0 && b.1 != a.1)
        .collect();
    assert_eq!(changed.len(), 1, "exactly one client secret rotated");
    let raw = String::from_utf8_lossy(&w.raw.lock().unwrap()).into_owned();
    let refs: Vec<&str> = before
        .iter()
        .chain(&after)
        .map(|(_, s)| s.as_str())
        .collect();
    common::secrets::assert_no_secret_in_text("the terminal output", &raw, &refs);
    for (account, _) in &after {
        let _ = store.delete(account);
    }
}

/// The Inspector in the real binary (issue 12): the wizard records the session without
/// `--har`, `i` shows every exchange of discovery, `r` writes a new HAR file (0600) into the
/// current directory with the session so far and names it, `r` again closes it.
#[test]
fn the_inspector_shows_the_session_and_records_it_to_a_file() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cds-wizard"));
    cmd.arg("demo");
    cmd.cwd(cwd.path());
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env("CDS_WIZARD_HOME", home.path());
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = Screen(parser);
    let mut keys = pair.master.take_writer().unwrap();
    let mut press = |bytes: &[u8]| {
        keys.write_all(bytes).unwrap();
        keys.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    };
    screen.wait_for("Demo Gas & Electric");
    press(b"i");
    let list = screen.wait_for("Inspector · 7 exchanges");
    assert!(
        list.contains("oauth-authorization-server") && list.contains("/cds/coverage?page=3"),
        "{list}"
    );
    press(b"r");
    let rec = screen.wait_for("● REC cds-wizard-");
    let files: Vec<_> = std::fs::read_dir(cwd.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("cds-wizard-") && name.ends_with(".har"),
        "{name}"
    );
    assert!(rec.contains(&name), "{rec}");
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // Closed, the status bar still names the file.
    press(&[0x1b]);
    let step = screen.wait_for("Utility");
    assert!(step.contains(&format!("● REC {name}")), "{step}");
    press(b"i");
    press(b"r");
    screen.wait_for("Stopped recording");
    let har: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    // The session so far went into the file when the recording started.
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 7, "{har}");
    assert_eq!(entries[0]["_step"], "discovery", "{har}");
    press(&[0x1b]);
    press(b"q");
    screen.wait_for("Quit the wizard?");
    press(b"y");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "{s:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the wizard did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `cds-wizard catalog --db FILE browse` on a real terminal: a fleet crawled by the binary into
/// a temporary database, browsed offline, two utilities compared, then quit cleanly.
#[test]
fn the_catalog_view_browses_a_crawled_fleet_in_a_pty() {
    use cds_wizard::demo::fleet::{FleetOptions, FleetServer};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(FleetServer::start(
            0,
            FleetOptions {
                size: 6,
                slow: Duration::ZERO,
                ..FleetOptions::default()
            },
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fleet.txt");
    std::fs::write(&list, server.fleet.list()).unwrap();
    let db = dir.path().join("catalog.sqlite");
    let (db, list) = (db.to_str().unwrap(), list.to_str().unwrap());
    let (code, _, err) = common::run_cli(&[
        "catalog",
        "crawl",
        "--db",
        db,
        "--from",
        list,
        "--per-host",
        "6",
    ]);
    assert_eq!(code, 0, "{err}");
    rt.block_on(server.stop());

    // Offline from here: the fleet is gone.
    // `catalog` alone on a terminal opens the view (as `catalog browse` does).
    let mut w = Wizard::start(24, 80, &["catalog", "--db", db], &[]);
    w.screen.wait_for("Utilities 6/6");
    assert!(w.screen.0.lock().unwrap().screen().alternate_screen());
    w.press(b" ");
    w.press(b"j");
    w.press(b" ");
    w.press(b"c");
    let text = w.screen.wait_for("differences ·");
    assert!(text.contains("Compare (2 marked)"), "{text}");
    w.press(b"q");
    w.screen.wait_for("Quit the wizard?");
    w.press(b"y");
    assert!(w.wait_exit().success());
    assert!(!w.screen.0.lock().unwrap().screen().alternate_screen());
}

/// The demo that remembers (issue 10 point 6), in the wizard: a profile registered with
/// `cds-wizard demo --serve`, which then stopped, opens its Console in a new process; the wizard
/// starts the demo from its remembered state, says so on the status line, lists the clients it
/// remembered, and stops it when it ends.
#[test]
fn a_stored_demo_profile_starts_the_stopped_demo_when_its_console_opens() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let profile = format!("memo-pty-{}", std::process::id());
    let cli = || {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
        c.env("CDS_WIZARD_HOME", home.path())
            .env("CDS_WIZARD_KEYRING", "keyutils");
        c
    };
    let mut demo = cli()
        .args(["demo", "--serve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(demo.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base = first.trim().strip_prefix("LISTENING ").unwrap().to_owned();
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/answers-demo.toml");
    let out = cli()
        .args([
            "register",
            &base,
            "--answers",
            answers,
            "--profile",
            &profile,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // SAFETY: signalling our own child process by its id.
    unsafe {
        libc::kill(demo.id() as i32, libc::SIGINT);
    }
    assert!(demo.wait().unwrap().success());
    let running = home.path().join("demo").join("state.json.running");
    assert!(!running.exists(), "the demo stopped");

    let mut w = Wizard::start(
        30,
        120,
        &[&profile],
        &[
            ("CDS_WIZARD_HOME", home.path().as_os_str()),
            ("CDS_WIZARD_KEYRING", "keyutils".as_ref()),
        ],
    );
    w.screen.wait_for(&format!("Console · {profile}"));
    w.screen
        .wait_for("The demo utility was not running: started it");
    // The clients it remembered, from the demo it started.
    w.screen.wait_for("Watt Watcher");
    assert!(running.exists(), "the wizard serves the demo");
    w.press(b"\x03");
    assert!(w.wait_exit().success());
    assert!(!running.exists(), "and stops it when it ends");
}
