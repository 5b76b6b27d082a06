//! One `authorization_details` value checked against its field: format (CDS-WG1-02 §3.9,
//! CDS-WG3-01 §7), `maximum`/`minimum` (§3.8) and `choices` (§3.10), one check per format.

use jiff::ZonedDateTime as Zoned;
use serde_json::Value;

use crate::cds::formats::{RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime, decimal_from_json};
use crate::cds::{AuthorizationDetailsField, AuthorizationDetailsFieldFormat as F, Bound};

use super::dates::{check_window, date_point, datetime_point};

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
    match &f.format {
        F::Int => check_int(v, &min, &max),
        F::Decimal => check_decimal(v, &min, &max),
        F::String | F::StringOrNull => {
            let Some(s) = v.as_str() else {
                return Err(format!("must be a string (format `{}`)", f.format));
            };
            length_in(s.chars().count() as u64, &min, &max, "length")
        }
        F::StringList | F::StringListOrNull => check_string_list(f, v, &min, &max),
        F::Boolean => {
            if v.is_boolean() {
                Ok(())
            } else {
                Err(format!("must be true or false (format `boolean`), not {v}"))
            }
        }
        F::Choice | F::ChoiceOrNull => check_choice(f, v),
        F::ChoiceListOrNull => check_choice_list(f, v),
        F::JwkOrNull => check_jwk(v),
        F::RelativeOrAbsoluteDate => check_date(f, v, &min, &max, historical, now),
        F::RelativeOrAbsoluteDatetime => check_datetime(f, v, &min, &max, historical, now),
        other => Err(format!(
            "has format `{other}`, which this server cannot check, so it is refused"
        )),
    }
}

fn check_int(v: &Value, min: &Option<Bound>, max: &Option<Bound>) -> Result<(), String> {
    let Some(n) = v.as_i64() else {
        return Err(format!("must be an integer (format `int`), not {v}"));
    };
    if let Some(Bound::Int(lo)) = min
        && n < *lo
    {
        return Err(format!("is {n}, below the minimum {lo}"));
    }
    if let Some(Bound::Int(hi)) = max
        && n > *hi
    {
        return Err(format!("is {n}, above the maximum {hi}"));
    }
    Ok(())
}

fn check_decimal(v: &Value, min: &Option<Bound>, max: &Option<Bound>) -> Result<(), String> {
    // Exact digits, never through f64 (WG1-02 §3.9).
    let Some(d) = decimal_from_json(v) else {
        return Err(format!(
            "must be a decimal number (format `decimal`), not {v}"
        ));
    };
    if let Some(Bound::Decimal(lo)) = min
        && d < *lo
    {
        return Err(format!("is {d}, below the minimum {lo}"));
    }
    if let Some(Bound::Decimal(hi)) = max
        && d > *hi
    {
        return Err(format!("is {d}, above the maximum {hi}"));
    }
    Ok(())
}

/// `string_list`: the bounds are on the combined length of the strings.
fn check_string_list(
    f: &AuthorizationDetailsField,
    v: &Value,
    min: &Option<Bound>,
    max: &Option<Bound>,
) -> Result<(), String> {
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
    length_in(total, min, max, "combined length")
}

fn has_choice(f: &AuthorizationDetailsField, id: &str) -> bool {
    f.choices
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|c| c.id == id)
}

fn choice_ids(f: &AuthorizationDetailsField) -> String {
    f.choices
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|c| format!("`{}`", c.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_choice(f: &AuthorizationDetailsField, v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if has_choice(f, s) => Ok(()),
        Some(s) => Err(format!(
            "is `{s}`, which is not one of the choices {}",
            choice_ids(f)
        )),
        None => Err(format!(
            "must be a choice id string, one of {}",
            choice_ids(f)
        )),
    }
}

fn check_choice_list(f: &AuthorizationDetailsField, v: &Value) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Err(format!(
            "must be an array of choice ids, from {}",
            choice_ids(f)
        ));
    };
    for item in items {
        match item.as_str() {
            Some(s) if has_choice(f, s) => {}
            _ => {
                return Err(format!(
                    "contains {item}, which is not one of the choices {}",
                    choice_ids(f)
                ));
            }
        }
    }
    Ok(())
}

/// WG1-02 §2 "JWK Public Encryption Key": an RFC 7517 key whose `use` is `enc`.
fn check_jwk(v: &Value) -> Result<(), String> {
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

fn check_date(
    f: &AuthorizationDetailsField,
    v: &Value,
    min: &Option<Bound>,
    max: &Option<Bound>,
    historical: bool,
    now: &Zoned,
) -> Result<(), String> {
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
        point(min),
        point(max),
        historical,
        &text(&f.minimum),
        &text(&f.maximum),
    )
}

fn check_datetime(
    f: &AuthorizationDetailsField,
    v: &Value,
    min: &Option<Bound>,
    max: &Option<Bound>,
    historical: bool,
    now: &Zoned,
) -> Result<(), String> {
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
        point(min),
        point(max),
        historical,
        &text(&f.minimum),
        &text(&f.maximum),
    )
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
