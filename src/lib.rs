//! cds-wizard: onboard an app to an energy utility through the LF Energy Connected Data
//! Specifications (CDS-WG1-01 server metadata, CDS-WG1-02 client registration, CDS-WG3-01
//! customer-data scopes).

pub mod app;
pub mod catalog;
pub mod cds;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod demo_home;
pub mod http;
pub mod memory;
pub mod oauth;
pub mod onboarding;
pub mod present;
pub mod profiles;
pub mod secret;
pub mod text;
pub mod tui;
pub mod ui;
pub mod vault;

use std::process::ExitCode;

use cli::{Cli, Command};

/// Exit code for a command that could not do its job (bad input, unreachable server...).
pub const EXIT_FAILURE: u8 = 2;

/// Runs a parsed command line; user-facing errors come back as one line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let interactive = cli.uses_tui();
    // `--har FILE`: record this run (finished when this returns), or read a recording.
    let _transcript = commands::transcript::begin(&cli).await?;
    let Some(command) = &cli.command else {
        return match &cli.url {
            Some(url) => tui_at(url).await,
            None if interactive => {
                tui::run(tui::Start::Home).await?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                // Not on a terminal: the wizard cannot run, so say what can.
                use clap::CommandFactory;
                cli::Cli::command().print_help()?;
                Ok(ExitCode::SUCCESS)
            }
        };
    };
    match command {
        Command::Tui(a) => tui_at(&a.url).await,
        Command::Discover(a) => commands::discover::run(a).await,
        Command::Validate(a) => commands::validate::run(a).await,
        Command::Scopes(a) => commands::scopes::run(a).await,
        Command::DemoServer(a) => commands::demo_server::run(a).await,
        Command::Demo(a) if a.serve => commands::demo::serve(a).await,
        Command::Demo(a) if interactive => demo_tui(a).await,
        Command::Demo(a) => commands::demo::summary(a).await,
        Command::Profiles(a) => commands::profiles::run(a).await,
        Command::Register(a) => commands::register::run(a).await,
        Command::Authorize(a) => commands::authorize::run(a).await,
        Command::Token(a) => commands::token::run(a).await,
        Command::Forget(a) => commands::forget::run(a).await,
        Command::Completions(a) => commands::completions::run(a),
        Command::Man(a) => commands::man::run(a),
        Command::Replay(a) => commands::replay::run(a).await,
        Command::Report(a) => commands::report::run(a).await,
        Command::Catalog(a) if a.browses() => {
            tui::run(tui::Start::Catalog(a.db.clone())).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Catalog(a) => commands::catalog::run(a).await,
        Command::Clients(a) => commands::clients::run(a).await,
        Command::Credentials(a) => commands::credentials::run(a).await,
        Command::Messages(a) => commands::messages::run(a).await,
        Command::Grants(a) => commands::grants::run(a).await,
        Command::Files(a) => commands::files::run(a).await,
        Command::Status(a) => commands::status::run(a).await,
    }
}

/// The interactive wizard at `url`.
async fn tui_at(url: &str) -> anyhow::Result<ExitCode> {
    // `cds-wizard PROFILE`: a stored profile's name (not an address) opens its Console.
    let stored = !url.contains("://")
        && profiles::Index::load_default().is_ok_and(|ix| ix.profile(url).is_some());
    let start = if stored {
        tui::Start::Console(url.to_owned())
    } else {
        tui::Start::Url(url.to_owned())
    };
    tui::run(start).await?;
    Ok(ExitCode::SUCCESS)
}

/// `cds-wizard demo` on a terminal: the remembered demo utility (started here, or the one
/// another process serves) and the wizard at it.
async fn demo_tui(a: &cli::DemoArgs) -> anyhow::Result<ExitCode> {
    let (hosted, url) = commands::demo::start(a).await?;
    let result = tui::run(tui::Start::Url(url)).await;
    if let Some(h) = hosted {
        if h.remembers() {
            eprintln!(
                "The demo utility's state is kept in {} for next time (`cds-wizard demo --fresh` \
             starts over).",
                text::sanitize(&h.state_file().display().to_string())
            );
        }
        h.stop().await;
    }
    result?;
    Ok(ExitCode::SUCCESS)
}
