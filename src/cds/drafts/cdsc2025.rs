//! CDSC 2025 authorization server metadata translated into the CDS-WG1-02 (2026) shape:
//! renamed customer-data APIs (WG3-01 §5), typed scopes, `grant_admin_scope`, per-scope
//! authorization details types, `for_types` on fields (§3.3–3.8).

use std::collections::HashSet;

use serde_json::{Value, json};

use super::Object;
use super::cdsc2025_limits::limits_2025;
use super::legacy_names::{
    CLIENT_ADMIN, FIELDS, GRANT_ADMIN, LEGACY_FIELDS, customerdata_api, legacy_type,
};
use super::log::{Log, child, fill, index};
use super::scopes::*;

pub(super) fn oauth_2025(map: Object, log: &mut Log) -> Object {
    let rename_admin = admin_renamable(&map);
    let grant_admin = grant_admin_scope_id(&map);
    let present: HashSet<String> = map.keys().cloned().collect();
    let mut out = Object::new();
    for (key, value) in map {
        if let Some(new) = customerdata_api(&key)
            && !present.contains(new)
        {
            log.renamed(child("", &key), &key, new);
            out.insert(new.to_owned(), value);
            continue;
        }
        let here = child("", &key);
        let value = match key.as_str() {
            "scopes_supported" | "authorization_details_types_supported" if rename_admin => {
                rename_admin_items(value, &here, log)
            }
            "cds_scope_descriptions" => {
                scopes_2025(value, rename_admin, grant_admin.as_deref(), log)
            }
            "cds_registration_fields" => match value {
                Value::Object(fields) => Value::Object(
                    fields
                        .into_iter()
                        .map(|(k, f)| {
                            let f = match f {
                                Value::Object(f) => Value::Object(registration_review_type(
                                    f,
                                    &child(&here, &k),
                                    log,
                                )),
                                other => other,
                            };
                            (k, f)
                        })
                        .collect(),
                ),
                other => other,
            },
            _ => value,
        };
        out.insert(key, value);
    }
    out
}

/// The id of the 2025 grant admin scope, which reaches every Grant without an admin scope.
pub(super) fn grant_admin_scope_id(map: &Object) -> Option<String> {
    scope_descriptions(map).find_map(|(key, s)| {
        let id = s.get("id").and_then(Value::as_str).unwrap_or(key);
        let scope_type = match s.get("type").and_then(Value::as_str) {
            Some(t) => legacy_type(t).unwrap_or(t),
            None => legacy_type(id).or(legacy_type(key))?,
        };
        (scope_type == GRANT_ADMIN).then(|| id.to_owned())
    })
}

pub(super) fn scopes_2025(
    value: Value,
    rename_admin: bool,
    grant_admin: Option<&str>,
    log: &mut Log,
) -> Value {
    let Value::Object(scopes) = value else {
        return value;
    };
    let mut out = Object::new();
    for (key, scope) in scopes {
        let base = child("/cds_scope_descriptions", &key);
        let new_key = scope_key(&key, rename_admin, &base, log);
        let scope = match scope {
            Value::Object(s) => {
                let cx = ScopeCx {
                    key: &key,
                    new_key: &new_key,
                    base: &base,
                    rename_admin,
                };
                Value::Object(scope_2025(s, &cx, grant_admin, log))
            }
            other => other,
        };
        out.insert(new_key, scope);
    }
    Value::Object(out)
}

pub(super) fn scope_2025(
    s: Object,
    cx: &ScopeCx,
    grant_admin: Option<&str>,
    log: &mut Log,
) -> Object {
    let original_id = s
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(cx.key)
        .to_owned();
    let scope_id = final_scope_id(&s, cx.new_key, cx.rename_admin);
    let legacy_fields = s.contains_key(LEGACY_FIELDS) && !s.contains_key(FIELDS);
    let mut out = Object::new();
    for (k, v) in s {
        let here = child(cx.base, &k);
        let v = match k.as_str() {
            "id" => scope_id_value(v, cx.rename_admin, &here, log),
            "type" => scope_type_value(v, &here, log),
            FIELDS => fields_2025(v, &here, &scope_id, log),
            LEGACY_FIELDS if legacy_fields => {
                log.renamed(here.clone(), &k, FIELDS);
                out.insert(FIELDS.to_owned(), fields_2025(v, &here, &scope_id, log));
                continue;
            }
            _ => v,
        };
        out.insert(k, v);
    }
    fill_scope_type(&mut out, &original_id, &scope_id, cx.base, log);

    let scope_type = scope_type_of(&out).map(str::to_owned);
    let is_admin = matches!(scope_type.as_deref(), Some(CLIENT_ADMIN | GRANT_ADMIN));
    let (grant_admin_scope, why) = match grant_admin {
        _ if is_admin => (
            Value::Null,
            "admin scopes are not reached through a grant admin scope",
        ),
        Some(g) => (
            json!(g),
            "in CDSC 2025 the grant admin scope reaches every Grant that holds no admin scope",
        ),
        None => (Value::Null, "the document offers no grant admin scope"),
    };
    fill(
        &mut out,
        "grant_admin_scope",
        grant_admin_scope,
        cx.base,
        why,
        log,
    );

    let (types, why) = if scope_type.as_deref() == Some(CLIENT_ADMIN) {
        (
            json!([]),
            "the client admin scope takes no authorization details (WG1-02 §3.3.1)",
        )
    } else {
        (
            json!([scope_id]),
            "in CDSC 2025 every scope id is an authorization details type (the top-level list equals `scopes_supported`)",
        )
    };
    fill(
        &mut out,
        "authorization_details_types_supported",
        types,
        cx.base,
        why,
        log,
    );
    out
}

pub(super) fn fields_2025(value: Value, base: &str, scope_id: &str, log: &mut Log) -> Value {
    let Value::Array(items) = value else {
        return value;
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, f)| match f {
            Value::Object(f) => {
                let here = index(base, i);
                let mut f = limits_2025(f, &here, log);
                fill(
                    &mut f,
                    "for_types",
                    json!([scope_id]),
                    &here,
                    "in CDSC 2025 a field belongs to its scope, whose id is its authorization details type",
                    log,
                );
                Value::Object(f)
            }
            other => other,
        })
        .collect();
    Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::legacy_names::CUSTOMERDATA_APIS;
    use crate::cds::drafts::test_support::*;
    use crate::cds::drafts::*;
    use serde_json::json;

    #[test]
    fn oauth_2025_matches_the_reviewed_output() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        assert_eq!(n.draft, Draft::Cdsc2025);
        assert_eq!(n.value, fixture(OAUTH_2025_NORMALIZED));
    }

    #[test]
    fn oauth_2025_customer_data_apis_renamed() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        let v = &n.value;
        for (old, new) in CUSTOMERDATA_APIS {
            assert!(v.get(old).is_none(), "{old} left behind");
            assert!(v.get(new).is_some(), "{new} missing");
            assert_eq!(
                translation(&n, &format!("/{old}")),
                [format!("`{old}` (CDSC 2025) read as `{new}`")]
            );
        }
        assert_eq!(
            v["cds_billstatement_api"],
            json!("https://cds.demo-utility.example/api/customerdata/billstatements")
        );
        // Unknown fields stay.
        assert_eq!(
            v["cds_scope_credentials_api"],
            json!("https://cds.demo-utility.example/api/scope-credentials")
        );
        assert_eq!(
            at(
                v,
                "/cds_scope_descriptions/cds_usage_basic/x_demo_rate_class"
            ),
            &json!("residential")
        );
    }

    #[test]
    fn oauth_2025_client_admin_becomes_cds_client_admin() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        let v = &n.value;
        assert!(
            at(v, "/cds_scope_descriptions")
                .get("client_admin")
                .is_none()
        );
        let admin = at(v, "/cds_scope_descriptions/cds_client_admin");
        assert_eq!(admin["id"], json!("cds_client_admin"));
        assert_eq!(admin["type"], json!("cds_client_admin"));
        assert_eq!(admin["grant_admin_scope"], Value::Null);
        assert_eq!(admin["authorization_details_types_supported"], json!([]));
        assert_eq!(admin[FIELDS], json!([]));
        assert_eq!(at(v, "/scopes_supported/0"), &json!("cds_client_admin"));
        assert_eq!(
            at(v, "/authorization_details_types_supported/0"),
            &json!("cds_client_admin")
        );
        let renamed = "`client_admin` (CDSC 2025) read as `cds_client_admin`";
        assert_eq!(
            translation(&n, "/cds_scope_descriptions/client_admin")[0],
            renamed
        );
        assert_eq!(
            translation(&n, "/cds_scope_descriptions/client_admin/id"),
            [renamed]
        );
        assert_eq!(translation(&n, "/scopes_supported/0"), [renamed]);
        assert_eq!(
            translation(&n, "/authorization_details_types_supported/0"),
            [renamed]
        );
        assert_eq!(
            translation(
                &n,
                "/cds_scope_descriptions/client_admin/authorization_details_fields"
            ),
            [
                "`authorization_details_fields` (CDSC 2025) read as `authorization_details_fields_supported`"
            ]
        );
    }

    #[test]
    fn oauth_2025_scope_types_and_grant_admin_scope() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        let scopes = at(&n.value, "/cds_scope_descriptions");
        // Only the client admin id is fixed in 2026; the others keep their ids.
        let expect = [
            ("grant_admin", "cds_grant_admin", Value::Null),
            (
                "server_provided_files",
                "cds_server_provided_files",
                json!("grant_admin"),
            ),
            ("cds_usage_basic", "cds_usage_basic", json!("grant_admin")),
            (
                "cds_accounts_basic",
                "cds_accounts_basic",
                json!("grant_admin"),
            ),
        ];
        for (id, scope_type, grant_admin_scope) in expect {
            let s = &scopes[id];
            assert_eq!(s["id"], json!(id));
            assert_eq!(s["type"], json!(scope_type), "{id}");
            assert_eq!(s["grant_admin_scope"], grant_admin_scope, "{id}");
            assert_eq!(s["authorization_details_types_supported"], json!([id]));
        }
        let fills = translation(&n, "/cds_scope_descriptions/grant_admin");
        assert_eq!(
            fills[0],
            "`type` absent (CDSC 2025); filled with \"cds_grant_admin\": the fixed scope id `grant_admin` stands for this type"
        );
        assert!(
            translation(&n, "/cds_scope_descriptions/cds_usage_basic")
                .contains(&"`grant_admin_scope` absent (CDSC 2025); filled with \"grant_admin\": in CDSC 2025 the grant admin scope reaches every Grant that holds no admin scope")
        );
    }

    #[test]
    fn oauth_2025_fields_get_for_types() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        let v = &n.value;
        let grant = at(
            v,
            "/cds_scope_descriptions/grant_admin/authorization_details_fields_supported",
        );
        assert_eq!(grant[0]["for_types"], json!(["grant_admin"]));
        assert_eq!(grant[1]["for_types"], json!(["grant_admin"]));
        let files = at(v, "/cds_scope_descriptions/server_provided_files");
        assert!(files.get(LEGACY_FIELDS).is_none());
        assert_eq!(files[FIELDS][0]["id"], json!("file_id"));
        assert_eq!(
            files[FIELDS][0]["for_types"],
            json!(["server_provided_files"])
        );
        assert_eq!(
            translation(
                &n,
                "/cds_scope_descriptions/server_provided_files/authorization_details_fields/0"
            )[0],
            "`for_types` absent (CDSC 2025); filled with [\"server_provided_files\"]: in CDSC 2025 a field belongs to its scope, whose id is its authorization details type"
        );
    }

    #[test]
    fn oauth_2025_manual_review_becomes_internal_review() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        assert_eq!(
            at(&n.value, "/cds_registration_fields/utility_review/type"),
            &json!("internal_review")
        );
        assert_eq!(
            translation(&n, "/cds_registration_fields/utility_review/type"),
            ["`manual_review` (CDSC 2025) read as `internal_review`"]
        );
        assert_eq!(
            at(&n.value, "/cds_registration_fields/company_logo/default"),
            &Value::Null
        );
    }
}
