//! CDS-WG1-02 §3.2 (with RFC 8414) on an authorization server metadata document: its fields,
//! issuer, union rules and the cross-references between scopes and registration fields.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};
use url::Url;

use super::fields::{
    Kind, WG1_02_META, WG1_02_REG, WG1_02_SCOPE, as_object, check_fields, check_urls_secure, ptr,
    str_field, str_list,
};
use super::finding::{Report, Severity};
use super::registration_field::check_registration_field;
use super::scope::{check_fixed_scope, check_scope};
use crate::cds::auth_server_metadata::{CLIENT_ADMIN_SCOPE, OAUTH_WELL_KNOWN_SUFFIX};

/// Context the authorization server metadata is checked in.
pub struct OAuthContext<'a> {
    /// Where the document was fetched from (after redirects).
    pub served_from: &'a Url,
    /// Coverage entry ids, when the whole coverage listing was read.
    pub coverage_ids: Option<&'a HashSet<String>>,
}

/// WG1-02 §3 on an authorization server metadata document.
pub fn check_oauth_metadata(r: &mut Report, doc: &Value, ctx: &OAuthContext) {
    let Some(obj) = as_object(r, doc, "oauth.not_object", WG1_02_META) else {
        return;
    };
    check_oauth_fields(r, obj);
    check_oauth_urls(r, obj);
    check_issuer(r, obj, ctx.served_from);
    check_version_and_timezone(r, obj);
    check_user_authorization(r, obj);
    check_top_level_pkce(r, obj);

    let empty = Map::new();
    let scopes = obj
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let fields = obj
        .get("cds_registration_fields")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    check_unions(r, obj, scopes);
    check_client_admin(r, scopes);
    let referenced_fields = check_scopes(r, obj, scopes, fields, ctx);
    check_registration_fields(r, fields, &referenced_fields);
}

/// The scopes' `coverages_supported` against the coverage listing's ids (§3.4): what
/// [`check_oauth_metadata`] checks when its context has `coverage_ids`, for a document that
/// was checked without them while the listing was still being read (issue 15).
pub fn check_coverage_references<T>(r: &mut Report, doc: &Value, coverage_ids: &HashSet<T>)
where
    T: std::borrow::Borrow<str> + Eq + std::hash::Hash,
{
    let Some(scopes) = doc.get("cds_scope_descriptions").and_then(Value::as_object) else {
        return;
    };
    for (key, scope) in scopes {
        if let Some(s) = scope.as_object() {
            let base = ptr("/cds_scope_descriptions", key);
            super::scope::check_coverages_supported(r, s, &base, coverage_ids);
        }
    }
}

/// Presence and shape of the §3.2 fields.
fn check_oauth_fields(r: &mut Report, obj: &Map<String, Value>) {
    check_fields(
        r,
        obj,
        "",
        WG1_02_META,
        "oauth",
        &[
            ("issuer", Kind::Url, true),
            ("authorization_endpoint", Kind::Url, false),
            ("token_endpoint", Kind::Url, true),
            ("registration_endpoint", Kind::Url, true),
            ("scopes_supported", Kind::StrArray, true),
            ("response_types_supported", Kind::StrArray, true),
            ("grant_types_supported", Kind::StrArray, true),
            (
                "token_endpoint_auth_methods_supported",
                Kind::StrArray,
                true,
            ),
            ("service_documentation", Kind::Url, true),
            ("op_policy_uri", Kind::Url, true),
            ("op_tos_uri", Kind::Url, true),
            ("revocation_endpoint", Kind::Url, true),
            ("introspection_endpoint", Kind::Url, true),
            ("code_challenge_methods_supported", Kind::StrArray, true),
            (
                "authorization_details_types_supported",
                Kind::StrArray,
                true,
            ),
            ("pushed_authorization_request_endpoint", Kind::Url, false),
            ("cds_oauth_version", Kind::Str, true),
            ("cds_human_registration", Kind::Url, true),
            ("cds_timezone", Kind::Str, true),
            ("cds_clients_api", Kind::Url, true),
            ("cds_messages_api", Kind::Url, true),
            ("cds_credentials_api", Kind::Url, true),
            ("cds_grants_api", Kind::Url, true),
            ("cds_server_provided_files_api", Kind::Url, false),
            ("cds_test_accounts", Kind::Url, false),
            ("cds_scope_descriptions", Kind::Object, true),
            ("cds_registration_fields", Kind::Object, true),
        ],
    );
}

/// The endpoints and APIs are reached over HTTPS.
fn check_oauth_urls(r: &mut Report, obj: &Map<String, Value>) {
    check_urls_secure(
        r,
        obj,
        "",
        &[
            "issuer",
            "authorization_endpoint",
            "token_endpoint",
            "registration_endpoint",
            "pushed_authorization_request_endpoint",
            "revocation_endpoint",
            "introspection_endpoint",
            "cds_clients_api",
            "cds_messages_api",
            "cds_credentials_api",
            "cds_grants_api",
            "cds_server_provided_files_api",
        ],
    );
}

/// `cds_oauth_version` is one this client implements; `cds_timezone` is an IANA name.
fn check_version_and_timezone(r: &mut Report, obj: &Map<String, Value>) {
    if let Some(v) = str_field(obj, "cds_oauth_version")
        && v != "v1"
    {
        r.warning(
            "oauth.version",
            WG1_02_META,
            "/cds_oauth_version",
            format!("version `{v}` is not `v1`, the version this client implements"),
        );
    }
    if let Some(tz) = str_field(obj, "cds_timezone")
        && jiff::tz::TimeZone::get(tz).is_err()
    {
        r.error(
            "oauth.timezone_unknown",
            WG1_02_META,
            "/cds_timezone",
            format!("`{tz}` is not an IANA time zone name"),
        );
    }
}

/// What offering user authorization (a non-empty `response_types_supported`) requires.
fn check_user_authorization(r: &mut Report, obj: &Map<String, Value>) {
    let response_types = str_list(obj, "response_types_supported");
    if !response_types.is_empty() {
        if !obj.contains_key("pushed_authorization_request_endpoint") {
            r.error(
                "oauth.par_missing",
                WG1_02_META,
                "/pushed_authorization_request_endpoint",
                "user authorization is offered (`response_types_supported` is not empty) but there is no `pushed_authorization_request_endpoint`",
            );
        }
        if !obj.contains_key("cds_test_accounts") {
            r.error(
                "oauth.test_accounts_missing",
                WG1_02_META,
                "/cds_test_accounts",
                "user authorization is offered but there is no `cds_test_accounts` page",
            );
        }
        if !obj.contains_key("authorization_endpoint") {
            r.error(
                "oauth.required_field",
                "RFC 8414 §2",
                "/authorization_endpoint",
                "user authorization is offered but there is no `authorization_endpoint`",
            );
        }
    }
}

/// PKCE `plain` in the top-level list.
fn check_top_level_pkce(r: &mut Report, obj: &Map<String, Value>) {
    let top_pkce = str_list(obj, "code_challenge_methods_supported");
    if top_pkce.contains(&"plain") {
        // §3.2 lets the top-level list carry methods of non-CDS scopes (e.g. OpenID), so this is
        // a warning; `plain` inside a CDS scope description is the error (§3.4).
        r.warning(
            "oauth.pkce_plain_offered",
            "CDS-WG1-02 §3.4",
            "/code_challenge_methods_supported",
            "PKCE method `plain` is offered; CDS scopes must offer only `S256`",
        );
    }
}

/// Union rules (§3.2): each top-level list covers the values of every scope description.
fn check_unions(r: &mut Report, obj: &Map<String, Value>, scopes: &Map<String, Value>) {
    let scopes_supported: BTreeSet<&str> = str_list(obj, "scopes_supported").into_iter().collect();
    let missing: Vec<&str> = scopes
        .keys()
        .map(String::as_str)
        .filter(|k| !scopes_supported.contains(k))
        .collect();
    if obj.contains_key("scopes_supported") && !missing.is_empty() {
        r.error(
            "oauth.union.scopes_supported",
            WG1_02_META,
            "/scopes_supported",
            format!(
                "`scopes_supported` must list every described scope; missing: {}",
                missing.join(", ")
            ),
        );
    }
    for list in [
        "response_types_supported",
        "grant_types_supported",
        "token_endpoint_auth_methods_supported",
        "code_challenge_methods_supported",
        "authorization_details_types_supported",
    ] {
        let top: BTreeSet<&str> = str_list(obj, list).into_iter().collect();
        let mut missing = BTreeSet::new();
        for s in scopes.values().filter_map(Value::as_object) {
            for v in str_list(s, list) {
                if !top.contains(v) {
                    missing.insert(v);
                }
            }
        }
        if obj.contains_key(list) && !missing.is_empty() {
            r.error(
                &format!("oauth.union.{list}"),
                WG1_02_META,
                format!("/{list}"),
                format!(
                    "`{list}` must include the values of every scope description; missing: {}",
                    missing.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}

/// `cds_client_admin` (§3.3.1) is described, in its fixed shape.
fn check_client_admin(r: &mut Report, scopes: &Map<String, Value>) {
    match scopes.get(CLIENT_ADMIN_SCOPE) {
        None => r.error(
            "oauth.client_admin_missing",
            "CDS-WG1-02 §3.3.1",
            "/cds_scope_descriptions",
            "there is no `cds_client_admin` scope description",
        ),
        Some(s) => check_fixed_scope(
            r,
            s,
            CLIENT_ADMIN_SCOPE,
            "cds_client_admin",
            "CDS-WG1-02 §3.3.1",
        ),
    }
}

/// Each scope description (§3.3–3.4); returns the registration fields they reference.
fn check_scopes<'a>(
    r: &mut Report,
    obj: &Map<String, Value>,
    scopes: &'a Map<String, Value>,
    fields: &Map<String, Value>,
    ctx: &OAuthContext,
) -> BTreeSet<&'a str> {
    let grant_admin_ids: BTreeSet<&str> = scopes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("cds_grant_admin"))
        .map(|(k, _)| k.as_str())
        .collect();
    let mut has_spf = false;
    let mut referenced_fields = BTreeSet::new();
    for (key, scope) in scopes {
        let base = ptr("/cds_scope_descriptions", key);
        let Some(s) = scope.as_object() else {
            r.error(
                "oauth.scope_not_object",
                WG1_02_SCOPE,
                base,
                "scope description is not an object",
            );
            continue;
        };
        check_scope(r, key, s, &base, fields, &grant_admin_ids, ctx);
        match str_field(s, "type") {
            Some("cds_grant_admin") => {
                check_fixed_scope(r, scope, key, "cds_grant_admin", "CDS-WG1-02 §3.3.2")
            }
            Some("cds_server_provided_files") => {
                has_spf = true;
                check_fixed_scope(
                    r,
                    scope,
                    key,
                    "cds_server_provided_files",
                    "CDS-WG1-02 §3.3.3",
                );
            }
            _ => {}
        }
        referenced_fields.extend(str_list(s, "registration_requirements"));
        referenced_fields.extend(str_list(s, "registration_optional"));
    }
    if has_spf && !obj.contains_key("cds_server_provided_files_api") {
        r.error(
            "oauth.spf_api_missing",
            WG1_02_META,
            "/cds_server_provided_files_api",
            "a `cds_server_provided_files` scope is described but there is no `cds_server_provided_files_api`",
        );
    }
    referenced_fields
}

/// Each registration field (§3.5–3.7), and whether any scope references it.
fn check_registration_fields(
    r: &mut Report,
    fields: &Map<String, Value>,
    referenced_fields: &BTreeSet<&str>,
) {
    for (key, field) in fields {
        check_registration_field(r, key, field, &ptr("/cds_registration_fields", key));
        if !referenced_fields.contains(key.as_str()) {
            r.push(
                Severity::Info,
                "oauth.registration_field_unused",
                WG1_02_REG,
                ptr("/cds_registration_fields", key),
                format!("registration field `{key}` is not referenced by any scope"),
            );
        }
    }
}

/// RFC 8414 §3.3: the issuer must be the one the metadata URL was built from. For the CDS
/// `oauth_metadata` link (any URL), the issuer must at least share its origin.
pub(super) fn check_issuer(r: &mut Report, obj: &Map<String, Value>, served_from: &Url) {
    let Some(Ok(issuer)) = str_field(obj, "issuer").map(Url::parse) else {
        return;
    };
    if issuer.query().is_some() || issuer.fragment().is_some() {
        r.error(
            "oauth.issuer_query",
            "RFC 8414 §2",
            "/issuer",
            "`issuer` must not have a query or fragment",
        );
    }
    let from_well_known = served_from.path().contains(OAUTH_WELL_KNOWN_SUFFIX);
    if issuer.origin() != served_from.origin() && !from_well_known {
        // WG1-02 §3.1 lets `oauth_metadata` be any URL; RFC 8414 §3.3 binds the issuer only to
        // the well-known location. Elsewhere a different host is unusual, not wrong.
        r.warning(
            "oauth.issuer_elsewhere",
            "RFC 8414 §3.3",
            "/issuer",
            format!("issuer {issuer} is on another host than the metadata ({served_from})"),
        );
        return;
    }
    if issuer.origin() != served_from.origin() {
        r.error(
            "oauth.issuer_mismatch",
            "RFC 8414 §3.3",
            "/issuer",
            format!(
                "issuer {issuer} does not match where the metadata was served from ({served_from})"
            ),
        );
        return;
    }
    if served_from.path().contains(OAUTH_WELL_KNOWN_SUFFIX) {
        // RFC 8414 §3.1: /.well-known/oauth-authorization-server{issuer path}.
        let suffix = served_from
            .path()
            .split_once(OAUTH_WELL_KNOWN_SUFFIX)
            .map(|(pre, post)| format!("{pre}{post}"))
            .unwrap_or_default();
        let issuer_path = issuer.path().trim_end_matches('/');
        if issuer_path != suffix.trim_end_matches('/') {
            r.error(
                "oauth.issuer_mismatch",
                "RFC 8414 §3.3",
                "/issuer",
                format!("issuer {issuer} does not match the well-known URL it was served from ({served_from})"),
            );
        }
    }
}
