//! Older CDS drafts (2025 CDSC, May 2023) translated into the 2026 shape (CDS-WG1-01 §3.2, CDS-WG1-02 §3.2–3.10 and §5.1), on `serde_json::Value` only.
//!
//! Pure and total: any input comes back, unknown fields untouched, a 2026 document unchanged with
//! no [`Translation`]s. Each renamed, reshaped or filled field yields one [`Translation`] whose
//! pointer (RFC 6901) points into the *original* document; a filled field points at the object it
//! was added to.
//!
//! | older draft | 2026 shape |
//! | --- | --- |
//! | well-known `/.well-known/carbon-data-spec.json` (2025, 2023) | `/.well-known/cds-server-metadata.json`; the server metadata object is otherwise the same |
//! | scope id/key `client_admin` (also in `scopes_supported`, `authorization_details_types_supported`, Client `scope`) | `cds_client_admin` (a fixed id in WG1-02 §3.3.1) |
//! | scope without `type` (2025, 2023) | `type`: `client_admin`→`cds_client_admin`, `grant_admin`→`cds_grant_admin`, `server_provided_files`→`cds_server_provided_files`, any other id→itself |
//! | `authorization_details_fields` (2025, as deployed) | `authorization_details_fields_supported` |
//! | field without `for_types` (2025) | `for_types: [<scope id>]` |
//! | `limit` / `relative_date_limit` / `absolute_date_limit` (2025) | `maximum` (+ `minimum` where implied), see [`limits_2025`] |
//! | no per-scope `grant_admin_scope`, `authorization_details_types_supported` (2025) | filled from the 2025 rules |
//! | `cds_customerdata_<x>_api` (2025) | `cds_<x>_api` (WG3-01 §5; `billstatement`, `billsection` singular) |
//! | registration field type `manual_review` (2025 as deployed, 2023) | `internal_review` |
//! | `cds_registration_extras` (2023) | `cds_registration_fields` entries of type `registration_field` |
//! | scope `requirements` (2023) | `registration_requirements` ids + `cds_registration_fields` entries |
//! | scope `scope_modifiers` (2023) | `authorization_details_fields_supported` (optional booleans) |
//! | scope `grant_types`, `token_endpoint_auth_methods` (2023) | `…_supported` |
//! | Client `cds_settings.default_scope` (2023) | `cds_default_scope` |

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

type Object = Map<String, Value>;

/// Which generation of the specifications a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Draft {
    /// CDS-WG1-01 / CDS-WG1-02 (2026): the shape every normalized document has.
    #[serde(rename = "cds-2026")]
    Cds2026,
    /// The 2025 CDSC-WG1-01 / CDSC-WG1-02 drafts.
    #[serde(rename = "cdsc-2025")]
    Cdsc2025,
    /// The May 2023 CDSC-WG1-02 / CDSC-WG1-03 overviews.
    #[serde(rename = "cdsc-2023")]
    Cdsc2023,
}

impl Draft {
    /// A short human name, used in [`Translation`] messages.
    pub fn label(self) -> &'static str {
        match self {
            Draft::Cds2026 => "CDS 2026 (cds-wg1-01/02)",
            Draft::Cdsc2025 => "CDSC 2025",
            Draft::Cdsc2023 => "CDSC May 2023",
        }
    }
}

/// One thing that had to be translated: where (JSON pointer in the ORIGINAL document), what, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Translation {
    pub pointer: String,
    pub message: String,
}

/// A document in the 2026 shape, with the draft it was read from and what was translated.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub draft: Draft,
    pub value: Value,
    pub translations: Vec<Translation>,
}

/// The legacy well-known path(s) to try after `/.well-known/cds-server-metadata.json`.
pub const LEGACY_WELL_KNOWN_PATHS: &[&str] = &["/.well-known/carbon-data-spec.json"];

const CLIENT_ADMIN: &str = "cds_client_admin";
const LEGACY_CLIENT_ADMIN: &str = "client_admin";
const GRANT_ADMIN: &str = "cds_grant_admin";
const FIELDS: &str = "authorization_details_fields_supported";
const LEGACY_FIELDS: &str = "authorization_details_fields";

/// The fixed scope ids of CDSC 2025 §3.3.1–3.3.3 (also 2023's `client_admin`) and the 2026 scope
/// `type` (WG1-02 §3.3.1–3.3.3) each one stands for.
const LEGACY_SCOPE_TYPES: [(&str, &str); 3] = [
    ("client_admin", "cds_client_admin"),
    ("grant_admin", "cds_grant_admin"),
    ("server_provided_files", "cds_server_provided_files"),
];

/// Scope names that WG1-02 §3.3.1–3.3.3 fixes for a scope type.
const FIXED_SCOPE_NAMES: [(&str, &str); 3] = [
    ("cds_client_admin", "Client Admin"),
    ("cds_grant_admin", "Grant Admin"),
    ("cds_server_provided_files", "Server-Provided Files"),
];

/// 2025 customer-data API URL fields and their CDS-WG3-01 §5 names.
const CUSTOMERDATA_APIS: [(&str, &str); 9] = [
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
const LEGACY_LIMITS: [&str; 3] = ["relative_date_limit", "absolute_date_limit", "limit"];

/// Registration field formats that have an `_or_null` twin (WG1-02 §3.7).
const NULLABLE_FORMATS: [&str; 6] = ["string", "url", "email", "boolean", "image", "pdf"];

/// Keys that only a May 2023 Client object carries (settings, updates and scope-credentials APIs).
const CLIENT_2023_KEYS: [&str; 7] = [
    "cds_settings",
    "cds_settings_api",
    "cds_updates_api",
    "cds_updates_latest",
    "cds_updates_outstanding",
    "cds_scope_credentials",
    "cds_scope_credentials_api",
];

/// Detects the draft of a CDS server metadata document (WG1-01 §3.2 or its predecessors) and returns it in the 2026 shape.
///
/// The 2025 and 2023 server metadata objects have the 2026 fields (only the well-known path
/// moved), so nothing is translated; a `cds_metadata_url` on the legacy path marks the draft.
/// The two older drafts cannot be told apart here and both read as [`Draft::Cdsc2025`].
pub fn normalize_server_metadata(doc: Value) -> Normalized {
    let legacy = doc
        .get("cds_metadata_url")
        .and_then(Value::as_str)
        .is_some_and(is_legacy_well_known);
    Normalized {
        draft: if legacy {
            Draft::Cdsc2025
        } else {
            Draft::Cds2026
        },
        value: doc,
        translations: Vec::new(),
    }
}

/// Same for an authorization server metadata document (WG1-02 §3.2 or predecessors).
pub fn normalize_oauth_metadata(doc: Value) -> Normalized {
    let draft = detect_oauth(&doc);
    match (draft, doc) {
        (Draft::Cdsc2025, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(oauth_2025(map, &mut log));
            log.finish(value)
        }
        (Draft::Cdsc2023, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(oauth_2023(map, &mut log));
            log.finish(value)
        }
        (draft, value) => Log::new(draft).finish(value),
    }
}

/// Same for a Client object (WG1-02 §5.1) if older drafts differ; return unchanged with Cds2026 if not.
///
/// 2025 Client objects have the 2026 fields; only the `client_admin` scope id changes. May 2023
/// Client objects also move `cds_settings.default_scope` and gain an empty
/// `authorization_details_types`; their settings, updates and scope-credentials fields have no
/// 2026 counterpart in a single Client object and are kept as they are.
pub fn normalize_client(doc: Value) -> Normalized {
    let draft = detect_client(&doc);
    match (draft, doc) {
        (Draft::Cdsc2025 | Draft::Cdsc2023, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(client_legacy(map, &mut log));
            log.finish(value)
        }
        (draft, value) => Log::new(draft).finish(value),
    }
}

/// The scope string to send to a server of `draft` for a 2026 `scope` read from a normalized
/// document: `cds_client_admin` goes back to `client_admin` for the older drafts, every other
/// token is sent as it is (the other scope ids were never renamed).
pub fn wire_scope(draft: Draft, scope: &str) -> String {
    match draft {
        Draft::Cds2026 => scope.to_owned(),
        Draft::Cdsc2025 | Draft::Cdsc2023 => scope
            .split(' ')
            .map(|t| {
                if t == CLIENT_ADMIN {
                    LEGACY_CLIENT_ADMIN
                } else {
                    t
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// Collects the translations of one document.
struct Log {
    draft: Draft,
    items: Vec<Translation>,
}

impl Log {
    fn new(draft: Draft) -> Self {
        Log {
            draft,
            items: Vec::new(),
        }
    }

    fn finish(self, value: Value) -> Normalized {
        Normalized {
            draft: self.draft,
            value,
            translations: self.items,
        }
    }

    fn note(&mut self, pointer: String, message: String) {
        self.items.push(Translation { pointer, message });
    }

    fn renamed(&mut self, pointer: String, old: &str, new: &str) {
        let message = format!("`{old}` ({}) read as `{new}`", self.draft.label());
        self.note(pointer, message);
    }

    fn filled(&mut self, pointer: &str, field: &str, value: &Value, why: &str) {
        let message = format!(
            "`{field}` absent ({}); filled with {value}: {why}",
            self.draft.label()
        );
        self.note(pointer.to_owned(), message);
    }
}

/// `base` extended by one RFC 6901 reference token (`~` and `/` escaped).
fn child(base: &str, token: &str) -> String {
    format!("{base}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn index(base: &str, i: usize) -> String {
    format!("{base}/{i}")
}

/// Inserts `field` = `value` into `out` unless present, recording the fill against `pointer`.
fn fill(out: &mut Object, field: &str, value: Value, pointer: &str, why: &str, log: &mut Log) {
    if out.contains_key(field) {
        return;
    }
    log.filled(pointer, field, &value, why);
    out.insert(field.to_owned(), value);
}

fn is_legacy_well_known(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    LEGACY_WELL_KNOWN_PATHS.iter().any(|p| path.ends_with(p))
}

/// The 2026 scope `type` a legacy fixed scope id or type value stands for.
fn legacy_type(id: &str) -> Option<&'static str> {
    LEGACY_SCOPE_TYPES
        .iter()
        .find(|(old, _)| *old == id)
        .map(|(_, new)| *new)
}

fn fixed_scope_name(scope_type: &str) -> Option<&'static str> {
    FIXED_SCOPE_NAMES
        .iter()
        .find(|(t, _)| *t == scope_type)
        .map(|(_, name)| *name)
}

fn customerdata_api(key: &str) -> Option<&'static str> {
    CUSTOMERDATA_APIS
        .iter()
        .find(|(old, _)| *old == key)
        .map(|(_, new)| *new)
}

/// The scope description objects of a metadata document, with their keys.
fn scope_descriptions(map: &Object) -> impl Iterator<Item = (&String, &Object)> {
    map.get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_object().map(|o| (k, o)))
}

/// Whether `client_admin` may become `cds_client_admin` without colliding with an existing one.
fn admin_renamable(map: &Object) -> bool {
    let in_scopes = map
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .is_some_and(|s| s.contains_key(CLIENT_ADMIN));
    let in_list = map
        .get("scopes_supported")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(CLIENT_ADMIN)));
    !in_scopes && !in_list
}

/// Renames `client_admin` items of a string array, one translation per item.
fn rename_admin_items(value: Value, pointer: &str, log: &mut Log) -> Value {
    let Value::Array(items) = value else {
        return value;
    };
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) if s == LEGACY_CLIENT_ADMIN => {
                log.renamed(index(pointer, i), &s, CLIENT_ADMIN);
                Value::String(CLIENT_ADMIN.to_owned())
            }
            other => other,
        })
        .collect();
    Value::Array(items)
}

/// Renames the `client_admin` token of a space-separated OAuth scope string.
fn rename_scope_tokens(value: Value, pointer: &str, log: &mut Log) -> Value {
    match value {
        Value::String(s) if s.split(' ').any(|t| t == LEGACY_CLIENT_ADMIN) => {
            log.renamed(pointer.to_owned(), LEGACY_CLIENT_ADMIN, CLIENT_ADMIN);
            let renamed = s
                .split(' ')
                .map(|t| {
                    if t == LEGACY_CLIENT_ADMIN {
                        CLIENT_ADMIN
                    } else {
                        t
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            Value::String(renamed)
        }
        other => other,
    }
}

/// A scope description key, renamed when it is `client_admin`.
fn scope_key(key: &str, rename_admin: bool, pointer: &str, log: &mut Log) -> String {
    if rename_admin && key == LEGACY_CLIENT_ADMIN {
        log.renamed(pointer.to_owned(), key, CLIENT_ADMIN);
        CLIENT_ADMIN.to_owned()
    } else {
        key.to_owned()
    }
}

/// A scope description `id` value, renamed when it is `client_admin`.
fn scope_id_value(value: Value, rename_admin: bool, pointer: &str, log: &mut Log) -> Value {
    match value {
        Value::String(id) if rename_admin && id == LEGACY_CLIENT_ADMIN => {
            log.renamed(pointer.to_owned(), &id, CLIENT_ADMIN);
            Value::String(CLIENT_ADMIN.to_owned())
        }
        other => other,
    }
}

/// The id a scope description ends up with: its (renamed) `id`, else its (renamed) key.
fn final_scope_id(s: &Object, new_key: &str, rename_admin: bool) -> String {
    match s.get("id").and_then(Value::as_str) {
        Some(LEGACY_CLIENT_ADMIN) if rename_admin => CLIENT_ADMIN.to_owned(),
        Some(id) => id.to_owned(),
        None => new_key.to_owned(),
    }
}

/// A scope `type` value, mapped when it is a legacy fixed id.
fn scope_type_value(value: Value, pointer: &str, log: &mut Log) -> Value {
    match value {
        Value::String(t) => match legacy_type(&t) {
            Some(new) => {
                log.renamed(pointer.to_owned(), &t, new);
                Value::String(new.to_owned())
            }
            None => Value::String(t),
        },
        other => other,
    }
}

/// Fills `type` (and a spec-fixed `name`) of a scope description that has none.
fn fill_scope_type(out: &mut Object, original_id: &str, scope_id: &str, base: &str, log: &mut Log) {
    if !out.contains_key("type") {
        let (t, why) = match legacy_type(original_id) {
            Some(t) => (
                t.to_owned(),
                format!("the fixed scope id `{original_id}` stands for this type"),
            ),
            None => (
                scope_id.to_owned(),
                "no scope type in this draft; the id doubles as the type (WG1-02 §3.4 allows `type` equal to `id`)"
                    .to_owned(),
            ),
        };
        fill(out, "type", Value::String(t), base, &why, log);
    }
    let name = out
        .get("type")
        .and_then(Value::as_str)
        .and_then(fixed_scope_name);
    if let Some(name) = name {
        fill(
            out,
            "name",
            json!(name),
            base,
            "WG1-02 §3.3 fixes the name of this scope type",
            log,
        );
    }
}

fn scope_type_of(out: &Object) -> Option<&str> {
    out.get("type").and_then(Value::as_str)
}

fn registration_review_type(mut f: Object, base: &str, log: &mut Log) -> Object {
    if f.get("type").and_then(Value::as_str) == Some("manual_review") {
        log.renamed(child(base, "type"), "manual_review", "internal_review");
        f.insert("type".to_owned(), json!("internal_review"));
    }
    f
}

// ---------------------------------------------------------------------------------------------
// Authorization server metadata: detection

fn detect_oauth(doc: &Value) -> Draft {
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

fn is_2023_scope(s: &Object) -> bool {
    let legacy_name = |old: &str, new: &str| s.contains_key(old) && !s.contains_key(new);
    s.contains_key("scope_modifiers")
        || s.contains_key("requirements")
        || legacy_name("grant_types", "grant_types_supported")
        || legacy_name(
            "token_endpoint_auth_methods",
            "token_endpoint_auth_methods_supported",
        )
}

fn is_2025_scope(key: &str, s: &Object) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Authorization server metadata: CDSC 2025

fn oauth_2025(map: Object, log: &mut Log) -> Object {
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
fn grant_admin_scope_id(map: &Object) -> Option<String> {
    scope_descriptions(map).find_map(|(key, s)| {
        let id = s.get("id").and_then(Value::as_str).unwrap_or(key);
        let scope_type = match s.get("type").and_then(Value::as_str) {
            Some(t) => legacy_type(t).unwrap_or(t),
            None => legacy_type(id).or(legacy_type(key))?,
        };
        (scope_type == GRANT_ADMIN).then(|| id.to_owned())
    })
}

fn scopes_2025(
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

/// Where a scope description sits and how its id is renamed.
struct ScopeCx<'a> {
    /// Its key in the original `cds_scope_descriptions`.
    key: &'a str,
    /// Its key in the 2026 shape.
    new_key: &'a str,
    /// Its pointer in the original document.
    base: &'a str,
    rename_admin: bool,
}

fn scope_2025(s: Object, cx: &ScopeCx, grant_admin: Option<&str>, log: &mut Log) -> Object {
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

fn fields_2025(value: Value, base: &str, scope_id: &str, log: &mut Log) -> Value {
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

/// Reads the CDSC 2025 §3.8 limits of an authorization details field as the 2026 WG1-02 §3.8
/// `maximum` / `minimum`.
///
/// Direction. In 2025 every limit is the *far* end of what may be submitted: `limit` the largest
/// number (or longest string), `relative_date_limit` the largest date range counted from today,
/// `absolute_date_limit` the furthest-away date. In 2026 `maximum` is that far end for every
/// format, including historical periods, where it is the furthest-*back* value, and `minimum` is
/// the end closest to zero or to today. So a 2025 limit always becomes `maximum`, never
/// `minimum`, even for a "how far back" field whose limit is the earliest date. 2026 relative
/// dates are unsigned durations (the field's meaning says whether they count back or forward,
/// e.g. WG3-01 §7.3.2 vs §7.3.3), so a relative limit becomes an unsigned duration; a negative
/// count loses its sign.
///
/// Units. `relative_date_limit` is typed as a bare integer in 2025 with no unit; it is read as a
/// number of days (`P<n>D`, the finest unit a relative date may use). A string duration
/// (`"P3Y"`), as some servers send, is taken as it is.
///
/// The near end was implicit in 2025: date ranges start today, so `minimum` is `"P0D"`; a string
/// length starts at 0. For `int` and `decimal` 2025 set no floor, so `minimum` stays absent and
/// the conformance check reports it.
///
/// 2026 has one `maximum`. When a 2025 field gives both date limits, which one is stricter depends
/// on the day; the relative one (stable over time) is taken and `absolute_date_limit` is kept
/// as it is, with a translation saying so.
fn limits_2025(f: Object, base: &str, log: &mut Log) -> Object {
    if f.contains_key("maximum") {
        return f;
    }
    let chosen = LEGACY_LIMITS.iter().find_map(|key| {
        let v = f.get(*key)?;
        let (maximum, note) = limit_as_maximum(key, v)?;
        Some((*key, maximum, note))
    });
    let Some((key, maximum, note)) = chosen else {
        return f;
    };
    let label = log.draft.label();
    let format = f
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut out = Object::new();
    for (k, v) in f {
        if k == key {
            let message = format!("`{key}` {v} ({label}) read as `maximum` {maximum}{note}");
            log.note(child(base, &k), message);
            out.insert("maximum".to_owned(), maximum.clone());
        } else {
            out.insert(k, v);
        }
    }
    for other in LEGACY_LIMITS {
        if other != key && out.contains_key(other) {
            let message = format!(
                "`{other}` ({label}) kept as it is: the 2026 shape has a single `maximum`, taken from `{key}`"
            );
            log.note(child(base, other), message);
        }
    }
    let minimum = match key {
        "relative_date_limit" | "absolute_date_limit" => Some((
            json!("P0D"),
            "CDSC 2025 date limits count from the current date",
        )),
        _ if matches!(format.as_str(), "string" | "string_or_null" | "string_list") => {
            Some((json!(0), "CDSC 2025 sets no shortest length"))
        }
        _ => None,
    };
    if let Some((minimum, why)) = minimum {
        fill(&mut out, "minimum", minimum, base, why, log);
    }
    out
}

/// The 2026 `maximum` for one CDSC 2025 limit value, with a note for the message; `None` when
/// the value has a type the 2025 draft does not allow.
fn limit_as_maximum(key: &str, v: &Value) -> Option<(Value, String)> {
    match (key, v) {
        ("relative_date_limit", Value::Number(n)) => {
            let signed = n.as_i64();
            let days = signed.map(i64::unsigned_abs).or_else(|| n.as_u64())?;
            let sign = if signed.is_some_and(|d| d < 0) {
                "; sign dropped, the field's meaning gives the direction"
            } else {
                ""
            };
            Some((
                Value::String(format!("P{days}D")),
                format!(" (a count of days: CDSC 2025 gives the integer no unit{sign})"),
            ))
        }
        ("relative_date_limit", Value::String(s)) => {
            let unsigned = s.trim_start_matches(['-', '+']);
            (unsigned.starts_with(['P', 'p']) || s == "infinite")
                .then(|| (json!(unsigned), String::new()))
        }
        ("absolute_date_limit", Value::String(s)) => {
            (is_full_date(s) || s == "infinite").then(|| (v.clone(), String::new()))
        }
        ("limit", Value::Number(_)) => Some((v.clone(), String::new())),
        ("limit", Value::String(s)) if s == "infinite" => Some((v.clone(), String::new())),
        _ => None,
    }
}

/// `YYYY-MM-DD` by shape (the 2026 parser checks the calendar).
fn is_full_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

// ---------------------------------------------------------------------------------------------
// Authorization server metadata: CDSC May 2023

/// What the scopes need to know about the document's `cds_registration_extras`.
struct Extras {
    /// Ids (= field names) of the translated extras, in document order.
    ids: Vec<String>,
    /// Each extra's `type`, as a 2026 `format` before any `_or_null` widening.
    formats: HashMap<String, Value>,
}

/// One translated `cds_registration_extras` entry.
struct Extra {
    index: usize,
    id: String,
    field: Object,
    /// The entry's `type`, i.e. its `format` before any `_or_null` widening.
    format: Option<Value>,
    note: String,
}

fn extra_2023(position: usize, item: &Value) -> Option<Extra> {
    let obj = item.as_object()?;
    let name = obj.get("name")?.as_str()?.to_owned();
    let nullable = obj.get("default").is_some_and(Value::is_null);
    let mut field = Object::new();
    field.insert("id".to_owned(), json!(name));
    field.insert("type".to_owned(), json!("registration_field"));
    field.insert("field_name".to_owned(), json!(name));
    let mut note = "`name` as `id` and `field_name`".to_owned();
    let format = obj.get("type").cloned();
    for (k, v) in obj {
        match k.as_str() {
            "name" => {}
            "type" => {
                let format = match v.as_str() {
                    Some(t) if nullable && NULLABLE_FORMATS.contains(&t) => {
                        note.push_str(&format!(
                            ", `type` \"{t}\" as `format` \"{t}_or_null\" since its default is null"
                        ));
                        json!(format!("{t}_or_null"))
                    }
                    _ => {
                        note.push_str(&format!(", `type` {v} as `format`"));
                        v.clone()
                    }
                };
                field.insert("format".to_owned(), format);
            }
            _ => {
                field.insert(k.clone(), v.clone());
            }
        }
    }
    Some(Extra {
        index: position,
        id: name,
        field,
        format,
        note,
    })
}

/// Splits `cds_registration_extras` into translated entries and entries left as they are.
fn extras_2023(items: &[Value]) -> (Vec<Extra>, Vec<Value>) {
    let mut done: Vec<Extra> = Vec::new();
    let mut rest = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match extra_2023(i, item) {
            Some(e) if !done.iter().any(|d| d.id == e.id) => done.push(e),
            _ => rest.push(item.clone()),
        }
    }
    (done, rest)
}

fn oauth_2023(map: Object, log: &mut Log) -> Object {
    let rename_admin = admin_renamable(&map);
    let (mut extras, mut extras_rest) = match map.get("cds_registration_extras") {
        Some(Value::Array(items)) => extras_2023(items),
        _ => (Vec::new(), Vec::new()),
    };
    let scope_env = Env2023 {
        rename_admin,
        extras: Extras {
            ids: extras.iter().map(|e| e.id.clone()).collect(),
            formats: extras
                .iter()
                .filter_map(|e| Some((e.id.clone(), e.format.clone()?)))
                .collect(),
        },
        top_code_challenges: map.get("code_challenge_methods_supported").cloned(),
    };
    let had_fields = map.contains_key("cds_registration_fields");
    let mut generated = Object::new();
    let mut ad_types: Vec<Value> = Vec::new();
    let mut placeholder = false;
    let mut out = Object::new();
    for (key, value) in map {
        let here = child("", &key);
        let value = match key.as_str() {
            "cds_registration_extras" if value.is_array() => {
                for e in std::mem::take(&mut extras) {
                    let message = format!(
                        "`cds_registration_extras` entry `{}` ({}) read as `cds_registration_fields` entry `{}` of type `registration_field` ({})",
                        e.id,
                        log.draft.label(),
                        e.id,
                        e.note
                    );
                    log.note(index(&here, e.index), message);
                    if !generated.contains_key(&e.id) {
                        generated.insert(e.id, Value::Object(e.field));
                    }
                }
                let rest = std::mem::take(&mut extras_rest);
                if !rest.is_empty() {
                    out.insert(key, Value::Array(rest));
                }
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
                &mut out,
                "cds_registration_fields",
                Value::Object(generated),
                "",
                why,
                log,
            );
        }
    }
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

/// Document-wide facts a May 2023 scope description is read against.
struct Env2023 {
    rename_admin: bool,
    extras: Extras,
    top_code_challenges: Option<Value>,
}

fn scopes_2023(
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

fn scope_2023(
    s: Object,
    cx: &ScopeCx,
    env: &Env2023,
    generated: &mut Object,
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
    let original_id = s
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or(cx.key)
        .to_owned();
    let scope_id = final_scope_id(&s, cx.new_key, cx.rename_admin);
    let mut required_names: HashSet<String> = HashSet::new();
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
                        required_names: &mut required_names,
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
                let (fields, rest) = modifiers_2023(v, &here, &scope_id, log);
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

    let grants: Option<Vec<String>> = out
        .get("grant_types_supported")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|g| g.as_str().map(str::to_owned)).collect());
    if let Some(grants) = &grants {
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
            &mut out,
            "response_types_supported",
            json!(response_types),
            base,
            "derived from the grant types (RFC 7591 §2.1 pairs `authorization_code` with `code`, `implicit` with `token`)",
            log,
        );
        let uses_code = grants.iter().any(|g| g == "authorization_code");
        match &env.top_code_challenges {
            _ if !uses_code => fill(
                &mut out,
                "code_challenge_methods_supported",
                json!([]),
                base,
                "no `authorization_code` grant, so no code challenge (WG1-02 §3.4)",
                log,
            ),
            Some(methods @ Value::Array(_)) => fill(
                &mut out,
                "code_challenge_methods_supported",
                methods.clone(),
                base,
                "the scope uses `authorization_code`; methods taken from the top-level `code_challenge_methods_supported`",
                log,
            ),
            _ => {}
        }
    }

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
        &mut out,
        "registration_optional",
        Value::Array(optional),
        base,
        why,
        log,
    );
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
        &mut out,
        "authorization_details_types_supported",
        types,
        base,
        why,
        log,
    );
    out
}

/// Reads the `requirements` of May 2023 scope descriptions into registration fields.
struct Requirements<'a> {
    extras: &'a Extras,
    /// The `cds_registration_fields` built so far.
    generated: &'a mut Object,
    /// `field_name`s this scope requires, so that they are not also listed as optional.
    required_names: &'a mut HashSet<String>,
}

impl Requirements<'_> {
    /// Returns the requirement ids and the entries that could not be read.
    fn read(&mut self, items: Vec<Value>, base: &str, log: &mut Log) -> (Vec<Value>, Vec<Value>) {
        let mut ids = Vec::new();
        let mut rest = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(id) => ids.push(Value::String(id)),
                Value::Object(r) => match r.get("id").and_then(Value::as_str).map(str::to_owned) {
                    Some(id) => {
                        let note = self.field(r, &id);
                        let message = format!(
                            "`requirements` entry `{id}` ({}) read as `cds_registration_fields` entry `{id}`{note}",
                            log.draft.label()
                        );
                        log.note(index(base, i), message);
                        ids.push(Value::String(id));
                    }
                    None => rest.push(Value::Object(r)),
                },
                other => rest.push(other),
            }
        }
        (ids, rest)
    }

    /// Stores one requirement as a registration field; returns what changed, for the message.
    fn field(&mut self, mut f: Object, id: &str) -> String {
        let mut notes: Vec<String> = Vec::new();
        if f.get("type").and_then(Value::as_str) == Some("manual_review") {
            f.insert("type".to_owned(), json!("internal_review"));
            notes.push("`type` \"manual_review\" as \"internal_review\"".to_owned());
        }
        let submitted = f.get("type").and_then(Value::as_str) == Some("registration_field");
        if submitted && let Some(name) = f.get("field_name").and_then(Value::as_str) {
            let name = name.to_owned();
            if !f.contains_key("format")
                && let Some(format) = self.extras.formats.get(&name)
            {
                notes.push(format!(
                    "`format` {format} from the `cds_registration_extras` entry `{name}`"
                ));
                f.insert("format".to_owned(), format.clone());
            }
            self.required_names.insert(name);
        }
        let f = Value::Object(f);
        match self.generated.get(id) {
            Some(existing) if *existing != f => {
                notes.push("another entry with this id was read first and is kept".to_owned());
            }
            Some(_) => {}
            None => {
                self.generated.insert(id.to_owned(), f);
            }
        }
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        }
    }
}

/// Reads `scope_modifiers` (a map keyed by modifier, or a list of objects with `id`) as
/// authorization details fields; returns them and the entries that could not be read.
fn modifiers_2023(
    value: Value,
    base: &str,
    scope_id: &str,
    log: &mut Log,
) -> (Vec<Value>, Option<Value>) {
    let mut fields = Vec::new();
    match value {
        Value::Object(m) => {
            let mut rest = Object::new();
            for (id, modifier) in m {
                match modifier {
                    Value::Object(o) => {
                        let here = child(base, &id);
                        fields.push(modifier_field(&id, o, &here, scope_id, log));
                    }
                    other => {
                        rest.insert(id, other);
                    }
                }
            }
            (fields, (!rest.is_empty()).then_some(Value::Object(rest)))
        }
        Value::Array(items) => {
            let mut rest = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
                match (id, item) {
                    (Some(id), Value::Object(o)) => {
                        fields.push(modifier_field(&id, o, &index(base, i), scope_id, log));
                    }
                    (_, other) => rest.push(other),
                }
            }
            (fields, (!rest.is_empty()).then_some(Value::Array(rest)))
        }
        other => (fields, Some(other)),
    }
}

/// One May 2023 scope modifier as an authorization details field. A modifier is an optional
/// add-on to its scope, off unless asked for: a `boolean` that is not required and defaults to
/// `false`. Its other members (`name`, `description`, `requirements`) are kept.
fn modifier_field(id: &str, o: Object, pointer: &str, scope_id: &str, log: &mut Log) -> Value {
    let mut f = Object::new();
    f.insert("id".to_owned(), json!(id));
    for (k, v) in o {
        f.insert(k, v);
    }
    let mut filled = Vec::new();
    for (k, v) in [
        ("for_types", json!([scope_id])),
        ("format", json!("boolean")),
        ("is_required", json!(false)),
        ("default", json!(false)),
    ] {
        if !f.contains_key(k) {
            filled.push(format!("`{k}` {v}"));
            f.insert(k.to_owned(), v);
        }
    }
    let message = format!(
        "scope modifier `{id}` ({}) read as authorization details field `{id}` with {}: a modifier is an optional add-on, off unless requested",
        log.draft.label(),
        filled.join(", ")
    );
    log.note(pointer.to_owned(), message);
    Value::Object(f)
}

// ---------------------------------------------------------------------------------------------
// Client objects

fn detect_client(doc: &Value) -> Draft {
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

fn client_legacy(map: Object, log: &mut Log) -> Object {
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

    fn fixture(text: &str) -> Value {
        match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => panic!("fixture is not JSON: {e}"),
        }
    }

    const SERVER_2026: &str =
        include_str!("../../tests/fixtures/drafts/cds2026-server-metadata.json");
    const SERVER_2025: &str =
        include_str!("../../tests/fixtures/drafts/cdsc2025-server-metadata.json");
    const OAUTH_2026: &str =
        include_str!("../../tests/fixtures/drafts/cds2026-oauth-metadata.json");
    const OAUTH_2025: &str =
        include_str!("../../tests/fixtures/drafts/cdsc2025-oauth-metadata.json");
    const OAUTH_2025_NORMALIZED: &str =
        include_str!("../../tests/fixtures/drafts/cdsc2025-oauth-metadata.normalized.json");
    const OAUTH_2023: &str =
        include_str!("../../tests/fixtures/drafts/cdsc2023-oauth-metadata.json");
    const OAUTH_2023_NORMALIZED: &str =
        include_str!("../../tests/fixtures/drafts/cdsc2023-oauth-metadata.normalized.json");
    const CLIENT_2026: &str = include_str!("../../tests/fixtures/drafts/cds2026-client.json");
    const CLIENT_2025: &str = include_str!("../../tests/fixtures/drafts/cdsc2025-client.json");
    const CLIENT_2023: &str = include_str!("../../tests/fixtures/drafts/cdsc2023-client.json");

    fn at<'a>(v: &'a Value, pointer: &str) -> &'a Value {
        v.pointer(pointer)
            .unwrap_or_else(|| panic!("nothing at {pointer}"))
    }

    fn translation<'a>(n: &'a Normalized, pointer: &str) -> Vec<&'a str> {
        n.translations
            .iter()
            .filter(|t| t.pointer == pointer)
            .map(|t| t.message.as_str())
            .collect()
    }

    #[test]
    fn labels() {
        assert_eq!(Draft::Cds2026.label(), "CDS 2026 (cds-wg1-01/02)");
        assert_eq!(Draft::Cdsc2025.label(), "CDSC 2025");
        assert_eq!(Draft::Cdsc2023.label(), "CDSC May 2023");
        assert_eq!(
            serde_json::to_value(Draft::Cdsc2025).ok(),
            Some(json!("cdsc-2025"))
        );
        assert_eq!(
            serde_json::to_value(Draft::Cds2026).ok(),
            Some(json!("cds-2026"))
        );
    }

    #[test]
    fn server_metadata_2026_passes_through() {
        let doc = fixture(SERVER_2026);
        let n = normalize_server_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cds2026);
        assert_eq!(n.value, doc);
        assert!(n.translations.is_empty());
    }

    #[test]
    fn server_metadata_2025_is_detected_and_kept() {
        let doc = fixture(SERVER_2025);
        let n = normalize_server_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cdsc2025);
        assert_eq!(n.value, doc, "the 2025 object already has the 2026 fields");
        assert!(n.translations.is_empty());
        assert_eq!(
            LEGACY_WELL_KNOWN_PATHS,
            &["/.well-known/carbon-data-spec.json"]
        );
    }

    #[test]
    fn oauth_2026_passes_through() {
        let doc = fixture(OAUTH_2026);
        let n = normalize_oauth_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cds2026);
        assert_eq!(n.value, doc);
        assert!(n.translations.is_empty(), "{:#?}", n.translations);
    }

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
    fn oauth_2025_limits_become_maximum_and_minimum() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2025));
        let usage = at(
            &n.value,
            "/cds_scope_descriptions/cds_usage_basic/authorization_details_fields_supported",
        );
        let base = "/cds_scope_descriptions/cds_usage_basic/authorization_details_fields";

        // Both date limits: the relative one (an integer, read as days) is the far end.
        let start = &usage[0];
        assert_eq!(start["maximum"], json!("P730D"));
        assert_eq!(start["minimum"], json!("P0D"));
        assert!(start.get("relative_date_limit").is_none());
        assert_eq!(start["absolute_date_limit"], json!("2020-01-01"));
        assert_eq!(
            translation(&n, &format!("{base}/0/relative_date_limit")),
            [
                "`relative_date_limit` 730 (CDSC 2025) read as `maximum` \"P730D\" (a count of days: CDSC 2025 gives the integer no unit)"
            ]
        );
        assert_eq!(
            translation(&n, &format!("{base}/0/absolute_date_limit")),
            [
                "`absolute_date_limit` (CDSC 2025) kept as it is: the 2026 shape has a single `maximum`, taken from `relative_date_limit`"
            ]
        );
        assert!(translation(&n, &format!("{base}/0")).contains(
            &"`minimum` absent (CDSC 2025); filled with \"P0D\": CDSC 2025 date limits count from the current date"
        ));

        // A duration string is taken as it is.
        assert_eq!(usage[1]["maximum"], json!("P3Y"));
        assert_eq!(usage[1]["minimum"], json!("P0D"));

        // `int`: the limit is the largest value, and 2025 sets no floor.
        assert_eq!(usage[2]["maximum"], json!(100));
        assert!(usage[2].get("minimum").is_none());
        assert!(usage[2].get("limit").is_none());

        // `string`: the limit is the longest length; lengths start at 0.
        assert_eq!(usage[3]["maximum"], json!(280));
        assert_eq!(usage[3]["minimum"], json!(0));

        // Only an absolute date: it becomes the maximum.
        let opened = at(
            &n.value,
            "/cds_scope_descriptions/cds_accounts_basic/authorization_details_fields_supported/0",
        );
        assert_eq!(opened["maximum"], json!("2021-01-01"));
        assert_eq!(opened["minimum"], json!("P0D"));
        assert!(opened.get("absolute_date_limit").is_none());
    }

    #[test]
    fn limit_values_and_signs() {
        let conv = |key: &str, v: Value| limit_as_maximum(key, &v).map(|(m, _)| m);
        assert_eq!(
            conv("relative_date_limit", json!(-365)),
            Some(json!("P365D"))
        );
        assert_eq!(
            conv("relative_date_limit", json!("-P2Y")),
            Some(json!("P2Y"))
        );
        assert_eq!(
            conv("relative_date_limit", json!("infinite")),
            Some(json!("infinite"))
        );
        assert_eq!(conv("relative_date_limit", json!(1.5)), None);
        assert_eq!(conv("relative_date_limit", json!("two years")), None);
        assert_eq!(conv("absolute_date_limit", json!(20200101)), None);
        assert_eq!(conv("absolute_date_limit", json!("2020-1-01")), None);
        assert_eq!(conv("limit", json!(-5)), Some(json!(-5)));
        assert_eq!(conv("limit", json!("12")), None);
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

    #[test]
    fn oauth_2023_matches_the_reviewed_output() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2023));
        assert_eq!(n.draft, Draft::Cdsc2023);
        assert_eq!(n.value, fixture(OAUTH_2023_NORMALIZED));
    }

    #[test]
    fn oauth_2023_registration_extras_become_registration_fields() {
        let n = normalize_oauth_metadata(fixture(OAUTH_2023));
        let v = &n.value;
        assert!(v.get("cds_registration_extras").is_none());
        assert_eq!(
            at(v, "/cds_registration_fields/cds_initial_scope_of_use"),
            &json!({
                "id": "cds_initial_scope_of_use",
                "type": "registration_field",
                "field_name": "cds_initial_scope_of_use",
                "description": "How you will use customer data authorized to you.",
                "format": "string_or_null",
                "default": null
            })
        );
        assert_eq!(
            at(
                v,
                "/cds_registration_fields/cds_autolist_in_directory/format"
            ),
            &json!("boolean")
        );
        assert_eq!(
            translation(&n, "/cds_registration_extras/0"),
            [
                "`cds_registration_extras` entry `cds_initial_scope_of_use` (CDSC May 2023) read as `cds_registration_fields` entry `cds_initial_scope_of_use` of type `registration_field` (`name` as `id` and `field_name`, `type` \"string\" as `format` \"string_or_null\" since its default is null)"
            ]
        );
        // Requirements land next to the extras, `manual_review` renamed, format from the extra.
        assert_eq!(
            at(v, "/cds_registration_fields/sou"),
            &json!({
                "id": "sou",
                "type": "registration_field",
                "field_name": "cds_initial_scope_of_use",
                "name": "Scope of Use",
                "description": "Describe how you will use this data once customers authorize it.",
                "format": "string"
            })
        );
        assert_eq!(
            at(v, "/cds_registration_fields/review_step1/type"),
            &json!("internal_review")
        );
        assert_eq!(at(v, "/scopes_supported/0"), &json!("cds_client_admin"));
        assert_eq!(
            at(v, "/authorization_details_types_supported"),
            &json!(["accounts", "usage"])
        );
        assert_eq!(
            v["cds_client_directory"],
            json!("https://demoutility.com/clients/directory")
        );
    }

    #[test]
    fn oauth_2023_scope_descriptions() {
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

    #[test]
    fn translations_point_into_the_original_document() {
        for text in [OAUTH_2025, OAUTH_2023, CLIENT_2025, CLIENT_2023] {
            let doc = fixture(text);
            let mut all = normalize_oauth_metadata(doc.clone()).translations;
            all.extend(normalize_client(doc.clone()).translations);
            assert!(!all.is_empty());
            for t in all {
                assert!(
                    doc.pointer(&t.pointer).is_some(),
                    "{} not in the original",
                    t.pointer
                );
            }
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for text in [OAUTH_2026, OAUTH_2025, OAUTH_2023] {
            let once = normalize_oauth_metadata(fixture(text));
            let twice = normalize_oauth_metadata(once.value.clone());
            assert_eq!(twice.draft, Draft::Cds2026);
            assert_eq!(twice.value, once.value);
            assert!(twice.translations.is_empty(), "{:#?}", twice.translations);
        }
        for text in [CLIENT_2026, CLIENT_2025, CLIENT_2023] {
            let once = normalize_client(fixture(text));
            let twice = normalize_client(once.value.clone());
            assert_eq!(twice.value, once.value);
            assert!(twice.translations.is_empty(), "{:#?}", twice.translations);
        }
    }

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

    #[test]
    fn wire_scope_restores_legacy_ids() {
        assert_eq!(
            wire_scope(Draft::Cdsc2025, "cds_client_admin"),
            "client_admin"
        );
        assert_eq!(
            wire_scope(Draft::Cdsc2023, "cds_client_admin accounts"),
            "client_admin accounts"
        );
        assert_eq!(
            wire_scope(Draft::Cds2026, "cds_client_admin"),
            "cds_client_admin"
        );
        assert_eq!(wire_scope(Draft::Cdsc2025, "grant_admin"), "grant_admin");
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let doc = json!({
            "cds_scope_descriptions": {
                "grant_admin": {"id": "grant_admin"},
                "a/b~c": {"id": "a/b~c", "authorization_details_fields": []}
            }
        });
        let n = normalize_oauth_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cdsc2025);
        let odd = "/cds_scope_descriptions/a~1b~0c";
        assert!(!translation(&n, odd).is_empty());
        assert_eq!(
            translation(&n, &format!("{odd}/authorization_details_fields")).len(),
            1
        );
        for t in &n.translations {
            assert!(doc.pointer(&t.pointer).is_some(), "{}", t.pointer);
        }
    }

    #[test]
    fn odd_inputs_come_back_unchanged() {
        let odd = [
            Value::Null,
            json!(true),
            json!(42),
            json!("client_admin"),
            json!([{"client_admin": {}}]),
            json!({}),
            json!({"cds_scope_descriptions": []}),
            json!({"cds_scope_descriptions": "client_admin"}),
            json!({"scopes_supported": "client_admin", "cds_metadata_url": 7}),
            json!({"cds_scope_descriptions": {"x": 5, "y": [1]}}),
        ];
        for doc in odd {
            for f in [
                normalize_server_metadata,
                normalize_oauth_metadata,
                normalize_client,
            ] {
                let n = f(doc.clone());
                assert_eq!(n.value, doc);
                assert_eq!(n.draft, Draft::Cds2026);
                assert!(n.translations.is_empty());
            }
        }
    }

    #[test]
    fn wrong_types_inside_legacy_documents_do_not_panic() {
        let docs = [
            json!({"cds_customerdata_accounts_api": "u", "cds_scope_descriptions": 3, "cds_registration_fields": []}),
            json!({"cds_scope_descriptions": {"client_admin": 1, "grant_admin": {"id": 5, "authorization_details_fields": "x"}}}),
            json!({"cds_scope_descriptions": {"s": {"authorization_details_fields": [1, {"limit": "x"}, {"relative_date_limit": null}, {"absolute_date_limit": 3, "relative_date_limit": 3.5}]}}}),
            json!({"cds_registration_extras": "x", "cds_scope_descriptions": {"client_admin": {"requirements": 4, "scope_modifiers": "y", "grant_types": 1}}}),
            json!({"cds_registration_extras": [1, {"name": 2}, {"name": "cds_a"}, {"name": "cds_a"}], "cds_registration_fields": 9}),
            json!({"cds_scope_descriptions": {"s": {"requirements": [1, {"id": 2}, "plain_id"], "scope_modifiers": {"_a": 1, "_b": {}}}}}),
            json!({"cds_scope_descriptions": {"s": {"requirements": [], "scope_modifiers": [{"id": "_a"}, {"name": "no id"}, 3]}}}),
        ];
        for doc in docs {
            let n = normalize_oauth_metadata(doc.clone());
            assert_ne!(n.draft, Draft::Cds2026, "{doc}");
            for t in &n.translations {
                assert!(doc.pointer(&t.pointer).is_some(), "{} in {doc}", t.pointer);
            }
        }
        for doc in [
            json!({"cds_settings": 1, "scope": 5}),
            json!({"cds_settings": {"default_scope": 5}, "authorization_details_types": "x"}),
            json!({"scope": "client_admin", "authorization_details_types": [1, "client_admin"]}),
        ] {
            let n = normalize_client(doc.clone());
            assert_ne!(n.draft, Draft::Cds2026);
        }
    }

    #[test]
    fn untranslatable_entries_are_kept() {
        let doc = json!({
            "cds_registration_extras": [{"name": "cds_a", "type": "string"}, "junk"],
            "cds_scope_descriptions": {
                "s": {"requirements": [{"no_id": true}], "scope_modifiers": {"_a": 1}}
            }
        });
        let n = normalize_oauth_metadata(doc);
        let v = &n.value;
        assert_eq!(v["cds_registration_extras"], json!(["junk"]));
        assert_eq!(
            at(v, "/cds_registration_fields/cds_a/format"),
            &json!("string")
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/requirements"),
            &json!([{"no_id": true}])
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/registration_requirements"),
            &json!([])
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/scope_modifiers"),
            &json!({"_a": 1})
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/registration_optional"),
            &json!(["cds_a"])
        );
    }
}
