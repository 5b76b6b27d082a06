//! Entry point: parse the command line, run, and turn failures into one clear line on stderr.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cds_wizard::memory::tune_allocator();
    // A bug must still end in one line, not a backtrace that could quote a server's response.
    std::panic::set_hook(Box::new(|info| {
        if broken_stdout(info) {
            // Output piped into `head` ends the program quietly, as other Unix tools do (the
            // status a shell reports for SIGPIPE). SIGPIPE itself stays ignored: a socket
            // closed by its peer must be an error, not the end of a server or a download.
            std::process::exit(141);
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{place}; please report it (run with CDS_WIZARD_LOG=debug for details)"
        );
    }));
    let cli = cds_wizard::cli::Cli::parse();
    secure_home();
    if let Ok(filter) = std::env::var("CDS_WIZARD_LOG") {
        let builder =
            tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter));
        if cli.uses_tui() {
            // The wizard owns the terminal: logs go to a file beside the profile index, or
            // nowhere when it cannot be opened.
            if let Some(file) = tui_log_file() {
                let _ = builder
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .try_init();
            }
        } else {
            let _ = builder.with_writer(std::io::stderr).try_init();
        }
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(cds_wizard::EXIT_FAILURE);
        }
    };
    match runtime.block_on(cds_wizard::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            // One line, sanitized: errors can quote server text.
            // Multi-line errors (every problem of an answers file) keep their lines.
            let text = format!("{e:#}");
            let lines: Vec<String> = text.lines().map(cds_wizard::text::sanitize).collect();
            eprintln!("error: {}", lines.join("\n  "));
            // Kept (redacted) for `cds-wizard report`.
            cds_wizard::commands::transcript::remember_error(&lines.join("\n"));
            ExitCode::from(cds_wizard::EXIT_FAILURE)
        }
    }
}

/// `tui.log` in the program's home (`CDS_WIZARD_HOME` or `<config dir>/cds-wizard`), appended to.
/// Private (0600 in a 0700 home): the log names utilities, clients and keyring accounts.
fn tui_log_file() -> Option<std::fs::File> {
    use cds_wizard::profiles::lock;
    let dir = cds_wizard::profiles::home().ok()?;
    lock::create_private_dir(&dir).ok()?;
    lock::open_private_append(&dir.join("tui.log")).ok()
}

/// A home that other users can read is made private before anything is read or written in it,
/// and the user is told (once: the next run finds it private).
fn secure_home() {
    let Ok(home) = cds_wizard::profiles::home() else {
        return;
    };
    match cds_wizard::profiles::lock::tighten_dir(&home) {
        Ok(Some(note)) => eprintln!("note: {}", cds_wizard::text::sanitize(&note)),
        Ok(None) => {}
        Err(e) => eprintln!(
            "warning: cannot make {} private: {e}",
            cds_wizard::text::sanitize(&home.display().to_string())
        ),
    }
}

/// Whether a panic is a write to stdout finding it closed (EPIPE): `println!`, or a library
/// writing a long text (completions, manual pages) that `expect`s the write to succeed.
fn broken_stdout(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.contains("Broken pipe")
}
