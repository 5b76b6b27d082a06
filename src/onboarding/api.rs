//! The CDS management APIs as the engine calls them (CDS-WG1-02 §5–§9): Bearer-authenticated
//! GETs that follow `next` through every page (loops and page counts bounded), and the Client
//! PUT of §5.5. Responses are decoded into the `cds` wire types; errors name the URL.

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::cds::{ClientObject, Credential, Grant, Message};
use crate::http::{self, HttpClient, HttpError};
use crate::secret::Secret;

/// More pages than this in one listing are not followed (a server answering `next` forever).
const MAX_PAGES: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url}: {what}")]
    Shape { url: Url, what: String },
    #[error("{url}: `next` leads back to a page already read; stopped")]
    Loop { url: Url },
    /// A link that would carry the admin token to another origin than the API's (issue 9).
    #[error(
        "{url} is not on the origin of {api}; the token is not sent there (CDS-WG1-02 §5, RFC 9700 §4.5)"
    )]
    Foreign { api: Url, url: Url },
}

/// `url` on the same origin (scheme, host, port) as `api`, or the error: a Bearer token is only
/// ever sent to the API it was issued for.
pub fn same_origin(api: &Url, url: &Url) -> Result<(), ApiError> {
    if api.origin() == url.origin() {
        Ok(())
    } else {
        Err(ApiError::Foreign {
            api: api.clone(),
            url: url.clone(),
        })
    }
}

/// What a Client PUT (§5.5) came back with.
#[derive(Debug, Clone)]
pub enum PutOutcome {
    /// 200: applied.
    Applied(Box<ClientObject>),
    /// 202: the server reviews the change (a `field_changes` Message says so).
    Review(Box<ClientObject>),
}

/// GET one JSON document with a Bearer token.
pub async fn get_json(http: &HttpClient, url: &Url, token: &Secret) -> Result<Value, ApiError> {
    let req = http.raw().get(url.clone()).bearer_auth(token.expose());
    Ok(http
        .for_step("management")
        .send(req, url)
        .await?
        .json(url)?)
}

fn decode<T: DeserializeOwned>(url: &Url, v: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| ApiError::Shape {
        url: url.clone(),
        what: format!("{} at {}", e.inner(), e.path()),
    })
}

/// Every item of a paginated listing: `key` holds the items, `next_key` the next page.
pub async fn collect<T: DeserializeOwned>(
    http: &HttpClient,
    first: &Url,
    token: &Secret,
    key: &str,
    next_key: &str,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        if !seen.insert(url.clone()) || seen.len() > MAX_PAGES {
            return Err(ApiError::Loop { url });
        }
        let page = get_json(http, &url, token).await?;
        let items = page.get(key).ok_or_else(|| ApiError::Shape {
            url: url.clone(),
            what: format!("no `{key}` list"),
        })?;
        out.extend(decode::<Vec<T>>(&url, items)?);
        next = match page.get(next_key) {
            Some(Value::String(s)) => {
                let n = url.join(s).map_err(|_| ApiError::Shape {
                    url: url.clone(),
                    what: format!("`{next_key}` is not a URL"),
                })?;
                http::check_url(&n)?;
                same_origin(first, &n)?;
                Some(n)
            }
            _ => None,
        };
    }
    Ok(out)
}

pub async fn clients(
    http: &HttpClient,
    api: &Url,
    token: &Secret,
) -> Result<Vec<ClientObject>, ApiError> {
    collect(http, api, token, "clients", "next").await
}

pub async fn credentials(
    http: &HttpClient,
    api: &Url,
    token: &Secret,
) -> Result<Vec<Credential>, ApiError> {
    collect(http, api, token, "credentials", "next").await
}

/// The outstanding Messages (status open or pending, §6.8): what remains to do.
pub async fn outstanding_messages(
    http: &HttpClient,
    api: &Url,
    token: &Secret,
) -> Result<Vec<Message>, ApiError> {
    collect(http, api, token, "outstanding", "outstanding_next").await
}

/// Grants of one client, newest first (§8.4).
pub async fn grants_of(
    http: &HttpClient,
    api: &Url,
    token: &Secret,
    client_id: &str,
) -> Result<Vec<Grant>, ApiError> {
    let mut url = api.clone();
    url.query_pairs_mut().append_pair("client_ids", client_id);
    collect(http, &url, token, "grants", "next").await
}

/// PUT a full Client representation (as JSON) to its `cds_client_uri`: §5.5 replaces the
/// object, so callers send back what they read with their change applied.
pub async fn put_client_value(
    http: &HttpClient,
    client_uri: &Url,
    token: &Secret,
    body: &Value,
) -> Result<PutOutcome, ApiError> {
    let req = http
        .raw()
        .put(client_uri.clone())
        .bearer_auth(token.expose())
        .json(body);
    let answer = http.for_step("management").send(req, client_uri).await?;
    let client: ClientObject = decode(client_uri, &answer.json(client_uri)?)?;
    Ok(if answer.status == 200 {
        PutOutcome::Applied(Box::new(client))
    } else {
        PutOutcome::Review(Box::new(client))
    })
}
