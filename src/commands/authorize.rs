//! `cds-wizard authorize`: ask a customer for consent (authorization code + PKCE, by PAR when
//! offered), receive the redirect on 127.0.0.1 or as a pasted address, store the tokens in the
//! keyring, and show the Grant against what was asked.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow};
use futures::{StreamExt, stream};
use serde_json::{Value, json};

use crate::cli::AuthorizeArgs;
use crate::http::HttpClient;
use crate::oauth::{ClientAuth, issuer};
use crate::onboarding::authorize::{self, AuthorizeOptions, Outcome, Prepared, Redirect, Target};
use crate::onboarding::callback::{ssh_hint, wait_for_callback};
use crate::onboarding::engine::Engine;
use crate::profiles::Index;
use crate::text::sanitize_line;
use crate::vault::{Secret, keyring};

/// `--authorization-details` is inline JSON or `@FILE`.
fn details_arg(arg: &Option<String>) -> anyhow::Result<Option<Value>> {
    let Some(text) = arg else { return Ok(None) };
    let text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        None => text.clone(),
    };
    let v: Value = serde_json::from_str(&text).context("--authorization-details is not JSON")?;
    if !v.is_array() {
        return Err(anyhow!(
            "--authorization-details must be a JSON array of objects (RFC 9396 §2)"
        ));
    }
    Ok(Some(v))
}

pub async fn run(args: &AuthorizeArgs) -> anyhow::Result<ExitCode> {
    let http = super::http_client(args.request_timeout)?;
    let details = details_arg(&args.authorization_details)?;
    let timeout = Duration::from_secs(args.timeout);
    let outcome = match &args.issuer {
        Some(issuer_url) => run_issuer(args, &http, issuer_url, details, timeout).await?,
        None => run_profile(args, &http, details, timeout).await?,
    };
    report(&outcome, args.json);
    Ok(ExitCode::SUCCESS)
}

/// Any standards OAuth server: RFC 8414 discovery, PAR and RAR when advertised; the tokens are
/// shown, not kept.
async fn run_issuer(
    args: &AuthorizeArgs,
    http: &HttpClient,
    issuer_url: &str,
    details: Option<Value>,
    timeout: Duration,
) -> anyhow::Result<Outcome> {
    let issuer_url = crate::http::parse_url(issuer_url)?;
    http.trust(&issuer_url);
    let meta = issuer::discover(http, &issuer_url).await?;
    let client_id = args
        .client_id
        .clone()
        .ok_or_else(|| anyhow!("--issuer needs --client-id"))?;
    let auth = match &args.client_secret_env {
        Some(var) => ClientAuth::Basic {
            client_id,
            secret: Secret::new(
                std::env::var(var).map_err(|_| anyhow!("environment variable {var} is not set"))?,
            ),
        },
        None => ClientAuth::Public { client_id },
    };
    let target = Target {
        issuer: meta.issuer.clone(),
        iss_required: meta.authorization_response_iss_parameter_supported == Some(true),
        authorization_endpoint: meta
            .authorization_endpoint
            .clone()
            .ok_or_else(|| anyhow!("{issuer_url} advertises no authorization_endpoint"))?,
        par_endpoint: meta.pushed_authorization_request_endpoint.clone(),
        token_endpoint: meta
            .token_endpoint
            .clone()
            .ok_or_else(|| anyhow!("{issuer_url} advertises no token_endpoint"))?,
        auth,
    };
    let details = details.filter(|_| !meta.authorization_details_types_supported.is_empty());
    let mut prepared = authorize::prepare_any(http, target, args.scope.clone(), details).await?;
    present(&prepared, args)?;
    let callback =
        wait_for_callback(&mut prepared, timeout, stream::empty(), None, |_| async {}).await?;
    let vault = crate::vault::memory::MemoryStore::default();
    Ok(authorize::complete(http, &vault, None, prepared, &callback).await?)
}

/// A client of a registered profile: the tokens go to the keyring and the profile.
async fn run_profile(
    args: &AuthorizeArgs,
    http: &HttpClient,
    details: Option<Value>,
    timeout: Duration,
) -> anyhow::Result<Outcome> {
    let profile = args
        .profile
        .clone()
        .ok_or_else(|| anyhow!("name a profile (see `cds-wizard profiles`), or use --issuer"))?;
    let vault = keyring::open()?;
    let mut index = Index::load_default()?;
    // A profile of the remembered demo: the demo serves it (started here when not running,
    // until the customer has answered).
    let hosted = crate::demo_home::ensure_for_profile(
        &mut index,
        &profile,
        crate::demo_home::Role::Borrowed,
        &crate::demo_home::to_stderr,
    )
    .await?;
    let result =
        authorize_profile(args, http, details, timeout, &profile, &vault, &mut index).await;
    if let Some(h) = hosted {
        h.stop().await;
    }
    result
}

/// [`run_profile`] once the utility serves.
async fn authorize_profile(
    args: &AuthorizeArgs,
    http: &HttpClient,
    details: Option<Value>,
    timeout: Duration,
    profile: &str,
    vault: &keyring::KeyringStore,
    index: &mut Index,
) -> anyhow::Result<Outcome> {
    let opts = AuthorizeOptions {
        client_id: args.client.clone(),
        production: args.production,
        scope: args.scope.clone(),
        authorization_details: details,
        use_default_redirect: args.use_default_redirect,
    };
    let mut engine = Engine { http, vault, index };
    let mut prepared = authorize::prepare(&mut engine, profile, &opts).await?;
    present(&prepared, args)?;
    // A loopback redirect is answered by the listener; the server's receipt page by one
    // address read from stdin.
    let pasted = match &prepared.redirect {
        Redirect::Loopback(_) => stream::empty().boxed(),
        Redirect::Pasted { why, .. } => {
            eprintln!(
                "The browser will end on the server's receipt page ({}).",
                sanitize_line(why, 200)
            );
            eprint!("Paste the address it shows here and press Enter: ");
            std::io::stderr().flush().ok();
            stream::once(read_line()).boxed()
        }
    };
    let callback = wait_for_callback(&mut prepared, timeout, pasted, None, |_| async {}).await?;
    Ok(authorize::complete(http, vault, Some(index), prepared, &callback).await?)
}

/// One line from stdin (off the async threads).
async fn read_line() -> std::io::Result<String> {
    tokio::task::spawn_blocking(|| {
        let mut s = String::new();
        std::io::stdin().lock().read_line(&mut s).map(|_| s)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Shows the URL: opened in the browser, or printed as one `AUTHORIZE_URL` line with a QR code
/// on a terminal's stderr.
fn present(prepared: &Prepared, args: &AuthorizeArgs) -> anyhow::Result<()> {
    let url = prepared.url.as_str();
    if let Some(hint) = ssh_hint(prepared) {
        eprintln!("{hint}");
    }
    if args.no_browser {
        println!("AUTHORIZE_URL {url}");
        std::io::stdout().flush().ok();
        if std::io::stderr().is_terminal()
            && let Some(lines) = crate::text::qr_lines(url)
        {
            eprintln!("{}", lines.join("\n"));
        }
    } else {
        eprintln!("Opening the browser at:\n{url}");
        if let Err(e) = webbrowser::open(url) {
            eprintln!("could not open a browser ({e}); open the address above yourself");
        }
    }
    eprintln!(
        "Waiting for the customer's answer (up to {} s)…",
        args.timeout
    );
    Ok(())
}

fn report(o: &Outcome, json_out: bool) {
    if json_out {
        super::print_json(&json!(o));
        return;
    }
    // Every value here came from the server: printed through the sanitizer (issue 9 item 1).
    println!("Authorized client {}.", sanitize_line(&o.client_id, 120));
    if let Some(g) = &o.grant {
        println!(
            "Grant {} — status {} — scope {}",
            sanitize_line(&g.grant_id, 60),
            sanitize_line(&g.status.to_string(), 40),
            sanitize_line(&g.scope, 200)
        );
    }
    if let Some(t) = o.access_token_expires_at {
        println!(
            "The {}.",
            crate::present::time::token_valid_until(t, o.timezone.as_deref())
        );
    }
    if o.differences.is_empty() {
        println!("The customer granted everything that was asked.");
    } else {
        println!("Compared with what was asked:");
        for d in &o.differences {
            println!(
                "  {} {}",
                if d.is_narrowing() { "▼" } else { "·" },
                sanitize_line(&d.describe(), 300)
            );
        }
    }
    if !o.stored.is_empty() {
        println!("Tokens stored in the keyring (service `cds-wizard`):");
        for a in &o.stored {
            println!("  {}", sanitize_line(a, 200));
        }
    }
}
