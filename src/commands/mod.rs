//! Headless commands: each parses nothing (clap did), calls the engine, and prints.

pub mod authorize;
pub mod catalog;
pub mod clients;
pub mod completions;
pub mod console;
pub mod credentials;
pub mod demo;
pub mod demo_server;
pub mod discover;
pub mod files;
pub mod forget;
pub mod grants;
pub mod man;
pub mod messages;
pub mod profiles;
pub mod register;
pub mod replay;
pub mod report;
pub mod scopes;
pub mod status;
pub mod token;
pub mod transcript;
pub mod validate;

use std::time::Duration;

use crate::http::{HttpClient, HttpPolicy};
use crate::onboarding::discovery::{self, Discovery, DiscoveryLimits};

pub use transcript::target_url;

/// Exit codes: 0 success, 1 the check found errors, 2 the command could not do its job.
pub const EXIT_FINDINGS: u8 = 1;

/// The HTTP client for a command, with the command's timeout.
pub fn http_client(timeout_secs: u64) -> anyhow::Result<HttpClient> {
    // Attached to the run's transcript recorder when `--har FILE` asked for one.
    Ok(crate::onboarding::transcript::observed(HttpClient::new(
        HttpPolicy {
            timeout: Duration::from_secs(timeout_secs),
            ..HttpPolicy::default()
        },
    )?))
}

/// Runs discovery for a command, with the command's timeout; a document that is JSON but not
/// CDS server metadata is an error (exit 2).
pub async fn run_discovery(url: &str, timeout_secs: u64) -> anyhow::Result<Discovery> {
    Ok(run_discovery_lenient(url, timeout_secs)
        .await?
        .require_cds()?)
}

/// Discovery for `discover`, `scopes` and `validate` (`lenient`: whatever the URL serves, CDS
/// or not), with their per-request timeout and overall deadline.
pub async fn run_target_discovery(
    args: &crate::cli::TargetArgs,
    lenient: bool,
) -> anyhow::Result<Discovery> {
    let client = http_client(args.timeout)?;
    let limits = DiscoveryLimits {
        deadline: Duration::from_secs(args.deadline),
        ..DiscoveryLimits::default()
    };
    let d = discovery::discover(&client, &target_url(args)?, &limits, None).await?;
    Ok(if lenient { d } else { d.require_cds()? })
}

/// What a command held (a discovery, a catalog), left as the process exits: the system takes
/// the memory back at once, where freeing a large discovery block by block took a tenth of
/// `validate`'s time (issue 15). Only for data: nothing holding a file, lock or connection.
pub(crate) fn leave_for_exit<T>(data: T) {
    std::mem::forget(data);
}

/// Discovery of whatever the URL serves, CDS or not: `validate` lists every finding.
pub async fn run_discovery_lenient(url: &str, timeout_secs: u64) -> anyhow::Result<Discovery> {
    let client = http_client(timeout_secs)?;
    Ok(discovery::discover(&client, url, &DiscoveryLimits::default(), None).await?)
}

/// Prints a JSON value to stdout, with characters that could act on a terminal escaped.
pub fn print_json<T: serde::Serialize + ?Sized>(v: &T) {
    if transcript::maps_origins() {
        // An offline run (`--har FILE` without a URL) names the recorded origins: the text is
        // rewritten as a whole (recordings are size-capped).
        let text = serde_json::to_string_pretty(v).unwrap_or_default();
        let text = transcript::unmap(text);
        println!("{}", crate::text::escape_json_for_terminal(&text));
        return;
    }
    // Streamed: a utility's documents can be tens of megabytes, and nothing needs them as one
    // text (issue 15). The same bytes as the text path.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = crate::text::write_json_for_terminal(&mut out, v)
        .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
        .and_then(|()| std::io::Write::flush(&mut out));
    if let Err(e) = written {
        // What `println!` does; the panic hook ends a broken pipe quietly, as `head` expects.
        panic!("failed printing to stdout: {e}");
    }
}
