//! Scope strings and what follows from them on a Client object: the union of the scopes'
//! `authorization_details_types_supported` (CDS-WG1-02 §3.4) and their registration fields
//! (§3.5), whose values both registration and Client modification check the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::cds::registration_fields::{self, PurposeRule};
use crate::cds::{AuthorizationServerMetadata, RegistrationField, RegistrationFieldType};

/// Space-separated scopes, each once, in order.
pub(crate) fn scope_list(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_ascii_whitespace() {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

pub(crate) fn as_set(items: &[String]) -> BTreeSet<&str> {
    items.iter().map(String::as_str).collect()
}

/// `authorization_details_types` of a Client object follows from its scopes, as at
/// registration: the union of their `authorization_details_types_supported` (§3.4).
pub(crate) fn details_types(
    catalog: &AuthorizationServerMetadata,
    scopes: &[String],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in scopes
        .iter()
        .filter_map(|sc| catalog.cds_scope_descriptions.get(sc))
    {
        for t in &d.authorization_details_types_supported {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    out
}

/// Registration fields (§3.5, type `registration_field`) of `scopes`, by `field_name`.
pub(crate) fn registration_fields<'a>(
    catalog: &'a AuthorizationServerMetadata,
    scopes: &[String],
) -> BTreeMap<&'a str, &'a RegistrationField> {
    let mut out = BTreeMap::new();
    for d in scopes
        .iter()
        .filter_map(|sc| catalog.cds_scope_descriptions.get(sc))
    {
        for id in d
            .registration_requirements
            .iter()
            .chain(&d.registration_optional)
        {
            if let Some(f) = catalog.cds_registration_fields.get(id)
                && f.field_type == RegistrationFieldType::RegistrationField
                && let Some(name) = &f.field_name
            {
                out.insert(name.as_str(), f);
            }
        }
    }
    out
}

pub(crate) fn is_file_field(catalog: &AuthorizationServerMetadata, field_name: &str) -> bool {
    catalog.cds_registration_fields.values().any(|f| {
        f.field_name.as_deref() == Some(field_name)
            && f.format.as_ref().is_some_and(|x| x.is_file())
    })
}

/// Checks one submitted value against its field's format with the shared rules (§3.7,
/// CDS-WG3-01 §5.1; [`registration_fields`]). The value is stored as submitted.
pub(crate) fn check_value(field: &RegistrationField, v: &Value) -> Result<(), String> {
    registration_fields::check_value(field, v, PurposeRule::Shape)
        .map(|_| ())
        .map_err(|problems| problems.join("; "))
}
