//! The syntax of the identifiers and tokens a server hands out (RFC 6749 Appendix A: `client_id`
//! and `client_secret` are `*VSCHAR`, `access_token` and `refresh_token` `1*VSCHAR`, where VSCHAR
//! is printable ASCII %x20-7E). Checked where they enter — as a document decodes — so an id
//! carrying an escape sequence never reaches a terminal, a keyring account name or a log.

use serde::{Deserialize, Deserializer};

/// Why a value is not an identifier. The value itself is never quoted: it may be a secret or
/// hostile text.
pub fn check(kind: &str, value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!(
            "an empty {kind} is not usable (RFC 6749 Appendix A)"
        ));
    }
    match value
        .chars()
        .enumerate()
        .find(|(_, c)| !(' '..='~').contains(c))
    {
        Some((at, c)) => Err(format!(
            "not a valid {kind}: character U+{:04X} at position {} (RFC 6749 Appendix A allows \
             printable ASCII only)",
            c as u32,
            at + 1
        )),
        None => Ok(()),
    }
}

/// Whether `value` may be one component of a keyring account name
/// (`<profile>/<client_id>/<kind>`): an identifier without `/`, which would make the name
/// ambiguous.
pub fn check_account_component(kind: &str, value: &str) -> Result<(), String> {
    check(kind, value)?;
    if value.contains('/') {
        return Err(format!(
            "a {kind} containing `/` cannot name a keyring entry (<profile>/<client_id>/<kind>)"
        ));
    }
    Ok(())
}

fn checked<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<String, D::Error> {
    let value = String::deserialize(d)?;
    check(kind, &value).map_err(serde::de::Error::custom)?;
    Ok(value)
}

/// `deserialize_with` for a `client_id`.
pub fn client_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked("client_id", d)
}

/// `deserialize_with` for an `access_token` or `refresh_token`.
pub fn token<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    checked("token", d)
}

/// `deserialize_with` for an optional token or secret (`null` and absent stay `None`).
pub fn optional_token<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(v) => {
            check("token or secret", &v).map_err(serde::de::Error::custom)?;
            Ok(Some(v))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_only_and_the_value_never_quoted() {
        assert!(check("client_id", "abc-123_~ x").is_ok());
        let e = check("client_id", "x\u{1b}]52;c;AAAA\u{7}").unwrap_err();
        assert!(e.contains("U+001B at position 2"), "{e}");
        assert!(!e.contains("52;c"), "{e}");
        assert!(check("token", "").is_err());
        assert!(check("client_id", "é").is_err());
        assert!(check("client_id", "a\u{202E}b").is_err());
    }

    #[test]
    fn account_components_have_no_slash() {
        assert!(check_account_component("client_id", "abc").is_ok());
        let e = check_account_component("client_id", "a/b").unwrap_err();
        assert!(e.contains("keyring"), "{e}");
    }

    #[test]
    fn decoding_names_the_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            #[serde(deserialize_with = "client_id")]
            client_id: String,
        }
        let json = r#"{"client_id": "x\u001b[2Jy"}"#;
        let de = &mut serde_json::Deserializer::from_str(json);
        let e = serde_path_to_error::deserialize::<_, T>(de).unwrap_err();
        assert_eq!(e.path().to_string(), "client_id");
        assert!(e.to_string().contains("not a valid client_id"), "{e}");
    }
}
