//! Replay (issue 12 items 4 and 7): a discovery of the demo with each of its faults is
//! recorded with `--har`, then served by `cds-wizard replay`; `discover --json` against the
//! replay equals the live one (the port aside), and `validate --har FILE --json`, which reads
//! the recording with no server at all, equals the live `validate --json` exactly (same exit
//! code too). Requests the recording lacks get a 404 with a JSON body and are listed when
//! replay ends; `--timing` reproduces recorded slowness.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use cds_wizard::demo::faults::FaultRule;
use cds_wizard::demo::{DemoOptions, DemoServer};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn run(home: &Path, args: &[&str]) -> Out {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .env("CDS_WIZARD_HOME", home)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run cds-wizard");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The server's own URL as `http://SERVER` (the live and replay servers differ only there).
fn ports(text: &str, base: &str) -> String {
    text.replace(base, "http://SERVER")
}

fn options(faults: &[&str], hostile: bool) -> DemoOptions {
    DemoOptions {
        faults: faults
            .iter()
            .map(|f| f.parse::<FaultRule>().expect("fault"))
            .collect(),
        hostile_strings: hostile,
        ..DemoOptions::default()
    }
}

/// A running `cds-wizard replay FILE`: its URL, and the child to stop.
struct Replay {
    base: String,
    child: tokio::process::Child,
}

async fn replay(file: &Path, extra: &[&str]) -> Replay {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .arg("replay")
        .arg(file)
        .args(extra)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn replay");
    let mut lines = BufReader::new(child.stdout.as_mut().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("LISTENING in time")
        .unwrap()
        .unwrap_or_default();
    let base = first
        .strip_prefix("LISTENING ")
        .unwrap_or_else(|| panic!("LISTENING <url>, got {first:?}"))
        .to_owned();
    Replay { base, child }
}

impl Replay {
    /// Interrupts the replay (as Ctrl-C does) and returns what it printed after the banner.
    async fn stop(mut self) -> String {
        let pid = self.child.id().expect("running") as i32;
        // SAFETY: signalling our own child process by its id.
        unsafe {
            libc::kill(pid, libc::SIGINT);
        }
        let mut rest = String::new();
        let mut out = self.child.stdout.take().unwrap();
        let _ = tokio::time::timeout(Duration::from_secs(30), out.read_to_string(&mut rest)).await;
        let status = self.child.wait().await.unwrap();
        assert!(
            status.success(),
            "replay ends cleanly on Ctrl-C: {status:?} {rest}"
        );
        rest
    }
}

/// Records discover and validate of a demo with `opts` (a fresh server each, so counted
/// faults start over), replays both, and compares.
async fn check(opts: impl Fn() -> DemoOptions) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let d_har = dir.path().join("discover.har");
    let v_har = dir.path().join("validate.har");

    let server = DemoServer::start(0, opts()).await.unwrap();
    let base = server.base_url.clone();
    let live_d = run(
        &home,
        &[
            "discover",
            &base,
            "--json",
            // Generous: a loaded machine must not turn a slow fault into a timeout.
            "--timeout",
            "120",
            "--har",
            d_har.to_str().unwrap(),
        ],
    )
    .await;
    server.stop().await;
    let server = DemoServer::start(0, opts()).await.unwrap();
    let vbase = server.base_url.clone();
    let live_v = run(
        &home,
        &[
            "validate",
            &vbase,
            "--json",
            "--timeout",
            "120",
            "--har",
            v_har.to_str().unwrap(),
        ],
    )
    .await;
    server.stop().await;

    // discover against `cds-wizard replay`.
    let r = replay(&d_har, &[]).await;
    let replayed = run(&home, &["discover", &r.base, "--json", "--timeout", "120"]).await;
    assert_eq!(
        replayed.code, live_d.code,
        "{}\n{}",
        live_d.stderr, replayed.stderr
    );
    assert_eq!(
        ports(&replayed.stdout, &r.base),
        ports(&live_d.stdout, &base)
    );
    let live_err: String = live_d
        .stderr
        .lines()
        .filter(|l| !l.starts_with("transcript: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        ports(&replayed.stderr, &r.base),
        ports(&live_err, &base),
        "the same error, if any"
    );
    let end = r.stop().await;
    assert!(end.contains("Every request was answered"), "{end}");

    // validate with no server: the recording read offline.
    let offline = run(
        &home,
        &[
            "validate",
            "--har",
            v_har.to_str().unwrap(),
            "--json",
            "--timeout",
            "120",
        ],
    )
    .await;
    assert_eq!(
        offline.code, live_v.code,
        "{}\n{}",
        live_v.stderr, offline.stderr
    );
    assert_eq!(offline.stdout, live_v.stdout);
}

#[tokio::test]
async fn replay_of_a_healthy_demo() {
    check(|| options(&[], false)).await;
}

#[tokio::test]
async fn replay_of_an_error_status() {
    check(|| options(&["/cds/coverage:status=503"], false)).await;
}

#[tokio::test]
async fn replay_of_a_failing_metadata_document() {
    check(|| options(&["/.well-known/cds-server-metadata.json:status=500"], false)).await;
}

#[tokio::test]
async fn replay_of_truncated_json() {
    check(|| options(&["/cds/coverage:truncate"], false)).await;
}

#[tokio::test]
async fn replay_of_invalid_json() {
    check(|| {
        options(
            &["/.well-known/oauth-authorization-server:invalid-json"],
            false,
        )
    })
    .await;
}

#[tokio::test]
async fn replay_of_an_oversized_body() {
    check(|| {
        options(
            &["/.well-known/oauth-authorization-server:oversize=9MB"],
            false,
        )
    })
    .await;
}

#[tokio::test]
async fn replay_of_a_dripping_body_and_latency() {
    check(|| {
        options(
            &[
                "/cds/coverage:drip=2ms,chunk=512",
                "/.well-known/cds-server-metadata.json:latency=30",
            ],
            false,
        )
    })
    .await;
}

#[tokio::test]
async fn replay_of_counted_faults() {
    check(|| options(&["/cds/*:status=503,count=1"], false)).await;
}

#[tokio::test]
async fn replay_of_hostile_strings() {
    check(|| options(&[], true)).await;
}

#[tokio::test]
async fn unrecorded_requests_and_recorded_slowness() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let har = dir.path().join("slow.har");
    let server = DemoServer::start(
        0,
        options(
            &["/.well-known/cds-server-metadata.json:latency=400"],
            false,
        ),
    )
    .await
    .unwrap();
    let live = run(
        &home,
        &["discover", &server.base_url, "--har", har.to_str().unwrap()],
    )
    .await;
    assert_eq!(live.code, 0, "{}", live.stderr);
    server.stop().await;

    let r = replay(&har, &["--timing"]).await;
    let started = Instant::now();
    let replayed = run(&home, &["discover", &r.base, "--json"]).await;
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    let http = crate::common::fixtures::http();
    let resp = http
        .post(format!("{}/oauth/token", r.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "not_recorded");
    assert!(body["error_description"].as_str().unwrap().contains("POST"));
    let end = r.stop().await;
    assert!(
        end.contains("1 request the recording had no answer for"),
        "{end}"
    );
    assert!(
        end.contains("POST http://127.0.0.1:") && end.contains("/oauth/token"),
        "{end}"
    );
}
