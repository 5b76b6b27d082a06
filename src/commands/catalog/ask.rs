//! The catalog's offline commands: list, show, scopes, fields, search, export, diff, merge
//! (issue 13), answered from the database alone.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::catalog::export::{self, Format};
use crate::catalog::query::{self, FieldFilter, Within};
use crate::catalog::{Catalog, diff, merge};
use crate::cli::{CatalogCommand, CatalogDiffArgs, CatalogExportFormat, CatalogQueryArgs};
use crate::present::catalog as words;

fn within(q: &CatalogQueryArgs) -> Within {
    q.crawl.map_or(Within::Latest, Within::Crawl)
}

fn print<T: Serialize>(
    json: bool,
    rows: &T,
    lines: impl FnOnce() -> Vec<String>,
) -> anyhow::Result<()> {
    if json {
        super::super::print_json(&serde_json::to_value(rows)?);
    } else {
        for l in lines() {
            println!("{l}");
        }
    }
    Ok(())
}

/// Opens an existing catalog (asking a question of a missing one is a mistake, not a new file).
fn open(path: &Path) -> anyhow::Result<Catalog> {
    if !path.exists() {
        bail!(
            "no catalog database at {} (run `cds-wizard catalog crawl` first, or pass --db)",
            path.display()
        );
    }
    Ok(Catalog::open(path)?)
}

pub fn run(path: &Path, command: &CatalogCommand) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::Merge(a) => {
            let mut out = Catalog::open(&a.out)?;
            for input in &a.inputs {
                let s = merge::merge_one(&mut out, input)
                    .with_context(|| format!("merging {}", input.display()))?;
                println!(
                    "{}: {} crawl{}, {} utility snapshot{} merged into {}",
                    input.display(),
                    s.crawls,
                    crate::present::plural(s.crawls),
                    s.utilities,
                    crate::present::plural(s.utilities),
                    a.out.display()
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        CatalogCommand::Crawl(_) => bail!("crawl is run by the parent module"),
        CatalogCommand::Browse => bail!("browse opens the interactive wizard"),
        _ => {}
    }
    let catalog = open(path)?;
    let conn = catalog.conn();
    match command {
        CatalogCommand::List(q) => {
            let rows = query::list(conn, within(q))?;
            print(q.json, &rows, || words::utility_rows(&rows))?;
        }
        CatalogCommand::Show(a) => {
            let id = catalog
                .find(&a.utility, a.query.crawl)?
                .with_context(|| format!("no stored snapshot of `{}`", a.utility))?;
            let snap = catalog.load(id)?;
            print(a.query.json, &snap, || words::snapshot_lines(&snap))?;
        }
        CatalogCommand::Scopes(a) => {
            let mut rows = query::scopes(conn, within(&a.query), a.scope_type.as_deref())?;
            if a.public {
                rows.retain(|r| r.public_client);
            }
            print(a.query.json, &rows, || words::scope_rows(&rows))?;
        }
        CatalogCommand::Fields(a) => {
            let filter = FieldFilter {
                field: a.field.clone(),
                scope_type: a.scope_type.clone(),
                format: a.format.clone(),
                min_months: a.min_months,
            };
            let rows = query::fields(conn, within(&a.query), &filter)?;
            print(a.query.json, &rows, || words::field_rows(&rows))?;
        }
        CatalogCommand::Search(a) => {
            let rows = query::search(conn, within(&a.query), &a.text)?;
            print(a.query.json, &rows, || words::search_rows(&rows))?;
        }
        CatalogCommand::Export(a) => {
            let format = match a.format {
                CatalogExportFormat::Csv => Format::Csv,
                CatalogExportFormat::Jsonl => Format::Jsonl,
            };
            match &a.output {
                Some(p) => {
                    let mut f = std::io::BufWriter::new(
                        std::fs::File::create(p)
                            .with_context(|| format!("cannot create {}", p.display()))?,
                    );
                    let n = export::export(conn, &a.table, format, &mut f)?;
                    eprintln!("{n} rows written to {}", p.display());
                }
                None => {
                    let mut out = std::io::stdout().lock();
                    export::export(conn, &a.table, format, &mut out)?;
                }
            }
        }
        CatalogCommand::Diff(a) => return run_diff(&catalog, a),
        CatalogCommand::Crawl(_) | CatalogCommand::Merge(_) => {}
        CatalogCommand::Browse => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The two snapshots a diff compares: two utilities, or one utility at two crawls.
fn pick(catalog: &Catalog, a: &CatalogDiffArgs) -> anyhow::Result<(i64, i64)> {
    let find = |key: &str, crawl: Option<i64>| -> anyhow::Result<i64> {
        catalog.find(key, crawl)?.with_context(|| match crawl {
            Some(c) => format!("no stored snapshot of `{key}` in crawl {c}"),
            None => format!("no stored snapshot of `{key}`"),
        })
    };
    let second = a.b.as_deref().unwrap_or(&a.a);
    if a.b.is_some() || a.crawl_a.is_some() || a.crawl_b.is_some() {
        return Ok((find(&a.a, a.crawl_a)?, find(second, a.crawl_b)?));
    }
    // One utility, no crawls named: its previous snapshot against its newest.
    let newest = find(&a.a, None)?;
    let input: String = catalog.conn().query_row(
        "SELECT input_url FROM utilities WHERE id = ?1",
        [newest],
        |r| r.get(0),
    )?;
    let previous: i64 = catalog
        .conn()
        .query_row(
            "SELECT MAX(id) FROM utilities WHERE input_url = ?1 AND status = 'ok' AND id < ?2",
            rusqlite::params![input, newest],
            |r| r.get::<_, Option<i64>>(0),
        )?
        .with_context(|| {
            format!(
                "`{}` has only one stored snapshot; name two utilities or crawls",
                a.a
            )
        })?;
    Ok((previous, newest))
}

fn run_diff(catalog: &Catalog, a: &CatalogDiffArgs) -> anyhow::Result<ExitCode> {
    let (ia, ib) = pick(catalog, a)?;
    let (sa, sb) = (catalog.load(ia)?, catalog.load(ib)?);
    let changes = diff::diff(&sa, &sb);
    if a.json {
        super::super::print_json(&serde_json::json!({
            "a": { "utility_id": ia, "name": sa.name, "input_url": sa.input_url },
            "b": { "utility_id": ib, "name": sb.name, "input_url": sb.input_url },
            "changes": changes,
        }));
    } else {
        for l in words::diff_lines(&sa, &sb, &changes) {
            println!("{l}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
