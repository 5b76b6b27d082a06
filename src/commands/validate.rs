//! `cds-wizard validate`: the conformance findings, exit 1 when any is an error.

use std::process::ExitCode;

use serde_json::json;

use crate::cds::conformance;
use crate::cds::conformance::{Finding, Severity};
use crate::cli::ValidateArgs;
use crate::text::sanitize;

pub async fn run(va: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let args = &va.target;
    let mut d = super::run_target_discovery(args, true).await?;
    if va.target_draft.is_some() {
        conformance::target_newest(&mut d.findings);
        d.findings.sort_by_key(|f| f.severity);
    }
    let (errors, warnings) = (d.errors(), d.warnings());
    let upgrades = d
        .findings
        .iter()
        .filter(|f| f.code.starts_with("upgrade."))
        .count();
    if args.json {
        super::print_json(&json!({
            "metadata_url": d.metadata_url,
            "draft": d.draft(),
            "findings": d.findings,
            "errors": errors,
            "warnings": warnings,
            "upgrades": upgrades,
        }));
    } else {
        print_findings(&d.findings);
        let to_2026 = match (upgrades, va.target_draft.is_some()) {
            (0, _) => String::new(),
            (n, false) => format!(
                " ({n} of them `upgrade.`: what CDS 2026 adds to {})",
                d.draft().label()
            ),
            (n, true) => format!(
                " ({n} of the errors are what CDS 2026 adds to {})",
                d.draft().label()
            ),
        };
        println!(
            "{errors} error{}, {warnings} warning{}, {} info{to_2026} — {}",
            plural(errors),
            plural(warnings),
            d.findings.len() - errors - warnings,
            d.metadata_url
        );
    }
    super::leave_for_exit(d);
    Ok(if errors > 0 {
        ExitCode::from(super::EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One finding a line: severity, code, section, where, what.
pub fn print_findings(findings: &[Finding]) {
    for f in findings {
        let tag = match f.severity {
            Severity::Error => "error  ",
            Severity::Warning => "warning",
            Severity::Info => "info   ",
        };
        let place = match (&f.document, f.pointer.is_empty()) {
            (Some(doc), false) => format!("{doc}#{}", f.pointer),
            (Some(doc), true) => doc.clone(),
            (None, _) => f.pointer.clone(),
        };
        println!(
            "{tag} {} [{}] {}\n        at {}",
            sanitize(&f.code),
            sanitize(&f.section),
            sanitize(&f.message),
            sanitize(&place)
        );
    }
}
