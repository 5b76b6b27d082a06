//! cds-wizard: onboard an app to an energy utility through the LF Energy Connected Data
//! Specifications (CDS-WG1-01 server metadata, CDS-WG1-02 client registration, CDS-WG3-01
//! customer-data scopes).

pub mod cds;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod http;
pub mod oauth;
pub mod onboarding;
pub mod text;
pub mod vault;

use std::process::ExitCode;

use cli::{Cli, Command};

/// Exit code for a command that could not do its job (bad input, unreachable server...).
pub const EXIT_FAILURE: u8 = 2;

/// Runs a parsed command line; user-facing errors come back as one line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Discover(a) => commands::discover::run(a).await,
        Command::Validate(a) => commands::validate::run(a).await,
        Command::Scopes(a) => commands::scopes::run(a).await,
        Command::DemoServer(a) => commands::demo_server::run(a).await,
        Command::Demo(a) => demo(a.json).await,
        Command::Profiles(a) => commands::profiles::run(a).await,
        Command::Register(a) => commands::register::run(a).await,
        Command::Authorize(a) => commands::authorize::run(a).await,
        Command::Token(a) => commands::token::run(a).await,
        Command::Forget(a) => commands::forget::run(a).await,
    }
}

/// `cds-wizard demo`: the demo utility in-process, discovered and summarized.
async fn demo(json: bool) -> anyhow::Result<ExitCode> {
    let server = demo::DemoServer::start(0, demo::DemoOptions::default()).await?;
    let result = commands::run_discovery(&server.base_url, 15).await;
    server.stop().await;
    let d = result?;
    if json {
        commands::print_json(&commands::discover::to_json(&d));
    } else {
        commands::discover::print_summary(&d);
    }
    Ok(ExitCode::SUCCESS)
}
