//! Creating Messages (CDS-WG1-02 §6.9): the kinds a Client may create, their attachments
//! (§6.7), the answers to a `client_submission`, a `production_request` and a `grant_request`,
//! and the related type of a `related_uri` (§6.1).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use jiff::Timestamp;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::Message;
use crate::cds::messages::{
    MessageAttachment, MessageCreate, MessageRelatedType, MessageStatus, MessageType,
};

use crate::demo::DemoState;
use crate::demo::api::auth::caller;
use crate::demo::api::common::{bad, json_object};
use crate::demo::reply::{ApiError, json_with_status, respond};
use crate::demo::review::{schedule_existing_answer, schedule_review};
use crate::demo::store::{Store, random_hex};

use super::requests::{ProductionAnswer, check_grant_request, check_production_request};

/// Body cap on `POST /api/messages`. §6.9: the attachment limit must be at least 10 megabytes;
/// Base64 adds a third, plus the JSON around it. Other write endpoints keep axum's 2 MB default.
pub const MESSAGE_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Decoded attachment bytes one Message may carry (§6.9: at least 10 megabytes).
const ATTACHMENT_LIMIT: usize = 10 * 1024 * 1024;

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
    let who = caller(s, headers)?;
    let req = parse_request(json_object(headers, body)?)?;
    let catalog = s.registry.catalog(&s.documents)?;
    let base = s.base_url.as_str();
    let now = s.registry.now();

    let mut store = s.registry.lock();
    let previous = previous_message(&store, &who.registration, req.previous_uri.as_ref())?;
    let mut related_type = req.related_type.clone();
    let answer = match req.message_type {
        MessageType::PrivateMessage | MessageType::SupportRequest => {
            check_subject(&req)?;
            None
        }
        MessageType::ClientSubmission => {
            check_submission(&req, previous.as_ref())?;
            None
        }
        MessageType::ProductionRequest => Some(check_production_request(
            &store,
            &who.registration,
            &req,
            &mut related_type,
        )?),
        MessageType::GrantRequest => {
            check_grant_request(&store, catalog, &who.registration, &req, &mut related_type)?;
            None
        }
        _ => None,
    };
    if let Some(u) = &req.related_uri
        && related_type.is_none()
    {
        related_type = Some(infer_related_type(base, u));
    }
    let message = new_message(base, now, &who.client_id, req, related_type)?;
    store.add_message(&who.registration, message.clone());
    let submitted = previous.as_ref().is_some_and(|prev| {
        answer_server_request(&mut store, &who.registration, &message, prev, now)
    });
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
    if let (true, Some(prev)) = (submitted, &previous) {
        crate::demo::support::schedule_submission_review(s.clone(), prev.message_id.clone());
    }
    if matches!(
        message.message_type,
        MessageType::SupportRequest | MessageType::GrantRequest
    ) {
        crate::demo::answers::schedule_answer(s.clone(), message.message_id.clone());
    }
    Ok(json_with_status(StatusCode::CREATED, &message))
}

/// The body as a §6.9 Message: a type a Client may create, valid attachments, and the
/// type-specific members only on their types.
fn parse_request(raw: Map<String, Value>) -> Result<MessageCreate, ApiError> {
    use MessageType as T;
    let req: MessageCreate = serde_json::from_value(Value::Object(raw)).map_err(|e| {
        bad(
            "invalid_request",
            format!(
                "the Message does not parse (WG1-02 §6.9 needs type, name and description): {e}"
            ),
        )
    })?;
    let kind = &req.message_type;
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
    if req.updates_requested.is_some() && *kind != T::ClientSubmission {
        return Err(bad(
            "invalid_request",
            "`updates_requested` belongs only to client_submission Messages (WG1-02 §6.9)",
        ));
    }
    if req.grants_requested.is_some() && *kind != T::GrantRequest {
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
    Ok(req)
}

/// The Message `previous_uri` names, which must be one of this registration's.
fn previous_message(
    store: &Store,
    registration: &str,
    previous_uri: Option<&Url>,
) -> Result<Option<Message>, ApiError> {
    let Some(u) = previous_uri else {
        return Ok(None);
    };
    store
        .messages
        .iter()
        .find(|m| m.registration == registration && m.item.uri == *u)
        .map(|m| Some(m.item.clone()))
        .ok_or_else(|| {
            bad(
                "invalid_request",
                "`previous_uri` is not the uri of a Message of this registration",
            )
        })
}

/// A private message or support request has a subject and a body.
fn check_subject(req: &MessageCreate) -> Result<(), ApiError> {
    if req.name.trim().is_empty() || req.description.trim().is_empty() {
        return Err(bad(
            "invalid_request",
            "`name` (the subject) and `description` (the body) must not be empty \
             (WG1-02 §6.9)",
        ));
    }
    Ok(())
}

/// A `client_submission` answers a `server_request` with the fields it asked for.
fn check_submission(req: &MessageCreate, previous: Option<&Message>) -> Result<(), ApiError> {
    let Some(prev) = previous.filter(|p| p.message_type == MessageType::ServerRequest) else {
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
    Ok(())
}

/// The stored Message: Client-created (§6.9), `complete` when nothing is left to do.
fn new_message(
    base: &str,
    now: Timestamp,
    creator: &str,
    req: MessageCreate,
    related_type: Option<MessageRelatedType>,
) -> Result<Message, ApiError> {
    use MessageType as T;
    let message_id = random_hex(8);
    let uri = Url::parse(&format!("{base}/api/messages/{message_id}")).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            e.to_string(),
        )
    })?;
    Ok(Message {
        message_id,
        uri,
        previous_uri: req.previous_uri,
        status: match req.message_type {
            T::PrivateMessage | T::ClientSubmission => MessageStatus::Complete,
            _ => MessageStatus::Pending,
        },
        message_type: req.message_type,
        // §6.9: "Always set to `true`" for Client-created Messages (the Client wrote it).
        read: true,
        creator: Some(creator.to_owned()),
        created: now,
        modified: now,
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
    })
}

/// §6.9: a client_submission moves an `open` server_request to `pending`. True when it did
/// (the utility then reviews the answer).
fn answer_server_request(
    store: &mut Store,
    registration: &str,
    message: &Message,
    previous: &Message,
    now: Timestamp,
) -> bool {
    if message.message_type != MessageType::ClientSubmission {
        return false;
    }
    if let Some(m) = store
        .messages
        .iter_mut()
        .find(|m| m.registration == registration && m.item.message_id == previous.message_id)
        && m.item.status == MessageStatus::Open
    {
        m.item.status = MessageStatus::Pending;
        m.item.modified = now;
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;

    use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
    use crate::cds::messages::ClientUpdateRequest;
    use crate::demo::DemoOptions;
    use crate::demo::store::AccessToken;
    use crate::demo::store::objects::{MessageSpec, build_message};

    /// A client_submission answers a server_request (seeded into the store here; the support
    /// desk's own is driven end to end in tests/it/demo_support.rs). The answer's review is
    /// scheduled on the runtime.
    #[tokio::test]
    async fn client_submission_answers_a_server_request() {
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
