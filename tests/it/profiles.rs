//! `cds-wizard profiles` against a CDS_WIZARD_HOME prepared through the index API: the human
//! list, `--json`, a corrupt index (exit 2, one line), and `--check` against the real kernel
//! keyutils keyring.

use std::path::Path;
use std::process::Command;

use cds_wizard::cds::clients::ClientObject;
use cds_wizard::profiles::{Index, Profile, RegistrationStep};
use cds_wizard::vault::{SecretKind, account};
use serde_json::{Value, json};

fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
        .args(args)
        .env("CDS_WIZARD_HOME", home)
        .envs(env.iter().copied())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run cds-wizard");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn client(id: &str, scope: &str, status: &str, auth: &str) -> ClientObject {
    serde_json::from_value(json!({
        "client_id": id,
        "client_id_issued_at": 1_700_000_000,
        "scope": scope,
        "redirect_uris": ["http://127.0.0.1:7777/callback"],
        "token_endpoint_auth_method": auth,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "authorization_details_types": [],
        "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z",
        "cds_client_uri": format!("https://u.example/clients/{id}"),
        "cds_status": status,
        "cds_status_options": [status],
        "cds_server_metadata": "https://u.example/.well-known/cds-server-metadata.json",
    }))
    .unwrap()
}

/// One complete profile with an admin and an app client, one incomplete with no client.
fn prepare(home: &Path, profile: &str, store: &str) {
    let mut index = Index::load(home).unwrap();
    let mut p = Profile::new(profile, "https://u.example", store).unwrap();
    p.server_metadata_url = Some(
        "https://u.example/.well-known/cds-server-metadata.json"
            .parse()
            .unwrap(),
    );
    for step in RegistrationStep::ALL {
        p.complete(step);
    }
    p.admin_client_id = Some("admin-1".into());
    p.upsert_client(&client(
        "admin-1",
        "cds_client_admin",
        "production",
        "client_secret_basic",
    ))
    .record_secret(SecretKind::ClientSecret);
    let app = p.upsert_client(&client("app-1", "usage_data billing", "sandbox", "none"));
    app.record_secret(SecretKind::RefreshToken);
    app.record_secret(SecretKind::AccessToken);
    app.access_token_expires_at = Some("2030-01-02T03:04:05Z".parse().unwrap());
    index.upsert(p).unwrap();

    let mut half = Profile::new("half-done", "https://other.example", store).unwrap();
    half.complete(RegistrationStep::Registered);
    index.upsert(half).unwrap();
    index.save().unwrap();
}

#[test]
fn lists_profiles_clients_and_where_secrets_are() {
    let home = tempfile::tempdir().unwrap();
    prepare(home.path(), "demo", "keyutils");
    let (code, out, err) = run(home.path(), &["profiles"], &[]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "2 profiles in",
        "demo",
        "https://u.example",
        "registration  complete",
        "keyutils keyring, service \"cds-wizard\"",
        "admin-1 (admin)  production  client_secret_basic  scope: cds_client_admin",
        "app-1  sandbox  none  scope: usage_data billing",
        "account demo/admin-1/client_secret",
        "account demo/app-1/access_token  expires 2030-01-02 03:04:05 UTC",
        "account demo/app-1/refresh_token",
        "half-done",
        "next step: admin_secret_stored",
        "register --resume half-done",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    // Sorted by name; no check result without --check.
    assert!(out.find("demo\n").unwrap() < out.find("half-done\n").unwrap());
    assert!(!out.contains("[present]") && !out.contains("MISSING"));
}

#[test]
fn json_lists_the_same_without_secrets() {
    let home = tempfile::tempdir().unwrap();
    prepare(home.path(), "demo", "keyutils");
    let (code, out, err) = run(home.path(), &["profiles", "--json"], &[]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["keyring_service"], "cds-wizard");
    assert!(v["index"].as_str().unwrap().ends_with("profiles.toml"));
    let demo = &v["profiles"][0];
    assert_eq!(demo["name"], "demo");
    assert_eq!(demo["keyring_store"], "keyutils");
    assert_eq!(demo["next_step"], Value::Null);
    assert_eq!(demo["completed_steps"].as_array().unwrap().len(), 6);
    let app = &demo["clients"][1];
    assert_eq!(app["client_id"], "app-1");
    assert_eq!(app["admin"], false);
    assert_eq!(app["token_endpoint_auth_method"], "none");
    assert_eq!(
        app["secrets"],
        json!([
            {"kind": "access_token", "account": "demo/app-1/access_token",
             "expires_at": "2030-01-02T03:04:05Z"},
            {"kind": "refresh_token", "account": "demo/app-1/refresh_token"},
        ])
    );
    assert_eq!(v["profiles"][1]["next_step"], "admin_secret_stored");
    assert!(v.get("check").is_none());
}

#[test]
fn no_profiles_is_not_an_error() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = run(home.path(), &["profiles"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("No profiles in"), "{out}");
    let (code, out, _) = run(home.path(), &["profiles", "--json"], &[]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["profiles"], json!([]));
    assert!(
        std::fs::read_dir(home.path()).unwrap().next().is_none(),
        "listing writes nothing"
    );
}

#[test]
fn a_corrupt_index_is_one_line_exit_2_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    // A private home, as the program leaves it: an open one would add a note line.
    #[cfg(unix)]
    std::fs::set_permissions(
        home.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let path = home.path().join("profiles.toml");
    let text = "version = 1\n[[profile]]\nname = \"x\"\ncreated = \n";
    std::fs::write(&path, text).unwrap();
    for args in [&["profiles"][..], &["profiles", "--json"][..]] {
        let (code, out, err) = run(home.path(), args, &[]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line 4"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

/// `--check` asks the real keyring: an entry the test stored is reported present, one the
/// index records but nobody stored is reported missing (exit 1). keyutils needs no daemon.
#[cfg(target_os = "linux")]
#[test]
fn check_reports_present_and_missing_keyutils_entries() {
    use cds_wizard::vault::keyring::build;
    use cds_wizard::vault::{Secret, SecretStore};

    let store = build("keyutils").expect("keyutils store");
    // Keys outlive the test (persistent keyring): a unique profile name keeps runs apart.
    let profile = format!(
        "chk-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    );
    let home = tempfile::tempdir().unwrap();
    prepare(home.path(), &profile, "keyutils");
    let present = account(&profile, "app-1", SecretKind::RefreshToken);
    let value = "check-me-refresh-token-value-123456";
    store.set(&present, &Secret::new(value)).expect("set");

    let (code, out, err) = run(
        home.path(),
        &["profiles", "--check"],
        &[("CDS_WIZARD_KEYRING", "keyutils")],
    );
    let (jcode, jout, jerr) = run(
        home.path(),
        &["profiles", "--check", "--json"],
        &[("CDS_WIZARD_KEYRING", "keyutils")],
    );
    store.delete(&present).expect("clean up");

    assert_eq!(code, 1, "a missing entry is a finding:\n{out}{err}");
    assert!(
        out.contains(&format!("account {present}  [present]")),
        "{out}{err}"
    );
    assert!(
        out.contains(&format!(
            "account {}  expires 2030-01-02 03:04:05 UTC  [MISSING]",
            account(&profile, "app-1", SecretKind::AccessToken)
        )),
        "{out}"
    );
    assert!(
        out.contains("1 present, 2 missing, 0 could not be checked"),
        "{out}"
    );
    assert!(!out.contains(value) && !err.contains(value));

    assert_eq!(jcode, 1, "{jerr}");
    assert!(!jout.contains(value));
    let v: Value = serde_json::from_str(&jout).unwrap();
    let secrets = &v["profiles"][0]["clients"][1]["secrets"];
    assert_eq!(secrets[1]["account"], present.as_str());
    assert_eq!(secrets[1]["present"], true);
    assert_eq!(secrets[0]["present"], false);
    assert_eq!(
        v["check"],
        json!({"checked": 3, "missing": 2, "unknown": 0})
    );
}

/// A home other users can read is made private, with a note naming it and the old mode; the
/// next run has nothing to say (issue 9 item 10).
#[cfg(unix)]
#[test]
fn an_open_home_is_made_private_with_a_note() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, err) = run(&home, &["profiles"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note:") && err.contains("mode 755"), "{err}");
    let mode = std::fs::metadata(&home).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    let (_, _, err) = run(&home, &["profiles"], &[]);
    assert!(!err.contains("note:"), "{err}");
}
