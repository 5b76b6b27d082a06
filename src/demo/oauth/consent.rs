//! The customer's side of an authorization: the test-account login and consent pages
//! (CDS-WG3-01 §9.1.2), the decision, and on approval the Grant (CDS-WG1-02 §8.1, or the one
//! a Grant Authorization Request names, §8.3) and the authorization code (RFC 6749 §4.1.2).

// Helpers hand back a finished error Response for the handler to return as is.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::authorization_details::reading;
use crate::cds::{
    AuthorizationDetailsField, AuthorizationDetailsFieldFormat, AuthorizationServerMetadata,
    ClientObject, Grant, GrantStatus,
};

use crate::demo::DemoState;
use crate::demo::pages::escape;
use crate::demo::store::oauth::{AuthzRequest, IssuedCode, Pending, Session, after};
use crate::demo::store::{Store, constant_time_eq, random_hex, random_secret};

use super::rar::{self, RarContext};
use super::responses::{catalog_or_500, error_page, error_redirect, html, redirect_to};
use super::session::{after_login_checks, session_cookie};
use super::{CODE_LIFETIME_SECS, SESSION_COOKIE, SESSION_LIFETIME_SECS};
use crate::demo::accounts::{TestAccount, account, find_account};

fn hidden(pending_id: &str, csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"pending\" value=\"{}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        escape(pending_id),
        escape(csrf)
    )
}

pub(crate) fn login_page(
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
             <a href=\"/docs/test-accounts\" target=\"_blank\" rel=\"noopener\">test \
             accounts</a>.</p>{accounts}{error}\
             <form method=\"post\" action=\"/oauth/authorize/login\" class=\"signin\">{hidden}\
             <p><label>Username <input name=\"username\" autocomplete=\"username\" required></label></p>\
             <p><label>Password <input name=\"password\" type=\"password\" \
             autocomplete=\"current-password\" required></label></p>\
             <p><button type=\"submit\" class=\"primary\">Sign in</button> \
             <button type=\"submit\" name=\"cancel\" value=\"1\" formnovalidate>Cancel</button></p>\
             </form>",
            client = escape(client.display_name()),
            hidden = hidden(pending_id, csrf),
            accounts = crate::demo::pages::accounts::sign_in_hint(),
        ),
    )
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn consent_page(
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
    let sections = sections(catalog, &ctx, &request.scopes, &details);
    let who = account(username);
    let services = who.map(services).unwrap_or_default();
    let mut r = html(
        StatusCode::OK,
        "Review the data request",
        &format!(
            "<p>Signed in as <strong>{customer}</strong> (<code>{user}</code>).</p>\
             <p><strong>{name}</strong> asks for access to the following data from your Demo \
             Gas &amp; Electric account. Approve only if you trust {name} with it.</p>\
             <h2>What {name} asks for</h2>{sections}\
             <h2>Your services</h2><ul>{services}</ul>\
             <p>When you decide, your browser goes back to {name}. Demo Gas &amp; Electric keeps \
             a receipt of an approval, and you can ask it to revoke this access at any time.</p>\
             <form method=\"post\" action=\"/oauth/authorize/consent\">{hidden}\
             <p><button type=\"submit\" name=\"decision\" value=\"approve\" \
             class=\"primary\">Approve</button> \
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

/// One section per requested scope, then per detail entry of another scope: its name,
/// description and the limits its entry sets.
fn sections(
    catalog: &AuthorizationServerMetadata,
    ctx: &RarContext,
    scopes: &[String],
    details: &[Value],
) -> String {
    let section = |title: &str, description: &str, entry: Option<&Value>| {
        format!(
            "<section><h3>{}</h3><p>{}</p>{}</section>",
            escape(title),
            escape(description),
            entry.map(|e| limits(e, ctx)).unwrap_or_default()
        )
    };
    let entry_of = |t: &str| {
        details
            .iter()
            .find(|d| d.get("type").and_then(Value::as_str) == Some(t))
    };
    let mut out = String::new();
    let mut shown: Vec<&str> = Vec::new();
    for sc in scopes {
        if let Some(d) = catalog.cds_scope_descriptions.get(sc) {
            out.push_str(&section(&d.name, &d.description, entry_of(sc)));
            shown.push(sc);
        }
    }
    for entry in details {
        let Some(t) = entry.get("type").and_then(Value::as_str) else {
            continue;
        };
        if shown.contains(&t) {
            continue;
        }
        if let Some((d, _)) = ctx.scope_for_type(t) {
            out.push_str(&section(&d.name, &d.description, Some(entry)));
        }
    }
    out
}

/// The limits an entry sets, in plain words (CDS-WG3-01 §9.2): what the customer decides on
/// first (the period, the data, the purpose, any preselection) in a list, every other setting
/// in a `<details>` element the customer can open (no script needed).
fn limits(entry: &Value, ctx: &RarContext) -> String {
    let Some((_, fields)) = entry
        .get("type")
        .and_then(Value::as_str)
        .and_then(|t| ctx.scope_for_type(t))
    else {
        return String::new();
    };
    let (mut main, mut rest, mut more) = (String::new(), String::new(), 0);
    for f in fields {
        let Some(v) = entry.get(&f.id) else {
            continue;
        };
        let item = format!(
            "<li><strong>{}</strong>: {}</li>",
            escape(&f.name),
            escape(&reading(f, v, &ctx.0.now))
        );
        if headline(f, v) {
            main.push_str(&item);
        } else {
            rest.push_str(&item);
            more += 1;
        }
    }
    let main = if main.is_empty() {
        String::new()
    } else {
        format!("<ul>{main}</ul>")
    };
    let rest = match more {
        0 => String::new(),
        1 => format!("<details><summary>1 more setting</summary><ul>{rest}</ul></details>"),
        n => format!("<details><summary>{n} more settings</summary><ul>{rest}</ul></details>"),
    };
    main + &rest
}

/// Whether a customer reads this setting first: dates (which period), lists that are set
/// (which data, which accounts or services), and the purpose.
fn headline(f: &AuthorizationDetailsField, v: &Value) -> bool {
    use AuthorizationDetailsFieldFormat as F;
    match f.format {
        F::RelativeOrAbsoluteDate | F::RelativeOrAbsoluteDatetime => true,
        F::StringList | F::StringListOrNull | F::ChoiceListOrNull => !v.is_null(),
        _ => f.id == "purpose",
    }
}

/// The test customer's service contracts, as list items.
fn services(a: &TestAccount) -> String {
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
        .collect()
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
    let granted = Granted {
        scope: request.scopes.join(" "),
        details,
        receipt: format!("DGE-{}", random_hex(4).to_uppercase()),
        now,
    };
    let mut store = s.registry.lock();
    let grant_id = match &request.cds_grant_id {
        // WG1-02 §8.3: update the named Grant now, not at the token request.
        Some(id) => match reauthorize(&mut store, id, &client, &granted) {
            Some(()) => id.clone(),
            None => {
                drop(store);
                return error_redirect(
                    s,
                    StatusCode::SEE_OTHER,
                    &request.redirect_uri,
                    request.state.as_deref(),
                    "cds_grant_id_invalid_value",
                    "the Grant named by cds_grant_id no longer needs authorization",
                );
            }
        },
        None => match new_grant(&s.base_url, &client, &granted) {
            Some(grant) => {
                let id = grant.grant_id.clone();
                store.add_grant(&request.registration, grant);
                id
            }
            None => {
                drop(store);
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "the server's base URL is not absolute",
                );
            }
        },
    };
    store
        .oauth
        .grant_customers
        .insert(grant_id.clone(), customer.to_owned());
    let code = issue_code(&mut store, request, grant_id, granted);
    drop(store);
    let mut pairs = vec![("code", code.as_str())];
    if let Some(st) = &request.state {
        pairs.push(("state", st));
    }
    redirect_to(s, StatusCode::SEE_OTHER, &request.redirect_uri, &pairs)
}

/// A fresh authorization code bound to the request and its Grant (RFC 6749 §4.1.2).
fn issue_code(
    store: &mut Store,
    request: &AuthzRequest,
    grant_id: String,
    granted: Granted,
) -> String {
    let code = random_secret();
    store.oauth.prune(granted.now);
    store.oauth.codes.insert(
        code.clone(),
        IssuedCode {
            request: request.clone(),
            grant_id,
            authorization_details: granted.details,
            expires_at: after(granted.now, CODE_LIFETIME_SECS),
            used: false,
            family: random_hex(16),
        },
    );
    code
}

/// What the customer approved: scope and details as granted (defaults in, dates absolute),
/// the receipt confirmation, and when.
struct Granted {
    scope: String,
    details: Vec<Value>,
    receipt: String,
    now: jiff::Timestamp,
}

/// §8.3: the named Grant of this Client object that needs authorization becomes `active`
/// with what was granted; `None` when there is no such Grant (any more).
fn reauthorize(
    store: &mut Store,
    id: &str,
    client: &ClientObject,
    granted: &Granted,
) -> Option<()> {
    let g = store.grants.iter_mut().find(|g| {
        g.item.grant_id == id
            && g.item.client_id == client.client_id
            && g.item.status == GrantStatus::NeedsAuthorization
    })?;
    let grant = &mut g.item;
    grant.status = GrantStatus::Active;
    grant.modified = granted.now;
    grant.scope = granted.scope.clone();
    grant.authorization_details = granted.details.clone();
    grant.enabled_scope = granted.scope.clone();
    grant.enabled_authorization_details = granted.details.clone();
    grant.receipt_confirmations.push(granted.receipt.clone());
    Some(())
}

/// §8.1: a new, fully enabled Grant for what the customer approved.
fn new_grant(base: &str, client: &ClientObject, granted: &Granted) -> Option<Grant> {
    let grant_id = random_hex(8);
    let uri = Url::parse(&format!("{base}/api/grants/{grant_id}")).ok()?;
    Some(Grant {
        grant_id,
        uri,
        replacing: Vec::new(),
        replaced_by: Vec::new(),
        parent: None,
        children: Vec::new(),
        created: granted.now,
        modified: granted.now,
        not_before: None,
        not_after: None,
        eta: None,
        expires: None,
        status: GrantStatus::Active,
        client_id: client.client_id.clone(),
        scope: granted.scope.clone(),
        authorization_details: granted.details.clone(),
        receipt_confirmations: vec![granted.receipt.clone()],
        enabled_scope: granted.scope.clone(),
        enabled_authorization_details: granted.details.clone(),
        extra: Map::new(),
    })
}
