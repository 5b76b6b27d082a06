//! How the demo utility answers what a Client does after registration (CDS-WG1-02 §6): a
//! payment, online form or returned PDF form completed through the demo's pages moves its
//! request on and posts a `request_update` (§6.2, §6.3); `support_request`s and
//! `grant_request`s get a `request_update` after the review delay (§6.9); a Grant change
//! reviewed asynchronously (the demo's `grant_review` option, §8.6 `202`) settles later; and
//! reviews interrupted by a restart are scheduled again.

use std::sync::Arc;

use jiff::Timestamp;
use url::Url;

use crate::cds::GrantStatus;
use crate::cds::messages::{ClientGrantRequest, MessageRelatedType, MessageStatus, MessageType};

use super::DemoState;
use super::review::{schedule_field_review, schedule_review};
use super::store::Store;
use super::store::files::server_grant;
use super::store::objects::{MessageSpec, build_message};

/// A request the demo's pages can complete: its type decides what completing means.
pub(crate) fn completable(t: &MessageType) -> bool {
    matches!(
        t,
        MessageType::PaymentRequest | MessageType::OnlineFormRequest | MessageType::PdfFormRequest
    )
}

/// Where a payment receipt is shown (§6.3: a completed payment's update links it).
pub fn receipt_path(message_id: &str) -> String {
    format!("/forms/receipt/{message_id}")
}

/// The user completed request `message_id` on the demo's page. Payments and online forms are
/// done at once (`complete`); a returned PDF form is `pending` until the review delay passes.
/// Returns the request's new status, or `None` when there is no such open request.
pub(crate) fn complete_by_link(s: &Arc<DemoState>, message_id: &str) -> Option<MessageStatus> {
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let i = store.messages.iter().position(|m| {
        m.item.message_id == message_id
            && completable(&m.item.message_type)
            && matches!(m.item.status, MessageStatus::Open)
    })?;
    let registration = store.messages[i].registration.clone();
    let kind = store.messages[i].item.message_type.clone();
    let status = if kind == MessageType::PdfFormRequest {
        MessageStatus::Pending
    } else {
        MessageStatus::Complete
    };
    let (name, description, related) = match kind {
        MessageType::PaymentRequest => (
            "Payment received",
            "Thank you: the payment was received. The receipt is linked.",
            Some((
                format!("{}{}", s.base_url, receipt_path(message_id)),
                MessageRelatedType::PaymentReceipt,
            )),
        ),
        MessageType::PdfFormRequest => (
            "Signed form received",
            "The signed form was received and is being reviewed.",
            None,
        ),
        _ => ("Form completed", "The online form was completed.", None),
    };
    update(
        &mut store,
        &s.base_url,
        now,
        &registration,
        i,
        status.clone(),
        name,
        description,
        related,
    );
    drop(store);
    if status == MessageStatus::Pending {
        schedule_form_review(s.clone(), message_id.to_owned());
    }
    Some(status)
}

/// After the review delay, a returned PDF form is accepted (`complete`).
fn schedule_form_review(s: Arc<DemoState>, id: String) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let now = s.registry.now();
        let mut store = s.registry.lock();
        if let Some(i) = pending(&store, &id) {
            let reg = store.messages[i].registration.clone();
            let done = MessageStatus::Complete;
            let (name, text) = (
                "Signed form approved",
                "The signed form was reviewed and accepted.",
            );
            update(
                &mut store,
                &s.base_url,
                now,
                &reg,
                i,
                done,
                name,
                text,
                None,
            );
        }
    });
}

pub(crate) fn pending(store: &Store, message_id: &str) -> Option<usize> {
    store
        .messages
        .iter()
        .position(|m| m.item.message_id == message_id && m.item.status == MessageStatus::Pending)
}

/// Sets message `i`'s status and posts the `request_update` that says so (§6.2).
#[allow(clippy::too_many_arguments)]
pub(crate) fn update(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    i: usize,
    status: MessageStatus,
    name: &str,
    description: &str,
    related: Option<(String, MessageRelatedType)>,
) {
    let m = &mut store.messages[i].item;
    m.status = status.clone();
    m.modified = now;
    let previous = m.uri.clone();
    let update = build_message(
        base,
        now,
        MessageSpec {
            message_type: MessageType::RequestUpdate,
            status,
            name: name.to_owned(),
            description: description.to_owned(),
            related,
            previous_uri: Some(previous),
            amount: None,
            currency: None,
        },
    );
    store.add_message(registration, update);
}

/// After the review delay, answers a Client's `support_request` (`complete`) or
/// `grant_request` (`complete` with the new Grants, or `rejected` saying why: see
/// [`grant_decision`]).
pub(crate) fn schedule_answer(s: Arc<DemoState>, message_id: String) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        answer_now(&s, &message_id);
    });
}

fn answer_now(s: &DemoState, message_id: &str) {
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(i) = pending(&store, message_id) else {
        return;
    };
    let registration = store.messages[i].registration.clone();
    match store.messages[i].item.message_type {
        MessageType::SupportRequest => {
            super::support::answer(&mut store, &s.base_url, now, &registration, i);
        }
        MessageType::GrantRequest => {
            let request = store.messages[i].item.clone();
            match grant_decision(&store, &registration, &request) {
                Ok(granted) => {
                    let mut ids = Vec::new();
                    let mut first = None;
                    for (client_id, g) in granted {
                        let details = g.authorization_details.clone();
                        if let Some(grant) =
                            server_grant(&s.base_url, now, &client_id, &g.scope, details)
                        {
                            ids.push(format!("{} (scope `{}`)", grant.grant_id, g.scope));
                            first.get_or_insert_with(|| grant.uri.to_string());
                            store.add_grant(&registration, grant);
                        }
                    }
                    let text = format!(
                        "The demo utility granted what the Client object is registered for: \
                         Grant {}.",
                        ids.join(", Grant ")
                    );
                    let related = first.map(|u| (u, MessageRelatedType::Grant));
                    let (name, done) = ("Grant request accepted", MessageStatus::Complete);
                    update(
                        &mut store,
                        &s.base_url,
                        now,
                        &registration,
                        i,
                        done,
                        name,
                        &text,
                        related,
                    );
                }
                Err(why) => {
                    let (name, no) = ("Grant request declined", MessageStatus::Rejected);
                    update(
                        &mut store,
                        &s.base_url,
                        now,
                        &registration,
                        i,
                        no,
                        name,
                        &why,
                        None,
                    );
                }
            }
        }
        _ => {}
    }
}

/// How the demo utility answers a `grant_request` (§6.9; the spec leaves the decision to the
/// utility): each requested Grant is accepted when every scope it names is one its Client
/// object is registered for (the `related_uri` one, else a client of the registration that
/// has them) — the requester decides by what they ask — else the whole request is declined
/// with the reason (§6.3 asks a rejection to say why).
fn grant_decision(
    store: &Store,
    registration: &str,
    request: &crate::cds::Message,
) -> Result<Vec<(String, ClientGrantRequest)>, String> {
    use crate::cds::ClientStatus;
    let usable = |c: &&crate::demo::store::Record<crate::cds::ClientObject>| {
        c.item.cds_status != ClientStatus::Disabled
    };
    let named = request.related_uri.as_ref().map(|u| {
        store
            .clients
            .iter()
            .filter(usable)
            .find(|c| c.item.cds_client_uri == *u)
    });
    let mut out = Vec::new();
    for g in request.grants_requested.iter().flatten() {
        let wanted: Vec<&str> = g.scope.split_ascii_whitespace().collect();
        let covers = |c: &crate::cds::ClientObject| {
            !wanted.is_empty() && wanted.iter().all(|w| c.scopes().any(|s| s == *w))
        };
        let client = match named {
            Some(Some(c)) => Some(c).filter(|c| covers(&c.item)),
            Some(None) => None,
            None => store
                .clients
                .iter()
                .filter(usable)
                .find(|c| c.registration == registration && covers(&c.item)),
        };
        match client {
            Some(c) => out.push((c.item.client_id.clone(), g.clone())),
            None => {
                return Err(format!(
                    "Declined: no Client object of yours is registered for scope `{}`, and the \
                     demo utility grants only scopes a client is registered for. Add the scope \
                     to the client first (a modification, WG1-02 §5.5), or ask the customer \
                     with `cds-wizard authorize` (§8.3).",
                    g.scope
                ));
            }
        }
    }
    if out.is_empty() {
        return Err("Declined: the request names no Grant.".to_owned());
    }
    Ok(out)
}

/// A Grant change accepted for review (`202`, §8.6): after the review delay, the Grant is
/// `active` again with everything it lists enabled.
pub(crate) fn schedule_grant_review(s: Arc<DemoState>, grant_id: String) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let now = s.registry.now();
        let mut store = s.registry.lock();
        if let Some(g) = store
            .grants
            .iter_mut()
            .find(|g| g.item.grant_id == grant_id && g.item.status == GrantStatus::Pending)
        {
            g.item.status = GrantStatus::Active;
            g.item.eta = None;
            g.item.enabled_scope = g.item.scope.clone();
            g.item.enabled_authorization_details = g.item.authorization_details.clone();
            g.item.modified = now;
        }
    });
}

/// After a restart with persisted state: every review still pending is scheduled again
/// (registration reviews, Client object changes, support and grant requests, answered
/// server_requests, signed forms, Grant reviews), so nothing waits forever.
pub fn resume(s: &Arc<DemoState>) {
    let store = s.registry.lock_quiet();
    let mut sandboxes = Vec::new();
    let mut fields = Vec::new();
    let mut answers = Vec::new();
    let mut grants = Vec::new();
    let mut submissions = Vec::new();
    for m in store
        .messages
        .iter()
        .filter(|m| m.item.status == MessageStatus::Pending)
    {
        match m.item.message_type {
            MessageType::ProductionRequest => {
                let sandbox = m.item.related_uri.as_ref().and_then(|u| {
                    store
                        .clients
                        .iter()
                        .find(|c| c.registration == m.registration && c.item.cds_client_uri == *u)
                });
                if let Some(c) = sandbox {
                    sandboxes.push(c.item.client_id.clone());
                }
            }
            MessageType::FieldChanges => {
                let client = m
                    .item
                    .related_uri
                    .as_ref()
                    .and_then(|u| client_id_of(&store, u));
                if let Some(c) = client {
                    fields.push((m.registration.clone(), c, m.item.message_id.clone()));
                }
            }
            MessageType::ServerRequest => submissions.push(m.item.message_id.clone()),
            MessageType::SupportRequest
            | MessageType::GrantRequest
            | MessageType::PdfFormRequest => {
                answers.push((m.item.message_type.clone(), m.item.message_id.clone()));
            }
            _ => {}
        }
    }
    for g in store
        .grants
        .iter()
        .filter(|g| g.item.status == GrantStatus::Pending)
    {
        grants.push(g.item.grant_id.clone());
    }
    drop(store);
    if !sandboxes.is_empty() {
        schedule_review(s.clone(), sandboxes);
    }
    for (registration, client, message) in fields {
        schedule_field_review(s.clone(), registration, client, message);
    }
    for (kind, id) in answers {
        if kind == MessageType::PdfFormRequest {
            schedule_form_review(s.clone(), id);
        } else {
            schedule_answer(s.clone(), id);
        }
    }
    for g in grants {
        schedule_grant_review(s.clone(), g);
    }
    for id in submissions {
        super::support::schedule_submission_review(s.clone(), id);
    }
}

fn client_id_of(store: &Store, uri: &Url) -> Option<String> {
    store
        .clients
        .iter()
        .find(|c| c.item.cds_client_uri == *uri)
        .map(|c| c.item.client_id.clone())
}
