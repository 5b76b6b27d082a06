//! The one HTTP client: timeouts, response size caps, the HTTPS-except-loopback policy
//! (RFC 9700 §2, RFC 8252 §7.3), redirects followed by hand so each move is checked and recorded
//! (CDS-WG1-01 §5 server migration), and errors that name the URL.

mod body;
mod error;
mod limit;
mod observe;
mod resolve;

use body::error_detail;
pub use body::{parse_json_body, parse_json_body_as};
pub use error::HttpError;
pub use limit::host_key;
pub use resolve::InwardName;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use url::Url;

pub use observe::{ExchangeObserver, RawExchange, RawResponse};

/// Limits applied to every request.
#[derive(Debug, Clone)]
pub struct HttpPolicy {
    /// Whole-request bound: connect, headers and body (a slowly dripping body counts).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Largest response body read, in bytes.
    pub max_body: usize,
    pub max_redirects: usize,
    /// Trust only these CA certificates (PEM) instead of the system's: a test or staging
    /// deployment behind a private CA. Empty: the system's roots.
    pub only_roots_pem: Vec<Vec<u8>>,
    /// Host names answered without DNS, like curl's `--resolve` (staging hosts, tests). They
    /// bypass the inward check of the resolver, never the URL checks.
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            max_body: 8 * 1024 * 1024,
            max_redirects: 5,
            only_roots_pem: Vec::new(),
            resolve: Vec::new(),
        }
    }
}

/// A redirect that was followed (WG1-01 §5 says a 301/302 on the well-known URL is a move).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Redirect {
    pub from: Url,
    pub to: Url,
    pub status: u16,
}

/// The answer to a request sent with [`HttpClient::send`], any status.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, or the error naming `url` (HTTP status with the RFC 6749 error when
    /// it is not a success).
    pub fn json(&self, url: &Url) -> Result<Value, HttpError> {
        if !self.is_success() {
            return Err(HttpError::Status {
                url: url.clone(),
                status: self.status,
                detail: error_detail(&self.body),
            });
        }
        parse_json_body(url, self.content_type.as_deref(), &self.body)
    }
}

/// A response read in full, within the size cap.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub requested: Url,
    /// Where the body finally came from, after redirects.
    pub url: Url,
    pub redirects: Vec<Redirect>,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

pub use crate::cds::is_loopback;

/// Parses user or server text as an http(s) URL and applies the HTTPS policy.
pub fn parse_url(text: &str) -> Result<Url, HttpError> {
    let url = Url::parse(text.trim()).map_err(|_| HttpError::NotHttp(text.to_owned()))?;
    check_url(&url)?;
    Ok(url)
}

/// HTTPS for every host except loopback.
pub fn check_url(url: &Url) -> Result<(), HttpError> {
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" if url.host().is_some() => Err(HttpError::Insecure(url.clone())),
        _ => Err(HttpError::NotHttp(url.to_string())),
    }
}

/// A remote document may not send the client to this machine's own services or its private
/// networks (loopback, private, link-local, unspecified; see [`crate::cds::is_inward`]): only
/// a document that itself came from such an address may lead there.
pub fn check_not_inward(from: &Url, to: &Url) -> Result<(), HttpError> {
    if crate::cds::is_inward(to) && !crate::cds::is_inward(from) {
        return Err(HttpError::Inward {
            from: from.clone(),
            to: to.to_string(),
        });
    }
    Ok(())
}

/// Installs the process-wide rustls provider (reqwest is built without one). Idempotent.
fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The shared client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    policy: HttpPolicy,
    /// Who sees every exchange (a transcript recorder), if anyone.
    observer: Option<observe::Observer>,
    /// The engine step named in what the observer sees.
    step: Option<&'static str>,
    /// Hosts the user named, which may resolve to inward addresses (shared by clones).
    trusted: resolve::Trusted,
    /// At most so many requests in flight per host (shared by clones), when set.
    host_limit: Option<limit::HostLimit>,
}

impl HttpClient {
    /// Fails only when the TLS backend cannot start; never falls back to a client without the
    /// policy.
    pub fn new(policy: HttpPolicy) -> Result<Self, HttpError> {
        ensure_crypto_provider();
        let trusted = resolve::Trusted::default();
        let mut builder = reqwest::Client::builder().dns_resolver(Arc::new(resolve::Guarded {
            trusted: trusted.clone(),
        }));
        if !policy.only_roots_pem.is_empty() {
            let mut roots = Vec::new();
            for pem in &policy.only_roots_pem {
                roots.push(
                    reqwest::Certificate::from_pem(pem)
                        .map_err(|e| HttpError::Setup(format!("CA certificate: {e}")))?,
                );
            }
            builder = builder.tls_certs_only(roots);
        }
        for (host, addr) in &policy.resolve {
            builder = builder.resolve(host, *addr);
        }
        let inner = builder
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .user_agent(USER_AGENT)
            // Never pick up a proxy from the environment for loopback traffic.
            .no_proxy()
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        Ok(Self {
            inner,
            policy,
            observer: None,
            step: None,
            trusted,
            host_limit: None,
        })
    }

    /// Lets `url`'s host name resolve to this machine or its private networks: for the URLs
    /// the user gives (a start URL, a profile's issuer), never for ones a document gave.
    pub fn trust(&self, url: &Url) {
        if let Some(url::Host::Domain(d)) = url.host() {
            self.trusted.add(d);
        }
    }

    /// This client, with every exchange also handed to `observer` (issue 12 transcripts).
    pub fn with_observer(&self, observer: Arc<dyn ExchangeObserver>) -> Self {
        Self {
            observer: Some(observe::Observer(observer)),
            ..self.clone()
        }
    }

    /// This client (and its clones), with at most `per_host` requests in flight at each host
    /// (`host:port`); a request waits for a place before its timings start.
    pub fn with_host_limit(&self, per_host: usize) -> Self {
        Self {
            host_limit: Some(limit::HostLimit::new(per_host)),
            ..self.clone()
        }
    }

    /// This client, with its exchanges labelled as made by the engine step `step`
    /// (`discovery`, `registration`, `PAR`, `token`, ...) for the observer.
    pub fn for_step(&self, step: &'static str) -> Self {
        Self {
            step: Some(step),
            ..self.clone()
        }
    }

    /// Hands an exchange the client did not make itself (the loopback callback a browser
    /// sent) to the observer, if there is one.
    pub fn observe(&self, exchange: &RawExchange<'_>) {
        if let Some(o) = &self.observer {
            o.0.exchange(exchange);
        }
    }

    pub fn policy(&self) -> &HttpPolicy {
        &self.policy
    }

    /// The underlying client, for the OAuth and API calls that add their own headers.
    pub fn raw(&self) -> &reqwest::Client {
        &self.inner
    }

    /// GET `url`, following up to `max_redirects` moves (each hop re-checked against the HTTPS
    /// policy, loops detected), and read the body within the size cap.
    pub async fn get(&self, url: &Url) -> Result<Fetched, HttpError> {
        check_url(url)?;
        let mut current = url.clone();
        let mut redirects: Vec<Redirect> = Vec::new();
        loop {
            let req = self
                .inner
                .get(current.clone())
                .header(reqwest::header::ACCEPT, "application/json");
            let (status, headers, body) = self.execute(req, &current).await?;
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let to = headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| current.join(loc).ok())
                    .ok_or_else(|| HttpError::BadRedirect {
                        url: current.clone(),
                    })?;
                check_url(&to)?;
                check_not_inward(url, &to)?;
                if to == *url || redirects.iter().any(|r| r.from == to) {
                    let mut chain: Vec<String> = vec![url.to_string()];
                    chain.extend(redirects.iter().map(|r| r.to.to_string()));
                    chain.push(to.to_string());
                    return Err(HttpError::RedirectLoop {
                        url: url.clone(),
                        chain: chain.join(" → "),
                    });
                }
                redirects.push(Redirect {
                    from: current.clone(),
                    to: to.clone(),
                    status,
                });
                if redirects.len() > self.policy.max_redirects {
                    return Err(HttpError::TooManyRedirects {
                        url: url.clone(),
                        max: self.policy.max_redirects,
                    });
                }
                current = to;
                continue;
            }
            let content_type = content_type_of(&headers);
            if !(200..300).contains(&status) {
                return Err(HttpError::Status {
                    url: current,
                    status,
                    detail: error_detail(&body),
                });
            }
            return Ok(Fetched {
                requested: url.clone(),
                url: current,
                redirects,
                status,
                content_type,
                body,
            });
        }
    }

    /// Sends a prepared request (a POST or PUT with its own headers) to `url`, which must pass
    /// the URL policy, and reads the body within the size cap. Redirects are not followed.
    pub async fn send(&self, req: reqwest::RequestBuilder, url: &Url) -> Result<Answer, HttpError> {
        check_url(url)?;
        let (status, headers, body) = self.execute(req, url).await?;
        Ok(Answer {
            status,
            content_type: content_type_of(&headers),
            body,
        })
    }

    /// Sends one request and reads its body within the cap; the observer, if any, sees the
    /// exchange whatever the outcome.
    async fn execute(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), HttpError> {
        // Held until the body is read: the request is in flight until then.
        let _place = match &self.host_limit {
            Some(limit) => limit.acquire(url).await,
            None => None,
        };
        let req = req.build().map_err(|e| self.transport_error(url, e))?;
        let Some(observer) = &self.observer else {
            let resp = self.inner.execute(req).await;
            let resp = resp.map_err(|e| self.transport_error(url, e))?;
            let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
            let (body, err) = self.read_capped(url, resp).await;
            return err.map_or(Ok((status, headers, body)), Err);
        };
        let method = req.method().as_str().to_owned();
        let mut request_headers = observe::header_list(req.headers());
        if !req.headers().contains_key(reqwest::header::USER_AGENT) {
            request_headers.push(("user-agent".to_owned(), USER_AGENT.to_owned()));
        }
        let request_body = req.body().and_then(|b| b.as_bytes()).map(<[u8]>::to_vec);
        let (started, clock) = (SystemTime::now(), Instant::now());
        let mut seen = RawExchange {
            step: self.step,
            started,
            method: &method,
            url,
            request_headers,
            request_body: request_body.as_deref(),
            response: None,
            wait: Duration::ZERO,
            total: Duration::ZERO,
            error: None,
            inbound: false,
        };
        let resp = match self.inner.execute(req).await {
            Ok(resp) => resp,
            Err(e) => {
                let e = self.transport_error(url, e);
                (seen.wait, seen.total) = (clock.elapsed(), clock.elapsed());
                seen.error = Some(e.to_string());
                observer.0.exchange(&seen);
                return Err(e);
            }
        };
        seen.wait = clock.elapsed();
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let version = observe::version_text(resp.version());
        let (body, err) = self.read_capped(url, resp).await;
        seen.total = clock.elapsed();
        seen.error = err.as_ref().map(ToString::to_string);
        seen.response = Some(RawResponse {
            status,
            http_version: version,
            headers: observe::header_list(&headers),
            body: &body,
            cut: matches!(err, Some(HttpError::TooLarge { .. })),
        });
        observer.0.exchange(&seen);
        err.map_or(Ok((status, headers, body)), Err)
    }

    /// GET and parse JSON.
    pub async fn get_json(&self, url: &Url) -> Result<(Fetched, Value), HttpError> {
        self.get_json_as(url).await
    }

    /// GET and parse JSON into any type (e.g. only the parts a caller needs now).
    pub async fn get_json_as<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
    ) -> Result<(Fetched, T), HttpError> {
        let fetched = self.get(url).await?;
        let value =
            parse_json_body_as(&fetched.url, fetched.content_type.as_deref(), &fetched.body)?;
        Ok((fetched, value))
    }

    /// Reads a response body, stopping at the size cap.
    pub async fn read_body(
        &self,
        url: &Url,
        resp: reqwest::Response,
    ) -> Result<Vec<u8>, HttpError> {
        let (body, err) = self.read_capped(url, resp).await;
        err.map_or(Ok(body), Err)
    }

    /// Reads a response body up to the size cap; on failure, what was read before it.
    async fn read_capped(
        &self,
        url: &Url,
        mut resp: reqwest::Response,
    ) -> (Vec<u8>, Option<HttpError>) {
        let limit = self.policy.max_body;
        let too_large = || HttpError::TooLarge {
            url: url.clone(),
            limit,
        };
        let declared = resp.content_length().unwrap_or(0);
        if declared > limit as u64 {
            return (Vec::new(), Some(too_large()));
        }
        // Sized by Content-Length (within the cap) when given: a coverage page is read into
        // one allocation rather than a doubling series.
        let mut body = Vec::with_capacity(declared as usize);
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                    return (body, Some(too_large()));
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => return (body, None),
                Err(e) => return (body, Some(self.transport_error(url, e))),
            }
        }
    }

    /// Names a failed send plainly (also for the POSTs built on [`HttpClient::raw`]).
    pub fn transport_error(&self, url: &Url, e: reqwest::Error) -> HttpError {
        if e.is_timeout() {
            return HttpError::Timeout {
                url: url.clone(),
                secs: self.policy.timeout.as_secs().max(1),
            };
        }
        // A name the resolver refused (it resolved inward) says so, not "could not connect".
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            if let Some(inward) = s.downcast_ref::<InwardName>() {
                return HttpError::Connect {
                    url: url.clone(),
                    what: inward.to_string(),
                };
            }
            src = s.source();
        }
        let what = if e.is_connect() {
            "could not connect (host down, wrong port, or refused)".to_owned()
        } else if e.is_body() || e.is_decode() {
            "the connection broke while reading the response".to_owned()
        } else {
            // The source chain names the actual cause (DNS, TLS, reset...).
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = s.to_string();
                src = s.source();
            }
            msg
        };
        HttpError::Connect {
            url: url.clone(),
            what,
        }
    }
}

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("cds-wizard/", env!("CARGO_PKG_VERSION"));

fn content_type_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_policy() {
        assert!(parse_url("https://example.com/x").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/").is_ok());
        assert!(parse_url("http://127.9.9.9/").is_ok());
        assert!(parse_url("http://[::1]:3000/").is_ok());
        assert!(parse_url("http://localhost/").is_ok());
        assert!(matches!(
            parse_url("http://example.com/"),
            Err(HttpError::Insecure(_))
        ));
        assert!(matches!(
            parse_url("ftp://example.com/"),
            Err(HttpError::NotHttp(_))
        ));
        assert!(matches!(
            parse_url("example.com"),
            Err(HttpError::NotHttp(_))
        ));
        assert!(matches!(
            parse_url("file:///etc/passwd"),
            Err(HttpError::NotHttp(_))
        ));
        let remote = Url::parse("https://u.example/").unwrap();
        let local = Url::parse("http://127.0.0.1:6379/").unwrap();
        assert!(check_not_inward(&remote, &local).is_err());
        assert!(check_not_inward(&local, &local).is_ok());
        assert!(check_not_inward(&remote, &remote).is_ok());
        for inward in [
            "http://0.0.0.0:8080/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "https://admin.localhost/",
            "https://LOCALHOST./",
            "https://10.0.0.8/",
            "https://172.31.255.1/",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.64.1.1/",
            "https://[fd12:3456::1]/",
            "https://[fe80::1]/",
        ] {
            let to = Url::parse(inward).unwrap();
            assert!(check_not_inward(&remote, &to).is_err(), "{inward}");
        }
        for outward in [
            "https://8.8.8.8/",
            "https://[2606:4700::1111]/",
            "https://localhost.example/",
        ] {
            let to = Url::parse(outward).unwrap();
            assert!(check_not_inward(&remote, &to).is_ok(), "{outward}");
        }
        // A document served from a private network may point within it.
        let private = Url::parse("https://10.0.0.8/").unwrap();
        assert!(check_not_inward(&private, &Url::parse("https://10.0.0.9/").unwrap()).is_ok());
    }
}
