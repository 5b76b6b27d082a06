//! The `client_credentials` grant of the token endpoint (RFC 6749 §4.4): HTTP Basic client
//! authentication against the Credentials (CDS-WG1-02 §7), the requested scopes, RFC 9396
//! `authorization_details`, and the Grant Admin rules of CDS-WG1-02 §3.3.2.

// Steps hand back a finished error Response for the handler to return as is.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::cds::tokens::TokenResponse;
use crate::cds::{AuthorizationServerMetadata, ClientObject, ClientStatus, ScopeType};

use crate::demo::DemoState;
use crate::demo::store::{
    AccessToken, Store, constant_time_eq, random_secret, token_lifetime_secs,
};

use super::client_auth::{basic_credentials, token_error, token_ok};

/// `grant_type=client_credentials` (RFC 6749 §4.4), Grant Admin requests included (WG1-02
/// §3.3.2).
pub(super) fn client_credentials(
    s: &DemoState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Response, Response> {
    // Client authentication comes first so that an unauthenticated caller learns nothing else.
    let now = s.registry.now();
    let (client, registration, credential_id) = basic_client(s, headers, params, now)?;
    check_client_credentials_grant(&client, params)?;
    let scopes = requested_scopes(&client, params)?;
    let authorization_details = match params.get("authorization_details") {
        None => None,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(a)) => Some(a),
            _ => {
                return Err(token_error(
                    "invalid_authorization_details",
                    "`authorization_details` must be a JSON array of objects (RFC 9396 §2)",
                ));
            }
        },
    };
    let catalog = s
        .registry
        .catalog(&s.documents)
        .map_err(IntoResponse::into_response)?;
    check_detail_types(&client, authorization_details.as_deref())?;
    let grant_admin = scopes.iter().any(|sc| {
        catalog
            .cds_scope_descriptions
            .get(sc)
            .is_some_and(|d| d.scope_type == ScopeType::GrantAdmin)
    });
    let grant_id = if grant_admin {
        let store = s.registry.lock();
        Some(grant_admin_grant(
            &store,
            catalog,
            &registration,
            &scopes,
            authorization_details.as_deref(),
        )?)
    } else {
        None
    };
    let token = AccessToken {
        client_id: client.client_id.clone(),
        registration,
        scopes,
        expires_at: now
            .checked_add(jiff::SignedDuration::from_secs(token_lifetime_secs() as i64))
            .unwrap_or(now),
        authorization_details,
        credential_id: Some(credential_id),
        grant_id,
    };
    Ok(issue_client_token(s, now, token))
}

/// The client of an HTTP Basic `client_secret_basic` authentication (RFC 6749 §2.3.1) with a
/// live Credential (WG1-02 §7): the Client object, its registration and the Credential's id.
fn basic_client(
    s: &DemoState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    now: Timestamp,
) -> Result<(ClientObject, String, String), Response> {
    let basic = basic_credentials(headers).map_err(|why| token_error("invalid_client", why))?;
    if basic.is_some() && params.contains_key("client_secret") {
        return Err(token_error(
            "invalid_request",
            "use exactly one client authentication method (RFC 6749 §2.3)",
        ));
    }
    let Some((client_id, secret)) = basic else {
        return Err(token_error(
            "invalid_client",
            "client authentication is required: HTTP Basic with the client_id and client_secret",
        ));
    };
    let unknown = || token_error("invalid_client", "unknown client or wrong secret");
    let (client, registration, credential_id) = {
        let store = s.registry.lock();
        let record = store.client(&client_id).ok_or_else(unknown)?;
        let matched = store
            .credentials
            .iter()
            .find(|c| {
                c.item.client_id == client_id
                    && c.item
                        .client_secret_expires_at
                        .is_none_or(|t| t == 0 || t > now.as_second())
                    && c.item
                        .client_secret
                        .as_deref()
                        .is_some_and(|cs| constant_time_eq(cs.as_bytes(), secret.as_bytes()))
            })
            .ok_or_else(unknown)?;
        if record.item.token_endpoint_auth_method.as_deref() != Some("client_secret_basic") {
            return Err(unknown());
        }
        (
            record.item.clone(),
            record.registration.clone(),
            matched.item.credential_id.clone(),
        )
    };
    if client.cds_status == ClientStatus::Disabled {
        return Err(token_error(
            "invalid_client",
            "this Client object is disabled",
        ));
    }
    Ok((client, registration, credential_id))
}

fn check_client_credentials_grant(
    client: &ClientObject,
    params: &HashMap<String, String>,
) -> Result<(), Response> {
    let Some(grant_type) = params.get("grant_type") else {
        return Err(token_error("invalid_request", "`grant_type` is required"));
    };
    if grant_type != "client_credentials" {
        return Err(token_error(
            "unsupported_grant_type",
            &format!("grant type `{grant_type}` is not available on this demo token endpoint"),
        ));
    }
    if !client.grant_types.iter().any(|g| g == "client_credentials") {
        return Err(token_error(
            "unauthorized_client",
            "this Client object may not use the client_credentials grant",
        ));
    }
    Ok(())
}

/// The requested scopes, each registered for the Client object; all of them when absent.
fn requested_scopes(
    client: &ClientObject,
    params: &HashMap<String, String>,
) -> Result<Vec<String>, Response> {
    let client_scopes: Vec<&str> = client.scopes().collect();
    let scopes: Vec<String> = match params.get("scope") {
        None => client_scopes.iter().map(|s| (*s).to_owned()).collect(),
        Some(requested) => {
            let mut out: Vec<String> = Vec::new();
            for sc in requested.split_ascii_whitespace() {
                if !client_scopes.contains(&sc) {
                    return Err(token_error(
                        "invalid_scope",
                        &format!("scope `{sc}` is not registered for this Client object"),
                    ));
                }
                if !out.iter().any(|o| o == sc) {
                    out.push(sc.to_owned());
                }
            }
            out
        }
    };
    if scopes.is_empty() {
        return Err(token_error("invalid_scope", "no scope to grant"));
    }
    Ok(scopes)
}

/// Every `authorization_details` entry has one of the Client object's types.
fn check_detail_types(client: &ClientObject, details: Option<&[Value]>) -> Result<(), Response> {
    for d in details.unwrap_or_default() {
        let t = d.get("type").and_then(Value::as_str);
        match t {
            Some(t) if client.authorization_details_types.iter().any(|x| x == t) => {}
            _ => {
                return Err(token_error(
                    "invalid_authorization_details",
                    "every entry must be an object whose `type` is in the Client object's \
                     authorization_details_types",
                ));
            }
        }
    }
    Ok(())
}

/// WG1-02 §3.3.2: a Grant Admin token names exactly one existing Grant, with a matching
/// client_id and an enabled scope that this Grant Admin scope administers.
fn grant_admin_grant(
    store: &Store,
    catalog: &AuthorizationServerMetadata,
    registration: &str,
    scopes: &[String],
    details: Option<&[Value]>,
) -> Result<String, Response> {
    let Some(details) = details else {
        return Err(token_error(
            "invalid_request",
            "a Grant Admin token request must include `authorization_details` naming one \
             Grant (WG1-02 §3.3.2)",
        ));
    };
    let well_formed = details.len() == 1
        && ["client_id", "grant_id"].iter().all(|k| {
            details[0]
                .get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| (1..=1000).contains(&v.chars().count()))
        });
    if !well_formed {
        return Err(token_error(
            "invalid_authorization_details",
            "a Grant Admin request takes exactly one entry with `client_id` and `grant_id` \
             strings (WG1-02 §3.3.2)",
        ));
    }
    super::grant_admin::approve(store, catalog, registration, scopes, &details[0])
        .map_err(|r| token_error(r.error, &r.description))
}

/// Stores `token`, issued at `now`, and answers with it.
fn issue_client_token(s: &DemoState, now: Timestamp, token: AccessToken) -> Response {
    let access_token = random_secret();
    let body = TokenResponse {
        access_token: access_token.clone(),
        token_type: "Bearer".to_owned(),
        expires_in: Some(token_lifetime_secs()),
        refresh_token: None,
        scope: Some(token.scopes.join(" ")),
        authorization_details: token.authorization_details.clone(),
        extra: Map::new(),
    };
    let mut store = s.registry.lock();
    // Expired tokens are dropped here so the map does not grow without bound.
    store.tokens.retain(|_, t| t.expires_at > now);
    store.tokens.insert(access_token, token);
    drop(store);
    token_ok(&body)
}
