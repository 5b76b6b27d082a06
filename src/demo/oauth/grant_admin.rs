//! Grant Admin token approval (CDS-WG1-02 §3.3.2): which `client_credentials` requests with a
//! Grant Admin `authorization_details` entry may receive a token for an existing Grant.

use serde_json::Value;

use crate::cds::{AuthorizationServerMetadata, ScopeType};

use crate::demo::store::Store;

/// Why a Grant Admin request is refused: an RFC 6749 §5.2 / RFC 9396 §5 error code and text.
#[derive(Debug, PartialEq)]
pub struct Refusal {
    pub error: &'static str,
    pub description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal {
        error,
        description: description.into(),
    }
}

/// Checks the request's single `authorization_details` `entry` (shape already checked: one
/// entry, `client_id` and `grant_id` strings) against the store. `scopes` are the token
/// request's scopes, `registration` the requesting client's registration. Returns the Grant's
/// id, to be stored on the issued token.
pub fn approve(
    store: &Store,
    catalog: &AuthorizationServerMetadata,
    registration: &str,
    scopes: &[String],
    entry: &Value,
) -> Result<String, Refusal> {
    let field = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or_default();
    let admin_scope = field("type");
    // §3.3.2: the entry's `type` is the Grant Admin scope the token is requested for.
    let is_admin_scope = scopes.iter().any(|s| s == admin_scope)
        && catalog
            .cds_scope_descriptions
            .get(admin_scope)
            .is_some_and(|d| d.scope_type == ScopeType::GrantAdmin);
    if !is_admin_scope {
        return Err(refuse(
            "invalid_authorization_details",
            format!(
                "the entry's `type` must be the requested Grant Admin scope, not `{admin_scope}`"
            ),
        ));
    }
    let grant_id = field("grant_id");
    let client_id = field("client_id");
    // Grants of other registrations answer exactly like unknown ones.
    let Some(grant) = store
        .grants
        .iter()
        .find(|g| g.item.grant_id == grant_id && g.registration == registration)
        .map(|g| &g.item)
    else {
        return Err(refuse(
            "invalid_authorization_details",
            "no Grant of this registration has this `grant_id` (WG1-02 §3.3.2)",
        ));
    };
    if grant.client_id != client_id {
        return Err(refuse(
            "invalid_authorization_details",
            "the Grant was not issued to this `client_id` (WG1-02 §3.3.2)",
        ));
    }
    let enabled: Vec<&str> = grant.enabled_scope.split_ascii_whitespace().collect();
    // §3.3.2: an empty enabled scope means the Grant is disabled. §8.2 statuses that end all
    // access are refused as well, in case a Grant's enabled scope was not emptied with them.
    if enabled.is_empty() || grant.status.is_inaccessible() {
        return Err(refuse(
            "invalid_authorization_details",
            format!(
                "the Grant gives no access (status `{}`, empty enabled_scope)",
                grant.status
            ),
        ));
    }
    // §3.3.2: every enabled scope must name this Grant Admin scope as its `grant_admin_scope`.
    if let Some(other) = enabled.iter().find(|sc| {
        catalog
            .cds_scope_descriptions
            .get(**sc)
            .and_then(|d| d.grant_admin_scope.as_deref())
            != Some(admin_scope)
    }) {
        return Err(refuse(
            "invalid_scope",
            format!("the Grant's scope `{other}` is not administered by `{admin_scope}`"),
        ));
    }
    Ok(grant.grant_id.clone())
}
