//! The research catalog's words (issue 13): crawl progress and summary, the rows of
//! `catalog list|scopes|fields|search`, one utility's snapshot, and the differences between two
//! snapshots (CDS-WG1-02 §3.4–§3.8 scopes and fields, CDS-WG1-01 §4 coverage). Every value
//! from a server is sanitized here.

use crate::catalog::crawl::CrawlSummary;
use crate::catalog::diff::Change;
use crate::catalog::model::UtilitySnapshot;
use crate::catalog::query::{FieldLine, ScopeLine, SearchHit, UtilityLine};
use crate::text::{sanitize, sanitize_line};

use super::plural;

/// Bytes as people read them (`1.2 MB`).
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

/// One line per finished utility when stderr is not a terminal.
pub fn crawl_line(done: usize, total: usize, url: &str, error: Option<&str>) -> String {
    match error {
        None => format!("[{done}/{total}] ok     {}", sanitize_line(url, 120)),
        Some(e) => format!(
            "[{done}/{total}] failed {}: {}",
            sanitize_line(url, 120),
            sanitize_line(e, 200)
        ),
    }
}

/// The progress bar's message: failures, requests, bytes.
pub fn crawl_progress(failed: usize, requests: u64, transferred: u64) -> String {
    format!(
        "{failed} failed · {requests} request{} · {}",
        plural(requests as usize),
        bytes(transferred)
    )
}

pub fn crawl_summary(s: &CrawlSummary, db: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "Crawl {}: {} of {} utilit{} stored, {} failed{} in {:.1} s ({} request{}, {}).",
        s.crawl_id,
        s.ok,
        s.total,
        if s.total == 1 { "y" } else { "ies" },
        s.failed,
        if s.interrupted {
            format!(", {} not finished (interrupted)", s.not_finished)
        } else {
            String::new()
        },
        s.elapsed_ms as f64 / 1000.0,
        s.requests,
        plural(s.requests as usize),
        bytes(s.bytes),
    )];
    lines.push(format!("Database: {}", sanitize(db)));
    lines
}

fn cell(s: &str, width: usize) -> String {
    format!("{:<width$}", sanitize_line(s, width))
}

pub fn utility_rows(rows: &[UtilityLine]) -> Vec<String> {
    let mut out = vec![format!(
        "{:>5}  {:<34} {:<10} {:>6} {:>8} {:>6}  {}",
        "ID", "UTILITY", "DRAFT", "SCOPES", "COVERAGE", "ERRORS", "REGISTRATION COST"
    )];
    for r in rows {
        let name = r.name.as_deref().unwrap_or(&r.input_url);
        if r.status != "ok" {
            out.push(format!(
                "{:>5}  {} failed: {}",
                r.id,
                cell(&r.input_url, 34),
                sanitize_line(r.error.as_deref().unwrap_or(""), 100)
            ));
            continue;
        }
        let cost = if r.registration_cost.is_empty() {
            "free".to_owned()
        } else {
            r.registration_cost.join(", ")
        };
        out.push(format!(
            "{:>5}  {} {:<10} {:>6} {:>8} {:>6}  {}",
            r.id,
            cell(name, 34),
            sanitize_line(r.draft.as_deref().unwrap_or(""), 10),
            r.scopes,
            r.coverage_entries,
            r.errors,
            sanitize(&cost)
        ));
    }
    out
}

/// The rows of `catalog scopes`; PUBLIC says whether a public client (an app with no client
/// secret, auth method `none`) may use the scope.
pub fn scope_rows(rows: &[ScopeLine]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<30} {:<26} {:<22} {:>6} {:<6}  {}",
        "UTILITY", "SCOPE", "TYPE", "FIELDS", "PUBLIC", "NAME"
    )];
    out.extend(rows.iter().map(|r| {
        format!(
            "{} {} {} {:>6} {:<6}  {}",
            cell(&r.utility, 30),
            cell(&r.scope_id, 26),
            cell(&r.scope_type, 22),
            r.fields,
            if r.public_client { "yes" } else { "no" },
            sanitize_line(&r.name, 60)
        )
    }));
    out
}

pub fn field_rows(rows: &[FieldLine]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<30} {:<24} {:<26} {:<30} {}",
        "UTILITY", "SCOPE", "FIELD", "FORMAT", "MIN … MAX"
    )];
    out.extend(rows.iter().map(|r| {
        format!(
            "{} {} {} {} {} … {}",
            cell(&r.utility, 30),
            cell(&r.scope_id, 24),
            cell(&r.field_id, 26),
            cell(&r.format, 30),
            sanitize_line(r.minimum.as_deref().unwrap_or("—"), 30),
            sanitize_line(r.maximum.as_deref().unwrap_or("—"), 30),
        )
    }));
    out
}

pub fn search_rows(rows: &[SearchHit]) -> Vec<String> {
    rows.iter()
        .map(|h| {
            format!(
                "{} {:<18} {} {}",
                cell(&h.utility, 30),
                h.kind,
                cell(&h.id, 34),
                sanitize_line(&h.text, 80)
            )
        })
        .collect()
}

/// One utility's snapshot, summarized.
pub fn snapshot_lines(s: &UtilitySnapshot) -> Vec<String> {
    let mut out = vec![
        format!("{} ({})", sanitize(&s.name), sanitize(&s.draft)),
        format!("  Metadata:  {}", sanitize(&s.metadata_url)),
        format!(
            "  Time zone: {}",
            sanitize(s.time_zone.as_deref().unwrap_or("—"))
        ),
        format!(
            "  Findings:  {} error{}, {} warning{}",
            s.errors,
            plural(s.errors),
            s.warnings,
            plural(s.warnings)
        ),
        format!(
            "  Coverage:  {} entr{}; related entities: {}",
            s.coverage.len(),
            if s.coverage.len() == 1 { "y" } else { "ies" },
            s.related.len()
        ),
        format!("Scopes ({}):", s.scopes.len()),
    ];
    for sc in &s.scopes {
        out.push(format!(
            "  {} {} — {} field{}, requires {}",
            cell(&sc.id, 28),
            cell(&sc.scope_type, 22),
            sc.fields.len(),
            plural(sc.fields.len()),
            sanitize_line(&sc.requirements.join(", "), 80)
        ));
    }
    let fees: Vec<_> = s
        .registration_fields
        .iter()
        .filter(|f| f.amount.is_some())
        .collect();
    if !fees.is_empty() {
        out.push("Registration fees:".into());
        for f in fees {
            out.push(format!(
                "  {} {} {}",
                cell(&f.id, 30),
                sanitize(f.amount.as_deref().unwrap_or("")),
                sanitize(f.currency.as_deref().unwrap_or(""))
            ));
        }
    }
    out
}

/// One difference as a line.
pub fn change_line(c: &Change) -> String {
    let s = |t: &str| sanitize_line(t, 120);
    match c {
        Change::ScopeAdded { scope, scope_type } => {
            format!("+ scope {} ({})", s(scope), s(scope_type))
        }
        Change::ScopeRemoved { scope, scope_type } => {
            format!("- scope {} ({})", s(scope), s(scope_type))
        }
        Change::ScopeTypeChanged { scope, from, to } => {
            format!("~ scope {}: type {} → {}", s(scope), s(from), s(to))
        }
        Change::FieldAdded { scope, field } => format!("+ field {}/{}", s(scope), s(field)),
        Change::FieldRemoved { scope, field } => format!("- field {}/{}", s(scope), s(field)),
        Change::FieldChanged {
            scope,
            field,
            what,
            from,
            to,
        } => {
            format!(
                "~ field {}/{}: {what} {} → {}",
                s(scope),
                s(field),
                s(from),
                s(to)
            )
        }
        Change::RequirementAdded {
            scope,
            field,
            optional,
        } => format!(
            "+ {} {} for scope {}",
            if *optional {
                "optional field"
            } else {
                "requirement"
            },
            s(field),
            s(scope)
        ),
        Change::RequirementRemoved {
            scope,
            field,
            optional,
        } => format!(
            "- {} {} for scope {}",
            if *optional {
                "optional field"
            } else {
                "requirement"
            },
            s(field),
            s(scope)
        ),
        Change::RegistrationFieldAdded { field } => format!("+ registration field {}", s(field)),
        Change::RegistrationFieldRemoved { field } => format!("- registration field {}", s(field)),
        Change::PriceChanged { field, from, to } => {
            format!("~ price {}: {} → {}", s(field), s(from), s(to))
        }
        Change::CoverageAdded { coverage } => format!("+ coverage {}", s(coverage)),
        Change::CoverageRemoved { coverage } => format!("- coverage {}", s(coverage)),
        Change::CoverageRenamed { coverage, from, to } => {
            format!("~ coverage {}: {} → {}", s(coverage), s(from), s(to))
        }
        Change::Changed { what, from, to } => format!("~ {what}: {} → {}", s(from), s(to)),
    }
}

/// The heading and lines of a diff.
pub fn diff_lines(a: &UtilitySnapshot, b: &UtilitySnapshot, changes: &[Change]) -> Vec<String> {
    let mut out = vec![format!(
        "{} → {}: {} difference{}",
        sanitize(&a.name),
        sanitize(&b.name),
        changes.len(),
        plural(changes.len())
    )];
    out.extend(changes.iter().map(change_line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_lines_and_are_sanitized() {
        let c = Change::PriceChanged {
            field: "fee\u{1b}[31m".into(),
            from: "100.00 USD".into(),
            to: "150.00 USD".into(),
        };
        assert_eq!(change_line(&c), "~ price fee[31m: 100.00 USD → 150.00 USD");
        assert_eq!(bytes(1_500), "1.5 kB");
    }
}
