//! `cds-wizard demo-server`: the demo utility as a standalone CDS server until interrupted.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::DemoServerArgs;
use crate::demo::{DemoOptions, DemoServer};

pub async fn run(args: &DemoServerArgs) -> anyhow::Result<ExitCode> {
    if args.state.is_some() && args.port == 0 {
        // Stored URLs are rewritten to the new port at load (demo/persist.rs), but an app that
        // kept a copy of them (client URIs, credential URIs) would point at a dead port.
        eprintln!(
            "warning: --state without --port: the port changes on every start; pass --port to \
             keep stored URLs stable"
        );
    }
    let server = DemoServer::start(
        args.port,
        DemoOptions {
            latency: Duration::from_millis(args.latency_ms),
            faults: args.faults.clone(),
            hostile_strings: args.hostile_strings,
            state_file: args.state.clone(),
            ..DemoOptions::default()
        },
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot start the demo server on 127.0.0.1:{}: {e}",
            args.port
        )
    })?;
    {
        // The first line is the contract with scripts and tests: flush it at once.
        let mut out = std::io::stdout().lock();
        writeln!(out, "LISTENING {}", server.base_url)?;
        writeln!(
            out,
            "Server metadata: {}/.well-known/cds-server-metadata.json",
            server.base_url
        )?;
        writeln!(out, "Press Ctrl-C to stop.")?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    server.stop().await;
    Ok(ExitCode::SUCCESS)
}
