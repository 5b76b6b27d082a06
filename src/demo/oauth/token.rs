//! The token endpoint (RFC 6749 §3.2, §5): its form, the `client_credentials` grant (§4.4,
//! in `client_credentials.rs`), and for customer authorizations (CDS-WG1-02 §8.3) the
//! `authorization_code` grant with PKCE (RFC 7636) and rotating `refresh_token`s (RFC 6749 §6,
//! RFC 9700 §4.14.2).

// Steps hand back a finished error Response for the handler to return as is.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use base64::Engine;
use serde_json::{Map, Value};
use sha2::Digest;

use crate::cds::ClientObject;
use crate::cds::tokens::TokenResponse;

use crate::demo::DemoState;
use crate::demo::store::oauth::{IssuedCode, RefreshToken, TokenInfo, revoke_family};
use crate::demo::store::{
    AccessToken, Store, constant_time_eq, random_secret, token_lifetime_secs,
};

use super::client_auth::{authenticate_client, token_error, token_ok};
use super::client_credentials;

/// `POST /oauth/token`.
pub async fn token(State(s): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = match token_params(&headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // The user-authorization grants (RFC 6749 §4.1.3, §6) authenticate per the client's
    // `token_endpoint_auth_method`, public clients included: handled on their own.
    if matches!(
        params.get("grant_type").map(String::as_str),
        Some("authorization_code" | "refresh_token")
    ) {
        return user_grants(&s, &headers, &params);
    }
    client_credentials::client_credentials(&s, &headers, &params).unwrap_or_else(|r| r)
}

/// The token request's form: RFC 6749 §3.2, parameters sent without a value are treated as
/// omitted; none may repeat.
fn token_params(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(token_error(
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)",
        ));
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if v.is_empty() {
            continue;
        }
        if params.insert(k.to_string(), v.into_owned()).is_some() {
            return Err(token_error(
                "invalid_request",
                &format!("parameter `{k}` is repeated"),
            ));
        }
    }
    Ok(params)
}

/// Lifetime of refresh tokens (seconds): 90 days. Each use rotates the token.
pub const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;

/// What a new access/refresh token pair is issued for.
struct Issue<'a> {
    client: &'a ClientObject,
    registration: &'a str,
    grant_id: &'a str,
    family: &'a str,
    /// The access token's scope.
    scopes: Vec<String>,
    /// The refresh token keeps the original scope (RFC 6749 §6).
    refresh_scopes: Vec<String>,
    authorization_details: Vec<Value>,
}

fn issue(store: &mut Store, now: jiff::Timestamp, what: Issue<'_>) -> TokenResponse {
    let access_token = random_secret();
    let refresh_token = random_secret();
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_secs(token_lifetime_secs() as i64))
        .unwrap_or(now);
    let refresh_expires_at = now
        .checked_add(jiff::SignedDuration::from_secs(REFRESH_LIFETIME_SECS))
        .unwrap_or(now);
    store.tokens.retain(|_, t| t.expires_at > now);
    let live = &store.tokens;
    store.oauth.token_info.retain(|k, _| live.contains_key(k));
    // Rotated refresh tokens stay until they expire so that their reuse is recognised.
    store.oauth.refresh_tokens.retain(|_, r| r.expires_at > now);
    store.tokens.insert(
        access_token.clone(),
        AccessToken {
            client_id: what.client.client_id.clone(),
            registration: what.registration.to_owned(),
            scopes: what.scopes.clone(),
            expires_at,
            authorization_details: Some(what.authorization_details.clone()),
            // Code-flow tokens follow their Grant (closing it revokes them, §8.6); expiring a
            // Credential ends the client's ability to refresh or exchange, not these tokens.
            credential_id: None,
            grant_id: Some(what.grant_id.to_owned()),
        },
    );
    store.oauth.token_info.insert(
        access_token.clone(),
        TokenInfo {
            grant_id: what.grant_id.to_owned(),
            family: what.family.to_owned(),
            issued_at: now,
        },
    );
    store.oauth.refresh_tokens.insert(
        refresh_token.clone(),
        RefreshToken {
            client_id: what.client.client_id.clone(),
            registration: what.registration.to_owned(),
            grant_id: what.grant_id.to_owned(),
            family: what.family.to_owned(),
            scopes: what.refresh_scopes,
            authorization_details: what.authorization_details.clone(),
            issued_at: now,
            expires_at: refresh_expires_at,
            rotated: false,
        },
    );
    TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: Some(token_lifetime_secs()),
        refresh_token: Some(refresh_token),
        scope: Some(what.scopes.join(" ")),
        // RFC 9396 §7: the details the token carries, with defaults and absolute dates
        // (CDS-WG3-01 §7, §7.3).
        authorization_details: Some(what.authorization_details),
        extra: Map::new(),
    }
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6) and
/// `grant_type=refresh_token` (RFC 6749 §6, rotation per RFC 9700 §4.14.2).
fn user_grants(s: &DemoState, headers: &HeaderMap, params: &HashMap<String, String>) -> Response {
    let (client, registration) = match authenticate_client(s, headers, params, true) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let grant_type = params.get("grant_type").map(String::as_str).unwrap_or("");
    if !client.grant_types.iter().any(|g| g == grant_type) {
        return token_error(
            "unauthorized_client",
            &format!("this Client object may not use the {grant_type} grant"),
        );
    }
    if grant_type == "authorization_code" {
        authorization_code_grant(s, &client, &registration, params)
    } else {
        refresh_token_grant(s, &client, &registration, params)
    }
}

fn authorization_code_grant(
    s: &DemoState,
    client: &ClientObject,
    registration: &str,
    params: &HashMap<String, String>,
) -> Response {
    let Some(code) = params.get("code") else {
        return token_error("invalid_request", "`code` is required");
    };
    let verifier = match pkce_verifier(params) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(entry) = store.oauth.codes.get(code).cloned() else {
        return token_error(
            "invalid_grant",
            "the authorization code is unknown or expired",
        );
    };
    if entry.used {
        // RFC 6749 §4.1.2: a reused code is refused and the tokens issued from it revoked.
        revoke_family(&mut store, &entry.family);
        return token_error(
            "invalid_grant",
            "the authorization code was already used; the tokens issued from it are revoked",
        );
    }
    if entry.expires_at <= now {
        store.oauth.codes.remove(code);
        return token_error("invalid_grant", "the authorization code expired");
    }
    if let Err(r) = check_code_binding(&entry, client, params, verifier) {
        return r;
    }
    if !store.grant_gives_access(&entry.grant_id) {
        return token_error(
            "invalid_grant",
            "the Grant behind this code gives no access",
        );
    }
    if let Some(e) = store.oauth.codes.get_mut(code) {
        e.used = true;
    }
    let body = issue(
        &mut store,
        now,
        Issue {
            client,
            registration,
            grant_id: &entry.grant_id,
            family: &entry.family,
            scopes: entry.request.scopes.clone(),
            refresh_scopes: entry.request.scopes.clone(),
            authorization_details: entry.authorization_details.clone(),
        },
    );
    drop(store);
    token_ok(&body)
}

/// The PKCE `code_verifier` (RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" /
/// "." / "_" / "~").
fn pkce_verifier(params: &HashMap<String, String>) -> Result<&str, Response> {
    let Some(verifier) = params.get("code_verifier") else {
        return Err(token_error(
            "invalid_request",
            "`code_verifier` is required: this server requires PKCE (RFC 7636 §4.5)",
        ));
    };
    let verifier_ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !verifier_ok {
        return Err(token_error(
            "invalid_request",
            "`code_verifier` must be 43 to 128 unreserved characters (RFC 7636 §4.1)",
        ));
    }
    Ok(verifier)
}

/// The code was issued to this client, for this redirect URI, with this verifier's challenge.
fn check_code_binding(
    entry: &IssuedCode,
    client: &ClientObject,
    params: &HashMap<String, String>,
    verifier: &str,
) -> Result<(), Response> {
    if entry.request.client_id != client.client_id {
        return Err(token_error(
            "invalid_grant",
            "the authorization code was issued to another client",
        ));
    }
    // RFC 6749 §4.1.3: `redirect_uri` must match when the authorization request carried one.
    match params.get("redirect_uri") {
        Some(uri) if *uri != entry.request.redirect_uri => {
            return Err(token_error(
                "invalid_grant",
                "`redirect_uri` differs from the authorization request's",
            ));
        }
        None if entry.request.redirect_uri_given => {
            return Err(token_error(
                "invalid_grant",
                "`redirect_uri` is required: the authorization request included one",
            ));
        }
        _ => {}
    }
    let digest = sha2::Sha256::digest(verifier.as_bytes());
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    if !constant_time_eq(computed.as_bytes(), entry.request.code_challenge.as_bytes()) {
        return Err(token_error(
            "invalid_grant",
            "`code_verifier` does not match the code challenge (RFC 7636 §4.6)",
        ));
    }
    Ok(())
}

fn refresh_token_grant(
    s: &DemoState,
    client: &ClientObject,
    registration: &str,
    params: &HashMap<String, String>,
) -> Response {
    let Some(presented) = params.get("refresh_token") else {
        return token_error("invalid_request", "`refresh_token` is required");
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(old) = store.oauth.refresh_tokens.get(presented).cloned() else {
        return token_error(
            "invalid_grant",
            "the refresh token is unknown, expired or revoked",
        );
    };
    if old.client_id != client.client_id {
        return token_error(
            "invalid_grant",
            "the refresh token was issued to another client",
        );
    }
    if old.rotated {
        // RFC 9700 §4.14.2: a rotated token coming back means it leaked; end the whole chain.
        revoke_family(&mut store, &old.family);
        return token_error(
            "invalid_grant",
            "the refresh token was already used; its successors are revoked",
        );
    }
    if old.expires_at <= now {
        store.oauth.refresh_tokens.remove(presented);
        return token_error("invalid_grant", "the refresh token expired");
    }
    if !store.grant_gives_access(&old.grant_id) {
        return token_error(
            "invalid_grant",
            "the Grant behind this token gives no access",
        );
    }
    // RFC 6749 §6: a narrower scope may be asked for; never a wider one.
    let scopes: Vec<String> = match params.get("scope") {
        None => old.scopes.clone(),
        Some(requested) => {
            let mut out: Vec<String> = Vec::new();
            for sc in requested.split_ascii_whitespace() {
                if !old.scopes.iter().any(|o| o == sc) {
                    return token_error(
                        "invalid_scope",
                        &format!("scope `{sc}` was not granted with this refresh token"),
                    );
                }
                if !out.iter().any(|o| o == sc) {
                    out.push(sc.to_owned());
                }
            }
            out
        }
    };
    if let Some(r) = store.oauth.refresh_tokens.get_mut(presented) {
        r.rotated = true;
    }
    let body = issue(
        &mut store,
        now,
        Issue {
            client,
            registration,
            grant_id: &old.grant_id,
            family: &old.family,
            scopes,
            refresh_scopes: old.scopes.clone(),
            authorization_details: old.authorization_details.clone(),
        },
    );
    drop(store);
    token_ok(&body)
}
