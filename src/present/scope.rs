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

/// A modifier's heading: its id and format, and whether it is required:
/// `interval (choice, required)`.
pub fn modifier_head(m: &CatalogModifier) -> String {
    format!(
        "{} ({}{})",
        sanitize_line(&m.id, 50),
        sanitize_line(&m.format, 40),
        if m.required { ", required" } else { "" }
    )
}

/// What a modifier admits: `default "hourly"`, `range 1..10`, `choices hourly|daily`.
pub fn modifier_facts(m: &CatalogModifier) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(d) = &m.default {
        facts.push(format!("default {}", sanitize_line(&d.to_string(), 60)));
    }
    if let Some(r) = &m.range {
        facts.push(format!("range {}", sanitize_line(r, 80)));
    }
    if !m.choices.is_empty() {
        let ids: Vec<&str> = m.choices.iter().map(|c| c.id.as_str()).collect();
        facts.push(format!("choices {}", sanitize_line(&ids.join("|"), 120)));
    }
    facts
}

/// A modifier (authorization details field, §3.8) on one line:
/// `_number (boolean) default false`.
pub fn modifier(m: &CatalogModifier) -> String {
    let mut line = modifier_head(m);
    for f in modifier_facts(m) {
        line.push(' ');
        line.push_str(&f);
    }
    line
}

/// How a client of the scope gets and uses tokens, as label and value (the same labels in
/// `cds-wizard scopes` and on the wizard's Scopes screen).
pub fn methods(s: &CatalogScope) -> [(&'static str, String); 4] {
    [
        ("grant types", joined(&s.grant_types)),
        ("response types", joined(&s.response_types)),
        ("auth methods", joined(&s.auth_methods)),
        ("PKCE", joined(&s.pkce_methods)),
    ]
}

/// Whether an app with no client secret may use the scope (auth method `none`, §3.4).
pub fn public_client(s: &CatalogScope) -> &'static str {
    if s.public_client {
        "yes (auth method none: a native app without a client secret may use it)"
    } else {
        "no (needs a client secret)"
    }
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
    ];
    out.extend(methods(s).map(|(label, v)| format!("  {label:<14} {v}")));
    out.push(format!("  public client  {}", public_client(s)));
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

/// One scope as the wizard's detail pane shows it: label and value rows, then sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub name: String,
    /// `usage · usage_data`.
    pub id_and_type: String,
    pub description: String,
    pub facts: Vec<(&'static str, String)>,
    pub sections: Vec<Section>,
}

/// A headed part of a scope's detail (coverages, requirements, modifiers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub items: Vec<Item>,
}

/// An entry of a section, with the notes under it (descriptions, what a modifier admits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub line: String,
    pub notes: Vec<String>,
}

/// The detail of `s`, in the same words as [`summary`].
pub fn detail(s: &CatalogScope) -> Detail {
    let docs = match s.documentation.as_str() {
        "" => "— (none given)".to_owned(),
        d => sanitize(d),
    };
    let mut facts = vec![("docs", docs)];
    facts.extend(methods(s));
    if let Some(g) = &s.grant_admin_scope {
        facts.push(("grant admin", sanitize(g)));
    }
    if !s.authorization_details_types.is_empty() {
        facts.push(("details types", joined(&s.authorization_details_types)));
    }
    Detail {
        name: sanitize(&s.name),
        id_and_type: format!("{} · {}", sanitize(&s.id), sanitize(&s.scope_type)),
        description: sanitize(&s.description),
        facts,
        sections: sections(s),
    }
}

/// The coverages, the requirements (required, then optional) and the modifiers of `s`; only
/// those it has.
fn sections(s: &CatalogScope) -> Vec<Section> {
    let mut out = Vec::new();
    if !s.coverages.is_empty() {
        out.push(Section {
            heading: format!("Coverages ({})", s.coverages.len()),
            items: s.coverages.iter().map(|c| item(coverage(c), [])).collect(),
        });
    }
    for (heading, reqs) in [
        ("Registering requires", &s.registration_requirements),
        ("Optional at registration", &s.registration_optional),
    ] {
        if !reqs.is_empty() {
            let items = reqs.iter().map(|r| {
                let note = (!r.description.is_empty()).then(|| sanitize(&r.description));
                item(requirement(r), note)
            });
            out.push(Section {
                heading: heading.to_owned(),
                items: items.collect(),
            });
        }
    }
    if !s.authorization_details_fields.is_empty() {
        let fields = &s.authorization_details_fields;
        out.push(Section {
            heading: format!("Modifiers ({})", fields.len()),
            items: fields.iter().map(modifier_item).collect(),
        });
    }
    out
}

fn item(line: String, notes: impl IntoIterator<Item = String>) -> Item {
    Item {
        line,
        notes: notes.into_iter().collect(),
    }
}

/// A modifier in the detail: its heading, then what it admits and for which details types,
/// then its name and description.
fn modifier_item(m: &CatalogModifier) -> Item {
    let mut facts = modifier_facts(m);
    if !m.for_types.is_empty() {
        facts.push(format!("for {}", sanitize(&m.for_types.join(", "))));
    }
    let mut notes = Vec::new();
    if !facts.is_empty() {
        notes.push(facts.join(" · "));
    }
    notes.push(format!(
        "{} — {}",
        sanitize(&m.name),
        sanitize(&m.description)
    ));
    item(modifier_head(m), notes)
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
            public_client: false,
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
                "  public client  no (needs a client secret)",
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
