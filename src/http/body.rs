//! Response bodies read as JSON (plainly saying when one is HTML, empty or truncated) and the
//! short excerpt of an error body (RFC 6749 §5.2 `error`) that messages quote.

use serde_json::Value;
use url::Url;

use super::HttpError;

/// Parses a body as JSON, saying plainly when it is HTML or truncated.
pub fn parse_json_body(
    url: &Url,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Value, HttpError> {
    parse_json_body_as(url, content_type, body)
}

/// [`parse_json_body`] into any type: the same refusals and messages.
pub fn parse_json_body_as<T: serde::de::DeserializeOwned>(
    url: &Url,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, HttpError> {
    // JSON's own whitespace only: a page of megabytes is not checked as UTF-8 twice.
    let trimmed = body.trim_ascii_start();
    if trimmed.is_empty() {
        return Err(HttpError::NotJson {
            url: url.clone(),
            what: "empty response where JSON was expected".to_owned(),
        });
    }
    if trimmed.starts_with(b"<")
        || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
    {
        return Err(HttpError::NotJson {
            url: url.clone(),
            what: format!(
                "got HTML ({}) where JSON was expected",
                content_type.unwrap_or("no Content-Type")
            ),
        });
    }
    serde_json::from_slice(body).map_err(|e| HttpError::NotJson {
        url: url.clone(),
        what: if e.is_eof() {
            format!(
                "JSON ends early (truncated?) at line {} column {}",
                e.line(),
                e.column()
            )
        } else {
            format!("invalid JSON: {e}")
        },
    })
}

/// A short, sanitized excerpt of an error body for messages (RFC 6749 `error` when present).
pub(super) fn error_detail(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body)
        && let Some(e) = v.get("error").and_then(Value::as_str)
    {
        let desc = v
            .get("error_description")
            .and_then(Value::as_str)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return crate::text::sanitize_line(&format!(" ({e}{desc})"), 200);
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_body_errors_are_plain() {
        let u = Url::parse("https://x.test/a").unwrap();
        let e = parse_json_body(&u, Some("text/html"), b"<html>").unwrap_err();
        assert!(e.to_string().contains("got HTML"), "{e}");
        let e = parse_json_body(&u, None, b"{\"a\": [1, 2").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse_json_body(&u, None, b"").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        assert!(parse_json_body(&u, None, b"{\"a\":1}").is_ok());
    }
}
