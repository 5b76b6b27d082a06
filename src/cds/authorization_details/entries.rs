//! The entries of an `authorization_details` list (RFC 9396 §2): each checked against the Scope
//! Description of its type (CDS-WG1-02 §3.4, §3.8), defaults filled in (CDS-WG3-01 §7).

use serde_json::{Map, Value};

use crate::cds::{AuthorizationDetailsField, AuthorizationServerMetadata, ScopeDescription};

use super::{Context, FieldProblem, HISTORICAL_FIELDS, check_value};

/// Checks every entry and returns them with the defaults of absent non-required fields added
/// (WG3-01 §7), in the catalog's field order after the fields the client sent; or every problem
/// of every entry.
pub fn validate_entries(
    details: &[Value],
    ctx: &Context<'_>,
) -> Result<Vec<Value>, Vec<FieldProblem>> {
    let mut out = Vec::with_capacity(details.len());
    let mut problems = Vec::new();
    let mut seen_types: Vec<&str> = Vec::new();
    for (i, entry) in details.iter().enumerate() {
        let Some(typed) = typed_entry(i, entry, ctx, &seen_types, &mut problems) else {
            continue;
        };
        seen_types.push(typed.t);
        let before = problems.len();
        check_fields(i, &typed, ctx, &mut problems);
        let filled = fill_defaults(i, &typed, &mut problems);
        if problems.len() == before {
            out.push(Value::Object(filled));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// An entry of a type the context allows, with the scope and fields of that type.
struct TypedEntry<'d, 'a> {
    obj: &'d Map<String, Value>,
    t: &'d str,
    scope: &'a ScopeDescription,
    fields: Vec<&'a AuthorizationDetailsField>,
}

/// Entry `i` as an object of a type this context allows, once (RFC 9396 §2, WG1-02 §3.4); or
/// `None` with the problem recorded.
fn typed_entry<'d, 'a>(
    i: usize,
    entry: &'d Value,
    ctx: &Context<'a>,
    seen_types: &[&str],
    problems: &mut Vec<FieldProblem>,
) -> Option<TypedEntry<'d, 'a>> {
    let Some(obj) = entry.as_object() else {
        push(
            problems,
            i,
            None,
            "",
            "must be a JSON object (RFC 9396 §2)".to_owned(),
        );
        return None;
    };
    let Some(t) = obj.get("type").and_then(Value::as_str) else {
        push(
            problems,
            i,
            None,
            "type",
            "needs a string `type` (RFC 9396 §2)".to_owned(),
        );
        return None;
    };
    if let Some(types) = ctx.client_types
        && !types.iter().any(|x| x == t)
    {
        push(
            problems,
            i,
            Some(t),
            "type",
            format!("type `{t}` is not in this Client object's authorization_details_types"),
        );
        return None;
    }
    let Some((scope, fields)) = ctx.scope_for_type(t) else {
        push(
            problems,
            i,
            Some(t),
            "type",
            format!(
                "type `{t}` is not supported by any scope of this {} (WG1-02 §3.4 \
                 authorization_details_types_supported)",
                if ctx.client_types.is_some() {
                    "Client object"
                } else {
                    "selection"
                }
            ),
        );
        return None;
    };
    // Two entries of one type would leave the grant's limits ambiguous.
    if seen_types.contains(&t) {
        push(
            problems,
            i,
            Some(t),
            "type",
            format!("type `{t}` appears more than once"),
        );
        return None;
    }
    Some(TypedEntry {
        obj,
        t,
        scope,
        fields,
    })
}

/// Every field the entry sends: defined for its type (WG1-02 §3.8) and a valid value.
fn check_fields(
    i: usize,
    e: &TypedEntry<'_, '_>,
    ctx: &Context<'_>,
    problems: &mut Vec<FieldProblem>,
) {
    let t = Some(e.t);
    for (key, value) in e.obj {
        if key == "type" {
            continue;
        }
        let Some(field) = e.fields.iter().find(|f| &f.id == key) else {
            push(
                problems,
                i,
                t,
                key,
                format!(
                    "is not defined for this type in scope `{}` (WG1-02 §3.8 \
                     authorization_details_fields_supported)",
                    e.scope.id
                ),
            );
            continue;
        };
        let historical = HISTORICAL_FIELDS.contains(&key.as_str());
        if let Err(rule) = check_value(field, value, historical, &ctx.now) {
            push(problems, i, t, key, rule);
        }
    }
}

/// The entry with the defaults of its absent fields added (WG3-01 §7); an absent required
/// field is a problem.
fn fill_defaults(
    i: usize,
    e: &TypedEntry<'_, '_>,
    problems: &mut Vec<FieldProblem>,
) -> Map<String, Value> {
    let mut filled = e.obj.clone();
    for f in &e.fields {
        if e.obj.contains_key(&f.id) {
            continue;
        }
        if f.is_required {
            push(
                problems,
                i,
                Some(e.t),
                &f.id,
                "is required but missing (WG1-02 §3.8 is_required)".to_owned(),
            );
            continue;
        }
        if let Some(d) = &f.default {
            filled.insert(f.id.clone(), d.clone());
        }
    }
    filled
}

fn push(
    problems: &mut Vec<FieldProblem>,
    index: usize,
    entry_type: Option<&str>,
    field: &str,
    message: String,
) {
    let pointer = if field.is_empty() {
        format!("/{index}")
    } else {
        // RFC 6901 §3 escaping.
        format!("/{index}/{}", field.replace('~', "~0").replace('/', "~1"))
    };
    problems.push(FieldProblem {
        pointer,
        index,
        entry_type: entry_type.map(str::to_owned),
        field: field.to_owned(),
        message,
    });
}

/// WG3-01 §7 / WG1-02 §3.8 `default`: a plain `scope` value stands for an entry holding every
/// default. Adds such an entry for each requested scope that has defaulted fields and no entry
/// of its own type yet, so the grant and token response show the values in force.
pub fn add_scope_defaults(
    mut details: Vec<Value>,
    scopes: &[String],
    catalog: &AuthorizationServerMetadata,
) -> Vec<Value> {
    for id in scopes {
        let Some(sc) = catalog.cds_scope_descriptions.get(id) else {
            continue;
        };
        // The entry type of a scope is its own id (WG1-02 §3.4 note).
        if !sc
            .authorization_details_types_supported
            .iter()
            .any(|t| t == id)
        {
            continue;
        }
        let present = details
            .iter()
            .any(|d| d.get("type").and_then(Value::as_str) == Some(id.as_str()));
        if present {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("type".to_owned(), Value::String(id.clone()));
        for f in &sc.authorization_details_fields_supported {
            if f.for_types.iter().any(|t| t == id)
                && !f.is_required
                && let Some(d) = &f.default
            {
                entry.insert(f.id.clone(), d.clone());
            }
        }
        if entry.len() > 1 {
            details.push(Value::Object(entry));
        }
    }
    details
}
