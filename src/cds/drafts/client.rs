//! Client objects (CDS-WG1-02 §5.1) of the 2025 and May 2023 drafts: which draft they follow,
//! and their renamed scope ids and moved `cds_settings.default_scope`.

use serde_json::{Value, json};

use super::legacy_names::legacy_type;
use super::log::{Log, child, fill};
use super::scopes::{rename_admin_items, rename_scope_tokens};
use super::{Draft, Object};

/// Keys that only a May 2023 Client object carries (settings, updates and scope-credentials APIs).
pub(super) const CLIENT_2023_KEYS: [&str; 7] = [
    "cds_settings",
    "cds_settings_api",
    "cds_updates_api",
    "cds_updates_latest",
    "cds_updates_outstanding",
    "cds_scope_credentials",
    "cds_scope_credentials_api",
];

pub(super) fn detect_client(doc: &Value) -> Draft {
    let Some(map) = doc.as_object() else {
        return Draft::Cds2026;
    };
    if CLIENT_2023_KEYS.iter().any(|k| map.contains_key(*k)) {
        return Draft::Cdsc2023;
    }
    let legacy_scope = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| s.split(' ').any(|t| legacy_type(t).is_some()))
    };
    let legacy_types = map
        .get("authorization_details_types")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str().and_then(legacy_type).is_some()));
    let legacy_metadata = map
        .get("cds_server_metadata")
        .and_then(Value::as_str)
        .is_some_and(|u| {
            u.split(['?', '#'])
                .next()
                .unwrap_or(u)
                .ends_with("carbon-data-spec.json")
        });
    if legacy_scope("scope") || legacy_scope("cds_default_scope") || legacy_types || legacy_metadata
    {
        Draft::Cdsc2025
    } else {
        Draft::Cds2026
    }
}

pub(super) fn client_legacy(map: Object, log: &mut Log) -> Object {
    let is_2023 = log.draft == Draft::Cdsc2023;
    let move_default_scope = is_2023
        && !map.contains_key("cds_default_scope")
        && map
            .get("cds_settings")
            .and_then(|s| s.get("default_scope"))
            .is_some();
    let mut out = Object::new();
    for (key, value) in map {
        let here = child("", &key);
        let value = match key.as_str() {
            "scope" | "cds_default_scope" => rename_scope_tokens(value, &here, log),
            "authorization_details_types" => rename_admin_items(value, &here, log),
            "cds_settings" if move_default_scope => match value {
                Value::Object(settings) => {
                    let mut rest = Object::new();
                    for (k, v) in settings {
                        if k == "default_scope" {
                            let from = child(&here, &k);
                            let message = format!(
                                "`cds_settings.default_scope` ({}) read as `cds_default_scope`",
                                log.draft.label()
                            );
                            log.note(from.clone(), message);
                            out.insert(
                                "cds_default_scope".to_owned(),
                                rename_scope_tokens(v, &from, log),
                            );
                        } else {
                            rest.insert(k, v);
                        }
                    }
                    Value::Object(rest)
                }
                other => other,
            },
            _ => value,
        };
        out.insert(key, value);
    }
    if is_2023 {
        fill(
            &mut out,
            "authorization_details_types",
            json!([]),
            "",
            "the draft has no authorization details (RFC 9396)",
            log,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::test_support::*;
    use crate::cds::drafts::*;

    #[test]
    fn client_2026_passes_through() {
        let doc = fixture(CLIENT_2026);
        let n = normalize_client(doc.clone());
        assert_eq!(n.draft, Draft::Cds2026);
        assert_eq!(n.value, doc);
        assert!(n.translations.is_empty());
    }

    #[test]
    fn client_2025_scope_renamed() {
        let doc = fixture(CLIENT_2025);
        let n = normalize_client(doc.clone());
        assert_eq!(n.draft, Draft::Cdsc2025);
        assert_eq!(n.value["scope"], json!("cds_client_admin"));
        assert_eq!(
            n.value["authorization_details_types"],
            json!(["cds_client_admin"])
        );
        let renamed = "`client_admin` (CDSC 2025) read as `cds_client_admin`";
        assert_eq!(translation(&n, "/scope"), [renamed]);
        assert_eq!(translation(&n, "/authorization_details_types/0"), [renamed]);
        assert_eq!(n.translations.len(), 2);
        // Everything else is as it was.
        let mut back = n.value.clone();
        back["scope"] = json!("client_admin");
        back["authorization_details_types"] = json!(["client_admin"]);
        assert_eq!(back, doc);
    }

    #[test]
    fn client_2023_settings_and_scope() {
        let doc = fixture(CLIENT_2023);
        let n = normalize_client(doc.clone());
        let v = &n.value;
        assert_eq!(n.draft, Draft::Cdsc2023);
        assert_eq!(v["scope"], json!("cds_client_admin"));
        assert_eq!(v["cds_default_scope"], json!("accounts usage"));
        assert!(at(v, "/cds_settings").get("default_scope").is_none());
        assert_eq!(
            at(v, "/cds_settings/public_directory/directory_slug"),
            &json!("ev-example")
        );
        assert_eq!(v["authorization_details_types"], json!([]));
        assert_eq!(v["cds_scope_credentials"], doc["cds_scope_credentials"]);
        assert_eq!(
            v["client_secret_expires_at"],
            doc["client_secret_expires_at"]
        );
        assert_eq!(
            translation(&n, "/cds_settings/default_scope"),
            ["`cds_settings.default_scope` (CDSC May 2023) read as `cds_default_scope`"]
        );
        assert_eq!(
            translation(&n, ""),
            [
                "`authorization_details_types` absent (CDSC May 2023); filled with []: the draft has no authorization details (RFC 9396)"
            ]
        );
    }
}
