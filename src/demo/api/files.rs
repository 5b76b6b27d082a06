//! The Server-Provided Files API (CDS-WG1-02 §9.2–§9.4) behind Grant Admin bearer tokens
//! (§3.3.2): the files a token's Grant shares, listed, described and downloaded.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::cds::ScopeType;

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status};
use crate::demo::store::files::StoredFile;

pub use crate::demo::store::files::FILES_PATH;

use super::auth::{bearer_error, bearer_token};
use super::common::{id_filter, listing, newest_first, parse_page, present};

/// What a valid Server-Provided Files token reaches: its registration and the shared file ids.
struct Access {
    registration: String,
    file_ids: HashSet<String>,
}

/// §9: the token must come from the Grant Admin method (§3.3.2) for a Grant whose scope has the
/// `cds_server_provided_files` type; it reaches the files its Grant's enabled
/// `authorization_details` list.
fn authorize(s: &DemoState, headers: &HeaderMap) -> Result<Access, ApiError> {
    let t = bearer_token(s, headers, "from the Grant Admin method (WG1-02 §9)")?;
    let catalog = s.registry.catalog(&s.documents)?;
    let store = s.registry.lock();
    let registration = t.registration.clone();
    let insufficient = || {
        bearer_error(
            StatusCode::FORBIDDEN,
            Some("insufficient_scope"),
            "the access token is not a Grant Admin token for a Server-Provided Files Grant",
            None,
        )
    };
    let Some(grant_id) = t.grant_id.clone() else {
        return Err(insufficient());
    };
    let Some(grant) = store
        .grants
        .iter()
        .find(|g| g.item.grant_id == grant_id && g.registration == registration)
        .map(|g| &g.item)
    else {
        return Err(insufficient());
    };
    // Closing revokes the token already; a Grant the server disabled otherwise still ends
    // access (§8.2), as does an empty `enabled_scope` (§8.1).
    if grant.status.is_inaccessible() || grant.enabled_scope.trim().is_empty() {
        return Err(bearer_error(
            StatusCode::UNAUTHORIZED,
            Some("invalid_token"),
            "the Grant this token was issued for no longer gives access",
            None,
        ));
    }
    let spf_scopes: Vec<&str> = grant
        .enabled_scope
        .split_ascii_whitespace()
        .filter(|sc| {
            catalog
                .cds_scope_descriptions
                .get(*sc)
                .is_some_and(|d| d.scope_type == ScopeType::ServerProvidedFiles)
        })
        .collect();
    if spf_scopes.is_empty() {
        return Err(insufficient());
    }
    // §3.3.3: entries typed with the scope id override the bare scope, so exactly the listed
    // `file_id`s are shared.
    let file_ids = grant
        .enabled_authorization_details
        .iter()
        .filter(|d| {
            d.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| spf_scopes.contains(&t))
        })
        .filter_map(|d| d.get("file_id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    Ok(Access {
        registration,
        file_ids,
    })
}

/// The files `access` reaches, newest `modified` first (§9.2).
fn shared_files(s: &DemoState, access: &Access) -> Vec<StoredFile> {
    newest_first(&s.registry.lock().files, &access.registration, |f| {
        f.file.modified
    })
    .into_iter()
    .filter(|f| access.file_ids.contains(&f.file.file_id))
    .collect()
}

#[derive(Debug, Deserialize)]
pub struct FilesQuery {
    file_ids: Option<String>,
    page: Option<String>,
}

/// `GET /api/server-provided-files` (§9.2).
pub async fn list_files(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<FilesQuery>,
) -> Response {
    let access = match authorize(&s, &headers) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let page = match parse_page(q.page.as_deref()) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let wanted = id_filter(&q.file_ids);
    let all: Vec<Value> = shared_files(&s, &access)
        .into_iter()
        .filter(|f| wanted.as_ref().is_none_or(|w| w.contains(&f.file.file_id)))
        .map(|f| serde_json::to_value(&f.file).unwrap_or(Value::Null))
        .collect();
    let params = present(&[("file_ids", &q.file_ids)]);
    listing(&s.base_url, FILES_PATH, "files", &params, &all, page)
}

fn find_shared(s: &DemoState, headers: &HeaderMap, id: &str) -> Result<StoredFile, ApiError> {
    let access = authorize(s, headers)?;
    // A file that exists but is not shared with this token answers exactly like a missing one.
    shared_files(s, &access)
        .into_iter()
        .find(|f| f.file.file_id == id)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such Server-Provided File for this access token".to_owned(),
            )
        })
}

/// `GET /api/server-provided-files/{file_id}` (§9.3).
pub async fn get_file(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match find_shared(&s, &headers, &id) {
        Ok(f) => json_with_status(StatusCode::OK, &f.file),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/server-provided-files/{file_id}/download` (§9.4): the raw bytes, as §12.22 shows.
pub async fn download_file(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let f = match find_shared(&s, &headers, &id) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let mut r = (StatusCode::OK, f.bytes).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.file.mime_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(f.bytes.len()));
    // The demo's names are plain ASCII without quotes, so the quoted form is safe.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", f.file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Shared files may be secrets (§9: certificates, keys): no caching.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
