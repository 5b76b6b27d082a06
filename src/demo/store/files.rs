//! The files the demo shares as Server-Provided Files (CDS-WG1-02 §3.3.3, §9.1) and the
//! server-created Grant that shares them with each registration asking for the scope.

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use url::Url;

use crate::cds::{
    AuthorizationServerMetadata, ClientObject, Grant, GrantStatus, ScopeType, ServerProvidedFile,
};

use super::{Store, random_hex};

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
        bytes: include_bytes!("../../../assets/demo/files/welcome-pack.pdf"),
    },
    Template {
        name: "sandbox-security-settings.json",
        mime_type: "application/json",
        description: "Security settings (TLS, rate limits, auth methods) of the DG&E sandbox.",
        bytes: include_bytes!("../../../assets/demo/files/sandbox-security-settings.json"),
    },
];

/// Called once per registration (WG1-02 §3.3.3: Grants of this scope are created by the
/// Server): for each Client object holding a `cds_server_provided_files` scope, stores the demo
/// files and one `active` Grant for that Client object whose `authorization_details` list them.
pub(crate) fn share_on_registration(
    base: &str,
    now: Timestamp,
    catalog: &AuthorizationServerMetadata,
    registration: &str,
    clients: &[ClientObject],
    store: &mut Store,
) {
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
pub(crate) fn server_grant(
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
