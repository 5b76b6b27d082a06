//! `cds-wizard report PROFILE`: one archive a client can send to support (issue 12 item 5) —
//! version and platform, the keyring backend (names, never values), the profile's index entry,
//! its keyring check, a fresh discovery with its findings, the last recorded transcript and
//! the last error. Every file passes through the transcript redaction, with the profile's own
//! keyring secrets known to it (reading them for the check makes them known), so none can
//! slip in. The listing is printed before the archive is written; an existing file is never
//! overwritten.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::cli::ReportArgs;
use crate::onboarding::transcript::redact::Redactor;
use crate::profiles::{Index, Profile};
use crate::text::sanitize;
use crate::vault::SecretStore;
use crate::vault::keyring;

use super::transcript::{LAST_ERROR, last_transcript, read_in_home};

/// One file of the archive.
struct Item {
    name: String,
    bytes: Vec<u8>,
    what: &'static str,
}

pub async fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let index = Index::load_default()?;
    let profile = index
        .profile(&args.profile)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no profile `{}`; `cds-wizard profiles` lists them",
                args.profile
            )
        })?
        .clone();
    let idx = index.clone();
    let checks = tokio::task::spawn_blocking(move || super::profiles::check(&idx)).await?;
    let checks: HashMap<_, _> = checks
        .into_iter()
        .filter(|(account, _)| {
            profile
                .stored_accounts()
                .iter()
                .any(|(_, _, a)| a == account)
        })
        .collect();
    let discovery = discovery_json(&profile, args.timeout).await;
    let mut items = collect(&profile, &checks, &discovery);
    // Built last, so every secret read above is known to it.
    let redactor = Redactor::current();
    for item in &mut items {
        let text = String::from_utf8_lossy(&item.bytes).into_owned();
        item.bytes = redactor.text(&text).into_owned().into_bytes();
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| default_name(&profile.name));
    print!("{}", listing(&profile.name, &output, &items));
    std::io::stdout().flush()?;
    write_archive(&output, &profile.name, &items)?;
    println!("Written. Secrets are redacted; read it before you send it.");
    Ok(ExitCode::SUCCESS)
}

/// The files of the archive, before redaction.
fn collect(
    profile: &Profile,
    checks: &HashMap<String, super::profiles::Presence>,
    discovery: &Value,
) -> Vec<Item> {
    let mut items = vec![
        json_item(
            "about.json",
            &about(profile),
            "version, platform, keyring backend",
        ),
        json_item(
            "profile.json",
            &super::profiles::profile_json(profile, Some(checks)),
            "the profile's index entry, with its keyring check",
        ),
        json_item(
            "profiles-check.json",
            &check_json(checks),
            "`profiles --check` for this profile",
        ),
        json_item(
            "discovery.json",
            discovery,
            "a fresh discovery and its findings",
        ),
    ];
    if let Some(path) = last_transcript()
        && let Ok(bytes) = std::fs::read(&path)
    {
        items.push(Item {
            name: "last-transcript.har".to_owned(),
            bytes,
            what: "the last transcript recorded with --har",
        });
    }
    if let Some((_, text)) = read_in_home(LAST_ERROR) {
        items.push(Item {
            name: "last-error.txt".to_owned(),
            bytes: text.into_bytes(),
            what: "the last error a command ended with",
        });
    }
    items
}

/// What the archive holds, as printed before it is written.
fn listing(profile: &str, output: &Path, items: &[Item]) -> String {
    let mut listing = format!(
        "Support report for profile {} -> {}\n",
        sanitize(profile),
        sanitize(&output.display().to_string())
    );
    for item in items {
        listing.push_str(&format!(
            "  {:<22} {:>9} bytes  {}\n",
            item.name,
            item.bytes.len(),
            item.what
        ));
    }
    listing
}

fn json_item(name: &str, v: &Value, what: &'static str) -> Item {
    Item {
        name: name.to_owned(),
        bytes: serde_json::to_vec_pretty(v).unwrap_or_default(),
        what,
    }
}

fn about(profile: &Profile) -> Value {
    let default_store = match keyring::open() {
        Ok(s) => json!(s.name()),
        Err(e) => json!({"error": e.to_string()}),
    };
    json!({
        "cds_wizard": env!("CARGO_PKG_VERSION"),
        "os": std::env::consts::OS,
        "family": std::env::consts::FAMILY,
        "arch": std::env::consts::ARCH,
        "created": jiff::Timestamp::now().to_string(),
        "keyring": {
            "default_store": default_store,
            "profile_store": profile.keyring_store,
            "survives_reboot": keyring::survives_reboot(&profile.keyring_store),
            "forced_by_environment": std::env::var("CDS_WIZARD_KEYRING").ok(),
        },
    })
}

fn check_json(checks: &HashMap<String, super::profiles::Presence>) -> Value {
    use super::profiles::Presence;
    let mut accounts: Vec<&String> = checks.keys().collect();
    accounts.sort();
    let list: Vec<Value> = accounts
        .into_iter()
        .map(|a| match &checks[a] {
            Presence::Present => json!({"account": a, "present": true}),
            Presence::Missing => json!({"account": a, "present": false}),
            Presence::Unknown(why) => json!({"account": a, "present": null, "check_error": why}),
        })
        .collect();
    json!({ "accounts": list })
}

/// A discovery of the profile's utility now, or why there is none.
async fn discovery_json(profile: &Profile, timeout: u64) -> Value {
    let Some(url) = &profile.server_metadata_url else {
        return json!({"error": "the profile records no server metadata URL"});
    };
    match super::run_discovery(url.as_str(), timeout).await {
        Ok(d) => {
            let mut v = super::discover::to_json(&d);
            v["errors"] = json!(d.errors());
            v["warnings"] = json!(d.warnings());
            v
        }
        Err(e) => json!({"url": url, "error": format!("{e:#}")}),
    }
}

fn default_name(profile: &str) -> PathBuf {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("cds-wizard-report-{safe}-{stamp}.tar.gz"))
}

/// A `.tar.gz` with the items under `cds-wizard-report-<profile>/`, created 0600, never over an
/// existing file.
fn write_archive(path: &Path, profile: &str, items: &[Item]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
            "{} already exists; a report never overwrites a file, choose another name with -o",
            path.display()
        ),
        _ => anyhow::anyhow!("cannot create {}: {e}", path.display()),
    })?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = jiff::Timestamp::now().as_second().max(0) as u64;
    let dir: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    for item in items {
        let mut header = tar::Header::new_gnu();
        header.set_size(item.bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("cds-wizard-report-{dir}/{}", item.name),
            item.bytes.as_slice(),
        )?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}
