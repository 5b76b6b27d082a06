//! `cds-wizard register`: discovery, the answers checked against the server's catalog, the
//! registration, every client and secret collected into the keyring, and what remains to do.

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use serde_json::json;

use crate::cli::RegisterArgs;
use crate::onboarding::register::{self, Engine, RegisterEvent, RegisterOutcome};
use crate::onboarding::{answers, plan};
use crate::present;
use crate::profiles::Index;
use crate::text::sanitize_line;
use crate::vault::{SecretStore, keyring};

pub async fn run(args: &RegisterArgs) -> anyhow::Result<ExitCode> {
    // The keyring first: a keyring that fails after registration would strand the secret.
    let vault = keyring::open_named(args.keyring.as_deref())?;
    if keyring::needs_consent(vault.name(), args.keyring.as_deref()) {
        // Told before the server shows its one-time secret, not after.
        return Err(anyhow!(
            "{}. Start a Secret Service (e.g. gnome-keyring) and run again, or accept this with \
             `--keyring {}` (or CDS_WIZARD_KEYRING={}). Nothing was sent.",
            present::register::volatile_keyring(vault.name()),
            vault.name(),
            vault.name()
        ));
    }
    let mut index = Index::load_default()?;
    let http = super::http_client(args.timeout)?;
    let json_out = args.json;
    let progress = move |e: RegisterEvent| {
        if !json_out && let RegisterEvent::Done { step, detail } = &e {
            eprintln!("✓ {step}: {}", sanitize_line(detail, 200));
        }
    };
    let mut engine = Engine {
        http: &http,
        vault: &vault,
        index: &mut index,
    };
    let outcome = if let Some(profile) = &args.resume {
        register::resume(&mut engine, profile, &progress).await?
    } else {
        let answers_path = args
            .answers
            .as_deref()
            .ok_or_else(|| anyhow!("--answers FILE is required (or --resume PROFILE)"))?;
        let answers = answers::load(answers_path)?;
        let url = args.url.clone().ok_or_else(|| {
            anyhow!("give the utility's URL: cds-wizard register <URL> --answers FILE")
        })?;
        let d = super::run_discovery(&url, args.timeout).await?;
        let meta = d.oauth_metadata()?;
        register::check_draft(meta)?;
        let selection = answers.selection();
        let plan = plan::plan(
            meta,
            &selection,
            &|p| plan::read_capped(p, plan::MAX_FILE_BYTES),
            jiff::Timestamp::now(),
        )
        .map_err(|problems| {
            register::RegisterError::Invalid(problems.iter().map(ToString::to_string).collect())
        })?;
        let profile = args
            .profile
            .clone()
            .or_else(|| answers.profile.clone())
            .ok_or_else(|| {
                anyhow!("give a profile name with --profile (or `profile` in the answers file)")
            })?;
        register::register(
            &mut engine,
            meta,
            Some(&d.metadata_url),
            &plan,
            &profile,
            &progress,
        )
        .await
        .context("registration")?
    };
    // Registered with the remembered demo: marked, so it is found wherever the demo listens.
    if let Err(e) = crate::demo_home::adopt(&mut index, &outcome.profile) {
        eprintln!("warning: {}", sanitize_line(&e.to_string(), 300));
    }
    if args.json {
        super::print_json(&json!(outcome));
    } else {
        print_outcome(&outcome);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_outcome(o: &RegisterOutcome) {
    for line in present::register::outcome_lines(o) {
        println!("{line}");
    }
}
