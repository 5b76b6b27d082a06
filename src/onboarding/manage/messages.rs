//! The Messages API (CDS-WG1-02 §6): the three lists, each paged on its own (§6.8), retrieval
//! (§6.10), marking read (§6.11), creating the Message types a Client may send (§6.9), and
//! threads: replies gathered under the Message they answer, with the status of the latest
//! `request_update` overriding the request's own (§6.2).

use std::collections::HashMap;

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};
use url::Url;

use crate::cds::Message;
use crate::cds::messages::{
    ClientGrantRequest, ClientUpdateRequest, MessageAttachment, MessageCreate, MessageRelatedType,
    MessageStatus, MessageType,
};

use super::error::ManageError;
use super::page::Page;
use super::session::{Api, Auth, Session, decode, joined, with_query};

const LIST: &str = "§6.8";
const CREATE: &str = "§6.9";
const GET: &str = "§6.10";
const MODIFY: &str = "§6.11";

/// The three lists of §6.8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageList {
    /// `status` open or pending: what remains to do.
    Outstanding,
    Unread,
    Read,
}

impl MessageList {
    pub const ALL: [MessageList; 3] = [
        MessageList::Outstanding,
        MessageList::Unread,
        MessageList::Read,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MessageList::Outstanding => "outstanding",
            MessageList::Unread => "unread",
            MessageList::Read => "read",
        }
    }

    fn keys(self) -> [&'static str; 3] {
        match self {
            MessageList::Outstanding => ["outstanding", "outstanding_next", "outstanding_previous"],
            MessageList::Unread => ["unread", "unread_next", "unread_previous"],
            MessageList::Read => ["read", "read_next", "read_previous"],
        }
    }
}

/// The §6.8 filter.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    pub message_ids: Vec<String>,
}

async fn first_url(s: &mut Session<'_>, f: &MessageFilter) -> Result<Url, ManageError> {
    let api = s.endpoint(Api::Messages).await?;
    Ok(with_query(&api, &[("message_ids", joined(&f.message_ids))]))
}

/// One page of one list: the first when `cursor` is `None`, else the page a
/// `{list}_next`/`{list}_previous` link names (§6.8: that answer fills only that list).
pub async fn list_page(
    s: &mut Session<'_>,
    list: MessageList,
    filter: &MessageFilter,
    cursor: Option<&Url>,
) -> Result<Page<Message>, ManageError> {
    let url = match cursor {
        Some(u) => u.clone(),
        None => first_url(s, filter).await?,
    };
    s.page(&url, list.keys(), &Auth::Admin, LIST).await
}

/// Every Message of one list, newest `modified` first.
pub async fn collect(
    s: &mut Session<'_>,
    list: MessageList,
    filter: &MessageFilter,
) -> Result<Vec<Message>, ManageError> {
    let url = first_url(s, filter).await?;
    s.collect(&url, list.keys(), &Auth::Admin, LIST).await
}

/// Every Message once (the unread and read lists together), newest `modified` first.
pub async fn all(s: &mut Session<'_>, filter: &MessageFilter) -> Result<Vec<Message>, ManageError> {
    let mut out = collect(s, MessageList::Unread, filter).await?;
    out.extend(collect(s, MessageList::Read, filter).await?);
    out.sort_by_key(|b| std::cmp::Reverse(b.modified));
    out.dedup_by(|a, b| a.message_id == b.message_id);
    Ok(out)
}

/// One Message by id (found through the `message_ids` filter, then read at its `uri`, §6.10).
pub async fn get(s: &mut Session<'_>, message_id: &str) -> Result<Message, ManageError> {
    let filter = MessageFilter {
        message_ids: vec![message_id.to_owned()],
    };
    let listed = all(s, &filter)
        .await?
        .into_iter()
        .find(|m| m.message_id == message_id)
        .ok_or_else(|| ManageError::NotFound {
            what: "Message",
            id: message_id.to_owned(),
            section: GET,
        })?;
    let (_, v) = s
        .call(Method::GET, &listed.uri, None, &Auth::Admin, GET)
        .await?;
    decode(&listed.uri, GET, &v)
}

/// Marks a Message read or unread (§6.11).
pub async fn mark_read(
    s: &mut Session<'_>,
    message_id: &str,
    read: bool,
) -> Result<Message, ManageError> {
    let m = get(s, message_id).await?;
    let (_, v) = s
        .call(
            Method::PATCH,
            &m.uri,
            Some(&json!({ "read": read })),
            &Auth::Admin,
            MODIFY,
        )
        .await?;
    decode(&m.uri, MODIFY, &v)
}

/// A Message to send (§6.9). Which members matter depends on `kind`; [`send`] checks them
/// before anything goes out.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    pub kind: Option<MessageType>,
    /// `name`: the subject of a support request or private message.
    pub subject: String,
    /// `description`: the body.
    pub body: String,
    /// The `message_id` this answers (`previous_uri`); required for a `client_submission`.
    pub in_reply_to: Option<String>,
    /// A production request: the sandbox Client object to copy; a grant request: the Client
    /// object the Grants are for.
    pub client_id: Option<String>,
    /// A support request's `related_uri`: the API URL the question is about.
    pub related_uri: Option<Url>,
    /// A grant request's `grants_requested` (§6.6).
    pub grants: Vec<ClientGrantRequest>,
    /// A client submission's answers: (field, text) per field the server_request asked for.
    pub answers: Vec<(String, String)>,
    pub attachments: Vec<MessageAttachment>,
}

/// The Message types a Client may create (§6.9).
pub const CLIENT_TYPES: [MessageType; 5] = [
    MessageType::SupportRequest,
    MessageType::PrivateMessage,
    MessageType::ProductionRequest,
    MessageType::GrantRequest,
    MessageType::ClientSubmission,
];

/// Creates a Message (§6.9) after checking it as the spec shapes each type.
pub async fn send(s: &mut Session<'_>, out: &Outgoing) -> Result<Message, ManageError> {
    let body = prepare(s, out).await?;
    let api = s.endpoint(Api::Messages).await?;
    let (_, v) = s
        .call(Method::POST, &api, Some(&body), &Auth::Admin, CREATE)
        .await?;
    decode(&api, CREATE, &v)
}

fn refuse<T>(why: impl Into<String>) -> Result<T, ManageError> {
    Err(ManageError::Refused(why.into()))
}

/// The §6.9 body for `out`, or why it cannot be sent.
async fn prepare(s: &mut Session<'_>, out: &Outgoing) -> Result<Value, ManageError> {
    use MessageType as T;
    let Some(kind) = out.kind.clone() else {
        return refuse("give the Message type");
    };
    if !CLIENT_TYPES.contains(&kind) {
        return refuse(format!(
            "a client may only create support_request, private_message, production_request, \
             grant_request or client_submission Messages (WG1-02 §6.9), not `{kind}`"
        ));
    }
    let previous = match &out.in_reply_to {
        Some(id) => Some(get(s, id).await?),
        None => None,
    };
    let mut create = MessageCreate {
        previous_uri: previous.as_ref().map(|p| p.uri.clone()),
        message_type: kind.clone(),
        name: out.subject.clone(),
        description: out.body.clone(),
        updates_requested: None,
        grants_requested: None,
        attachments: (!out.attachments.is_empty()).then(|| out.attachments.clone()),
        related_uri: None,
        related_type: None,
        extra: Map::new(),
    };
    match kind {
        T::SupportRequest | T::PrivateMessage => {
            if out.subject.trim().is_empty() || out.body.trim().is_empty() {
                return refuse(format!("a {kind} needs a subject and a body (WG1-02 §6.9)"));
            }
            create.related_uri = out.related_uri.clone();
        }
        T::ClientSubmission => {
            let Some(prev) = previous.filter(|p| p.message_type == T::ServerRequest) else {
                return refuse(
                    "a client_submission answers a server_request: give its id with \
                     --in-reply-to (WG1-02 §6.9)",
                );
            };
            create.name = String::new();
            create.description = String::new();
            create.updates_requested = Some(submission(&prev, &out.answers)?);
        }
        T::ProductionRequest | T::GrantRequest => {
            if let Some(id) = &out.client_id {
                let c = super::clients::get(s, id).await?;
                if kind == T::ProductionRequest
                    && !c
                        .cds_status_options
                        .contains(&crate::cds::ClientStatus::Sandbox)
                {
                    return refuse(format!(
                        "client {id} has no `sandbox` in cds_status_options; a production \
                         request names a sandbox Client object (WG1-02 §6.9)"
                    ));
                }
                create.related_uri = Some(c.cds_client_uri);
                create.related_type = Some(MessageRelatedType::Client);
            } else if kind == T::ProductionRequest {
                return refuse("a production_request names the sandbox client (WG1-02 §6.9)");
            }
            if kind == T::GrantRequest {
                if out.grants.is_empty() {
                    return refuse("a grant_request needs at least one scope (WG1-02 §6.6)");
                }
                create.grants_requested = Some(out.grants.clone());
            }
            if create.name.trim().is_empty() {
                create.name = match kind {
                    T::ProductionRequest => "Production access request".to_owned(),
                    _ => "Grant request".to_owned(),
                };
            }
        }
        _ => {}
    }
    serde_json::to_value(&create).map_err(|e| ManageError::Refused(e.to_string()))
}

/// A client_submission's `updates_requested`: one answer per field the request asked for.
fn submission(
    request: &Message,
    answers: &[(String, String)],
) -> Result<Vec<ClientUpdateRequest>, ManageError> {
    let asked: Vec<&str> = request
        .updates_requested
        .iter()
        .flatten()
        .map(|u| u.field.as_str())
        .collect();
    if answers.is_empty() {
        return refuse(format!(
            "answer the fields the server_request asks for: {}",
            asked.join(", ")
        ));
    }
    let mut out = Vec::new();
    for (field, text) in answers {
        if !asked.contains(&field.as_str()) {
            return refuse(format!(
                "the server_request does not ask for `{field}` (it asks for {})",
                asked.join(", ")
            ));
        }
        let uri = Url::parse(text).ok().filter(|u| u.scheme() == "https");
        out.push(ClientUpdateRequest {
            field: field.clone(),
            name: None,
            description: uri.is_none().then(|| text.clone()),
            uri,
            previous_value: None,
            new_value: None,
            extra: Map::new(),
        });
    }
    Ok(out)
}

/// A request and everything that answers it (§6.2): replies in the order written, and the
/// status that holds now.
#[derive(Debug, Clone, Serialize)]
pub struct Thread {
    pub root: Message,
    pub replies: Vec<Message>,
    /// The latest `request_update`'s status when there is one, else the root's (§6.2).
    pub status: MessageStatus,
    /// When anything in the thread last changed.
    pub modified: Timestamp,
}

impl Thread {
    /// Whether the thread still waits on someone (open or pending, §6.3).
    pub fn is_outstanding(&self) -> bool {
        matches!(self.status, MessageStatus::Open | MessageStatus::Pending)
    }
}

/// Gathers Messages into threads: each Message under the first ancestor its `previous_uri`
/// chain reaches among `messages`; newest activity first.
pub fn threads(messages: &[Message]) -> Vec<Thread> {
    let by_uri: HashMap<&Url, &Message> = messages.iter().map(|m| (&m.uri, m)).collect();
    // The first ancestor; in a `previous_uri` loop (a server could make one), its earliest
    // member, so every Message of the loop lands in one thread.
    let root_of = |m: &Message| -> Url {
        let mut path: Vec<&Message> = vec![m];
        loop {
            let cur = path[path.len() - 1];
            match cur.previous_uri.as_ref().and_then(|u| by_uri.get(u)) {
                None => return cur.uri.clone(),
                Some(p) => match path.iter().position(|x| x.uri == p.uri) {
                    Some(i) => {
                        let first = path[i..].iter().min_by(|a, b| {
                            (a.created, &a.message_id).cmp(&(b.created, &b.message_id))
                        });
                        return first.map_or_else(|| cur.uri.clone(), |f| f.uri.clone());
                    }
                    None => path.push(p),
                },
            }
        }
    };
    let mut order: Vec<Url> = Vec::new();
    let mut groups: HashMap<Url, Vec<&Message>> = HashMap::new();
    for m in messages {
        let r = root_of(m);
        if !groups.contains_key(&r) {
            order.push(r.clone());
        }
        groups.entry(r).or_default().push(m);
    }
    let mut out: Vec<Thread> = order
        .into_iter()
        .filter_map(|r| {
            let mut members = groups.remove(&r)?;
            members.sort_by_key(|m| m.created);
            let root = members.iter().position(|m| m.uri == r)?;
            let root = members.remove(root).clone();
            let latest_update = members
                .iter()
                .filter(|m| m.message_type == MessageType::RequestUpdate)
                .max_by_key(|m| m.created);
            let status = latest_update.map_or_else(|| root.status.clone(), |u| u.status.clone());
            let modified = members
                .iter()
                .map(|m| m.modified)
                .chain([root.modified])
                .max()
                .unwrap_or(root.modified);
            Some(Thread {
                root,
                replies: members.into_iter().cloned().collect(),
                status,
                modified,
            })
        })
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.modified));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: &str, kind: &str, status: &str, prev: Option<&str>, at: i64) -> Message {
        serde_json::from_value(json!({
            "message_id": id, "uri": format!("https://u.example/m/{id}"),
            "previous_uri": prev.map(|p| format!("https://u.example/m/{p}")),
            "type": kind, "read": false, "creator": null,
            "created": Timestamp::from_second(at).unwrap().to_string(),
            "modified": Timestamp::from_second(at).unwrap().to_string(),
            "status": status, "name": id, "description": "",
        }))
        .unwrap()
    }

    #[test]
    fn the_latest_request_update_wins() {
        let list = vec![
            msg("u2", "request_update", "complete", Some("pay"), 30),
            msg("pay", "payment_request", "open", None, 10),
            msg("u1", "request_update", "pending", Some("pay"), 20),
            msg("note", "notification", "complete", None, 5),
            // A loop: each names the other; gathered once, not hung on.
            msg("a", "private_message", "complete", Some("b"), 1),
            msg("b", "private_message", "complete", Some("a"), 2),
        ];
        let t = threads(&list);
        let pay = t.iter().find(|t| t.root.message_id == "pay").unwrap();
        assert_eq!(pay.status, MessageStatus::Complete);
        assert_eq!(
            pay.replies
                .iter()
                .map(|m| m.message_id.as_str())
                .collect::<Vec<_>>(),
            ["u1", "u2"]
        );
        assert!(!pay.is_outstanding());
        assert_eq!(t[0].root.message_id, "pay", "newest activity first");
        let total: usize = t.iter().map(|t| 1 + t.replies.len()).sum();
        assert_eq!(total, list.len());
    }
}
