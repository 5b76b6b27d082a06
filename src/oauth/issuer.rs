//! Authorization server discovery from an issuer identifier (RFC 8414 §3), for any standards
//! OAuth 2 server, with the OpenID Connect Discovery location as a fallback.

use url::Url;

use super::{OAuthError, clean, same_issuer};
use crate::cds::AuthorizationServerMetadata;
use crate::cds::auth_server_metadata::OAUTH_WELL_KNOWN_SUFFIX;
use crate::cds::drafts;
use crate::http::{self, HttpClient, HttpError};

/// OpenID Connect Discovery 1.0 §4: appended to the issuer.
pub const OPENID_WELL_KNOWN_SUFFIX: &str = "/.well-known/openid-configuration";

/// RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path, whose
/// terminating `/` is removed first: `https://as.example/tenant` →
/// `https://as.example/.well-known/oauth-authorization-server/tenant`.
pub fn rfc8414_url(issuer: &Url) -> Url {
    let path = issuer.path().trim_end_matches('/');
    let mut url = issuer.clone();
    url.set_path(&format!("{OAUTH_WELL_KNOWN_SUFFIX}{path}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// OpenID Connect Discovery §4.1: the suffix appended to the issuer (its trailing `/` removed).
pub fn openid_url(issuer: &Url) -> Url {
    let path = issuer.path().trim_end_matches('/');
    let mut url = issuer.clone();
    url.set_path(&format!("{path}{OPENID_WELL_KNOWN_SUFFIX}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// Fetches and checks the metadata of `issuer`: the RFC 8414 location first, the OpenID one
/// when that answers with an HTTP error or something that is not JSON. The document must name
/// the same issuer (RFC 8414 §3.3, a defence against a server impersonating another), and its
/// endpoints must satisfy the HTTPS policy and not point a remote issuer at this machine.
pub async fn discover(
    http: &HttpClient,
    issuer: &Url,
) -> Result<AuthorizationServerMetadata, OAuthError> {
    http::check_url(issuer)?;
    // RFC 8414 §2: an issuer has no query or fragment.
    if issuer.query().is_some() || issuer.fragment().is_some() {
        return Err(OAuthError::Invalid(format!(
            "{issuer}: an issuer identifier has no query or fragment (RFC 8414 §2)"
        )));
    }
    let mut tried = Vec::new();
    for url in [rfc8414_url(issuer), openid_url(issuer)] {
        match http.for_step("discovery").get_json(&url).await {
            Ok((fetched, raw)) => return check(issuer, &fetched.url, raw),
            // Not there (or not a metadata document): try the next location.
            Err(e @ (HttpError::Status { .. } | HttpError::NotJson { .. })) => {
                tried.push(e.to_string());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(OAuthError::NoMetadata {
        issuer: issuer.to_string(),
        tried: tried.join("; "),
    })
}

fn check(
    issuer: &Url,
    url: &Url,
    raw: serde_json::Value,
) -> Result<AuthorizationServerMetadata, OAuthError> {
    // Older CDS drafts read in the current shape; a plain OAuth document passes unchanged.
    let normalized = drafts::normalize_oauth_metadata(raw);
    let got = normalized
        .value
        .get("issuer")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned);
    match got {
        Some(got) if same_issuer(issuer, &got) => {}
        Some(got) => {
            return Err(OAuthError::IssuerMismatch {
                url: url.clone(),
                expected: issuer.to_string(),
                got: clean(&got),
            });
        }
        None => {
            return Err(OAuthError::BadResponse {
                url: url.clone(),
                what: "the metadata has no `issuer` string (RFC 8414 §2)".to_owned(),
            });
        }
    }
    let metadata: AuthorizationServerMetadata = serde_path_to_error::deserialize(normalized.value)
        .map_err(|e| OAuthError::BadResponse {
            url: url.clone(),
            what: format!(
                "the metadata does not read as RFC 8414 metadata at `{}`: {}",
                e.path(),
                clean(&e.inner().to_string())
            ),
        })?;
    for endpoint in [
        &metadata.authorization_endpoint,
        &metadata.token_endpoint,
        &metadata.pushed_authorization_request_endpoint,
        &metadata.revocation_endpoint,
        &metadata.registration_endpoint,
    ]
    .into_iter()
    .flatten()
    {
        http::check_url(endpoint)?;
        http::check_not_inward(issuer, endpoint)?;
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_locations() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            rfc8414_url(&u("https://as.example")).as_str(),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            rfc8414_url(&u("https://as.example/tenant/1/")).as_str(),
            "https://as.example/.well-known/oauth-authorization-server/tenant/1"
        );
        assert_eq!(
            openid_url(&u("https://as.example/")).as_str(),
            "https://as.example/.well-known/openid-configuration"
        );
        assert_eq!(
            openid_url(&u("https://as.example/tenant")).as_str(),
            "https://as.example/tenant/.well-known/openid-configuration"
        );
    }
}
