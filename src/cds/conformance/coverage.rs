//! CDS-WG1-01 §4 on the coverage listing: each page, each entry, and the whole listing against
//! the server metadata's capabilities.

use std::collections::{BTreeSet, HashSet};

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::cds::server_metadata::{CoverageEntry, CoverageType, ServerCapability};

use super::fields::{
    Kind, WG1_01_ENTRY, WG1_01_LISTING, WG1_01_META, as_object, check_fields, ptr, str_field,
    str_list,
};
use super::finding::Report;

/// WG1-01 §4.1 on one coverage listing page.
pub fn check_coverage_page(r: &mut Report, doc: &Value) {
    let Some(obj) = as_object(r, doc, "coverage.not_object", WG1_01_LISTING) else {
        return;
    };
    check_fields(
        r,
        obj,
        "",
        WG1_01_LISTING,
        "coverage",
        &[
            ("coverage_entries", Kind::Array, true),
            ("next", Kind::UrlOrNull, true),
            ("previous", Kind::UrlOrNull, true),
        ],
    );
    let Some(entries) = obj.get("coverage_entries").and_then(Value::as_array) else {
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        check_coverage_entry(r, entry, &format!("/coverage_entries/{i}"));
    }
}

/// WG1-01 §4.3 on one coverage entry (as JSON), pointed at as `base`.
pub fn check_coverage_entry(r: &mut Report, entry: &Value, base: &str) {
    let Some(obj) = entry.as_object() else {
        r.error(
            "coverage.entry_not_object",
            WG1_01_ENTRY,
            base,
            "coverage entry is not an object",
        );
        return;
    };
    check_fields(
        r,
        obj,
        base,
        WG1_01_ENTRY,
        "coverage",
        &[
            ("id", Kind::Str, true),
            ("created", Kind::DateTime, true),
            ("updated", Kind::DateTime, true),
            ("entity_name", Kind::Str, true),
            ("entity_abbreviation", Kind::StrOrNull, true),
            ("country", Kind::Country, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, false),
            ("type", Kind::Str, true),
            ("role", Kind::Str, true),
            ("infrastructure_types", Kind::StrArray, true),
            ("commodity_types", Kind::StrArray, true),
            ("capabilities", Kind::StrArray, true),
            ("map_resource", Kind::Url, false),
            ("map_content_type", Kind::Str, false),
            ("geojson_resource", Kind::Url, false),
        ],
    );
    if str_list(obj, "capabilities").contains(&"coverage") {
        r.error(
            "coverage.lists_coverage_capability",
            WG1_01_ENTRY,
            ptr(base, "capabilities"),
            "a coverage entry's `capabilities` must not include `coverage`",
        );
    }
    if str_field(obj, "type") == Some("geographic")
        && !obj.contains_key("map_resource")
        && !obj.contains_key("geojson_resource")
    {
        r.error(
            "coverage.geographic_without_map",
            WG1_01_ENTRY,
            base,
            "a `geographic` entry needs `map_resource` or `geojson_resource`",
        );
    }
    if obj.contains_key("map_resource") && !obj.contains_key("map_content_type") {
        r.error(
            "coverage.map_content_type_missing",
            WG1_01_ENTRY,
            ptr(base, "map_content_type"),
            "`map_resource` is given without `map_content_type`",
        );
    }
}

/// What decoding into [`CoverageEntry`] leaves open about an entry's JSON: decoding reads a
/// `null` optional member as an absent one and a missing `entity_abbreviation` as `null`,
/// which the rules of [`check_coverage_entry`] tell apart. Read in one pass that builds
/// nothing but this.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LooseMembers {
    /// `entity_abbreviation` is present (a string or null).
    pub abbreviation: bool,
    /// `description`, `map_resource`, `map_content_type` or `geojson_resource` is null.
    pub null_optional: bool,
}

impl<'de> Deserialize<'de> for LooseMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = LooseMembers;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a coverage entry object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseMembers, A::Error> {
                let mut m = LooseMembers::default();
                while let Some(key) = map.next_key::<LooseKey>()? {
                    let value = map.next_value::<Option<IgnoredAny>>()?;
                    match key {
                        LooseKey::Abbreviation => m.abbreviation = true,
                        LooseKey::Optional => m.null_optional |= value.is_none(),
                        LooseKey::Other => {}
                    }
                }
                Ok(m)
            }
        }
        d.deserialize_map(Members)
    }
}

/// A member name as [`LooseMembers`] reads it: matched where it lies, never copied.
enum LooseKey {
    Abbreviation,
    Optional,
    Other,
}

impl<'de> Deserialize<'de> for LooseKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Key;
        impl Visitor<'_> for Key {
            type Value = LooseKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<LooseKey, E> {
                Ok(match key {
                    "entity_abbreviation" => LooseKey::Abbreviation,
                    "description" | "map_resource" | "map_content_type" | "geojson_resource" => {
                        LooseKey::Optional
                    }
                    _ => LooseKey::Other,
                })
            }
        }
        d.deserialize_str(Key)
    }
}

/// [`check_coverage_entry`] on an entry that decoded as `e` with no `null` optional member
/// (`loose`), without its JSON tree (issue 15): decoding proved every member's presence and
/// shape but those checked here, and the findings are the same, in the same order (a test
/// compares the two on every rule).
pub fn check_decoded_entry(r: &mut Report, e: &CoverageEntry, loose: LooseMembers, base: &str) {
    debug_assert!(
        !loose.null_optional,
        "null optional members take the JSON path"
    );
    if !loose.abbreviation {
        r.error(
            "coverage.required_field",
            WG1_01_ENTRY,
            ptr(base, "entity_abbreviation"),
            "required field `entity_abbreviation` is missing",
        );
    }
    if !(e.country.len() == 2 && e.country.chars().all(|c| c.is_ascii_uppercase())) {
        r.error(
            "coverage.field_type",
            WG1_01_ENTRY,
            ptr(base, "country"),
            format!(
                "`country` must be a two-letter ISO 3166 country code, found {}",
                crate::cds::auth_server_metadata::short_json(&Value::from(&*e.country))
            ),
        );
    }
    if e.capabilities.contains(&ServerCapability::Coverage) {
        r.error(
            "coverage.lists_coverage_capability",
            WG1_01_ENTRY,
            ptr(base, "capabilities"),
            "a coverage entry's `capabilities` must not include `coverage`",
        );
    }
    if e.coverage_type == CoverageType::Geographic
        && e.map_resource.is_none()
        && e.geojson_resource.is_none()
    {
        r.error(
            "coverage.geographic_without_map",
            WG1_01_ENTRY,
            base,
            "a `geographic` entry needs `map_resource` or `geojson_resource`",
        );
    }
    if e.map_resource.is_some() && e.map_content_type.is_none() {
        r.error(
            "coverage.map_content_type_missing",
            WG1_01_ENTRY,
            ptr(base, "map_content_type"),
            "`map_resource` is given without `map_content_type`",
        );
    }
}

/// Rules over the whole listing (all pages): order by `updated`, unique ids, and the
/// metadata's `capabilities` covering the entries' capabilities (WG1-01 §3.2, §4.1).
pub fn check_coverage_listing(r: &mut Report, entries: &[Value], metadata: Option<&Value>) {
    let mut check = ListingCheck::new(r.document.clone());
    for e in entries {
        check.entry(e);
    }
    r.findings.append(&mut check.finish(metadata));
}

/// [`check_coverage_listing`] fed one entry at a time, in listing order, so that a listing of
/// any size is checked without keeping its pages (issue 15). Entry `i` of the listing is
/// pointed at as `/coverage_entries/{i}` of `document`, as the whole-listing check does.
#[derive(Debug, Default)]
pub struct ListingCheck {
    document: Option<String>,
    findings: Vec<super::Finding>,
    /// Entries seen so far, objects or not.
    index: usize,
    /// The ids seen, by a 64-bit hash: a listing of 100,000 entries would otherwise keep its
    /// ids twice (issue 15); two different ids share a hash about once in 10^9 such listings.
    seen: HashSet<u64>,
    previous: Option<jiff::Timestamp>,
    union: BTreeSet<String>,
}

/// A fixed-key hash of a coverage id (the same in every run).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl ListingCheck {
    pub fn new(document: Option<String>) -> Self {
        ListingCheck {
            document,
            ..ListingCheck::default()
        }
    }

    /// The next entry of the listing.
    pub fn entry(&mut self, entry: &Value) {
        let Some(obj) = entry.as_object() else {
            self.index += 1;
            return;
        };
        let updated = str_field(obj, "updated").and_then(|t| t.parse().ok());
        self.observe(str_field(obj, "id"), updated, str_list(obj, "capabilities"));
    }

    /// The next entry of the listing, decoded: as [`ListingCheck::entry`] on its JSON.
    pub fn decoded_entry(&mut self, e: &CoverageEntry) {
        let caps = e.capabilities.iter().map(ServerCapability::as_str);
        self.observe(Some(&e.id), Some(e.updated), caps);
    }

    fn observe<'a>(
        &mut self,
        id: Option<&str>,
        updated: Option<jiff::Timestamp>,
        capabilities: impl IntoIterator<Item = &'a str>,
    ) {
        let i = self.index;
        self.index += 1;
        let mut r = Report {
            findings: &mut self.findings,
            document: None,
        };
        if let Some(id) = id
            && !self.seen.insert(id_hash(id))
        {
            r.warning(
                "coverage.duplicate_id",
                WG1_01_ENTRY,
                format!("/coverage_entries/{i}/id"),
                format!("coverage entry id `{id}` appears more than once"),
            );
        }
        if let Some(t) = updated {
            if self.previous.is_some_and(|p| t > p) {
                r.error(
                    "coverage.order",
                    WG1_01_LISTING,
                    format!("/coverage_entries/{i}/updated"),
                    "coverage entries must be listed newest `updated` first",
                );
            }
            self.previous = Some(t);
        }
        for c in capabilities {
            if !self.union.contains(c) {
                self.union.insert(c.to_owned());
            }
        }
    }

    /// The listing's findings: those of its entries, then the metadata's `capabilities`
    /// against the union of the entries' (§3.2).
    pub fn finish(mut self, metadata: Option<&Value>) -> Vec<super::Finding> {
        let mut r = Report {
            findings: &mut self.findings,
            document: None,
        };
        if let Some(meta) = metadata.and_then(Value::as_object)
            && str_list(meta, "capabilities").contains(&"coverage")
        {
            let caps: BTreeSet<&str> = str_list(meta, "capabilities").into_iter().collect();
            let missing: Vec<&str> = self
                .union
                .iter()
                .map(String::as_str)
                .filter(|c| !caps.contains(c))
                .collect();
            if !missing.is_empty() {
                r.error(
                    "metadata.capabilities_union",
                    WG1_01_META,
                    "/capabilities",
                    format!(
                        "`capabilities` must include every capability of the coverage entries; missing: {}",
                        missing.join(", ")
                    ),
                );
            }
        }
        // Set here once rather than cloned into every finding as it is made.
        for f in &mut self.findings {
            f.document.clone_from(&self.document);
        }
        self.findings
    }
}
