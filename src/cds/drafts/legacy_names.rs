//! Names that changed between the CDSC drafts and CDS-WG1-02 (2026): the client admin scope
//! id, the fixed scope types (§3.3.1–3.3.3), the 2025 customer-data API fields (CDS-WG3-01 §5),
//! the legacy well-known path and the 2025 limits (§3.8).

use super::LEGACY_WELL_KNOWN_PATHS;

pub(super) const CLIENT_ADMIN: &str = "cds_client_admin";
pub(super) const LEGACY_CLIENT_ADMIN: &str = "client_admin";
pub(super) const GRANT_ADMIN: &str = "cds_grant_admin";
pub(super) const FIELDS: &str = "authorization_details_fields_supported";
pub(super) const LEGACY_FIELDS: &str = "authorization_details_fields";

/// The fixed scope ids of CDSC 2025 §3.3.1–3.3.3 (also 2023's `client_admin`) and the 2026 scope
/// `type` (WG1-02 §3.3.1–3.3.3) each one stands for.
pub(super) const LEGACY_SCOPE_TYPES: [(&str, &str); 3] = [
    ("client_admin", "cds_client_admin"),
    ("grant_admin", "cds_grant_admin"),
    ("server_provided_files", "cds_server_provided_files"),
];

/// Scope names that WG1-02 §3.3.1–3.3.3 fixes for a scope type.
pub(super) const FIXED_SCOPE_NAMES: [(&str, &str); 3] = [
    ("cds_client_admin", "Client Admin"),
    ("cds_grant_admin", "Grant Admin"),
    ("cds_server_provided_files", "Server-Provided Files"),
];

/// 2025 customer-data API URL fields and their CDS-WG3-01 §5 names.
pub(super) const CUSTOMERDATA_APIS: [(&str, &str); 9] = [
    ("cds_customerdata_accounts_api", "cds_accounts_api"),
    (
        "cds_customerdata_servicecontracts_api",
        "cds_servicecontracts_api",
    ),
    (
        "cds_customerdata_servicepoints_api",
        "cds_servicepoints_api",
    ),
    ("cds_customerdata_meterdevices_api", "cds_meterdevices_api"),
    (
        "cds_customerdata_billstatements_api",
        "cds_billstatement_api",
    ),
    ("cds_customerdata_billsections_api", "cds_billsection_api"),
    ("cds_customerdata_aggregations_api", "cds_aggregations_api"),
    (
        "cds_customerdata_usagesegments_api",
        "cds_usagesegments_api",
    ),
    ("cds_customerdata_eacs_api", "cds_eacs_api"),
];

/// CDSC 2025 §3.8 limits, in the order they are tried for the single 2026 `maximum`.
pub(super) const LEGACY_LIMITS: [&str; 3] = ["relative_date_limit", "absolute_date_limit", "limit"];

/// Registration field formats that have an `_or_null` twin (WG1-02 §3.7).
pub(super) const NULLABLE_FORMATS: [&str; 6] =
    ["string", "url", "email", "boolean", "image", "pdf"];

/// Whether `url` is at the well-known path of the 2025 and May 2023 drafts.
pub fn is_legacy_well_known(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    LEGACY_WELL_KNOWN_PATHS.iter().any(|p| path.ends_with(p))
}

/// The 2026 scope `type` a legacy fixed scope id or type value stands for.
pub(super) fn legacy_type(id: &str) -> Option<&'static str> {
    LEGACY_SCOPE_TYPES
        .iter()
        .find(|(old, _)| *old == id)
        .map(|(_, new)| *new)
}

pub(super) fn fixed_scope_name(scope_type: &str) -> Option<&'static str> {
    FIXED_SCOPE_NAMES
        .iter()
        .find(|(t, _)| *t == scope_type)
        .map(|(_, name)| *name)
}

pub(super) fn customerdata_api(key: &str) -> Option<&'static str> {
    CUSTOMERDATA_APIS
        .iter()
        .find(|(old, _)| *old == key)
        .map(|(_, new)| *new)
}
