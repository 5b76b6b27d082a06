//! The other direction: a 2026-shaped authorization server metadata document (CDS-WG1-02 §3.2)
//! written as a CDSC 2025 server (CDSC-WG1-02 2025 §3.2–§3.4) or a May 2023 server (CDSC-WG1-02
//! May 2023 overview) writes it, and the fixed scope ids renamed both ways. The demo's legacy
//! modes and the fleet's legacy utilities are rendered with these; the client reads them back
//! through `normalize_*`, so both sides share one table (`legacy_names`).

use serde_json::{Value, json};

use super::Object;
use super::legacy_names::{CUSTOMERDATA_APIS, LEGACY_SCOPE_TYPES};

/// `(2026 id, legacy id)` for each fixed scope of a 2026 document: a scope whose `type` is one of
/// the fixed types (WG1-02 §3.3.1–3.3.3) is named by the id the 2025 draft fixes for it
/// (`client_admin`, `grant_admin`, `server_provided_files`). Only the first scope of each type
/// is renamed (two scopes cannot share a key).
pub fn legacy_scope_ids(meta: &Value) -> Vec<(String, String)> {
    let Some(scopes) = meta
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, s) in scopes {
        let Some(t) = s.get("type").and_then(Value::as_str) else {
            continue;
        };
        let Some((old, _)) = LEGACY_SCOPE_TYPES.iter().find(|(_, new)| *new == t) else {
            continue;
        };
        if key != old && !pairs.iter().any(|(_, o)| o == old) {
            pairs.push((key.clone(), (*old).to_owned()));
        }
    }
    pairs
}

/// Every scope token in `v` renamed from `.0` to `.1` of a pair: object keys, strings, and the
/// tokens of space-separated scope strings (RFC 6749 §3.3). Other text is left alone.
pub fn rename_scope_ids(v: &mut Value, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    match v {
        Value::String(s) => {
            if let Some(renamed) = rename_tokens(s, pairs) {
                *s = renamed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_scope_ids(i, pairs)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut item) in old {
                rename_scope_ids(&mut item, pairs);
                let key = pairs
                    .iter()
                    .find(|(from, _)| *from == k)
                    .map_or(k, |(_, to)| to.clone());
                map.insert(key, item);
            }
        }
        _ => {}
    }
}

/// `s` with its scope tokens renamed, or `None` when none is.
pub fn rename_tokens(s: &str, pairs: &[(String, String)]) -> Option<String> {
    let hit = |t: &str| pairs.iter().find(|(from, _)| from == t).map(|(_, to)| to);
    if !s.split(' ').any(|t| hit(t).is_some()) {
        return None;
    }
    Some(
        s.split(' ')
            .map(|t| hit(t).map_or(t, String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The pairs the other way round.
pub fn reversed(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (b.clone(), a.clone())).collect()
}

/// A 2026 document as a CDSC 2025 server writes it: the fixed scopes under their fixed ids and
/// without `type` (§3.3.1–3.3.3), the customer-data API URLs as `cds_customerdata_*_api`
/// (CDS-WG3-01 §5), `cds_oauth_version` `v1` (§3.2). Everything else is kept.
pub fn oauth_to_2025(meta: &mut Value) {
    let pairs = legacy_scope_ids(meta);
    if let Some(Value::Object(scopes)) = meta.get_mut("cds_scope_descriptions") {
        for (key, _) in &pairs {
            if let Some(Value::Object(s)) = scopes.get_mut(key) {
                s.shift_remove("type");
            }
        }
    }
    rename_scope_ids(meta, &pairs);
    let Some(o) = meta.as_object_mut() else {
        return;
    };
    for (old, new) in CUSTOMERDATA_APIS {
        if let Some(v) = o.shift_remove(new) {
            o.insert(old.to_owned(), v);
        }
    }
    o.entry("cds_oauth_version").or_insert(json!("v1"));
}

/// A May 2023 scope description's list names: `grant_types` and `token_endpoint_auth_methods`.
pub fn oauth_to_2023(meta: &mut Value) {
    let Some(Value::Object(scopes)) = meta.get_mut("cds_scope_descriptions") else {
        return;
    };
    for s in scopes.values_mut().filter_map(Value::as_object_mut) {
        rename_key(s, "grant_types_supported", "grant_types");
        rename_key(
            s,
            "token_endpoint_auth_methods_supported",
            "token_endpoint_auth_methods",
        );
    }
}

fn rename_key(o: &mut Object, from: &str, to: &str) {
    if let Some(v) = o.shift_remove(from) {
        o.insert(to.to_owned(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::{Draft, normalize_client, normalize_oauth_metadata};

    fn meta() -> Value {
        json!({
            "scopes_supported": ["cds_client_admin", "cds_grant_admin_1", "dge_usage"],
            "cds_accounts_api": "https://u.example/api/accounts",
            "cds_scope_descriptions": {
                "cds_client_admin": {"id": "cds_client_admin", "type": "cds_client_admin"},
                "cds_grant_admin_1": {"id": "cds_grant_admin_1", "type": "cds_grant_admin",
                    "authorization_details_types_supported": ["cds_grant_admin_1"]},
                "dge_usage": {"id": "dge_usage", "type": "cds_usage",
                    "documentation": "https://u.example/docs#cds_client_admin"}
            }
        })
    }

    #[test]
    fn the_2025_rendering_reads_back_as_2025() {
        let mut m = meta();
        oauth_to_2025(&mut m);
        assert_eq!(
            m["scopes_supported"],
            json!(["client_admin", "grant_admin", "dge_usage"])
        );
        assert_eq!(
            m["cds_scope_descriptions"]["client_admin"],
            json!({"id": "client_admin"})
        );
        assert_eq!(
            m["cds_scope_descriptions"]["dge_usage"]["documentation"],
            json!("https://u.example/docs#cds_client_admin"),
            "text is not a scope token"
        );
        assert_eq!(
            m["cds_customerdata_accounts_api"],
            json!("https://u.example/api/accounts")
        );
        assert_eq!(m["cds_oauth_version"], json!("v1"));
        let n = normalize_oauth_metadata(m);
        assert_eq!(n.draft, Draft::Cdsc2025);
        assert!(n.value["cds_scope_descriptions"]["cds_client_admin"].is_object());
        assert_eq!(
            n.value["cds_scope_descriptions"]["grant_admin"]["type"],
            json!("cds_grant_admin")
        );
    }

    #[test]
    fn scope_strings_are_renamed_both_ways() {
        let pairs = legacy_scope_ids(&meta());
        let mut client = json!({"scope": "cds_client_admin", "authorization_details_types": ["cds_client_admin"]});
        rename_scope_ids(&mut client, &pairs);
        assert_eq!(client["scope"], json!("client_admin"));
        assert_eq!(normalize_client(client.clone()).draft, Draft::Cdsc2025);
        rename_scope_ids(&mut client, &reversed(&pairs));
        assert_eq!(client["scope"], json!("cds_client_admin"));
        assert_eq!(
            rename_tokens("cds_client_admin dge_usage cds_grant_admin_1", &pairs).as_deref(),
            Some("client_admin dge_usage grant_admin")
        );
        assert_eq!(rename_tokens("dge_usage", &pairs), None);
    }

    #[test]
    fn the_2023_rendering_reads_back_as_2023() {
        let mut m = json!({"cds_scope_descriptions": {"s": {
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"]}}});
        oauth_to_2023(&mut m);
        let s = &m["cds_scope_descriptions"]["s"];
        assert_eq!(s["grant_types"], json!(["client_credentials"]));
        assert!(s.get("grant_types_supported").is_none());
        assert_eq!(normalize_oauth_metadata(m).draft, Draft::Cdsc2023);
    }
}
