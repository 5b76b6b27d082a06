//! `cds-wizard token`: prints a currently valid access token for a profile's client.

use std::process::ExitCode;

use anyhow::anyhow;

use crate::cli::TokenArgs;
use crate::onboarding::register::Engine;
use crate::onboarding::tokens;
use crate::profiles::Index;
use crate::vault::keyring;

pub async fn run(args: &TokenArgs) -> anyhow::Result<ExitCode> {
    let vault = keyring::open()?;
    let mut index = Index::load_default()?;
    // A profile of the remembered demo: the demo serves it (started here when not running).
    let hosted = crate::demo_home::ensure_for_profile(
        &mut index,
        &args.profile,
        crate::demo_home::Role::Borrowed,
        &crate::demo_home::to_stderr,
    )
    .await?;
    let result = print_token(args, &vault, &mut index).await;
    if let Some(h) = hosted {
        h.stop().await;
    }
    result
}

async fn print_token(
    args: &TokenArgs,
    vault: &keyring::KeyringStore,
    index: &mut Index,
) -> anyhow::Result<ExitCode> {
    let http = super::http_client(args.timeout)?;
    let client = match &args.client {
        Some(c) => c.clone(),
        None => index
            .profile(&args.profile)
            .and_then(tokens::default_client)
            .ok_or_else(|| anyhow!("no profile `{}` (see `cds-wizard profiles`)", args.profile))?,
    };
    let mut engine = Engine {
        http: &http,
        vault,
        index,
    };
    let (token, _source) = tokens::current(&mut engine, &args.profile, &client).await?;
    // The user asked for the token: stdout, nothing else on the line. Tokens are checked as
    // they arrive (RFC 6749 Appendix A); one kept from before that check is checked here.
    crate::cds::identifiers::check("access token", token.expose())
        .map_err(|e| anyhow!("the stored access token is {e}; run `cds-wizard authorize` again"))?;
    println!("{}", token.expose());
    Ok(ExitCode::SUCCESS)
}
