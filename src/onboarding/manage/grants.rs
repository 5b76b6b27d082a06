//! The Grants API (CDS-WG1-02 §8): listing with the §8.4 filters, retrieval (§8.5), closing
//! and reducing scope or authorization details (§8.6). A `202 Accepted` is shown as pending,
//! with what stays enabled meanwhile.

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::{Grant, GrantStatus};

use super::error::ManageError;
use super::page::Page;
use super::session::{Api, Auth, Session, decode, joined, with_query};

const LIST: &str = "§8.4";
const GET: &str = "§8.5";
const MODIFY: &str = "§8.6";
const KEYS: [&str; 3] = ["grants", "next", "previous"];

/// The §8.4 filters (lists are matched as any-of; filters intersect).
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub grant_ids: Vec<String>,
    pub parents: Vec<String>,
    pub statuses: Vec<GrantStatus>,
    pub client_ids: Vec<String>,
    /// A scope in the Grant's `scope` or an authorization details `type`.
    pub scopes: Vec<String>,
    pub receipt_confirmations: Vec<String>,
    pub after: Option<Timestamp>,
    pub before: Option<Timestamp>,
}

/// What a modification came back with (§8.6).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GrantChange {
    /// 200: applied.
    Applied { grant: Box<Grant> },
    /// 202: the server reviews the change; the Grant is `pending` and
    /// `enabled_scope`/`enabled_authorization_details` say what works meanwhile.
    Pending { grant: Box<Grant> },
}

impl GrantChange {
    pub fn grant(&self) -> &Grant {
        match self {
            GrantChange::Applied { grant } | GrantChange::Pending { grant } => grant,
        }
    }
}

async fn first_url(s: &mut Session<'_>, f: &GrantFilter) -> Result<Url, ManageError> {
    let api = s.endpoint(Api::Grants).await?;
    let statuses: Vec<String> = f.statuses.iter().map(|x| x.as_str().to_owned()).collect();
    Ok(with_query(
        &api,
        &[
            ("grant_ids", joined(&f.grant_ids)),
            ("parents", joined(&f.parents)),
            ("statuses", joined(&statuses)),
            ("client_ids", joined(&f.client_ids)),
            ("scopes", joined(&f.scopes)),
            ("receipt_confirmations", joined(&f.receipt_confirmations)),
            ("after", f.after.map(|t| t.to_string())),
            ("before", f.before.map(|t| t.to_string())),
        ],
    ))
}

/// One page: the first when `cursor` is `None`, else the page a link names.
pub async fn list_page(
    s: &mut Session<'_>,
    filter: &GrantFilter,
    cursor: Option<&Url>,
) -> Result<Page<Grant>, ManageError> {
    let url = match cursor {
        Some(u) => u.clone(),
        None => first_url(s, filter).await?,
    };
    s.page(&url, KEYS, &Auth::Admin, LIST).await
}

/// Every Grant that passes the filter, newest `modified` first (§8.4).
pub async fn list(s: &mut Session<'_>, filter: &GrantFilter) -> Result<Vec<Grant>, ManageError> {
    let url = first_url(s, filter).await?;
    s.collect(&url, KEYS, &Auth::Admin, LIST).await
}

/// One Grant by id, read at its `uri` (§8.5).
pub async fn get(s: &mut Session<'_>, grant_id: &str) -> Result<Grant, ManageError> {
    let filter = GrantFilter {
        grant_ids: vec![grant_id.to_owned()],
        ..Default::default()
    };
    let listed = list(s, &filter)
        .await?
        .into_iter()
        .find(|g| g.grant_id == grant_id)
        .ok_or_else(|| ManageError::NotFound {
            what: "Grant",
            id: grant_id.to_owned(),
            section: GET,
        })?;
    let (_, v) = s
        .call(Method::GET, &listed.uri, None, &Auth::Admin, GET)
        .await?;
    decode(&listed.uri, GET, &v)
}

/// Closes a Grant (§8.6 `status: closed`): the customer's access for this app ends.
pub async fn close(s: &mut Session<'_>, grant_id: &str) -> Result<GrantChange, ManageError> {
    let g = get(s, grant_id).await?;
    if g.status == GrantStatus::Closed {
        return Err(ManageError::Refused(format!(
            "Grant {grant_id} is already closed"
        )));
    }
    let mut body = Map::new();
    body.insert("status".into(), Value::String("closed".into()));
    patch(s, &g, body).await
}

/// Reduces a Grant (§8.6): a new `scope` that keeps only some of its scopes, and/or
/// `authorization_details` that keep only some of its entries. Additions are refused here:
/// they need the customer (§8.3, `cds-wizard authorize`).
pub async fn reduce(
    s: &mut Session<'_>,
    grant_id: &str,
    scope: Option<&str>,
    authorization_details: Option<Vec<Value>>,
) -> Result<GrantChange, ManageError> {
    if scope.is_none() && authorization_details.is_none() {
        return Err(ManageError::Refused(
            "give the scope or authorization details to keep".to_owned(),
        ));
    }
    let g = get(s, grant_id).await?;
    if g.status.is_inaccessible() {
        return Err(ManageError::Refused(format!(
            "Grant {grant_id} is {}; nothing of it can change",
            g.status
        )));
    }
    let mut body = Map::new();
    if let Some(sc) = scope {
        check_scope_reduction(&g, sc)?;
        body.insert(
            "scope".into(),
            Value::String(sc.split_ascii_whitespace().collect::<Vec<_>>().join(" ")),
        );
    }
    if let Some(d) = authorization_details {
        if let Some(i) = d.iter().position(|e| !g.authorization_details.contains(e)) {
            return Err(ManageError::Refused(format!(
                "authorization details entry {i} is not one of the Grant's; only a reduction \
                 (a subset of its entries) is possible here (WG1-02 §8.6)"
            )));
        }
        body.insert("authorization_details".into(), Value::Array(d));
    }
    patch(s, &g, body).await
}

/// A new scope must be a non-empty subset of the current one.
pub fn check_scope_reduction(g: &Grant, scope: &str) -> Result<(), ManageError> {
    let current: Vec<&str> = g.scope.split_ascii_whitespace().collect();
    let new: Vec<&str> = scope.split_ascii_whitespace().collect();
    if new.is_empty() {
        return Err(ManageError::Refused(
            "keep at least one scope; to end all access, close the Grant".to_owned(),
        ));
    }
    let added: Vec<&str> = new
        .iter()
        .copied()
        .filter(|t| !current.contains(t))
        .collect();
    if !added.is_empty() {
        return Err(ManageError::Refused(format!(
            "{} is not in the Grant's scope `{}`; adding scope needs the customer's \
             authorization (WG1-02 §8.3: `cds-wizard authorize`)",
            added.join(" "),
            g.scope
        )));
    }
    Ok(())
}

async fn patch(
    s: &mut Session<'_>,
    g: &Grant,
    body: Map<String, Value>,
) -> Result<GrantChange, ManageError> {
    let (status, v) = s
        .call(
            Method::PATCH,
            &g.uri,
            Some(&Value::Object(body)),
            &Auth::Admin,
            MODIFY,
        )
        .await?;
    let grant: Grant = decode(&g.uri, MODIFY, &v)?;
    Ok(if status == 202 {
        GrantChange::Pending {
            grant: Box::new(grant),
        }
    } else {
        GrantChange::Applied {
            grant: Box::new(grant),
        }
    })
}
