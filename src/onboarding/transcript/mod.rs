//! Transcripts of a run (issue 12): every HTTP exchange recorded as HAR 1.2 without a secret
//! in it (`redact`), written as it happens (`writer`), shown live (`recorder`), and served back
//! on loopback to reproduce a client's run offline (`replay`).

pub mod exchange;
pub mod har;
pub mod recorder;
pub mod recording;
pub mod redact;
pub mod replay;
pub mod writer;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

pub use exchange::Exchange;
pub use recorder::Recorder;

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("{0} already exists; a transcript never overwrites a file, choose another name")]
    Exists(PathBuf),
    #[error("{path}: {what}")]
    Io { path: PathBuf, what: String },
    #[error("{path}: not a HAR 1.2 file: {what}")]
    NotHar { path: PathBuf, what: String },
}

/// The recorder of this run (the global `--har FILE`), which every HTTP client the commands
/// and the wizard build is attached to.
static SESSION: Mutex<Option<Arc<Recorder>>> = Mutex::new(None);

/// Makes `recorder` the one every client of this run reports to.
pub fn install(recorder: Arc<Recorder>) {
    *SESSION.lock().unwrap_or_else(PoisonError::into_inner) = Some(recorder);
}

/// The recorder of this run, if one was installed.
pub fn session() -> Option<Arc<Recorder>> {
    SESSION
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// `client`, attached to this run's recorder when there is one.
pub fn observed(client: crate::http::HttpClient) -> crate::http::HttpClient {
    match session() {
        Some(r) => client.with_observer(r),
        None => client,
    }
}

/// Records the authorization response the customer's browser brought back (the loopback
/// callback, or the address pasted) as an inbound exchange: `GET redirect_uri?code=…&state=…`,
/// redacted like every other entry.
pub fn record_callback(
    http: &crate::http::HttpClient,
    redirect_uri: Option<&str>,
    params: &crate::oauth::CallbackParams,
) {
    let base = redirect_uri.unwrap_or("http://127.0.0.1/callback");
    let Ok(mut url) = url::Url::parse(base) else {
        return;
    };
    {
        let mut q = url.query_pairs_mut();
        if let Some(code) = &params.code {
            q.append_pair("code", code.expose());
        }
        for (k, v) in [
            ("state", &params.state),
            ("iss", &params.iss),
            ("error", &params.error),
            ("error_description", &params.error_description),
            ("error_uri", &params.error_uri),
        ] {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
    }
    http.observe(&crate::http::RawExchange {
        step: Some("callback"),
        started: std::time::SystemTime::now(),
        method: "GET",
        url: &url,
        request_headers: Vec::new(),
        request_body: None,
        response: None,
        wait: std::time::Duration::ZERO,
        total: std::time::Duration::ZERO,
        error: None,
        inbound: true,
    });
}
