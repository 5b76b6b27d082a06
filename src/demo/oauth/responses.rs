//! The answers of the customer authorization flow: protected HTML pages, the CDS-WG3-01 §9.3.2
//! error page, redirects to the client with `iss` (RFC 9207) and RFC 6749 §4.1.2.1 errors.

// Helpers hand back a finished error Response for the handler to return as is; one such
// value per request is cheap, and boxing it would only add noise.
#![allow(clippy::result_large_err)]

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use url::Url;

use crate::cds::AuthorizationServerMetadata;

use crate::demo::DemoState;
use crate::demo::pages::{escape, page};
use crate::demo::reply::ApiError;

use super::request::Reject;

/// No caching and no framing for every page of the flow (clickjacking on the consent page),
/// and no script at all: the pages are plain forms, so an injected script could not run
/// (`form-action` is left open, since the consent form's answer redirects to the app).
pub(crate) fn protect(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; \
             frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

pub(crate) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    protect((status, page(title, body)).into_response())
}

/// CDS-WG3-01 §9.3.2 Invalid Request Error: shown, never redirected.
pub(crate) fn error_page(status: StatusCode, error: &str, description: &str) -> Response {
    html(
        status,
        "This authorization request cannot continue",
        &format!(
            "<p>{}</p><p>Error code: <code>{}</code></p><p>Please return to the application \
             and try again, or contact its developer.</p>",
            escape(description),
            escape(error)
        ),
    )
}

pub(crate) fn issuer(s: &DemoState) -> String {
    // RFC 9207 §2: exactly the metadata's `issuer` string (no URL normalisation).
    s.documents
        .oauth_metadata
        .get("issuer")
        .and_then(Value::as_str)
        .map_or_else(|| s.base_url.clone(), str::to_owned)
}

/// A redirect to the client's URI with `pairs` added to its query, plus `iss` (RFC 9207).
pub(crate) fn redirect_to(
    s: &DemoState,
    status: StatusCode,
    uri: &str,
    pairs: &[(&str, &str)],
) -> Response {
    let Ok(mut url) = Url::parse(uri) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the redirect URI is not an absolute URL",
        );
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        q.append_pair("iss", &issuer(s));
    }
    protect((status, [(header::LOCATION, url.to_string())]).into_response())
}

pub(crate) fn error_redirect(
    s: &DemoState,
    status: StatusCode,
    uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(st) = state {
        pairs.push(("state", st));
    }
    redirect_to(s, status, uri, &pairs)
}

pub(crate) fn reject_response(s: &DemoState, r: Reject) -> Response {
    match r {
        Reject::Page { error, description } => {
            error_page(StatusCode::BAD_REQUEST, error, &description)
        }
        Reject::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => error_redirect(
            s,
            StatusCode::FOUND,
            &redirect_uri,
            state.as_deref(),
            error,
            &description,
        ),
    }
}

/// RFC 9126 §2.3: PAR errors are JSON (RFC 6749 §5.2 shape), 400.
pub(crate) fn reject_json(r: Reject) -> Response {
    let (error, description) = match r {
        Reject::Page { error, description } => (error, description),
        Reject::Redirect {
            error, description, ..
        } => (error, description),
    };
    let mut resp = ApiError::new(StatusCode::BAD_REQUEST, error, description).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

pub(crate) fn catalog_or_500(s: &DemoState) -> Result<&AuthorizationServerMetadata, Response> {
    s.registry
        .catalog(&s.documents)
        .map_err(IntoResponse::into_response)
}
