//! The reviews the demo server runs after `review_delay`: the internal review of a registration
//! (CDS-WG1-02 §3.6) and of a `production_request` (§6.9), and the review of Client object
//! changes answered `202 Accepted` (§5.5). Each ends in Messages (§6.3, §5.3 changelog).

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::Value;
use url::Url;

use crate::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use crate::cds::{ClientObject, ClientStatus};

use super::DemoState;
use super::scopes::{details_types, is_file_field, scope_list};
use super::store::objects::{
    ClientSpec, MessageSpec, build_client, build_credential, build_message, notify, takes_secret,
};
use super::store::{Store, random_secret};

/// After `review_delay`, approves the internal review: a production copy of each sandbox
/// code-flow client, its Credential, a `request_update` completing the review Message (§6.9)
/// and a `notification` announcing the new Client object (§5.3 changelog).
pub(crate) fn schedule_review(s: Arc<DemoState>, sandbox_ids: Vec<String>) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let now = s.registry.now();
        let mut store = s.registry.lock();
        for sandbox_id in sandbox_ids {
            promote(&mut store, &s.base_url, now, &sandbox_id);
        }
    });
}

/// The approved internal review of one sandbox Client object: its production copy and
/// Credential, the completed review Message with its `request_update`, and the notification.
fn promote(store: &mut Store, base: &str, now: Timestamp, sandbox_id: &str) {
    let Some(record) = store.client(sandbox_id) else {
        return;
    };
    let registration = record.registration.clone();
    let sandbox = record.item.clone();
    // Once per review: the first promotion completes every production_request that names this
    // sandbox, so a second one scheduled for it (a client's own request while the internal
    // review ran, both resumed after a restart) finds nothing to do.
    if !store.production_review_pending(&registration, sandbox.cds_client_uri.as_str()) {
        return;
    }
    // Idempotent: when a production copy exists already (a request answered "exists" before
    // a restart resumed it as a review, or two reviews of one sandbox), the request is
    // completed with it; no second production Client object.
    if let Some(existing) = store.production_copy(&registration, &sandbox) {
        let uri = existing.item.cds_client_uri.to_string();
        complete_review(store, base, now, &registration, &sandbox, &uri);
        return;
    }
    let production = build_client(
        base,
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
            build_credential(base, now, &production, random_secret()),
        );
    }
    complete_review(store, base, now, &registration, &sandbox, &production_uri);
    let note = build_message(
        base,
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

/// Completes the review Message that links `sandbox` (§6.3: a complete production_request
/// links the production Client object) and answers it with a `request_update` (§6.9).
fn complete_review(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    sandbox: &ClientObject,
    production_uri: &str,
) {
    let sandbox_uri = sandbox.cds_client_uri.to_string();
    let mut review_uri = None;
    for m in store.messages.iter_mut().filter(|m| {
        m.registration == registration
            && m.item.message_type == MessageType::ProductionRequest
            && m.item.related_uri.as_ref().map(Url::as_str) == Some(sandbox_uri.as_str())
    }) {
        // §6.3: a complete production_request links the production Client object.
        m.item.status = MessageStatus::Complete;
        m.item.related_uri = Url::parse(production_uri).ok();
        m.item.related_type = Some(MessageRelatedType::Client);
        m.item.modified = now;
        review_uri = Some(m.item.uri.clone());
    }
    if let Some(previous) = review_uri {
        let update = build_message(
            base,
            now,
            MessageSpec {
                message_type: MessageType::RequestUpdate,
                status: MessageStatus::Complete,
                name: "Production access review complete".to_owned(),
                description: "The internal review approved your registration for \
                              production access."
                    .to_owned(),
                related: Some((production_uri.to_owned(), MessageRelatedType::Client)),
                previous_uri: Some(previous),
                amount: None,
                currency: None,
            },
        );
        store.add_message(registration, update);
    }
}

/// After `review_delay`, approves a `field_changes` Message (§6.3 `complete`): adds the
/// reviewed scopes, stores the registration field values (files stay off the Client object,
/// as at registration), and notes the change in the changelog (§5.3).
pub(crate) fn schedule_field_review(
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

/// After `review_delay`, answers a `production_request` whose production Client object exists
/// already: `complete`, linking it (§6.3), with the `request_update` §6.9 requires.
pub(crate) fn schedule_existing_answer(
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
