//! The demo utility's support desk (CDS-WG1-02 §6.9): a `support_request` is answered with a
//! `request_update`, unless its body is too short to act on — then the desk asks for detail
//! with a `server_request` in the same thread, and once the app answers it (a
//! `client_submission`) and the review delay passes, both complete with their updates. The
//! person writing decides which path runs by what they write, so both can be tried.

use std::sync::Arc;

use jiff::Timestamp;

use crate::cds::messages::{ClientUpdateRequest, MessageStatus, MessageType};

use super::DemoState;
use super::answers::{pending, update};
use super::store::Store;
use super::store::objects::{MessageSpec, build_message};

/// A body shorter than this (in characters, trimmed) gets asked for more.
pub(crate) const MIN_DETAIL: usize = 20;

/// The field the desk's `server_request` asks for.
pub(crate) const DETAIL_FIELD: &str = "details";

/// Answers the pending support request at `i`: asks for detail when its body is too short
/// (once: while its question is open or reviewed, nothing more), else completes it.
pub(crate) fn answer(store: &mut Store, base: &str, now: Timestamp, registration: &str, i: usize) {
    let request = store.messages[i].item.clone();
    let asked = store.messages.iter().any(|m| {
        m.item.message_type == MessageType::ServerRequest
            && m.item.previous_uri.as_ref() == Some(&request.uri)
    });
    if asked {
        return;
    }
    if request.description.trim().chars().count() < MIN_DETAIL {
        let mut question = build_message(
            base,
            now,
            MessageSpec {
                message_type: MessageType::ServerRequest,
                status: MessageStatus::Open,
                name: "More detail needed".to_owned(),
                description: format!(
                    "Our support desk needs more to go on than \"{}\": what you did, what \
                     you expected and what happened instead.",
                    request.description.trim()
                ),
                related: None,
                previous_uri: Some(request.uri.clone()),
                amount: None,
                currency: None,
            },
        );
        question.updates_requested = Some(vec![ClientUpdateRequest {
            field: DETAIL_FIELD.to_owned(),
            name: Some("Details".to_owned()),
            description: Some(
                "What you did, what you expected and what happened (times, client ids).".to_owned(),
            ),
            uri: None,
            previous_value: None,
            new_value: None,
            extra: Default::default(),
        }]);
        store.add_message(registration, question);
        return;
    }
    resolve(store, base, now, registration, i);
}

/// The support request at `i` completed, with its `request_update` (§6.2).
fn resolve(store: &mut Store, base: &str, now: Timestamp, registration: &str, i: usize) {
    update(
        store,
        base,
        now,
        registration,
        i,
        MessageStatus::Complete,
        "Support request answered",
        "Thank you for reaching out. The demo utility's support desk has looked into your \
         request and considers it resolved; reply to this thread if it is not.",
        None,
    );
}

/// After the review delay, the app's answer to server_request `id` is accepted: the question
/// completes (its `request_update`), then the support request it asked about is answered.
pub(crate) fn schedule_submission_review(s: Arc<DemoState>, id: String) {
    tokio::spawn(async move {
        tokio::time::sleep(s.registry.options.review_delay).await;
        let now = s.registry.now();
        let mut store = s.registry.lock();
        let Some(i) = pending(&store, &id) else {
            return;
        };
        let registration = store.messages[i].registration.clone();
        let about = store.messages[i].item.previous_uri.clone();
        let (name, text) = (
            "Details received",
            "Thank you: the details you sent were received and reviewed.",
        );
        let done = MessageStatus::Complete;
        update(
            &mut store,
            &s.base_url,
            now,
            &registration,
            i,
            done,
            name,
            text,
            None,
        );
        let support = store.messages.iter().position(|m| {
            m.registration == registration
                && Some(&m.item.uri) == about.as_ref()
                && m.item.message_type == MessageType::SupportRequest
                && m.item.status == MessageStatus::Pending
        });
        if let Some(j) = support {
            resolve(&mut store, &s.base_url, now, &registration, j);
        }
    });
}
