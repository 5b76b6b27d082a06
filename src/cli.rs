//! The command line (clap): one subcommand per headless step.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cds-wizard",
    version,
    about = "Onboard an app to an energy utility through the LF Energy Connected Data Specifications (CDS)",
    long_about = "Discover a utility's CDS capabilities and coverage, browse its scope catalog, \
                  and check its documents against the CDS specifications.\n\n\
                  Every command takes a utility's base URL (https://utility.example) or the URL of \
                  its metadata document. `cds-wizard demo-server` runs a built-in demo utility on \
                  loopback to try everything against."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the built-in demo utility and discover it (the quickest way to see everything).
    Demo(DemoArgs),
    /// Discover a utility: server metadata, related entities, coverage, OAuth metadata.
    Discover(TargetArgs),
    /// Check a utility's documents against the CDS specifications (exit 1 on any error).
    Validate(TargetArgs),
    /// List a utility's scope catalog: scopes, what they require and cost, and their modifiers.
    Scopes(TargetArgs),
    /// Run the built-in demo utility as a standalone CDS server on 127.0.0.1.
    DemoServer(DemoServerArgs),
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Base URL of the utility (https://utility.example) or URL of its metadata document.
    pub url: String,
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoServerArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Delay every response by this many milliseconds (simulates a distant server).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub latency_ms: u64,
}
