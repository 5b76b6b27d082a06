//! The write side of the demo's management APIs over real HTTP: modifying Client objects
//! (CDS-WG1-02 §5.5), creating and modifying Messages (§6.9, §6.11), creating and modifying
//! Credentials (§7.5, §7.6), and what those changes do at the token endpoint.

use crate::common;

use common::fixtures::{PNG_1X1, b64, get, http, pdf_bytes};

use std::time::Duration;

use cds_wizard::demo::state::RegistryOptions;
use cds_wizard::demo::{DemoOptions, DemoServer};
use reqwest::{Method, StatusCode};
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

/// Admin + grant admin + one sandbox code-flow object (usage, bills) + the outages
/// client_credentials object + the server-provided files object.
fn full_request() -> Value {
    json!({
        "scope": "cds_client_admin dge_usage_electric dge_bill_statements dge_public_outages \
                  cds_server_provided_files_1",
        "client_name": "Watt Watcher",
        "contacts": ["dev@wattwatcher.example"],
        "cds_company_name": "Watt Watcher Inc.",
        "cds_company_website": "https://wattwatcher.example",
        "cds_contact_email": "dev@wattwatcher.example",
        "cds_data_terms_accepted": true,
        "cds_authorization_form_icon": PNG_1X1,
        "cds_insurance_certificate": b64(&pdf_bytes()),
    })
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
    scope: &str,
) -> (StatusCode, Value) {
    let r = c
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .expect("token");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn access_token(
    c: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
    scope: &str,
) -> String {
    let (status, v) = token(c, base, id, secret, scope).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["access_token"].as_str().unwrap().to_owned()
}

/// Sends `body` (JSON) with `method`, Bearer `tok` when given.
async fn send(
    c: &reqwest::Client,
    method: Method,
    url: &str,
    tok: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut rb = c.request(method, url).json(body);
    if let Some(t) = tok {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every item of a §5.3/§7.3 listing, following `next`.
async fn all(c: &reqwest::Client, url: &str, tok: &str, key: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(u) = next {
        let (status, v) = get(c, &u, tok).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        out.extend(v[key].as_array().unwrap().iter().cloned());
        next = v["next"].as_str().map(str::to_owned);
    }
    out
}

/// Every Message of one §6.8 list (`outstanding`, `unread`, `read`).
async fn messages(c: &reqwest::Client, base: &str, tok: &str, list: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!("{base}/api/messages"));
    while let Some(u) = next {
        let (status, v) = get(c, &u, tok).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        out.extend(v[list].as_array().unwrap().iter().cloned());
        next = v[format!("{list}_next")].as_str().map(str::to_owned);
    }
    out
}

async fn all_messages(c: &reqwest::Client, base: &str, tok: &str) -> Vec<Value> {
    let mut out = messages(c, base, tok, "read").await;
    out.extend(messages(c, base, tok, "unread").await);
    out
}

struct Registration {
    admin: Value,
    tok: String,
    clients: Vec<Value>,
}

impl Registration {
    fn by_scope(&self, scope: &str) -> Value {
        self.clients
            .iter()
            .find(|c| c["scope"] == scope)
            .cloned()
            .unwrap_or_else(|| panic!("no client with scope {scope}"))
    }
    fn admin_id(&self) -> &str {
        self.admin["client_id"].as_str().unwrap()
    }
}

async fn registered(c: &reqwest::Client, base: &str, body: &Value) -> Registration {
    let admin = register(c, base, body).await;
    let tok = access_token(
        c,
        base,
        admin["client_id"].as_str().unwrap(),
        admin["client_secret"].as_str().unwrap(),
        "cds_client_admin",
    )
    .await;
    let clients = all(c, &format!("{base}/api/clients"), &tok, "clients").await;
    Registration {
        admin,
        tok,
        clients,
    }
}

async fn secret_of(c: &reqwest::Client, base: &str, tok: &str, client_id: &str) -> String {
    let creds = all(
        c,
        &format!("{base}/api/credentials?client_ids={client_id}"),
        tok,
        "credentials",
    )
    .await;
    creds[0]["client_secret"].as_str().unwrap().to_owned()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn modifying_client_objects() {
    let server = start(Duration::from_secs(600)).await;
    let base = server.base_url.clone();
    let c = http();
    let reg = registered(&c, &base, &full_request()).await;
    let tok = reg.tok.as_str();
    let code = reg.by_scope("dge_usage_electric dge_bill_statements");
    let outages = reg.by_scope("dge_public_outages");
    let code_uri = code["cds_client_uri"].as_str().unwrap().to_owned();
    let put = |url: String, tok: Option<String>, body: Value| {
        let c = c.clone();
        async move { send(&c, Method::PUT, &url, tok.as_deref(), &body).await }
    };
    let auth = Some(tok.to_owned());

    // The object as read is a valid update: same values everywhere, nothing changes (§5.5).
    let (status, v) = put(code_uri.clone(), auth.clone(), code.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v, code);

    // Immutable fields with another value are refused, naming the field.
    for (field, value) in [
        ("client_id", json!("someone-else")),
        ("grant_types", json!(["client_credentials"])),
        ("token_endpoint_auth_method", json!("none")),
        ("cds_created", json!("2001-01-01T00:00:00Z")),
        ("cds_status_options", json!(["production"])),
    ] {
        let mut body = code.clone();
        body[field] = value;
        let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(v["error"], "invalid_request");
        assert!(
            v["error_description"].as_str().unwrap().contains(field),
            "{v}"
        );
    }
    let mut body = code.clone();
    body["client_secret"] = json!("new-secret");
    let (status, _) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Redirect URIs: a loopback http URI for the native-app case (RFC 8252 §7.3) is accepted.
    let receipt = format!("{base}/oauth/receipt");
    let mut body = code.clone();
    body["redirect_uris"] = json!([
        receipt,
        "http://127.0.0.1:8765/cb",
        "https://app.example/cb"
    ]);
    body["cds_default_redirect_uri"] = json!("http://127.0.0.1:8765/cb");
    body["client_name"] = json!("Watt Watcher (sandbox)");
    let (status, v) = put(code_uri.clone(), auth.clone(), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["redirect_uris"][1], "http://127.0.0.1:8765/cb");
    assert_eq!(v["cds_default_redirect_uri"], "http://127.0.0.1:8765/cb");
    assert_eq!(v["client_name"], "Watt Watcher (sandbox)");
    assert_ne!(v["cds_modified"], code["cds_modified"]);
    let (_, fetched) = get(&c, &code_uri, tok).await;
    assert_eq!(fetched, v);
    // cds_modified moved, so the old value is now a change to an immutable field.
    let (status, _) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let code = fetched;

    for bad in [
        "http://example.com/cb",
        "http://localhost:8765/cb",
        "https://app.example/cb#frag",
        "not a url",
    ] {
        let mut body = code.clone();
        body["redirect_uris"] = json!([bad]);
        body["cds_default_redirect_uri"] = json!(bad);
        let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(v["error"], "invalid_redirect_uri");
    }
    let mut body = code.clone();
    body["cds_default_redirect_uri"] = json!("https://elsewhere.example/cb");
    let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_redirect_uri"))
    );
    // No redirect URIs on a client_credentials-only object (§4.1).
    let mut body = outages.clone();
    body["redirect_uris"] = json!(["https://app.example/cb"]);
    let (status, v) = put(
        outages["cds_client_uri"].as_str().unwrap().to_owned(),
        auth.clone(),
        body,
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_redirect_uri"))
    );
    // Leaving redirect_uris out resets it to the server's receipt URI (§5.5 "server default").
    let mut body = code.clone();
    body.as_object_mut().unwrap().remove("redirect_uris");
    body.as_object_mut()
        .unwrap()
        .remove("cds_default_redirect_uri");
    let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["redirect_uris"], json!([receipt]));
    assert_eq!(v["cds_default_redirect_uri"], receipt.as_str());
    let code = v;

    // cds_status must be one of cds_status_options.
    let mut body = code.clone();
    body["cds_status"] = json!("production");
    let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_client_metadata"))
    );

    // Scope reduction applies synchronously, with the derived fields following.
    let mut body = code.clone();
    body["scope"] = json!("dge_usage_electric");
    body.as_object_mut().unwrap().remove("cds_default_scope");
    let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scope"], "dge_usage_electric");
    assert_eq!(
        v["authorization_details_types"],
        json!(["dge_usage_electric"])
    );
    assert_eq!(v["cds_default_scope"], "dge_usage_electric");
    let code = v;

    // Scope addition and a registration field change are reviewed: 202, the object unchanged,
    // and a pending field_changes Message (§5.5, §6.2).
    let mut body = code.clone();
    body["scope"] = json!("dge_usage_electric dge_usage_gas");
    body["cds_company_name"] = json!("Watt Watcher LLC");
    let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v, code);
    let outstanding = messages(&c, &base, tok, "outstanding").await;
    let changes = outstanding
        .iter()
        .find(|m| m["type"] == "field_changes")
        .expect("a field_changes message");
    assert_eq!(changes["status"], "pending");
    assert_eq!(changes["creator"], Value::Null);
    assert_eq!(changes["related_type"], "client");
    assert_eq!(changes["related_uri"], code_uri.as_str());
    let updates = changes["updates_requested"].as_array().unwrap();
    assert_eq!(updates[0]["field"], "scope");
    assert_eq!(updates[0]["previous_value"], "dge_usage_electric");
    assert_eq!(updates[0]["new_value"], "dge_usage_electric dge_usage_gas");
    assert_eq!(updates[1]["field"], "cds_company_name");
    assert_eq!(updates[1]["previous_value"], "Watt Watcher Inc.");
    assert_eq!(updates[1]["new_value"], "Watt Watcher LLC");
    // Scopes of another shape cannot join the object, nor unknown ones.
    for scope in [
        "dge_usage_electric dge_public_outages",
        "dge_usage_electric nope",
        "dge_usage_electric cds_client_admin",
    ] {
        let mut body = code.clone();
        body["scope"] = json!(scope);
        let (status, v) = put(code_uri.clone(), auth.clone(), body).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_client_metadata")),
            "{scope}"
        );
    }
    // An invalid registration field value is refused outright.
    let mut body = code.clone();
    body["cds_contact_email"] = json!("not-an-email");
    let (status, _) = put(code_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The admin object keeps its one scope.
    let admin_obj = reg.by_scope("cds_client_admin");
    let mut body = admin_obj.clone();
    body["scope"] = json!("");
    let (status, _) = put(
        admin_obj["cds_client_uri"].as_str().unwrap().to_owned(),
        auth.clone(),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Each synchronous change left a changelog notification (§5.3).
    let notes: Vec<Value> = all_messages(&c, &base, tok)
        .await
        .into_iter()
        .filter(|m| m["type"] == "notification" && m["related_uri"] == code_uri.as_str())
        .collect();
    assert_eq!(notes.len(), 3, "{notes:#?}");

    // Disabling: the object's secret stops working and its tokens are revoked (§7.1).
    let outages_id = outages["client_id"].as_str().unwrap();
    let outages_uri = outages["cds_client_uri"].as_str().unwrap().to_owned();
    let outages_secret = secret_of(&c, &base, tok, outages_id).await;
    let outages_tok =
        access_token(&c, &base, outages_id, &outages_secret, "dge_public_outages").await;
    // That token lacks cds_client_admin: 403 on every write endpoint.
    let other = Some(outages_tok.clone());
    for (method, url) in [
        (Method::PUT, outages_uri.clone()),
        (Method::POST, format!("{base}/api/messages")),
        (Method::PATCH, format!("{base}/api/messages/x")),
        (Method::POST, format!("{base}/api/credentials")),
        (Method::PATCH, format!("{base}/api/credentials/x")),
    ] {
        let (status, v) = send(&c, method.clone(), &url, other.as_deref(), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {url}");
        assert_eq!(v["error"], "insufficient_scope");
        let (status, _) = send(&c, method.clone(), &url, None, &json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}");
        let (status, v) = send(&c, method.clone(), &url, Some("not-a-token"), &json!({})).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("invalid_token"))
        );
    }
    let mut body = outages.clone();
    body["cds_status"] = json!("disabled");
    let (status, v) = put(outages_uri.clone(), auth.clone(), body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["cds_status"], "disabled");
    let (status, v) = token(&c, &base, outages_id, &outages_secret, "dge_public_outages").await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let creds = all(
        &c,
        &format!("{base}/api/credentials?client_ids={outages_id}"),
        tok,
        "credentials",
    )
    .await;
    let expires = creds[0]["client_secret_expires_at"].as_i64().unwrap();
    assert!(
        (now() - expires).abs() < 30,
        "expired at disabling: {expires}"
    );
    // A disabled object gets no new Credential.
    let (status, _) = send(
        &c,
        Method::POST,
        &format!("{base}/api/credentials"),
        Some(tok),
        &json!({"client_id": outages_id}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // 404 for unknown objects and for another registration's.
    let (status, v) = put(format!("{base}/api/clients/nope"), auth.clone(), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(v["error"].is_string());
    let stranger = registered(&c, &base, &json!({"scope": "cds_client_admin"})).await;
    let (status, _) = put(code_uri.clone(), Some(stranger.tok.clone()), code.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A body that is not a JSON object is a 400.
    let r = c
        .put(&code_uri)
        .bearer_auth(tok)
        .header("content-type", "application/json")
        .body("[1]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    server.stop().await;
}

#[tokio::test]
async fn creating_and_modifying_messages() {
    let server = start(Duration::from_secs(600)).await;
    let base = server.base_url.clone();
    let c = http();
    let reg = registered(&c, &base, &full_request()).await;
    let tok = reg.tok.as_str();
    let code = reg.by_scope("dge_usage_electric dge_bill_statements");
    let code_uri = code["cds_client_uri"].as_str().unwrap();
    let url = format!("{base}/api/messages");
    let post = |body: Value| {
        let (c, url, tok) = (c.clone(), url.clone(), tok.to_owned());
        async move { send(&c, Method::POST, &url, Some(&tok), &body).await }
    };

    // private_message: complete, read, created by the admin client (§6.9).
    let (status, m) = post(
        json!({"type": "private_message", "name": "My Subject", "description": "Hello World!"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "complete");
    assert_eq!(m["read"], true);
    assert_eq!(m["creator"], reg.admin_id());
    assert_eq!(m["previous_uri"], Value::Null);
    assert_eq!(m["created"], m["modified"]);
    let (status, fetched) = get(&c, m["uri"].as_str().unwrap(), tok).await;
    assert_eq!((status, &fetched), (StatusCode::OK, &m));

    // support_request, replying to the first message, with a related API endpoint.
    let (status, support) = post(json!({
        "type": "support_request", "name": "Token trouble", "description": "401s",
        "previous_uri": m["uri"], "related_uri": code_uri,
    }))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{support}");
    assert_eq!(support["status"], "pending");
    assert_eq!(support["related_type"], "client");

    // production_request for the sandbox code-flow object.
    let (status, prod) = post(json!({"type": "production_request", "name": "", "description": "", "related_uri": code_uri})).await;
    assert_eq!(status, StatusCode::CREATED, "{prod}");
    assert_eq!(prod["status"], "pending");
    assert_eq!(prod["related_type"], "client");
    // ...but not for a production object, nor without one.
    let grant_admin = reg.by_scope("cds_grant_admin_1");
    for related in [Some(grant_admin["cds_client_uri"].clone()), None] {
        let mut body = json!({"type": "production_request", "name": "", "description": ""});
        if let Some(r) = related {
            body["related_uri"] = r;
        }
        let (status, _) = post(body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    // grant_request: detail types must be the target Client object's (§6.6).
    let grant = |t: &str| {
        json!({
            "type": "grant_request", "name": "Self grant", "description": "for testing",
            "related_uri": code_uri,
            "grants_requested": [{"scope": "dge_usage_electric", "authorization_details": [{"type": t}]}],
        })
    };
    let (status, g) = post(grant("dge_usage_electric")).await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    assert_eq!(g["status"], "pending");
    assert_eq!(g["grants_requested"][0]["scope"], "dge_usage_electric");
    let (status, _) = post(grant("dge_rate_plan")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(json!({"type": "grant_request", "name": "", "description": ""})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // client_submission must answer a server_request (§6.9).
    let (status, v) = post(json!({"type": "client_submission", "name": "", "description": "", "updates_requested": [{"field": "x", "description": "y"}]})).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, _) = post(json!({"type": "client_submission", "previous_uri": m["uri"], "name": "", "description": "", "updates_requested": [{"field": "x", "description": "y"}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Server-only types, unknown types, missing fields, a foreign previous_uri.
    for body in [
        json!({"type": "notification", "name": "n", "description": "d"}),
        json!({"type": "field_changes", "name": "n", "description": "d"}),
        json!({"type": "bogus", "name": "n", "description": "d"}),
        json!({"type": "private_message", "name": "n"}),
        json!({"type": "private_message", "name": "", "description": "body"}),
        json!({"type": "private_message", "name": "n", "description": "d", "previous_uri": format!("{base}/api/messages/nope")}),
        json!({"type": "private_message", "name": "n", "description": "d", "attachments": [{"filename": "a.pdf", "mime_type": "application/pdf", "data": "%%%"}]}),
    ] {
        let (status, v) = post(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["error"], "invalid_request");
    }
    // Attachments: a small one is kept; more than 10 MB decoded is 413 (§6.9).
    let (status, v) = post(json!({"type": "private_message", "name": "Signed form", "description": "attached",
        "attachments": [{"filename": "form.pdf", "mime_type": "application/pdf", "data": b64(&pdf_bytes())}]})).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["attachments"][0]["filename"], "form.pdf");
    let big = b64(&vec![0u8; 10 * 1024 * 1024 + 1]);
    let (status, v) = post(json!({"type": "private_message", "name": "Big", "description": "too big",
        "attachments": [{"filename": "big.bin", "mime_type": "application/octet-stream", "data": big}]})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["error"], "invalid_request");

    // PATCH read: a server-created (unread) Message moves to the read list (§6.11).
    let unread = messages(&c, &base, tok, "unread").await;
    let target = unread
        .iter()
        .find(|m| m["creator"].is_null())
        .expect("a server message")
        .clone();
    let target_uri = target["uri"].as_str().unwrap();
    let patch = |body: Value, tok: String| {
        let (c, target_uri) = (c.clone(), target_uri.to_owned());
        async move { send(&c, Method::PATCH, &target_uri, Some(&tok), &body).await }
    };
    let (status, v) = patch(
        json!({"read": true, "name": "ignored", "status": "complete"}),
        tok.to_owned(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["read"], true);
    assert_eq!(v["name"], target["name"]);
    assert_eq!(v["status"], target["status"]);
    assert_ne!(v["modified"], target["modified"]);
    let in_list = |list: Vec<Value>| list.iter().any(|m| m["uri"] == target["uri"]);
    assert!(in_list(messages(&c, &base, tok, "read").await));
    assert!(!in_list(messages(&c, &base, tok, "unread").await));
    let (status, same) = patch(json!({}), tok.to_owned()).await;
    assert_eq!((status, &same), (StatusCode::OK, &v));
    let (status, v) = patch(json!({"read": "yes"}), tok.to_owned()).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, v) = patch(json!({"read": false}), tok.to_owned()).await;
    assert_eq!((status, &v["read"]), (StatusCode::OK, &json!(false)));
    assert!(in_list(messages(&c, &base, tok, "unread").await));
    // 404: unknown, and another registration's.
    let (status, _) = send(
        &c,
        Method::PATCH,
        &format!("{base}/api/messages/nope"),
        Some(tok),
        &json!({"read": true}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let stranger = registered(&c, &base, &json!({"scope": "cds_client_admin"})).await;
    let (status, _) = patch(json!({"read": true}), stranger.tok.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &c,
        Method::POST,
        &url,
        Some(&stranger.tok),
        &json!({
        "type": "private_message", "name": "n", "description": "d", "previous_uri": m["uri"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn creating_and_expiring_credentials() {
    let server = start(Duration::from_secs(600)).await;
    let base = server.base_url.clone();
    let c = http();
    let reg = registered(&c, &base, &full_request()).await;
    let old_tok = reg.tok.clone();
    let admin_id = reg.admin_id().to_owned();
    let admin_secret = reg.admin["client_secret"].as_str().unwrap().to_owned();
    let url = format!("{base}/api/credentials");

    // A new Credential: 201 with its secret, which works at the token endpoint.
    let (status, cred) = send(
        &c,
        Method::POST,
        &url,
        Some(&old_tok),
        &json!({"client_id": admin_id}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{cred}");
    assert_eq!(cred["client_id"], admin_id.as_str());
    assert_eq!(cred["type"], "client_secret");
    assert_eq!(cred["client_secret_expires_at"], 0);
    let new_secret = cred["client_secret"].as_str().unwrap().to_owned();
    assert!(new_secret.len() >= 43);
    assert_ne!(new_secret, admin_secret);
    let new_tok = access_token(&c, &base, &admin_id, &new_secret, "cds_client_admin").await;
    let (status, listed) = get(&c, cred["uri"].as_str().unwrap(), &new_tok).await;
    assert_eq!((status, &listed), (StatusCode::OK, &cred));

    // Refused creations: no client_id, another registration's or unknown client, a client
    // without a secret-based auth method.
    let files = reg.by_scope("cds_server_provided_files_1");
    let stranger = registered(&c, &base, &json!({"scope": "cds_client_admin"})).await;
    for body in [
        json!({}),
        json!({"client_id": 7}),
        json!({"client_id": "nope"}),
        json!({"client_id": stranger.admin_id()}),
        json!({"client_id": files["client_id"]}),
    ] {
        let (status, v) = send(&c, Method::POST, &url, Some(&new_tok), &body).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
    }

    // Expire the registration's original secret now (§7.6).
    let creds = all(
        &c,
        &format!("{url}?client_ids={admin_id}"),
        &new_tok,
        "credentials",
    )
    .await;
    let original = creds
        .iter()
        .find(|v| v["client_secret"] == admin_secret.as_str())
        .unwrap()
        .clone();
    let original_uri = original["uri"].as_str().unwrap().to_owned();
    let at = now();
    let (status, v) = send(
        &c,
        Method::PATCH,
        &original_uri,
        Some(&new_tok),
        &json!({"client_secret_expires_at": at}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["client_secret"], admin_secret.as_str());
    let expires = v["client_secret_expires_at"].as_i64().unwrap();
    assert!(expires >= at && expires - at < 30);
    assert_ne!(v["modified"], original["modified"]);
    // The old secret is refused; the token issued with it is revoked; the other one still works.
    let (status, v) = token(&c, &base, &admin_id, &admin_secret, "cds_client_admin").await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, v) = get(&c, &format!("{base}/api/clients"), &old_tok).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );
    let (status, _) = get(&c, &format!("{base}/api/clients"), &new_tok).await;
    assert_eq!(status, StatusCode::OK);
    // An expired Credential cannot be revived.
    let (status, _) = send(
        &c,
        Method::PATCH,
        &original_uri,
        Some(&new_tok),
        &json!({"client_secret_expires_at": 0}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Expiry moves earlier only.
    let cred_uri = cred["uri"].as_str().unwrap().to_owned();
    let later = now() + 3600;
    let (status, v) = send(
        &c,
        Method::PATCH,
        &cred_uri,
        Some(&new_tok),
        &json!({"client_secret_expires_at": later}),
    )
    .await;
    assert_eq!(
        (status, v["client_secret_expires_at"].as_i64()),
        (StatusCode::OK, Some(later))
    );
    for body in [
        json!({"client_secret_expires_at": later + 3600}),
        json!({"client_secret_expires_at": 0}),
        json!({"client_secret_expires_at": "soon"}),
        json!({"client_secret_expires_at": -5}),
    ] {
        let (status, v) = send(&c, Method::PATCH, &cred_uri, Some(&new_tok), &body).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
    }
    // Other fields are ignored; an empty PATCH changes nothing.
    let (status, v) = send(
        &c,
        Method::PATCH,
        &cred_uri,
        Some(&new_tok),
        &json!({"client_id": "x"}),
    )
    .await;
    assert_eq!(
        (status, v["client_id"].as_str()),
        (StatusCode::OK, Some(admin_id.as_str()))
    );
    assert_eq!(v["client_secret_expires_at"], later);
    // Still usable until then.
    access_token(&c, &base, &admin_id, &new_secret, "cds_client_admin").await;

    // 404: unknown, and another registration's.
    let (status, _) = send(
        &c,
        Method::PATCH,
        &format!("{url}/nope"),
        Some(&new_tok),
        &json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &c,
        Method::PATCH,
        &cred_uri,
        Some(&stranger.tok),
        &json!({"client_secret_expires_at": later}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The changelog names each Credential change (§7.3).
    let notes = all_messages(&c, &base, &new_tok).await;
    let credential_notes = notes
        .iter()
        .filter(|m| m["related_type"] == "credential")
        .count();
    assert_eq!(credential_notes, 3);
    server.stop().await;
}

/// With a short review delay the server answers: a production_request creates the production
/// Client object (§6.9), and reviewed Client changes are applied (§5.5, §6.3).
#[tokio::test]
async fn reviews_answer_requests() {
    let server = start(Duration::from_millis(300)).await;
    let base = server.base_url.clone();
    let c = http();
    let reg = registered(
        &c,
        &base,
        &json!({
            "scope": "cds_client_admin dge_rate_plan",
            "client_name": "Rate Reader",
            "cds_company_name": "Rate Reader Inc.",
            "cds_contact_email": "dev@ratereader.example",
        }),
    )
    .await;
    let tok = reg.tok.as_str();
    let sandbox = reg.by_scope("dge_rate_plan");
    assert_eq!(sandbox["cds_status"], "sandbox");
    let sandbox_uri = sandbox["cds_client_uri"].as_str().unwrap().to_owned();

    let (status, request) = send(&c, Method::POST, &format!("{base}/api/messages"), Some(tok),
        &json!({"type": "production_request", "name": "", "description": "", "related_uri": sandbox_uri})).await;
    assert_eq!(status, StatusCode::CREATED, "{request}");

    // Adding dge_usage_gas needs its required registration fields (§3.5).
    let mut body = sandbox.clone();
    body["scope"] = json!("dge_rate_plan dge_usage_gas");
    let (status, v) = send(&c, Method::PUT, &sandbox_uri, Some(tok), &body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .contains("cds_company_website")
    );
    body["cds_company_website"] = json!("https://ratereader.example");
    body["cds_data_terms_accepted"] = json!(true);
    let (status, v) = send(&c, Method::PUT, &sandbox_uri, Some(tok), &body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["scope"], "dge_rate_plan");

    let mut answered = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let all = all_messages(&c, &base, tok).await;
        let update = all
            .iter()
            .find(|m| m["type"] == "request_update" && m["previous_uri"] == request["uri"])
            .cloned();
        let reviewed = all
            .iter()
            .any(|m| m["type"] == "field_changes" && m["status"] == "complete");
        if let (Some(u), true) = (update, reviewed) {
            answered = Some(u);
            break;
        }
    }
    let update = answered.expect("the server answered both requests");
    assert_eq!(update["status"], "complete");
    assert_eq!(update["related_type"], "client");
    let (status, production) = get(&c, update["related_uri"].as_str().unwrap(), tok).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(production["cds_status"], "production");
    // Both reviews run after the same delay; the copy has the scopes of the moment it was made.
    assert!(
        production["scope"]
            .as_str()
            .unwrap()
            .starts_with("dge_rate_plan")
    );
    let (_, request) = get(&c, request["uri"].as_str().unwrap(), tok).await;
    assert_eq!(request["status"], "complete");
    let (_, sandbox) = get(&c, &sandbox_uri, tok).await;
    assert_eq!(sandbox["scope"], "dge_rate_plan dge_usage_gas");
    assert_eq!(
        sandbox["authorization_details_types"],
        json!(["dge_rate_plan", "dge_usage_gas"])
    );
    assert_eq!(sandbox["cds_company_website"], "https://ratereader.example");

    // Asking again for the same sandbox object points at the production object it has.
    let (status, again) = send(&c, Method::POST, &format!("{base}/api/messages"), Some(tok),
        &json!({"type": "production_request", "name": "", "description": "", "related_uri": sandbox_uri})).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut linked = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, m) = get(&c, again["uri"].as_str().unwrap(), tok).await;
        if m["status"] == "complete" {
            linked = Some(m);
            break;
        }
    }
    // The sandbox now has dge_usage_gas too, so the equivalent production object differs: a
    // new one is created for it.
    let linked = linked.expect("answered");
    assert_ne!(linked["related_uri"], sandbox_uri.as_str());
    server.stop().await;
}
