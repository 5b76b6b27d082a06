//! `cds-wizard clients PROFILE [list|show ID|modify ID --set field=value...]`: the profile's
//! Client objects (CDS-WG1-02 §5).

use std::process::ExitCode;

use crate::cli::{ClientsAction, ClientsArgs};
use crate::onboarding::manage::clients::{self, ClientFilter};
use crate::present::manage as words;

use super::console::{self, Console};

pub async fn run(args: &ClientsArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let tz = tz.as_deref();
    let json = args.options.json;
    match &args.action {
        None | Some(ClientsAction::List) => {
            let list = clients::list(&mut s, &ClientFilter::default()).await?;
            if json {
                console::json(&list);
            } else {
                println!("{}", words::CLIENT_HEAD);
                console::lines(list.iter().map(words::client_row));
            }
        }
        Some(ClientsAction::Show { client_id }) => {
            let c = clients::get(&mut s, client_id).await?;
            if json {
                console::json(&c);
            } else {
                console::lines(words::client_detail(&c, tz));
            }
        }
        Some(ClientsAction::Modify { client_id, set }) => {
            let changes = set
                .iter()
                .map(|a| clients::parse_assignment(a).map_err(anyhow::Error::from))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let change = clients::modify(&mut s, client_id, &changes).await?;
            if json {
                console::json(&change);
            } else {
                console::lines(words::client_change(&change, tz));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
