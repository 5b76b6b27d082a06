//! `cds-wizard replay FILE.har`: a recorded transcript served on 127.0.0.1 until interrupted
//! (issue 12 item 4); the requests it had no answer for are listed at the end.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::ReplayArgs;
use crate::onboarding::transcript::recording::Recording;
use crate::onboarding::transcript::replay::ReplayServer;
use crate::text::sanitize;

pub async fn run(args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    // Listening for Ctrl-C before the banner: a script may interrupt as soon as it reads it.
    let interrupted = interrupt()?;
    let recording = Recording::load(&args.file)?;
    let exchanges = recording.entries.len();
    let server = ReplayServer::start(recording, args.port, args.timing)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    // The first line is the contract with scripts and tests (as for demo-server); one write.
    let mut banner = format!(
        "LISTENING {base}\nReplaying {exchanges} exchanges of {file}{timing}\n",
        base = server.base_url,
        file = sanitize(&args.file.display().to_string()),
        timing = if args.timing {
            ", at the recorded pace"
        } else {
            ""
        },
    );
    for (from, to) in &server.mapping {
        banner.push_str(&format!("  {} -> {}\n", sanitize(from), sanitize(to)));
    }
    if let Some(start) = server.start_url() {
        banner.push_str(&format!("Try: cds-wizard discover {}\n", sanitize(&start)));
    }
    banner.push_str("Press Ctrl-C to stop.\n");
    {
        let mut out = std::io::stdout().lock();
        out.write_all(banner.as_bytes())?;
        out.flush()?;
    }
    interrupted.await;
    let missing = server.stop().await;
    let mut out = std::io::stdout().lock();
    if missing.is_empty() {
        writeln!(out, "Every request was answered from the recording.")?;
    } else {
        writeln!(
            out,
            "{} request{} the recording had no answer for (answered 404):",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        )?;
        for m in &missing {
            writeln!(out, "  {}", sanitize(m))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A future that completes on Ctrl-C (SIGINT), listening from the moment this returns.
#[cfg(unix)]
pub fn interrupt() -> anyhow::Result<impl Future<Output = ()>> {
    let mut sig = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        sig.recv().await;
    })
}

#[cfg(not(unix))]
pub fn interrupt() -> anyhow::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
