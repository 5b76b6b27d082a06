//! CDS-WG1-02 §6 Messages API: the Message object (§6.1), its types (§6.2), statuses (§6.3),
//! related types (§6.4), update requests (§6.5), grant requests (§6.6) and attachments (§6.7).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::formats::Decimal;
use super::open_enum::open_enum;

open_enum! {
    /// WG1-02 §6.2 Message Types.
    pub enum MessageType {
        Notification = "notification",
        PrivateMessage = "private_message",
        ProductionRequest = "production_request",
        SupportRequest = "support_request",
        GrantRequest = "grant_request",
        FieldChanges = "field_changes",
        ServerRequest = "server_request",
        ClientSubmission = "client_submission",
        PaymentRequest = "payment_request",
        OnlineFormRequest = "online_form_request",
        PdfFormRequest = "pdf_form_request",
        RequestUpdate = "request_update",
    }
}

open_enum! {
    /// WG1-02 §6.3 Message Statuses.
    pub enum MessageStatus {
        Complete = "complete",
        Open = "open",
        Pending = "pending",
        Rejected = "rejected",
        Errored = "errored",
    }
}

open_enum! {
    /// WG1-02 §6.4 Message Related Types.
    pub enum MessageRelatedType {
        MoreInfo = "more_info",
        Documentation = "documentation",
        Support = "support",
        OnlineForm = "online_form",
        PdfForm = "pdf_form",
        PaymentForm = "payment_form",
        PaymentReceipt = "payment_receipt",
        ClientList = "client_list",
        Client = "client",
        GrantList = "grant_list",
        Grant = "grant",
        MessageList = "message_list",
        Message = "message",
        CredentialList = "credential_list",
        Credential = "credential",
    }
}

/// WG1-02 §6.1 Message object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub message_id: String,
    pub uri: Url,
    pub previous_uri: Option<Url>,
    #[serde(rename = "type")]
    pub message_type: MessageType,
    pub read: bool,
    pub creator: Option<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub status: MessageStatus,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates_requested: Option<Vec<ClientUpdateRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants_requested: Option<Vec<ClientGrantRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<MessageAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_type: Option<MessageRelatedType>,
    /// A JSON number on the wire (WG1-02 §2 `decimal`), written with its exact digits.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §6.5 Client Update Request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientUpdateRequest {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §6.6 Client Grant Request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientGrantRequest {
    pub scope: String,
    pub authorization_details: Vec<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §6.7 Message Attachment (`data` is Base64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageAttachment {
    pub filename: String,
    pub mime_type: String,
    pub data: String,
}

/// WG1-02 §6.8 listing: three lists (outstanding, unread, read), each paginated on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageListing {
    pub outstanding: Vec<Message>,
    #[serde(default)]
    pub outstanding_next: Option<Url>,
    #[serde(default)]
    pub outstanding_previous: Option<Url>,
    pub unread: Vec<Message>,
    #[serde(default)]
    pub unread_next: Option<Url>,
    #[serde(default)]
    pub unread_previous: Option<Url>,
    pub read: Vec<Message>,
    #[serde(default)]
    pub read_next: Option<Url>,
    #[serde(default)]
    pub read_previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §6.9 Creating Messages: the body a Client POSTs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageCreate {
    /// Required by §6.9 (may be `null`); the spec's own example omits it, so absent reads as null.
    #[serde(default)]
    pub previous_uri: Option<Url>,
    #[serde(rename = "type")]
    pub message_type: MessageType,
    pub name: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updates_requested: Option<Vec<ClientUpdateRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants_requested: Option<Vec<ClientGrantRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<MessageAttachment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_uri: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related_type: Option<MessageRelatedType>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §6.11 Modifying Messages (only `read` may change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageModification {
    pub read: bool,
}
