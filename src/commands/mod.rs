//! Headless commands: each parses nothing (clap did), calls the engine, and prints.

pub mod authorize;
pub mod clients;
pub mod completions;
pub mod console;
pub mod credentials;
pub mod demo_server;
pub mod discover;
pub mod files;
pub mod forget;
pub mod grants;
pub mod man;
pub mod messages;
pub mod profiles;
pub mod register;
pub mod scopes;
pub mod status;
pub mod token;
pub mod validate;

use std::time::Duration;

use crate::http::{HttpClient, HttpPolicy};
use crate::onboarding::discovery::{self, Discovery, DiscoveryLimits};

/// Exit codes: 0 success, 1 the check found errors, 2 the command could not do its job.
pub const EXIT_FINDINGS: u8 = 1;

/// The HTTP client for a command, with the command's timeout.
pub fn http_client(timeout_secs: u64) -> anyhow::Result<HttpClient> {
    Ok(HttpClient::new(HttpPolicy {
        timeout: Duration::from_secs(timeout_secs),
        ..HttpPolicy::default()
    })?)
}

/// Runs discovery for a command, with the command's timeout.
pub async fn run_discovery(url: &str, timeout_secs: u64) -> anyhow::Result<Discovery> {
    let client = http_client(timeout_secs)?;
    Ok(discovery::discover(&client, url, &DiscoveryLimits::default(), None).await?)
}

/// Prints a JSON value to stdout, with characters that could act on a terminal escaped.
pub fn print_json(v: &serde_json::Value) {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    println!("{}", crate::text::escape_json_for_terminal(&text));
}
