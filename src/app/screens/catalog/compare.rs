//! Two stored snapshots side by side (issue 13 point 4 "in the wizard"): two utilities, or one
//! utility at two crawls. The differences come from `catalog::diff` (the same as `cds-wizard
//! catalog diff`); this lays them out as rows once, when both snapshots are in, so drawing only
//! picks the rows in view.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::diff::{Change, diff};
use crate::catalog::model::{ScopeRow, UtilitySnapshot};
use crate::present;
use crate::text::{sanitize, sanitize_line};

/// How a row differs from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Same,
    Changed,
    /// Only A has it (removed going from A to B).
    OnlyA,
    /// Only B has it (added going from A to B).
    OnlyB,
}

impl Mark {
    /// The sign in front of a row (the same signs as `catalog diff`).
    pub fn sign(self) -> &'static str {
        match self {
            Mark::Same => " ",
            Mark::Changed => "~",
            Mark::OnlyA => "-",
            Mark::OnlyB => "+",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CompareRow {
    Heading(String),
    /// `label`: what A has, what B has.
    Pair {
        label: String,
        a: String,
        b: String,
        mark: Mark,
    },
    /// One difference in the words of `catalog diff`.
    Change {
        text: String,
        mark: Mark,
    },
    Blank,
}

/// Two snapshots laid out for reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: i64,
    pub b: i64,
    pub a_title: String,
    pub b_title: String,
    pub rows: Vec<CompareRow>,
    /// Only the rows that differ (headings of groups that have some), for `d`.
    pub differing: Vec<CompareRow>,
    /// Whether only the differing rows are shown.
    pub only_differences: bool,
    /// How many differences `catalog::diff` found.
    pub changes: usize,
    /// The first row in view.
    pub scroll: usize,
}

/// A snapshot's title: its name, and its crawl when both sides are the same utility.
fn title(s: &UtilitySnapshot, crawl: Option<&str>) -> String {
    match crawl {
        Some(c) => format!("{} ({})", sanitize_line(&s.name, 60), sanitize_line(c, 40)),
        None => sanitize_line(&s.name, 60),
    }
}

fn pair(label: &str, a: String, b: String) -> CompareRow {
    let mark = if a == b { Mark::Same } else { Mark::Changed };
    CompareRow::Pair {
        label: label.to_owned(),
        a,
        b,
        mark,
    }
}

/// `registration fees`: `fee 100.00 USD`, one per fee.
fn fees(s: &UtilitySnapshot) -> String {
    let v: Vec<String> = s
        .registration_fields
        .iter()
        .filter_map(|f| {
            let amount = f.amount.as_ref()?;
            Some(format!(
                "{amount} {}",
                f.currency.as_deref().unwrap_or_default()
            ))
        })
        .collect();
    if v.is_empty() {
        "free".to_owned()
    } else {
        sanitize(v.join(" + ").trim())
    }
}

/// A scope in a cell: how many modifiers and requirements it has.
fn scope_cell(s: Option<&&ScopeRow>) -> String {
    match s {
        None => "—".to_owned(),
        Some(s) => format!(
            "modifiers {} · requires {}",
            s.fields.len(),
            s.requirements.len()
        ),
    }
}

fn mark_of(change: &Change) -> Mark {
    match change {
        Change::ScopeAdded { .. }
        | Change::FieldAdded { .. }
        | Change::RequirementAdded { .. }
        | Change::RegistrationFieldAdded { .. }
        | Change::CoverageAdded { .. } => Mark::OnlyB,
        Change::ScopeRemoved { .. }
        | Change::FieldRemoved { .. }
        | Change::RequirementRemoved { .. }
        | Change::RegistrationFieldRemoved { .. }
        | Change::CoverageRemoved { .. } => Mark::OnlyA,
        _ => Mark::Changed,
    }
}

/// The scope a change is inside of, when it is about a scope's parts.
fn changed_scope(change: &Change) -> Option<&str> {
    match change {
        Change::ScopeTypeChanged { scope, .. }
        | Change::FieldAdded { scope, .. }
        | Change::FieldRemoved { scope, .. }
        | Change::FieldChanged { scope, .. }
        | Change::RequirementAdded { scope, .. }
        | Change::RequirementRemoved { scope, .. } => Some(scope),
        _ => None,
    }
}

impl Comparison {
    /// A (snapshot `a`) against B (snapshot `b`); `crawls` names their crawls when they are
    /// the same utility.
    pub fn new(
        (a, sa): (i64, &UtilitySnapshot),
        (b, sb): (i64, &UtilitySnapshot),
        crawls: Option<(&str, &str)>,
    ) -> Self {
        let changes = diff(sa, sb);
        let mut rows = vec![
            pair("name", sanitize(&sa.name), sanitize(&sb.name)),
            pair("draft", sanitize(&sa.draft), sanitize(&sb.draft)),
            pair(
                "time zone",
                sanitize(sa.time_zone.as_deref().unwrap_or("—")),
                sanitize(sb.time_zone.as_deref().unwrap_or("—")),
            ),
            pair(
                "scopes",
                sa.scopes.len().to_string(),
                sb.scopes.len().to_string(),
            ),
            pair(
                "coverage",
                sa.coverage.len().to_string(),
                sb.coverage.len().to_string(),
            ),
            pair("registration", fees(sa), fees(sb)),
            pair(
                "findings",
                format!("{} errors, {} warnings", sa.errors, sa.warnings),
                format!("{} errors, {} warnings", sb.errors, sb.warnings),
            ),
        ];
        scope_rows(sa, sb, &changes, &mut rows);
        rows.push(CompareRow::Blank);
        rows.push(CompareRow::Heading(format!(
            "Differences ({})",
            changes.len()
        )));
        if changes.is_empty() {
            rows.push(CompareRow::Change {
                text: "none: the two catalogs are the same".to_owned(),
                mark: Mark::Same,
            });
        }
        rows.extend(changes.iter().map(|c| CompareRow::Change {
            text: present::catalog::change_line(c),
            mark: mark_of(c),
        }));
        let (ta, tb) = match crawls {
            Some((ca, cb)) => (title(sa, Some(ca)), title(sb, Some(cb))),
            None => (title(sa, None), title(sb, None)),
        };
        Comparison {
            a,
            b,
            a_title: ta,
            b_title: tb,
            differing: differing(&rows),
            rows,
            only_differences: false,
            changes: changes.len(),
            scroll: 0,
        }
    }

    /// The rows shown: all of them, or only those that differ.
    pub fn shown(&self) -> &[CompareRow] {
        if self.only_differences {
            &self.differing
        } else {
            &self.rows
        }
    }

    /// `d`: only the differing rows, or all of them again (from the top).
    pub fn toggle_differences(&mut self) {
        self.only_differences = !self.only_differences;
        self.scroll = 0;
    }
}

/// `rows` without the pairs that are the same, the headings left with nothing under them, and
/// repeated blank lines.
fn differing(rows: &[CompareRow]) -> Vec<CompareRow> {
    let kept: Vec<&CompareRow> = rows
        .iter()
        .filter(|r| {
            !matches!(
                r,
                CompareRow::Pair {
                    mark: Mark::Same,
                    ..
                }
            )
        })
        .collect();
    let mut out: Vec<CompareRow> = Vec::new();
    for (i, r) in kept.iter().enumerate() {
        let has_content = |j: usize| {
            matches!(
                kept.get(j),
                Some(CompareRow::Pair { .. } | CompareRow::Change { .. })
            )
        };
        match r {
            CompareRow::Heading(_) if !has_content(i + 1) => {}
            CompareRow::Blank
                if out.is_empty() || matches!(out.last(), Some(CompareRow::Blank)) => {}
            _ => out.push((*r).clone()),
        }
    }
    out
}

/// One row per scope of either side, grouped by type, marked by what `diff` says of it.
fn scope_rows(
    sa: &UtilitySnapshot,
    sb: &UtilitySnapshot,
    changes: &[Change],
    rows: &mut Vec<CompareRow>,
) {
    fn by_id(s: &UtilitySnapshot) -> BTreeMap<String, &ScopeRow> {
        s.scopes.iter().map(|x| (x.id.clone(), x)).collect()
    }
    let (ma, mb) = (by_id(sa), by_id(sb));
    let touched: BTreeSet<&str> = changes.iter().filter_map(changed_scope).collect();
    // By type (B's type when both have it), then id.
    let mut all: Vec<(&str, &str)> = mb
        .values()
        .chain(ma.values().filter(|s| !mb.contains_key(&s.id)))
        .map(|s| (s.scope_type.as_str(), s.id.as_str()))
        .collect();
    all.sort();
    let mut last_type = None;
    for (scope_type, id) in all {
        if last_type != Some(scope_type) {
            rows.push(CompareRow::Blank);
            rows.push(CompareRow::Heading(sanitize(scope_type)));
            last_type = Some(scope_type);
        }
        let (x, y) = (ma.get(id), mb.get(id));
        let mark = match (x, y) {
            (None, _) => Mark::OnlyB,
            (_, None) => Mark::OnlyA,
            _ if touched.contains(id) => Mark::Changed,
            _ => Mark::Same,
        };
        rows.push(CompareRow::Pair {
            label: sanitize_line(id, 60),
            a: scope_cell(x),
            b: scope_cell(y),
            mark,
        });
    }
    let fields = |s: &UtilitySnapshot| -> BTreeMap<String, String> {
        s.registration_fields
            .iter()
            .map(|f| {
                let cost = match (&f.amount, &f.currency) {
                    (Some(a), c) => format!(" {a} {}", c.as_deref().unwrap_or_default()),
                    _ => String::new(),
                };
                (
                    f.id.clone(),
                    sanitize(format!("{}{cost}", f.field_type).trim()),
                )
            })
            .collect()
    };
    let (fa, fb) = (fields(sa), fields(sb));
    let ids: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    if ids.is_empty() {
        return;
    }
    rows.push(CompareRow::Blank);
    rows.push(CompareRow::Heading("Registration fields".to_owned()));
    for id in ids {
        let (x, y) = (fa.get(id), fb.get(id));
        let mark = match (x, y) {
            (None, _) => Mark::OnlyB,
            (_, None) => Mark::OnlyA,
            (Some(p), Some(q)) if p != q => Mark::Changed,
            _ => Mark::Same,
        };
        let cell = |v: Option<&String>| v.cloned().unwrap_or_else(|| "—".to_owned());
        rows.push(CompareRow::Pair {
            label: sanitize_line(id, 60),
            a: cell(x),
            b: cell(y),
            mark,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::{FieldRow, RegistrationFieldRow};

    fn scope(id: &str, scope_type: &str, fields: &[&str]) -> ScopeRow {
        ScopeRow {
            id: id.into(),
            scope_type: scope_type.into(),
            name: id.into(),
            description: String::new(),
            grant_types: vec![],
            auth_methods: vec![],
            coverages: vec![],
            requirements: vec![],
            optional: vec![],
            fields: fields
                .iter()
                .map(|f| FieldRow {
                    id: (*f).into(),
                    name: (*f).into(),
                    format: "string".into(),
                    required: false,
                    default: None,
                    minimum: None,
                    maximum: None,
                    maximum_months: None,
                    maximum_infinite: false,
                    choices: vec![],
                })
                .collect(),
        }
    }

    /// A, and B with a scope changed, one removed, one added and a price raised.
    fn two() -> (UtilitySnapshot, UtilitySnapshot) {
        let a = UtilitySnapshot {
            name: "A\u{1b}[2J".into(),
            scopes: vec![
                scope("usage", "cds_usage", &["interval"]),
                scope("bills", "cds_bill_statements", &[]),
                scope("same", "cds_usage", &[]),
            ],
            registration_fields: vec![RegistrationFieldRow {
                id: "fee".into(),
                field_type: "registration_payment".into(),
                format: None,
                description: String::new(),
                amount: Some("100.00".into()),
                currency: Some("USD".into()),
            }],
            ..UtilitySnapshot::default()
        };
        let mut b = a.clone();
        b.name = "B".into();
        b.scopes = vec![
            scope("usage", "cds_usage", &["interval", "segment_start"]),
            scope("rates", "cds_rate_plan", &[]),
            scope("same", "cds_usage", &[]),
        ];
        b.registration_fields[0].amount = Some("150.00".into());
        (a, b)
    }

    #[test]
    fn rows_mark_what_only_one_side_has_and_what_changed() {
        let (a, b) = two();
        let c = Comparison::new((1, &a), (2, &b), None);
        assert_eq!(c.a_title, "A[2J", "sanitized");
        let mark = |label: &str| {
            c.rows.iter().find_map(|r| match r {
                CompareRow::Pair { label: l, mark, .. } if l == label => Some(*mark),
                _ => None,
            })
        };
        assert_eq!(mark("name"), Some(Mark::Changed));
        assert_eq!(mark("draft"), Some(Mark::Same));
        assert_eq!(mark("usage"), Some(Mark::Changed));
        assert_eq!(mark("bills"), Some(Mark::OnlyA));
        assert_eq!(mark("rates"), Some(Mark::OnlyB));
        assert_eq!(mark("same"), Some(Mark::Same));
        assert_eq!(mark("fee"), Some(Mark::Changed));
        assert_eq!(c.changes, diff(&a, &b).len());
        let changes: Vec<&str> = c
            .rows
            .iter()
            .filter_map(|r| match r {
                CompareRow::Change { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(
            changes.contains(&"+ field usage/segment_start"),
            "{changes:?}"
        );
        assert!(changes.contains(&"- scope bills (cds_bill_statements)"));
        let same = Comparison::new((1, &a), (3, &a), Some(("crawl 1", "crawl 2")));
        assert_eq!(same.changes, 0);
        assert_eq!(same.b_title, "A[2J (crawl 2)");
    }

    #[test]
    fn d_keeps_only_the_rows_that_differ() {
        let (a, b) = two();
        let c = Comparison::new((1, &a), (2, &b), None);
        let mut only = c.clone();
        only.toggle_differences();
        let shown = only.shown();
        assert!(shown.len() < c.rows.len());
        assert!(
            shown.iter().all(|r| !matches!(
                r,
                CompareRow::Pair {
                    mark: Mark::Same,
                    ..
                }
            )),
            "{shown:?}"
        );
        assert!(shown.contains(&CompareRow::Heading("cds_rate_plan".into())));
        assert!(
            !shown.contains(&CompareRow::Heading("cds_usage".into()))
                || shown
                    .iter()
                    .any(|r| matches!(r, CompareRow::Pair { label, .. } if label == "usage")),
            "a heading only over rows that differ"
        );
        only.toggle_differences();
        assert_eq!(only.shown(), &c.rows[..], "d again shows all");
    }
}
