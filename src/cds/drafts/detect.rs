//! Which draft an authorization server metadata document (CDS-WG1-02 §3.2 or its
//! predecessors) follows, told by the fields only the older drafts use.

use serde_json::Value;

use super::legacy_names::{CUSTOMERDATA_APIS, FIELDS, LEGACY_FIELDS, LEGACY_LIMITS, legacy_type};
use super::scopes::scope_descriptions;
use super::{Draft, Object};

pub(super) fn detect_oauth(doc: &Value) -> Draft {
    let Some(map) = doc.as_object() else {
        return Draft::Cds2026;
    };
    if map.contains_key("cds_registration_extras")
        || scope_descriptions(map).any(|(_, s)| is_2023_scope(s))
    {
        return Draft::Cdsc2023;
    }
    if CUSTOMERDATA_APIS
        .iter()
        .any(|(old, _)| map.contains_key(*old))
        || scope_descriptions(map).any(|(k, s)| is_2025_scope(k, s))
    {
        return Draft::Cdsc2025;
    }
    Draft::Cds2026
}

pub(super) fn is_2023_scope(s: &Object) -> bool {
    let legacy_name = |old: &str, new: &str| s.contains_key(old) && !s.contains_key(new);
    s.contains_key("scope_modifiers")
        || s.contains_key("requirements")
        || legacy_name("grant_types", "grant_types_supported")
        || legacy_name(
            "token_endpoint_auth_methods",
            "token_endpoint_auth_methods_supported",
        )
}

pub(super) fn is_2025_scope(key: &str, s: &Object) -> bool {
    let id = s.get("id").and_then(Value::as_str).unwrap_or(key);
    let untyped_fixed_id =
        !s.contains_key("type") && (legacy_type(key).is_some() || legacy_type(id).is_some());
    let legacy_type_value = s
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| legacy_type(t).is_some());
    let legacy_fields_key = s.contains_key(LEGACY_FIELDS) && !s.contains_key(FIELDS);
    let legacy_limits = [FIELDS, LEGACY_FIELDS]
        .into_iter()
        .filter_map(|k| s.get(k).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_object)
        .any(|f| !f.contains_key("maximum") && LEGACY_LIMITS.iter().any(|l| f.contains_key(*l)));
    untyped_fixed_id || legacy_type_value || legacy_fields_key || legacy_limits
}
