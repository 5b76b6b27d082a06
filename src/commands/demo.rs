//! `cds-wizard demo` without the wizard: the remembered demo utility (`demo_home`, issue 10
//! point 6) summarized like `discover` (`--summary`, `--json`), or served until interrupted
//! (`--serve`); and the start both share with the wizard (`--fresh` starts over).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::DemoArgs;
use crate::demo_home::{self, DemoHome, Found, Hosted, Role};
use crate::text::sanitize;

/// The remembered demo: served by this process (returned, stop it when done), or the address of
/// the process that already serves it. What was done is said on stderr.
pub async fn start(args: &DemoArgs) -> anyhow::Result<(Option<Hosted>, String)> {
    let home = DemoHome::default_home()?;
    let found = if args.fresh {
        Found::Hosted(Box::new(demo_home::host(&home, Role::Serving, true).await?))
    } else {
        demo_home::host_or_find(&home, Role::Serving).await?
    };
    match found {
        Found::Hosted(h) => {
            for n in h.notes() {
                eprintln!("note: {}", sanitize(&n));
            }
            if h.discarded.is_some() || h.lost {
                stale_profiles_note();
            }
            let url = h.base_url.clone();
            Ok((Some(*h), url))
        }
        Found::Elsewhere(info) => {
            eprintln!(
                "note: the demo utility is already running in another cds-wizard process (pid \
                 {}) at {}; using it.",
                info.pid,
                sanitize(&info.base_url)
            );
            Ok((None, info.base_url))
        }
    }
}

/// After `--fresh`: the stored profiles that belonged to the discarded state.
fn stale_profiles_note() {
    let Ok(index) = crate::profiles::Index::load_default() else {
        return;
    };
    let names = demo_home::demo_profiles(&index);
    if !names.is_empty() {
        eprintln!(
            "note: these profiles were registered with the discarded state and no longer work: \
             {} (`cds-wizard forget NAME` removes one).",
            sanitize(&names.join(", "))
        );
    }
}

/// `cds-wizard demo --summary` (or not on a terminal): the remembered demo, discovered and
/// summarized.
pub async fn summary(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let (hosted, url) = start(args).await?;
    let result = super::run_discovery(&url, 15).await;
    if let Some(h) = hosted {
        h.stop().await;
    }
    let d = result?;
    if args.json {
        super::print_json(&super::discover::json_of(&d));
    } else {
        super::discover::print_summary(&d);
    }
    Ok(ExitCode::SUCCESS)
}

/// `cds-wizard demo --serve`: the remembered demo until interrupted, for apps and scripts.
pub async fn serve(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let (hosted, url) = start(args).await?;
    let Some(h) = hosted else {
        anyhow::bail!(
            "the demo utility is already served at {}; use that address",
            sanitize(&url)
        );
    };
    // Listening for Ctrl-C before anyone can know the address.
    let interrupted = match super::replay::interrupt() {
        Ok(i) => i,
        Err(e) => {
            h.stop().await;
            return Err(e);
        }
    };
    // The first line is the contract with scripts and tests (as `demo-server`'s).
    let mut banner = format!(
        "LISTENING {base}\nServer metadata: {base}/.well-known/cds-server-metadata.json\n\
         State: {state}\n\
         Test accounts for the consent pages: {base}/docs/test-accounts\n",
        base = h.base_url,
        state = if h.remembers() {
            format!(
                "{}, sealed with a key in the OS keyring (`cds-wizard demo --fresh` starts over)",
                sanitize(&h.state_file().display().to_string())
            )
        } else {
            "not remembered this time (no OS keyring)".to_owned()
        },
    );
    banner.push_str("Press Ctrl-C to stop.\n");
    {
        let mut out = std::io::stdout().lock();
        out.write_all(banner.as_bytes())?;
        out.flush()?;
    }
    interrupted.await;
    h.stop().await;
    Ok(ExitCode::SUCCESS)
}
