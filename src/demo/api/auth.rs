//! Who calls the management APIs: RFC 6750 bearer tokens, the `cds_client_admin` scope that
//! CDS-WG1-02 §5–§8 require, and the RFC 6750 §3 challenges for missing or weak tokens.

use axum::http::{HeaderMap, StatusCode, header};

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;

use crate::demo::DemoState;
use crate::demo::reply::ApiError;
use crate::demo::store::AccessToken;

/// An RFC 6750 §3 challenge: 401 for a missing or bad token, 403 for a token without what the
/// endpoint needs (`scope` names the scope a client should ask for, when there is one).
pub(crate) fn bearer_error(
    status: StatusCode,
    error: Option<&'static str>,
    description: &str,
    scope: Option<&str>,
) -> ApiError {
    let mut challenge = "Bearer realm=\"cds-wizard demo\"".to_owned();
    if let Some(e) = error {
        challenge.push_str(&format!(
            ", error=\"{e}\", error_description=\"{description}\""
        ));
        if let (Some(sc), "insufficient_scope") = (scope, e) {
            challenge.push_str(&format!(", scope=\"{sc}\""));
        }
    }
    ApiError {
        status,
        error: error.unwrap_or("invalid_token"),
        description: description.to_owned(),
        challenge: Some(challenge),
    }
}

/// The live access token a request carries (RFC 6750 §2.1): 401 when it is missing, malformed,
/// unknown, revoked or expired (an expired one is dropped). `needed` says what a token must
/// come from, for the message.
pub(crate) fn bearer_token(
    s: &DemoState,
    headers: &HeaderMap,
    needed: &str,
) -> Result<AccessToken, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        // RFC 6750 §3.1: no error code when the request carries no credentials at all.
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            None,
            &format!("a Bearer access token {needed} is required"),
            None,
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let Some(token) = token else {
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_request"),
            "the Authorization header must be `Bearer <token>`",
            None,
        ));
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(t) = store.tokens.get(&token).cloned() else {
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the access token is unknown or revoked",
            None,
        ));
    };
    if t.expires_at <= now {
        store.tokens.remove(&token);
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the access token expired",
            None,
        ));
    }
    Ok(t)
}

/// The registration whose objects a `cds_client_admin` bearer token may see.
pub(crate) fn authorize(s: &DemoState, headers: &HeaderMap) -> Result<String, ApiError> {
    let t = bearer_token(s, headers, "with scope cds_client_admin")?;
    if !t.scopes.iter().any(|sc| sc == CLIENT_ADMIN_SCOPE) {
        return Err(bearer_error(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            "the access token lacks scope cds_client_admin",
            Some(CLIENT_ADMIN_SCOPE),
        ));
    }
    Ok(t.registration)
}

/// The authenticated registration and the `client_id` of the admin Client object whose token
/// made the request (§6.9 `creator`).
pub(crate) struct Caller {
    pub registration: String,
    pub client_id: String,
}

pub(crate) fn caller(s: &DemoState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let registration = authorize(s, headers)?;
    // `authorize` accepted the header, so it is `Bearer <token>`.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim().to_owned())
        .unwrap_or_default();
    let client_id = s
        .registry
        .lock()
        .tokens
        .get(&token)
        .map(|t| t.client_id.clone());
    match client_id {
        Some(client_id) => Ok(Caller {
            registration,
            client_id,
        }),
        // Revoked between the two look-ups.
        None => Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            description: "the access token is unknown or revoked".to_owned(),
            challenge: Some("Bearer realm=\"cds-wizard demo\", error=\"invalid_token\"".to_owned()),
        }),
    }
}
