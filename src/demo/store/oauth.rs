//! The customer authorization flow's records (RFC 6749 §4.1, RFC 9126, CDS-WG1-02 §8.3):
//! pushed requests, pages waiting for the customer, sessions, codes, refresh tokens.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::Value;

use super::Store;

/// A validated authorization request (RFC 6749 §4.1.1 with the CDS defaults applied).
#[derive(Debug, Clone)]
pub struct AuthzRequest {
    pub client_id: String,
    pub registration: String,
    pub redirect_uri: String,
    /// Whether `redirect_uri` was sent (then the token request must repeat it, §4.1.3).
    pub redirect_uri_given: bool,
    pub scopes: Vec<String>,
    /// Checked against the catalog, defaults filled in, relative dates still relative.
    pub authorization_details: Vec<Value>,
    pub state: Option<String>,
    pub code_challenge: String,
    pub prompt_login: bool,
    pub cds_grant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pushed {
    pub request: AuthzRequest,
    pub expires_at: Timestamp,
}

/// A request waiting for the customer's login or decision.
#[derive(Clone)]
pub struct Pending {
    pub request: AuthzRequest,
    pub csrf: String,
    /// The session that logged in for this request (the consent POST must carry it).
    pub session: Option<String>,
    pub customer: Option<String>,
    pub expires_at: Timestamp,
}

#[derive(Clone)]
pub struct Session {
    pub username: String,
    pub expires_at: Timestamp,
}

/// An issued authorization code (RFC 6749 §4.1.2), bound to everything the token request must
/// prove.
#[derive(Clone)]
pub struct IssuedCode {
    pub request: AuthzRequest,
    pub grant_id: String,
    /// As granted: defaults in, dates absolute.
    pub authorization_details: Vec<Value>,
    pub expires_at: Timestamp,
    pub used: bool,
    /// Every token issued from this code, directly or by refresh, shares this id, so reuse of
    /// the code revokes them all (RFC 6749 §4.1.2).
    pub family: String,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshToken {
    pub client_id: String,
    pub registration: String,
    pub grant_id: String,
    pub family: String,
    pub scopes: Vec<String>,
    pub authorization_details: Vec<Value>,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// Already exchanged: presenting it again is reuse.
    pub rotated: bool,
}

/// What the customer flow knows about an access token beyond [`super::AccessToken`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TokenInfo {
    pub grant_id: String,
    pub family: String,
    pub issued_at: Timestamp,
}

/// The customer flow's part of the store. Keys are secrets: Debug prints counts only.
#[derive(Default)]
pub struct OAuthStore {
    pub pushed: HashMap<String, Pushed>,
    pub pending: HashMap<String, Pending>,
    pub sessions: HashMap<String, Session>,
    pub codes: HashMap<String, IssuedCode>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    /// Keyed by access token.
    pub token_info: HashMap<String, TokenInfo>,
    /// Which test customer authorized each Grant (for `cds_grant_id_invalid_user`, §8.3).
    pub grant_customers: HashMap<String, String>,
}

impl std::fmt::Debug for OAuthStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthStore")
            .field("pushed", &self.pushed.len())
            .field("pending", &self.pending.len())
            .field("sessions", &self.sessions.len())
            .field("codes", &self.codes.len())
            .field("refresh_tokens", &self.refresh_tokens.len())
            .finish()
    }
}

impl OAuthStore {
    /// Drops what has expired (called on each flow step so the maps stay small).
    pub fn prune(&mut self, now: Timestamp) {
        self.pushed.retain(|_, p| p.expires_at > now);
        self.pending.retain(|_, p| p.expires_at > now);
        self.sessions.retain(|_, p| p.expires_at > now);
        self.codes.retain(|_, c| c.expires_at > now || c.used);
    }
}

/// `now` plus `secs` seconds (saturating at `now`).
pub fn after(now: Timestamp, secs: i64) -> Timestamp {
    now.checked_add(jiff::SignedDuration::from_secs(secs))
        .unwrap_or(now)
}

/// Removes every access and refresh token descended from one authorization code.
pub fn revoke_family(store: &mut Store, family: &str) {
    let oauth = &mut store.oauth;
    oauth.refresh_tokens.retain(|_, r| r.family != family);
    let doomed: Vec<String> = oauth
        .token_info
        .iter()
        .filter(|(_, i)| i.family == family)
        .map(|(k, _)| k.clone())
        .collect();
    for t in doomed {
        oauth.token_info.remove(&t);
        store.tokens.remove(&t);
    }
}
