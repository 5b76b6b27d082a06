//! One exchange as a transcript keeps it (issue 12 items 1 and 3): redacted, plain data, shared
//! by the HAR file and the wizard's Inspector; and its HAR 1.2 entry.

use std::time::Duration;

use base64::Engine;
use serde::Serialize;

use super::har;
use super::redact::Redactor;
use crate::http::RawExchange;

/// A redacted exchange. Nothing in it is secret; it may be shown, copied and written.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// 1, 2, 3... in the order the exchanges ended.
    pub id: u64,
    pub started: jiff::Timestamp,
    /// The engine step: `discovery`, `registration`, `PAR`, `token`, `revocation`,
    /// `management`, `callback` (guessed from the request when the caller did not say).
    pub step: String,
    /// The loopback callback the browser sent to us, rather than a request we sent.
    pub inbound: bool,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Option<String>,
    /// `None` when no answer came.
    pub status: Option<u16>,
    pub http_version: String,
    pub response_headers: Vec<(String, String)>,
    /// The body as text, or Base64 when it is not UTF-8 (`body_base64`).
    pub response_body: String,
    pub body_base64: bool,
    /// Bytes of the body as received.
    pub size: usize,
    /// The body was longer than the client's cap and reading stopped.
    pub cut: bool,
    /// `response_body` holds only the start of the body (the in-memory copy for the Inspector;
    /// the HAR file always has all that was read).
    pub shortened: bool,
    /// Until the response headers, and until the body was read.
    pub wait: Duration,
    pub duration: Duration,
    pub error: Option<String>,
    /// Where a redirect pointed (`Location`), redacted.
    pub redirect_to: Option<String>,
}

impl Exchange {
    /// The redacted record of `raw`.
    pub fn from_raw(id: u64, raw: &RawExchange<'_>, r: &Redactor) -> Self {
        let header = |(k, v): &(String, String)| (k.clone(), r.header(k, v));
        let request_ct = content_type(&raw.request_headers);
        let request_body = raw.request_body.map(|b| match std::str::from_utf8(b) {
            Ok(text) => r.body(request_ct.as_deref(), text).into_owned(),
            Err(_) => base64::engine::general_purpose::STANDARD.encode(r.bytes(b)),
        });
        let mut ex = Exchange {
            id,
            started: jiff::Timestamp::try_from(raw.started).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            step: raw
                .step
                .map(str::to_owned)
                .unwrap_or_else(|| guess_step(raw).to_owned()),
            inbound: raw.inbound,
            method: raw.method.to_owned(),
            url: r.url(raw.url.as_str()),
            request_headers: raw.request_headers.iter().map(header).collect(),
            request_body,
            status: None,
            http_version: "HTTP/1.1".to_owned(),
            response_headers: Vec::new(),
            response_body: String::new(),
            body_base64: false,
            size: 0,
            cut: false,
            shortened: false,
            wait: raw.wait,
            duration: raw.total,
            error: raw.error.as_deref().map(|e| r.text(e).into_owned()),
            redirect_to: None,
        };
        if let Some(resp) = &raw.response {
            let ct = content_type(&resp.headers);
            ex.status = Some(resp.status);
            ex.http_version = resp.http_version.clone();
            ex.response_headers = resp.headers.iter().map(header).collect();
            ex.size = resp.body.len();
            ex.cut = resp.cut;
            match std::str::from_utf8(resp.body) {
                Ok(text) => ex.response_body = r.body(ct.as_deref(), text).into_owned(),
                Err(_) => {
                    ex.response_body =
                        base64::engine::general_purpose::STANDARD.encode(r.bytes(resp.body));
                    ex.body_base64 = true;
                }
            }
            ex.redirect_to = ex
                .response_headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                .map(|(_, v)| r.url(v));
        }
        ex
    }

    pub fn request_content_type(&self) -> Option<String> {
        content_type(&self.request_headers)
    }

    pub fn response_content_type(&self) -> Option<String> {
        content_type(&self.response_headers)
    }

    /// The redacted request as a `curl` command (single-quoted for a POSIX shell).
    pub fn curl(&self) -> String {
        let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut parts = vec!["curl".to_owned()];
        if self.method != "GET" {
            parts.push(format!("-X {}", self.method));
        }
        parts.push(q(&self.url));
        for (k, v) in &self.request_headers {
            parts.push(format!("-H {}", q(&format!("{k}: {v}"))));
        }
        if let Some(body) = &self.request_body {
            parts.push(format!("--data-raw {}", q(body)));
        }
        parts.join(" \\\n  ")
    }

    /// The HAR 1.2 entry.
    pub fn to_entry(&self) -> har::Entry {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let nv = |h: &[(String, String)]| {
            h.iter()
                .map(|(k, v)| har::NameValue::new(k.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        let query_string = url::Url::parse(&self.url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| har::NameValue::new(k, v))
                    .collect()
            })
            .unwrap_or_default();
        let post_data = self.request_body.as_ref().map(|text| {
            let mime_type = self.request_content_type().unwrap_or_default();
            let params = if mime_type.contains("x-www-form-urlencoded") {
                url::form_urlencoded::parse(text.as_bytes())
                    .map(|(k, v)| har::NameValue::new(k, v))
                    .collect()
            } else {
                Vec::new()
            };
            har::PostData {
                mime_type,
                text: text.clone(),
                params,
            }
        });
        let status = self.status.unwrap_or(0);
        har::Entry {
            started_date_time: self.started.to_string(),
            time: ms(self.duration),
            request: har::Request {
                method: self.method.clone(),
                url: self.url.clone(),
                http_version: self.http_version.clone(),
                cookies: Vec::new(),
                headers: nv(&self.request_headers),
                query_string,
                post_data,
                headers_size: -1,
                body_size: self.request_body.as_ref().map_or(0, |b| b.len() as i64),
            },
            response: har::Response {
                status,
                status_text: har::status_text(status),
                http_version: self.http_version.clone(),
                cookies: Vec::new(),
                headers: nv(&self.response_headers),
                content: har::Content {
                    size: self.size as i64,
                    mime_type: self.response_content_type().unwrap_or_default(),
                    text: self.status.map(|_| self.response_body.clone()),
                    encoding: self.body_base64.then(|| "base64".to_owned()),
                },
                redirect_url: self.redirect_to.clone().unwrap_or_default(),
                headers_size: -1,
                body_size: if self.status.is_some() {
                    self.size as i64
                } else {
                    -1
                },
            },
            cache: har::Cache {},
            timings: har::Timings {
                blocked: -1.0,
                dns: -1.0,
                connect: -1.0,
                send: 0.0,
                wait: ms(self.wait),
                receive: ms(self.duration.saturating_sub(self.wait)),
                ssl: -1.0,
            },
            comment: Some(format!("step: {}", self.step)),
            step: Some(self.step.clone()),
            error: self.error.clone(),
            cut: self.cut,
            inbound: self.inbound,
        }
    }
}

fn content_type(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone())
}

/// The step of a request whose caller did not name one, from what it looks like.
fn guess_step(raw: &RawExchange<'_>) -> &'static str {
    if raw.inbound {
        return "callback";
    }
    let path = raw.url.path().to_ascii_lowercase();
    let body = raw
        .request_body
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let bearer = raw.request_headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("authorization") && v.to_ascii_lowercase().starts_with("bearer")
    });
    if body.contains("grant_type=") {
        "token"
    } else if path.contains("revoke") || path.contains("revocation") {
        "revocation"
    } else if path.contains("par") && body.contains("response_type=") {
        "PAR"
    } else if bearer {
        "management"
    } else if raw.method == "POST" && path.contains("regist") {
        "registration"
    } else if raw.method == "GET" {
        "discovery"
    } else {
        "other"
    }
}
