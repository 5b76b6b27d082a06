//! The catalog database's schema (SQL DDL) and its migrations, versioned by
//! `PRAGMA user_version`. Every table hangs off `utilities` (one row per utility per crawl),
//! which hangs off `crawls` (one snapshot of the fleet); README "Catalog" documents it.

use rusqlite::Connection;

/// The schema version this program writes; older databases are migrated up, newer refused.
pub const SCHEMA_VERSION: i64 = 1;

/// Version 1: the whole schema. Later versions append a migration to [`MIGRATIONS`].
const V1: &str = "
CREATE TABLE crawls (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,            -- RFC 3339, UTC
    finished TEXT,                    -- NULL while running or when interrupted hard
    interrupted INTEGER NOT NULL DEFAULT 0,
    tool_version TEXT NOT NULL,
    label TEXT                        -- free text (`--label`), e.g. the quarter
);
CREATE TABLE utilities (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
    input_url TEXT NOT NULL,          -- as listed in the crawl's URL list
    metadata_url TEXT,
    status TEXT NOT NULL,             -- 'ok' or 'failed'
    error TEXT,                       -- why it failed
    name TEXT,
    draft TEXT,                       -- cds-2026, cdsc-2025, cdsc-2023
    time_zone TEXT,                   -- cds_timezone
    issuer TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    scopes INTEGER NOT NULL DEFAULT 0,
    coverage_entries INTEGER NOT NULL DEFAULT 0,
    requests INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    elapsed_ms INTEGER NOT NULL DEFAULT 0,
    crawled_at TEXT NOT NULL,
    UNIQUE (crawl_id, input_url)
);
CREATE INDEX utilities_input ON utilities(input_url, crawl_id);
CREATE TABLE related_entities (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    url TEXT NOT NULL, depth INTEGER NOT NULL, name TEXT, error TEXT
);
CREATE TABLE coverage_entries (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    coverage_id TEXT NOT NULL, name TEXT NOT NULL, entity_name TEXT NOT NULL,
    country TEXT NOT NULL, type TEXT NOT NULL,
    commodity_types TEXT NOT NULL     -- JSON array
);
CREATE TABLE scopes (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    scope_id TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    PRIMARY KEY (utility_id, scope_id)
);
CREATE INDEX scopes_type ON scopes(type);
CREATE TABLE scope_coverages (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL, coverage_id TEXT NOT NULL
);
CREATE TABLE scope_grant_types (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL,           -- '' for the server-wide list (RFC 8414 §2)
    grant_type TEXT NOT NULL
);
CREATE TABLE scope_auth_methods (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL,           -- '' for the server-wide list
    auth_method TEXT NOT NULL
);
CREATE TABLE fields (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL, position INTEGER NOT NULL,
    field_id TEXT NOT NULL, name TEXT NOT NULL, format TEXT NOT NULL,
    required INTEGER NOT NULL,
    default_json TEXT, minimum_json TEXT, maximum_json TEXT,   -- JSON as served
    maximum_months REAL,              -- relative date bounds in months (P24M = 24, P3Y = 36)
    maximum_infinite INTEGER NOT NULL
);
CREATE INDEX fields_id ON fields(field_id);
CREATE TABLE field_choices (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL, field_id TEXT NOT NULL, position INTEGER NOT NULL,
    choice_id TEXT NOT NULL
);
CREATE TABLE registration_fields (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    field_id TEXT NOT NULL, type TEXT NOT NULL, format TEXT, description TEXT NOT NULL,
    amount TEXT,                      -- exact decimal text, e.g. '250.00'
    currency TEXT                     -- ISO 4217
);
CREATE TABLE scope_requirements (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    scope_id TEXT NOT NULL, field_id TEXT NOT NULL,
    optional INTEGER NOT NULL         -- 0 registration_requirements, 1 registration_optional
);
CREATE TABLE findings (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    severity TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, section TEXT NOT NULL
);
CREATE TABLE documents (
    utility_id INTEGER NOT NULL REFERENCES utilities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,               -- server_metadata, oauth_metadata, coverage, snapshot
    url TEXT NOT NULL,
    bytes INTEGER NOT NULL,           -- uncompressed size
    gzip BLOB NOT NULL                -- the JSON, gzip-compressed
);
-- Every child table is read by its utility (and scope): `catalog show`, diff, the queries'
-- per-scope counts and ON DELETE CASCADE all need these.
CREATE INDEX related_entities_utility ON related_entities(utility_id);
CREATE INDEX coverage_entries_utility ON coverage_entries(utility_id);
CREATE INDEX scope_coverages_scope ON scope_coverages(utility_id, scope_id);
CREATE INDEX scope_grant_types_scope ON scope_grant_types(utility_id, scope_id);
CREATE INDEX scope_auth_methods_scope ON scope_auth_methods(utility_id, scope_id);
CREATE INDEX fields_scope ON fields(utility_id, scope_id);
CREATE INDEX field_choices_field ON field_choices(utility_id, scope_id, field_id);
CREATE INDEX registration_fields_utility ON registration_fields(utility_id);
CREATE INDEX scope_requirements_scope ON scope_requirements(utility_id, scope_id);
CREATE INDEX findings_utility ON findings(utility_id);
CREATE INDEX documents_utility ON documents(utility_id);
CREATE INDEX utilities_latest ON utilities(input_url, status, id);
-- The newest successful snapshot of each utility.
CREATE VIEW latest AS
    SELECT u.* FROM utilities u
    WHERE u.status = 'ok' AND u.id = (
        SELECT MAX(v.id) FROM utilities v WHERE v.input_url = u.input_url AND v.status = 'ok');
-- What registering costs, per utility snapshot and currency.
CREATE VIEW registration_costs AS
    SELECT u.id AS utility_id, u.crawl_id, u.name, r.currency,
           SUM(CAST(r.amount AS REAL)) AS total, COUNT(*) AS fees
    FROM registration_fields r JOIN utilities u ON u.id = r.utility_id
    WHERE r.amount IS NOT NULL GROUP BY u.id, r.currency;
";

const MIGRATIONS: &[&str] = &[V1];

/// Why a database could not be opened as a catalog.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    #[error(
        "the catalog database has schema version {found}, newer than this program's {SCHEMA_VERSION}; use a newer cds-wizard"
    )]
    TooNew { found: i64 },
}

/// Brings `conn` up to [`SCHEMA_VERSION`], one transaction per step.
pub fn migrate(conn: &mut Connection) -> Result<(), SchemaError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(SchemaError::TooNew { found });
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Tables keyed by `utility_id` (a snapshot's rows), in the order `TABLES` lists them.
pub const CHILD_TABLES: &[&str] = &[
    "related_entities",
    "coverage_entries",
    "scopes",
    "scope_coverages",
    "scope_grant_types",
    "scope_auth_methods",
    "fields",
    "field_choices",
    "registration_fields",
    "scope_requirements",
    "findings",
    "documents",
];

/// Names of the tables `catalog export --table` accepts.
pub const TABLES: &[&str] = &[
    "crawls",
    "utilities",
    "related_entities",
    "coverage_entries",
    "scopes",
    "scope_coverages",
    "scope_grant_types",
    "scope_auth_methods",
    "fields",
    "field_choices",
    "registration_fields",
    "scope_requirements",
    "findings",
    "documents",
    "latest",
    "registration_costs",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_child_tables_are_the_tables_between_utilities_and_the_views() {
        let views = ["latest", "registration_costs"];
        let children: Vec<&str> = TABLES
            .iter()
            .copied()
            .filter(|t| !["crawls", "utilities"].contains(t) && !views.contains(t))
            .collect();
        assert_eq!(children, CHILD_TABLES);
    }

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        for t in TABLES {
            c.prepare(&format!("SELECT * FROM {t} LIMIT 0")).unwrap();
        }
        c.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            migrate(&mut c),
            Err(SchemaError::TooNew { found: 99 })
        ));
    }
}
