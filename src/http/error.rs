//! What can go wrong with a request, each error naming its URL.

use url::Url;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("`{0}` is not an http(s) URL")]
    NotHttp(String),
    #[error("{0}: plain http is only allowed for loopback hosts; use https")]
    Insecure(Url),
    #[error("{url}: {what}")]
    Connect { url: Url, what: String },
    #[error("{url}: no complete answer within {secs} s")]
    Timeout { url: Url, secs: u64 },
    #[error("{url}: HTTP {status}{detail}")]
    Status {
        url: Url,
        status: u16,
        detail: String,
    },
    #[error("{url}: response larger than the {limit}-byte limit")]
    TooLarge { url: Url, limit: usize },
    #[error("{url}: redirect loop ({chain})")]
    RedirectLoop { url: Url, chain: String },
    #[error("{url}: more than {max} redirects")]
    TooManyRedirects { url: Url, max: usize },
    #[error("{url}: redirect without a usable Location header")]
    BadRedirect { url: Url },
    #[error("{url}: {what}")]
    NotJson { url: Url, what: String },
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    #[error(
        "{from} (a remote server) points at {to}, on this machine or its private network; not followed"
    )]
    Inward { from: Url, to: String },
}

impl HttpError {
    /// The URL the error is about, when there is one.
    pub fn url(&self) -> Option<&Url> {
        match self {
            HttpError::NotHttp(_) | HttpError::Setup(_) => None,
            HttpError::Insecure(u) => Some(u),
            HttpError::Connect { url, .. }
            | HttpError::Timeout { url, .. }
            | HttpError::Status { url, .. }
            | HttpError::TooLarge { url, .. }
            | HttpError::RedirectLoop { url, .. }
            | HttpError::TooManyRedirects { url, .. }
            | HttpError::BadRedirect { url }
            | HttpError::NotJson { url, .. } => Some(url),
            HttpError::Inward { from, .. } => Some(from),
        }
    }
}
