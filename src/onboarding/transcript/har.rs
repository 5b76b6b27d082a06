//! The HAR 1.2 format (W3C Web Performance WG draft "HTTP Archive (HAR) format", the file
//! browsers, proxies and HAR viewers read and write): the serde model of a log and its
//! entries, with this program's own fields prefixed `_` as the format allows.

use serde::{Deserialize, Serialize};

/// The whole file: `{"log": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Har {
    pub log: Log,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Log {
    pub version: String,
    pub creator: Creator,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<serde_json::Value>,
    pub entries: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Creator {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Creator {
    pub fn this_program() -> Self {
        Creator {
            name: "cds-wizard".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            comment: None,
        }
    }
}

/// One exchange.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    #[serde(rename = "startedDateTime")]
    pub started_date_time: String,
    /// Milliseconds, the sum of the timings.
    pub time: f64,
    pub request: Request,
    pub response: Response,
    pub cache: Cache,
    pub timings: Timings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The engine step (`discovery`, `registration`, `PAR`, `token`, ...).
    #[serde(rename = "_step", default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Why no complete answer came (connect failure, timeout, size cap), as the client said it.
    #[serde(rename = "_error", default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The body was longer than the client's cap; `content.text` is what was read.
    #[serde(rename = "_cut", default, skip_serializing_if = "is_false")]
    pub cut: bool,
    /// A request that came to this program (the loopback callback), not one it sent.
    #[serde(rename = "_inbound", default, skip_serializing_if = "is_false")]
    pub inbound: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub url: String,
    #[serde(rename = "httpVersion")]
    pub http_version: String,
    pub cookies: Vec<NameValue>,
    pub headers: Vec<NameValue>,
    #[serde(rename = "queryString")]
    pub query_string: Vec<NameValue>,
    #[serde(rename = "postData", default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    #[serde(rename = "headersSize")]
    pub headers_size: i64,
    #[serde(rename = "bodySize")]
    pub body_size: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    #[serde(rename = "statusText")]
    pub status_text: String,
    #[serde(rename = "httpVersion")]
    pub http_version: String,
    pub cookies: Vec<NameValue>,
    pub headers: Vec<NameValue>,
    pub content: Content,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    #[serde(rename = "headersSize")]
    pub headers_size: i64,
    #[serde(rename = "bodySize")]
    pub body_size: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

impl NameValue {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        NameValue {
            name: name.into(),
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PostData {
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<NameValue>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Content {
    /// Bytes of the body as received (before redaction).
    pub size: i64,
    #[serde(rename = "mimeType")]
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when the body is not UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cache {}

/// Milliseconds; -1 where the phase is not known.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timings {
    pub blocked: f64,
    pub dns: f64,
    pub connect: f64,
    pub send: f64,
    pub wait: f64,
    pub receive: f64,
    pub ssl: f64,
}

/// `200 OK`'s reason phrase, for `statusText`.
pub fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_owned()
}
