//! The shapes every management API shares (CDS-WG1-02 §5.3, §6.8, §7.3, §8.4, §9.2): paging
//! with `next`/`previous` links, id and date filters, one object of the caller's registration
//! or 404, and JSON request bodies.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status};
use crate::demo::store::{Record, Store};

use super::auth::authorize;

/// Items per listing page on the Clients, Credentials and Messages APIs. The spec allows up to
/// 100; the demo uses a tiny page so clients exercise `next`/`previous`.
pub const PAGE_SIZE: usize = 2;

/// The caller's registration (a `cds_client_admin` token) and the listing page it asks for.
pub(crate) fn admin_page(
    s: &DemoState,
    headers: &HeaderMap,
    page: Option<&str>,
) -> Result<(String, usize), ApiError> {
    Ok((authorize(s, headers)?, parse_page(page)?))
}

/// One management API resource (Client objects, Credentials, Messages, Grants): where its
/// records are, how one is named, ordered and shown, and its listing's path and key. Its
/// `list`, `get` and `owner` give every API the same caller check, paging, filtering and 404.
pub(crate) struct Resource<T: 'static> {
    pub records: fn(&Store) -> &Vec<Record<T>>,
    pub id: fn(&T) -> &str,
    pub modified: fn(&T) -> Timestamp,
    pub render: fn(&T) -> Value,
    /// For the 404 text: "no such {what} for this client".
    pub what: &'static str,
    pub path: &'static str,
    pub key: &'static str,
}

impl<T: Clone> Resource<T> {
    /// `GET {path}`: one page of the caller's objects, newest `modified` first, that pass the
    /// filter `filters` parses (after the caller and the page are checked), with `params`
    /// repeated in the `next`/`previous` links.
    pub fn list<F: Fn(&T) -> bool>(
        &self,
        s: &DemoState,
        headers: &HeaderMap,
        page: Option<&str>,
        filters: impl FnOnce() -> Result<F, ApiError>,
        params: &[(&str, &str)],
    ) -> Response {
        let (registration, page) = match admin_page(s, headers, page) {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        };
        let keep = match filters() {
            Ok(f) => f,
            Err(e) => return e.into_response(),
        };
        let all: Vec<Value> = newest_first(
            (self.records)(&s.registry.lock()),
            &registration,
            self.modified,
        )
        .iter()
        .filter(|item| keep(item))
        .map(self.render)
        .collect();
        listing(&s.base_url, self.path, self.key, params, &all, page)
    }

    /// `GET {path}/{id}`: one object of the caller's registration, or 404 (also for another
    /// registration's objects, so ids reveal nothing).
    pub fn get(&self, s: &DemoState, headers: &HeaderMap, id: &str) -> Response {
        let registration = match authorize(s, headers) {
            Ok(r) => r,
            Err(e) => return e.into_response(),
        };
        let store = s.registry.lock();
        match self.position(&store, &registration, id) {
            Some(i) => json_with_status(
                StatusCode::OK,
                &(self.render)(&(self.records)(&store)[i].item),
            ),
            None => not_found(self.what),
        }
    }

    /// Where object `id` of `registration` is in the store.
    pub fn position(&self, store: &Store, registration: &str, id: &str) -> Option<usize> {
        (self.records)(store)
            .iter()
            .position(|r| r.registration == registration && (self.id)(&r.item) == id)
    }

    /// The caller's registration when it owns object `id` (checked before a write's body is
    /// read); 404 otherwise.
    pub fn owner(&self, s: &DemoState, headers: &HeaderMap, id: &str) -> Result<String, ApiError> {
        let registration = authorize(s, headers)?;
        match self.position(&s.registry.lock(), &registration, id) {
            Some(_) => Ok(registration),
            None => Err(not_found_error(self.what)),
        }
    }
}

pub(crate) fn not_found_error(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such {what} for this client"),
    )
}

pub(crate) fn not_found(what: &str) -> Response {
    not_found_error(what).into_response()
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

pub(crate) fn link(
    base: &str,
    path: &str,
    params: &[(&str, &str)],
    page: usize,
    present: bool,
) -> Value {
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

/// A page (1-based) of `items`, with whether a previous and a next page exist.
pub fn paginate<T: Clone>(items: &[T], page: usize) -> (Vec<T>, bool, bool) {
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let slice: Vec<T> = items.iter().skip(start).take(PAGE_SIZE).cloned().collect();
    let has_prev = page > 1 && !items.is_empty();
    let has_next = start.saturating_add(PAGE_SIZE) < items.len();
    (slice, has_prev, has_next)
}

/// `{base}{path}?k=v&...&page=N` with form-urlencoded parameters.
pub fn page_url(base: &str, path: &str, params: &[(&str, &str)], page: usize) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    ser.append_pair("page", &page.to_string());
    format!("{base}{path}?{}", ser.finish())
}

/// Reads an optional 1-based `page` parameter.
pub fn parse_page(raw: Option<&str>) -> Result<usize, ApiError> {
    match raw.map(str::parse::<usize>) {
        None => Ok(1),
        Some(Ok(p)) if p >= 1 => Ok(p),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "`page` must be a positive integer".to_owned(),
        )),
    }
}

pub(crate) fn bad(error: &'static str, description: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, error, description.into())
}

/// A request body as a JSON object: `application/json`, within the size limit (413 beyond).
pub(crate) fn json_object(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "the request body is larger than this server accepts".to_owned(),
            )
        } else {
            bad(
                "invalid_request",
                format!("the request body could not be read: {e}"),
            )
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(bad(
            "invalid_request",
            format!("the request body must be application/json (got `{content_type}`)"),
        ));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(bad(
            "invalid_request",
            "the request body must be a JSON object",
        )),
        Err(e) => Err(bad(
            "invalid_request",
            format!("the request body is not valid JSON: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_edges() {
        let items = [1, 2, 3, 4, 5];
        assert_eq!(paginate(&items, 1), (vec![1, 2], false, true));
        assert_eq!(paginate(&items, 3), (vec![5], true, false));
        assert_eq!(paginate(&items, 9), (vec![], true, false));
        assert_eq!(paginate::<i32>(&[], 1), (vec![], false, false));
    }
}
