//! The Credentials API (CDS-WG1-02 §7): listing with its filters (§7.3), creating a secret
//! (§7.5), expiring one (§7.6), and rotation as one action: a new Credential, its secret in
//! the keyring before anything else can fail, proven at the token endpoint, then the old one
//! expired and its keyring copy replaced. A failure at any step leaves a working secret in the
//! keyring and says which one (rotate.rs).

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::json;
use url::Url;

use crate::cds::Credential;
use crate::vault::SecretKind;

use super::error::ManageError;
use super::page::Page;
use super::session::{Api, Auth, Session, decode, joined, with_query};

pub use super::rotate::{Rotation, create, rotate};

const LIST: &str = "§7.3";
const MODIFY: &str = "§7.6";
const KEYS: [&str; 3] = ["credentials", "next", "previous"];

/// The §7.3 filters.
#[derive(Debug, Clone, Default)]
pub struct CredentialFilter {
    pub credential_ids: Vec<String>,
    pub client_ids: Vec<String>,
    /// Created on or after.
    pub after: Option<Timestamp>,
    /// Created on or before.
    pub before: Option<Timestamp>,
}

/// A Credential with what the profile knows of it. Serializes without the secret.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialState {
    #[serde(flatten)]
    pub credential: Credential,
    /// Its secret is the one the profile keeps in the keyring for this client.
    pub in_keyring: bool,
    /// `client_secret_expires_at` is past (0 means it never expires, §7.1).
    pub expired: bool,
}

/// Whether a `client_secret_expires_at` (RFC 7591 §3.2.1: 0 = never) is past at `now`.
pub fn is_expired(expires_at: Option<i64>, now: Timestamp) -> bool {
    expires_at.is_some_and(|t| t != 0 && t <= now.as_second())
}

async fn first_url(s: &mut Session<'_>, f: &CredentialFilter) -> Result<Url, ManageError> {
    let api = s.endpoint(Api::Credentials).await?;
    Ok(with_query(
        &api,
        &[
            ("credential_ids", joined(&f.credential_ids)),
            ("client_ids", joined(&f.client_ids)),
            ("after", f.after.map(|t| t.to_string())),
            ("before", f.before.map(|t| t.to_string())),
        ],
    ))
}

/// One page: the first when `cursor` is `None`, else the page a link names.
pub async fn list_page(
    s: &mut Session<'_>,
    filter: &CredentialFilter,
    cursor: Option<&Url>,
) -> Result<Page<CredentialState>, ManageError> {
    let url = match cursor {
        Some(u) => u.clone(),
        None => first_url(s, filter).await?,
    };
    let page: Page<Credential> = s.page(&url, KEYS, &Auth::Admin, LIST).await?;
    Ok(Page {
        items: states(s, page.items)?,
        next: page.next,
        previous: page.previous,
    })
}

/// Every Credential, newest `modified` first (§7.3).
pub async fn list(
    s: &mut Session<'_>,
    filter: &CredentialFilter,
) -> Result<Vec<CredentialState>, ManageError> {
    let raw = list_raw(s, filter).await?;
    states(s, raw)
}

pub(crate) async fn list_raw(
    s: &mut Session<'_>,
    filter: &CredentialFilter,
) -> Result<Vec<Credential>, ManageError> {
    let url = first_url(s, filter).await?;
    s.collect(&url, KEYS, &Auth::Admin, LIST).await
}

/// One Credential by id.
pub async fn get(s: &mut Session<'_>, credential_id: &str) -> Result<CredentialState, ManageError> {
    let filter = CredentialFilter {
        credential_ids: vec![credential_id.to_owned()],
        ..Default::default()
    };
    list(s, &filter)
        .await?
        .into_iter()
        .find(|c| c.credential.credential_id == credential_id)
        .ok_or_else(|| ManageError::NotFound {
            what: "Credential",
            id: credential_id.to_owned(),
            section: "§7.4",
        })
}

/// Marks which Credentials hold the secret the keyring keeps for their client.
fn states(s: &Session<'_>, list: Vec<Credential>) -> Result<Vec<CredentialState>, ManageError> {
    let now = Timestamp::now();
    let p = s.profile();
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let kept = if p.client(&c.client_id).is_some() {
            s.engine
                .vault
                .get(&p.account(&c.client_id, SecretKind::ClientSecret))?
        } else {
            None
        };
        let in_keyring = matches!((&kept, &c.client_secret), (Some(k), Some(v)) if k.expose() == v);
        out.push(CredentialState {
            expired: is_expired(c.client_secret_expires_at, now),
            in_keyring,
            credential: c,
        });
    }
    Ok(out)
}

/// Expires a Credential (§7.6): `client_secret_expires_at` set to `at` (default now), which
/// the server treats as a compromise when it is not in the future. The Credential whose secret
/// the profile uses is refused unless `allow_current` (rotate instead).
pub async fn expire(
    s: &mut Session<'_>,
    credential_id: &str,
    at: Option<Timestamp>,
    allow_current: bool,
) -> Result<Credential, ManageError> {
    let current = get(s, credential_id).await?;
    if current.in_keyring && !allow_current {
        return Err(ManageError::Refused(format!(
            "credential {credential_id} holds the secret profile `{}` uses for client {}; \
             expiring it would lock the profile out. Rotate instead (`cds-wizard credentials {} \
             rotate {}`), or force it",
            s.profile().name,
            current.credential.client_id,
            s.profile().name,
            current.credential.client_id
        )));
    }
    let at = at.unwrap_or_else(Timestamp::now).as_second();
    if let Some(now_at) = current.credential.client_secret_expires_at
        && now_at != 0
        && at > now_at
    {
        return Err(ManageError::Refused(format!(
            "an expiry may only move earlier (WG1-02 §7.6): it is {now_at} now"
        )));
    }
    patch_expiry(s, &current.credential.uri, at).await
}

/// PATCH `client_secret_expires_at` (§7.6).
pub(crate) async fn patch_expiry(
    s: &mut Session<'_>,
    uri: &Url,
    at: i64,
) -> Result<Credential, ManageError> {
    let (_, v) = s
        .call(
            Method::PATCH,
            uri,
            Some(&json!({ "client_secret_expires_at": at })),
            &Auth::Admin,
            MODIFY,
        )
        .await?;
    decode(uri, MODIFY, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_never_expires() {
        let now = Timestamp::from_second(1_000).unwrap();
        assert!(!is_expired(Some(0), now));
        assert!(!is_expired(None, now));
        assert!(is_expired(Some(1_000), now));
        assert!(!is_expired(Some(1_001), now));
    }
}
