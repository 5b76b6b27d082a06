//! Issuer binding before registration (RFC 8414 §3.3, RFC 9207; issue 9 point 3): the issuer an
//! app registers with, and later checks `iss` against, is one the utility vouches for.
//!
//! CDS-WG1-02 §3.1 lets the server metadata link its OAuth metadata at any URL. When the OAuth
//! document names an issuer on the utility's own host (the one the user named), that host is the
//! trust anchor. When the issuer is on another host, that issuer's own RFC 8414 location must
//! answer with the same issuer and the same endpoints the registration is about to use;
//! otherwise nothing is sent.

use url::Url;

use crate::cds::AuthorizationServerMetadata;
use crate::http::HttpClient;

/// Why registration will not use this issuer.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error(
        "the OAuth metadata names issuer {issuer}{elsewhere}, and that issuer's own RFC 8414 \
         metadata does not confirm it: {why}. Nothing was sent. Ask the utility to serve its \
         OAuth metadata at {well_known} (RFC 8414 §3.3)"
    )]
    Unconfirmed {
        issuer: String,
        /// `, on another host than the utility (URL)` when the utility is known.
        elsewhere: String,
        well_known: String,
        why: String,
    },
    #[error(
        "the OAuth metadata and issuer {issuer}'s own RFC 8414 metadata disagree on \
         `{field}` ({linked} against {confirmed}); nothing was sent. Register only once the \
         utility's documents agree (RFC 8414 §3.3)"
    )]
    Differs {
        issuer: String,
        field: &'static str,
        linked: String,
        confirmed: String,
    },
}

/// Whether `meta` (the OAuth metadata the server metadata at `utility` linked to) may be used
/// to register: `Ok` when its issuer is on the utility's own origin, or when the issuer's
/// RFC 8414 document confirms the issuer and agrees on every endpoint registration uses.
pub async fn confirm(
    http: &HttpClient,
    meta: &AuthorizationServerMetadata,
    utility: Option<&Url>,
) -> Result<(), IssuerError> {
    let issuer = meta.issuer.clone();
    if utility.is_some_and(|u| u.origin() == issuer.origin()) {
        return Ok(());
    }
    let confirmed = crate::oauth::issuer::discover(http, &issuer)
        .await
        .map_err(|e| IssuerError::Unconfirmed {
            issuer: issuer.to_string(),
            elsewhere: utility
                .map(|u| format!(", on another host than the utility ({u})"))
                .unwrap_or_default(),
            well_known: crate::oauth::issuer::rfc8414_url(&issuer).to_string(),
            why: e.to_string(),
        })?;
    let pairs = [
        (
            "registration_endpoint",
            &meta.registration_endpoint,
            &confirmed.registration_endpoint,
        ),
        (
            "token_endpoint",
            &meta.token_endpoint,
            &confirmed.token_endpoint,
        ),
        (
            "authorization_endpoint",
            &meta.authorization_endpoint,
            &confirmed.authorization_endpoint,
        ),
        (
            "pushed_authorization_request_endpoint",
            &meta.pushed_authorization_request_endpoint,
            &confirmed.pushed_authorization_request_endpoint,
        ),
    ];
    for (field, linked, by_issuer) in pairs {
        if linked != by_issuer {
            let show =
                |u: &Option<Url>| u.as_ref().map_or_else(|| "none".to_owned(), Url::to_string);
            return Err(IssuerError::Differs {
                issuer: issuer.to_string(),
                field,
                linked: show(linked),
                confirmed: show(by_issuer),
            });
        }
    }
    Ok(())
}
