//! The research catalog (issue 13) end to end: a demo fleet on loopback crawled into SQLite,
//! the rows checked against the documents the fleet serves; planted changes found by diff and
//! nothing else; export round trips; merge of sharded crawls; a crawl killed or interrupted
//! mid-way leaves only whole utilities.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cds_wizard::catalog::crawl::{self, CrawlOptions, CrawlSummary};
use cds_wizard::catalog::store::{self, Catalog};
use cds_wizard::catalog::{diff, merge};
use cds_wizard::demo::fleet::{Behaviour, FleetDraft, FleetOptions, FleetServer, behaviour, draft};
use cds_wizard::http::{HttpClient, HttpPolicy};
use serde_json::Value;

use crate::common::run_cli;

pub(crate) fn client() -> HttpClient {
    HttpClient::new(HttpPolicy::default()).expect("client")
}

pub(crate) async fn fleet(size: usize, seed: u64, slow_ms: u64, latency_ms: u64) -> FleetServer {
    FleetServer::start(
        0,
        FleetOptions {
            size,
            seed,
            epoch: 1,
            latency: Duration::from_millis(latency_ms),
            slow: Duration::from_millis(slow_ms),
        },
    )
    .await
    .expect("fleet")
}

fn urls(f: &FleetServer) -> Vec<String> {
    crawl::parse_url_list(&f.fleet.list())
}

async fn crawl_into(catalog: &mut Catalog, urls: Vec<String>, label: &str) -> CrawlSummary {
    let options = CrawlOptions {
        concurrency: 8,
        per_host: 8,
        label: Some(label.into()),
        ..CrawlOptions::default()
    };
    crawl::crawl(
        catalog,
        &client(),
        urls,
        &options,
        Arc::new(|_| {}),
        std::future::pending(),
    )
    .await
    .expect("crawl")
}

pub(crate) async fn get(url: &str) -> Value {
    let u = url::Url::parse(url).expect("url");
    client().get_json(&u).await.expect("served document").1
}

/// Every coverage entry the utility serves, page after page.
async fn served_coverage(first: &str) -> usize {
    let (mut next, mut n) = (Some(first.to_owned()), 0);
    while let Some(url) = next {
        let page = get(&url).await;
        n += page["coverage_entries"].as_array().map_or(0, Vec::len);
        next = page["next"].as_str().map(str::to_owned);
    }
    n
}

fn utility_id(c: &Catalog, input: &str, crawl_id: i64) -> Option<i64> {
    c.conn()
        .query_row(
            "SELECT id FROM utilities WHERE input_url = ?1 AND crawl_id = ?2 AND status = 'ok'",
            rusqlite::params![input, crawl_id],
            |r| r.get(0),
        )
        .ok()
}

/// Utility `i`'s stored snapshot against the documents the fleet serves.
async fn check_utility(c: &Catalog, f: &FleetServer, i: usize, crawl_id: i64) {
    let url = f.fleet.metadata_url(i);
    let (status, error, draft_col, errors): (String, Option<String>, Option<String>, i64) = c
        .conn()
        .query_row(
            "SELECT status, error, draft, errors FROM utilities WHERE input_url = ?1",
            [&url],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    if behaviour(i) == Behaviour::Failing {
        assert_eq!(status, "failed");
        assert!(error.unwrap_or_default().contains("503"), "utility {i}");
        return;
    }
    assert_eq!(status, "ok", "utility {i}: {error:?}");
    let expected_draft = match draft(i) {
        FleetDraft::Cds2026 => "cds-2026",
        FleetDraft::Cdsc2025 => "cdsc-2025",
        FleetDraft::Cdsc2023 => "cdsc-2023",
    };
    assert_eq!(draft_col.as_deref(), Some(expected_draft), "utility {i}");
    assert_eq!(
        errors > 0,
        behaviour(i) == Behaviour::NonConformant,
        "utility {i}"
    );

    let snap = c.load(utility_id(c, &url, crawl_id).unwrap()).unwrap();
    let server = get(&url).await;
    let oauth = get(server["oauth_metadata"].as_str().unwrap()).await;
    assert_eq!(snap.name, server["name"].as_str().unwrap());
    assert_eq!(snap.time_zone.as_deref(), oauth["cds_timezone"].as_str());
    // Stored as the 2026 model holds them: an older draft's `client_admin` is read as
    // `cds_client_admin` (cds::drafts), every other id as served.
    let served_scopes: Vec<&str> = oauth["cds_scope_descriptions"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| match k.as_str() {
            "client_admin" => "cds_client_admin",
            other => other,
        })
        .collect();
    let stored_scopes: Vec<&str> = snap.scopes.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stored_scopes, served_scopes, "utility {i}");
    let fee = &oauth["cds_registration_fields"]["bill_access_setup_fee"];
    let stored_fee = snap
        .registration_fields
        .iter()
        .find(|f| f.id == "bill_access_setup_fee")
        .unwrap();
    assert_eq!(
        stored_fee.amount.as_deref(),
        Some(fee["amount"].to_string().as_str())
    );
    assert_eq!(stored_fee.currency.as_deref(), fee["currency"].as_str());
    let served_reach = oauth["cds_scope_descriptions"]["dge_usage_electric"]
        ["authorization_details_fields_supported"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "segment_start")
        .unwrap()["maximum"]
        .clone();
    let usage = snap
        .scopes
        .iter()
        .find(|s| s.id == "dge_usage_electric")
        .unwrap();
    let seg = usage
        .fields
        .iter()
        .find(|f| f.id == "segment_start")
        .unwrap();
    assert_eq!(seg.maximum.as_ref(), Some(&served_reach));
    assert_eq!(
        snap.coverage.len(),
        served_coverage(server["coverage"].as_str().unwrap()).await
    );
    // The raw documents are kept, compressed, and decompress to the documents read.
    let gz: Vec<u8> = c
        .conn()
        .query_row(
            "SELECT gzip FROM documents WHERE utility_id = ?1 AND kind = 'server_metadata'",
            [utility_id(c, &url, crawl_id).unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let raw: Value = serde_json::from_slice(&store::gunzip(&gz).unwrap()).unwrap();
    assert_eq!(raw["name"], server["name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawled_fleet_is_stored_as_served() {
    let f = fleet(12, 5, 150, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
    let s = crawl_into(&mut c, urls(&f), "q1").await;
    assert_eq!((s.total, s.failed, s.ok), (12, 1, 11), "{s:?}");
    assert!(s.requests >= 11 * 4 && s.bytes > 0, "{s:?}");

    for i in 0..12 {
        check_utility(&c, &f, i, s.crawl_id).await;
    }
    // The example question, in SQL: cds_usage scopes whose segment_start reaches back
    // at least 24 months.
    let reach = cds_wizard::catalog::query::fields(
        c.conn(),
        cds_wizard::catalog::query::Within::Latest,
        &cds_wizard::catalog::query::FieldFilter {
            field: Some("segment_start".into()),
            scope_type: Some("cds_usage".into()),
            format: None,
            min_months: Some(24.0),
        },
    )
    .unwrap();
    assert!(!reach.is_empty());
    assert!(
        reach
            .iter()
            .all(|r| r.maximum_months.is_some_and(|m| m >= 24.0)),
        "{reach:?}"
    );
    f.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_between_epochs_finds_exactly_the_planted_changes() {
    let f = fleet(40, 11, 20, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
    let first = crawl_into(&mut c, urls(&f), "epoch 1").await;
    f.fleet.set_epoch(2);
    let second = crawl_into(&mut c, urls(&f), "epoch 2").await;
    let planted = f.fleet.planted(1, 2);
    assert!(
        planted.len() >= 4,
        "a quarter of 36 utilities should change: {planted:?}"
    );
    let mut found_total = 0;
    for i in 0..40 {
        let url = f.fleet.metadata_url(i);
        let (Some(a), Some(b)) = (
            utility_id(&c, &url, first.crawl_id),
            utility_id(&c, &url, second.crawl_id),
        ) else {
            assert_eq!(behaviour(i), Behaviour::Failing, "utility {i} missing");
            continue;
        };
        let changes = diff::diff(&c.load(a).unwrap(), &c.load(b).unwrap());
        let found: BTreeSet<(String, String)> = changes
            .iter()
            .map(|ch| {
                let tag = serde_json::to_value(ch).unwrap()["change"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (tag, ch.subject())
            })
            .collect();
        let expected: BTreeSet<(String, String)> = planted
            .iter()
            .filter(|p| p.utility == i)
            .map(|p| (p.change.to_owned(), p.subject.clone()))
            .collect();
        assert_eq!(found, expected, "utility {i}: {changes:?}");
        assert_eq!(changes.len(), expected.len(), "utility {i}");
        found_total += found.len();
    }
    assert_eq!(found_total, planted.len());

    // The same through the command line, as JSON.
    let db = dir.path().join("c.sqlite").display().to_string();
    let p = planted[0].clone();
    let url = f.fleet.metadata_url(p.utility);
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        run_cli(&["catalog", "diff", "--db", &db, &url, "--json"])
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["changes"][0]["change"], p.change, "{v}");
    f.stop().await;
}

fn rows_as_text(c: &Catalog, table: &str) -> Vec<HashMap<String, String>> {
    let mut st = c.conn().prepare(&format!("SELECT * FROM {table}")).unwrap();
    let cols: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let rows = st
        .query_map([], |r| {
            let mut m = HashMap::new();
            for (i, col) in cols.iter().enumerate() {
                let v = match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(_) => "<blob>".into(),
                };
                m.insert(col.clone(), v);
            }
            Ok(m)
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        // SQLite REALs read back as f64 (36.0 is "36" in Rust, "36.0" in JSON).
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => n.as_f64().map(|f| f.to_string()).unwrap_or_default(),
        },
        other => other.to_string(),
    }
}

/// `table` of `a` (at `pa`) exported as CSV and as JSON Lines reads back as the same rows.
async fn check_export(a: &Catalog, pa: &Path, dir: &Path, table: &str) {
    let expected = rows_as_text(a, table);
    assert!(!expected.is_empty(), "{table}");
    let (csv_path, jsonl_path) = (
        dir.join(format!("{table}.csv")),
        dir.join(format!("{table}.jsonl")),
    );
    let db = pa.display().to_string();
    for (format, out) in [("csv", &csv_path), ("jsonl", &jsonl_path)] {
        let (db, out, table) = (db.clone(), out.display().to_string(), table.to_owned());
        let (code, _, err) = tokio::task::spawn_blocking(move || {
            run_cli(&[
                "catalog", "export", "--db", &db, "--format", format, "--table", &table, "-o", &out,
            ])
        })
        .await
        .unwrap();
        assert_eq!(code, 0, "{err}");
    }
    let mut r = csv::Reader::from_path(&csv_path).unwrap();
    let headers = r.headers().unwrap().clone();
    let from_csv: Vec<HashMap<String, String>> = r
        .records()
        .map(|rec| {
            headers
                .iter()
                .map(str::to_owned)
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    assert_eq!(from_csv, expected, "{table} as CSV");
    let from_jsonl: Vec<HashMap<String, String>> = std::fs::read_to_string(&jsonl_path)
        .unwrap()
        .lines()
        .map(|l| {
            let o: serde_json::Map<String, Value> = serde_json::from_str(l).unwrap();
            o.iter().map(|(k, v)| (k.clone(), json_text(v))).collect()
        })
        .collect();
    assert_eq!(from_jsonl, expected, "{table} as JSON Lines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_round_trip_and_shards_merge() {
    let f = fleet(10, 21, 20, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let all = urls(&f);
    let (left, right) = all.split_at(5);
    let (pa, pb, pm) = (
        dir.path().join("a.sqlite"),
        dir.path().join("b.sqlite"),
        dir.path().join("m.sqlite"),
    );
    let mut a = Catalog::open(&pa).unwrap();
    let mut b = Catalog::open(&pb).unwrap();
    crawl_into(&mut a, left.to_vec(), "shard a").await;
    crawl_into(&mut b, right.to_vec(), "shard b").await;

    for table in ["scopes", "fields", "registration_fields", "utilities"] {
        check_export(&a, &pa, dir.path(), table).await;
    }

    drop((a, b));
    let mut m = Catalog::open(&pm).unwrap();
    merge::merge_one(&mut m, &pa).unwrap();
    merge::merge_one(&mut m, &pb).unwrap();
    let (a, b) = (Catalog::open(&pa).unwrap(), Catalog::open(&pb).unwrap());
    let count =
        |c: &Catalog, sql: &str| -> i64 { c.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count(&m, "SELECT COUNT(*) FROM crawls"), 2);
    for table in [
        "utilities",
        "scopes",
        "fields",
        "coverage_entries",
        "documents",
        "findings",
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(
            count(&m, &sql),
            count(&a, &sql) + count(&b, &sql),
            "{table}"
        );
    }
    for url in &all {
        let src = if left.contains(url) { &a } else { &b };
        let (Some(x), Some(y)) = (src.find(url, None).unwrap(), m.find(url, None).unwrap()) else {
            continue;
        };
        assert_eq!(m.load(y).unwrap(), src.load(x).unwrap(), "{url}");
    }
    f.stop().await;
}

/// Runs the binary, expects success, returns stdout.
async fn cli_out(args: Vec<String>) -> String {
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cli(&args)
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    out
}

async fn cli_json(args: Vec<String>) -> Value {
    let out = cli_out(args).await;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_common_questions_are_answered_offline_as_json() {
    let f = fleet(8, 42, 20, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let mut c = Catalog::open(&path).unwrap();
    crawl_into(&mut c, urls(&f), "q").await;
    let fleet_urls: Vec<String> = (0..8).map(|i| f.fleet.metadata_url(i)).collect();
    f.stop().await; // no network from here on
    let db = path.display().to_string();
    let q = |extra: &[&str]| -> Vec<String> {
        let mut v = vec!["catalog".to_owned()];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend(["--db".to_owned(), db.clone(), "--json".to_owned()]);
        v
    };

    let list = cli_json(q(&["list"])).await;
    let list = list.as_array().unwrap();
    assert_eq!(
        list.len(),
        7,
        "the newest successful snapshot of each utility"
    );
    assert!(
        list.iter()
            .all(|u| u["registration_cost"].as_array().unwrap().len() == 1)
    );
    // `catalog` alone, off a terminal, lists the same utilities as text.
    let out = cli_out(vec!["catalog".to_owned(), "--db".to_owned(), db.clone()]).await;
    for u in list {
        let name = u["name"].as_str().unwrap();
        assert!(out.contains(name), "{name} in {out}");
    }

    let reach = cli_json(q(&[
        "fields",
        "--field",
        "segment_start",
        "--scope-type",
        "cds_usage",
        "--min-months",
        "24",
    ]))
    .await;
    let expected: BTreeSet<String> = (0..8)
        .filter(|i| behaviour(*i) != Behaviour::Failing)
        .filter_map(|i| {
            let s = c.load(c.find(&fleet_urls[i], None).unwrap()?).unwrap();
            s.scopes
                .iter()
                .filter(|sc| sc.scope_type == "cds_usage")
                .flat_map(|sc| sc.fields.iter().map(move |fl| (sc, fl)))
                .find(|(_, fl)| {
                    fl.id == "segment_start" && fl.maximum_months.is_some_and(|m| m >= 24.0)
                })
                .map(|_| s.name.clone())
        })
        .collect();
    let got: BTreeSet<String> = reach
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["utility"].as_str().unwrap().to_owned())
        .collect();
    assert!(!got.is_empty());
    assert_eq!(got, expected);

    let scopes = cli_json(q(&["scopes", "--type", "cds_usage"])).await;
    assert!(
        scopes
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["type"] == "cds_usage")
    );
    let hits = cli_json(q(&["search", "segment_start"])).await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "field")
    );
    let show = cli_json(q(&["show", &fleet_urls[0]])).await;
    assert_eq!(show["input_url"], fleet_urls[0]);
    assert!(show["scopes"].as_array().unwrap().len() >= 4);
}

/// Records when each request was in flight (the client's own timings, which start once the
/// request has its place at the host).
#[derive(Default)]
struct InFlight(std::sync::Mutex<Vec<(std::time::SystemTime, Duration)>>);

impl cds_wizard::http::ExchangeObserver for InFlight {
    fn exchange(&self, e: &cds_wizard::http::RawExchange<'_>) {
        self.0.lock().unwrap().push((e.started, e.total));
    }
}

impl InFlight {
    /// The most requests that were in flight at one moment.
    fn peak(&self) -> usize {
        let mut edges: Vec<(std::time::SystemTime, i32)> = Vec::new();
        for (start, total) in self.0.lock().unwrap().iter() {
            edges.push((*start, 1));
            edges.push((*start + *total, -1));
        }
        // Ends before starts at the same instant: a place freed is a place taken.
        edges.sort();
        let (mut now, mut peak) = (0i32, 0i32);
        for (_, d) in edges {
            now += d;
            peak = peak.max(now);
        }
        peak as usize
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_bounds_the_requests_a_host_sees_not_just_its_utilities() {
    // Every utility of the fleet is on one host; 30 ms before each response keeps requests
    // in flight long enough to overlap when nothing stops them.
    let f = fleet(12, 7, 0, 30).await;
    let dir = tempfile::tempdir().unwrap();
    let mut c = Catalog::open(&dir.path().join("p.sqlite")).unwrap();
    let seen = Arc::new(InFlight::default());
    let options = CrawlOptions {
        concurrency: 12,
        per_host: 2,
        label: Some("polite".into()),
        ..CrawlOptions::default()
    };
    let summary = crawl::crawl(
        &mut c,
        &client().with_observer(seen.clone()),
        urls(&f),
        &options,
        Arc::new(|_| {}),
        std::future::pending(),
    )
    .await
    .expect("crawl");
    assert_eq!(summary.ok + summary.failed, 12);
    let n = seen.0.lock().unwrap().len();
    assert!(n > 24, "several requests per utility: {n}");
    let peak = seen.peak();
    assert!(
        (1..=2).contains(&peak),
        "at most 2 requests at the host at once, saw {peak}"
    );
    f.stop().await;
}
