//! The built binary as a user runs it: help, JSON shapes, exit codes, and one clear stderr line
//! for every kind of bad input.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::run_cli;
use serde_json::Value;

#[test]
fn every_command_has_help() {
    for cmd in ["discover", "validate", "scopes", "demo-server", "demo"] {
        let (code, out, _) = run_cli(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd}");
        assert!(out.contains("Usage: cds-wizard"), "{cmd}: {out}");
    }
    let (code, out, _) = run_cli(&["--help"]);
    assert_eq!(code, 0);
    for cmd in ["discover", "validate", "scopes", "demo-server"] {
        assert!(out.contains(cmd));
    }
}

#[test]
fn demo_server_prints_its_url_first_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(["demo-server", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn demo-server");
    let mut first = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    reader.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("LISTENING ")
        .expect("first line is LISTENING <url>")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (code, out, err) = run_cli(&["validate", &url, "--json"]);
    child.kill().ok();
    child.wait().ok();
    drop(reader);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], 0);
}

#[test]
fn validate_the_demo_reports_zero_errors() {
    let (code, out, err) = run_cli(&["validate", common::demo_url(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["errors"], 0, "{out}");
    assert_eq!(v["warnings"], 0, "{out}");
    assert!(v["findings"].is_array());
    let (code, out, _) = run_cli(&["validate", common::demo_url()]);
    assert_eq!(code, 0);
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn validate_exits_1_when_an_error_is_found() {
    let url = format!("{}/missing-oauth/meta.json", common::hostile_url());
    let (code, out, _) = run_cli(&["validate", &url, "--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["errors"].as_u64().unwrap() >= 1);
    let f = &v["findings"][0];
    for key in ["severity", "code", "message", "section", "pointer"] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
    }
}

#[test]
fn validate_lists_every_finding_of_json_that_is_not_cds() {
    for (path, code) in [
        ("/notcds/meta.json", "metadata.required_field"),
        ("/shape/meta.json", "metadata.not_object"),
    ] {
        let url = format!("{}{path}", common::hostile_url());
        let (exit, out, err) = run_cli(&["validate", &url, "--json"]);
        assert_eq!(exit, 1, "{path}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let codes: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{path}: {codes:?}");
    }
}

#[test]
fn discover_json_has_the_documented_keys() {
    let (code, out, err) = run_cli(&["discover", common::demo_url(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    for key in [
        "metadata_url",
        "draft",
        "server",
        "related",
        "coverage",
        "oauth",
        "findings",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["draft"], "cds-2026");
    assert_eq!(v["coverage"]["entries"].as_array().unwrap().len(), 8);
    assert_eq!(v["server"]["name"], "Demo Gas & Electric");
    let (code, out, _) = run_cli(&["discover", common::demo_url()]);
    assert_eq!(code, 0);
    assert!(out.contains("Coverage: 8 entries on 3 pages"), "{out}");
}

#[test]
fn scopes_lists_the_catalog_with_coverages_costs_and_modifiers() {
    let (code, out, err) = run_cli(&["scopes", common::demo_url(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let scopes = v["scopes"].as_array().unwrap();
    let by_id = |id: &str| {
        scopes
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let usage: Vec<&Value> = scopes.iter().filter(|s| s["type"] == "cds_usage").collect();
    assert!(usage.len() >= 2);
    let gas = by_id("dge_usage_gas");
    assert_eq!(gas["coverages"][0]["name"], "Natural gas service territory");
    assert_eq!(gas["pkce_methods"], serde_json::json!(["S256"]));
    assert_eq!(gas["grant_admin_scope"], "cds_grant_admin_1");
    let payment = scopes
        .iter()
        .flat_map(|s| s["registration_requirements"].as_array().unwrap())
        .find(|r| r["type"] == "payment_required")
        .expect("a payment requirement");
    assert_eq!(
        payment["amount"], "250.00",
        "exact decimal, as the server wrote it"
    );
    assert_eq!(payment["currency"], "USD");
    let modifiers = by_id("dge_public_outages")["authorization_details_fields"]
        .as_array()
        .unwrap();
    let choice = modifiers.iter().find(|m| m["format"] == "choice").unwrap();
    assert!(choice["choices"].as_array().unwrap().len() >= 2);
    assert!(modifiers.iter().any(|m| m["maximum"] == "infinite"));

    let (code, out, _) = run_cli(&["scopes", common::demo_url()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("payment_required") && out.contains("250.00 USD"),
        "{out}"
    );
}

/// Runs a command that must fail: exit 2, one line on stderr containing every `needles`.
#[track_caller]
fn fails_clearly(args: &[&str], needles: &[&str]) {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 2, "{args:?}: stdout {out} stderr {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line expected, got {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: `{n}` not in: {err}");
    }
}

#[test]
fn bad_urls_are_refused_before_any_request() {
    fails_clearly(
        &["discover", "ftp://example.com/"],
        &["ftp://example.com/", "not an http(s) URL"],
    );
    fails_clearly(&["discover", "not a url"], &["not a url"]);
    fails_clearly(
        &["discover", "http://example.com/"],
        &["http://example.com/", "https"],
    );
}

#[test]
fn unreachable_and_broken_servers_fail_with_one_line_naming_the_url() {
    let h = common::hostile_url();
    let closed = common::closed_port_url();
    fails_clearly(
        &["discover", &closed],
        &[&closed[..closed.len() - 1], "could not connect"],
    );
    fails_clearly(
        &["discover", &format!("{h}/nothing/meta.json")],
        &["/nothing/meta.json", "404"],
    );
    fails_clearly(
        &["discover", &format!("{h}/nothing/")],
        &["/nothing/", "404"],
    );
    fails_clearly(
        &[
            "discover",
            &format!("{h}/html/.well-known/cds-server-metadata.json"),
        ],
        &["/html/.well-known/cds-server-metadata.json", "HTML"],
    );
    fails_clearly(
        &["discover", &format!("{h}/shape/meta.json")],
        &["/shape/meta.json", "not CDS server metadata", "an array"],
    );
    for command in ["discover", "scopes"] {
        fails_clearly(
            &[command, &format!("{h}/notcds/meta.json")],
            &[
                "/notcds/meta.json is JSON but not CDS server metadata",
                "no `cds_metadata_version`, `cds_metadata_url`",
            ],
        );
    }
    fails_clearly(
        &["discover", &format!("{h}/truncated/meta.json")],
        &["/truncated/meta.json", "truncated"],
    );
    fails_clearly(
        &["discover", &format!("{h}/huge/meta.json")],
        &["/huge/meta.json", "larger than"],
    );
    fails_clearly(
        &["discover", &format!("{h}/loop/a")],
        &["/loop/a", "redirect loop"],
    );
    fails_clearly(
        &["discover", &format!("{h}/insecure/meta.json")],
        &["http://example.com/meta.json", "https"],
    );
    fails_clearly(
        &["discover", common::silent_url(), "--timeout", "1"],
        &[common::silent_url(), "no complete answer"],
    );
    fails_clearly(
        &["scopes", &format!("{h}/cycle/a.json")],
        &["offers no OAuth"],
    );
}

#[test]
fn the_wizard_entry_points_need_a_terminal_and_demo_falls_back_to_its_summary() {
    // `.output()` pipes stdout: not a terminal.
    for args in [
        &["http://127.0.0.1:9"][..],
        &["tui", "http://127.0.0.1:9"][..],
    ] {
        let (code, out, err) = run_cli(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("needs a terminal"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // The demo remembers its state in the home: a temporary one, not the user's.
    let home = tempfile::tempdir().unwrap();
    let demo = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
            .args(args)
            .env("CDS_WIZARD_HOME", home.path())
            .output()
            .expect("run cds-wizard");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = demo(&["demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Demo Gas & Electric"), "{out}");
    let (code, out, _) = demo(&["demo", "--summary"]);
    assert_eq!(code, 0);
    assert!(out.contains("Coverage: 8 entries"), "{out}");
    // No arguments: the help, for now.
    let (code, out, _) = run_cli(&[]);
    assert_eq!(code, 0);
    assert!(out.contains("Usage: cds-wizard [OPTIONS] [URL]"), "{out}");
}

/// Completions and manual pages come from the same clap definition the parser uses, so every
/// subcommand and flag is in them.
#[test]
fn completions_and_man_pages_know_every_command() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cds-wizard"),
        ("fish", "complete -c cds-wizard"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, err) = run_cli(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(marker), "{shell}: no {marker:?}");
        for word in ["register", "authorize", "answers", "use-default-redirect"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    let (code, out, _) = run_cli(&["completions", "tcsh"]);
    assert_eq!(code, 2, "an unknown shell is a usage error: {out}");

    let (code, page, _) = run_cli(&["man"]);
    assert_eq!(code, 0);
    assert!(
        page.starts_with(".ie") && page.contains(".TH cds-wizard 1"),
        "{page}"
    );
    assert!(page.contains("register") && page.contains("completions"));

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run_cli(&["man", "--dir", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().count() >= 14, "{out}");
    let register = std::fs::read_to_string(dir.path().join("cds-wizard-register.1")).unwrap();
    assert!(register.contains(".TH cds-wizard-register 1"), "{register}");
    assert!(register.contains("answers"));
    // A second run never overwrites what is there.
    std::fs::write(dir.path().join("cds-wizard.1"), "mine").unwrap();
    let (code, _, err) = run_cli(&["man", "--dir", d]);
    assert_eq!(code, 2);
    assert!(err.contains("never overwritten"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cds-wizard.1")).unwrap(),
        "mine"
    );
}

/// Output piped into `head` ends the program quietly (status 141, nothing on stderr), while
/// SIGPIPE stays ignored so a socket its peer closed is an error, never the end of a server.
#[test]
fn a_closed_stdout_ends_the_program_quietly() {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the program's next writes find the pipe closed.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The global `--har FILE` may come before the subcommand (`cds-wizard --har x.har profiles`):
/// the subcommand is still the subcommand, not a utility's URL.
#[test]
fn a_global_option_before_the_subcommand_keeps_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("run.har");
    let out = Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .arg("--har")
        .arg(&har)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("cds-wizard"));
    assert!(har.exists(), "the transcript was written");
}
