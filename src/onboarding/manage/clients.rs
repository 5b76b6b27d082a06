//! The Clients API (CDS-WG1-02 §5): listing with the `client_ids` filter (§5.3), retrieval
//! (§5.4), and modification by PUT of the full object (§5.5) — immutable fields refused before
//! anything is sent, and a `202 Accepted` shown with the `field_changes` Message it created.

use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::messages::MessageType;
use crate::cds::{ClientObject, ClientStatus, Message};

use super::error::ManageError;
use super::messages::{self, MessageList};
use super::page::Page;
use super::session::{Api, Auth, Session, decode, joined, with_query};

const LIST: &str = "§5.3";
const GET: &str = "§5.4";
const PUT: &str = "§5.5";
const KEYS: [&str; 3] = ["clients", "next", "previous"];

/// §5.5 fields a Client may not change, with the spec's reason.
pub const IMMUTABLE_FIELDS: &[(&str, &str)] = &[
    ("client_id", "assigned at creation and immutable"),
    (
        "client_id_issued_at",
        "set when the Client object was created",
    ),
    (
        "client_secret",
        "secrets are managed through the Credentials API (§7): use `credentials rotate`",
    ),
    (
        "client_secret_expires_at",
        "expiry is managed through the Credentials API (§7): use `credentials expire`",
    ),
    (
        "grant_types",
        "set by the server from the scopes' grant_types_supported",
    ),
    (
        "response_types",
        "set by the server from the scopes' response_types_supported",
    ),
    (
        "token_endpoint_auth_method",
        "set by the server from the scopes' token_endpoint_auth_methods_supported",
    ),
    ("cds_created", "set by the server"),
    ("cds_modified", "set by the server"),
    ("cds_client_uri", "set by the server"),
    ("cds_server_metadata", "set by the server"),
    ("cds_status_options", "set by the server"),
];

/// The §5.3 filter.
#[derive(Debug, Clone, Default)]
pub struct ClientFilter {
    pub client_ids: Vec<String>,
}

/// What a modification came back with (§5.5).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ClientChange {
    /// 200: every change applied.
    Applied { client: Box<ClientObject> },
    /// 202: some changes wait for the server's review; `client` shows what applies now, and
    /// `review` is the `field_changes` Message that tracks the rest (when found).
    UnderReview {
        client: Box<ClientObject>,
        review: Option<Box<Message>>,
    },
}

impl ClientChange {
    pub fn client(&self) -> &ClientObject {
        match self {
            ClientChange::Applied { client } | ClientChange::UnderReview { client, .. } => client,
        }
    }
}

async fn first_url(s: &mut Session<'_>, f: &ClientFilter) -> Result<Url, ManageError> {
    let api = s.endpoint(Api::Clients).await?;
    Ok(with_query(&api, &[("client_ids", joined(&f.client_ids))]))
}

/// One page: the first when `cursor` is `None`, else the page a `next`/`previous` link names.
pub async fn list_page(
    s: &mut Session<'_>,
    filter: &ClientFilter,
    cursor: Option<&Url>,
) -> Result<Page<ClientObject>, ManageError> {
    let url = match cursor {
        Some(u) => u.clone(),
        None => first_url(s, filter).await?,
    };
    s.page(&url, KEYS, &Auth::Admin, LIST).await
}

/// Every Client object, newest `cds_modified` first (§5.3).
pub async fn list(
    s: &mut Session<'_>,
    filter: &ClientFilter,
) -> Result<Vec<ClientObject>, ManageError> {
    let url = first_url(s, filter).await?;
    s.collect(&url, KEYS, &Auth::Admin, LIST).await
}

/// One Client object by id: from its `cds_client_uri` (§5.4) when the profile knows it.
pub async fn get(s: &mut Session<'_>, client_id: &str) -> Result<ClientObject, ManageError> {
    Ok(get_raw(s, client_id).await?.0)
}

/// The Client object and its JSON as the server sent it (so a PUT keeps every field).
async fn get_raw(
    s: &mut Session<'_>,
    client_id: &str,
) -> Result<(ClientObject, Value), ManageError> {
    let known = s
        .profile()
        .client(client_id)
        .and_then(|c| c.cds_client_uri.clone());
    let uri = match known {
        Some(u) => u,
        None => {
            let filter = ClientFilter {
                client_ids: vec![client_id.to_owned()],
            };
            list(s, &filter)
                .await?
                .into_iter()
                .find(|c| c.client_id == client_id)
                .map(|c| c.cds_client_uri)
                .ok_or_else(|| not_found(client_id))?
        }
    };
    let answer = s.send(Method::GET, &uri, None, &Auth::Admin, GET).await?;
    if answer.status == 404 {
        return Err(not_found(client_id));
    }
    let v = answer.json(&uri).map_err(ManageError::http(GET))?;
    let c: ClientObject = decode(&uri, GET, &v)?;
    Ok((c, v))
}

fn not_found(client_id: &str) -> ManageError {
    ManageError::NotFound {
        what: "Client object",
        id: client_id.to_owned(),
        section: GET,
    }
}

/// Parses `field=value`: the value as JSON when it is JSON (`["a","b"]`, `true`, `null`),
/// else as a string.
pub fn parse_assignment(text: &str) -> Result<(String, Value), ManageError> {
    let (field, raw) = text
        .split_once('=')
        .ok_or_else(|| ManageError::Refused(format!("`{text}` is not field=value")))?;
    let field = field.trim();
    if field.is_empty() {
        return Err(ManageError::Refused(format!("`{text}` names no field")));
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
    Ok((field.to_owned(), value))
}

/// Why a change is refused before sending, if it is: an immutable field (§5.5), or a
/// `cds_status` the object does not offer in `cds_status_options` (§5.1).
pub fn check_change(current: &ClientObject, field: &str, value: &Value) -> Result<(), ManageError> {
    if let Some((_, why)) = IMMUTABLE_FIELDS.iter().find(|(f, _)| *f == field) {
        return Err(ManageError::Refused(format!(
            "`{field}` cannot be changed by a client (WG1-02 §5.5): {why}"
        )));
    }
    if field == "cds_status" {
        let wanted = value.as_str().map(ClientStatus::from);
        let allowed = wanted
            .as_ref()
            .is_some_and(|w| *w == current.cds_status || current.cds_status_options.contains(w));
        if !allowed {
            let options: Vec<&str> = current
                .cds_status_options
                .iter()
                .map(ClientStatus::as_str)
                .collect();
            return Err(ManageError::Refused(format!(
                "`cds_status` may only become one of cds_status_options [{}] (WG1-02 §5.1)",
                options.join(", ")
            )));
        }
    }
    Ok(())
}

/// Modifies one Client object: reads it, applies `changes` (`null` removes a field, which
/// §5.5 reads as "reset to the server default"), and PUTs the full object back.
pub async fn modify(
    s: &mut Session<'_>,
    client_id: &str,
    changes: &[(String, Value)],
) -> Result<ClientChange, ManageError> {
    if changes.is_empty() {
        return Err(ManageError::Refused("no change given".to_owned()));
    }
    let (current, raw) = get_raw(s, client_id).await?;
    for (field, value) in changes {
        check_change(&current, field, value)?;
    }
    let mut body: Map<String, Value> = raw.as_object().cloned().unwrap_or_default();
    body.remove("client_secret");
    body.remove("client_secret_expires_at");
    for (field, value) in changes {
        if value.is_null() {
            body.remove(field);
        } else {
            body.insert(field.clone(), value.clone());
        }
    }
    let uri = current.cds_client_uri.clone();
    let (status, v) = s
        .call(
            Method::PUT,
            &uri,
            Some(&Value::Object(body)),
            &Auth::Admin,
            PUT,
        )
        .await?;
    let client: ClientObject = decode(&uri, PUT, &v)?;
    record(s, &client)?;
    if status == 202 {
        let review = find_review(s, &uri).await?;
        return Ok(ClientChange::UnderReview {
            client: Box::new(client),
            review: review.map(Box::new),
        });
    }
    Ok(ClientChange::Applied {
        client: Box::new(client),
    })
}

/// The newest outstanding `field_changes` Message about the object at `uri` (§5.5, §6.2).
async fn find_review(s: &mut Session<'_>, uri: &Url) -> Result<Option<Message>, ManageError> {
    let outstanding = messages::collect(s, MessageList::Outstanding, &Default::default()).await?;
    Ok(outstanding.into_iter().find(|m| {
        m.message_type == MessageType::FieldChanges && m.related_uri.as_ref() == Some(uri)
    }))
}

/// Keeps the profile's copy of a Client object current.
fn record(s: &mut Session<'_>, client: &ClientObject) -> Result<(), ManageError> {
    let name = s.profile().name.clone();
    if let Some(p) = s.engine.index.profile_mut(&name)
        && let Some(entry) = p.client_mut(&client.client_id)
    {
        entry.update_from(client);
        s.engine.index.save()?;
        s.reload_profile()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_parse_json_or_text() {
        assert_eq!(
            parse_assignment("client_name=Watt Watcher").unwrap(),
            ("client_name".into(), Value::String("Watt Watcher".into()))
        );
        assert_eq!(
            parse_assignment("contacts=[\"a@b.example\"]").unwrap().1,
            serde_json::json!(["a@b.example"])
        );
        assert_eq!(parse_assignment("logo_uri=null").unwrap().1, Value::Null);
        assert!(parse_assignment("nothing").is_err());
        assert!(parse_assignment("=x").is_err());
    }
}
