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

mod dates;
mod entries;
mod readings;
mod values;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime as Zoned};
use serde::Serialize;
use serde_json::Value;

use crate::cds::{AuthorizationDetailsField, AuthorizationServerMetadata, ScopeDescription};

pub use dates::resolve_relative;
pub use entries::{add_scope_defaults, validate_entries};
pub use readings::{Reading, describe, reading};
pub use values::check_value;

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

#[cfg(test)]
mod tests;
