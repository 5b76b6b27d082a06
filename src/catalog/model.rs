//! One utility's catalog as the research catalog keeps it: a typed snapshot of what discovery
//! read (CDS-WG1-01 §3–§4 server metadata and coverage, CDS-WG1-02 §3.2–§3.10 scopes,
//! authorization details fields and registration fields), flat enough to store as rows and to
//! compare (diff.rs) without the network.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cds::auth_server_metadata::{AuthorizationDetailsFieldFormat, Bound};
use crate::cds::formats::{RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime};
use crate::onboarding::discovery::Discovery;

/// A utility as crawled once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UtilitySnapshot {
    pub input_url: String,
    pub metadata_url: String,
    pub name: String,
    pub draft: String,
    pub time_zone: Option<String>,
    pub issuer: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    pub related: Vec<RelatedRow>,
    pub coverage: Vec<CoverageRow>,
    pub scopes: Vec<ScopeRow>,
    pub registration_fields: Vec<RegistrationFieldRow>,
    /// Grant types and token endpoint auth methods of the whole server (RFC 8414 §2).
    pub grant_types: Vec<String>,
    pub auth_methods: Vec<String>,
    pub findings: Vec<FindingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedRow {
    pub url: String,
    pub depth: usize,
    pub name: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub id: String,
    pub name: String,
    pub entity_name: String,
    pub country: String,
    pub coverage_type: String,
    pub commodity_types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub id: String,
    pub scope_type: String,
    pub name: String,
    pub description: String,
    pub grant_types: Vec<String>,
    pub auth_methods: Vec<String>,
    pub coverages: Vec<String>,
    /// Registration field ids (required, then optional).
    pub requirements: Vec<String>,
    pub optional: Vec<String>,
    pub fields: Vec<FieldRow>,
}

/// An authorization details field (WG1-02 §3.8) of one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRow {
    pub id: String,
    pub name: String,
    pub format: String,
    pub required: bool,
    pub default: Option<Value>,
    pub minimum: Option<Value>,
    pub maximum: Option<Value>,
    /// How far back (or ahead) a relative date bound reaches, in months (30.44-day months for
    /// days and hours); `None` for absolute, infinite or non-date bounds.
    pub maximum_months: Option<f64>,
    pub maximum_infinite: bool,
    pub choices: Vec<String>,
}

/// A registration field (WG1-02 §3.7): what registering asks for, and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationFieldRow {
    pub id: String,
    pub field_type: String,
    pub format: Option<String>,
    pub description: String,
    /// Exact decimal text (WG1-02 §2: never a float).
    pub amount: Option<String>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRow {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub section: String,
}

fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Months in a relative span, counting days as 1/30.44 of a month.
fn span_months(span: &jiff::Span) -> f64 {
    let days = span.get_weeks() as f64 * 7.0
        + span.get_days() as f64
        + span.get_hours() as f64 / 24.0
        + span.get_minutes() as f64 / 1440.0;
    span.get_years() as f64 * 12.0 + span.get_months() as f64 + days / 30.44
}

/// (months, infinite) of a field's `maximum` (WG1-02 §3.8) when it is a date bound.
fn reach(format: &str, maximum: Option<&Value>) -> (Option<f64>, bool) {
    let Some(max) = maximum else {
        return (None, false);
    };
    let Ok(format) =
        serde_json::from_value::<AuthorizationDetailsFieldFormat>(Value::String(format.to_owned()))
    else {
        return (None, false);
    };
    match Bound::parse(&format, max) {
        Ok(Bound::Infinite)
        | Ok(Bound::Date(RelativeOrAbsoluteDate::Infinite))
        | Ok(Bound::Datetime(RelativeOrAbsoluteDatetime::Infinite)) => (None, true),
        Ok(Bound::Date(RelativeOrAbsoluteDate::Relative(s)))
        | Ok(Bound::Datetime(RelativeOrAbsoluteDatetime::Relative(s))) => {
            (Some((span_months(&s) * 100.0).round() / 100.0), false)
        }
        _ => (None, false),
    }
}

/// The draft a utility follows: its server metadata's, unless that is current and its OAuth
/// metadata (where the scope catalog lives) follows an older one.
fn draft_of(d: &Discovery) -> crate::cds::drafts::Draft {
    use crate::cds::drafts::Draft;
    match (d.draft(), &d.oauth) {
        (Draft::Cds2026, Some(o)) => o.draft,
        (server, _) => server,
    }
}

/// The scope catalog (WG1-02 §3.4–§3.8) as rows.
fn scope_rows(d: &Discovery) -> Vec<ScopeRow> {
    d.catalog()
        .unwrap_or_default()
        .into_iter()
        .map(|s| ScopeRow {
            requirements: s
                .registration_requirements
                .iter()
                .map(|r| r.id.clone())
                .collect(),
            optional: s
                .registration_optional
                .iter()
                .map(|r| r.id.clone())
                .collect(),
            coverages: s.coverages.iter().map(|c| c.id.clone()).collect(),
            fields: s
                .authorization_details_fields
                .into_iter()
                .map(|f| {
                    let (maximum_months, maximum_infinite) = reach(&f.format, f.maximum.as_ref());
                    FieldRow {
                        id: f.id,
                        name: f.name,
                        format: f.format,
                        required: f.required,
                        default: f.default,
                        minimum: f.minimum,
                        maximum: f.maximum,
                        maximum_months,
                        maximum_infinite,
                        choices: f.choices.into_iter().map(|c| c.id).collect(),
                    }
                })
                .collect(),
            id: s.id,
            scope_type: s.scope_type,
            name: s.name,
            description: s.description,
            grant_types: s.grant_types,
            auth_methods: s.auth_methods,
        })
        .collect()
}

impl UtilitySnapshot {
    /// The snapshot of one successful discovery of `input`.
    pub fn from_discovery(input: &str, d: &Discovery) -> Self {
        let oauth = d.oauth_metadata().ok();
        let server_name = d
            .server
            .parsed
            .as_ref()
            .map(|s| s.name.clone())
            .or_else(|| {
                d.server
                    .raw
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        let coverage = d
            .coverage
            .iter()
            .flat_map(|c| &c.entries)
            .map(|e| CoverageRow {
                id: e.id.to_string(),
                name: e.name.to_string(),
                entity_name: e.entity_name.to_string(),
                country: e.country.to_string(),
                coverage_type: wire(&e.coverage_type),
                commodity_types: e.commodity_types.iter().map(wire).collect(),
            })
            .collect();
        let scopes = scope_rows(d);
        let registration_fields = oauth
            .iter()
            .flat_map(|m| m.cds_registration_fields.values())
            .map(|f| RegistrationFieldRow {
                id: f.id.clone(),
                field_type: f.field_type.to_string(),
                format: f.format.as_ref().map(ToString::to_string),
                description: f.description.clone(),
                amount: f.amount.map(|a| a.to_string()),
                currency: f.currency.clone(),
            })
            .collect();
        UtilitySnapshot {
            input_url: input.to_owned(),
            metadata_url: d.metadata_url.to_string(),
            name: server_name,
            draft: wire(&draft_of(d)),
            time_zone: oauth.and_then(|m| m.cds_timezone.clone()),
            issuer: oauth.map(|m| m.issuer.to_string()),
            errors: d.errors(),
            warnings: d.warnings(),
            related: d
                .related
                .iter()
                .map(|r| RelatedRow {
                    url: r.url.to_string(),
                    depth: r.depth,
                    name: r.name.clone(),
                    error: r.error.clone(),
                })
                .collect(),
            coverage,
            scopes,
            registration_fields,
            grant_types: oauth
                .map(|m| m.grant_types_supported.clone())
                .unwrap_or_default(),
            auth_methods: oauth
                .map(|m| m.token_endpoint_auth_methods_supported.clone())
                .unwrap_or_default(),
            findings: d
                .findings
                .iter()
                .map(|f| FindingRow {
                    severity: wire(&f.severity),
                    code: f.code.clone(),
                    message: f.message.clone(),
                    section: f.section.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_counts_months() {
        let f = "relative_or_absolute_datetime";
        assert_eq!(reach(f, Some(&Value::from("P24M"))), (Some(24.0), false));
        assert_eq!(reach(f, Some(&Value::from("P3Y"))), (Some(36.0), false));
        assert_eq!(reach(f, Some(&Value::from("infinite"))), (None, true));
        assert_eq!(
            reach("relative_or_absolute_date", Some(&Value::from("P90D"))).0,
            Some(2.96)
        );
        assert_eq!(reach("int", Some(&Value::from(5))), (None, false));
        assert_eq!(reach(f, None), (None, false));
    }
}
