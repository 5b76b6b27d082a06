//! From a normalized document to findings: draft translations (compatibility with the older
//! drafts) and decode errors as RFC 6901 pointers (CDS-WG1-01 §3.2, CDS-WG1-02 §3.2).

use serde_json::Value;
use url::Url;

use crate::cds::conformance::{self, Finding, Severity};
use crate::cds::drafts::{self, Draft};

pub(super) fn translation_findings(
    findings: &mut Vec<Finding>,
    url: &Url,
    draft: Draft,
    translations: Vec<drafts::Translation>,
) {
    for t in translations {
        findings.push(Finding {
            severity: Severity::Info,
            code: "draft.translated".into(),
            message: format!("{} (document is {})", t.message, draft.label()),
            section: "compatibility".into(),
            pointer: t.pointer,
            document: Some(url.to_string()),
        });
    }
}

pub(super) fn decode_finding<T: serde::de::DeserializeOwned>(
    raw: &Value,
    url: &Url,
    code: &str,
    section: &str,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    // The path-tracking decoder only when the plain one fails: it costs on every field, and an
    // OAuth document can describe thousands of scopes.
    if let Ok(v) = T::deserialize(raw) {
        return Some(v);
    }
    match serde_path_to_error::deserialize::<_, T>(raw) {
        Ok(v) => Some(v),
        Err(e) => {
            let path = e.path().to_string();
            findings.push(Finding {
                severity: Severity::Error,
                code: code.into(),
                message: format!("cannot be read as {section}: {} at {path}", e.inner()),
                section: section.into(),
                pointer: path_to_pointer(&path),
                document: Some(url.to_string()),
            });
            None
        }
    }
}

/// As [`decode_finding`], from the compact text of a value (what
/// [`super::raw_json::RawJson`] holds), so that the value's tree need not be alive meanwhile. A
/// failure is reported as [`decode_finding`] reports it, from the value read back.
pub(super) fn decode_text_finding<T: serde::de::DeserializeOwned>(
    text: &str,
    url: &Url,
    code: &str,
    section: &str,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    if let Ok(v) = serde_json::from_str(text) {
        return Some(v);
    }
    let value = serde_json::from_str(text).unwrap_or(Value::Null);
    decode_finding(&value, url, code, section, findings)
}

/// serde_path_to_error's `a.b[0].c` as an RFC 6901 pointer.
pub(super) fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for seg in path.split('.') {
        let (name, indices) = match seg.find('[') {
            Some(i) => (&seg[..i], &seg[i..]),
            None => (seg, ""),
        };
        if !name.is_empty() {
            out.push('/');
            out.push_str(&conformance::pointer_token(name));
        }
        for idx in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
            out.push('/');
            out.push_str(idx);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_paths_become_pointers() {
        assert_eq!(path_to_pointer("."), "");
        assert_eq!(path_to_pointer("a.b[0].c"), "/a/b/0/c");
        assert_eq!(
            path_to_pointer("cds_scope_descriptions.x/y.name"),
            "/cds_scope_descriptions/x~1y/name"
        );
    }
}
