//! The demo that remembers (issue 10 point 6), as a user runs it: the built binary, a temporary
//! home, secrets in the kernel keyring (keyutils), the test playing the customer over HTTP.
//! `cds-wizard demo --serve` is registered with and stopped; then NEW processes — `token` after
//! the access token expired (the test hook `CDS_WIZARD_DEMO_TOKEN_LIFETIME` makes the demo's
//! tokens live 2 s), `authorize` — find the demo stopped, start it from its remembered state on
//! its remembered port, and work. Also: `--fresh` discards and says what; a taken port moves
//! the demo and the profile follows; one process serves a state at a time.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

pub(crate) fn unique(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{}-{}", std::process::id(), n % 1_000_000_000)
}

pub(crate) fn cli(home: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
    c.env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .env_remove("RUST_BACKTRACE")
        .kill_on_drop(true);
    c
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) async fn run(home: &Path, args: &[&str]) -> Run {
    let out = cli(home).args(args).output().await.expect("run cds-wizard");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `cds-wizard demo --serve` with tokens that live 2 s; stopped by Ctrl-C.
pub(crate) struct Serving {
    pub(crate) base: String,
    child: tokio::process::Child,
}

pub(crate) async fn serve(home: &Path, extra: &[&str]) -> Serving {
    spawn_server(home, &[&["demo", "--serve"], extra].concat()).await
}

/// Any command that prints `LISTENING <url>` first and serves until Ctrl-C.
pub(crate) async fn spawn_server(home: &Path, args: &[&str]) -> Serving {
    let mut child = cli(home)
        .args(args)
        .env("CDS_WIZARD_DEMO_TOKEN_LIFETIME", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the server");
    let mut lines = BufReader::new(child.stdout.as_mut().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("LISTENING in time")
        .unwrap()
        .unwrap_or_default();
    let base = first
        .strip_prefix("LISTENING ")
        .unwrap_or_else(|| panic!("LISTENING <url>, got {first:?}"))
        .to_owned();
    Serving { base, child }
}

impl Serving {
    /// Interrupts it (as Ctrl-C does); returns its stderr.
    pub(crate) async fn stop(mut self) -> String {
        let pid = self.child.id().expect("running") as i32;
        // SAFETY: signalling our own child process by its id.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("stops in time")
            .unwrap();
        let mut err = String::new();
        let _ = self
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .await;
        assert!(
            status.success(),
            "demo --serve ends cleanly: {status:?} {err}"
        );
        err
    }
}

fn answers() -> String {
    format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) async fn register(home: &Path, base: &str, profile: &str) {
    let r = run(
        home,
        &[
            "register",
            base,
            "--answers",
            &answers(),
            "--profile",
            profile,
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// `authorize PROFILE --no-browser` with alice approving; returns the run.
pub(crate) async fn authorize(home: &Path, profile: &str) -> Run {
    let mut cmd = cli(home);
    cmd.args(["authorize", profile, "--no-browser", "--timeout", "30"]);
    let a = common::customer::authorize_run(cmd, "approve").await;
    Run {
        code: a.code,
        stdout: a.stdout,
        stderr: a.stderr,
    }
}

pub(crate) fn state_file(home: &Path) -> PathBuf {
    home.join("demo").join("state.json")
}

/// The remembered state, opened with its key from the keyring (the file itself is sealed).
pub(crate) fn state(home: &Path) -> serde_json::Value {
    cds_wizard::demo_home::seal::open_state(&state_file(home), &build("keyutils").unwrap())
        .expect("the sealed state opens with its key")
}

/// The profile's table in profiles.toml, as JSON.
pub(crate) fn profile_entry(home: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(home.join("profiles.toml")).unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    let p = v["profile"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("profile {name} in {text}"))
        .clone();
    serde_json::to_value(p).unwrap()
}

/// The code-flow client of a registration (the one that holds a refresh token).
pub(crate) fn code_client(home: &Path, profile: &str) -> String {
    profile_entry(home, profile)["client"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["secrets"]
                .as_array()
                .is_some_and(|s| s.iter().any(|k| k == "refresh_token"))
        })
        .expect("a client with a refresh token")["client_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_profile_made_in_the_demo_works_in_new_processes_after_the_demo_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let profile = unique("memo");

    // Day one: the demo serves; the app registers and the customer consents.
    let demo = serve(home, &[]).await;
    let base = demo.base_url();
    register(home, &demo.base, &profile).await;
    let a = authorize(home, &profile).await;
    assert_eq!(a.code, 0, "{}\n{}", a.stdout, a.stderr);
    assert!(
        !a.stderr.contains("started it"),
        "the running demo is used, not a second one: {}",
        a.stderr
    );
    // While it runs, nobody else serves (or saves) its state.
    let state_arg = state_file(home).display().to_string();
    let other = run(home, &["demo-server", "--state", &state_arg]).await;
    assert_eq!(other.code, 2, "{}", other.stderr);
    assert!(
        other
            .stderr
            .contains("running in another cds-wizard process"),
        "{}",
        other.stderr
    );
    let fresh = run(home, &["demo", "--fresh", "--summary"]).await;
    assert_eq!(
        fresh.code, 2,
        "--fresh refuses while it runs: {}",
        fresh.stderr
    );
    demo.stop().await;

    // What stays: the state (0600 in a 0700 directory) with the registration in it, and the
    // profile marked as the demo's.
    #[cfg(unix)]
    {
        assert_eq!(mode(&state_file(home)), 0o600);
        assert_eq!(mode(&home.join("demo")), 0o700);
    }
    let saved = state(home);
    assert_eq!(saved["base_url"], base, "the port it comes back on");
    assert!(!saved["clients"].as_array().unwrap().is_empty());
    assert_eq!(profile_entry(home, &profile)["demo"], true);
    let client = code_client(home, &profile);

    // The next day (the access token has expired on both sides): `token` in a new process starts
    // the demo from its state, on the same port, and refreshes.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let keyring = build("keyutils").unwrap();
    let old_access = keyring
        .get(&account(&profile, &client, SecretKind::AccessToken))
        .unwrap()
        .unwrap();
    let old_refresh = keyring
        .get(&account(&profile, &client, SecretKind::RefreshToken))
        .unwrap()
        .unwrap();
    assert!(
        saved["tokens"][old_access.expose()].is_object(),
        "the demo kept the token it issued"
    );
    let t = run(home, &["token", &profile, "--client", &client]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stderr.contains("started it in this process")
            && t.stderr
                .contains(&format!("on {base} until this command ends")),
        "says it started the demo, on the same address: {}",
        t.stderr
    );
    let new_access = t.stdout.trim().to_owned();
    assert_ne!(new_access, old_access.expose(), "a new access token");
    let new_refresh = keyring
        .get(&account(&profile, &client, SecretKind::RefreshToken))
        .unwrap()
        .unwrap();
    assert_ne!(new_refresh, old_refresh, "the refresh token was rotated");
    // The autostarted demo issued it from the remembered refresh token, and saved it.
    let after = state(home);
    assert!(
        after["tokens"][&new_access].is_object(),
        "issued by the demo"
    );
    assert_eq!(
        after["refresh_tokens"][old_refresh.expose()]["rotated"],
        true
    );
    assert!(
        !state_file(home)
            .with_file_name("state.json.running")
            .exists(),
        "the demo stopped with the command"
    );

    // `authorize` in another new process: the demo starts again and the customer consents.
    let a = authorize(home, &profile).await;
    assert_eq!(a.code, 0, "{}\n{}", a.stdout, a.stderr);
    assert!(
        a.stderr.contains("started it in this process"),
        "{}",
        a.stderr
    );
    assert!(a.stdout.contains("status active"), "{}", a.stdout);

    // `forget` revokes at the demo it starts: the rotated-to refresh token is dead there.
    let last_refresh = keyring
        .get(&account(&profile, &client, SecretKind::RefreshToken))
        .unwrap()
        .unwrap();
    let f = run(home, &["forget", &profile]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert!(
        f.stderr.contains("started it in this process"),
        "{}",
        f.stderr
    );
    let revoked = &state(home)["refresh_tokens"][last_refresh.expose()];
    assert!(
        revoked.is_null() || revoked["rotated"] == true,
        "revoked at the demo: {revoked}"
    );

    // The home holds the server's secrets nowhere, the demo's (sealed) state included.
    let secrets = [new_access.as_str(), new_refresh.expose()];
    common::secrets::assert_no_secret_in(home, &secrets);
}

impl Serving {
    fn base_url(&self) -> String {
        self.base.trim_end_matches('/').to_owned()
    }
}

#[tokio::test]
async fn fresh_starts_over_and_says_what_it_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let profile = unique("fresh");
    let demo = serve(home, &[]).await;
    let base = demo.base_url();
    register(home, &demo.base, &profile).await;
    demo.stop().await;
    assert!(!state(home)["clients"].as_array().unwrap().is_empty());

    let r = run(home, &["demo", "--fresh", "--summary"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("discarded its state (4 clients"),
        "says what it discarded: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&profile) && r.stderr.contains("no longer work"),
        "names the profiles it breaks: {}",
        r.stderr
    );
    let after = state(home);
    assert!(after["clients"].as_array().is_none_or(Vec::is_empty));
    assert!(after["credentials"].as_array().is_none_or(Vec::is_empty));
    assert_eq!(after["base_url"], base, "the port is kept");
    // Without --fresh the state stays.
    let again = run(home, &["demo", "--summary"]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(!again.stderr.contains("discarded"), "{}", again.stderr);
}

#[tokio::test]
async fn a_taken_port_moves_the_demo_and_the_profile_follows() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let profile = unique("moved");
    let demo = serve(home, &[]).await;
    let old_base = demo.base_url();
    register(home, &demo.base, &profile).await;
    demo.stop().await;

    // Another program takes the demo's port.
    let port: u16 = url::Url::parse(&old_base).unwrap().port().unwrap();
    let squatter = std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free");

    // The admin client's token (client credentials) from a demo that had to move.
    let t = run(home, &["token", &profile]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stderr.contains(&format!("port {port} is taken")),
        "says the port moved: {}",
        t.stderr
    );
    let new_base = t
        .stderr
        .split("it listens on ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("the new address")
        .to_owned();
    assert_ne!(new_base, old_base);
    assert!(
        t.stderr.contains(&format!(
            "now points at the demo utility's address {new_base} (it was registered at {old_base})"
        )),
        "{}",
        t.stderr
    );
    // Every stored URL of the profile follows the demo.
    let entry = profile_entry(home, &profile);
    assert!(entry["issuer"].as_str().unwrap().starts_with(&new_base));
    assert!(
        entry["server_metadata_url"]
            .as_str()
            .unwrap()
            .starts_with(&new_base)
    );
    for (k, v) in entry["endpoints"].as_object().unwrap() {
        assert!(
            v.as_str().unwrap().starts_with(&new_base),
            "endpoint {k} follows: {v}"
        );
    }
    assert_eq!(
        state(home)["base_url"],
        new_base,
        "the new port is remembered"
    );
    drop(squatter);

    // The next run finds the demo at its new address (and the profile already there); the
    // console commands start it too.
    let t = run(home, &["token", &profile]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(!t.stderr.contains("is taken"), "{}", t.stderr);
    let s = run(home, &["status", &profile]).await;
    assert_ne!(s.code, 2, "{}", s.stderr);
    assert!(
        s.stderr.contains("started it in this process"),
        "{}",
        s.stderr
    );
    assert!(
        s.stdout.contains("Watt Watcher") || s.stdout.contains("sandbox"),
        "{}",
        s.stdout
    );
}
