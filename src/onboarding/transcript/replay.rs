//! `cds-wizard replay` (issue 12 item 4): a recorded transcript served on 127.0.0.1. Each
//! request is matched to the recorded exchange with the same method and URL (the recorded
//! origins rewritten to the server's own, secret parameters compared redacted); repeated
//! requests get the recorded answers in order, then the last again. The answer is the
//! recorded one — status, headers, body, a body cut at the client's cap, a connection that
//! broke, and with `timing` the recorded slowness. Anything else is a 404 with a JSON body
//! saying so, and is listed when the server stops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::recording::{Recorded, Recording, Rewriter};
use super::redact;

/// Padding sent after a body that the client cut at its size cap, so it is cut again.
const CUT_PADDING: usize = 9 * 1024 * 1024;

/// Headers not repeated: the server computes its own framing.
const DROPPED_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "date",
];

struct ReplayState {
    recording: Recording,
    /// Recorded URL → replay URL, for bodies and `Location`.
    out: Rewriter,
    /// `(method, recorded URL redacted)` → indices of entries, in order.
    by_request: HashMap<(String, String), Vec<usize>>,
    /// `(method, recorded URL without query)` → indices, for a query that differs.
    by_path: HashMap<(String, String), Vec<usize>>,
    /// How many times each key was answered.
    served: Mutex<HashMap<(String, String), usize>>,
    unrecorded: Mutex<Vec<String>>,
    origins: Vec<String>,
    timing: bool,
}

/// A running replay server.
pub struct ReplayServer {
    pub base_url: String,
    /// Recorded origin → where this server serves it.
    pub mapping: Vec<(String, String)>,
    state: Arc<ReplayState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplayServer {
    /// Binds `127.0.0.1:port` (0: any free port) and serves `recording`.
    pub async fn start(recording: Recording, port: u16, timing: bool) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let out = Rewriter::for_replay(&recording.origins, &base_url);
        let mapping = out
            .pairs()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        let mut by_request: HashMap<_, Vec<usize>> = HashMap::new();
        let mut by_path: HashMap<_, Vec<usize>> = HashMap::new();
        for (i, e) in recording.entries.iter().enumerate() {
            by_request
                .entry((e.method.clone(), key_url(e.url.as_str())))
                .or_default()
                .push(i);
            by_path
                .entry((e.method.clone(), without_query(e.url.as_str())))
                .or_default()
                .push(i);
        }
        let state = Arc::new(ReplayState {
            origins: recording.origins.clone(),
            recording,
            out,
            by_request,
            by_path,
            served: Mutex::default(),
            unrecorded: Mutex::default(),
            timing,
        });
        let app = Router::new().fallback(answer).with_state(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(ReplayServer {
            base_url,
            mapping,
            state,
            shutdown: Some(tx),
            task,
        })
    }

    /// The requests the recording had no answer for, so far (`GET http://…`).
    pub fn unrecorded(&self) -> Vec<String> {
        lock(&self.state.unrecorded).clone()
    }

    /// The URL a discovery of the recording starts at, on this server.
    pub fn start_url(&self) -> Option<String> {
        let u = self.state.recording.start_url()?;
        Some(self.state.out.text(u.as_str()))
    }

    /// Stops serving; the requests the recording had no answer for.
    pub async fn stop(mut self) -> Vec<String> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Connections still open (a client reading slowly) get a moment, not a veto.
        if tokio::time::timeout(std::time::Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
        self.unrecorded()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A URL as matched: secret query and fragment parameters redacted (the recording has them
/// redacted, a replayed client sends fresh ones).
fn key_url(url: &str) -> String {
    match url.split_once('?') {
        Some((base, q)) => format!("{base}?{}", redact::pairs(q)),
        None => url.to_owned(),
    }
}

fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_owned()
}

async fn answer(State(st): State<Arc<ReplayState>>, req: Request) -> Response {
    let method = req.method().as_str().to_owned();
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let recorded_url = recorded_url(&st.origins, &target);
    let key = (method.clone(), key_url(&recorded_url));
    let path_key = (method.clone(), without_query(&recorded_url));
    let (list, k) = match st.by_request.get(&key) {
        Some(list) => (list, key),
        None => match st.by_path.get(&path_key) {
            Some(list) => (list, path_key),
            None => {
                lock(&st.unrecorded).push(format!("{method} {recorded_url}"));
                return not_recorded(&method, &recorded_url);
            }
        },
    };
    let n = {
        let mut served = lock(&st.served);
        let n = served.entry(k).or_insert(0);
        *n += 1;
        *n - 1
    };
    let idx = list[n.min(list.len() - 1)];
    let entry = &st.recording.entries[idx];
    if st.timing {
        tokio::time::sleep(entry.time).await;
    }
    if entry.status.is_none() && stalled(entry) {
        // The recorded server never answered in time: neither does the replay (the client
        // gives up at its own timeout, as it did).
        std::future::pending::<()>().await;
    }
    respond(&st.out, entry)
}

/// The recorded exchange ended in the client's timeout.
fn stalled(e: &Recorded) -> bool {
    e.error
        .as_deref()
        .is_some_and(|m| m.contains("no complete answer within"))
}

/// The recorded URL a request to this server stands for: `/_origin/N/…` for the Nth origin,
/// the first origin otherwise.
fn recorded_url(origins: &[String], target: &str) -> String {
    if let Some(rest) = target.strip_prefix("/_origin/") {
        let (n, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        if let Some(origin) = n.parse::<usize>().ok().and_then(|i| origins.get(i)) {
            let path = if path.starts_with('/') {
                path.to_owned()
            } else {
                format!("/{path}")
            };
            return format!("{origin}{path}");
        }
    }
    format!(
        "{}{target}",
        origins.first().map_or("http://127.0.0.1", String::as_str)
    )
}

fn not_recorded(method: &str, url: &str) -> Response {
    let body = json!({
        "error": "not_recorded",
        "error_description": format!(
            "cds-wizard replay: the transcript holds no answer for {method} {url}"
        ),
    });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// The recorded answer, with recorded origins rewritten to this server.
fn respond(out: &Rewriter, e: &Recorded) -> Response {
    let stalled = stalled(e);
    let Some(status) = e.status else {
        let body = json!({
            "error": "recorded_failure",
            "error_description": format!(
                "cds-wizard replay: the recorded request got no answer: {}",
                e.error.as_deref().unwrap_or("unknown failure")
            ),
        });
        return (StatusCode::BAD_GATEWAY, axum::Json(body)).into_response();
    };
    let body: Vec<u8> = if e.text {
        out.text(&String::from_utf8_lossy(&e.body)).into_bytes()
    } else {
        e.body.clone()
    };
    let broke = e.error.is_some() && !e.cut && !stalled;
    let body = if stalled {
        // Part of the body, then silence until the client's timeout, as recorded.
        let rest = futures::stream::pending::<Result<Bytes, std::io::Error>>();
        Body::from_stream(futures::StreamExt::chain(
            futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(body))]),
            rest,
        ))
    } else if e.cut || broke {
        let padding = e.cut.then(|| {
            let declared = e
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            declared.max(body.len() + CUT_PADDING) - body.len()
        });
        Body::from_stream(body_stream(body, padding, broke))
    } else {
        Body::from(body)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (k, v) in &e.headers {
        if DROPPED_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        let v = if k.eq_ignore_ascii_case("location") {
            out.text(v)
        } else {
            v.clone()
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            resp.headers_mut().append(name, value);
        }
    }
    resp
}

/// The body, then `padding` spaces in pieces, then (when the recorded connection broke) an
/// error that ends the connection mid-body.
fn body_stream(
    body: Vec<u8>,
    padding: Option<usize>,
    broke: bool,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> {
    const PIECE: usize = 64 * 1024;
    let mut pieces: Vec<Result<Bytes, std::io::Error>> = vec![Ok(Bytes::from(body))];
    if let Some(mut left) = padding {
        let chunk = Bytes::from(vec![b' '; PIECE]);
        while left > 0 {
            let n = left.min(PIECE);
            pieces.push(Ok(chunk.slice(..n)));
            left -= n;
        }
    }
    if broke {
        pieces.push(Err(std::io::Error::other(
            "the recorded connection broke here",
        )));
    }
    futures::stream::iter(pieces)
}
