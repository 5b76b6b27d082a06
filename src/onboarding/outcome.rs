//! What a registration produces and reports (CDS-WG1-02 §4–§6): progress events, the outcome
//! with every client and its keyring accounts, and the to-do list read from the outstanding
//! Messages (payments with amounts, forms, reviews).

use serde::Serialize;
use url::Url;

use crate::cds::Message;
use crate::cds::formats::Decimal;
use crate::cds::messages::{MessageRelatedType, MessageStatus, MessageType};
use crate::profiles::RegistrationStep;
use crate::text::sanitize_line;

/// Progress a UI can show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RegisterEvent {
    Started {
        step: RegistrationStep,
    },
    Done {
        step: RegistrationStep,
        detail: String,
    },
}

/// What remains to do after registration (from the outstanding Messages, §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TodoItem {
    #[serde(rename = "type")]
    pub message_type: String,
    pub status: String,
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none", with = "decimal_text")]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
}

mod decimal_text {
    use super::Decimal;
    pub fn serialize<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_string()),
            None => s.serialize_none(),
        }
    }
}

/// The result of a (resumed) registration.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterOutcome {
    pub profile: String,
    pub keyring: String,
    pub admin_client_id: String,
    pub clients: Vec<ClientSummary>,
    pub todo: Vec<TodoItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientSummary {
    pub client_id: String,
    pub scope: String,
    pub status: String,
    pub token_endpoint_auth_method: Option<String>,
    /// The keyring accounts holding this client's secrets (names only).
    pub keyring_accounts: Vec<String>,
}

/// The outstanding Messages as a to-do list: payments with amounts and links, forms, reviews.
pub fn todo_items(messages: &[Message]) -> Vec<TodoItem> {
    messages
        .iter()
        .filter(|m| matches!(m.status, MessageStatus::Open | MessageStatus::Pending))
        .filter(|m| {
            matches!(
                m.message_type,
                MessageType::PaymentRequest
                    | MessageType::OnlineFormRequest
                    | MessageType::PdfFormRequest
                    | MessageType::ServerRequest
                    | MessageType::ProductionRequest
                    | MessageType::FieldChanges
                    | MessageType::GrantRequest
                    | MessageType::SupportRequest
            )
        })
        .map(|m| TodoItem {
            message_type: m.message_type.to_string(),
            status: m.status.to_string(),
            name: sanitize_line(&m.name, 200),
            description: sanitize_line(&m.description, 500),
            amount: m.amount,
            currency: m.currency.clone(),
            link: m.related_uri.clone(),
            link_type: m.related_type.as_ref().map(MessageRelatedType::to_string),
        })
        .collect()
}
