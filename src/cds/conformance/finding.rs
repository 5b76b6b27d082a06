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
