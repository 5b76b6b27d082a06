//! CDS-WG1-01 Server Metadata (§3.2), Coverage Listing (§4.1) and Coverage Entry (§4.3), with the
//! `oauth` capability and `oauth_metadata` field that CDS-WG1-02 §3.1 adds.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::open_enum::open_enum;

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
    pub cds_metadata_url: Url,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub name: String,
    pub description: String,
    pub website: Url,
    pub documentation: Url,
    pub support: Url,
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

/// WG1-01 §4.3 Coverage Entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageEntry {
    pub id: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub entity_name: String,
    pub entity_abbreviation: Option<String>,
    pub country: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub coverage_type: CoverageType,
    pub role: CapabilityRole,
    pub infrastructure_types: Vec<InfrastructureType>,
    pub commodity_types: Vec<CommodityType>,
    pub capabilities: Vec<ServerCapability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_resource: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map_content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geojson_resource: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
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
