//! The registration-field value rules (CDS-WG1-02 §3.5 `max_length`/`max_size`, §3.7 formats,
//! CDS-WG3-01 §5.1/§8.3 purposes, RFC 7591 §2 URLs and contacts), shared by the client's plan
//! and the demo's registration endpoint so both sides judge a value the same way. Pure: no I/O.

use base64::Engine;
use serde_json::{Map, Value};
use url::Url;

use super::{RegistrationField, RegistrationFieldFormat as Fmt};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xff\xd8\xff";
const PDF_MAGIC: &[u8] = b"%PDF-";

/// An absolute `http` or `https` URL with a host (WG1-02 §2 URL, RFC 7591 §2 informational URLs).
pub fn is_web_url(s: &str) -> bool {
    Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// [`is_web_url`], worded as a problem with the value.
pub fn check_url(s: &str) -> Result<(), String> {
    if is_web_url(s) {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not an absolute http or https URL (WG1-02 §2 URL)"
        ))
    }
}

/// An addr-spec with a dotted domain, no display name and no IP literal: what a mailbox for
/// registration notices looks like (`email` format, RFC 7591 `contacts`). `email_address` does
/// the RFC 5321/5322 grammar.
pub fn is_email(s: &str) -> bool {
    use email_address::{EmailAddress, Options};
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    EmailAddress::parse_with_options(s, options).is_ok()
}

/// [`is_email`], worded as a problem with the value.
pub fn check_email(s: &str) -> Result<(), String> {
    if is_email(s) {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not an email address such as dev@example.com"
        ))
    }
}

/// §3.5: `max_length` counts characters, not bytes.
pub fn length_problem(field: &RegistrationField, s: &str) -> Option<String> {
    let n = s.chars().count() as u64;
    match field.max_length {
        Some(max) if n > max => Some(format!(
            "is {n} characters long, more than max_length {max} (WG1-02 §3.5)"
        )),
        _ => None,
    }
}

/// The value of the `_or_null` rule (§3.7): a problem when `format` does not take `null`.
pub fn null_problem(format: &Fmt) -> Option<String> {
    (!format.nullable()).then(|| {
        format!(
            "must not be null: format `{format}` is not one of the `_or_null` formats \
             (WG1-02 §3.7)"
        )
    })
}

/// Base64 text of a file value (RFC 4648 §4); whitespace and missing padding are tolerated.
pub fn decode_base64(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT.decode(compact.as_bytes())
}

/// A file field's raw bytes: typed by content (magic bytes, whatever the file is called) and
/// `max_size` on the raw bytes (§3.5: before Base64). `what` names the value in the messages.
pub fn file_problems(
    field: &RegistrationField,
    format: &Fmt,
    bytes: &[u8],
    what: &str,
) -> Vec<String> {
    let mut errors = Vec::new();
    let image = matches!(format, Fmt::Image | Fmt::ImageOrNull);
    if image && !(bytes.starts_with(PNG_MAGIC) || bytes.starts_with(JPEG_MAGIC)) {
        errors.push(format!(
            "{what} is not a PNG or JPEG image (checked by its content)"
        ));
    }
    if !image && !bytes.starts_with(PDF_MAGIC) {
        errors.push(format!(
            "{what} is not a PDF document (checked by its content)"
        ));
    }
    if let Some(max) = field.max_size
        && bytes.len() as u64 > max
    {
        errors.push(format!(
            "{what} is {} bytes, more than max_size {max} (WG1-02 §3.5)",
            bytes.len()
        ));
    }
    errors
}

/// Checks one JSON value against its field's format (§3.7, CDS-WG3-01 §5.1 for purposes): the
/// value to keep (purposes get their registration-time `id`, `scopes_supported` and
/// `related_uri` filled in) or every rule broken. A field without a format, or with a format
/// this version does not know, takes the value as written.
pub fn check_value(
    field: &RegistrationField,
    value: &Value,
    purposes: PurposeRule,
) -> Result<Value, Vec<String>> {
    let Some(format) = &field.format else {
        return Ok(value.clone());
    };
    if value.is_null() {
        return match null_problem(format) {
            Some(m) => Err(vec![m]),
            None => Ok(Value::Null),
        };
    }
    let text = || -> Result<&str, Vec<String>> {
        value
            .as_str()
            .ok_or_else(|| vec![format!("must be a string (format `{format}`), not {value}")])
    };
    let done = |errors: Vec<String>| {
        if errors.is_empty() {
            Ok(value.clone())
        } else {
            Err(errors)
        }
    };
    match format {
        Fmt::String | Fmt::StringOrNull => {
            done(length_problem(field, text()?).into_iter().collect())
        }
        Fmt::Url | Fmt::UrlOrNull | Fmt::Email | Fmt::EmailOrNull => {
            let s = text()?;
            let mut errors: Vec<String> = length_problem(field, s).into_iter().collect();
            let checked = if matches!(format, Fmt::Url | Fmt::UrlOrNull) {
                check_url(s)
            } else {
                check_email(s)
            };
            errors.extend(checked.err());
            done(errors)
        }
        Fmt::Boolean | Fmt::BooleanOrNull => {
            if value.is_boolean() {
                Ok(value.clone())
            } else {
                Err(vec![format!("must be true or false, not {value}")])
            }
        }
        Fmt::Image | Fmt::ImageOrNull | Fmt::Pdf | Fmt::PdfOrNull => {
            let bytes = decode_base64(text()?)
                .map_err(|e| vec![format!("must be Base64 text (RFC 4648): {e}")])?;
            done(file_problems(field, format, &bytes, "the value"))
        }
        Fmt::Purposes | Fmt::PurposesOrNull => check_purposes(value, purposes),
        Fmt::Other(_) => Ok(value.clone()),
    }
}

/// How much of CDS-WG3-01 a `purposes` value is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurposeRule {
    /// §5.1 alone: Purpose objects whose server-assigned members are blank. What the demo
    /// server accepts, as a lenient receiver.
    Shape,
    /// §5.1 and §8.3: also a `name`, a `content`, and a one-line `related_name` for a
    /// `related_uri` URL. What the client checks before sending.
    Complete,
}

/// CDS-WG3-01 §5.1: one or more Purpose objects; at registration `id` is `""` and
/// `scopes_supported` is `[]` (the server assigns both), so those are filled in when left out,
/// and `related_uri` (REQUIRED, may be null) becomes `null` when absent.
pub fn check_purposes(v: &Value, rule: PurposeRule) -> Result<Value, Vec<String>> {
    let Some(items) = v.as_array() else {
        return Err(vec![
            "must be an array of Purpose objects (CDS-WG3-01 §8.3)".to_owned(),
        ]);
    };
    if items.is_empty() {
        return Err(vec![
            "must hold at least one Purpose object (CDS-WG3-01 §5.1); use null for none".to_owned(),
        ]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            errors.push(format!("purpose [{i}] is not an object"));
            continue;
        };
        let mut o = o.clone();
        if rule == PurposeRule::Complete {
            errors.extend(content_problems(i, &o));
        }
        errors.extend(purpose_shape(i, &mut o, rule));
        out.push(Value::Object(o));
    }
    if errors.is_empty() {
        Ok(Value::Array(out))
    } else {
        Err(errors)
    }
}

/// §8.3: what purpose `i` must say.
fn content_problems(i: usize, o: &Map<String, Value>) -> Vec<String> {
    let nonblank = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    let mut errors = Vec::new();
    if !nonblank("name") {
        errors.push(format!("purpose [{i}] needs a non-empty `name` string"));
    }
    if !nonblank("content") {
        errors.push(format!(
            "purpose [{i}] needs a `content` string with at least one non-whitespace \
             character (CDS-WG3-01 §8.3)"
        ));
    }
    errors
}

/// The server-assigned members of purpose `i` at registration, filled in when absent, and
/// (for [`PurposeRule::Complete`]) its `related_uri` and `related_name`.
fn purpose_shape(i: usize, o: &mut Map<String, Value>, rule: PurposeRule) -> Vec<String> {
    let mut errors = Vec::new();
    match o.get("id") {
        None => {
            o.insert("id".to_owned(), Value::String(String::new()));
        }
        Some(Value::String(s)) if s.is_empty() => {}
        Some(_) => errors.push(format!(
            "purpose [{i}]: `id` must be \"\" at registration (CDS-WG3-01 §5.1)"
        )),
    }
    match o.get("scopes_supported") {
        None => {
            o.insert("scopes_supported".to_owned(), Value::Array(Vec::new()));
        }
        Some(Value::Array(a)) if a.is_empty() => {}
        Some(_) => errors.push(format!(
            "purpose [{i}]: `scopes_supported` must be [] at registration (CDS-WG3-01 §5.1)"
        )),
    }
    if !o.contains_key("related_uri") {
        o.insert("related_uri".to_owned(), Value::Null);
    } else if rule == PurposeRule::Complete {
        errors.extend(related_problems(i, o));
    }
    errors
}

fn related_problems(i: usize, o: &Map<String, Value>) -> Vec<String> {
    let mut errors = Vec::new();
    match o.get("related_uri") {
        None | Some(Value::Null) => {}
        Some(Value::String(u)) => {
            if let Err(m) = check_url(u) {
                errors.push(format!("purpose [{i}] `related_uri`: {m}"));
            }
            let name_ok = o
                .get("related_name")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.trim().is_empty() && !s.contains(['\n', '\r']));
            if !name_ok {
                errors.push(format!(
                    "purpose [{i}] has a `related_uri`, so it needs a one-line \
                     `related_name` (CDS-WG3-01 §8.3)"
                ));
            }
        }
        Some(_) => errors.push(format!("purpose [{i}] `related_uri` must be a URL or null")),
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(format: &str, extra: Value) -> RegistrationField {
        let mut v = json!({
            "id": "f", "type": "registration_field", "description": "d",
            "documentation": "http://x/d", "field_name": "cds_f", "format": format,
        });
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        serde_json::from_value(v).unwrap()
    }

    fn check_value_(f: &RegistrationField, v: &Value) -> Result<Value, Vec<String>> {
        check_value(f, v, PurposeRule::Shape)
    }

    #[test]
    fn formats() {
        let b64 = |b: &[u8]| json!(base64::engine::general_purpose::STANDARD.encode(b));
        let s = field("string", json!({"max_length": 3}));
        assert!(check_value_(&s, &json!("abc")).is_ok());
        assert!(check_value_(&s, &json!("abcd")).is_err());
        assert!(check_value_(&s, &Value::Null).is_err());
        assert!(check_value_(&field("string_or_null", json!({})), &Value::Null).is_ok());
        let u = field("url", json!({}));
        assert!(check_value_(&u, &json!("https://a.example/x")).is_ok());
        assert!(check_value_(&u, &json!("ftp://a.example/x")).is_err());
        assert!(check_value_(&u, &json!("/relative")).is_err());
        let e = field("email", json!({}));
        assert!(check_value_(&e, &json!("dev@a.example")).is_ok());
        for bad in ["dev", "@a.example", "dev@a", "d v@a.example", "a@b@c.d"] {
            assert!(check_value_(&e, &json!(bad)).is_err(), "{bad}");
        }
        assert!(check_value_(&field("boolean", json!({})), &json!("true")).is_err());
        let img = field("image", json!({"max_size": 16}));
        assert!(check_value_(&img, &b64(b"\x89PNG\r\n\x1a\nxx")).is_ok());
        assert!(check_value_(&img, &b64(&[0xFF, 0xD8, 0xFF, 0xE0])).is_ok());
        assert!(check_value_(&img, &b64(b"GIF89a")).is_err());
        assert!(check_value_(&img, &b64(&[0x89; 17])).is_err());
        assert!(check_value_(&img, &json!("not base64!")).is_err());
        let pdf = field("pdf", json!({}));
        assert!(check_value_(&pdf, &b64(b"%PDF-1.4\n")).is_ok());
        assert!(check_value_(&pdf, &b64(b"%PNG")).is_err());
        let p = field("purposes_or_null", json!({}));
        assert!(check_value_(&p, &Value::Null).is_ok());
        assert!(check_value_(&p, &json!([{"id": "", "scopes_supported": []}])).is_ok());
        assert!(check_value_(&p, &json!([])).is_err());
        assert!(check_value_(&p, &json!({"id": ""})).is_err());
    }

    #[test]
    fn purposes_are_filled_in_and_their_content_checked_when_complete() {
        let v = check_purposes(&json!([{"name": "N"}]), PurposeRule::Shape).unwrap();
        assert_eq!(
            v,
            json!([{"name": "N", "id": "", "scopes_supported": [], "related_uri": null}])
        );
        let p = check_purposes(&json!([{"name": "N"}]), PurposeRule::Complete).unwrap_err();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("`content`"));
    }
}
