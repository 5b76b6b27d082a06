//! The authorization endpoint (RFC 6749 §4.1.1, RFC 9126 §4): a pushed or direct request is
//! checked, then the customer signs in (or an existing session is used, CDS-WG3-01 §9.1.2) and
//! sees the consent page.

// Helpers hand back a finished error Response for the handler to return as is.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::cds::ClientObject;

use crate::demo::DemoState;
use crate::demo::store::oauth::{AuthzRequest, Pending, after};
use crate::demo::store::random_secret;

use super::PENDING_LIFETIME_SECS;
use super::consent::{consent_page, login_page};
use super::request::{Params, validate_request};
use super::responses::{catalog_or_500, error_page, reject_response};
use super::session::{after_login_checks, session_cookie};

/// `GET /oauth/authorize` (RFC 6749 §4.1.1, RFC 9126 §4).
pub async fn authorize(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let params = Params::from_pairs(url::form_urlencoded::parse(query.as_bytes()));
    let (client, request) = match checked_request(&s, &params) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let catalog = match catalog_or_500(&s) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = s.registry.now();
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

/// The client a request names and the request itself: pushed (RFC 9126 §4) or on the URL.
fn checked_request(
    s: &DemoState,
    params: &Params,
) -> Result<(ClientObject, AuthzRequest), Response> {
    if params.repeated.iter().any(|k| k == "client_id") {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is repeated",
        ));
    }
    let Some(client_id) = params.get("client_id") else {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the request names no client_id",
        ));
    };
    let catalog = catalog_or_500(s)?;
    let now = s.registry.now();
    let found = {
        let store = s.registry.lock();
        store
            .client(client_id)
            .map(|r| (r.item.clone(), r.registration.clone()))
    };
    let Some((client, registration)) = found else {
        return Err(error_page(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "no application is registered under this client_id",
        ));
    };
    let Some(request_uri) = params.get("request_uri") else {
        return validate_request(s, catalog, &client, &registration, params, true)
            .map(|r| (client, r))
            .map_err(|r| reject_response(s, r));
    };
    // RFC 9126 §4: a pushed request is used once, before it expires, by its own client;
    // other parameters on the URL are ignored.
    let pushed = s.registry.lock().oauth.pushed.remove(request_uri);
    match pushed {
        Some(p) if p.expires_at > now && p.request.client_id == client.client_id => {
            Ok((client, p.request))
        }
        _ => Err(error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request_uri",
            "the request_uri is unknown, expired, already used or belongs to another \
             application",
        )),
    }
}
