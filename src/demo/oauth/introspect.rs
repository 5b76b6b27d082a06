//! Token introspection (RFC 7662) and revocation (RFC 7009), both REQUIRED by CDS-WG1-02 §3.2.
//!
//! Who may look at which token: RFC 7662 §2.1 leaves it to the server. The demo answers
//! `active: true` only to a client of the same registration as the client the token was issued
//! to (the registration's admin client may check its customer tokens; strangers learn nothing).
//! Revocation (RFC 7009 §2.1) is narrower: only the client the token was issued to.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status, no_store};
use crate::demo::store::oauth::revoke_family;
use crate::demo::store::{Store, token_lifetime_secs};

use super::client_auth::{authenticate_client, form_params};

/// `POST /oauth/introspect` (RFC 7662 §2).
pub async fn introspect(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = match form_params(&headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The metadata lists only client_secret_basic for introspection.
    let (_caller, registration) = match authenticate_client(&s, &headers, &params, false) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = params.get("token") else {
        return no_store(
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "`token` is required (RFC 7662 §2.1)".to_owned(),
            )
            .into_response(),
        );
    };
    let now = s.registry.now();
    let store = s.registry.lock();
    let answer = describe(&store, token, &registration, now);
    no_store(json_with_status(StatusCode::OK, &answer))
}

/// The RFC 7662 §2.2 answer about `token` to a client of `registration`: `active: false`
/// unless it is a live token of that registration whose Grant still gives access.
fn describe(store: &Store, token: &str, registration: &str, now: Timestamp) -> Value {
    let inactive = || json!({"active": false});
    if let Some(t) = store.tokens.get(token) {
        if t.expires_at <= now || t.registration != registration {
            return inactive();
        }
        let info = store.oauth.token_info.get(token);
        if let Some(i) = info
            && !store.grant_gives_access(&i.grant_id)
        {
            return inactive();
        }
        let iat = info.map_or_else(
            || t.expires_at.as_second() - token_lifetime_secs() as i64,
            |i| i.issued_at.as_second(),
        );
        let mut out = Map::new();
        out.insert("active".into(), Value::Bool(true));
        out.insert("scope".into(), Value::String(t.scopes.join(" ")));
        out.insert("client_id".into(), Value::String(t.client_id.clone()));
        out.insert("token_type".into(), Value::String("Bearer".into()));
        out.insert("exp".into(), json!(t.expires_at.as_second()));
        out.insert("iat".into(), json!(iat));
        if let Some(d) = &t.authorization_details {
            out.insert("authorization_details".into(), Value::Array(d.clone()));
        }
        if let Some(i) = info {
            out.insert("cds_grant_id".into(), Value::String(i.grant_id.clone()));
        }
        return Value::Object(out);
    }
    if let Some(r) = store.oauth.refresh_tokens.get(token) {
        if r.rotated
            || r.expires_at <= now
            || r.registration != registration
            || !store.grant_gives_access(&r.grant_id)
        {
            return inactive();
        }
        // No `token_type`: RFC 7662 §2.2 means the access token type (RFC 6749 §7.1), which a
        // refresh token does not have.
        return json!({
            "active": true,
            "scope": r.scopes.join(" "),
            "client_id": r.client_id,
            "exp": r.expires_at.as_second(),
            "iat": r.issued_at.as_second(),
            "authorization_details": r.authorization_details,
            "cds_grant_id": r.grant_id,
        });
    }
    inactive()
}

/// `POST /oauth/revoke` (RFC 7009 §2).
pub async fn revoke(State(s): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match form_params(&headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (caller, _) = match authenticate_client(&s, &headers, &params, true) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = params.get("token") else {
        return no_store(
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "`token` is required (RFC 7009 §2.1)".to_owned(),
            )
            .into_response(),
        );
    };
    // `token_type_hint` only speeds up a lookup (RFC 7009 §2.1); both maps are searched anyway.
    let foreign = || {
        no_store(
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                "this token was issued to another client, which alone may revoke it \
                 (RFC 7009 §2.1)"
                    .to_owned(),
            )
            .into_response(),
        )
    };
    let mut store = s.registry.lock();
    if let Some(t) = store.tokens.get(token) {
        if t.client_id != caller.client_id {
            return foreign();
        }
        store.tokens.remove(token);
        store.oauth.token_info.remove(token);
    } else if let Some(r) = store.oauth.refresh_tokens.get(token) {
        if r.client_id != caller.client_id {
            return foreign();
        }
        // RFC 7009 §2.1: revoking a refresh token also ends the access tokens of its grant.
        let family = r.family.clone();
        revoke_family(&mut store, &family);
    }
    // RFC 7009 §2.2: 200 for unknown tokens too.
    drop(store);
    no_store(StatusCode::OK.into_response())
}
