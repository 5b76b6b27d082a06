//! The scope catalog as a reader needs it (WG1-02 §3.4–3.10): each scope with its coverages
//! resolved to names, what registering for it requires and costs, and its modifiers.

use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::auth_server_metadata::{AuthorizationServerMetadata, Bound, RegistrationField};
use super::formats::Decimal;

#[derive(Debug, Clone, Serialize)]
pub struct CatalogScope {
    pub id: String,
    #[serde(rename = "type")]
    pub scope_type: String,
    pub name: String,
    pub description: String,
    pub documentation: String,
    pub response_types: Vec<String>,
    pub grant_types: Vec<String>,
    pub auth_methods: Vec<String>,
    /// A public client (no client secret, RFC 6749 §2.1) may use the scope: `auth_methods`
    /// holds `none` (§3.4; [`super::auth_methods::allows_public_clients`]).
    pub public_client: bool,
    pub pkce_methods: Vec<String>,
    pub coverages: Vec<CatalogCoverage>,
    pub grant_admin_scope: Option<String>,
    pub registration_requirements: Vec<CatalogRequirement>,
    pub registration_optional: Vec<CatalogRequirement>,
    pub authorization_details_types: Vec<String>,
    pub authorization_details_fields: Vec<CatalogModifier>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogCoverage {
    pub id: String,
    /// `None` when the coverage listing has no such entry.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogRequirement {
    pub id: String,
    #[serde(rename = "type")]
    pub field_type: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "decimal_string")]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The id could not be found in `cds_registration_fields`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogModifier {
    pub id: String,
    pub name: String,
    pub description: String,
    pub for_types: Vec<String>,
    pub format: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Value>,
    /// The bounds in words ("2 years back", "infinite", "12 characters").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<CatalogChoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogChoice {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// Amounts are printed as exact decimal strings (`"250.00"`) in JSON output.
mod decimal_string {
    use super::Decimal;
    use serde::Serializer;
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

fn requirement(id: &str, field: Option<&RegistrationField>) -> CatalogRequirement {
    match field {
        Some(f) => CatalogRequirement {
            id: id.to_owned(),
            field_type: f.field_type.to_string(),
            description: f.description.clone(),
            field_name: f.field_name.clone(),
            format: f.format.as_ref().map(ToString::to_string),
            amount: f.amount,
            currency: f.currency.clone(),
            unresolved: false,
        },
        None => CatalogRequirement {
            id: id.to_owned(),
            field_type: String::new(),
            description: String::new(),
            field_name: None,
            format: None,
            amount: None,
            currency: None,
            unresolved: true,
        },
    }
}

fn describe_bound(b: &Bound) -> String {
    match b {
        Bound::Date(d) => d.describe(),
        Bound::Datetime(d) => d.describe(),
        other => other.to_string(),
    }
}

/// Builds the catalog; `coverage_name` resolves coverage ids to entry names.
pub fn build<'a>(
    meta: &'a AuthorizationServerMetadata,
    coverage_name: impl Fn(&str) -> Option<&'a str>,
) -> Vec<CatalogScope> {
    meta.cds_scope_descriptions
        .values()
        .map(|s| CatalogScope {
            id: s.id.clone(),
            scope_type: s.scope_type.to_string(),
            name: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
            description: s.description.clone(),
            documentation: s
                .documentation
                .as_ref()
                .map(Url::to_string)
                .unwrap_or_default(),
            response_types: s.response_types_supported.clone(),
            grant_types: s.grant_types_supported.clone(),
            auth_methods: s.token_endpoint_auth_methods_supported.clone(),
            public_client: super::auth_methods::allows_public_clients(
                &s.token_endpoint_auth_methods_supported,
            ),
            pkce_methods: s.code_challenge_methods_supported.clone(),
            coverages: s
                .coverages_supported
                .iter()
                .map(|c| CatalogCoverage {
                    id: c.clone(),
                    name: coverage_name(c).map(str::to_owned),
                })
                .collect(),
            grant_admin_scope: s.grant_admin_scope.clone(),
            registration_requirements: s
                .registration_requirements
                .iter()
                .map(|id| requirement(id, meta.cds_registration_fields.get(id)))
                .collect(),
            registration_optional: s
                .registration_optional
                .iter()
                .map(|id| requirement(id, meta.cds_registration_fields.get(id)))
                .collect(),
            authorization_details_types: s.authorization_details_types_supported.clone(),
            authorization_details_fields: s
                .authorization_details_fields_supported
                .iter()
                .map(|f| {
                    let min = f.minimum_bound().and_then(Result::ok);
                    let max = f.maximum_bound().and_then(Result::ok);
                    let range = match (&min, &max) {
                        (Some(Bound::Length(a)), Some(Bound::Length(b))) => {
                            Some(format!("{a}–{b} characters"))
                        }
                        (Some(a), Some(b)) => {
                            Some(format!("{} … {}", describe_bound(a), describe_bound(b)))
                        }
                        (None, Some(b)) => Some(format!("up to {}", describe_bound(b))),
                        _ => None,
                    };
                    CatalogModifier {
                        id: f.id.clone(),
                        name: f.name.clone(),
                        description: f.description.clone(),
                        for_types: f.for_types.clone(),
                        format: f.format.to_string(),
                        required: f.is_required,
                        default: f.default.clone(),
                        minimum: f.minimum.clone(),
                        maximum: f.maximum.clone(),
                        range,
                        choices: f
                            .choices
                            .iter()
                            .flatten()
                            .map(|c| CatalogChoice {
                                id: c.id.clone(),
                                name: c.name.clone(),
                                description: c.description.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}
