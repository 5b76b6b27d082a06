//! `cds-wizard credentials PROFILE [list|show ID|create CLIENT_ID|expire CRED_ID|rotate
//! CLIENT_ID]`: the profile's client secrets (CDS-WG1-02 §7). Secrets go to the keyring,
//! never to the output.

use std::process::ExitCode;

use crate::cli::{CredentialsAction, CredentialsArgs};
use crate::onboarding::manage::credentials::{self, CredentialFilter};
use crate::present::manage as words;

use super::console::{self, Console};

pub async fn run(args: &CredentialsArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let tz = tz.as_deref();
    let json = args.options.json;
    match &args.action {
        None => list(&mut s, None, json, tz).await?,
        Some(CredentialsAction::List { client }) => {
            list(&mut s, client.as_deref(), json, tz).await?
        }
        Some(CredentialsAction::Show { credential_id }) => {
            let k = credentials::get(&mut s, credential_id).await?;
            if json {
                console::json(&k);
            } else {
                console::lines(words::credential_detail(&k, tz));
            }
        }
        Some(CredentialsAction::Create { client_id }) => {
            let r = credentials::create(&mut s, client_id).await?;
            if json {
                console::json(&r);
            } else {
                console::lines(words::rotation(&r, false));
            }
        }
        Some(CredentialsAction::Rotate { client_id }) => {
            let r = credentials::rotate(&mut s, client_id).await?;
            if json {
                console::json(&r);
            } else {
                console::lines(words::rotation(&r, true));
            }
        }
        Some(CredentialsAction::Expire {
            credential_id,
            force,
        }) => {
            let k = credentials::expire(&mut s, credential_id, None, *force).await?;
            if json {
                console::json(&k);
            } else {
                println!(
                    "Credential {} expired ({}).",
                    crate::text::sanitize(&k.credential_id),
                    words::expiry(k.client_secret_expires_at, tz)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    s: &mut crate::onboarding::manage::Session<'_>,
    client: Option<&str>,
    json: bool,
    tz: Option<&str>,
) -> anyhow::Result<()> {
    let filter = CredentialFilter {
        client_ids: client.map(|c| vec![c.to_owned()]).unwrap_or_default(),
        ..Default::default()
    };
    let list = credentials::list(s, &filter).await?;
    if json {
        console::json(&list);
    } else {
        println!("{}", words::CREDENTIAL_HEAD);
        console::lines(list.iter().map(|k| words::credential_row(k, tz)));
    }
    Ok(())
}
