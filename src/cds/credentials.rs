//! CDS-WG1-02 §7 Credentials API: the Credential object (§7.1) and its types (§7.2).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::open_enum::open_enum;

open_enum! {
    /// WG1-02 §7.2 Credential Types.
    pub enum CredentialType {
        ClientSecret = "client_secret",
    }
}

/// WG1-02 §7.1 Credential object. `client_secret` is a secret: it is read from the wire and
/// handed to the vault, and this type never serializes it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    pub credential_id: String,
    pub uri: Url,
    #[serde(deserialize_with = "super::identifiers::client_id")]
    pub client_id: String,
    pub created: Timestamp,
    pub modified: Timestamp,
    #[serde(rename = "type")]
    pub credential_type: CredentialType,
    #[serde(
        default,
        skip_serializing,
        deserialize_with = "super::identifiers::optional_token"
    )]
    pub client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §7.3 listing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialList {
    pub credentials: Vec<Credential>,
    #[serde(default)]
    pub next: Option<Url>,
    #[serde(default)]
    pub previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §7.6 Modifying Credentials (only the expiry may change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialModification {
    pub client_secret_expires_at: i64,
}

impl std::fmt::Debug for Credential {
    /// Like the derived Debug, with the secret redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut copy = self.clone();
        copy.client_secret = copy.client_secret.map(|_| "<redacted>".to_owned());
        write!(
            f,
            "Credential {}",
            serde_json::to_string(&copy).unwrap_or_default()
        )?;
        if copy.client_secret.is_some() {
            f.write_str(" (client_secret: <redacted>)")?;
        }
        Ok(())
    }
}
