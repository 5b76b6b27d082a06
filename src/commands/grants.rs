//! `cds-wizard grants PROFILE [list [--status S] [--scope S]|show ID|close ID|reduce ID
//! --scope ...]`: customer Grants of the profile's clients (CDS-WG1-02 §8).

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use serde_json::Value;

use crate::cds::GrantStatus;
use crate::cli::{GrantsAction, GrantsArgs};
use crate::onboarding::manage::grants::{self, GrantFilter};
use crate::present::manage as words;

use super::console::{self, Console};

pub async fn run(args: &GrantsArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let tz = tz.as_deref();
    let json = args.options.json;
    let default_list = GrantsAction::List {
        status: Vec::new(),
        scope: Vec::new(),
        client: Vec::new(),
    };
    match args.action.as_ref().unwrap_or(&default_list) {
        GrantsAction::List {
            status,
            scope,
            client,
        } => {
            let mut statuses = Vec::new();
            for st in status.iter().flat_map(|s| s.split([' ', ','])) {
                let parsed = GrantStatus::from(st);
                if !parsed.is_known() {
                    return Err(anyhow!("`{st}` is not a Grant status (WG1-02 §8.2)"));
                }
                statuses.push(parsed);
            }
            let filter = GrantFilter {
                statuses,
                scopes: scope.clone(),
                client_ids: client.clone(),
                ..Default::default()
            };
            let list = grants::list(&mut s, &filter).await?;
            if json {
                console::json(&list);
            } else {
                println!("{}", words::GRANT_HEAD);
                console::lines(list.iter().map(words::grant_row));
            }
        }
        GrantsAction::Show { grant_id } => {
            let g = grants::get(&mut s, grant_id).await?;
            if json {
                console::json(&g);
            } else {
                console::lines(words::grant_detail(&g, tz));
            }
        }
        GrantsAction::Close { grant_id } => {
            let change = grants::close(&mut s, grant_id).await?;
            print_change(&change, json);
        }
        GrantsAction::Reduce {
            grant_id,
            scope,
            authorization_details,
        } => {
            let details = match authorization_details {
                Some(text) => Some(details_arg(text)?),
                None => None,
            };
            let change = grants::reduce(&mut s, grant_id, scope.as_deref(), details).await?;
            print_change(&change, json);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_change(change: &grants::GrantChange, json: bool) {
    if json {
        console::json(change);
    } else {
        console::lines(words::grant_change(change));
    }
}

/// A JSON array given inline or as @FILE (at most 1 MiB).
fn details_arg(text: &str) -> anyhow::Result<Vec<Value>> {
    let raw = match text.strip_prefix('@') {
        Some(path) => {
            let meta = std::fs::metadata(path).with_context(|| path.to_owned())?;
            if meta.len() > 1 << 20 {
                return Err(anyhow!("{path}: larger than 1 MiB"));
            }
            std::fs::read_to_string(path).with_context(|| path.to_owned())?
        }
        None => text.to_owned(),
    };
    serde_json::from_str(&raw).context("--authorization-details must be a JSON array")
}
