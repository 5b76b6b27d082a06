//! Relative and absolute dates on an axis with open ends (CDS-WG3-01 §7.3, CDS-WG1-02 §3.8
//! bounds): the window a value must fall in, and relative values made absolute at grant time.

use jiff::civil::Date;
use jiff::{Timestamp, Unit, ZonedDateTime as Zoned};
use serde_json::Value;

use crate::cds::AuthorizationDetailsFieldFormat as F;
use crate::cds::formats::{RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime};

use super::{Context, HISTORICAL_FIELDS};

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

/// A point in time on an axis with open ends (`"infinite"`). Variant order gives the ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Point<T> {
    NegInf,
    At(T),
    PosInf,
}

pub(super) fn date_point(
    v: &RelativeOrAbsoluteDate,
    today: Date,
    historical: bool,
) -> Option<Point<Date>> {
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

pub(super) fn datetime_point(
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
pub(super) fn check_window<T: Ord + Copy + std::fmt::Display>(
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
