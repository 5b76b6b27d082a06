//! The demo utility's customer authorization flow over real HTTP: PAR (RFC 9126), the
//! authorization endpoint with test-account login and consent (CDS-WG3-01 §9), PKCE S256
//! (RFC 7636), RAR validation (RFC 9396, WG1-02 §3.8–§3.10), `iss` (RFC 9207), the
//! authorization_code and rotating refresh_token grants, introspection (RFC 7662) and
//! revocation (RFC 7009). The test plays the customer's browser, carrying the session cookie
//! by hand.

use crate::common;

use common::fixtures::{PNG_1X1, http, pdf_b64};

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use cds_wizard::demo::state::RegistryOptions;
use cds_wizard::demo::{DemoOptions, DemoServer, test_accounts};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

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

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-demo-verifier";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// A registered application's sandbox code-flow Client object, seen from the test.
struct App {
    c: reqwest::Client,
    base: String,
    client_id: String,
    secret: String,
    admin_id: String,
    admin_secret: String,
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

/// Registers, then picks the code-flow Client object with `status` and its secret.
async fn register(server: &DemoServer, status: &str) -> App {
    let c = http();
    let base = server.base_url.clone();
    let r = c
        .post(format!("{base}/oauth/register"))
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin: Value = r.json().await.unwrap();
    let (s, tok) = json_of(
        c.post(format!("{base}/oauth/token"))
            .basic_auth(
                admin["client_id"].as_str().unwrap(),
                admin["client_secret"].as_str(),
            )
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "cds_client_admin"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let admin_token = tok["access_token"].as_str().unwrap().to_owned();
    let mut found = None;
    for _ in 0..50 {
        let clients = list(&c, &format!("{base}/api/clients"), &admin_token, "clients").await;
        found = clients
            .into_iter()
            .find(|v| v["response_types"] == json!(["code"]) && v["cds_status"] == status);
        if found.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = found.expect("a code-flow client with that status");
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
        base,
        client_id,
        secret,
        admin_id: admin["client_id"].as_str().unwrap().to_owned(),
        admin_secret: admin["client_secret"].as_str().unwrap().to_owned(),
    }
}

fn start_opts(require_par: bool, review: Duration) -> DemoOptions {
    DemoOptions {
        require_par,
        registry: RegistryOptions {
            review_delay: review,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The value of a hidden form input.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

fn query_of(location: &str) -> HashMap<String, String> {
    let url = url::Url::parse(location).expect("absolute Location");
    url.query_pairs().into_owned().collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_owned()
}

fn session_cookie(r: &reqwest::Response) -> String {
    let set = r
        .headers()
        .get("set-cookie")
        .expect("Set-Cookie")
        .to_str()
        .unwrap();
    assert!(set.contains("HttpOnly"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

impl App {
    async fn par(&self, extra: &[(&str, &str)]) -> reqwest::Response {
        let ch = challenge(VERIFIER);
        let mut form: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("code_challenge", &ch),
            ("code_challenge_method", "S256"),
            ("state", "st-123"),
        ];
        for (k, v) in extra {
            form.retain(|(fk, _)| fk != k);
            form.push((k, v));
        }
        self.c
            .post(format!("{}/oauth/par", self.base))
            .basic_auth(&self.client_id, Some(&self.secret))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    async fn par_uri(&self, extra: &[(&str, &str)]) -> String {
        let (s, v) = json_of(self.par(extra).await).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["request_uri"].as_str().unwrap().to_owned()
    }

    async fn authorize(&self, query: &[(&str, &str)], cookie: Option<&str>) -> reqwest::Response {
        let mut rb = self
            .c
            .get(format!("{}/oauth/authorize", self.base))
            .query(query);
        if let Some(ck) = cookie {
            rb = rb.header("cookie", ck);
        }
        rb.send().await.unwrap()
    }

    async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut rb = self.c.post(format!("{}{path}", self.base)).form(form);
        if let Some(ck) = cookie {
            rb = rb.header("cookie", ck);
        }
        rb.send().await.unwrap()
    }

    /// Posts the login form of `login_html` as `user` with `password`; the raw answer.
    async fn post_login(&self, login_html: &str, user: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/oauth/authorize/login",
            &[
                ("pending", &hidden(login_html, "pending")),
                ("csrf", &hidden(login_html, "csrf")),
                ("username", user),
                ("password", password),
            ],
            None,
        )
        .await
    }

    /// Login page → sign in as `user` → consent page. Returns (consent html, cookie).
    async fn sign_in(&self, login_html: &str, user: &str) -> (String, String) {
        let r = self
            .post_login(login_html, user, &format!("demo-{user}"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = session_cookie(&r);
        (r.text().await.unwrap(), cookie)
    }

    async fn decide(&self, consent_html: &str, decision: &str, cookie: &str) -> reqwest::Response {
        self.post_form(
            "/oauth/authorize/consent",
            &[
                ("pending", &hidden(consent_html, "pending")),
                ("csrf", &hidden(consent_html, "csrf")),
                ("decision", decision),
            ],
            Some(cookie),
        )
        .await
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        json_of(
            self.c
                .post(format!("{}/oauth/token", self.base))
                .basic_auth(&self.client_id, Some(&self.secret))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn introspect(&self, token: &str) -> Value {
        let (s, v) = json_of(
            self.c
                .post(format!("{}/oauth/introspect", self.base))
                .basic_auth(&self.client_id, Some(&self.secret))
                .form(&[("token", token)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    async fn revoke(&self, token: &str) -> StatusCode {
        self.c
            .post(format!("{}/oauth/revoke", self.base))
            .basic_auth(&self.client_id, Some(&self.secret))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap()
            .status()
    }
}

#[tokio::test]
async fn customer_authorizes_and_the_app_gets_rotating_tokens() {
    let server = DemoServer::start(0, start_opts(false, Duration::from_secs(600)))
        .await
        .unwrap();
    let app = register(&server, "sandbox").await;
    let base = app.base.clone();

    // Test accounts page, served ahead of the generic /docs page.
    let page = app
        .c
        .get(format!("{base}/docs/test-accounts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for a in test_accounts() {
        assert!(page.contains(a.username) && page.contains(a.password));
    }

    // PAR with PKCE S256 and no redirect_uri: the default receipt URI applies.
    let r = app.par(&[]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["expires_in"], 60);
    let request_uri = v["request_uri"].as_str().unwrap().to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));

    // The authorization endpoint shows the login form.
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &request_uri)],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let login = r.text().await.unwrap();
    assert!(login.contains("name=\"username\"") && login.contains("name=\"password\""));
    assert!(login.contains("Watt Watcher"));
    // A request_uri is single use.
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &request_uri)],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());

    // A wrong password shows the form again.
    let r = app.post_login(&login, "alice", "nope").await;
    assert!(r.headers().get("set-cookie").is_none());
    assert!(r.text().await.unwrap().contains("wrong password"));
    // A forged CSRF token is refused.
    let r = app
        .post_form(
            "/oauth/authorize/login",
            &[
                ("pending", &hidden(&login, "pending")),
                ("csrf", "forged"),
                ("username", "alice"),
                ("password", "demo-alice"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Login → consent page in plain words.
    let (consent, cookie) = app.sign_in(&login, "alice").await;
    for needle in [
        "Watt Watcher",
        "Alice Ames",
        "Electric usage history",
        "Bill statements",
        "Usage history start",
        "from 12 months back until now",
        "Service list",
        "General energy insights",
        "Keep data updated until",
        "1 year from now",
        "SA-1001-E",
    ] {
        assert!(consent.contains(needle), "consent page lacks {needle:?}");
    }
    // The decision must carry the signed-in session.
    let r = app.decide(&consent, "approve", "dge_session=other").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.decide(&consent, "approve", &cookie).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = location(&r);
    assert!(loc.starts_with(&format!("{base}/oauth/receipt?")), "{loc}");
    let q = query_of(&loc);
    assert_eq!(q["state"], "st-123");
    assert_eq!(q["iss"], base);
    let code = q["code"].clone();
    // The consent form is single use.
    let r = app.decide(&consent, "approve", &cookie).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Token exchange: a wrong verifier fails, the right one succeeds.
    let wrong = "x".repeat(50);
    let (s, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", &wrong),
        ])
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (s, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], "dge_usage_electric dge_bill_statements");
    let details = v["authorization_details"].as_array().unwrap();
    let elec = details
        .iter()
        .find(|d| d["type"] == "dge_usage_electric")
        .unwrap();
    // Defaults are filled in and relative dates made absolute (WG3-01 §7, §7.3).
    assert_eq!(elec["purpose"], "dge_purpose_general");
    let start = elec["segment_start"].as_str().unwrap();
    assert!(start.parse::<jiff::Timestamp>().is_ok(), "{start}");
    let bills = details
        .iter()
        .find(|d| d["type"] == "dge_bill_statements")
        .unwrap();
    assert!(
        bills["statement_date_start"]
            .as_str()
            .unwrap()
            .parse::<jiff::civil::Date>()
            .is_ok()
    );
    let at1 = v["access_token"].as_str().unwrap().to_owned();
    let rt1 = v["refresh_token"].as_str().unwrap().to_owned();

    // Introspection.
    let i = app.introspect(&at1).await;
    assert_eq!(i["active"], true);
    assert_eq!(i["client_id"], app.client_id.as_str());
    assert_eq!(i["scope"], "dge_usage_electric dge_bill_statements");
    assert!(i["exp"].as_i64().unwrap() > i["iat"].as_i64().unwrap());
    let grant1 = i["cds_grant_id"].clone();
    assert!(grant1.is_string());
    assert_eq!(i["authorization_details"], v["authorization_details"]);
    assert_eq!(
        app.introspect("not-a-token").await,
        json!({"active": false})
    );

    // Refresh rotation, then a narrower scope.
    let (s, v) = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &rt1)])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rt2 = v["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt1, rt2);
    let (s, v) = app
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt2),
            ("scope", "dge_usage_electric"),
        ])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["scope"], "dge_usage_electric");
    let at3 = v["access_token"].as_str().unwrap().to_owned();
    let rt3 = v["refresh_token"].as_str().unwrap().to_owned();
    let (_, v) = app
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt3),
            ("scope", "dge_rate_plan"),
        ])
        .await;
    assert_eq!(v["error"], "invalid_scope");

    // Revocation: the access token goes, unknown tokens answer 200, strangers may not revoke.
    assert_eq!(app.revoke(&at3).await, StatusCode::OK);
    assert_eq!(app.introspect(&at3).await["active"], false);
    assert_eq!(app.revoke("never-issued").await, StatusCode::OK);
    let (s, v) = json_of(
        app.c
            .post(format!("{base}/oauth/revoke"))
            .basic_auth(&app.admin_id, Some(&app.admin_secret))
            .form(&[("token", rt3.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
    assert_eq!(app.introspect(&rt3).await["active"], true);

    // Code reuse fails and revokes everything the code produced, refreshed tokens included.
    let (s, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert_eq!(app.introspect(&at1).await["active"], false);
    assert_eq!(app.introspect(&rt3).await["active"], false);

    // The session skips the login (a second authorization, approved at once).
    let uri = app.par_uri(&[]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            Some(&cookie),
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("name=\"decision\""), "consent page expected");
    let r = app.decide(&html, "approve", &cookie).await;
    let code2 = query_of(&location(&r))["code"].clone();
    let (s, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code2),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rt_a = v["refresh_token"].as_str().unwrap().to_owned();
    let (_, v) = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &rt_a)])
        .await;
    let rt_b = v["refresh_token"].as_str().unwrap().to_owned();
    let at_b = v["access_token"].as_str().unwrap().to_owned();
    let grant2 = app.introspect(&at_b).await["cds_grant_id"].clone();
    assert!(grant2.is_string());
    assert_ne!(grant2, grant1, "a new Grant per authorization");
    // Reusing a rotated refresh token fails and ends the chain.
    let (_, v) = app
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &rt_a)])
        .await;
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(app.introspect(&rt_b).await["active"], false);
    assert_eq!(app.introspect(&at_b).await["active"], false);

    // Deny → access_denied on the redirect URI.
    let uri = app.par_uri(&[]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            Some(&cookie),
        )
        .await;
    let html = r.text().await.unwrap();
    // Deny → access_denied on the redirect URI.
    let r = app.decide(&html, "deny", &cookie).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let q = query_of(&location(&r));
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-123");
    assert_eq!(q["iss"], base);
    // prompt=login forces the login despite the session (WG1-02 §8.3).
    let uri = app.par_uri(&[("prompt", "login")]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            Some(&cookie),
        )
        .await;
    let html = r.text().await.unwrap();
    assert!(html.contains("name=\"password\""), "login page expected");

    server.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_the_right_way() {
    let server = DemoServer::start(0, start_opts(false, Duration::from_secs(600)))
        .await
        .unwrap();
    let app = register(&server, "sandbox").await;
    let ch = challenge(VERIFIER);

    // PKCE: plain or no method is refused.
    for extra in [
        vec![("code_challenge_method", "plain")],
        vec![("code_challenge_method", "")],
    ] {
        let (s, v) = json_of(app.par(&extra).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["error"], "invalid_request");
    }
    // Client authentication.
    let r = app
        .c
        .post(format!("{}/oauth/par", app.base))
        .basic_auth(&app.client_id, Some("wrong"))
        .form(&[("response_type", "code")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Unregistered redirect URI: JSON from PAR; a page, never a redirect, from the endpoint.
    let (s, v) = json_of(
        app.par(&[("redirect_uri", "https://evil.example/cb")])
            .await,
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let r = app
        .authorize(
            &[
                ("client_id", &app.client_id),
                ("response_type", "code"),
                ("redirect_uri", "https://evil.example/cb"),
                ("code_challenge", &ch),
                ("code_challenge_method", "S256"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("not registered"));
    let r = app
        .authorize(&[("client_id", "nobody"), ("response_type", "code")], None)
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());

    // Direct parameters work when PAR is not required; an unknown scope redirects back.
    let direct = |extra: Vec<(&'static str, &'static str)>| {
        let mut q: Vec<(String, String)> = vec![
            ("client_id".into(), app.client_id.clone()),
            ("response_type".into(), "code".into()),
            ("code_challenge".into(), ch.clone()),
            ("code_challenge_method".into(), "S256".into()),
            ("state".into(), "s1".into()),
        ];
        q.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())));
        q
    };
    let get = |q: Vec<(String, String)>| {
        let c = app.c.clone();
        let url = format!("{}/oauth/authorize", app.base);
        async move { c.get(url).query(&q).send().await.unwrap() }
    };
    let r = get(direct(vec![])).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("name=\"password\""));
    let r = get(direct(vec![("scope", "dge_rate_plan")])).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let q = query_of(&location(&r));
    assert_eq!(q["error"], "invalid_scope");
    assert_eq!(q["state"], "s1");
    assert_eq!(q["iss"], app.base);

    // cds_grant_id: unknown → cds_grant_id_invalid_value; two values → invalid_request; an
    // empty one is ignored.
    let r = get(direct(vec![("cds_grant_id", "no-such-grant")])).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(
        query_of(&location(&r))["error"],
        "cds_grant_id_invalid_value"
    );
    let r = get(direct(vec![("cds_grant_id", "a"), ("cds_grant_id", "b")])).await;
    assert_eq!(query_of(&location(&r))["error"], "invalid_request");
    let r = get(direct(vec![("cds_grant_id", "")])).await;
    assert_eq!(r.status(), StatusCode::OK);
    let (s, v) = json_of(app.par(&[("cds_grant_id", "no-such-grant")]).await).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("cds_grant_id_invalid_value"))
    );

    // RAR: each broken rule is invalid_authorization_details naming the field.
    let cases = [
        (
            json!([{"type": "dge_usage_electric", "colour": "blue"}]),
            "colour",
        ),
        (
            json!([{"type": "dge_usage_electric", "dge_max_meters": 501}]),
            "dge_max_meters",
        ),
        (
            json!([{"type": "dge_usage_electric", "purpose": "marketing"}]),
            "purpose",
        ),
        (
            json!([{"type": "dge_usage_electric", "segment_start": "P25M"}]),
            "segment_start",
        ),
        (json!([{"type": "dge_rate_plan"}]), "dge_rate_plan"),
        (json!({"type": "dge_usage_electric"}), "array"),
    ];
    for (details, needle) in cases {
        let text = details.to_string();
        let (s, v) = json_of(app.par(&[("authorization_details", &text)]).await).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{text}");
        assert_eq!(v["error"], "invalid_authorization_details", "{text}");
        assert!(
            v["error_description"].as_str().unwrap().contains(needle),
            "{text}: {v}"
        );
    }
    // A valid entry passes and its values reach the consent page.
    let details = json!([{"type": "dge_usage_electric", "segment_start": "P24M",
                          "dge_max_meters": 500, "purpose": "dge_purpose_program_enrollment"}])
    .to_string();
    let uri = app.par_uri(&[("authorization_details", &details)]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            None,
        )
        .await;
    let login = r.text().await.unwrap();
    let (consent, _) = app.sign_in(&login, "carol").await;
    assert!(consent.contains("from 24 months back until now"));
    assert!(consent.contains("Program enrollment check"));
    assert!(consent.contains("500"));

    // A code from one client cannot be redeemed with a bogus verifier format.
    let (_, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", "whatever"),
            ("code_verifier", "short"),
        ])
        .await;
    assert_eq!(v["error"], "invalid_request");

    server.stop().await;
}

#[tokio::test]
async fn par_can_be_required() {
    let server = DemoServer::start(0, start_opts(true, Duration::from_secs(600)))
        .await
        .unwrap();
    let app = register(&server, "sandbox").await;
    let ch = challenge(VERIFIER);
    let r = app
        .authorize(
            &[
                ("client_id", &app.client_id),
                ("response_type", "code"),
                ("code_challenge", &ch),
                ("code_challenge_method", "S256"),
                ("state", "s2"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let q = query_of(&location(&r));
    assert_eq!(q["error"], "invalid_request");
    assert_eq!(q["state"], "s2");
    // Through PAR it works.
    let uri = app.par_uri(&[]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn production_clients_cannot_use_test_accounts() {
    let server = DemoServer::start(0, start_opts(false, Duration::from_millis(100)))
        .await
        .unwrap();
    let app = register(&server, "production").await;
    let uri = app.par_uri(&[]).await;
    let r = app
        .authorize(
            &[("client_id", &app.client_id), ("request_uri", &uri)],
            None,
        )
        .await;
    let login = r.text().await.unwrap();
    let r = app.post_login(&login, "bob", "demo-bob").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("sandbox"));
    server.stop().await;
}

/// A server whose state the test can reach, to plant Grants the way a utility's back office
/// would (the demo has no API that creates `needs_authorization` Grants).
async fn start_with_state() -> (
    String,
    std::sync::Arc<cds_wizard::demo::DemoState>,
    tokio::sync::oneshot::Sender<()>,
) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = std::sync::Arc::new(
        cds_wizard::demo::DemoState::new(&base, start_opts(false, Duration::from_secs(600)))
            .unwrap(),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        let _ = cds_wizard::demo::serve(listener, served, async {
            let _ = rx.await;
        })
        .await;
    });
    (base, state, tx)
}

fn needs_authorization(base: &str, client_id: &str, id: &str) -> cds_wizard::cds::Grant {
    let now = jiff::Timestamp::now();
    serde_json::from_value(json!({
        "grant_id": id, "uri": format!("{base}/api/grants/{id}"),
        "replacing": [], "replaced_by": [], "parent": null, "children": [],
        "created": now, "modified": now, "not_before": null, "not_after": null,
        "eta": null, "expires": null, "status": "needs_authorization",
        "client_id": client_id, "scope": "dge_usage_electric",
        "authorization_details": [], "receipt_confirmations": [],
        "enabled_scope": "", "enabled_authorization_details": [],
    }))
    .unwrap()
}

#[tokio::test]
async fn grant_authorization_request_updates_the_named_grant() {
    let (base, state, stop) = start_with_state().await;
    let c = http();
    let r = c
        .post(format!("{base}/oauth/register"))
        .json(&full_request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // This server's sandbox code-flow client and its secret, straight from the store.
    let (client_id, secret, registration) = {
        let store = state.registry.lock();
        let rec = store
            .clients
            .iter()
            .find(|r| r.item.response_types == ["code"])
            .unwrap();
        let secret = store
            .credentials
            .iter()
            .find(|cr| cr.item.client_id == rec.item.client_id)
            .and_then(|cr| cr.item.client_secret.clone())
            .unwrap();
        (rec.item.client_id.clone(), secret, rec.registration.clone())
    };
    let app = App {
        c,
        base: base.clone(),
        client_id: client_id.clone(),
        secret,
        admin_id: String::new(),
        admin_secret: String::new(),
    };
    let grant_id = "g-waiting".to_owned();
    // Registration may already have created Grants (server-provided files): count from here.
    let grants_before = state.registry.lock().grants.len();
    state.registry.lock().add_grant(
        &registration,
        needs_authorization(&base, &client_id, &grant_id),
    );

    // The named Grant is updated on approval, before any token request (WG1-02 §8.3).
    let uri = app
        .par_uri(&[("cds_grant_id", &grant_id), ("scope", "dge_usage_electric")])
        .await;
    let r = app
        .authorize(&[("client_id", &client_id), ("request_uri", &uri)], None)
        .await;
    let login = r.text().await.unwrap();
    let (consent, cookie) = app.sign_in(&login, "alice").await;
    let r = app.decide(&consent, "approve", &cookie).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let code = query_of(&location(&r))["code"].clone();
    {
        let store = state.registry.lock();
        assert_eq!(store.grants.len(), grants_before + 1, "no new Grant");
        let g = &store
            .grants
            .iter()
            .find(|g| g.item.grant_id == grant_id)
            .expect("the named Grant")
            .item;
        assert_eq!(g.status.as_str(), "active");
        assert_eq!(g.enabled_scope, "dge_usage_electric");
        assert_eq!(g.receipt_confirmations.len(), 1);
        assert_eq!(g.enabled_authorization_details, g.authorization_details);
        assert_eq!(g.authorization_details[0]["type"], "dge_usage_electric");
    }
    let (s, v) = app
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
        ])
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let at = v["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.introspect(&at).await["cds_grant_id"], grant_id.as_str());

    // The Grant no longer needs authorization: naming it again is an invalid value.
    let (s, v) = json_of(app.par(&[("cds_grant_id", &grant_id)]).await).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("cds_grant_id_invalid_value"))
    );
    // A Grant tied to another customer: cds_grant_id_invalid_user once alice signs in.
    {
        let mut store = state.registry.lock();
        store.add_grant(
            &registration,
            needs_authorization(&base, &client_id, "g-bobs"),
        );
        store
            .oauth
            .grant_customers
            .insert("g-bobs".to_owned(), "bob".to_owned());
    }
    let uri = app.par_uri(&[("cds_grant_id", "g-bobs")]).await;
    let r = app
        .authorize(&[("client_id", &client_id), ("request_uri", &uri)], None)
        .await;
    let login = r.text().await.unwrap();
    let r = app.post_login(&login, "alice", "demo-alice").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let q = query_of(&location(&r));
    assert_eq!(q["error"], "cds_grant_id_invalid_user");
    assert_eq!(q["iss"], base);
    let _ = stop.send(());
}
