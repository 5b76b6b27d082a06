//! Conformance by draft: a document is checked against the draft it follows, and what the
//! newest draft (CDS-WG1-01/02, 2026) adds is listed apart as `upgrade.` findings.
//!
//! The checks of this module's siblings are written for the 2026 drafts and run on the
//! normalized document. A finding about a rule the document's own draft does not have is not an
//! error of that document: it becomes `upgrade.<code>`, an `info` finding (or an error when the
//! user targets 2026, see [`target_newest`]), with the draft named in the message.

use super::finding::{Finding, Severity};
use crate::cds::drafts::Draft;

/// Top-level fields of the May 2023 overview's documents (the metadata example shows the
/// version, the capabilities and the OAuth link; the OAuth example every field listed here):
/// missing ones stay errors of a 2023 document. Every other `required_field` finding on a 2023
/// document is a 2025/2026 requirement.
const FIELDS_2023: &[&str] = &[
    "cds_metadata_version",
    "capabilities",
    "oauth_metadata",
    "issuer",
    "registration_endpoint",
    "authorization_endpoint",
    "token_endpoint",
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "cds_scope_descriptions",
];

/// Rules the CDS 2026 drafts added to CDSC 2025 (pointer's last token for `required_field`).
fn new_in_2026(code: &str, field: &str) -> bool {
    matches!(
        (code, field),
        ("oauth.required_field", "cds_timezone")
            // 2025 §3.8: `limit` and the date limits are OPTIONAL ("if limited"); there is no
            // `minimum`.
            | ("adf.bounds_missing", _)
            | ("adf.minimum_missing", _)
    )
}

/// Rules the 2025 drafts added to the May 2023 overviews.
fn new_since_2023(code: &str, field: &str) -> bool {
    let required = code.ends_with(".required_field") && !FIELDS_2023.contains(&field);
    required
        || matches!(
            code,
            // PAR and the test-accounts page are REQUIRED from the 2025 draft on.
            "oauth.par_missing" | "oauth.test_accounts_missing"
        )
}

/// Whether `f` is about a rule newer than `draft`.
pub fn is_newer_than(draft: Draft, f: &Finding) -> bool {
    let field = f.pointer.rsplit('/').next().unwrap_or("");
    let code = f.code.as_str();
    match draft {
        Draft::Cds2026 => false,
        Draft::Cdsc2025 => new_in_2026(code, field),
        Draft::Cdsc2023 => new_in_2026(code, field) || new_since_2023(code, field),
    }
}

/// Rewrites every finding about a rule newer than its document's draft (`draft_of` tells the
/// draft of a finding's document) into an `upgrade.` info finding.
pub fn grade_by_draft(findings: &mut [Finding], draft_of: impl Fn(Option<&str>) -> Draft) {
    for f in findings.iter_mut() {
        let draft = draft_of(f.document.as_deref());
        if f.severity == Severity::Info || !is_newer_than(draft, f) {
            continue;
        }
        f.code = format!("upgrade.{}", f.code);
        f.severity = Severity::Info;
        f.message = format!(
            "{} (new in CDS 2026; the document follows {})",
            f.message,
            draft.label()
        );
    }
}

/// `--target 2026`: the distance to the newest draft counts as errors.
pub fn target_newest(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        if f.code.starts_with("upgrade.") {
            f.severity = Severity::Error;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, pointer: &str) -> Finding {
        Finding {
            severity: Severity::Error,
            code: code.into(),
            message: "m".into(),
            section: "s".into(),
            pointer: pointer.into(),
            document: Some("https://u.example/oauth".into()),
        }
    }

    #[test]
    fn a_2023_document_is_not_wrong_for_lacking_2026_fields() {
        let mut f = vec![
            finding("metadata.required_field", "/name"),
            finding("metadata.required_field", "/cds_metadata_version"),
            finding(
                "scope.required_field",
                "/cds_scope_descriptions/usage/documentation",
            ),
            finding("oauth.par_missing", ""),
            finding("oauth.field_type", "/cds_timezone"),
        ];
        grade_by_draft(&mut f, |_| Draft::Cdsc2023);
        let codes: Vec<(&str, Severity)> =
            f.iter().map(|f| (f.code.as_str(), f.severity)).collect();
        assert_eq!(
            codes,
            [
                ("upgrade.metadata.required_field", Severity::Info),
                ("metadata.required_field", Severity::Error),
                ("upgrade.scope.required_field", Severity::Info),
                ("upgrade.oauth.par_missing", Severity::Info),
                ("oauth.field_type", Severity::Error),
            ]
        );
        assert!(f[0].message.contains("CDSC May 2023"), "{}", f[0].message);
        target_newest(&mut f);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].code, "upgrade.metadata.required_field");
    }

    #[test]
    fn a_2025_document_keeps_its_own_requirements() {
        let mut f = vec![
            finding("oauth.required_field", "/cds_timezone"),
            finding("oauth.required_field", "/cds_grants_api"),
            finding("adf.minimum_missing", "/x"),
            finding("oauth.par_missing", ""),
        ];
        grade_by_draft(&mut f, |_| Draft::Cdsc2025);
        let upgraded: Vec<bool> = f.iter().map(|f| f.code.starts_with("upgrade.")).collect();
        assert_eq!(upgraded, [true, false, true, false]);
        let mut g = vec![finding("oauth.required_field", "/cds_timezone")];
        grade_by_draft(&mut g, |_| Draft::Cds2026);
        assert_eq!(g[0].code, "oauth.required_field");
    }
}
