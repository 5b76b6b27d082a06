//! What a conformance check reports: findings with a severity, a stable code, the spec
//! section (CDS-WG1-01, CDS-WG1-02, RFC 8414) and an RFC 6901 pointer into the document.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding: what is wrong (or worth knowing), where, and which rule says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, e.g. `oauth.pkce_plain_offered`.
    pub code: String,
    pub message: String,
    /// e.g. `CDS-WG1-02 §3.4`.
    pub section: String,
    /// RFC 6901 pointer into the document at `document`.
    pub pointer: String,
    /// The document the pointer is into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// Findings kept per code before the rest are summarized (a hostile document can repeat one
/// mistake a hundred thousand times; a reader needs the first few and the count).
pub const MAX_PER_CODE: usize = 50;

/// Keeps the first `max` findings of each code (in order) and replaces the rest of a code with
/// one finding saying how many more there were, at the severity of the code's first finding.
pub fn bound_per_code(findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    use std::collections::HashMap;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut kept = Vec::with_capacity(findings.len().min(1024));
    let mut first_of: HashMap<String, Finding> = HashMap::new();
    for f in findings {
        let n = seen.entry(f.code.clone()).or_insert(0);
        *n += 1;
        if *n <= max {
            if *n == 1 {
                first_of.insert(f.code.clone(), f.clone());
            }
            kept.push(f);
        }
    }
    let mut extra: Vec<(&String, &usize)> = seen.iter().filter(|(_, n)| **n > max).collect();
    extra.sort();
    for (code, n) in extra {
        let first = &first_of[code];
        kept.push(Finding {
            severity: first.severity,
            code: code.clone(),
            message: format!("… and {} more like this one: {}", n - max, first.message),
            section: first.section.clone(),
            pointer: String::new(),
            document: first.document.clone(),
        });
    }
    kept
}

/// Collects findings about one document.
pub struct Report<'a> {
    pub findings: &'a mut Vec<Finding>,
    pub document: Option<String>,
}

impl Report<'_> {
    pub fn push(
        &mut self,
        severity: Severity,
        code: &str,
        section: &str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            code: code.to_owned(),
            message: message.into(),
            section: section.to_owned(),
            pointer: pointer.into(),
            document: self.document.clone(),
        });
    }
    pub(super) fn error(
        &mut self,
        code: &str,
        section: &str,
        ptr: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.push(Severity::Error, code, section, ptr, msg);
    }
    pub(super) fn warning(
        &mut self,
        code: &str,
        section: &str,
        ptr: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, section, ptr, msg);
    }
}

/// RFC 6901: escape one reference token.
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Counts by severity.
pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, i: usize) -> Finding {
        Finding {
            severity: Severity::Warning,
            code: code.into(),
            message: format!("#{i}"),
            section: "CDS-WG1-01 §3".into(),
            pointer: format!("/x/{i}"),
            document: None,
        }
    }

    #[test]
    fn findings_are_bounded_per_code_with_a_count_of_the_rest() {
        let mut all: Vec<Finding> = (0..1000).map(|i| finding("coverage.bad", i)).collect();
        all.push(finding("other", 0));
        let kept = bound_per_code(all, 50);
        assert_eq!(kept.len(), 52);
        assert_eq!(kept.iter().filter(|f| f.code == "coverage.bad").count(), 51);
        let last = kept.last().unwrap();
        assert_eq!(last.message, "… and 950 more like this one: #0");
        assert_eq!(
            (last.code.as_str(), last.severity),
            ("coverage.bad", Severity::Warning)
        );
        let few: Vec<Finding> = (0..3).map(|i| finding("a", i)).collect();
        assert_eq!(
            bound_per_code(few.clone(), 50),
            few,
            "under the bound nothing changes"
        );
    }
}
