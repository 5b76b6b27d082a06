//! Fault injection for the demo utility (tests and demonstrations only; the default is none):
//! per-path latency, error statuses for the first N requests, truncated or invalid JSON,
//! oversized and slowly dripping bodies, and "hostile strings" documents whose display texts
//! carry terminal escapes and bidi overrides. None of this is CDS behaviour: it is how a real,
//! imperfect utility may look to a client, so the client's defences can be exercised.

mod hostile;
mod inject;
mod spec;

pub use hostile::{HOSTILE_LONG_TEXT, HOSTILE_SEQUENCES, hostile_json, make_hostile};
pub use inject::inject;
pub use spec::{FaultSpecError, parse_fault_spec};

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::StatusCode;

use super::DemoOptions;

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
    /// The first half of the real body, then the connection is dropped mid-body (the stream
    /// fails, so the peer sees the connection end before the body does).
    Reset,
    /// Every string value of a JSON body (at any depth, identifiers and tokens included)
    /// carries terminal escapes, C1 controls and bidi overrides (see [`hostile_json`]).
    Hostile,
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
    pub fn reset(mut self) -> Self {
        self.body = Some(BodyFault::Reset);
        self
    }
    pub fn hostile(mut self) -> Self {
        self.body = Some(BodyFault::Hostile);
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

/// The rules of one running server with their use counters.
#[derive(Debug, Default)]
pub struct Injector {
    latency: Duration,
    rules: std::sync::RwLock<Vec<(FaultRule, AtomicU64)>>,
}

impl Injector {
    pub fn new(options: &DemoOptions) -> Self {
        Self {
            latency: options.latency,
            rules: std::sync::RwLock::new(
                options
                    .faults
                    .iter()
                    .map(|r| (r.clone(), AtomicU64::new(0)))
                    .collect(),
            ),
        }
    }

    /// Adds a rule to a running server, tried after the others (tests that fail one step of
    /// a longer exchange arm it just before that step).
    pub fn arm(&self, rule: FaultRule) {
        self.rules
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((rule, AtomicU64::new(0)));
    }

    /// Replaces every rule of a running server (tests that walk one server through several
    /// faults switch them between runs); an empty list clears them.
    pub fn set(&self, rules: Vec<FaultRule>) {
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) =
            rules.into_iter().map(|r| (r, AtomicU64::new(0))).collect();
    }

    /// The first rule matching `path` that has uses left, taking one use (thread-safe: two
    /// concurrent requests never both take the last use).
    fn take(&self, path: &str) -> Option<FaultRule> {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        rules.iter().find_map(|(rule, used)| {
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
            ok.then(|| rule.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::documents::Documents;
    use serde_json::Value;

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
        assert_eq!(parse("/x:reset").unwrap().body, Some(BodyFault::Reset));
        assert_eq!(parse("/x:hostile").unwrap().body, Some(BodyFault::Hostile));
        assert!(parse("/x:reset=1").unwrap_err().contains("takes no value"));
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
    fn rules_switch_at_runtime() {
        let inj = Injector::new(&DemoOptions::default());
        assert_eq!(inj.take("/a"), None);
        inj.set(vec![FaultRule::new("/a").reset()]);
        assert_eq!(inj.take("/a").and_then(|r| r.body), Some(BodyFault::Reset));
        inj.set(Vec::new());
        assert_eq!(inj.take("/a"), None);
    }

    #[test]
    fn hostile_json_touches_every_string_and_nothing_else() {
        let body = br#"{"client_id":"abc","n":1,"list":["x",{"y":"z"}],"ok":true}"#;
        let v: Value = serde_json::from_slice(&hostile_json(body)).unwrap();
        for s in [&v["client_id"], &v["list"][0], &v["list"][1]["y"]] {
            let s = s.as_str().unwrap();
            assert!(HOSTILE_SEQUENCES.iter().all(|h| s.contains(h)), "{s:?}");
        }
        assert_eq!(
            (v["n"].clone(), v["ok"].clone()),
            (Value::from(1), Value::from(true))
        );
        assert_eq!(hostile_json(b"<html>"), b"<html>".to_vec());
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
