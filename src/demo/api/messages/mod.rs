//! The Messages API (CDS-WG1-02 §6): the three paginated lists (§6.8), retrieval (§6.10) and
//! marking read (§6.11), behind `cds_client_admin` bearer tokens. Creation (§6.9) is in
//! `create.rs`.

mod create;
mod requests;

pub use create::{MESSAGE_BODY_LIMIT, create_message};

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::cds::Message;
use crate::cds::messages::MessageStatus;

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, error_response, json_with_status, respond};

use super::common::{
    Resource, admin_page, bad, id_filter, json_object, link, newest_first, not_found_error,
    paginate,
};

/// Messages as a management API resource (retrieval and modification; the §6.8 listing has
/// three lists of its own).
const MESSAGES: Resource<Message> = Resource {
    records: |st| &st.messages,
    id: |m| &m.message_id,
    modified: |m| m.modified,
    render: |m| serde_json::to_value(m).unwrap_or_default(),
    what: "Message",
    path: "/api/messages",
    key: "messages",
};

#[derive(Debug, Deserialize)]
pub struct MessagesQuery {
    message_ids: Option<String>,
    /// Which list a `*_next`/`*_previous` link continues: `outstanding`, `unread` or `read`.
    list: Option<String>,
    page: Option<String>,
}

const MESSAGE_LISTS: [&str; 3] = ["outstanding", "unread", "read"];

/// `GET /api/messages` (§6.8): three lists, each paginated on its own. A `*_next`/`*_previous`
/// link carries `list=<name>&page=N`, and its response fills only that list.
pub async fn list_messages(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<MessagesQuery>,
) -> Response {
    let (registration, page) = match admin_page(&s, &headers, q.page.as_deref()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if let Some(l) = &q.list
        && !MESSAGE_LISTS.contains(&l.as_str())
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "`list` must be outstanding, unread or read",
        );
    }
    if q.list.is_none() && page != 1 {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "`page` needs `list` (follow the *_next and *_previous links)",
        );
    }
    let wanted = id_filter(&q.message_ids);
    let all: Vec<Message> =
        newest_first(&s.registry.lock().messages, &registration, |m| m.modified)
            .into_iter()
            .filter(|m| wanted.as_ref().is_none_or(|w| w.contains(&m.message_id)))
            .collect();
    let mut body = Map::new();
    for name in MESSAGE_LISTS {
        let members: Vec<Message> = all
            .iter()
            .filter(|m| match name {
                "outstanding" => matches!(m.status, MessageStatus::Open | MessageStatus::Pending),
                "unread" => !m.read,
                _ => m.read,
            })
            .cloned()
            .collect();
        let this_page = match &q.list {
            None => Some(1),
            Some(l) if l == name => Some(page),
            Some(_) => None,
        };
        let (items, prev, next) = match this_page {
            Some(p) => paginate(&members, p),
            None => (Vec::new(), false, false),
        };
        let p = this_page.unwrap_or(1);
        let mut params = vec![("list", name)];
        if let Some(ids) = &q.message_ids {
            params.push(("message_ids", ids.as_str()));
        }
        body.insert(
            name.to_owned(),
            serde_json::to_value(&items).unwrap_or(Value::Null),
        );
        body.insert(
            format!("{name}_next"),
            link(&s.base_url, "/api/messages", &params, p + 1, next),
        );
        body.insert(
            format!("{name}_previous"),
            link(
                &s.base_url,
                "/api/messages",
                &params,
                p.saturating_sub(1),
                prev,
            ),
        );
    }
    json_with_status(StatusCode::OK, &Value::Object(body))
}

/// `GET /api/messages/{message_id}` (§6.10).
pub async fn get_message(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    MESSAGES.get(&s, &headers, &id)
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
    let registration = MESSAGES.owner(s, headers, id)?;
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
    let index = MESSAGES
        .position(&store, &registration, id)
        .ok_or_else(|| not_found_error(MESSAGES.what))?;
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
