//! Fault injection for the demo utility (tests and demonstrations only; the default is none):
//! per-path latency, error statuses for the first N requests, truncated or invalid JSON,
//! oversized and slowly dripping bodies, and "hostile strings" documents whose display texts
//! carry terminal escapes and bidi overrides. None of this is CDS behaviour: it is how a real,
//! imperfect utility may look to a client, so the client's defences can be exercised.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use serde_json::Value;

use super::documents::Documents;
use super::{DemoOptions, DemoState};

/// Which request paths a rule applies to (the query string is never part of the match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPattern {
    /// `*`: every path.
    Any,
    /// `/cds/*`: every path starting with `/cds/`.
    Prefix(String),
    /// `/cds/coverage`: that path only.
    Exact(String),
}

impl PathPattern {
    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::Any => true,
            PathPattern::Prefix(p) => path.starts_with(p.as_str()),
            PathPattern::Exact(p) => path == p,
        }
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathPattern::Any => f.write_str("*"),
            PathPattern::Prefix(p) => write!(f, "{p}*"),
            PathPattern::Exact(p) => f.write_str(p),
        }
    }
}

/// What replaces or reshapes the response (at most one per rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyFault {
    /// Answer this status with a small RFC 6749 §5.2-shaped JSON error instead of running the
    /// handler (so a failed registration creates nothing).
    Status(StatusCode),
    /// The real body cut in half, still labelled `application/json`.
    Truncate,
    /// The real body followed by garbage, labelled `application/json`.
    InvalidJson,
    /// This many bytes of whitespace, then the real body, streamed without a Content-Length.
    /// Whitespace before a JSON value is legal JSON: only a size cap stops a client.
    Oversize(u64),
    /// The real body sent `chunk` bytes at a time with `interval` between pieces.
    Drip { interval: Duration, chunk: usize },
}

/// Default piece size of a dripping body.
pub const DEFAULT_DRIP_CHUNK: usize = 16;

/// One fault: a path pattern, an optional extra latency, an optional body fault, and how many
/// matching requests it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub path: PathPattern,
    pub latency: Option<Duration>,
    pub body: Option<BodyFault>,
    /// Only the first `count` matching requests (counted per rule, over every path the rule
    /// matches); `None` means all of them.
    pub count: Option<u64>,
}

impl FaultRule {
    /// A rule for `path`: exact (`/cds/coverage`), a prefix ending in `/*` (`/cds/*`) or `*`.
    /// It does nothing until a fault is added with the builder methods.
    pub fn new(path: &str) -> Self {
        let path = if path == "*" {
            PathPattern::Any
        } else if let Some(prefix) = path.strip_suffix('*') {
            PathPattern::Prefix(prefix.to_owned())
        } else {
            PathPattern::Exact(path.to_owned())
        };
        Self {
            path,
            latency: None,
            body: None,
            count: None,
        }
    }
    pub fn latency(mut self, d: Duration) -> Self {
        self.latency = Some(d);
        self
    }
    pub fn status(mut self, status: StatusCode) -> Self {
        self.body = Some(BodyFault::Status(status));
        self
    }
    pub fn truncate(mut self) -> Self {
        self.body = Some(BodyFault::Truncate);
        self
    }
    pub fn invalid_json(mut self) -> Self {
        self.body = Some(BodyFault::InvalidJson);
        self
    }
    pub fn oversize(mut self, bytes: u64) -> Self {
        self.body = Some(BodyFault::Oversize(bytes));
        self
    }
    pub fn drip(mut self, interval: Duration, chunk: usize) -> Self {
        self.body = Some(BodyFault::Drip {
            interval,
            chunk: chunk.max(1),
        });
        self
    }
    /// Applies to the first `n` matching requests only.
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }
}

impl DemoOptions {
    /// Adds a fault rule (rules are tried in the order added).
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }
    /// Serves the documents with hostile display strings (see [`make_hostile`]).
    pub fn with_hostile_strings(mut self) -> Self {
        self.hostile_strings = true;
        self
    }
}

/// A `--fault` value that does not parse, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultSpecError(String);

fn bad(msg: impl Into<String>) -> FaultSpecError {
    FaultSpecError(msg.into())
}

/// The `--fault` syntax, for error messages.
const SYNTAX: &str = "PATH:FAULT[,FAULT...], e.g. /cds/coverage:status=503,count=2";
const KINDS: &str = "latency=, status=, truncate, invalid-json, oversize=, drip=, chunk=, count=";

/// Parses a `--fault` value (clap value parser).
pub fn parse_fault_spec(s: &str) -> Result<FaultRule, FaultSpecError> {
    s.parse()
}

impl FromStr for FaultRule {
    type Err = FaultSpecError;

    /// `PATH:FAULT[,FAULT...]`. The path is split at the last `:` (faults never contain one).
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let spec = spec.trim();
        let Some((path, faults)) = spec.rsplit_once(':') else {
            return Err(bad(format!("`{spec}` names no fault; write {SYNTAX}")));
        };
        if path != "*" && !path.starts_with('/') {
            return Err(bad(format!(
                "path `{path}` must start with `/` (or be `*` for every path)"
            )));
        }
        if path.contains(char::is_whitespace) || path.contains('?') {
            return Err(bad(format!(
                "path `{path}` may not contain spaces or a query string"
            )));
        }
        if let Some(i) = path.find('*')
            && i != path.len() - 1
        {
            return Err(bad(format!(
                "path `{path}`: `*` is only allowed at the end (a prefix such as /cds/*)"
            )));
        }
        let mut rule = FaultRule::new(path);
        let mut drip_chunk: Option<usize> = None;
        let mut seen: Vec<&str> = Vec::new();
        for item in faults.split(',').map(str::trim) {
            if item.is_empty() {
                return Err(bad(format!("`{spec}` has an empty fault; write {SYNTAX}")));
            }
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (item, None),
            };
            if seen.contains(&key) {
                return Err(bad(format!("`{key}` is given twice in `{spec}`")));
            }
            seen.push(key);
            let need = |what: &str| {
                value
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| bad(format!("`{key}` needs a value, e.g. {key}={what}")))
            };
            let no_value = || match value {
                Some(_) => Err(bad(format!("`{key}` takes no value"))),
                None => Ok(()),
            };
            let body = match key {
                "latency" => {
                    rule.latency = Some(parse_duration(key, need("200ms")?)?);
                    None
                }
                "status" => Some(BodyFault::Status(parse_status(need("503")?)?)),
                "truncate" => {
                    no_value()?;
                    Some(BodyFault::Truncate)
                }
                "invalid-json" => {
                    no_value()?;
                    Some(BodyFault::InvalidJson)
                }
                "oversize" => Some(BodyFault::Oversize(parse_size(need("50MB")?)?)),
                "drip" => Some(BodyFault::Drip {
                    interval: parse_duration(key, need("100ms")?)?,
                    chunk: DEFAULT_DRIP_CHUNK,
                }),
                "chunk" => {
                    let n = parse_size(need("16")?)?;
                    drip_chunk = Some(usize::try_from(n).map_err(|_| bad("chunk is too large"))?);
                    None
                }
                "count" => {
                    let v = need("2")?;
                    let n: u64 = v
                        .parse()
                        .map_err(|_| bad(format!("count `{v}` is not a whole number")))?;
                    if n == 0 {
                        return Err(bad("count must be at least 1"));
                    }
                    rule.count = Some(n);
                    None
                }
                other => {
                    return Err(bad(format!(
                        "unknown fault `{other}`; expected one of {KINDS}"
                    )));
                }
            };
            if let Some(b) = body {
                if let Some(prev) = &rule.body {
                    return Err(bad(format!(
                        "`{}` and `{item}` both replace the response; give each its own --fault",
                        describe(prev)
                    )));
                }
                rule.body = Some(b);
            }
        }
        if let Some(n) = drip_chunk {
            match &mut rule.body {
                Some(BodyFault::Drip { chunk, .. }) => *chunk = n,
                _ => return Err(bad("`chunk` only applies together with `drip`")),
            }
        }
        if rule.latency.is_none() && rule.body.is_none() {
            return Err(bad(format!(
                "`{spec}` has no fault to inject; expected one of {KINDS}"
            )));
        }
        Ok(rule)
    }
}

fn describe(b: &BodyFault) -> String {
    match b {
        BodyFault::Status(s) => format!("status={}", s.as_u16()),
        BodyFault::Truncate => "truncate".to_owned(),
        BodyFault::InvalidJson => "invalid-json".to_owned(),
        BodyFault::Oversize(n) => format!("oversize={n}"),
        BodyFault::Drip { interval, .. } => format!("drip={}ms", interval.as_millis()),
    }
}

/// `200` (milliseconds), `200ms` or `2s`; at most ten minutes.
fn parse_duration(key: &str, v: &str) -> Result<Duration, FaultSpecError> {
    let lower = v.to_ascii_lowercase();
    let (digits, unit_ms) = if let Some(d) = lower.strip_suffix("ms") {
        (d, 1)
    } else if let Some(d) = lower.strip_suffix('s') {
        (d, 1000)
    } else {
        (lower.as_str(), 1)
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        bad(format!(
            "{key} `{v}` is not a duration; write milliseconds (200, 200ms) or seconds (2s)"
        ))
    })?;
    let ms = n.saturating_mul(unit_ms);
    if ms > 600_000 {
        return Err(bad(format!("{key} `{v}` is longer than ten minutes")));
    }
    Ok(Duration::from_millis(ms))
}

/// An HTTP error status, 400–599.
fn parse_status(v: &str) -> Result<StatusCode, FaultSpecError> {
    v.parse::<u16>()
        .ok()
        .filter(|n| (400..=599).contains(n))
        .and_then(|n| StatusCode::from_u16(n).ok())
        .ok_or_else(|| {
            bad(format!(
                "status `{v}` is not an HTTP error status (400-599)"
            ))
        })
}

/// Bytes: `1000`, `64KB`/`50MB`/`1GB` (powers of 1000) or `64KiB`/`50MiB`/`1GiB` (powers of
/// 1024); at least 1 byte, at most 1 TiB.
fn parse_size(v: &str) -> Result<u64, FaultSpecError> {
    let lower = v.to_ascii_lowercase();
    let units: [(&str, u64); 7] = [
        ("kib", 1 << 10),
        ("mib", 1 << 20),
        ("gib", 1 << 30),
        ("kb", 1_000),
        ("mb", 1_000_000),
        ("gb", 1_000_000_000),
        ("b", 1),
    ];
    let (digits, mult) = units
        .iter()
        .find_map(|(u, m)| lower.strip_suffix(u).map(|d| (d, *m)))
        .unwrap_or((lower.as_str(), 1));
    let n: u64 = digits.trim().parse().map_err(|_| {
        bad(format!(
            "size `{v}` is not a size; write bytes (1000) or with a unit (64KB, 50MB, 1GiB)"
        ))
    })?;
    let bytes = n.saturating_mul(mult);
    if bytes == 0 || bytes > 1 << 40 {
        return Err(bad(format!("size `{v}` must be between 1 byte and 1 TiB")));
    }
    Ok(bytes)
}

/// The rules of one running server with their use counters.
#[derive(Debug, Default)]
pub struct Injector {
    latency: Duration,
    rules: Vec<(FaultRule, AtomicU64)>,
}

impl Injector {
    pub fn new(options: &DemoOptions) -> Self {
        Self {
            latency: options.latency,
            rules: options
                .faults
                .iter()
                .map(|r| (r.clone(), AtomicU64::new(0)))
                .collect(),
        }
    }

    /// The first rule matching `path` that has uses left, taking one use (thread-safe: two
    /// concurrent requests never both take the last use).
    fn take(&self, path: &str) -> Option<&FaultRule> {
        self.rules.iter().find_map(|(rule, used)| {
            if !rule.path.matches(path) {
                return None;
            }
            let ok = match rule.count {
                None => true,
                Some(max) => used
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n < max).then_some(n + 1)
                    })
                    .is_ok(),
            };
            ok.then_some(rule)
        })
    }
}

/// Largest real body the body faults buffer (the demo's own documents are far smaller).
const MAX_BUFFERED_BODY: usize = 64 * 1024 * 1024;

/// The middleware (`axum::middleware::from_fn_with_state`): global latency, then the first
/// matching rule.
pub async fn inject(State(state): State<Arc<DemoState>>, req: Request, next: Next) -> Response {
    let injector = &state.faults;
    if !injector.latency.is_zero() {
        tokio::time::sleep(injector.latency).await;
    }
    let Some(rule) = injector.take(req.uri().path()) else {
        return next.run(req).await;
    };
    if let Some(d) = rule.latency {
        tokio::time::sleep(d).await;
    }
    let Some(fault) = &rule.body else {
        return next.run(req).await;
    };
    if let BodyFault::Status(status) = fault {
        let error = match status.as_u16() {
            503 => "temporarily_unavailable",
            500..=599 => "server_error",
            _ => "invalid_request",
        };
        return super::reply::error_response(
            *status,
            error,
            &format!(
                "fault injected by the demo server: status {}",
                status.as_u16()
            ),
        );
    }
    let response = next.run(req).await;
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BUFFERED_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return super::reply::error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the demo could not buffer the response to inject a fault",
            );
        }
    };
    // The new body has another length; hyper sets it for buffered bodies and uses chunked
    // transfer encoding for streams.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    let body = match fault {
        BodyFault::Truncate => Body::from(bytes.slice(..bytes.len() / 2)),
        BodyFault::InvalidJson => {
            let mut v = bytes.to_vec();
            // After a complete value, so parsers that stop early are caught too.
            v.extend_from_slice(b"\n}, \"oops\": ");
            Body::from(v)
        }
        BodyFault::Oversize(n) => oversize_body(*n, bytes),
        BodyFault::Drip { interval, chunk } => drip_body(bytes, *chunk, *interval),
        BodyFault::Status(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Whitespace streamed from one static buffer, so `n` bytes cost no more memory than 64 KiB.
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

fn oversize_body(n: u64, tail: Bytes) -> Body {
    let padding = futures::stream::unfold(n, |left| async move {
        if left == 0 {
            return None;
        }
        let k = usize::try_from(left.min(PADDING.len() as u64)).unwrap_or(PADDING.len());
        Some((
            Ok::<_, Infallible>(Bytes::from_static(&PADDING[..k])),
            left - k as u64,
        ))
    });
    Body::from_stream(padding.chain(futures::stream::once(
        async move { Ok::<_, Infallible>(tail) },
    )))
}

fn drip_body(body: Bytes, chunk: usize, interval: Duration) -> Body {
    let chunk = chunk.max(1);
    Body::from_stream(futures::stream::unfold(
        (body, true),
        move |(mut rest, first)| async move {
            if rest.is_empty() {
                return None;
            }
            if !first {
                tokio::time::sleep(interval).await;
            }
            let piece = rest.split_to(chunk.min(rest.len()));
            Some((Ok::<_, Infallible>(piece), (rest, false)))
        },
    ))
}

/// The keys whose string values are display text in the demo's documents (WG1-01 §3–4:
/// `name`, `description`, coverage `entity_name`; WG1-02 §3: scope, field and choice `name`
/// and `description`). Identifiers are never touched, so the documents keep validating.
const HOSTILE_KEYS: [&str; 3] = ["name", "description", "entity_name"];

/// Length of the long text added to some descriptions.
pub const HOSTILE_LONG_TEXT: usize = 10_000;

/// Every escape the hostile mode plants: an OSC window-title change, clear screen, SGR colour,
/// a C1 CSI, bidi override and isolate, zero-width characters.
pub const HOSTILE_SEQUENCES: [&str; 10] = [
    "\u{1b}]0;",
    "\u{7}",
    "\u{1b}[2J",
    "\u{1b}[31m",
    "\u{9b}",
    "\u{202e}",
    "\u{2066}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
];

/// Rewrites the display strings of every document so they carry terminal escapes, C1
/// controls, bidi overrides, zero-width characters and (every eighth description) 10,000
/// characters of text. The original text stays inside, so a sanitizing client still shows
/// something recognisable; the documents stay valid JSON with the same structure.
pub fn make_hostile(d: &mut Documents) {
    let mut n = 0usize;
    for v in [
        &mut d.server_metadata,
        &mut d.related_north,
        &mut d.related_gas,
        &mut d.oauth_metadata,
    ]
    .into_iter()
    .chain(d.coverage_entries.iter_mut())
    {
        hostile_value(v, &mut n);
    }
}

fn hostile_value(v: &mut Value, n: &mut usize) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match x {
                    Value::String(s) if HOSTILE_KEYS.contains(&k.as_str()) => {
                        *s = hostile_text(s, k == "description" && n.is_multiple_of(8));
                        *n += 1;
                    }
                    _ => hostile_value(x, n),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| hostile_value(x, n)),
        _ => {}
    }
}

fn hostile_text(original: &str, long: bool) -> String {
    let mut s = format!(
        "\u{1b}]0;hostile title\u{7}\u{1b}[2J\u{1b}[31m{original}\u{1b}[0m \
         \u{9b}1m\u{202e}desrever\u{202c} \u{2066}isolated\u{2069} \
         z\u{200b}e\u{200d}r\u{feff}o"
    );
    if long {
        s.push(' ');
        let filler = "very long text ";
        s.extend(filler.chars().cycle().take(HOSTILE_LONG_TEXT));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<FaultRule, String> {
        s.parse::<FaultRule>().map_err(|e| e.to_string())
    }

    #[test]
    fn good_specs() {
        let r = parse("/cds/coverage:latency=200").unwrap();
        assert_eq!(r.path, PathPattern::Exact("/cds/coverage".into()));
        assert_eq!(r.latency, Some(Duration::from_millis(200)));
        assert_eq!(r.body, None);
        assert_eq!(
            parse("/cds/*:latency=2s").unwrap().latency,
            Some(Duration::from_secs(2))
        );
        let r = parse("/oauth/token:status=503,count=2").unwrap();
        assert_eq!(
            r.body,
            Some(BodyFault::Status(StatusCode::SERVICE_UNAVAILABLE))
        );
        assert_eq!(r.count, Some(2));
        assert_eq!(
            parse("/x:truncate").unwrap().body,
            Some(BodyFault::Truncate)
        );
        assert_eq!(
            parse("/x:invalid-json").unwrap().body,
            Some(BodyFault::InvalidJson)
        );
        assert_eq!(
            parse("/x:oversize=50MB").unwrap().body,
            Some(BodyFault::Oversize(50_000_000))
        );
        assert_eq!(
            parse("/x:oversize=1GiB").unwrap().body,
            Some(BodyFault::Oversize(1 << 30))
        );
        assert_eq!(
            parse("/x:drip=100ms").unwrap().body,
            Some(BodyFault::Drip {
                interval: Duration::from_millis(100),
                chunk: DEFAULT_DRIP_CHUNK
            })
        );
        assert_eq!(
            parse("/x: drip=5ms , chunk=256 , latency=10ms").unwrap(),
            FaultRule::new("/x")
                .drip(Duration::from_millis(5), 256)
                .latency(Duration::from_millis(10))
        );
        let any = parse("*:status=500").unwrap();
        assert_eq!(any.path, PathPattern::Any);
        assert!(any.path.matches("/anything"));
        let prefix = parse("/cds/*:truncate").unwrap();
        assert!(prefix.path.matches("/cds/coverage"));
        assert!(!prefix.path.matches("/cdsx"));
        assert!(!prefix.path.matches("/.well-known/cds-server-metadata.json"));
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, expect) in [
            ("/cds/coverage", "names no fault"),
            ("cds/coverage:truncate", "must start with `/`"),
            ("/cds/*/x:truncate", "only allowed at the end"),
            ("/x?a=1:truncate", "query string"),
            ("/x:", "empty fault"),
            ("/x:boom", "unknown fault `boom`"),
            ("/x:latency", "needs a value"),
            ("/x:latency=soon", "not a duration"),
            ("/x:latency=11m", "not a duration"),
            ("/x:latency=601s", "longer than ten minutes"),
            ("/x:status=200", "400-599"),
            ("/x:status=abc", "400-599"),
            ("/x:status=503,truncate", "both replace the response"),
            ("/x:count=0,truncate", "at least 1"),
            ("/x:count=2", "no fault to inject"),
            ("/x:truncate=1", "takes no value"),
            ("/x:oversize=0", "between 1 byte"),
            ("/x:oversize=lots", "not a size"),
            ("/x:chunk=8,truncate", "only applies together with `drip`"),
            ("/x:truncate,truncate", "given twice"),
        ] {
            let e = parse(spec).expect_err(spec);
            assert!(e.contains(expect), "{spec}: {e}");
            assert!(!e.contains('\n'), "{spec}: one line");
        }
    }

    #[test]
    fn counts_are_per_rule_and_exact() {
        let options = DemoOptions::default()
            .fault(FaultRule::new("/a").truncate().count(2))
            .fault(FaultRule::new("*").invalid_json());
        let inj = Injector::new(&options);
        let kind = |p: &str| inj.take(p).and_then(|r| r.body.clone());
        assert_eq!(kind("/a"), Some(BodyFault::Truncate));
        assert_eq!(kind("/b"), Some(BodyFault::InvalidJson));
        assert_eq!(kind("/a"), Some(BodyFault::Truncate));
        // Used up: the next matching rule applies.
        assert_eq!(kind("/a"), Some(BodyFault::InvalidJson));
    }

    #[test]
    fn hostile_documents_keep_their_shape() {
        let clean = Documents::render("http://127.0.0.1:9").unwrap();
        let mut d = clean.clone();
        make_hostile(&mut d);
        for seq in HOSTILE_SEQUENCES {
            assert!(d.server_metadata["name"].as_str().unwrap().contains(seq));
        }
        let long = d.oauth_metadata.to_string().len() - clean.oauth_metadata.to_string().len();
        assert!(long > HOSTILE_LONG_TEXT, "{long}");
        // Same keys everywhere; only strings changed.
        fn shape(v: &Value) -> Value {
            match v {
                Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
                Value::Array(a) => a.iter().map(shape).collect(),
                Value::String(_) => Value::String(String::new()),
                other => other.clone(),
            }
        }
        assert_eq!(shape(&d.oauth_metadata), shape(&clean.oauth_metadata));
        assert_eq!(
            d.server_metadata["cds_metadata_url"],
            clean.server_metadata["cds_metadata_url"]
        );
    }
}
