//! `catalog export`: any table or view of the catalog as CSV (for spreadsheets) or JSON Lines
//! (for notebooks), columns as in the schema; blobs (compressed documents) as Base64.

use std::io::Write;

use base64::Engine;
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::schema::TABLES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no table `{0}` in the catalog (tables: {tables})", tables = TABLES.join(", "))]
    NoSuchTable(String),
    #[error("catalog database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("writing the export: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

fn json(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => {
            serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
        }
        other => text(other).map_or(serde_json::Value::Null, Into::into),
    }
}

/// Writes every row of `table` to `out`; returns how many.
pub fn export(
    conn: &Connection,
    table: &str,
    format: Format,
    out: &mut dyn Write,
) -> Result<usize, ExportError> {
    // Only names from the schema reach the SQL text.
    let Some(table) = TABLES.iter().find(|t| **t == table) else {
        return Err(ExportError::NoSuchTable(table.to_owned()));
    };
    let mut st = conn.prepare(&format!("SELECT * FROM {table}"))?;
    let columns: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
    let mut rows = st.query([])?;
    let mut n = 0;
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&columns)?;
            while let Some(row) = rows.next()? {
                let mut record = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    record.push(text(row.get_ref(i)?).unwrap_or_default());
                }
                w.write_record(&record)?;
                n += 1;
            }
            w.flush()?;
        }
        Format::Jsonl => {
            while let Some(row) = rows.next()? {
                let mut obj = serde_json::Map::new();
                for (i, c) in columns.iter().enumerate() {
                    obj.insert(c.clone(), json(row.get_ref(i)?));
                }
                serde_json::to_writer(&mut *out, &obj).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
                n += 1;
            }
        }
    }
    Ok(n)
}
