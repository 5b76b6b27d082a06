//! The write side of the demo's management APIs behind `cds_client_admin` bearer tokens:
//! modifying Client objects (CDS-WG1-02 §5.5, RFC 7592 §2.2), creating and modifying Messages
//! (§6.9, §6.11), creating and modifying Credentials (§7.5, §7.6), the simulated review of
//! changes a server checks before applying, and the changelog Messages they leave (§5.3, §7.3).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::clients::ClientModification;
use crate::cds::messages::{
    ClientUpdateRequest, MessageAttachment, MessageCreate, MessageRelatedType, MessageStatus,
    MessageType,
};
use crate::cds::registration_fields;
use crate::cds::{
    AuthorizationServerMetadata, ClientObject, ClientStatus, Message, RegistrationField,
    RegistrationFieldType, ScopeDescription, ScopeType,
};

use super::DemoState;
use super::management::{authorize, not_found};
use super::registration::{
    MessageSpec, RECEIPT_PATH, build_credential, build_message, check_value, schedule_review,
    takes_secret,
};
use super::state::{
    ApiError, Store, client_json, credential_json, json_with_status, random_hex, random_secret,
};

/// Body cap on `POST /api/messages`. §6.9: the attachment limit must be at least 10 megabytes;
/// Base64 adds a third, plus the JSON around it. Other write endpoints keep axum's 2 MB default.
pub const MESSAGE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Decoded attachment bytes one Message may carry (§6.9: at least 10 megabytes).
const ATTACHMENT_LIMIT: usize = 10 * 1024 * 1024;

/// Unexpired Credentials one Client object may hold. §7.5 sets no limit; a careful utility
/// bounds them so a leaked admin token cannot mint secrets without end.
const MAX_ACTIVE_CREDENTIALS: usize = 10;

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

fn bad(error: &'static str, description: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, error, description.into())
}

fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Responses that carry a `client_secret` must not be cached (RFC 6749 §5.1 reasoning).
fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A request body as a JSON object: `application/json`, within the size limit (413 beyond).
fn json_object(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "the request body is larger than this server accepts".to_owned(),
            )
        } else {
            bad(
                "invalid_request",
                format!("the request body could not be read: {e}"),
            )
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(bad(
            "invalid_request",
            format!("the request body must be application/json (got `{content_type}`)"),
        ));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(bad(
            "invalid_request",
            "the request body must be a JSON object",
        )),
        Err(e) => Err(bad(
            "invalid_request",
            format!("the request body is not valid JSON: {e}"),
        )),
    }
}

/// The authenticated registration and the `client_id` of the admin Client object whose token
/// made the request (§6.9 `creator`).
struct Caller {
    registration: String,
    client_id: String,
}

fn caller(s: &DemoState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let registration = authorize(s, headers)?;
    // `authorize` accepted the header, so it is `Bearer <token>`.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim().to_owned())
        .unwrap_or_default();
    let client_id = s
        .registry
        .lock()
        .tokens
        .get(&token)
        .map(|t| t.client_id.clone());
    match client_id {
        Some(client_id) => Ok(Caller {
            registration,
            client_id,
        }),
        // Revoked between the two look-ups.
        None => Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            description: "the access token is unknown or revoked".to_owned(),
            challenge: Some("Bearer realm=\"cds-wizard demo\", error=\"invalid_token\"".to_owned()),
        }),
    }
}

/// A server-created `notification` (§6.2): the changelog entry §5.3 and §7.3 require.
fn notify(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    name: String,
    description: String,
    related: (String, MessageRelatedType),
) {
    let message = build_message(
        base,
        now,
        MessageSpec {
            message_type: MessageType::Notification,
            status: MessageStatus::Complete,
            name,
            description,
            related: Some(related),
            previous_uri: None,
            amount: None,
            currency: None,
        },
    );
    store.add_message(registration, message);
}

/// Space-separated scopes, each once, in order.
fn scope_list(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_ascii_whitespace() {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

fn as_set(items: &[String]) -> BTreeSet<&str> {
    items.iter().map(String::as_str).collect()
}

/// `authorization_details_types` of a Client object follows from its scopes, as at
/// registration: the union of their `authorization_details_types_supported` (§3.4).
fn details_types(catalog: &AuthorizationServerMetadata, scopes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in scopes
        .iter()
        .filter_map(|sc| catalog.cds_scope_descriptions.get(sc))
    {
        for t in &d.authorization_details_types_supported {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    }
    out
}

/// Registration fields (§3.5, type `registration_field`) of `scopes`, by `field_name`.
fn registration_fields<'a>(
    catalog: &'a AuthorizationServerMetadata,
    scopes: &[String],
) -> BTreeMap<&'a str, &'a RegistrationField> {
    let mut out = BTreeMap::new();
    for d in scopes
        .iter()
        .filter_map(|sc| catalog.cds_scope_descriptions.get(sc))
    {
        for id in d
            .registration_requirements
            .iter()
            .chain(&d.registration_optional)
        {
            if let Some(f) = catalog.cds_registration_fields.get(id)
                && f.field_type == RegistrationFieldType::RegistrationField
                && let Some(name) = &f.field_name
            {
                out.insert(name.as_str(), f);
            }
        }
    }
    out
}

fn is_file_field(catalog: &AuthorizationServerMetadata, field_name: &str) -> bool {
    catalog.cds_registration_fields.values().any(|f| {
        f.field_name.as_deref() == Some(field_name)
            && f.format.as_ref().is_some_and(|x| x.is_file())
    })
}

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
struct ClientPlan {
    next: ClientObject,
    reviewed: Vec<ClientUpdateRequest>,
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
fn plan_client_change(
    catalog: &AuthorizationServerMetadata,
    base: &str,
    current: &ClientObject,
    m: &ClientModification,
) -> Result<ClientPlan, ApiError> {
    let meta = |msg: String| bad("invalid_client_metadata", msg);
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

    let code_flow = !current.response_types.is_empty();
    let mut next = current.clone();
    let mut reviewed = Vec::new();

    if let Some(status) = &m.cds_status {
        if !current.cds_status_options.contains(status) {
            let options: Vec<&str> = current
                .cds_status_options
                .iter()
                .map(|o| o.as_str())
                .collect();
            return Err(meta(format!(
                "`cds_status` `{status}` is not one of cds_status_options ({})",
                options.join(", ")
            )));
        }
        next.cds_status = status.clone();
    }

    // Scope: a reduction applies now; an addition is reviewed (§5.5 202).
    let current_scopes = scope_list(&current.scope);
    let requested = m.scope.as_deref().map(scope_list);
    let mut added: Vec<String> = Vec::new();
    if let Some(requested) = &requested {
        if let Some(unknown) = requested
            .iter()
            .find(|sc| !catalog.cds_scope_descriptions.contains_key(*sc))
        {
            return Err(meta(format!(
                "`scope`: `{unknown}` is not in cds_scope_descriptions"
            )));
        }
        added = requested
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
            let Some(d) = catalog.cds_scope_descriptions.get(a) else {
                continue;
            };
            can_join(current, d).map_err(|why| {
                meta(format!(
                    "`scope`: `{a}` cannot join this Client object: {why}"
                ))
            })?;
            // The added scope's required registration fields must have values (§3.5). Files are
            // not kept on the Client object, so they cannot be checked here.
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
    }

    // Server-set from the scopes (§3.4), like grant_types (§5.5): accepted when it matches the
    // current, the synchronously reduced, or the requested scopes.
    if let Some(types) = &m.authorization_details_types {
        let submitted = as_set(types);
        let requested_all = requested.clone().unwrap_or_else(|| current_scopes.clone());
        let ok = submitted == as_set(&current.authorization_details_types)
            || submitted == as_set(&next.authorization_details_types)
            || submitted == as_set(&details_types(catalog, &requested_all));
        if !ok {
            return Err(meta(
                "`authorization_details_types` follows from `scope` (the scopes' \
                 authorization_details_types_supported) and cannot be set on its own"
                    .to_owned(),
            ));
        }
    }

    // Redirect URIs (§4.1: only for Client objects with response types).
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
            next.redirect_uris = if code_flow {
                vec![receipt.clone()]
            } else {
                Vec::new()
            };
        }
    }

    // The authorization-request defaults (§5.1: present exactly when response_types is not
    // empty).
    if code_flow {
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
    } else {
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
    }

    // RFC 7591 §2 metadata.
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

    // Registration field values (§3.5) of the object's scopes: validated now, reviewed before
    // they apply (the server checked them at registration, so it checks changes too). Other
    // unknown fields are ignored (RFC 7592 §2.2 leaves them to the server).
    let mut field_scopes = current_scopes.clone();
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
    Ok(ClientPlan { next, reviewed })
}

/// §7.1: a disabled Client object's Credentials expire at the time it was disabled; its access
/// tokens stop working with them.
fn disable_client(store: &mut Store, client_id: &str, now: Timestamp) {
    for c in store
        .credentials
        .iter_mut()
        .filter(|c| c.item.client_id == client_id)
    {
        c.item.client_secret_expires_at = Some(now.as_second());
        c.item.modified = now;
    }
    store.tokens.retain(|_, t| t.client_id != client_id);
}

/// `PUT /api/clients/{client_id}` (§5.5).
pub async fn modify_client(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(modify_client_inner(&s, &headers, &id, body))
}

fn modify_client_inner(
    s: &Arc<DemoState>,
    headers: &HeaderMap,
    id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = authorize(s, headers)?;
    let mine = |store: &Store| {
        store
            .clients
            .iter()
            .position(|r| r.registration == registration && r.item.client_id == id)
    };
    if mine(&s.registry.lock()).is_none() {
        return Ok(not_found("Client object"));
    }
    let raw = json_object(headers, body)?;
    let m: ClientModification = serde_json::from_value(Value::Object(raw)).map_err(|e| {
        bad(
            "invalid_client_metadata",
            format!("the Client object does not parse: {e}"),
        )
    })?;
    let catalog = s.registry.catalog(&s.documents)?;
    let base = s.base_url.as_str();
    let now = s.registry.now();

    let mut store = s.registry.lock();
    let Some(index) = mine(&store) else {
        return Ok(not_found("Client object"));
    };
    let current = store.clients[index].item.clone();
    let ClientPlan { mut next, reviewed } = plan_client_change(catalog, base, &current, &m)?;
    let changed = next != current;
    if changed {
        next.cds_modified = now;
    }
    let disabling =
        current.cds_status != ClientStatus::Disabled && next.cds_status == ClientStatus::Disabled;
    store.clients[index].item = next.clone();
    let client_uri = next.cds_client_uri.to_string();
    if disabling {
        disable_client(&mut store, &next.client_id, now);
    }
    if changed {
        let mut description = format!("Client object {} was modified.", next.client_id);
        if disabling {
            description.push_str(
                " It is disabled: its Credentials expired and its access tokens were revoked.",
            );
        }
        notify(
            &mut store,
            base,
            now,
            &registration,
            "Client object modified".to_owned(),
            description,
            (client_uri.clone(), MessageRelatedType::Client),
        );
    }
    let review = if reviewed.is_empty() {
        None
    } else {
        let fields: Vec<&str> = reviewed.iter().map(|u| u.field.as_str()).collect();
        let mut message = build_message(
            base,
            now,
            MessageSpec {
                message_type: MessageType::FieldChanges,
                status: MessageStatus::Pending,
                name: "Client object changes under review".to_owned(),
                description: format!(
                    "Changes to {} of Client object {} need review before they apply.",
                    fields.join(", "),
                    next.client_id
                ),
                related: Some((client_uri, MessageRelatedType::Client)),
                previous_uri: None,
                amount: None,
                currency: None,
            },
        );
        message.updates_requested = Some(reviewed);
        let message_id = message.message_id.clone();
        store.add_message(&registration, message);
        Some(message_id)
    };
    drop(store);
    let status = match review {
        Some(message_id) => {
            schedule_field_review(s.clone(), registration, next.client_id.clone(), message_id);
            StatusCode::ACCEPTED
        }
        None => StatusCode::OK,
    };
    Ok(json_with_status(status, &client_json(&next, None)))
}

/// After `review_delay`, approves a `field_changes` Message (§6.3 `complete`): adds the
/// reviewed scopes, stores the registration field values (files stay off the Client object,
/// as at registration), and notes the change in the changelog (§5.3).
fn schedule_field_review(
    s: Arc<DemoState>,
    registration: String,
    client_id: String,
    message_id: String,
) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let Ok(catalog) = s.registry.catalog(&s.documents) else {
            return;
        };
        let now = s.registry.now();
        let mut store = s.registry.lock();
        let Some(mi) = store.messages.iter().position(|m| {
            m.registration == registration
                && m.item.message_id == message_id
                && m.item.status == MessageStatus::Pending
        }) else {
            return;
        };
        let Some(ci) = store
            .clients
            .iter()
            .position(|c| c.registration == registration && c.item.client_id == client_id)
        else {
            return;
        };
        let updates = store.messages[mi]
            .item
            .updates_requested
            .clone()
            .unwrap_or_default();
        let client = &mut store.clients[ci].item;
        for u in &updates {
            let new = u.new_value.clone().unwrap_or(Value::Null);
            if u.field == "scope" {
                // Only the additions: a reduction made since then stays.
                let previous = scope_list(
                    u.previous_value
                        .as_ref()
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                );
                let mut scopes = scope_list(&client.scope);
                for sc in scope_list(new.as_str().unwrap_or("")) {
                    if !previous.contains(&sc) && !scopes.contains(&sc) {
                        scopes.push(sc);
                    }
                }
                client.scope = scopes.join(" ");
                client.authorization_details_types = details_types(catalog, &scopes);
            } else if !is_file_field(catalog, &u.field) {
                client.extra.insert(u.field.clone(), new);
            }
        }
        client.cds_modified = now;
        let client_uri = client.cds_client_uri.to_string();
        let message = &mut store.messages[mi].item;
        message.status = MessageStatus::Complete;
        message.modified = now;
        notify(
            &mut store,
            &s.base_url,
            now,
            &registration,
            "Client object changes approved".to_owned(),
            format!("The reviewed changes to Client object {client_id} were approved and applied."),
            (client_uri, MessageRelatedType::Client),
        );
    });
}

/// The related type of a `related_uri` the Client did not type (§6.1 requires one): the demo's
/// own API objects by path, anything else `more_info`.
fn infer_related_type(base: &str, uri: &Url) -> MessageRelatedType {
    let Some(path) = uri.as_str().strip_prefix(base) else {
        return MessageRelatedType::MoreInfo;
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    for (prefix, list, one) in [
        (
            "/api/clients",
            MessageRelatedType::ClientList,
            MessageRelatedType::Client,
        ),
        (
            "/api/messages",
            MessageRelatedType::MessageList,
            MessageRelatedType::Message,
        ),
        (
            "/api/credentials",
            MessageRelatedType::CredentialList,
            MessageRelatedType::Credential,
        ),
        (
            "/api/grants",
            MessageRelatedType::GrantList,
            MessageRelatedType::Grant,
        ),
    ] {
        if path == prefix {
            return list;
        }
        if path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
        {
            return one;
        }
    }
    MessageRelatedType::MoreInfo
}

/// §6.7 attachments: named, typed, Base64, and in total within the size limit (413, §6.9).
fn check_attachments(list: Option<&[MessageAttachment]>) -> Result<(), ApiError> {
    let mut total = 0usize;
    for (i, a) in list.unwrap_or_default().iter().enumerate() {
        if a.filename.trim().is_empty() {
            return Err(bad(
                "invalid_request",
                format!("attachment {i}: `filename` is empty"),
            ));
        }
        if !a.mime_type.contains('/') {
            return Err(bad(
                "invalid_request",
                format!("attachment {i}: `mime_type` must be a MIME type such as application/pdf"),
            ));
        }
        let compact: String = a
            .data
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT
            .decode(compact.as_bytes())
            .map_err(|e| {
                bad(
                    "invalid_request",
                    format!("attachment {i}: `data` is not Base64: {e}"),
                )
            })?;
        total = total.saturating_add(bytes.len());
        if total > ATTACHMENT_LIMIT {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                format!(
                    "attachments exceed this server's limit of {ATTACHMENT_LIMIT} bytes (WG1-02 §6.9)"
                ),
            ));
        }
    }
    Ok(())
}

/// What to do once a `production_request` is stored (§6.9: the server reviews and answers with
/// a `request_update`).
enum ProductionAnswer {
    /// A review of this sandbox object is already pending; it answers every request for it.
    AlreadyPending,
    /// The registration already has an equivalent production Client object: point to it.
    Existing { production_uri: String },
    /// Review and create the production copy (the internal review's path).
    Review { sandbox_id: String },
}

/// `POST /api/messages` (§6.9).
pub async fn create_message(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(create_message_inner(&s, &headers, body))
}

fn create_message_inner(
    s: &Arc<DemoState>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    use MessageType as T;
    let who = caller(s, headers)?;
    let raw = json_object(headers, body)?;
    let req: MessageCreate = serde_json::from_value(Value::Object(raw)).map_err(|e| {
        bad(
            "invalid_request",
            format!(
                "the Message does not parse (WG1-02 §6.9 needs type, name and description): {e}"
            ),
        )
    })?;
    let kind = req.message_type.clone();
    if !matches!(
        kind,
        T::PrivateMessage
            | T::ProductionRequest
            | T::SupportRequest
            | T::GrantRequest
            | T::ClientSubmission
    ) {
        return Err(bad(
            "invalid_request",
            format!(
                "`type` `{kind}` cannot be created by a Client; use private_message, \
                 production_request, support_request, grant_request or client_submission \
                 (WG1-02 §6.9)"
            ),
        ));
    }
    check_attachments(req.attachments.as_deref())?;
    if req.updates_requested.is_some() && kind != T::ClientSubmission {
        return Err(bad(
            "invalid_request",
            "`updates_requested` belongs only to client_submission Messages (WG1-02 §6.9)",
        ));
    }
    if req.grants_requested.is_some() && kind != T::GrantRequest {
        return Err(bad(
            "invalid_request",
            "`grants_requested` belongs only to grant_request Messages (WG1-02 §6.9)",
        ));
    }
    if req.related_type.is_some() && req.related_uri.is_none() {
        return Err(bad(
            "invalid_request",
            "`related_type` describes `related_uri`, which is missing (WG1-02 §6.1)",
        ));
    }
    let catalog = s.registry.catalog(&s.documents)?;
    let base = s.base_url.as_str();
    let now = s.registry.now();

    let mut store = s.registry.lock();
    let previous: Option<Message> = match &req.previous_uri {
        None => None,
        Some(u) => match store
            .messages
            .iter()
            .find(|m| m.registration == who.registration && m.item.uri == *u)
        {
            Some(m) => Some(m.item.clone()),
            None => {
                return Err(bad(
                    "invalid_request",
                    "`previous_uri` is not the uri of a Message of this registration",
                ));
            }
        },
    };
    let mut related_type = req.related_type.clone();
    let mut answer = None;
    match kind {
        T::PrivateMessage | T::SupportRequest
            if req.name.trim().is_empty() || req.description.trim().is_empty() =>
        {
            return Err(bad(
                "invalid_request",
                "`name` (the subject) and `description` (the body) must not be empty \
                 (WG1-02 §6.9)",
            ));
        }
        T::ClientSubmission => {
            let Some(prev) = previous
                .as_ref()
                .filter(|p| p.message_type == T::ServerRequest)
            else {
                return Err(bad(
                    "invalid_request",
                    "a client_submission's `previous_uri` must be the uri of a server_request \
                     Message (WG1-02 §6.9)",
                ));
            };
            if !req.name.is_empty() || !req.description.is_empty() {
                return Err(bad(
                    "invalid_request",
                    "a client_submission's `name` and `description` must be \"\" (WG1-02 §6.9)",
                ));
            }
            let updates = req.updates_requested.as_deref().unwrap_or_default();
            if updates.is_empty() {
                return Err(bad(
                    "invalid_request",
                    "a client_submission needs `updates_requested` (WG1-02 §6.9)",
                ));
            }
            let asked: Vec<&str> = prev
                .updates_requested
                .iter()
                .flatten()
                .map(|u| u.field.as_str())
                .collect();
            for u in updates {
                if !asked.contains(&u.field.as_str()) {
                    return Err(bad(
                        "invalid_request",
                        format!(
                            "`updates_requested`: the server_request did not ask for `{}`",
                            u.field
                        ),
                    ));
                }
                if u.description.is_none() && u.uri.is_none() {
                    return Err(bad(
                        "invalid_request",
                        format!(
                            "`updates_requested`: `{}` needs a `description` or `uri`",
                            u.field
                        ),
                    ));
                }
            }
        }
        T::ProductionRequest => {
            let target = req.related_uri.as_ref().and_then(|u| {
                store
                    .clients
                    .iter()
                    .find(|c| c.registration == who.registration && c.item.cds_client_uri == *u)
            });
            let Some(target) = target.map(|c| c.item.clone()) else {
                return Err(bad(
                    "invalid_request",
                    "a production_request's `related_uri` must be the cds_client_uri of a \
                     sandbox Client object of this registration (WG1-02 §6.9)",
                ));
            };
            if !target.cds_status_options.contains(&ClientStatus::Sandbox) {
                return Err(bad(
                    "invalid_request",
                    "the `related_uri` Client object has no `sandbox` in cds_status_options",
                ));
            }
            if target.cds_status == ClientStatus::Disabled {
                return Err(bad(
                    "invalid_request",
                    "the `related_uri` Client object is disabled",
                ));
            }
            if related_type
                .as_ref()
                .is_some_and(|t| *t != MessageRelatedType::Client)
            {
                return Err(bad(
                    "invalid_request",
                    "a production_request's `related_type` is `client`",
                ));
            }
            related_type = Some(MessageRelatedType::Client);
            let target_uri = target.cds_client_uri.to_string();
            let pending = store.messages.iter().any(|m| {
                m.registration == who.registration
                    && m.item.message_type == T::ProductionRequest
                    && m.item.status == MessageStatus::Pending
                    && m.item.related_uri.as_ref().map(Url::as_str) == Some(target_uri.as_str())
            });
            let existing = store.clients.iter().find(|c| {
                c.registration == who.registration
                    && c.item
                        .cds_status_options
                        .contains(&ClientStatus::Production)
                    && c.item.cds_status != ClientStatus::Disabled
                    && as_set(&scope_list(&c.item.scope)) == as_set(&scope_list(&target.scope))
                    && as_set(&c.item.response_types) == as_set(&target.response_types)
            });
            answer = Some(if pending {
                ProductionAnswer::AlreadyPending
            } else if let Some(p) = existing {
                ProductionAnswer::Existing {
                    production_uri: p.item.cds_client_uri.to_string(),
                }
            } else {
                ProductionAnswer::Review {
                    sandbox_id: target.client_id,
                }
            });
        }
        T::GrantRequest => {
            let grants = req.grants_requested.as_deref().unwrap_or_default();
            if grants.is_empty() {
                return Err(bad(
                    "invalid_request",
                    "a grant_request needs `grants_requested` (WG1-02 §6.9)",
                ));
            }
            // §6.6: detail types must be the Client object's; the one in `related_uri` (any
            // registration: third-party grants), else any of this registration's.
            let types: Vec<String> = match &req.related_uri {
                Some(u) => match store.clients.iter().find(|c| c.item.cds_client_uri == *u) {
                    Some(c) => c.item.authorization_details_types.clone(),
                    None => {
                        return Err(bad(
                            "invalid_request",
                            "a grant_request's `related_uri` must be a Client object's cds_client_uri",
                        ));
                    }
                },
                None => store
                    .clients
                    .iter()
                    .filter(|c| c.registration == who.registration)
                    .flat_map(|c| c.item.authorization_details_types.clone())
                    .collect(),
            };
            for g in grants {
                let scopes = scope_list(&g.scope);
                if scopes.is_empty()
                    || scopes
                        .iter()
                        .any(|sc| !catalog.cds_scope_descriptions.contains_key(sc))
                {
                    return Err(bad(
                        "invalid_request",
                        format!(
                            "`grants_requested`: scope `{}` is not in cds_scope_descriptions",
                            g.scope
                        ),
                    ));
                }
                let ok = g.authorization_details.iter().all(|d| {
                    d.get("type")
                        .and_then(Value::as_str)
                        .is_some_and(|t| types.iter().any(|x| x == t))
                });
                if !ok {
                    return Err(bad(
                        "invalid_request",
                        "`grants_requested`: every authorization_details entry must be an object \
                         whose `type` is in the Client object's authorization_details_types \
                         (WG1-02 §6.6)",
                    ));
                }
            }
            if req.related_uri.is_some() {
                if related_type
                    .as_ref()
                    .is_some_and(|t| *t != MessageRelatedType::Client)
                {
                    return Err(bad(
                        "invalid_request",
                        "a grant_request's `related_type` is `client`",
                    ));
                }
                related_type = Some(MessageRelatedType::Client);
            }
        }
        _ => {}
    }
    if let Some(u) = &req.related_uri
        && related_type.is_none()
    {
        related_type = Some(infer_related_type(base, u));
    }

    let message_id = random_hex(8);
    let uri = Url::parse(&format!("{base}/api/messages/{message_id}")).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            e.to_string(),
        )
    })?;
    let message = Message {
        message_id,
        uri,
        previous_uri: req.previous_uri,
        message_type: kind.clone(),
        // §6.9: "Always set to `true`" for Client-created Messages (the Client wrote it).
        read: true,
        creator: Some(who.client_id),
        created: now,
        modified: now,
        status: match kind {
            T::PrivateMessage | T::ClientSubmission => MessageStatus::Complete,
            _ => MessageStatus::Pending,
        },
        name: req.name,
        description: req.description,
        updates_requested: req.updates_requested,
        grants_requested: req.grants_requested,
        attachments: req.attachments,
        related_uri: req.related_uri,
        related_type,
        amount: None,
        currency: None,
        extra: Map::new(),
    };
    store.add_message(&who.registration, message.clone());
    // §6.9: a client_submission moves an `open` server_request to `pending`.
    if let (T::ClientSubmission, Some(prev)) = (&kind, &previous)
        && let Some(m) = store
            .messages
            .iter_mut()
            .find(|m| m.registration == who.registration && m.item.message_id == prev.message_id)
        && m.item.status == MessageStatus::Open
    {
        m.item.status = MessageStatus::Pending;
        m.item.modified = now;
    }
    drop(store);
    match answer {
        Some(ProductionAnswer::Review { sandbox_id }) => {
            schedule_review(s.clone(), vec![sandbox_id])
        }
        Some(ProductionAnswer::Existing { production_uri }) => {
            schedule_existing_answer(
                s.clone(),
                who.registration,
                message.message_id.clone(),
                production_uri,
            );
        }
        Some(ProductionAnswer::AlreadyPending) | None => {}
    }
    Ok(json_with_status(StatusCode::CREATED, &message))
}

/// After `review_delay`, answers a `production_request` whose production Client object exists
/// already: `complete`, linking it (§6.3), with the `request_update` §6.9 requires.
fn schedule_existing_answer(
    s: Arc<DemoState>,
    registration: String,
    message_id: String,
    production_uri: String,
) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let now = s.registry.now();
        let mut store = s.registry.lock();
        let Some(m) = store
            .messages
            .iter_mut()
            .find(|m| m.registration == registration && m.item.message_id == message_id)
        else {
            return;
        };
        m.item.status = MessageStatus::Complete;
        m.item.related_uri = Url::parse(&production_uri).ok();
        m.item.related_type = Some(MessageRelatedType::Client);
        m.item.modified = now;
        let previous = m.item.uri.clone();
        let update = build_message(
            &s.base_url,
            now,
            MessageSpec {
                message_type: MessageType::RequestUpdate,
                status: MessageStatus::Complete,
                name: "Production access review complete".to_owned(),
                description: "A production Client object for these scopes already exists."
                    .to_owned(),
                related: Some((production_uri, MessageRelatedType::Client)),
                previous_uri: Some(previous),
                amount: None,
                currency: None,
            },
        );
        store.add_message(&registration, update);
    });
}

/// `PATCH /api/messages/{message_id}` (§6.11): only `read` changes; other fields are ignored.
pub async fn modify_message(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(modify_message_inner(&s, &headers, &id, body))
}

fn modify_message_inner(
    s: &DemoState,
    headers: &HeaderMap,
    id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = authorize(s, headers)?;
    let mine = |store: &Store| {
        store
            .messages
            .iter()
            .position(|r| r.registration == registration && r.item.message_id == id)
    };
    if mine(&s.registry.lock()).is_none() {
        return Ok(not_found("Message"));
    }
    let raw = json_object(headers, body)?;
    let read = match raw.get("read") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(bad(
                "invalid_request",
                "`read` must be true or false (WG1-02 §6.11)",
            ));
        }
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(index) = mine(&store) else {
        return Ok(not_found("Message"));
    };
    let message = &mut store.messages[index].item;
    // `modified` moves only on a real change, so a repeated PATCH does not reorder listings.
    if let Some(read) = read
        && message.read != read
    {
        message.read = read;
        message.modified = now;
    }
    Ok(json_with_status(StatusCode::OK, &*message))
}

/// `POST /api/credentials` (§7.5): a fresh secret for one of the registration's Client objects.
pub async fn create_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(create_credential_inner(&s, &headers, body))
}

fn create_credential_inner(
    s: &DemoState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = authorize(s, headers)?;
    let raw = json_object(headers, body)?;
    let Some(Value::String(client_id)) = raw.get("client_id") else {
        return Err(bad(
            "invalid_request",
            "`client_id` (a string) is required (WG1-02 §7.5)",
        ));
    };
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let mut store = s.registry.lock();
    // §7.5 names 400 for invalid values: a client_id outside this registration is one.
    let Some(client) = store
        .clients
        .iter()
        .find(|c| c.registration == registration && c.item.client_id == *client_id)
        .map(|c| c.item.clone())
    else {
        return Err(bad(
            "invalid_request",
            "`client_id` is not a Client object of this registration",
        ));
    };
    if client.cds_status == ClientStatus::Disabled {
        return Err(bad("invalid_request", "the Client object is disabled"));
    }
    if !takes_secret(&client) {
        return Err(bad(
            "invalid_request",
            "the Client object's token_endpoint_auth_method uses no client secret",
        ));
    }
    let active = store
        .credentials
        .iter()
        .filter(|c| {
            c.item.client_id == client.client_id
                && c.item
                    .client_secret_expires_at
                    .is_none_or(|t| t == 0 || t > now.as_second())
        })
        .count();
    if active >= MAX_ACTIVE_CREDENTIALS {
        return Err(bad(
            "invalid_request",
            format!(
                "the Client object already has {MAX_ACTIVE_CREDENTIALS} unexpired Credentials; \
                 expire one first (WG1-02 §7.6)"
            ),
        ));
    }
    let credential = build_credential(base, now, &client, random_secret());
    store.add_credential(&registration, credential.clone());
    notify(
        &mut store,
        base,
        now,
        &registration,
        "Credential added".to_owned(),
        format!(
            "Credential {} was added for Client object {}.",
            credential.credential_id, client.client_id
        ),
        (credential.uri.to_string(), MessageRelatedType::Credential),
    );
    Ok(no_store(json_with_status(
        StatusCode::CREATED,
        &credential_json(&credential),
    )))
}

/// `PATCH /api/credentials/{credential_id}` (§7.6): `client_secret_expires_at` moves earlier
/// only; at or before now the secret stops working and its tokens are revoked.
pub async fn modify_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(modify_credential_inner(&s, &headers, &id, body))
}

/// The new `client_secret_expires_at` (`None`: unchanged), and whether it expires now.
///
/// §7.6 accepts values from now up to the current one (any future value, or `0`, while the
/// current is `0`) and also speaks of values "equal to or less than the current time" as
/// disabling the secret. Since a client cannot hit the server's "now" exactly, a past value is
/// read as "expire now" and recorded as the server's now, the moment the secret stopped working.
fn next_expiry(
    current: i64,
    requested: i64,
    now: i64,
) -> Result<Option<(i64, bool)>, &'static str> {
    if requested < 0 {
        return Err("`client_secret_expires_at` must be 0 or a Unix timestamp");
    }
    let expired = current != 0 && current <= now;
    if expired {
        return if requested == current || (requested != 0 && requested <= now) {
            Ok(None)
        } else {
            Err("this Credential has expired and cannot be revived; create a new one (WG1-02 §7.5)")
        };
    }
    if requested == current {
        return Ok(None);
    }
    if requested == 0 {
        return Err(
            "`0` (never expires) is accepted only while the current value is 0 (WG1-02 §7.6)",
        );
    }
    if requested <= now {
        return Ok(Some((now, true)));
    }
    if current == 0 || requested <= current {
        return Ok(Some((requested, false)));
    }
    Err("`client_secret_expires_at` may only move earlier (WG1-02 §7.6)")
}

fn modify_credential_inner(
    s: &DemoState,
    headers: &HeaderMap,
    id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = authorize(s, headers)?;
    let mine = |store: &Store| {
        store
            .credentials
            .iter()
            .position(|r| r.registration == registration && r.item.credential_id == id)
    };
    if mine(&s.registry.lock()).is_none() {
        return Ok(not_found("Credential"));
    }
    let raw = json_object(headers, body)?;
    let requested = match raw.get("client_secret_expires_at") {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            bad(
                "invalid_request",
                "`client_secret_expires_at` must be an integer Unix timestamp (RFC 7591 §3.2.1)",
            )
        })?),
    };
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(index) = mine(&store) else {
        return Ok(not_found("Credential"));
    };
    let current = store.credentials[index]
        .item
        .client_secret_expires_at
        .unwrap_or(0);
    let change = match requested {
        None => None,
        Some(r) => {
            next_expiry(current, r, now.as_second()).map_err(|why| bad("invalid_request", why))?
        }
    };
    if let Some((value, expire_now)) = change {
        let credential = &mut store.credentials[index].item;
        credential.client_secret_expires_at = Some(value);
        credential.modified = now;
        let (credential_id, client_id, uri) = (
            credential.credential_id.clone(),
            credential.client_id.clone(),
            credential.uri.to_string(),
        );
        if expire_now {
            // §7.6: the Credential counts as compromised; its tokens go. Tokens without a
            // recorded Credential are revoked too, erring on the safe side.
            store.tokens.retain(|_, t| {
                t.client_id != client_id
                    || t.credential_id
                        .as_deref()
                        .is_some_and(|c| c != credential_id)
            });
        }
        notify(
            &mut store,
            base,
            now,
            &registration,
            "Credential modified".to_owned(),
            if expire_now {
                format!(
                    "Credential {credential_id} of Client object {client_id} expired; its access tokens were revoked."
                )
            } else {
                format!(
                    "Credential {credential_id} of Client object {client_id} now expires at {value}."
                )
            },
            (uri, MessageRelatedType::Credential),
        );
    }
    let credential = store.credentials[index].item.clone();
    Ok(no_store(json_with_status(
        StatusCode::OK,
        &credential_json(&credential),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoOptions;
    use crate::demo::state::AccessToken;

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

    #[test]
    fn expiry_moves_earlier_only() {
        let now = 1_000;
        assert_eq!(next_expiry(0, 0, now), Ok(None));
        assert_eq!(next_expiry(0, 5_000, now), Ok(Some((5_000, false))));
        assert_eq!(next_expiry(5_000, 4_000, now), Ok(Some((4_000, false))));
        assert!(next_expiry(5_000, 6_000, now).is_err());
        assert!(next_expiry(5_000, 0, now).is_err());
        assert_eq!(next_expiry(0, now, now), Ok(Some((now, true))));
        assert_eq!(next_expiry(0, 10, now), Ok(Some((now, true))));
        assert!(next_expiry(0, -1, now).is_err());
        // Already expired: nothing revives it.
        assert_eq!(next_expiry(900, 950, now), Ok(None));
        assert!(next_expiry(900, 0, now).is_err());
        assert!(next_expiry(900, 2_000, now).is_err());
    }

    /// A client_submission answers a server_request (no demo flow creates one yet, so the
    /// request is seeded into the store).
    #[test]
    fn client_submission_answers_a_server_request() {
        let s = Arc::new(DemoState::new("http://127.0.0.1:9", DemoOptions::default()).unwrap());
        let now = s.registry.now();
        let mut server_request = build_message(
            &s.base_url,
            now,
            MessageSpec {
                message_type: MessageType::ServerRequest,
                status: MessageStatus::Open,
                name: "Tax form".to_owned(),
                description: "Send your W-9".to_owned(),
                related: None,
                previous_uri: None,
                amount: None,
                currency: None,
            },
        );
        server_request.updates_requested = Some(vec![ClientUpdateRequest {
            field: "w9".to_owned(),
            name: Some("W-9".to_owned()),
            description: Some("Your W-9".to_owned()),
            uri: None,
            previous_value: None,
            new_value: None,
            extra: Map::new(),
        }]);
        {
            let mut store = s.registry.lock();
            store.add_message("reg", server_request.clone());
            store.tokens.insert(
                "tok".to_owned(),
                AccessToken {
                    client_id: "admin".to_owned(),
                    registration: "reg".to_owned(),
                    scopes: vec![CLIENT_ADMIN_SCOPE.to_owned()],
                    expires_at: now
                        .checked_add(jiff::SignedDuration::from_secs(60))
                        .unwrap(),
                    authorization_details: None,
                    credential_id: None,
                    grant_id: None,
                },
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer tok"),
        );
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let post = |body: Value| {
            create_message_inner(&s, &headers, Ok(Bytes::from(body.to_string())))
                .unwrap_or_else(IntoResponse::into_response)
                .status()
        };
        let submission = |field: &str, name: &str| {
            serde_json::json!({
                "type": "client_submission", "previous_uri": server_request.uri,
                "name": name, "description": "",
                "updates_requested": [{"field": field, "description": "attached"}],
            })
        };
        assert_eq!(post(submission("other", "")), StatusCode::BAD_REQUEST);
        assert_eq!(post(submission("w9", "subject")), StatusCode::BAD_REQUEST);
        assert_eq!(post(submission("w9", "")), StatusCode::CREATED);
        let store = s.registry.lock();
        let answered = store
            .messages
            .iter()
            .find(|m| m.item.message_id == server_request.message_id)
            .unwrap();
        assert_eq!(answered.item.status, MessageStatus::Pending);
        let mine = store
            .messages
            .iter()
            .find(|m| m.item.message_type == MessageType::ClientSubmission)
            .unwrap();
        assert_eq!(mine.item.creator.as_deref(), Some("admin"));
        assert!(mine.item.read);
        assert_eq!(mine.item.status, MessageStatus::Complete);
    }
}
