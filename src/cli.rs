//! The command line (clap): one subcommand per headless step.

use clap::{Args, Parser, Subcommand};

mod catalog;
mod console;

pub use catalog::*;
pub use console::*;

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
#[command(subcommand_precedence_over_arg = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the interactive wizard at this utility (same as `cds-wizard tui URL`).
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// Record every HTTP exchange of this run into FILE as HAR 1.2 (created 0600, never
    /// overwritten; credentials and secrets redacted). With `discover`, `validate` or `scopes`
    /// and no URL: read an existing recording instead, with no network.
    #[arg(long, global = true, value_name = "FILE")]
    pub har: Option<std::path::PathBuf>,
}

impl Cli {
    /// Whether this run draws the interactive wizard (so logs must not go to the terminal).
    pub fn uses_tui(&self) -> bool {
        use std::io::IsTerminal;
        match &self.command {
            None => {
                self.url.is_some()
                    || (std::io::stdout().is_terminal() && std::io::stdin().is_terminal())
            }
            Some(Command::Tui(_)) => true,
            Some(Command::Demo(a)) => {
                !a.json
                    && !a.summary
                    && !a.serve
                    && std::io::stdout().is_terminal()
                    && std::io::stdin().is_terminal()
            }
            Some(Command::Catalog(a)) if a.browses() => true,
            Some(_) => false,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the built-in demo utility and open the interactive wizard at it (on a terminal;
    /// otherwise, or with --summary, print what discovery found). It remembers its state in the
    /// program's home and comes back on the same port (--fresh starts over); the state is
    /// sealed with a key in the OS keyring, and not kept at all when no keyring works.
    Demo(DemoArgs),
    /// Open the interactive wizard at a utility's URL.
    Tui(TuiArgs),
    /// Discover a utility: server metadata, related entities, coverage, OAuth metadata.
    Discover(TargetArgs),
    /// Check a utility's documents against the CDS specifications (exit 1 on any error).
    Validate(ValidateArgs),
    /// List a utility's scope catalog: scopes, what they require and cost, and their modifiers.
    Scopes(TargetArgs),
    /// Run the built-in demo utility as a standalone CDS server on 127.0.0.1.
    DemoServer(DemoServerArgs),
    /// List registered profiles and their clients, and where their secrets are kept (never the
    /// secrets themselves).
    Profiles(ProfilesArgs),
    /// Register an app with a utility from an answers file; every secret goes to the OS keyring.
    Register(RegisterArgs),
    /// Ask a customer for consent (authorization code + PKCE, by PAR when offered).
    Authorize(AuthorizeArgs),
    /// Print a currently valid access token for a profile's client (refreshing as needed).
    Token(TokenArgs),
    /// Revoke a profile's tokens where possible and remove its keyring and index entries.
    Forget(ForgetArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout, or write one page per command into a folder.
    Man(ManArgs),
    /// Serve a recorded transcript (HAR) on 127.0.0.1 so `discover`, `validate`, `scopes` and
    /// the wizard see exactly what the recorded client saw, faults included.
    Replay(ReplayArgs),
    /// Write one archive for support: version, platform, keyring backend, the profile, its
    /// keyring check, a fresh discovery, the last transcript and the last error, redacted.
    Report(ReportArgs),
    /// The research catalog: crawl many utilities into a SQLite database, then query, compare
    /// and export their scope catalogs offline.
    Catalog(CatalogArgs),
    /// A registered profile's Client objects: list, show, modify (WG1-02 §5).
    Clients(ClientsArgs),
    /// A profile's client secrets: list, create, expire, rotate (WG1-02 §7).
    Credentials(CredentialsArgs),
    /// The utility's messages: list, show, mark read, send requests and answers (WG1-02 §6).
    Messages(MessagesArgs),
    /// Customer Grants of a profile's clients: list, show, close, reduce (WG1-02 §8).
    Grants(GrantsArgs),
    /// Files the utility shares: list, show, download (WG1-02 §9).
    Files(FilesArgs),
    /// One-screen summary of a profile: clients, requests, grants, expiries, what needs you
    /// (exit 1 when something does).
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording (written by `--har FILE`, or any HAR 1.2 file).
    #[arg(value_name = "FILE.har")]
    pub file: std::path::PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Answer as slowly as the recorded server did.
    #[arg(long)]
    pub timing: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The registered profile the report is about.
    pub profile: String,
    /// Where to write the archive (default: `cds-wizard-report-<profile>-<time>.tar.gz` here);
    /// an existing file is never overwritten.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Seconds to wait for each response of the fresh discovery.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for, e.g. `cds-wizard completions bash > /etc/bash_completion.d/cds-wizard`.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `cds-wizard.1` and one `cds-wizard-<command>.1` per command into this folder
    /// (created if missing; existing pages are never overwritten).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Base URL of the utility or URL of its metadata document.
    #[arg(required_unless_present = "resume")]
    pub url: Option<String>,
    /// The answers file (TOML or JSON): scopes, client metadata, registration fields,
    /// authorization details. See assets/answers-demo.toml.
    #[arg(long, value_name = "FILE", required_unless_present = "resume")]
    pub answers: Option<std::path::PathBuf>,
    /// The local profile name (overrides `profile` in the answers file).
    #[arg(long)]
    pub profile: Option<String>,
    /// Continue an interrupted registration from its last completed step.
    #[arg(long, value_name = "PROFILE", conflicts_with_all = ["url", "answers", "profile"])]
    pub resume: Option<String>,
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// The keyring to keep the secrets in (`secret-service`, `keyutils`, ...; default: the
    /// platform's). Naming `keyutils` here (or in CDS_WIZARD_KEYRING) is also the confirmation
    /// that secrets which do not survive a reboot are acceptable.
    #[arg(long, value_name = "NAME", env = "CDS_WIZARD_KEYRING")]
    pub keyring: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The registered profile (see `cds-wizard profiles`).
    #[arg(required_unless_present = "issuer")]
    pub profile: Option<String>,
    /// The Client object to authorize (default: the code-flow client in the sandbox).
    #[arg(long)]
    pub client: Option<String>,
    /// Use the production code-flow client instead of the sandbox one.
    #[arg(long)]
    pub production: bool,
    /// The scope to ask for (default: the client's scope).
    #[arg(long)]
    pub scope: Option<String>,
    /// RFC 9396 authorization details: a JSON array, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    pub authorization_details: Option<String>,
    /// Print the URL (`AUTHORIZE_URL <url>` on stdout, a QR code on a terminal's stderr)
    /// instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the customer's answer.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Seconds to wait for each server response.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout: u64,
    /// Use the server's default receipt redirect and paste the address it ends on.
    #[arg(long)]
    pub use_default_redirect: bool,
    /// Any standards OAuth 2 server (RFC 8414 discovery): its issuer URL, instead of a profile.
    #[arg(long, requires = "client_id", conflicts_with = "profile")]
    pub issuer: Option<String>,
    /// With --issuer: the client id.
    #[arg(long)]
    pub client_id: Option<String>,
    /// With --issuer: the environment variable holding the client secret (none: a public client).
    #[arg(long, value_name = "VAR")]
    pub client_secret_env: Option<String>,
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    pub profile: String,
    /// The Client object (default: the code-flow client holding tokens, else the admin client).
    #[arg(long)]
    pub client: Option<String>,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    pub profile: String,
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Remove the profile even when a token could not be revoked (the server is gone for
    /// good); without it a failed revocation removes nothing.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Ask the OS keyring whether every recorded secret is really there (exit 1 when one is
    /// missing or cannot be checked). Values are never printed.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge the documents by this draft instead of the one they follow: `2026` turns every
    /// `upgrade.` finding (a rule the newest draft added) into an error.
    #[arg(long = "target", value_name = "DRAFT", value_parser = ["2026"])]
    pub target_draft: Option<String>,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Base URL of the utility (https://utility.example) or URL of its metadata document.
    /// Without it, `--har FILE.har` reads a recording instead.
    #[arg(required_unless_present = "har")]
    pub url: Option<String>,
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// Seconds for the whole discovery, every request included.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub deadline: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print JSON instead of the human summary.
    #[arg(long)]
    pub json: bool,
    /// Print the discovery summary instead of opening the wizard.
    #[arg(long)]
    pub summary: bool,
    /// Start over: discard the demo's remembered state (its clients, credentials with their
    /// secrets, grants and tokens; the port is kept). Profiles registered with it stop working.
    #[arg(long)]
    pub fresh: bool,
    /// Serve the remembered demo until interrupted, without the wizard (first line:
    /// `LISTENING <url>`), for apps and scripts to use.
    #[arg(long, conflicts_with_all = ["json", "summary"])]
    pub serve: bool,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Base URL of the utility (https://utility.example) or URL of its metadata document.
    pub url: String,
}

#[derive(Debug, Args)]
pub struct DemoServerArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Delay every response by this many milliseconds (simulates a distant server).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub latency_ms: u64,
    /// Inject a fault into matching requests (repeatable; for testing clients).
    ///
    /// Syntax: PATH:FAULT[,FAULT...]
    ///   PATH is exact (/cds/coverage), a prefix ending in * (/cds/*), or * for every path;
    ///   the query string is not matched. The first rule that matches and has uses left applies.
    /// FAULTs:
    ///   latency=DURATION  wait first: 200 (ms), 200ms, 2s
    ///   status=CODE       answer CODE (400-599) with a JSON error body; the handler never runs
    ///   truncate          the real JSON body cut in half
    ///   invalid-json      the real body followed by garbage (still application/json)
    ///   oversize=SIZE     SIZE of whitespace before the real body, streamed without a
    ///                     Content-Length: 1000, 64KB, 50MB, 1GiB (KB/MB/GB = 1000^n, KiB... = 1024^n)
    ///   drip=DURATION     the real body a few bytes at a time, DURATION between pieces
    ///   chunk=BYTES       piece size for drip (default 16)
    ///   reset             half the real body, then the connection drops mid-body
    ///   hostile           every string value of the JSON body carries escapes and bidi controls
    ///   count=N           only the first N matching requests, then normal (default: all)
    /// Examples:
    ///   --fault '/cds/coverage:latency=200'
    ///   --fault '/oauth/token:status=503,count=2'
    ///   --fault '/cds/*:drip=100ms,chunk=8'
    ///   --fault '/.well-known/oauth-authorization-server:oversize=50MB'
    #[arg(
        long = "fault",
        value_name = "PATH:FAULT",
        value_parser = crate::demo::faults::parse_fault_spec,
        verbatim_doc_comment
    )]
    pub faults: Vec<crate::demo::faults::FaultRule>,
    /// Serve documents whose names and descriptions carry terminal escapes, C1 controls, bidi
    /// overrides, zero-width characters and very long text (tests a client's sanitizing).
    #[arg(long)]
    pub hostile_strings: bool,
    /// Keep registrations (clients, credentials with secrets, messages, grants, tokens) in FILE:
    /// loaded at start (a missing file starts empty, an unreadable one is an error) and saved
    /// atomically after changes, mode 0600. Use with --port: stored URLs are rewritten to a new
    /// port at start, but copies an app kept elsewhere are not. FILE holds the client secrets
    /// and tokens in clear (the server's own data file); `cds-wizard demo` seals its state.
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// Refuse authorization requests that do not come through PAR (RFC 9126).
    #[arg(long)]
    pub require_par: bool,
    /// Add N generated scope descriptions to the scope catalog (performance testing; see
    /// BENCHMARKS.md). Scaled documents are served as compact JSON.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub scale_scopes: u32,
    /// Add M generated coverage entries to the coverage listing, 1,000 a page (performance
    /// testing; see BENCHMARKS.md).
    #[arg(long, value_name = "M", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub scale_coverage: u32,
    /// Serve a fleet of N varied demo utilities instead of one (for `catalog crawl`): each
    /// under /u/<slug>/, their metadata URLs listed at /fleet.txt.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub fleet: u32,
    /// The fleet's seed: the same seed serves the same utilities.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "fleet")]
    pub seed: u64,
    /// The fleet's epoch: each epoch after 1 changes a quarter of the utilities' catalogs.
    #[arg(long, value_name = "E", default_value_t = 1, requires = "fleet", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub epoch: u32,
    /// Extra delay of the fleet's slow utilities (one in ten), in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 400, requires = "fleet")]
    pub slow_ms: u64,
    /// Review Grant reductions asynchronously: answer 202 Accepted with the Grant pending,
    /// settled after the review delay (exercises a client's 202 path, WG1-02 §8.6).
    #[arg(long)]
    pub grant_review: bool,
    /// Serve the catalog as servers of an older draft write it: `2025` (CDSC 2025: the
    /// `/.well-known/carbon-data-spec.json` path, `client_admin` and the other fixed scope ids)
    /// or `2023` (the May 2023 scope lists); `2026` by default.
    #[arg(long, value_name = "YEAR", default_value = "2026", value_parser = ["2026", "2025", "2023"])]
    pub draft: String,
}
