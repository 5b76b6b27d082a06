//! CDS-WG1-02 §8 Grants API: the Grant object (§8.1) and its statuses (§8.2).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::open_enum::open_enum;

open_enum! {
    /// WG1-02 §8.2 Grant Statuses.
    pub enum GrantStatus {
        Active = "active",
        Future = "future",
        Pending = "pending",
        Partial = "partial",
        NeedsAuthorization = "needs_authorization",
        NeedsSubGrants = "needs_sub_grants",
        Disabled = "disabled",
        Suspended = "suspended",
        Revoked = "revoked",
        Closed = "closed",
        Expired = "expired",
        Delayed = "delayed",
        Stopped = "stopped",
        Errored = "errored",
    }
}

impl GrantStatus {
    /// §8.2: statuses under which nothing granted is accessible any more.
    pub fn is_inaccessible(&self) -> bool {
        use GrantStatus::*;
        matches!(
            self,
            Future | Disabled | Suspended | Revoked | Closed | Expired
        )
    }
}

/// WG1-02 §8.1 Grant object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub grant_id: String,
    pub uri: Url,
    pub replacing: Vec<Url>,
    pub replaced_by: Vec<Url>,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub not_before: Option<Timestamp>,
    pub not_after: Option<Timestamp>,
    pub eta: Option<Timestamp>,
    pub expires: Option<Timestamp>,
    pub status: GrantStatus,
    #[serde(deserialize_with = "super::identifiers::client_id")]
    pub client_id: String,
    pub scope: String,
    pub authorization_details: Vec<Value>,
    pub receipt_confirmations: Vec<String>,
    pub enabled_scope: String,
    pub enabled_authorization_details: Vec<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §8.4 listing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantList {
    pub grants: Vec<Grant>,
    #[serde(default)]
    pub next: Option<Url>,
    #[serde(default)]
    pub previous: Option<Url>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// WG1-02 §8.6 Modifying Grants: `status` (only `closed`), `scope`, `authorization_details`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GrantModification {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GrantStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<Vec<Value>>,
}
