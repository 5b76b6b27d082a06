//! Scope description helpers shared by the 2025 and 2023 translations (CDS-WG1-02 §3.3–3.4):
//! renaming `client_admin`, mapping legacy scope types, filling `type` and the fixed names.

use serde_json::{Value, json};

use super::Object;
use super::legacy_names::{CLIENT_ADMIN, LEGACY_CLIENT_ADMIN, fixed_scope_name, legacy_type};
use super::log::{Log, child, fill, index};

/// The scope description objects of a metadata document, with their keys.
pub(super) fn scope_descriptions(map: &Object) -> impl Iterator<Item = (&String, &Object)> {
    map.get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_object().map(|o| (k, o)))
}

/// Whether `client_admin` may become `cds_client_admin` without colliding with an existing one.
pub(super) fn admin_renamable(map: &Object) -> bool {
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
pub(super) fn rename_admin_items(value: Value, pointer: &str, log: &mut Log) -> Value {
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
pub(super) fn rename_scope_tokens(value: Value, pointer: &str, log: &mut Log) -> Value {
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
pub(super) fn scope_key(key: &str, rename_admin: bool, pointer: &str, log: &mut Log) -> String {
    if rename_admin && key == LEGACY_CLIENT_ADMIN {
        log.renamed(pointer.to_owned(), key, CLIENT_ADMIN);
        CLIENT_ADMIN.to_owned()
    } else {
        key.to_owned()
    }
}

/// A scope description `id` value, renamed when it is `client_admin`.
pub(super) fn scope_id_value(
    value: Value,
    rename_admin: bool,
    pointer: &str,
    log: &mut Log,
) -> Value {
    match value {
        Value::String(id) if rename_admin && id == LEGACY_CLIENT_ADMIN => {
            log.renamed(pointer.to_owned(), &id, CLIENT_ADMIN);
            Value::String(CLIENT_ADMIN.to_owned())
        }
        other => other,
    }
}

/// The id a scope description ends up with: its (renamed) `id`, else its (renamed) key.
pub(super) fn final_scope_id(s: &Object, new_key: &str, rename_admin: bool) -> String {
    match s.get("id").and_then(Value::as_str) {
        Some(LEGACY_CLIENT_ADMIN) if rename_admin => CLIENT_ADMIN.to_owned(),
        Some(id) => id.to_owned(),
        None => new_key.to_owned(),
    }
}

/// A scope `type` value, mapped when it is a legacy fixed id.
pub(super) fn scope_type_value(value: Value, pointer: &str, log: &mut Log) -> Value {
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
pub(super) fn fill_scope_type(
    out: &mut Object,
    original_id: &str,
    scope_id: &str,
    base: &str,
    log: &mut Log,
) {
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

pub(super) fn scope_type_of(out: &Object) -> Option<&str> {
    out.get("type").and_then(Value::as_str)
}

pub(super) fn registration_review_type(mut f: Object, base: &str, log: &mut Log) -> Object {
    if f.get("type").and_then(Value::as_str) == Some("manual_review") {
        log.renamed(child(base, "type"), "manual_review", "internal_review");
        f.insert("type".to_owned(), json!("internal_review"));
    }
    f
}

/// Where a scope description sits and how its id is renamed.
pub(super) struct ScopeCx<'a> {
    /// Its key in the original `cds_scope_descriptions`.
    pub(super) key: &'a str,
    /// Its key in the 2026 shape.
    pub(super) new_key: &'a str,
    /// Its pointer in the original document.
    pub(super) base: &'a str,
    pub(super) rename_admin: bool,
}
