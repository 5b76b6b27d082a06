//! CDSC May 2023 registration extras, scope `requirements` and `scope_modifiers`, read as
//! CDS-WG1-02 registration fields (§3.7) and authorization details fields (§3.8).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::Object;
use super::legacy_names::NULLABLE_FORMATS;
use super::log::{Log, child, index};

/// What the scopes need to know about the document's `cds_registration_extras`.
pub(super) struct Extras {
    /// Ids (= field names) of the translated extras, in document order.
    pub(super) ids: Vec<String>,
    /// Each extra's `type`, as a 2026 `format` before any `_or_null` widening.
    pub(super) formats: HashMap<String, Value>,
}

/// One translated `cds_registration_extras` entry.
pub(super) struct Extra {
    pub(super) index: usize,
    pub(super) id: String,
    pub(super) field: Object,
    /// The entry's `type`, i.e. its `format` before any `_or_null` widening.
    pub(super) format: Option<Value>,
    pub(super) note: String,
}

pub(super) fn extra_2023(position: usize, item: &Value) -> Option<Extra> {
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
pub(super) fn extras_2023(items: &[Value]) -> (Vec<Extra>, Vec<Value>) {
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

/// Reads the `requirements` of May 2023 scope descriptions into registration fields.
pub(super) struct Requirements<'a> {
    pub(super) extras: &'a Extras,
    /// The `cds_registration_fields` built so far.
    pub(super) generated: &'a mut Object,
    /// `field_name`s this scope requires, so that they are not also listed as optional.
    pub(super) required_names: &'a mut HashSet<String>,
}

impl Requirements<'_> {
    /// Returns the requirement ids and the entries that could not be read.
    pub(super) fn read(
        &mut self,
        items: Vec<Value>,
        base: &str,
        log: &mut Log,
    ) -> (Vec<Value>, Vec<Value>) {
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
    pub(super) fn field(&mut self, mut f: Object, id: &str) -> String {
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
pub(super) fn modifiers_2023(
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
pub(super) fn modifier_field(
    id: &str,
    o: Object,
    pointer: &str,
    scope_id: &str,
    log: &mut Log,
) -> Value {
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

#[cfg(test)]
mod tests {
    use crate::cds::drafts::test_support::*;
    use crate::cds::drafts::*;
    use serde_json::json;

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
}
