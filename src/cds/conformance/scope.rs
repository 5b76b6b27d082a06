//! CDS-WG1-02 §3.3–3.4 on one scope description: its fields, PKCE, references to registration
//! fields, grant admin scopes and coverage entries, and the fixed shapes of §3.3.1–3.3.3.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::authorization_details_field::check_authorization_details_field;
use super::fields::{Kind, WG1_02_ADF, WG1_02_SCOPE, check_fields, ptr, str_field, str_list};
use super::finding::Report;
use super::oauth_metadata::OAuthContext;

/// §3.4 on one scope description, with the cross-references into the rest of the document.
pub(super) fn check_scope(
    r: &mut Report,
    key: &str,
    s: &Map<String, Value>,
    base: &str,
    fields: &Map<String, Value>,
    grant_admin_ids: &BTreeSet<&str>,
    ctx: &OAuthContext,
) {
    check_scope_fields(r, s, base);
    if let Some(id) = str_field(s, "id")
        && id != key
    {
        r.error(
            "scope.id_mismatch",
            WG1_02_SCOPE,
            ptr(base, "id"),
            format!("scope id `{id}` differs from its key `{key}`"),
        );
    }
    check_grant_types_and_pkce(r, key, s, base);
    check_registration_refs(r, s, base, fields);
    check_scope_refs(r, s, base, grant_admin_ids, ctx);
    check_authorization_details_fields(r, s, base);
}

/// Presence and shape of the §3.4 fields.
fn check_scope_fields(r: &mut Report, s: &Map<String, Value>, base: &str) {
    check_fields(
        r,
        s,
        base,
        WG1_02_SCOPE,
        "scope",
        &[
            ("id", Kind::Str, true),
            ("type", Kind::Str, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, true),
            ("documentation", Kind::Url, true),
            ("registration_requirements", Kind::StrArray, true),
            ("registration_optional", Kind::StrArray, true),
            ("response_types_supported", Kind::StrArray, true),
            ("grant_types_supported", Kind::StrArray, true),
            (
                "token_endpoint_auth_methods_supported",
                Kind::StrArray,
                true,
            ),
            ("code_challenge_methods_supported", Kind::StrArray, true),
            ("coverages_supported", Kind::StrArray, true),
            ("grant_admin_scope", Kind::StrOrNull, true),
            (
                "authorization_details_types_supported",
                Kind::StrArray,
                true,
            ),
            ("authorization_details_fields_supported", Kind::Array, true),
        ],
    );
}

/// At least one grant type (except §3.3.3 scopes), and PKCE `S256` exactly when the
/// `authorization_code` grant is offered.
fn check_grant_types_and_pkce(r: &mut Report, key: &str, s: &Map<String, Value>, base: &str) {
    let grants = str_list(s, "grant_types_supported");
    // §3.3.3 fixes `grant_types_supported: []` for server-provided files scopes (their Grants are
    // reached through the Grant Admin scope), overriding §3.4's "at least one".
    let spf = str_field(s, "type") == Some("cds_server_provided_files");
    if s.contains_key("grant_types_supported") && grants.is_empty() && !spf {
        r.error(
            "scope.grant_types_empty",
            WG1_02_SCOPE,
            ptr(base, "grant_types_supported"),
            "`grant_types_supported` must contain at least one grant type",
        );
    }
    let pkce = str_list(s, "code_challenge_methods_supported");
    if grants.contains(&"authorization_code") {
        if !pkce.contains(&"S256") {
            r.error(
                "scope.pkce_s256_missing",
                WG1_02_SCOPE,
                ptr(base, "code_challenge_methods_supported"),
                format!("scope `{key}` uses `authorization_code` but does not offer PKCE `S256`"),
            );
        }
        if pkce.contains(&"plain") {
            r.error(
                "scope.pkce_plain_offered",
                WG1_02_SCOPE,
                ptr(base, "code_challenge_methods_supported"),
                format!("scope `{key}` offers PKCE `plain`, which CDS forbids"),
            );
        }
    } else if !pkce.is_empty() {
        r.warning(
            "scope.pkce_without_code_flow",
            WG1_02_SCOPE,
            ptr(base, "code_challenge_methods_supported"),
            format!("scope `{key}` has no `authorization_code` grant, so its code challenge methods should be `[]`"),
        );
    }
}

/// `registration_requirements` and `registration_optional` name registration fields; optional
/// submitted fields have a default (§3.6).
fn check_registration_refs(
    r: &mut Report,
    s: &Map<String, Value>,
    base: &str,
    fields: &Map<String, Value>,
) {
    for (list, section) in [
        ("registration_requirements", WG1_02_SCOPE),
        ("registration_optional", WG1_02_SCOPE),
    ] {
        for (i, id) in str_list(s, list).into_iter().enumerate() {
            if !fields.contains_key(id) {
                r.error(
                    "scope.registration_ref_unresolved",
                    section,
                    format!("{}/{i}", ptr(base, list)),
                    format!("`{id}` is not a key of `cds_registration_fields`"),
                );
            } else if list == "registration_optional" {
                let f = &fields[id];
                if f.get("type").and_then(Value::as_str) == Some("registration_field")
                    && f.get("default").is_none()
                {
                    r.error(
                        "scope.optional_field_without_default",
                        "CDS-WG1-02 §3.6",
                        format!("{}/{i}", ptr(base, list)),
                        format!("optional registration field `{id}` has no `default`"),
                    );
                }
            }
        }
    }
}

/// `grant_admin_scope` names a grant admin scope; `coverages_supported` names coverage entries.
fn check_scope_refs(
    r: &mut Report,
    s: &Map<String, Value>,
    base: &str,
    grant_admin_ids: &BTreeSet<&str>,
    ctx: &OAuthContext,
) {
    if let Some(ga) = str_field(s, "grant_admin_scope")
        && !grant_admin_ids.contains(ga)
    {
        r.error(
            "scope.grant_admin_scope_unknown",
            WG1_02_SCOPE,
            ptr(base, "grant_admin_scope"),
            format!(
                "`grant_admin_scope` `{ga}` is not a scope description of type `cds_grant_admin`"
            ),
        );
    }
    if let Some(ids) = ctx.coverage_ids {
        check_coverages_supported(r, s, base, ids);
    }
}

/// Every id of the scope's `coverages_supported` is in the coverage listing (§3.4).
pub(super) fn check_coverages_supported<T>(
    r: &mut Report,
    s: &Map<String, Value>,
    base: &str,
    ids: &HashSet<T>,
) where
    T: std::borrow::Borrow<str> + Eq + std::hash::Hash,
{
    for (i, c) in str_list(s, "coverages_supported").into_iter().enumerate() {
        if !ids.contains(c) {
            r.error(
                "scope.coverage_unknown",
                WG1_02_SCOPE,
                format!("{}/{i}", ptr(base, "coverages_supported")),
                format!("coverage id `{c}` is not in the server's coverage listing"),
            );
        }
    }
}

/// Each authorization details field (§3.8), and no id twice.
fn check_authorization_details_fields(r: &mut Report, s: &Map<String, Value>, base: &str) {
    let types: BTreeSet<&str> = str_list(s, "authorization_details_types_supported")
        .into_iter()
        .collect();
    if let Some(adfs) = s
        .get("authorization_details_fields_supported")
        .and_then(Value::as_array)
    {
        let mut ids = HashSet::new();
        for (i, f) in adfs.iter().enumerate() {
            let fbase = format!(
                "{}/{i}",
                ptr(base, "authorization_details_fields_supported")
            );
            check_authorization_details_field(r, f, &fbase, &types, str_field(s, "type"));
            if let Some(id) = f.get("id").and_then(Value::as_str)
                && !ids.insert(id)
            {
                r.warning(
                    "adf.duplicate_id",
                    WG1_02_ADF,
                    format!("{fbase}/id"),
                    format!("authorization details field `{id}` is listed twice"),
                );
            }
        }
    }
}

/// The fixed shapes of §3.3.1–3.3.3 (client admin, grant admin, server-provided files).
pub(super) fn check_fixed_scope(
    r: &mut Report,
    scope: &Value,
    key: &str,
    scope_type: &str,
    section: &str,
) {
    let Some(s) = scope.as_object() else { return };
    let base = ptr("/cds_scope_descriptions", key);
    let expect_list = |name: &str| -> Vec<String> {
        match (scope_type, name) {
            ("cds_client_admin" | "cds_grant_admin", "grant_types_supported") => {
                vec!["client_credentials".into()]
            }
            ("cds_client_admin" | "cds_grant_admin", "token_endpoint_auth_methods_supported") => {
                vec!["client_secret_basic".into()]
            }
            (
                "cds_grant_admin" | "cds_server_provided_files",
                "authorization_details_types_supported",
            ) => vec![key.to_owned()],
            _ => vec![],
        }
    };
    if str_field(s, "type") != Some(scope_type) {
        r.error(
            &format!("scope.{scope_type}.type"),
            section,
            ptr(&base, "type"),
            format!("`{key}` must have type `{scope_type}`"),
        );
    }
    for name in [
        "registration_requirements",
        "registration_optional",
        "response_types_supported",
        "grant_types_supported",
        "token_endpoint_auth_methods_supported",
        "code_challenge_methods_supported",
        "coverages_supported",
        "authorization_details_types_supported",
    ] {
        let Some(actual) = s.get(name).and_then(Value::as_array) else {
            continue;
        };
        let actual: Vec<&str> = actual.iter().filter_map(Value::as_str).collect();
        let expected = expect_list(name);
        if actual != expected.iter().map(String::as_str).collect::<Vec<_>>() {
            r.error(
                &format!("scope.{scope_type}.shape"),
                section,
                ptr(&base, name),
                format!("`{key}`.{name} must be {:?}, found {:?}", expected, actual),
            );
        }
    }
    let grant_admin_null = s.get("grant_admin_scope").is_some_and(Value::is_null);
    if scope_type != "cds_server_provided_files"
        && s.contains_key("grant_admin_scope")
        && !grant_admin_null
    {
        r.error(
            &format!("scope.{scope_type}.shape"),
            section,
            ptr(&base, "grant_admin_scope"),
            format!("`{key}`.grant_admin_scope must be null"),
        );
    }
    check_fixed_fields(r, s, &base, key, scope_type, section);
}

/// The authorization details fields a fixed scope type defines (§3.3.2, §3.3.3), and no others.
fn check_fixed_fields(
    r: &mut Report,
    s: &Map<String, Value>,
    base: &str,
    key: &str,
    scope_type: &str,
    section: &str,
) {
    let fields: Vec<&str> = s
        .get("authorization_details_fields_supported")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.get("id").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let expected_fields: &[&str] = match scope_type {
        "cds_grant_admin" => &["client_id", "grant_id"],
        "cds_server_provided_files" => &["file_id"],
        _ => &[],
    };
    let mut sorted = fields.clone();
    sorted.sort_unstable();
    if s.contains_key("authorization_details_fields_supported") && sorted != expected_fields {
        r.error(
            &format!("scope.{scope_type}.shape"),
            section,
            ptr(base, "authorization_details_fields_supported"),
            format!("`{key}` must define exactly the authorization details fields {expected_fields:?}, found {fields:?}"),
        );
    }
}
