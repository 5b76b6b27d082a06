//! The demo authorization server's use of RFC 9396 `authorization_details`: the parameter
//! parsed, then checked, defaulted, described and resolved by the rules the client shares
//! ([`crate::cds::authorization_details`]), with every problem folded into one
//! `invalid_authorization_details` description (RFC 9396 §5).

use jiff::Timestamp;
use serde_json::Value;

use crate::cds::authorization_details::{self as ad, Context};
pub use crate::cds::authorization_details::{
    HISTORICAL_FIELDS, Reading, add_scope_defaults, check_value, server_zone,
};
use crate::cds::{AuthorizationDetailsField, AuthorizationServerMetadata, ScopeDescription};

/// An `invalid_authorization_details` error (RFC 9396 §5) with a description that names each
/// entry, field and rule broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RarError(pub String);

impl std::fmt::Display for RarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A request's check context: the catalog, the Client object's scopes and
/// `authorization_details_types`, and "now" in the server's time zone.
pub struct RarContext<'a>(pub Context<'a>);

impl<'a> RarContext<'a> {
    pub fn new(
        catalog: &'a AuthorizationServerMetadata,
        client_scopes: Vec<&'a str>,
        client_types: &'a [String],
        now: Timestamp,
    ) -> Self {
        Self(Context::new(
            catalog,
            client_scopes,
            Some(client_types),
            now,
        ))
    }

    /// See [`Context::scope_for_type`].
    pub fn scope_for_type(
        &self,
        t: &str,
    ) -> Option<(&'a ScopeDescription, Vec<&'a AuthorizationDetailsField>)> {
        self.0.scope_for_type(t)
    }
}

/// Reads the `authorization_details` parameter: a JSON array of objects (RFC 9396 §2).
pub fn parse(text: &str) -> Result<Vec<Value>, RarError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) if items.iter().all(Value::is_object) => Ok(items),
        Ok(_) => Err(RarError(
            "`authorization_details` must be a JSON array of objects (RFC 9396 §2)".to_owned(),
        )),
        Err(e) => Err(RarError(format!(
            "`authorization_details` is not valid JSON (RFC 9396 §2): {e}"
        ))),
    }
}

/// Checks every entry; the entries with defaults filled in, or all problems in one error.
pub fn validate(details: &[Value], ctx: &RarContext<'_>) -> Result<Vec<Value>, RarError> {
    ad::validate_entries(details, &ctx.0).map_err(|problems| {
        RarError(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// WG3-01 §7.3: relative dates made absolute at approval time.
pub fn resolve_relative(details: &mut [Value], ctx: &RarContext<'_>) {
    ad::resolve_relative(details, &ctx.0);
}

/// Plain-words readings of an entry's fields for the consent page (CDS-WG3-01 §9.2).
pub fn describe(entry: &Value, ctx: &RarContext<'_>) -> Vec<Reading> {
    ad::describe(entry, &ctx.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_requires_array_of_objects() {
        assert!(parse("[{\"type\":\"a\"}]").is_ok());
        assert!(parse("{}").is_err());
        assert!(parse("[1]").is_err());
        assert!(parse("nope").is_err());
    }

    #[test]
    fn all_problems_in_one_description() {
        let catalog: AuthorizationServerMetadata = serde_json::from_value(
            crate::demo::documents::Documents::render("http://127.0.0.1:9")
                .unwrap()
                .oauth_metadata,
        )
        .unwrap();
        let types = vec!["dge_usage_electric".to_owned()];
        let ctx = RarContext::new(
            &catalog,
            vec!["dge_usage_electric"],
            &types,
            "2026-03-15T12:00:00Z".parse().unwrap(),
        );
        let e = validate(
            &[json!({"type": "dge_usage_electric", "dge_max_meters": 501, "purpose": "x"})],
            &ctx,
        )
        .unwrap_err();
        assert!(
            e.0.contains("dge_max_meters") && e.0.contains("`purpose`"),
            "{e}"
        );
    }
}
