//! The Credentials API (CDS-WG1-02 §7): listing (§7.3), retrieval (§7.4), creation of a fresh
//! secret (§7.5) and expiry (§7.6), behind `cds_client_admin` bearer tokens.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use crate::cds::messages::MessageRelatedType;
use crate::cds::{ClientStatus, Credential};

use crate::demo::DemoState;
use crate::demo::reply::{ApiError, json_with_status, no_store, respond};
use crate::demo::store::objects::{build_credential, notify, takes_secret};
use crate::demo::store::{Store, credential_json, random_secret};

use super::auth::authorize;
use super::common::{
    Resource, bad, id_filter, json_object, not_found_error, parse_datetime, present,
};

/// Unexpired Credentials one Client object may hold. §7.5 sets no limit; a careful utility
/// bounds them so a leaked admin token cannot mint secrets without end.
const MAX_ACTIVE_CREDENTIALS: usize = 10;

/// Credentials as a management API resource, each with its `client_secret` (§7.1).
const CREDENTIALS: Resource<Credential> = Resource {
    records: |st| &st.credentials,
    id: |c| &c.credential_id,
    modified: |c| c.modified,
    render: credential_json,
    what: "Credential",
    path: "/api/credentials",
    key: "credentials",
};

#[derive(Debug, Deserialize)]
pub struct CredentialsQuery {
    credential_ids: Option<String>,
    client_ids: Option<String>,
    after: Option<String>,
    before: Option<String>,
    page: Option<String>,
}

/// `GET /api/credentials` (§7.3).
pub async fn list_credentials(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Query(q): Query<CredentialsQuery>,
) -> Response {
    let filter = || {
        let after = parse_datetime("after", &q.after)?;
        let before = parse_datetime("before", &q.before)?;
        let ids = id_filter(&q.credential_ids);
        let clients = id_filter(&q.client_ids);
        Ok(move |c: &Credential| {
            ids.as_ref().is_none_or(|w| w.contains(&c.credential_id))
                && clients.as_ref().is_none_or(|w| w.contains(&c.client_id))
                // "created after or on" / "before or on" (§7.3): both bounds inclusive.
                && after.is_none_or(|a| c.created >= a)
                && before.is_none_or(|b| c.created <= b)
        })
    };
    let params = present(&[
        ("credential_ids", &q.credential_ids),
        ("client_ids", &q.client_ids),
        ("after", &q.after),
        ("before", &q.before),
    ]);
    CREDENTIALS.list(&s, &headers, q.page.as_deref(), filter, &params)
}

/// `GET /api/credentials/{credential_id}` (§7.4).
pub async fn get_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    CREDENTIALS.get(&s, &headers, &id)
}

/// `POST /api/credentials` (§7.5): a fresh secret for one of the registration's Client objects.
pub async fn create_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(create_credential_inner(&s, &headers, body))
}

fn create_credential_inner(
    s: &DemoState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = authorize(s, headers)?;
    let raw = json_object(headers, body)?;
    let Some(Value::String(client_id)) = raw.get("client_id") else {
        return Err(bad(
            "invalid_request",
            "`client_id` (a string) is required (WG1-02 §7.5)",
        ));
    };
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let mut store = s.registry.lock();
    // §7.5 names 400 for invalid values: a client_id outside this registration is one.
    let Some(client) = store
        .clients
        .iter()
        .find(|c| c.registration == registration && c.item.client_id == *client_id)
        .map(|c| c.item.clone())
    else {
        return Err(bad(
            "invalid_request",
            "`client_id` is not a Client object of this registration",
        ));
    };
    if client.cds_status == ClientStatus::Disabled {
        return Err(bad("invalid_request", "the Client object is disabled"));
    }
    if !takes_secret(&client) {
        return Err(bad(
            "invalid_request",
            "the Client object's token_endpoint_auth_method uses no client secret",
        ));
    }
    let active = store
        .credentials
        .iter()
        .filter(|c| {
            c.item.client_id == client.client_id
                && c.item
                    .client_secret_expires_at
                    .is_none_or(|t| t == 0 || t > now.as_second())
        })
        .count();
    if active >= MAX_ACTIVE_CREDENTIALS {
        return Err(bad(
            "invalid_request",
            format!(
                "the Client object already has {MAX_ACTIVE_CREDENTIALS} unexpired Credentials; \
                 expire one first (WG1-02 §7.6)"
            ),
        ));
    }
    let credential = build_credential(base, now, &client, random_secret());
    store.add_credential(&registration, credential.clone());
    notify(
        &mut store,
        base,
        now,
        &registration,
        "Credential added".to_owned(),
        format!(
            "Credential {} was added for Client object {}.",
            credential.credential_id, client.client_id
        ),
        (credential.uri.to_string(), MessageRelatedType::Credential),
    );
    Ok(no_store(json_with_status(
        StatusCode::CREATED,
        &credential_json(&credential),
    )))
}

/// `PATCH /api/credentials/{credential_id}` (§7.6): `client_secret_expires_at` moves earlier
/// only; at or before now the secret stops working and its tokens are revoked.
pub async fn modify_credential(
    State(s): State<Arc<DemoState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    respond(modify_credential_inner(&s, &headers, &id, body))
}

/// The new `client_secret_expires_at` (`None`: unchanged), and whether it expires now.
///
/// §7.6 accepts values from now up to the current one (any future value, or `0`, while the
/// current is `0`) and also speaks of values "equal to or less than the current time" as
/// disabling the secret. Since a client cannot hit the server's "now" exactly, a past value is
/// read as "expire now" and recorded as the server's now, the moment the secret stopped working.
fn next_expiry(
    current: i64,
    requested: i64,
    now: i64,
) -> Result<Option<(i64, bool)>, &'static str> {
    if requested < 0 {
        return Err("`client_secret_expires_at` must be 0 or a Unix timestamp");
    }
    let expired = current != 0 && current <= now;
    if expired {
        return if requested == current || (requested != 0 && requested <= now) {
            Ok(None)
        } else {
            Err("this Credential has expired and cannot be revived; create a new one (WG1-02 §7.5)")
        };
    }
    if requested == current {
        return Ok(None);
    }
    if requested == 0 {
        return Err(
            "`0` (never expires) is accepted only while the current value is 0 (WG1-02 §7.6)",
        );
    }
    if requested <= now {
        return Ok(Some((now, true)));
    }
    if current == 0 || requested <= current {
        return Ok(Some((requested, false)));
    }
    Err("`client_secret_expires_at` may only move earlier (WG1-02 §7.6)")
}

fn modify_credential_inner(
    s: &DemoState,
    headers: &HeaderMap,
    id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let registration = CREDENTIALS.owner(s, headers, id)?;
    let raw = json_object(headers, body)?;
    let requested = match raw.get("client_secret_expires_at") {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            bad(
                "invalid_request",
                "`client_secret_expires_at` must be an integer Unix timestamp (RFC 7591 §3.2.1)",
            )
        })?),
    };
    let base = s.base_url.as_str();
    let now = s.registry.now();
    let mut store = s.registry.lock();
    let index = CREDENTIALS
        .position(&store, &registration, id)
        .ok_or_else(|| not_found_error(CREDENTIALS.what))?;
    let current = store.credentials[index]
        .item
        .client_secret_expires_at
        .unwrap_or(0);
    let change = match requested {
        None => None,
        Some(r) => {
            next_expiry(current, r, now.as_second()).map_err(|why| bad("invalid_request", why))?
        }
    };
    if let Some((value, expire_now)) = change {
        apply_expiry(
            &mut store,
            base,
            now,
            &registration,
            index,
            value,
            expire_now,
        );
    }
    let credential = store.credentials[index].item.clone();
    Ok(no_store(json_with_status(
        StatusCode::OK,
        &credential_json(&credential),
    )))
}

/// Sets a Credential's new expiry; at or before now its tokens are revoked (§7.6). The
/// changelog notes it (§7.3).
fn apply_expiry(
    store: &mut Store,
    base: &str,
    now: Timestamp,
    registration: &str,
    index: usize,
    value: i64,
    expire_now: bool,
) {
    let credential = &mut store.credentials[index].item;
    credential.client_secret_expires_at = Some(value);
    credential.modified = now;
    let (credential_id, client_id, uri) = (
        credential.credential_id.clone(),
        credential.client_id.clone(),
        credential.uri.to_string(),
    );
    if expire_now {
        // §7.6: the Credential counts as compromised; its tokens go. Tokens without a
        // recorded Credential are revoked too, erring on the safe side.
        store.tokens.retain(|_, t| {
            t.client_id != client_id
                || t.credential_id
                    .as_deref()
                    .is_some_and(|c| c != credential_id)
        });
    }
    notify(
        store,
        base,
        now,
        registration,
        "Credential modified".to_owned(),
        if expire_now {
            format!(
                "Credential {credential_id} of Client object {client_id} expired; its access tokens were revoked."
            )
        } else {
            format!(
                "Credential {credential_id} of Client object {client_id} now expires at {value}."
            )
        },
        (uri, MessageRelatedType::Credential),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_moves_earlier_only() {
        let now = 1_000;
        assert_eq!(next_expiry(0, 0, now), Ok(None));
        assert_eq!(next_expiry(0, 5_000, now), Ok(Some((5_000, false))));
        assert_eq!(next_expiry(5_000, 4_000, now), Ok(Some((4_000, false))));
        assert!(next_expiry(5_000, 6_000, now).is_err());
        assert!(next_expiry(5_000, 0, now).is_err());
        assert_eq!(next_expiry(0, now, now), Ok(Some((now, true))));
        assert_eq!(next_expiry(0, 10, now), Ok(Some((now, true))));
        assert!(next_expiry(0, -1, now).is_err());
        // Already expired: nothing revives it.
        assert_eq!(next_expiry(900, 950, now), Ok(None));
        assert!(next_expiry(900, 0, now).is_err());
        assert!(next_expiry(900, 2_000, now).is_err());
    }
}
