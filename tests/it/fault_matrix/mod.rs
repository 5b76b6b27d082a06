//! The fault matrix (issue 9 item 6): every engine step the app takes against a utility,
//! walked through every fault the demo injects, with the built binary and the kernel keyring.
//! For each cell: no panic, no control byte on stdout/stderr, and either the command completes
//! or it fails with exit 2 and one error line naming the URL and the step; nothing held is
//! lost; running the command again (or `register --resume`) without the fault finishes the
//! job. The result table is the "Fault matrix" section of RELIABILITY.md (checked here;
//! `FAULT_MATRIX_UPDATE=1` rewrites it).

mod checks;
mod drive;
mod forget_force;

use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use cds_wizard::demo::faults::FaultRule;
use cds_wizard::demo::{DemoOptions, DemoServer};
use cds_wizard::vault::SecretStore;
use cds_wizard::vault::keyring::build;

use drive::{Run, TIMEOUT};

/// The faults, as columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Latency,
    Status,
    Truncate,
    InvalidJson,
    Oversize,
    Drip,
    Reset,
    Hostile,
}

const FAULTS: [Fault; 8] = [
    Fault::Latency,
    Fault::Status,
    Fault::Truncate,
    Fault::InvalidJson,
    Fault::Oversize,
    Fault::Drip,
    Fault::Reset,
    Fault::Hostile,
];

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::Latency => "latency 4 s",
            Fault::Status => "503",
            Fault::Truncate => "truncated JSON",
            Fault::InvalidJson => "invalid JSON",
            Fault::Oversize => "oversized body",
            Fault::Drip => "dripping body",
            Fault::Reset => "reset mid-body",
            Fault::Hostile => "hostile strings",
        }
    }

    /// The demo rule injecting this fault on `path` (every matching request while armed).
    fn rule(self, path: &str) -> FaultRule {
        let r = FaultRule::new(path);
        match self {
            // Beyond the 2 s `--timeout` of the faulted runs.
            Fault::Latency => r.latency(Duration::from_secs(4)),
            Fault::Status => r.status(StatusCode::SERVICE_UNAVAILABLE),
            Fault::Truncate => r.truncate(),
            Fault::InvalidJson => r.invalid_json(),
            // Past the client's 8 MiB cap.
            Fault::Oversize => r.oversize(9 << 20),
            Fault::Drip => r.drip(Duration::from_millis(250), 8),
            Fault::Reset => r.reset(),
            Fault::Hostile => r.hostile(),
        }
    }
}

/// The engine steps, as rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Discovery,
    Registration,
    AdminToken,
    Clients,
    Credentials,
    Messages,
    Par,
    Callback,
    CodeExchange,
    Grants,
    Refresh,
    Revocation,
    ClientsCmd,
    CredentialsCmd,
    MessagesCmd,
    GrantsCmd,
}

const STEPS: [Step; 16] = [
    Step::Discovery,
    Step::Registration,
    Step::AdminToken,
    Step::Clients,
    Step::Credentials,
    Step::Messages,
    Step::Par,
    Step::Callback,
    Step::CodeExchange,
    Step::Grants,
    Step::Refresh,
    Step::Revocation,
    Step::ClientsCmd,
    Step::CredentialsCmd,
    Step::MessagesCmd,
    Step::GrantsCmd,
];

impl Step {
    /// Row label: the step and the command that takes it.
    fn name(self) -> &'static str {
        match self {
            Step::Discovery => "discovery (`discover`)",
            Step::Registration => "registration (`register`)",
            Step::AdminToken => "admin token (`register`)",
            Step::Clients => "Clients API (`register`)",
            Step::Credentials => "Credentials API (`register`)",
            Step::Messages => "Messages API (`register`)",
            Step::Par => "PAR (`authorize`)",
            Step::Callback => "authorization pages → callback (`authorize`)",
            Step::CodeExchange => "code exchange (`authorize`)",
            Step::Grants => "Grants API (`authorize`)",
            Step::Refresh => "refresh (`token`)",
            Step::Revocation => "revocation (`forget`)",
            Step::ClientsCmd => "Clients API (`clients`)",
            Step::CredentialsCmd => "Credentials API (`credentials`)",
            Step::MessagesCmd => "Messages API (`messages`)",
            Step::GrantsCmd => "Grants API (`grants`)",
        }
    }

    /// The console command of a `…Cmd` row.
    fn command(self) -> &'static str {
        match self {
            Step::ClientsCmd => "clients",
            Step::CredentialsCmd => "credentials",
            Step::MessagesCmd => "messages",
            _ => "grants",
        }
    }

    /// The demo path the fault is injected on.
    fn path(self) -> &'static str {
        match self {
            Step::Discovery => "/.well-known/cds-server-metadata.json",
            Step::Registration => "/oauth/register",
            Step::AdminToken | Step::CodeExchange | Step::Refresh => "/oauth/token",
            Step::Clients | Step::ClientsCmd => "/api/clients",
            Step::Credentials | Step::CredentialsCmd => "/api/credentials",
            Step::Messages | Step::MessagesCmd => "/api/messages",
            Step::Par => "/oauth/par",
            // The customer's pages: login, consent (a prefix rule).
            Step::Callback => "/oauth/authorize*",
            Step::Grants | Step::GrantsCmd => cds_wizard::demo::api::grants::GRANTS_PATH,
            Step::Revocation => "/oauth/revoke",
        }
    }

    /// What the error line must name: the URL the app asked (for the callback, its own
    /// listener's wait), and one of the words that name the step.
    fn expect(self, base: &str) -> (String, &'static [&'static str]) {
        let url = format!("{base}{}", self.path());
        let words: &[&str] = match self {
            Step::Discovery => &["discover", "metadata"],
            Step::Registration => &["registration"],
            Step::AdminToken => &["admin token", "admin_token"],
            Step::Clients | Step::ClientsCmd => &["clients"],
            Step::Credentials | Step::CredentialsCmd => &["credentials"],
            Step::Messages | Step::MessagesCmd => &["messages"],
            Step::Par => &["PAR", "pushed authorization"],
            Step::Callback => &["authorization callback"],
            Step::CodeExchange => &["code exchange", "authorization code"],
            Step::Grants | Step::GrantsCmd => &["grant"],
            Step::Refresh => &["refresh"],
            Step::Revocation => &["revocation", "revoke"],
        };
        match self {
            Step::Callback => ("http://127.0.0.1:".into(), words),
            _ => (url, words),
        }
    }
}

/// What a cell found: how the faulted run ended (the retry always finishes the job).
type CellResult = Result<&'static str, String>;

const COMPLETES: &str = "completes";
const FAILS: &str = "exit 2, retry finishes";
const REAUTHORIZE: &str = "exit 2, re-authorize";

fn unique(step: Step, fault: Fault) -> String {
    let s = STEPS.iter().position(|x| *x == step).unwrap_or(0);
    let f = FAULTS.iter().position(|x| *x == fault).unwrap_or(0);
    format!("fm{s}-{f}-{}", std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_through_every_fault() {
    let started = std::time::Instant::now();
    let rows = futures::future::join_all(STEPS.iter().map(|s| row(*s))).await;
    let table = render(&rows);
    let failed: Vec<String> = rows
        .iter()
        .flat_map(|(step, cells)| {
            cells.iter().filter_map(move |(fault, r)| {
                r.as_ref()
                    .err()
                    .map(|e| format!("{} × {}: {e}", step.name(), fault.name()))
            })
        })
        .collect();
    eprintln!("fault matrix: {:?}\n{table}", started.elapsed());
    assert!(
        failed.is_empty(),
        "{} cells failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    check_documented(&table);
}

/// One row: a demo server of its own, the faults one after the other.
async fn row(step: Step) -> (Step, Vec<(Fault, CellResult)>) {
    let server = DemoServer::start(0, DemoOptions::default())
        .await
        .expect("demo server");
    let mut cells = Vec::new();
    for fault in FAULTS {
        let home = tempfile::tempdir().expect("home");
        let profile = unique(step, fault);
        let r = cell(&server, step, fault, home.path(), &profile).await;
        server.state().faults.set(Vec::new());
        cleanup(home.path(), &profile).await;
        cells.push((fault, r));
    }
    server.stop().await;
    (step, cells)
}

async fn cleanup(home: &Path, profile: &str) {
    if home.join("profiles.toml").exists() {
        let _ = drive::run(home, &["forget", profile]).await;
    }
}

fn arm(server: &DemoServer, step: Step, fault: Fault) {
    server.state().faults.set(vec![fault.rule(step.path())]);
}

/// Set-up, the faulted run, the checks, the retry.
async fn cell(
    server: &DemoServer,
    step: Step,
    fault: Fault,
    home: &Path,
    profile: &str,
) -> CellResult {
    let vault = build("keyutils").map_err(|e| e.to_string())?;
    let base = server.base_url.as_str();
    setup(server, step, home, profile).await?;
    let before = checks::held(home, profile, &vault)?;
    let r = faulted(server, step, fault, home, profile).await;
    server.state().faults.set(Vec::new());
    checks::clean_output(&r).map_err(|e| format!("faulted run: {e}\n{}", r.both()))?;
    let completed = r.code == 0 || (step == Step::Discovery && r.code == 1);
    if !completed {
        let (url, words) = step.expect(base);
        checks::clean_error(&r, &url, words).map_err(|e| format!("{e}\n{}", r.both()))?;
        // The callback's URL is the app's own listener, on a port chosen at run time.
        if step == Step::Callback && !r.stderr.contains("/callback within") {
            return Err(format!(
                "the error does not name the listener\n{}",
                r.both()
            ));
        }
        checks::nothing_lost(home, profile, &vault, &before, server)?;
        kept(server, step, home, profile, &vault)?;
        if fault == Fault::Latency {
            // Past the injected latency: a request the server still runs after the client gave
            // up has run before the retry, so the outcome does not depend on the race.
            tokio::time::sleep(Duration::from_millis(2500)).await;
        }
        let mut again = retry(step, base, home, profile).await;
        checks::clean_output(&again).map_err(|e| format!("retry: {e}"))?;
        let mut outcome = FAILS;
        if step == Step::Refresh && grant_ended(&again, profile) {
            // The server rotated the refresh token but its answer never arrived whole: the
            // old one is spent (RFC 9700 §4.14.2 reuse detection ends the grant), which no
            // client can undo. The message says to authorize again; that finishes the job.
            outcome = REAUTHORIZE;
            let a = drive::authorize(home, profile, "30", "30", || {}).await;
            checks::clean_output(&a).map_err(|e| format!("authorize again: {e}"))?;
            again = drive::run(home, &["token", profile]).await;
        }
        let ok = again.code == 0 || (step == Step::Discovery && again.code == 1);
        if !ok {
            return Err(format!("the retry did not finish\n{}", again.both()));
        }
        finished(server, step, home, profile, &vault, &before)?;
        return Ok(outcome);
    }
    finished(server, step, home, profile, &vault, &before)?;
    Ok(COMPLETES)
}

/// `token` refused with `invalid_grant` and said to run `authorize` again.
fn grant_ended(r: &Run, profile: &str) -> bool {
    r.code == 2
        && r.stderr.contains("invalid_grant")
        && r.stderr
            .contains(&format!("run `cds-wizard authorize {profile}` again"))
}

/// What a step needs before its fault: a registration, an authorization, expired tokens.
async fn setup(server: &DemoServer, step: Step, home: &Path, profile: &str) -> Result<(), String> {
    let base = server.base_url.as_str();
    if matches!(
        step,
        Step::Par
            | Step::Callback
            | Step::CodeExchange
            | Step::Grants
            | Step::Refresh
            | Step::Revocation
            | Step::ClientsCmd
            | Step::CredentialsCmd
            | Step::MessagesCmd
            | Step::GrantsCmd
    ) {
        let r = drive::register(home, base, profile, "30").await;
        if r.code != 0 {
            return Err(format!("set-up register failed\n{}", r.both()));
        }
    }
    if matches!(step, Step::Refresh | Step::Revocation | Step::GrantsCmd) {
        let r = drive::authorize(home, profile, "30", "30", || {}).await;
        if r.code != 0 {
            return Err(format!("set-up authorize failed\n{}", r.both()));
        }
    }
    if step == Step::Refresh {
        drive::expire_access_tokens(home);
    }
    Ok(())
}

/// The run with the fault armed.
async fn faulted(server: &DemoServer, step: Step, fault: Fault, home: &Path, profile: &str) -> Run {
    let base = server.base_url.as_str();
    match step {
        Step::Discovery => {
            arm(server, step, fault);
            drive::run(home, &["discover", base, "--timeout", TIMEOUT]).await
        }
        Step::Registration
        | Step::AdminToken
        | Step::Clients
        | Step::Credentials
        | Step::Messages => {
            arm(server, step, fault);
            drive::register(home, base, profile, TIMEOUT).await
        }
        Step::Par | Step::Callback => {
            arm(server, step, fault);
            let wait = if step == Step::Callback { "5" } else { "20" };
            drive::authorize(home, profile, wait, TIMEOUT, || {}).await
        }
        Step::CodeExchange | Step::Grants => {
            drive::authorize(home, profile, "20", TIMEOUT, || arm(server, step, fault)).await
        }
        Step::Refresh => {
            arm(server, step, fault);
            drive::run(home, &["token", profile, "--timeout", TIMEOUT]).await
        }
        Step::Revocation => {
            arm(server, step, fault);
            drive::run(home, &["forget", profile, "--timeout", TIMEOUT]).await
        }
        Step::ClientsCmd | Step::CredentialsCmd | Step::MessagesCmd | Step::GrantsCmd => {
            arm(server, step, fault);
            drive::run(home, &[step.command(), profile, "--timeout", TIMEOUT]).await
        }
    }
}

/// Running again without the fault: `register --resume` when the profile was recorded, else
/// the same command.
async fn retry(step: Step, base: &str, home: &Path, profile: &str) -> Run {
    match step {
        Step::Discovery => drive::run(home, &["discover", base]).await,
        Step::Registration
        | Step::AdminToken
        | Step::Clients
        | Step::Credentials
        | Step::Messages => {
            let recorded = cds_wizard::profiles::Index::load(home)
                .ok()
                .is_some_and(|i| i.profile(profile).is_some());
            if recorded {
                drive::run(home, &["register", "--resume", profile]).await
            } else {
                drive::register(home, base, profile, "30").await
            }
        }
        Step::Par | Step::Callback | Step::CodeExchange | Step::Grants => {
            drive::authorize(home, profile, "30", "30", || {}).await
        }
        Step::Refresh => drive::run(home, &["token", profile]).await,
        Step::Revocation => drive::run(home, &["forget", profile]).await,
        Step::ClientsCmd | Step::CredentialsCmd | Step::MessagesCmd | Step::GrantsCmd => {
            drive::run(home, &[step.command(), profile]).await
        }
    }
}

/// What the steps before the faulted one received is kept: the admin secret once the
/// registration answered, every client secret once the Credentials step ran, the tokens once
/// the code exchange answered.
fn kept(
    server: &DemoServer,
    step: Step,
    home: &Path,
    profile: &str,
    vault: &dyn SecretStore,
) -> Result<(), String> {
    match step {
        Step::AdminToken | Step::Clients | Step::Credentials => {
            checks::admin_kept(home, profile, vault, server)
        }
        Step::Messages => checks::registered(home, profile, vault, server, false),
        Step::Grants => checks::authorized(home, profile, vault, server),
        _ => Ok(()),
    }
}

/// The job is done: what the step exists for is in the keyring and the index.
fn finished(
    server: &DemoServer,
    step: Step,
    home: &Path,
    profile: &str,
    vault: &dyn SecretStore,
    before: &checks::Held,
) -> Result<(), String> {
    match step {
        Step::Discovery => Ok(()),
        Step::Registration
        | Step::AdminToken
        | Step::Clients
        | Step::Credentials
        | Step::Messages => checks::registered(home, profile, vault, server, true),
        Step::Par | Step::Callback | Step::CodeExchange | Step::Grants | Step::Refresh => {
            checks::authorized(home, profile, vault, server)
        }
        Step::Revocation => checks::forgotten(home, profile, vault, before, server),
        // Read-only: what the registration stored is untouched.
        Step::ClientsCmd | Step::CredentialsCmd | Step::MessagesCmd => {
            checks::registered(home, profile, vault, server, true)
        }
        Step::GrantsCmd => checks::authorized(home, profile, vault, server),
    }
}

const BEGIN: &str = "<!-- fault-matrix:begin (generated by tests/it/fault_matrix) -->";
const END: &str = "<!-- fault-matrix:end -->";

/// The Markdown table of results.
fn render(rows: &[(Step, Vec<(Fault, CellResult)>)]) -> String {
    let mut out = String::from("| step (command) |");
    for f in FAULTS {
        out.push_str(&format!(" {} |", f.name()));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(FAULTS.len()));
    out.push('\n');
    for (step, cells) in rows {
        out.push_str(&format!("| {} |", step.name()));
        for (_, r) in cells {
            out.push_str(&format!(" {} |", r.as_ref().map_or("**FAILS**", |s| *s)));
        }
        out.push('\n');
    }
    out
}

/// RELIABILITY.md shows exactly this table between its markers.
fn check_documented(table: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("RELIABILITY.md");
    let doc = std::fs::read_to_string(&path).expect("RELIABILITY.md");
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("RELIABILITY.md has no fault-matrix markers ({BEGIN} … {END})");
    };
    let documented = doc[b + BEGIN.len()..e].trim();
    if documented == table.trim() {
        return;
    }
    if std::env::var_os("FAULT_MATRIX_UPDATE").is_some() {
        let new = format!("{}{BEGIN}\n{}\n{}", &doc[..b], table.trim(), &doc[e..]);
        std::fs::write(&path, new).expect("write RELIABILITY.md");
        return;
    }
    panic!(
        "RELIABILITY.md's fault matrix differs from the results (FAULT_MATRIX_UPDATE=1 rewrites it):\n{table}"
    );
}
