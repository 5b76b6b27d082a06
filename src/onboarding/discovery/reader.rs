//! The reading side of the coverage walk (CDS-WG1-01 §4.1, §4.3): each page checked and
//! decoded as it arrives on discovery's reading thread, then dropped.
//!
//! A page is read without building its JSON tree (issue 15): its members are located in the
//! text, and each entry is decoded straight from its own text and checked on the typed entry
//! ([`conformance::check_decoded_entry`]). Only an entry that does not decode, or whose
//! optional members are `null` (which decoding cannot tell from absent), is parsed as a tree and
//! checked by the JSON rules, so every finding is the one those rules give.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::CoverageEntry;
use crate::cds::conformance::{self, Finding, LooseMembers, Report, Severity};
use crate::cds::shared::Pool;
use crate::http::HttpError;

use super::coverage::{Listing, Step, unreachable};
use super::decode::path_to_pointer;

pub(super) struct Reader {
    pub(super) listing: Listing,
    max_entries: usize,
    /// Entries taken so far (decoded or not).
    taken: usize,
    /// What the listing's entries repeat, shared among them.
    pool: Pool,
}

impl Reader {
    pub(super) fn new(listing: Listing, max_entries: usize) -> Self {
        Reader {
            listing,
            max_entries,
            taken: 0,
            pool: Pool::default(),
        }
    }

    pub(super) fn step(&mut self, step: Step) {
        match step {
            Step::Page { url, body } => {
                self.listing.coverage.pages += 1;
                let mut pool = std::mem::take(&mut self.pool);
                pool.scope(|| self.read_page(&url, &body));
                self.pool = pool;
            }
            Step::Stop(finding) => self.listing.findings.push(finding),
        }
    }

    /// Reads one page's text served from `url`.
    fn read_page(&mut self, url: &Url, body: &[u8]) {
        match serde_json::from_slice::<PageMembers>(body) {
            Ok(members) => self.read_members(url, members),
            // Not an object: the JSON rules say what it is.
            Err(_) => match serde_json::from_slice::<Value>(body) {
                Ok(page) => self.read_tree(url, &page),
                // The walk parsed it already; kept so that no input can panic here.
                Err(e) => self.listing.findings.push(unreachable(
                    url,
                    &HttpError::NotJson {
                        url: url.clone(),
                        what: format!("invalid JSON: {e}"),
                    },
                )),
            },
        }
    }

    /// Counts, checks and decodes one page served from `url`, given as its members' text.
    fn read_members(&mut self, url: &Url, members: PageMembers) {
        // The page's own members as a tree, with `coverage_entries` an empty array when it is
        // an array: its entries are read one at a time below.
        let mut shell = Map::new();
        let mut entries_text = None;
        for (key, raw) in members.0 {
            let entries = key == "coverage_entries";
            if entries && raw.get().starts_with('[') {
                entries_text = Some(raw);
                shell.insert(key.into_owned(), Value::Array(Vec::new()));
                continue;
            }
            if entries {
                entries_text = None;
            }
            let value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            shell.insert(key.into_owned(), value);
        }
        let Listing {
            coverage,
            findings,
            check,
        } = &mut self.listing;
        let mut r = Report {
            findings,
            document: Some(url.to_string()),
        };
        conformance::check_coverage_page(&mut r, &Value::Object(shell));
        let entries: Vec<&RawValue> = entries_text
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default();
        let mut decode_findings = Vec::new();
        for (i, raw) in entries.into_iter().enumerate() {
            let base = format!("/coverage_entries/{i}");
            if self.taken >= self.max_entries {
                // Past the cap: checked, not kept.
                conformance::check_coverage_entry(&mut r, &tree(raw), &base);
                continue;
            }
            self.taken += 1;
            if let Some((entry, loose)) = decode_text(raw) {
                conformance::check_decoded_entry(&mut r, &entry, loose, &base);
                check.decoded_entry(&entry);
                coverage.entries.push(entry);
                continue;
            }
            let e = tree(raw);
            conformance::check_coverage_entry(&mut r, &e, &base);
            match decode_entry(i, &e, url) {
                Ok(entry) => coverage.entries.push(entry),
                Err(f) => decode_findings.push(f),
            }
            check.entry(&e);
        }
        self.listing.findings.append(&mut decode_findings);
    }

    /// Counts, checks and decodes one page served from `url`, given as a tree.
    fn read_tree(&mut self, url: &Url, page: &Value) {
        let listing = &mut self.listing;
        let mut r = Report {
            findings: &mut listing.findings,
            document: Some(url.to_string()),
        };
        conformance::check_coverage_page(&mut r, page);
        if let Some(entries) = page.get("coverage_entries").and_then(Value::as_array) {
            let room = self.max_entries.saturating_sub(self.taken);
            for (i, e) in entries.iter().enumerate().take(room) {
                match decode_entry(i, e, url) {
                    Ok(entry) => listing.coverage.entries.push(entry),
                    Err(f) => listing.findings.push(f),
                }
                listing.check.entry(e);
                self.taken += 1;
            }
        }
    }
}

/// An entry decoded from its text, when it decodes and has no `null` optional member: what
/// the typed rules need.
fn decode_text(raw: &RawValue) -> Option<(CoverageEntry, LooseMembers)> {
    let entry = serde_json::from_str::<CoverageEntry>(raw.get()).ok()?;
    let loose = serde_json::from_str::<LooseMembers>(raw.get()).ok()?;
    (!loose.null_optional).then_some((entry, loose))
}

/// An entry's text as a tree (it was read as JSON with its page, so this cannot fail).
fn tree(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or(Value::Null)
}

/// Entry `i` of a page served from `url`, or why it cannot be read (§4.3).
fn decode_entry(i: usize, e: &Value, url: &Url) -> Result<CoverageEntry, Finding> {
    // The path-tracking decoder only when the plain one fails: it costs on every field.
    if let Ok(entry) = CoverageEntry::deserialize(e) {
        return Ok(entry);
    }
    serde_path_to_error::deserialize::<_, CoverageEntry>(e).map_err(|err| Finding {
        severity: Severity::Error,
        code: "coverage.decode".into(),
        message: format!(
            "coverage entry cannot be read: {} at {}",
            err.inner(),
            err.path()
        ),
        section: "CDS-WG1-01 §4.3".into(),
        pointer: format!(
            "/coverage_entries/{i}{}",
            path_to_pointer(&err.path().to_string())
        ),
        document: Some(url.to_string()),
    })
}

/// A page object's members as their JSON text, in order, borrowed from the page.
struct PageMembers<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for PageMembers<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = PageMembers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a coverage listing object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(PageMembers(members))
            }
        }
        d.deserialize_map(Members)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cds::conformance::ListingCheck;

    fn entry(id: &str, updated: &str) -> Value {
        json!({
            "id": id, "created": "2023-01-01T00:00:00Z", "updated": updated,
            "entity_name": "Demo Gas & Electric", "entity_abbreviation": "DG&E",
            "country": "US", "name": "Service territory", "description": "All of it",
            "type": "geographic", "role": "authoritative",
            "infrastructure_types": ["distribution_utility"],
            "commodity_types": ["electricity"], "capabilities": ["oauth"],
            "map_resource": "https://u.example/map.png", "map_content_type": "image/png",
        })
    }

    /// Every rule of WG1-01 §4.3 broken once, and shapes the typed path must hand over.
    fn variants() -> Vec<Value> {
        let base = entry("e", "2025-01-01T00:00:00Z");
        let with = |key: &str, v: Value| {
            let mut e = base.clone();
            e[key] = v;
            e
        };
        let without = |keys: &[&str]| {
            let mut e = base.clone();
            for k in keys {
                e.as_object_mut().unwrap().shift_remove(*k);
            }
            e
        };
        vec![
            base.clone(),
            with("entity_abbreviation", Value::Null),
            without(&["entity_abbreviation"]),
            with("country", json!("us")),
            with("country", json!("USA")),
            with("capabilities", json!(["oauth", "coverage"])),
            without(&["map_resource", "map_content_type"]),
            with("type", json!("logical")),
            without(&["map_content_type"]),
            with("description", Value::Null),
            with("map_resource", Value::Null),
            with("map_content_type", Value::Null),
            with("geojson_resource", Value::Null),
            with("geojson_resource", json!("not a url")),
            with(
                "x_price",
                serde_json::from_str("{\"amount\": 1.10}").unwrap(),
            ),
            with("role", json!("broker")),
            with("created", json!("yesterday")),
            with("id", json!(7)),
            without(&["name"]),
            with("infrastructure_types", json!(["a", 1])),
            json!("not an object"),
            with("description", json!(["a list"])),
        ]
    }

    /// What reading `body` as a page gives: entries, page findings, listing findings.
    fn read(body: &[u8], fast: bool, max_entries: usize) -> (String, Vec<Finding>) {
        let listing = Listing {
            check: ListingCheck::new(Some("https://u.example/c".into())),
            ..Listing::default()
        };
        let mut reader = Reader::new(listing, max_entries);
        let url = Url::parse("https://u.example/c").unwrap();
        reader.listing.coverage.pages += 1;
        if fast {
            let members = serde_json::from_slice::<PageMembers>(body).unwrap();
            reader.read_members(&url, members);
        } else {
            reader.read_tree(&url, &serde_json::from_slice(body).unwrap());
        }
        let Listing {
            coverage,
            mut findings,
            check,
        } = reader.listing;
        findings.extend(check.finish(None));
        (serde_json::to_string(&coverage).unwrap(), findings)
    }

    #[test]
    fn a_page_read_from_its_text_gives_what_its_tree_gives() {
        let mut entries = variants();
        // Order and duplicates over the listing.
        entries.push(entry("e", "2026-01-01T00:00:00Z"));
        let page = json!({
            "coverage_entries": entries,
            "next": null,
            "previous": null,
        });
        let body = serde_json::to_vec(&page).unwrap();
        for cap in [usize::MAX, 5] {
            let (fast, slow) = (read(&body, true, cap), read(&body, false, cap));
            assert_eq!(fast.0, slow.0, "entries, cap {cap}");
            assert_eq!(fast.1, slow.1, "findings, cap {cap}");
        }
        let (coverage, findings) = read(&body, true, usize::MAX);
        // The decimal of an unknown member is kept exactly.
        assert!(coverage.contains("\"amount\":1.10"), "{coverage}");
        for code in [
            "coverage.required_field",
            "coverage.field_type",
            "coverage.lists_coverage_capability",
            "coverage.geographic_without_map",
            "coverage.map_content_type_missing",
            "coverage.decode",
            "coverage.entry_not_object",
            "coverage.duplicate_id",
            "coverage.order",
        ] {
            assert!(findings.iter().any(|f| f.code == code), "no {code}");
        }
    }

    #[test]
    fn only_null_optionals_and_undecodable_entries_take_the_tree() {
        let fast: Vec<bool> = variants()
            .iter()
            .map(|e| {
                let raw = RawValue::from_string(e.to_string()).unwrap();
                decode_text(&raw).is_some()
            })
            .collect();
        let nulls = [9, 10, 11, 12];
        let undecodable = [13, 16, 17, 18, 19, 20, 21];
        for (i, fast) in fast.into_iter().enumerate() {
            let tree = nulls.contains(&i) || undecodable.contains(&i);
            assert_eq!(fast, !tree, "variant {i}");
        }
    }

    #[test]
    fn entries_of_a_listing_share_what_they_repeat() {
        let mut reader = Reader::new(Listing::default(), usize::MAX);
        let url = Url::parse("https://u.example/c").unwrap();
        for page in 0..2 {
            let e = entry(&format!("e{page}"), "2025-01-01T00:00:00Z");
            let body = json!({"coverage_entries": [e], "next": null, "previous": null});
            let body = serde_json::to_vec(&body).unwrap();
            reader.step(Step::Page {
                url: url.clone(),
                body,
            });
        }
        let [a, b] = &reader.listing.coverage.entries[..] else {
            panic!("two entries")
        };
        assert!(std::sync::Arc::ptr_eq(&a.entity_name, &b.entity_name));
        assert!(std::sync::Arc::ptr_eq(
            &a.commodity_types,
            &b.commodity_types
        ));
        assert_eq!(a.map_resource, b.map_resource);
        assert_ne!(a.id, b.id);
    }

    #[test]
    fn odd_pages_give_what_their_trees_give() {
        for body in [
            r#"{"next": null, "previous": null}"#,
            r#"{"coverage_entries": {"a": 1}, "next": 3, "previous": null}"#,
            r#"{"coverage_entries": [], "coverage_entries": [1], "next": null, "previous": null}"#,
            r#"{"coverage_entries": [1], "coverage_entries": null, "next": null, "previous": null}"#,
        ] {
            let (fast, slow) = (
                read(body.as_bytes(), true, usize::MAX),
                read(body.as_bytes(), false, usize::MAX),
            );
            assert_eq!(fast, slow, "{body}");
        }
    }
}
