//! The conformance report: the MUST/REQUIRED rules of CDS-WG1-01 (§3, §4) and CDS-WG1-02 §3,
//! checked on the documents as served (raw JSON), so every problem is found at once and named by
//! a JSON pointer, even in a document too broken to decode into the typed model.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use super::auth_server_metadata::{
    AuthorizationDetailsFieldFormat, Bound, CLIENT_ADMIN_SCOPE, OAUTH_WELL_KNOWN_SUFFIX,
    RegistrationFieldFormat, RegistrationFieldType,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding: what is wrong (or worth knowing), where, and which rule says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier, e.g. `oauth.pkce_plain_offered`.
    pub code: String,
    pub message: String,
    /// e.g. `CDS-WG1-02 §3.4`.
    pub section: String,
    /// RFC 6901 pointer into the document at `document`.
    pub pointer: String,
    /// The document the pointer is into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// Collects findings about one document.
pub struct Report<'a> {
    pub findings: &'a mut Vec<Finding>,
    pub document: Option<String>,
}

impl Report<'_> {
    pub fn push(
        &mut self,
        severity: Severity,
        code: &str,
        section: &str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            code: code.to_owned(),
            message: message.into(),
            section: section.to_owned(),
            pointer: pointer.into(),
            document: self.document.clone(),
        });
    }
    fn error(&mut self, code: &str, section: &str, ptr: impl Into<String>, msg: impl Into<String>) {
        self.push(Severity::Error, code, section, ptr, msg);
    }
    fn warning(
        &mut self,
        code: &str,
        section: &str,
        ptr: impl Into<String>,
        msg: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, section, ptr, msg);
    }
}

/// RFC 6901: escape one reference token.
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn ptr(base: &str, key: &str) -> String {
    format!("{base}/{}", pointer_token(key))
}

const WG1_01_META: &str = "CDS-WG1-01 §3.2";
const WG1_01_LISTING: &str = "CDS-WG1-01 §4.1";
const WG1_01_ENTRY: &str = "CDS-WG1-01 §4.3";
const WG1_02_META: &str = "CDS-WG1-02 §3.2";
const WG1_02_SCOPE: &str = "CDS-WG1-02 §3.4";
const WG1_02_REG: &str = "CDS-WG1-02 §3.5";
const WG1_02_ADF: &str = "CDS-WG1-02 §3.8";

/// The JSON shape a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    StrOrNull,
    Url,
    UrlOrNull,
    DateTime,
    Bool,
    Array,
    StrArray,
    UrlArray,
    Object,
    Country,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::StrOrNull => "a string or null",
            Kind::Url => "an absolute URL",
            Kind::UrlOrNull => "an absolute URL or null",
            Kind::DateTime => "an RFC 3339 date-time",
            Kind::Bool => "a boolean",
            Kind::Array => "an array",
            Kind::StrArray => "an array of strings",
            Kind::UrlArray => "an array of URLs",
            Kind::Object => "an object",
            Kind::Country => "a two-letter ISO 3166 country code",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        let is_url = |v: &Value| v.as_str().is_some_and(|s| Url::parse(s).is_ok());
        match self {
            Kind::Str => v.is_string(),
            Kind::StrOrNull => v.is_string() || v.is_null(),
            Kind::Url => is_url(v),
            Kind::UrlOrNull => v.is_null() || is_url(v),
            Kind::DateTime => v
                .as_str()
                .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok()),
            Kind::Bool => v.is_boolean(),
            Kind::Array => v.is_array(),
            Kind::StrArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Kind::UrlArray => v.as_array().is_some_and(|a| a.iter().all(is_url)),
            Kind::Object => v.is_object(),
            Kind::Country => v
                .as_str()
                .is_some_and(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())),
        }
    }
}

/// Checks presence (when `required`) and shape of each listed field of `obj`.
fn check_fields(
    r: &mut Report,
    obj: &Map<String, Value>,
    base: &str,
    section: &str,
    code_prefix: &str,
    fields: &[(&str, Kind, bool)],
) {
    for (name, kind, required) in fields {
        match obj.get(*name) {
            None if *required => r.error(
                &format!("{code_prefix}.required_field"),
                section,
                ptr(base, name),
                format!("required field `{name}` is missing"),
            ),
            None => {}
            Some(v) if !kind.accepts(v) => r.error(
                &format!("{code_prefix}.field_type"),
                section,
                ptr(base, name),
                format!(
                    "`{name}` must be {}, found {}",
                    kind.describe(),
                    super::auth_server_metadata::short_json(v)
                ),
            ),
            Some(_) => {}
        }
    }
}

fn str_list<'a>(obj: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    obj.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Reports a non-object document and returns its map otherwise.
fn as_object<'a>(
    r: &mut Report,
    doc: &'a Value,
    code: &str,
    section: &str,
) -> Option<&'a Map<String, Value>> {
    match doc.as_object() {
        Some(o) => Some(o),
        None => {
            r.error(code, section, "", "the document is not a JSON object");
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CDS-WG1-01 Server Metadata

/// WG1-01 §3.2 (and the WG1-02 §3.1 `oauth` extension) on a server metadata document.
pub fn check_server_metadata(r: &mut Report, doc: &Value) {
    let Some(obj) = as_object(r, doc, "metadata.not_object", WG1_01_META) else {
        return;
    };
    check_fields(
        r,
        obj,
        "",
        WG1_01_META,
        "metadata",
        &[
            ("cds_metadata_version", Kind::Str, true),
            ("cds_metadata_url", Kind::Url, true),
            ("created", Kind::DateTime, true),
            ("updated", Kind::DateTime, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, true),
            ("website", Kind::Url, true),
            ("documentation", Kind::Url, true),
            ("support", Kind::Url, true),
            ("capabilities", Kind::StrArray, true),
            ("coverage", Kind::Url, false),
            ("related_metadata", Kind::UrlArray, false),
            ("oauth_metadata", Kind::Url, false),
        ],
    );
    if let Some(v) = str_field(obj, "cds_metadata_version")
        && v != "v1"
    {
        r.warning(
            "metadata.version",
            WG1_01_META,
            "/cds_metadata_version",
            format!("version `{v}` is not `v1`, the version this client implements"),
        );
    }
    let caps = str_list(obj, "capabilities");
    if caps.contains(&"coverage") && !obj.contains_key("coverage") {
        r.error(
            "metadata.coverage_missing",
            "CDS-WG1-01 §3.4",
            "/coverage",
            "`capabilities` lists `coverage` but there is no `coverage` URL",
        );
    }
    if caps.contains(&"oauth") && !obj.contains_key("oauth_metadata") {
        r.error(
            "metadata.oauth_metadata_missing",
            "CDS-WG1-02 §3.1",
            "/oauth_metadata",
            "`capabilities` lists `oauth` but there is no `oauth_metadata` URL",
        );
    }
    if obj.contains_key("oauth_metadata") && !caps.contains(&"oauth") {
        r.warning(
            "metadata.oauth_capability_missing",
            "CDS-WG1-02 §3.1",
            "/capabilities",
            "`oauth_metadata` is given but `capabilities` does not list `oauth`",
        );
    }
    check_urls_secure(
        r,
        obj,
        "",
        &[
            "cds_metadata_url",
            "website",
            "documentation",
            "support",
            "coverage",
            "oauth_metadata",
        ],
    );
}

/// The metadata's declared canonical URL against where it was actually served from.
pub fn check_metadata_location(r: &mut Report, doc: &Value, served_from: &Url) {
    let Some(declared) = doc.get("cds_metadata_url").and_then(Value::as_str) else {
        return;
    };
    if let Ok(declared) = Url::parse(declared)
        && declared != *served_from
    {
        r.push(
            Severity::Info,
            "metadata.url_differs",
            WG1_01_META,
            "/cds_metadata_url",
            format!("served from {served_from} but names {declared} as its canonical location"),
        );
    }
}

fn check_urls_secure(r: &mut Report, obj: &Map<String, Value>, base: &str, keys: &[&str]) {
    for key in keys {
        if let Some(Ok(u)) = str_field(obj, key).map(Url::parse)
            && u.scheme() == "http"
            && !super::is_loopback(&u)
        {
            r.warning(
                "url.not_https",
                "CDS-WG1-01 §3",
                ptr(base, key),
                format!("`{key}` is plain http ({u}); CDS servers are reached over HTTPS"),
            );
        }
    }
}

/// WG1-01 §4.1 on one coverage listing page.
pub fn check_coverage_page(r: &mut Report, doc: &Value) {
    let Some(obj) = as_object(r, doc, "coverage.not_object", WG1_01_LISTING) else {
        return;
    };
    check_fields(
        r,
        obj,
        "",
        WG1_01_LISTING,
        "coverage",
        &[
            ("coverage_entries", Kind::Array, true),
            ("next", Kind::UrlOrNull, true),
            ("previous", Kind::UrlOrNull, true),
        ],
    );
    let Some(entries) = obj.get("coverage_entries").and_then(Value::as_array) else {
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        check_coverage_entry(r, entry, &format!("/coverage_entries/{i}"));
    }
}

fn check_coverage_entry(r: &mut Report, entry: &Value, base: &str) {
    let Some(obj) = entry.as_object() else {
        r.error(
            "coverage.entry_not_object",
            WG1_01_ENTRY,
            base,
            "coverage entry is not an object",
        );
        return;
    };
    check_fields(
        r,
        obj,
        base,
        WG1_01_ENTRY,
        "coverage",
        &[
            ("id", Kind::Str, true),
            ("created", Kind::DateTime, true),
            ("updated", Kind::DateTime, true),
            ("entity_name", Kind::Str, true),
            ("entity_abbreviation", Kind::StrOrNull, true),
            ("country", Kind::Country, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, false),
            ("type", Kind::Str, true),
            ("role", Kind::Str, true),
            ("infrastructure_types", Kind::StrArray, true),
            ("commodity_types", Kind::StrArray, true),
            ("capabilities", Kind::StrArray, true),
            ("map_resource", Kind::Url, false),
            ("map_content_type", Kind::Str, false),
            ("geojson_resource", Kind::Url, false),
        ],
    );
    if str_list(obj, "capabilities").contains(&"coverage") {
        r.error(
            "coverage.lists_coverage_capability",
            WG1_01_ENTRY,
            ptr(base, "capabilities"),
            "a coverage entry's `capabilities` must not include `coverage`",
        );
    }
    if str_field(obj, "type") == Some("geographic")
        && !obj.contains_key("map_resource")
        && !obj.contains_key("geojson_resource")
    {
        r.error(
            "coverage.geographic_without_map",
            WG1_01_ENTRY,
            base,
            "a `geographic` entry needs `map_resource` or `geojson_resource`",
        );
    }
    if obj.contains_key("map_resource") && !obj.contains_key("map_content_type") {
        r.error(
            "coverage.map_content_type_missing",
            WG1_01_ENTRY,
            ptr(base, "map_content_type"),
            "`map_resource` is given without `map_content_type`",
        );
    }
}

/// Rules over the whole listing (all pages): order by `updated`, unique ids, and the
/// metadata's `capabilities` covering the entries' capabilities (WG1-01 §3.2, §4.1).
pub fn check_coverage_listing(r: &mut Report, entries: &[Value], metadata: Option<&Value>) {
    let mut seen = HashSet::new();
    let mut previous: Option<jiff::Timestamp> = None;
    let mut union = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(obj) = e.as_object() else { continue };
        if let Some(id) = str_field(obj, "id")
            && !seen.insert(id)
        {
            r.warning(
                "coverage.duplicate_id",
                WG1_01_ENTRY,
                format!("/coverage_entries/{i}/id"),
                format!("coverage entry id `{id}` appears more than once"),
            );
        }
        if let Some(Ok(t)) = str_field(obj, "updated").map(str::parse::<jiff::Timestamp>) {
            if previous.is_some_and(|p| t > p) {
                r.error(
                    "coverage.order",
                    WG1_01_LISTING,
                    format!("/coverage_entries/{i}/updated"),
                    "coverage entries must be listed newest `updated` first",
                );
            }
            previous = Some(t);
        }
        union.extend(str_list(obj, "capabilities"));
    }
    if let Some(meta) = metadata.and_then(Value::as_object)
        && str_list(meta, "capabilities").contains(&"coverage")
    {
        let caps: BTreeSet<&str> = str_list(meta, "capabilities").into_iter().collect();
        let missing: Vec<&str> = union.difference(&caps).copied().collect();
        if !missing.is_empty() {
            r.error(
                "metadata.capabilities_union",
                WG1_01_META,
                "/capabilities",
                format!(
                    "`capabilities` must include every capability of the coverage entries; missing: {}",
                    missing.join(", ")
                ),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CDS-WG1-02 §3 Authorization Server Metadata

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
    check_issuer(r, obj, ctx.served_from);

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

    let empty = Map::new();
    let scopes = obj
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let fields = obj
        .get("cds_registration_fields")
        .and_then(Value::as_object)
        .unwrap_or(&empty);

    // Union rules (§3.2): each top-level list covers the values of every scope description.
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

    // cds_client_admin (§3.3.1).
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
fn check_issuer(r: &mut Report, obj: &Map<String, Value>, served_from: &Url) {
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

/// §3.4 on one scope description, with the cross-references into the rest of the document.
fn check_scope(
    r: &mut Report,
    key: &str,
    s: &Map<String, Value>,
    base: &str,
    fields: &Map<String, Value>,
    grant_admin_ids: &BTreeSet<&str>,
    ctx: &OAuthContext,
) {
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

/// §3.8 on one authorization details field.
fn check_authorization_details_field(
    r: &mut Report,
    f: &Value,
    base: &str,
    types: &BTreeSet<&str>,
    scope_type: Option<&str>,
) {
    let Some(o) = f.as_object() else {
        r.error(
            "adf.not_object",
            WG1_02_ADF,
            base,
            "authorization details field is not an object",
        );
        return;
    };
    check_fields(
        r,
        o,
        base,
        WG1_02_ADF,
        "adf",
        &[
            ("id", Kind::Str, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, true),
            ("documentation", Kind::Url, true),
            ("for_types", Kind::StrArray, true),
            ("format", Kind::Str, true),
            ("is_required", Kind::Bool, true),
            ("choices", Kind::Array, false),
        ],
    );
    let id = str_field(o, "id").unwrap_or("?");
    let for_types = str_list(o, "for_types");
    if o.contains_key("for_types") && for_types.is_empty() {
        r.error(
            "adf.for_types_empty",
            WG1_02_ADF,
            format!("{base}/for_types"),
            format!("`{id}`: `for_types` must contain at least one value"),
        );
    }
    for (i, t) in for_types.iter().enumerate() {
        // §3.3.2 writes the Grant Admin fields' `for_types` as `["cds_grant_admin"]` (the type),
        // while §12.2 and the subset rule use the scope id: accept both for that scope type.
        let grant_admin_type = *t == "cds_grant_admin" && scope_type == Some("cds_grant_admin");
        if !types.contains(t) && !grant_admin_type {
            r.error(
                "adf.for_types_not_subset",
                WG1_02_ADF,
                format!("{base}/for_types/{i}"),
                format!(
                    "`{id}`: `{t}` is not in the scope's `authorization_details_types_supported`"
                ),
            );
        }
    }
    let Some(format) = str_field(o, "format").map(AuthorizationDetailsFieldFormat::from) else {
        return;
    };
    if !format.is_known() {
        r.push(
            Severity::Info,
            "adf.format_unknown",
            "CDS-WG1-02 §3.9",
            format!("{base}/format"),
            format!("`{id}`: format `{format}` is not defined by CDS-WG1-02; the wizard takes it as raw JSON"),
        );
    }
    let required = o.get("is_required").and_then(Value::as_bool);
    if required == Some(true) && o.contains_key("default") {
        r.error(
            "adf.default_on_required",
            WG1_02_ADF,
            format!("{base}/default"),
            format!("`{id}` is required, so it must not have a `default`"),
        );
    }
    if format.requires_bounds() && !o.contains_key("maximum") {
        r.error(
            "adf.bounds_missing",
            WG1_02_ADF,
            format!("{base}/maximum"),
            format!("`{id}`: format `{format}` requires `maximum` (and `minimum`)"),
        );
    }
    if o.contains_key("maximum") && !o.contains_key("minimum") {
        r.error(
            "adf.minimum_missing",
            WG1_02_ADF,
            format!("{base}/minimum"),
            format!("`{id}` has `maximum` but no `minimum`"),
        );
    }
    if format.is_known() {
        for key in ["maximum", "minimum"] {
            if let Some(v) = o.get(key) {
                match Bound::parse(&format, v) {
                    Ok(_) => {}
                    Err(e) => r.error(
                        "adf.bound_type",
                        WG1_02_ADF,
                        format!("{base}/{key}"),
                        format!("`{id}` {key}: {e}"),
                    ),
                }
            }
        }
    }
    if format.takes_choices() {
        match o.get("choices").and_then(Value::as_array) {
            None => r.error(
                "adf.choices_missing",
                "CDS-WG1-02 §3.8",
                format!("{base}/choices"),
                format!("`{id}`: format `{format}` requires `choices`"),
            ),
            Some(c) if c.is_empty() => r.error(
                "adf.choices_missing",
                "CDS-WG1-02 §3.8",
                format!("{base}/choices"),
                format!("`{id}`: `choices` must list at least one choice"),
            ),
            Some(choices) => {
                for (i, c) in choices.iter().enumerate() {
                    match c.as_object() {
                        Some(co) => check_fields(
                            r,
                            co,
                            &format!("{base}/choices/{i}"),
                            "CDS-WG1-02 §3.10",
                            "choice",
                            &[
                                ("id", Kind::Str, true),
                                ("name", Kind::Str, true),
                                ("description", Kind::Str, true),
                                ("documentation", Kind::Url, true),
                            ],
                        ),
                        None => r.error(
                            "choice.not_object",
                            "CDS-WG1-02 §3.10",
                            format!("{base}/choices/{i}"),
                            "choice is not an object",
                        ),
                    }
                }
                let ids: Vec<&str> = choices
                    .iter()
                    .filter_map(|c| c.get("id").and_then(Value::as_str))
                    .collect();
                let defaults: Vec<&str> = match o.get("default") {
                    Some(Value::String(d)) => vec![d.as_str()],
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                for d in defaults {
                    if !ids.contains(&d) {
                        r.error(
                            "adf.default_not_a_choice",
                            WG1_02_ADF,
                            format!("{base}/default"),
                            format!("`{id}`: default `{d}` is not one of the choices"),
                        );
                    }
                }
            }
        }
    }
}

/// §3.5–3.7 on one registration field.
fn check_registration_field(r: &mut Report, key: &str, f: &Value, base: &str) {
    let Some(o) = f.as_object() else {
        r.error(
            "regfield.not_object",
            WG1_02_REG,
            base,
            "registration field is not an object",
        );
        return;
    };
    check_fields(
        r,
        o,
        base,
        WG1_02_REG,
        "regfield",
        &[
            ("id", Kind::Str, true),
            ("type", Kind::Str, true),
            ("description", Kind::Str, true),
            ("documentation", Kind::Url, true),
            ("field_name", Kind::Str, false),
            ("format", Kind::Str, false),
            ("currency", Kind::Str, false),
        ],
    );
    if let Some(id) = str_field(o, "id")
        && id != key
    {
        r.error(
            "regfield.id_mismatch",
            WG1_02_REG,
            format!("{base}/id"),
            format!("registration field id `{id}` differs from its key `{key}`"),
        );
    }
    let Some(t) = str_field(o, "type").map(RegistrationFieldType::from) else {
        return;
    };
    match t {
        RegistrationFieldType::RegistrationField => {
            match str_field(o, "field_name") {
                None => r.error(
                    "regfield.field_name_missing",
                    "CDS-WG1-02 §3.6",
                    format!("{base}/field_name"),
                    format!("`{key}` is a `registration_field` without `field_name`"),
                ),
                Some(n) if !n.starts_with("cds_") => r.error(
                    "regfield.field_name_prefix",
                    WG1_02_REG,
                    format!("{base}/field_name"),
                    format!("`{key}`: field_name `{n}` must start with `cds_`"),
                ),
                Some(_) => {}
            }
            match str_field(o, "format").map(RegistrationFieldFormat::from) {
                None => r.error(
                    "regfield.format_missing",
                    "CDS-WG1-02 §3.6",
                    format!("{base}/format"),
                    format!("`{key}` is a `registration_field` without `format`"),
                ),
                Some(fmt) => {
                    if !fmt.is_known() {
                        r.push(
                            Severity::Info,
                            "regfield.format_unknown",
                            "CDS-WG1-02 §3.7",
                            format!("{base}/format"),
                            format!("`{key}`: format `{fmt}` is not defined by CDS"),
                        );
                    }
                    if o.contains_key("max_length") && !fmt.takes_max_length() {
                        r.warning(
                            "regfield.max_length_ignored",
                            WG1_02_REG,
                            format!("{base}/max_length"),
                            format!("`{key}`: `max_length` does not apply to format `{fmt}`"),
                        );
                    }
                    if o.contains_key("max_size") && !fmt.is_file() {
                        r.warning(
                            "regfield.max_size_ignored",
                            WG1_02_REG,
                            format!("{base}/max_size"),
                            format!("`{key}`: `max_size` does not apply to format `{fmt}`"),
                        );
                    }
                }
            }
            for k in ["max_length", "max_size"] {
                if let Some(v) = o.get(k)
                    && v.as_u64().is_none()
                {
                    r.error(
                        "regfield.field_type",
                        WG1_02_REG,
                        format!("{base}/{k}"),
                        format!("`{key}`: `{k}` must be a positive integer"),
                    );
                }
            }
        }
        RegistrationFieldType::PaymentRequired => {
            match o.get("amount") {
                None => r.error(
                    "regfield.payment_amount_missing",
                    "CDS-WG1-02 §3.6",
                    format!("{base}/amount"),
                    format!("`{key}` requires payment but gives no `amount`"),
                ),
                Some(v) if super::formats::decimal_from_json(v).is_none() => r.error(
                    "regfield.field_type",
                    WG1_02_REG,
                    format!("{base}/amount"),
                    format!("`{key}`: `amount` must be a decimal number"),
                ),
                Some(_) => {}
            }
            match str_field(o, "currency") {
                None => r.error(
                    "regfield.payment_currency_missing",
                    "CDS-WG1-02 §3.6",
                    format!("{base}/currency"),
                    format!("`{key}` requires payment but gives no `currency`"),
                ),
                Some(c) if !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())) => r
                    .warning(
                        "regfield.currency_code",
                        WG1_02_REG,
                        format!("{base}/currency"),
                        format!("`{key}`: `{c}` is not an ISO 4217 code"),
                    ),
                Some(_) => {}
            }
        }
        RegistrationFieldType::Other(ref other) => r.push(
            Severity::Info,
            "regfield.type_unknown",
            "CDS-WG1-02 §3.6",
            format!("{base}/type"),
            format!("`{key}`: type `{other}` is not defined by CDS-WG1-02"),
        ),
        _ => {}
    }
}

/// The fixed shapes of §3.3.1–3.3.3 (client admin, grant admin, server-provided files).
fn check_fixed_scope(r: &mut Report, scope: &Value, key: &str, scope_type: &str, section: &str) {
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
            ptr(&base, "authorization_details_fields_supported"),
            format!("`{key}` must define exactly the authorization details fields {expected_fields:?}, found {fields:?}"),
        );
    }
}

/// Counts by severity.
pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}
