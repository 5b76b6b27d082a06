//! A scaled demo utility for performance work (issue 5: "the demo's catalog scaled to 10,000
//! scopes and 100,000 coverage entries"): generated scope descriptions (CDS-WG1-02 §3.4) and
//! coverage entries (CDS-WG1-01 §4.3) added to the embedded documents. Every generated item is
//! built from one of the demo's own, so it stays as spec-valid as the original.

use serde_json::{Map, Value, json};

use super::documents::Documents;

/// Coverage entries per listing page once the coverage is scaled. At the demo's usual 3 a page,
/// 100,000 entries would take 33,334 sequential round trips (and pass discovery's page cap,
/// `DiscoveryLimits::max_coverage_pages`); a utility with a listing that long pages it in
/// hundreds or thousands, so the scaled demo does too.
pub const SCALED_COVERAGE_PAGE_SIZE: usize = 1_000;

/// Largest authorization details field (compact JSON bytes) a generated scope copies, and how
/// many it copies: the OAuth metadata of 10,000 scopes must stay within the client's response
/// cap (`HttpPolicy::max_body`, 8 MiB), so generated scopes are leaner than the demo's own.
const MAX_FIELD_BYTES: usize = 360;
const MAX_FIELDS: usize = 1;
/// One generated scope in this many copies an authorization details field.
const WITH_FIELDS_EVERY: usize = 8;

/// Scope types of generated scopes besides the templates' own (server-custom types, as
/// `dge_public_outages` is), so the catalog has many groups, not five huge ones.
const CUSTOM_TYPES: usize = 24;

/// The scaled documents as served, each written once (issue 15): a large utility serves a
/// static listing from a cache or a CDN, so the time a page takes is the wire's, not the time
/// to write 650 KB of JSON on every request (which would also take a core from the client
/// being measured). Keyed by what was asked (`coverage?page=3`, `oauth`); filtered listings
/// (`ids`) are not kept.
#[derive(Debug, Default)]
pub struct Served(std::sync::Mutex<std::collections::HashMap<String, axum::body::Bytes>>);

impl Served {
    /// The text served for `key`, written by `write` the first time.
    pub fn get_or_write(&self, key: &str, write: impl FnOnce() -> String) -> axum::body::Bytes {
        let lock = || self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = lock().get(key) {
            return b.clone();
        }
        // Written outside the lock; two first requests may both write, with the same text.
        let bytes = axum::body::Bytes::from(write());
        lock().insert(key.to_owned(), bytes.clone());
        bytes
    }
}

/// How many generated items to add.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scale {
    /// Generated scope descriptions added to `cds_scope_descriptions`.
    pub scopes: usize,
    /// Generated coverage entries added to the coverage listing.
    pub coverage: usize,
}

impl Scale {
    pub fn is_none(&self) -> bool {
        self.scopes == 0 && self.coverage == 0
    }
}

/// The id of the `n`th generated coverage entry.
fn coverage_id(n: usize) -> String {
    format!("dge_gen_area_{n:06}")
}

/// Adds the generated items of `scale` to `d`, whose URLs are on `base`.
pub fn apply(d: &mut Documents, base: &str, scale: Scale) {
    if scale.coverage > 0 {
        add_coverage(d, scale.coverage);
        d.coverage_page_size = SCALED_COVERAGE_PAGE_SIZE;
    }
    if scale.scopes > 0 {
        add_scopes(d, base, scale);
    }
}

/// Appends `count` entries, each a copy of a demo entry under a new id, older than every demo
/// entry and in newest-first order, so the listing stays sorted by `updated` (WG1-01 §4.1).
fn add_coverage(d: &mut Documents, count: usize) {
    let templates: Vec<Value> = d.coverage_entries.clone();
    if templates.is_empty() {
        return;
    }
    // Older than the demo's oldest entry (2024), one minute apart.
    let newest: jiff::Timestamp = "2020-01-01T00:00:00Z".parse().unwrap_or_default();
    d.coverage_entries.reserve(count);
    for n in 0..count {
        let mut e = templates[n % templates.len()].clone();
        let Some(o) = e.as_object_mut() else { continue };
        let template_name = o
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("coverage")
            .to_owned();
        let updated = newest
            .checked_sub(jiff::SignedDuration::from_mins(n as i64))
            .unwrap_or(newest);
        o.insert("id".into(), Value::String(coverage_id(n)));
        o.insert("name".into(), json!(format!("{template_name} · area {n}")));
        o.insert(
            "description".into(),
            json!(format!("Generated service area {n} (scaled demo)")),
        );
        o.insert("created".into(), json!("2015-01-01T00:00:00Z"));
        o.insert("updated".into(), json!(updated.to_string()));
        d.coverage_entries.push(e);
    }
}

/// Adds `scale.scopes` scope descriptions, each a copy of one of the demo's customer-data or
/// custom scopes (the `cds_*` admin scopes have fixed shapes, §3.3), with its own id, name and
/// type, its lists shortened; every eighth keeps a small authorization details field of its
/// template (§3.8), bound to its own authorization details type. Each new id and type is added to the top-level lists
/// that must cover every scope description (§3.2).
fn add_scopes(d: &mut Documents, base: &str, scale: Scale) {
    let Some(meta) = d.oauth_metadata.as_object_mut() else {
        return;
    };
    let templates: Vec<(String, Map<String, Value>)> = meta
        .get("cds_scope_descriptions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_object()?.clone())))
        .filter(|(_, s)| {
            !matches!(
                s.get("type").and_then(Value::as_str),
                Some("cds_client_admin" | "cds_grant_admin" | "cds_server_provided_files")
            )
        })
        .collect();
    if templates.is_empty() {
        return;
    }
    let mut new_scopes = Vec::with_capacity(scale.scopes);
    let mut new_details_types = Vec::new();
    for n in 0..scale.scopes {
        let (template_id, template) = &templates[n % templates.len()];
        let (id, scope, typed) = generated_scope(n, template_id, template, base, scale);
        if typed {
            new_details_types.push(json!(id));
        }
        new_scopes.push((id, scope));
    }
    if let Some(Value::Array(list)) = meta.get_mut("scopes_supported") {
        list.extend(new_scopes.iter().map(|(id, _)| json!(id)));
    }
    if let Some(Value::Array(list)) = meta.get_mut("authorization_details_types_supported") {
        list.extend(new_details_types);
    }
    if let Some(Value::Object(scopes)) = meta.get_mut("cds_scope_descriptions") {
        scopes.extend(new_scopes);
    }
}

/// Generated scope `n`, a copy of `template`: its id, its description, and whether it has an
/// authorization details type of its own.
fn generated_scope(
    n: usize,
    template_id: &str,
    template: &Map<String, Value>,
    base: &str,
    scale: Scale,
) -> (String, Value, bool) {
    let mut s = template.clone();
    let id = format!("dge_gen_{n:05}");
    let template_name = s.get("name").and_then(Value::as_str).unwrap_or("scope");
    let name = format!("{template_name}, plan {n}");
    s.insert("id".into(), json!(id));
    s.insert("name".into(), json!(name));
    s.insert(
        "description".into(),
        json!(format!("Generated scope {n} (like {template_id}).")),
    );
    for (list, keep) in [
        ("registration_requirements", 2),
        ("registration_optional", 1),
        ("coverages_supported", 1),
    ] {
        if let Some(Value::Array(a)) = s.get_mut(list) {
            a.truncate(keep);
        }
    }
    s.insert(
        "documentation".into(),
        json!(format!("{base}/docs/oauth/scopes#{id}")),
    );
    // Half keep the template's type; the rest spread over server-custom types.
    if n % 2 == 1 {
        s.insert(
            "type".into(),
            json!(format!("dge_program_{:02}", (n / 2) % CUSTOM_TYPES)),
        );
    }
    if scale.coverage > 0
        && let Some(Value::Array(c)) = s.get_mut("coverages_supported")
    {
        c.push(json!(coverage_id((n * 7919) % scale.coverage)));
    }
    let fields = generated_fields(&s, n, &id);
    let typed = !fields.is_empty();
    if typed {
        s.insert("authorization_details_types_supported".into(), json!([id]));
    } else {
        s.insert("authorization_details_types_supported".into(), json!([]));
    }
    s.insert(
        "authorization_details_fields_supported".into(),
        Value::Array(fields),
    );
    (id, Value::Object(s), typed)
}

/// Every eighth generated scope keeps a few small authorization details fields of its
/// template, bound to its own type.
fn generated_fields(s: &Map<String, Value>, n: usize, id: &str) -> Vec<Value> {
    if n.is_multiple_of(WITH_FIELDS_EVERY) {
        s.get("authorization_details_fields_supported")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|f| f.to_string().len() <= MAX_FIELD_BYTES)
            .take(MAX_FIELDS)
            .cloned()
            .map(|mut f| {
                if let Some(o) = f.as_object_mut() {
                    o.insert("for_types".into(), json!([id]));
                }
                f
            })
            .collect()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:9";

    #[test]
    fn scaled_documents_have_the_generated_items_in_order() {
        let mut d = Documents::render(BASE).unwrap();
        let scopes_before = d.oauth_metadata["cds_scope_descriptions"]
            .as_object()
            .unwrap()
            .len();
        apply(
            &mut d,
            BASE,
            Scale {
                scopes: 40,
                coverage: 2_500,
            },
        );
        let meta = &d.oauth_metadata;
        let scopes = meta["cds_scope_descriptions"].as_object().unwrap();
        assert_eq!(scopes.len(), scopes_before + 40);
        let supported = meta["scopes_supported"].as_array().unwrap();
        assert!(scopes.keys().all(|k| supported.contains(&json!(k))));
        let with_details = scopes
            .values()
            .filter(|s| s["id"].as_str().unwrap().starts_with("dge_gen_"))
            .filter(|s| {
                !s["authorization_details_fields_supported"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            })
            .count();
        assert_eq!(with_details, 40 / WITH_FIELDS_EVERY);
        assert_eq!(d.coverage_entries.len(), 8 + 2_500);
        let updated: Vec<jiff::Timestamp> = d
            .coverage_entries
            .iter()
            .map(|e| e["updated"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(updated.windows(2).all(|w| w[0] >= w[1]), "newest first");
        let last = d.coverage_page(BASE, 3, None);
        assert_eq!(last["coverage_entries"].as_array().unwrap().len(), 508);
        assert!(last["next"].is_null());
    }
}
