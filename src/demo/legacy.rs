//! The demo as a server of an older draft (`DemoOptions::draft`): its one 2026 catalog rendered
//! as a CDSC 2025 (or May 2023) server writes it (`cds::drafts::render`), the server metadata on
//! the legacy well-known path `/.well-known/carbon-data-spec.json` (CDSC-WG1-01 2025), and every
//! request and response translated at the edge, so the handlers inside keep speaking 2026: the
//! fixed scope ids (`client_admin`, `grant_admin`, CDSC-WG1-02 2025 §3.3) in registration
//! requests (§4.1) and responses (§4.2), token requests and responses, Client objects (§5.1) and
//! every other JSON body.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::DemoState;
use super::documents::Documents;
use crate::cds::drafts::{Draft, LEGACY_WELL_KNOWN_PATHS, render};
use crate::cds::server_metadata::WELL_KNOWN_PATH;

/// Bodies bigger than this are passed through untranslated (registration files are capped far
/// below it).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The scope ids and URLs one legacy demo renames at its edge.
#[derive(Debug, Clone)]
pub struct Edge {
    /// `(2026, legacy)` scope ids.
    to_legacy: Vec<(String, String)>,
    to_2026: Vec<(String, String)>,
    /// The 2026 well-known URL and the legacy one.
    metadata_urls: (String, String),
    /// The documents as the draft writes them.
    pub server_metadata: Value,
    pub oauth_metadata: Value,
}

/// The legacy well-known path the demo serves its server metadata on.
pub fn well_known_path() -> &'static str {
    LEGACY_WELL_KNOWN_PATHS[0]
}

/// The edge of a demo serving `d` (2026, which its handlers keep using) as `draft` writes it,
/// or `None` for the 2026 demo.
pub fn render(d: &Documents, base: &str, draft: Draft) -> Option<Edge> {
    if draft == Draft::Cds2026 {
        return None;
    }
    let to_legacy = render::legacy_scope_ids(&d.oauth_metadata);
    let mut oauth_metadata = d.oauth_metadata.clone();
    render::oauth_to_2025(&mut oauth_metadata);
    if draft == Draft::Cdsc2023 {
        render::oauth_to_2023(&mut oauth_metadata);
    }
    let metadata_urls = (
        format!("{base}{WELL_KNOWN_PATH}"),
        format!("{base}{}", well_known_path()),
    );
    let mut server_metadata = d.server_metadata.clone();
    if let Some(o) = server_metadata.as_object_mut() {
        o.insert(
            "cds_metadata_url".to_owned(),
            Value::String(metadata_urls.1.clone()),
        );
    }
    Some(Edge {
        to_2026: render::reversed(&to_legacy),
        to_legacy,
        metadata_urls,
        server_metadata,
        oauth_metadata,
    })
}

/// The middleware: legacy ids in, 2026 inside, legacy ids out.
pub async fn edge(State(s): State<Arc<DemoState>>, req: Request, next: Next) -> Response {
    let Some(edge) = s.legacy.clone() else {
        return next.run(req).await;
    };
    let req = inbound(req, &edge).await;
    let resp = next.run(req).await;
    outbound(resp, &edge).await
}

fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

async fn inbound(req: Request, edge: &Edge) -> Request {
    let (mut parts, body) = req.into_parts();
    if let Some(q) = parts.uri.query() {
        let q = form(q, &edge.to_2026);
        let pq = format!("{}?{q}", parts.uri.path());
        if let Ok(pq) = pq.parse() {
            let mut uri = parts.uri.clone().into_parts();
            uri.path_and_query = Some(pq);
            if let Ok(u) = Uri::from_parts(uri) {
                parts.uri = u;
            }
        }
    }
    let kind = content_type(&parts.headers);
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Request::from_parts(parts, Body::empty());
    };
    let new = if kind.starts_with("application/json") {
        {
            // A Client object sent back (§5.5) carries the legacy `cds_server_metadata`.
            let (new, old) = &edge.metadata_urls;
            json(&bytes, &edge.to_2026, Some(&(old.clone(), new.clone())))
        }
    } else if kind.starts_with("application/x-www-form-urlencoded") {
        std::str::from_utf8(&bytes)
            .ok()
            .map(|t| form(t, &edge.to_2026).into_bytes())
    } else {
        None
    };
    let bytes = new.map_or(bytes, Into::into);
    set_length(&mut parts.headers, bytes.len());
    Request::from_parts(parts, Body::from(bytes))
}

async fn outbound(resp: Response, edge: &Edge) -> Response {
    let (mut parts, body) = resp.into_parts();
    if !content_type(&parts.headers).starts_with("application/json") {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let urls = Some(&edge.metadata_urls);
    let bytes = json(&bytes, &edge.to_legacy, urls).map_or(bytes, Into::into);
    set_length(&mut parts.headers, bytes.len());
    Response::from_parts(parts, Body::from(bytes))
}

fn set_length(headers: &mut axum::http::HeaderMap, len: usize) {
    if headers.contains_key(header::CONTENT_LENGTH) {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
}

/// A JSON body with its scope ids (and the server metadata URL) renamed; `None` when it is not
/// JSON.
fn json(
    bytes: &[u8],
    pairs: &[(String, String)],
    url: Option<&(String, String)>,
) -> Option<Vec<u8>> {
    let mut v: Value = serde_json::from_slice(bytes).ok()?;
    render::rename_scope_ids(&mut v, pairs);
    if let Some((from, to)) = url {
        replace_exact(&mut v, from, to);
    }
    serde_json::to_vec_pretty(&v).ok()
}

/// Every string exactly `from` becomes `to`.
fn replace_exact(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Array(a) => a.iter_mut().for_each(|i| replace_exact(i, from, to)),
        Value::Object(o) => o.values_mut().for_each(|i| replace_exact(i, from, to)),
        _ => {}
    }
}

/// A form (or query string) with each value's scope ids renamed, also inside JSON values
/// (`authorization_details`, RFC 9396 §2).
fn form(text: &str, pairs: &[(String, String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(text.as_bytes()) {
        let v = match serde_json::from_str::<Value>(&v) {
            Ok(mut j @ (Value::Array(_) | Value::Object(_))) => {
                render::rename_scope_ids(&mut j, pairs);
                j.to_string()
            }
            _ => render::rename_tokens(&v, pairs).unwrap_or_else(|| v.into_owned()),
        };
        out.append_pair(&k, &v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_json_are_renamed() {
        let pairs = vec![("cds_client_admin".to_owned(), "client_admin".to_owned())];
        assert_eq!(
            form(
                "grant_type=client_credentials&scope=client_admin",
                &render::reversed(&pairs)
            ),
            "grant_type=client_credentials&scope=cds_client_admin"
        );
        let out = json(
            br#"{"scope":"cds_client_admin","x":"http://a/m"}"#,
            &pairs,
            Some(&("http://a/m".into(), "http://a/l".into())),
        )
        .unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["scope"], "client_admin");
        assert_eq!(v["x"], "http://a/l");
        assert_eq!(json(b"not json", &pairs, None), None);
    }
}
