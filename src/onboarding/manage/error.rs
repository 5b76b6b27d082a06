//! Errors of the management APIs (CDS-WG1-02 §5–§9): each names the URL or the object and the
//! spec section, so a person knows what failed where.

use std::path::PathBuf;

use url::Url;

use crate::http::HttpError;
use crate::oauth::OAuthError;
use crate::onboarding::tokens::TokenError;
use crate::profiles::IndexError;
use crate::vault::VaultError;

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no profile `{0}` (see `cds-wizard profiles`)")]
    NoProfile(String),
    #[error("profile `{0}` has no admin client (register first, or `register --resume`)")]
    NoAdminClient(String),
    #[error("the profile records no {api} URL (WG1-02 {section}); the server does not offer it")]
    NoEndpoint {
        api: &'static str,
        section: &'static str,
    },
    /// The cause is part of the message (not a `source`, which would print it twice).
    #[error("{} (WG1-02 {section}): {cause}", api_name(.section))]
    Http {
        section: &'static str,
        cause: HttpError,
    },
    #[error("{url}: {what} ({}, WG1-02 {section})", api_name(.section))]
    Shape {
        url: Url,
        section: &'static str,
        what: String,
    },
    #[error(
        "{url}: `next` leads back to a page already read or past {max} pages; stopped (WG1-02 {section})"
    )]
    Loop {
        url: Url,
        section: &'static str,
        max: usize,
    },
    #[error(
        "{url} is not on the server's API origin; the admin token is not sent there (WG1-02 {section})"
    )]
    Foreign { url: Url, section: &'static str },
    #[error("no {what} `{id}` for this profile (WG1-02 {section})")]
    NotFound {
        what: &'static str,
        id: String,
        section: &'static str,
    },
    /// Refused before anything was sent, with the reason.
    #[error("refused, nothing sent: {0}")]
    Refused(String),
    #[error("could not get the admin token: {0}")]
    Token(#[from] TokenError),
    #[error("Grant Admin token for Grant {grant_id} (WG1-02 §3.3.2): {cause}")]
    GrantAdmin { grant_id: String, cause: OAuthError },
    #[error("the server's authorization metadata: {0}")]
    Metadata(OAuthError),
    #[error("credential rotation stopped at step `{step}`: {why}. {current}")]
    Rotation {
        step: &'static str,
        why: String,
        /// Which secret the keyring holds now and what was left behind, in words.
        current: String,
    },
    #[error("{path}: {what}")]
    File { path: PathBuf, what: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl ManageError {
    pub(crate) fn http(section: &'static str) -> impl FnOnce(HttpError) -> ManageError {
        move |cause| ManageError::Http { section, cause }
    }

    /// The HTTP status the server answered, when this is an HTTP status error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ManageError::Http {
                cause: HttpError::Status { status, .. },
                ..
            } => Some(*status),
            _ => None,
        }
    }
}

/// The API a WG1-02 section belongs to, for messages that name the step.
fn api_name(section: &str) -> &'static str {
    let chapter = section
        .trim_start_matches('§')
        .split('.')
        .next()
        .unwrap_or_default();
    match chapter {
        "3" => "authorization server metadata",
        "5" => "Clients API",
        "6" => "Messages API",
        "7" => "Credentials API",
        "8" => "Grants API",
        "9" => "Server-Provided Files API",
        _ => "management API",
    }
}
