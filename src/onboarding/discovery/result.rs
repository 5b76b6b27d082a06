//! What discovery found: the documents as served and typed, the findings, and the scope catalog
//! they lead to (CDS-WG1-01 §3, CDS-WG1-02 §3.2–§3.10).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::catalog::{self, CatalogScope};
use crate::cds::conformance::{self, Finding, Severity};
use crate::cds::drafts::Draft;
use crate::cds::{AuthorizationServerMetadata, ServerMetadata};
use crate::http::Redirect;

use super::coverage::Coverage;
use super::raw_json::RawJson;
use super::related::RelatedServer;

/// A document as served (normalized to the 2026 shape) and, when it decodes, as typed. `raw`
/// is a `Value`, or for the one document that can be megabytes (the OAuth metadata) its text.
#[derive(Debug, Clone, Serialize)]
pub struct Document<T, R = Value> {
    pub url: Url,
    pub draft: Draft,
    #[serde(skip)]
    pub raw: R,
    #[serde(skip)]
    pub parsed: Option<T>,
}

/// The result of discovery: everything found, plus the findings.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub input: Url,
    pub metadata_url: Url,
    pub moves: Vec<Redirect>,
    pub server: Document<ServerMetadata>,
    pub related: Vec<RelatedServer>,
    pub coverage: Option<Coverage>,
    pub oauth: Option<Document<AuthorizationServerMetadata, RawJson>>,
    pub findings: Vec<Finding>,
    pub elapsed: Duration,
}

impl Discovery {
    /// Why the server metadata is not CDS metadata at all (wrong root type, none of the
    /// required fields), or `None` for CDS metadata, however broken.
    pub fn not_cds(&self) -> Option<crate::cds::server_metadata::NotCds> {
        crate::cds::server_metadata::not_cds_metadata(&self.server.raw)
    }

    /// This discovery, or the error saying its document is not CDS server metadata: what every
    /// command but `validate` (which lists the findings instead) works from.
    pub fn require_cds(self) -> Result<Self, super::DiscoveryError> {
        match self.not_cds() {
            Some(why) => Err(super::DiscoveryError::NotCds {
                url: self.metadata_url,
                why,
            }),
            None => Ok(self),
        }
    }

    /// The draft of the server metadata (the OAuth metadata may differ and is reported apart).
    pub fn draft(&self) -> Draft {
        self.server.draft
    }
    pub fn errors(&self) -> usize {
        conformance::count(&self.findings, Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        conformance::count(&self.findings, Severity::Warning)
    }
    /// The decoded authorization server metadata (CDS-WG1-02 §3.2), or why there is none.
    pub fn oauth_metadata(&self) -> Result<&AuthorizationServerMetadata, OAuthMetadataError> {
        let oauth = self
            .oauth
            .as_ref()
            .ok_or_else(|| OAuthMetadataError::Absent {
                metadata_url: self.metadata_url.clone(),
            })?;
        oauth
            .parsed
            .as_ref()
            .ok_or_else(|| OAuthMetadataError::DoesNotDecode {
                url: oauth.url.clone(),
                why: self
                    .findings
                    .iter()
                    .find(|f| f.code == "oauth.endpoint_inward")
                    .or_else(|| self.findings.iter().find(|f| f.code == "oauth.decode"))
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| "does not decode".to_owned()),
            })
    }

    /// The scope catalog (WG1-02 §3.4–3.10) with coverage ids resolved to names, or why there
    /// is none.
    pub fn catalog(&self) -> Result<Vec<CatalogScope>, OAuthMetadataError> {
        let meta = self.oauth_metadata()?;
        // One index instead of a scan per reference: with 10,000 scopes and 100,000 entries
        // the scans took seconds (issue 5). The first entry of an id wins.
        let mut names: HashMap<&str, &str> = HashMap::new();
        for e in self.coverage.iter().flat_map(|c| &c.entries) {
            names.entry(&e.id).or_insert(&e.name);
        }
        Ok(catalog::build(meta, |id| names.get(id).copied()))
    }

    /// [`Discovery::catalog`] for a caller done with the coverage listing (`scopes`): the
    /// listing becomes the id-to-name index entry by entry, so that a large listing and the
    /// catalog are not held at once (issue 15). `coverage` is `None` afterwards.
    pub fn catalog_consuming_coverage(&mut self) -> Result<Vec<CatalogScope>, OAuthMetadataError> {
        let mut names: HashMap<Box<str>, Box<str>> = HashMap::new();
        for e in self.coverage.take().into_iter().flat_map(|c| c.entries) {
            names.entry(e.id).or_insert(e.name);
        }
        let meta = self.oauth_metadata()?;
        Ok(catalog::build(meta, |id| names.get(id).map(|n| &**n)))
    }
}

/// Why a discovery has no usable authorization server metadata, and so no scope catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthMetadataError {
    /// The server metadata leads to no authorization server metadata (none is linked, or it
    /// could not be fetched: the findings say which).
    #[error("{metadata_url} offers no OAuth authorization server, so it has no scope catalog")]
    Absent { metadata_url: Url },
    /// The document was read but does not decode into the 2026 model; `why` is the
    /// `oauth.decode` finding's message.
    #[error("{url}: authorization server metadata {why} (see `cds-wizard validate`)")]
    DoesNotDecode { url: Url, why: String },
}

#[cfg(test)]
mod tests {
    use super::super::oauth::normalize_oauth;
    use super::*;

    /// A discovery of `url` whose OAuth metadata is `oauth` (as served), if any.
    fn discovery_with(oauth: Option<Value>) -> Discovery {
        let url = Url::parse("https://u.example/.well-known/cds-server-metadata.json").unwrap();
        let oauth_url = Url::parse("https://u.example/oauth").unwrap();
        let mut findings = Vec::new();
        let oauth = oauth.map(|raw| normalize_oauth(raw, &oauth_url, None, &mut findings).0);
        Discovery {
            input: url.clone(),
            metadata_url: url.clone(),
            moves: Vec::new(),
            server: Document {
                url,
                draft: Draft::Cds2026,
                raw: Value::Null,
                parsed: None,
            },
            related: Vec::new(),
            coverage: None,
            oauth,
            findings,
            elapsed: Duration::ZERO,
        }
    }

    const OAUTH_2026: &str =
        include_str!("../../../tests/fixtures/drafts/cds2026-oauth-metadata.json");

    #[test]
    fn a_remote_document_aiming_credentials_inward_is_not_used() {
        for (key, inward) in [
            ("token_endpoint", "http://127.0.0.1:6379/"),
            ("registration_endpoint", "https://169.254.169.254/latest/"),
            (
                "pushed_authorization_request_endpoint",
                "http://[::ffff:127.0.0.1]/par",
            ),
            ("revocation_endpoint", "https://10.0.0.5/revoke"),
            (
                "introspection_endpoint",
                "https://admin.localhost/introspect",
            ),
            ("cds_clients_api", "http://0.0.0.0/clients"),
            ("cds_grants_api", "http://[::]/grants"),
        ] {
            let mut doc: Value = serde_json::from_str(OAUTH_2026).unwrap();
            // The well-formed 2026 example decodes; only the one inward endpoint differs.
            assert!(discovery_with(Some(doc.clone())).oauth_metadata().is_ok());
            doc[key] = Value::String(inward.into());
            let d = discovery_with(Some(doc));
            let f = d
                .findings
                .iter()
                .find(|f| f.code == "oauth.endpoint_inward")
                .unwrap_or_else(|| panic!("{key}: {:?}", d.findings));
            assert_eq!(f.pointer, format!("/{key}"));
            assert!(d.oauth.as_ref().unwrap().parsed.is_none(), "{key}");
            let e = d.oauth_metadata().unwrap_err().to_string();
            assert!(e.contains(key) && e.contains("not used"), "{e}");
        }
    }

    #[test]
    fn oauth_metadata_says_why_there_is_none() {
        let d = discovery_with(None);
        let e = d.oauth_metadata().unwrap_err();
        assert_eq!(
            e.to_string(),
            "https://u.example/.well-known/cds-server-metadata.json offers no OAuth authorization server, so it has no scope catalog"
        );
        assert!(d.catalog().is_err());

        let d = discovery_with(Some(serde_json::json!({"issuer": 7})));
        let e = d.catalog().unwrap_err();
        assert!(
            matches!(&e, OAuthMetadataError::DoesNotDecode { url, .. } if url.as_str() == "https://u.example/oauth"),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with("https://u.example/oauth: authorization server metadata cannot be read as CDS-WG1-02 §3.2:"),
            "{msg}"
        );
        assert!(msg.ends_with("(see `cds-wizard validate`)"), "{msg}");
    }
}
