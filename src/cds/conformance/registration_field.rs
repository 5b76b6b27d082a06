//! CDS-WG1-02 §3.5–3.7 on one registration field: id, type, and what a submitted field or a
//! payment requirement must carry.

use serde_json::{Map, Value};

use super::fields::{Kind, WG1_02_REG, check_fields, str_field};
use super::finding::{Report, Severity};
use crate::cds::auth_server_metadata::{RegistrationFieldFormat, RegistrationFieldType};

/// §3.5–3.7 on one registration field.
pub(super) fn check_registration_field(r: &mut Report, key: &str, f: &Value, base: &str) {
    let Some(o) = f.as_object() else {
        r.error(
            "regfield.not_object",
            WG1_02_REG,
            base,
            "registration field is not an object",
        );
        return;
    };
    check_fields(
        r,
        o,
        base,
        WG1_02_REG,
        "regfield",
        &[
            ("id", Kind::Str, true),
            ("type", Kind::Str, true),
            ("description", Kind::Str, true),
            ("documentation", Kind::Url, true),
            ("field_name", Kind::Str, false),
            ("format", Kind::Str, false),
            ("currency", Kind::Str, false),
        ],
    );
    if let Some(id) = str_field(o, "id")
        && id != key
    {
        r.error(
            "regfield.id_mismatch",
            WG1_02_REG,
            format!("{base}/id"),
            format!("registration field id `{id}` differs from its key `{key}`"),
        );
    }
    let Some(t) = str_field(o, "type").map(RegistrationFieldType::from) else {
        return;
    };
    match t {
        RegistrationFieldType::RegistrationField => check_submitted_field(r, key, o, base),
        RegistrationFieldType::PaymentRequired => check_payment(r, key, o, base),
        RegistrationFieldType::Other(ref other) => r.push(
            Severity::Info,
            "regfield.type_unknown",
            "CDS-WG1-02 §3.6",
            format!("{base}/type"),
            format!("`{key}`: type `{other}` is not defined by CDS-WG1-02"),
        ),
        _ => {}
    }
}

/// A `registration_field` names a `cds_` field and a format its limits apply to (§3.6, §3.7).
fn check_submitted_field(r: &mut Report, key: &str, o: &Map<String, Value>, base: &str) {
    match str_field(o, "field_name") {
        None => r.error(
            "regfield.field_name_missing",
            "CDS-WG1-02 §3.6",
            format!("{base}/field_name"),
            format!("`{key}` is a `registration_field` without `field_name`"),
        ),
        Some(n) if !n.starts_with("cds_") => r.error(
            "regfield.field_name_prefix",
            WG1_02_REG,
            format!("{base}/field_name"),
            format!("`{key}`: field_name `{n}` must start with `cds_`"),
        ),
        Some(_) => {}
    }
    match str_field(o, "format").map(RegistrationFieldFormat::from) {
        None => r.error(
            "regfield.format_missing",
            "CDS-WG1-02 §3.6",
            format!("{base}/format"),
            format!("`{key}` is a `registration_field` without `format`"),
        ),
        Some(fmt) => {
            if !fmt.is_known() {
                r.push(
                    Severity::Info,
                    "regfield.format_unknown",
                    "CDS-WG1-02 §3.7",
                    format!("{base}/format"),
                    format!("`{key}`: format `{fmt}` is not defined by CDS"),
                );
            }
            if o.contains_key("max_length") && !fmt.takes_max_length() {
                r.warning(
                    "regfield.max_length_ignored",
                    WG1_02_REG,
                    format!("{base}/max_length"),
                    format!("`{key}`: `max_length` does not apply to format `{fmt}`"),
                );
            }
            if o.contains_key("max_size") && !fmt.is_file() {
                r.warning(
                    "regfield.max_size_ignored",
                    WG1_02_REG,
                    format!("{base}/max_size"),
                    format!("`{key}`: `max_size` does not apply to format `{fmt}`"),
                );
            }
        }
    }
    for k in ["max_length", "max_size"] {
        if let Some(v) = o.get(k)
            && v.as_u64().is_none()
        {
            r.error(
                "regfield.field_type",
                WG1_02_REG,
                format!("{base}/{k}"),
                format!("`{key}`: `{k}` must be a positive integer"),
            );
        }
    }
}

/// A `payment_required` entry gives a decimal `amount` and an ISO 4217 `currency` (§3.6).
fn check_payment(r: &mut Report, key: &str, o: &Map<String, Value>, base: &str) {
    match o.get("amount") {
        None => r.error(
            "regfield.payment_amount_missing",
            "CDS-WG1-02 §3.6",
            format!("{base}/amount"),
            format!("`{key}` requires payment but gives no `amount`"),
        ),
        Some(v) if crate::cds::formats::decimal_from_json(v).is_none() => r.error(
            "regfield.field_type",
            WG1_02_REG,
            format!("{base}/amount"),
            format!("`{key}`: `amount` must be a decimal number"),
        ),
        Some(_) => {}
    }
    match str_field(o, "currency") {
        None => r.error(
            "regfield.payment_currency_missing",
            "CDS-WG1-02 §3.6",
            format!("{base}/currency"),
            format!("`{key}` requires payment but gives no `currency`"),
        ),
        Some(c) if !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase())) => r.warning(
            "regfield.currency_code",
            WG1_02_REG,
            format!("{base}/currency"),
            format!("`{key}`: `{c}` is not an ISO 4217 code"),
        ),
        Some(_) => {}
    }
}
