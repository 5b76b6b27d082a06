//! `cds-wizard scopes`: the scope catalog (CDS-WG1-02 §3.4) with coverages by name, what
//! registering requires and costs, and each scope's modifiers.

use std::process::ExitCode;

use serde::Serialize;

use crate::cds::catalog::CatalogScope;
use crate::cli::TargetArgs;
use crate::present;

pub async fn run(args: &TargetArgs) -> anyhow::Result<ExitCode> {
    let mut d = super::run_target_discovery(args, false).await?;
    let scopes = d.catalog_consuming_coverage()?;
    let meta = d.oauth_metadata()?;
    let oauth_url = d.oauth.as_ref().map(|o| o.url.as_str()).unwrap_or_default();
    if args.json {
        super::print_json(&ScopesJson {
            oauth_metadata_url: oauth_url,
            issuer: &meta.issuer,
            timezone: &meta.cds_timezone,
            scopes: &scopes,
        });
    } else {
        println!(
            "{} scope{} at {}\n",
            scopes.len(),
            if scopes.len() == 1 { "" } else { "s" },
            oauth_url
        );
        for s in &scopes {
            print_scope(s);
        }
    }
    super::leave_for_exit((scopes, d));
    Ok(ExitCode::SUCCESS)
}

/// The `--json` shape, serialized straight from the catalog.
#[derive(Serialize)]
struct ScopesJson<'a> {
    oauth_metadata_url: &'a str,
    issuer: &'a url::Url,
    timezone: &'a Option<String>,
    scopes: &'a [CatalogScope],
}

fn print_scope(s: &CatalogScope) {
    for line in present::scope::summary(s) {
        println!("{line}");
    }
    println!();
}
