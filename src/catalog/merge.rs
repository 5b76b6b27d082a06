//! `catalog merge`: catalogs crawled apart (sharded URL lists, several machines) made one. Each
//! input's crawls are appended with fresh ids, so snapshots stay apart and `latest` still picks
//! each utility's newest.

use std::path::Path;

use rusqlite::params;

use super::store::{Catalog, StoreError};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MergeSummary {
    pub crawls: usize,
    pub utilities: usize,
}

fn columns(out: &Catalog, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = out
        .conn()
        .prepare(&format!("PRAGMA main.table_info({table})"))?;
    let names = st.query_map([], |r| r.get::<_, String>(1))?;
    names.collect()
}

/// Appends every crawl of the catalog at `input` to `out`, in one transaction.
pub fn merge_one(out: &mut Catalog, input: &Path) -> Result<MergeSummary, StoreError> {
    // Opening migrates the input to this program's schema first.
    drop(Catalog::open(input)?);
    let conn = out.conn();
    conn.execute(
        "ATTACH DATABASE ?1 AS src",
        params![input.to_string_lossy()],
    )?;
    let result = (|| -> Result<MergeSummary, StoreError> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let body = (|| -> Result<MergeSummary, StoreError> {
            let off =
                |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |r| r.get(0)) };
            let crawl_off = off("SELECT IFNULL(MAX(id), 0) FROM main.crawls")?;
            let util_off = off("SELECT IFNULL(MAX(id), 0) FROM main.utilities")?;
            let crawls = conn.execute(
                "INSERT INTO main.crawls (id, started, finished, interrupted, tool_version, label)
                 SELECT id + ?1, started, finished, interrupted, tool_version, label
                 FROM src.crawls ORDER BY id",
                [crawl_off],
            )?;
            let cols = columns(out, "utilities")?;
            let select: Vec<String> = cols
                .iter()
                .map(|c| match c.as_str() {
                    "id" => "id + ?1".to_owned(),
                    "crawl_id" => "crawl_id + ?2".to_owned(),
                    other => other.to_owned(),
                })
                .collect();
            let utilities = conn.execute(
                &format!(
                    "INSERT INTO main.utilities ({}) SELECT {} FROM src.utilities ORDER BY id",
                    cols.join(", "),
                    select.join(", ")
                ),
                [util_off, crawl_off],
            )?;
            for table in super::schema::CHILD_TABLES {
                let cols = columns(out, table)?;
                let select: Vec<String> = cols
                    .iter()
                    .map(|c| {
                        if c == "utility_id" {
                            "utility_id + ?1".into()
                        } else {
                            c.clone()
                        }
                    })
                    .collect();
                conn.execute(
                    &format!(
                        "INSERT INTO main.{table} ({}) SELECT {} FROM src.{table} ORDER BY rowid",
                        cols.join(", "),
                        select.join(", ")
                    ),
                    [util_off],
                )?;
            }
            Ok(MergeSummary { crawls, utilities })
        })();
        match &body {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(_) => conn.execute_batch("ROLLBACK")?,
        }
        body
    })();
    conn.execute("DETACH DATABASE src", [])?;
    result
}
