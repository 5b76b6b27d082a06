//! The Catalog view's utilities (issue 13 point 5): one precomputed, sanitized row per utility
//! of the database with its counts and its scopes per type (WG1-02 §3.4), the `/` filter over
//! them, and which of them are shown, so a keystroke or a frame never goes back to the database
//! and a 1,000-utility fleet refilters in well under a frame.

use crate::catalog::browse::FleetUtility;
use crate::text::sanitize;

/// A utility as the view shows it; every text sanitized once, when the fleet arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct UtilityRow {
    /// The snapshot shown (see `FleetUtility::id`) and whether it succeeded.
    pub id: i64,
    pub ok: bool,
    pub previous: Option<i64>,
    pub url: String,
    pub metadata_url: String,
    /// The utility's name, or its address when it has none (a failed crawl).
    pub name: String,
    pub draft: String,
    pub time_zone: String,
    pub scopes: i64,
    pub coverage: i64,
    pub errors: i64,
    pub warnings: i64,
    pub cost: String,
    pub crawled_at: Option<jiff::Timestamp>,
    pub crawl_label: Option<String>,
    pub last_error: Option<String>,
    /// Scopes per type, one count per column of [`FleetView::types`].
    pub per_type: Vec<i64>,
    /// What the filter looks in, lowercased once.
    key: String,
}

/// Every utility of the catalog, ready to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetView {
    /// The database file, as the executor opened it.
    pub db: String,
    pub rows: Vec<UtilityRow>,
    /// Scope types of the whole fleet, sorted: the matrix's columns.
    pub types: Vec<String>,
    type_keys: Vec<String>,
}

impl FleetView {
    /// The view of `utilities`, read from `db`.
    pub fn new(db: &str, utilities: &[FleetUtility]) -> Self {
        let mut types: Vec<String> = utilities
            .iter()
            .flat_map(|u| u.scope_types.keys().cloned())
            .collect();
        types.sort();
        types.dedup();
        let rows = utilities.iter().map(|u| row(u, &types)).collect();
        FleetView {
            db: sanitize(db),
            rows,
            type_keys: types.iter().map(|t| sanitize(t).to_lowercase()).collect(),
            types: types.iter().map(|t| sanitize(t)).collect(),
        }
    }

    /// The row showing snapshot `id`.
    pub fn by_id(&self, id: i64) -> Option<&UtilityRow> {
        self.rows
            .iter()
            .find(|r| r.id == id)
            .or_else(|| self.rows.iter().find(|r| r.previous == Some(id)))
    }
}

fn row(u: &FleetUtility, types: &[String]) -> UtilityRow {
    let url = sanitize(&u.input_url);
    let name = match u.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => sanitize(n),
        _ => url.clone(),
    };
    let opt = |v: &Option<String>| v.as_deref().map(sanitize).unwrap_or_default();
    let draft = opt(&u.draft);
    let key = [&name, &url, &draft].map(|s| s.to_lowercase()).join("\n");
    UtilityRow {
        id: u.id,
        ok: u.ok,
        previous: u.previous,
        metadata_url: opt(&u.metadata_url),
        draft,
        time_zone: opt(&u.time_zone),
        scopes: u.scopes,
        coverage: u.coverage_entries,
        errors: u.errors,
        warnings: u.warnings,
        cost: sanitize(&u.registration_cost.join(" + ")),
        crawled_at: u.crawled_at.parse().ok(),
        crawl_label: u.crawl_label.as_deref().map(sanitize),
        last_error: u.last_error.as_deref().map(sanitize),
        per_type: types
            .iter()
            .map(|t| u.scope_types.get(t).copied().unwrap_or(0))
            .collect(),
        url,
        name,
        key,
    }
}

/// The order of the utilities (`s` cycles): by name, or the most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    Scopes,
    Coverage,
    /// Errors, then warnings.
    Findings,
    /// The newest crawl first.
    Crawled,
}

impl SortBy {
    pub fn next(self) -> Self {
        match self {
            SortBy::Name => SortBy::Scopes,
            SortBy::Scopes => SortBy::Coverage,
            SortBy::Coverage => SortBy::Findings,
            SortBy::Findings => SortBy::Crawled,
            SortBy::Crawled => SortBy::Name,
        }
    }
}

/// Orders `rows` (indices into `fleet.rows`) by `by`; ties keep the name order.
pub fn sort(fleet: &FleetView, rows: &mut [usize], by: SortBy) {
    let r = |i: &usize| &fleet.rows[*i];
    match by {
        SortBy::Name => rows.sort_unstable(),
        SortBy::Scopes => rows.sort_by_key(|i| std::cmp::Reverse(r(i).scopes)),
        SortBy::Coverage => rows.sort_by_key(|i| std::cmp::Reverse(r(i).coverage)),
        SortBy::Findings => rows.sort_by_key(|i| std::cmp::Reverse((r(i).errors, r(i).warnings))),
        SortBy::Crawled => rows.sort_by_key(|i| std::cmp::Reverse(r(i).crawled_at)),
    }
}

/// What the `/` filter keeps of a fleet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filtered {
    /// Indices into `FleetView::rows`, in order.
    pub rows: Vec<usize>,
    /// Indices into `FleetView::types`: the types the query names, or all of them.
    pub types: Vec<usize>,
    /// Per shown type (same order as `types`), how many shown utilities offer it.
    pub offered: Vec<usize>,
}

/// The utilities whose name, address or draft contains `query` (case-insensitive), and those
/// offering a scope type whose name contains it; when the query names types, only those types
/// are the matrix's columns.
pub fn filter(fleet: &FleetView, query: &str) -> Filtered {
    let q = query.trim().to_lowercase();
    let named: Vec<usize> = if q.is_empty() {
        Vec::new()
    } else {
        (0..fleet.types.len())
            .filter(|&t| fleet.type_keys[t].contains(&q))
            .collect()
    };
    let rows: Vec<usize> = fleet
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            q.is_empty()
                || r.key.contains(&q)
                || named
                    .iter()
                    .any(|&t| r.per_type.get(t).is_some_and(|n| *n > 0))
        })
        .map(|(i, _)| i)
        .collect();
    let types = if named.is_empty() {
        (0..fleet.types.len()).collect()
    } else {
        named
    };
    let offered = types
        .iter()
        .map(|&t| {
            rows.iter()
                .filter(|&&r| fleet.rows[r].per_type.get(t).is_some_and(|n| *n > 0))
                .count()
        })
        .collect();
    Filtered {
        rows,
        types,
        offered,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;

    pub(crate) fn utility(id: i64, name: &str, types: &[(&str, i64)]) -> FleetUtility {
        FleetUtility {
            id,
            ok: true,
            input_url: format!("http://127.0.0.1:9/u/{id}/.well-known/cds-server-metadata.json"),
            name: Some(name.into()),
            draft: Some("cds-2026".into()),
            scopes: types.iter().map(|(_, n)| n).sum(),
            crawled_at: "2026-12-01T15:00:00Z".into(),
            last_attempt: "2026-12-01T15:00:00Z".into(),
            scope_types: types
                .iter()
                .map(|(t, n)| ((*t).to_owned(), *n))
                .collect::<BTreeMap<_, _>>(),
            ..FleetUtility::default()
        }
    }

    #[test]
    fn the_filter_matches_names_and_scope_types() {
        let fleet = FleetView::new(
            "c.sqlite",
            &[
                utility(1, "Bayview \u{1b}[31mEnergy", &[("cds_usage", 2)]),
                utility(2, "Mesa Energy", &[("cds_bill_statements", 1)]),
                utility(3, "Summit Power", &[("cds_usage", 1), ("cds_rate_plan", 1)]),
            ],
        );
        assert_eq!(fleet.rows[0].name, "Bayview [31mEnergy", "sanitized");
        assert_eq!(
            fleet.types,
            ["cds_bill_statements", "cds_rate_plan", "cds_usage"]
        );
        let all = filter(&fleet, "");
        assert_eq!((all.rows.len(), all.types.len()), (3, 3));
        assert_eq!(all.offered, [1, 1, 2]);
        let energy = filter(&fleet, "ENERGY");
        assert_eq!(energy.rows, [0, 1]);
        assert_eq!(energy.types.len(), 3, "a name does not narrow the columns");
        let usage = filter(&fleet, "usage");
        assert_eq!(usage.rows, [0, 2]);
        assert_eq!(usage.types, [2], "a type narrows the columns to it");
        assert_eq!(usage.offered, [2]);
        assert!(filter(&fleet, "nothing like it").rows.is_empty());
        let mut rows = all.rows.clone();
        sort(&fleet, &mut rows, SortBy::Scopes);
        assert_eq!(rows, [0, 2, 1], "most scopes first, ties by name");
        sort(&fleet, &mut rows, SortBy::Name);
        assert_eq!(rows, [0, 1, 2]);
    }
}
