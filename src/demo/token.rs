//! The demo's token endpoint (RFC 6749 §3.2, §4.4, §5): the `client_credentials` grant with
//! HTTP Basic client authentication (§2.3.1), RFC 9396 `authorization_details`, and the
//! Grant Admin rules of CDS-WG1-02 §3.3.2. The authorization-code and refresh grants are not
//! part of this slice and answer `unsupported_grant_type`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Map, Value};

use crate::cds::tokens::TokenResponse;
use crate::cds::{ClientStatus, ScopeType};

use super::DemoState;
use super::state::{
    AccessToken, TOKEN_LIFETIME_SECS, constant_time_eq, error_response, json_with_status,
    random_secret,
};

/// An RFC 6749 §5.2 error with `Cache-Control: no-store`; `invalid_client` also carries the
/// `WWW-Authenticate: Basic` challenge (401) since clients authenticate with Basic.
fn token_error(error: &str, description: &str) -> Response {
    let status = if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut r = error_response(status, error, description);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        h.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"cds-wizard demo\", charset=\"UTF-8\""),
        );
    }
    r
}

/// Client id and secret from `Authorization: Basic`, each form-urldecoded (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, &'static str> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| "malformed Authorization header")?;
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Err("malformed Authorization header");
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err("client authentication must use HTTP Basic (client_secret_basic)");
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| "the Basic credentials are not Base64")?;
    let text = String::from_utf8(decoded).map_err(|_| "the Basic credentials are not UTF-8")?;
    let (id, secret) = text
        .split_once(':')
        .ok_or("the Basic credentials lack the `:` separator")?;
    let decode = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((decode(id), decode(secret))))
}

/// `POST /oauth/token`.
pub async fn token(State(s): State<Arc<DemoState>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return token_error(
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)",
        );
    }
    // RFC 6749 §3.2: parameters sent without a value are treated as omitted; none may repeat.
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        if v.is_empty() {
            continue;
        }
        if params.insert(k.to_string(), v.into_owned()).is_some() {
            return token_error("invalid_request", &format!("parameter `{k}` is repeated"));
        }
    }

    // Client authentication comes first so that an unauthenticated caller learns nothing else.
    let basic = match basic_credentials(&headers) {
        Ok(b) => b,
        Err(why) => return token_error("invalid_client", why),
    };
    if basic.is_some() && params.contains_key("client_secret") {
        return token_error(
            "invalid_request",
            "use exactly one client authentication method (RFC 6749 §2.3)",
        );
    }
    let Some((client_id, secret)) = basic else {
        return token_error(
            "invalid_client",
            "client authentication is required: HTTP Basic with the client_id and client_secret",
        );
    };
    let now = s.registry.now();
    let (client, registration, credential_id) = {
        let store = s.registry.lock();
        let Some(record) = store.client(&client_id) else {
            return token_error("invalid_client", "unknown client or wrong secret");
        };
        let matched = store.credentials.iter().find(|c| {
            c.item.client_id == client_id
                && c.item
                    .client_secret_expires_at
                    .is_none_or(|t| t == 0 || t > now.as_second())
                && c.item
                    .client_secret
                    .as_deref()
                    .is_some_and(|cs| constant_time_eq(cs.as_bytes(), secret.as_bytes()))
        });
        let Some(matched) = matched else {
            return token_error("invalid_client", "unknown client or wrong secret");
        };
        if record.item.token_endpoint_auth_method.as_deref() != Some("client_secret_basic") {
            return token_error("invalid_client", "unknown client or wrong secret");
        }
        (
            record.item.clone(),
            record.registration.clone(),
            matched.item.credential_id.clone(),
        )
    };
    if client.cds_status == ClientStatus::Disabled {
        return token_error("invalid_client", "this Client object is disabled");
    }

    let Some(grant_type) = params.get("grant_type") else {
        return token_error("invalid_request", "`grant_type` is required");
    };
    if grant_type != "client_credentials" {
        return token_error(
            "unsupported_grant_type",
            &format!("grant type `{grant_type}` is not available on this demo token endpoint"),
        );
    }
    if !client.grant_types.iter().any(|g| g == "client_credentials") {
        return token_error(
            "unauthorized_client",
            "this Client object may not use the client_credentials grant",
        );
    }

    let client_scopes: Vec<&str> = client.scopes().collect();
    let scopes: Vec<String> = match params.get("scope") {
        None => client_scopes.iter().map(|s| (*s).to_owned()).collect(),
        Some(requested) => {
            let mut out: Vec<String> = Vec::new();
            for sc in requested.split_ascii_whitespace() {
                if !client_scopes.contains(&sc) {
                    return token_error(
                        "invalid_scope",
                        &format!("scope `{sc}` is not registered for this Client object"),
                    );
                }
                if !out.iter().any(|o| o == sc) {
                    out.push(sc.to_owned());
                }
            }
            out
        }
    };
    if scopes.is_empty() {
        return token_error("invalid_scope", "no scope to grant");
    }

    let authorization_details = match params.get("authorization_details") {
        None => None,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(a)) => Some(a),
            _ => {
                return token_error(
                    "invalid_authorization_details",
                    "`authorization_details` must be a JSON array of objects (RFC 9396 §2)",
                );
            }
        },
    };
    // WG1-02 §3.3.2: a Grant Admin token names exactly one existing Grant.
    let catalog = match s.registry.catalog(&s.documents) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let grant_admin = scopes.iter().any(|sc| {
        catalog
            .cds_scope_descriptions
            .get(sc)
            .is_some_and(|d| d.scope_type == ScopeType::GrantAdmin)
    });
    if let Some(details) = &authorization_details {
        for d in details {
            let t = d.get("type").and_then(Value::as_str);
            match t {
                Some(t) if client.authorization_details_types.iter().any(|x| x == t) => {}
                _ => {
                    return token_error(
                        "invalid_authorization_details",
                        "every entry must be an object whose `type` is in the Client object's \
                         authorization_details_types",
                    );
                }
            }
        }
    }
    let mut grant_id = None;
    if grant_admin {
        let Some(details) = &authorization_details else {
            return token_error(
                "invalid_request",
                "a Grant Admin token request must include `authorization_details` naming one \
                 Grant (WG1-02 §3.3.2)",
            );
        };
        let well_formed = details.len() == 1
            && ["client_id", "grant_id"].iter().all(|k| {
                details[0]
                    .get(*k)
                    .and_then(Value::as_str)
                    .is_some_and(|v| (1..=1000).contains(&v.chars().count()))
            });
        if !well_formed {
            return token_error(
                "invalid_authorization_details",
                "a Grant Admin request takes exactly one entry with `client_id` and `grant_id` \
                 strings (WG1-02 §3.3.2)",
            );
        }
        // §3.3.2: approve only a Grant with a matching client_id and an enabled scope that
        // this Grant Admin scope administers.
        let store = s.registry.lock();
        match super::grant_admin::approve(&store, catalog, &registration, &scopes, &details[0]) {
            Ok(id) => grant_id = Some(id),
            Err(r) => return token_error(r.error, &r.description),
        }
    }

    let access_token = random_secret();
    let expires_at = now
        .checked_add(jiff::SignedDuration::from_secs(TOKEN_LIFETIME_SECS as i64))
        .unwrap_or(now);
    let mut store = s.registry.lock();
    // Expired tokens are dropped here so the map does not grow without bound.
    store.tokens.retain(|_, t| t.expires_at > now);
    store.tokens.insert(
        access_token.clone(),
        AccessToken {
            client_id: client.client_id.clone(),
            registration,
            scopes: scopes.clone(),
            expires_at,
            authorization_details: authorization_details.clone(),
            credential_id: Some(credential_id),
            grant_id,
        },
    );
    drop(store);
    let body = TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: Some(TOKEN_LIFETIME_SECS),
        refresh_token: None,
        scope: Some(scopes.join(" ")),
        authorization_details,
        extra: Map::new(),
    };
    let mut r = json_with_status(StatusCode::OK, &body);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_urldecoded() {
        let mut h = HeaderMap::new();
        let raw = base64::engine::general_purpose::STANDARD.encode("a%3Ab:s+e%2Bcret");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {raw}")).unwrap(),
        );
        assert_eq!(
            basic_credentials(&h).unwrap(),
            Some(("a:b".to_owned(), "s e+cret".to_owned()))
        );
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(basic_credentials(&h).is_err());
    }
}
