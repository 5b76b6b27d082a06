//! The edges of the onboarding engine against a registration endpoint that lies (issue 9):
//! identifiers that are not RFC 6749 identifiers are refused by name before anything is stored,
//! and a keyring that fails right after the server answered loses nothing `--resume` needs.

use std::path::Path;
use std::sync::Mutex;

use axum::Router;
use axum::routing::post;
use cds_wizard::cds::AuthorizationServerMetadata;
use cds_wizard::demo::documents::Documents;
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::engine::Engine;
use cds_wizard::onboarding::register::{self, RegisterError};
use cds_wizard::onboarding::{answers, plan};
use cds_wizard::profiles::{Index, RegistrationStep};
use cds_wizard::secret::Secret;
use cds_wizard::vault::memory::MemoryStore;
use cds_wizard::vault::{SecretStore, VaultError};
use serde_json::{Value, json};

/// A registration endpoint that answers `body` with 201 (RFC 7591 §3.2.1).
async fn registration_server(body: Value) -> String {
    let app = Router::new().route(
        "/oauth/register",
        post(move || {
            let body = body.clone();
            async move { (axum::http::StatusCode::CREATED, axum::Json(body)) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn planned(base: &str) -> (AuthorizationServerMetadata, plan::RegistrationPlan) {
    let docs = Documents::render(base).expect("demo documents");
    let meta: AuthorizationServerMetadata = serde_json::from_value(docs.oauth_metadata).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/answers-demo.toml");
    let a = answers::load(&path).unwrap();
    let read = |p: &Path| std::fs::read(p);
    let p = plan::plan(&meta, &a.selection(), &read, jiff::Timestamp::now())
        .unwrap_or_else(|e| panic!("{e:?}"));
    (meta, p)
}

fn http() -> HttpClient {
    HttpClient::new(HttpPolicy::default()).unwrap()
}

async fn register_against(
    body: Value,
    vault: &dyn SecretStore,
    home: &Path,
) -> Result<(), RegisterError> {
    let base = registration_server(body).await;
    let (meta, plan) = planned(&base);
    let http = http();
    let mut index = Index::load(home).unwrap();
    let mut engine = Engine {
        http: &http,
        vault,
        index: &mut index,
    };
    // The fixture's issuer is its own origin: the utility the registration starts from.
    let utility = url::Url::parse(&base).unwrap();
    register::register(
        &mut engine,
        &meta,
        Some(&utility),
        &plan,
        "hostile",
        &|_| {},
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn a_client_id_that_is_not_an_identifier_is_refused_by_name() {
    for (client_id, says) in [
        ("x\u{1b}]52;c;QUFBQQ==\u{7}", "U+001B"),
        ("admin\u{202e}nimda", "U+202E"),
        ("a/b", "keyring"),
        ("", "empty"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let vault = MemoryStore::default();
        let body =
            json!({"client_id": client_id, "client_secret": "s3cret", "scope": "cds_client_admin"});
        let e = register_against(body, &vault, home.path())
            .await
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("`client_id`") && msg.contains(says),
            "{client_id:?}: {msg}"
        );
        assert!(
            !msg.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{msg:?}"
        );
        assert!(
            vault
                .get(&format!("hostile/{client_id}/client_secret"))
                .unwrap()
                .is_none()
        );
        assert!(Index::load(home.path()).unwrap().profiles().is_empty());
    }
    // A secret that is not VSCHAR is refused the same way.
    let home = tempfile::tempdir().unwrap();
    let vault = MemoryStore::default();
    let body = json!({"client_id": "adm", "client_secret": "s\u{1b}[2J"});
    let msg = register_against(body, &vault, home.path())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("`client_secret`") && !msg.contains('\u{1b}'),
        "{msg}"
    );
}

/// A keyring whose writes fail (a locked Secret Service, a timeout) until it is repaired.
#[derive(Default)]
struct Flaky {
    broken: Mutex<bool>,
    inner: MemoryStore,
}

impl SecretStore for Flaky {
    fn name(&self) -> &str {
        "flaky"
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        if *self.broken.lock().unwrap() {
            return Err(VaultError::Timeout {
                store: "flaky".into(),
                secs: 10,
            });
        }
        self.inner.set(account, secret)
    }
    fn get(&self, account: &str) -> Result<Option<Secret>, VaultError> {
        self.inner.get(account)
    }
    fn delete(&self, account: &str) -> Result<(), VaultError> {
        self.inner.delete(account)
    }
}

#[tokio::test]
async fn a_keyring_failure_after_the_answer_keeps_the_client_for_resume() {
    let home = tempfile::tempdir().unwrap();
    let vault = Flaky::default();
    *vault.broken.lock().unwrap() = true;
    let body =
        json!({"client_id": "adm-1", "client_secret": "s3cret", "scope": "cds_client_admin"});
    let e = register_against(body, &vault, home.path())
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, RegisterError::SecretNotStored { .. }), "{msg}");
    assert!(
        msg.contains("adm-1") && msg.contains("--resume hostile"),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "{msg}");
    let index = Index::load(home.path()).unwrap();
    let p = index.profile("hostile").expect("the profile is kept");
    assert_eq!(p.admin_client_id.as_deref(), Some("adm-1"));
    assert!(p.is_complete(RegistrationStep::Registered));
    assert!(!p.is_complete(RegistrationStep::AdminSecretStored));

    // Without the secret in the keyring, resume cannot go on...
    let http = http();
    let mut index = Index::load(home.path()).unwrap();
    let mut engine = Engine {
        http: &http,
        vault: &vault,
        index: &mut index,
    };
    let e = register::resume(&mut engine, "hostile", &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(e, RegisterError::NoProfile(_)), "{e}");
    // ...once the write landed after all, it passes that step (and goes on to the admin token,
    // which this endpoint-only server cannot give).
    *vault.broken.lock().unwrap() = false;
    vault
        .set("hostile/adm-1/client_secret", &Secret::new("s3cret"))
        .unwrap();
    let e = register::resume(&mut engine, "hostile", &|_| {})
        .await
        .unwrap_err();
    assert!(!matches!(e, RegisterError::NoProfile(_)), "{e}");
    let p = engine.index.profile("hostile").unwrap();
    assert!(p.is_complete(RegistrationStep::AdminSecretStored));
}

/// An authorization server whose registration endpoint counts what reaches it, and whose own
/// RFC 8414 location serves `well_known` (404 when `None`).
async fn counted_issuer(
    well_known: Option<Value>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut app = Router::new().route(
        "/oauth/register",
        post(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { axum::http::StatusCode::CREATED }
        }),
    );
    if let Some(doc) = well_known {
        let doc = serde_json::from_str::<Value>(&doc.to_string().replace("BASE", &base)).unwrap();
        app = app.route(
            "/.well-known/oauth-authorization-server",
            axum::routing::get(move || async move { axum::Json(doc) }),
        );
    }
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, hits)
}

/// Issue 9 point 3: an issuer on another host than the utility registers only when its own
/// RFC 8414 metadata confirms it and agrees on the endpoints; otherwise nothing is sent.
#[tokio::test]
async fn an_issuer_on_another_host_must_be_confirmed_by_its_own_metadata() {
    use std::sync::atomic::Ordering;
    let utility =
        url::Url::parse("https://utility.example/.well-known/cds-server-metadata.json").unwrap();
    let run = |base: String| {
        let utility = utility.clone();
        async move {
            let (meta, plan) = planned(&base);
            let home = tempfile::tempdir().unwrap();
            let vault = MemoryStore::default();
            let http = http();
            let mut index = Index::load(home.path()).unwrap();
            let mut engine = Engine {
                http: &http,
                vault: &vault,
                index: &mut index,
            };
            register::register(
                &mut engine,
                &meta,
                Some(&utility),
                &plan,
                "elsewhere",
                &|_| {},
            )
            .await
            .map(|_| ())
        }
    };

    // No RFC 8414 document at the issuer: refused, naming the issuer and where to serve it.
    let (base, hits) = counted_issuer(None).await;
    let e = run(base.clone()).await.unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, RegisterError::Issuer(_)), "{msg}");
    assert!(msg.contains("on another host than the utility"), "{msg}");
    assert!(
        msg.contains(&format!("{base}/.well-known/oauth-authorization-server")),
        "{msg}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);

    // The issuer's own document names another token endpoint: refused, naming the field.
    let (base, hits) = counted_issuer(Some(json!({
        "issuer": "BASE/",
        "registration_endpoint": "BASE/oauth/register",
        "token_endpoint": "BASE/elsewhere/token",
        "authorization_endpoint": "BASE/oauth/authorize",
        "response_types_supported": ["code"],
    })))
    .await;
    let msg = run(base).await.unwrap_err().to_string();
    assert!(msg.contains("disagree on `token_endpoint`"), "{msg}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}
