//! Pushed authorization requests (RFC 9126 §2): the client authenticates as at the token
//! endpoint, the request is checked as the authorization endpoint would, and a single-use
//! `request_uri` comes back.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::demo::DemoState;
use crate::demo::reply::{json_with_status, no_store};
use crate::demo::store::oauth::{Pushed, after};
use crate::demo::store::random_secret;

use super::client_auth::{authenticate_client, form_params};
use super::request::{Params, page_reject, validate_request};
use super::responses::{catalog_or_500, reject_json};
use super::{PAR_LIFETIME_SECS, REQUEST_URI_PREFIX};

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
    no_store(json_with_status(
        StatusCode::CREATED,
        &json!({"request_uri": request_uri, "expires_in": PAR_LIFETIME_SECS}),
    ))
}
