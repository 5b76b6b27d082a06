//! The demo's management APIs behind `cds_client_admin` bearer tokens (RFC 6750): listing and
//! retrieving Client objects (CDS-WG1-02 §5.3–§5.4), Messages (§6.8, §6.10) and Credentials
//! (§7.3–§7.4). Modification and creation endpoints live in `mutations.rs`.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::cds::Message;
use crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE;
use crate::cds::messages::MessageStatus;

use super::DemoState;
use super::state::{
    AccessToken, ApiError, Record, client_json, credential_json, error_response, json_with_status,
    page_url, paginate, parse_page,
};

/// An RFC 6750 §3 challenge: 401 for a missing or bad token, 403 for a token without what the
/// endpoint needs (`scope` names the scope a client should ask for, when there is one).
pub(crate) fn bearer_error(
    status: StatusCode,
    error: Option<&'static str>,
    description: &str,
    scope: Option<&str>,
) -> ApiError {
    let mut challenge = "Bearer realm=\"cds-wizard demo\"".to_owned();
    if let Some(e) = error {
        challenge.push_str(&format!(
            ", error=\"{e}\", error_description=\"{description}\""
        ));
        if let (Some(sc), "insufficient_scope") = (scope, e) {
            challenge.push_str(&format!(", scope=\"{sc}\""));
        }
    }
    ApiError {
        status,
        error: error.unwrap_or("invalid_token"),
        description: description.to_owned(),
        challenge: Some(challenge),
    }
}

/// The live access token a request carries (RFC 6750 §2.1): 401 when it is missing, malformed,
/// unknown, revoked or expired (an expired one is dropped). `needed` says what a token must
/// come from, for the message.
pub(crate) fn bearer_token(
    s: &DemoState,
    headers: &HeaderMap,
    needed: &str,
) -> Result<AccessToken, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        // RFC 6750 §3.1: no error code when the request carries no credentials at all.
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            None,
            &format!("a Bearer access token {needed} is required"),
            None,
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let Some(token) = token else {
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_request"),
            "the Authorization header must be `Bearer <token>`",
            None,
        ));
    };
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let Some(t) = store.tokens.get(&token).cloned() else {
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the access token is unknown or revoked",
            None,
        ));
    };
    if t.expires_at <= now {
        store.tokens.remove(&token);
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the access token expired",
            None,
        ));
    }
    Ok(t)
}

/// The registration whose objects a `cds_client_admin` bearer token may see.
pub(crate) fn authorize(s: &DemoState, headers: &HeaderMap) -> Result<String, ApiError> {
    let t = bearer_token(s, headers, "with scope cds_client_admin")?;
    if !t.scopes.iter().any(|sc| sc == CLIENT_ADMIN_SCOPE) {
        return Err(bearer_error(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            "the access token lacks scope cds_client_admin",
            Some(CLIENT_ADMIN_SCOPE),
        ));
    }
    Ok(t.registration)
}

/// The caller's registration (a `cds_client_admin` token) and the listing page it asks for.
pub(crate) fn admin_page(
    s: &DemoState,
    headers: &HeaderMap,
    page: Option<&str>,
) -> Result<(String, usize), ApiError> {
    Ok((authorize(s, headers)?, parse_page(page)?))
}

/// `GET {api}/{id}`: one object of the caller's registration, or 404 (also for another
/// registration's objects, so ids reveal nothing).
pub(crate) fn get_one<T: Clone>(
    s: &DemoState,
    headers: &HeaderMap,
    records: impl Fn(&super::state::Store) -> &Vec<Record<T>>,
    matches: impl Fn(&T) -> bool,
    render: impl Fn(&T) -> Value,
    what: &str,
) -> Response {
    let registration = match authorize(s, headers) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let found = records(&s.registry.lock())
        .iter()
        .find(|r| r.registration == registration && matches(&r.item))
        .map(|r| r.item.clone());
    match found {
        Some(item) => json_with_status(StatusCode::OK, &render(&item)),
        None => not_found(what),
    }
}

pub(crate) fn not_found(what: &str) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("no such {what} for this client"),
    )
}

/// Records of `registration`, newest `modified` first (ties: newest stored first).
pub(crate) fn newest_first<T: Clone>(
    records: &[Record<T>],
    registration: &str,
    modified: impl Fn(&T) -> Timestamp,
) -> Vec<T> {
    let mut mine: Vec<&Record<T>> = records
        .iter()
        .filter(|r| r.registration == registration)
        .collect();
    mine.sort_by(|a, b| {
        modified(&b.item)
            .cmp(&modified(&a.item))
            .then(b.seq.cmp(&a.seq))
    });
    mine.into_iter().map(|r| r.item.clone()).collect()
}

pub(crate) fn id_filter(raw: &Option<String>) -> Option<Vec<String>> {
    raw.as_deref()
        .map(|s| s.split_ascii_whitespace().map(str::to_owned).collect())
}

pub(crate) fn parse_datetime(
    name: &str,
    raw: &Option<String>,
) -> Result<Option<Timestamp>, ApiError> {
    match raw.as_deref() {
        None => Ok(None),
        Some(text) => text.parse::<Timestamp>().map(Some).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("`{name}` must be an RFC 3339 date-time"),
            )
        }),
    }
}

fn link(base: &str, path: &str, params: &[(&str, &str)], page: usize, present: bool) -> Value {
    if present {
        Value::String(page_url(base, path, params, page))
    } else {
        Value::Null
    }
}

/// One page of a §5.3/§7.3-style listing: `{key: [...], "next": url|null, "previous": url|null}`,
/// with the links carrying the request's filters.
pub(crate) fn listing(
    base: &str,
    path: &str,
    key: &str,
    params: &[(&str, &str)],
    all: &[Value],
    page: usize,
) -> Response {
    let (items, prev, next) = paginate(all, page);
    json_with_status(
        StatusCode::OK,
        &json!({
            key: items,
            "next": link(base, path, params, page + 1, next),
            "previous": link(base, path, params, page.saturating_sub(1), prev),
        }),
    )
}

/// Present query parameters, to repeat in pagination links.
pub(crate) fn present<'a>(pairs: &[(&'a str, &'a Option<String>)]) -> Vec<(&'a str, &'a str)> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)))
        .collect()
}

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
    let (registration, page) = match admin_page(&s, &headers, q.page.as_deref()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let wanted = id_filter(&q.client_ids);
    let all: Vec<Value> = newest_first(&s.registry.lock().clients, &registration, |c| {
        c.cds_modified
    })
    .into_iter()
    .filter(|c| wanted.as_ref().is_none_or(|w| w.contains(&c.client_id)))
    .map(|c| client_json(&c, None))
    .collect();
    let params = present(&[("client_ids", &q.client_ids)]);
    listing(&s.base_url, "/api/clients", "clients", &params, &all, page)
}

/// `GET /api/clients/{client_id}` (§5.4).
pub async fn get_client(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    get_one(
        &s,
        &headers,
        |st| &st.clients,
        |c| c.client_id == id,
        |c| client_json(c, None),
        "Client object",
    )
}

#[derive(Debug, Deserialize)]
pub struct CredentialsQuery {
    credential_ids: Option<String>,
    client_ids: Option<String>,
    after: Option<String>,
    before: Option<String>,
    page: Option<String>,
}

/// `GET /api/credentials` (§7.3): each Credential with its `client_secret` (§7.1).
pub async fn list_credentials(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<CredentialsQuery>,
) -> Response {
    let (registration, page) = match admin_page(&s, &headers, q.page.as_deref()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let (after, before) = match (
        parse_datetime("after", &q.after),
        parse_datetime("before", &q.before),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let ids = id_filter(&q.credential_ids);
    let clients = id_filter(&q.client_ids);
    let all: Vec<Value> = newest_first(&s.registry.lock().credentials, &registration, |c| {
        c.modified
    })
    .into_iter()
    .filter(|c| ids.as_ref().is_none_or(|w| w.contains(&c.credential_id)))
    .filter(|c| clients.as_ref().is_none_or(|w| w.contains(&c.client_id)))
    // "created after or on" / "before or on" (§7.3): both bounds inclusive.
    .filter(|c| after.is_none_or(|a| c.created >= a))
    .filter(|c| before.is_none_or(|b| c.created <= b))
    .map(|c| credential_json(&c))
    .collect();
    let params = present(&[
        ("credential_ids", &q.credential_ids),
        ("client_ids", &q.client_ids),
        ("after", &q.after),
        ("before", &q.before),
    ]);
    listing(
        &s.base_url,
        "/api/credentials",
        "credentials",
        &params,
        &all,
        page,
    )
}

/// `GET /api/credentials/{credential_id}` (§7.4).
pub async fn get_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    get_one(
        &s,
        &headers,
        |st| &st.credentials,
        |c| c.credential_id == id,
        credential_json,
        "Credential",
    )
}

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
    get_one(
        &s,
        &headers,
        |st| &st.messages,
        |m| m.message_id == id,
        |m| serde_json::to_value(m).unwrap_or_default(),
        "Message",
    )
}
