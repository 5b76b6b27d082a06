//! Fixtures and lookups shared by the draft translation tests.

use serde_json::Value;

use super::Normalized;

pub(super) fn fixture(text: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("fixture is not JSON: {e}"),
    }
}

pub(super) const SERVER_2026: &str =
    include_str!("../../../tests/fixtures/drafts/cds2026-server-metadata.json");
pub(super) const SERVER_2025: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2025-server-metadata.json");
pub(super) const OAUTH_2026: &str =
    include_str!("../../../tests/fixtures/drafts/cds2026-oauth-metadata.json");
pub(super) const OAUTH_2025: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2025-oauth-metadata.json");
pub(super) const OAUTH_2025_NORMALIZED: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2025-oauth-metadata.normalized.json");
pub(super) const OAUTH_2023: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2023-oauth-metadata.json");
pub(super) const OAUTH_2023_NORMALIZED: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2023-oauth-metadata.normalized.json");
pub(super) const CLIENT_2026: &str =
    include_str!("../../../tests/fixtures/drafts/cds2026-client.json");
pub(super) const CLIENT_2025: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2025-client.json");
pub(super) const CLIENT_2023: &str =
    include_str!("../../../tests/fixtures/drafts/cdsc2023-client.json");

pub(super) fn at<'a>(v: &'a Value, pointer: &str) -> &'a Value {
    v.pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer}"))
}

pub(super) fn translation<'a>(n: &'a Normalized, pointer: &str) -> Vec<&'a str> {
    n.translations
        .iter()
        .filter(|t| t.pointer == pointer)
        .map(|t| t.message.as_str())
        .collect()
}
