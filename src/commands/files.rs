//! `cds-wizard files PROFILE [list|show ID|download ID -o PATH]`: the files the utility shares
//! (CDS-WG1-02 §9), read with Grant Admin tokens (§3.3.2).

use std::process::ExitCode;

use crate::cli::{FilesAction, FilesArgs};
use crate::onboarding::manage::files;
use crate::present::manage as words;

use super::console::{self, Console};

pub async fn run(args: &FilesArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let tz = tz.as_deref();
    let json = args.options.json;
    match &args.action {
        None | Some(FilesAction::List) => {
            let list = files::list(&mut s, &[]).await?;
            if json {
                console::json(&list);
            } else {
                println!("{}", words::FILE_HEAD);
                console::lines(list.iter().map(words::file_row));
            }
        }
        Some(FilesAction::Show { file_id }) => {
            let f = files::get(&mut s, file_id).await?;
            if json {
                console::json(&f);
            } else {
                console::lines(words::file_detail(&f, tz));
            }
        }
        Some(FilesAction::Download { file_id, output }) => {
            let d = files::download(&mut s, file_id, output).await?;
            if json {
                console::json(&d);
            } else {
                println!("{}", words::downloaded(&d));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
