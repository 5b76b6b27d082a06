//! `cds-wizard scopes`: the scope catalog (CDS-WG1-02 §3.4) with coverages by name, what
//! registering requires and costs, and each scope's modifiers.

use std::process::ExitCode;

use serde_json::json;

use crate::cds::catalog::CatalogScope;
use crate::cli::TargetArgs;
use crate::text::{sanitize, sanitize_line};

pub async fn run(args: &TargetArgs) -> anyhow::Result<ExitCode> {
    let d = super::run_discovery(&args.url, args.timeout).await?;
    let meta = d.oauth_metadata()?;
    let scopes = d.catalog()?;
    let oauth_url = d.oauth.as_ref().map(|o| o.url.as_str()).unwrap_or_default();
    if args.json {
        super::print_json(&json!({
            "oauth_metadata_url": oauth_url,
            "issuer": meta.issuer,
            "timezone": meta.cds_timezone,
            "scopes": scopes,
        }));
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
    Ok(ExitCode::SUCCESS)
}

fn joined(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_owned()
    } else {
        sanitize(&v.join(", "))
    }
}

fn print_scope(s: &CatalogScope) {
    println!(
        "{}  ({})",
        sanitize_line(&s.id, 80),
        sanitize_line(&s.scope_type, 60)
    );
    println!("  {}", sanitize_line(&s.name, 100));
    println!("  {}", sanitize_line(&s.description, 300));
    println!("  grant types    {}", joined(&s.grant_types));
    println!("  response types {}", joined(&s.response_types));
    println!("  auth methods   {}", joined(&s.auth_methods));
    println!("  PKCE           {}", joined(&s.pkce_methods));
    if !s.coverages.is_empty() {
        let names: Vec<String> = s
            .coverages
            .iter()
            .map(|c| match &c.name {
                Some(n) => format!("{} ({})", sanitize_line(n, 60), sanitize_line(&c.id, 40)),
                None => format!("{} (not in coverage)", sanitize_line(&c.id, 40)),
            })
            .collect();
        println!("  coverages      {}", names.join("; "));
    }
    if let Some(g) = &s.grant_admin_scope {
        println!("  grant admin    {}", sanitize_line(g, 80));
    }
    for (label, reqs) in [
        ("requires", &s.registration_requirements),
        ("optional", &s.registration_optional),
    ] {
        for r in reqs {
            if r.unresolved {
                println!(
                    "  {label:<14} {} (not described by the server)",
                    sanitize_line(&r.id, 60)
                );
                continue;
            }
            let mut line = format!(
                "{} [{}",
                sanitize_line(&r.id, 40),
                sanitize_line(&r.field_type, 30)
            );
            if let Some(f) = &r.format {
                line.push_str(&format!(", {}", sanitize_line(f, 30)));
            }
            line.push(']');
            if let (Some(a), Some(c)) = (&r.amount, &r.currency) {
                line.push_str(&format!(" {a} {}", sanitize_line(c, 8)));
            }
            println!("  {label:<14} {line}");
        }
    }
    for m in &s.authorization_details_fields {
        let mut line = format!(
            "{} ({}{})",
            sanitize_line(&m.id, 50),
            sanitize_line(&m.format, 40),
            if m.required { ", required" } else { "" }
        );
        if let Some(d) = &m.default {
            line.push_str(&format!(" default {}", sanitize_line(&d.to_string(), 60)));
        }
        if let Some(r) = &m.range {
            line.push_str(&format!(" range {}", sanitize_line(r, 80)));
        }
        if !m.choices.is_empty() {
            let ids: Vec<&str> = m.choices.iter().map(|c| c.id.as_str()).collect();
            line.push_str(&format!(" choices {}", sanitize_line(&ids.join("|"), 120)));
        }
        println!("  modifier       {line}");
    }
    println!();
}
