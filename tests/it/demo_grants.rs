//! The demo utility's Grants API (CDS-WG1-02 §8), Grant Admin tokens (§3.3.2) and
//! Server-Provided Files API (§3.3.3, §9) over real HTTP.

use crate::common;

use common::fixtures::{get, http};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cds_wizard::cds::Grant;
use cds_wizard::demo::state::{Clock, RegistryOptions};
use cds_wizard::demo::{DemoOptions, DemoServer};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const WELCOME_PDF: &[u8] = include_bytes!("../../assets/demo/files/welcome-pack.pdf");
const SETTINGS_JSON: &[u8] =
    include_bytes!("../../assets/demo/files/sandbox-security-settings.json");

const GRANT_KEYS: [&str; 19] = [
    "grant_id",
    "uri",
    "replacing",
    "replaced_by",
    "parent",
    "children",
    "created",
    "modified",
    "not_before",
    "not_after",
    "eta",
    "expires",
    "status",
    "client_id",
    "scope",
    "authorization_details",
    "receipt_confirmations",
    "enabled_scope",
    "enabled_authorization_details",
];

const FILE_KEYS: [&str; 9] = [
    "file_id",
    "uri",
    "created",
    "modified",
    "mime_type",
    "size",
    "name",
    "description",
    "download_uri",
];

/// A demo server on a clock the test moves by hand.
struct Demo {
    server: DemoServer,
    base: String,
    now: Arc<Mutex<Timestamp>>,
    t0: Timestamp,
}

impl Demo {
    async fn start() -> Demo {
        // Whole seconds, so timestamps print the same way they parse.
        let t0 = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
        let now = Arc::new(Mutex::new(t0));
        let clock_now = now.clone();
        let server = DemoServer::start(
            0,
            DemoOptions {
                registry: RegistryOptions {
                    review_delay: Duration::from_secs(600),
                    clock: Clock::from_fn(move || *clock_now.lock().unwrap()),
                },
                ..Default::default()
            },
        )
        .await
        .expect("demo server");
        let base = server.base_url.clone();
        Demo {
            server,
            base,
            now,
            t0,
        }
    }

    fn at(&self, secs: i64) -> Timestamp {
        self.t0
            .checked_add(SignedDuration::from_secs(secs))
            .unwrap()
    }

    fn set_time(&self, secs: i64) {
        *self.now.lock().unwrap() = self.at(secs);
    }

    /// Stands in for the customer consent flow, which stores Grants with `Store::add_grant`.
    fn add_grant(&self, of_client: &str, grant: Grant) {
        let state = self.server.state();
        let mut store = state.registry.lock();
        let registration = store.client(of_client).unwrap().registration.clone();
        store.add_grant(&registration, grant);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

struct GrantSpec<'a> {
    id: &'a str,
    client_id: &'a str,
    created: Timestamp,
    status: &'a str,
    scope: &'a str,
    enabled_scope: &'a str,
    details: Value,
    parent: Option<&'a str>,
    receipts: Value,
}

fn grant(base: &str, g: GrantSpec<'_>) -> Grant {
    serde_json::from_value(json!({
        "grant_id": g.id, "uri": format!("{base}/api/grants/{}", g.id), "replacing": [],
        "replaced_by": [], "parent": g.parent, "children": [],
        "created": g.created, "modified": g.created, "not_before": null, "not_after": null,
        "eta": null, "expires": null, "status": g.status, "client_id": g.client_id,
        "scope": g.scope, "authorization_details": g.details,
        "receipt_confirmations": g.receipts, "enabled_scope": g.enabled_scope,
        "enabled_authorization_details": if g.enabled_scope.is_empty() { json!([]) } else { g.details.clone() },
    }))
    .unwrap()
}

async fn register(c: &reqwest::Client, base: &str, body: &Value) -> Value {
    let r = c
        .post(format!("{base}/oauth/register"))
        .json(body)
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn token(
    c: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let r = c
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .expect("token");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn admin_token(c: &reqwest::Client, base: &str, admin: &Value) -> String {
    let (status, v) = token(
        c,
        base,
        admin["client_id"].as_str().unwrap(),
        admin["client_secret"].as_str().unwrap(),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "cds_client_admin"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["access_token"].as_str().unwrap().to_owned()
}

async fn patch(c: &reqwest::Client, url: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let r = c
        .patch(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("patch");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Follows `next` links from `url`, collecting `key` entries; checks `previous` on later pages.
async fn collect_pages(c: &reqwest::Client, url: &str, token: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    while let Some(u) = next {
        let (status, v) = get(c, &u, token).await;
        assert_eq!(status, StatusCode::OK, "{u}: {v}");
        assert_eq!(v["previous"].is_string(), pages > 0, "{u}: previous link");
        let items = v[key].as_array().unwrap();
        assert!(items.len() <= 2, "page size");
        out.extend(items.iter().cloned());
        next = v["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages < 20);
    }
    out
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

/// Everything a registration made, as the Clients and Credentials APIs show it.
struct Registered {
    admin_token: String,
    /// Client objects by their scope string.
    clients: Vec<Value>,
    credentials: Vec<Value>,
}

impl Registered {
    fn client_id(&self, scope: &str) -> String {
        self.clients
            .iter()
            .find(|c| c["scope"] == scope)
            .unwrap_or_else(|| panic!("no client for {scope}"))["client_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn secret(&self, client_id: &str) -> String {
        self.credentials
            .iter()
            .find(|c| c["client_id"] == client_id)
            .unwrap()["client_secret"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

async fn registered(c: &reqwest::Client, base: &str, body: &Value) -> Registered {
    let admin = register(c, base, body).await;
    let tok = admin_token(c, base, &admin).await;
    Registered {
        clients: collect_pages(c, &format!("{base}/api/clients"), &tok, "clients").await,
        credentials: collect_pages(c, &format!("{base}/api/credentials"), &tok, "credentials")
            .await,
        admin_token: tok,
    }
}

const SPF_ONLY: &str = "cds_client_admin cds_grant_admin_1 cds_server_provided_files_1";

fn with_code_scopes() -> Value {
    json!({
        "scope": "cds_client_admin cds_grant_admin_1 cds_server_provided_files_1 dge_usage_gas dge_rate_plan",
        "client_name": "Grant Tester",
        "cds_company_name": "Grant Tester Inc.",
        "cds_company_website": "https://granttester.example",
        "cds_contact_email": "dev@granttester.example",
        "cds_data_terms_accepted": true,
    })
}

#[tokio::test]
async fn grants_api_lists_filters_and_modifies_grants() {
    let d = Demo::start().await;
    let c = http();
    let reg = registered(&c, &d.base, &with_code_scopes()).await;
    let tok = reg.admin_token.clone();
    let spf_client = reg.client_id("cds_server_provided_files_1");
    let code_client = reg.client_id("dge_usage_gas dge_rate_plan");

    // §3.3.3: the server created one Grant for the Server-Provided Files client, exactly §8.1.
    let grants = collect_pages(&c, &d.url("/api/grants"), &tok, "grants").await;
    assert_eq!(grants.len(), 1, "{grants:#?}");
    let spf = grants[0].clone();
    let keys: Vec<&str> = spf
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, GRANT_KEYS);
    let spf_id = spf["grant_id"].as_str().unwrap().to_owned();
    assert_eq!(spf["uri"], d.url(&format!("/api/grants/{spf_id}")));
    assert_eq!(spf["status"], "active");
    assert_eq!(spf["client_id"], spf_client.as_str());
    assert_eq!(spf["scope"], "cds_server_provided_files_1");
    assert_eq!(spf["enabled_scope"], spf["scope"]);
    assert_eq!(spf["created"], d.t0.to_string());
    assert_eq!(spf["modified"], spf["created"]);
    for k in [
        "replacing",
        "replaced_by",
        "children",
        "receipt_confirmations",
    ] {
        assert_eq!(spf[k], json!([]), "{k}");
    }
    for k in ["parent", "not_before", "not_after", "eta", "expires"] {
        assert!(spf[k].is_null(), "{k}");
    }
    let details = spf["authorization_details"].as_array().unwrap();
    assert_eq!(details.len(), 2);
    for e in details {
        assert_eq!(e.as_object().unwrap().len(), 2);
        assert_eq!(e["type"], "cds_server_provided_files_1");
        assert!(e["file_id"].as_str().is_some_and(|f| !f.is_empty()));
    }
    assert_eq!(
        spf["enabled_authorization_details"],
        spf["authorization_details"]
    );
    let typed: Grant = serde_json::from_value(spf.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), spf);

    // Customer-consent Grants, as the consent flow stores them.
    let base = d.base.clone();
    let g = |id, created, status, scope, enabled, details, parent, receipts| {
        grant(
            &base,
            GrantSpec {
                id,
                client_id: &code_client,
                created: d.at(created),
                status,
                scope,
                enabled_scope: enabled,
                details,
                parent,
                receipts,
            },
        )
    };
    d.add_grant(
        &code_client,
        g(
            "ga",
            10,
            "active",
            "dge_usage_gas",
            "dge_usage_gas",
            json!([]),
            None,
            json!(["R-1"]),
        ),
    );
    d.add_grant(
        &code_client,
        g(
            "gb",
            20,
            "needs_authorization",
            "dge_rate_plan",
            "",
            json!([{"type": "dge_usage_gas"}]),
            None,
            json!([]),
        ),
    );
    d.add_grant(
        &code_client,
        g(
            "gc",
            30,
            "active",
            "dge_usage_gas dge_rate_plan",
            "dge_usage_gas dge_rate_plan",
            json!([]),
            Some("ga"),
            json!(["R-2"]),
        ),
    );

    // Another registration's Grants stay invisible.
    let other = registered(&c, &d.base, &json!({"scope": SPF_ONLY})).await;
    let other_grants = collect_pages(&c, &d.url("/api/grants"), &other.admin_token, "grants").await;
    assert_eq!(other_grants.len(), 1);
    let other_id = other_grants[0]["grant_id"].as_str().unwrap().to_owned();
    assert_ne!(other_id, spf_id);

    // §8.4: newest `modified` first, two per page here.
    let all = collect_pages(&c, &d.url("/api/grants"), &tok, "grants").await;
    assert_eq!(ids(&all, "grant_id"), ["gc", "gb", "ga", spf_id.as_str()]);

    // Filters, each and together; the `next` link keeps them.
    let filtered = |q: Vec<(&'static str, String)>| {
        let c = c.clone();
        let tok = tok.clone();
        let url = reqwest::Url::parse_with_params(&d.url("/api/grants"), &q).unwrap();
        async move {
            ids(
                &collect_pages(&c, url.as_str(), &tok, "grants").await,
                "grant_id",
            )
        }
    };
    let s = |v: &str| v.to_owned();
    assert_eq!(
        filtered(vec![("statuses", s("needs_authorization"))]).await,
        ["gb"]
    );
    assert_eq!(
        filtered(vec![("statuses", s("active closed"))]).await,
        ["gc", "ga", spf_id.as_str()]
    );
    let (_, first) = get(&c, &d.url("/api/grants?statuses=active"), &tok).await;
    assert!(first["next"].as_str().unwrap().contains("statuses=active"));
    assert_eq!(
        filtered(vec![("scopes", s("cds_server_provided_files_1"))]).await,
        [spf_id.as_str()]
    );
    // A scope counts in `scope` or as an authorization_details `type`.
    assert_eq!(
        filtered(vec![("scopes", s("dge_usage_gas"))]).await,
        ["gc", "gb", "ga"]
    );
    assert_eq!(
        filtered(vec![("client_ids", spf_client.clone())]).await,
        [spf_id.as_str()]
    );
    assert_eq!(
        filtered(vec![("grant_ids", format!("ga {spf_id} {other_id}"))]).await,
        ["ga", spf_id.as_str()]
    );
    assert_eq!(filtered(vec![("parents", s("ga"))]).await, ["gc"]);
    assert_eq!(
        filtered(vec![("receipt_confirmations", s("R-1 R-9"))]).await,
        ["ga"]
    );
    // `after` and `before` are inclusive, on `created`.
    assert_eq!(
        filtered(vec![("after", d.at(20).to_string())]).await,
        ["gc", "gb"]
    );
    assert_eq!(
        filtered(vec![("before", d.at(10).to_string())]).await,
        ["ga", spf_id.as_str()]
    );
    assert_eq!(
        filtered(vec![
            ("after", d.at(10).to_string()),
            ("before", d.at(20).to_string())
        ])
        .await,
        ["gb", "ga"]
    );
    assert_eq!(
        filtered(vec![
            ("statuses", s("active")),
            ("client_ids", code_client.clone())
        ])
        .await,
        ["gc", "ga"]
    );
    for bad in [
        "statuses=bogus",
        "statuses=active%20open",
        "after=yesterday",
        "before=2024-13-01T00:00:00Z",
        "page=0",
    ] {
        let (status, v) = get(&c, &d.url(&format!("/api/grants?{bad}")), &tok).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(v["error"], "invalid_request", "{bad}");
    }

    // §8.5: one Grant; unknown and foreign ones are 404 JSON.
    let (status, v) = get(&c, &d.url(&format!("/api/grants/{spf_id}")), &tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, spf);
    for missing in ["nope", other_id.as_str()] {
        let (status, v) = get(&c, &d.url(&format!("/api/grants/{missing}")), &tok).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(v["error"], "not_found");
    }
    let r = c.get(d.url("/api/grants")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );

    // §8.6 PATCH.
    d.set_time(100);
    let grant_url = |id: &str| d.url(&format!("/api/grants/{id}"));
    for body in [
        json!({"status": "active"}),
        json!({"status": "revoked"}),
        json!({"status": null}),
        json!({"scope": 5}),
        json!(["status", "closed"]),
    ] {
        let (status, v) = patch(&c, &grant_url("ga"), &tok, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["error"], "invalid_request", "{body}");
    }
    let (status, _) = patch(
        &c,
        &grant_url(&other_id),
        &tok,
        &json!({"status": "closed"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, unchanged) = get(&c, &grant_url("ga"), &tok).await;
    assert_eq!(unchanged["status"], "active");
    assert_eq!(unchanged["modified"], d.at(10).to_string());

    // A reduction applies at once.
    let (status, v) = patch(
        &c,
        &grant_url("gc"),
        &tok,
        &json!({"scope": "dge_rate_plan"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scope"], "dge_rate_plan");
    assert_eq!(v["enabled_scope"], "dge_rate_plan");
    assert_eq!(v["status"], "active");
    assert_eq!(v["modified"], d.at(100).to_string());
    assert_eq!(v["created"], d.at(30).to_string());

    // Adding to a server-created Grant: no customer can authorize it, refused.
    let (status, v) = patch(
        &c,
        &grant_url(&spf_id),
        &tok,
        &json!({"scope": "cds_server_provided_files_1 dge_usage_gas"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_scope");
    // Adding a customer scope of the Grant's client: the customer must authorize it again.
    d.set_time(110);
    let (status, v) = patch(
        &c,
        &grant_url("ga"),
        &tok,
        &json!({"scope": "dge_usage_gas dge_rate_plan"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "needs_authorization");
    assert_eq!(v["scope"], "dge_usage_gas dge_rate_plan");
    assert_eq!(v["enabled_scope"], "dge_usage_gas");

    // Authorization details: a reduction applies, an addition is refused.
    d.set_time(120);
    let keep = json!([details[1].clone()]);
    let (status, v) = patch(
        &c,
        &grant_url(&spf_id),
        &tok,
        &json!({"authorization_details": keep}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["authorization_details"], keep);
    assert_eq!(v["enabled_authorization_details"], keep);
    let added = json!([{"type": "cds_server_provided_files_1", "file_id": "ffff"}]);
    let (status, v) = patch(
        &c,
        &grant_url(&spf_id),
        &tok,
        &json!({"authorization_details": added}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"], "invalid_authorization_details");

    // Closing, with fields the client may not change (ignored).
    d.set_time(130);
    let (status, v) = patch(
        &c,
        &grant_url("gc"),
        &tok,
        &json!({"status": "closed", "grant_id": "hijack", "client_id": "x", "extra": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "closed");
    assert_eq!(v["grant_id"], "gc");
    assert_eq!(v["client_id"], code_client.as_str());
    assert_eq!(v["enabled_scope"], "");
    assert_eq!(v["enabled_authorization_details"], json!([]));
    assert!(v.get("extra").is_none());
    let (status, v) = patch(&c, &grant_url("gc"), &tok, &json!({"status": "active"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");

    // The listing follows the new `modified` order.
    let all = collect_pages(&c, &d.url("/api/grants"), &tok, "grants").await;
    assert_eq!(ids(&all, "grant_id"), ["gc", spf_id.as_str(), "ga", "gb"]);
    assert_eq!(filtered(vec![("statuses", s("closed"))]).await, ["gc"]);

    d.server.stop().await;
}

/// The Grant Admin token request of §3.3.2 / §12.19.
async fn grant_admin_token(
    c: &reqwest::Client,
    base: &str,
    reg: &Registered,
    details: &Value,
) -> (StatusCode, Value) {
    let ga = reg.client_id("cds_grant_admin_1");
    let secret = reg.secret(&ga);
    let details = details.to_string();
    token(
        c,
        base,
        &ga,
        &secret,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "cds_grant_admin_1"),
            ("authorization_details", &details),
        ],
    )
    .await
}

#[tokio::test]
async fn grant_admin_tokens_reach_server_provided_files() {
    let d = Demo::start().await;
    let c = http();
    let reg = registered(&c, &d.base, &json!({"scope": SPF_ONLY})).await;
    let other = registered(&c, &d.base, &json!({"scope": SPF_ONLY})).await;
    let spf_client = reg.client_id("cds_server_provided_files_1");
    let ga_client = reg.client_id("cds_grant_admin_1");
    let grants = collect_pages(&c, &d.url("/api/grants"), &reg.admin_token, "grants").await;
    let spf_id = grants[0]["grant_id"].as_str().unwrap().to_owned();
    let other_grants = collect_pages(&c, &d.url("/api/grants"), &other.admin_token, "grants").await;
    let other_grant = &other_grants[0];

    // Grants the Grant Admin scope cannot open.
    let base = d.base.clone();
    let custom = |id: &str, scope: &str| {
        grant(
            &base,
            GrantSpec {
                id,
                client_id: &spf_client,
                created: d.at(0),
                status: "active",
                scope,
                enabled_scope: scope,
                details: json!([]),
                parent: None,
                receipts: json!([]),
            },
        )
    };
    // `cds_client_admin` has no grant_admin_scope.
    d.add_grant(&spf_client, custom("g-admin", "cds_client_admin"));
    // A customer scope administered by cds_grant_admin_1, but not a files scope.
    d.add_grant(&spf_client, custom("g-usage", "dge_usage_gas"));

    let entry = |grant_id: &str, client_id: &str| json!({"type": "cds_grant_admin_1", "client_id": client_id, "grant_id": grant_id});
    let good = json!([entry(&spf_id, &spf_client)]);
    let refusals = [
        (
            json!([{"type": "cds_server_provided_files_1", "client_id": spf_client, "grant_id": spf_id}]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([entry(&spf_id, &spf_client), entry(&spf_id, &spf_client)]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([entry(&spf_id, &ga_client)]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([entry("no-such-grant", &spf_client)]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([entry(
                other_grant["grant_id"].as_str().unwrap(),
                other_grant["client_id"].as_str().unwrap()
            )]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([{"type": "cds_grant_admin_1", "grant_id": spf_id}]),
            StatusCode::BAD_REQUEST,
            "invalid_authorization_details",
        ),
        (
            json!([entry("g-admin", &spf_client)]),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
    ];
    for (details, status, error) in &refusals {
        let (s, v) = grant_admin_token(&c, &d.base, &reg, details).await;
        assert_eq!(
            (s, v["error"].as_str()),
            (*status, Some(*error)),
            "{details}: {v}"
        );
        assert!(v["error_description"].is_string());
    }
    // Wrong secret: the client is not authenticated at all.
    let details = good.to_string();
    let (s, v) = token(
        &c,
        &d.base,
        &ga_client,
        "wrong",
        &[
            ("grant_type", "client_credentials"),
            ("authorization_details", &details),
        ],
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );

    // §12.19: the good request.
    let (s, v) = grant_admin_token(&c, &d.base, &reg, &good).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["scope"], "cds_grant_admin_1");
    assert_eq!(v["authorization_details"], good);
    assert_eq!(v["expires_in"], 3600);
    assert!(
        v["token_type"]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("bearer")
    );
    let files_token = v["access_token"].as_str().unwrap().to_owned();

    // §9.2: the two shared files, newest `modified` first.
    let files = collect_pages(
        &c,
        &d.url("/api/server-provided-files"),
        &files_token,
        "files",
    )
    .await;
    assert_eq!(files.len(), 2, "{files:#?}");
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["sandbox-security-settings.json", "welcome-pack.pdf"]
    );
    let shared: Vec<Value> = grants[0]["authorization_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file_id"].clone())
        .collect();
    for (f, (bytes, mime)) in files.iter().zip([
        (SETTINGS_JSON, "application/json"),
        (WELCOME_PDF, "application/pdf"),
    ]) {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, FILE_KEYS);
        let id = f["file_id"].as_str().unwrap();
        assert!(shared.contains(&f["file_id"]));
        assert_eq!(f["uri"], d.url(&format!("/api/server-provided-files/{id}")));
        assert_eq!(
            f["download_uri"],
            d.url(&format!("/api/server-provided-files/{id}/download"))
        );
        assert_eq!(f["mime_type"], mime);
        assert_eq!(f["size"], bytes.len());
        assert!(!f["description"].as_str().unwrap().is_empty());
        // §9.3
        let (status, one) = get(&c, f["uri"].as_str().unwrap(), &files_token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&one, f);
        // §9.4
        let r = c
            .get(f["download_uri"].as_str().unwrap())
            .bearer_auth(&files_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], mime);
        assert_eq!(
            r.headers()["content-length"],
            bytes.len().to_string().as_str()
        );
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(f["name"].as_str().unwrap())
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes);
    }
    assert!(WELCOME_PDF.starts_with(b"%PDF-"));
    let pdf_id = files[1]["file_id"].as_str().unwrap().to_owned();
    let json_id = files[0]["file_id"].as_str().unwrap().to_owned();
    let url = d.url(&format!("/api/server-provided-files?file_ids={pdf_id}"));
    assert_eq!(
        ids(
            &collect_pages(&c, &url, &files_token, "files").await,
            "file_id"
        ),
        [pdf_id.as_str()]
    );

    // 404: unknown files and another registration's files.
    let foreign = other_grant["authorization_details"][0]["file_id"]
        .as_str()
        .unwrap();
    for id in ["nope", foreign] {
        for suffix in ["", "/download"] {
            let (status, v) = get(
                &c,
                &d.url(&format!("/api/server-provided-files/{id}{suffix}")),
                &files_token,
            )
            .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{id}{suffix}");
            assert_eq!(v["error"], "not_found");
        }
    }

    // 401: no token, an unknown token.
    for auth in [None, Some("Bearer not-a-token")] {
        let mut req = c.get(d.url("/api/server-provided-files"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
    // 403: a cds_client_admin token, a Grant Admin token for a Grant without a files scope.
    let (s, v) =
        grant_admin_token(&c, &d.base, &reg, &json!([entry("g-usage", &spf_client)])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let usage_token = v["access_token"].as_str().unwrap().to_owned();
    for t in [reg.admin_token.as_str(), usage_token.as_str()] {
        for path in [
            "/api/server-provided-files".to_owned(),
            format!("/api/server-provided-files/{pdf_id}/download"),
        ] {
            let r = c.get(d.url(&path)).bearer_auth(t).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
            assert!(
                r.headers()["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .contains("insufficient_scope")
            );
            assert_eq!(
                r.json::<Value>().await.unwrap()["error"],
                "insufficient_scope"
            );
        }
    }
    // The files token is not a Client Admin token either.
    let (status, _) = get(&c, &d.url("/api/grants"), &files_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Reducing the Grant's authorization_details unshares a file at once.
    let keep = json!([{"type": "cds_server_provided_files_1", "file_id": pdf_id}]);
    let (status, _) = patch(
        &c,
        &d.url(&format!("/api/grants/{spf_id}")),
        &reg.admin_token,
        &json!({"authorization_details": keep}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let files = collect_pages(
        &c,
        &d.url("/api/server-provided-files"),
        &files_token,
        "files",
    )
    .await;
    assert_eq!(ids(&files, "file_id"), [pdf_id.as_str()]);
    let (status, _) = get(
        &c,
        &d.url(&format!("/api/server-provided-files/{json_id}")),
        &files_token,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Closing the Grant revokes its token; a new one is refused (empty enabled_scope).
    let (status, v) = patch(
        &c,
        &d.url(&format!("/api/grants/{spf_id}")),
        &reg.admin_token,
        &json!({"status": "closed"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["enabled_scope"], "");
    let (status, v) = get(&c, &d.url("/api/server-provided-files"), &files_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "invalid_token");
    let (s, v) = grant_admin_token(&c, &d.base, &reg, &good).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_authorization_details")
        )
    );
    // Tokens of other Grants live on.
    let (status, _) = get(&c, &d.url("/api/server-provided-files"), &usage_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    d.server.stop().await;
}
