//! Differences between two catalog snapshots (two utilities, or one utility at two crawls):
//! scopes added and removed, authorization details fields changed (WG1-02 §3.8: format,
//! limits, defaults, choices), registration requirements and prices changed (§3.7), coverage
//! changed (CDS-WG1-01 §4). Pure: the CLI and the wizard both use it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::model::{FieldRow, ScopeRow, UtilitySnapshot};

/// One difference, named by where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    ScopeAdded {
        scope: String,
        scope_type: String,
    },
    ScopeRemoved {
        scope: String,
        scope_type: String,
    },
    ScopeTypeChanged {
        scope: String,
        from: String,
        to: String,
    },
    FieldAdded {
        scope: String,
        field: String,
    },
    FieldRemoved {
        scope: String,
        field: String,
    },
    /// `what` is one of `format`, `required`, `default`, `minimum`, `maximum`, `choices`.
    FieldChanged {
        scope: String,
        field: String,
        what: String,
        from: String,
        to: String,
    },
    RequirementAdded {
        scope: String,
        field: String,
        optional: bool,
    },
    RequirementRemoved {
        scope: String,
        field: String,
        optional: bool,
    },
    RegistrationFieldAdded {
        field: String,
    },
    RegistrationFieldRemoved {
        field: String,
    },
    PriceChanged {
        field: String,
        from: String,
        to: String,
    },
    CoverageAdded {
        coverage: String,
    },
    CoverageRemoved {
        coverage: String,
    },
    CoverageRenamed {
        coverage: String,
        from: String,
        to: String,
    },
    Changed {
        what: String,
        from: String,
        to: String,
    },
}

impl Change {
    /// The scope or field the change is about, for grouping and tests.
    pub fn subject(&self) -> String {
        match self {
            Change::ScopeAdded { scope, .. }
            | Change::ScopeRemoved { scope, .. }
            | Change::ScopeTypeChanged { scope, .. } => scope.clone(),
            Change::FieldAdded { scope, field }
            | Change::FieldRemoved { scope, field }
            | Change::FieldChanged { scope, field, .. }
            | Change::RequirementAdded { scope, field, .. }
            | Change::RequirementRemoved { scope, field, .. } => format!("{scope}/{field}"),
            Change::RegistrationFieldAdded { field }
            | Change::RegistrationFieldRemoved { field }
            | Change::PriceChanged { field, .. } => field.clone(),
            Change::CoverageAdded { coverage }
            | Change::CoverageRemoved { coverage }
            | Change::CoverageRenamed { coverage, .. } => coverage.clone(),
            Change::Changed { what, .. } => what.clone(),
        }
    }
}

fn opt_text(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "—".into())
}

fn price(amount: &Option<String>, currency: &Option<String>) -> String {
    match (amount, currency) {
        (Some(a), Some(c)) => format!("{a} {c}"),
        (Some(a), None) => a.clone(),
        _ => "free".into(),
    }
}

/// Everything that differs from `a` to `b`, in a stable order.
pub fn diff(a: &UtilitySnapshot, b: &UtilitySnapshot) -> Vec<Change> {
    let mut out = Vec::new();
    for (what, x, y) in [("name", &a.name, &b.name), ("draft", &a.draft, &b.draft)] {
        if x != y {
            out.push(Change::Changed {
                what: what.into(),
                from: x.clone(),
                to: y.clone(),
            });
        }
    }
    if a.time_zone != b.time_zone {
        out.push(Change::Changed {
            what: "time_zone".into(),
            from: a.time_zone.clone().unwrap_or_default(),
            to: b.time_zone.clone().unwrap_or_default(),
        });
    }
    diff_scopes(a, b, &mut out);
    diff_registration(a, b, &mut out);
    diff_coverage(a, b, &mut out);
    out
}

fn by_id<T>(items: &[T], id: impl Fn(&T) -> &str) -> BTreeMap<String, &T> {
    items.iter().map(|i| (id(i).to_owned(), i)).collect()
}

fn diff_scopes(a: &UtilitySnapshot, b: &UtilitySnapshot, out: &mut Vec<Change>) {
    let (sa, sb) = (by_id(&a.scopes, |s| &s.id), by_id(&b.scopes, |s| &s.id));
    for (id, s) in &sa {
        if !sb.contains_key(id) {
            out.push(Change::ScopeRemoved {
                scope: id.clone(),
                scope_type: s.scope_type.clone(),
            });
        }
    }
    for (id, s) in &sb {
        match sa.get(id) {
            None => out.push(Change::ScopeAdded {
                scope: id.clone(),
                scope_type: s.scope_type.clone(),
            }),
            Some(old) => diff_scope(old, s, out),
        }
    }
}

fn diff_scope(a: &ScopeRow, b: &ScopeRow, out: &mut Vec<Change>) {
    let scope = &a.id;
    if a.scope_type != b.scope_type {
        out.push(Change::ScopeTypeChanged {
            scope: scope.clone(),
            from: a.scope_type.clone(),
            to: b.scope_type.clone(),
        });
    }
    for (optional, la, lb) in [
        (false, &a.requirements, &b.requirements),
        (true, &a.optional, &b.optional),
    ] {
        for f in la.iter().filter(|f| !lb.contains(f)) {
            out.push(Change::RequirementRemoved {
                scope: scope.clone(),
                field: f.clone(),
                optional,
            });
        }
        for f in lb.iter().filter(|f| !la.contains(f)) {
            out.push(Change::RequirementAdded {
                scope: scope.clone(),
                field: f.clone(),
                optional,
            });
        }
    }
    let (fa, fb) = (by_id(&a.fields, |f| &f.id), by_id(&b.fields, |f| &f.id));
    for id in fa.keys().filter(|id| !fb.contains_key(*id)) {
        out.push(Change::FieldRemoved {
            scope: scope.clone(),
            field: id.clone(),
        });
    }
    for (id, f) in &fb {
        match fa.get(id) {
            None => out.push(Change::FieldAdded {
                scope: scope.clone(),
                field: id.clone(),
            }),
            Some(old) => diff_field(scope, old, f, out),
        }
    }
}

fn diff_field(scope: &str, a: &FieldRow, b: &FieldRow, out: &mut Vec<Change>) {
    let mut changed = |what: &str, from: String, to: String| {
        if from != to {
            out.push(Change::FieldChanged {
                scope: scope.to_owned(),
                field: a.id.clone(),
                what: what.into(),
                from,
                to,
            });
        }
    };
    changed("format", a.format.clone(), b.format.clone());
    changed("required", a.required.to_string(), b.required.to_string());
    changed("default", opt_text(&a.default), opt_text(&b.default));
    changed("minimum", opt_text(&a.minimum), opt_text(&b.minimum));
    changed("maximum", opt_text(&a.maximum), opt_text(&b.maximum));
    changed("choices", a.choices.join(", "), b.choices.join(", "));
}

fn diff_registration(a: &UtilitySnapshot, b: &UtilitySnapshot, out: &mut Vec<Change>) {
    let (ra, rb) = (
        by_id(&a.registration_fields, |f| &f.id),
        by_id(&b.registration_fields, |f| &f.id),
    );
    for id in ra.keys().filter(|id| !rb.contains_key(*id)) {
        out.push(Change::RegistrationFieldRemoved { field: id.clone() });
    }
    for (id, f) in &rb {
        match ra.get(id) {
            None => out.push(Change::RegistrationFieldAdded { field: id.clone() }),
            Some(old) => {
                let (from, to) = (
                    price(&old.amount, &old.currency),
                    price(&f.amount, &f.currency),
                );
                if from != to {
                    out.push(Change::PriceChanged {
                        field: id.clone(),
                        from,
                        to,
                    });
                }
            }
        }
    }
}

fn diff_coverage(a: &UtilitySnapshot, b: &UtilitySnapshot, out: &mut Vec<Change>) {
    let (ca, cb) = (by_id(&a.coverage, |c| &c.id), by_id(&b.coverage, |c| &c.id));
    for id in ca.keys().filter(|id| !cb.contains_key(*id)) {
        out.push(Change::CoverageRemoved {
            coverage: id.clone(),
        });
    }
    for (id, c) in &cb {
        match ca.get(id) {
            None => out.push(Change::CoverageAdded {
                coverage: id.clone(),
            }),
            Some(old) if old.name != c.name => out.push(Change::CoverageRenamed {
                coverage: id.clone(),
                from: old.name.clone(),
                to: c.name.clone(),
            }),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{CoverageRow, RegistrationFieldRow};
    use super::*;
    use serde_json::json;

    fn field(id: &str, max: &str) -> FieldRow {
        FieldRow {
            id: id.into(),
            name: id.into(),
            format: "relative_or_absolute_datetime".into(),
            required: false,
            default: None,
            minimum: Some(json!("PT0S")),
            maximum: Some(json!(max)),
            maximum_months: None,
            maximum_infinite: false,
            choices: vec![],
        }
    }

    fn scope(id: &str, fields: Vec<FieldRow>) -> ScopeRow {
        ScopeRow {
            id: id.into(),
            scope_type: "cds_usage".into(),
            name: id.into(),
            description: String::new(),
            grant_types: vec![],
            auth_methods: vec![],
            coverages: vec![],
            requirements: vec!["company_name".into()],
            optional: vec![],
            fields,
        }
    }

    #[test]
    fn finds_each_kind_of_change() {
        let a = UtilitySnapshot {
            name: "A".into(),
            scopes: vec![
                scope("usage", vec![field("segment_start", "P24M")]),
                scope("old", vec![]),
            ],
            registration_fields: vec![RegistrationFieldRow {
                id: "fee".into(),
                field_type: "registration_payment".into(),
                format: None,
                description: String::new(),
                amount: Some("100.00".into()),
                currency: Some("USD".into()),
            }],
            coverage: vec![CoverageRow {
                id: "c1".into(),
                name: "West".into(),
                entity_name: "E".into(),
                country: "US".into(),
                coverage_type: "service_territory".into(),
                commodity_types: vec![],
            }],
            ..UtilitySnapshot::default()
        };
        let mut b = a.clone();
        b.scopes = vec![
            scope("usage", vec![field("segment_start", "P36M")]),
            scope("new", vec![]),
        ];
        b.registration_fields[0].amount = Some("150.00".into());
        b.coverage.clear();
        let d = diff(&a, &b);
        assert_eq!(
            d,
            vec![
                Change::ScopeRemoved {
                    scope: "old".into(),
                    scope_type: "cds_usage".into()
                },
                Change::ScopeAdded {
                    scope: "new".into(),
                    scope_type: "cds_usage".into()
                },
                Change::FieldChanged {
                    scope: "usage".into(),
                    field: "segment_start".into(),
                    what: "maximum".into(),
                    from: "\"P24M\"".into(),
                    to: "\"P36M\"".into()
                },
                Change::PriceChanged {
                    field: "fee".into(),
                    from: "100.00 USD".into(),
                    to: "150.00 USD".into()
                },
                Change::CoverageRemoved {
                    coverage: "c1".into()
                },
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }
}
