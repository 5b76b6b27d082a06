//! The client side of OAuth 2 for the onboarding engine: token requests (RFC 6749 §4.1.3,
//! §4.4, §6), PKCE S256 (RFC 7636), pushed authorization requests (RFC 9126), rich
//! authorization requests (RFC 9396), the `iss` response parameter (RFC 9207), the loopback
//! redirect of native apps (RFC 8252 §7.3), server metadata discovery (RFC 8414) and token
//! revocation (RFC 7009), with the security defaults of RFC 9700 (S256 only, `state` always,
//! exact `iss` check, one-shot listener on 127.0.0.1).
//!
//! Every request goes through [`crate::http::HttpClient`]; secrets are [`Secret`]s and never
//! reach a log line or an error message.

// `OAuthError` carries the URL and the server's own words, so it is larger than clippy likes;
// it is returned once per network round trip, where its size costs nothing measurable.
#![allow(clippy::result_large_err)]

pub mod authorization;
pub mod issuer;
pub mod loopback;
pub mod pkce;
pub mod token;

use url::Url;

use crate::http::HttpError;
use crate::secret::Secret;

pub use authorization::{AuthorizationRequest, CallbackCheck, CallbackParams};
pub use loopback::LoopbackListener;
pub use pkce::Pkce;

/// How the client authenticates at the token, PAR and revocation endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic` (RFC 6749 §2.3.1): HTTP Basic with the form-urlencoded id and
    /// secret.
    Basic { client_id: String, secret: Secret },
    /// `none`: a public client (RFC 6749 §2.1) sends only its `client_id` in the body.
    Public { client_id: String },
}

impl ClientAuth {
    pub fn client_id(&self) -> &str {
        match self {
            ClientAuth::Basic { client_id, .. } | ClientAuth::Public { client_id } => client_id,
        }
    }

    /// The RFC 7591 `token_endpoint_auth_method` name.
    pub fn method(&self) -> &'static str {
        match self {
            ClientAuth::Basic { .. } => "client_secret_basic",
            ClientAuth::Public { .. } => "none",
        }
    }
}

/// Why an OAuth step failed. Messages name the URL and carry the server's RFC 6749 §5.2
/// `error`/`error_description` (sanitized: server text may hold terminal escapes); they never
/// carry a secret, a token, a code or a verifier.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error(transparent)]
    Http(#[from] HttpError),
    /// An RFC 6749 §5.2 (token, PAR, revocation) error response.
    #[error("{url}: {error}{} (HTTP {status})", describe(.description))]
    Server {
        url: Url,
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// An RFC 6749 §4.1.2.1 error response at the redirect URI (`access_denied` when the
    /// customer declined).
    #[error("{}{}", denied_intro(.error), describe(.description))]
    Denied {
        error: String,
        description: Option<String>,
    },
    /// A success status with a body that is not what the RFC says.
    #[error("{url}: {what}")]
    BadResponse { url: Url, what: String },
    /// RFC 6749 §10.12: the callback's `state` is not the one this request sent.
    #[error(
        "the authorization response's `state` does not match this request (a forged or stale \
         redirect; RFC 6749 §10.12)"
    )]
    StateMismatch,
    /// RFC 9207 §2.4: `iss` missing though the server's metadata promises it.
    #[error(
        "the authorization response lacks `iss`, which {issuer} promises \
         (authorization_response_iss_parameter_supported, RFC 9207 §2.4)"
    )]
    MissingIss { issuer: String },
    /// RFC 9207 §2.4: `iss` names another server (a mix-up attack, or the wrong server).
    #[error(
        "the authorization response comes from issuer `{got}`, not `{expected}` (RFC 9207 §2.4)"
    )]
    IssMismatch { expected: String, got: String },
    /// A callback without `code` and without `error`, or otherwise malformed.
    #[error("the authorization response is malformed: {0}")]
    BadCallback(String),
    /// RFC 8414 §3.3: the metadata document names another issuer.
    #[error("{url}: the metadata names issuer `{got}`, not `{expected}` (RFC 8414 §3.3)")]
    IssuerMismatch {
        url: Url,
        expected: String,
        got: String,
    },
    /// Neither RFC 8414 nor OpenID discovery location served metadata.
    #[error("no authorization server metadata for {issuer}: {tried}")]
    NoMetadata { issuer: String, tried: String },
    /// The authorization callback did not arrive at the loopback redirect URI `at` in time.
    #[error(
        "no authorization response at {at} within {secs} s (authorization callback: the \
         customer did not finish at the authorization server)"
    )]
    Timeout { at: String, secs: u64 },
    #[error("the loopback listener failed: {0}")]
    Listener(String),
    /// The caller asked for something these RFCs do not allow.
    #[error("{0}")]
    Invalid(String),
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

fn denied_intro(error: &str) -> String {
    if error == "access_denied" {
        "the customer declined the authorization (access_denied)".to_owned()
    } else {
        format!("the authorization server refused the request ({error})")
    }
}

/// Server text for an error message: control characters removed, length capped.
pub(crate) fn clean(s: &str) -> String {
    crate::text::sanitize_line(s, 300)
}

/// Compares two secrets-to-be (state values) without an early exit, so the time taken does not
/// tell an attacker how many leading characters were right. Lengths are not secret.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether two issuer identifiers are the same. RFC 9207 §2.4 and RFC 8414 §3.3 ask for simple
/// string comparison; `Url` has already applied RFC 3986 §6.2.2 syntax normalization to ours
/// (`http://host:1` reads back as `http://host:1/`), so an exact match on the text as received
/// is tried first, then equality after that same normalization. Normalization only folds
/// spellings of the same identifier (scheme/host case, default port, empty path), so a
/// different server can never compare equal.
pub(crate) fn same_issuer(expected: &Url, got: &str) -> bool {
    if got == expected.as_str() {
        return true;
    }
    Url::parse(got).is_ok_and(|u| &u == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_comparison() {
        let i = Url::parse("http://127.0.0.1:8080").unwrap();
        assert!(same_issuer(&i, "http://127.0.0.1:8080"));
        assert!(same_issuer(&i, "http://127.0.0.1:8080/"));
        assert!(!same_issuer(&i, "http://127.0.0.1:8081"));
        assert!(!same_issuer(&i, "https://127.0.0.1:8080"));
        let t = Url::parse("https://as.example/tenant").unwrap();
        assert!(same_issuer(&t, "https://AS.example/tenant"));
        assert!(!same_issuer(&t, "https://as.example/tenant/"));
        assert!(!same_issuer(&t, "https://as.example/other"));
        assert!(!same_issuer(&t, "not a url"));
    }

    #[test]
    fn constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn errors_read_well() {
        let e = OAuthError::Denied {
            error: "access_denied".into(),
            description: Some("no".into()),
        };
        assert_eq!(
            e.to_string(),
            "the customer declined the authorization (access_denied): no"
        );
        let e = OAuthError::Server {
            url: Url::parse("https://as.example/token").unwrap(),
            status: 401,
            error: "invalid_client".into(),
            description: None,
        };
        assert_eq!(
            e.to_string(),
            "https://as.example/token: invalid_client (HTTP 401)"
        );
    }
}
