//! The demo's registration endpoint (RFC 7591 as CDS-WG1-02 §4 shapes it): validation of the
//! requested scopes and registration fields (§3.4–§3.7), creation of the Client objects (§4.2,
//! §5.1), Credentials (§7.1) and post-registration Messages (§3.6, §6), the simulated internal
//! review, and the pages those objects link to (payment and online forms, PDF form, receipt).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::credentials::CredentialType;
use crate::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use crate::cds::registration_fields::{self, PurposeRule};
use crate::cds::server_metadata::WELL_KNOWN_PATH;
use crate::cds::{
    AuthorizationServerMetadata, ClientObject, ClientStatus, Credential, Message,
    RegistrationField, RegistrationFieldFormat, RegistrationFieldType, ScopeDescription, ScopeType,
};

use super::DemoState;
use super::pages::{escape, page};
use super::state::{
    Store, client_json, error_response, json_with_status, random_hex, random_secret,
};

/// Path of the default redirect URI that shows an authorization receipt (§4.2).
pub const RECEIPT_PATH: &str = "/oauth/receipt";

const AUTH_CLIENT_SECRET_BASIC: &str = "client_secret_basic";

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
        let mut r = error_response(StatusCode::BAD_REQUEST, self.error, &self.description);
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// A registration request that passed validation.
struct Accepted<'a> {
    /// Requested scopes other than `cds_client_admin`, in request order, each once.
    scopes: Vec<&'a ScopeDescription>,
    client_name: Option<String>,
    contacts: Vec<String>,
    /// Registration field values by `field_name` (submitted, or the field's `default`).
    values: BTreeMap<String, Value>,
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
        create(&s, catalog, &accepted, &mut store)
    };
    if let Some(sandbox_ids) = review {
        schedule_review(s.clone(), sandbox_ids);
    }
    let mut r = json_with_status(StatusCode::CREATED, &client_json(&admin, Some(&secret)));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn validate<'a>(
    catalog: &'a AuthorizationServerMetadata,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Accepted<'a>, Refusal> {
    // RFC 7591 §3.1: the request is an application/json document.
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
    let Value::Object(doc) = doc else {
        return Err(Refusal::request(
            "the request body must be a JSON object of client metadata".to_owned(),
        ));
    };

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
    let scopes: Vec<&ScopeDescription> = requested
        .iter()
        .filter(|id| **id != CLIENT_ADMIN_SCOPE)
        .filter_map(|id| catalog.cds_scope_descriptions.get(*id))
        .collect();

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

    // Registration fields (§3.4–§3.7): required ones first, in scope order, then optional ones.
    let mut values = BTreeMap::new();
    for required in [true, false] {
        for scope in &scopes {
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
                match doc.get(name) {
                    Some(v) => {
                        check_value(field, v).map_err(|why| {
                            Refusal::metadata(format!(
                                "`{name}` (registration field `{id}`, scope `{}`): {why}",
                                scope.id
                            ))
                        })?;
                        values.insert(name.clone(), v.clone());
                    }
                    // §3.5: a field with a `default` is optional even when listed as a requirement.
                    None => match &field.default {
                        Some(d) => {
                            values.insert(name.clone(), d.clone());
                        }
                        None if required => {
                            return Err(Refusal::metadata(format!(
                                "`{name}` is required by scope `{}` (registration field `{id}`)",
                                scope.id
                            )));
                        }
                        None => {
                            values.insert(name.clone(), Value::Null);
                        }
                    },
                }
            }
        }
    }
    Ok(Accepted {
        scopes,
        client_name,
        contacts,
        values,
    })
}

/// Checks one submitted value against its field's format with the shared rules (§3.7,
/// CDS-WG3-01 §5.1; [`registration_fields`]). The value is stored as submitted.
pub(crate) fn check_value(field: &RegistrationField, v: &Value) -> Result<(), String> {
    registration_fields::check_value(field, v, PurposeRule::Shape)
        .map(|_| ())
        .map_err(|problems| problems.join("; "))
}

/// Fields every demo Client object shares.
struct ClientSpec {
    scope: Vec<String>,
    response_types: Vec<String>,
    grant_types: Vec<String>,
    auth_method: Option<String>,
    authorization_details_types: Vec<String>,
    status: ClientStatus,
    status_options: Vec<ClientStatus>,
    extra: Map<String, Value>,
}

fn build_client(
    base: &str,
    now: Timestamp,
    client_name: Option<&str>,
    contacts: &[String],
    spec: ClientSpec,
) -> ClientObject {
    let client_id = random_hex(8);
    let code_flow = !spec.response_types.is_empty();
    let scope = spec.scope.join(" ");
    let redirect = format!("{base}{RECEIPT_PATH}");
    ClientObject {
        client_id_issued_at: now.as_second(),
        scope: scope.clone(),
        redirect_uris: if code_flow {
            vec![redirect.clone()]
        } else {
            Vec::new()
        },
        token_endpoint_auth_method: spec.auth_method,
        grant_types: spec.grant_types,
        response_types: spec.response_types,
        // §5.1: defaults to the client_id.
        client_name: Some(client_name.map_or_else(|| client_id.clone(), str::to_owned)),
        contacts: contacts.to_vec(),
        authorization_details_types: spec.authorization_details_types,
        cds_created: now,
        cds_modified: now,
        cds_client_uri: Url::parse(&format!("{base}/api/clients/{client_id}"))
            .expect("base URL is absolute"),
        cds_status: spec.status,
        cds_status_options: spec.status_options,
        // The demo has no client-specific metadata: the public document applies (§5.1 MAY).
        cds_server_metadata: Url::parse(&format!("{base}{WELL_KNOWN_PATH}"))
            .expect("base URL is absolute"),
        cds_default_scope: code_flow.then(|| scope.clone()),
        cds_default_redirect_uri: code_flow.then_some(redirect),
        cds_default_authorization_details: code_flow.then(Vec::new),
        client_secret: None,
        extra: spec.extra,
        client_id,
    }
}

/// A `client_secret` Credential for `client` (§7.1), never expiring (`0`).
pub(crate) fn build_credential(
    base: &str,
    now: Timestamp,
    client: &ClientObject,
    secret: String,
) -> Credential {
    let credential_id = random_hex(8);
    Credential {
        uri: Url::parse(&format!("{base}/api/credentials/{credential_id}"))
            .expect("base URL is absolute"),
        credential_id,
        client_id: client.client_id.clone(),
        created: now,
        modified: now,
        credential_type: CredentialType::ClientSecret,
        client_secret: Some(secret),
        client_secret_expires_at: Some(0),
        extra: Map::new(),
    }
}

/// Whether a client authenticates with a secret and so gets a Credential. `none` (public
/// clients) needs none; the demo never issues such a client at registration.
pub(crate) fn takes_secret(client: &ClientObject) -> bool {
    matches!(
        client.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic" | "client_secret_post")
    )
}

pub(crate) struct MessageSpec {
    pub message_type: MessageType,
    pub status: MessageStatus,
    pub name: String,
    pub description: String,
    pub related: Option<(String, MessageRelatedType)>,
    pub previous_uri: Option<Url>,
    pub amount: Option<crate::cds::formats::Decimal>,
    pub currency: Option<String>,
}

/// A Server-created Message (§6.1: unread, no creator). `related` may name `{message_id}`.
pub(crate) fn build_message(base: &str, now: Timestamp, spec: MessageSpec) -> Message {
    let message_id = random_hex(8);
    let related = spec.related.map(|(uri, t)| {
        (
            Url::parse(&uri.replace("{message_id}", &message_id)).expect("absolute URL"),
            t,
        )
    });
    Message {
        uri: Url::parse(&format!("{base}/api/messages/{message_id}")).expect("absolute URL"),
        message_id,
        previous_uri: spec.previous_uri,
        message_type: spec.message_type,
        read: false,
        creator: None,
        created: now,
        modified: now,
        status: spec.status,
        name: spec.name,
        description: spec.description,
        updates_requested: None,
        grants_requested: None,
        attachments: None,
        related_type: related.as_ref().map(|(_, t)| t.clone()),
        related_uri: related.map(|(u, _)| u),
        amount: spec.amount,
        currency: spec.currency,
        extra: Map::new(),
    }
}

/// The auth method the demo configures for a scope: `client_secret_basic` where the scope
/// supports it (code-flow scopes also allow `none`; the demo creates the confidential grouping
/// and leaves public clients for a later Client modification), else the first listed, else null.
fn chosen_auth_method(scope: &ScopeDescription) -> Option<String> {
    let methods = &scope.token_endpoint_auth_methods_supported;
    if methods.iter().any(|m| m == AUTH_CLIENT_SECRET_BASIC) {
        Some(AUTH_CLIENT_SECRET_BASIC.to_owned())
    } else {
        methods.first().cloned()
    }
}

/// Types of registration requirements that are completed after registration (§3.6).
fn is_post_registration(t: &RegistrationFieldType) -> bool {
    !matches!(
        t,
        RegistrationFieldType::RegistrationField | RegistrationFieldType::Other(_)
    )
}

/// Creates every object of one accepted registration. Returns the admin Client object, its
/// secret, and the sandbox code-flow client ids to promote when an internal review is due.
fn create(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    req: &Accepted<'_>,
    store: &mut Store,
) -> (ClientObject, String, Option<Vec<String>>) {
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let registration = random_hex(8);
    let name = req.client_name.as_deref();
    let contacts = req.contacts.as_slice();
    let mut clients: Vec<ClientObject> = Vec::new();

    // §4.2: the Client Admin object, always production and never disableable (§5.1).
    let admin = build_client(
        base,
        now,
        name,
        contacts,
        ClientSpec {
            scope: vec![CLIENT_ADMIN_SCOPE.to_owned()],
            response_types: Vec::new(),
            grant_types: vec!["client_credentials".to_owned()],
            auth_method: Some(AUTH_CLIENT_SECRET_BASIC.to_owned()),
            authorization_details_types: Vec::new(),
            status: ClientStatus::Production,
            status_options: vec![ClientStatus::Production],
            extra: Map::new(),
        },
    );
    clients.push(admin.clone());

    // §4.2: one Client object per Grant Admin scope, requested or implied by `grant_admin_scope`.
    let mut grant_admin: Vec<&ScopeDescription> = Vec::new();
    for scope in &req.scopes {
        let implied = scope
            .grant_admin_scope
            .as_deref()
            .and_then(|id| catalog.cds_scope_descriptions.get(id));
        let own = (scope.scope_type == ScopeType::GrantAdmin).then_some(*scope);
        for g in [own, implied].into_iter().flatten() {
            if !grant_admin.iter().any(|x| x.id == g.id) {
                grant_admin.push(g);
            }
        }
    }
    for g in &grant_admin {
        clients.push(build_client(
            base,
            now,
            name,
            contacts,
            ClientSpec {
                scope: vec![g.id.clone()],
                response_types: g.response_types_supported.clone(),
                grant_types: g.grant_types_supported.clone(),
                auth_method: chosen_auth_method(g),
                authorization_details_types: g.authorization_details_types_supported.clone(),
                status: ClientStatus::Production,
                // §5.1 requires `disabled` for every non-admin object (the §12.5 example omits
                // it; the normative text wins).
                status_options: vec![ClientStatus::Production, ClientStatus::Disabled],
                extra: Map::new(),
            },
        ));
    }

    // §4.2 MAY: the other scopes grouped by (response_types, grant_types, auth method).
    type Key = (Vec<String>, Vec<String>, Option<String>);
    let mut groups: Vec<(Key, Vec<&ScopeDescription>)> = Vec::new();
    for scope in req
        .scopes
        .iter()
        .filter(|sc| sc.scope_type != ScopeType::GrantAdmin)
    {
        let key = (
            scope.response_types_supported.clone(),
            scope.grant_types_supported.clone(),
            chosen_auth_method(scope),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(scope),
            None => groups.push((key, vec![scope])),
        }
    }
    let mut sandbox_code_clients = Vec::new();
    let mut review_due = false;
    for ((response_types, grant_types, auth_method), members) in groups {
        let code_flow = !response_types.is_empty();
        let post_requirements = members.iter().any(|sc| {
            sc.registration_requirements.iter().any(|id| {
                catalog
                    .cds_registration_fields
                    .get(id)
                    .is_some_and(|f| is_post_registration(&f.field_type))
            })
        });
        // §4.2: code-flow objects start in the sandbox; so do objects whose scopes still have
        // post-registration requirements (a careful utility's choice: production waits for them).
        let (status, status_options) = if code_flow || post_requirements {
            (
                ClientStatus::Sandbox,
                vec![ClientStatus::Sandbox, ClientStatus::Disabled],
            )
        } else {
            (
                ClientStatus::Production,
                vec![ClientStatus::Production, ClientStatus::Disabled],
            )
        };
        let mut adt = Vec::new();
        let mut extra = Map::new();
        for sc in &members {
            for t in &sc.authorization_details_types_supported {
                if !adt.contains(t) {
                    adt.push(t.clone());
                }
            }
            // §5.1 MAY: the registration field values of the object's scopes. Files stay on
            // the server (listing pages would otherwise carry every uploaded image and PDF).
            for id in sc
                .registration_requirements
                .iter()
                .chain(&sc.registration_optional)
            {
                if let Some(f) = catalog.cds_registration_fields.get(id)
                    && let Some(field_name) = &f.field_name
                    && !f
                        .format
                        .as_ref()
                        .is_some_and(RegistrationFieldFormat::is_file)
                    && let Some(v) = req.values.get(field_name)
                {
                    extra.insert(field_name.clone(), v.clone());
                }
            }
            if code_flow
                && sc.registration_requirements.iter().any(|id| {
                    catalog
                        .cds_registration_fields
                        .get(id)
                        .is_some_and(|f| f.field_type == RegistrationFieldType::InternalReview)
                })
            {
                review_due = true;
            }
        }
        let client = build_client(
            base,
            now,
            name,
            contacts,
            ClientSpec {
                scope: members.iter().map(|sc| sc.id.clone()).collect(),
                response_types,
                grant_types,
                auth_method,
                authorization_details_types: adt,
                status,
                status_options,
                extra,
            },
        );
        if code_flow {
            sandbox_code_clients.push(client.clone());
        }
        clients.push(client);
    }

    // §4.2 / §7.1: a Credential for each client that authenticates with a secret; the admin's
    // secret is the one in the registration response.
    let admin_secret = random_secret();
    for client in &clients {
        store.add_client(&registration, client.clone());
        if takes_secret(client) {
            let secret = if client.client_id == admin.client_id {
                admin_secret.clone()
            } else {
                random_secret()
            };
            store.add_credential(&registration, build_credential(base, now, client, secret));
        }
    }
    // §3.3.3: the files and Grant the server shares with a Server-Provided Files client.
    super::files::share_on_registration(s, catalog, &registration, &clients, store);

    // §3.6: Messages created synchronously for post-registration requirements, each field once.
    let mut seen: Vec<&str> = Vec::new();
    for scope in &req.scopes {
        for id in &scope.registration_requirements {
            let Some(field) = catalog.cds_registration_fields.get(id) else {
                continue;
            };
            if !is_post_registration(&field.field_type) || seen.contains(&id.as_str()) {
                continue;
            }
            seen.push(id);
            let review_target = sandbox_code_clients
                .iter()
                .find(|c| c.scopes().any(|sc| sc == scope.id))
                .map(|c| c.cds_client_uri.to_string());
            if let Some(spec) = requirement_message(base, field, review_target) {
                store.add_message(&registration, build_message(base, now, spec));
            }
        }
    }

    let review = (review_due && !sandbox_code_clients.is_empty()).then(|| {
        sandbox_code_clients
            .iter()
            .map(|c| c.client_id.clone())
            .collect()
    });
    (admin, admin_secret, review)
}

/// The Message a post-registration requirement calls for (§3.6).
fn requirement_message(
    base: &str,
    field: &RegistrationField,
    review_target: Option<String>,
) -> Option<MessageSpec> {
    use RegistrationFieldType as T;
    let online = |title: &str| MessageSpec {
        message_type: MessageType::OnlineFormRequest,
        status: MessageStatus::Open,
        name: format!("{title}: {}", field.id),
        description: field.description.clone(),
        related: Some((
            format!("{base}/forms/online/{}", field.id),
            MessageRelatedType::OnlineForm,
        )),
        previous_uri: None,
        amount: None,
        currency: None,
    };
    Some(match &field.field_type {
        T::PaymentRequired => MessageSpec {
            message_type: MessageType::PaymentRequest,
            status: MessageStatus::Open,
            name: format!("Payment required: {}", field.id),
            description: field.description.clone(),
            // Not single-use (§3.6): the form page is keyed by the message, any number of visits.
            related: Some((
                format!("{base}/forms/payment/{{message_id}}"),
                MessageRelatedType::PaymentForm,
            )),
            previous_uri: None,
            amount: field.amount,
            currency: field.currency.clone(),
        },
        T::EmailVerification => online("Verify your contact email"),
        T::SsoVerification => online("Link your organization account"),
        T::OnlineForm => online("Complete an online form"),
        T::PdfForm => MessageSpec {
            message_type: MessageType::PdfFormRequest,
            status: MessageStatus::Open,
            name: format!("Complete and return a PDF form: {}", field.id),
            description: format!(
                "{} Reply to this message with a client_submission that attaches the signed PDF.",
                field.description
            ),
            related: Some((
                format!("{base}/forms/pdf/{}.pdf", field.id),
                MessageRelatedType::PdfForm,
            )),
            previous_uri: None,
            amount: None,
            currency: None,
        },
        // Modeled on the §12.8 example: a Server-created production_request, pending while the
        // review runs, linking the sandbox Client object under review.
        T::InternalReview => MessageSpec {
            message_type: MessageType::ProductionRequest,
            status: MessageStatus::Pending,
            name: "Production access review".to_owned(),
            description: format!(
                "We have started an internal review of your registration for production access. {}",
                field.description
            ),
            related: review_target.map(|u| (u, MessageRelatedType::Client)),
            previous_uri: None,
            amount: None,
            currency: None,
        },
        _ => return None,
    })
}

/// After `review_delay`, approves the internal review: a production copy of each sandbox
/// code-flow client, its Credential, a `request_update` completing the review Message (§6.9)
/// and a `notification` announcing the new Client object (§5.3 changelog).
pub(crate) fn schedule_review(s: Arc<DemoState>, sandbox_ids: Vec<String>) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let base = s.base_url.clone();
        let now = s.registry.now();
        let mut store = s.registry.lock();
        for sandbox_id in sandbox_ids {
            let Some(record) = store.client(&sandbox_id) else {
                continue;
            };
            let registration = record.registration.clone();
            let sandbox = record.item.clone();
            let production = build_client(
                &base,
                now,
                sandbox.client_name.as_deref(),
                &sandbox.contacts,
                ClientSpec {
                    scope: sandbox.scopes().map(str::to_owned).collect(),
                    response_types: sandbox.response_types.clone(),
                    grant_types: sandbox.grant_types.clone(),
                    auth_method: sandbox.token_endpoint_auth_method.clone(),
                    authorization_details_types: sandbox.authorization_details_types.clone(),
                    status: ClientStatus::Production,
                    status_options: vec![ClientStatus::Production, ClientStatus::Disabled],
                    extra: sandbox.extra.clone(),
                },
            );
            let production_uri = production.cds_client_uri.to_string();
            store.add_client(&registration, production.clone());
            if takes_secret(&production) {
                store.add_credential(
                    &registration,
                    build_credential(&base, now, &production, random_secret()),
                );
            }
            // Complete the review message that links this sandbox client.
            let sandbox_uri = sandbox.cds_client_uri.to_string();
            let mut review_uri = None;
            for m in store.messages.iter_mut().filter(|m| {
                m.registration == registration
                    && m.item.message_type == MessageType::ProductionRequest
                    && m.item.related_uri.as_ref().map(Url::as_str) == Some(sandbox_uri.as_str())
            }) {
                // §6.3: a complete production_request links the production Client object.
                m.item.status = MessageStatus::Complete;
                m.item.related_uri = Url::parse(&production_uri).ok();
                m.item.related_type = Some(MessageRelatedType::Client);
                m.item.modified = now;
                review_uri = Some(m.item.uri.clone());
            }
            if let Some(previous) = review_uri {
                let update = build_message(
                    &base,
                    now,
                    MessageSpec {
                        message_type: MessageType::RequestUpdate,
                        status: MessageStatus::Complete,
                        name: "Production access review complete".to_owned(),
                        description: "The internal review approved your registration for \
                                      production access."
                            .to_owned(),
                        related: Some((production_uri.clone(), MessageRelatedType::Client)),
                        previous_uri: Some(previous),
                        amount: None,
                        currency: None,
                    },
                );
                store.add_message(&registration, update);
            }
            let note = build_message(
                &base,
                now,
                MessageSpec {
                    message_type: MessageType::Notification,
                    status: MessageStatus::Complete,
                    name: "Production access approved".to_owned(),
                    description: format!(
                        "A production Client object for scope `{}` and its Credential were \
                         added; the sandbox Client object {} stays available for testing.",
                        production.scope, sandbox.client_id
                    ),
                    related: Some((production_uri, MessageRelatedType::Client)),
                    previous_uri: None,
                    amount: None,
                    currency: None,
                },
            );
            store.add_message(&registration, note);
        }
    });
}

#[derive(Debug, Deserialize)]
pub struct ReceiptQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
}

/// `GET /oauth/receipt`: the default redirect URI (§4.2) showing the authorization's outcome.
pub async fn receipt(Query(q): Query<ReceiptQuery>) -> Response {
    let row = |label: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| format!("<dt>{label}</dt><dd><code>{}</code></dd>", escape(v)))
            .unwrap_or_default()
    };
    let (title, body) = if let Some(err) = &q.error {
        (
            "Authorization not completed",
            format!(
                "<p>The authorization was declined or failed: <code>{}</code>.</p><dl>{}{}{}</dl>",
                escape(err),
                row("Description", &q.error_description),
                row("State", &q.state),
                row("Issuer", &q.iss),
            ),
        )
    } else if q.code.is_some() {
        (
            "Authorization receipt",
            format!(
                "<p>The customer approved the request. The application exchanges this code at \
                 the token endpoint.</p><dl>{}{}{}</dl>",
                row("Authorization code", &q.code),
                row("State", &q.state),
                row("Issuer", &q.iss),
            ),
        )
    } else {
        (
            "No authorization result",
            "<p>This page shows the result of an authorization; none was given.</p>".to_owned(),
        )
    };
    let mut r = page(title, &body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /forms/payment/{message_id}`: the checkout page a `payment_request` links to.
pub async fn payment_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    let found = s
        .registry
        .lock()
        .messages
        .iter()
        .find(|m| m.item.message_id == id && m.item.message_type == MessageType::PaymentRequest)
        .map(|m| m.item.clone());
    match found {
        Some(m) => page(
            "Setup payment",
            &format!(
                "<p>{}</p><p>Amount due: <strong>{} {}</strong></p><p>This demo utility takes \
                 no payments; a real utility's checkout form would be here.</p>",
                escape(&m.description),
                escape(&m.amount.map(|a| a.to_string()).unwrap_or_default()),
                escape(m.currency.as_deref().unwrap_or("")),
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such payment request\n").into_response(),
    }
}

/// `GET /forms/online/{field_id}`: the online form of an email, SSO or online-form requirement.
pub async fn online_form(State(s): State<Arc<DemoState>>, Path(id): Path<String>) -> Response {
    let field = s
        .registry
        .catalog(&s.documents)
        .ok()
        .and_then(|c| c.cds_registration_fields.get(&id).cloned());
    match field {
        Some(f) => page(
            &format!("Online form: {}", f.id),
            &format!(
                "<p>{}</p><p>This demo utility does not process this form; a real utility's \
                 form would be here.</p>",
                escape(&f.description)
            ),
        )
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such form\n").into_response(),
    }
}

/// `GET /forms/pdf/{field_id}.pdf`: a blank one-page PDF form.
pub async fn pdf_form(Path(file): Path<String>) -> Response {
    if file.strip_suffix(".pdf").is_none_or(str::is_empty) {
        return (StatusCode::NOT_FOUND, "no such form\n").into_response();
    }
    ([(header::CONTENT_TYPE, "application/pdf")], blank_pdf()).into_response()
}

/// A minimal, valid one-page PDF with a correct cross-reference table.
fn blank_pdf() -> Vec<u8> {
    let content = "BT /F1 18 Tf 72 720 Td (Demo Gas & Electric - agreement form) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
