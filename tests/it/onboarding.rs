//! The onboarding engine end to end, as a user runs it: the built binary against the demo
//! utility over real HTTP, secrets in the real kernel keyring (keyutils), the test playing the
//! customer at the consent page. Registration, every client stored, authorization with
//! PKCE + PAR + RAR, code exchange, refresh, the Grant, `token`, `forget`; and the failure
//! paths: denied consent, no callback in time, invalid answers, a server failure after
//! registration followed by `--resume`. No secret may appear in any file the program wrote
//! or in its output.

use crate::common;

use std::path::Path;

use cds_wizard::demo::faults::FaultRule;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};

fn unique(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{}-{}", std::process::id(), n % 1_000_000_000)
}

fn cli(home: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
    c.env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .env_remove("RUST_BACKTRACE")
        .kill_on_drop(true);
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn run(home: &Path, args: &[&str]) -> Run {
    let out = cli(home).args(args).output().await.expect("run cds-wizard");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn answers() -> String {
    format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `authorize --no-browser` with `args`, plays the customer with `decision` (`none`: nobody
/// answers), and returns the run.
async fn authorize_run(home: &Path, args: &[&str], env: &[(&str, &str)], decision: &str) -> Run {
    let mut cmd = cli(home);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let a = common::customer::authorize_run(cmd, decision).await;
    Run {
        code: a.code,
        stdout: a.stdout,
        stderr: a.stderr,
    }
}

/// `authorize PROFILE --no-browser [extra]` with the customer answering `decision`.
async fn authorize(home: &Path, profile: &str, decision: &str, extra: &[&str]) -> Run {
    let mut args = vec!["authorize", profile, "--no-browser"];
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "20"]);
    }
    args.extend_from_slice(extra);
    authorize_run(home, &args, &[], decision).await
}

/// A demo server and a fresh home with the demo answers registered under a new profile.
async fn registered(tag: &str) -> (DemoServer, tempfile::TempDir, String) {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let profile = unique(tag);
    let r = run(
        home.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            &answers(),
            "--profile",
            &profile,
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    (server, home, profile)
}

/// Every secret the demo handed out: client secrets, access and refresh tokens.
fn demo_secrets(server: &DemoServer) -> Vec<String> {
    let store = server.state().registry.lock();
    let mut out: Vec<String> = store
        .credentials
        .iter()
        .filter_map(|c| c.item.client_secret.clone())
        .collect();
    out.extend(store.tokens.keys().cloned());
    out.extend(store.oauth.refresh_tokens.keys().cloned());
    out
}

#[tokio::test]
async fn register_authorize_token_and_forget() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let profile = unique("e2e");

    let r = run(
        home.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            &answers(),
            "--profile",
            &profile,
            "--json",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let clients = out["clients"].as_array().unwrap();
    assert_eq!(
        clients.len(),
        4,
        "admin, grant admin, code flow, outages: {}",
        r.stdout
    );
    let todo = out["todo"].as_array().unwrap();
    let payment = todo
        .iter()
        .find(|t| t["type"] == "payment_request")
        .expect("payment to do");
    assert_eq!(payment["amount"], "250.00");
    assert_eq!(payment["currency"], "USD");

    // Every client secret is in the real keyring, under the documented account names.
    let keyring = build("keyutils").unwrap();
    for c in clients {
        let id = c["client_id"].as_str().unwrap();
        let secret = keyring
            .get(&account(&profile, id, SecretKind::ClientSecret))
            .unwrap();
        assert!(secret.is_some(), "client {id} has its secret stored");
    }

    // The customer approves; tokens land in the keyring; the Grant is shown.
    let a = authorize(home.path(), &profile, "approve", &[]).await;
    assert_eq!(a.code, 0, "{}\n{}", a.stdout, a.stderr);
    assert!(a.stdout.contains("status active"), "{}", a.stdout);
    assert!(
        a.stdout.contains("/access_token") && a.stdout.contains("/refresh_token"),
        "{}",
        a.stdout
    );
    let code_client = clients
        .iter()
        .find(|c| c["scope"].as_str().unwrap().contains("dge_usage_electric"))
        .unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let grants: Vec<_> = server
        .state()
        .registry
        .lock()
        .grants
        .iter()
        .filter(|g| g.item.client_id == code_client)
        .map(|g| g.item.clone())
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(a.stdout.contains(&grants[0].grant_id));
    let stored_access = keyring
        .get(&account(&profile, &code_client, SecretKind::AccessToken))
        .unwrap()
        .expect("access token stored");

    // `token` prints the stored token while it is valid...
    let t = run(home.path(), &["token", &profile, "--client", &code_client]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert_eq!(t.stdout.trim(), stored_access.expose());
    // ...and refreshes (with rotation) once it has expired.
    common::expire_access_tokens(home.path());
    let old_refresh = keyring
        .get(&account(&profile, &code_client, SecretKind::RefreshToken))
        .unwrap()
        .unwrap();
    let t = run(home.path(), &["token", &profile, "--client", &code_client]).await;
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert_ne!(
        t.stdout.trim(),
        stored_access.expose(),
        "a new access token"
    );
    let new_refresh = keyring
        .get(&account(&profile, &code_client, SecretKind::RefreshToken))
        .unwrap()
        .unwrap();
    assert_ne!(
        new_refresh, old_refresh,
        "the rotated refresh token is saved"
    );

    // Two `token` runs at once after expiry (issue 9 item 7): refreshes are serialized per
    // profile, so the demo (which revokes the whole chain when a rotated refresh token comes
    // back, RFC 9700 §4.14.2) never sees one twice; the second run finds the first's token.
    common::expire_access_tokens(home.path());
    let args = ["token", profile.as_str(), "--client", code_client.as_str()];
    let (t1, t2) = tokio::join!(run(home.path(), &args), run(home.path(), &args));
    assert_eq!((t1.code, t2.code), (0, 0), "{}{}", t1.stderr, t2.stderr);
    assert_eq!(t1.stdout.trim(), t2.stdout.trim(), "one refresh, one token");
    common::expire_access_tokens(home.path());
    let t = run(home.path(), &["token", &profile, "--client", &code_client]).await;
    assert_eq!(t.code, 0, "the grant survived: {}", t.stderr);
    // A refresh token the server no longer honours (`invalid_grant`): the message says what
    // helps.
    let refresh_account = account(&profile, &code_client, SecretKind::RefreshToken);
    keyring
        .set(
            &refresh_account,
            &cds_wizard::secret::Secret::new("ended-grant"),
        )
        .unwrap();
    common::expire_access_tokens(home.path());
    let t = run(home.path(), &["token", &profile, "--client", &code_client]).await;
    assert_eq!(t.code, 2);
    assert!(t.stderr.contains("invalid_grant"), "{}", t.stderr);
    assert!(
        t.stderr
            .contains(&format!("run `cds-wizard authorize {profile}` again")),
        "{}",
        t.stderr
    );

    // No secret in any file written or in any output.
    let secrets = demo_secrets(&server);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    common::secrets::assert_no_secret_in(home.path(), &secrets);
    for (what, text) in [
        ("register", &r.stdout),
        ("register stderr", &r.stderr),
        ("authorize", &a.stdout),
        ("authorize stderr", &a.stderr),
    ] {
        common::secrets::assert_no_secret_in_text(what, text, &secrets);
    }

    // `forget` revokes and removes everything.
    let f = run(home.path(), &["forget", &profile]).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    for c in clients {
        let id = c["client_id"].as_str().unwrap();
        for kind in [
            SecretKind::ClientSecret,
            SecretKind::AccessToken,
            SecretKind::RefreshToken,
        ] {
            assert_eq!(keyring.get(&account(&profile, id, kind)).unwrap(), None);
        }
    }
    let p = run(home.path(), &["profiles", "--json"]).await;
    assert!(!p.stdout.contains(&profile));
    let live_refresh = server
        .state()
        .registry
        .lock()
        .oauth
        .refresh_tokens
        .get(new_refresh.expose())
        .map(|r| r.rotated);
    assert!(
        live_refresh.is_none_or(|rotated| rotated),
        "the refresh token was revoked"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_denied_consent_and_a_missing_callback_fail_clearly() {
    let (server, home, profile) = registered("deny").await;

    let a = authorize(home.path(), &profile, "deny", &[]).await;
    assert_eq!(a.code, 2, "{}", a.stdout);
    assert!(
        a.stderr.contains("access_denied") || a.stderr.contains("declined"),
        "{}",
        a.stderr
    );

    let a = authorize(home.path(), &profile, "none", &["--timeout", "1"]).await;
    assert_eq!(a.code, 2);
    assert!(a.stderr.contains("within 1 s"), "{}", a.stderr);

    // Two runs, one loopback redirect URI: the second run reuses the first's (RFC 8252 §7.3
    // lets the port differ) instead of adding another (issue 9 item 9).
    let loopbacks: Vec<usize> = server
        .state()
        .registry
        .lock()
        .clients
        .iter()
        .map(|c| {
            c.item
                .redirect_uris
                .iter()
                .filter(|u| u.starts_with("http://127.0.0.1:") && u.ends_with("/callback"))
                .count()
        })
        .filter(|n| *n > 0)
        .collect();
    assert_eq!(
        loopbacks,
        [1],
        "one loopback redirect on the code-flow client: {:?}",
        server
            .state()
            .registry
            .lock()
            .clients
            .iter()
            .map(|c| c.item.redirect_uris.clone())
            .collect::<Vec<_>>()
    );

    let _ = run(home.path(), &["forget", &profile]).await;
    server.stop().await;
}

#[tokio::test]
async fn invalid_answers_are_all_reported_and_nothing_is_sent() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.toml");
    std::fs::write(
        &bad,
        r#"
profile = "bad"
scopes = ["dge_usage_electric", "no_such_scope"]
[client]
client_name = "Bad"
[fields]
contact_email = "not-an-email"
company_website = "ftp://nope"
"#,
    )
    .unwrap();
    let r = run(
        home.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            bad.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 2);
    for needle in [
        "no_such_scope",
        "contact_email",
        "company_website",
        "company_name",
    ] {
        assert!(
            r.stderr.contains(needle),
            "`{needle}` not reported:\n{}",
            r.stderr
        );
    }
    assert!(
        server.state().registry.lock().clients.is_empty(),
        "nothing was registered"
    );
    assert!(
        !home.path().join("profiles.toml").exists(),
        "no profile was written"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_failure_after_registration_loses_nothing_and_resume_finishes() {
    let server = DemoServer::start(
        0,
        DemoOptions::default().fault(
            FaultRule::new("/oauth/token")
                .status(axum::http::StatusCode::SERVICE_UNAVAILABLE)
                .count(1),
        ),
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let profile = unique("resume");
    let r = run(
        home.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            &answers(),
            "--profile",
            &profile,
        ],
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(&format!("--resume {profile}")),
        "{}",
        r.stderr
    );
    // The admin secret is already safe.
    let admin = server.state().registry.lock().clients[0]
        .item
        .client_id
        .clone();
    let keyring = build("keyutils").unwrap();
    assert!(
        keyring
            .get(&account(&profile, &admin, SecretKind::ClientSecret))
            .unwrap()
            .is_some()
    );

    let r = run(home.path(), &["register", "--resume", &profile, "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["clients"].as_array().unwrap().len(), 4);
    let p = run(home.path(), &["profiles"]).await;
    assert!(p.stdout.contains("registration  complete"), "{}", p.stdout);
    let _ = run(home.path(), &["forget", &profile]).await;
    server.stop().await;
}

#[tokio::test]
async fn any_oauth_server_by_its_issuer() {
    // Support staff reproduce an app's flow with only the issuer, a client id and its secret.
    let (server, home, profile) = registered("issuer").await;
    // One profile authorization registers a loopback redirect; RFC 8252 §7.3 lets later runs
    // use any port on it.
    let a = authorize(home.path(), &profile, "approve", &[]).await;
    assert_eq!(a.code, 0, "{}", a.stderr);
    let (client_id, secret) = {
        let store = server.state().registry.lock();
        let c = store
            .clients
            .iter()
            .find(|c| c.item.response_types == ["code"])
            .unwrap()
            .item
            .client_id
            .clone();
        let s = store
            .credentials
            .iter()
            .find(|cr| cr.item.client_id == c)
            .and_then(|cr| cr.item.client_secret.clone())
            .unwrap();
        (c, s)
    };
    let a = authorize_run(
        home.path(),
        &[
            "authorize",
            "--issuer",
            &server.base_url,
            "--client-id",
            &client_id,
            "--client-secret-env",
            "APP_SECRET",
            "--scope",
            "dge_usage_electric",
            "--no-browser",
            "--timeout",
            "20",
            "--json",
        ],
        &[("APP_SECRET", secret.as_str())],
        "approve",
    )
    .await;
    assert_eq!(a.code, 0, "{}", a.stderr);
    let rest = a.stdout;
    let v: serde_json::Value = serde_json::from_str(&rest).unwrap();
    assert_eq!(v["client_id"], client_id.as_str());
    assert_eq!(v["granted_scope"], "dge_usage_electric");
    assert!(
        v["stored"].as_array().unwrap().is_empty(),
        "--issuer runs store nothing"
    );
    common::secrets::assert_no_secret_in_text("issuer run", &rest, &[secret.as_str()]);
    let _ = run(home.path(), &["forget", &profile]).await;
    server.stop().await;
}

/// Two `register` runs at once in one home (issue 9 item 7): the index is locked around every
/// read-modify-write and re-read before it is written, so both profiles end up in it, each with
/// its clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_registrations_at_once_both_land_in_the_index() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let names = [unique("twin-a"), unique("twin-b")];
    let answers = answers();
    let args: Vec<[&str; 6]> = names
        .iter()
        .map(|name| {
            [
                "register",
                server.base_url.as_str(),
                "--answers",
                answers.as_str(),
                "--profile",
                name.as_str(),
            ]
        })
        .collect();
    let runs = args.iter().map(|a| run(home.path(), a));
    let results = futures::future::join_all(runs).await;
    for r in &results {
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = run(home.path(), &["profiles", "--json"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in &names {
        assert!(
            r.stdout.contains(name.as_str()),
            "{name} lost: {}",
            r.stdout
        );
    }
    let index = std::fs::read_to_string(home.path().join("profiles.toml")).unwrap();
    assert_eq!(index.matches("[[profile]]").count(), 2, "{index}");
    server.stop().await;
}

/// When the only keyring is kernel keyutils (no Secret Service), `register` says so before the
/// server is asked for a one-time secret, and registers only once keyutils is named
/// (issue 9 item 8).
#[tokio::test]
async fn a_keyring_that_forgets_at_reboot_needs_a_confirmation() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let profile = unique("volatile");
    let register = |keyring: Option<&'static str>| {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
        c.args(["register", &server.base_url, "--answers", &answers()])
            .args(["--profile", &profile])
            .env("CDS_WIZARD_HOME", home.path())
            // No session bus: the platform's choice falls back to keyutils.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("CDS_WIZARD_KEYRING")
            .env("XDG_RUNTIME_DIR", home.path())
            .kill_on_drop(true);
        if let Some(k) = keyring {
            c.args(["--keyring", k]);
        }
        c.output()
    };
    let out = register(None).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("do not survive a"), "{err}");
    assert!(err.contains("--keyring keyutils"), "{err}");
    assert!(
        server.state().registry.lock().clients.is_empty(),
        "nothing was registered"
    );
    let out = register(Some("keyutils")).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!server.state().registry.lock().clients.is_empty());
    server.stop().await;
}
