//! CDSC May 2023 authorization server metadata translated into the CDS-WG1-02 (2026) shape:
//! registration extras and scope requirements become `cds_registration_fields` (§3.7), scope
//! modifiers become authorization details fields (§3.8), scope fields get their 2026 names.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::Object;
use super::cdsc2023_fields::{Extra, Extras, Requirements, extras_2023, modifiers_2023};
use super::legacy_names::{CLIENT_ADMIN, FIELDS};
use super::log::{Log, child, fill, index};
use super::scopes::*;

pub(super) fn oauth_2023(map: Object, log: &mut Log) -> Object {
    let rename_admin = admin_renamable(&map);
    let (mut extras, mut extras_rest) = match map.get("cds_registration_extras") {
        Some(Value::Array(items)) => extras_2023(items),
        _ => (Vec::new(), Vec::new()),
    };
    let scope_env = Env2023::new(&map, rename_admin, &extras);
    let had_fields = map.contains_key("cds_registration_fields");
    let mut generated = Object::new();
    let mut ad_types: Vec<Value> = Vec::new();
    let mut placeholder = false;
    let mut out = Object::new();
    for (key, value) in map {
        let here = child("", &key);
        let value = match key.as_str() {
            "cds_registration_extras" if value.is_array() => {
                note_extras(std::mem::take(&mut extras), &here, &mut generated, log);
                let rest = std::mem::take(&mut extras_rest);
                if !rest.is_empty() {
                    out.insert(key, Value::Array(rest));
                }
                // Keeps the fields where the extras were; filled in once the scopes are read.
                if !had_fields {
                    out.insert("cds_registration_fields".to_owned(), Value::Null);
                    placeholder = true;
                }
                continue;
            }
            "scopes_supported" if rename_admin => rename_admin_items(value, &here, log),
            "cds_scope_descriptions" => {
                scopes_2023(value, &scope_env, &mut generated, &mut ad_types, log)
            }
            _ => value,
        };
        out.insert(key, value);
    }
    place_registration_fields(&mut out, generated, placeholder, log);
    fill(
        &mut out,
        "authorization_details_types_supported",
        Value::Array(ad_types),
        "",
        "the union of the scopes' `authorization_details_types_supported` (WG1-02 §3.2)",
        log,
    );
    out
}

/// Notes each translated `cds_registration_extras` entry and adds it to the generated fields.
fn note_extras(extras: Vec<Extra>, here: &str, generated: &mut Object, log: &mut Log) {
    for e in extras {
        let message = format!(
            "`cds_registration_extras` entry `{}` ({}) read as `cds_registration_fields` entry `{}` of type `registration_field` ({})",
            e.id,
            log.draft.label(),
            e.id,
            e.note
        );
        log.note(index(here, e.index), message);
        if !generated.contains_key(&e.id) {
            generated.insert(e.id, Value::Object(e.field));
        }
    }
}

/// Puts the registration fields built from extras and requirements into the document: in the
/// placeholder left where the extras were, else added to the fields the document has, else
/// filled in.
fn place_registration_fields(
    out: &mut Object,
    generated: Object,
    placeholder: bool,
    log: &mut Log,
) {
    match out.get_mut("cds_registration_fields") {
        Some(slot) if placeholder => *slot = Value::Object(generated),
        Some(Value::Object(existing)) => {
            for (k, v) in generated {
                if !existing.contains_key(&k) {
                    existing.insert(k, v);
                }
            }
        }
        Some(_) => {}
        None => {
            let why = if generated.is_empty() {
                "no scope has registration requirements (WG1-02 §3.2 then asks for `{}`)"
            } else {
                "built from the scopes' `requirements`"
            };
            fill(
                out,
                "cds_registration_fields",
                Value::Object(generated),
                "",
                why,
                log,
            );
        }
    }
}

/// Document-wide facts a May 2023 scope description is read against.
pub(super) struct Env2023 {
    pub(super) rename_admin: bool,
    pub(super) extras: Extras,
    pub(super) top_code_challenges: Option<Value>,
}

impl Env2023 {
    fn new(map: &Object, rename_admin: bool, extras: &[Extra]) -> Self {
        Env2023 {
            rename_admin,
            extras: Extras {
                ids: extras.iter().map(|e| e.id.clone()).collect(),
                formats: extras
                    .iter()
                    .filter_map(|e| Some((e.id.clone(), e.format.clone()?)))
                    .collect(),
            },
            top_code_challenges: map.get("code_challenge_methods_supported").cloned(),
        }
    }
}

pub(super) fn scopes_2023(
    value: Value,
    env: &Env2023,
    generated: &mut Object,
    ad_types: &mut Vec<Value>,
    log: &mut Log,
) -> Value {
    let Value::Object(scopes) = value else {
        return value;
    };
    let mut out = Object::new();
    for (key, scope) in scopes {
        let base = child("/cds_scope_descriptions", &key);
        let new_key = scope_key(&key, env.rename_admin, &base, log);
        let scope = match scope {
            Value::Object(s) => {
                let cx = ScopeCx {
                    key: &key,
                    new_key: &new_key,
                    base: &base,
                    rename_admin: env.rename_admin,
                };
                let s = scope_2023(s, &cx, env, generated, log);
                let types = s
                    .get("authorization_details_types_supported")
                    .and_then(Value::as_array);
                for t in types.into_iter().flatten() {
                    if !ad_types.contains(t) {
                        ad_types.push(t.clone());
                    }
                }
                Value::Object(s)
            }
            other => other,
        };
        out.insert(new_key, scope);
    }
    Value::Object(out)
}

/// One May 2023 scope description in the 2026 shape: its members renamed or read
/// ([`members_2023`]), then what the 2026 shape needs and the draft left implicit filled in.
pub(super) fn scope_2023(
    s: Object,
    cx: &ScopeCx,
    env: &Env2023,
    generated: &mut Object,
    log: &mut Log,
) -> Object {
    let original_id = s
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(cx.key)
        .to_owned();
    let scope_id = final_scope_id(&s, cx.new_key, cx.rename_admin);
    let mut required_names: HashSet<String> = HashSet::new();
    let mut out = members_2023(s, cx, &scope_id, env, generated, &mut required_names, log);

    let base = cx.base;
    fill(
        &mut out,
        "id",
        json!(cx.new_key),
        base,
        "scope descriptions have no `id` in this draft; the key is the id",
        log,
    );
    fill_scope_type(&mut out, &original_id, &scope_id, base, log);
    let is_client_admin = scope_type_of(&out) == Some(CLIENT_ADMIN);
    fill_grant_derived(&mut out, env, base, log);
    fill_registration_optional(&mut out, env, &required_names, is_client_admin, base, log);
    fill(
        &mut out,
        "coverages_supported",
        json!([]),
        base,
        "the draft ties scopes to no coverage entries",
        log,
    );
    fill(
        &mut out,
        "grant_admin_scope",
        Value::Null,
        base,
        "the draft has no grant admin scope",
        log,
    );
    fill_ad_types(&mut out, &scope_id, is_client_admin, base, log);
    out
}

/// The members of a May 2023 scope description, renamed to their 2026 names; `requirements`
/// become registration fields (their `field_name`s go to `required_names`) and
/// `scope_modifiers` authorization details fields.
fn members_2023(
    s: Object,
    cx: &ScopeCx,
    scope_id: &str,
    env: &Env2023,
    generated: &mut Object,
    required_names: &mut HashSet<String>,
    log: &mut Log,
) -> Object {
    let legacy_name = |old: &str, new: &str| s.contains_key(old) && !s.contains_key(new);
    let rename_grants = legacy_name("grant_types", "grant_types_supported");
    let rename_auth = legacy_name(
        "token_endpoint_auth_methods",
        "token_endpoint_auth_methods_supported",
    );
    let read_requirements = legacy_name("requirements", "registration_requirements");
    let read_modifiers = legacy_name("scope_modifiers", FIELDS);
    let mut out = Object::new();
    for (k, v) in s {
        let here = child(cx.base, &k);
        let v = match k.as_str() {
            "id" => scope_id_value(v, cx.rename_admin, &here, log),
            "type" => scope_type_value(v, &here, log),
            "grant_types" if rename_grants => {
                log.renamed(here, &k, "grant_types_supported");
                out.insert("grant_types_supported".to_owned(), v);
                continue;
            }
            "token_endpoint_auth_methods" if rename_auth => {
                log.renamed(here, &k, "token_endpoint_auth_methods_supported");
                out.insert("token_endpoint_auth_methods_supported".to_owned(), v);
                continue;
            }
            "requirements" if read_requirements => match v {
                Value::Array(items) => {
                    log.renamed(here.clone(), &k, "registration_requirements");
                    let mut reqs = Requirements {
                        extras: &env.extras,
                        generated: &mut *generated,
                        required_names: &mut *required_names,
                    };
                    let (ids, rest) = reqs.read(items, &here, log);
                    out.insert("registration_requirements".to_owned(), Value::Array(ids));
                    if !rest.is_empty() {
                        out.insert(k, Value::Array(rest));
                    }
                    continue;
                }
                other => other,
            },
            "scope_modifiers" if read_modifiers && (v.is_object() || v.is_array()) => {
                log.renamed(here.clone(), &k, FIELDS);
                let (fields, rest) = modifiers_2023(v, &here, scope_id, log);
                out.insert(FIELDS.to_owned(), Value::Array(fields));
                if let Some(rest) = rest {
                    out.insert(k, rest);
                }
                continue;
            }
            _ => v,
        };
        out.insert(k, v);
    }
    out
}

/// Fills `response_types_supported` and `code_challenge_methods_supported` from the scope's
/// grant types, when it lists them.
fn fill_grant_derived(out: &mut Object, env: &Env2023, base: &str, log: &mut Log) {
    let grants: Option<Vec<String>> = out
        .get("grant_types_supported")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|g| g.as_str().map(str::to_owned)).collect());
    let Some(grants) = &grants else {
        return;
    };
    let mut response_types: Vec<&str> = Vec::new();
    for g in grants {
        let r = match g.as_str() {
            "authorization_code" => "code",
            "implicit" => "token",
            _ => continue,
        };
        if !response_types.contains(&r) {
            response_types.push(r);
        }
    }
    fill(
        out,
        "response_types_supported",
        json!(response_types),
        base,
        "derived from the grant types (RFC 7591 §2.1 pairs `authorization_code` with `code`, `implicit` with `token`)",
        log,
    );
    let uses_code = grants.iter().any(|g| g == "authorization_code");
    match &env.top_code_challenges {
        _ if !uses_code => fill(
            out,
            "code_challenge_methods_supported",
            json!([]),
            base,
            "no `authorization_code` grant, so no code challenge (WG1-02 §3.4)",
            log,
        ),
        Some(methods @ Value::Array(_)) => fill(
            out,
            "code_challenge_methods_supported",
            methods.clone(),
            base,
            "the scope uses `authorization_code`; methods taken from the top-level `code_challenge_methods_supported`",
            log,
        ),
        _ => {}
    }
}

/// Fills `registration_optional`: the document's extras this scope does not require.
fn fill_registration_optional(
    out: &mut Object,
    env: &Env2023,
    required_names: &HashSet<String>,
    is_client_admin: bool,
    base: &str,
    log: &mut Log,
) {
    let (optional, why) = if is_client_admin {
        (
            Vec::new(),
            "the client admin scope takes no registration fields (WG1-02 §3.3.1)",
        )
    } else {
        let ids = env
            .extras
            .ids
            .iter()
            .filter(|id| !required_names.contains(*id))
            .map(|id| json!(id))
            .collect();
        (
            ids,
            "the draft's `cds_registration_extras` may accompany any registration; those this scope does not require",
        )
    };
    fill(
        out,
        "registration_optional",
        Value::Array(optional),
        base,
        why,
        log,
    );
}

/// Fills `authorization_details_types_supported`: the scope id when its modifiers became
/// authorization details fields, else none.
fn fill_ad_types(
    out: &mut Object,
    scope_id: &str,
    is_client_admin: bool,
    base: &str,
    log: &mut Log,
) {
    let has_fields = out
        .get(FIELDS)
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let (types, why) = if has_fields && !is_client_admin {
        (
            json!([scope_id]),
            "the scope's modifiers are read as authorization details fields of type `<scope id>`",
        )
    } else {
        (json!([]), "the scope takes no authorization details fields")
    };
    fill(
        out,
        "authorization_details_types_supported",
        types,
        base,
        why,
        log,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::test_support::*;
    use crate::cds::drafts::*;
    use serde_json::json;

    #[test]
    fn oauth_2023_matches_the_reviewed_output() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2023));
        assert_eq!(n.draft, Draft::Cdsc2023);
        assert_eq!(n.value, fixture(OAUTH_2023_NORMALIZED));
    }

    #[test]
    fn oauth_2023_admin_scope_description() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2023));
        let scopes = at(&n.value, "/cds_scope_descriptions");
        assert!(scopes.get("client_admin").is_none());

        let admin = &scopes["cds_client_admin"];
        assert_eq!(admin["id"], json!("cds_client_admin"));
        assert_eq!(admin["type"], json!("cds_client_admin"));
        assert_eq!(admin["name"], json!("Client Admin"));
        assert_eq!(
            admin["grant_types_supported"],
            json!(["client_credentials"])
        );
        assert_eq!(admin["response_types_supported"], json!([]));
        assert_eq!(admin["code_challenge_methods_supported"], json!([]));
        assert_eq!(admin["registration_requirements"], json!([]));
        assert_eq!(admin["registration_optional"], json!([]));
        assert_eq!(admin[FIELDS], json!([]));
        assert_eq!(admin["authorization_details_types_supported"], json!([]));
        assert!(admin.get("documentation").is_none(), "no safe default");
    }

    #[test]
    fn oauth_2023_data_scope_descriptions() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2023));
        let scopes = at(&n.value, "/cds_scope_descriptions");
        let accounts = &scopes["accounts"];
        assert_eq!(accounts["type"], json!("accounts"));
        assert!(accounts.get("name").is_none(), "no safe default");
        assert_eq!(
            accounts["registration_requirements"],
            json!(["sou", "review_step1"])
        );
        assert_eq!(
            accounts["registration_optional"],
            json!([
                "cds_initial_scope_of_use_tos_uri",
                "cds_autolist_in_directory"
            ])
        );
        assert_eq!(accounts["response_types_supported"], json!(["code"]));
        assert_eq!(
            accounts["code_challenge_methods_supported"],
            json!(["S256"])
        );
        assert_eq!(
            accounts["token_endpoint_auth_methods_supported"],
            json!(["none", "client_secret_basic"])
        );
        assert_eq!(accounts["coverages_supported"], json!([]));
        assert_eq!(accounts["grant_admin_scope"], Value::Null);
        assert_eq!(
            accounts["authorization_details_types_supported"],
            json!(["accounts"])
        );
        assert_eq!(
            accounts[FIELDS],
            json!([{
                "id": "_number",
                "name": "Account Number",
                "description": "Access to the account number of authorized accounts.",
                "requirements": [],
                "for_types": ["accounts"],
                "format": "boolean",
                "is_required": false,
                "default": false
            }])
        );
        for gone in [
            "grant_types",
            "token_endpoint_auth_methods",
            "requirements",
            "scope_modifiers",
        ] {
            assert!(accounts.get(gone).is_none(), "{gone} left behind");
        }
        assert_eq!(
            translation(&n, "/cds_scope_descriptions/accounts/grant_types"),
            ["`grant_types` (CDSC May 2023) read as `grant_types_supported`"]
        );
        assert_eq!(
            translation(&n, "/cds_scope_descriptions/accounts/requirements/1"),
            [
                "`requirements` entry `review_step1` (CDSC May 2023) read as `cds_registration_fields` entry `review_step1` (`type` \"manual_review\" as \"internal_review\")"
            ]
        );
        assert_eq!(
            translation(
                &n,
                "/cds_scope_descriptions/accounts/scope_modifiers/_number"
            ),
            [
                "scope modifier `_number` (CDSC May 2023) read as authorization details field `_number` with `for_types` [\"accounts\"], `format` \"boolean\", `is_required` false, `default` false: a modifier is an optional add-on, off unless requested"
            ]
        );
        assert_eq!(scopes["usage"][FIELDS].as_array().map(Vec::len), Some(2));
    }
}
