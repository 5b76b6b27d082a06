//! The OAuth client (`cds_wizard::oauth`) over real HTTP against the demo utility: RFC 8414
//! discovery, a loopback redirect (RFC 8252 §7.3) added through the Clients API, PAR (RFC 9126)
//! with PKCE S256 (RFC 7636) and RAR (RFC 9396), the callback checks (`state`, RFC 9207 `iss`),
//! the code exchange, refresh rotation and revocation (RFC 7009); and the failures: a denied
//! consent, a PKCE mismatch, a timeout, a wrong client secret, a mismatched issuer. The test
//! plays the customer's browser at the demo's login and consent pages.

use std::time::Duration;

use cds_wizard::cds::AuthorizationServerMetadata;
use cds_wizard::demo::state::RegistryOptions;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::oauth::token::{self, TokenTypeHint};
use cds_wizard::oauth::{
    AuthorizationRequest, CallbackCheck, CallbackParams, ClientAuth, LoopbackListener, OAuthError,
    issuer,
};
use cds_wizard::vault::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn pdf_b64() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
          2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
          3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n\
          trailer << /Root 1 0 R >>\n%%EOF\n",
    )
}

/// The registration body of tests/demo_registration.rs.
fn full_request() -> Value {
    json!({
        "scope": "cds_client_admin dge_usage_electric dge_bill_statements \
                  dge_public_outages cds_server_provided_files_1",
        "client_name": "Watt Watcher",
        "contacts": ["dev@wattwatcher.example"],
        "cds_company_name": "Watt Watcher Inc.",
        "cds_company_website": "https://wattwatcher.example",
        "cds_contact_email": "dev@wattwatcher.example",
        "cds_data_terms_accepted": true,
        "cds_authorization_form_icon": PNG_1X1,
        "cds_insurance_certificate": pdf_b64(),
        "cds_is_nonprofit": null,
        "cds_purposes": [{"id": "", "scopes_supported": [], "name": "Savings", "description": "Find savings"}],
    })
}

/// The test's own browser and admin tooling (the code under test uses `HttpClient`).
fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn client() -> HttpClient {
    HttpClient::new(HttpPolicy::default()).expect("http client")
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn list(c: &reqwest::Client, url: &str, token: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(u) = next {
        let (status, v) = json_of(c.get(&u).bearer_auth(token).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{u}: {v}");
        out.extend(v[key].as_array().unwrap().iter().cloned());
        next = v["next"].as_str().map(str::to_owned);
    }
    out
}

/// A registered application: its sandbox code-flow Client object and secrets.
struct App {
    c: reqwest::Client,
    http: HttpClient,
    base: String,
    metadata: AuthorizationServerMetadata,
    client: Value,
    auth: ClientAuth,
    admin_auth: ClientAuth,
    admin_token: String,
}

impl App {
    fn token_endpoint(&self) -> &Url {
        self.metadata.token_endpoint.as_ref().unwrap()
    }

    /// Adds `redirect` to the Client object's redirect URIs through the Clients API (WG1-02
    /// §5.5), as the engine does before a loopback authorization.
    async fn add_redirect(&self, redirect: &str) {
        // The current object (a PUT echoes it; a stale `cds_modified` would be refused).
        let uri = self.client["cds_client_uri"].as_str().unwrap();
        let (s, mut body) = json_of(
            self.c
                .get(uri)
                .bearer_auth(&self.admin_token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let receipt = format!("{}/oauth/receipt", self.base);
        body["redirect_uris"] = json!([receipt, redirect]);
        let (s, v) = json_of(
            self.c
                .put(uri)
                .bearer_auth(&self.admin_token)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["redirect_uris"][1], redirect);
    }

    /// Plays the customer from the authorization URL to the consent decision and returns the
    /// redirect the browser would follow.
    async fn customer(&self, authorization_url: &Url, decision: &str) -> String {
        let r = self.c.get(authorization_url.clone()).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let login = r.text().await.unwrap();
        let (pending, csrf) = (hidden(&login, "pending"), hidden(&login, "csrf"));
        let r = self
            .c
            .post(format!("{}/oauth/authorize/login", self.base))
            .form(&[
                ("pending", pending.as_str()),
                ("csrf", csrf.as_str()),
                ("username", "alice"),
                ("password", "demo-alice"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let consent = r.text().await.unwrap();
        let (pending, csrf) = (hidden(&consent, "pending"), hidden(&consent, "csrf"));
        let r = self
            .c
            .post(format!("{}/oauth/authorize/consent", self.base))
            .header("cookie", cookie)
            .form(&[
                ("pending", pending.as_str()),
                ("csrf", csrf.as_str()),
                ("decision", decision),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        r.headers()["location"].to_str().unwrap().to_owned()
    }

    /// Binds a listener, registers its redirect, pushes a request and plays the customer up to
    /// the redirect; returns the request, the listener's result and the page the browser saw.
    async fn authorize(
        &self,
        decision: &str,
        by_par: bool,
    ) -> (AuthorizationRequest, CallbackParams, String) {
        let listener = LoopbackListener::bind().unwrap();
        let redirect = listener.redirect_uri();
        self.add_redirect(&redirect).await;
        let mut req = AuthorizationRequest::new(self.auth.client_id(), Some(redirect.clone()));
        req.scope = Some("dge_usage_electric".into());
        req.authorization_details = Some(json!([{
            "type": "dge_usage_electric", "segment_start": "P24M",
            "dge_max_meters": 500, "purpose": "dge_purpose_program_enrollment"
        }]));
        let authz = self.metadata.authorization_endpoint.as_ref().unwrap();
        let url = if by_par {
            let par = self
                .metadata
                .pushed_authorization_request_endpoint
                .as_ref()
                .unwrap();
            req.push(&self.http, par, authz, &self.auth).await.unwrap()
        } else {
            req.url(authz).unwrap()
        };
        let state = req.state.clone();
        let waiter =
            tokio::spawn(async move { listener.wait(&state, Duration::from_secs(10)).await });
        let location = self.customer(&url, decision).await;
        assert!(location.starts_with(&redirect), "{location}");
        let page = self.c.get(&location).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        let params = waiter.await.unwrap().unwrap();
        (req, params, page)
    }
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

async fn start() -> DemoServer {
    DemoServer::start(
        0,
        DemoOptions {
            registry: RegistryOptions {
                review_delay: Duration::from_secs(600),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// Registers and finds the sandbox code-flow Client object and its secret.
async fn register(server: &DemoServer) -> App {
    let c = browser();
    let http = client();
    let base = server.base_url.clone();
    let metadata = issuer::discover(&http, &Url::parse(&base).unwrap())
        .await
        .unwrap();
    let r = c
        .post(format!("{base}/oauth/register"))
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin: Value = r.json().await.unwrap();
    let admin_auth = ClientAuth::Basic {
        client_id: admin["client_id"].as_str().unwrap().to_owned(),
        secret: Secret::new(admin["client_secret"].as_str().unwrap()),
    };
    // The admin token comes from the code under test.
    let tok = token::client_credentials(
        &http,
        metadata.token_endpoint.as_ref().unwrap(),
        &admin_auth,
        Some("cds_client_admin"),
        None,
    )
    .await
    .unwrap();
    assert_eq!(tok.scope.as_deref(), Some("cds_client_admin"));
    let admin_token = tok.access_token.clone();
    let mut found = None;
    for _ in 0..50 {
        let clients = list(&c, &format!("{base}/api/clients"), &admin_token, "clients").await;
        found = clients
            .into_iter()
            .find(|v| v["response_types"] == json!(["code"]) && v["cds_status"] == "sandbox");
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = found.expect("a sandbox code-flow client");
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    let creds = list(
        &c,
        &format!("{base}/api/credentials"),
        &admin_token,
        "credentials",
    )
    .await;
    let secret = creds
        .iter()
        .find(|v| v["client_id"] == client_id.as_str())
        .and_then(|v| v["client_secret"].as_str())
        .expect("the code client's secret")
        .to_owned();
    App {
        c,
        http,
        base,
        metadata,
        client,
        auth: ClientAuth::Basic {
            client_id,
            secret: Secret::new(secret),
        },
        admin_auth,
        admin_token,
    }
}

#[tokio::test]
async fn loopback_par_pkce_rar_exchange_refresh_revoke() {
    let server = start().await;
    let app = register(&server).await;
    assert_eq!(app.metadata.issuer.as_str(), format!("{}/", app.base));

    let listener = LoopbackListener::bind().unwrap();
    let redirect = listener.redirect_uri();
    let port = listener.port();
    assert_eq!(redirect, format!("http://127.0.0.1:{port}/callback"));
    app.add_redirect(&redirect).await;

    let mut req = AuthorizationRequest::new(app.auth.client_id(), Some(redirect.clone()));
    req.scope = Some("dge_usage_electric".into());
    req.authorization_details = Some(json!([{
        "type": "dge_usage_electric", "segment_start": "P24M",
        "dge_max_meters": 500, "purpose": "dge_purpose_program_enrollment"
    }]));
    let authz = app.metadata.authorization_endpoint.clone().unwrap();
    let par = app
        .metadata
        .pushed_authorization_request_endpoint
        .clone()
        .unwrap();
    let url = req.push(&app.http, &par, &authz, &app.auth).await.unwrap();
    // RFC 9126 §4: only client_id and request_uri travel through the browser.
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(q.len(), 2, "{url}");
    assert_eq!(q[0], ("client_id".into(), app.auth.client_id().to_owned()));
    assert!(q[1].1.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert!(url.as_str().starts_with(authz.as_str()));

    let state = req.state.clone();
    let waiter = tokio::spawn(async move { listener.wait(&state, Duration::from_secs(10)).await });
    // A stray request (a browser's favicon) is answered 404 and does not use the listener up.
    let r = app
        .c
        .get(format!("http://127.0.0.1:{port}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Neither is an idle connection that never sends anything (speculative preconnect).
    let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let since_idle = std::time::Instant::now();

    let location = app.customer(&url, "approve").await;
    assert!(location.starts_with(&redirect), "{location}");
    let r = app.c.get(&location).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let page = r.text().await.unwrap();
    assert!(page.contains("You can close this window"), "{page}");
    let params = waiter.await.unwrap().unwrap();
    // Served while the idle connection still waits out its read timeout.
    assert!(since_idle.elapsed() < cds_wizard::oauth::loopback::READ_TIMEOUT);
    // One use: the listener is gone.
    assert!(app.c.get(&location).send().await.is_err());

    let check = CallbackCheck::for_request(&req, &app.metadata);
    let code = check.check(&params).unwrap();
    assert!(!format!("{params:?}").contains(code.expose()));

    let t = token::exchange_code(
        &app.http,
        app.token_endpoint(),
        &app.auth,
        &code,
        req.redirect_uri.as_deref(),
        req.code_verifier(),
    )
    .await
    .unwrap();
    assert_eq!(t.scope.as_deref(), Some("dge_usage_electric"));
    let details = t.authorization_details.as_ref().unwrap();
    assert_eq!(details[0]["type"], "dge_usage_electric");
    assert_eq!(details[0]["dge_max_meters"], 500);
    assert_eq!(details[0]["purpose"], "dge_purpose_program_enrollment");
    let now = jiff::Timestamp::now();
    assert!(token::expires_at(&t, now).unwrap() > now);
    assert!(!format!("{t:?}").contains(&t.access_token));
    // Refresh rotates the refresh token and keeps the authorization details.
    let rt1 = Secret::new(t.refresh_token.clone().unwrap());
    let t2 = token::refresh(&app.http, app.token_endpoint(), &app.auth, &rt1, None)
        .await
        .unwrap();
    let rt2 = Secret::new(t2.refresh_token.clone().unwrap());
    assert_ne!(rt1, rt2);
    assert_ne!(t2.access_token, t.access_token);
    assert_eq!(t2.authorization_details, t.authorization_details);

    // Revocation (RFC 7009): the refresh token stops working; revoking again is still fine.
    let revocation = app.metadata.revocation_endpoint.clone().unwrap();
    token::revoke(
        &app.http,
        &revocation,
        &app.auth,
        &rt2,
        Some(TokenTypeHint::RefreshToken),
    )
    .await
    .unwrap();
    token::revoke(&app.http, &revocation, &app.auth, &rt2, None)
        .await
        .unwrap();
    let e = token::refresh(&app.http, app.token_endpoint(), &app.auth, &rt2, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, OAuthError::Server { error, status: 400, .. } if error == "invalid_grant"),
        "{e}"
    );
    // The code is single use (and its reuse revokes what it produced, RFC 6749 §4.1.2).
    let e = token::exchange_code(
        &app.http,
        app.token_endpoint(),
        &app.auth,
        &code,
        req.redirect_uri.as_deref(),
        req.code_verifier(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, OAuthError::Server { error, .. } if error == "invalid_grant"),
        "{e}"
    );

    server.stop().await;
}

#[tokio::test]
async fn callbacks_are_checked_and_pkce_is_enforced() {
    let server = start().await;
    let app = register(&server).await;
    // Straight to the authorization endpoint (no PAR) this time.
    let (req, params, _) = app.authorize("approve", false).await;
    assert_eq!(params.iss.as_deref(), Some(app.base.as_str()));
    let issuer = app.metadata.issuer.clone();

    // Wrong state.
    let e = CallbackCheck::new("another-state", Some(&issuer), false)
        .check(&params)
        .unwrap_err();
    assert!(matches!(e, OAuthError::StateMismatch), "{e}");
    // Mismatched iss: the response names another server than the one asked.
    let elsewhere = Url::parse("https://other-utility.example").unwrap();
    let e = CallbackCheck::new(&req.state, Some(&elsewhere), false)
        .check(&params)
        .unwrap_err();
    assert!(matches!(e, OAuthError::IssMismatch { .. }), "{e}");
    assert!(e.to_string().contains("other-utility.example"), "{e}");
    // Missing iss where the metadata promises it (RFC 9207 §2.4).
    let mut promising = app.metadata.clone();
    promising.authorization_response_iss_parameter_supported = Some(true);
    let mut stripped = params.clone();
    stripped.iss = None;
    let e = CallbackCheck::for_request(&req, &promising)
        .check(&stripped)
        .unwrap_err();
    assert!(matches!(e, OAuthError::MissingIss { .. }), "{e}");
    // Without that promise a response without iss is accepted; with it, the real one passes.
    let mut silent = app.metadata.clone();
    silent.authorization_response_iss_parameter_supported = None;
    assert!(
        CallbackCheck::for_request(&req, &silent)
            .check(&stripped)
            .is_ok()
    );
    let code = CallbackCheck::for_request(&req, &promising)
        .check(&params)
        .unwrap();

    // PKCE: the wrong verifier is refused with invalid_grant, naming the token endpoint.
    let wrong = Secret::new("w".repeat(50));
    let e = token::exchange_code(
        &app.http,
        app.token_endpoint(),
        &app.auth,
        &code,
        req.redirect_uri.as_deref(),
        &wrong,
    )
    .await
    .unwrap_err();
    match &e {
        OAuthError::Server {
            url, status, error, ..
        } => {
            assert_eq!(url, app.token_endpoint());
            assert_eq!((*status, error.as_str()), (400, "invalid_grant"));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("/oauth/token"), "{e}");
    assert!(!e.to_string().contains(wrong.expose()));
    server.stop().await;
}

#[tokio::test]
async fn a_denied_consent_surfaces_as_denied() {
    let server = start().await;
    let app = register(&server).await;
    let (req, params, page) = app.authorize("deny", true).await;
    assert!(params.is_error());
    assert!(page.contains("access_denied"), "{page}");
    let e = CallbackCheck::for_request(&req, &app.metadata)
        .check(&params)
        .unwrap_err();
    match &e {
        OAuthError::Denied { error, .. } => assert_eq!(error, "access_denied"),
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("declined"), "{e}");
    server.stop().await;
}

/// Only a callback carrying this authorization's `state` ends the wait (issue 9 item 9): a
/// forged one (wrong or missing `state`, even with an `error`) gets 400 and the listener keeps
/// waiting for the real one.
#[tokio::test]
async fn the_listener_completes_only_on_its_own_state() {
    let listener = LoopbackListener::bind().unwrap();
    let port = listener.port();
    let waiter =
        tokio::spawn(async move { listener.wait("s3cret-state", Duration::from_secs(10)).await });
    let c = browser();
    for forged in [
        "code=evil&state=other",
        "code=evil",
        "error=access_denied&state=s3cret-stat",
        "code=evil&state=s3cret-statE",
    ] {
        let r = c
            .get(format!("http://127.0.0.1:{port}/callback?{forged}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{forged}");
        assert!(r.text().await.unwrap().contains("keeps waiting"));
        assert!(!waiter.is_finished(), "{forged} ended the wait");
    }
    let r = c
        .get(format!(
            "http://127.0.0.1:{port}/callback?code=real&state=s3cret-state"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let params = waiter.await.unwrap().unwrap();
    assert_eq!(params.code.as_ref().map(|c| c.expose()), Some("real"));
}

#[tokio::test]
async fn the_listener_times_out_and_ignores_strays() {
    let listener = LoopbackListener::bind_at("/cb").unwrap();
    let port = listener.port();
    let waiter =
        tokio::spawn(async move { listener.wait("the-state", Duration::from_millis(600)).await });
    let c = browser();
    let r = c
        .get(format!("http://127.0.0.1:{port}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A POST to the callback path does not count either.
    let r = c
        .post(format!("http://127.0.0.1:{port}/cb?code=x&state=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // An oversized request is refused.
    let r = c
        .get(format!("http://127.0.0.1:{port}/other"))
        .header("x-padding", "p".repeat(10_000))
        .send()
        .await;
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    let e = waiter.await.unwrap().unwrap_err();
    assert!(matches!(e, OAuthError::Timeout { .. }), "{e}");
    assert!(
        c.get(format!("http://127.0.0.1:{port}/cb?code=x&state=y"))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn client_credentials_with_a_wrong_secret_is_invalid_client() {
    let server = start().await;
    let app = register(&server).await;
    let wrong = ClientAuth::Basic {
        client_id: app.admin_auth.client_id().to_owned(),
        secret: Secret::new("not-the-secret"),
    };
    let e = token::client_credentials(
        &app.http,
        app.token_endpoint(),
        &wrong,
        Some("cds_client_admin"),
        None,
    )
    .await
    .unwrap_err();
    match &e {
        OAuthError::Server { status, error, .. } => {
            assert_eq!((*status, error.as_str()), (401, "invalid_client"));
        }
        other => panic!("{other}"),
    }
    let msg = e.to_string();
    assert!(msg.contains(app.token_endpoint().as_str()), "{msg}");
    assert!(
        msg.contains("invalid_client") && !msg.contains("not-the-secret"),
        "{msg}"
    );
    // A public client cannot use client_credentials at the demo either.
    let public = ClientAuth::Public {
        client_id: app.admin_auth.client_id().to_owned(),
    };
    let e = token::client_credentials(
        &app.http,
        app.token_endpoint(),
        &public,
        Some("cds_client_admin"),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, OAuthError::Server { .. }), "{e}");
    server.stop().await;
}

/// A tiny authorization server that serves a fixed metadata document at one path.
async fn serve_metadata(
    path: &'static str,
    doc: fn(&str) -> Value,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let body = doc(&base);
    let router = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let body = body.clone();
            async move { axum::Json(body) }
        }),
    );
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (base, task)
}

#[tokio::test]
async fn issuer_discovery() {
    let http = client();
    // The demo: its issuer is its base URL.
    let server = start().await;
    let m = issuer::discover(&http, &Url::parse(&server.base_url).unwrap())
        .await
        .unwrap();
    assert_eq!(m.issuer.as_str().trim_end_matches('/'), server.base_url);
    assert!(m.pushed_authorization_request_endpoint.is_some());
    server.stop().await;

    // A document naming another issuer is refused (RFC 8414 §3.3).
    let (base, task) = serve_metadata("/.well-known/oauth-authorization-server", |_| {
        json!({
            "issuer": "https://impostor.example",
            "authorization_endpoint": "https://impostor.example/authorize",
            "token_endpoint": "https://impostor.example/token",
            "response_types_supported": ["code"]
        })
    })
    .await;
    let e = issuer::discover(&http, &Url::parse(&base).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(e, OAuthError::IssuerMismatch { .. }), "{e}");
    assert!(e.to_string().contains("impostor.example"), "{e}");
    task.abort();

    // A plain OAuth server at a path issuer, found by RFC 8414 path insertion.
    let (base, task) = serve_metadata("/.well-known/oauth-authorization-server/tenant", |base| {
        json!({
            "issuer": format!("{base}/tenant"),
            "authorization_endpoint": format!("{base}/tenant/authorize"),
            "token_endpoint": format!("{base}/tenant/token"),
            "response_types_supported": ["code"],
            "authorization_response_iss_parameter_supported": true
        })
    })
    .await;
    let m = issuer::discover(&http, &Url::parse(&format!("{base}/tenant")).unwrap())
        .await
        .unwrap();
    assert_eq!(m.authorization_response_iss_parameter_supported, Some(true));
    assert_eq!(
        m.token_endpoint.unwrap().as_str(),
        format!("{base}/tenant/token")
    );
    task.abort();

    // Only the OpenID location: found by the fallback.
    let (base, task) = serve_metadata("/.well-known/openid-configuration", |base| {
        json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "response_types_supported": ["code"]
        })
    })
    .await;
    let m = issuer::discover(&http, &Url::parse(&base).unwrap())
        .await
        .unwrap();
    assert!(m.token_endpoint.is_some());
    task.abort();

    // Nothing at either location: both are named.
    let (base, task) = serve_metadata("/elsewhere", |_| json!({})).await;
    let e = issuer::discover(&http, &Url::parse(&base).unwrap())
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("oauth-authorization-server") && msg.contains("openid-configuration"),
        "{msg}"
    );
    task.abort();
}

/// The OAuth client is client side: it never reaches into the demo server or the commands.
#[test]
fn the_oauth_module_stays_on_the_client_side() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/oauth");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for bad in [
            "crate::demo",
            "crate::commands",
            "crate::onboarding",
            "println!",
        ] {
            assert!(!text.contains(bad), "{} uses {bad}", entry.path().display());
        }
    }
}
