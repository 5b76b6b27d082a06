//! The catalog database: opening it (WAL, foreign keys, migrations), one transaction per
//! utility so a crash mid-crawl leaves every finished utility whole and no half-written one,
//! and reading a utility's snapshot back (model.rs).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::model::{
    CoverageRow, FieldRow, FindingRow, RegistrationFieldRow, RelatedRow, ScopeRow, UtilitySnapshot,
};
use super::schema::{self, SchemaError};

/// The database file under the program's data directory.
pub const DEFAULT_FILE: &str = "catalog.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("catalog database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("catalog database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("catalog database: no utility snapshot {0}")]
    NoSuchUtility(i64),
    #[error("catalog: {0}")]
    Io(#[from] std::io::Error),
}

/// The default database path: `<home>/catalog.sqlite`, the home of `profiles::store::home`.
pub fn default_path() -> anyhow::Result<PathBuf> {
    Ok(crate::profiles::store::home()?.join(DEFAULT_FILE))
}

/// A raw document kept compressed beside the rows (compressed by the crawl's tasks, in
/// parallel, so the one writer only inserts).
#[derive(Debug, Clone)]
pub struct RawDocument {
    pub kind: &'static str,
    pub url: String,
    /// Uncompressed size.
    pub bytes: usize,
    pub gzip: Vec<u8>,
}

impl RawDocument {
    pub fn new(kind: &'static str, url: String, json: &Value) -> std::io::Result<Self> {
        Self::from_text(kind, url, &serde_json::to_vec(json).unwrap_or_default())
    }

    /// A document already held as compact JSON text (what [`RawDocument::new`] writes).
    pub fn from_text(kind: &'static str, url: String, text: &[u8]) -> std::io::Result<Self> {
        Ok(Self {
            kind,
            url,
            bytes: text.len(),
            gzip: gzip(text)?,
        })
    }
}

/// What a crawl learned of one utility.
#[derive(Debug, Clone)]
pub struct UtilityRecord {
    pub input_url: String,
    pub outcome: Result<(UtilitySnapshot, Vec<RawDocument>), String>,
    pub requests: u64,
    pub bytes: u64,
    pub elapsed_ms: u64,
}

/// An open catalog database.
pub struct Catalog {
    conn: Connection,
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    // Fast compression: JSON compresses well at any level, and a crawl must keep up.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes)?;
    e.finish()
}

pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

impl Catalog {
    /// Opens (creating when missing) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        // WAL: readers (a notebook) never block the crawl's writer, and a crash loses at most
        // the transaction in flight. NORMAL sync is durable at every checkpoint in WAL mode.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a snapshot of the fleet; returns its id.
    pub fn begin_crawl(&self, label: Option<&str>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO crawls (started, tool_version, label) VALUES (?1, ?2, ?3)",
            params![now(), env!("CARGO_PKG_VERSION"), label],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn finish_crawl(&self, crawl_id: i64, interrupted: bool) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE crawls SET finished = ?2, interrupted = ?3 WHERE id = ?1",
            params![crawl_id, now(), interrupted],
        )?;
        Ok(())
    }

    /// Stores one utility of crawl `crawl_id` in one transaction; returns its row id.
    pub fn record(&mut self, crawl_id: i64, r: &UtilityRecord) -> Result<i64, StoreError> {
        let tx = self.conn.transaction()?;
        let (status, error, snap) = match &r.outcome {
            Ok((s, _)) => ("ok", None, Some(s)),
            Err(e) => ("failed", Some(e.as_str()), None),
        };
        tx.execute(
            "INSERT INTO utilities (crawl_id, input_url, metadata_url, status, error, name, draft,
                time_zone, issuer, errors, warnings, scopes, coverage_entries, requests, bytes,
                elapsed_ms, crawled_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)",
            params![
                crawl_id,
                r.input_url,
                snap.map(|s| &s.metadata_url),
                status,
                error,
                snap.map(|s| &s.name),
                snap.map(|s| &s.draft),
                snap.and_then(|s| s.time_zone.as_ref()),
                snap.and_then(|s| s.issuer.as_ref()),
                snap.map_or(0, |s| s.errors),
                snap.map_or(0, |s| s.warnings),
                snap.map_or(0, |s| s.scopes.len()),
                snap.map_or(0, |s| s.coverage.len()),
                r.requests,
                r.bytes,
                r.elapsed_ms,
                now(),
            ],
        )?;
        let id = tx.last_insert_rowid();
        if let Ok((snap, docs)) = &r.outcome {
            write_rows(&tx, id, snap)?;
            write_documents(&tx, id, docs)?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// The snapshot stored as utility row `id`.
    pub fn load(&self, id: i64) -> Result<UtilitySnapshot, StoreError> {
        super::load::load(&self.conn, id)?.ok_or(StoreError::NoSuchUtility(id))
    }

    /// The newest successful snapshot of the utility listed as (or named, or with metadata
    /// at) `key`, optionally within crawl `crawl`.
    pub fn find(&self, key: &str, crawl: Option<i64>) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM utilities WHERE status = 'ok'
                   AND (input_url = ?1 OR metadata_url = ?1 OR name = ?1 OR CAST(id AS TEXT) = ?1)
                   AND (?2 IS NULL OR crawl_id = ?2)
                 ORDER BY id DESC LIMIT 1",
                params![key, crawl],
                |r| r.get(0),
            )
            .optional()?)
    }
}

fn json_text(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(Value::to_string)
}

fn write_rows(tx: &Transaction, id: i64, s: &UtilitySnapshot) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO related_entities (utility_id, url, depth, name, error) VALUES (?1,?2,?3,?4,?5)",
    )?;
    for RelatedRow {
        url,
        depth,
        name,
        error,
    } in &s.related
    {
        st.execute(params![id, url, depth, name, error])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO coverage_entries (utility_id, coverage_id, name, entity_name, country, type,
            commodity_types) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?;
    for c in &s.coverage {
        let CoverageRow {
            id: cid,
            name,
            entity_name,
            country,
            coverage_type,
            commodity_types,
        } = c;
        let commodities = serde_json::to_string(commodity_types).unwrap_or_default();
        st.execute(params![
            id,
            cid,
            name,
            entity_name,
            country,
            coverage_type,
            commodities
        ])?;
    }
    for (i, scope) in s.scopes.iter().enumerate() {
        write_scope(tx, id, i, scope)?;
    }
    write_lists(tx, id, "", &s.grant_types, &s.auth_methods)?;
    let mut st = tx.prepare_cached(
        "INSERT INTO registration_fields (utility_id, position, field_id, type, format,
            description, amount, currency) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    )?;
    for (i, f) in s.registration_fields.iter().enumerate() {
        let RegistrationFieldRow {
            id: fid,
            field_type,
            format,
            description,
            amount,
            currency,
        } = f;
        st.execute(params![
            id,
            i,
            fid,
            field_type,
            format,
            description,
            amount,
            currency
        ])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO findings (utility_id, severity, code, message, section) VALUES (?1,?2,?3,?4,?5)",
    )?;
    for FindingRow {
        severity,
        code,
        message,
        section,
    } in &s.findings
    {
        st.execute(params![id, severity, code, message, section])?;
    }
    Ok(())
}

fn write_lists(
    tx: &Transaction,
    id: i64,
    scope: &str,
    grants: &[String],
    methods: &[String],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO scope_grant_types (utility_id, scope_id, grant_type) VALUES (?1,?2,?3)",
    )?;
    for g in grants {
        st.execute(params![id, scope, g])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO scope_auth_methods (utility_id, scope_id, auth_method) VALUES (?1,?2,?3)",
    )?;
    for m in methods {
        st.execute(params![id, scope, m])?;
    }
    Ok(())
}

fn write_scope(tx: &Transaction, id: i64, pos: usize, s: &ScopeRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO scopes (utility_id, position, scope_id, type, name, description)
         VALUES (?1,?2,?3,?4,?5,?6)",
    )?
    .execute(params![id, pos, s.id, s.scope_type, s.name, s.description])?;
    write_lists(tx, id, &s.id, &s.grant_types, &s.auth_methods)?;
    let mut st = tx.prepare_cached(
        "INSERT INTO scope_coverages (utility_id, scope_id, coverage_id) VALUES (?1,?2,?3)",
    )?;
    for c in &s.coverages {
        st.execute(params![id, s.id, c])?;
    }
    let mut st = tx.prepare_cached(
        "INSERT INTO scope_requirements (utility_id, scope_id, field_id, optional)
         VALUES (?1,?2,?3,?4)",
    )?;
    for (list, optional) in [(&s.requirements, false), (&s.optional, true)] {
        for f in list {
            st.execute(params![id, s.id, f, optional])?;
        }
    }
    for (i, f) in s.fields.iter().enumerate() {
        write_field(tx, id, &s.id, i, f)?;
    }
    Ok(())
}

fn write_field(
    tx: &Transaction,
    id: i64,
    scope: &str,
    pos: usize,
    f: &FieldRow,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO fields (utility_id, scope_id, position, field_id, name, format, required,
            default_json, minimum_json, maximum_json, maximum_months, maximum_infinite)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
    )?
    .execute(params![
        id,
        scope,
        pos,
        f.id,
        f.name,
        f.format,
        f.required,
        json_text(&f.default),
        json_text(&f.minimum),
        json_text(&f.maximum),
        f.maximum_months,
        f.maximum_infinite,
    ])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO field_choices (utility_id, scope_id, field_id, position, choice_id)
         VALUES (?1,?2,?3,?4,?5)",
    )?;
    for (i, c) in f.choices.iter().enumerate() {
        st.execute(params![id, scope, f.id, i, c])?;
    }
    Ok(())
}

fn write_documents(tx: &Transaction, id: i64, docs: &[RawDocument]) -> Result<(), StoreError> {
    let mut st = tx.prepare_cached(
        "INSERT INTO documents (utility_id, kind, url, bytes, gzip) VALUES (?1,?2,?3,?4,?5)",
    )?;
    for d in docs {
        st.execute(params![id, d.kind, d.url, d.bytes, d.gzip])?;
    }
    Ok(())
}
