//! The requests a Client sends as Messages (CDS-WG1-02 §6.9): the sandbox Client object a
//! `production_request` names and how the server will answer it, and what a `grant_request`
//! may ask for (§6.6).

use serde_json::Value;
use url::Url;

use crate::cds::messages::{MessageCreate, MessageRelatedType};
use crate::cds::{AuthorizationServerMetadata, ClientStatus};

use crate::demo::api::common::bad;
use crate::demo::reply::ApiError;
use crate::demo::scopes::scope_list;
use crate::demo::store::Store;

/// What to do once a `production_request` is stored (§6.9: the server reviews and answers with
/// a `request_update`).
pub(super) enum ProductionAnswer {
    /// A review of this sandbox object is already pending; it answers every request for it.
    AlreadyPending,
    /// The registration already has an equivalent production Client object: point to it.
    Existing { production_uri: String },
    /// Review and create the production copy (the internal review's path).
    Review { sandbox_id: String },
}

/// A `related_type`, when given, must be `client`; it becomes `client`.
fn related_client(
    related_type: &mut Option<MessageRelatedType>,
    kind: &str,
) -> Result<(), ApiError> {
    if related_type
        .as_ref()
        .is_some_and(|t| *t != MessageRelatedType::Client)
    {
        return Err(bad(
            "invalid_request",
            format!("a {kind}'s `related_type` is `client`"),
        ));
    }
    *related_type = Some(MessageRelatedType::Client);
    Ok(())
}

/// A `production_request` names a sandbox Client object of this registration; how the server
/// will answer it.
pub(super) fn check_production_request(
    store: &Store,
    registration: &str,
    req: &MessageCreate,
    related_type: &mut Option<MessageRelatedType>,
) -> Result<ProductionAnswer, ApiError> {
    let target = req.related_uri.as_ref().and_then(|u| {
        store
            .clients
            .iter()
            .find(|c| c.registration == registration && c.item.cds_client_uri == *u)
    });
    let Some(target) = target.map(|c| c.item.clone()) else {
        return Err(bad(
            "invalid_request",
            "a production_request's `related_uri` must be the cds_client_uri of a \
             sandbox Client object of this registration (WG1-02 §6.9)",
        ));
    };
    if !target.cds_status_options.contains(&ClientStatus::Sandbox) {
        return Err(bad(
            "invalid_request",
            "the `related_uri` Client object has no `sandbox` in cds_status_options",
        ));
    }
    if target.cds_status == ClientStatus::Disabled {
        return Err(bad(
            "invalid_request",
            "the `related_uri` Client object is disabled",
        ));
    }
    related_client(related_type, "production_request")?;
    let target_uri = target.cds_client_uri.to_string();
    let pending = store.production_review_pending(registration, &target_uri);
    let existing = store.production_copy(registration, &target);
    Ok(if pending {
        ProductionAnswer::AlreadyPending
    } else if let Some(p) = existing {
        ProductionAnswer::Existing {
            production_uri: p.item.cds_client_uri.to_string(),
        }
    } else {
        ProductionAnswer::Review {
            sandbox_id: target.client_id,
        }
    })
}

/// A `grant_request` asks for known scopes with details of the Client object's types (§6.6).
pub(super) fn check_grant_request(
    store: &Store,
    catalog: &AuthorizationServerMetadata,
    registration: &str,
    req: &MessageCreate,
    related_type: &mut Option<MessageRelatedType>,
) -> Result<(), ApiError> {
    let grants = req.grants_requested.as_deref().unwrap_or_default();
    if grants.is_empty() {
        return Err(bad(
            "invalid_request",
            "a grant_request needs `grants_requested` (WG1-02 §6.9)",
        ));
    }
    let types = grant_request_types(store, registration, req.related_uri.as_ref())?;
    for g in grants {
        let scopes = scope_list(&g.scope);
        if scopes.is_empty()
            || scopes
                .iter()
                .any(|sc| !catalog.cds_scope_descriptions.contains_key(sc))
        {
            return Err(bad(
                "invalid_request",
                format!(
                    "`grants_requested`: scope `{}` is not in cds_scope_descriptions",
                    g.scope
                ),
            ));
        }
        let ok = g.authorization_details.iter().all(|d| {
            d.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| types.iter().any(|x| x == t))
        });
        if !ok {
            return Err(bad(
                "invalid_request",
                "`grants_requested`: every authorization_details entry must be an object \
                 whose `type` is in the Client object's authorization_details_types \
                 (WG1-02 §6.6)",
            ));
        }
    }
    if req.related_uri.is_some() {
        related_client(related_type, "grant_request")?;
    }
    Ok(())
}

/// §6.6: detail types must be the Client object's; the one in `related_uri` (any
/// registration: third-party grants), else any of this registration's.
fn grant_request_types(
    store: &Store,
    registration: &str,
    related_uri: Option<&Url>,
) -> Result<Vec<String>, ApiError> {
    match related_uri {
        Some(u) => match store.clients.iter().find(|c| c.item.cds_client_uri == *u) {
            Some(c) => Ok(c.item.authorization_details_types.clone()),
            None => Err(bad(
                "invalid_request",
                "a grant_request's `related_uri` must be a Client object's cds_client_uri",
            )),
        },
        None => Ok(store
            .clients
            .iter()
            .filter(|c| c.registration == registration)
            .flat_map(|c| c.item.authorization_details_types.clone())
            .collect()),
    }
}
