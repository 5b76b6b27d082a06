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
        vault: &vault,
        index: &mut index,
    };
    let (token, _source) = tokens::current(&mut engine, &args.profile, &client).await?;
    // The user asked for the token: stdout, nothing else on the line. Tokens are checked as
    // they arrive (RFC 6749 Appendix A); one kept from before that check is checked here.
    crate::cds::identifiers::check("access token", token.expose())
        .map_err(|e| anyhow!("the stored access token is {e}; run `cds-wizard authorize` again"))?;
    println!("{}", token.expose());
    Ok(ExitCode::SUCCESS)
}
