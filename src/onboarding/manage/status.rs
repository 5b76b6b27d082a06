//! One profile's state at a glance (CDS-WG1-02 §5–§8): Client objects by status, outstanding
//! requests with their amounts (threads, §6.2), Grants by status, Credential expiries, and what
//! needs the user's attention. Each part is read on its own; one that fails is reported, the
//! others still shown.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use url::Url;

use crate::cds::formats::Decimal;
use crate::cds::messages::{MessageStatus, MessageType};
use crate::cds::{ClientStatus, GrantStatus};
use crate::vault::SecretKind;

use super::clients::{self, ClientFilter};
use super::credentials::{self, CredentialFilter};
use super::error::ManageError;
use super::grants::{self, GrantFilter};
use super::messages::{self, MessageFilter, Thread};
use super::session::Session;

/// A secret expiring within this is flagged.
pub const EXPIRY_WARNING: SignedDuration = SignedDuration::from_hours(24 * 14);

#[derive(Debug, Clone, Serialize)]
pub struct ClientLine {
    pub client_id: String,
    pub name: String,
    pub scope: String,
}

/// An outstanding request thread (open or pending once request_updates are applied, §6.2).
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub message_id: String,
    pub kind: MessageType,
    pub status: MessageStatus,
    pub name: String,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    /// Where to act (the payment or form page, §6.1 `related_uri`).
    pub link: Option<Url>,
    pub created: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Expiry {
    pub credential_id: String,
    pub client_id: String,
    /// `None`: never expires.
    pub expires_at: Option<Timestamp>,
    pub expired: bool,
    pub in_keyring: bool,
}

/// What needs the user.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attention {
    /// The server waits on the user (open: pay, fill in, answer).
    OpenRequest {
        message_id: String,
        name: String,
    },
    /// The server reports an error on a request (§6.3 errored).
    ErroredRequest {
        message_id: String,
        name: String,
    },
    UnreadMessages {
        count: usize,
    },
    /// The secret in the keyring expires soon or has expired: rotate.
    SecretExpiring {
        client_id: String,
        credential_id: String,
        at: Timestamp,
        expired: bool,
    },
    /// The index says a secret is stored but the keyring has none.
    SecretMissing {
        client_id: String,
    },
    /// A customer must authorize again (§8.3).
    GrantNeedsAuthorization {
        grant_id: String,
        client_id: String,
    },
    ClientDisabled {
        client_id: String,
    },
}

/// The summary `cds-wizard status` prints and the console's overview shows.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StatusSummary {
    pub profile: String,
    pub clients: BTreeMap<String, Vec<ClientLine>>,
    pub outstanding: Vec<Request>,
    pub unread: usize,
    pub grants: BTreeMap<String, usize>,
    pub active_grants: usize,
    pub expiries: Vec<Expiry>,
    pub attention: Vec<Attention>,
    /// Parts that could not be read: (part, error).
    pub unavailable: Vec<(String, String)>,
}

/// Reads every part and summarizes.
pub async fn status(s: &mut Session<'_>) -> Result<StatusSummary, ManageError> {
    let mut out = StatusSummary {
        profile: s.profile().name.clone(),
        ..Default::default()
    };
    let now = Timestamp::now();
    match clients::list(s, &ClientFilter::default()).await {
        Ok(list) => {
            for c in list {
                if c.cds_status == ClientStatus::Disabled {
                    out.attention.push(Attention::ClientDisabled {
                        client_id: c.client_id.clone(),
                    });
                }
                out.clients
                    .entry(c.cds_status.as_str().to_owned())
                    .or_default()
                    .push(ClientLine {
                        name: c.display_name().to_owned(),
                        scope: c.scope.clone(),
                        client_id: c.client_id,
                    });
            }
        }
        Err(e) => out.unavailable.push(("clients".into(), e.to_string())),
    }
    match messages::all(s, &MessageFilter::default()).await {
        Ok(all) => requests(&mut out, &all),
        Err(e) => out.unavailable.push(("messages".into(), e.to_string())),
    }
    match grants::list(s, &GrantFilter::default()).await {
        Ok(list) => {
            for g in list {
                *out.grants.entry(g.status.as_str().to_owned()).or_default() += 1;
                if !g.status.is_inaccessible() {
                    out.active_grants += 1;
                }
                if g.status == GrantStatus::NeedsAuthorization {
                    out.attention.push(Attention::GrantNeedsAuthorization {
                        grant_id: g.grant_id,
                        client_id: g.client_id,
                    });
                }
            }
        }
        Err(e) => out.unavailable.push(("grants".into(), e.to_string())),
    }
    match credentials::list(s, &CredentialFilter::default()).await {
        Ok(list) => expiries(&mut out, list, now),
        Err(e) => out.unavailable.push(("credentials".into(), e.to_string())),
    }
    missing_secrets(s, &mut out)?;
    Ok(out)
}

fn requests(out: &mut StatusSummary, all: &[crate::cds::Message]) {
    out.unread = all.iter().filter(|m| !m.read).count();
    if out.unread > 0 {
        out.attention
            .push(Attention::UnreadMessages { count: out.unread });
    }
    for t in messages::threads(all) {
        let Thread { root, status, .. } = &t;
        if *status == MessageStatus::Errored {
            out.attention.push(Attention::ErroredRequest {
                message_id: root.message_id.clone(),
                name: root.name.clone(),
            });
        }
        if !t.is_outstanding() {
            continue;
        }
        if *status == MessageStatus::Open {
            out.attention.push(Attention::OpenRequest {
                message_id: root.message_id.clone(),
                name: root.name.clone(),
            });
        }
        out.outstanding.push(Request {
            message_id: root.message_id.clone(),
            kind: root.message_type.clone(),
            status: status.clone(),
            name: root.name.clone(),
            amount: root.amount,
            currency: root.currency.clone(),
            link: root.related_uri.clone(),
            created: root.created,
        });
    }
}

fn expiries(out: &mut StatusSummary, list: Vec<credentials::CredentialState>, now: Timestamp) {
    for c in list {
        let at = c
            .credential
            .client_secret_expires_at
            .filter(|t| *t != 0)
            .and_then(|t| Timestamp::from_second(t).ok());
        if c.in_keyring
            && let Some(at) = at
            && at < now + EXPIRY_WARNING
        {
            out.attention.push(Attention::SecretExpiring {
                client_id: c.credential.client_id.clone(),
                credential_id: c.credential.credential_id.clone(),
                at,
                expired: c.expired,
            });
        }
        out.expiries.push(Expiry {
            credential_id: c.credential.credential_id,
            client_id: c.credential.client_id,
            expires_at: at,
            expired: c.expired,
            in_keyring: c.in_keyring,
        });
    }
}

fn missing_secrets(s: &Session<'_>, out: &mut StatusSummary) -> Result<(), ManageError> {
    let p = s.profile();
    for c in &p.clients {
        if c.has_secret(SecretKind::ClientSecret)
            && s.engine
                .vault
                .get(&p.account(&c.client_id, SecretKind::ClientSecret))?
                .is_none()
        {
            out.attention.push(Attention::SecretMissing {
                client_id: c.client_id.clone(),
            });
        }
    }
    Ok(())
}
