//! What recording costs (issue 12 item 6). Run: `cargo bench --bench transcript`.
//!
//! 1. `register` against the demo utility with 50 ms before every response, with and without
//!    `--har`, alternately, each in a fresh home (keyutils keyring): recording may add at most
//!    10 % (the bench exits non-zero beyond that).
//! 2. `discover --json` of the scaled demo (10,000 scopes, 100,000 coverage entries), with and
//!    without `--har`: the peak resident memory of each run, the transcript's size and its
//!    largest response. Recording streams each entry to disk, so it may hold at most one
//!    response (its redacted copy) beyond what discovery holds itself (the bench exits
//!    non-zero beyond that).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cds_wizard::demo::scale::Scale;
use cds_wizard::demo::{DemoOptions, DemoServer};

const RUNS: usize = 8;
const BIN: &str = env!("CARGO_BIN_EXE_cds-wizard");

fn answers() -> String {
    format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary to the end; its wall time and peak RSS in KiB.
// The child is reaped by `wait4` (which also gives its own peak RSS), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn timed(home: &Path, args: &[&str]) -> (Duration, i64) {
    let started = Instant::now();
    let child = std::process::Command::new(BIN)
        .env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 on our own child's pid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(
        pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?} failed"
    );
    (started.elapsed(), usage.ru_maxrss)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn register_overhead(base: &str) -> f64 {
    let mut plain = Vec::new();
    let mut recorded = Vec::new();
    for i in 0..=RUNS {
        for record in [false, true] {
            let home = tempfile::tempdir().unwrap();
            let har = home.path().join("run.har");
            let profile = format!("bench-{}-{i}-{record}", std::process::id());
            let mut args = vec![
                "register",
                base,
                "--answers",
                &answers(),
                "--profile",
                &profile,
            ]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
            if record {
                args.extend(["--har".to_owned(), har.display().to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (t, _) = timed(home.path(), &args);
            // The first pair warms up.
            if i > 0 {
                if record {
                    recorded.push(t)
                } else {
                    plain.push(t)
                }
            }
            timed(home.path(), &["forget", &profile]);
        }
    }
    let (p, r) = (median(plain), median(recorded));
    let ratio = r.as_secs_f64() / p.as_secs_f64();
    println!("register against the demo, 50 ms per response, {RUNS} runs each (medians)");
    println!("  without --har: {:.1} ms", p.as_secs_f64() * 1000.0);
    println!("  with --har:    {:.1} ms", r.as_secs_f64() * 1000.0);
    println!("  overhead:      {:+.1} %", (ratio - 1.0) * 100.0);
    ratio
}

/// The memory recording added, as a multiple of the largest response.
fn scaled_memory(base: &str) -> f64 {
    let home = tempfile::tempdir().unwrap();
    let har = home.path().join("scaled.har");
    let (t0, rss0) = timed(home.path(), &["discover", base, "--json"]);
    let (t1, rss1) = timed(
        home.path(),
        &[
            "discover",
            base,
            "--json",
            "--har",
            &har.display().to_string(),
        ],
    );
    let size = std::fs::metadata(&har).unwrap().len();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
    let entries = doc["log"]["entries"].as_array().unwrap();
    let largest = entries
        .iter()
        .filter_map(|e| e["response"]["content"]["size"].as_u64())
        .max()
        .unwrap_or(0);
    let total: u64 = entries
        .iter()
        .filter_map(|e| e["response"]["content"]["size"].as_u64())
        .sum();
    println!("discover --json of the scaled demo (10,000 scopes, 100,000 coverage entries)");
    println!(
        "  {} exchanges, {:.1} MB of responses, transcript {:.1} MB, largest response {:.2} MB",
        entries.len(),
        total as f64 / 1e6,
        size as f64 / 1e6,
        largest as f64 / 1e6
    );
    println!(
        "  without --har: {:.2} s, peak RSS {:.1} MB",
        t0.as_secs_f64(),
        rss0 as f64 / 1024.0
    );
    println!(
        "  with --har:    {:.2} s, peak RSS {:.1} MB",
        t1.as_secs_f64(),
        rss1 as f64 / 1024.0
    );
    println!(
        "  recording added {:.1} MB of peak memory ({:.2} x the largest response)",
        (rss1 - rss0) as f64 / 1024.0,
        (rss1 - rss0) as f64 * 1024.0 / largest.max(1) as f64
    );
    (rss1 - rss0) as f64 * 1024.0 / largest.max(1) as f64
}

#[tokio::main]
async fn main() {
    let demo = DemoServer::start(
        0,
        DemoOptions {
            latency: Duration::from_millis(50),
            ..Default::default()
        },
    )
    .await
    .expect("demo server");
    let base = demo.base_url.clone();
    let ratio = tokio::task::spawn_blocking(move || register_overhead(&base))
        .await
        .unwrap();
    demo.stop().await;

    let scaled = DemoServer::start(
        0,
        DemoOptions {
            scale: Scale {
                scopes: 10_000,
                coverage: 100_000,
            },
            ..Default::default()
        },
    )
    .await
    .expect("scaled demo");
    let base = scaled.base_url.clone();
    let added = tokio::task::spawn_blocking(move || scaled_memory(&base))
        .await
        .unwrap();
    scaled.stop().await;
    if ratio > 1.10 {
        eprintln!("recording adds more than 10 % to register");
        std::process::exit(1);
    }
    if added > 1.0 {
        eprintln!("recording holds more than one response beyond what discovery holds");
        std::process::exit(1);
    }
}
