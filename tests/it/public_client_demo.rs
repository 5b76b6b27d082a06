//! Public clients at the demo and in the scope lists (CDS-WG1-02 §3.4, §4.2, §7; RFC 6749
//! §2.1, §3.2.1; RFC 9126 §2): the demo accepts `client_id` alone at its token, PAR and
//! revocation endpoints only from a client registered with `none`, refuses a confidential client
//! without its secret and a public client with one, makes no Credential for a public client and
//! lets none be created; a Credential a server lists for a public client anyway is not kept;
//! `scopes` and the research catalog mark which scopes a public client may use, derived from
//! the stored auth methods.

use std::sync::Arc;

use cds_wizard::catalog::crawl::{self, CrawlOptions};
use cds_wizard::catalog::store::Catalog;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use serde_json::{Value, json};

use crate::common;

const NATIVE: &str = "dge_usage_native";

/// POSTs a form to the demo, optionally with HTTP Basic; returns status and JSON body.
async fn post_form(
    base: &str,
    path: &str,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut rb = common::fixtures::http()
        .post(format!("{base}{path}"))
        .form(form);
    if let Some((id, secret)) = basic {
        rb = rb.basic_auth(id, Some(secret));
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_demo_accepts_client_id_alone_only_from_a_public_client() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let base = server.base_url.clone();
    let registration = json!({
        "scope": format!("cds_client_admin dge_usage_gas {NATIVE}"),
        "client_name": "Two kinds",
        "cds_company_name": "Two Kinds Inc.",
        "cds_company_website": "https://twokinds.example",
        "cds_contact_email": "dev@twokinds.example",
        "cds_data_terms_accepted": true,
    });
    let r = common::fixtures::http()
        .post(format!("{base}/oauth/register"))
        .json(&registration)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let admin: Value = r.json().await.unwrap();
    let (admin_id, admin_secret) = (
        admin["client_id"].as_str().unwrap().to_owned(),
        admin["client_secret"].as_str().unwrap().to_owned(),
    );
    let (confidential, public) = {
        let store = server.state().registry.lock();
        let by_scope = |scope: &str| {
            store
                .clients
                .iter()
                .find(|c| c.item.scope == scope)
                .map(|c| c.item.clone())
                .unwrap()
        };
        (by_scope("dge_usage_gas"), by_scope(NATIVE))
    };
    assert_eq!(
        confidential.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic"),
        "a scope allowing both methods keeps the confidential client"
    );
    assert_eq!(public.token_endpoint_auth_method.as_deref(), Some("none"));
    let (conf_id, pub_id) = (confidential.client_id.as_str(), public.client_id.as_str());

    // A confidential client with no secret is refused at every endpoint a public one may use.
    let par_form = |id: &str| {
        vec![
            ("client_id", id.to_owned()),
            ("response_type", "code".to_owned()),
            ("redirect_uri", format!("{base}/oauth/receipt")),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            ),
            ("code_challenge_method", "S256".to_owned()),
            ("state", "s1".to_owned()),
        ]
    };
    let confidential_forms = [
        (
            "/oauth/token",
            vec![
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", "x".to_owned()),
                ("client_id", conf_id.to_owned()),
            ],
        ),
        ("/oauth/par", par_form(conf_id)),
        (
            "/oauth/revoke",
            vec![("token", "x".to_owned()), ("client_id", conf_id.to_owned())],
        ),
    ];
    for (path, form) in &confidential_forms {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, v) = post_form(&base, path, None, &form).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (401, Some("invalid_client")),
            "{path}: {v}"
        );
    }

    // The public client is accepted with `client_id` alone...
    let form = par_form(pub_id);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, v) = post_form(&base, "/oauth/par", None, &form).await;
    assert_eq!(status, 201, "{v}");
    assert!(v["request_uri"].is_string());
    // PKCE is what binds a public client's code to it: a request without it is refused.
    let no_pkce: Vec<(&str, &str)> = form
        .iter()
        .copied()
        .filter(|(k, _)| !k.starts_with("code_challenge"))
        .collect();
    let (status, v) = post_form(&base, "/oauth/par", None, &no_pkce).await;
    assert_eq!(status, 400, "{v}");
    assert!(v.to_string().contains("PKCE"), "{v}");
    let refresh = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "unknown"),
        ("client_id", pub_id),
    ];
    let (status, v) = post_form(&base, "/oauth/token", None, &refresh).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("invalid_grant")),
        "{v}"
    );
    let (status, _) = post_form(
        &base,
        "/oauth/revoke",
        None,
        &[("token", "x"), ("client_id", pub_id)],
    )
    .await;
    assert_eq!(status, 200);
    // ...but not with a secret, in the body or through Basic, nor for what needs one.
    let mut with_secret = refresh.to_vec();
    with_secret.push(("client_secret", "guess"));
    let (status, v) = post_form(&base, "/oauth/token", None, &with_secret).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("invalid_client")),
        "{v}"
    );
    let (status, v) = post_form(
        &base,
        "/oauth/token",
        Some((pub_id, "guess")),
        &refresh[..2],
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("invalid_client")),
        "{v}"
    );
    let cc = [("grant_type", "client_credentials"), ("client_id", pub_id)];
    let (status, v) = post_form(&base, "/oauth/token", None, &cc).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (401, Some("invalid_client")),
        "{v}"
    );
    let (status, _) = post_form(
        &base,
        "/oauth/introspect",
        None,
        &[("token", "x"), ("client_id", pub_id)],
    )
    .await;
    assert_eq!(status, 401, "introspection is for confidential clients");

    // §4.2 / §7: no Credential for the public client, and none can be created.
    let (status, tok) = post_form(
        &base,
        "/oauth/token",
        Some((&admin_id, &admin_secret)),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "cds_client_admin"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tok}");
    let tok = tok["access_token"].as_str().unwrap();
    let http = common::fixtures::http();
    let listed: Value = http
        .get(format!("{base}/api/credentials?client_ids={pub_id}"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["credentials"], json!([]), "{listed}");
    let r = http
        .post(format!("{base}/api/credentials"))
        .bearer_auth(tok)
        .json(&json!({"client_id": pub_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v.to_string().contains("no client secret"), "{v}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_the_catalog_mark_what_a_public_client_may_use() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let url = server.base_url.clone();
    let (code, out, err) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || common::run_cli(&["scopes", &url, "--json"]))
            .await
            .unwrap()
    };
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let public: Vec<(String, bool)> = v["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let methods = s["auth_methods"].as_array().unwrap();
            let flag = s["public_client"].as_bool().unwrap();
            assert_eq!(flag, methods.contains(&json!("none")), "{s}");
            (s["id"].as_str().unwrap().to_owned(), flag)
        })
        .collect();
    let flag = |id: &str| public.iter().find(|(s, _)| s == id).unwrap().1;
    assert!(flag(NATIVE) && flag("dge_usage_electric"));
    assert!(!flag("cds_client_admin") && !flag("dge_public_outages"));
    let (code, text, err) = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || common::run_cli(&["scopes", &url]))
            .await
            .unwrap()
    };
    assert_eq!(code, 0, "{err}");
    let native = text.split("\n\n").find(|b| b.starts_with(NATIVE)).unwrap();
    assert!(native.contains("  auth methods   none\n"), "{native}");
    assert!(native.contains("  public client  yes"), "{native}");
    let outages = text
        .split("\n\n")
        .find(|b| b.starts_with("dge_public_outages"))
        .unwrap();
    assert!(outages.contains("  public client  no"), "{outages}");

    // The research catalog stores the auth methods and answers the same question offline.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.sqlite");
    let mut catalog = Catalog::open(&db).unwrap();
    let http = HttpClient::new(HttpPolicy::default()).unwrap();
    let summary = crawl::crawl(
        &mut catalog,
        &http,
        vec![url.clone()],
        &CrawlOptions::default(),
        Arc::new(|_| {}),
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(summary.ok, 1, "{summary:?}");
    server.stop().await;
    let db = db.display().to_string();
    let ask = |extra: &'static [&'static str]| {
        let db = db.clone();
        tokio::task::spawn_blocking(move || {
            let mut args = vec!["catalog", "scopes", "--db", db.as_str()];
            args.extend_from_slice(extra);
            common::run_cli(&args)
        })
    };
    let (code, out, err) = ask(&["--json"]).await.unwrap();
    assert_eq!(code, 0, "{err}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), public.len());
    for r in rows {
        let id = r["scope_id"].as_str().unwrap();
        assert_eq!(r["public_client"].as_bool(), Some(flag(id)), "{r}");
    }
    let (code, out, err) = ask(&["--public", "--json"]).await.unwrap();
    assert_eq!(code, 0, "{err}");
    let only: Vec<Value> = serde_json::from_str(&out).unwrap();
    let mut want: Vec<&str> = public
        .iter()
        .filter(|p| p.1)
        .map(|p| p.0.as_str())
        .collect();
    let mut got: Vec<&str> = only
        .iter()
        .map(|r| r["scope_id"].as_str().unwrap())
        .collect();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    let (code, out, err) = ask(&[]).await.unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().next().unwrap().contains("PUBLIC"), "{out}");
    let line = out.lines().find(|l| l.contains(NATIVE)).unwrap();
    assert!(line.contains(" yes "), "{line}");
    let line = out
        .lines()
        .find(|l| l.contains("dge_public_outages"))
        .unwrap();
    assert!(line.contains(" no "), "{line}");
}

/// A server that reads §4.2 literally lists a Credential for a public client too: the wizard
/// keeps no secret for a client that never sends one.
#[tokio::test]
async fn a_credential_listed_for_a_public_client_is_not_kept() {
    use cds_wizard::cds::Credential;
    use cds_wizard::cds::credentials::CredentialType;
    use cds_wizard::demo::faults::FaultRule;
    use cds_wizard::vault::keyring::build;
    use cds_wizard::vault::{SecretKind, SecretStore, account};

    // The Credentials API fails once, so registration stops before reading it.
    let options = DemoOptions::default().fault(
        FaultRule::new("/api/credentials")
            .status(axum::http::StatusCode::SERVICE_UNAVAILABLE)
            .count(1),
    );
    let server = DemoServer::start(0, options).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let profile = format!("literal-{}", std::process::id());
    let answers = format!("{}/assets/answers-native.toml", env!("CARGO_MANIFEST_DIR"));
    let run = |args: Vec<String>| {
        let home = home.path().to_owned();
        tokio::task::spawn_blocking(move || {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
                .args(&args)
                .env("CDS_WIZARD_HOME", home)
                .env("CDS_WIZARD_KEYRING", "keyutils")
                .env_remove("RUST_BACKTRACE")
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            (out.status.code().unwrap_or(-1), err)
        })
    };
    let args = [
        "register",
        &server.base_url,
        "--answers",
        &answers,
        "--profile",
        &profile,
    ];
    let (code, err) = run(args.map(str::to_owned).to_vec()).await.unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--resume"), "{err}");

    // The server now lists a Credential for the public client as well.
    let public_id = {
        let mut store = server.state().registry.lock();
        let record = store
            .clients
            .iter()
            .find(|c| c.item.scope == NATIVE)
            .cloned()
            .unwrap();
        let now = jiff::Timestamp::now();
        let base = &server.base_url;
        let credential = Credential {
            credential_id: "literal-1".into(),
            uri: format!("{base}/api/credentials/literal-1").parse().unwrap(),
            client_id: record.item.client_id.clone(),
            created: now,
            modified: now,
            credential_type: CredentialType::ClientSecret,
            client_secret: Some("a-secret-the-public-client-never-sends".into()),
            client_secret_expires_at: Some(0),
            extra: Default::default(),
        };
        store.add_credential(&record.registration, credential);
        record.item.client_id
    };
    let (code, err) = run(vec!["register".into(), "--resume".into(), profile.clone()])
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    let keyring = build("keyutils").unwrap();
    let secret = account(&profile, &public_id, SecretKind::ClientSecret);
    assert_eq!(keyring.get(&secret).unwrap(), None);
    let index = cds_wizard::profiles::Index::load(home.path()).unwrap();
    let p = index.profile(&profile).unwrap();
    let entry = p.client(&public_id).unwrap();
    assert!(entry.is_public() && entry.secrets.is_empty(), "{entry:?}");
    assert!(!p.keyring_accounts().contains(&secret));
    // The confidential clients' secrets did arrive.
    let stored = p.stored_accounts();
    assert!(
        stored
            .iter()
            .any(|(_, k, _)| *k == SecretKind::ClientSecret)
    );
    for (_, _, a) in p.stored_accounts() {
        keyring.delete(&a).unwrap();
    }
    server.stop().await;
}
