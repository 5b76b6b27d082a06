//! CDS-WG1-02 §3 Authorization Server Metadata: the RFC 8414 object with its CDS extension —
//! Scope Descriptions (§3.4), Registration Fields (§3.5–3.7), Authorization Details Fields
//! (§3.8–3.9) and their Choices (§3.10).

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::formats::{
    DateFormatError, Decimal, INFINITE, RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime,
    decimal_from_json,
};
use super::open_enum::open_enum;

/// RFC 8414 §3: the default well-known suffix for authorization server metadata.
pub const OAUTH_WELL_KNOWN_SUFFIX: &str = "/.well-known/oauth-authorization-server";

/// The fixed id of the Client Admin scope (WG1-02 §3.3.1).
pub const CLIENT_ADMIN_SCOPE: &str = "cds_client_admin";

open_enum! {
    /// Scope Description `type` values defined by WG1-02 §3.3 and CDS-WG3-01 §6.
    pub enum ScopeType {
        ClientAdmin = "cds_client_admin",
        GrantAdmin = "cds_grant_admin",
        ServerProvidedFiles = "cds_server_provided_files",
        // CDS-WG3-01 §6.1 customer consent scopes and §6.2 direct access scopes.
        AccountsList = "cds_accounts_list",
        Usage = "cds_usage",
        BillStatements = "cds_bill_statements",
        RatePlan = "cds_rate_plan",
    }
}

open_enum! {
    /// WG1-02 §3.6 Registration Field Types.
    pub enum RegistrationFieldType {
        RegistrationField = "registration_field",
        InternalReview = "internal_review",
        PaymentRequired = "payment_required",
        EmailVerification = "email_verification",
        SsoVerification = "sso_verification",
        PdfForm = "pdf_form",
        OnlineForm = "online_form",
    }
}

open_enum! {
    /// WG1-02 §3.7 Registration Field Formats (CDS-WG3-01 §5.1 adds `purposes`).
    pub enum RegistrationFieldFormat {
        String = "string",
        StringOrNull = "string_or_null",
        Url = "url",
        UrlOrNull = "url_or_null",
        Email = "email",
        EmailOrNull = "email_or_null",
        Boolean = "boolean",
        BooleanOrNull = "boolean_or_null",
        Image = "image",
        ImageOrNull = "image_or_null",
        Pdf = "pdf",
        PdfOrNull = "pdf_or_null",
        Purposes = "purposes",
        PurposesOrNull = "purposes_or_null",
    }
}

impl RegistrationFieldFormat {
    /// Whether `null` is an allowed value.
    pub fn nullable(&self) -> bool {
        self.as_str().ends_with("_or_null")
    }
    /// Formats for which `max_length` applies (§3.5).
    pub fn takes_max_length(&self) -> bool {
        use RegistrationFieldFormat::*;
        matches!(
            self,
            String | StringOrNull | Url | UrlOrNull | Email | EmailOrNull
        )
    }
    /// Formats carrying a Base64 file, for which `max_size` applies (§3.5).
    pub fn is_file(&self) -> bool {
        use RegistrationFieldFormat::*;
        matches!(self, Image | ImageOrNull | Pdf | PdfOrNull)
    }
}

open_enum! {
    /// WG1-02 §3.9 Authorization Details Field Formats.
    pub enum AuthorizationDetailsFieldFormat {
        Int = "int",
        Decimal = "decimal",
        String = "string",
        StringOrNull = "string_or_null",
        StringList = "string_list",
        Boolean = "boolean",
        RelativeOrAbsoluteDate = "relative_or_absolute_date",
        RelativeOrAbsoluteDatetime = "relative_or_absolute_datetime",
        Choice = "choice",
        JwkOrNull = "jwk_or_null",
        // CDS-WG3-01 §7 adds list and nullable variants.
        StringListOrNull = "string_list_or_null",
        ChoiceOrNull = "choice_or_null",
        ChoiceListOrNull = "choice_list_or_null",
    }
}

impl AuthorizationDetailsFieldFormat {
    /// §3.8: formats whose `maximum` (and so `minimum`) is REQUIRED.
    pub fn requires_bounds(&self) -> bool {
        use AuthorizationDetailsFieldFormat::*;
        matches!(
            self,
            Int | Decimal
                | String
                | StringOrNull
                | StringList
                | StringListOrNull
                | RelativeOrAbsoluteDate
                | RelativeOrAbsoluteDatetime
        )
    }

    /// Formats whose values come from `choices`.
    pub fn takes_choices(&self) -> bool {
        use AuthorizationDetailsFieldFormat::*;
        matches!(self, Choice | ChoiceOrNull | ChoiceListOrNull)
    }
}

/// RFC 8414 §2 Authorization Server Metadata plus the RFC 9126, RFC 9207, RFC 9396 and CDS
/// (WG1-02 §3.2, CDS-WG3-01 §5) fields. Fields that CDS makes REQUIRED but plain OAuth servers
/// may omit are optional here, so the same type reads any RFC 8414 server; the conformance
/// report holds a CDS server to the stricter rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    pub issuer: Url,
    /// The draft the document was written in (`cds::drafts`), set by whoever normalized it; the
    /// registration is sent in that draft's words (`client_admin` for CDSC 2025). Not part of
    /// the document.
    #[serde(skip)]
    pub draft: crate::cds::drafts::Draft,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<Url>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub response_types_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_modes_supported: Vec<String>,
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_documentation: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_policy_uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_tos_uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<Url>,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    /// RFC 9396 §10.
    #[serde(default)]
    pub authorization_details_types_supported: Vec<String>,
    /// RFC 9126 §5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// RFC 9207 §3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_oauth_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_human_registration: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_clients_api: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_messages_api: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_credentials_api: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_grants_api: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_server_provided_files_api: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_test_accounts: Option<Url>,
    /// Keyed by scope id, in the server's order.
    #[serde(default)]
    pub cds_scope_descriptions: IndexMap<String, ScopeDescription>,
    /// Keyed by registration field id, in the server's order.
    #[serde(default)]
    pub cds_registration_fields: IndexMap<String, RegistrationField>,
    /// Other fields, CDS-WG3-01 §5 `cds_*_api` URLs among them (kept and shown, WG1-02 §10).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthorizationServerMetadata {
    /// The Scope Descriptions of a given type, in catalog order.
    pub fn scopes_of_type<'a>(
        &'a self,
        t: &'a ScopeType,
    ) -> impl Iterator<Item = &'a ScopeDescription> + 'a {
        self.cds_scope_descriptions
            .values()
            .filter(move |s| &s.scope_type == t)
    }

    /// The CDS-WG3-01 §5 customer-data API base URLs the server lists (`cds_*_api` extras).
    pub fn customer_data_apis(&self) -> Vec<(&str, &str)> {
        self.extra
            .iter()
            .filter(|(k, _)| k.starts_with("cds_") && k.ends_with("_api"))
            .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
            .collect()
    }

    /// The registration fields a selection of scopes requires and may take, each once, in the
    /// order the scopes list them (§3.4 `registration_requirements` / `registration_optional`).
    pub fn registration_fields_for<'a>(
        &'a self,
        scope_ids: &[&str],
    ) -> (Vec<&'a RegistrationField>, Vec<&'a RegistrationField>) {
        let mut seen = BTreeSet::new();
        let mut required = Vec::new();
        for id in scope_ids {
            if let Some(s) = self.cds_scope_descriptions.get(*id) {
                for r in &s.registration_requirements {
                    if let Some(f) = self.cds_registration_fields.get(r)
                        && seen.insert(r.as_str())
                    {
                        required.push(f);
                    }
                }
            }
        }
        let mut optional = Vec::new();
        for id in scope_ids {
            if let Some(s) = self.cds_scope_descriptions.get(*id) {
                for r in &s.registration_optional {
                    if let Some(f) = self.cds_registration_fields.get(r)
                        && seen.insert(r.as_str())
                    {
                        optional.push(f);
                    }
                }
            }
        }
        (required, optional)
    }
}

/// WG1-02 §3.4 Scope Description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeDescription {
    pub id: String,
    #[serde(rename = "type")]
    pub scope_type: ScopeType,
    /// REQUIRED since the 2025 draft; May 2023 scopes have none (conformance reports it, and
    /// the catalog shows the id instead).
    #[serde(default)]
    pub name: String,
    pub description: String,
    /// REQUIRED since the 2025 draft; the May 2023 scopes have none (conformance reports it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Url>,
    pub registration_requirements: Vec<String>,
    pub registration_optional: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub coverages_supported: Vec<String>,
    pub grant_admin_scope: Option<String>,
    pub authorization_details_types_supported: Vec<String>,
    pub authorization_details_fields_supported: Vec<AuthorizationDetailsField>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ScopeDescription {
    /// Whether customers authorize this scope through the authorization code flow.
    pub fn needs_user_authorization(&self) -> bool {
        self.grant_types_supported
            .iter()
            .any(|g| g == "authorization_code")
    }
}

/// WG1-02 §3.5 Registration Field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationField {
    pub id: String,
    #[serde(rename = "type")]
    pub field_type: RegistrationFieldType,
    pub description: String,
    /// REQUIRED since the 2025 draft; the May 2023 `cds_registration_extras` have none, so a
    /// missing one is read and reported by conformance instead of failing the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<RegistrationFieldFormat>,
    /// Present exactly when the field is optional (§3.5); `null` is a real default.
    #[serde(
        default,
        with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// A JSON number on the wire (WG1-02 §2 `decimal`), written with its exact digits.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §3.8 Authorization Details Field (a "scope modifier").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetailsField {
    pub id: String,
    pub name: String,
    pub description: String,
    /// REQUIRED since the 2025 draft; May 2023 scope modifiers have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Url>,
    pub for_types: Vec<String>,
    pub format: AuthorizationDetailsFieldFormat,
    pub is_required: bool,
    #[serde(
        default,
        with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub default: Option<Value>,
    /// Typed by `format`; see [`AuthorizationDetailsField::maximum_bound`].
    #[serde(
        default,
        with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub maximum: Option<Value>,
    #[serde(
        default,
        with = "present_value",
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<AuthorizationDetailsFieldChoice>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §3.10 Authorization Details Field Choice (CDS-WG3-01 §5.2 adds fields; kept in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationDetailsFieldChoice {
    pub id: String,
    pub name: String,
    pub description: String,
    pub documentation: Url,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A `maximum` or `minimum` read according to the field's format (§3.8).
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    /// `"infinite"` for `int` and `decimal`.
    Infinite,
    Int(i64),
    Decimal(Decimal),
    /// Maximum string length (`string`, `string_or_null`) or combined length (`string_list`).
    Length(u64),
    Date(RelativeOrAbsoluteDate),
    Datetime(RelativeOrAbsoluteDatetime),
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Infinite => f.write_str(INFINITE),
            Bound::Int(n) => write!(f, "{n}"),
            Bound::Decimal(d) => write!(f, "{d}"),
            Bound::Length(n) => write!(f, "{n} characters"),
            Bound::Date(d) => write!(f, "{d}"),
            Bound::Datetime(d) => write!(f, "{d}"),
        }
    }
}

/// Why a `maximum`/`minimum` does not fit its field's format.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BoundError {
    #[error("expected {expected} for format `{format}`, found {found}")]
    WrongType {
        format: String,
        expected: &'static str,
        found: String,
    },
    #[error(transparent)]
    Date(#[from] DateFormatError),
    #[error("format `{0}` takes no maximum or minimum")]
    NotApplicable(String),
}

impl Bound {
    /// Reads `v` as a bound of `format`.
    pub fn parse(format: &AuthorizationDetailsFieldFormat, v: &Value) -> Result<Bound, BoundError> {
        use AuthorizationDetailsFieldFormat as F;
        let wrong = |expected: &'static str| BoundError::WrongType {
            format: format.to_string(),
            expected,
            found: short_json(v),
        };
        match format {
            F::Int => match v {
                Value::String(s) if s == INFINITE => Ok(Bound::Infinite),
                Value::Number(n) => n
                    .as_i64()
                    .map(Bound::Int)
                    .ok_or_else(|| wrong("an integer or \"infinite\"")),
                _ => Err(wrong("an integer or \"infinite\"")),
            },
            F::Decimal => match v {
                Value::String(s) if s == INFINITE => Ok(Bound::Infinite),
                Value::Number(_) => decimal_from_json(v)
                    .map(Bound::Decimal)
                    .ok_or_else(|| wrong("a decimal or \"infinite\"")),
                _ => Err(wrong("a decimal or \"infinite\"")),
            },
            F::String | F::StringOrNull | F::StringList | F::StringListOrNull => v
                .as_u64()
                .map(Bound::Length)
                .ok_or_else(|| wrong("a non-negative integer length")),
            F::RelativeOrAbsoluteDate => match v {
                Value::String(s) => Ok(Bound::Date(s.parse()?)),
                _ => Err(wrong("a relative or absolute date string")),
            },
            F::RelativeOrAbsoluteDatetime => match v {
                Value::String(s) => Ok(Bound::Datetime(s.parse()?)),
                _ => Err(wrong("a relative or absolute datetime string")),
            },
            other => Err(BoundError::NotApplicable(other.to_string())),
        }
    }
}

impl AuthorizationDetailsField {
    pub fn maximum_bound(&self) -> Option<Result<Bound, BoundError>> {
        self.maximum.as_ref().map(|v| Bound::parse(&self.format, v))
    }
    pub fn minimum_bound(&self) -> Option<Result<Bound, BoundError>> {
        self.minimum.as_ref().map(|v| Bound::parse(&self.format, v))
    }
}

/// A JSON value cut to a readable length for messages.
pub fn short_json(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

/// Keeps "present with `null`" distinct from "absent" for `default`, `maximum`, `minimum`.
mod present_value {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
        Value::deserialize(d).map(Some)
    }

    pub fn serialize<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(v),
            None => s.serialize_none(),
        }
    }
}
