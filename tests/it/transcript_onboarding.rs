//! A complete demo onboarding recorded with `--har` (issue 12 items 1, 2 and 7): `register`,
//! `authorize` (PAR, the loopback callback, the code exchange, the Grant), `token` with a
//! refresh, the console's actions (clients, a credential rotation, messages listed and sent,
//! grants, files, status), a `token` run that fails, and `forget` (revocation), each into its
//! own HAR file.
//! Every file is HAR 1.2, opens in the `har` crate, names the engine step of each exchange,
//! and holds none of the secrets the keyring held or the demo handed out — raw, Base64, URL-
//! or JSON-encoded. The failed run's file is complete too.

use std::path::Path;

use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use serde_json::Value;

use super::transcript_har::{assert_har_1_2, open_with_har_crate};
use crate::common;

fn cli(home: &Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"));
    c.env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .env_remove("RUST_BACKTRACE")
        .kill_on_drop(true);
    c
}

async fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = cli(home).args(args).output().await.expect("run cds-wizard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `authorize PROFILE --no-browser` with the customer approving.
async fn authorize(home: &Path, args: &[&str]) -> (i32, String) {
    let mut cmd = cli(home);
    cmd.args(args);
    let a = common::customer::authorize_run(cmd, "approve").await;
    (a.code, a.stderr)
}

/// Every secret the demo handed out (client secrets, access and refresh tokens).
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

/// Every secret the keyring holds for these clients of `profile`.
fn keyring_secrets(profile: &str, clients: &[String]) -> Vec<String> {
    let keyring = build("keyutils").unwrap();
    let mut out = Vec::new();
    for id in clients {
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

fn entries(path: &Path) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_har_1_2(&doc);
    assert_eq!(
        open_with_har_crate(path),
        doc["log"]["entries"].as_array().unwrap().len()
    );
    doc["log"]["entries"].as_array().unwrap().clone()
}

fn steps(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e["_step"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn a_recorded_onboarding_holds_no_secret() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let hars = tempfile::tempdir().unwrap();
    let har = |name: &str| hars.path().join(name).to_str().unwrap().to_owned();
    let profile = format!("har-{}", std::process::id());
    let answers = format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"));

    let (code, out, err) = run(
        home.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            &answers,
            "--profile",
            &profile,
            "--json",
            "--har",
            &har("register.har"),
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("transcript: ") && err.contains("register.har"),
        "{err}"
    );
    let reg: Value = serde_json::from_str(&out).unwrap();
    let clients: Vec<String> = reg["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap().to_owned())
        .collect();
    let e = entries(&hars.path().join("register.har"));
    let s = steps(&e);
    assert!(
        s.contains(&"discovery".to_owned()) && s.contains(&"registration".to_owned()),
        "{s:?}"
    );
    // The registration's answer is there, with its structure and without its secrets.
    let answer =
        e.iter().find(|e| e["_step"] == "registration").unwrap()["response"]["content"]["text"]
            .as_str()
            .unwrap();
    assert!(
        serde_json::from_str::<Value>(answer).is_ok(),
        "still JSON: {answer}"
    );

    let (code, err) = authorize(
        home.path(),
        &[
            "authorize",
            &profile,
            "--no-browser",
            "--timeout",
            "20",
            "--har",
            &har("authorize.har"),
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let e = entries(&hars.path().join("authorize.har"));
    let s = steps(&e);
    for step in ["PAR", "callback", "token", "management"] {
        assert!(s.contains(&step.to_owned()), "{step} in {s:?}");
    }
    let callback = e.iter().find(|e| e["_step"] == "callback").unwrap();
    assert_eq!(callback["_inbound"], true);
    let url = callback["request"]["url"].as_str().unwrap();
    assert!(
        url.contains("code=[redacted:code]") && url.contains("state="),
        "{url}"
    );
    let exchange = e.iter().find(|e| e["_step"] == "token").unwrap()["request"]["postData"]["text"]
        .as_str()
        .unwrap();
    assert!(
        exchange.contains("grant_type=authorization_code"),
        "{exchange}"
    );
    assert!(
        exchange.contains("code_verifier=[redacted:code_verifier]"),
        "{exchange}"
    );

    // `token` after expiry refreshes.
    common::expire_access_tokens(home.path());
    let code_client = clients
        .iter()
        .find(|id| {
            reg["clients"].as_array().unwrap().iter().any(|c| {
                c["client_id"] == id.as_str()
                    && c["scope"].as_str().unwrap().contains("dge_usage_electric")
            })
        })
        .unwrap()
        .clone();
    let (code, _, err) = run(
        home.path(),
        &[
            "token",
            &profile,
            "--client",
            &code_client,
            "--har",
            &har("token.har"),
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let e = entries(&hars.path().join("token.har"));
    let refresh = e.iter().find(|e| e["_step"] == "token").expect("a refresh");
    let form = refresh["request"]["postData"]["text"].as_str().unwrap();
    assert!(form.contains("grant_type=refresh_token"), "{form}");
    assert!(
        form.contains("refresh_token=[redacted:refresh_token]"),
        "{form}"
    );
    let answer = refresh["response"]["content"]["text"].as_str().unwrap();
    let answer: Value = serde_json::from_str(answer).unwrap();
    assert_eq!(answer["access_token"], "[redacted:access_token]");

    // The console's actions, each recorded: listing clients, rotating the admin secret (a new
    // one is created, proven with a token request, the old one expired), the messages with one
    // sent, the Grants and the shared files, and the status overview.
    let admin = reg["admin_client_id"].as_str().unwrap().to_owned();
    let console: [(&str, Vec<&str>, i32); 7] = [
        ("clients.har", vec!["clients", &profile], 0),
        (
            "rotate.har",
            vec!["credentials", &profile, "rotate", &admin],
            0,
        ),
        ("messages.har", vec!["messages", &profile], 0),
        (
            "send.har",
            vec![
                "messages",
                &profile,
                "send",
                "--type",
                "support_request",
                "--subject",
                "Recorded",
                "--body",
                "A question",
            ],
            0,
        ),
        ("grants.har", vec!["grants", &profile], 0),
        ("files.har", vec!["files", &profile], 0),
        // Requests wait on the user: exit 1.
        ("status.har", vec!["status", &profile], 1),
    ];
    for (file, args, want) in console {
        let mut args = args;
        let path = har(file);
        args.extend(["--har", &path]);
        let (code, _, err) = run(home.path(), &args).await;
        assert_eq!(code, want, "{args:?}: {err}");
        let e = entries(&hars.path().join(file));
        assert!(
            steps(&e).iter().any(|s| s == "management"),
            "{file}: {:?}",
            steps(&e)
        );
        for entry in &e {
            for h in entry["request"]["headers"].as_array().unwrap() {
                if h["name"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("authorization")
                {
                    let v = h["value"].as_str().unwrap();
                    assert!(v.ends_with("]") && v.contains("[redacted:"), "{file}: {v}");
                }
            }
        }
    }
    let rotated = entries(&hars.path().join("rotate.har"));
    let methods: Vec<&str> = rotated
        .iter()
        .map(|e| e["request"]["method"].as_str().unwrap())
        .collect();
    assert!(
        methods.contains(&"POST") && methods.contains(&"PATCH"),
        "a credential created and the old one expired: {methods:?}"
    );

    // The keyring's secrets (the rotated admin secret among them), before `forget` removes
    // them.
    let mut secrets = keyring_secrets(&profile, &clients);
    assert!(
        secrets.len() >= clients.len() + 2,
        "client secrets and the code client's tokens"
    );

    // A run that fails still leaves a complete file with what happened.
    let keyring = build("keyutils").unwrap();
    let refresh_account = account(&profile, &code_client, SecretKind::RefreshToken);
    let kept = keyring.get(&refresh_account).unwrap().unwrap();
    keyring
        .set(
            &refresh_account,
            &cds_wizard::secret::Secret::new("ended-grant-0001"),
        )
        .unwrap();
    common::expire_access_tokens(home.path());
    let (code, _, err) = run(
        home.path(),
        &[
            "token",
            &profile,
            "--client",
            &code_client,
            "--har",
            &har("failed.har"),
        ],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    let e = entries(&hars.path().join("failed.har"));
    let last = e.last().expect("the failing exchange");
    assert_eq!(last["response"]["status"], 400);
    assert!(
        last["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("invalid_grant")
    );
    keyring.set(&refresh_account, &kept).unwrap();
    secrets.push("ended-grant-0001".to_owned());
    // The home remembers the last transcript and the last error, for `report`.
    let last = std::fs::read_to_string(home.path().join("last-transcript")).unwrap();
    assert!(last.trim().ends_with("failed.har"), "{last}");
    let last_error = std::fs::read_to_string(home.path().join("last-error.txt")).unwrap();
    assert!(last_error.contains("invalid_grant"), "{last_error}");

    // `forget` revokes (RFC 7009) and is recorded too.
    let (code, _, err) = run(
        home.path(),
        &["forget", &profile, "--har", &har("forget.har")],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let e = entries(&hars.path().join("forget.har"));
    assert!(
        steps(&e).contains(&"revocation".to_owned()),
        "{:?}",
        steps(&e)
    );

    // Never over an existing file.
    let (code, _, err) = run(home.path(), &["profiles", "--har", &har("forget.har")]).await;
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    // Zero hits for every secret, in every encoding, in every file.
    secrets.extend(demo_secrets(&server));
    secrets.sort();
    secrets.dedup();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert!(secrets.len() >= 8, "{}", secrets.len());
    common::secrets::assert_no_secret_in(hars.path(), &secrets);
    common::secrets::assert_no_secret_in(home.path(), &secrets);
    server.stop().await;
}
