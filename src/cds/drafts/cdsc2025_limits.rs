//! CDSC 2025 §3.8 field limits (`limit`, `relative_date_limit`, `absolute_date_limit`) read as
//! the CDS-WG1-02 §3.8 `maximum` / `minimum` of an authorization details field.

use serde_json::{Value, json};

use super::Object;
use super::legacy_names::LEGACY_LIMITS;
use super::log::{Log, child, fill};

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
pub(super) fn limits_2025(f: Object, base: &str, log: &mut Log) -> Object {
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
pub(super) fn limit_as_maximum(key: &str, v: &Value) -> Option<(Value, String)> {
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
pub(super) fn is_full_date(s: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::test_support::*;
    use crate::cds::drafts::*;
    use serde_json::json;

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
}
