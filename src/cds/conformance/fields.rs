//! Shared checks and lookups of the conformance rules: field presence and JSON shape, the spec
//! section names (CDS-WG1-01 §3–4, CDS-WG1-02 §3), RFC 6901 pointers, HTTPS URLs.

use serde_json::{Map, Value};
use url::Url;

use super::finding::{Report, pointer_token};

pub(super) fn ptr(base: &str, key: &str) -> String {
    format!("{base}/{}", pointer_token(key))
}

pub(super) const WG1_01_META: &str = "CDS-WG1-01 §3.2";
pub(super) const WG1_01_LISTING: &str = "CDS-WG1-01 §4.1";
pub(super) const WG1_01_ENTRY: &str = "CDS-WG1-01 §4.3";
pub(super) const WG1_02_META: &str = "CDS-WG1-02 §3.2";
pub(super) const WG1_02_SCOPE: &str = "CDS-WG1-02 §3.4";
pub(super) const WG1_02_REG: &str = "CDS-WG1-02 §3.5";
pub(super) const WG1_02_ADF: &str = "CDS-WG1-02 §3.8";

/// The JSON shape a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Str,
    StrOrNull,
    Url,
    UrlOrNull,
    DateTime,
    Bool,
    Array,
    StrArray,
    UrlArray,
    Object,
    Country,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::StrOrNull => "a string or null",
            Kind::Url => "an absolute URL",
            Kind::UrlOrNull => "an absolute URL or null",
            Kind::DateTime => "an RFC 3339 date-time",
            Kind::Bool => "a boolean",
            Kind::Array => "an array",
            Kind::StrArray => "an array of strings",
            Kind::UrlArray => "an array of URLs",
            Kind::Object => "an object",
            Kind::Country => "a two-letter ISO 3166 country code",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        let is_url = |v: &Value| v.as_str().is_some_and(|s| Url::parse(s).is_ok());
        match self {
            Kind::Str => v.is_string(),
            Kind::StrOrNull => v.is_string() || v.is_null(),
            Kind::Url => is_url(v),
            Kind::UrlOrNull => v.is_null() || is_url(v),
            Kind::DateTime => v
                .as_str()
                .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok()),
            Kind::Bool => v.is_boolean(),
            Kind::Array => v.is_array(),
            Kind::StrArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Kind::UrlArray => v.as_array().is_some_and(|a| a.iter().all(is_url)),
            Kind::Object => v.is_object(),
            Kind::Country => v
                .as_str()
                .is_some_and(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())),
        }
    }
}

/// Checks presence (when `required`) and shape of each listed field of `obj`.
pub(super) fn check_fields(
    r: &mut Report,
    obj: &Map<String, Value>,
    base: &str,
    section: &str,
    code_prefix: &str,
    fields: &[(&str, Kind, bool)],
) {
    for (name, kind, required) in fields {
        match obj.get(*name) {
            None if *required => r.error(
                &format!("{code_prefix}.required_field"),
                section,
                ptr(base, name),
                format!("required field `{name}` is missing"),
            ),
            None => {}
            Some(v) if !kind.accepts(v) => r.error(
                &format!("{code_prefix}.field_type"),
                section,
                ptr(base, name),
                format!(
                    "`{name}` must be {}, found {}",
                    kind.describe(),
                    crate::cds::auth_server_metadata::short_json(v)
                ),
            ),
            Some(_) => {}
        }
    }
}

pub(super) fn str_list<'a>(obj: &'a Map<String, Value>, key: &str) -> Vec<&'a str> {
    obj.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub(super) fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// Reports a non-object document and returns its map otherwise.
pub(super) fn as_object<'a>(
    r: &mut Report,
    doc: &'a Value,
    code: &str,
    section: &str,
) -> Option<&'a Map<String, Value>> {
    match doc.as_object() {
        Some(o) => Some(o),
        None => {
            r.error(code, section, "", "the document is not a JSON object");
            None
        }
    }
}

pub(super) fn check_urls_secure(
    r: &mut Report,
    obj: &Map<String, Value>,
    base: &str,
    keys: &[&str],
) {
    for key in keys {
        if let Some(Ok(u)) = str_field(obj, key).map(Url::parse)
            && u.scheme() == "http"
            && !crate::cds::is_loopback(&u)
        {
            r.warning(
                "url.not_https",
                "CDS-WG1-01 §3",
                ptr(base, key),
                format!("`{key}` is plain http ({u}); CDS servers are reached over HTTPS"),
            );
        }
    }
}
