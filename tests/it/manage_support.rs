//! Shared set-up of the console engine tests (issue 11): a demo utility in-process on loopback
//! with a short review delay, a profile registered through the real engine with its secrets in
//! the real kernel keyring (keyutils), and a session over it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cds_wizard::demo::state::RegistryOptions;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::oauth::ClientAuth;
use cds_wizard::oauth::token;
use cds_wizard::onboarding::discovery::{self, DiscoveryLimits};
use cds_wizard::onboarding::engine::Engine;
use cds_wizard::onboarding::manage::Session;
use cds_wizard::onboarding::{answers, plan, register};
use cds_wizard::profiles::Index;
use cds_wizard::vault::keyring::{KeyringStore, build};
use cds_wizard::vault::{Secret, SecretKind, SecretStore, VaultError};

/// How long the demo's reviews take in these tests.
pub const REVIEW: Duration = Duration::from_millis(400);

pub fn unique(tag: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{tag}-{}-{}", std::process::id(), n % 1_000_000_000)
}

pub fn options() -> DemoOptions {
    DemoOptions {
        registry: RegistryOptions {
            review_delay: REVIEW,
            ..RegistryOptions::default()
        },
        ..DemoOptions::default()
    }
}

/// The answers file the README uses (three scopes: usage, bills, outages).
pub fn demo_answers() -> PathBuf {
    PathBuf::from(format!(
        "{}/assets/answers-demo.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// An answers file for the Server-Provided Files scope and its Grant Admin scope.
pub fn files_answers(dir: &Path) -> PathBuf {
    let p = dir.join("answers-files.toml");
    std::fs::write(
        &p,
        "scopes = [\"cds_server_provided_files_1\", \"cds_grant_admin_1\"]\n\
         [client]\nclient_name = \"Files Reader\"\n",
    )
    .unwrap();
    p
}

/// A registered profile: its home, index, keyring and HTTP client, against one demo server.
pub struct Fixture {
    pub server: DemoServer,
    pub home: tempfile::TempDir,
    pub http: HttpClient,
    pub vault: KeyringStore,
    pub index: Index,
    pub profile: String,
}

impl Fixture {
    /// Starts a demo with `opts` and registers a profile with `answers`.
    pub async fn new(tag: &str, opts: DemoOptions, answers: Option<PathBuf>) -> Fixture {
        let server = DemoServer::start(0, opts).await.expect("demo");
        let home = tempfile::tempdir().unwrap();
        let answers = answers.unwrap_or_else(|| files_answers(home.path()));
        let http = HttpClient::new(HttpPolicy::default()).unwrap();
        let vault = build("keyutils").expect("keyutils keyring");
        let mut index = Index::load(home.path()).unwrap();
        let profile = unique(tag);
        let d = discovery::discover(&http, &server.base_url, &DiscoveryLimits::default(), None)
            .await
            .expect("discovery");
        let meta = d.oauth_metadata().expect("oauth metadata").clone();
        let a = answers::load(&answers).expect("answers");
        let plan = plan::plan(
            &meta,
            &a.selection(),
            &|p| plan::read_capped(p, plan::MAX_FILE_BYTES),
            jiff::Timestamp::now(),
        )
        .expect("plan");
        {
            let mut engine = Engine {
                http: &http,
                vault: &vault,
                index: &mut index,
            };
            register::register(
                &mut engine,
                &meta,
                Some(&d.metadata_url),
                &plan,
                &profile,
                &|_| {},
            )
            .await
            .expect("registration");
        }
        Fixture {
            server,
            home,
            http,
            vault,
            index,
            profile,
        }
    }

    pub fn session(&mut self) -> Session<'_> {
        let engine = Engine {
            http: &self.http,
            vault: &self.vault,
            index: &mut self.index,
        };
        Session::open(engine, &self.profile).expect("session")
    }

    pub fn account(&self, client_id: &str) -> String {
        cds_wizard::vault::account(&self.profile, client_id, SecretKind::ClientSecret)
    }

    pub fn admin(&self) -> String {
        self.index
            .profile(&self.profile)
            .unwrap()
            .admin_client_id
            .clone()
            .unwrap()
    }

    /// Client ids of the profile, the admin first.
    pub fn client_ids(&self) -> Vec<String> {
        let p = self.index.profile(&self.profile).unwrap();
        p.clients.iter().map(|c| c.client_id.clone()).collect()
    }

    /// A client with an authorization-code flow (no client_credentials).
    pub fn code_client(&self) -> String {
        let p = self.index.profile(&self.profile).unwrap();
        p.clients
            .iter()
            .find(|c| c.response_types.iter().any(|r| r == "code"))
            .map(|c| c.client_id.clone())
            .expect("a code-flow client")
    }

    /// Whether the token endpoint accepts `secret` for `client_id` (a token, or a refusal
    /// about the grant rather than the client).
    pub async fn secret_works(&self, client_id: &str, secret: &Secret) -> bool {
        let endpoint = url::Url::parse(&format!("{}/oauth/token", self.server.base_url)).unwrap();
        let auth = ClientAuth::Basic {
            client_id: client_id.to_owned(),
            secret: secret.clone(),
        };
        match token::client_credentials(&self.http, &endpoint, &auth, None, None).await {
            Ok(_) => true,
            Err(cds_wizard::oauth::OAuthError::Server { error, .. }) => error != "invalid_client",
            Err(_) => false,
        }
    }

    /// The keyring's secret for `client_id` works at the token endpoint.
    pub async fn keyring_secret_works(&self, client_id: &str) -> bool {
        let Some(s) = self.vault.get(&self.account(client_id)).unwrap() else {
            return false;
        };
        self.secret_works(client_id, &s).await
    }

    pub async fn stop(self) {
        for a in self
            .index
            .profile(&self.profile)
            .map(|p| p.keyring_accounts())
            .unwrap_or_default()
        {
            let _ = self.vault.delete(&a);
            let _ = self.vault.delete(&format!("{a}.rotating"));
        }
        self.server.stop().await;
    }
}

/// A keyring that refuses `set` for the accounts `fail` picks, and otherwise is the real one.
pub struct FailingVault<'a> {
    pub inner: &'a KeyringStore,
    pub fail: fn(&str) -> bool,
}

impl SecretStore for FailingVault<'_> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn set(&self, account: &str, secret: &Secret) -> Result<(), VaultError> {
        if (self.fail)(account) {
            return Err(VaultError::Store {
                store: "test".into(),
                account: account.into(),
                reason: "injected failure".into(),
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
