//! RFC 9396 `authorization_details` checked against a scope catalog: each entry's `type` and
//! fields against the Scope Descriptions and Authorization Details Fields of CDS-WG1-02
//! §3.4, §3.8–§3.10 (formats widened by CDS-WG3-01 §7), defaults filled in (WG3-01 §7), and
//! relative dates turned absolute at grant time (WG3-01 §7.3). The server (the demo's
//! authorization endpoint) and the client (the registration plan, the authorize step) apply the
//! same rules through this module, so they cannot disagree. Pure functions: no I/O, "now" is
//! passed in.
//!
//! Date bounds (WG1-02 §3.8, WG3-01 §7.3). A relative value is counted from "now" in the
//! server's `cds_timezone`. For most fields it counts forward (`sync_until: "P1Y"` = one year
//! from now), so the allowed window is `[now + minimum, now + maximum]`. For the historical
//! fields in [`HISTORICAL_FIELDS`] it counts backward (`segment_start: "P12M"` = twelve months
//! ago), and §3.8 says `maximum` is then the furthest-back value and `minimum` the closest to
//! now, so the window is `[now - maximum, now - minimum]`. `"infinite"` is the open end of the
//! field's direction (no end date; all available history) and is allowed only when `maximum` is
//! `"infinite"` too. WG3-01 §7.3's summary paragraph lists `statement_date_end` as historical,
//! while §7.3.2/§7.3.3 say `statement_date_start` counts back and `statement_date_end` forward;
//! the per-field sections are the more specific text and are what this module follows.
//!
//! A client checks its values before it sends them (CDS-WG1-02 §3.9 counts relative dates from
//! the approval, so a client's check at planning time is an early warning with the same rules,
//! not a promise about the server's verdict minutes later).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Unit, ZonedDateTime as Zoned};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cds::formats::{
    RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime, decimal_from_json, describe_span,
};
use crate::cds::{
    AuthorizationDetailsField, AuthorizationDetailsFieldFormat as F, AuthorizationServerMetadata,
    Bound, ScopeDescription,
};

/// Fields whose relative values count back from now (WG3-01 §7.3.2, §7.3.4, §7.3.6), plus the
/// demo catalog's own `dge_history_start` ("History start date"), which reads the same way.
pub const HISTORICAL_FIELDS: &[&str] = &[
    "segment_start",
    "statement_date_start",
    "start_date",
    "dge_history_start",
];

/// One broken rule in an `authorization_details` list: where it is and what is wrong. Every
/// problem of a list is reported, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// RFC 6901 JSON Pointer into the list: `/0` for an entry, `/0/segment_start` for a field.
    pub pointer: String,
    /// Index of the entry in the list.
    pub index: usize,
    /// The entry's `type`, when it has one.
    pub entry_type: Option<String>,
    /// The field id the rule is about; empty when the problem is the entry as a whole.
    pub field: String,
    /// The rule broken, as a phrase ("is 11, above the maximum 10"), citing the spec.
    pub message: String,
}

impl std::fmt::Display for FieldProblem {
    /// `authorization_details[0] (type `t`): field `f` is 11, above the maximum 10`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "authorization_details[{}]", self.index)?;
        if let Some(t) = &self.entry_type {
            write!(f, " (type `{t}`)")?;
        }
        if self.field.is_empty() || self.field == "type" {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": field `{}` {}", self.field, self.message)
        }
    }
}

/// What `authorization_details` are checked against: the catalog, the scopes in play, the types
/// the Client object may request, and "now" in the server's time zone.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub catalog: &'a AuthorizationServerMetadata,
    /// The scopes whose types the entries may use (a Client object's, or a client's selection).
    pub scope_ids: Vec<&'a str>,
    /// A Client object's `authorization_details_types`; `None` before registration, when any
    /// type supported by `scope_ids` is allowed.
    pub client_types: Option<&'a [String]>,
    pub now: Zoned,
}

impl<'a> Context<'a> {
    pub fn new(
        catalog: &'a AuthorizationServerMetadata,
        scope_ids: Vec<&'a str>,
        client_types: Option<&'a [String]>,
        now: Timestamp,
    ) -> Self {
        Self {
            catalog,
            scope_ids,
            client_types,
            now: now.to_zoned_datetime(server_zone(catalog)),
        }
    }

    /// The Scope Description among `scope_ids` that supports `type` (WG1-02 §3.4 note: the
    /// entry's `type` is a scope `id`), and its fields for that type.
    pub fn scope_for_type(
        &self,
        t: &str,
    ) -> Option<(&'a ScopeDescription, Vec<&'a AuthorizationDetailsField>)> {
        let catalog = self.catalog;
        self.scope_ids
            .iter()
            .filter_map(|id| catalog.cds_scope_descriptions.get(*id))
            .find(|sc| {
                sc.authorization_details_types_supported
                    .iter()
                    .any(|x| x == t)
            })
            .map(|sc| {
                let fields = sc
                    .authorization_details_fields_supported
                    .iter()
                    .filter(|f| f.for_types.iter().any(|x| x == t))
                    .collect();
                (sc, fields)
            })
    }
}

/// The server's `cds_timezone` (WG1-02 §3.2); UTC if it is absent or unknown to this system.
pub fn server_zone(catalog: &AuthorizationServerMetadata) -> TimeZone {
    catalog
        .cds_timezone
        .as_deref()
        .and_then(|name| TimeZone::get(name).ok())
        .unwrap_or(TimeZone::UTC)
}

/// Checks an `authorization_details` value (RFC 9396 §2: a JSON array of objects) for the given
/// scopes and returns its entries with the defaults of absent non-required fields added, or
/// every problem found.
pub fn validate(
    meta: &AuthorizationServerMetadata,
    scope_ids: &[&str],
    client_types: Option<&[String]>,
    details: &Value,
    now: Timestamp,
) -> Result<Vec<Value>, Vec<FieldProblem>> {
    let Some(items) = details.as_array() else {
        return Err(vec![FieldProblem {
            pointer: String::new(),
            index: 0,
            entry_type: None,
            field: String::new(),
            message: "must be a JSON array of objects (RFC 9396 §2)".to_owned(),
        }]);
    };
    let ctx = Context::new(meta, scope_ids.to_vec(), client_types, now);
    validate_entries(items, &ctx)
}

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
        let Some(obj) = entry.as_object() else {
            push(
                &mut problems,
                i,
                None,
                "",
                "must be a JSON object (RFC 9396 §2)".to_owned(),
            );
            continue;
        };
        let Some(t) = obj.get("type").and_then(Value::as_str) else {
            push(
                &mut problems,
                i,
                None,
                "type",
                "needs a string `type` (RFC 9396 §2)".to_owned(),
            );
            continue;
        };
        if let Some(types) = ctx.client_types
            && !types.iter().any(|x| x == t)
        {
            push(
                &mut problems,
                i,
                Some(t),
                "type",
                format!("type `{t}` is not in this Client object's authorization_details_types"),
            );
            continue;
        }
        let Some((scope, fields)) = ctx.scope_for_type(t) else {
            push(
                &mut problems,
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
            continue;
        };
        // Two entries of one type would leave the grant's limits ambiguous.
        if seen_types.contains(&t) {
            push(
                &mut problems,
                i,
                Some(t),
                "type",
                format!("type `{t}` appears more than once"),
            );
            continue;
        }
        seen_types.push(t);
        let before = problems.len();
        for (key, value) in obj {
            if key == "type" {
                continue;
            }
            let Some(field) = fields.iter().find(|f| &f.id == key) else {
                push(
                    &mut problems,
                    i,
                    Some(t),
                    key,
                    format!(
                        "is not defined for this type in scope `{}` (WG1-02 §3.8 \
                         authorization_details_fields_supported)",
                        scope.id
                    ),
                );
                continue;
            };
            let historical = HISTORICAL_FIELDS.contains(&key.as_str());
            if let Err(rule) = check_value(field, value, historical, &ctx.now) {
                push(&mut problems, i, Some(t), key, rule);
            }
        }
        let mut filled = obj.clone();
        for f in &fields {
            if obj.contains_key(&f.id) {
                continue;
            }
            if f.is_required {
                push(
                    &mut problems,
                    i,
                    Some(t),
                    &f.id,
                    "is required but missing (WG1-02 §3.8 is_required)".to_owned(),
                );
                continue;
            }
            if let Some(d) = &f.default {
                filled.insert(f.id.clone(), d.clone());
            }
        }
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

/// WG3-01 §7.3: a granted entry carries absolute dates, never relative ones. Relative values
/// are resolved against `ctx.now` (the approval time, WG1-02 §3.9), back for historical fields.
pub fn resolve_relative(details: &mut [Value], ctx: &Context<'_>) {
    for entry in details.iter_mut() {
        let Some(t) = entry.get("type").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        let Some((_, fields)) = ctx.scope_for_type(&t) else {
            continue;
        };
        let Some(obj) = entry.as_object_mut() else {
            continue;
        };
        for f in fields {
            let Some(Value::String(text)) = obj.get(&f.id) else {
                continue;
            };
            let historical = HISTORICAL_FIELDS.contains(&f.id.as_str());
            let absolute = match f.format {
                F::RelativeOrAbsoluteDate => match text.parse::<RelativeOrAbsoluteDate>() {
                    Ok(v @ RelativeOrAbsoluteDate::Relative(_)) => {
                        match date_point(&v, ctx.now.date(), historical) {
                            Some(Point::At(d)) => Some(d.to_string()),
                            _ => None,
                        }
                    }
                    _ => None,
                },
                F::RelativeOrAbsoluteDatetime => match text.parse::<RelativeOrAbsoluteDatetime>() {
                    Ok(v @ RelativeOrAbsoluteDatetime::Relative(_)) => {
                        match datetime_point(&v, &ctx.now, historical) {
                            Some(Point::At(ts)) => {
                                Some(ts.round(Unit::Second).unwrap_or(ts).to_string())
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(a) = absolute {
                obj.insert(f.id.clone(), Value::String(a));
            }
        }
    }
}

/// One line of the consent page: the field's name and a plain reading of its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub field: String,
    pub value: String,
}

/// Plain-words readings of an entry's fields (CDS-WG3-01 §9.2: the customer sees what each
/// modifier means), in the catalog's field order.
pub fn describe(entry: &Value, ctx: &Context<'_>) -> Vec<Reading> {
    let Some(t) = entry.get("type").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Some((_, fields)) = ctx.scope_for_type(t) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|f| {
            entry.get(&f.id).map(|v| Reading {
                field: f.name.clone(),
                value: reading(f, v, &ctx.now),
            })
        })
        .collect()
}

/// A plain reading of one value of `f` ("2 years back from today (2024-11-27)", "yes", a choice's
/// name and description).
pub fn reading(f: &AuthorizationDetailsField, v: &Value, now: &Zoned) -> String {
    let historical = HISTORICAL_FIELDS.contains(&f.id.as_str());
    let choice_name = |id: &str| {
        f.choices
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|c| c.id == id)
            .map_or_else(
                || id.to_owned(),
                |c| format!("{} ({})", c.name, c.description),
            )
    };
    match (v, &f.format) {
        (Value::Null, F::JwkOrNull) => "no extra encryption key".to_owned(),
        (Value::Null, _) => "none (not limited by this setting)".to_owned(),
        (Value::Bool(b), _) => if *b { "yes" } else { "no" }.to_owned(),
        (Value::String(s), F::Choice | F::ChoiceOrNull) => choice_name(s),
        (Value::Array(items), F::ChoiceListOrNull) => items
            .iter()
            .filter_map(Value::as_str)
            .map(choice_name)
            .collect::<Vec<_>>()
            .join("; "),
        (Value::Array(items), _) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        (Value::String(s), F::RelativeOrAbsoluteDate) => {
            match s.parse::<RelativeOrAbsoluteDate>() {
                Ok(d) => date_reading(&d, now, historical),
                Err(_) => s.clone(),
            }
        }
        (Value::String(s), F::RelativeOrAbsoluteDatetime) => {
            match s.parse::<RelativeOrAbsoluteDatetime>() {
                Ok(d) => datetime_reading(&d, now, historical),
                Err(_) => s.clone(),
            }
        }
        (Value::Object(_), F::JwkOrNull) => "responses also encrypted to the app's key".to_owned(),
        (Value::String(s), _) => s.clone(),
        (other, _) => other.to_string(),
    }
}

fn date_reading(d: &RelativeOrAbsoluteDate, now: &Zoned, historical: bool) -> String {
    match d {
        RelativeOrAbsoluteDate::Infinite if historical => "all available history".to_owned(),
        RelativeOrAbsoluteDate::Infinite => "no end date".to_owned(),
        RelativeOrAbsoluteDate::Absolute(date) => date.to_string(),
        RelativeOrAbsoluteDate::Relative(span) => {
            let resolved = match date_point(d, now.date(), historical) {
                Some(Point::At(x)) => format!(" ({x})"),
                _ => String::new(),
            };
            format!("{}{resolved}", span_words(span, historical))
        }
    }
}

fn datetime_reading(d: &RelativeOrAbsoluteDatetime, now: &Zoned, historical: bool) -> String {
    match d {
        RelativeOrAbsoluteDatetime::Infinite if historical => "all available history".to_owned(),
        RelativeOrAbsoluteDatetime::Infinite => "no end date".to_owned(),
        RelativeOrAbsoluteDatetime::Absolute(ts) => ts
            .to_zoned_datetime(now.time_zone().clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        RelativeOrAbsoluteDatetime::Relative(span) => {
            let resolved = match datetime_point(d, now, historical) {
                Some(Point::At(ts)) => format!(
                    " ({})",
                    ts.to_zoned_datetime(now.time_zone().clone())
                        .strftime("%Y-%m-%d %H:%M %Z")
                ),
                _ => String::new(),
            };
            format!("{}{resolved}", span_words(span, historical))
        }
    }
}

/// "24 months back until now" for a historical span, "1 year from now" otherwise.
fn span_words(span: &jiff::Span, historical: bool) -> String {
    let words = describe_span(&span.abs());
    if words == "now" {
        "now".to_owned()
    } else if historical && !span.is_negative() {
        format!("from {words} back until now")
    } else if span.is_negative() {
        format!("{words} back")
    } else {
        format!("{words} from now")
    }
}

/// A point in time on an axis with open ends (`"infinite"`). Variant order gives the ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Point<T> {
    NegInf,
    At(T),
    PosInf,
}

fn date_point(v: &RelativeOrAbsoluteDate, today: Date, historical: bool) -> Option<Point<Date>> {
    match v {
        RelativeOrAbsoluteDate::Infinite => Some(if historical {
            Point::NegInf
        } else {
            Point::PosInf
        }),
        RelativeOrAbsoluteDate::Absolute(d) => Some(Point::At(*d)),
        RelativeOrAbsoluteDate::Relative(span) => if historical {
            today.checked_sub(*span)
        } else {
            today.checked_add(*span)
        }
        .ok()
        .map(Point::At),
    }
}

fn datetime_point(
    v: &RelativeOrAbsoluteDatetime,
    now: &Zoned,
    historical: bool,
) -> Option<Point<Timestamp>> {
    match v {
        RelativeOrAbsoluteDatetime::Infinite => Some(if historical {
            Point::NegInf
        } else {
            Point::PosInf
        }),
        RelativeOrAbsoluteDatetime::Absolute(t) => Some(Point::At(*t)),
        RelativeOrAbsoluteDatetime::Relative(span) => if historical {
            now.checked_sub(*span)
        } else {
            now.checked_add(*span)
        }
        .ok()
        .map(|z| Point::At(z.timestamp())),
    }
}

/// Checks a value against a window given by the field's bounds: `[min, max]` forward,
/// `[max, min]` for historical fields (see the module comment).
fn check_window<T: Ord + Copy + std::fmt::Display>(
    value: Point<T>,
    min: Option<Point<T>>,
    max: Option<Point<T>>,
    historical: bool,
    min_text: &str,
    max_text: &str,
) -> Result<(), String> {
    let (lower, upper) = if historical { (max, min) } else { (min, max) };
    let show = |p: Point<T>| match p {
        Point::At(x) => x.to_string(),
        Point::NegInf => "the beginning of the record".to_owned(),
        Point::PosInf => "no end".to_owned(),
    };
    if let Some(l) = lower
        && value < l
    {
        return Err(if historical {
            format!(
                "reaches further back ({}) than the maximum `{max_text}` allows ({})",
                show(value),
                show(l)
            )
        } else {
            format!(
                "is earlier ({}) than the minimum `{min_text}` allows ({})",
                show(value),
                show(l)
            )
        });
    }
    if let Some(u) = upper
        && value > u
    {
        return Err(if historical {
            format!(
                "is later ({}) than the minimum `{min_text}` allows ({})",
                show(value),
                show(u)
            )
        } else {
            format!(
                "is later ({}) than the maximum `{max_text}` allows ({})",
                show(value),
                show(u)
            )
        });
    }
    Ok(())
}

/// The field's bounds as parsed `Bound`s; a catalog bound that does not parse is ignored (the
/// conformance report flags it, and a customer should not be blocked by the server's typo).
fn bounds(f: &AuthorizationDetailsField) -> (Option<Bound>, Option<Bound>) {
    (
        f.minimum_bound().and_then(Result::ok),
        f.maximum_bound().and_then(Result::ok),
    )
}

fn text(v: &Option<Value>) -> String {
    v.as_ref().map_or_else(String::new, |v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Checks one value against its field's format (WG1-02 §3.9, WG3-01 §7), `maximum`/`minimum`
/// (§3.8) and `choices` (§3.10). The error is the rule broken, for "field `x` <rule>".
pub fn check_value(
    f: &AuthorizationDetailsField,
    v: &Value,
    historical: bool,
    now: &Zoned,
) -> Result<(), String> {
    let nullable = matches!(
        f.format,
        F::StringOrNull
            | F::StringListOrNull
            | F::ChoiceOrNull
            | F::ChoiceListOrNull
            | F::JwkOrNull
    );
    if v.is_null() {
        return if nullable {
            Ok(())
        } else {
            Err(format!("must not be null (format `{}`)", f.format))
        };
    }
    let (min, max) = bounds(f);
    let choice_ok = |id: &str| {
        f.choices
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|c| c.id == id)
    };
    let choice_ids = || {
        f.choices
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|c| format!("`{}`", c.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &f.format {
        F::Int => {
            let Some(n) = v.as_i64() else {
                return Err(format!("must be an integer (format `int`), not {v}"));
            };
            if let Some(Bound::Int(lo)) = min
                && n < lo
            {
                return Err(format!("is {n}, below the minimum {lo}"));
            }
            if let Some(Bound::Int(hi)) = max
                && n > hi
            {
                return Err(format!("is {n}, above the maximum {hi}"));
            }
            Ok(())
        }
        F::Decimal => {
            // Exact digits, never through f64 (WG1-02 §3.9).
            let Some(d) = decimal_from_json(v) else {
                return Err(format!(
                    "must be a decimal number (format `decimal`), not {v}"
                ));
            };
            if let Some(Bound::Decimal(lo)) = min
                && d < lo
            {
                return Err(format!("is {d}, below the minimum {lo}"));
            }
            if let Some(Bound::Decimal(hi)) = max
                && d > hi
            {
                return Err(format!("is {d}, above the maximum {hi}"));
            }
            Ok(())
        }
        F::String | F::StringOrNull => {
            let Some(s) = v.as_str() else {
                return Err(format!("must be a string (format `{}`)", f.format));
            };
            length_in(s.chars().count() as u64, &min, &max, "length")
        }
        F::StringList | F::StringListOrNull => {
            let Some(items) = v.as_array() else {
                return Err(format!(
                    "must be an array of strings (format `{}`)",
                    f.format
                ));
            };
            let mut total = 0u64;
            for item in items {
                let Some(s) = item.as_str() else {
                    return Err(format!(
                        "must be an array of strings (format `{}`), found {item}",
                        f.format
                    ));
                };
                total += s.chars().count() as u64;
            }
            length_in(total, &min, &max, "combined length")
        }
        F::Boolean => {
            if v.is_boolean() {
                Ok(())
            } else {
                Err(format!("must be true or false (format `boolean`), not {v}"))
            }
        }
        F::Choice | F::ChoiceOrNull => match v.as_str() {
            Some(s) if choice_ok(s) => Ok(()),
            Some(s) => Err(format!(
                "is `{s}`, which is not one of the choices {}",
                choice_ids()
            )),
            None => Err(format!(
                "must be a choice id string, one of {}",
                choice_ids()
            )),
        },
        F::ChoiceListOrNull => {
            let Some(items) = v.as_array() else {
                return Err(format!(
                    "must be an array of choice ids, from {}",
                    choice_ids()
                ));
            };
            for item in items {
                match item.as_str() {
                    Some(s) if choice_ok(s) => {}
                    _ => {
                        return Err(format!(
                            "contains {item}, which is not one of the choices {}",
                            choice_ids()
                        ));
                    }
                }
            }
            Ok(())
        }
        F::JwkOrNull => {
            // WG1-02 §2 "JWK Public Encryption Key": an RFC 7517 key whose `use` is `enc`.
            let ok = v.as_object().is_some_and(|o| {
                o.get("kty")
                    .and_then(Value::as_str)
                    .is_some_and(|k| !k.is_empty())
                    && o.get("use").and_then(Value::as_str) == Some("enc")
                    && !o.contains_key("d")
            });
            if ok {
                Ok(())
            } else {
                Err(
                    "must be null or a public JWK object with `kty` and `use: \"enc\"` \
                     (WG1-02 §2)"
                        .to_owned(),
                )
            }
        }
        F::RelativeOrAbsoluteDate => {
            let Some(s) = v.as_str() else {
                return Err("must be a relative or absolute date string".to_owned());
            };
            let value: RelativeOrAbsoluteDate = s.parse().map_err(|e| format!("{e}"))?;
            let today = now.date();
            let point = |b: &Option<Bound>| match b {
                Some(Bound::Date(d)) => date_point(d, today, historical),
                _ => None,
            };
            let Some(vp) = date_point(&value, today, historical) else {
                return Err(format!("`{s}` is out of the calendar's range"));
            };
            check_window(
                vp,
                point(&min),
                point(&max),
                historical,
                &text(&f.minimum),
                &text(&f.maximum),
            )
        }
        F::RelativeOrAbsoluteDatetime => {
            let Some(s) = v.as_str() else {
                return Err("must be a relative or absolute datetime string".to_owned());
            };
            let value: RelativeOrAbsoluteDatetime = s.parse().map_err(|e| format!("{e}"))?;
            let point = |b: &Option<Bound>| match b {
                Some(Bound::Datetime(d)) => datetime_point(d, now, historical),
                _ => None,
            };
            let Some(vp) = datetime_point(&value, now, historical) else {
                return Err(format!("`{s}` is out of the calendar's range"));
            };
            check_window(
                vp,
                point(&min),
                point(&max),
                historical,
                &text(&f.minimum),
                &text(&f.maximum),
            )
        }
        other => Err(format!(
            "has format `{other}`, which this server cannot check, so it is refused"
        )),
    }
}

fn length_in(n: u64, min: &Option<Bound>, max: &Option<Bound>, what: &str) -> Result<(), String> {
    if let Some(Bound::Length(lo)) = min
        && n < *lo
    {
        return Err(format!("has {what} {n}, below the minimum {lo}"));
    }
    if let Some(Bound::Length(hi)) = max
        && n > *hi
    {
        return Err(format!("has {what} {n}, above the maximum {hi}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(id: &str, format: &str, extra: Value) -> Value {
        let mut f = json!({
            "id": id, "name": format!("Name of {id}"), "description": "d",
            "documentation": "https://x.example/d", "for_types": ["s1"],
            "format": format, "is_required": false,
        });
        if let (Some(o), Value::Object(e)) = (f.as_object_mut(), extra) {
            o.extend(e);
        }
        f
    }

    fn catalog(fields: Vec<Value>) -> AuthorizationServerMetadata {
        serde_json::from_value(json!({
            "issuer": "https://x.example",
            "cds_timezone": "America/Los_Angeles",
            "cds_scope_descriptions": {"s1": {
                "id": "s1", "type": "cds_usage", "name": "Scope one", "description": "d",
                "documentation": "https://x.example/s1",
                "registration_requirements": [], "registration_optional": [],
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"], "coverages_supported": [],
                "grant_admin_scope": null,
                "authorization_details_types_supported": ["s1"],
                "authorization_details_fields_supported": fields,
            }}
        }))
        .unwrap()
    }

    fn sample() -> AuthorizationServerMetadata {
        catalog(vec![
            field(
                "n",
                "int",
                json!({"default": 5, "maximum": 10, "minimum": 1}),
            ),
            field(
                "dec",
                "decimal",
                json!({"default": 0.5, "maximum": 1.0, "minimum": 0.001}),
            ),
            field(
                "s",
                "string_or_null",
                json!({"default": null, "maximum": 3, "minimum": 1}),
            ),
            field(
                "l",
                "string_list",
                json!({"default": ["a"], "maximum": 4, "minimum": 1}),
            ),
            field("b", "boolean", json!({"default": true})),
            field(
                "c",
                "choice",
                json!({"default": "x", "choices": [
                {"id": "x", "name": "Ex", "description": "the x", "documentation": "https://x.example/x"},
                {"id": "y", "name": "Why", "description": "the y", "documentation": "https://x.example/y"}]}),
            ),
            field(
                "cl",
                "choice_list_or_null",
                json!({"default": null, "choices": [
                {"id": "x", "name": "Ex", "description": "the x", "documentation": "https://x.example/x"}]}),
            ),
            field(
                "segment_start",
                "relative_or_absolute_datetime",
                json!({"default": "P12M", "maximum": "P24M", "minimum": "PT0S"}),
            ),
            field(
                "sync_until",
                "relative_or_absolute_datetime",
                json!({"default": "P1Y", "maximum": "P3Y", "minimum": "PT0S"}),
            ),
            field(
                "statement_date_start",
                "relative_or_absolute_date",
                json!({"default": "P1Y", "maximum": "P3Y", "minimum": "P0D"}),
            ),
            field(
                "end",
                "relative_or_absolute_date",
                json!({"default": "infinite", "maximum": "infinite", "minimum": "P0D"}),
            ),
            field("jwk", "jwk_or_null", json!({"default": null})),
            field(
                "must",
                "string",
                json!({"is_required": true, "maximum": 10, "minimum": 1}),
            ),
        ])
    }

    fn now() -> Timestamp {
        "2026-03-15T12:00:00Z".parse().unwrap()
    }

    fn run(entry: Value) -> Result<Vec<Value>, Vec<FieldProblem>> {
        let cat = sample();
        let types = vec!["s1".to_owned()];
        let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
        validate_entries(&[entry], &ctx)
    }

    fn joined(problems: Vec<FieldProblem>) -> String {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn err(entry: Value) -> String {
        joined(run(entry).unwrap_err())
    }

    #[test]
    fn valid_entry_gets_defaults() {
        let out = run(json!({"type": "s1", "must": "ok", "n": 7})).unwrap();
        assert_eq!(out[0]["n"], 7);
        assert_eq!(out[0]["segment_start"], "P12M");
        assert_eq!(out[0]["c"], "x");
        assert_eq!(out[0]["s"], Value::Null);
    }

    #[test]
    fn type_and_field_rules() {
        assert!(err(json!({"type": "s2", "must": "a"})).contains("authorization_details_types"));
        assert!(
            err(json!({"type": "s1", "must": "a", "bogus": 1}))
                .contains("field `bogus` is not defined")
        );
        assert!(err(json!({"type": "s1"})).contains("field `must` is required but missing"));
        assert!(err(json!({"must": "a"})).contains("`type`"));
        let cat = sample();
        let types = vec!["s1".to_owned()];
        let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
        let twice = [
            json!({"type": "s1", "must": "a"}),
            json!({"type": "s1", "must": "b"}),
        ];
        assert!(joined(validate_entries(&twice, &ctx).unwrap_err()).contains("more than once"));
        // A type the client lists but none of its scopes supports.
        let ctx = Context::new(&cat, vec![], Some(&types), now());
        assert!(
            joined(validate_entries(&[json!({"type": "s1", "must": "a"})], &ctx).unwrap_err())
                .contains("not supported")
        );
    }

    #[test]
    fn numbers_strings_choices() {
        assert!(err(json!({"type": "s1", "must": "a", "n": 11})).contains("above the maximum 10"));
        assert!(err(json!({"type": "s1", "must": "a", "n": 0})).contains("below the minimum 1"));
        assert!(err(json!({"type": "s1", "must": "a", "n": 2.5})).contains("integer"));
        let v: Value =
            serde_json::from_str(r#"{"type":"s1","must":"a","dec":1.0000000000000000001}"#)
                .unwrap();
        assert!(
            err(v).contains("above the maximum 1.0"),
            "exact decimal compare"
        );
        assert!(run(json!({"type": "s1", "must": "a", "dec": 0.001})).is_ok());
        assert!(
            err(json!({"type": "s1", "must": "a", "s": "abcd"}))
                .contains("length 4, above the maximum 3")
        );
        assert!(run(json!({"type": "s1", "must": "a", "s": null})).is_ok());
        assert!(
            err(json!({"type": "s1", "must": "a", "l": ["abc", "de"]}))
                .contains("combined length 5")
        );
        assert!(err(json!({"type": "s1", "must": "a", "l": null})).contains("must not be null"));
        assert!(err(json!({"type": "s1", "must": "a", "b": "yes"})).contains("true or false"));
        assert!(
            err(json!({"type": "s1", "must": "a", "c": "z"}))
                .contains("not one of the choices `x`, `y`")
        );
        assert!(
            err(json!({"type": "s1", "must": "a", "cl": ["x", "q"]}))
                .contains("not one of the choices")
        );
        assert!(run(json!({"type": "s1", "must": "a", "cl": ["x"]})).is_ok());
        assert!(
            run(json!({"type": "s1", "must": "a", "jwk": {"kty": "EC", "use": "enc"}})).is_ok()
        );
        assert!(
            err(json!({"type": "s1", "must": "a", "jwk": {"kty": "EC", "use": "sig"}}))
                .contains("enc")
        );
    }

    #[test]
    fn historical_and_forward_dates() {
        // Historical: P24M back is the furthest allowed; P25M is beyond the maximum.
        assert!(run(json!({"type": "s1", "must": "a", "segment_start": "P24M"})).is_ok());
        let e = err(json!({"type": "s1", "must": "a", "segment_start": "P25M"}));
        assert!(e.contains("further back") && e.contains("P24M"), "{e}");
        // Absolute dates compare too: 3 years ago is further back than 24 months.
        assert!(
            err(json!({"type": "s1", "must": "a", "segment_start": "2023-01-01T00:00:00Z"}))
                .contains("further back")
        );
        assert!(
            run(json!({"type": "s1", "must": "a", "segment_start": "2025-06-01T00:00:00Z"}))
                .is_ok()
        );
        // A start in the future is later than the minimum (now).
        assert!(
            err(json!({"type": "s1", "must": "a", "segment_start": "2026-06-01T00:00:00Z"}))
                .contains("later")
        );
        // "infinite" history only when the maximum is infinite.
        assert!(
            err(json!({"type": "s1", "must": "a", "segment_start": "infinite"}))
                .contains("further back")
        );
        // Forward: sync_until up to 3 years ahead.
        assert!(run(json!({"type": "s1", "must": "a", "sync_until": "P3Y"})).is_ok());
        assert!(
            err(json!({"type": "s1", "must": "a", "sync_until": "P3YT1H"}))
                .contains("maximum `P3Y`")
        );
        assert!(
            err(json!({"type": "s1", "must": "a", "sync_until": "infinite"})).contains("later")
        );
        assert!(run(json!({"type": "s1", "must": "a", "end": "infinite"})).is_ok());
        // Dates: statement_date_start counts back, days only.
        assert!(run(json!({"type": "s1", "must": "a", "statement_date_start": "P3Y"})).is_ok());
        assert!(
            err(json!({"type": "s1", "must": "a", "statement_date_start": "P3Y1D"}))
                .contains("further back")
        );
        assert!(
            err(json!({"type": "s1", "must": "a", "statement_date_start": "P1DT1H"}))
                .contains("hours")
        );
        assert!(err(json!({"type": "s1", "must": "a", "end": "2026-03-14"})).contains("earlier"));
    }

    #[test]
    fn defaults_resolution_and_readings() {
        let cat = sample();
        let types = vec!["s1".to_owned()];
        let ctx = Context::new(&cat, vec!["s1"], Some(&types), now());
        let d = add_scope_defaults(Vec::new(), &["s1".to_owned()], &cat);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0]["type"], "s1");
        assert!(d[0].get("must").is_none());
        let mut v = validate_entries(
            &[json!({"type": "s1", "must": "a", "segment_start": "P24M"})],
            &ctx,
        )
        .unwrap();
        let readings = describe(&v[0], &ctx);
        let find = |name: &str| {
            readings
                .iter()
                .find(|r| r.field == name)
                .unwrap()
                .value
                .clone()
        };
        assert!(
            find("Name of segment_start").starts_with("from 24 months back until now (2024-03-15")
        );
        assert!(find("Name of sync_until").starts_with("1 year from now"));
        assert_eq!(find("Name of c"), "Ex (the x)");
        assert_eq!(find("Name of b"), "yes");
        resolve_relative(&mut v, &ctx);
        assert_eq!(v[0]["segment_start"], "2024-03-15T12:00:00Z");
        assert_eq!(v[0]["sync_until"], "2027-03-15T12:00:00Z");
        assert_eq!(v[0]["statement_date_start"], "2025-03-15");
        assert_eq!(v[0]["end"], "infinite");
        assert_eq!(v[0]["n"], 5);
    }

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        let cat = sample();
        let details = json!([
            {"type": "s1", "n": 11, "c": "z", "segment_start": "P25M", "bogus": 1},
            "not an object",
            {"no": "type"},
        ]);
        let problems = validate(&cat, &["s1"], None, &details, now()).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        for want in [
            "/0/n",
            "/0/c",
            "/0/segment_start",
            "/0/bogus",
            "/0/must",
            "/1",
            "/2/type",
        ] {
            assert!(pointers.contains(&want), "{want} missing from {pointers:?}");
        }
        assert_eq!(problems.len(), 7, "{problems:?}");
        let must = problems.iter().find(|p| p.field == "must").unwrap();
        assert_eq!(must.entry_type.as_deref(), Some("s1"));
        assert!(must.message.contains("required"));
    }

    #[test]
    fn a_selection_without_client_object_allows_its_scopes_types() {
        let cat = sample();
        let ok = validate(
            &cat,
            &["s1"],
            None,
            &json!([{"type": "s1", "must": "x"}]),
            now(),
        );
        assert_eq!(ok.unwrap()[0]["n"], 5, "defaults filled");
        // A type of a scope that is not selected.
        let e = validate(
            &cat,
            &[],
            None,
            &json!([{"type": "s1", "must": "x"}]),
            now(),
        );
        assert!(e.unwrap_err()[0].message.contains("selection"));
        // Not an array at all.
        let e = validate(&cat, &["s1"], None, &json!({"type": "s1"}), now()).unwrap_err();
        assert!(e[0].message.contains("array"));
    }

    #[test]
    fn relative_bounds_follow_the_server_time_zone() {
        // 2026-03-15T05:00Z is still March 14 in Los Angeles: "P0D" minimum for a forward
        // date is then 2026-03-14, so that date is allowed although UTC says the 15th.
        let cat = sample();
        let early: Timestamp = "2026-03-15T05:00:00Z".parse().unwrap();
        let ctx = Context::new(&cat, vec!["s1"], None, early);
        assert!(
            validate_entries(
                &[json!({"type": "s1", "must": "a", "end": "2026-03-14"})],
                &ctx
            )
            .is_ok()
        );
        assert!(run(json!({"type": "s1", "must": "a", "end": "2026-03-14"})).is_err());
    }
}
