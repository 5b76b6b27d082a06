//! What the customer granted compared with what was asked (CDS-WG1-02 §8.1 Grant against the
//! authorization request): scopes dropped or added, and authorization details (RFC 9396)
//! entries and fields that were narrowed, changed, dropped or filled with defaults.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};

/// One difference between the request and the Grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// A requested scope the Grant does not hold.
    ScopeDropped { scope: String },
    /// A scope the Grant holds that was not requested (e.g. the server's defaults).
    ScopeAdded { scope: String },
    /// A requested authorization details entry (by `type`) missing from the Grant.
    DetailsDropped { details_type: String },
    /// A field whose granted value differs from the requested one.
    FieldChanged {
        details_type: String,
        field: String,
        requested: String,
        granted: String,
    },
    /// A requested field the Grant does not carry.
    FieldDropped { details_type: String, field: String },
    /// A field the Grant carries that was not requested (a server default, WG1-02 §3.8).
    FieldDefaulted {
        details_type: String,
        field: String,
        granted: String,
    },
    /// The Grant's enabled scope is narrower than its scope (status `partial`, §8.2).
    NotYetEnabled { scope: String },
    /// A relative value the server fixed to the date it stands for at approval (WG1-02 §3.9,
    /// WG3-01 §7.3): the same limit, written absolutely.
    FieldResolved {
        details_type: String,
        field: String,
        requested: String,
        granted: String,
    },
}

impl Difference {
    /// Whether the customer (or server) gave less than asked.
    pub fn is_narrowing(&self) -> bool {
        matches!(
            self,
            Difference::ScopeDropped { .. }
                | Difference::DetailsDropped { .. }
                | Difference::FieldChanged { .. }
                | Difference::FieldDropped { .. }
                | Difference::NotYetEnabled { .. }
        )
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Difference::ScopeDropped { scope } => format!("scope {scope} was not granted"),
            Difference::ScopeAdded { scope } => {
                format!("scope {scope} was granted without being asked for")
            }
            Difference::DetailsDropped { details_type } => {
                format!("authorization details for {details_type} were not granted")
            }
            Difference::FieldChanged {
                details_type,
                field,
                requested,
                granted,
            } => {
                format!("{details_type}.{field}: asked {requested}, granted {granted}")
            }
            Difference::FieldDropped {
                details_type,
                field,
            } => {
                format!("{details_type}.{field} was asked for but is not in the grant")
            }
            Difference::FieldDefaulted {
                details_type,
                field,
                granted,
            } => {
                format!("{details_type}.{field} was not asked for; the server applied {granted}")
            }
            Difference::NotYetEnabled { scope } => {
                format!("scope {scope} is granted but not enabled yet")
            }
            Difference::FieldResolved {
                details_type,
                field,
                requested,
                granted,
            } => {
                format!("{details_type}.{field}: {requested} fixed at approval as {granted}")
            }
        }
    }
}

fn tokens(s: &str) -> BTreeSet<&str> {
    s.split_ascii_whitespace().collect()
}

fn by_type(details: &[Value]) -> Vec<(&str, &Map<String, Value>)> {
    details
        .iter()
        .filter_map(|d| {
            let o = d.as_object()?;
            Some((o.get("type")?.as_str()?, o))
        })
        .collect()
}

/// When and where the customer approved: relative values are read from that moment in the
/// server's `cds_timezone` (WG1-02 §3.9).
#[derive(Debug, Clone)]
pub struct Approval {
    pub at: jiff::Timestamp,
    pub zone: jiff::tz::TimeZone,
}

/// Whether `granted` is what the relative `requested` stands for at approval: the same day for
/// dates, within ten minutes for datetimes (approval and Grant creation differ by seconds).
/// Historical fields count back (WG3-01 §7.3).
fn resolves_to(field: &str, requested: &Value, granted: &Value, approval: &Approval) -> bool {
    use crate::cds::formats::{RelativeOrAbsoluteDate, RelativeOrAbsoluteDatetime};
    let (Some(req), Some(got)) = (requested.as_str(), granted.as_str()) else {
        return false;
    };
    let back = crate::cds::authorization_details::HISTORICAL_FIELDS.contains(&field);
    let now = approval.at.to_zoned_datetime(approval.zone.clone());
    let shift = |span: jiff::Span| {
        if back {
            now.checked_sub(span).ok()
        } else {
            now.checked_add(span).ok()
        }
    };
    if let Ok(RelativeOrAbsoluteDate::Relative(span)) = req.parse::<RelativeOrAbsoluteDate>()
        && let Ok(RelativeOrAbsoluteDate::Absolute(day)) = got.parse::<RelativeOrAbsoluteDate>()
    {
        return shift(span).is_some_and(|z| (z.date() - day).get_days().abs() <= 1);
    }
    if let Ok(RelativeOrAbsoluteDatetime::Relative(span)) =
        req.parse::<RelativeOrAbsoluteDatetime>()
        && let Ok(RelativeOrAbsoluteDatetime::Absolute(ts)) =
            got.parse::<RelativeOrAbsoluteDatetime>()
    {
        return shift(span)
            .is_some_and(|z| (z.timestamp() - ts).abs() <= jiff::SignedDuration::from_mins(10));
    }
    false
}

/// Compares what was requested with the Grant's `scope`, `enabled_scope` and
/// `authorization_details`.
pub fn compare(
    requested_scope: &str,
    requested_details: &[Value],
    granted_scope: &str,
    enabled_scope: &str,
    granted_details: &[Value],
    approval: Option<&Approval>,
) -> Vec<Difference> {
    let mut out = scope_differences(
        requested_scope,
        granted_scope,
        enabled_scope,
        granted_details,
    );
    let granted = by_type(granted_details);
    for (t, req) in by_type(requested_details) {
        let Some((_, g)) = granted.iter().find(|(gt, _)| *gt == t) else {
            out.push(Difference::DetailsDropped {
                details_type: t.to_owned(),
            });
            continue;
        };
        field_differences(t, req, g, approval, &mut out);
    }
    out
}

/// Scopes dropped, added, and granted but not yet enabled.
fn scope_differences(
    requested_scope: &str,
    granted_scope: &str,
    enabled_scope: &str,
    granted_details: &[Value],
) -> Vec<Difference> {
    let mut out = Vec::new();
    let (asked, got, enabled) = (
        tokens(requested_scope),
        tokens(granted_scope),
        tokens(enabled_scope),
    );
    // An authorization details entry of a scope's type also grants it (RFC 9396 §3 with
    // WG1-02 §3.4: the entry's `type` is the scope id).
    let granted_types: BTreeSet<&str> = by_type(granted_details)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    for s in asked.difference(&got) {
        if !granted_types.contains(s) {
            out.push(Difference::ScopeDropped {
                scope: (*s).to_owned(),
            });
        }
    }
    for s in got.difference(&asked) {
        out.push(Difference::ScopeAdded {
            scope: (*s).to_owned(),
        });
    }
    for s in got.difference(&enabled) {
        out.push(Difference::NotYetEnabled {
            scope: (*s).to_owned(),
        });
    }
    out
}

/// The fields of one entry of type `t`: dropped, resolved, changed, or filled with defaults.
fn field_differences(
    t: &str,
    req: &Map<String, Value>,
    g: &Map<String, Value>,
    approval: Option<&Approval>,
    out: &mut Vec<Difference>,
) {
    for (field, value) in req.iter().filter(|(k, _)| k.as_str() != "type") {
        match g.get(field) {
            None => out.push(Difference::FieldDropped {
                details_type: t.to_owned(),
                field: field.clone(),
            }),
            Some(gv)
                if gv != value && approval.is_some_and(|a| resolves_to(field, value, gv, a)) =>
            {
                out.push(Difference::FieldResolved {
                    details_type: t.to_owned(),
                    field: field.clone(),
                    requested: value.to_string(),
                    granted: gv.to_string(),
                })
            }
            Some(gv) if gv != value => out.push(Difference::FieldChanged {
                details_type: t.to_owned(),
                field: field.clone(),
                requested: value.to_string(),
                granted: gv.to_string(),
            }),
            Some(_) => {}
        }
    }
    for (field, gv) in g
        .iter()
        .filter(|(k, _)| k.as_str() != "type" && !req.contains_key(*k))
    {
        out.push(Difference::FieldDefaulted {
            details_type: t.to_owned(),
            field: field.clone(),
            granted: gv.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identical_grant_has_no_differences() {
        let d = vec![json!({"type": "u", "segment_start": "P12M"})];
        assert!(compare("u", &d, "u", "u", &d, None).is_empty());
    }

    #[test]
    fn narrowed_dropped_and_defaulted_are_called_out() {
        let asked = vec![
            json!({"type": "u", "segment_start": "P24M", "include_accounts": true}),
            json!({"type": "b"}),
        ];
        let got = vec![json!({"type": "u", "segment_start": "P12M", "sync_until": "P1Y"})];
        let diffs = compare("u b x", &asked, "u", "u", &got, None);
        assert!(diffs.contains(&Difference::ScopeDropped { scope: "x".into() }));
        assert!(diffs.contains(&Difference::ScopeDropped { scope: "b".into() }));
        assert!(diffs.contains(&Difference::DetailsDropped {
            details_type: "b".into()
        }));
        assert!(diffs.contains(&Difference::FieldChanged {
            details_type: "u".into(),
            field: "segment_start".into(),
            requested: "\"P24M\"".into(),
            granted: "\"P12M\"".into()
        }));
        assert!(diffs.contains(&Difference::FieldDropped {
            details_type: "u".into(),
            field: "include_accounts".into()
        }));
        assert!(diffs.iter().any(
            |d| matches!(d, Difference::FieldDefaulted { field, .. } if field == "sync_until")
        ));
        assert!(diffs.iter().filter(|d| d.is_narrowing()).count() >= 4);
    }

    #[test]
    fn relative_values_fixed_at_approval_are_not_narrowing() {
        let approval = Approval {
            at: "2026-11-27T21:10:10Z".parse().unwrap(),
            zone: jiff::tz::TimeZone::get("America/Los_Angeles").unwrap(),
        };
        let asked = vec![
            json!({"type": "u", "segment_start": "P12M", "sync_until": "P1Y", "statement_date_start": "P2Y"}),
        ];
        let got = vec![
            json!({"type": "u", "segment_start": "2025-11-27T21:10:10Z", "sync_until": "2027-11-27T21:10:10Z", "statement_date_start": "2024-11-27"}),
        ];
        let diffs = compare("u", &asked, "u", "u", &got, Some(&approval));
        assert_eq!(diffs.len(), 3, "{diffs:?}");
        assert!(
            diffs
                .iter()
                .all(|d| matches!(d, Difference::FieldResolved { .. }) && !d.is_narrowing())
        );
        // A shorter history than asked is still a narrowing.
        let got = vec![json!({"type": "u", "segment_start": "2026-05-27T21:10:10Z"})];
        let asked = vec![json!({"type": "u", "segment_start": "P12M"})];
        let diffs = compare("u", &asked, "u", "u", &got, Some(&approval));
        assert!(matches!(diffs[0], Difference::FieldChanged { .. }));
    }

    #[test]
    fn partial_grants_and_extra_scopes() {
        let diffs = compare("a", &[], "a c", "a", &[], None);
        assert_eq!(
            diffs,
            vec![
                Difference::ScopeAdded { scope: "c".into() },
                Difference::NotYetEnabled { scope: "c".into() }
            ]
        );
    }
}
