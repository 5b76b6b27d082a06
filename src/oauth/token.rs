//! Token endpoint requests (RFC 6749 §4.1.3 authorization code, §4.4 client credentials, §6
//! refresh) with RFC 9396 `authorization_details`, and token revocation (RFC 7009).
//!
//! Why these requests are made here with our [`HttpClient`] rather than through the `oauth2`
//! crate's `Client` and an `AsyncHttpClient` adapter: the crate's token response type keeps
//! unknown fields only through a custom `ExtraTokenFields` type, and RFC 9396 §7 puts
//! `authorization_details` there, which the engine needs typed as in
//! [`crate::cds::tokens::TokenResponse`] (the type the demo server also writes); it has no PAR
//! (RFC 9126) nor `authorization_details` request parameter at all; and an adapter would still
//! have to re-implement the size cap, the HTTPS policy and URL-naming errors that `HttpClient`
//! already has. The form posts themselves are a few lines, so the crate is used for what it
//! does well (PKCE and `state` generation) and the wire format stays in one visible place.

use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::Value;
use url::Url;

use super::{ClientAuth, OAuthError, clean};
use crate::cds::tokens::{OAuthErrorResponse, TokenResponse};
use crate::http::{self, HttpClient, HttpError};
use crate::secret::Secret;

/// RFC 7009 §2.1 `token_type_hint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypeHint {
    AccessToken,
    RefreshToken,
}

impl TokenTypeHint {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// A response read in full: status, Content-Type, capped body.
pub(crate) struct FormResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// `Authorization: Basic` per RFC 6749 §2.3.1: id and secret each
/// `application/x-www-form-urlencoded` first (so a `:` or non-ASCII character in either
/// survives), then joined by `:` and base64-encoded. Marked sensitive so no log shows it.
fn basic_header(client_id: &str, secret: &Secret) -> Result<HeaderValue, OAuthError> {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(secret.expose()));
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let mut value = HeaderValue::from_str(&format!("Basic {b64}"))
        .map_err(|_| OAuthError::Invalid("client credentials do not fit a header".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// POSTs a form with client authentication. A public client (and, where the RFC asks for it,
/// a confidential one: `client_id_in_body`) sends `client_id` in the body (RFC 6749 §3.2.1,
/// RFC 9126 §2.1).
pub(crate) async fn send_form(
    http: &HttpClient,
    url: &Url,
    auth: &ClientAuth,
    mut form: Vec<(&str, String)>,
    client_id_in_body: bool,
) -> Result<FormResponse, OAuthError> {
    http::check_url(url)?;
    let mut rb = http
        .raw()
        .post(url.clone())
        .header(ACCEPT, "application/json");
    match auth {
        ClientAuth::Basic { client_id, secret } => {
            rb = rb.header(AUTHORIZATION, basic_header(client_id, secret)?);
            if client_id_in_body {
                form.push(("client_id", client_id.clone()));
            }
        }
        ClientAuth::Public { client_id } => form.push(("client_id", client_id.clone())),
    }
    // Through `HttpClient::send`, so a transcript sees the exchange (issue 12).
    let answer = http.send(rb.form(&form), url).await?;
    Ok(FormResponse {
        status: answer.status,
        content_type: answer.content_type,
        body: answer.body,
    })
}

/// The error for a non-success answer: the RFC 6749 §5.2 `error` and `error_description` when
/// the body has them, the bare status otherwise. The body itself is never quoted (it could
/// echo a credential).
pub(crate) fn error_from(url: &Url, r: &FormResponse) -> OAuthError {
    match serde_json::from_slice::<OAuthErrorResponse>(&r.body) {
        Ok(e) if !e.error.is_empty() => OAuthError::Server {
            url: url.clone(),
            status: r.status,
            error: clean(&e.error),
            description: e.error_description.as_deref().map(clean),
        },
        _ => OAuthError::Http(HttpError::Status {
            url: url.clone(),
            status: r.status,
            detail: String::new(),
        }),
    }
}

/// Reads an RFC 6749 §5.1 success body. Parse errors name the JSON path only, never a value.
fn parse_token_response(url: &Url, r: &FormResponse) -> Result<TokenResponse, OAuthError> {
    let value = http::parse_json_body(url, r.content_type.as_deref(), &r.body)?;
    let resp: TokenResponse =
        serde_path_to_error::deserialize(value).map_err(|e| OAuthError::BadResponse {
            url: url.clone(),
            what: format!(
                "the token response does not have the RFC 6749 §5.1 shape (at `{}`)",
                e.path()
            ),
        })?;
    if resp.access_token.is_empty() {
        return Err(OAuthError::BadResponse {
            url: url.clone(),
            what: "the token response has an empty access_token".to_owned(),
        });
    }
    // RFC 6749 §7.1: a client must not use a token whose type it does not understand; this one
    // speaks RFC 6750 Bearer only (case-insensitive, RFC 6750 §4 / RFC 7235 §2.1).
    if !resp.token_type.eq_ignore_ascii_case("bearer") {
        return Err(OAuthError::BadResponse {
            url: url.clone(),
            what: format!(
                "token_type `{}` is not supported (only Bearer, RFC 6750)",
                clean(&resp.token_type)
            ),
        });
    }
    Ok(resp)
}

async fn token_request(
    http: &HttpClient,
    token_endpoint: &Url,
    auth: &ClientAuth,
    form: Vec<(&'static str, String)>,
) -> Result<TokenResponse, OAuthError> {
    let r = send_form(&http.for_step("token"), token_endpoint, auth, form, false).await?;
    // RFC 6749 §5.1 says 200; any 2xx is read as success rather than misreported.
    if (200..300).contains(&r.status) {
        parse_token_response(token_endpoint, &r)
    } else {
        Err(error_from(token_endpoint, &r))
    }
}

/// RFC 9396 §2: `authorization_details` is a JSON array of objects, each with a `type`.
pub(crate) fn details_param(details: &Value) -> Result<String, OAuthError> {
    let ok = details.as_array().is_some_and(|a| {
        a.iter()
            .all(|d| d.get("type").is_some_and(Value::is_string))
    });
    if !ok {
        return Err(OAuthError::Invalid(
            "authorization_details must be a JSON array of objects, each with a string `type` \
             (RFC 9396 §2)"
                .to_owned(),
        ));
    }
    Ok(details.to_string())
}

/// RFC 6749 §4.4 client credentials grant, with RFC 9396 §6 `authorization_details`.
pub async fn client_credentials(
    http: &HttpClient,
    token_endpoint: &Url,
    auth: &ClientAuth,
    scope: Option<&str>,
    authorization_details: Option<&Value>,
) -> Result<TokenResponse, OAuthError> {
    let mut form = vec![("grant_type", "client_credentials".to_owned())];
    if let Some(s) = scope {
        form.push(("scope", s.to_owned()));
    }
    if let Some(d) = authorization_details {
        form.push(("authorization_details", details_param(d)?));
    }
    token_request(http, token_endpoint, auth, form).await
}

/// RFC 6749 §4.1.3 authorization code exchange with the PKCE verifier (RFC 7636 §4.5).
/// `redirect_uri` must be given exactly as in the authorization request when that request
/// carried one.
pub async fn exchange_code(
    http: &HttpClient,
    token_endpoint: &Url,
    auth: &ClientAuth,
    code: &Secret,
    redirect_uri: Option<&str>,
    code_verifier: &Secret,
) -> Result<TokenResponse, OAuthError> {
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.expose().to_owned()),
        ("code_verifier", code_verifier.expose().to_owned()),
    ];
    if let Some(r) = redirect_uri {
        form.push(("redirect_uri", r.to_owned()));
    }
    token_request(http, token_endpoint, auth, form).await
}

/// RFC 6749 §6 refresh. Servers following RFC 9700 §4.14.2 rotate the refresh token: the
/// caller must store `refresh_token` from the response when there is one, and keep the old one
/// only when the response has none.
pub async fn refresh(
    http: &HttpClient,
    token_endpoint: &Url,
    auth: &ClientAuth,
    refresh_token: &Secret,
    scope: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let mut form = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", refresh_token.expose().to_owned()),
    ];
    if let Some(s) = scope {
        form.push(("scope", s.to_owned()));
    }
    token_request(http, token_endpoint, auth, form).await
}

/// RFC 7009 §2.1 revocation. A 200 is success, also for a token the server did not know
/// (§2.2), so revoking twice is fine.
pub async fn revoke(
    http: &HttpClient,
    revocation_endpoint: &Url,
    auth: &ClientAuth,
    token: &Secret,
    hint: Option<TokenTypeHint>,
) -> Result<(), OAuthError> {
    let mut form = vec![("token", token.expose().to_owned())];
    if let Some(h) = hint {
        form.push(("token_type_hint", h.as_str().to_owned()));
    }
    let r = send_form(
        &http.for_step("revocation"),
        revocation_endpoint,
        auth,
        form,
        false,
    )
    .await?;
    if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(error_from(revocation_endpoint, &r))
    }
}

/// When the access token expires: `now` plus `expires_in` (RFC 6749 §5.1), or `None` when the
/// server did not say.
pub fn expires_at(resp: &TokenResponse, now: Timestamp) -> Option<Timestamp> {
    let secs = i64::try_from(resp.expires_in?).ok()?;
    now.checked_add(SignedDuration::from_secs(secs)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded() {
        let h = basic_header("my id:1", &Secret::new("s3cr=t ü")).unwrap();
        assert!(h.is_sensitive());
        let b64 = h.to_str().unwrap().strip_prefix("Basic ").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "my+id%3A1:s3cr%3Dt+%C3%BC");
    }

    #[test]
    fn details_must_be_an_array_of_typed_objects() {
        assert!(details_param(&serde_json::json!([{"type": "a"}])).is_ok());
        assert!(details_param(&serde_json::json!({"type": "a"})).is_err());
        assert!(details_param(&serde_json::json!([{"x": 1}])).is_err());
    }

    #[test]
    fn expiry() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut r: TokenResponse = serde_json::from_value(serde_json::json!({
            "access_token": "a", "token_type": "Bearer", "expires_in": 3600
        }))
        .unwrap();
        assert_eq!(
            expires_at(&r, now).unwrap().to_string(),
            "2026-01-01T01:00:00Z"
        );
        r.expires_in = None;
        assert_eq!(expires_at(&r, now), None);
        r.expires_in = Some(u64::MAX);
        assert_eq!(expires_at(&r, now), None);
    }

    #[test]
    fn server_errors_are_sanitized_and_body_is_not_quoted() {
        let url = Url::parse("https://as.example/token").unwrap();
        let r = FormResponse {
            status: 400,
            content_type: Some("application/json".into()),
            body: br#"{"error":"invalid_grant","error_description":"bad \u001b[31mcode"}"#.to_vec(),
        };
        let e = error_from(&url, &r).to_string();
        assert_eq!(
            e,
            "https://as.example/token: invalid_grant: bad [31mcode (HTTP 400)"
        );
        let r = FormResponse {
            status: 502,
            content_type: None,
            body: b"secret-echo".to_vec(),
        };
        let e = error_from(&url, &r).to_string();
        assert!(e.contains("502") && !e.contains("secret-echo"), "{e}");
    }
}
