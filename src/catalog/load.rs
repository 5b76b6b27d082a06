//! Reads a utility's snapshot (model.rs) back from the catalog database's rows, the inverse of
//! store.rs's writes; diff and `catalog show` use it.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::model::{
    CoverageRow, FieldRow, FindingRow, RegistrationFieldRow, RelatedRow, ScopeRow, UtilitySnapshot,
};

fn strings(conn: &Connection, sql: &str, id: i64, scope: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(params![id, scope], |r| r.get(0))?;
    rows.collect()
}

fn json(v: Option<String>) -> Option<Value> {
    v.and_then(|t| serde_json::from_str(&t).ok())
}

/// The snapshot stored as utility row `id`, or `None` when there is none (or it failed).
pub fn load(conn: &Connection, id: i64) -> rusqlite::Result<Option<UtilitySnapshot>> {
    let head = conn
        .query_row(
            "SELECT input_url, metadata_url, name, draft, time_zone, issuer, errors, warnings
             FROM utilities WHERE id = ?1 AND status = 'ok'",
            [id],
            |r| {
                Ok(UtilitySnapshot {
                    input_url: r.get(0)?,
                    metadata_url: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    draft: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    time_zone: r.get(4)?,
                    issuer: r.get(5)?,
                    errors: r.get(6)?,
                    warnings: r.get(7)?,
                    ..UtilitySnapshot::default()
                })
            },
        )
        .optional()?;
    let Some(mut s) = head else { return Ok(None) };
    s.related = load_related(conn, id)?;
    s.coverage = load_coverage(conn, id)?;
    s.scopes = load_scopes(conn, id)?;
    s.grant_types = strings(
        conn,
        "SELECT grant_type FROM scope_grant_types WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY rowid",
        id,
        "",
    )?;
    s.auth_methods = strings(
        conn,
        "SELECT auth_method FROM scope_auth_methods WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY rowid",
        id,
        "",
    )?;
    let mut st = conn.prepare_cached(
        "SELECT field_id, type, format, description, amount, currency FROM registration_fields
         WHERE utility_id = ?1 ORDER BY position",
    )?;
    s.registration_fields = st
        .query_map([id], |r| {
            Ok(RegistrationFieldRow {
                id: r.get(0)?,
                field_type: r.get(1)?,
                format: r.get(2)?,
                description: r.get(3)?,
                amount: r.get(4)?,
                currency: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare_cached(
        "SELECT severity, code, message, section FROM findings WHERE utility_id = ?1 ORDER BY rowid",
    )?;
    s.findings = st
        .query_map([id], |r| {
            Ok(FindingRow {
                severity: r.get(0)?,
                code: r.get(1)?,
                message: r.get(2)?,
                section: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(s))
}

fn load_scopes(conn: &Connection, id: i64) -> rusqlite::Result<Vec<ScopeRow>> {
    let mut st = conn.prepare_cached(
        "SELECT scope_id, type, name, description FROM scopes WHERE utility_id = ?1 ORDER BY position",
    )?;
    let heads: Vec<(String, String, String, String)> = st
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let mut scopes = Vec::with_capacity(heads.len());
    for (sid, scope_type, name, description) in heads {
        let req = |optional: bool| {
            let mut st = conn.prepare_cached(
                "SELECT field_id FROM scope_requirements
                 WHERE utility_id = ?1 AND scope_id = ?2 AND optional = ?3 ORDER BY rowid",
            )?;
            st.query_map(params![id, sid, optional], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        };
        scopes.push(ScopeRow {
            grant_types: strings(
                conn,
                "SELECT grant_type FROM scope_grant_types WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY rowid",
                id,
                &sid,
            )?,
            auth_methods: strings(
                conn,
                "SELECT auth_method FROM scope_auth_methods WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY rowid",
                id,
                &sid,
            )?,
            coverages: strings(
                conn,
                "SELECT coverage_id FROM scope_coverages WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY rowid",
                id,
                &sid,
            )?,
            requirements: req(false)?,
            optional: req(true)?,
            fields: load_fields(conn, id, &sid)?,
            id: sid,
            scope_type,
            name,
            description,
        });
    }
    Ok(scopes)
}

fn load_fields(conn: &Connection, id: i64, scope: &str) -> rusqlite::Result<Vec<FieldRow>> {
    let mut st = conn.prepare_cached(
        "SELECT field_id, name, format, required, default_json, minimum_json, maximum_json,
                maximum_months, maximum_infinite
         FROM fields WHERE utility_id = ?1 AND scope_id = ?2 ORDER BY position",
    )?;
    let mut fields: Vec<FieldRow> = st
        .query_map(params![id, scope], |r| {
            Ok(FieldRow {
                id: r.get(0)?,
                name: r.get(1)?,
                format: r.get(2)?,
                required: r.get(3)?,
                default: json(r.get(4)?),
                minimum: json(r.get(5)?),
                maximum: json(r.get(6)?),
                maximum_months: r.get(7)?,
                maximum_infinite: r.get(8)?,
                choices: Vec::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare_cached(
        "SELECT choice_id FROM field_choices WHERE utility_id = ?1 AND scope_id = ?2
           AND field_id = ?3 ORDER BY position",
    )?;
    for f in &mut fields {
        f.choices = st
            .query_map(params![id, scope, f.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(fields)
}

fn load_related(conn: &Connection, id: i64) -> rusqlite::Result<Vec<RelatedRow>> {
    let mut st = conn.prepare_cached(
        "SELECT url, depth, name, error FROM related_entities WHERE utility_id = ?1 ORDER BY rowid",
    )?;
    st.query_map([id], |r| {
        Ok(RelatedRow {
            url: r.get(0)?,
            depth: r.get(1)?,
            name: r.get(2)?,
            error: r.get(3)?,
        })
    })?
    .collect()
}

fn load_coverage(conn: &Connection, id: i64) -> rusqlite::Result<Vec<CoverageRow>> {
    let mut st = conn.prepare_cached(
        "SELECT coverage_id, name, entity_name, country, type, commodity_types
         FROM coverage_entries WHERE utility_id = ?1 ORDER BY rowid",
    )?;
    st.query_map([id], |r| {
        Ok(CoverageRow {
            id: r.get(0)?,
            name: r.get(1)?,
            entity_name: r.get(2)?,
            country: r.get(3)?,
            coverage_type: r.get(4)?,
            commodity_types: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
        })
    })?
    .collect()
}
