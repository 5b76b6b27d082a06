//! CDS-WG1-02 §9 Server-Provided Files API: the Server-Provided File object (§9.1).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

/// WG1-02 §9.1 Server-Provided File object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerProvidedFile {
    pub file_id: String,
    pub uri: Url,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub mime_type: String,
    pub size: u64,
    pub name: String,
    pub description: String,
    pub download_uri: Url,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §9.2 listing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerProvidedFileList {
    pub files: Vec<ServerProvidedFile>,
    #[serde(default)]
    pub next: Option<Url>,
    #[serde(default)]
    pub previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
