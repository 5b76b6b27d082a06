//! CDS-WG1-01 §3.2 (and the WG1-02 §3.1 `oauth` extension) on a server metadata document.

use serde_json::Value;
use url::Url;

use super::fields::{
    Kind, WG1_01_META, as_object, check_fields, check_urls_secure, str_field, str_list,
};
use super::finding::{Report, Severity};

/// WG1-01 §3.2 (and the WG1-02 §3.1 `oauth` extension) on a server metadata document.
pub fn check_server_metadata(r: &mut Report, doc: &Value) {
    let Some(obj) = as_object(r, doc, "metadata.not_object", WG1_01_META) else {
        return;
    };
    check_fields(
        r,
        obj,
        "",
        WG1_01_META,
        "metadata",
        &[
            ("cds_metadata_version", Kind::Str, true),
            ("cds_metadata_url", Kind::Url, true),
            ("created", Kind::DateTime, true),
            ("updated", Kind::DateTime, true),
            ("name", Kind::Str, true),
            ("description", Kind::Str, true),
            ("website", Kind::Url, true),
            ("documentation", Kind::Url, true),
            ("support", Kind::Url, true),
            ("capabilities", Kind::StrArray, true),
            ("coverage", Kind::Url, false),
            ("related_metadata", Kind::UrlArray, false),
            ("oauth_metadata", Kind::Url, false),
        ],
    );
    if let Some(v) = str_field(obj, "cds_metadata_version")
        && v != "v1"
    {
        r.warning(
            "metadata.version",
            WG1_01_META,
            "/cds_metadata_version",
            format!("version `{v}` is not `v1`, the version this client implements"),
        );
    }
    let caps = str_list(obj, "capabilities");
    if caps.contains(&"coverage") && !obj.contains_key("coverage") {
        r.error(
            "metadata.coverage_missing",
            "CDS-WG1-01 §3.4",
            "/coverage",
            "`capabilities` lists `coverage` but there is no `coverage` URL",
        );
    }
    if caps.contains(&"oauth") && !obj.contains_key("oauth_metadata") {
        r.error(
            "metadata.oauth_metadata_missing",
            "CDS-WG1-02 §3.1",
            "/oauth_metadata",
            "`capabilities` lists `oauth` but there is no `oauth_metadata` URL",
        );
    }
    if obj.contains_key("oauth_metadata") && !caps.contains(&"oauth") {
        r.warning(
            "metadata.oauth_capability_missing",
            "CDS-WG1-02 §3.1",
            "/capabilities",
            "`oauth_metadata` is given but `capabilities` does not list `oauth`",
        );
    }
    check_urls_secure(
        r,
        obj,
        "",
        &[
            "cds_metadata_url",
            "website",
            "documentation",
            "support",
            "coverage",
            "oauth_metadata",
        ],
    );
}

/// The metadata's declared canonical URL against where it was actually served from.
pub fn check_metadata_location(r: &mut Report, doc: &Value, served_from: &Url) {
    let Some(declared) = doc.get("cds_metadata_url").and_then(Value::as_str) else {
        return;
    };
    if let Ok(declared) = Url::parse(declared)
        && declared != *served_from
    {
        r.push(
            Severity::Info,
            "metadata.url_differs",
            WG1_01_META,
            "/cds_metadata_url",
            format!("served from {served_from} but names {declared} as its canonical location"),
        );
    }
}
