//! Registration and authorization against servers of the older drafts (issue 10 point 2): the
//! demo serving the CDSC 2025 draft (`DemoOptions::draft`: the legacy well-known path, scope ids
//! `client_admin` / `grant_admin`, CDSC-WG1-02 2025 §3.3, §4.1–§4.2, §5) is registered with by
//! `register --answers`, its secrets land in the keyring, `profiles` lists its clients,
//! `authorize` gets a Grant (§8) and the wizard's event loop reaches "Registered"; a server of
//! the May 2023 overview, which defines no complete registration, is refused in one line before
//! anything is sent.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cds_wizard::cds::drafts::Draft;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use serde_json::Value;

use crate::common;

fn answers() -> String {
    format!(
        "{}/tests/fixtures/drafts/answers-cdsc2025.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

async fn demo(draft: Draft) -> DemoServer {
    DemoServer::start(
        0,
        DemoOptions {
            draft,
            ..DemoOptions::default()
        },
    )
    .await
    .expect("demo server")
}

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

async fn get(url: &str) -> (u16, Value) {
    let r = common::fixtures::http().get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `authorize PROFILE --no-browser`, alice approving at the consent page.
async fn authorize(home: &Path, profile: &str) -> (i32, String, String) {
    let mut cmd = cli(home);
    cmd.args(["authorize", profile, "--no-browser", "--timeout", "20"]);
    let a = common::customer::authorize_run(cmd, "approve").await;
    (a.code, a.stdout, a.stderr)
}

#[tokio::test]
async fn the_2025_demo_speaks_the_2025_draft() {
    let server = demo(Draft::Cdsc2025).await;
    let base = &server.base_url;
    let (status, _) = get(&format!("{base}/.well-known/cds-server-metadata.json")).await;
    assert_eq!(status, 404, "a 2025 server has only the legacy path");
    let (status, meta) = get(&format!("{base}/.well-known/carbon-data-spec.json")).await;
    assert_eq!(status, 200);
    assert_eq!(
        meta["cds_metadata_url"].as_str(),
        Some(format!("{base}/.well-known/carbon-data-spec.json").as_str())
    );
    let (_, oauth) = get(meta["oauth_metadata"].as_str().unwrap()).await;
    assert_eq!(oauth["cds_oauth_version"], "v1");
    let scopes = &oauth["cds_scope_descriptions"];
    assert_eq!(scopes["client_admin"]["id"], "client_admin");
    assert!(scopes["client_admin"].get("type").is_none(), "{scopes:#}");
    assert_eq!(scopes["grant_admin"]["id"], "grant_admin");
    assert!(scopes.get("cds_client_admin").is_none());
    let supported: Vec<&str> = oauth["scopes_supported"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(supported.contains(&"client_admin"), "{supported:?}");
    assert!(
        !supported.iter().any(|s| s.starts_with("cds_")),
        "{supported:?}"
    );
    // The client reads it as the 2025 draft it is.
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(home.path(), &["scopes", base, "--json"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cds_client_admin"), "translated: {out}");
    server.stop().await;
}

#[tokio::test]
async fn register_and_authorize_at_a_2025_server() {
    let server = demo(Draft::Cdsc2025).await;
    let base = server.base_url.clone();
    let home = tempfile::tempdir().unwrap();
    let profile = format!("cdsc2025-{}", std::process::id());
    let keyring = build("keyutils").unwrap();
    let answers = answers();
    let (code, out, err) = run(
        home.path(),
        &[
            "register",
            &base,
            "--answers",
            &answers,
            "--profile",
            &profile,
            "--json",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}\n{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    let admin = out["admin_client_id"].as_str().unwrap().to_owned();
    // The request named the admin scope as the 2025 draft does (§4.1), the demo stored it as its
    // 2026 self, and the response said `client_admin` (§4.2).
    let gas_id = {
        let store = server.state().registry.lock();
        let admin_record = store.client(&admin).expect("the admin client");
        assert_eq!(admin_record.item.scope, "cds_client_admin");
        store
            .clients
            .iter()
            .find(|c| c.item.scope == "dge_usage_gas")
            .map(|c| c.item.client_id.clone())
            .expect("a client for dge_usage_gas")
    };
    let clients = out["clients"].as_array().unwrap();
    let scope_of = |id: &str| {
        clients
            .iter()
            .find(|c| c["client_id"] == id)
            .map(|c| c["scope"].clone())
    };
    assert_eq!(scope_of(&admin), Some("client_admin".into()), "{out:#}");
    assert_eq!(scope_of(&gas_id), Some("dge_usage_gas".into()), "{out:#}");
    assert!(
        clients.iter().any(|c| c["scope"] == "grant_admin"),
        "the Grant Admin client (§4.2): {out:#}"
    );
    // Every secret in the keyring: the admin's from the response, the gas client's from the
    // Credentials API (§7).
    for id in [&admin, &gas_id] {
        let a = account(&profile, id, SecretKind::ClientSecret);
        assert!(keyring.get(&a).unwrap().is_some(), "{a}");
    }
    assert!(
        keyring
            .get(&account(&profile, &admin, SecretKind::AccessToken))
            .unwrap()
            .is_some(),
        "the client_admin token (client_credentials with scope client_admin)"
    );

    let (code, listed, err) = run(home.path(), &["profiles", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let listed = listed["profiles"][0]["clients"].as_array().unwrap().clone();
    for id in [&admin, &gas_id] {
        assert!(
            listed.iter().any(|c| c["client_id"] == id.as_str()),
            "{id} in {listed:#?}"
        );
    }

    // Authorization (§8): PAR, the customer approves, a Grant for the gas client.
    let (code, out, err) = authorize(home.path(), &profile).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("Authorized client {gas_id}.")),
        "{out}"
    );
    let grants: Vec<String> = server
        .state()
        .registry
        .lock()
        .grants
        .iter()
        .filter(|g| g.item.client_id == gas_id)
        .map(|g| g.item.grant_id.clone())
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(out.contains(&grants[0]), "the Grant is shown: {out}");

    // `token` hands out the admin token (asked for with scope `client_admin`).
    let (code, token, err) = run(home.path(), &["token", &profile, "--client", &admin]).await;
    assert_eq!(code, 0, "{err}");
    assert!(!token.trim().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_may_2023_server_is_refused_in_one_line_before_anything_is_sent() {
    let server = demo(Draft::Cdsc2023).await;
    let base = server.base_url.clone();
    let home = tempfile::tempdir().unwrap();
    // Discovery and the catalog work...
    let (code, _, err) = run(home.path(), &["scopes", &base]).await;
    assert_eq!(code, 0, "{err}");
    // ...registration does not: the draft has no complete registration process.
    let (code, out, err) = run(
        home.path(),
        &[
            "register",
            &base,
            "--answers",
            &answers(),
            "--profile",
            "old",
        ],
    )
    .await;
    assert_eq!(code, 2, "{out}\n{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("CDSC May 2023"), "{err}");
    assert!(lines[0].contains("no complete registration"), "{err}");
    assert!(lines[0].contains("nothing was sent"), "{err}");
    assert!(!err.contains("missing field"), "{err}");
    assert!(server.state().registry.lock().clients.is_empty());
    let (_, listed, _) = run(home.path(), &["profiles", "--json"]).await;
    assert!(!listed.contains("\"old\""), "no profile made: {listed}");
    server.stop().await;
}

#[tokio::test]
async fn the_wizard_registers_at_a_2025_server() {
    use cds_wizard::tui::{Executor, Start, run_loop};
    use cds_wizard::ui::Theme;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use futures::channel::mpsc;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let server = demo(Draft::Cdsc2025).await;
    let home = tempfile::tempdir().unwrap();
    let vault = Arc::new(cds_wizard::vault::memory::MemoryStore::default());
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let (tx, rx) = mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let mut executor = Executor::new(http)
        .with_vault(vault.clone() as Arc<dyn SecretStore>)
        .with_index(index);
    let state = server.state().clone();
    let feeder = tokio::spawn(async move {
        let send = |code: KeyCode| {
            tx.unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
                .unwrap();
        };
        let pause = |ms| tokio::time::sleep(Duration::from_millis(ms));
        let typed = |text: &str| {
            send(KeyCode::Enter);
            text.chars().for_each(|c| send(KeyCode::Char(c)));
            send(KeyCode::Enter);
        };
        pause(2000).await; // discovery of the loopback demo
        // Scopes: the gas usage scope only; Modifiers at their defaults; then Registration.
        send(KeyCode::Tab);
        "/gas".chars().for_each(|c| send(KeyCode::Char(c)));
        send(KeyCode::Enter);
        send(KeyCode::Char(' '));
        send(KeyCode::Tab);
        pause(300).await;
        send(KeyCode::Tab);
        pause(300).await;
        send(KeyCode::Char('j'));
        typed("Gas Gauge");
        send(KeyCode::Char('j'));
        typed("dev@gasgauge.example");
        (0..5).for_each(|_| send(KeyCode::Char('j')));
        typed("Gas Gauge Inc.");
        send(KeyCode::Char('j'));
        typed("https://gasgauge.example");
        send(KeyCode::Char('j'));
        typed("dev@gasgauge.example");
        send(KeyCode::Char('j'));
        send(KeyCode::Char(' ')); // accept the data terms
        pause(500).await;
        send(KeyCode::Tab); // the review
        pause(500).await;
        send(KeyCode::Enter); // register
        for _ in 0..100 {
            pause(100).await;
            if state.registry.lock().clients.len() >= 3 {
                break;
            }
        }
        pause(2000).await; // the Clients and Credentials APIs, the Done screen
        tx.unbounded_send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))))
        .unwrap();
    });
    tokio::time::timeout(
        Duration::from_secs(60),
        run_loop(
            &mut terminal,
            rx,
            Start::Url(server.base_url.clone()),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    feeder.await.unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Registered. Clients:"), "{screen}");
    assert!(screen.contains("client_admin"), "{screen}");
    assert!(screen.contains("dge_usage_gas"), "{screen}");
    let registry = server.state().registry.lock();
    let gas = registry
        .clients
        .iter()
        .find(|c| c.item.scope == "dge_usage_gas")
        .expect("registered through the wizard");
    assert!(!registry.credentials.is_empty());
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let p = index
        .profiles()
        .iter()
        .find(|p| p.clients.iter().any(|c| c.client_id == gas.item.client_id))
        .expect("the profile with the gas client");
    let secret = p.account(&gas.item.client_id, SecretKind::ClientSecret);
    assert!(vault.get(&secret).unwrap().is_some(), "{secret}");
}
