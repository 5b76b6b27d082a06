//! What the wizard's Catalog view reads from the database (issue 13 point 5), in one query per
//! view: every utility ever crawled with its newest snapshot's counts and scope types (the
//! utilities list and the scope-type matrix, WG1-02 §3.4), and a stored snapshot turned back
//! into the scope catalog the Scopes screen shows (WG1-02 §3.4–§3.10).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::model::{FieldRow, UtilitySnapshot};
use super::store::gunzip;
use crate::cds::AuthorizationServerMetadata;
use crate::cds::catalog::{
    self, CatalogChoice, CatalogCoverage, CatalogModifier, CatalogRequirement, CatalogScope,
};
use crate::cds::drafts;

/// A utility of the catalog as the Catalog view lists it: its newest successful snapshot
/// (or its newest attempt, when none succeeded), raw from the database (not yet sanitized).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FleetUtility {
    /// The row shown: the newest successful snapshot, else the newest failed attempt.
    pub id: i64,
    /// Whether `id` is a successful snapshot (its catalog can be opened and compared).
    pub ok: bool,
    /// The successful snapshot before `id`, to compare over time.
    pub previous: Option<i64>,
    pub input_url: String,
    pub metadata_url: Option<String>,
    pub name: Option<String>,
    pub draft: Option<String>,
    pub time_zone: Option<String>,
    pub scopes: i64,
    pub coverage_entries: i64,
    pub errors: i64,
    pub warnings: i64,
    /// Registration fees summed per currency, e.g. `["250.00 USD"]`.
    pub registration_cost: Vec<String>,
    /// When `id` was crawled (RFC 3339), and its crawl's label.
    pub crawled_at: String,
    pub crawl_label: Option<String>,
    /// Why the newest attempt failed, when it did (even if an older snapshot is shown).
    pub last_error: Option<String>,
    /// When the newest attempt was made (differs from `crawled_at` when it failed).
    pub last_attempt: String,
    /// Scopes of `id` per scope type.
    pub scope_types: BTreeMap<String, i64>,
}

/// Every utility of the catalog, by name (then address).
pub fn fleet(conn: &Connection) -> rusqlite::Result<Vec<FleetUtility>> {
    // Per listed address: the newest successful row, else the newest row; the newest attempt's
    // error and time; the successful snapshot before the one shown.
    let sql = "
        WITH shown AS (
            SELECT input_url,
                   COALESCE(MAX(CASE WHEN status = 'ok' THEN id END), MAX(id)) AS id,
                   MAX(id) AS last_id
            FROM utilities GROUP BY input_url
        )
        SELECT u.id, u.status = 'ok', u.input_url, u.metadata_url, u.name, u.draft, u.time_zone,
               u.scopes, u.coverage_entries, u.errors, u.warnings, u.crawled_at, c.label,
               l.error, l.crawled_at,
               (SELECT MAX(p.id) FROM utilities p WHERE p.input_url = u.input_url
                  AND p.status = 'ok' AND p.id < u.id),
               (SELECT group_concat(printf('%.2f', rc.total) || ' ' || IFNULL(rc.currency, ''), '; ')
                  FROM registration_costs rc WHERE rc.utility_id = u.id)
        FROM shown s
        JOIN utilities u ON u.id = s.id
        JOIN utilities l ON l.id = s.last_id
        LEFT JOIN crawls c ON c.id = u.crawl_id
        ORDER BY u.name IS NULL, u.name, u.input_url";
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map([], |r| {
        let cost: Option<String> = r.get(16)?;
        Ok(FleetUtility {
            id: r.get(0)?,
            ok: r.get(1)?,
            input_url: r.get(2)?,
            metadata_url: r.get(3)?,
            name: r.get(4)?,
            draft: r.get(5)?,
            time_zone: r.get(6)?,
            scopes: r.get(7)?,
            coverage_entries: r.get(8)?,
            errors: r.get(9)?,
            warnings: r.get(10)?,
            crawled_at: r.get(11)?,
            crawl_label: r.get(12)?,
            last_error: r.get(13)?,
            last_attempt: r.get(14)?,
            previous: r.get(15)?,
            registration_cost: cost
                .map(|c| c.split("; ").map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default(),
            scope_types: BTreeMap::new(),
        })
    })?;
    let mut out: Vec<FleetUtility> = rows.collect::<rusqlite::Result<_>>()?;
    let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut st =
        conn.prepare("SELECT utility_id, type, COUNT(*) FROM scopes GROUP BY utility_id, type")?;
    let counts = st.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for c in counts {
        let (id, scope_type, n) = c?;
        if let Some(&i) = at.get(&id) {
            out[i].scope_types.insert(scope_type, n);
        }
    }
    Ok(out)
}

/// Snapshot `id`'s scope catalog exactly as discovery built it, from the OAuth metadata
/// document the crawl kept (WG1-02 §3.2, normalized to the 2026 shape); `None` when the
/// document is missing or does not decode (then [`catalog_scopes`] rebuilds it from the rows).
pub fn stored_catalog(
    conn: &Connection,
    id: i64,
    s: &UtilitySnapshot,
) -> rusqlite::Result<Option<Vec<CatalogScope>>> {
    let blob: Option<Vec<u8>> = conn
        .query_row(
            "SELECT gzip FROM documents WHERE utility_id = ?1 AND kind = 'oauth_metadata'
             ORDER BY rowid DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let meta = blob
        .and_then(|b| gunzip(&b).ok())
        .and_then(|text| serde_json::from_slice(&text).ok())
        .map(|raw| drafts::normalize_oauth_metadata(raw).value)
        .and_then(|v| serde_json::from_value::<AuthorizationServerMetadata>(v).ok());
    let Some(meta) = meta else {
        return Ok(None);
    };
    let names: HashMap<&str, &str> = s
        .coverage
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    Ok(Some(catalog::build(&meta, |c| names.get(c).copied())))
}

/// Which crawl snapshot `id` belongs to, as people name it: its label, else its start time.
pub fn crawl_name(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT IFNULL(c.label, 'crawl ' || c.id || ' of ' || substr(c.started, 1, 10))
         FROM utilities u JOIN crawls c ON c.id = u.crawl_id WHERE u.id = ?1",
        [id],
        |r| r.get(0),
    )
}

/// A stored snapshot's scopes as the Scopes screen's catalog: coverages resolved to names and
/// requirements to the registration fields they name, as discovery would have built them. What
/// the database does not keep (documentation links, response types, PKCE methods, descriptions
/// of modifiers and choices) stays empty.
pub fn catalog_scopes(s: &UtilitySnapshot) -> Vec<CatalogScope> {
    let coverage: HashMap<&str, &str> = s
        .coverage
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let requirement = |id: &String| match s.registration_fields.iter().find(|f| &f.id == id) {
        Some(f) => CatalogRequirement {
            id: id.clone(),
            field_type: f.field_type.clone(),
            description: f.description.clone(),
            field_name: None,
            format: f.format.clone(),
            amount: f.amount.as_deref().and_then(|a| a.parse().ok()),
            currency: f.currency.clone(),
            unresolved: false,
        },
        None => CatalogRequirement {
            id: id.clone(),
            field_type: String::new(),
            description: String::new(),
            field_name: None,
            format: None,
            amount: None,
            currency: None,
            unresolved: true,
        },
    };
    s.scopes
        .iter()
        .map(|sc| CatalogScope {
            id: sc.id.clone(),
            scope_type: sc.scope_type.clone(),
            name: sc.name.clone(),
            description: sc.description.clone(),
            documentation: String::new(),
            response_types: Vec::new(),
            grant_types: sc.grant_types.clone(),
            auth_methods: sc.auth_methods.clone(),
            public_client: crate::cds::auth_methods::allows_public_clients(&sc.auth_methods),
            pkce_methods: Vec::new(),
            coverages: sc
                .coverages
                .iter()
                .map(|c| CatalogCoverage {
                    id: c.clone(),
                    name: coverage.get(c.as_str()).map(|n| (*n).to_owned()),
                })
                .collect(),
            grant_admin_scope: None,
            registration_requirements: sc.requirements.iter().map(requirement).collect(),
            registration_optional: sc.optional.iter().map(requirement).collect(),
            authorization_details_types: Vec::new(),
            authorization_details_fields: sc.fields.iter().map(modifier).collect(),
        })
        .collect()
}

fn modifier(f: &FieldRow) -> CatalogModifier {
    let bound = |v: &Option<serde_json::Value>| {
        v.as_ref().map(|v| match v.as_str() {
            Some(s) => s.to_owned(),
            None => v.to_string(),
        })
    };
    let range = match (bound(&f.minimum), bound(&f.maximum)) {
        (Some(a), Some(b)) => Some(format!("{a} … {b}")),
        (None, Some(b)) => Some(format!("up to {b}")),
        (Some(a), None) => Some(format!("from {a}")),
        (None, None) => None,
    };
    CatalogModifier {
        id: f.id.clone(),
        name: f.name.clone(),
        description: String::new(),
        for_types: Vec::new(),
        format: f.format.clone(),
        required: f.required,
        default: f.default.clone(),
        minimum: f.minimum.clone(),
        maximum: f.maximum.clone(),
        range,
        choices: f
            .choices
            .iter()
            .map(|c| CatalogChoice {
                id: c.clone(),
                name: c.clone(),
                description: String::new(),
            })
            .collect(),
    }
}
