//! The console's headless commands end to end: the built binary against the demo over real
//! HTTP, every subcommand of `clients`, `credentials`, `messages`, `grants`, `files` and
//! `status`, with `--json` parsed, refusals exiting 2, and no secret in any output.

use std::path::Path;

use cds_wizard::vault::SecretStore;
use serde_json::Value;

use crate::common::secrets::assert_no_secret_in_text;
use crate::manage_support::{Fixture, demo_answers, options};

/// The demo with reviews that do not finish during a test (the client list stays as
/// registered).
fn slow_reviews() -> cds_wizard::demo::DemoOptions {
    let mut o = options();
    o.registry.review_delay = std::time::Duration::from_secs(600);
    o
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn cli(home: &Path, args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(args)
        .env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .env_remove("RUST_BACKTRACE")
        .kill_on_drop(true)
        .output()
        .await
        .expect("run cds-wizard");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs and expects exit `code`; returns stdout.
async fn ok(f: &Fixture, args: &[&str], code: i32) -> String {
    let mut full = vec![args[0], f.profile.as_str()];
    full.extend_from_slice(&args[1..]);
    let r = cli(f.home.path(), &full).await;
    assert_eq!(
        r.code, code,
        "{full:?}\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    let secrets = secrets(f);
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    assert_no_secret_in_text("stdout", &r.stdout, &refs);
    assert_no_secret_in_text("stderr", &r.stderr, &refs);
    if code == 2 {
        return r.stderr;
    }
    r.stdout
}

fn secrets(f: &Fixture) -> Vec<String> {
    let p = f.index.profile(&f.profile).unwrap();
    p.keyring_accounts()
        .iter()
        .filter_map(|a| f.vault.get(a).ok().flatten())
        .map(|s| s.expose().to_owned())
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn clients_credentials_messages_and_status() {
    let f = Fixture::new("cli", slow_reviews(), Some(demo_answers())).await;
    let code = f.code_client();
    let admin = f.admin();

    // clients
    let out = ok(&f, &["clients"], 0).await;
    assert!(out.contains("CLIENT ID") && out.contains(&code), "{out}");
    let list = json(&ok(&f, &["clients", "list", "--json"], 0).await);
    assert_eq!(list.as_array().unwrap().len(), 4);
    let out = ok(&f, &["clients", "show", &code], 0).await;
    assert!(out.contains("redirect URIs"), "{out}");
    let out = ok(
        &f,
        &[
            "clients",
            "modify",
            &code,
            "--set",
            "client_name=CLI Renamed",
        ],
        0,
    )
    .await;
    assert!(out.contains("updated"), "{out}");
    let shown = json(&ok(&f, &["clients", "show", &code, "--json"], 0).await);
    assert_eq!(shown["client_name"], "CLI Renamed");
    let err = ok(
        &f,
        &["clients", "modify", &code, "--set", "grant_types=[]"],
        2,
    )
    .await;
    assert!(err.contains("refused") && err.contains("§5.5"), "{err}");

    // credentials
    let list = json(&ok(&f, &["credentials", "list", "--json"], 0).await);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(
        list.iter().all(|c| c.get("client_secret").is_none()),
        "no secret in JSON"
    );
    let mine = list
        .iter()
        .find(|c| c["client_id"] == code.as_str())
        .unwrap()["credential_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = ok(&f, &["credentials", "show", &mine], 0).await;
    assert!(out.contains("the one the profile uses"), "{out}");
    let err = ok(&f, &["credentials", "expire", &mine], 2).await;
    assert!(err.contains("Rotate instead"), "{err}");
    let out = ok(&f, &["credentials", "create", &code], 0).await;
    assert!(out.contains("New credential"), "{out}");
    // The one `create` left behind is no longer the profile's: it may be expired.
    let out = ok(&f, &["credentials", "expire", &mine], 0).await;
    assert!(out.contains("expired"), "{out}");
    let r = json(&ok(&f, &["credentials", "rotate", &admin, "--json"], 0).await);
    assert_eq!(r["expired"].as_array().unwrap().len(), 1);
    let out = ok(&f, &["credentials", "list", "--client", &admin], 0).await;
    assert!(
        out.contains("in the keyring (current)") && out.contains("expired"),
        "{out}"
    );
    assert!(f.keyring_secret_works(&admin).await);
    assert!(f.keyring_secret_works(&code).await);

    // messages
    let out = ok(&f, &["messages"], 0).await;
    assert!(out.contains("payment_request"), "{out}");
    let outstanding = json(&ok(&f, &["messages", "list", "--outstanding", "--json"], 0).await);
    let first = outstanding[0]["message_id"].as_str().unwrap().to_owned();
    let out = ok(&f, &["messages", "list", "--unread"], 0).await;
    assert!(out.contains(&first), "{out}");
    let out = ok(&f, &["messages", "show", &first], 0).await;
    assert!(out.contains("status"), "{out}");
    let out = ok(&f, &["messages", "read", &first], 0).await;
    assert!(out.contains("marked read"), "{out}");
    let read = json(&ok(&f, &["messages", "list", "--read", "--json"], 0).await);
    assert!(
        read.as_array()
            .unwrap()
            .iter()
            .any(|m| m["message_id"] == first.as_str())
    );
    let out = ok(
        &f,
        &[
            "messages",
            "send",
            "--type",
            "support_request",
            "--subject",
            "Hi",
            "--body",
            "Help",
        ],
        0,
    )
    .await;
    assert!(out.contains("Sent support_request"), "{out}");
    let err = ok(
        &f,
        &[
            "messages",
            "send",
            "--type",
            "notification",
            "--subject",
            "x",
            "--body",
            "y",
        ],
        2,
    )
    .await;
    assert!(err.contains("§6.9"), "{err}");

    // status: requests wait on the user, so exit 1.
    let out = ok(&f, &["status"], 1).await;
    assert!(
        out.contains("Outstanding requests") && out.contains("250.00 USD"),
        "{out}"
    );
    assert!(out.contains("Needs your attention"), "{out}");
    let s = json(&ok(&f, &["status", "--json"], 1).await);
    assert!(s["attention"].as_array().unwrap().len() > 1);
    assert_eq!(s["clients"]["sandbox"].as_array().unwrap().len(), 2);

    // An unknown profile cannot be worked on.
    let r = cli(f.home.path(), &["status", "no-such-profile"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    f.stop().await;
}

#[tokio::test]
async fn grants_and_files() {
    let f = Fixture::new("clif", slow_reviews(), None).await;
    let dir = tempfile::tempdir().unwrap();

    let grants = json(&ok(&f, &["grants", "--json"], 0).await);
    let g = &grants.as_array().unwrap()[0];
    let id = g["grant_id"].as_str().unwrap().to_owned();
    let scope = g["scope"].as_str().unwrap().to_owned();
    let out = ok(
        &f,
        &["grants", "list", "--status", "active", "--scope", &scope],
        0,
    )
    .await;
    assert!(out.contains(&id), "{out}");
    let out = ok(&f, &["grants", "list", "--status", "closed"], 0).await;
    assert!(!out.contains(&id), "{out}");
    let err = ok(&f, &["grants", "list", "--status", "bogus"], 2).await;
    assert!(err.contains("§8.2"), "{err}");
    let out = ok(&f, &["grants", "show", &id], 0).await;
    assert!(out.contains("enabled scope"), "{out}");

    // files (before the Grant is reduced and closed)
    let files = json(&ok(&f, &["files", "list", "--json"], 0).await);
    let file = &files.as_array().unwrap()[0];
    let file_id = file["file_id"].as_str().unwrap().to_owned();
    let out = ok(&f, &["files"], 0).await;
    assert!(out.contains(&file_id), "{out}");
    let out = ok(&f, &["files", "show", &file_id], 0).await;
    assert!(out.contains("shared by"), "{out}");
    let path = dir.path().join("saved.bin");
    let p = path.to_str().unwrap();
    let out = ok(&f, &["files", "download", &file_id, "-o", p], 0).await;
    assert!(out.contains("Saved"), "{out}");
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        file["size"].as_u64().unwrap()
    );
    let err = ok(&f, &["files", "download", &file_id, "-o", p], 2).await;
    assert!(err.contains("already exists"), "{err}");

    let keep = serde_json::to_string(&vec![g["authorization_details"][0].clone()]).unwrap();
    let out = ok(
        &f,
        &["grants", "reduce", &id, "--authorization-details", &keep],
        0,
    )
    .await;
    assert!(out.contains("is now active"), "{out}");
    let err = ok(
        &f,
        &["grants", "reduce", &id, "--scope", "dge_rate_plan"],
        2,
    )
    .await;
    assert!(err.contains("refused"), "{err}");
    let out = ok(&f, &["grants", "close", &id], 0).await;
    assert!(out.contains("closed"), "{out}");
    f.stop().await;
}
