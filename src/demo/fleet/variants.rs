//! The fleet's utilities, generated deterministically from a seed: each a variant of the demo
//! utility's documents (CDS-WG1-01 §3–§4, CDS-WG1-02 §3) with its own name, time zone, scopes,
//! field limits, prices, coverage size and draft, and at later epochs a planted change.

use serde_json::{Value, json};

use super::super::documents::Documents;
use super::super::scale::{self, Scale};
use crate::cds::drafts::render;

/// A utility's behaviour and draft, fixed by its index so every fleet has a known mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    Normal,
    /// Every response delayed by the fleet's `slow` latency.
    Slow,
    /// The server metadata answers 503: the utility cannot be discovered.
    Failing,
    /// Serves an invalid `cds_timezone` (a conformance error, WG1-02 §3.2).
    NonConformant,
}

/// Which draft a utility's documents follow (see `cds::drafts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FleetDraft {
    Cds2026,
    Cdsc2025,
    Cdsc2023,
}

/// Index `i`'s behaviour: one in ten of each kind (i % 10 = 3 failing, 5 non-conformant, 7 slow).
pub fn behaviour(i: usize) -> Behaviour {
    match i % 10 {
        3 => Behaviour::Failing,
        5 => Behaviour::NonConformant,
        7 => Behaviour::Slow,
        _ => Behaviour::Normal,
    }
}

/// Index `i`'s draft: one in five 2025 (i % 5 = 1), one in five 2023 (i % 5 = 4), else 2026.
pub fn draft(i: usize) -> FleetDraft {
    match i % 5 {
        1 => FleetDraft::Cdsc2025,
        4 => FleetDraft::Cdsc2023,
        _ => FleetDraft::Cds2026,
    }
}

/// The path segment of utility `i`.
pub fn slug(i: usize) -> String {
    format!("u{i:04}")
}

/// A small deterministic generator (SplitMix64): the fleet must not change when `rand` does.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, index: usize, salt: u64) -> Self {
        Rng(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.rotate_left(32))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TOWNS: &[&str] = &[
    "Riverside",
    "Cedar Falls",
    "Harbor",
    "Pine Valley",
    "Lakeshore",
    "Granite",
    "Sunnyvale",
    "Bayview",
    "Mesa",
    "Northfield",
    "Prairie",
    "Summit",
    "Coastal",
    "Redwood",
    "Ironwood",
];
const KINDS: &[&str] = &[
    "Power & Light",
    "Electric Cooperative",
    "Gas & Electric",
    "Energy",
    "Public Utility District",
    "Municipal Utilities",
];
const ZONES: &[&str] = &[
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Phoenix",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "Europe/Berlin",
    "Australia/Sydney",
];
/// The demo's customer-data and custom scopes, each kept or dropped per utility.
const OPTIONAL_SCOPES: &[&str] = &[
    "dge_usage_gas",
    "dge_rate_plan",
    "dge_bill_statements",
    "dge_public_outages",
];
const SEGMENT_REACH: &[&str] = &["P6M", "P12M", "P24M", "P36M", "P5Y"];
const FEES: &[&str] = &["50.00", "100.00", "250.00", "500.00", "1200.00"];
const CURRENCIES: &[&str] = &["USD", "USD", "USD", "CAD", "EUR"];

/// One planted change between two epochs, named as `catalog diff` names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlantedChange {
    pub utility: usize,
    pub epoch: u32,
    /// `price_changed`, `field_changed`, `scope_added` or `coverage_added`.
    pub change: &'static str,
    pub subject: String,
}

/// The change planted in utility `i` at `epoch` (≥ 2), if any: one utility in four changes at
/// each epoch; failing utilities never do (nothing could see it).
pub fn planted(seed: u64, i: usize, epoch: u32) -> Option<PlantedChange> {
    if epoch < 2 || behaviour(i) == Behaviour::Failing {
        return None;
    }
    let mut rng = Rng::new(seed, i, 0xE0C4 + u64::from(epoch));
    if rng.below(4) != 0 {
        return None;
    }
    let (change, subject) = match rng.below(4) {
        0 => ("price_changed", "bill_access_setup_fee".to_owned()),
        1 => (
            "field_changed",
            "dge_usage_electric/segment_start".to_owned(),
        ),
        2 => ("scope_added", format!("fleet_plan_e{epoch}")),
        _ => ("coverage_added", format!("fleet_area_e{epoch}")),
    };
    Some(PlantedChange {
        utility: i,
        epoch,
        change,
        subject,
    })
}

/// Every change planted in utility `i` after `from` up to `to`.
pub fn planted_between(seed: u64, i: usize, from: u32, to: u32) -> Vec<PlantedChange> {
    (from + 1..=to)
        .filter_map(|e| planted(seed, i, e))
        .collect()
}

/// Utility `i`'s documents at `epoch`, for `base` (its own base URL).
pub fn documents(seed: u64, i: usize, epoch: u32, base: &str) -> Option<Documents> {
    let mut d = Documents::render(base).ok()?;
    let mut rng = Rng::new(seed, i, 1);
    let name = format!("{} {}", rng.pick(TOWNS), rng.pick(KINDS));
    let extra_coverage = rng.below(3) * rng.below(40);
    if extra_coverage > 0 {
        scale::apply(
            &mut d,
            base,
            Scale {
                scopes: 0,
                coverage: extra_coverage,
            },
        );
    }
    set(&mut d.server_metadata, "name", json!(name));
    let meta = &mut d.oauth_metadata;
    let zone = if behaviour(i) == Behaviour::NonConformant {
        "Mars/Olympus_Mons"
    } else {
        rng.pick(ZONES)
    };
    set(meta, "cds_timezone", json!(zone));
    for scope in OPTIONAL_SCOPES {
        if rng.below(10) < 3 {
            remove_scope(meta, scope);
        }
    }
    let reach = *rng.pick(SEGMENT_REACH);
    set_field_maximum(meta, "dge_usage_electric", "segment_start", json!(reach));
    let max_meters = 50 * (1 + rng.below(20));
    set_field_maximum(
        meta,
        "dge_usage_electric",
        "dge_max_meters",
        json!(max_meters),
    );
    let fee = *rng.pick(FEES);
    let currency = *rng.pick(CURRENCIES);
    if let Some(f) = meta.pointer_mut("/cds_registration_fields/bill_access_setup_fee") {
        set(f, "amount", fee.parse::<Value>().unwrap_or(json!(0)));
        set(f, "currency", json!(currency));
    }
    for e in 2..=epoch {
        if let Some(p) = planted(seed, i, e) {
            apply_change(&mut d, &p, base);
        }
    }
    match draft(i) {
        FleetDraft::Cds2026 => {}
        // The same rendering the demo's legacy modes serve (`cds::drafts::render`).
        FleetDraft::Cdsc2025 => render::oauth_to_2025(&mut d.oauth_metadata),
        FleetDraft::Cdsc2023 => render::oauth_to_2023(&mut d.oauth_metadata),
    }
    Some(d)
}

fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

fn remove_from_list(meta: &mut Value, list: &str, item: &str) {
    if let Some(Value::Array(a)) = meta.get_mut(list) {
        a.retain(|v| v.as_str() != Some(item));
    }
}

fn remove_scope(meta: &mut Value, scope: &str) {
    if let Some(Value::Object(s)) = meta.get_mut("cds_scope_descriptions") {
        s.shift_remove(scope);
    }
    remove_from_list(meta, "scopes_supported", scope);
    remove_from_list(meta, "authorization_details_types_supported", scope);
}

fn field_mut<'a>(meta: &'a mut Value, scope: &str, field: &str) -> Option<&'a mut Value> {
    meta.pointer_mut(&format!(
        "/cds_scope_descriptions/{scope}/authorization_details_fields_supported"
    ))?
    .as_array_mut()?
    .iter_mut()
    .find(|f| f.get("id").and_then(Value::as_str) == Some(field))
}

fn set_field_maximum(meta: &mut Value, scope: &str, field: &str, max: Value) {
    if let Some(f) = field_mut(meta, scope, field) {
        set(f, "maximum", max);
    }
}

/// Applies a planted change (made before any draft translation, so it survives it).
fn apply_change(d: &mut Documents, p: &PlantedChange, base: &str) {
    let meta = &mut d.oauth_metadata;
    match p.change {
        "price_changed" => {
            if let Some(f) = meta.pointer_mut("/cds_registration_fields/bill_access_setup_fee") {
                let old = f
                    .get("amount")
                    .and_then(|a| a.to_string().parse::<f64>().ok())
                    .unwrap_or(0.0);
                let new = format!("{:.2}", old + 10.0 * f64::from(p.epoch));
                set(f, "amount", new.parse::<Value>().unwrap_or(json!(0)));
            }
        }
        "field_changed" => {
            // Always reaches further than any generated reach (P5Y at most).
            let reach = format!("P{}Y", 5 + p.epoch);
            set_field_maximum(meta, "dge_usage_electric", "segment_start", json!(reach));
        }
        "scope_added" => {
            let template = meta
                .pointer("/cds_scope_descriptions/dge_usage_electric")
                .cloned();
            if let Some(mut s) = template {
                set(&mut s, "id", json!(p.subject));
                set(
                    &mut s,
                    "name",
                    json!(format!("Usage plan added at epoch {}", p.epoch)),
                );
                set(
                    &mut s,
                    "documentation",
                    json!(format!("{base}/docs/oauth/scopes#{}", p.subject)),
                );
                set(
                    &mut s,
                    "authorization_details_types_supported",
                    json!([p.subject]),
                );
                if let Some(Value::Object(all)) = meta.get_mut("cds_scope_descriptions") {
                    all.insert(p.subject.clone(), s);
                }
                for list in ["scopes_supported", "authorization_details_types_supported"] {
                    if let Some(Value::Array(a)) = meta.get_mut(list) {
                        a.push(json!(p.subject));
                    }
                }
            }
        }
        _ => {
            if let Some(mut e) = d.coverage_entries.first().cloned() {
                set(&mut e, "id", json!(p.subject));
                set(
                    &mut e,
                    "name",
                    json!(format!("Area added at epoch {}", p.epoch)),
                );
                // Oldest `updated` of all, so the listing stays newest first (WG1-01 §4.1).
                set(&mut e, "updated", json!("2000-01-01T00:00:00Z"));
                set(&mut e, "created", json!("2000-01-01T00:00:00Z"));
                d.coverage_entries.push(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_deterministic_and_varied() {
        let a = documents(7, 2, 1, "http://x/u/u0002").unwrap();
        let b = documents(7, 2, 1, "http://x/u/u0002").unwrap();
        assert_eq!(a.oauth_metadata, b.oauth_metadata);
        let names: std::collections::HashSet<String> = (0..20)
            .filter_map(|i| {
                documents(7, i, 1, "http://x").map(|d| d.server_metadata["name"].to_string())
            })
            .collect();
        assert!(names.len() > 5, "{names:?}");
    }

    #[test]
    fn a_quarter_of_utilities_change_per_epoch() {
        let changed = (0..1000).filter(|i| planted(1, *i, 2).is_some()).count();
        assert!((180..=280).contains(&changed), "{changed}");
        assert!(planted(1, 3, 2).is_none(), "failing utilities never change");
        assert!(planted_between(1, 0, 1, 1).is_empty());
    }
}
