//! CDS-WG1-02 §3.8–3.10 on one authorization details field: `for_types`, format, bounds,
//! default and choices.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::fields::{Kind, WG1_02_ADF, check_fields, str_field, str_list};
use super::finding::{Report, Severity};
use crate::cds::auth_server_metadata::{AuthorizationDetailsFieldFormat, Bound};

/// §3.8 on one authorization details field.
pub(super) fn check_authorization_details_field(
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
    check_for_types(r, o, base, id, types, scope_type);
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
    check_bounds(r, o, base, id, &format);
    if format.takes_choices() {
        check_choices(r, o, base, id, &format);
    }
}

/// `for_types` is not empty and a subset of the scope's authorization details types.
fn check_for_types(
    r: &mut Report,
    o: &Map<String, Value>,
    base: &str,
    id: &str,
    types: &BTreeSet<&str>,
    scope_type: Option<&str>,
) {
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
}

/// A choice format lists its choices (§3.10), and its default is one of them.
fn check_choices(
    r: &mut Report,
    o: &Map<String, Value>,
    base: &str,
    id: &str,
    format: &AuthorizationDetailsFieldFormat,
) {
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

/// `maximum` and `minimum`: present where the format needs them, and of the format's type.
fn check_bounds(
    r: &mut Report,
    o: &Map<String, Value>,
    base: &str,
    id: &str,
    format: &AuthorizationDetailsFieldFormat,
) {
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
                match Bound::parse(format, v) {
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
}
