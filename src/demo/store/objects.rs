//! Building the objects the demo stores: Client objects (CDS-WG1-02 §5.1), `client_secret`
//! Credentials (§7.1) and Server-created Messages (§6.1), including the changelog
//! notifications (§5.3, §7.3).

use jiff::Timestamp;
use serde_json::{Map, Value};
use url::Url;

use crate::cds::credentials::CredentialType;
use crate::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use crate::cds::server_metadata::WELL_KNOWN_PATH;
use crate::cds::{ClientObject, ClientStatus, Credential, Message};

use super::{Store, random_hex};

/// Path of the default redirect URI that shows an authorization receipt (§4.2).
pub const RECEIPT_PATH: &str = "/oauth/receipt";

/// Fields every demo Client object shares.
pub(crate) struct ClientSpec {
    pub scope: Vec<String>,
    pub response_types: Vec<String>,
    pub grant_types: Vec<String>,
    pub auth_method: Option<String>,
    pub authorization_details_types: Vec<String>,
    pub status: ClientStatus,
    pub status_options: Vec<ClientStatus>,
    pub extra: Map<String, Value>,
}

pub(crate) fn build_client(
    base: &str,
    now: Timestamp,
    client_name: Option<&str>,
    contacts: &[String],
    spec: ClientSpec,
) -> ClientObject {
    let client_id = random_hex(8);
    let code_flow = !spec.response_types.is_empty();
    let scope = spec.scope.join(" ");
    let redirect = format!("{base}{RECEIPT_PATH}");
    ClientObject {
        client_id_issued_at: now.as_second(),
        scope: scope.clone(),
        redirect_uris: if code_flow {
            vec![redirect.clone()]
        } else {
            Vec::new()
        },
        token_endpoint_auth_method: spec.auth_method,
        grant_types: spec.grant_types,
        response_types: spec.response_types,
        // §5.1: defaults to the client_id.
        client_name: Some(client_name.map_or_else(|| client_id.clone(), str::to_owned)),
        contacts: contacts.to_vec(),
        authorization_details_types: spec.authorization_details_types,
        cds_created: now,
        cds_modified: now,
        cds_client_uri: Url::parse(&format!("{base}/api/clients/{client_id}"))
            .expect("base URL is absolute"),
        cds_status: spec.status,
        cds_status_options: spec.status_options,
        // The demo has no client-specific metadata: the public document applies (§5.1 MAY).
        cds_server_metadata: Url::parse(&format!("{base}{WELL_KNOWN_PATH}"))
            .expect("base URL is absolute"),
        cds_default_scope: code_flow.then(|| scope.clone()),
        cds_default_redirect_uri: code_flow.then_some(redirect),
        cds_default_authorization_details: code_flow.then(Vec::new),
        client_secret: None,
        extra: spec.extra,
        client_id,
    }
}

/// A `client_secret` Credential for `client` (§7.1), never expiring (`0`).
pub(crate) fn build_credential(
    base: &str,
    now: Timestamp,
    client: &ClientObject,
    secret: String,
) -> Credential {
    let credential_id = random_hex(8);
    Credential {
        uri: Url::parse(&format!("{base}/api/credentials/{credential_id}"))
            .expect("base URL is absolute"),
        credential_id,
        client_id: client.client_id.clone(),
        created: now,
        modified: now,
        credential_type: CredentialType::ClientSecret,
        client_secret: Some(secret),
        client_secret_expires_at: Some(0),
        extra: Map::new(),
    }
}

/// Whether a client authenticates with a secret and so gets a Credential (§4.2 as
/// [`crate::cds::auth_methods::uses_client_secret`] reads it): a public client (`none`, issued
/// for scopes that list only `none`) has no secret and so no Credential.
pub(crate) fn takes_secret(client: &ClientObject) -> bool {
    client.uses_client_secret()
}

pub(crate) struct MessageSpec {
    pub message_type: MessageType,
    pub status: MessageStatus,
    pub name: String,
    pub description: String,
    pub related: Option<(String, MessageRelatedType)>,
    pub previous_uri: Option<Url>,
    pub amount: Option<crate::cds::formats::Decimal>,
    pub currency: Option<String>,
}

/// A Server-created Message (§6.1: unread, no creator). `related` may name `{message_id}`.
pub(crate) fn build_message(base: &str, now: Timestamp, spec: MessageSpec) -> Message {
    let message_id = random_hex(8);
    // A Message may name its own page (`{message_id}`), like `related`.
    let description = spec.description.replace("{message_id}", &message_id);
    let related = spec.related.map(|(uri, t)| {
        (
            Url::parse(&uri.replace("{message_id}", &message_id)).expect("absolute URL"),
            t,
        )
    });
    Message {
        uri: Url::parse(&format!("{base}/api/messages/{message_id}")).expect("absolute URL"),
        message_id,
        previous_uri: spec.previous_uri,
        message_type: spec.message_type,
        read: false,
        creator: None,
        created: now,
        modified: now,
        status: spec.status,
        name: spec.name,
        description,
        updates_requested: None,
        grants_requested: None,
        attachments: None,
        related_type: related.as_ref().map(|(_, t)| t.clone()),
        related_uri: related.map(|(u, _)| u),
        amount: spec.amount,
        currency: spec.currency,
        extra: Map::new(),
    }
}

/// A server-created `notification` (§6.2): the changelog entry §5.3 and §7.3 require.
pub(crate) fn notify(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    name: String,
    description: String,
    related: (String, MessageRelatedType),
) {
    let message = build_message(
        base,
        now,
        MessageSpec {
            message_type: MessageType::Notification,
            status: MessageStatus::Complete,
            name,
            description,
            related: Some(related),
            previous_uri: None,
            amount: None,
            currency: None,
        },
    );
    store.add_message(registration, message);
}
