//! The demo's Server-Provided Files (CDS-WG1-02 §3.3.3, §9): the files it shares with every
//! registration that asks for a `cds_server_provided_files` scope, the server-created Grant that
//! shares them, and the §9.2–§9.4 API behind Grant Admin bearer tokens (§3.3.2).

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use url::Url;

use crate::cds::{
    AuthorizationServerMetadata, ClientObject, Grant, GrantStatus, ScopeType, ServerProvidedFile,
};

use super::DemoState;
use super::management::{bearer_error, bearer_token, id_filter, listing, newest_first, present};
use super::state::{ApiError, Store, json_with_status, parse_page, random_hex};

/// Where the Server-Provided Files API lives (`cds_server_provided_files_api` in the catalog).
pub const FILES_PATH: &str = "/api/server-provided-files";

/// One file the demo shares: its §9.1 object and its bytes (embedded, never copied).
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub file: ServerProvidedFile,
    pub bytes: &'static [u8],
}

/// The embedded bytes of a shared file, by its name (the persisted state keeps only the §9.1
/// object; persist.rs re-attaches the bytes at load).
pub fn template_bytes(name: &str) -> Option<&'static [u8]> {
    TEMPLATES.iter().find(|t| t.name == name).map(|t| t.bytes)
}

/// A file every Server-Provided Files registration receives.
struct Template {
    name: &'static str,
    mime_type: &'static str,
    description: &'static str,
    bytes: &'static [u8],
}

/// The demo's shared files, newest last (so that a listing shows the last one first).
const TEMPLATES: [Template; 2] = [
    Template {
        name: "welcome-pack.pdf",
        mime_type: "application/pdf",
        description: "Welcome pack for developers integrating with Demo Gas & Electric.",
        bytes: include_bytes!("../../assets/demo/files/welcome-pack.pdf"),
    },
    Template {
        name: "sandbox-security-settings.json",
        mime_type: "application/json",
        description: "Security settings (TLS, rate limits, auth methods) of the DG&E sandbox.",
        bytes: include_bytes!("../../assets/demo/files/sandbox-security-settings.json"),
    },
];

/// Called once per registration (WG1-02 §3.3.3: Grants of this scope are created by the
/// Server): for each Client object holding a `cds_server_provided_files` scope, stores the demo
/// files and one `active` Grant for that Client object whose `authorization_details` list them.
pub(crate) fn share_on_registration(
    s: &DemoState,
    catalog: &AuthorizationServerMetadata,
    registration: &str,
    clients: &[ClientObject],
    store: &mut Store,
) {
    let base = s.base_url.as_str();
    let now = s.registry.now();
    for client in clients {
        for scope in client.scopes() {
            let is_spf = catalog
                .cds_scope_descriptions
                .get(scope)
                .is_some_and(|d| d.scope_type == ScopeType::ServerProvidedFiles);
            if !is_spf {
                continue;
            }
            let mut details = Vec::new();
            for (i, t) in TEMPLATES.iter().enumerate() {
                let file_id = random_hex(8);
                // One second apart, the last at `now`, so §9.2's newest-first order shows.
                let age = (TEMPLATES.len() - 1 - i) as i64;
                let at = now
                    .checked_sub(jiff::SignedDuration::from_secs(age))
                    .unwrap_or(now);
                let Some(file) = file_object(base, &file_id, at, t) else {
                    continue;
                };
                store.add_file(
                    registration,
                    StoredFile {
                        file,
                        bytes: t.bytes,
                    },
                );
                // §3.3.3: the Grant's authorization_details list the shared `file_id`s, typed by
                // the scope id.
                details.push(json!({"type": scope, "file_id": file_id}));
            }
            if let Some(grant) = server_grant(base, now, &client.client_id, scope, details) {
                store.add_grant(registration, grant);
            }
        }
    }
}

fn file_object(
    base: &str,
    file_id: &str,
    at: Timestamp,
    t: &Template,
) -> Option<ServerProvidedFile> {
    Some(ServerProvidedFile {
        file_id: file_id.to_owned(),
        uri: Url::parse(&format!("{base}{FILES_PATH}/{file_id}")).ok()?,
        created: at,
        modified: at,
        mime_type: t.mime_type.to_owned(),
        size: t.bytes.len() as u64,
        name: t.name.to_owned(),
        description: t.description.to_owned(),
        download_uri: Url::parse(&format!("{base}{FILES_PATH}/{file_id}/download")).ok()?,
        extra: Map::new(),
    })
}

/// A server-created, fully enabled Grant (§8.1; `enabled_*` equal the granted values).
fn server_grant(
    base: &str,
    now: Timestamp,
    client_id: &str,
    scope: &str,
    authorization_details: Vec<Value>,
) -> Option<Grant> {
    let grant_id = random_hex(8);
    Some(Grant {
        uri: Url::parse(&format!("{base}/api/grants/{grant_id}")).ok()?,
        grant_id,
        replacing: Vec::new(),
        replaced_by: Vec::new(),
        parent: None,
        children: Vec::new(),
        created: now,
        modified: now,
        not_before: None,
        not_after: None,
        eta: None,
        expires: None,
        status: GrantStatus::Active,
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        enabled_scope: scope.to_owned(),
        enabled_authorization_details: authorization_details.clone(),
        authorization_details,
        receipt_confirmations: Vec::new(),
        extra: Map::new(),
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded PDF's cross-reference table points at its objects.
    #[test]
    fn welcome_pack_is_a_consistent_pdf() {
        let pdf = TEMPLATES[0].bytes;
        assert!(pdf.starts_with(b"%PDF-1."));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = std::str::from_utf8(pdf).unwrap();
        let (_, tail) = text.rsplit_once("startxref\n").unwrap();
        let xref: usize = tail.lines().next().unwrap().parse().unwrap();
        assert!(text[xref..].starts_with("xref\n0 "));
        for (n, line) in text[xref..].lines().skip(3).take(6).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(text[offset..].starts_with(&format!("{} 0 obj\n", n + 1)));
        }
        let settings: Value = serde_json::from_slice(TEMPLATES[1].bytes).unwrap();
        assert!(settings.is_object());
    }
}
