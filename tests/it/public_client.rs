//! Public clients end to end (CDS-WG1-02 §3.4 `token_endpoint_auth_methods_supported` of
//! `["none"]`, §4.2, §7; RFC 6749 §2.1, §3.2.1; RFC 7636; RFC 8252; RFC 9126 §2): the demo's
//! native-app scope registered from the shipped answers file, a `none` client with no secret
//! anywhere, authorized with PKCE S256 + PAR — by `cds-wizard authorize` and by the wizard's
//! own event loop — and refreshed by `token`, while the demo, watched by a recording layer,
//! sees only `client_id`, never a secret; the console refusing to create or rotate a secret
//! for it; `forget` revoking without one. (The demo's refusals and the scope lists:
//! `public_client_demo.rs`.)

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use cds_wizard::demo::{DemoOptions, DemoState};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use serde_json::{Value, json};

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
    cmd.args(["authorize", profile, "--no-browser", "--timeout", "20"]);
    let a = common::customer::authorize_run(cmd, "approve").await;
    (a.code, a.stdout, a.stderr)
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
    common::expire_access_tokens(home.path());
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

/// The native answers registered through the engine into `home` and `vault`.
async fn register_native(
    base: &str,
    home: &Path,
    vault: &cds_wizard::vault::memory::MemoryStore,
    name: &str,
) -> cds_wizard::profiles::Index {
    use cds_wizard::onboarding::discovery::{self, DiscoveryLimits};
    use cds_wizard::onboarding::register::{self, Engine};
    use cds_wizard::onboarding::{answers, plan};
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let d = discovery::discover(&http, base, &DiscoveryLimits::default(), None)
        .await
        .unwrap();
    let meta = d.oauth_metadata().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/answers-native.toml");
    let answers = answers::load(&file).unwrap();
    let plan = plan::plan(
        meta,
        &answers.selection(),
        &|p| plan::read_capped(p, plan::MAX_FILE_BYTES),
        jiff::Timestamp::now(),
    )
    .unwrap_or_else(|p| panic!("{p:?}"));
    let mut index = cds_wizard::profiles::Index::load(home).unwrap();
    let mut engine = Engine {
        http: &http,
        vault,
        index: &mut index,
    };
    let url = Some(&d.metadata_url);
    register::register(&mut engine, meta, url, &plan, name, &|_| {})
        .await
        .unwrap();
    index
}

/// The wizard's Authorize step for a stored profile, drawn at 120x40.
fn authorize_step(view: cds_wizard::app::screens::authorize::ProfileView) -> String {
    use cds_wizard::app::{self, App, Msg, Step};
    let (mut app, _) = App::home(std::time::Instant::now());
    app::update(&mut app, Msg::ProfilesLoaded(Ok(vec![view.clone()])));
    app.step = Step::Authorize;
    app.authorize.profile = Some(view);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| {
            cds_wizard::ui::draw(f, &app, &cds_wizard::ui::Theme::plain());
        })
        .unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn the_wizard_authorizes_a_public_client_by_keystrokes() {
    use cds_wizard::tui::{Executor, Start, run_loop};
    use cds_wizard::ui::Theme;
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    use futures::channel::mpsc;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    let demo = Watched::start().await;
    let home = tempfile::tempdir().unwrap();
    let vault = Arc::new(cds_wizard::vault::memory::MemoryStore::default());
    let name = "wizard-native";
    let index = register_native(&demo.base, home.path(), &vault, name).await;
    let p = index.profile(name).unwrap();
    let public = p.clients.iter().find(|c| c.is_public()).unwrap().clone();
    assert_eq!(public.scope, NATIVE);
    let tokens = [SecretKind::AccessToken, SecretKind::RefreshToken]
        .map(|k| p.account(&public.client_id, k));
    let secret_account = p.account(&public.client_id, SecretKind::ClientSecret);
    demo.take("");
    // The Authorize step names it a public client.
    let chooser = authorize_step(cds_wizard::tui::profile_view(p));
    let row = chooser
        .lines()
        .find(|l| l.contains(&public.client_id))
        .unwrap_or_else(|| panic!("{chooser}"));
    assert!(row.contains("public client (no secret"), "{chooser}");

    let (tx, rx) = mpsc::unbounded();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let http = cds_wizard::http::HttpClient::new(Default::default()).unwrap();
    let mut executor = Executor::new(http)
        .with_vault(vault.clone() as Arc<dyn SecretStore>)
        .with_index(index);
    let (watched, state, base) = (vault.clone(), demo.state.clone(), demo.base.clone());
    let client_id = public.client_id.clone();
    let access = tokens[0].clone();
    let feeder = tokio::spawn(async move {
        let send = |code: KeyCode, mods: KeyModifiers| {
            tx.unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))))
                .unwrap();
        };
        tokio::time::sleep(Duration::from_secs(2)).await;
        send(KeyCode::Char('a'), KeyModifiers::NONE); // the Authorize step
        send(KeyCode::Enter, KeyModifiers::NONE); // the one code-flow client: the public one
        // The wizard pushed the request (PAR); the customer opens it and approves.
        let mut request_uri = None;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            request_uri = state.registry.lock().oauth.pushed.keys().next().cloned();
            if request_uri.is_some() {
                break;
            }
        }
        let request_uri = request_uri.expect("a pushed authorization request");
        let mut url = url::Url::parse(&format!("{base}/oauth/authorize")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", &client_id)
            .append_pair("request_uri", &request_uri);
        common::customer::play(url.as_str(), "alice", "approve").await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if watched.get(&access).ok().flatten().is_some() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        send(KeyCode::Char('c'), KeyModifiers::CONTROL);
    });
    tokio::time::timeout(
        Duration::from_secs(40),
        run_loop(
            &mut terminal,
            rx,
            Start::Console(name.to_owned()),
            &mut executor,
            Theme::plain(),
        ),
    )
    .await
    .expect("the loop ends on Ctrl-C")
    .unwrap();
    feeder.await.unwrap();
    let screen = terminal.backend().to_string();
    let done = format!("Authorized client {}", public.client_id);
    assert!(screen.contains(&done), "{screen}");
    assert!(
        screen.contains("status active · scope dge_usage_native"),
        "{screen}"
    );

    // Tokens in the keyring, no secret; the Grant exists for the public client.
    for t in &tokens {
        assert!(vault.get(t).unwrap().is_some(), "{t}\n{screen}");
    }
    assert_eq!(vault.get(&secret_account).unwrap(), None);
    let grants = demo
        .state
        .registry
        .lock()
        .grants
        .iter()
        .filter(|g| g.item.client_id == public.client_id)
        .count();
    assert_eq!(grants, 1, "{screen}");
    // What the demo saw: PAR and the code exchange with `client_id`, PKCE, and no secret.
    let log = demo.log.lock().unwrap().clone();
    let par: Vec<&Seen> = log.iter().filter(|s| s.path == "/oauth/par").collect();
    assert_eq!(par.len(), 1, "{par:?}");
    assert_eq!(par[0].param("client_id"), Some(public.client_id.as_str()));
    assert_eq!(par[0].param("code_challenge_method"), Some("S256"));
    assert!(par[0].without_secret(), "{par:?}");
    let exchange: Vec<&Seen> = log
        .iter()
        .filter(|s| s.path == "/oauth/token" && s.param("grant_type") == Some("authorization_code"))
        .collect();
    assert_eq!(exchange.len(), 1, "{log:?}");
    assert_eq!(
        exchange[0].param("client_id"),
        Some(public.client_id.as_str())
    );
    assert!(exchange[0].param("code_verifier").is_some());
    assert!(exchange[0].without_secret(), "{exchange:?}");
    demo.task.abort();
}
