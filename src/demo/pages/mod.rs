//! The demo utility's human pages: documentation links named by the metadata documents
//! (`website`, `documentation`, `support`, scope and field `documentation`, `cds_test_accounts`,
//! `cds_human_registration`), so no link the demo publishes is dead.

pub mod accounts;
pub mod forms;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Html;

use crate::demo::DemoState;

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn page(title: &str, body_html: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} — Demo Gas &amp; Electric</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         code{{background:#f3f3f3;padding:0 .2em}}\
         input,button{{font:inherit;padding:.3em .6em}}\
         button{{border:1px solid #767676;border-radius:.3em;background:#f3f3f3;padding:.4em 1.4em}}\
         button.primary{{background:#0b57d0;border-color:#0b57d0;color:#fff}}\
         summary{{cursor:pointer;color:#0b57d0}}\
         .signin label{{display:grid;grid-template-columns:7em minmax(0,18em);align-items:center}}\
         </style></head>\
         <body><p><a href=\"/\">Demo Gas &amp; Electric</a> · <a href=\"/docs\">Developer docs</a></p>\
         <h1>{t}</h1>{body_html}</body></html>",
        t = escape(title)
    ))
}

pub async fn home(State(s): State<Arc<DemoState>>) -> Html<String> {
    page(
        "Demo Gas & Electric",
        &format!(
            "<p>This is the demo utility built into <code>cds-wizard</code>: a CDS server for \
             trying the Connected Data Specifications without a real utility.</p>\
             <ul><li><a href=\"/.well-known/cds-server-metadata.json\">Server metadata</a></li>\
             <li><a href=\"/.well-known/oauth-authorization-server\">Authorization server metadata</a></li>\
             <li><a href=\"/cds/coverage\">Coverage</a></li></ul><p>Base URL: <code>{}</code></p>",
            escape(&s.base_url)
        ),
    )
}

pub async fn docs_index() -> Html<String> {
    page(
        "Developer documentation",
        "<p>Demo Gas &amp; Electric implements CDS-WG1-01 (server metadata), CDS-WG1-02 (client \
         registration) and the customer-data scopes of CDS-WG3-01.</p>\
         <ul><li><a href=\"/docs/test-accounts\">Test accounts</a></li>\
         <li><a href=\"/docs/policy\">Client policy</a></li>\
         <li><a href=\"/docs/terms\">Terms of use</a></li>\
         <li><a href=\"/register-by-hand\">Register by hand</a></li></ul>",
    )
}

pub async fn doc_page(Path(path): Path<String>) -> Html<String> {
    let title = path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .replace(['-', '_'], " ");
    page(
        if title.is_empty() {
            "Documentation"
        } else {
            &title
        },
        &format!(
            "<p>Documentation page <code>/docs/{}</code> of the demo utility. The demo is \
             fictional: this page stands in for the utility's real documentation.</p>",
            escape(&path)
        ),
    )
}

pub async fn human_registration() -> Html<String> {
    page(
        "Register by hand",
        "<p>Developers who cannot use the registration endpoint can register here. The demo \
         utility takes registrations only through its registration endpoint: use \
         <code>cds-wizard</code>.</p>",
    )
}
