//! CDS-WG1-01 Server Metadata (§3.2), Coverage Listing (§4.1) and Coverage Entry (§4.3), with the
//! `oauth` capability and `oauth_metadata` field that CDS-WG1-02 §3.1 adds.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::open_enum::open_enum;
use super::shared;
use std::sync::Arc;

/// The well-known path of WG1-01 §3.1.
pub const WELL_KNOWN_PATH: &str = "/.well-known/cds-server-metadata.json";

open_enum! {
    /// WG1-01 §3.4 Server Capabilities, extended by WG1-02 §3.1 with `oauth`.
    pub enum ServerCapability {
        Coverage = "coverage",
        Oauth = "oauth",
    }
}

open_enum! {
    /// WG1-01 §4.4 Coverage Entry Types.
    pub enum CoverageType {
        Geographic = "geographic",
        Logical = "logical",
    }
}

open_enum! {
    /// WG1-01 §4.5 Capability Roles.
    pub enum CapabilityRole {
        Authoritative = "authoritative",
        Official = "official",
        Aggregator = "aggregator",
    }
}

open_enum! {
    /// WG1-01 §4.6 Infrastructure Types.
    pub enum InfrastructureType {
        DistributionUtility = "distribution_utility",
        MeteringProvider = "metering_provider",
        Supplier = "supplier",
        Generator = "generator",
        MarketOperator = "market_operator",
        DistributionServiceOperator = "distribution_service_operator",
        TransmissionServiceOperator = "transmission_service_operator",
        ServiceProvider = "service_provider",
    }
}

open_enum! {
    /// WG1-01 §4.7 Commodity Types.
    pub enum CommodityType {
        Electricity = "electricity",
        NaturalGas = "natural_gas",
        FuelOil = "fuel_oil",
        Water = "water",
        Wastewater = "wastewater",
        Trash = "trash",
        DistributedEnergy = "distributed_energy",
    }
}

/// WG1-01 §3.2 Metadata Object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerMetadata {
    pub cds_metadata_version: String,
    // The fields below are REQUIRED since the 2025 draft; the May 2023 overview's document shows
    // only the version, the capabilities and `oauth_metadata`. They are optional here so that
    // such a document is read; conformance reports each missing one (an `upgrade.` finding for
    // an older draft, an error for a 2026 document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_metadata_url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<Timestamp>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Url>,
    pub capabilities: Vec<ServerCapability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Url>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_metadata: Vec<Url>,
    /// WG1-02 §3.1: where the authorization server metadata lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_metadata: Option<Url>,
    /// Fields this version does not define (kept and shown, WG1-01 §6).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerMetadata {
    pub fn has_capability(&self, c: &ServerCapability) -> bool {
        self.capabilities.contains(c)
    }
}

/// WG1-01 §4.1 Coverage Listing (one page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageListing {
    pub coverage_entries: Vec<CoverageEntry>,
    pub next: Option<Url>,
    pub previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An absolute URL kept as the text `url::Url` writes for it (the same in JSON output), for
/// fields that are only shown and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UrlText(Arc<str>);

impl UrlText {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for UrlText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        shared::url_text(d).map(UrlText)
    }
}

/// WG1-01 §4.3 Coverage Entry. Strings and lists are boxed slices and unknown members sit
/// behind one pointer, and what entries repeat (entity, country, maps, lists) is shared
/// ([`super::shared`]): a listing can hold 100,000 entries, each kept for the whole session
/// (issue 15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageEntry {
    pub id: Box<str>,
    pub created: Timestamp,
    pub updated: Timestamp,
    #[serde(deserialize_with = "shared::text")]
    pub entity_name: Arc<str>,
    #[serde(default, deserialize_with = "shared::opt_text")]
    pub entity_abbreviation: Option<Arc<str>>,
    #[serde(deserialize_with = "shared::text")]
    pub country: Arc<str>,
    pub name: Box<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Box<str>>,
    #[serde(rename = "type")]
    pub coverage_type: CoverageType,
    pub role: CapabilityRole,
    #[serde(deserialize_with = "shared::list")]
    pub infrastructure_types: Arc<[InfrastructureType]>,
    #[serde(deserialize_with = "shared::list")]
    pub commodity_types: Arc<[CommodityType]>,
    #[serde(deserialize_with = "shared::list")]
    pub capabilities: Arc<[ServerCapability]>,
    /// Checked as an absolute URL when read but kept as its text, as is `geojson_resource`:
    /// a `Url` is 88 bytes before its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_resource: Option<UrlText>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "shared::opt_text"
    )]
    pub map_content_type: Option<Arc<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geojson_resource: Option<UrlText>,
    #[serde(flatten)]
    pub extra: ExtraMembers,
}

/// The members of an object that its type does not define, kept (and written back) in their
/// order; boxed, because most objects have none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExtraMembers(Option<Box<Map<String, Value>>>);

impl From<Map<String, Value>> for ExtraMembers {
    fn from(m: Map<String, Value>) -> Self {
        ExtraMembers((!m.is_empty()).then(|| Box::new(m)))
    }
}

impl Serialize for ExtraMembers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(m) => m.serialize(s),
            None => Map::new().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ExtraMembers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(ExtraMembers::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_strings_are_kept() {
        // Parsed from text: `json!` would turn 1.10 into an f64 before we see it.
        let doc: Value = serde_json::from_str(
            r#"{
            "cds_metadata_version": "v1",
            "cds_metadata_url": "https://u.example/.well-known/cds-server-metadata.json",
            "created": "2024-01-01T00:00:00Z",
            "updated": "2024-01-01T00:00:00Z",
            "name": "U", "description": "D",
            "website": "https://u.example/", "documentation": "https://u.example/d",
            "support": "https://u.example/s",
            "capabilities": ["coverage", "teleportation"],
            "coverage": "https://u.example/c",
            "x_custom": {"amount": 1.10}
        }"#,
        )
        .unwrap();
        let m: ServerMetadata = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(
            m.capabilities[1],
            ServerCapability::Other("teleportation".into())
        );
        assert!(!m.capabilities[1].is_known());
        assert_eq!(m.extra["x_custom"]["amount"].to_string(), "1.10");
        assert_eq!(serde_json::to_value(&m).unwrap(), doc);
    }
}

/// The server metadata fields every draft requires (WG1-01 §3.2; the 2025 CDSC-WG1-01 draft and
/// the May 2023 overview use the same names), and whether each holds a list. A document with
/// none of them, in the right JSON type, is not CDS server metadata at all.
const IDENTIFYING_FIELDS: &[(&str, bool)] = &[
    ("cds_metadata_version", false),
    ("cds_metadata_url", false),
    ("created", false),
    ("updated", false),
    ("name", false),
    ("description", false),
    ("website", false),
    ("documentation", false),
    ("support", false),
    ("capabilities", true),
];

/// Why a JSON document is not CDS server metadata (as opposed to CDS metadata with mistakes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotCds {
    /// The root is an array, a string, a number…
    NotObject { found: &'static str },
    /// An object with none of the fields every draft requires.
    NoRequiredField,
}

impl std::fmt::Display for NotCds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotCds::NotObject { found } => write!(
                f,
                "is JSON but not CDS server metadata: the document is {found}, not an object \
                 (CDS-WG1-01 §3.2)"
            ),
            NotCds::NoRequiredField => {
                let names: Vec<String> = IDENTIFYING_FIELDS
                    .iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect();
                write!(
                    f,
                    "is JSON but not CDS server metadata: no {} (CDS-WG1-01 §3.2)",
                    names.join(", ")
                )
            }
        }
    }
}

/// `Some` when `doc` cannot be CDS server metadata of any draft: not an object, or none of the
/// required fields present with the right JSON type. A document with at least one is CDS,
/// however broken, and is read leniently (the conformance report lists what is wrong).
pub fn not_cds_metadata(doc: &Value) -> Option<NotCds> {
    let Some(obj) = doc.as_object() else {
        let found = match doc {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Some(NotCds::NotObject { found });
    };
    let identified = IDENTIFYING_FIELDS
        .iter()
        .any(|(name, list)| match obj.get(*name) {
            Some(Value::String(_)) => !list,
            Some(Value::Array(_)) => *list,
            _ => false,
        });
    (!identified).then_some(NotCds::NoRequiredField)
}

#[cfg(test)]
mod not_cds_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tells_other_json_from_broken_cds() {
        let other = json!({"hello": "world", "capabilities": "not-a-list"});
        assert_eq!(not_cds_metadata(&other), Some(NotCds::NoRequiredField));
        assert!(
            not_cds_metadata(&json!([1, 2]))
                .unwrap()
                .to_string()
                .contains("an array")
        );
        assert_eq!(
            not_cds_metadata(&json!("x")),
            Some(NotCds::NotObject { found: "a string" })
        );
        // The May 2023 overview's example shows only these three fields.
        let cdsc2023 = json!({"cds_metadata_version": "v1", "capabilities": ["oauth"],
            "oauth_metadata": "https://u.example/.well-known/oauth-authorization-server"});
        assert_eq!(not_cds_metadata(&cdsc2023), None);
        assert_eq!(not_cds_metadata(&json!({"name": "Broken but CDS"})), None);
        let msg = NotCds::NoRequiredField.to_string();
        assert!(msg.contains("`cds_metadata_version`") && msg.contains("`capabilities`"));
    }
}
