//! The registration endpoint (RFC 7591 as CDS-WG1-02 §4 shapes it): the request checked
//! against the requested scopes and their registration fields (§3.4–§3.7), then every object of
//! the registration created (`create.rs`).

mod create;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::{
    AuthorizationServerMetadata, RegistrationField, RegistrationFieldType, ScopeDescription,
};

use crate::demo::DemoState;
use crate::demo::reply::{error_response, json_with_status, no_store};
use crate::demo::review::schedule_review;
use crate::demo::scopes::check_value;
use crate::demo::store::client_json;

/// Why a registration request is refused (RFC 7591 §3.2.2).
struct Refusal {
    error: &'static str,
    description: String,
}

impl Refusal {
    fn metadata(description: String) -> Self {
        Refusal {
            error: "invalid_client_metadata",
            description,
        }
    }
    fn request(description: String) -> Self {
        Refusal {
            error: "invalid_request",
            description,
        }
    }
    fn into_response(self) -> Response {
        no_store(error_response(
            StatusCode::BAD_REQUEST,
            self.error,
            &self.description,
        ))
    }
}

/// A registration request that passed validation.
pub(crate) struct Accepted<'a> {
    /// Requested scopes other than `cds_client_admin`, in request order, each once.
    pub scopes: Vec<&'a ScopeDescription>,
    pub client_name: Option<String>,
    pub contacts: Vec<String>,
    /// Registration field values by `field_name` (submitted, or the field's `default`).
    pub values: BTreeMap<String, Value>,
}

/// `POST /oauth/register`.
pub async fn register(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let catalog = match s.registry.catalog(&s.documents) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let accepted = match validate(catalog, &headers, &body) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let (admin, secret, review) = {
        let mut store = s.registry.lock();
        create::create(&s, catalog, &accepted, &mut store)
    };
    if let Some(sandbox_ids) = review {
        schedule_review(s.clone(), sandbox_ids);
    }
    no_store(json_with_status(
        StatusCode::CREATED,
        &client_json(&admin, Some(&secret)),
    ))
}

fn validate<'a>(
    catalog: &'a AuthorizationServerMetadata,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Accepted<'a>, Refusal> {
    let doc = request_document(headers, body)?;
    let scopes = requested_scopes(catalog, &doc)?;
    // RFC 7591 §2 metadata the demo keeps.
    let client_name = match doc.get("client_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(_) => {
            return Err(Refusal::metadata(
                "`client_name` must be a non-empty string".to_owned(),
            ));
        }
    };
    let contacts = match doc.get("contacts") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => {
            return Err(Refusal::metadata(
                "`contacts` must be an array of strings".to_owned(),
            ));
        }
    };
    let values = field_values(catalog, &scopes, &doc)?;
    Ok(Accepted {
        scopes,
        client_name,
        contacts,
        values,
    })
}

/// RFC 7591 §3.1: the request is an application/json document holding an object.
fn request_document(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(Refusal::request(format!(
            "the registration request must be sent as application/json (got `{content_type}`)"
        )));
    }
    let doc: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::request(format!("the request body is not valid JSON: {e}")))?;
    match doc {
        Value::Object(doc) => Ok(doc),
        _ => Err(Refusal::request(
            "the request body must be a JSON object of client metadata".to_owned(),
        )),
    }
}

/// `scope` (WG1-02 §4.1): `cds_client_admin` and other catalog scopes; the others, in request
/// order, each once.
fn requested_scopes<'a>(
    catalog: &'a AuthorizationServerMetadata,
    doc: &Map<String, Value>,
) -> Result<Vec<&'a ScopeDescription>, Refusal> {
    let scope = match doc.get("scope") {
        None => {
            return Err(Refusal::metadata(format!(
                "`scope` is required and must include `{CLIENT_ADMIN_SCOPE}` (WG1-02 §4.1)"
            )));
        }
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(Refusal::metadata(
                "`scope` must be a space-separated string".to_owned(),
            ));
        }
    };
    let mut requested: Vec<&str> = Vec::new();
    for id in scope.split_ascii_whitespace() {
        if !requested.contains(&id) {
            requested.push(id);
        }
    }
    if !requested.contains(&CLIENT_ADMIN_SCOPE) {
        return Err(Refusal::metadata(format!(
            "`scope` must include `{CLIENT_ADMIN_SCOPE}` (WG1-02 §4.1); this server only registers CDS clients"
        )));
    }
    let unknown: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|id| !catalog.cds_scope_descriptions.contains_key(*id))
        .collect();
    if !unknown.is_empty() {
        return Err(Refusal::metadata(format!(
            "`scope` holds scopes that are not in cds_scope_descriptions: {}",
            unknown.join(", ")
        )));
    }
    Ok(requested
        .iter()
        .filter(|id| **id != CLIENT_ADMIN_SCOPE)
        .filter_map(|id| catalog.cds_scope_descriptions.get(*id))
        .collect())
}

/// Registration fields (§3.4–§3.7): required ones first, in scope order, then optional ones;
/// each by `field_name`, submitted or its `default`.
fn field_values(
    catalog: &AuthorizationServerMetadata,
    scopes: &[&ScopeDescription],
    doc: &Map<String, Value>,
) -> Result<BTreeMap<String, Value>, Refusal> {
    let mut values = BTreeMap::new();
    for required in [true, false] {
        for scope in scopes {
            let ids = if required {
                &scope.registration_requirements
            } else {
                &scope.registration_optional
            };
            for id in ids {
                let Some(field) = catalog.cds_registration_fields.get(id) else {
                    continue;
                };
                if field.field_type != RegistrationFieldType::RegistrationField {
                    continue;
                }
                let Some(name) = &field.field_name else {
                    continue;
                };
                if values.contains_key(name) {
                    continue;
                }
                let value = field_value(field, doc.get(name), required, &scope.id)?;
                values.insert(name.clone(), value);
            }
        }
    }
    Ok(values)
}

/// One registration field's value: the submitted one, checked; else its `default` (§3.5: a
/// field with a `default` is optional even when listed as a requirement); else `null` when
/// optional.
fn field_value(
    field: &RegistrationField,
    submitted: Option<&Value>,
    required: bool,
    scope: &str,
) -> Result<Value, Refusal> {
    let (id, name) = (&field.id, field.field_name.as_deref().unwrap_or(""));
    match (submitted, &field.default) {
        (Some(v), _) => {
            check_value(field, v).map_err(|why| {
                Refusal::metadata(format!(
                    "`{name}` (registration field `{id}`, scope `{scope}`): {why}"
                ))
            })?;
            Ok(v.clone())
        }
        (None, Some(d)) => Ok(d.clone()),
        (None, None) if required => Err(Refusal::metadata(format!(
            "`{name}` is required by scope `{scope}` (registration field `{id}`)"
        ))),
        (None, None) => Ok(Value::Null),
    }
}
