//! Older CDS drafts (2025 CDSC, May 2023) translated into the 2026 shape (CDS-WG1-01 §3.2, CDS-WG1-02 §3.2–3.10 and §5.1), on `serde_json::Value` only.
//!
//! Pure and total: any input comes back, unknown fields untouched, a 2026 document unchanged with
//! no [`Translation`]s. Each renamed, reshaped or filled field yields one [`Translation`] whose
//! pointer (RFC 6901) points into the *original* document; a filled field points at the object it
//! was added to.
//!
//! | older draft | 2026 shape |
//! | --- | --- |
//! | well-known `/.well-known/carbon-data-spec.json` (2025, 2023) | `/.well-known/cds-server-metadata.json`; the server metadata object is otherwise the same |
//! | scope id/key `client_admin` (also in `scopes_supported`, `authorization_details_types_supported`, Client `scope`) | `cds_client_admin` (a fixed id in WG1-02 §3.3.1) |
//! | scope without `type` (2025, 2023) | `type`: `client_admin`→`cds_client_admin`, `grant_admin`→`cds_grant_admin`, `server_provided_files`→`cds_server_provided_files`, any other id→itself |
//! | `authorization_details_fields` (2025, as deployed) | `authorization_details_fields_supported` |
//! | field without `for_types` (2025) | `for_types: [<scope id>]` |
//! | `limit` / `relative_date_limit` / `absolute_date_limit` (2025) | `maximum` (+ `minimum` where implied), see [`limits_2025`] |
//! | no per-scope `grant_admin_scope`, `authorization_details_types_supported` (2025) | filled from the 2025 rules |
//! | `cds_customerdata_<x>_api` (2025) | `cds_<x>_api` (WG3-01 §5; `billstatement`, `billsection` singular) |
//! | registration field type `manual_review` (2025 as deployed, 2023) | `internal_review` |
//! | `cds_registration_extras` (2023) | `cds_registration_fields` entries of type `registration_field` |
//! | scope `requirements` (2023) | `registration_requirements` ids + `cds_registration_fields` entries |
//! | scope `scope_modifiers` (2023) | `authorization_details_fields_supported` (optional booleans) |
//! | scope `grant_types`, `token_endpoint_auth_methods` (2023) | `…_supported` |
//! | Client `cds_settings.default_scope` (2023) | `cds_default_scope` |

mod cdsc2023;
mod cdsc2023_fields;
mod cdsc2025;
mod cdsc2025_limits;
mod client;
mod detect;
pub(crate) mod legacy_names;
mod log;
pub mod render;
mod scopes;
#[cfg(test)]
mod test_support;

use serde_json::{Map, Value};

pub use legacy_names::is_legacy_well_known;
use legacy_names::{CLIENT_ADMIN, LEGACY_CLIENT_ADMIN};
use log::Log;

type Object = Map<String, Value>;

/// Which generation of the specifications a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Draft {
    /// CDS-WG1-01 / CDS-WG1-02 (2026): the shape every normalized document has.
    #[default]
    #[serde(rename = "cds-2026")]
    Cds2026,
    /// The 2025 CDSC-WG1-01 / CDSC-WG1-02 drafts.
    #[serde(rename = "cdsc-2025")]
    Cdsc2025,
    /// The May 2023 CDSC-WG1-02 / CDSC-WG1-03 overviews.
    #[serde(rename = "cdsc-2023")]
    Cdsc2023,
}

impl Draft {
    /// A short human name, used in [`Translation`] messages.
    pub fn label(self) -> &'static str {
        match self {
            Draft::Cds2026 => "CDS 2026 (cds-wg1-01/02)",
            Draft::Cdsc2025 => "CDSC 2025",
            Draft::Cdsc2023 => "CDSC May 2023",
        }
    }
}

/// One thing that had to be translated: where (JSON pointer in the ORIGINAL document), what, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Translation {
    pub pointer: String,
    pub message: String,
}

/// A document in the 2026 shape, with the draft it was read from and what was translated.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub draft: Draft,
    pub value: Value,
    pub translations: Vec<Translation>,
}

/// The legacy well-known path(s) to try after `/.well-known/cds-server-metadata.json`.
pub const LEGACY_WELL_KNOWN_PATHS: &[&str] = &["/.well-known/carbon-data-spec.json"];

/// Detects the draft of a CDS server metadata document (WG1-01 §3.2 or its predecessors) and returns it in the 2026 shape.
///
/// The 2025 and 2023 server metadata objects have the 2026 fields (only the well-known path
/// moved), so nothing is translated; a `cds_metadata_url` on the legacy path marks the draft.
/// The two older drafts cannot be told apart here and both read as [`Draft::Cdsc2025`].
pub fn normalize_server_metadata(doc: Value) -> Normalized {
    let legacy = doc
        .get("cds_metadata_url")
        .and_then(Value::as_str)
        .is_some_and(is_legacy_well_known);
    Normalized {
        draft: if legacy {
            Draft::Cdsc2025
        } else {
            Draft::Cds2026
        },
        value: doc,
        translations: Vec::new(),
    }
}

/// Same for an authorization server metadata document (WG1-02 §3.2 or predecessors).
pub fn normalize_oauth_metadata(doc: Value) -> Normalized {
    let draft = detect::detect_oauth(&doc);
    match (draft, doc) {
        (Draft::Cdsc2025, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(cdsc2025::oauth_2025(map, &mut log));
            log.finish(value)
        }
        (Draft::Cdsc2023, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(cdsc2023::oauth_2023(map, &mut log));
            log.finish(value)
        }
        (draft, value) => Log::new(draft).finish(value),
    }
}

/// Same for a Client object (WG1-02 §5.1) if older drafts differ; return unchanged with Cds2026 if not.
///
/// 2025 Client objects have the 2026 fields; only the `client_admin` scope id changes. May 2023
/// Client objects also move `cds_settings.default_scope` and gain an empty
/// `authorization_details_types`; their settings, updates and scope-credentials fields have no
/// 2026 counterpart in a single Client object and are kept as they are.
pub fn normalize_client(doc: Value) -> Normalized {
    let draft = client::detect_client(&doc);
    match (draft, doc) {
        (Draft::Cdsc2025 | Draft::Cdsc2023, Value::Object(map)) => {
            let mut log = Log::new(draft);
            let value = Value::Object(client::client_legacy(map, &mut log));
            log.finish(value)
        }
        (draft, value) => Log::new(draft).finish(value),
    }
}

/// The scope string to send to a server of `draft` for a 2026 `scope` read from a normalized
/// document: `cds_client_admin` goes back to `client_admin` for the older drafts, every other
/// token is sent as it is (the other scope ids were never renamed).
pub fn wire_scope(draft: Draft, scope: &str) -> String {
    match draft {
        Draft::Cds2026 => scope.to_owned(),
        Draft::Cdsc2025 | Draft::Cdsc2023 => scope
            .split(' ')
            .map(|t| {
                if t == CLIENT_ADMIN {
                    LEGACY_CLIENT_ADMIN
                } else {
                    t
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cds::drafts::test_support::*;
    use serde_json::json;

    #[test]
    fn labels() {
        assert_eq!(Draft::Cds2026.label(), "CDS 2026 (cds-wg1-01/02)");
        assert_eq!(Draft::Cdsc2025.label(), "CDSC 2025");
        assert_eq!(Draft::Cdsc2023.label(), "CDSC May 2023");
        assert_eq!(
            serde_json::to_value(Draft::Cdsc2025).ok(),
            Some(json!("cdsc-2025"))
        );
        assert_eq!(
            serde_json::to_value(Draft::Cds2026).ok(),
            Some(json!("cds-2026"))
        );
    }

    #[test]
    fn server_metadata_2026_passes_through() {
        let doc = fixture(SERVER_2026);
        let n = normalize_server_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cds2026);
        assert_eq!(n.value, doc);
        assert!(n.translations.is_empty());
    }

    #[test]
    fn server_metadata_2025_is_detected_and_kept() {
        let doc = fixture(SERVER_2025);
        let n = normalize_server_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cdsc2025);
        assert_eq!(n.value, doc, "the 2025 object already has the 2026 fields");
        assert!(n.translations.is_empty());
        assert_eq!(
            LEGACY_WELL_KNOWN_PATHS,
            &["/.well-known/carbon-data-spec.json"]
        );
    }

    #[test]
    fn oauth_2026_passes_through() {
        let doc = fixture(OAUTH_2026);
        let n = normalize_oauth_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cds2026);
        assert_eq!(n.value, doc);
        assert!(n.translations.is_empty(), "{:#?}", n.translations);
    }

    #[test]
    fn translations_point_into_the_original_document() {
        for text in [OAUTH_2025, OAUTH_2023, CLIENT_2025, CLIENT_2023] {
            let doc = fixture(text);
            let mut all = normalize_oauth_metadata(doc.clone()).translations;
            all.extend(normalize_client(doc.clone()).translations);
            assert!(!all.is_empty());
            for t in all {
                assert!(
                    doc.pointer(&t.pointer).is_some(),
                    "{} not in the original",
                    t.pointer
                );
            }
        }
    }

    #[test]
    fn normalizing_twice_changes_nothing() {
        for text in [OAUTH_2026, OAUTH_2025, OAUTH_2023] {
            let once = normalize_oauth_metadata(fixture(text));
            let twice = normalize_oauth_metadata(once.value.clone());
            assert_eq!(twice.draft, Draft::Cds2026);
            assert_eq!(twice.value, once.value);
            assert!(twice.translations.is_empty(), "{:#?}", twice.translations);
        }
        for text in [CLIENT_2026, CLIENT_2025, CLIENT_2023] {
            let once = normalize_client(fixture(text));
            let twice = normalize_client(once.value.clone());
            assert_eq!(twice.value, once.value);
            assert!(twice.translations.is_empty(), "{:#?}", twice.translations);
        }
    }

    #[test]
    fn wire_scope_restores_legacy_ids() {
        assert_eq!(
            wire_scope(Draft::Cdsc2025, "cds_client_admin"),
            "client_admin"
        );
        assert_eq!(
            wire_scope(Draft::Cdsc2023, "cds_client_admin accounts"),
            "client_admin accounts"
        );
        assert_eq!(
            wire_scope(Draft::Cds2026, "cds_client_admin"),
            "cds_client_admin"
        );
        assert_eq!(wire_scope(Draft::Cdsc2025, "grant_admin"), "grant_admin");
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let doc = json!({
            "cds_scope_descriptions": {
                "grant_admin": {"id": "grant_admin"},
                "a/b~c": {"id": "a/b~c", "authorization_details_fields": []}
            }
        });
        let n = normalize_oauth_metadata(doc.clone());
        assert_eq!(n.draft, Draft::Cdsc2025);
        let odd = "/cds_scope_descriptions/a~1b~0c";
        assert!(!translation(&n, odd).is_empty());
        assert_eq!(
            translation(&n, &format!("{odd}/authorization_details_fields")).len(),
            1
        );
        for t in &n.translations {
            assert!(doc.pointer(&t.pointer).is_some(), "{}", t.pointer);
        }
    }

    #[test]
    fn odd_inputs_come_back_unchanged() {
        let odd = [
            Value::Null,
            json!(true),
            json!(42),
            json!("client_admin"),
            json!([{"client_admin": {}}]),
            json!({}),
            json!({"cds_scope_descriptions": []}),
            json!({"cds_scope_descriptions": "client_admin"}),
            json!({"scopes_supported": "client_admin", "cds_metadata_url": 7}),
            json!({"cds_scope_descriptions": {"x": 5, "y": [1]}}),
        ];
        for doc in odd {
            for f in [
                normalize_server_metadata,
                normalize_oauth_metadata,
                normalize_client,
            ] {
                let n = f(doc.clone());
                assert_eq!(n.value, doc);
                assert_eq!(n.draft, Draft::Cds2026);
                assert!(n.translations.is_empty());
            }
        }
    }

    #[test]
    fn wrong_types_inside_legacy_documents_do_not_panic() {
        let docs = [
            json!({"cds_customerdata_accounts_api": "u", "cds_scope_descriptions": 3, "cds_registration_fields": []}),
            json!({"cds_scope_descriptions": {"client_admin": 1, "grant_admin": {"id": 5, "authorization_details_fields": "x"}}}),
            json!({"cds_scope_descriptions": {"s": {"authorization_details_fields": [1, {"limit": "x"}, {"relative_date_limit": null}, {"absolute_date_limit": 3, "relative_date_limit": 3.5}]}}}),
            json!({"cds_registration_extras": "x", "cds_scope_descriptions": {"client_admin": {"requirements": 4, "scope_modifiers": "y", "grant_types": 1}}}),
            json!({"cds_registration_extras": [1, {"name": 2}, {"name": "cds_a"}, {"name": "cds_a"}], "cds_registration_fields": 9}),
            json!({"cds_scope_descriptions": {"s": {"requirements": [1, {"id": 2}, "plain_id"], "scope_modifiers": {"_a": 1, "_b": {}}}}}),
            json!({"cds_scope_descriptions": {"s": {"requirements": [], "scope_modifiers": [{"id": "_a"}, {"name": "no id"}, 3]}}}),
        ];
        for doc in docs {
            let n = normalize_oauth_metadata(doc.clone());
            assert_ne!(n.draft, Draft::Cds2026, "{doc}");
            for t in &n.translations {
                assert!(doc.pointer(&t.pointer).is_some(), "{} in {doc}", t.pointer);
            }
        }
        for doc in [
            json!({"cds_settings": 1, "scope": 5}),
            json!({"cds_settings": {"default_scope": 5}, "authorization_details_types": "x"}),
            json!({"scope": "client_admin", "authorization_details_types": [1, "client_admin"]}),
        ] {
            let n = normalize_client(doc.clone());
            assert_ne!(n.draft, Draft::Cds2026);
        }
    }

    #[test]
    fn untranslatable_entries_are_kept() {
        let doc = json!({
            "cds_registration_extras": [{"name": "cds_a", "type": "string"}, "junk"],
            "cds_scope_descriptions": {
                "s": {"requirements": [{"no_id": true}], "scope_modifiers": {"_a": 1}}
            }
        });
        let n = normalize_oauth_metadata(doc);
        let v = &n.value;
        assert_eq!(v["cds_registration_extras"], json!(["junk"]));
        assert_eq!(
            at(v, "/cds_registration_fields/cds_a/format"),
            &json!("string")
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/requirements"),
            &json!([{"no_id": true}])
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/registration_requirements"),
            &json!([])
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/scope_modifiers"),
            &json!({"_a": 1})
        );
        assert_eq!(
            at(v, "/cds_scope_descriptions/s/registration_optional"),
            &json!(["cds_a"])
        );
    }
}
