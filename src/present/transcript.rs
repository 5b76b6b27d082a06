//! The words of a recorded exchange (issue 12 point 3, the wizard's Inspector): one list row
//! (time, method, status, duration, size, step, URL) and the detail (facts, headers,
//! pretty-printed bodies, the redacted request as curl). The exchange is already redacted by
//! the recorder; every value from it is sanitized here, where it becomes text.

use std::time::Duration;

use crate::onboarding::transcript::Exchange;
use crate::text::sanitize;

/// Lines of a body shown at most (a pretty-printed 64 KiB document is far longer).
pub const MAX_BODY_LINES: usize = 5_000;

/// One exchange as a row of the list; all text sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    pub id: u64,
    /// `HH:MM:SS` (UTC) the request started.
    pub time: String,
    pub method: String,
    /// The status code, `ERR` when no answer came, `IN` for the callback received.
    pub status: String,
    pub outcome: Outcome,
    pub duration: String,
    pub size: String,
    pub step: String,
    /// The address without its scheme (`host/path?query`).
    pub url: String,
    /// The whole address.
    pub full_url: String,
}

/// How a row reads at a glance (the UI colors it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Redirect,
    Failed,
    Inbound,
}

/// The detail of one exchange; all text sanitized, bodies split into lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeDetail {
    pub id: u64,
    /// The full address as recorded (findings are matched against it).
    pub url: String,
    /// `GET 200 OK · 12 ms · 1.2 kB · discovery`.
    pub headline: String,
    pub facts: Vec<(&'static str, String)>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub request_body: Vec<String>,
    pub response_body: Vec<String>,
    /// The redacted request as a curl command, one line per argument.
    pub curl: Vec<String>,
}

/// A duration as people read it (`850 µs`, `12 ms`, `1.25 s`).
pub fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{} µs", d.as_micros())
    } else if ms < 1000.0 {
        format!("{} ms", ms.round() as u64)
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// The exchange as a list row.
pub fn row(e: &Exchange) -> ExchangeRow {
    let outcome = if e.inbound {
        Outcome::Inbound
    } else {
        match e.status {
            Some(s) if (300..400).contains(&s) => Outcome::Redirect,
            Some(s) if s < 400 => Outcome::Ok,
            _ => Outcome::Failed,
        }
    };
    let status = match (e.inbound, e.status) {
        (true, _) => "IN".to_owned(),
        (false, Some(s)) => s.to_string(),
        (false, None) => "ERR".to_owned(),
    };
    ExchangeRow {
        id: e.id,
        time: e.started.strftime("%H:%M:%S").to_string(),
        method: sanitize(&e.method),
        status,
        outcome,
        duration: if e.inbound {
            String::new()
        } else {
            duration(e.duration)
        },
        size: if e.inbound {
            String::new()
        } else {
            super::catalog::bytes(e.size as u64)
        },
        step: sanitize(&e.step),
        url: sanitize(short_url(&e.url)),
        full_url: sanitize(&e.url),
    }
}

/// `url` without its scheme.
fn short_url(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// The exchange in full, for the detail view.
pub fn detail(e: &Exchange) -> ExchangeDetail {
    let r = row(e);
    let mut headline = format!("{} {}", r.method, r.status);
    if !e.inbound {
        headline.push_str(&format!(" · {} · {}", r.duration, r.size));
    }
    headline.push_str(&format!(" · {}", r.step));
    let pairs = |h: &[(String, String)]| {
        h.iter()
            .map(|(k, v)| (sanitize(k), sanitize(v)))
            .collect::<Vec<_>>()
    };
    ExchangeDetail {
        id: e.id,
        url: sanitize(&e.url),
        headline,
        facts: facts(e),
        request_headers: pairs(&e.request_headers),
        response_headers: pairs(&e.response_headers),
        request_body: match &e.request_body {
            Some(b) => body_lines(b, e.request_content_type().as_deref(), false),
            None => Vec::new(),
        },
        response_body: if e.response_body.is_empty() {
            Vec::new()
        } else {
            body_lines(
                &e.response_body,
                e.response_content_type().as_deref(),
                e.body_base64,
            )
        },
        curl: e.curl().lines().map(sanitize).collect(),
    }
}

fn facts(e: &Exchange) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("URL", sanitize(&e.url)),
        (
            "Started",
            e.started.strftime("%Y-%m-%d %H:%M:%S%.3f UTC").to_string(),
        ),
        ("Step", sanitize(&e.step)),
    ];
    if e.inbound {
        f.push((
            "Received",
            "by the wizard (the customer's browser came back)".to_owned(),
        ));
        return f;
    }
    if let Some(s) = e.status {
        f.push(("Status", format!("{s} ({})", sanitize(&e.http_version))));
    }
    f.push(("Waiting", duration(e.wait)));
    f.push(("Total", duration(e.duration)));
    f.push(("Received", super::catalog::bytes(e.size as u64)));
    if let Some(to) = &e.redirect_to {
        f.push(("Moved to", sanitize(to)));
    }
    if let Some(err) = &e.error {
        f.push(("Error", sanitize(err)));
    }
    if e.cut {
        f.push(("Cut", "the response passed the size cap".to_owned()));
    }
    if e.shortened {
        f.push((
            "Shortened",
            format!(
                "only the first {} KiB are kept here (a HAR file keeps all)",
                crate::onboarding::transcript::recorder::KEPT_BODY / 1024
            ),
        ));
    }
    f
}

/// A body as lines: JSON pretty-printed, a form one field a line, text as it is.
fn body_lines(body: &str, content_type: Option<&str>, base64: bool) -> Vec<String> {
    if base64 {
        return vec![format!(
            "({} of binary data, {} in the HAR file as Base64)",
            super::catalog::bytes(body.len() as u64 * 3 / 4),
            content_type.map(sanitize).unwrap_or_default()
        )];
    }
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    let text = if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_owned())
    } else if ct.contains("json") && body.trim_start().starts_with(['{', '[']) {
        // A document cut at the in-memory limit (or broken) is still laid out as JSON.
        indent_json_prefix(body)
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        body.split('&').collect::<Vec<_>>().join("\n")
    } else {
        body.to_owned()
    };
    let mut lines: Vec<String> = text.lines().take(MAX_BODY_LINES).map(sanitize).collect();
    let total = text.lines().count();
    if total > MAX_BODY_LINES {
        lines.push(format!(
            "… {} more lines (the HAR file has them all)",
            total - MAX_BODY_LINES
        ));
    }
    lines
}

/// Lays out JSON text that may be cut short or broken, one member a line, the way
/// `to_string_pretty` would for whole documents: only structure outside strings is touched.
fn indent_json_prefix(body: &str) -> String {
    let mut out = String::with_capacity(body.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for ch in body.chars() {
        if in_string {
            out.push(ch);
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                out.push(ch);
            }
            '{' | '[' => {
                out.push(ch);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(ch);
            }
            ',' => {
                out.push(ch);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cut_json_document_is_still_laid_out() {
        let text = super::indent_json_prefix(
            r#"{"issuer":"https://u.example","scopes":["a, b","c"],"x":{"y":"q\"{"#,
        );
        assert_eq!(
            text,
            "{\n  \"issuer\": \"https://u.example\",\n  \"scopes\": [\n    \"a, b\",\n    \"c\"\n  ],\n  \"x\": {\n    \"y\": \"q\\\"{"
        );
    }

    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Duration::from_micros(420)), "420 µs");
        assert_eq!(duration(Duration::from_millis(12)), "12 ms");
        assert_eq!(duration(Duration::from_millis(1250)), "1.25 s");
    }

    #[test]
    fn bodies_are_pretty_and_safe() {
        let json = body_lines(r#"{"a":[1,2],"b":"x\u001b[31m"}"#, None, false);
        assert_eq!(json[0], "{");
        assert!(json.iter().any(|l| l.contains("\"a\": [")));
        assert!(json.iter().all(|l| !l.contains('\u{1b}')));
        let form = body_lines(
            "grant_type=client_credentials&scope=a+b",
            Some("application/x-www-form-urlencoded"),
            false,
        );
        assert_eq!(form, ["grant_type=client_credentials", "scope=a+b"]);
        let bin = body_lines("AAAA", Some("application/pdf"), true);
        assert!(bin[0].contains("3 B of binary data"), "{bin:?}");
    }
}
