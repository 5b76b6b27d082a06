//! `cds-wizard profiles`: what is registered where, from the non-secret index
//! (`profiles`), with the keyring store, service and account of every stored secret — never
//! a secret value. `--check` asks the keyring whether each recorded entry is really there.

use std::collections::HashMap;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::cli::ProfilesArgs;
use crate::present;
use crate::profiles::{Index, Profile};
use crate::text::sanitize;
use crate::vault::keyring::{self, KeyringStore};
use crate::vault::{SERVICE, SecretKind, SecretStore, VaultError};

/// What `--check` found for one account.
pub use crate::present::profile::Presence;

pub async fn run(args: &ProfilesArgs) -> anyhow::Result<ExitCode> {
    let index = Index::load_default()?;
    let checks = if args.check {
        let idx = index.clone();
        // Keyring calls block (each bounded by vault::CALL_TIMEOUT): keep them off the runtime.
        Some(tokio::task::spawn_blocking(move || check(&idx)).await?)
    } else {
        None
    };
    if args.json {
        super::print_json(&to_json(&index, checks.as_ref()));
    } else {
        print_human(&index, checks.as_ref());
    }
    let all_there = checks
        .as_ref()
        .is_none_or(|c| c.values().all(|p| *p == Presence::Present));
    Ok(if all_there {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FINDINGS)
    })
}

/// Asks the keyring about every account the index says is stored. The keyring is the one
/// `vault::keyring::open()` picks (honouring `CDS_WIZARD_KEYRING`); a profile recorded in a
/// different store is checked in that store.
pub fn check(index: &Index) -> HashMap<String, Presence> {
    let opened = keyring::open();
    let mut others: HashMap<String, Result<KeyringStore, VaultError>> = HashMap::new();
    let mut out = HashMap::new();
    for p in index.profiles() {
        let store: Result<&KeyringStore, String> = match &opened {
            Ok(s) if s.name() == p.keyring_store => Ok(s),
            Ok(_) => others
                .entry(p.keyring_store.clone())
                .or_insert_with(|| keyring::build(&p.keyring_store))
                .as_ref()
                .map_err(|e| e.to_string()),
            // The default keyring is broken: still try the one the profile names.
            Err(open_err) => others
                .entry(p.keyring_store.clone())
                .or_insert_with(|| keyring::build(&p.keyring_store))
                .as_ref()
                .map_err(|e| format!("{e} ({open_err})")),
        };
        for (_, _, account) in p.stored_accounts() {
            let presence = match &store {
                Err(why) => Presence::Unknown(why.clone()),
                Ok(s) => match s.get(&account) {
                    Ok(Some(_)) => Presence::Present,
                    Ok(None) => Presence::Missing,
                    Err(e) => Presence::Unknown(e.to_string()),
                },
            };
            out.insert(account, presence);
        }
    }
    out
}

fn presence_json(p: &Presence) -> Value {
    match p {
        Presence::Present => json!({"present": true}),
        Presence::Missing => json!({"present": false}),
        Presence::Unknown(why) => json!({"present": null, "check_error": why}),
    }
}

pub fn to_json(index: &Index, checks: Option<&HashMap<String, Presence>>) -> Value {
    let profiles: Vec<Value> = index
        .profiles()
        .iter()
        .map(|p| profile_json(p, checks))
        .collect();
    let mut v = json!({
        "index": index.path().display().to_string(),
        "keyring_service": SERVICE,
        "profiles": profiles,
    });
    if let Some(c) = checks {
        v["check"] = json!({
            "checked": c.len(),
            "missing": c.values().filter(|p| **p == Presence::Missing).count(),
            "unknown": c.values().filter(|p| matches!(p, Presence::Unknown(_))).count(),
        });
    }
    v
}

pub fn profile_json(p: &Profile, checks: Option<&HashMap<String, Presence>>) -> Value {
    let clients: Vec<Value> = p
        .clients
        .iter()
        .map(|c| {
            let secrets: Vec<Value> = c
                .secrets
                .iter()
                .map(|k| {
                    let account = p.account(&c.client_id, *k);
                    let mut s = json!({"kind": k.as_str(), "account": account});
                    if *k == SecretKind::AccessToken
                        && let Some(t) = c.access_token_expires_at
                    {
                        s["expires_at"] = json!(t.to_string());
                    }
                    if let Some(found) = checks.and_then(|m| m.get(&account))
                        && let (Some(o), Value::Object(extra)) =
                            (s.as_object_mut(), presence_json(found))
                    {
                        o.extend(extra);
                    }
                    s
                })
                .collect();
            json!({
                "client_id": c.client_id,
                "admin": p.admin_client_id.as_deref() == Some(c.client_id.as_str()),
                "status": c.status,
                "scope": c.scope,
                "token_endpoint_auth_method": c.token_endpoint_auth_method,
                "response_types": c.response_types,
                "grant_types": c.grant_types,
                "redirect_uris": c.redirect_uris,
                "cds_client_uri": c.cds_client_uri,
                "secrets": secrets,
            })
        })
        .collect();
    json!({
        "name": p.name,
        "created": p.created.to_string(),
        "issuer": p.issuer,
        "server_metadata_url": p.server_metadata_url,
        "timezone": p.timezone,
        "keyring_store": p.keyring_store,
        "completed_steps": p.completed_steps,
        "next_step": p.next_step(),
        "admin_client_id": p.admin_client_id,
        "endpoints": p.endpoints,
        "registration": {
            "scope": p.registration.scope,
            "authorization_details": p.registration.authorization_details,
        },
        "clients": clients,
    })
}

fn print_human(index: &Index, checks: Option<&HashMap<String, Presence>>) {
    let path = sanitize(&index.path().display().to_string());
    if index.profiles().is_empty() {
        println!("No profiles in {path}.");
        println!("Register with a utility: cds-wizard register <URL> --answers <FILE>");
        return;
    }
    let n = index.profiles().len();
    println!("{n} profile{} in {path}", if n == 1 { "" } else { "s" });
    for p in index.profiles() {
        println!();
        print_profile(p, checks);
    }
    if let Some(c) = checks {
        println!();
        println!("{}", present::profile::check_summary(c));
    }
}

fn print_profile(p: &Profile, checks: Option<&HashMap<String, Presence>>) {
    for line in present::profile::summary(p, checks) {
        println!("{line}");
    }
}
