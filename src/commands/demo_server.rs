//! `cds-wizard demo-server`: the demo utility as a standalone CDS server until interrupted.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::DemoServerArgs;
use crate::demo::scale::Scale;
use crate::demo::{DemoOptions, DemoServer, test_accounts};

pub async fn run(args: &DemoServerArgs) -> anyhow::Result<ExitCode> {
    if args.fleet > 0 {
        return run_fleet(args).await;
    }
    if args.state.is_some() && args.port == 0 {
        // Stored URLs are rewritten to the new port at load (demo/persist.rs), but an app that
        // kept a copy of them (client URIs, credential URIs) would point at a dead port.
        eprintln!(
            "warning: --state without --port: the port changes on every start; pass --port to \
             keep stored URLs stable"
        );
    }
    // One process serves a state file at a time (the lock `cds-wizard demo` takes too).
    let _lock = match &args.state {
        Some(path) => Some(crate::demo_home::lock_state(path)?),
        None => None,
    };
    let server = DemoServer::start(
        args.port,
        DemoOptions {
            latency: Duration::from_millis(args.latency_ms),
            faults: args.faults.clone(),
            hostile_strings: args.hostile_strings,
            state_file: args.state.clone(),
            require_par: args.require_par,
            grant_review: args.grant_review,
            draft: match args.draft.as_str() {
                "2025" => crate::cds::drafts::Draft::Cdsc2025,
                "2023" => crate::cds::drafts::Draft::Cdsc2023,
                _ => crate::cds::drafts::Draft::Cds2026,
            },
            scale: Scale {
                scopes: args.scale_scopes as usize,
                coverage: args.scale_coverage as usize,
            },
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
    let _announced = match &args.state {
        Some(path) => Some(crate::demo_home::announce(path, &server.base_url)?),
        None => None,
    };
    // The first line is the contract with scripts and tests. Everything goes out in one write,
    // so a reader that stops after the first line cannot make a later write fail.
    let mut banner = format!(
        "LISTENING {base}\nServer metadata: {base}/.well-known/cds-server-metadata.json\n\
         Test accounts for the consent pages ({base}/docs/test-accounts):\n",
        base = server.base_url
    );
    for a in test_accounts() {
        banner.push_str(&format!(
            "  {:<8} password {:<12} {}\n",
            a.username, a.password, a.description
        ));
    }
    banner.push_str("Press Ctrl-C to stop.\n");
    {
        let mut out = std::io::stdout().lock();
        out.write_all(banner.as_bytes())?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    server.stop().await;
    Ok(ExitCode::SUCCESS)
}

/// `demo-server --fleet N`: N varied utilities on one loopback server until interrupted.
async fn run_fleet(args: &DemoServerArgs) -> anyhow::Result<ExitCode> {
    use crate::demo::fleet::{FleetOptions, FleetServer};
    let server = FleetServer::start(
        args.port,
        FleetOptions {
            size: args.fleet as usize,
            seed: args.seed,
            epoch: args.epoch,
            latency: Duration::from_millis(args.latency_ms),
            slow: Duration::from_millis(args.slow_ms),
        },
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot start the demo fleet on 127.0.0.1:{}: {e}",
            args.port
        )
    })?;
    let banner = format!(
        "LISTENING {base}\nFleet of {n} utilities (seed {seed}, epoch {epoch}); their metadata \
         URLs: {base}/fleet.txt\nCrawl it: cds-wizard catalog crawl --from <(curl -s \
         {base}/fleet.txt)\nPress Ctrl-C to stop.\n",
        base = server.base_url,
        n = args.fleet,
        seed = args.seed,
        epoch = args.epoch,
    );
    {
        let mut out = std::io::stdout().lock();
        out.write_all(banner.as_bytes())?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    server.stop().await;
    Ok(ExitCode::SUCCESS)
}
