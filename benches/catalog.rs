//! The research catalog at scale (issue 13, point 7): the real binary crawls a 1,000-utility
//! demo fleet with 50 ms before every response, against the bound "one utility's critical path
//! × utilities / concurrency"; its peak RSS; the database's size; and the time of the common
//! queries over it. Run: `cargo bench --bench catalog` (CATALOG_BENCH_N and
//! CATALOG_BENCH_CONCURRENCY override 1,000 and 50). Exits non-zero when a budget is missed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cds_wizard::catalog::Catalog;
use cds_wizard::catalog::query::{self, FieldFilter, Within};
use cds_wizard::http::{HttpClient, HttpPolicy};

mod common;
use common::{BIN, Demo};

const LATENCY_MS: u64 = 50;
/// Utilities crawled one at a time to measure one utility's critical path (a multiple of the
/// fleet's ten-utility pattern of failing, slow and non-conformant ones).
const SAMPLE: usize = 20;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `catalog crawl` on `list` into `db`; returns its wall time.
fn crawl(list: &Path, db: &Path, concurrency: usize) -> Duration {
    let c = concurrency.to_string();
    let t = Instant::now();
    let status = Command::new(BIN)
        .args([
            "catalog",
            "crawl",
            "--concurrency",
            &c,
            "--per-host",
            &c,
            "--from",
        ])
        .arg(list)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run catalog crawl");
    assert!(status.success(), "catalog crawl failed: {status}");
    t.elapsed()
}

/// Largest resident set of any waited-for child, in bytes (Linux reports kilobytes).
fn children_peak_rss() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a `rusage` into the pointer it is given.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
        if rc == 0 {
            // SAFETY: initialised by the successful call above.
            let usage = unsafe { usage.assume_init() };
            return Some(usage.ru_maxrss as u64 * 1024);
        }
    }
    None
}

/// The slowest of five runs of `f`.
fn slowest<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .max()
        .unwrap_or_default()
}

/// The fleet's URL list, through the crate's own HTTP client.
fn fetch_list(url: &str) -> String {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = HttpClient::new(HttpPolicy::default()).expect("http client");
    let url = url::Url::parse(url).expect("fleet.txt URL");
    let fetched = rt.block_on(client.get(&url)).expect("GET fleet.txt");
    String::from_utf8_lossy(&fetched.body).into_owned()
}

fn main() {
    let n = env_or("CATALOG_BENCH_N", 1_000);
    let concurrency = env_or("CATALOG_BENCH_CONCURRENCY", 50);
    let n_text = n.to_string();
    let latency = LATENCY_MS.to_string();
    let server = Demo::start(&[
        "--fleet",
        &n_text,
        "--seed",
        "13",
        "--latency-ms",
        &latency,
        "--slow-ms",
        "0",
    ]);
    let base = server.base.clone();
    let list_text = fetch_list(&format!("{base}/fleet.txt"));
    let urls: Vec<&str> = list_text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(urls.len(), n, "fleet.txt");

    let dir = tempfile::tempdir().expect("temp dir");
    let sample = dir.path().join("sample.txt");
    std::fs::write(&sample, urls[..SAMPLE.min(n)].join("\n")).expect("write sample");
    let serial = crawl(&sample, &dir.path().join("sample.sqlite"), 1);
    let per_utility = serial / SAMPLE.min(n) as u32;
    let bound = per_utility * n as u32 / concurrency as u32;

    let list = dir.path().join("fleet.txt");
    std::fs::write(&list, &list_text).expect("write list");
    let db = dir.path().join("catalog.sqlite");
    let wall = crawl(&list, &db, concurrency);
    let rss = children_peak_rss();
    drop(server);

    let catalog = Catalog::open(&db).expect("open catalog");
    let conn = catalog.conn();
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let stored: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM utilities WHERE status = 'ok'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let reach = FieldFilter {
        field: Some("segment_start".into()),
        scope_type: Some("cds_usage".into()),
        format: None,
        min_months: Some(24.0),
    };
    let q_fields = slowest(|| query::fields(conn, Within::Latest, &reach).map(|r| r.len()));
    let q_list = slowest(|| query::list(conn, Within::Latest).map(|r| r.len()));
    let q_scopes =
        slowest(|| query::scopes(conn, Within::Latest, Some("cds_usage")).map(|r| r.len()));
    let q_search = slowest(|| query::search(conn, Within::Latest, "outage").map(|r| r.len()));

    let ratio = wall.as_secs_f64() / bound.as_secs_f64();
    println!("catalog crawl: {n} utilities, {LATENCY_MS} ms a response, concurrency {concurrency}");
    println!("  one utility alone (mean of {SAMPLE}): {per_utility:?}");
    println!("  bound (per utility × {n} / {concurrency}): {bound:?}");
    println!("  measured wall time: {wall:?} ({ratio:.2} × bound, budget 1.20)");
    match rss {
        Some(b) => println!("  crawl peak RSS: {:.1} MB (budget 300 MB)", b as f64 / 1e6),
        None => println!("  crawl peak RSS: not measured on this platform"),
    }
    println!(
        "  database: {stored} utilities stored, {:.1} MB",
        size as f64 / 1e6
    );
    println!(
        "  queries (slowest of 5; budget 200 ms): fields {q_fields:?}, list {q_list:?}, scopes {q_scopes:?}, search {q_search:?}"
    );
    let queries_ok = [q_fields, q_list, q_scopes, q_search]
        .iter()
        .all(|q| *q < Duration::from_millis(200));
    let ok = ratio <= 1.2 && rss.is_none_or(|b| b <= 300_000_000) && queries_ok;
    if !ok {
        eprintln!("a budget was missed");
        std::process::exit(1);
    }
}
