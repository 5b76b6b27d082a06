//! Value formats of WG1-02 §2 and §3.9: exact decimals, relative-or-absolute dates and datetimes.
//!
//! `decimal` values stay exact (`rust_decimal`), relative dates are ISO 8601 / RFC 3339
//! Appendix A durations (`jiff::Span`), absolute ones RFC 3339 dates and datetimes.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use rust_decimal::Decimal;

/// The literal WG1-02 §2 uses for an unlimited bound or duration.
pub const INFINITE: &str = "infinite";

/// Why a string is not a valid relative or absolute date/datetime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateFormatError {
    #[error(
        "`{0}` is neither `infinite`, an RFC 3339 {1}, nor an ISO 8601 duration such as `P1Y` or `-P2Y`"
    )]
    Unparseable(String, &'static str),
    #[error("`{0}` is a relative date but uses hours, minutes or seconds (WG1-02 §2 forbids them)")]
    TimeInRelativeDate(String),
}

/// A WG1-02 §2 "relative or absolute date": `infinite`, a `full-date`, or a day-granular duration.
#[derive(Debug, Clone)]
pub enum RelativeOrAbsoluteDate {
    Infinite,
    Relative(Span),
    Absolute(Date),
}

/// A WG1-02 §2 "relative or absolute datetime": `infinite`, a `date-time`, or a duration.
#[derive(Debug, Clone)]
pub enum RelativeOrAbsoluteDatetime {
    Infinite,
    Relative(Span),
    Absolute(Timestamp),
}

// Spans compare field by field (`P1Y` is not `P12M`): two bounds are equal when written alike.
impl PartialEq for RelativeOrAbsoluteDate {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Infinite, Self::Infinite) => true,
            (Self::Relative(a), Self::Relative(b)) => a.fieldwise() == b.fieldwise(),
            (Self::Absolute(a), Self::Absolute(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq for RelativeOrAbsoluteDatetime {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Infinite, Self::Infinite) => true,
            (Self::Relative(a), Self::Relative(b)) => a.fieldwise() == b.fieldwise(),
            (Self::Absolute(a), Self::Absolute(b)) => a == b,
            _ => false,
        }
    }
}

fn parse_duration(s: &str) -> Option<Span> {
    // Only the ISO 8601 form (optionally signed): jiff's FromStr would also take its friendly
    // format ("2 years"), which the spec does not allow.
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !body.starts_with(['P', 'p']) {
        return None;
    }
    jiff::fmt::temporal::SpanParser::new().parse_span(s).ok()
}

fn span_has_time(span: &Span) -> bool {
    span.get_hours() != 0
        || span.get_minutes() != 0
        || span.get_seconds() != 0
        || span.get_milliseconds() != 0
        || span.get_microseconds() != 0
        || span.get_nanoseconds() != 0
}

/// Whether the duration text names a time unit at all (`PT0H` counts, even if zero).
fn text_has_time_part(s: &str) -> bool {
    s.contains(['T', 't'])
}

impl FromStr for RelativeOrAbsoluteDate {
    type Err = DateFormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == INFINITE {
            return Ok(Self::Infinite);
        }
        if let Some(span) = parse_duration(s) {
            if span_has_time(&span) || text_has_time_part(s) {
                return Err(DateFormatError::TimeInRelativeDate(s.to_owned()));
            }
            return Ok(Self::Relative(span));
        }
        // RFC 3339 full-date is exactly YYYY-MM-DD.
        if s.len() == 10
            && let Ok(d) = s.parse::<Date>()
        {
            return Ok(Self::Absolute(d));
        }
        Err(DateFormatError::Unparseable(s.to_owned(), "full-date"))
    }
}

impl FromStr for RelativeOrAbsoluteDatetime {
    type Err = DateFormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == INFINITE {
            return Ok(Self::Infinite);
        }
        if let Some(span) = parse_duration(s) {
            return Ok(Self::Relative(span));
        }
        // RFC 3339 date-time requires an offset; jiff's Timestamp parser requires one too.
        if s.len() >= 20
            && let Ok(t) = s.parse::<Timestamp>()
        {
            return Ok(Self::Absolute(t));
        }
        Err(DateFormatError::Unparseable(s.to_owned(), "date-time"))
    }
}

impl RelativeOrAbsoluteDate {
    /// The calendar date this value stands for, relative values counted from `today`
    /// (today in the server's `cds_timezone`, WG1-02 §3.9). `None` for `infinite`.
    pub fn resolve(&self, today: Date) -> Option<Date> {
        match self {
            Self::Infinite => None,
            Self::Absolute(d) => Some(*d),
            Self::Relative(span) => today.checked_add(*span).ok(),
        }
    }

    /// A short human reading, e.g. "2 years back", "now", "2024-01-01", "no limit".
    pub fn describe(&self) -> String {
        match self {
            Self::Infinite => "no limit".to_owned(),
            Self::Absolute(d) => d.to_string(),
            Self::Relative(span) => describe_span(span),
        }
    }
}

impl RelativeOrAbsoluteDatetime {
    /// The instant this value stands for, relative values counted from `now` in `tz`.
    pub fn resolve(&self, now: &jiff::ZonedDateTime) -> Option<Timestamp> {
        match self {
            Self::Infinite => None,
            Self::Absolute(t) => Some(*t),
            Self::Relative(span) => now.checked_add(*span).ok().map(|z| z.timestamp()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Infinite => "no limit".to_owned(),
            Self::Absolute(t) => t.to_string(),
            Self::Relative(span) => describe_span(span),
        }
    }
}

/// "2 years back" (negative), "1 year 6 months", "now".
pub fn describe_span(span: &Span) -> String {
    let parts: Vec<String> = [
        (span.get_years() as i64, "year"),
        (span.get_months() as i64, "month"),
        (span.get_weeks() as i64, "week"),
        (span.get_days() as i64, "day"),
        (span.get_hours() as i64, "hour"),
        (span.get_minutes(), "minute"),
        (span.get_seconds(), "second"),
    ]
    .into_iter()
    .filter(|(n, _)| *n != 0)
    .map(|(n, unit)| {
        let n = n.unsigned_abs();
        format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
    })
    .collect();
    if parts.is_empty() {
        return "now".to_owned();
    }
    // A positive duration's direction depends on the field (WG1-02 §3.8: a historical field's
    // bounds count back), so only an explicit minus sign is read as "back".
    if span.is_negative() {
        format!("{} back", parts.join(" "))
    } else {
        parts.join(" ")
    }
}

fn span_to_string(span: &Span) -> String {
    // jiff prints ISO 8601 (`P2Y`, `-P2Y`) for Display.
    span.to_string()
}

impl fmt::Display for RelativeOrAbsoluteDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Infinite => f.write_str(INFINITE),
            Self::Relative(s) => f.write_str(&span_to_string(s)),
            Self::Absolute(d) => write!(f, "{d}"),
        }
    }
}

impl fmt::Display for RelativeOrAbsoluteDatetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Infinite => f.write_str(INFINITE),
            Self::Relative(s) => f.write_str(&span_to_string(s)),
            Self::Absolute(t) => write!(f, "{t}"),
        }
    }
}

macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(RelativeOrAbsoluteDate);
string_serde!(RelativeOrAbsoluteDatetime);

/// Reads a JSON number as an exact decimal (the JSON text's digits, never through f64).
pub fn decimal_from_json(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::Number(n) => {
            let text = n.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn relative_dates_parse_and_resolve() {
        let v: RelativeOrAbsoluteDate = "-P2Y".parse().unwrap();
        assert_eq!(v.resolve(date(2026, 11, 27)), Some(date(2024, 11, 27)));
        assert_eq!(v.describe(), "2 years back");
        let v: RelativeOrAbsoluteDate = "P0D".parse().unwrap();
        assert_eq!(v.resolve(date(2026, 11, 27)), Some(date(2026, 11, 27)));
        assert_eq!(v.describe(), "now");
        let v: RelativeOrAbsoluteDate = "P1Y6M".parse().unwrap();
        assert_eq!(v.describe(), "1 year 6 months");
        assert_eq!(v.to_string(), "P1Y6M");
    }

    #[test]
    fn absolute_and_infinite_dates() {
        let v: RelativeOrAbsoluteDate = "2024-01-01".parse().unwrap();
        assert_eq!(v, RelativeOrAbsoluteDate::Absolute(date(2024, 1, 1)));
        assert_eq!(v.to_string(), "2024-01-01");
        let v: RelativeOrAbsoluteDate = "infinite".parse().unwrap();
        assert_eq!(v.resolve(date(2026, 1, 1)), None);
    }

    #[test]
    fn relative_dates_reject_time_units_and_garbage() {
        assert!(matches!(
            "P1DT2H".parse::<RelativeOrAbsoluteDate>(),
            Err(DateFormatError::TimeInRelativeDate(_))
        ));
        assert!(matches!(
            "PT0S".parse::<RelativeOrAbsoluteDate>(),
            Err(DateFormatError::TimeInRelativeDate(_))
        ));
        for bad in [
            "2 years",
            "",
            "2024-1-1",
            "2024-01-01T00:00:00Z",
            "P",
            "yesterday",
        ] {
            assert!(bad.parse::<RelativeOrAbsoluteDate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn datetimes() {
        let v: RelativeOrAbsoluteDatetime = "P30DT2H".parse().unwrap();
        assert_eq!(v.describe(), "30 days 2 hours");
        let v: RelativeOrAbsoluteDatetime = "2024-01-01T00:00:00Z".parse().unwrap();
        assert!(matches!(v, RelativeOrAbsoluteDatetime::Absolute(_)));
        assert!("2024-01-01".parse::<RelativeOrAbsoluteDatetime>().is_err());
        assert!(
            "2024-01-01T00:00:00"
                .parse::<RelativeOrAbsoluteDatetime>()
                .is_err()
        );
    }

    #[test]
    fn decimals_stay_exact() {
        let v: serde_json::Value = serde_json::from_str("0.1000000000000000055511151").unwrap();
        assert_eq!(
            decimal_from_json(&v).unwrap().to_string(),
            "0.1000000000000000055511151"
        );
        let v: serde_json::Value = serde_json::from_str("250.00").unwrap();
        assert_eq!(decimal_from_json(&v).unwrap().to_string(), "250.00");
        assert_eq!(decimal_from_json(&serde_json::json!("1")), None);
    }
}
