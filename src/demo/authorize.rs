//! The customer side of the demo utility: pushed authorization requests (RFC 9126), the
//! authorization endpoint (RFC 6749 §4.1, PKCE RFC 7636, RAR RFC 9396, `iss` RFC 9207), the
//! test-account login and the consent page (CDS-WG3-01 §9), Grant creation and Grant
//! Authorization Requests (CDS-WG1-02 §8.1, §8.3), and the public test accounts page
//! (`cds_test_accounts`, WG1-02 §3.2).

// Helpers hand back a finished error Response for the handler to return as is; one such
// value per request is cheap, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use url::Url;

use crate::cds::{AuthorizationServerMetadata, ClientObject, ClientStatus, Grant, GrantStatus};

use super::DemoState;
use super::pages::{escape, page};
use super::rar::{self, RarContext};
use super::state::{ApiError, constant_time_eq, json_with_status, random_hex, random_secret};
use super::token::{authenticate_client, form_params};

/// RFC 9126 §2.2: the `request_uri` prefix.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Lifetime of a pushed request (RFC 9126 §2.2 `expires_in`).
pub const PAR_LIFETIME_SECS: i64 = 60;
/// Lifetime of an authorization code (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_LIFETIME_SECS: i64 = 60;
/// How long a login/consent page stays usable.
pub const PENDING_LIFETIME_SECS: i64 = 15 * 60;
/// Customer session length: WG3-01 §9.1.2 asks for at least 10 minutes beyond activity.
pub const SESSION_LIFETIME_SECS: i64 = 30 * 60;
/// The HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "dge_session";

// ---------------------------------------------------------------------------------------------
// Test accounts
// ---------------------------------------------------------------------------------------------

/// One service contract of a test customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestService {
    pub contract_number: &'static str,
    pub service_type: &'static str,
    /// The coverage entry (WG1-01 §4.3) the service lies in.
    pub coverage: &'static str,
    pub address: &'static str,
}

/// A fictional customer whose credentials are public by design: the demo has no real customers,
/// and developers need them to try the authorization flow (`cds_test_accounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestAccount {
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub services: &'static [TestService],
}

/// The demo's test customers.
pub const TEST_ACCOUNTS: &[TestAccount] = &[
    TestAccount {
        username: "alice",
        password: "demo-alice",
        name: "Alice Ames",
        description: "Residential electric customer with rooftop solar",
        services: &[
            TestService {
                contract_number: "SA-1001-E",
                service_type: "electric (residential)",
                coverage: "dge_elec_west",
                address: "12 Orchard Lane, Westfield",
            },
            TestService {
                contract_number: "SA-1002-E",
                service_type: "electric (residential)",
                coverage: "dge_elec_west",
                address: "12 Orchard Lane, Westfield (garage sub-meter)",
            },
        ],
    },
    TestAccount {
        username: "bob",
        password: "demo-bob",
        name: "Bob Baptiste",
        description: "Residential natural gas customer",
        services: &[TestService {
            contract_number: "SA-2001-G",
            service_type: "natural gas (residential)",
            coverage: "dge_gas",
            address: "48 Quarry Road, Eastvale",
        }],
    },
    TestAccount {
        username: "carol",
        password: "demo-carol",
        name: "Carol Chen (Chen Bakery LLC)",
        description: "Commercial customer with electric and gas service",
        services: &[
            TestService {
                contract_number: "SA-3001-E",
                service_type: "electric (commercial)",
                coverage: "dge_ci_customers",
                address: "300 Market Street, Eastvale",
            },
            TestService {
                contract_number: "SA-3002-G",
                service_type: "natural gas (commercial)",
                coverage: "dge_gas",
                address: "300 Market Street, Eastvale",
            },
        ],
    },
];

/// The test customers, for `demo-server` to print.
pub fn test_accounts() -> &'static [TestAccount] {
    TEST_ACCOUNTS
}

fn find_account(username: &str, password: &str) -> Option<&'static TestAccount> {
    TEST_ACCOUNTS.iter().find(|a| {
        constant_time_eq(a.username.as_bytes(), username.as_bytes())
            && constant_time_eq(a.password.as_bytes(), password.as_bytes())
    })
}

fn account(username: &str) -> Option<&'static TestAccount> {
    TEST_ACCOUNTS.iter().find(|a| a.username == username)
}

/// `GET /docs/test-accounts`: the page `cds_test_accounts` names.
pub async fn test_accounts_page() -> Response {
    let mut rows = String::new();
    for a in TEST_ACCOUNTS {
        let services: Vec<String> = a
            .services
            .iter()
            .map(|s| {
                format!(
                    "{} — {} at {} (<code>{}</code>)",
                    escape(s.contract_number),
                    escape(s.service_type),
                    escape(s.address),
                    escape(s.coverage)
                )
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}<br><small>{}</small></td>\
             <td>{}</td></tr>",
            escape(a.username),
            escape(a.password),
            escape(a.name),
            escape(a.description),
            services.join("<br>")
        ));
    }
    page(
        "Test accounts",
        &format!(
            "<p>Demo Gas &amp; Electric has no real customers. Sign in on the authorization page \
             with one of these fictional customers to try the authorization code flow. Test \
             accounts can authorize <strong>sandbox</strong> Client objects only.</p>\
             <table><thead><tr><th>Username</th><th>Password</th><th>Customer</th>\
             <th>Service contracts</th></tr></thead><tbody>{rows}</tbody></table>"
        ),
    )
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// State kept between the steps of the flow (in `Store::oauth`)
// ---------------------------------------------------------------------------------------------

/// A validated authorization request (RFC 6749 §4.1.1 with the CDS defaults applied).
#[derive(Debug, Clone)]
pub struct AuthzRequest {
    pub client_id: String,
    pub registration: String,
    pub redirect_uri: String,
    /// Whether `redirect_uri` was sent (then the token request must repeat it, §4.1.3).
    pub redirect_uri_given: bool,
    pub scopes: Vec<String>,
    /// Checked against the catalog, defaults filled in, relative dates still relative.
    pub authorization_details: Vec<Value>,
    pub state: Option<String>,
    pub code_challenge: String,
    pub prompt_login: bool,
    pub cds_grant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pushed {
    pub request: AuthzRequest,
    pub expires_at: Timestamp,
}

/// A request waiting for the customer's login or decision.
#[derive(Clone)]
pub struct Pending {
    pub request: AuthzRequest,
    pub csrf: String,
    /// The session that logged in for this request (the consent POST must carry it).
    pub session: Option<String>,
    pub customer: Option<String>,
    pub expires_at: Timestamp,
}

#[derive(Clone)]
pub struct Session {
    pub username: String,
    pub expires_at: Timestamp,
}

/// An issued authorization code (RFC 6749 §4.1.2), bound to everything the token request must
/// prove.
#[derive(Clone)]
pub struct IssuedCode {
    pub request: AuthzRequest,
    pub grant_id: String,
    /// As granted: defaults in, dates absolute.
    pub authorization_details: Vec<Value>,
    pub expires_at: Timestamp,
    pub used: bool,
    /// Every token issued from this code, directly or by refresh, shares this id, so reuse of
    /// the code revokes them all (RFC 6749 §4.1.2).
    pub family: String,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshToken {
    pub client_id: String,
    pub registration: String,
    pub grant_id: String,
    pub family: String,
    pub scopes: Vec<String>,
    pub authorization_details: Vec<Value>,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// Already exchanged: presenting it again is reuse.
    pub rotated: bool,
}

/// What the customer flow knows about an access token beyond [`super::state::AccessToken`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TokenInfo {
    pub grant_id: String,
    pub family: String,
    pub issued_at: Timestamp,
}

/// The customer flow's part of the store. Keys are secrets: Debug prints counts only.
#[derive(Default)]
pub struct OAuthStore {
    pub pushed: HashMap<String, Pushed>,
    pub pending: HashMap<String, Pending>,
    pub sessions: HashMap<String, Session>,
    pub codes: HashMap<String, IssuedCode>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    /// Keyed by access token.
    pub token_info: HashMap<String, TokenInfo>,
    /// Which test customer authorized each Grant (for `cds_grant_id_invalid_user`, §8.3).
    pub grant_customers: HashMap<String, String>,
}

impl std::fmt::Debug for OAuthStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthStore")
            .field("pushed", &self.pushed.len())
            .field("pending", &self.pending.len())
            .field("sessions", &self.sessions.len())
            .field("codes", &self.codes.len())
            .field("refresh_tokens", &self.refresh_tokens.len())
            .finish()
    }
}

impl OAuthStore {
    /// Drops what has expired (called on each flow step so the maps stay small).
    fn prune(&mut self, now: Timestamp) {
        self.pushed.retain(|_, p| p.expires_at > now);
        self.pending.retain(|_, p| p.expires_at > now);
        self.sessions.retain(|_, p| p.expires_at > now);
        self.codes.retain(|_, c| c.expires_at > now || c.used);
    }
}

fn after(now: Timestamp, secs: i64) -> Timestamp {
    now.checked_add(jiff::SignedDuration::from_secs(secs))
        .unwrap_or(now)
}

// ---------------------------------------------------------------------------------------------
// Request validation (shared by PAR and the authorization endpoint)
// ---------------------------------------------------------------------------------------------

/// Why a request is refused.
#[derive(Debug)]
enum Reject {
    /// No redirect URI can be trusted: tell the customer on a page, never redirect
    /// (RFC 6749 §4.1.2.1; CDS-WG3-01 §9.3.2 Invalid Request Error).
    Page {
        error: &'static str,
        description: String,
    },
    /// RFC 6749 §4.1.2.1 error response to the (validated) redirect URI.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

fn page_reject(error: &'static str, description: impl Into<String>) -> Reject {
    Reject::Page {
        error,
        description: description.into(),
    }
}

/// Authorization request parameters; values sent empty count as absent, and every parameter
/// sent more than once is remembered (RFC 6749 §3.1: none may repeat).
#[derive(Debug, Default)]
struct Params {
    values: HashMap<String, String>,
    repeated: Vec<String>,
}

impl Params {
    fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> Self {
        let mut p = Params::default();
        for (k, v) in pairs {
            if v.is_empty() {
                // WG1-02 §8.3: an empty cds_grant_id is ignored; RFC 6749 §3.1 likewise.
                continue;
            }
            if p.values.insert(k.to_string(), v.into_owned()).is_some()
                && !p.repeated.contains(&k.to_string())
            {
                p.repeated.push(k.to_string());
            }
        }
        p
    }

    fn from_map(values: HashMap<String, String>) -> Self {
        Params {
            values,
            repeated: Vec::new(),
        }
    }

    fn get(&self, k: &str) -> Option<&str> {
        self.values.get(k).map(String::as_str)
    }
}

/// Checks one authorization request for `client` (already identified). `direct` is true when
/// the parameters came on the authorization URL rather than through PAR.
fn validate_request(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    client: &ClientObject,
    registration: &str,
    params: &Params,
    direct: bool,
) -> Result<AuthzRequest, Reject> {
    for k in ["client_id", "redirect_uri"] {
        if params.repeated.iter().any(|r| r == k) {
            return Err(page_reject(
                "invalid_request",
                format!("parameter `{k}` is repeated"),
            ));
        }
    }
    if client.cds_status == ClientStatus::Disabled {
        return Err(page_reject(
            "unauthorized_client",
            "this application's Client object is disabled",
        ));
    }
    // The redirect URI first: until it is known to be registered, errors stay on our page.
    let (redirect_uri, redirect_uri_given) = match params.get("redirect_uri") {
        Some(uri) => {
            // RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string comparison, except the port of
            // a loopback IP redirect (RFC 8252 §7.3: native apps get a random port each run).
            if !client
                .redirect_uris
                .iter()
                .any(|r| redirect_matches(r, uri))
            {
                return Err(page_reject(
                    "invalid_request",
                    "the redirect_uri is not registered for this application, so the \
                     authorization cannot continue",
                ));
            }
            (uri.to_owned(), true)
        }
        None => match (
            &client.cds_default_redirect_uri,
            client.redirect_uris.as_slice(),
        ) {
            // WG3-01 §9.1.1: absent means the Client object's cds_default_redirect_uri.
            (Some(d), _) => (d.clone(), false),
            (None, [only]) => (only.clone(), false),
            _ => {
                return Err(page_reject(
                    "invalid_request",
                    "the request names no redirect_uri and the application has no default",
                ));
            }
        },
    };
    if Url::parse(&redirect_uri).is_err() {
        return Err(page_reject(
            "invalid_request",
            "the application's redirect URI is not an absolute URL",
        ));
    }
    let state = params.get("state").map(str::to_owned);
    let redirect = |error: &'static str, description: String| Reject::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    if let Some(k) = params.repeated.first() {
        return Err(redirect(
            "invalid_request",
            format!("parameter `{k}` is repeated (RFC 6749 §3.1; WG1-02 §8.3 for cds_grant_id)"),
        ));
    }
    if direct && s.options.require_par {
        return Err(redirect(
            "invalid_request",
            "this server requires pushed authorization requests: POST the parameters to the \
             pushed_authorization_request_endpoint and send only client_id and request_uri \
             (RFC 9126 §4)"
                .to_owned(),
        ));
    }
    // CDS-WG3-01 §9.1.1: an invalid response_type is an Invalid Request Error page.
    match params.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return Err(page_reject(
                "unsupported_response_type",
                format!("response_type `{other}` is not supported; this server offers `code`"),
            ));
        }
        None => {
            return Err(page_reject(
                "invalid_request",
                "the request has no response_type (it must be `code`)",
            ));
        }
    }
    if !client.response_types.iter().any(|r| r == "code") {
        return Err(redirect(
            "unauthorized_client",
            "this Client object may not use the authorization code flow".to_owned(),
        ));
    }
    // Scope: absent means cds_default_scope (WG3-01 §9.1.1); each must be registered for this
    // Client object and be a scope customers authorize.
    let scope_text = params
        .get("scope")
        .map(str::to_owned)
        .or_else(|| client.cds_default_scope.clone())
        .unwrap_or_default();
    let mut scopes: Vec<String> = Vec::new();
    for sc in scope_text.split_ascii_whitespace() {
        if !client.scopes().any(|c| c == sc) {
            return Err(redirect(
                "invalid_scope",
                format!("scope `{sc}` is not registered for this Client object"),
            ));
        }
        let code_flow = catalog
            .cds_scope_descriptions
            .get(sc)
            .is_some_and(|d| d.response_types_supported.iter().any(|r| r == "code"));
        if !code_flow {
            return Err(redirect(
                "invalid_scope",
                format!("scope `{sc}` is not granted through customer authorization"),
            ));
        }
        if !scopes.iter().any(|x| x == sc) {
            scopes.push(sc.to_owned());
        }
    }
    if scopes.is_empty() {
        return Err(redirect("invalid_scope", "no scope requested".to_owned()));
    }
    // PKCE (RFC 7636; WG1-02 §3.4: S256 only, never plain).
    let Some(challenge) = params.get("code_challenge") else {
        return Err(redirect(
            "invalid_request",
            "code_challenge is required: this server requires PKCE with S256 (RFC 7636)".to_owned(),
        ));
    };
    match params.get("code_challenge_method") {
        Some("S256") => {}
        Some(m) => {
            return Err(redirect(
                "invalid_request",
                format!(
                    "code_challenge_method `{m}` is not supported; use S256 (WG1-02 §3.4 forbids \
                     plain)"
                ),
            ));
        }
        None => {
            return Err(redirect(
                "invalid_request",
                "code_challenge_method is required and must be S256 (an absent method means \
                 plain, RFC 7636 §4.3, which this server refuses)"
                    .to_owned(),
            ));
        }
    }
    // A S256 challenge is the unpadded Base64url of 32 bytes: 43 characters.
    let challenge_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return Err(redirect(
            "invalid_request",
            "code_challenge must be the 43-character Base64url SHA-256 of the verifier".to_owned(),
        ));
    }
    // RAR (RFC 9396): absent means cds_default_authorization_details (WG3-01 §9.1.1).
    let details = match params.get("authorization_details") {
        Some(text) => {
            rar::parse(text).map_err(|e| redirect("invalid_authorization_details", e.0))?
        }
        None => client
            .cds_default_authorization_details
            .clone()
            .unwrap_or_default(),
    };
    let ctx = RarContext::new(
        catalog,
        client.scopes().collect(),
        &client.authorization_details_types,
        s.registry.now(),
    );
    let details = rar::validate(&details, &ctx)
        .map_err(|e| redirect("invalid_authorization_details", e.0))?;
    let prompt_login = params
        .get("prompt")
        .is_some_and(|p| p.split_ascii_whitespace().any(|v| v == "login"));
    // WG1-02 §8.3: cds_grant_id is evaluated after every other parameter.
    let cds_grant_id = params.get("cds_grant_id").map(str::to_owned);
    if let Some(id) = &cds_grant_id {
        let store = s.registry.lock();
        let ok = store.grants.iter().any(|g| {
            g.item.grant_id == *id
                && g.item.client_id == client.client_id
                && g.item.status == GrantStatus::NeedsAuthorization
        });
        if !ok {
            return Err(redirect(
                "cds_grant_id_invalid_value",
                "cds_grant_id does not name a Grant of this Client object that needs \
                 authorization (WG1-02 §8.3)"
                    .to_owned(),
            ));
        }
    }
    Ok(AuthzRequest {
        client_id: client.client_id.clone(),
        registration: registration.to_owned(),
        redirect_uri,
        redirect_uri_given,
        scopes,
        authorization_details: details,
        state,
        code_challenge: challenge.to_owned(),
        prompt_login,
        cds_grant_id,
    })
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// No caching and no framing for every page of the flow (clickjacking on the consent page).
fn protect(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    protect((status, page(title, body)).into_response())
}

/// CDS-WG3-01 §9.3.2 Invalid Request Error: shown, never redirected.
fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    html(
        status,
        "This authorization request cannot continue",
        &format!(
            "<p>{}</p><p>Error code: <code>{}</code></p><p>Please return to the application \
             and try again, or contact its developer.</p>",
            escape(description),
            escape(error)
        ),
    )
}

fn issuer(s: &DemoState) -> String {
    // RFC 9207 §2: exactly the metadata's `issuer` string (no URL normalisation).
    s.documents
        .oauth_metadata
        .get("issuer")
        .and_then(Value::as_str)
        .map_or_else(|| s.base_url.clone(), str::to_owned)
}

/// A redirect to the client's URI with `pairs` added to its query, plus `iss` (RFC 9207).
fn redirect_to(s: &DemoState, status: StatusCode, uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(uri) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the redirect URI is not an absolute URL",
        );
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        q.append_pair("iss", &issuer(s));
    }
    protect((status, [(header::LOCATION, url.to_string())]).into_response())
}

fn error_redirect(
    s: &DemoState,
    status: StatusCode,
    uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(st) = state {
        pairs.push(("state", st));
    }
    redirect_to(s, status, uri, &pairs)
}

fn reject_response(s: &DemoState, r: Reject) -> Response {
    match r {
        Reject::Page { error, description } => {
            error_page(StatusCode::BAD_REQUEST, error, &description)
        }
        Reject::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => error_redirect(
            s,
            StatusCode::FOUND,
            &redirect_uri,
            state.as_deref(),
            error,
            &description,
        ),
    }
}

/// RFC 9126 §2.3: PAR errors are JSON (RFC 6749 §5.2 shape), 400.
fn reject_json(r: Reject) -> Response {
    let (error, description) = match r {
        Reject::Page { error, description } => (error, description),
        Reject::Redirect {
            error, description, ..
        } => (error, description),
    };
    let mut resp = ApiError::new(StatusCode::BAD_REQUEST, error, description).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn catalog_or_500(s: &DemoState) -> Result<&AuthorizationServerMetadata, Response> {
    s.registry
        .catalog(&s.documents)
        .map_err(IntoResponse::into_response)
}

// ---------------------------------------------------------------------------------------------
// PAR
// ---------------------------------------------------------------------------------------------

/// `POST /oauth/par` (RFC 9126 §2).
pub async fn par(State(s): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match form_params(&headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // RFC 9126 §2: the client authenticates as it would at the token endpoint.
    let (client, registration) = match authenticate_client(&s, &headers, &params, true) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if params.contains_key("request_uri") {
        return reject_json(page_reject(
            "invalid_request",
            "`request_uri` may not be pushed (RFC 9126 §2.1)",
        ));
    }
    let catalog = match catalog_or_500(&s) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let params = Params::from_map(params);
    let request = match validate_request(&s, catalog, &client, &registration, &params, false) {
        Ok(r) => r,
        Err(r) => return reject_json(r),
    };
    let now = s.registry.now();
    let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_secret());
    {
        let mut store = s.registry.lock();
        store.oauth.prune(now);
        store.oauth.pushed.insert(
            request_uri.clone(),
            Pushed {
                request,
                expires_at: after(now, PAR_LIFETIME_SECS),
            },
        );
    }
    let mut r = json_with_status(
        StatusCode::CREATED,
        &json!({"request_uri": request_uri, "expires_in": PAR_LIFETIME_SECS}),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ---------------------------------------------------------------------------------------------
// Authorization endpoint, login, consent
// ---------------------------------------------------------------------------------------------

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// `GET /oauth/authorize` (RFC 6749 §4.1.1, RFC 9126 §4).
pub async fn authorize(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let params = Params::from_pairs(url::form_urlencoded::parse(query.as_bytes()));
    if params.repeated.iter().any(|k| k == "client_id") {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is repeated",
        );
    }
    let Some(client_id) = params.get("client_id") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the request names no client_id",
        );
    };
    let catalog = match catalog_or_500(&s) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = s.registry.now();
    let found = {
        let store = s.registry.lock();
        store
            .client(client_id)
            .map(|r| (r.item.clone(), r.registration.clone()))
    };
    let Some((client, registration)) = found else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "no application is registered under this client_id",
        );
    };
    let request = if let Some(request_uri) = params.get("request_uri") {
        // RFC 9126 §4: a pushed request is used once, before it expires, by its own client;
        // other parameters on the URL are ignored.
        let pushed = s.registry.lock().oauth.pushed.remove(request_uri);
        match pushed {
            Some(p) if p.expires_at > now && p.request.client_id == client.client_id => p.request,
            _ => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_uri",
                    "the request_uri is unknown, expired, already used or belongs to another \
                     application",
                );
            }
        }
    } else {
        match validate_request(&s, catalog, &client, &registration, &params, true) {
            Ok(r) => r,
            Err(r) => return reject_response(&s, r),
        }
    };

    let pending_id = random_secret();
    let csrf = random_secret();
    let session = session_cookie(&headers);
    let mut store = s.registry.lock();
    store.oauth.prune(now);
    let logged_in = session
        .as_ref()
        .and_then(|sid| {
            store
                .oauth
                .sessions
                .get(sid)
                .map(|se| (sid.clone(), se.username.clone()))
        })
        .filter(|_| !request.prompt_login);
    let mut pending = Pending {
        request,
        csrf: csrf.clone(),
        session: None,
        customer: None,
        expires_at: after(now, PENDING_LIFETIME_SECS),
    };
    let Some((sid, username)) = logged_in else {
        store.oauth.pending.insert(pending_id.clone(), pending);
        drop(store);
        return login_page(&client, &pending_id, &csrf, None);
    };
    // An existing session (WG3-01 §9.1.2): straight to the checks after authentication.
    if let Err(r) = after_login_checks(&s, &store, &client, &pending.request, &username) {
        return r;
    }
    pending.session = Some(sid);
    pending.customer = Some(username.clone());
    let request = pending.request.clone();
    store.oauth.pending.insert(pending_id.clone(), pending);
    drop(store);
    consent_page(
        &s,
        catalog,
        &client,
        &request,
        &username,
        &pending_id,
        &csrf,
        None,
    )
}

/// Checks once the customer is known: test accounts authorize sandbox clients only, and a
/// `cds_grant_id` must suit this customer (WG1-02 §8.3 `cds_grant_id_invalid_user`).
fn after_login_checks(
    s: &DemoState,
    store: &super::state::Store,
    client: &ClientObject,
    request: &AuthzRequest,
    username: &str,
) -> Result<(), Response> {
    if client.cds_status != ClientStatus::Sandbox {
        return Err(error_page(
            StatusCode::FORBIDDEN,
            "access_denied",
            &format!(
                "{} is a {} Client object. Demo Gas & Electric has only fictional test \
                 customers, and test customers can authorize sandbox Client objects only; use \
                 the application's sandbox Client object to try the authorization flow.",
                client.display_name(),
                client.cds_status
            ),
        ));
    }
    if let Some(id) = &request.cds_grant_id
        && let Some(owner) = store.oauth.grant_customers.get(id)
        && owner != username
    {
        return Err(error_redirect(
            s,
            StatusCode::SEE_OTHER,
            &request.redirect_uri,
            request.state.as_deref(),
            "cds_grant_id_invalid_user",
            "the Grant named by cds_grant_id belongs to another customer (WG1-02 §8.3)",
        ));
    }
    Ok(())
}

fn hidden(pending_id: &str, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"pending\" value=\"{}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(pending_id),
        escape(csrf)
    )
}

fn login_page(
    client: &ClientObject,
    pending_id: &str,
    csrf: &str,
    error: Option<&str>,
) -> Response {
    let error = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>", escape(e)))
        .unwrap_or_default();
    html(
        StatusCode::OK,
        "Sign in to Demo Gas & Electric",
        &format!(
            "<p><strong>{client}</strong> asks to access some of your Demo Gas &amp; Electric \
             account data. Sign in to review the request; nothing is shared until you approve.</p>\
             <p>This is a demo utility: sign in with one of the \
             <a href=\"/docs/test-accounts\">test accounts</a>.</p>{error}\
             <form method=\"post\" action=\"/oauth/authorize/login\">{hidden}\
             <p><label>Username <input name=\"username\" autocomplete=\"username\" required></label></p>\
             <p><label>Password <input name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required></label></p>\
             <p><button type=\"submit\">Sign in</button> \
             <button type=\"submit\" name=\"cancel\" value=\"1\" formnovalidate>Cancel</button></p>\
             </form>",
            client = escape(client.display_name()),
            hidden = hidden(pending_id, csrf),
        ),
    )
}

#[allow(clippy::too_many_arguments)]
fn consent_page(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    client: &ClientObject,
    request: &AuthzRequest,
    username: &str,
    pending_id: &str,
    csrf: &str,
    cookie: Option<String>,
) -> Response {
    let ctx = RarContext::new(
        catalog,
        client.scopes().collect(),
        &client.authorization_details_types,
        s.registry.now(),
    );
    // Show what will be granted: the requested entries plus the defaults a plain scope stands
    // for (WG3-01 §7).
    let details = rar::add_scope_defaults(
        request.authorization_details.clone(),
        &request.scopes,
        catalog,
    );
    let name = escape(client.display_name());
    let mut sections = String::new();
    let mut shown: Vec<&str> = Vec::new();
    let section = |title: &str, description: &str, entry: Option<&Value>| {
        let readings = entry
            .map(|e| rar::describe(e, &ctx))
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                format!(
                    "<li><strong>{}</strong>: {}</li>",
                    escape(&r.field),
                    escape(&r.value)
                )
            })
            .collect::<String>();
        let readings = if readings.is_empty() {
            String::new()
        } else {
            format!("<p>With these limits:</p><ul>{readings}</ul>")
        };
        format!(
            "<section><h3>{}</h3><p>{}</p>{readings}</section>",
            escape(title),
            escape(description)
        )
    };
    let entry_of = |t: &str| {
        details
            .iter()
            .find(|d| d.get("type").and_then(Value::as_str) == Some(t))
    };
    for sc in &request.scopes {
        if let Some(d) = catalog.cds_scope_descriptions.get(sc) {
            sections.push_str(&section(&d.name, &d.description, entry_of(sc)));
            shown.push(sc);
        }
    }
    for entry in &details {
        let Some(t) = entry.get("type").and_then(Value::as_str) else {
            continue;
        };
        if shown.contains(&t) {
            continue;
        }
        if let Some((d, _)) = ctx.scope_for_type(t) {
            sections.push_str(&section(&d.name, &d.description, Some(entry)));
        }
    }
    let who = account(username);
    let services = who
        .map(|a| {
            a.services
                .iter()
                .map(|sv| {
                    format!(
                        "<li>{} — {} at {}</li>",
                        escape(sv.contract_number),
                        escape(sv.service_type),
                        escape(sv.address)
                    )
                })
                .collect::<String>()
        })
        .unwrap_or_default();
    let mut r = html(
        StatusCode::OK,
        "Review the data request",
        &format!(
            "<p>Signed in as <strong>{customer}</strong> (<code>{user}</code>).</p>\
             <p><strong>{name}</strong> asks for access to the following data from your Demo \
             Gas &amp; Electric account. Approve only if you trust {name} with it.</p>\
             <h2>What {name} asks for</h2>{sections}\
             <h2>Your services</h2><ul>{services}</ul>\
             <p>After approving you get a receipt with a confirmation code. You can ask Demo Gas \
             &amp; Electric to revoke this access at any time.</p>\
             <form method=\"post\" action=\"/oauth/authorize/consent\">{hidden}\
             <p><button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button> \
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p></form>",
            customer = escape(who.map_or(username, |a| a.name)),
            user = escape(username),
            hidden = hidden(pending_id, csrf),
        ),
    );
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The pending request a form refers to, if its CSRF token matches and it has not expired.
fn pending_for(s: &DemoState, f: &HashMap<String, String>) -> Result<(String, Pending), Response> {
    let expired = || {
        error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "this authorization page expired or was already used; start again from the \
             application",
        )
    };
    let (Some(id), Some(csrf)) = (f.get("pending"), f.get("csrf")) else {
        return Err(expired());
    };
    let now = s.registry.now();
    let store = s.registry.lock();
    match store.oauth.pending.get(id) {
        Some(p) if p.expires_at > now && constant_time_eq(p.csrf.as_bytes(), csrf.as_bytes()) => {
            Ok((id.clone(), p.clone()))
        }
        _ => Err(expired()),
    }
}

fn client_of(s: &DemoState, client_id: &str) -> Result<ClientObject, Response> {
    s.registry
        .lock()
        .client(client_id)
        .map(|r| r.item.clone())
        .ok_or_else(|| {
            error_page(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                "the application is no longer registered",
            )
        })
}

/// `POST /oauth/authorize/login`: the test-account sign-in.
pub async fn login(State(s): State<Arc<DemoState>>, body: Bytes) -> Response {
    let f = form(&body);
    let (pending_id, pending) = match pending_for(&s, &f) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let request = pending.request.clone();
    if f.contains_key("cancel") {
        // WG3-01 §9.1.2: an abandoned authentication is treated as a denial.
        s.registry.lock().oauth.pending.remove(&pending_id);
        return error_redirect(
            &s,
            StatusCode::SEE_OTHER,
            &request.redirect_uri,
            request.state.as_deref(),
            "access_denied",
            "the customer cancelled the sign-in",
        );
    }
    let client = match client_of(&s, &request.client_id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (username, password) = (
        f.get("username").map(String::as_str).unwrap_or(""),
        f.get("password").map(String::as_str).unwrap_or(""),
    );
    let Some(acct) = find_account(username, password) else {
        return login_page(
            &client,
            &pending_id,
            &pending.csrf,
            Some("Unknown username or wrong password."),
        );
    };
    let catalog = match catalog_or_500(&s) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = s.registry.now();
    let sid = random_secret();
    {
        let mut store = s.registry.lock();
        if let Err(r) = after_login_checks(&s, &store, &client, &request, acct.username) {
            store.oauth.pending.remove(&pending_id);
            return r;
        }
        store.oauth.sessions.insert(
            sid.clone(),
            Session {
                username: acct.username.to_owned(),
                expires_at: after(now, SESSION_LIFETIME_SECS),
            },
        );
        if let Some(p) = store.oauth.pending.get_mut(&pending_id) {
            p.session = Some(sid.clone());
            p.customer = Some(acct.username.to_owned());
        }
    }
    // HttpOnly: scripts never see it; SameSite=Lax: other sites cannot post with it. Not
    // `Secure`, since the demo serves plain HTTP on loopback.
    let cookie = format!(
        "{SESSION_COOKIE}={sid}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age={SESSION_LIFETIME_SECS}"
    );
    consent_page(
        &s,
        catalog,
        &client,
        &request,
        acct.username,
        &pending_id,
        &pending.csrf,
        Some(cookie),
    )
}

/// `POST /oauth/authorize/consent`: the customer's decision.
pub async fn consent(State(s): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let f = form(&body);
    let (pending_id, pending) = match pending_for(&s, &f) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The decision must come from the browser that signed in for this request.
    let session = session_cookie(&headers);
    let (Some(expected), Some(customer)) = (&pending.session, &pending.customer) else {
        return error_page(
            StatusCode::FORBIDDEN,
            "access_denied",
            "sign in before deciding on this request",
        );
    };
    if !session
        .as_deref()
        .is_some_and(|sid| constant_time_eq(sid.as_bytes(), expected.as_bytes()))
    {
        return error_page(
            StatusCode::FORBIDDEN,
            "access_denied",
            "this decision does not come from the signed-in session; start again from the \
             application",
        );
    }
    // Single use from here on.
    s.registry.lock().oauth.pending.remove(&pending_id);
    let request = pending.request;
    match f.get("decision").map(String::as_str) {
        Some("approve") => approve(&s, &request, customer),
        Some("deny") => error_redirect(
            &s,
            StatusCode::SEE_OTHER,
            &request.redirect_uri,
            request.state.as_deref(),
            "access_denied",
            "the customer denied the request",
        ),
        _ => error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the form must say approve or deny",
        ),
    }
}

/// Creates (or, for a Grant Authorization Request, updates) the Grant, issues the code and
/// redirects (WG1-02 §8.1, §8.3; WG3-01 §9.1.1; RFC 9207).
fn approve(s: &DemoState, request: &AuthzRequest, customer: &str) -> Response {
    let catalog = match catalog_or_500(s) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let client = match client_of(s, &request.client_id) {
        Ok(c) => c,
        Err(r) => return r,
    };
    // WG1-02 §3.9: relative dates count from the moment the customer approves.
    let now = s.registry.now();
    let ctx = RarContext::new(
        catalog,
        client.scopes().collect(),
        &client.authorization_details_types,
        now,
    );
    let mut details = rar::add_scope_defaults(
        request.authorization_details.clone(),
        &request.scopes,
        catalog,
    );
    rar::resolve_relative(&mut details, &ctx);
    let scope = request.scopes.join(" ");
    let receipt = format!("DGE-{}", random_hex(4).to_uppercase());
    let mut store = s.registry.lock();
    let grant_id = match &request.cds_grant_id {
        Some(id) => {
            // WG1-02 §8.3: update the named Grant now, not at the token request.
            let Some(g) = store.grants.iter_mut().find(|g| {
                g.item.grant_id == *id
                    && g.item.client_id == client.client_id
                    && g.item.status == GrantStatus::NeedsAuthorization
            }) else {
                drop(store);
                return error_redirect(
                    s,
                    StatusCode::SEE_OTHER,
                    &request.redirect_uri,
                    request.state.as_deref(),
                    "cds_grant_id_invalid_value",
                    "the Grant named by cds_grant_id no longer needs authorization",
                );
            };
            let grant = &mut g.item;
            grant.status = GrantStatus::Active;
            grant.modified = now;
            grant.scope = scope.clone();
            grant.authorization_details = details.clone();
            grant.enabled_scope = scope.clone();
            grant.enabled_authorization_details = details.clone();
            grant.receipt_confirmations.push(receipt);
            id.clone()
        }
        None => {
            let grant_id = random_hex(8);
            let Ok(uri) = Url::parse(&format!("{}/api/grants/{grant_id}", s.base_url)) else {
                drop(store);
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "the server's base URL is not absolute",
                );
            };
            let grant = Grant {
                grant_id: grant_id.clone(),
                uri,
                replacing: Vec::new(),
                replaced_by: Vec::new(),
                parent: None,
                children: Vec::new(),
                created: now,
                modified: now,
                not_before: None,
                not_after: None,
                eta: None,
                expires: None,
                status: GrantStatus::Active,
                client_id: client.client_id.clone(),
                scope: scope.clone(),
                authorization_details: details.clone(),
                receipt_confirmations: vec![receipt],
                enabled_scope: scope.clone(),
                enabled_authorization_details: details.clone(),
                extra: Map::new(),
            };
            store.add_grant(&request.registration, grant);
            grant_id
        }
    };
    store
        .oauth
        .grant_customers
        .insert(grant_id.clone(), customer.to_owned());
    let code = random_secret();
    store.oauth.prune(now);
    store.oauth.codes.insert(
        code.clone(),
        IssuedCode {
            request: request.clone(),
            grant_id,
            authorization_details: details,
            expires_at: after(now, CODE_LIFETIME_SECS),
            used: false,
            family: random_hex(16),
        },
    );
    drop(store);
    let mut pairs = vec![("code", code.as_str())];
    if let Some(st) = &request.state {
        pairs.push(("state", st));
    }
    redirect_to(s, StatusCode::SEE_OTHER, &request.redirect_uri, &pairs)
}

/// Exact match, or the same loopback IP redirect on another port (RFC 8252 §7.3).
fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(requested)) else {
        return false;
    };
    let loopback_ip = |u: &url::Url| {
        u.scheme() == "http"
            && (matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback()))
    };
    loopback_ip(&a)
        && loopback_ip(&b)
        && a.host() == b.host()
        && a.path() == b.path()
        && a.query() == b.query()
        && b.fragment().is_none()
}

#[cfg(test)]
mod redirect_tests {
    use super::redirect_matches;

    #[test]
    fn loopback_ports_may_differ_nothing_else() {
        assert!(redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb"
        ));
        assert!(!redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb2"
        ));
        assert!(redirect_matches(
            "http://127.0.0.1:5000/callback",
            "http://127.0.0.1:6123/callback"
        ));
        assert!(redirect_matches(
            "http://[::1]:5000/cb",
            "http://[::1]:7/cb"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5000/callback",
            "http://127.0.0.1:6123/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5000/cb",
            "http://[::1]:5000/cb"
        ));
        assert!(!redirect_matches(
            "http://localhost:5000/cb",
            "http://localhost:6000/cb"
        ));
        assert!(!redirect_matches(
            "https://a.example:443/cb",
            "https://a.example:444/cb"
        ));
        assert!(!redirect_matches(
            "https://[::1]:5000/cb",
            "https://[::1]:5001/cb"
        ));
    }
}
