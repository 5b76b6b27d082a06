//! The hook a transcript records through (issue 12): every exchange made by [`HttpClient`]
//! (request, response as read within the size cap, timings, the move a redirect made, the
//! error) is handed, unredacted and only for the duration of the call, to an
//! [`ExchangeObserver`]. Redaction and storage are the observer's business
//! (`onboarding::transcript`).
//!
//! [`HttpClient`]: super::HttpClient

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use url::Url;

/// Receives every exchange of the clients it is attached to. Called on the request's task,
/// after the body is read (or the request failed): it must not block for long.
pub trait ExchangeObserver: Send + Sync {
    fn exchange(&self, exchange: &RawExchange<'_>);
}

/// One request and what came back, as the client saw it. Holds secrets (headers, bodies):
/// never keep it, never print it.
#[derive(Debug)]
pub struct RawExchange<'a> {
    /// The engine step that made the request (`discovery`, `registration`, `PAR`, `token`,
    /// `revocation`, `management`, `callback`), when the caller labelled its client.
    pub step: Option<&'static str>,
    /// Wall-clock time the request started.
    pub started: SystemTime,
    pub method: &'a str,
    pub url: &'a Url,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<&'a [u8]>,
    /// `None` when no answer came (connect failure, timeout before the headers).
    pub response: Option<RawResponse<'a>>,
    /// From the start until the response headers arrived (or the failure).
    pub wait: Duration,
    /// From the start until the body was read (or the failure).
    pub total: Duration,
    /// What went wrong, in the words of [`super::HttpError`].
    pub error: Option<String>,
    /// Whether this exchange came in to us (the loopback callback) rather than went out.
    pub inbound: bool,
}

/// The response half of a [`RawExchange`].
#[derive(Debug)]
pub struct RawResponse<'a> {
    pub status: u16,
    pub http_version: String,
    pub headers: Vec<(String, String)>,
    /// The body as read: whole, or cut at the size cap (`cut`), or up to a broken connection.
    pub body: &'a [u8],
    /// The body was longer than the cap and reading stopped.
    pub cut: bool,
}

/// The observer of a client, with a `Debug` that does not try to print it.
#[derive(Clone)]
pub(super) struct Observer(pub(super) Arc<dyn ExchangeObserver>);

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// Header names and values as text (values that are not UTF-8 are shown lossily).
pub(super) fn header_list(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// `HTTP/1.1`, `HTTP/2.0`, ... as HAR writes it.
pub(super) fn version_text(v: reqwest::Version) -> String {
    format!("{v:?}")
}
