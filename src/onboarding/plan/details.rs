//! The authorization-details values of a selection, checked as the server will check them
//! ([`crate::cds::authorization_details`]: CDS-WG1-02 §3.8–§3.10, CDS-WG3-01 §7).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::cds::AuthorizationServerMetadata;
use crate::cds::authorization_details;

use super::{Problem, Selection, Subject};

/// Authorization-details values per type, checked as the server will check them; selected
/// scopes whose own type has a required field and no values given are reported too.
pub(super) fn check_details(
    meta: &AuthorizationServerMetadata,
    selected: &[&str],
    sel: &Selection,
    now: Timestamp,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    let mut entries: Vec<(String, Value)> = Vec::new();
    for (t, fields) in &sel.authorization_details {
        let mut entry = Map::new();
        entry.insert("type".to_owned(), Value::String(t.clone()));
        for (k, v) in fields {
            if k == "type" {
                if v.as_str() != Some(t) {
                    problems.push(Problem {
                        subject: Subject::AuthorizationDetails {
                            scope: t.clone(),
                            field: "type".to_owned(),
                        },
                        message: format!("is {v}, but these values are listed under `{t}`"),
                    });
                }
                continue;
            }
            entry.insert(k.clone(), v.clone());
        }
        entries.push((t.clone(), Value::Object(entry)));
    }
    // A plain scope stands for its defaults (WG3-01 §7), which cannot cover a required field.
    // Only for scopes customers authorize: a client_credentials scope (Grant Admin,
    // Server-Provided Files) takes its authorization details with each token request.
    for id in selected {
        let given = sel.authorization_details.contains_key(*id);
        let needs = meta.cds_scope_descriptions.get(*id).is_some_and(|s| {
            s.needs_user_authorization()
                && s.authorization_details_fields_supported
                    .iter()
                    .any(|f| f.is_required && f.for_types.iter().any(|t| t == id))
        });
        if needs && !given {
            let mut entry = Map::new();
            entry.insert("type".to_owned(), Value::String((*id).to_owned()));
            entries.push(((*id).to_owned(), Value::Object(entry)));
        }
    }
    for (t, entry) in entries {
        let given = sel.authorization_details.contains_key(&t);
        match authorization_details::validate(meta, selected, None, &Value::Array(vec![entry]), now)
        {
            Ok(v) if given => {
                out.insert(t, v);
            }
            Ok(_) => {}
            Err(ps) => problems.extend(ps.into_iter().map(|p| Problem {
                subject: Subject::AuthorizationDetails {
                    scope: t.clone(),
                    field: if p.field == "type" {
                        String::new()
                    } else {
                        p.field
                    },
                },
                message: if given {
                    p.message
                } else {
                    format!("{} (no values were given for this scope)", p.message)
                },
            })),
        }
    }
    out
}
