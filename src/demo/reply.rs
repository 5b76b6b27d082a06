//! HTTP answers every demo handler shares: JSON bodies with the spec's content type, errors in
//! the RFC 6749 §5.2 / RFC 7591 §3.2.2 shape (the CDS-WG1-02 management APIs name status codes
//! but no error body), and `Cache-Control: no-store` for answers that carry secrets.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::cds::tokens::OAuthErrorResponse;

/// A JSON response with the spec's content type.
pub fn json_with_status(status: StatusCode, body: &impl Serialize) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        serde_json::to_string_pretty(body).unwrap_or_default(),
    )
        .into_response()
}

/// An RFC 6749 §5.2 / RFC 7591 §3.2.2 shaped error. The management APIs use the same shape,
/// since WG1-02 names status codes but no error body.
pub fn error_response(status: StatusCode, error: &str, description: &str) -> Response {
    json_with_status(
        status,
        &OAuthErrorResponse {
            error: error.to_owned(),
            error_description: Some(description.to_owned()),
            error_uri: None,
        },
    )
}

/// An error answer before it becomes a response (small enough to return in a `Result`).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// A `WWW-Authenticate` challenge to send along.
    pub challenge: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, description: String) -> Self {
        Self {
            status,
            error,
            description,
            challenge: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = error_response(self.status, self.error, &self.description);
        if let Some(v) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        r
    }
}

/// Responses that carry a secret or a token must not be cached (RFC 6749 §5.1 reasoning).
pub fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The answer of a handler written as a `Result`.
pub fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}
