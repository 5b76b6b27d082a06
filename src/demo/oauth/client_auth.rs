//! Client authentication and request parameters of the token, PAR, introspection and
//! revocation endpoints (RFC 6749 §2.3, §3.1–§3.2) and their RFC 6749 §5.2 errors.

// Helpers hand back a finished error Response for the handler to return as is.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;

use crate::cds::auth_methods;
use crate::cds::{ClientObject, ClientStatus};

use crate::cds::tokens::TokenResponse;
use crate::demo::DemoState;
use crate::demo::reply::{error_response, json_with_status};
use crate::demo::store::constant_time_eq;

/// An RFC 6749 §5.2 error with `Cache-Control: no-store`; `invalid_client` also carries the
/// `WWW-Authenticate: Basic` challenge (401) since clients authenticate with Basic.
pub(crate) fn token_error(error: &str, description: &str) -> Response {
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

/// A successful token response with the no-store headers of RFC 6749 §5.1.
pub(crate) fn token_ok(body: &TokenResponse) -> Response {
    let mut r = json_with_status(StatusCode::OK, body);
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// Client id and secret from `Authorization: Basic`, each form-urldecoded (RFC 6749 §2.3.1).
pub(crate) fn basic_credentials(
    headers: &HeaderMap,
) -> Result<Option<(String, String)>, &'static str> {
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

/// Form parameters of the token, PAR, introspection and revocation endpoints: the body must be
/// `application/x-www-form-urlencoded`; a parameter without a value is treated as omitted and
/// none may repeat (RFC 6749 §3.1, §3.2). A repeated non-empty `cds_grant_id` is refused this
/// way too (WG1-02 §8.3).
// The error is the finished response the caller returns as is.
#[allow(clippy::result_large_err)]
pub(crate) fn form_params(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, Response> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim();
    if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(token_error(
            "invalid_request",
            "the request body must be application/x-www-form-urlencoded",
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

/// Authenticates the calling client by its registered `token_endpoint_auth_method`
/// (RFC 6749 §2.3): `client_secret_basic` through HTTP Basic, `none` (public clients, only
/// where `allow_public`) by `client_id` in the body. Returns the Client object and the
/// registration it belongs to, or an `invalid_client` (401) / `invalid_request` response.
// The error is the finished response the caller returns as is.
#[allow(clippy::result_large_err)]
pub(crate) fn authenticate_client(
    s: &DemoState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    allow_public: bool,
) -> Result<(ClientObject, String), Response> {
    let basic = basic_credentials(headers).map_err(|why| token_error("invalid_client", why))?;
    if params.contains_key("client_secret") {
        return Err(token_error(
            "invalid_client",
            "client_secret_post is not supported: use HTTP Basic (client_secret_basic)",
        ));
    }
    let (client_id, secret) = claimed_client(basic, params)?;
    let now = s.registry.now();
    let store = s.registry.lock();
    let Some(record) = store.client(&client_id) else {
        return Err(token_error(
            "invalid_client",
            "unknown client or wrong secret",
        ));
    };
    let method = record.item.token_endpoint_auth_method.as_deref();
    match (secret, method) {
        (Some(secret), Some(auth_methods::CLIENT_SECRET_BASIC)) => {
            let ok = store.credentials.iter().any(|c| {
                c.item.client_id == client_id
                    && c.item
                        .client_secret_expires_at
                        .is_none_or(|t| t == 0 || t > now.as_second())
                    && c.item
                        .client_secret
                        .as_deref()
                        .is_some_and(|cs| constant_time_eq(cs.as_bytes(), secret.as_bytes()))
            });
            if !ok {
                return Err(token_error(
                    "invalid_client",
                    "unknown client or wrong secret",
                ));
            }
        }
        (None, Some(auth_methods::NONE)) if allow_public => {}
        (None, Some(auth_methods::NONE)) => {
            return Err(token_error(
                "invalid_client",
                "this endpoint needs a confidential client authenticated with HTTP Basic",
            ));
        }
        (None, _) => {
            return Err(token_error(
                "invalid_client",
                "this client must authenticate with HTTP Basic (client_secret_basic)",
            ));
        }
        (Some(_), _) => {
            return Err(token_error(
                "invalid_client",
                "this client is registered without a secret (token_endpoint_auth_method none)",
            ));
        }
    }
    if record.item.cds_status == ClientStatus::Disabled {
        return Err(token_error(
            "invalid_client",
            "this Client object is disabled",
        ));
    }
    Ok((record.item.clone(), record.registration.clone()))
}

/// The client id a request claims and the secret it proves it with: from HTTP Basic, or a
/// public client's `client_id` in the body.
fn claimed_client(
    basic: Option<(String, String)>,
    params: &HashMap<String, String>,
) -> Result<(String, Option<String>), Response> {
    match basic {
        Some((id, secret)) => {
            if params.get("client_id").is_some_and(|b| *b != id) {
                return Err(token_error(
                    "invalid_request",
                    "`client_id` in the body differs from the authenticated client",
                ));
            }
            Ok((id, Some(secret)))
        }
        None => match params.get("client_id") {
            Some(id) => Ok((id.clone(), None)),
            None => Err(token_error(
                "invalid_client",
                "client authentication is required: HTTP Basic, or `client_id` for a public \
                 client",
            )),
        },
    }
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
