//! `cds-wizard forget`: revokes a profile's tokens where it can, removes its keyring entries
//! and its index entry.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::ForgetArgs;
use crate::onboarding::register::Engine;
use crate::onboarding::tokens;
use crate::profiles::Index;
use crate::text::sanitize_line;
use crate::vault::keyring;

pub async fn run(args: &ForgetArgs) -> anyhow::Result<ExitCode> {
    let vault = keyring::open()?;
    let mut index = Index::load_default()?;
    // A demo profile's tokens are revoked at the remembered demo (started here when stopped).
    let _demo = crate::demo_home::ensure_for_profile(
        &mut index,
        &args.profile,
        crate::demo_home::Role::Borrowed,
        &crate::demo_home::to_stderr,
    )
    .await
    .unwrap_or_else(|e| {
        // Forgetting still works without the demo: only the revocation is lost.
        crate::demo_home::to_stderr(format!("{e}"));
        None
    });
    let http = super::http_client(args.timeout)?;
    let mut engine = Engine {
        http: &http,
        vault: &vault,
        index: &mut index,
    };
    let done = tokens::forget(&mut engine, &args.profile, args.force).await?;
    if args.json {
        super::print_json(&json!(done));
    } else {
        println!("Forgot profile `{}`.", args.profile);
        println!("  revoked: {}", done.revoked.len());
        for n in &done.not_revoked {
            println!("  not revoked: {}", sanitize_line(n, 300));
        }
        println!(
            "  keyring entries removed: {}",
            done.keyring_entries_removed.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
