//! CDS-WG1-02 §5 Clients API: the Client Object (§5.1, RFC 7591 §2 client metadata extended),
//! its statuses (§5.2) and the listing page (§5.3).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::open_enum::open_enum;

open_enum! {
    /// WG1-02 §5.2 Client Object Statuses.
    pub enum ClientStatus {
        Production = "production",
        Sandbox = "sandbox",
        Disabled = "disabled",
    }
}

/// WG1-02 §5.1 Client Object. The registration response (§4.2) is the same object plus
/// `client_secret`, which is why that one field is here and never serialized back out.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientObject {
    #[serde(deserialize_with = "super::identifiers::client_id")]
    pub client_id: String,
    pub client_id_issued_at: i64,
    pub scope: String,
    pub redirect_uris: Vec<String>,
    pub token_endpoint_auth_method: Option<String>,
    pub grant_types: Vec<String>,
    pub response_types: Vec<String>,
    /// §5.1 defaults it to the `client_id`; the spec's own examples omit it, so absent is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Required by §5.1 but omitted by the spec's own examples: absent reads as `[]`.
    #[serde(default)]
    pub contacts: Vec<String>,
    /// RFC 9396 §10.
    pub authorization_details_types: Vec<String>,
    pub cds_created: Timestamp,
    pub cds_modified: Timestamp,
    pub cds_client_uri: Url,
    pub cds_status: ClientStatus,
    pub cds_status_options: Vec<ClientStatus>,
    pub cds_server_metadata: Url,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_authorization_details: Option<Vec<Value>>,
    /// Only in the registration response (§4.2). Never serialized: secrets go to the keyring.
    #[serde(
        default,
        skip_serializing,
        deserialize_with = "super::identifiers::optional_token"
    )]
    pub client_secret: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ClientObject {
    /// The display name: `client_name`, or the `client_id` as §5.1 says.
    pub fn display_name(&self) -> &str {
        self.client_name.as_deref().unwrap_or(&self.client_id)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_ascii_whitespace()
    }

    /// A public client (`token_endpoint_auth_method` `none`): no secret, no Credential.
    pub fn is_public(&self) -> bool {
        super::auth_methods::is_public(self.token_endpoint_auth_method.as_deref())
    }

    /// Whether it authenticates with a client secret and so has Credentials (§4.2, §7).
    pub fn uses_client_secret(&self) -> bool {
        super::auth_methods::uses_client_secret(self.token_endpoint_auth_method.as_deref())
    }
}

/// WG1-02 §5.3 listing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientList {
    pub clients: Vec<ClientObject>,
    #[serde(default)]
    pub next: Option<Url>,
    #[serde(default)]
    pub previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// RFC 7591 §3.1 Client Registration Request as WG1-02 §4.1 shapes it: `scope` always holds
/// `cds_client_admin`, registration fields travel under their `field_name` (in `extra`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RegistrationRequest {
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    /// WG1-02 §4.1: servers ignore it; kept so a request read back is not silently changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §5.5 Modifying Client Objects: the fields a Client may send with PUT (every field
/// §5.5 says servers must let clients update, plus `authorization_details_types`, which the
/// §12.7 example sends).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientModification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_status: Option<ClientStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_default_authorization_details: Option<Vec<Value>>,
    /// Other client metadata and registration fields (`cds_*`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl std::fmt::Debug for ClientObject {
    /// Like the derived Debug, with the secret redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut copy = self.clone();
        copy.client_secret = copy.client_secret.map(|_| "<redacted>".to_owned());
        write!(
            f,
            "ClientObject {}",
            serde_json::to_string(&copy).unwrap_or_default()
        )?;
        if copy.client_secret.is_some() {
            f.write_str(" (client_secret: <redacted>)")?;
        }
        Ok(())
    }
}
