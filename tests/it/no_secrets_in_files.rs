//! Issue 4 item 6: no secret appears in any file the program writes or in its output. The
//! guard itself (`common::secrets`) is checked first — it must catch a secret in every form it
//! claims to — then it is run on an index built through the API while real secrets were
//! handled, and on what `cds-wizard profiles` prints about it.

use crate::common;

use std::path::Path;

use base64::Engine;
use cds_wizard::cds::clients::ClientObject;
use cds_wizard::profiles::{Index, Profile, RegistrationStep};
use cds_wizard::vault::memory::MemoryStore;
use cds_wizard::vault::{Secret, SecretKind, SecretStore};
use common::secrets::{assert_no_secret_in, assert_no_secret_in_text};
use serde_json::json;

/// Has characters every encoding changes: `/ + = & space ~ " \`.
const SECRET: &str = r#"sk_live/Zx9+q8=w7&v6 u5~t4"q\"#;

/// The guard's panic message, or `None` when it passed.
fn guard(dir: &Path, secrets: &[&str]) -> Option<String> {
    let dir = dir.to_path_buf();
    let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
    std::panic::catch_unwind(move || {
        let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        assert_no_secret_in(&dir, &refs);
    })
    .err()
    .map(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn the_guard_finds_a_secret_in_every_form() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let forms: Vec<(&str, String)> = vec![
        ("as is", format!("token={SECRET}\n")),
        (
            "JSON-escaped",
            serde_json::to_string(&json!({"s": SECRET})).unwrap(),
        ),
        (
            "percent-encoded",
            format!(
                "code=1&client_secret={}",
                url::form_urlencoded::byte_serialize(SECRET.as_bytes())
                    .collect::<String>()
                    .replace('+', "%20")
            ),
        ),
        (
            "form-encoded",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("client_secret", SECRET)
                .finish(),
        ),
        ("base64", b64.encode(SECRET)),
        // HTTP Basic: the secret inside a larger value, at each alignment.
        (
            "base64",
            format!("Basic {}", b64.encode(format!("c:{SECRET}"))),
        ),
        (
            "base64",
            format!("Basic {}", b64.encode(format!("cl:{SECRET}"))),
        ),
        (
            "base64",
            format!("Basic {}", b64.encode(format!("cli:{SECRET}"))),
        ),
        // URL-safe Base64 (the guard may name it `base64` when the alphabets agree there).
        ("base64", b64url.encode(format!("xx{SECRET}yy"))),
    ];
    for (form, content) in forms {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("logs").join(".hidden");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.path().join("clean.toml"), "nothing here").unwrap();
        let file = nested.join("trace.log");
        std::fs::write(&file, &content).unwrap();
        let msg = guard(dir.path(), &["another-secret-123", SECRET])
            .unwrap_or_else(|| panic!("{form} not caught in {content:?}"));
        assert!(
            msg.contains(&file.display().to_string()),
            "names the file: {msg}"
        );
        assert!(msg.contains(form), "names the form {form}: {msg}");
        assert!(
            !msg.contains(SECRET),
            "the failure message does not leak it: {msg}"
        );
    }
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("a"), "client_secret = <in the keyring>").unwrap();
    assert_eq!(guard(clean.path(), &[SECRET]), None);
    assert_eq!(guard(&clean.path().join("absent"), &[SECRET]), None);
}

fn client(id: &str, scope: &str, secret: &str) -> ClientObject {
    serde_json::from_value(json!({
        "client_id": id,
        "client_id_issued_at": 1_700_000_000,
        "scope": scope,
        "redirect_uris": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"],
        "response_types": [],
        "authorization_details_types": [],
        "cds_created": "2024-01-01T00:00:00Z",
        "cds_modified": "2024-01-01T00:00:00Z",
        "cds_client_uri": format!("https://u.example/clients/{id}"),
        "cds_status": "sandbox",
        "cds_status_options": ["sandbox"],
        "cds_server_metadata": "https://u.example/.well-known/cds-server-metadata.json",
        "client_secret": secret,
    }))
    .unwrap()
}

#[test]
fn an_index_built_while_handling_secrets_holds_none() {
    let home = tempfile::tempdir().unwrap();
    let store = MemoryStore::default();
    let secrets = [
        "admin-secret-9f8e7d6c5b4a",
        "client-secret-0a1b2c3d4e5f",
        "access-token-aaaa.bbbb.cccc",
        "refresh-token-zzzz-yyyy-xxxx",
    ];

    let mut index = Index::load(home.path()).unwrap();
    let mut p = Profile::new("leak-check", "https://u.example", store.name()).unwrap();
    // As the engine does: each secret into the store, only its name into the index.
    let admin = client("admin-1", "cds_client_admin", secrets[0]);
    let app = client("app-1", "usage_data", secrets[1]);
    p.admin_client_id = Some(admin.client_id.clone());
    for (c, kind, value) in [
        (
            &admin,
            SecretKind::ClientSecret,
            admin.client_secret.clone().unwrap(),
        ),
        (
            &app,
            SecretKind::ClientSecret,
            app.client_secret.clone().unwrap(),
        ),
        (&app, SecretKind::AccessToken, secrets[2].to_owned()),
        (&app, SecretKind::RefreshToken, secrets[3].to_owned()),
    ] {
        store
            .set(&p.account(&c.client_id, kind), &Secret::new(value))
            .unwrap();
        p.upsert_client(c).record_secret(kind);
        for step in RegistrationStep::ALL {
            p.complete(step);
        }
        index.upsert(p.clone()).unwrap();
        index.save().unwrap();
    }

    assert_no_secret_in(home.path(), &secrets);
    // The secrets are really where they belong.
    for (i, (_, _, account)) in index
        .profile("leak-check")
        .unwrap()
        .stored_accounts()
        .iter()
        .enumerate()
    {
        assert_eq!(store.get(account).unwrap().unwrap().expose(), secrets[i]);
    }

    // And nothing the profiles command prints about them leaks either.
    for args in [&["profiles"][..], &["profiles", "--json"][..]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cds-wizard"))
            .args(args)
            .env("CDS_WIZARD_HOME", home.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("leak-check/app-1/refresh_token"),
            "{stdout}"
        );
        assert_no_secret_in_text("profiles stdout", &stdout, &secrets);
        assert_no_secret_in_text(
            "profiles stderr",
            &String::from_utf8_lossy(&out.stderr),
            &secrets,
        );
    }
    assert_no_secret_in(home.path(), &secrets);
}
