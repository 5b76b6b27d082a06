//! `cds-wizard discover`: a human summary of what a utility publishes, or the JSON behind it.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::conformance::Finding;
use crate::cds::drafts::Draft;
use crate::cli::TargetArgs;
use crate::http::Redirect;
use crate::onboarding::discovery::{Coverage, Discovery, RawJson, RelatedServer};
use crate::present;
use crate::text::{sanitize, sanitize_line};

pub async fn run(args: &TargetArgs) -> anyhow::Result<ExitCode> {
    let d = super::run_target_discovery(args, false).await?;
    if args.json {
        super::print_json(&json_of(&d));
    } else {
        print_summary(&d);
    }
    super::leave_for_exit(d);
    Ok(ExitCode::SUCCESS)
}

/// The `--json` shape: `metadata_url`, `draft`, `server`, `related`, `coverage`, `oauth`,
/// `findings`; serialized straight from the discovery, never copied into one value.
#[derive(Serialize)]
pub struct DiscoverJson<'a> {
    metadata_url: &'a Url,
    draft: Draft,
    moves: &'a [Redirect],
    server: &'a Value,
    related: &'a [RelatedServer],
    coverage: Option<&'a Coverage>,
    oauth: Option<OAuthJson<'a>>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct OAuthJson<'a> {
    url: &'a Url,
    draft: Draft,
    metadata: &'a RawJson,
}

pub fn json_of(d: &Discovery) -> DiscoverJson<'_> {
    DiscoverJson {
        metadata_url: &d.metadata_url,
        draft: d.draft(),
        moves: &d.moves,
        server: &d.server.raw,
        related: &d.related,
        coverage: d.coverage.as_ref(),
        oauth: d.oauth.as_ref().map(|o| OAuthJson {
            url: &o.url,
            draft: o.draft,
            metadata: &o.raw,
        }),
        findings: &d.findings,
    }
}

/// [`json_of`] as a value, for callers that add to it.
pub fn to_json(d: &Discovery) -> Value {
    serde_json::to_value(json_of(d)).unwrap_or(Value::Null)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("—")
}

fn list(v: &Value, key: &str) -> String {
    let items: Vec<&str> = v
        .get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if items.is_empty() {
        "none".to_owned()
    } else {
        sanitize(&items.join(", "))
    }
}

pub fn print_summary(d: &Discovery) {
    let s = &d.server.raw;
    println!(
        "{}",
        crate::present::discovery::utility_name(s, &d.metadata_url)
    );
    println!("  {}", sanitize_line(text(s, "description"), 200));
    println!(
        "  metadata       {}  ({})",
        d.metadata_url,
        d.draft().label()
    );
    for m in &d.moves {
        println!("  moved          {} → {} ({})", m.from, m.to, m.status);
    }
    for key in ["website", "documentation", "support"] {
        println!("  {key:<14} {}", sanitize_line(text(s, key), 200));
    }
    println!("  capabilities   {}", list(s, "capabilities"));
    if let Some(extra) = d.server.parsed.as_ref().map(|m| &m.extra)
        && !extra.is_empty()
    {
        // Fields this version of the spec does not define: ignored, but shown (WG1-01 §6).
        let keys: Vec<&str> = extra.keys().map(String::as_str).collect();
        println!("  other fields   {}", sanitize_line(&keys.join(", "), 200));
    }

    if !d.related.is_empty() {
        println!("\nRelated entities ({})", d.related.len());
        for r in &d.related {
            println!("{}", present::discovery::related(r));
        }
    }

    if let Some(c) = &d.coverage {
        println!("\n{}", present::discovery::coverage_heading(c));
        for e in &c.entries {
            println!("{}", present::discovery::coverage_entry(e));
        }
    }

    match &d.oauth {
        Some(o) => {
            // Read back from its text for these few fields (as served, even when the
            // document does not decode).
            let m = &o.raw.value();
            let scopes = m
                .get("cds_scope_descriptions")
                .and_then(Value::as_object)
                .map_or(0, |o| o.len());
            println!("\nOAuth authorization server ({})", o.draft.label());
            println!("  metadata       {}", o.url);
            println!("  issuer         {}", sanitize_line(text(m, "issuer"), 200));
            println!(
                "  registration   {}",
                sanitize_line(text(m, "registration_endpoint"), 200)
            );
            println!(
                "  PAR            {}",
                sanitize_line(text(m, "pushed_authorization_request_endpoint"), 200)
            );
            println!(
                "  timezone       {}",
                sanitize_line(text(m, "cds_timezone"), 60)
            );
            println!("  scopes         {scopes} described (see `cds-wizard scopes`)");
        }
        None => println!("\nNo OAuth authorization server."),
    }

    println!("\n{}", present::discovery::findings_count(d));
    println!("Discovered in {} ms.", d.elapsed.as_millis());
}
