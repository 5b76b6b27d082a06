//! The loopback redirect of a native app (RFC 8252 §7.3, §8.3): a listener on `127.0.0.1` with
//! a port the OS picks, bound before the browser opens, that takes exactly one authorization
//! response and then closes.
//!
//! Hand-rolled over `tokio::net::TcpListener` rather than an axum router: the only thing read
//! is the request line of a GET, and owning the loop makes the limits explicit (at most
//! [`MAX_REQUEST`] bytes per request, [`READ_TIMEOUT`] per connection, [`MAX_CONNECTIONS`] at
//! once) and the one-shot rule exact: the first request to the callback path that carries this
//! authorization's `state` (compared in constant time, RFC 6749 §10.12) ends the listening.
//! Any other request — another path (a browser's `/favicon.ico`: 404), a forged or stale
//! callback without the right `state` (400) — is answered and does not count, so a local
//! process racing the browser cannot end the wait. Connections are
//! served concurrently because browsers open idle speculative connections that would otherwise
//! hold the real request back until their read timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{CallbackParams, OAuthError};

/// The callback path used unless another is chosen.
pub const DEFAULT_PATH: &str = "/callback";
/// Largest request head read (request line and headers).
pub const MAX_REQUEST: usize = 8 * 1024;
/// How long one connection may take to send its request head.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; more are closed unanswered.
pub const MAX_CONNECTIONS: usize = 16;

/// A bound, not yet used loopback listener.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: std::net::TcpListener,
    port: u16,
    path: String,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:0` (an IP literal, not `localhost`, RFC 8252 §8.3) with the
    /// [`DEFAULT_PATH`]. Call it before sending the authorization request, so the redirect URI
    /// names a port that is already ours.
    pub fn bind() -> Result<Self, OAuthError> {
        Self::bind_at(DEFAULT_PATH)
    }

    /// [`LoopbackListener::bind`] with another callback path (`/` followed by path characters,
    /// no query or fragment).
    pub fn bind_at(path: &str) -> Result<Self, OAuthError> {
        let ok = path.starts_with('/')
            && path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
        if !ok {
            return Err(OAuthError::Invalid(format!(
                "`{path}` is not a usable callback path"
            )));
        }
        let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| OAuthError::Listener(format!("cannot bind 127.0.0.1: {e}")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| OAuthError::Listener(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Listener(e.to_string()))?
            .port();
        Ok(LoopbackListener {
            listener,
            port,
            path: path.to_owned(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The redirect URI to register and send: `http://127.0.0.1:PORT/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    /// Serves until the first GET of the callback path whose `state` is `expected_state`,
    /// answers it with a short page, and returns its query. Gives up with
    /// [`OAuthError::Timeout`] after `timeout`. The listener is closed when this returns,
    /// either way (one use).
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<CallbackParams, OAuthError> {
        let at = self.redirect_uri();
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| OAuthError::Listener(e.to_string()))?;
        let path: Arc<str> = self.path.into();
        let expected: Arc<str> = expected_state.into();
        let claimed = Arc::new(AtomicBool::new(false));
        let (tx, mut rx) = mpsc::channel::<CallbackParams>(1);
        let mut tasks = JoinSet::new();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                Some(params) = rx.recv() => return Ok(params),
                () = &mut deadline => {
                    // Rounded up, so a sub-second timeout does not read as "0 s".
                    let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
                    return Err(OAuthError::Timeout { at, secs });
                }
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    if tasks.len() >= MAX_CONNECTIONS {
                        continue; // dropped: closed unanswered
                    }
                    let expect = Expect {
                        path: path.clone(),
                        state: expected.clone(),
                    };
                    tasks.spawn(serve(stream, expect, claimed.clone(), tx.clone()));
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        // Returning drops `tasks` (aborting connections still open) and the listener.
    }
}

/// What completes the wait: a request to `path` carrying `state`.
struct Expect {
    path: Arc<str>,
    state: Arc<str>,
}

/// Whether a callback carries the expected `state`, compared in constant time.
fn state_matches(params: &CallbackParams, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    params
        .state
        .as_deref()
        .is_some_and(|got| bool::from(got.as_bytes().ct_eq(expected.as_bytes())))
}

/// Whether two redirect URIs are the same loopback IP redirect but for the port, which an
/// authorization server must ignore for them (RFC 8252 §7.3).
pub fn same_except_port(registered: &str, uri: &str) -> bool {
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(uri)) else {
        return false;
    };
    let loopback_ip = |u: &url::Url| match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    };
    a.scheme() == "http"
        && b.scheme() == "http"
        && loopback_ip(&a)
        && a.host() == b.host()
        && a.path() == b.path()
        && a.query() == b.query()
}

/// Serves one connection: reads the request head within the limits, answers, and hands the
/// callback over when this was the first request to the callback path with the right `state`.
async fn serve(
    mut stream: TcpStream,
    expect: Expect,
    claimed: Arc<AtomicBool>,
    tx: mpsc::Sender<CallbackParams>,
) {
    let path = expect.path;
    let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Ok(Some(head))) => head,
        Ok(Ok(None)) => {
            respond(
                &mut stream,
                431,
                "Request too large",
                "<p>Request too large.</p>",
            )
            .await;
            return;
        }
        // Silent or broken connection: close it.
        Ok(Err(_)) | Err(_) => return,
    };
    let Some((method, target)) = request_line(&head) else {
        respond(&mut stream, 400, "Bad request", "<p>Bad request.</p>").await;
        return;
    };
    let (req_path, query) = target.split_once('?').unwrap_or((target, ""));
    // Logs name the path only: the query holds the authorization code.
    tracing::debug!(method, path = req_path, "loopback request");
    if req_path != &*path {
        respond(&mut stream, 404, "Not found", "<p>Not found.</p>").await;
        return;
    }
    if method != "GET" {
        respond(&mut stream, 405, "Method not allowed", "<p>Use GET.</p>").await;
        return;
    }
    let params = CallbackParams::from_query(query);
    if !state_matches(&params, &expect.state) {
        tracing::debug!("loopback request without this authorization's state; still waiting");
        respond(
            &mut stream,
            400,
            "Not this authorization",
            "<p>This address does not carry the authorization cds-wizard is waiting for \
             (its <code>state</code> does not match). cds-wizard keeps waiting.</p>",
        )
        .await;
        return;
    }
    if claimed.swap(true, Ordering::SeqCst) {
        respond(
            &mut stream,
            409,
            "Already received",
            "<p>This authorization response was already received. You can close this window.</p>",
        )
        .await;
        return;
    }
    let (title, body) = callback_page(&params);
    respond(&mut stream, 200, title, &body).await;
    let _ = tx.send(params).await;
}

/// The page the browser shows once the callback is received: what the server answered.
fn callback_page(params: &CallbackParams) -> (&'static str, String) {
    match &params.error {
        Some(error) => (
            "Authorization not completed",
            format!(
                "<p>The authorization server answered <code>{}</code>{}.</p>\
                 <p>You can close this window and return to cds-wizard.</p>",
                escape(&super::clean(error)),
                params
                    .error_description
                    .as_deref()
                    .map(|d| format!(": {}", escape(&super::clean(d))))
                    .unwrap_or_default()
            ),
        ),
        None => (
            "Authorization received",
            "<p>cds-wizard received the authorization response. You can close this window.</p>"
                .to_owned(),
        ),
    }
}

/// Reads up to the end of the request head (`\r\n\r\n`). `None` when it exceeds
/// [`MAX_REQUEST`]; an error at EOF before the head ended.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.truncate(end);
            return Ok(Some(String::from_utf8_lossy(&buf).into_owned()));
        }
        if buf.len() > MAX_REQUEST {
            return Ok(None);
        }
    }
}

/// `METHOD SP request-target SP HTTP/1.x` (RFC 9112 §3), origin-form targets only. Public for
/// the fuzz target of the listener's parser.
pub fn request_line(head: &str) -> Option<(&str, &str)> {
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return None;
    }
    Some((method, target))
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
         <h1>{title}</h1>{body}</body></html>"
    );
    // No caching, no referrer (the URL holds the code), nothing loaded or framed.
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         X-Frame-Options: DENY\r\nConnection: close\r\n\r\n",
        html.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(html.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert_eq!(
            request_line("GET /callback?code=1 HTTP/1.1\r\nHost: x"),
            Some(("GET", "/callback?code=1"))
        );
        assert_eq!(request_line("GET http://x/ HTTP/1.1"), None);
        assert_eq!(request_line("GET /a b HTTP/1.1"), None);
        assert_eq!(request_line("garbage"), None);
    }

    #[test]
    fn loopback_redirects_match_on_any_port() {
        assert!(same_except_port(
            "http://127.0.0.1:4000/callback",
            "http://127.0.0.1:5111/callback"
        ));
        assert!(same_except_port(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:5111/callback"
        ));
        assert!(!same_except_port(
            "http://127.0.0.1:4000/cb",
            "http://127.0.0.1:4000/callback"
        ));
        assert!(!same_except_port(
            "http://[::1]:4000/callback",
            "http://127.0.0.1:4000/callback"
        ));
        assert!(!same_except_port(
            "https://app.example/callback",
            "https://app.example/callback"
        ));
        assert!(!same_except_port(
            "http://localhost:4000/callback",
            "http://localhost:5/callback"
        ));
    }

    #[test]
    fn paths() {
        assert!(LoopbackListener::bind_at("/cb").is_ok());
        assert!(LoopbackListener::bind_at("cb").is_err());
        assert!(LoopbackListener::bind_at("/cb?x=1").is_err());
        let l = LoopbackListener::bind().unwrap();
        assert_eq!(
            l.redirect_uri(),
            format!("http://127.0.0.1:{}/callback", l.port())
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("<b a=\"1\">&'"),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
    }
}
