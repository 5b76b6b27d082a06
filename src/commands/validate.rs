//! `cds-wizard validate`: the conformance findings, exit 1 when any is an error.

use std::process::ExitCode;

use serde_json::json;

use crate::cds::conformance::{Finding, Severity};
use crate::cli::TargetArgs;
use crate::text::sanitize;

pub async fn run(args: &TargetArgs) -> anyhow::Result<ExitCode> {
    let d = super::run_discovery(&super::target_url(args)?, args.timeout).await?;
    let (errors, warnings) = (d.errors(), d.warnings());
    if args.json {
        super::print_json(&json!({
            "metadata_url": d.metadata_url,
            "draft": d.draft(),
            "findings": d.findings,
            "errors": errors,
            "warnings": warnings,
        }));
    } else {
        print_findings(&d.findings);
        println!(
            "{errors} error{}, {warnings} warning{}, {} info — {}",
            plural(errors),
            plural(warnings),
            d.findings.len() - errors - warnings,
            d.metadata_url
        );
    }
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
