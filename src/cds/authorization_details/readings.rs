//! Plain-words readings of `authorization_details` values for the consent page (CDS-WG3-01
//! §9.2: the customer sees what each modifier means).

use jiff::ZonedDateTime as Zoned;
use serde_json::Value;

use crate::cds::formats::{RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime, describe_span};
use crate::cds::{AuthorizationDetailsField, AuthorizationDetailsFieldFormat as F};

use super::dates::{Point, date_point, datetime_point};
use super::{Context, HISTORICAL_FIELDS};

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
