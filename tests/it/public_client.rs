//! Public clients end to end (CDS-WG1-02 §3.4 `token_endpoint_auth_methods_supported` of
//! `["none"]`, §4.2, §7; RFC 6749 §2.1, §3.2.1; RFC 7636; RFC 8252; RFC 9126 §2): the demo's
//! native-app scope registered from an answers file, a `none` client with no secret anywhere,
//! authorized with PKCE S256 + PAR and refreshed by `token` while the demo — watched by a
//! recording layer — sees only `client_id`, never a secret; the console refusing to create or
//! rotate a secret for it; `forget` revoking without one. The demo refuses a confidential
//! client that presents no secret and a public client that presents one; `scopes` and the
//! research catalog mark which scopes a public client may use.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use cds_wizard::catalog::crawl::{self, CrawlOptions};
use cds_wizard::catalog::store::Catalog;
use cds_wizard::demo::{DemoOptions, DemoServer, DemoState};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::common;

const NATIVE: &str = "dge_usage_native";

/// One request the demo received, as far as client authentication goes.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    /// An `Authorization` header was sent (HTTP Basic carries a secret).
    authorization: bool,
    /// The form parameters of a form-encoded body.
    form: Vec<(String, String)>,
}

impl Seen {
    fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Neither HTTP Basic nor a `client_secret` parameter: nothing secret proves the client.
    fn without_secret(&self) -> bool {
        !self.authorization && self.param("client_secret").is_none()
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Records every request before the demo answers it (form bodies read and put back).
async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let form_encoded = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let seen = |form: &[u8]| Seen {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        authorization: parts.headers.contains_key(header::AUTHORIZATION),
        form: url::form_urlencoded::parse(form).into_owned().collect(),
    };
    let body = if form_encoded {
        let bytes = axum::body::to_bytes(body, 1 << 20)
            .await
            .unwrap_or_default();
        log.lock().unwrap().push(seen(&bytes));
        Body::from(bytes)
    } else {
        log.lock().unwrap().push(seen(b""));
        body
    };
    let req = Request::from_parts(parts, body);
    next.run(req).await
}

/// The demo utility with a recording layer in front, on loopback.
struct Watched {
    base: String,
    state: Arc<DemoState>,
    log: Log,
    task: tokio::task::JoinHandle<()>,
}

impl Watched {
    async fn start() -> Watched {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(DemoState::new(&base, DemoOptions::default()).unwrap());
        let log: Log = Arc::default();
        let app = cds_wizard::demo::router(state.clone())
            .layer(axum::middleware::from_fn_with_state(log.clone(), record));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Watched {
            base,
            state,
            log,
            task,
        }
    }

    /// Requests to `path` since the log was last drained; the log is emptied.
    fn take(&self, path: &str) -> Vec<Seen> {
        let mut log = self.log.lock().unwrap();
        let all = std::mem::take(&mut *log);
        all.into_iter().filter(|s| s.path == path).collect()
    }
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

/// `authorize PROFILE --no-browser`, alice approving at the consent page.
async fn authorize(home: &Path, profile: &str) -> (i32, String, String) {
    let mut cmd = cli(home);
    cmd.args(["authorize", profile, "--no-browser", "--timeout", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn authorize");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the URL line in time")
        .unwrap()
        .unwrap_or_default();
    let url = first
        .strip_prefix("AUTHORIZE_URL ")
        .unwrap_or_else(|| panic!("AUTHORIZE_URL <url>, got {first:?}"))
        .to_owned();
    common::customer::play(&url, "alice", "approve").await;
    let mut rest = String::new();
    while let Ok(Some(l)) = lines.next_line().await {
        rest.push_str(&l);
        rest.push('\n');
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("authorize ends")
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        rest,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn expire_access_tokens(home: &Path) {
    let path = home.join("profiles.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let expired: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("access_token_expires_at") {
                "access_token_expires_at = \"2000-01-01T00:00:00Z\"".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&path, expired.join("\n")).unwrap();
}

#[tokio::test]
async fn a_native_app_registers_authorizes_and_refreshes_without_a_secret() {
    let demo = Watched::start().await;
    let home = tempfile::tempdir().unwrap();
    let profile = format!("native-{}", std::process::id());
    // The shipped example: only the native-app scope.
    let answers = format!("{}/assets/answers-native.toml", env!("CARGO_MANIFEST_DIR"));
    let keyring = build("keyutils").unwrap();

    // Registration: the native scope gets a `none` client, with no secret anywhere.
    let (code, out, err) = run(
        home.path(),
        &[
            "register",
            &demo.base,
            "--answers",
            &answers,
            "--profile",
            &profile,
            "--json",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let out: Value = serde_json::from_str(&out).unwrap();
    let clients = out["clients"].as_array().unwrap();
    let public = clients
        .iter()
        .find(|c| c["scope"] == NATIVE)
        .unwrap_or_else(|| panic!("a client for {NATIVE}: {out}"));
    let pub_id = public["client_id"].as_str().unwrap().to_owned();
    assert_eq!(public["token_endpoint_auth_method"], "none");
    assert_eq!(public["keyring_accounts"], json!([]), "{public}");
    let secret_account = account(&profile, &pub_id, SecretKind::ClientSecret);
    assert_eq!(keyring.get(&secret_account).unwrap(), None);
    // The demo made no Credential for it (§4.2 as the README reads it); the admin client
    // still has its secret, in the keyring.
    {
        let store = demo.state.registry.lock();
        assert!(store.credentials.iter().all(|c| c.item.client_id != pub_id));
        let record = store.client(&pub_id).expect("stored client");
        assert_eq!(
            record.item.token_endpoint_auth_method.as_deref(),
            Some("none")
        );
        assert_eq!(record.item.response_types, ["code"]);
    }
    let admin = out["admin_client_id"].as_str().unwrap();
    let admin_secret = keyring
        .get(&account(&profile, admin, SecretKind::ClientSecret))
        .unwrap();
    assert!(admin_secret.is_some());

    // `profiles` lists the public client without a secret account, and says why.
    let (code, listed, err) = run(home.path(), &["profiles", "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let entry = listed["profiles"][0]["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == pub_id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(entry["token_endpoint_auth_method"], "none");
    assert_eq!(entry["secrets"], json!([]));
    let (_, text, _) = run(home.path(), &["profiles"]).await;
    assert!(text.contains("public client (auth method none)"), "{text}");
    assert!(!text.contains(&secret_account), "{text}");
    demo.take("");

    // Authorization: PAR and the code exchange carry `client_id` and PKCE, never a secret.
    let (code, out, err) = authorize(home.path(), &profile).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("Authorized client {pub_id}.")),
        "{out}"
    );
    assert!(out.contains("status active"), "{out}");
    let pushed = demo.take("/oauth/par");
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    let par = &pushed[0];
    assert!(par.without_secret(), "{par:?}");
    assert_eq!(par.param("client_id"), Some(pub_id.as_str()));
    assert_eq!(par.param("code_challenge_method"), Some("S256"));
    assert!(par.param("code_challenge").is_some());
    assert!(par.param("scope").is_some_and(|s| s.contains(NATIVE)));
    assert!(
        par.param("authorization_details")
            .is_some_and(|d| d.contains("P3M")),
        "{par:?}"
    );
    let grants: Vec<String> = demo
        .state
        .registry
        .lock()
        .grants
        .iter()
        .filter(|g| g.item.client_id == pub_id)
        .map(|g| g.item.grant_id.clone())
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(out.contains(&grants[0]), "the Grant is shown: {out}");
    for kind in [SecretKind::AccessToken, SecretKind::RefreshToken] {
        assert!(
            keyring
                .get(&account(&profile, &pub_id, kind))
                .unwrap()
                .is_some()
        );
    }
    assert_eq!(keyring.get(&secret_account).unwrap(), None);

    // `token` after expiry refreshes with `client_id` only.
    expire_access_tokens(home.path());
    demo.take("");
    let (code, token, err) = run(home.path(), &["token", &profile, "--client", &pub_id]).await;
    assert_eq!(code, 0, "{err}");
    assert!(!token.trim().is_empty());
    let refreshes = demo.take("/oauth/token");
    assert_eq!(refreshes.len(), 1, "{refreshes:?}");
    let refresh = &refreshes[0];
    assert_eq!(refresh.param("grant_type"), Some("refresh_token"));
    assert_eq!(refresh.param("client_id"), Some(pub_id.as_str()));
    assert!(refresh.without_secret(), "{refresh:?}");
    let live = demo.state.registry.lock().tokens.contains_key(token.trim());
    assert!(live, "the refreshed access token is one the demo issued");

    // The console refuses to invent a secret for it; nothing reaches the Credentials API.
    for action in ["create", "rotate"] {
        let (code, _, err) = run(home.path(), &["credentials", &profile, action, &pub_id]).await;
        assert_eq!(code, 2, "{action}: {err}");
        assert!(err.contains("public client"), "{action}: {err}");
        let posted = demo.take("/api/credentials");
        assert!(
            posted.iter().all(|s| s.method != Method::POST),
            "{posted:?}"
        );
    }
    assert_eq!(keyring.get(&secret_account).unwrap(), None);

    // `forget` revokes the tokens as a public client and deletes no secret it never had.
    demo.take("");
    let (code, out, err) = run(home.path(), &["forget", &profile, "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let forgotten: Value = serde_json::from_str(&out).unwrap();
    let removed = forgotten["keyring_entries_removed"].as_array().unwrap();
    assert!(!removed.contains(&json!(secret_account)), "{forgotten}");
    assert!(
        removed.contains(&json!(account(&profile, &pub_id, SecretKind::RefreshToken))),
        "{forgotten}"
    );
    let revocations: Vec<Seen> = demo
        .take("/oauth/revoke")
        .into_iter()
        .filter(|s| s.param("client_id") == Some(pub_id.as_str()))
        .collect();
    assert_eq!(revocations.len(), 2, "refresh and access token revoked");
    assert!(
        revocations.iter().all(Seen::without_secret),
        "{revocations:?}"
    );
    assert!(
        forgotten["not_revoked"].as_array().unwrap().is_empty(),
        "{forgotten}"
    );
    demo.task.abort();
}

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
