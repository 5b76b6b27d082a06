//! What a Client Update Request (CDS-WG1-02 §5.5, RFC 7592 §2.2) does to a Client object:
//! validated against the current object and the catalog, split into the changes that apply now
//! and those the server reviews first (`202 Accepted`). Pure.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use jiff::Timestamp;
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::clients::ClientModification;
use crate::cds::messages::ClientUpdateRequest;
use crate::cds::registration_fields;
use crate::cds::{
    AuthorizationServerMetadata, ClientObject, ClientStatus, RegistrationFieldType,
    ScopeDescription, ScopeType,
};

use crate::demo::api::common::bad;
use crate::demo::reply::ApiError;
use crate::demo::store::client_json;
use crate::demo::store::objects::RECEIPT_PATH;

use crate::demo::scopes::{as_set, check_value, details_types, registration_fields, scope_list};

/// §5.5 "Servers MUST NOT allow clients to update": accepted only with their current value.
const IMMUTABLE: [&str; 10] = [
    "client_id",
    "client_id_issued_at",
    "grant_types",
    "response_types",
    "token_endpoint_auth_method",
    "cds_created",
    "cds_modified",
    "cds_client_uri",
    "cds_server_metadata",
    "cds_status_options",
];

/// §5.5: never part of a Client object (§5.1); secrets are managed on the Credentials API.
const SECRET_FIELDS: [&str; 2] = ["client_secret", "client_secret_expires_at"];

/// Whether `scope` may be added to `client`. §4.2 groups scopes on one Client object only when
/// their response types, grant types and token endpoint auth method agree, and those three
/// fields are server-set and immutable (§5.5), so an added scope must fit them.
fn can_join(client: &ClientObject, scope: &ScopeDescription) -> Result<(), String> {
    if matches!(
        scope.scope_type,
        ScopeType::ClientAdmin | ScopeType::GrantAdmin
    ) {
        return Err(
            "administrative scopes live on their own Client objects (WG1-02 §4.2)".to_owned(),
        );
    }
    if as_set(&scope.response_types_supported) != as_set(&client.response_types)
        || as_set(&scope.grant_types_supported) != as_set(&client.grant_types)
    {
        return Err(
            "its response_types and grant_types differ from this Client object's; register it \
             on a new Client object instead (WG1-02 §4.2)"
                .to_owned(),
        );
    }
    let methods = &scope.token_endpoint_auth_methods_supported;
    let auth_ok = match &client.token_endpoint_auth_method {
        None => methods.is_empty(),
        Some(m) => methods.contains(m),
    };
    if !auth_ok {
        return Err(
            "it does not support this Client object's token_endpoint_auth_method".to_owned(),
        );
    }
    Ok(())
}

/// A redirect URI a code-flow client may register: absolute `https`, or `http` on a loopback IP
/// literal for native apps (RFC 8252 §7.3; `localhost` is not, §8.3), never with a fragment
/// (RFC 6749 §3.1.2).
fn check_redirect(uri: &str) -> Result<(), &'static str> {
    let u = Url::parse(uri).map_err(|_| "is not an absolute URL")?;
    if u.fragment().is_some() {
        return Err("must not contain a fragment (RFC 6749 §3.1.2)");
    }
    match (u.scheme(), u.host()) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(Host::Ipv4(ip))) if ip == Ipv4Addr::LOCALHOST => Ok(()),
        ("http", Some(Host::Ipv6(ip))) if ip == Ipv6Addr::LOCALHOST => Ok(()),
        ("http", _) => Err(
            "uses http; only https, or http on the loopback literals 127.0.0.1 and [::1] \
             (RFC 8252 §7.3), is accepted",
        ),
        _ => Err("must be an https URL, or http on 127.0.0.1 or [::1] (RFC 8252 §7.3)"),
    }
}

/// RFC 7591 §2 informational URLs (`client_uri`, `logo_uri`, `tos_uri`, `policy_uri`).
fn check_web_url(uri: &str) -> Result<(), &'static str> {
    if registration_fields::is_web_url(uri) {
        Ok(())
    } else {
        Err("must be an absolute http or https URL")
    }
}

/// Whether a submitted immutable field holds the current value (arrays compare as sets, the
/// timestamps as instants, so an echo of the object in another spelling still counts).
fn same_value(field: &str, submitted: &Value, current: Option<&Value>) -> bool {
    let Some(current) = current else {
        return submitted.is_null();
    };
    match (submitted, current) {
        (Value::String(a), Value::String(b))
            if field == "cds_created" || field == "cds_modified" =>
        {
            match (a.parse::<Timestamp>(), b.parse::<Timestamp>()) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let set = |v: &Vec<Value>| v.iter().map(Value::to_string).collect::<BTreeSet<_>>();
            a.len() == b.len() && set(a) == set(b)
        }
        _ => submitted == current,
    }
}

/// What a valid PUT does: the Client object after the synchronous changes, and the changes
/// the server reviews before applying (§5.5 `202 Accepted`).
pub(crate) struct ClientPlan {
    pub next: ClientObject,
    pub reviewed: Vec<ClientUpdateRequest>,
}

fn update_request(field: &str, previous: Value, new: Value) -> ClientUpdateRequest {
    ClientUpdateRequest {
        field: field.to_owned(),
        name: None,
        description: None,
        uri: None,
        previous_value: Some(previous),
        new_value: Some(new),
        extra: Map::new(),
    }
}

/// Validates a §5.5 Client Update Request against `current`. Pure, so the caller holds the
/// store lock across validation and commit.
///
/// Fields left out reset to the server default (§5.5): `client_name` to the `client_id`
/// (§5.1), `contacts` to `[]`, the RFC 7591 URLs to absent, `redirect_uris` to the receipt URI
/// the server created (§4.2) and the `cds_default_*` values to what registration set. `scope`,
/// `cds_status` and registration field values keep their current value when left out: their
/// "server default" is what the server last approved, and dropping a reviewed value would
/// itself need review.
pub(crate) fn plan_client_change(
    catalog: &AuthorizationServerMetadata,
    base: &str,
    current: &ClientObject,
    m: &ClientModification,
) -> Result<ClientPlan, ApiError> {
    check_fixed_fields(current, m)?;
    let mut next = current.clone();
    let mut reviewed = Vec::new();
    if let Some(status) = &m.cds_status {
        check_status(current, status)?;
        next.cds_status = status.clone();
    }
    let added = plan_scope(catalog, current, m, &mut next, &mut reviewed)?;
    check_details_types(catalog, current, &next, m)?;
    plan_redirect_uris(base, current, m, &mut next)?;
    if current.response_types.is_empty() {
        refuse_defaults(m)?;
    } else {
        plan_defaults(base, m, &mut next)?;
    }
    plan_metadata(current, m, &mut next)?;
    plan_field_values(catalog, current, &added, m, &mut reviewed)?;
    Ok(ClientPlan { next, reviewed })
}

fn meta(msg: String) -> ApiError {
    bad("invalid_client_metadata", msg)
}

/// Secrets are not part of a Client object, and the §5.5 immutable fields keep their value.
fn check_fixed_fields(current: &ClientObject, m: &ClientModification) -> Result<(), ApiError> {
    for f in SECRET_FIELDS {
        if m.extra.contains_key(f) {
            return Err(bad(
                "invalid_request",
                format!(
                    "`{f}` is not part of a Client object; manage secrets with the Credentials \
                     API (WG1-02 §5.5, §7)"
                ),
            ));
        }
    }
    let current_json = client_json(current, None);
    for f in IMMUTABLE {
        if let Some(v) = m.extra.get(f)
            && !same_value(f, v, current_json.get(f))
        {
            return Err(bad(
                "invalid_request",
                format!(
                    "`{f}` cannot be changed (WG1-02 §5.5); send its current value or leave it out"
                ),
            ));
        }
    }
    Ok(())
}

fn check_status(current: &ClientObject, status: &ClientStatus) -> Result<(), ApiError> {
    if current.cds_status_options.contains(status) {
        return Ok(());
    }
    let options: Vec<&str> = current
        .cds_status_options
        .iter()
        .map(|o| o.as_str())
        .collect();
    Err(meta(format!(
        "`cds_status` `{status}` is not one of cds_status_options ({})",
        options.join(", ")
    )))
}

/// Scope: a reduction applies now; an addition is reviewed (§5.5 202). Returns the added
/// scopes.
fn plan_scope(
    catalog: &AuthorizationServerMetadata,
    current: &ClientObject,
    m: &ClientModification,
    next: &mut ClientObject,
    reviewed: &mut Vec<ClientUpdateRequest>,
) -> Result<Vec<String>, ApiError> {
    let Some(requested) = m.scope.as_deref().map(scope_list) else {
        return Ok(Vec::new());
    };
    let current_scopes = scope_list(&current.scope);
    if let Some(unknown) = requested
        .iter()
        .find(|sc| !catalog.cds_scope_descriptions.contains_key(*sc))
    {
        return Err(meta(format!(
            "`scope`: `{unknown}` is not in cds_scope_descriptions"
        )));
    }
    let added: Vec<String> = requested
        .iter()
        .filter(|sc| !current_scopes.contains(sc))
        .cloned()
        .collect();
    let is_admin = current_scopes.iter().any(|sc| sc == CLIENT_ADMIN_SCOPE);
    if is_admin && (!requested.iter().any(|sc| sc == CLIENT_ADMIN_SCOPE) || !added.is_empty()) {
        return Err(meta(format!(
            "the Client Admin object's scope is `{CLIENT_ADMIN_SCOPE}` and stays so \
             (WG1-02 §4.2); other scopes live on their own Client objects"
        )));
    }
    for a in &added {
        if let Some(d) = catalog.cds_scope_descriptions.get(a) {
            check_added_scope(catalog, current, m, a, d)?;
        }
    }
    let kept: Vec<String> = current_scopes
        .iter()
        .filter(|sc| requested.contains(sc))
        .cloned()
        .collect();
    if kept != current_scopes {
        next.scope = kept.join(" ");
        next.authorization_details_types = details_types(catalog, &kept);
    }
    if !added.is_empty() {
        reviewed.push(update_request(
            "scope",
            Value::String(next.scope.clone()),
            Value::String(requested.join(" ")),
        ));
    }
    Ok(added)
}

/// An added scope fits the Client object, and its required registration fields have values
/// (§3.5). Files are not kept on the Client object, so they cannot be checked here.
fn check_added_scope(
    catalog: &AuthorizationServerMetadata,
    current: &ClientObject,
    m: &ClientModification,
    a: &str,
    d: &ScopeDescription,
) -> Result<(), ApiError> {
    can_join(current, d).map_err(|why| {
        meta(format!(
            "`scope`: `{a}` cannot join this Client object: {why}"
        ))
    })?;
    for id in &d.registration_requirements {
        if let Some(f) = catalog.cds_registration_fields.get(id)
            && f.field_type == RegistrationFieldType::RegistrationField
            && f.default.is_none()
            && !f.format.as_ref().is_some_and(|x| x.is_file())
            && let Some(name) = &f.field_name
            && current.extra.get(name).is_none_or(Value::is_null)
            && m.extra.get(name).is_none_or(Value::is_null)
        {
            return Err(meta(format!(
                "`scope`: `{a}` requires registration field `{name}` (`{id}`); include it"
            )));
        }
    }
    Ok(())
}

/// Server-set from the scopes (§3.4), like grant_types (§5.5): accepted when it matches the
/// current, the synchronously reduced, or the requested scopes.
fn check_details_types(
    catalog: &AuthorizationServerMetadata,
    current: &ClientObject,
    next: &ClientObject,
    m: &ClientModification,
) -> Result<(), ApiError> {
    let Some(types) = &m.authorization_details_types else {
        return Ok(());
    };
    let submitted = as_set(types);
    let requested_all = m
        .scope
        .as_deref()
        .map_or_else(|| scope_list(&current.scope), scope_list);
    let ok = submitted == as_set(&current.authorization_details_types)
        || submitted == as_set(&next.authorization_details_types)
        || submitted == as_set(&details_types(catalog, &requested_all));
    if ok {
        Ok(())
    } else {
        Err(meta(
            "`authorization_details_types` follows from `scope` (the scopes' \
             authorization_details_types_supported) and cannot be set on its own"
                .to_owned(),
        ))
    }
}

/// Redirect URIs (§4.1: only for Client objects with response types).
fn plan_redirect_uris(
    base: &str,
    current: &ClientObject,
    m: &ClientModification,
    next: &mut ClientObject,
) -> Result<(), ApiError> {
    let code_flow = !current.response_types.is_empty();
    let receipt = format!("{base}{RECEIPT_PATH}");
    match &m.redirect_uris {
        Some(list) if !code_flow => {
            if !list.is_empty() {
                return Err(bad(
                    "invalid_redirect_uri",
                    "`redirect_uris` applies only to Client objects whose response_types is not \
                     empty (WG1-02 §4.1)",
                ));
            }
        }
        Some(list) => {
            if list.is_empty() {
                return Err(bad(
                    "invalid_redirect_uri",
                    "a Client object with response_types needs at least one redirect URI \
                     (its cds_default_redirect_uri, WG1-02 §5.1)",
                ));
            }
            let mut uris: Vec<String> = Vec::new();
            for u in list {
                check_redirect(u).map_err(|why| {
                    bad(
                        "invalid_redirect_uri",
                        format!("`redirect_uris`: `{u}` {why}"),
                    )
                })?;
                if !uris.contains(u) {
                    uris.push(u.clone());
                }
            }
            next.redirect_uris = uris;
        }
        None => {
            next.redirect_uris = if code_flow { vec![receipt] } else { Vec::new() };
        }
    }
    Ok(())
}

/// The authorization-request defaults of a code-flow Client object (§5.1: present exactly when
/// response_types is not empty).
fn plan_defaults(
    base: &str,
    m: &ClientModification,
    next: &mut ClientObject,
) -> Result<(), ApiError> {
    let receipt = format!("{base}{RECEIPT_PATH}");
    next.cds_default_redirect_uri = Some(match &m.cds_default_redirect_uri {
        Some(u) if next.redirect_uris.contains(u) => u.clone(),
        Some(u) => {
            return Err(bad(
                "invalid_redirect_uri",
                format!("`cds_default_redirect_uri` `{u}` is not one of redirect_uris"),
            ));
        }
        None if next.redirect_uris.contains(&receipt) => receipt,
        None => next.redirect_uris.first().cloned().unwrap_or(receipt),
    });
    let scopes_now = scope_list(&next.scope);
    next.cds_default_scope = Some(match &m.cds_default_scope {
        Some(d) => {
            let list = scope_list(d);
            if list.is_empty() || list.iter().any(|sc| !scopes_now.contains(sc)) {
                return Err(meta(
                    "`cds_default_scope` must name one or more of the Client object's \
                     current scopes (scopes under review count once approved)"
                        .to_owned(),
                ));
            }
            list.join(" ")
        }
        None => next.scope.clone(),
    });
    next.cds_default_authorization_details = Some(match &m.cds_default_authorization_details {
        Some(list) => {
            let ok = list.iter().all(|d| {
                d.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| next.authorization_details_types.iter().any(|x| x == t))
            });
            if !ok {
                return Err(meta(
                    "every `cds_default_authorization_details` entry must be an object whose \
                     `type` is in authorization_details_types (RFC 9396 §2)"
                        .to_owned(),
                ));
            }
            list.clone()
        }
        None => Vec::new(),
    });
    Ok(())
}

/// Client objects without response types take no authorization-request defaults (§5.1).
fn refuse_defaults(m: &ClientModification) -> Result<(), ApiError> {
    for (name, present) in [
        ("cds_default_scope", m.cds_default_scope.is_some()),
        (
            "cds_default_redirect_uri",
            m.cds_default_redirect_uri.is_some(),
        ),
        (
            "cds_default_authorization_details",
            m.cds_default_authorization_details.is_some(),
        ),
    ] {
        if present {
            return Err(meta(format!(
                "`{name}` applies only to Client objects whose response_types is not empty \
                 (WG1-02 §5.1)"
            )));
        }
    }
    Ok(())
}

/// RFC 7591 §2 metadata.
fn plan_metadata(
    current: &ClientObject,
    m: &ClientModification,
    next: &mut ClientObject,
) -> Result<(), ApiError> {
    next.client_name = Some(match &m.client_name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            return Err(meta("`client_name` must be 1 to 200 characters".to_owned()));
        }
        Some(n) => n.clone(),
        None => current.client_id.clone(),
    });
    next.contacts = match &m.contacts {
        Some(list) if list.iter().any(|c| c.trim().is_empty()) => {
            return Err(meta("`contacts` entries must not be empty".to_owned()));
        }
        Some(list) => list.clone(),
        None => Vec::new(),
    };
    for (name, value) in [
        ("client_uri", &m.client_uri),
        ("logo_uri", &m.logo_uri),
        ("tos_uri", &m.tos_uri),
        ("policy_uri", &m.policy_uri),
    ] {
        match value {
            Some(u) => {
                check_web_url(u).map_err(|why| meta(format!("`{name}` {why}")))?;
                next.extra.insert(name.to_owned(), Value::String(u.clone()));
            }
            None => {
                next.extra.remove(name);
            }
        }
    }
    Ok(())
}

/// Registration field values (§3.5) of the object's scopes: validated now, reviewed before
/// they apply (the server checked them at registration, so it checks changes too). Other
/// unknown fields are ignored (RFC 7592 §2.2 leaves them to the server).
fn plan_field_values(
    catalog: &AuthorizationServerMetadata,
    current: &ClientObject,
    added: &[String],
    m: &ClientModification,
    reviewed: &mut Vec<ClientUpdateRequest>,
) -> Result<(), ApiError> {
    let mut field_scopes = scope_list(&current.scope);
    field_scopes.extend(added.iter().cloned());
    let fields = registration_fields(catalog, &field_scopes);
    for (key, value) in &m.extra {
        let Some(field) = fields.get(key.as_str()) else {
            continue;
        };
        check_value(field, value).map_err(|why| {
            meta(format!(
                "`{key}` (registration field `{}`): {why}",
                field.id
            ))
        })?;
        let previous = current.extra.get(key).cloned().unwrap_or(Value::Null);
        if *value != previous {
            reviewed.push(update_request(key, previous, value.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_policy() {
        for ok in [
            "https://app.example/cb",
            "http://127.0.0.1:8765/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:9000/cb",
        ] {
            assert!(check_redirect(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "http://localhost:8765/cb",
            "https://app.example/cb#frag",
            "/relative",
            "com.example.app:/cb",
        ] {
            assert!(check_redirect(bad).is_err(), "{bad}");
        }
    }
}
