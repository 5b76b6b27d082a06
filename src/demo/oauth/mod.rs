//! The demo's OAuth 2.0 authorization server: RFC 7591 registration as CDS-WG1-02 §4 shapes it,
//! RFC 9126 pushed requests, the authorization endpoint with its login and consent pages
//! (RFC 6749 §4.1, CDS-WG3-01 §9), the token endpoint, and RFC 7662/7009 introspection and
//! revocation.

pub mod authorize;
mod client_auth;
mod client_credentials;
pub mod consent;
pub mod grant_admin;
pub mod introspect;
pub mod par;
pub mod rar;
pub mod register;
mod request;
mod responses;
mod session;
pub mod token;

/// RFC 9126 §2.2: the `request_uri` prefix.
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// Lifetime of a pushed request (RFC 9126 §2.2 `expires_in`).
pub const PAR_LIFETIME_SECS: i64 = 60;
/// Lifetime of an authorization code (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_LIFETIME_SECS: i64 = 60;
/// How long a login/consent page stays usable.
pub const PENDING_LIFETIME_SECS: i64 = 15 * 60;
/// Customer session length: WG3-01 §9.1.2 asks for at least 10 minutes beyond activity.
pub const SESSION_LIFETIME_SECS: i64 = 30 * 60;
/// The HttpOnly session cookie.
pub const SESSION_COOKIE: &str = "dge_session";
