//! `cds-wizard report PROFILE` (issue 12 item 5): the listing is printed, then one private
//! `.tar.gz` holds version and platform, the keyring backend by name, the profile's index
//! entry and keyring check, a fresh discovery with findings, the last transcript and the last
//! error — and none of the profile's secrets; an existing file is never overwritten.

use std::io::Read;
use std::path::Path;

use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::keyring::build;
use cds_wizard::vault::{SecretKind, SecretStore, account};
use serde_json::Value;

use crate::common;

async fn run(home: &Path, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .env("CDS_WIZARD_HOME", home)
        .env("CDS_WIZARD_KEYRING", "keyutils")
        .current_dir(cwd)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .expect("run cds-wizard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The files of a `.tar.gz`: (path, bytes).
fn untar(path: &Path) -> Vec<(String, Vec<u8>)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap());
    let mut archive = tar::Archive::new(gz);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.push((name, bytes));
    }
    out
}

#[tokio::test]
async fn a_support_report_has_everything_but_secrets() {
    let server = DemoServer::start(0, DemoOptions::default()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let profile = format!("report-{}", std::process::id());
    let answers = format!("{}/assets/answers-demo.toml", env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = run(
        home.path(),
        work.path(),
        &[
            "register",
            &server.base_url,
            "--answers",
            &answers,
            "--profile",
            &profile,
            "--json",
            "--har",
            "register.har",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let reg: Value = serde_json::from_str(&out).unwrap();
    // A failing command leaves the last error.
    let (code, _, _) = run(
        home.path(),
        work.path(),
        &["token", &profile, "--client", "nope"],
    )
    .await;
    assert_eq!(code, 2);

    let (code, out, err) = run(
        home.path(),
        work.path(),
        &["report", &profile, "-o", "r.tar.gz"],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let listing_end = out.find("Written.").expect("written after the listing");
    for name in [
        "about.json",
        "profile.json",
        "profiles-check.json",
        "discovery.json",
        "last-transcript.har",
        "last-error.txt",
    ] {
        let at = out
            .find(name)
            .unwrap_or_else(|| panic!("{name} listed: {out}"));
        assert!(at < listing_end);
    }
    let archive = work.path().join("r.tar.gz");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let files = untar(&archive);
    let get = |name: &str| -> Vec<u8> {
        files
            .iter()
            .find(|(n, _)| n.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} in the archive"))
            .1
            .clone()
    };
    let json = |name: &str| -> Value { serde_json::from_slice(&get(name)).unwrap() };
    let about = json("about.json");
    assert_eq!(about["cds_wizard"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["keyring"]["profile_store"], "keyutils");
    assert_eq!(about["os"], std::env::consts::OS);
    let p = json("profile.json");
    assert_eq!(p["name"], profile.as_str());
    let check = json("profiles-check.json");
    let accounts = check["accounts"].as_array().unwrap();
    assert!(!accounts.is_empty());
    assert!(accounts.iter().all(|a| a["present"] == true), "{check}");
    let d = json("discovery.json");
    assert!(
        d["metadata_url"]
            .as_str()
            .unwrap()
            .starts_with(&server.base_url),
        "{d}"
    );
    assert!(d["findings"].is_array() && d["errors"].is_u64());
    let har: Value = serde_json::from_slice(&get("last-transcript.har")).unwrap();
    super::transcript_har::assert_har_1_2(&har);
    assert!(!har["log"]["entries"].as_array().unwrap().is_empty());
    let last_error = String::from_utf8(get("last-error.txt")).unwrap();
    assert!(last_error.contains("nope"), "{last_error}");

    // None of the keyring's secrets, in any encoding, in any file of the archive.
    let keyring = build("keyutils").unwrap();
    let mut secrets = Vec::new();
    for c in reg["clients"].as_array().unwrap() {
        let id = c["client_id"].as_str().unwrap();
        if let Some(s) = keyring
            .get(&account(&profile, id, SecretKind::ClientSecret))
            .unwrap()
        {
            secrets.push(s.expose().to_owned());
        }
    }
    assert!(!secrets.is_empty());
    let unpacked = work.path().join("unpacked");
    for (name, bytes) in &files {
        let path = unpacked.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    common::secrets::assert_no_secret_in(&unpacked, &secrets);

    // Never over an existing file.
    let (code, _, err) = run(
        home.path(),
        work.path(),
        &["report", &profile, "-o", "r.tar.gz"],
    )
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    let _ = run(home.path(), work.path(), &["forget", &profile]).await;
    server.stop().await;
}
