//! The demo utility's public documents (CDS-WG1-01 §3–4, CDS-WG1-02 §3), embedded from
//! `assets/demo/` and rendered once for the server's base URL.

use serde_json::Value;

/// Placeholder for the server's own base URL in the asset files.
pub const BASE_URL_PLACEHOLDER: &str = "{{BASE_URL}}";

/// Coverage entries per listing page (small, so the demo shows pagination).
pub const COVERAGE_PAGE_SIZE: usize = 3;

const SERVER_METADATA: &str = include_str!("../../assets/demo/server-metadata.json");
const RELATED_NORTH: &str = include_str!("../../assets/demo/related-north.json");
const RELATED_GAS: &str = include_str!("../../assets/demo/related-gas.json");
const COVERAGE_ENTRIES: &str = include_str!("../../assets/demo/coverage-entries.json");
const OAUTH_METADATA: &str = include_str!("../../assets/demo/oauth-metadata.json");

/// Map images and GeoJSON files served under `/cds/maps/`.
pub const MAP_FILES: &[(&str, &str, &[u8])] = &[
    (
        "dge_elec_west.png",
        "image/png",
        include_bytes!("../../assets/demo/maps/dge_elec_west.png"),
    ),
    (
        "dge_elec_west.geojson",
        "application/geo+json",
        include_bytes!("../../assets/demo/maps/dge_elec_west.geojson"),
    ),
    (
        "dge_elec_east.png",
        "image/png",
        include_bytes!("../../assets/demo/maps/dge_elec_east.png"),
    ),
    (
        "dge_elec_east.geojson",
        "application/geo+json",
        include_bytes!("../../assets/demo/maps/dge_elec_east.geojson"),
    ),
    (
        "dge_elec_north.png",
        "image/png",
        include_bytes!("../../assets/demo/maps/dge_elec_north.png"),
    ),
    (
        "dge_elec_north.geojson",
        "application/geo+json",
        include_bytes!("../../assets/demo/maps/dge_elec_north.geojson"),
    ),
    (
        "dge_gas.png",
        "image/png",
        include_bytes!("../../assets/demo/maps/dge_gas.png"),
    ),
    (
        "dge_gas.geojson",
        "application/geo+json",
        include_bytes!("../../assets/demo/maps/dge_gas.geojson"),
    ),
    (
        "dge_water.png",
        "image/png",
        include_bytes!("../../assets/demo/maps/dge_water.png"),
    ),
    (
        "dge_water.geojson",
        "application/geo+json",
        include_bytes!("../../assets/demo/maps/dge_water.geojson"),
    ),
];

/// The documents rendered for one base URL.
#[derive(Debug, Clone)]
pub struct Documents {
    pub server_metadata: Value,
    pub related_north: Value,
    pub related_gas: Value,
    /// Newest `updated` first (WG1-01 §4.1).
    pub coverage_entries: Vec<Value>,
    pub oauth_metadata: Value,
    /// Coverage entries per listing page: [`COVERAGE_PAGE_SIZE`] unless scaled (scale.rs).
    pub coverage_page_size: usize,
}

/// Why the embedded assets could not be rendered (a build-time mistake, reported clearly).
#[derive(Debug, thiserror::Error)]
#[error("embedded demo asset {name} is not valid JSON: {source}")]
pub struct AssetError {
    name: &'static str,
    source: serde_json::Error,
}

fn render(name: &'static str, text: &str, base: &str) -> Result<Value, AssetError> {
    serde_json::from_str(&text.replace(BASE_URL_PLACEHOLDER, base))
        .map_err(|source| AssetError { name, source })
}

impl Documents {
    /// Renders every document for `base` (e.g. `http://127.0.0.1:4000`, no trailing slash).
    pub fn render(base: &str) -> Result<Self, AssetError> {
        let mut coverage_entries = match render("coverage-entries.json", COVERAGE_ENTRIES, base)? {
            Value::Array(a) => a,
            _ => Vec::new(),
        };
        coverage_entries.sort_by(|a, b| {
            let key = |v: &Value| {
                v.get("updated")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse::<jiff::Timestamp>().ok())
            };
            key(b).cmp(&key(a))
        });
        Ok(Self {
            server_metadata: render("server-metadata.json", SERVER_METADATA, base)?,
            related_north: render("related-north.json", RELATED_NORTH, base)?,
            related_gas: render("related-gas.json", RELATED_GAS, base)?,
            coverage_entries,
            oauth_metadata: render("oauth-metadata.json", OAUTH_METADATA, base)?,
            coverage_page_size: COVERAGE_PAGE_SIZE,
        })
    }

    /// One page of the coverage listing (WG1-01 §4.1), filtered by `ids` (§4.2).
    pub fn coverage_page(&self, base: &str, page: usize, ids: Option<&str>) -> Value {
        serde_json::to_value(self.coverage_page_borrowed(base, page, ids)).unwrap_or_default()
    }

    /// [`Documents::coverage_page`] borrowing its entries, to be written without copying them
    /// (a scaled page holds 1,000 entries).
    pub fn coverage_page_borrowed<'a>(
        &'a self,
        base: &str,
        page: usize,
        ids: Option<&str>,
    ) -> CoveragePage<'a> {
        let wanted: Option<Vec<&str>> = ids.map(|s| s.split_ascii_whitespace().collect());
        let entries: Vec<&Value> = self
            .coverage_entries
            .iter()
            .filter(|e| match &wanted {
                None => true,
                Some(w) => e
                    .get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| w.contains(&id)),
            })
            .collect();
        let size = self.coverage_page_size.max(1);
        let pages = entries.len().div_ceil(size).max(1);
        let page = page.clamp(1, pages);
        let link = |p: usize| {
            let mut u = format!("{base}/cds/coverage?page={p}");
            if let Some(ids) = ids {
                u.push_str("&ids=");
                u.push_str(
                    &url::form_urlencoded::byte_serialize(ids.as_bytes()).collect::<String>(),
                );
            }
            Value::String(u)
        };
        let slice: Vec<&Value> = entries
            .into_iter()
            .skip((page - 1) * size)
            .take(size)
            .collect();
        CoveragePage {
            coverage_entries: slice,
            next: if page < pages {
                link(page + 1)
            } else {
                Value::Null
            },
            previous: if page > 1 {
                link(page - 1)
            } else {
                Value::Null
            },
        }
    }
}

/// A coverage page as served: the fields in the order of WG1-01 §4.1's example.
#[derive(Debug, serde::Serialize)]
pub struct CoveragePage<'a> {
    coverage_entries: Vec<&'a Value>,
    next: Value,
    previous: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_render_and_paginate() {
        let d = Documents::render("http://127.0.0.1:9").unwrap();
        assert!(!d.oauth_metadata.to_string().contains(BASE_URL_PLACEHOLDER));
        let p1 = d.coverage_page("http://127.0.0.1:9", 1, None);
        assert_eq!(
            p1["coverage_entries"].as_array().unwrap().len(),
            COVERAGE_PAGE_SIZE
        );
        assert!(p1["previous"].is_null());
        assert_eq!(p1["next"], "http://127.0.0.1:9/cds/coverage?page=2");
        let first_id = d.coverage_entries[0]["id"].as_str().unwrap().to_owned();
        let filtered = d.coverage_page("http://127.0.0.1:9", 1, Some(&first_id));
        assert_eq!(filtered["coverage_entries"].as_array().unwrap().len(), 1);
        assert!(filtered["next"].is_null());
    }
}
