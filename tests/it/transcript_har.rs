//! The transcript file (issue 12 items 1 and 7): created 0600, never over an existing file, a
//! complete HAR 1.2 document after every entry (so a run that fails or is killed still leaves
//! a readable file), readable by a HAR reader crate; exchanges carry their step, timings,
//! errors and redirects; the recorder feeds subscribers and a bounded in-memory list.

use std::sync::Arc;
use std::time::Duration;

use cds_wizard::http::{HttpClient, HttpPolicy};
use cds_wizard::onboarding::transcript::{Recorder, TranscriptError};
use serde_json::Value;

use crate::common;

/// The HAR 1.2 structure: what the format requires of the log and of every entry.
pub fn assert_har_1_2(doc: &Value) {
    let log = &doc["log"];
    assert_eq!(log["version"], "1.2");
    assert!(log["creator"]["name"].is_string() && log["creator"]["version"].is_string());
    for e in log["entries"].as_array().expect("entries") {
        let started = e["startedDateTime"].as_str().expect("startedDateTime");
        assert!(
            started.parse::<jiff::Timestamp>().is_ok(),
            "ISO 8601: {started}"
        );
        assert!(e["time"].as_f64().is_some_and(|t| t >= 0.0));
        let req = &e["request"];
        for k in ["method", "url", "httpVersion"] {
            assert!(req[k].is_string(), "request.{k}: {e}");
        }
        for k in ["cookies", "headers", "queryString"] {
            assert!(req[k].is_array(), "request.{k}");
        }
        assert!(req["headersSize"].is_i64() && req["bodySize"].is_i64());
        let resp = &e["response"];
        assert!(resp["status"].is_u64() && resp["statusText"].is_string());
        for k in ["cookies", "headers"] {
            assert!(resp[k].is_array(), "response.{k}");
        }
        assert!(resp["content"]["size"].is_i64() && resp["content"]["mimeType"].is_string());
        assert!(resp["redirectURL"].is_string());
        assert!(e["cache"].is_object());
        let t = &e["timings"];
        for k in ["send", "wait", "receive"] {
            assert!(t[k].as_f64().is_some_and(|v| v >= 0.0), "timings.{k}: {t}");
        }
        for h in req["headers"]
            .as_array()
            .unwrap()
            .iter()
            .chain(resp["headers"].as_array().unwrap())
        {
            assert!(h["name"].is_string() && h["value"].is_string());
        }
    }
}

/// Parses a HAR file with the `har` crate's HAR 1.2 model, as another tool would. (Through
/// its `Log` type: `har::from_path` picks the version with an internally tagged enum, which
/// cannot read numbers when serde_json's `arbitrary_precision` is on, as it is in this crate.)
pub fn open_with_har_crate(path: &std::path::Path) -> usize {
    let doc = read(path);
    assert_eq!(doc["log"]["version"], "1.2");
    let log: har::v1_2::Log = serde_json::from_value(doc["log"].clone())
        .unwrap_or_else(|e| panic!("the har crate reads it: {e}"));
    assert_eq!(log.creator.name, "cds-wizard");
    log.entries.len()
}

fn read(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).expect("valid JSON")
}

#[tokio::test]
async fn file_is_private_new_and_complete_after_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.har");
    // The wizard's recorder: kept in memory for the Inspector, and written to a file.
    let recorder = Recorder::new();
    recorder.start_file(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(read(&path)["log"]["entries"], serde_json::json!([]));
    let http = HttpClient::new(HttpPolicy::default())
        .unwrap()
        .with_observer(recorder.clone())
        .for_step("discovery");
    let base = common::demo_url();
    let urls = [
        format!("{base}/.well-known/cds-server-metadata.json"),
        format!("{base}/no-such-document"),
        format!("{base}/.well-known/oauth-authorization-server"),
    ];
    for (i, u) in urls.iter().enumerate() {
        let _ = http.get(&url::Url::parse(u).unwrap()).await;
        // Complete after each entry, as a killed run would leave it.
        let doc = read(&path);
        assert_har_1_2(&doc);
        assert_eq!(doc["log"]["entries"].as_array().unwrap().len(), i + 1);
    }
    // A failure is recorded too: a port where nothing listens.
    let closed = common::closed_port_url();
    let err = http.get(&url::Url::parse(&closed).unwrap()).await;
    assert!(err.is_err());
    let doc = read(&path);
    assert_har_1_2(&doc);
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0]["response"]["status"], 200);
    assert_eq!(entries[0]["_step"], "discovery");
    assert_eq!(entries[0]["comment"], "step: discovery");
    assert!(
        entries[0]["response"]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("cds_metadata_version")
    );
    assert_eq!(entries[1]["response"]["status"], 404);
    assert_eq!(entries[3]["response"]["status"], 0);
    assert!(
        entries[3]["_error"]
            .as_str()
            .unwrap()
            .contains("could not connect")
    );
    assert_eq!(open_with_har_crate(&path), 4);

    // The in-memory list and a subscriber see the same exchanges.
    let snapshot = recorder.snapshot();
    assert_eq!(snapshot.len(), 4);
    assert_eq!(snapshot[1].status, Some(404));
    let mut rx = recorder.subscribe();
    let _ = http.get(&url::Url::parse(&urls[0]).unwrap()).await;
    let live = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live.id, 5);
    assert_eq!(live.method, "GET");
    let curl = live.curl();
    assert!(
        curl.starts_with("curl ") && curl.contains(&format!("'{}'", urls[0])),
        "{curl}"
    );
    assert!(curl.contains("-H 'accept: application/json'"), "{curl}");

    // Never over an existing file, ours or anyone's.
    match Recorder::to_file(&path) {
        Err(TranscriptError::Exists(p)) => assert_eq!(p, path),
        other => panic!("expected Exists, got {other:?}"),
    }
    let (stopped, n) = recorder.stop_file().unwrap();
    assert_eq!((stopped, n), (path.clone(), 5));
    let _ = http.get(&url::Url::parse(&urls[0]).unwrap()).await;
    assert_eq!(read(&path)["log"]["entries"].as_array().unwrap().len(), 5);
    assert_eq!(
        recorder.snapshot().len(),
        6,
        "memory goes on without the file"
    );
    drop(Arc::clone(&recorder));
}

#[tokio::test]
async fn redirects_are_entries_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moves.har");
    let recorder = Recorder::to_file(&path).unwrap();
    let http = HttpClient::new(HttpPolicy::default())
        .unwrap()
        .with_observer(recorder.clone());
    // The hostile server's `/loop/a` and `/loop/b` send the client to each other.
    let start = format!("{}/loop/a", common::hostile_url());
    let _ = http.get(&url::Url::parse(&start).unwrap()).await;
    let doc = read(&path);
    assert_har_1_2(&doc);
    let entries = doc["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{doc}");
    for (e, to) in entries.iter().zip(["/loop/b", "/loop/a"]) {
        assert_eq!(e["response"]["status"], 307);
        assert!(
            e["response"]["redirectURL"].as_str().unwrap().ends_with(to),
            "{e}"
        );
    }
    assert_eq!(
        entries[0]["_step"], "discovery",
        "a GET with no step is discovery"
    );
    // A headless run's recorder streams to the file and keeps nothing in memory.
    assert!(recorder.snapshot().is_empty());
}
