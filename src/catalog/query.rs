//! The questions `catalog list|show|scopes|fields|search` answer from the database alone: which
//! utilities were crawled and what registering with them costs (WG1-02 §3.7), which scopes of a
//! type exist where (§3.4), which authorization details fields reach how far back (§3.8).

use rusqlite::{Connection, params_from_iter, types::Value as Sql};
use serde::Serialize;

/// Which snapshots a query reads: the newest successful one of each utility, or one crawl's.
#[derive(Debug, Clone, Copy, Default)]
pub enum Within {
    #[default]
    Latest,
    Crawl(i64),
}

impl Within {
    /// SQL naming the utility row ids in scope (with `?1` bound to the crawl when needed).
    fn ids(self) -> (String, Vec<Sql>) {
        match self {
            Within::Latest => ("SELECT id FROM latest".into(), vec![]),
            Within::Crawl(c) => (
                "SELECT id FROM utilities WHERE crawl_id = ?1".into(),
                vec![Sql::Integer(c)],
            ),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UtilityLine {
    pub id: i64,
    pub crawl_id: i64,
    pub input_url: String,
    pub status: String,
    pub error: Option<String>,
    pub name: Option<String>,
    pub draft: Option<String>,
    pub time_zone: Option<String>,
    pub scopes: i64,
    pub coverage_entries: i64,
    pub errors: i64,
    pub warnings: i64,
    /// Registration fees summed per currency, e.g. `["250.00 USD"]`.
    pub registration_cost: Vec<String>,
    pub crawled_at: String,
}

/// Utilities of `within` (with failures when `within` is a crawl), by name.
pub fn list(conn: &Connection, within: Within) -> rusqlite::Result<Vec<UtilityLine>> {
    let filter = match within {
        Within::Latest => "u.id IN (SELECT id FROM latest)".to_owned(),
        Within::Crawl(_) => "u.crawl_id = ?1".to_owned(),
    };
    let (_, params) = within.ids();
    let sql = format!(
        "SELECT u.id, u.crawl_id, u.input_url, u.status, u.error, u.name, u.draft, u.time_zone,
                u.scopes, u.coverage_entries, u.errors, u.warnings, u.crawled_at,
                (SELECT group_concat(printf('%.2f', c.total) || ' ' || IFNULL(c.currency, ''), '; ')
                   FROM registration_costs c WHERE c.utility_id = u.id)
         FROM utilities u WHERE {filter} ORDER BY u.name, u.input_url"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(params), |r| {
        let cost: Option<String> = r.get(13)?;
        Ok(UtilityLine {
            id: r.get(0)?,
            crawl_id: r.get(1)?,
            input_url: r.get(2)?,
            status: r.get(3)?,
            error: r.get(4)?,
            name: r.get(5)?,
            draft: r.get(6)?,
            time_zone: r.get(7)?,
            scopes: r.get(8)?,
            coverage_entries: r.get(9)?,
            errors: r.get(10)?,
            warnings: r.get(11)?,
            crawled_at: r.get(12)?,
            registration_cost: cost
                .map(|c| c.split("; ").map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default(),
        })
    })?;
    rows.collect()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScopeLine {
    pub utility_id: i64,
    pub utility: String,
    pub scope_id: String,
    #[serde(rename = "type")]
    pub scope_type: String,
    pub name: String,
    pub fields: i64,
    /// A public client (no client secret) may use it: its `token_endpoint_auth_methods_supported`
    /// holds `none` (WG1-02 §3.4), read from the stored auth methods.
    pub public_client: bool,
}

/// Scopes of `within`, optionally of one type.
pub fn scopes(
    conn: &Connection,
    within: Within,
    scope_type: Option<&str>,
) -> rusqlite::Result<Vec<ScopeLine>> {
    let (ids, mut params) = within.ids();
    let type_filter = match scope_type {
        Some(t) => {
            params.push(Sql::Text(t.to_owned()));
            format!("AND s.type = ?{}", params.len())
        }
        None => String::new(),
    };
    params.push(Sql::Text(crate::cds::auth_methods::NONE.to_owned()));
    let public = format!("?{}", params.len());
    let sql = format!(
        "SELECT s.utility_id, IFNULL(u.name, u.input_url), s.scope_id, s.type, s.name,
                (SELECT COUNT(*) FROM fields f WHERE f.utility_id = s.utility_id AND f.scope_id = s.scope_id),
                EXISTS (SELECT 1 FROM scope_auth_methods m WHERE m.utility_id = s.utility_id
                        AND m.scope_id = s.scope_id AND m.auth_method = {public})
         FROM scopes s JOIN utilities u ON u.id = s.utility_id
         WHERE s.utility_id IN ({ids}) {type_filter}
         ORDER BY u.name, s.position"
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(params), |r| {
        Ok(ScopeLine {
            utility_id: r.get(0)?,
            utility: r.get(1)?,
            scope_id: r.get(2)?,
            scope_type: r.get(3)?,
            name: r.get(4)?,
            fields: r.get(5)?,
            public_client: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// What `catalog fields` filters on.
#[derive(Debug, Clone, Default)]
pub struct FieldFilter {
    pub field: Option<String>,
    pub scope_type: Option<String>,
    pub format: Option<String>,
    /// Keep date fields whose maximum reaches at least this many months (or is infinite).
    pub min_months: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldLine {
    pub utility_id: i64,
    pub utility: String,
    pub scope_id: String,
    pub scope_type: String,
    pub field_id: String,
    pub format: String,
    pub required: bool,
    pub minimum: Option<String>,
    pub maximum: Option<String>,
    pub maximum_months: Option<f64>,
    pub choices: i64,
}

/// Authorization details fields of `within` that pass `filter`.
pub fn fields(
    conn: &Connection,
    within: Within,
    filter: &FieldFilter,
) -> rusqlite::Result<Vec<FieldLine>> {
    let (ids, mut params) = within.ids();
    let mut wheres = vec![format!("f.utility_id IN ({ids})")];
    let mut bind = |sql: &str, v: Sql| {
        params.push(v);
        wheres.push(sql.replace('?', &format!("?{}", params.len())));
    };
    if let Some(f) = &filter.field {
        bind("f.field_id = ?", Sql::Text(f.clone()));
    }
    if let Some(t) = &filter.scope_type {
        bind("s.type = ?", Sql::Text(t.clone()));
    }
    if let Some(t) = &filter.format {
        bind("f.format = ?", Sql::Text(t.clone()));
    }
    if let Some(m) = filter.min_months {
        bind(
            "(f.maximum_infinite = 1 OR f.maximum_months >= ?)",
            Sql::Real(m),
        );
    }
    let sql = format!(
        "SELECT f.utility_id, IFNULL(u.name, u.input_url), f.scope_id, s.type, f.field_id, f.format,
                f.required, f.minimum_json, f.maximum_json, f.maximum_months,
                (SELECT COUNT(*) FROM field_choices c WHERE c.utility_id = f.utility_id
                    AND c.scope_id = f.scope_id AND c.field_id = f.field_id)
         FROM fields f
         JOIN scopes s ON s.utility_id = f.utility_id AND s.scope_id = f.scope_id
         JOIN utilities u ON u.id = f.utility_id
         WHERE {} ORDER BY u.name, s.position, f.position",
        wheres.join(" AND ")
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(params), |r| {
        Ok(FieldLine {
            utility_id: r.get(0)?,
            utility: r.get(1)?,
            scope_id: r.get(2)?,
            scope_type: r.get(3)?,
            field_id: r.get(4)?,
            format: r.get(5)?,
            required: r.get(6)?,
            minimum: r.get(7)?,
            maximum: r.get(8)?,
            maximum_months: r.get(9)?,
            choices: r.get(10)?,
        })
    })?;
    rows.collect()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub utility_id: i64,
    pub utility: String,
    /// `utility`, `scope`, `field`, `registration_field` or `coverage`.
    pub kind: String,
    pub id: String,
    pub text: String,
}

/// Case-insensitive substring search over names, ids and descriptions.
pub fn search(conn: &Connection, within: Within, text: &str) -> rusqlite::Result<Vec<SearchHit>> {
    let (ids, mut params) = within.ids();
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    params.push(Sql::Text(format!("%{escaped}%")));
    let p = format!("?{}", params.len());
    let like = |c: &str| format!("{c} LIKE {p} ESCAPE '\\'");
    let sql = format!(
        "SELECT u.id, IFNULL(u.name, u.input_url), k, i, t FROM (
            SELECT id AS uid, 'utility' AS k, input_url AS i, IFNULL(name, '') AS t FROM utilities
              WHERE {u}
            UNION ALL SELECT utility_id, 'scope', scope_id, name || ' — ' || description FROM scopes
              WHERE {s1} OR {s2} OR {s3}
            UNION ALL SELECT utility_id, 'field', scope_id || '/' || field_id, name FROM fields
              WHERE {f1} OR {f2}
            UNION ALL SELECT utility_id, 'registration_field', field_id, description
              FROM registration_fields WHERE {r1} OR {r2}
            UNION ALL SELECT utility_id, 'coverage', coverage_id, name FROM coverage_entries
              WHERE {c1} OR {c2}
         ) h JOIN utilities u ON u.id = h.uid
         WHERE u.id IN ({ids}) ORDER BY u.name, k, i LIMIT 1000",
        u = like("IFNULL(name, '')"),
        s1 = like("scope_id"),
        s2 = like("name"),
        s3 = like("description"),
        f1 = like("field_id"),
        f2 = like("name"),
        r1 = like("field_id"),
        r2 = like("description"),
        c1 = like("coverage_id"),
        c2 = like("name"),
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(params), |r| {
        Ok(SearchHit {
            utility_id: r.get(0)?,
            utility: r.get(1)?,
            kind: r.get(2)?,
            id: r.get(3)?,
            text: r.get(4)?,
        })
    })?;
    rows.collect()
}
