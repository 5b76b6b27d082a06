//! `cds-wizard status PROFILE`: one screen on a registered app (CDS-WG1-02 §5–§8): clients by
//! status, outstanding requests with amounts, grants, credential expiries, and what needs the
//! user. Exit 1 when something needs attention.

use std::process::ExitCode;

use crate::cli::StatusArgs;
use crate::onboarding::manage::status;
use crate::present::manage as words;

use super::console::{self, Console};

pub async fn run(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let mut c = Console::open(&args.profile, &args.options).await?;
    let mut s = c.session()?;
    let tz = console::zone(&s);
    let summary = status::status(&mut s).await?;
    if args.options.json {
        console::json(&summary);
    } else {
        console::lines(words::status(&summary, tz.as_deref()));
    }
    Ok(
        if summary.attention.is_empty() && summary.unavailable.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(super::EXIT_FINDINGS)
        },
    )
}
