//! A recorded transcript read back (issue 12 item 4): the entries of a HAR 1.2 file (this
//! program's or any other tool's), the origins they were sent to, and the rewriting of those
//! origins to a replay server's own.

use std::path::Path;
use std::time::Duration;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine;
use serde_json::Value;
use url::Url;

use super::TranscriptError;

/// One recorded exchange, as replay needs it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub step: Option<String>,
    pub method: String,
    pub url: Url,
    /// `None`: no answer was recorded (the request failed before one came).
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was text (origins inside it may be rewritten).
    pub text: bool,
    /// The client stopped reading at its size cap.
    pub cut: bool,
    pub error: Option<String>,
    /// Until the headers, and in all.
    pub wait: Duration,
    pub time: Duration,
}

/// A whole recording.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Outgoing exchanges in order (inbound callbacks are left out: nothing to serve).
    pub entries: Vec<Recorded>,
    /// Every origin (`scheme://host:port`) the entries went to, the first one first.
    pub origins: Vec<String>,
}

impl Recording {
    /// Reads a HAR file. Entries this program cannot use (no URL, a URL that does not parse)
    /// are skipped.
    pub fn load(path: &Path) -> Result<Self, TranscriptError> {
        let text = std::fs::read(path).map_err(|e| TranscriptError::Io {
            path: path.to_owned(),
            what: e.to_string(),
        })?;
        let doc: Value = serde_json::from_slice(&text).map_err(|e| TranscriptError::NotHar {
            path: path.to_owned(),
            what: e.to_string(),
        })?;
        let entries = doc
            .pointer("/log/entries")
            .and_then(Value::as_array)
            .ok_or_else(|| TranscriptError::NotHar {
                path: path.to_owned(),
                what: "no log.entries array".to_owned(),
            })?;
        let entries: Vec<Recorded> = entries.iter().filter_map(recorded).collect();
        let mut origins: Vec<String> = Vec::new();
        for e in &entries {
            let o = e.url.origin().ascii_serialization();
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        Ok(Recording { entries, origins })
    }

    /// The URL a discovery of this recording starts at: the first discovery request's.
    pub fn start_url(&self) -> Option<&Url> {
        self.entries
            .iter()
            .find(|e| e.step.as_deref() == Some("discovery"))
            .or(self.entries.first())
            .map(|e| &e.url)
    }
}

fn recorded(e: &Value) -> Option<Recorded> {
    if e.get("_inbound").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let req = e.get("request")?;
    let resp = e.get("response");
    let url = Url::parse(req.get("url")?.as_str()?).ok()?;
    let status = resp
        .and_then(|r| r.get("status"))
        .and_then(Value::as_u64)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| *n != 0);
    let headers = resp
        .and_then(|r| r.get("headers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|h| Some((s(h.get("name"))?, s(h.get("value"))?)))
                .collect()
        })
        .unwrap_or_default();
    let content = resp.and_then(|r| r.get("content"));
    let body_text = s(content.and_then(|c| c.get("text"))).unwrap_or_default();
    let base64 = s(content.and_then(|c| c.get("encoding"))).as_deref() == Some("base64");
    let body = if base64 {
        base64::engine::general_purpose::STANDARD
            .decode(body_text.as_bytes())
            .unwrap_or_default()
    } else {
        body_text.into_bytes()
    };
    let ms = |v: Option<&Value>| {
        Duration::from_secs_f64(v.and_then(Value::as_f64).unwrap_or(0.0).max(0.0) / 1000.0)
    };
    Some(Recorded {
        step: s(e.get("_step")),
        method: s(req.get("method")).unwrap_or_else(|| "GET".to_owned()),
        url,
        status,
        headers,
        body,
        text: !base64,
        cut: e.get("_cut").and_then(Value::as_bool).unwrap_or(false),
        error: s(e.get("_error")),
        wait: ms(e.pointer("/timings/wait")),
        time: ms(e.get("time")),
    })
}

/// Replaces recorded origins by a server's own (and back): `https://u.example` →
/// `http://127.0.0.1:PORT`, other origins under `/_origin/N` of the same server.
#[derive(Debug, Clone)]
pub struct Rewriter {
    from: Vec<String>,
    to: Vec<String>,
    matcher: Option<AhoCorasick>,
}

impl Rewriter {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let (from, to): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&from)
            .ok();
        Rewriter { from, to, matcher }
    }

    /// The replay base for each recorded origin (`base` for the first).
    pub fn for_replay(origins: &[String], base: &str) -> Self {
        let pairs = origins
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let to = if i == 0 {
                    base.to_owned()
                } else {
                    format!("{base}/_origin/{i}")
                };
                (o.clone(), to)
            })
            .collect();
        Self::new(pairs)
    }

    /// The same mapping the other way (replay URLs back to the recorded ones).
    pub fn reversed(&self) -> Self {
        Self::new(
            self.to
                .iter()
                .cloned()
                .zip(self.from.iter().cloned())
                .collect(),
        )
    }

    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.from
            .iter()
            .map(String::as_str)
            .zip(self.to.iter().map(String::as_str))
    }

    /// Every origin in `text` replaced, where it is not part of a longer host or port
    /// (`http://h:80` is not `http://h:8080`).
    pub fn text(&self, text: &str) -> String {
        let Some(ac) = &self.matcher else {
            return text.to_owned();
        };
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for m in ac.find_iter(text) {
            let next = text[m.end()..].chars().next();
            if next.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')) {
                continue;
            }
            out.push_str(&text[at..m.start()]);
            out.push_str(&self.to[m.pattern().as_usize()]);
            at = m.end();
        }
        out.push_str(&text[at..]);
        out
    }
}
