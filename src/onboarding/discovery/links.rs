//! The links a server metadata document makes (CDS-WG1-01 §3.2 `coverage`, `oauth_metadata`,
//! `related_metadata`, `capabilities`), read leniently and held to the URL policy.

use serde_json::Value;
use url::Url;

use crate::cds::conformance::{Finding, Severity};
use crate::http::{self, HttpError};

/// The links a server metadata document makes, read leniently.
pub(super) struct MetadataLinks {
    pub(super) related: Vec<Url>,
    pub(super) coverage: Option<Url>,
    pub(super) oauth: Option<Url>,
    pub(super) wants_oauth: bool,
}

impl MetadataLinks {
    /// Reads the links of `doc` (served from `base`), dropping — with an error finding — those
    /// the URL policy refuses: plain http to a remote host, or a remote document pointing at
    /// this machine (`start` is where the user began).
    pub(super) fn read(doc: &Value, base: &Url, start: &Url, findings: &mut Vec<Finding>) -> Self {
        let mut allowed = |key: &str, s: &str| -> Option<Url> {
            let url = base.join(s).ok()?;
            match http::check_url(&url).and_then(|()| http::check_not_inward(start, &url)) {
                Ok(()) => Some(url),
                Err(e) => {
                    findings.push(link_refused(base, key, &e));
                    None
                }
            }
        };
        let coverage = doc
            .get("coverage")
            .and_then(Value::as_str)
            .and_then(|s| allowed("coverage", s));
        let oauth = doc
            .get("oauth_metadata")
            .and_then(Value::as_str)
            .and_then(|s| allowed("oauth_metadata", s));
        let mut related: Vec<Url> = Vec::new();
        let links = doc
            .get("related_metadata")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for s in links {
            // Each link once per document, however often it is repeated.
            if let Some(u) = allowed("related_metadata", s)
                && !related.contains(&u)
            {
                related.push(u);
                if related.len() >= MAX_LINKS_PER_DOCUMENT {
                    break;
                }
            }
        }
        let caps: Vec<&str> = doc
            .get("capabilities")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Self {
            related,
            coverage,
            oauth,
            wants_oauth: caps.contains(&"oauth"),
        }
    }
}

/// More related links than this in one document are not read.
const MAX_LINKS_PER_DOCUMENT: usize = 100;

fn link_refused(document: &Url, key: &str, e: &HttpError) -> Finding {
    Finding {
        severity: Severity::Error,
        code: "discovery.link_refused".into(),
        message: e.to_string(),
        section: "CDS-WG1-01 §3".into(),
        pointer: format!("/{key}"),
        document: Some(document.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_checked_and_deduplicated() {
        let base = Url::parse("https://u.example/meta.json").unwrap();
        let doc = serde_json::json!({
            "capabilities": ["oauth"],
            "coverage": "http://127.0.0.1:6379/",
            "oauth_metadata": "http://u.example/oauth",
            "related_metadata": ["/a.json", "/a.json", "https://u.example/a.json", 7, "/b.json"]
        });
        let mut findings = Vec::new();
        let links = MetadataLinks::read(&doc, &base, &base, &mut findings);
        assert_eq!(
            links.related.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://u.example/a.json", "https://u.example/b.json"]
        );
        assert!(
            links.coverage.is_none(),
            "a remote document may not point at loopback"
        );
        assert!(links.oauth.is_none(), "plain http to a remote host");
        assert_eq!(findings.len(), 2);
        assert!(findings.iter().all(|f| f.code == "discovery.link_refused"));
        assert_eq!(findings[0].pointer, "/coverage");
        // A loopback start may lead to loopback links (the demo, local testing).
        let local = Url::parse("http://127.0.0.1:8080/meta.json").unwrap();
        let mut findings = Vec::new();
        let links = MetadataLinks::read(&doc, &local, &local, &mut findings);
        assert!(links.coverage.is_some());
    }
}
