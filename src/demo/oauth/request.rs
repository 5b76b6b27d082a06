//! Checking an authorization request (RFC 6749 §4.1.1, PKCE RFC 7636, RAR RFC 9396, the
//! CDS defaults of CDS-WG3-01 §9.1.1 and `cds_grant_id` of CDS-WG1-02 §8.3), shared by PAR and
//! the authorization endpoint.

use std::collections::HashMap;

use url::Url;

use crate::cds::{AuthorizationServerMetadata, ClientObject, ClientStatus, GrantStatus};

use crate::demo::DemoState;
use crate::demo::store::oauth::AuthzRequest;

use super::rar::{self, RarContext};

/// Why a request is refused.
#[derive(Debug)]
pub(crate) enum Reject {
    /// No redirect URI can be trusted: tell the customer on a page, never redirect
    /// (RFC 6749 §4.1.2.1; CDS-WG3-01 §9.3.2 Invalid Request Error).
    Page {
        error: &'static str,
        description: String,
    },
    /// RFC 6749 §4.1.2.1 error response to the (validated) redirect URI.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

pub(crate) fn page_reject(error: &'static str, description: impl Into<String>) -> Reject {
    Reject::Page {
        error,
        description: description.into(),
    }
}

/// Authorization request parameters; values sent empty count as absent, and every parameter
/// sent more than once is remembered (RFC 6749 §3.1: none may repeat).
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: HashMap<String, String>,
    pub repeated: Vec<String>,
}

impl Params {
    pub fn from_pairs<'a>(
        pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> Self {
        let mut p = Params::default();
        for (k, v) in pairs {
            if v.is_empty() {
                // WG1-02 §8.3: an empty cds_grant_id is ignored; RFC 6749 §3.1 likewise.
                continue;
            }
            if p.values.insert(k.to_string(), v.into_owned()).is_some()
                && !p.repeated.contains(&k.to_string())
            {
                p.repeated.push(k.to_string());
            }
        }
        p
    }

    pub fn from_map(values: HashMap<String, String>) -> Self {
        Params {
            values,
            repeated: Vec::new(),
        }
    }

    pub fn get(&self, k: &str) -> Option<&str> {
        self.values.get(k).map(String::as_str)
    }
}

/// Checks one authorization request for `client` (already identified). `direct` is true when
/// the parameters came on the authorization URL rather than through PAR.
pub(crate) fn validate_request(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    client: &ClientObject,
    registration: &str,
    params: &Params,
    direct: bool,
) -> Result<AuthzRequest, Reject> {
    for k in ["client_id", "redirect_uri"] {
        if params.repeated.iter().any(|r| r == k) {
            return Err(page_reject(
                "invalid_request",
                format!("parameter `{k}` is repeated"),
            ));
        }
    }
    if client.cds_status == ClientStatus::Disabled {
        return Err(page_reject(
            "unauthorized_client",
            "this application's Client object is disabled",
        ));
    }
    // The redirect URI first: until it is known to be registered, errors stay on our page.
    let (redirect_uri, redirect_uri_given) = resolve_redirect_uri(client, params)?;
    let back = Back {
        redirect_uri,
        state: params.get("state").map(str::to_owned),
    };
    if let Some(k) = params.repeated.first() {
        return Err(back.reject(
            "invalid_request",
            format!("parameter `{k}` is repeated (RFC 6749 §3.1; WG1-02 §8.3 for cds_grant_id)"),
        ));
    }
    if direct && s.options.require_par {
        return Err(back.reject(
            "invalid_request",
            "this server requires pushed authorization requests: POST the parameters to the \
             pushed_authorization_request_endpoint and send only client_id and request_uri \
             (RFC 9126 §4)"
                .to_owned(),
        ));
    }
    check_response_type(client, params, &back)?;
    let scopes = requested_scopes(catalog, client, params, &back)?;
    let code_challenge = pkce_challenge(params, &back)?;
    let authorization_details = requested_details(s, catalog, client, params, &back)?;
    let prompt_login = params
        .get("prompt")
        .is_some_and(|p| p.split_ascii_whitespace().any(|v| v == "login"));
    // WG1-02 §8.3: cds_grant_id is evaluated after every other parameter.
    let cds_grant_id = requested_grant(s, client, params, &back)?;
    Ok(AuthzRequest {
        client_id: client.client_id.clone(),
        registration: registration.to_owned(),
        redirect_uri: back.redirect_uri,
        redirect_uri_given,
        scopes,
        authorization_details,
        state: back.state,
        code_challenge,
        prompt_login,
        cds_grant_id,
    })
}

/// Where errors go once the redirect URI is known to be registered (RFC 6749 §4.1.2.1).
struct Back {
    redirect_uri: String,
    state: Option<String>,
}

impl Back {
    fn reject(&self, error: &'static str, description: String) -> Reject {
        Reject::Redirect {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
            error,
            description,
        }
    }
}

/// The redirect URI and whether it was sent: a registered one, or the Client object's default
/// (WG3-01 §9.1.1).
fn resolve_redirect_uri(client: &ClientObject, params: &Params) -> Result<(String, bool), Reject> {
    let resolved = match params.get("redirect_uri") {
        Some(uri) => {
            // RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string comparison, except the port of
            // a loopback IP redirect (RFC 8252 §7.3: native apps get a random port each run).
            if !client
                .redirect_uris
                .iter()
                .any(|r| redirect_matches(r, uri))
            {
                return Err(page_reject(
                    "invalid_request",
                    "the redirect_uri is not registered for this application, so the \
                     authorization cannot continue",
                ));
            }
            (uri.to_owned(), true)
        }
        None => match (
            &client.cds_default_redirect_uri,
            client.redirect_uris.as_slice(),
        ) {
            // WG3-01 §9.1.1: absent means the Client object's cds_default_redirect_uri.
            (Some(d), _) => (d.clone(), false),
            (None, [only]) => (only.clone(), false),
            _ => {
                return Err(page_reject(
                    "invalid_request",
                    "the request names no redirect_uri and the application has no default",
                ));
            }
        },
    };
    if Url::parse(&resolved.0).is_err() {
        return Err(page_reject(
            "invalid_request",
            "the application's redirect URI is not an absolute URL",
        ));
    }
    Ok(resolved)
}

/// CDS-WG3-01 §9.1.1: an invalid response_type is an Invalid Request Error page.
fn check_response_type(client: &ClientObject, params: &Params, back: &Back) -> Result<(), Reject> {
    match params.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return Err(page_reject(
                "unsupported_response_type",
                format!("response_type `{other}` is not supported; this server offers `code`"),
            ));
        }
        None => {
            return Err(page_reject(
                "invalid_request",
                "the request has no response_type (it must be `code`)",
            ));
        }
    }
    if !client.response_types.iter().any(|r| r == "code") {
        return Err(back.reject(
            "unauthorized_client",
            "this Client object may not use the authorization code flow".to_owned(),
        ));
    }
    Ok(())
}

/// Scope: absent means cds_default_scope (WG3-01 §9.1.1); each must be registered for this
/// Client object and be a scope customers authorize.
fn requested_scopes(
    catalog: &AuthorizationServerMetadata,
    client: &ClientObject,
    params: &Params,
    back: &Back,
) -> Result<Vec<String>, Reject> {
    let scope_text = params
        .get("scope")
        .map(str::to_owned)
        .or_else(|| client.cds_default_scope.clone())
        .unwrap_or_default();
    let mut scopes: Vec<String> = Vec::new();
    for sc in scope_text.split_ascii_whitespace() {
        if !client.scopes().any(|c| c == sc) {
            return Err(back.reject(
                "invalid_scope",
                format!("scope `{sc}` is not registered for this Client object"),
            ));
        }
        let code_flow = catalog
            .cds_scope_descriptions
            .get(sc)
            .is_some_and(|d| d.response_types_supported.iter().any(|r| r == "code"));
        if !code_flow {
            return Err(back.reject(
                "invalid_scope",
                format!("scope `{sc}` is not granted through customer authorization"),
            ));
        }
        if !scopes.iter().any(|x| x == sc) {
            scopes.push(sc.to_owned());
        }
    }
    if scopes.is_empty() {
        return Err(back.reject("invalid_scope", "no scope requested".to_owned()));
    }
    Ok(scopes)
}

/// PKCE (RFC 7636; WG1-02 §3.4: S256 only, never plain): the code challenge.
fn pkce_challenge(params: &Params, back: &Back) -> Result<String, Reject> {
    let Some(challenge) = params.get("code_challenge") else {
        return Err(back.reject(
            "invalid_request",
            "code_challenge is required: this server requires PKCE with S256 (RFC 7636)".to_owned(),
        ));
    };
    match params.get("code_challenge_method") {
        Some("S256") => {}
        Some(m) => {
            return Err(back.reject(
                "invalid_request",
                format!(
                    "code_challenge_method `{m}` is not supported; use S256 (WG1-02 §3.4 forbids \
                     plain)"
                ),
            ));
        }
        None => {
            return Err(back.reject(
                "invalid_request",
                "code_challenge_method is required and must be S256 (an absent method means \
                 plain, RFC 7636 §4.3, which this server refuses)"
                    .to_owned(),
            ));
        }
    }
    // A S256 challenge is the unpadded Base64url of 32 bytes: 43 characters.
    let challenge_ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !challenge_ok {
        return Err(back.reject(
            "invalid_request",
            "code_challenge must be the 43-character Base64url SHA-256 of the verifier".to_owned(),
        ));
    }
    Ok(challenge.to_owned())
}

/// RAR (RFC 9396): absent means cds_default_authorization_details (WG3-01 §9.1.1); checked
/// against the catalog with defaults filled in.
fn requested_details(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    client: &ClientObject,
    params: &Params,
    back: &Back,
) -> Result<Vec<serde_json::Value>, Reject> {
    let details = match params.get("authorization_details") {
        Some(text) => {
            rar::parse(text).map_err(|e| back.reject("invalid_authorization_details", e.0))?
        }
        None => client
            .cds_default_authorization_details
            .clone()
            .unwrap_or_default(),
    };
    let ctx = RarContext::new(
        catalog,
        client.scopes().collect(),
        &client.authorization_details_types,
        s.registry.now(),
    );
    rar::validate(&details, &ctx).map_err(|e| back.reject("invalid_authorization_details", e.0))
}

/// WG1-02 §8.3: `cds_grant_id` names a Grant of this Client object that needs authorization.
fn requested_grant(
    s: &DemoState,
    client: &ClientObject,
    params: &Params,
    back: &Back,
) -> Result<Option<String>, Reject> {
    let Some(id) = params.get("cds_grant_id") else {
        return Ok(None);
    };
    let store = s.registry.lock();
    let ok = store.grants.iter().any(|g| {
        g.item.grant_id == id
            && g.item.client_id == client.client_id
            && g.item.status == GrantStatus::NeedsAuthorization
    });
    if !ok {
        return Err(back.reject(
            "cds_grant_id_invalid_value",
            "cds_grant_id does not name a Grant of this Client object that needs \
             authorization (WG1-02 §8.3)"
                .to_owned(),
        ));
    }
    Ok(Some(id.to_owned()))
}

/// Exact match, or the same loopback IP redirect on another port (RFC 8252 §7.3).
fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(requested)) else {
        return false;
    };
    let loopback_ip = |u: &url::Url| {
        u.scheme() == "http"
            && (matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback()))
    };
    loopback_ip(&a)
        && loopback_ip(&b)
        && a.host() == b.host()
        && a.path() == b.path()
        && a.query() == b.query()
        && b.fragment().is_none()
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn loopback_ports_may_differ_nothing_else() {
        assert!(redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb"
        ));
        assert!(!redirect_matches(
            "https://a.example/cb",
            "https://a.example/cb2"
        ));
        assert!(redirect_matches(
            "http://127.0.0.1:5000/callback",
            "http://127.0.0.1:6123/callback"
        ));
        assert!(redirect_matches(
            "http://[::1]:5000/cb",
            "http://[::1]:7/cb"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5000/callback",
            "http://127.0.0.1:6123/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:5000/cb",
            "http://[::1]:5000/cb"
        ));
        assert!(!redirect_matches(
            "http://localhost:5000/cb",
            "http://localhost:6000/cb"
        ));
        assert!(!redirect_matches(
            "https://a.example:443/cb",
            "https://a.example:444/cb"
        ));
        assert!(!redirect_matches(
            "https://[::1]:5000/cb",
            "https://[::1]:5001/cb"
        ));
    }
}
