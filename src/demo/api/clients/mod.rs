//! The Clients API (CDS-WG1-02 §5): listing (§5.3), retrieval (§5.4) and modification (§5.5,
//! RFC 7592 §2.2) of the caller's Client objects, behind `cds_client_admin` bearer tokens.

mod plan;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::cds::clients::ClientModification;
use crate::cds::messages::{ClientUpdateRequest, MessageRelatedType, MessageStatus, MessageType};
use crate::cds::{ClientObject, ClientStatus};

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status, respond};
use crate::demo::review::schedule_field_review;
use crate::demo::store::objects::{MessageSpec, build_message, notify};
use crate::demo::store::{Store, client_json};

use super::common::{Resource, bad, id_filter, json_object, not_found_error, present};
use plan::{ClientPlan, plan_client_change};

/// Client objects as a management API resource.
const CLIENTS: Resource<ClientObject> = Resource {
    records: |st| &st.clients,
    id: |c| &c.client_id,
    modified: |c| c.cds_modified,
    render: |c| client_json(c, None),
    what: "Client object",
    path: "/api/clients",
    key: "clients",
};

#[derive(Debug, Deserialize)]
pub struct ClientsQuery {
    client_ids: Option<String>,
    page: Option<String>,
}

/// `GET /api/clients` (§5.3).
pub async fn list_clients(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<ClientsQuery>,
) -> Response {
    let wanted = id_filter(&q.client_ids);
    let filter = || Ok(|c: &ClientObject| wanted.as_ref().is_none_or(|w| w.contains(&c.client_id)));
    let params = present(&[("client_ids", &q.client_ids)]);
    CLIENTS.list(&s, &headers, q.page.as_deref(), filter, &params)
}

/// `GET /api/clients/{client_id}` (§5.4).
pub async fn get_client(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    CLIENTS.get(&s, &headers, &id)
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
    let registration = CLIENTS.owner(s, headers, id)?;
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
    let index = CLIENTS
        .position(&store, &registration, id)
        .ok_or_else(|| not_found_error(CLIENTS.what))?;
    let current = store.clients[index].item.clone();
    let ClientPlan { mut next, reviewed } = plan_client_change(catalog, base, &current, &m)?;
    if next != current {
        next.cds_modified = now;
    }
    store.clients[index].item = next.clone();
    record_change(&mut store, base, now, &registration, &current, &next);
    let review = (!reviewed.is_empty())
        .then(|| review_message(&mut store, base, now, &registration, &next, reviewed));
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

/// What a synchronous change leaves behind: a disabled object's Credentials expire (§7.1),
/// and the changelog notes the change (§5.3).
fn record_change(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    current: &ClientObject,
    next: &ClientObject,
) {
    let disabling =
        current.cds_status != ClientStatus::Disabled && next.cds_status == ClientStatus::Disabled;
    if disabling {
        disable_client(store, &next.client_id, now);
    }
    if next == current {
        return;
    }
    let mut description = format!("Client object {} was modified.", next.client_id);
    if disabling {
        description.push_str(
            " It is disabled: its Credentials expired and its access tokens were revoked.",
        );
    }
    notify(
        store,
        base,
        now,
        registration,
        "Client object modified".to_owned(),
        description,
        (next.cds_client_uri.to_string(), MessageRelatedType::Client),
    );
}

/// The `field_changes` Message (§6.2) holding the changes under review; its id.
fn review_message(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    next: &ClientObject,
    reviewed: Vec<ClientUpdateRequest>,
) -> String {
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
            related: Some((next.cds_client_uri.to_string(), MessageRelatedType::Client)),
            previous_uri: None,
            amount: None,
            currency: None,
        },
    );
    message.updates_requested = Some(reviewed);
    let message_id = message.message_id.clone();
    store.add_message(registration, message);
    message_id
}
