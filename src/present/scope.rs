//! A scope of the catalog (CDS-WG1-02 §3.4–3.10) in words: id and type, name, grant types,
//! coverages by name, what registering requires and costs, and its modifiers.

use crate::cds::catalog::{CatalogCoverage, CatalogModifier, CatalogRequirement, CatalogScope};
use crate::cds::formats::Decimal;
use crate::text::{sanitize, sanitize_line};

/// A list joined with `, `, or `—` when empty.
pub fn joined(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_owned()
    } else {
        sanitize(&v.join(", "))
    }
}

/// An amount with its currency: `25.00 USD`.
pub fn cost(amount: &Decimal, currency: &str) -> String {
    format!("{amount} {}", sanitize_line(currency, 8))
}

/// A coverage a scope names: `North Valley (nv-1)`, or the id when the listing lacks it.
pub fn coverage(c: &CatalogCoverage) -> String {
    match &c.name {
        Some(n) => format!("{} ({})", sanitize_line(n, 60), sanitize_line(&c.id, 40)),
        None => format!("{} (not in coverage)", sanitize_line(&c.id, 40)),
    }
}

/// A registration requirement: `fee [payment_required] 25.00 USD`,
/// `cds_company [registration_field, string]`.
pub fn requirement(r: &CatalogRequirement) -> String {
    if r.unresolved {
        return format!("{} (not described by the server)", sanitize_line(&r.id, 60));
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
        line.push_str(&format!(" {}", cost(a, c)));
    }
    line
}

/// A modifier (authorization details field, §3.8): `_number (boolean) default false`.
pub fn modifier(m: &CatalogModifier) -> String {
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
    line
}

/// One scope as the lines `cds-wizard scopes` prints.
pub fn summary(s: &CatalogScope) -> Vec<String> {
    let mut out = vec![
        format!(
            "{}  ({})",
            sanitize_line(&s.id, 80),
            sanitize_line(&s.scope_type, 60)
        ),
        format!("  {}", sanitize_line(&s.name, 100)),
        format!("  {}", sanitize_line(&s.description, 300)),
        format!("  grant types    {}", joined(&s.grant_types)),
        format!("  response types {}", joined(&s.response_types)),
        format!("  auth methods   {}", joined(&s.auth_methods)),
        format!("  PKCE           {}", joined(&s.pkce_methods)),
    ];
    if !s.coverages.is_empty() {
        let names: Vec<String> = s.coverages.iter().map(coverage).collect();
        out.push(format!("  coverages      {}", names.join("; ")));
    }
    if let Some(g) = &s.grant_admin_scope {
        out.push(format!("  grant admin    {}", sanitize_line(g, 80)));
    }
    for (label, reqs) in [
        ("requires", &s.registration_requirements),
        ("optional", &s.registration_optional),
    ] {
        for r in reqs {
            out.push(format!("  {label:<14} {}", requirement(r)));
        }
    }
    for m in &s.authorization_details_fields {
        out.push(format!("  modifier       {}", modifier(m)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::catalog::CatalogChoice;
    use serde_json::json;

    fn requirement_of(id: &str, field_type: &str) -> CatalogRequirement {
        CatalogRequirement {
            id: id.into(),
            field_type: field_type.into(),
            description: String::new(),
            field_name: None,
            format: None,
            amount: None,
            currency: None,
            unresolved: false,
        }
    }

    fn scope() -> CatalogScope {
        let mut fee = requirement_of("fee", "payment_required");
        fee.amount = Some("25.00".parse().unwrap());
        fee.currency = Some("USD".into());
        let mut company = requirement_of("company", "registration_field");
        company.format = Some("string".into());
        CatalogScope {
            id: "usage".into(),
            scope_type: "usage_data".into(),
            name: "Usage \u{1b}[31mdata".into(),
            description: "Interval usage.".into(),
            documentation: "https://u.example/docs".into(),
            response_types: vec!["code".into()],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            auth_methods: vec!["client_secret_basic".into()],
            pkce_methods: vec![],
            coverages: vec![
                CatalogCoverage {
                    id: "nv".into(),
                    name: Some("North Valley".into()),
                },
                CatalogCoverage {
                    id: "gone".into(),
                    name: None,
                },
            ],
            grant_admin_scope: Some("grant_admin".into()),
            registration_requirements: vec![fee, company],
            registration_optional: vec![CatalogRequirement {
                unresolved: true,
                ..requirement_of("ghost", "")
            }],
            authorization_details_types: vec!["usage".into()],
            authorization_details_fields: vec![CatalogModifier {
                id: "interval".into(),
                name: "Interval".into(),
                description: String::new(),
                for_types: vec!["usage".into()],
                format: "choice".into(),
                required: true,
                default: Some(json!("hourly")),
                minimum: None,
                maximum: None,
                range: None,
                choices: vec![
                    CatalogChoice {
                        id: "hourly".into(),
                        name: "Hourly".into(),
                        description: String::new(),
                    },
                    CatalogChoice {
                        id: "daily".into(),
                        name: "Daily".into(),
                        description: String::new(),
                    },
                ],
            }],
        }
    }

    #[test]
    fn a_scope_summary_names_types_costs_and_modifiers() {
        assert_eq!(
            summary(&scope()),
            [
                "usage  (usage_data)",
                "  Usage [31mdata",
                "  Interval usage.",
                "  grant types    authorization_code, refresh_token",
                "  response types code",
                "  auth methods   client_secret_basic",
                "  PKCE           —",
                "  coverages      North Valley (nv); gone (not in coverage)",
                "  grant admin    grant_admin",
                "  requires       fee [payment_required] 25.00 USD",
                "  requires       company [registration_field, string]",
                "  optional       ghost (not described by the server)",
                "  modifier       interval (choice, required) default \"hourly\" choices hourly|daily",
            ]
        );
    }
}
