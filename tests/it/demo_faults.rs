//! The demo utility's fault injection and persistent state over real HTTP: per-path latency,
//! error statuses for the first N requests, truncated and invalid JSON, oversized and dripping
//! bodies, hostile strings, and `--state` surviving restarts, corruption and crashes.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use cds_wizard::cds::conformance::{self, OAuthContext, Report, Severity};
use cds_wizard::demo::faults::{FaultRule, HOSTILE_SEQUENCES};
use cds_wizard::demo::state::RegistryOptions;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::http::{HttpClient, HttpError, HttpPolicy};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

const METADATA: &str = "/.well-known/cds-server-metadata.json";

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Review delay long enough that no background approval changes the store during a test.
fn options() -> DemoOptions {
    DemoOptions {
        registry: RegistryOptions {
            review_delay: Duration::from_secs(600),
            ..Default::default()
        },
        ..Default::default()
    }
}

async fn start(options: DemoOptions) -> DemoServer {
    DemoServer::start(0, options).await.expect("demo server")
}

async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let r = c.get(url).send().await.expect("get");
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, ct, r.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn latency_applies_only_to_the_matched_path() {
    let server =
        start(options().fault(FaultRule::new("/cds/coverage").latency(Duration::from_millis(500))))
            .await;
    let c = http();
    let base = &server.base_url;
    // Warm the connection so the comparison measures only the handler path.
    get(&c, &format!("{base}{METADATA}")).await;
    let t = Instant::now();
    let (status, ..) = get(&c, &format!("{base}/cds/coverage?page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let (status, ..) = get(&c, &format!("{base}{METADATA}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        t.elapsed() < Duration::from_millis(400),
        "{:?}",
        t.elapsed()
    );
    server.stop().await;
}

#[tokio::test]
async fn status_for_the_first_n_requests_then_normal() {
    let server = start(
        options()
            .fault(
                FaultRule::new("/cds/*")
                    .status(axum::http::StatusCode::SERVICE_UNAVAILABLE)
                    .count(2),
            )
            .fault(
                FaultRule::new(METADATA)
                    .status(axum::http::StatusCode::TOO_MANY_REQUESTS)
                    .count(3),
            ),
    )
    .await;
    let c = http();
    let base = &server.base_url;
    for _ in 0..2 {
        let (status, ct, body) = get(&c, &format!("{base}/cds/coverage")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(ct.unwrap().starts_with("application/json"));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], "temporarily_unavailable");
        assert!(v["error_description"].is_string());
    }
    let (status, _, body) = get(&c, &format!("{base}/cds/coverage")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["coverage_entries"].is_array());

    // Counted exactly under concurrency: 3 of 10 simultaneous requests fail.
    let url = format!("{base}{METADATA}");
    let results = futures::future::join_all((0..10).map(|_| get(&c, &url))).await;
    let failed = results
        .iter()
        .filter(|(s, ..)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(failed, 3);
    assert!(
        results
            .iter()
            .all(|(s, ..)| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS)
    );
    server.stop().await;
}

#[tokio::test]
async fn truncated_and_invalid_json_are_what_they_claim() {
    let server = start(
        options()
            .fault(FaultRule::new(METADATA).truncate().count(1))
            .fault(FaultRule::new("/.well-known/oauth-authorization-server").invalid_json()),
    )
    .await;
    let c = http();
    let base = &server.base_url;
    let (status, ct, truncated) = get(&c, &format!("{base}{METADATA}")).await;
    let (_, _, whole) = get(&c, &format!("{base}{METADATA}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.unwrap().starts_with("application/json"));
    assert!(serde_json::from_slice::<Value>(&whole).is_ok());
    assert_eq!(truncated, whole[..whole.len() / 2]);
    let e = serde_json::from_slice::<Value>(&truncated).unwrap_err();
    assert!(e.is_eof(), "{e}");

    let (status, ct, invalid) = get(
        &c,
        &format!("{base}/.well-known/oauth-authorization-server"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.unwrap().starts_with("application/json"));
    let e = serde_json::from_slice::<Value>(&invalid).unwrap_err();
    assert!(e.is_syntax(), "{e}");
    // The client's own reader says so plainly.
    let client = HttpClient::new(HttpPolicy::default()).unwrap();
    let url = Url::parse(&format!("{base}/.well-known/oauth-authorization-server")).unwrap();
    let e = client.get_json(&url).await.unwrap_err();
    assert!(matches!(e, HttpError::NotJson { .. }), "{e}");
    server.stop().await;
}

#[tokio::test]
async fn oversize_streams_past_the_clients_cap_without_a_length() {
    // 1 GiB: were it allocated, the test would be slow and huge; it is generated lazily and the
    // client stops at its 64 KiB cap.
    let server = start(options().fault(FaultRule::new(METADATA).oversize(1 << 30))).await;
    let base = &server.base_url;
    let raw = http()
        .get(format!("{base}{METADATA}"))
        .send()
        .await
        .unwrap();
    assert!(raw.headers().get("content-length").is_none());
    drop(raw);
    let client = HttpClient::new(HttpPolicy {
        max_body: 64 * 1024,
        ..HttpPolicy::default()
    })
    .unwrap();
    let t = Instant::now();
    let e = client
        .get(&Url::parse(&format!("{base}{METADATA}")).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(e, HttpError::TooLarge { limit, .. } if limit == 64 * 1024),
        "{e}"
    );
    assert!(t.elapsed() < Duration::from_secs(2));
    // The server is still fine.
    let (status, ..) = get(&http(), &format!("{base}/cds/coverage")).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn small_oversize_is_whitespace_then_the_real_document() {
    let server = start(options().fault(FaultRule::new(METADATA).oversize(100_000))).await;
    let (_, _, body) = get(&http(), &format!("{}{METADATA}", server.base_url)).await;
    assert!(body.len() > 100_000);
    assert!(body[..100_000].iter().all(|b| *b == b' '));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v["name"].is_string());
    server.stop().await;
}

#[tokio::test]
async fn drip_times_out_an_impatient_client_and_completes_for_a_patient_one() {
    let server =
        start(options().fault(FaultRule::new(METADATA).drip(Duration::from_millis(20), 64))).await;
    let url = Url::parse(&format!("{}{METADATA}", server.base_url)).unwrap();
    let impatient = HttpClient::new(HttpPolicy {
        timeout: Duration::from_millis(150),
        ..HttpPolicy::default()
    })
    .unwrap();
    let e = impatient.get(&url).await.unwrap_err();
    assert!(matches!(e, HttpError::Timeout { .. }), "{e}");
    let patient = HttpClient::new(HttpPolicy {
        timeout: Duration::from_secs(10),
        ..HttpPolicy::default()
    })
    .unwrap();
    let t = Instant::now();
    let (fetched, v) = patient.get_json(&url).await.unwrap();
    assert!(fetched.body.len() > 10 * 64, "several pieces");
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert!(v["name"].is_string());
    server.stop().await;
}

fn sanitized_is_clean(s: &str) -> bool {
    let clean = cds_wizard::text::sanitize(s);
    !clean.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}' | '\u{feff}'
            )
    })
}

/// Every string at a display key in `v`.
fn display_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match x {
                    Value::String(s)
                        if ["name", "description", "entity_name"].contains(&k.as_str()) =>
                    {
                        out.push(s)
                    }
                    _ => display_strings(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| display_strings(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn hostile_strings_parse_validate_and_sanitize() {
    let server = start(options().with_hostile_strings()).await;
    let base = server.base_url.clone();
    let c = http();
    let fetch = |path: String| {
        let c = c.clone();
        async move {
            let (status, _, body) = get(&c, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            serde_json::from_slice::<Value>(&body).expect("still valid JSON")
        }
    };
    let metadata = fetch(format!("{base}{METADATA}")).await;
    let north = fetch(format!(
        "{base}/subsidiaries/north/cds-server-metadata.json"
    ))
    .await;
    let oauth = fetch(format!("{base}/.well-known/oauth-authorization-server")).await;
    let mut entries = Vec::new();
    let mut next = Some(format!("{base}/cds/coverage"));
    while let Some(u) = next {
        let page = fetch(u).await;
        let mut findings = Vec::new();
        conformance::check_coverage_page(
            &mut Report {
                findings: &mut findings,
                document: None,
            },
            &page,
        );
        assert!(
            findings.iter().all(|f| f.severity != Severity::Error),
            "{findings:#?}"
        );
        entries.extend(page["coverage_entries"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_owned);
    }

    // The escapes are there, in every kind of document.
    for doc in [&metadata, &north, &oauth, &entries[0]] {
        let mut strings = Vec::new();
        display_strings(doc, &mut strings);
        assert!(!strings.is_empty());
        for seq in HOSTILE_SEQUENCES {
            assert!(strings.iter().all(|s| s.contains(seq)), "{seq:?}");
        }
        assert!(strings.iter().all(|s| sanitized_is_clean(s)));
    }
    assert!(
        entries[0]["entity_name"]
            .as_str()
            .unwrap()
            .contains("\u{1b}[31m")
    );
    let mut strings = Vec::new();
    display_strings(&oauth, &mut strings);
    assert!(strings.iter().any(|s| s.chars().count() > 10_000));

    // Still structurally conformant: no error findings.
    let mut findings = Vec::new();
    let mut r = Report {
        findings: &mut findings,
        document: None,
    };
    conformance::check_server_metadata(&mut r, &metadata);
    conformance::check_server_metadata(&mut r, &north);
    conformance::check_coverage_listing(&mut r, &entries, Some(&metadata));
    let ids: HashSet<String> = entries
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    let served = Url::parse(&format!("{base}/.well-known/oauth-authorization-server")).unwrap();
    conformance::check_oauth_metadata(
        &mut r,
        &oauth,
        &OAuthContext {
            served_from: &served,
            coverage_ids: Some(&ids),
        },
    );
    let errors: Vec<_> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The wire types still read them.
    serde_json::from_value::<cds_wizard::cds::AuthorizationServerMetadata>(oauth).unwrap();
    server.stop().await;
}

// ---------------------------------------------------------------- persistent state

/// A real 1x1 PNG.
const PNG_1X1: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

fn pdf_b64() -> String {
    base64::engine::general_purpose::STANDARD.encode(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
          2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
          3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n\
          trailer << /Root 1 0 R >>\n%%EOF\n",
    )
}

fn registration_request() -> Value {
    json!({
        "scope": "cds_client_admin dge_usage_electric dge_bill_statements \
                  dge_public_outages cds_server_provided_files_1",
        "client_name": "Watt Watcher",
        "contacts": ["dev@wattwatcher.example"],
        "redirect_uris": ["https://ignored.example/cb"],
        "cds_company_name": "Watt Watcher Inc.",
        "cds_company_website": "https://wattwatcher.example",
        "cds_contact_email": "dev@wattwatcher.example",
        "cds_data_terms_accepted": true,
        "cds_authorization_form_icon": PNG_1X1,
        "cds_insurance_certificate": pdf_b64(),
        "cds_is_nonprofit": null,
        "cds_purposes": [{"id": "", "scopes_supported": [], "name": "Savings", "description": "Find savings"}],
    })
}

fn with_state(path: &Path) -> DemoOptions {
    DemoOptions {
        state_file: Some(path.to_owned()),
        ..options()
    }
}

/// A client_credentials token for `scope`, or the status it failed with.
async fn token(
    c: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
    scope: &str,
) -> Result<String, StatusCode> {
    let r = c
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::OK {
        return Err(r.status());
    }
    let v: Value = r.json().await.unwrap();
    Ok(v["access_token"].as_str().unwrap().to_owned())
}

async fn bearer_get(c: &reqwest::Client, url: &str, tok: &str) -> (StatusCode, Value) {
    let r = c.get(url).bearer_auth(tok).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn state_survives_a_restart_with_secrets_and_a_crash_leftover() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    let c = http();

    let server = start(with_state(&file)).await;
    let port = server.addr.port();
    let r = c
        .post(format!("{}/oauth/register", server.base_url))
        .json(&registration_request())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin: Value = r.json().await.unwrap();
    let id = admin["client_id"].as_str().unwrap().to_owned();
    let secret = admin["client_secret"].as_str().unwrap().to_owned();
    let old_token = token(&c, &server.base_url, &id, &secret, "cds_client_admin")
        .await
        .unwrap();

    // Saved in the background, without a stop.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains(&id) && text.contains(&old_token) {
            break;
        }
        assert!(Instant::now() < deadline, "state was not saved in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.stop().await;
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains(&secret), "the secret is kept");

    // A crash mid-write: a half-written temp file beside an intact FILE.
    let leftover = dir.path().join(".state.json.tmp-0123456789ab");
    std::fs::write(&leftover, &saved[..saved.len() / 2]).unwrap();

    // Same port: the client, its credential (with the secret) and the old token are back.
    let server = start_on(port, with_state(&file)).await;
    let base = server.base_url.clone();
    assert!(!leftover.exists(), "stale temp file removed");
    let (status, v) = bearer_get(&c, &format!("{base}/api/clients/{id}"), &old_token).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let tok = token(&c, &base, &id, &secret, "cds_client_admin")
        .await
        .expect("the stored secret still gets a token");
    let (status, v) =
        bearer_get(&c, &format!("{base}/api/credentials?client_ids={id}"), &tok).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|cr| cr["client_id"] == id.as_str() && cr["client_secret"] == secret.as_str()),
        "{v}"
    );
    // New objects continue the sequence instead of reusing numbers.
    let (_, clients_before) = bearer_get(&c, &format!("{base}/api/clients"), &tok).await;
    server.stop().await;

    // Another port: stored URLs follow the server.
    let server = start(with_state(&file)).await;
    let base = server.base_url.clone();
    let tok = token(&c, &base, &id, &secret, "cds_client_admin")
        .await
        .unwrap();
    let (status, v) = bearer_get(&c, &format!("{base}/api/clients/{id}"), &tok).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        v["cds_client_uri"].as_str().unwrap().starts_with(&base),
        "{v}"
    );
    let (_, clients_after) = bearer_get(&c, &format!("{base}/api/clients"), &tok).await;
    assert_eq!(
        clients_before["clients"].as_array().unwrap().len(),
        clients_after["clients"].as_array().unwrap().len()
    );
    server.stop().await;
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
}

/// Starts on a port just released by a previous server (retrying briefly while it frees).
async fn start_on(port: u16, options: DemoOptions) -> DemoServer {
    for _ in 0..50 {
        match DemoServer::start(port, options.clone()).await {
            Ok(s) => return s,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("port {port} did not free up");
}

#[tokio::test]
async fn a_missing_state_file_starts_empty_and_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.json");
    let server = start(with_state(&file)).await;
    assert!(
        file.exists(),
        "written at start, so an unwritable path fails early"
    );
    server.stop().await;
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["format"], "cds-wizard-demo-state");
    assert_eq!(v["clients"], json!([]));

    let e = DemoServer::start(0, with_state(&dir.path().join("no/such/dir/state.json")))
        .await
        .err()
        .expect("missing directory");
    assert!(e.to_string().contains("does not exist"), "{e}");
}

#[tokio::test]
async fn a_corrupt_state_file_fails_the_start_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for (content, expect) in [
        (
            "{\"format\": \"cds-wizard-demo-state\", \"clients\": [",
            "ends early",
        ),
        ("not json", "invalid JSON"),
        ("", "empty"),
        ("[]", "not a JSON object"),
        ("{\"clients\": []}", "format"),
        (
            "{\"format\": \"cds-wizard-demo-state\", \"version\": 99}",
            "newer cds-wizard",
        ),
        (
            "{\"format\": \"cds-wizard-demo-state\", \"clients\": [{\"seq\": \"x\"}]}",
            "at clients[0]",
        ),
    ] {
        let file = dir.path().join("state.json");
        std::fs::write(&file, content).unwrap();
        let e = DemoServer::start(0, with_state(&file))
            .await
            .err()
            .unwrap_or_else(|| panic!("{content:?} loaded"))
            .to_string();
        assert!(e.contains(&file.display().to_string()), "{e}");
        assert!(e.contains(expect), "{content:?}: {e}");
        assert!(!e.contains('\n'), "{e}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            content,
            "untouched"
        );
    }
}

// ---------------------------------------------------------------- the binary

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
}

/// Kills the child on drop, so a failing assertion never leaves a server running.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn demo_server_binary_applies_fault_flags() {
    let mut child = Child(
        bin()
            .args([
                "demo-server",
                "--port",
                "0",
                "--fault",
                "/cds/coverage:status=503,count=1",
                "--fault",
                "/cds/maps/*:latency=10ms,truncate",
                "--hostile-strings",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn demo-server"),
    );
    let mut first = String::new();
    // Kept open: the server prints more lines, and a closed pipe would end it (SIGPIPE).
    let mut reader = BufReader::new(child.0.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    let base = first
        .trim()
        .strip_prefix("LISTENING ")
        .expect("first line is LISTENING <url>")
        .to_owned();
    let c = http();
    let (status, ..) = get(&c, &format!("{base}/cds/coverage")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _, body) = get(&c, &format!("{base}/cds/coverage")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("\\u001b[31m"));
    let (status, _, body) = get(&c, &format!("{base}/cds/maps/dge_gas.geojson")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

#[test]
fn bad_flags_are_one_line_errors_with_exit_2() {
    for (args, expect) in [
        (vec!["--fault", "/cds/coverage"], "names no fault"),
        (vec!["--fault", "/x:status=200"], "400-599"),
        (vec!["--fault", "/x:bogus"], "unknown fault"),
    ] {
        let out = bin().arg("demo-server").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error:") && first.contains(expect),
            "{err}"
        );
    }
    let out = bin().args(["demo-server", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--fault",
        "PATH:FAULT",
        "oversize=SIZE",
        "drip=DURATION",
        "--hostile-strings",
        "--state",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
}

#[test]
fn a_corrupt_state_file_stops_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, "{oops").unwrap();
    let out = bin()
        .args(["demo-server", "--port", "0", "--state"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error:") && last.contains("state.json"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "never LISTENING");
}
