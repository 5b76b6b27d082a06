//! The demo utility's registration slice over real HTTP: RFC 7591 registration as CDS-WG1-02 §4
//! shapes it, the client_credentials token endpoint, and the Clients, Credentials and Messages
//! APIs behind `cds_client_admin` bearer tokens.

use crate::common;

use common::fixtures::{PNG_1X1, b64, get, http, pdf_bytes};

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cds_wizard::cds::{ClientObject, Credential, Message};
use cds_wizard::demo::state::{Clock, RegistryOptions};
use cds_wizard::demo::{DemoOptions, DemoServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start(review_delay: Duration) -> DemoServer {
    DemoServer::start(
        0,
        DemoOptions {
            registry: RegistryOptions {
                review_delay,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .expect("demo server")
}

const FULL_SCOPE: &str = "cds_client_admin dge_usage_electric dge_bill_statements \
                          dge_public_outages cds_server_provided_files_1";

/// Every required field of FULL_SCOPE's scopes, valid.
fn full_request() -> Value {
    json!({
        "scope": FULL_SCOPE,
        "client_name": "Watt Watcher",
        "contacts": ["dev@wattwatcher.example"],
        "redirect_uris": ["https://ignored.example/cb"],
        "cds_company_name": "Watt Watcher Inc.",
        "cds_company_website": "https://wattwatcher.example",
        "cds_contact_email": "dev@wattwatcher.example",
        "cds_data_terms_accepted": true,
        "cds_authorization_form_icon": PNG_1X1,
        "cds_insurance_certificate": b64(&pdf_bytes()),
        "cds_is_nonprofit": null,
        "cds_purposes": [{"id": "", "scopes_supported": [], "name": "Savings", "description": "Find savings"}],
    })
}

async fn register(c: &reqwest::Client, base: &str, body: &Value) -> reqwest::Response {
    c.post(format!("{base}/oauth/register"))
        .json(body)
        .send()
        .await
        .expect("register")
}

async fn token(
    c: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    c.post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .expect("token")
}

async fn admin_token(c: &reqwest::Client, base: &str, admin: &Value) -> String {
    let r = token(
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
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// Follows `next` links from `url`, collecting `key` entries; checks `previous` on later pages.
async fn collect_pages(c: &reqwest::Client, url: &str, token: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    let mut pages = 0;
    while let Some(u) = next {
        let (status, v) = get(c, &u, token).await;
        assert_eq!(status, StatusCode::OK, "{u}: {v}");
        if pages > 0 {
            assert!(
                v["previous"].is_string(),
                "page {pages} has a previous link"
            );
        } else {
            assert!(v["previous"].is_null());
        }
        let items = v[key].as_array().unwrap();
        assert!(items.len() <= 2, "page size");
        out.extend(items.iter().cloned());
        next = v["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages < 20, "pagination loops");
    }
    out
}

/// All messages of one of the three §6.8 lists, following `{list}_next`.
async fn collect_messages(c: &reqwest::Client, base: &str, token: &str, list: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!("{base}/api/messages"));
    let mut first = true;
    while let Some(u) = next {
        let (status, v) = get(c, &u, token).await;
        assert_eq!(status, StatusCode::OK);
        if !first {
            // §6.8: a continuation fills only its own list.
            for other in ["outstanding", "unread", "read"] {
                if other != list {
                    assert_eq!(v[other], json!([]), "{other} on a {list} continuation");
                }
            }
        }
        out.extend(v[list].as_array().unwrap().iter().cloned());
        next = v[format!("{list}_next")].as_str().map(str::to_owned);
        first = false;
    }
    out
}

#[tokio::test]
async fn registration_creates_clients_credentials_and_messages() {
    let server = start(Duration::from_secs(600)).await;
    let base = server.base_url.clone();
    let c = http();

    let r = register(&c, &base, &full_request()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let admin: Value = r.json().await.unwrap();
    assert!(admin["client_secret"].as_str().unwrap().len() >= 43);
    assert_eq!(admin["scope"], "cds_client_admin");
    assert_eq!(admin["redirect_uris"], json!([]));
    assert_eq!(admin["response_types"], json!([]));
    assert_eq!(admin["grant_types"], json!(["client_credentials"]));
    assert_eq!(admin["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(admin["client_name"], "Watt Watcher");
    assert_eq!(admin["cds_status_options"], json!(["production"]));
    let admin_obj: ClientObject = serde_json::from_value(admin.clone()).unwrap();
    assert!(admin_obj.client_secret.is_some());
    let admin_id = admin_obj.client_id.clone();

    // Token: Basic auth works; a wrong secret, no auth, a foreign grant type and a foreign scope
    // do not.
    let tok = admin_token(&c, &base, &admin).await;
    let r = token(
        &c,
        &base,
        &admin_id,
        "wrong",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    let r = c
        .post(format!("{base}/oauth/token"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
    let secret = admin["client_secret"].as_str().unwrap();
    let r = token(&c, &base, &admin_id, secret, &[("grant_type", "password")]).await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let r = token(
        &c,
        &base,
        &admin_id,
        secret,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "dge_usage_electric"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_scope");
    let r = token(&c, &base, &admin_id, secret, &[]).await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");

    // Clients API: admin + grant admin + code-flow group + client_credentials group +
    // server-provided files.
    let clients = collect_pages(&c, &format!("{base}/api/clients"), &tok, "clients").await;
    assert_eq!(clients.len(), 5, "{clients:#?}");
    let typed: Vec<ClientObject> = clients
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    assert!(
        typed
            .windows(2)
            .all(|w| w[0].cds_modified >= w[1].cds_modified)
    );
    assert!(clients.iter().all(|v| v.get("client_secret").is_none()));
    let by_scope = |s: &str| typed.iter().find(|c| c.scope == s).cloned().unwrap();
    let code = by_scope("dge_usage_electric dge_bill_statements");
    assert_eq!(code.cds_status.as_str(), "sandbox");
    assert_eq!(
        code.cds_status_options
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
        ["sandbox", "disabled"]
    );
    assert_eq!(code.redirect_uris, [format!("{base}/oauth/receipt")]);
    assert_eq!(
        code.cds_default_redirect_uri.as_deref(),
        Some(code.redirect_uris[0].as_str())
    );
    assert_eq!(code.cds_default_scope.as_deref(), Some(code.scope.as_str()));
    assert_eq!(code.cds_default_authorization_details, Some(vec![]));
    assert_eq!(
        code.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic")
    );
    assert_eq!(code.extra["cds_company_name"], "Watt Watcher Inc.");
    assert_eq!(
        code.cds_client_uri.as_str(),
        format!("{base}/api/clients/{}", code.client_id)
    );
    let grant_admin = by_scope("cds_grant_admin_1");
    assert_eq!(grant_admin.grant_types, ["client_credentials"]);
    let outages = by_scope("dge_public_outages");
    assert!(outages.response_types.is_empty());
    let files = by_scope("cds_server_provided_files_1");
    assert_eq!(files.token_endpoint_auth_method, None);
    assert!(typed.iter().filter(|c| c.client_id != admin_id).all(|c| {
        c.cds_status_options
            .iter()
            .any(|s| s.as_str() == "disabled")
    }));

    // Filter and individual retrieval.
    let ids = format!("{admin_id} {}", outages.client_id);
    let r = c
        .get(format!("{base}/api/clients"))
        .query(&[("client_ids", ids.as_str())])
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["clients"].as_array().unwrap().len(), 2);
    assert!(v["next"].is_null());
    let (status, one) = get(&c, code.cds_client_uri.as_str(), &tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["client_id"], code.client_id.as_str());
    let (status, v) = get(&c, &format!("{base}/api/clients/nope"), &tok).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());

    // Bearer auth: none, unknown, and a token without cds_client_admin.
    let r = c.get(format!("{base}/api/clients")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (status, v) = get(&c, &format!("{base}/api/messages"), "not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "invalid_token");

    // Credentials: one per client with an auth method, each with its secret.
    let creds = collect_pages(&c, &format!("{base}/api/credentials"), &tok, "credentials").await;
    assert_eq!(creds.len(), 4);
    for v in &creds {
        assert!(v["client_secret"].as_str().unwrap().len() >= 43);
        assert_eq!(v["client_secret_expires_at"], 0);
        let cred: Credential = serde_json::from_value(v.clone()).unwrap();
        assert!(cred.client_secret.is_some());
        assert_ne!(cred.client_id, files.client_id);
    }
    let admin_cred = creds
        .iter()
        .find(|v| v["client_id"] == admin_id.as_str())
        .unwrap();
    assert_eq!(admin_cred["client_secret"], admin["client_secret"]);
    let (status, one) = get(&c, admin_cred["uri"].as_str().unwrap(), &tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["client_secret"], admin["client_secret"]);
    let r = c
        .get(format!("{base}/api/credentials"))
        .query(&[("client_ids", outages.client_id.as_str())])
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let outages_secret = v["credentials"][0]["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = c
        .get(format!("{base}/api/credentials"))
        .query(&[("after", "2999-01-01T00:00:00Z")])
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["credentials"], json!([]));
    let (status, _) = get(
        &c,
        &format!("{base}/api/credentials?before=yesterday"),
        &tok,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A client_credentials token for another scope is refused with 403 insufficient_scope.
    let r = token(
        &c,
        &base,
        &outages.client_id,
        &outages_secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let outages_token: Value = r.json().await.unwrap();
    assert_eq!(outages_token["scope"], "dge_public_outages");
    assert_eq!(outages_token["expires_in"], 3600);
    let r = c
        .get(format!("{base}/api/clients"))
        .bearer_auth(outages_token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
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

    // The sandbox code-flow client may not use client_credentials.
    let code_secret = creds
        .iter()
        .find(|v| v["client_id"] == code.client_id.as_str())
        .unwrap()["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = token(
        &c,
        &base,
        &code.client_id,
        &code_secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unauthorized_client"
    );

    // Grant Admin: authorization_details are required and must name an existing Grant.
    let ga_secret = creds
        .iter()
        .find(|v| v["client_id"] == grant_admin.client_id.as_str())
        .unwrap()["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = token(
        &c,
        &base,
        &grant_admin.client_id,
        &ga_secret,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    let details =
        json!([{"type": "cds_grant_admin_1", "client_id": code.client_id, "grant_id": "g1"}])
            .to_string();
    let r = token(
        &c,
        &base,
        &grant_admin.client_id,
        &ga_secret,
        &[
            ("grant_type", "client_credentials"),
            ("authorization_details", &details),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "invalid_authorization_details"
    );

    // Messages: the post-registration requirements, all outstanding and unread.
    let outstanding = collect_messages(&c, &base, &tok, "outstanding").await;
    let unread = collect_messages(&c, &base, &tok, "unread").await;
    let read = collect_messages(&c, &base, &tok, "read").await;
    assert_eq!(outstanding.len(), 6, "{outstanding:#?}");
    assert_eq!(unread.len(), 6);
    assert!(read.is_empty());
    let typed: Vec<Message> = outstanding
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let of_type =
        |t: &str| -> Vec<&Value> { outstanding.iter().filter(|m| m["type"] == t).collect() };
    let meta: Value = c
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fee = &meta["cds_registration_fields"]["bill_access_setup_fee"];
    let payment = of_type("payment_request");
    assert_eq!(payment.len(), 1);
    assert_eq!(payment[0]["amount"].to_string(), fee["amount"].to_string());
    assert_eq!(payment[0]["amount"].to_string(), "250.00");
    assert_eq!(payment[0]["currency"], fee["currency"]);
    assert_eq!(payment[0]["related_type"], "payment_form");
    assert_eq!(payment[0]["status"], "open");
    assert_eq!(payment[0]["read"], false);
    assert!(payment[0]["creator"].is_null());
    let online = of_type("online_form_request");
    assert_eq!(
        online.len(),
        3,
        "email, SSO and the cybersecurity attestation"
    );
    assert!(online.iter().all(|m| m["related_type"] == "online_form"));
    let pdf = of_type("pdf_form_request");
    assert_eq!(pdf.len(), 1);
    assert_eq!(pdf[0]["related_type"], "pdf_form");
    let review = of_type("production_request");
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["status"], "pending");
    assert_eq!(review[0]["related_uri"], code.cds_client_uri.as_str());
    assert!(typed.windows(2).all(|w| w[0].modified >= w[1].modified));

    // The linked pages exist: payment form, online form, PDF form.
    let r = c
        .get(payment[0]["related_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("250.00"));
    let r = c
        .get(online[0]["related_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(pdf[0]["related_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Individual message; filter.
    let (status, one) = get(&c, payment[0]["uri"].as_str().unwrap(), &tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, *payment[0]);
    let r = c
        .get(format!("{base}/api/messages"))
        .query(&[("message_ids", payment[0]["message_id"].as_str().unwrap())])
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["outstanding"].as_array().unwrap().len(), 1);
    assert!(v["outstanding_next"].is_null());

    // Another registration sees none of this one's objects.
    let r = register(
        &c,
        &base,
        &json!({"scope": "cds_client_admin cds_server_provided_files_1"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let other: Value = r.json().await.unwrap();
    let other_tok = admin_token(&c, &base, &other).await;
    let (status, _) = get(&c, code.cds_client_uri.as_str(), &other_tok).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let other_clients =
        collect_pages(&c, &format!("{base}/api/clients"), &other_tok, "clients").await;
    // Admin, the implied grant admin, and the files client.
    assert_eq!(other_clients.len(), 3);

    server.stop().await;
}

#[tokio::test]
async fn registration_rejections() {
    let server = start(Duration::from_secs(600)).await;
    let base = server.base_url.clone();
    let c = http();

    async fn refused(c: &reqwest::Client, base: &str, body: Value, error: &str, names: &str) {
        let r = register(c, base, &body).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], error, "{v}");
        let d = v["error_description"].as_str().unwrap();
        assert!(d.contains(names), "`{d}` should name `{names}`");
    }

    // Not a JSON object / not JSON / not declared as JSON.
    let r = c
        .post(format!("{base}/oauth/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    refused(
        &c,
        &base,
        json!(["cds_client_admin"]),
        "invalid_request",
        "object",
    )
    .await;
    let r = c
        .post(format!("{base}/oauth/register"))
        .header("content-type", "text/plain")
        .body(r#"{"scope":"cds_client_admin"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");

    // Scopes.
    refused(
        &c,
        &base,
        json!({"client_name": "x"}),
        "invalid_client_metadata",
        "scope",
    )
    .await;
    refused(
        &c,
        &base,
        json!({"scope": 5}),
        "invalid_client_metadata",
        "scope",
    )
    .await;
    refused(
        &c,
        &base,
        json!({"scope": "dge_rate_plan"}),
        "invalid_client_metadata",
        "cds_client_admin",
    )
    .await;
    refused(
        &c,
        &base,
        json!({"scope": "cds_client_admin bogus_one dge_rate_plan bogus_two"}),
        "invalid_client_metadata",
        "bogus_one, bogus_two",
    )
    .await;

    // Missing required registration field.
    let mut body = full_request();
    body.as_object_mut().unwrap().remove("cds_company_website");
    refused(
        &c,
        &base,
        body,
        "invalid_client_metadata",
        "cds_company_website",
    )
    .await;
    let mut body = full_request();
    body.as_object_mut()
        .unwrap()
        .remove("cds_insurance_certificate");
    refused(
        &c,
        &base,
        body,
        "invalid_client_metadata",
        "cds_insurance_certificate",
    )
    .await;

    // Wrong formats, lengths and sizes, one field at a time.
    let gif = b64(b"GIF89a\x01\x00\x01\x00");
    let big_png = {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.resize(262_145, 0);
        b64(&b)
    };
    let cases: Vec<(&str, Value)> = vec![
        ("cds_company_name", json!(42)),
        ("cds_company_name", json!("x".repeat(257))),
        ("cds_company_name", Value::Null),
        ("cds_company_website", json!("not a url")),
        ("cds_company_website", json!("ftp://wattwatcher.example")),
        ("cds_contact_email", json!("nobody")),
        ("cds_data_terms_accepted", json!("yes")),
        ("cds_authorization_form_icon", json!(gif)),
        ("cds_authorization_form_icon", json!("%%% not base64")),
        ("cds_authorization_form_icon", json!(big_png)),
        ("cds_insurance_certificate", json!(PNG_1X1)),
        ("cds_is_nonprofit", json!("no")),
        ("cds_purposes", json!("save money")),
        ("cds_company_dba", json!(["a"])),
        ("cds_privacy_policy_url", json!("relative/path")),
    ];
    for (field, value) in cases {
        let mut body = full_request();
        body[field] = value;
        refused(&c, &base, body, "invalid_client_metadata", field).await;
    }
    // `_or_null` fields take null; `redirect_uris` is ignored.
    let mut body = full_request();
    body["cds_company_dba"] = Value::Null;
    body["cds_company_logo"] = Value::Null;
    body["cds_purposes"] = Value::Null;
    body["redirect_uris"] = json!("not even a list");
    let r = register(&c, &base, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    server.stop().await;
}

#[tokio::test]
async fn internal_review_grants_production_access() {
    let server = start(Duration::from_millis(150)).await;
    let base = server.base_url.clone();
    let c = http();
    let body = json!({
        "scope": "cds_client_admin dge_usage_electric",
        "cds_company_name": "Watt Watcher Inc.",
        "cds_company_website": "https://wattwatcher.example",
        "cds_contact_email": "dev@wattwatcher.example",
        "cds_data_terms_accepted": true,
        "cds_authorization_form_icon": PNG_1X1,
    });
    let r = register(&c, &base, &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin: Value = r.json().await.unwrap();
    let tok = admin_token(&c, &base, &admin).await;

    let mut clients = Vec::new();
    for _ in 0..60 {
        clients = collect_pages(&c, &format!("{base}/api/clients"), &tok, "clients").await;
        if clients.len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(clients.len(), 4, "admin, grant admin, sandbox, production");
    let production = &clients[0];
    assert_eq!(production["cds_status"], "production");
    assert_eq!(production["scope"], "dge_usage_electric");
    assert_eq!(
        production["cds_status_options"],
        json!(["production", "disabled"])
    );
    let sandbox = clients
        .iter()
        .find(|c| c["cds_status"] == "sandbox")
        .unwrap();
    assert_eq!(sandbox["scope"], production["scope"]);

    let creds = collect_pages(&c, &format!("{base}/api/credentials"), &tok, "credentials").await;
    assert_eq!(creds[0]["client_id"], production["client_id"]);
    assert_eq!(creds.len(), 4);

    let unread = collect_messages(&c, &base, &tok, "unread").await;
    let note = unread
        .iter()
        .find(|m| m["type"] == "notification")
        .expect("approval notification");
    assert_eq!(note["related_uri"], production["cds_client_uri"]);
    assert_eq!(note["related_type"], "client");
    let review = unread
        .iter()
        .find(|m| m["type"] == "production_request")
        .unwrap();
    assert_eq!(review["status"], "complete");
    assert_eq!(review["related_uri"], production["cds_client_uri"]);
    let update = unread
        .iter()
        .find(|m| m["type"] == "request_update")
        .unwrap();
    assert_eq!(update["previous_uri"], review["uri"]);
    assert_eq!(update["status"], "complete");
    server.stop().await;
}

#[tokio::test]
async fn tokens_expire_on_the_servers_clock() {
    let now = Arc::new(Mutex::new(jiff::Timestamp::now()));
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
    .unwrap();
    let base = server.base_url.clone();
    let c = http();
    let r = register(&c, &base, &json!({"scope": "cds_client_admin"})).await;
    let admin: Value = r.json().await.unwrap();
    assert_eq!(admin["cds_created"], now.lock().unwrap().to_string());
    let tok = admin_token(&c, &base, &admin).await;
    let (status, _) = get(&c, &format!("{base}/api/clients"), &tok).await;
    assert_eq!(status, StatusCode::OK);
    {
        let mut t = now.lock().unwrap();
        *t = t
            .checked_add(jiff::SignedDuration::from_secs(3601))
            .unwrap();
    }
    let (status, v) = get(&c, &format!("{base}/api/clients"), &tok).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"], "invalid_token");
    server.stop().await;
}

#[tokio::test]
async fn receipt_page_escapes_what_it_shows() {
    let server = start(Duration::from_secs(600)).await;
    let c = http();
    let r = c
        .get(format!("{}/oauth/receipt", server.base_url))
        .query(&[("code", "abc<script>"), ("state", "s&1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("abc&lt;script&gt;") && html.contains("s&amp;1"));
    assert!(!html.contains("<script>"));
    let r = c
        .get(format!("{}/oauth/receipt", server.base_url))
        .query(&[
            ("error", "access_denied"),
            ("error_description", "<b>no</b>"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("access_denied") && html.contains("&lt;b&gt;no&lt;/b&gt;"));
    server.stop().await;
}
