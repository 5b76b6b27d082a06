//! Everyday token work for a registered profile: a currently valid access token (refreshing
//! with rotation, or a new `client_credentials` token, as needed; RFC 6749 §6, §4.4), and
//! forgetting a profile (RFC 7009 revocation, then the keyring entries and the index entry).

use serde::Serialize;

use crate::oauth::token::{self, TokenTypeHint};
use crate::oauth::{ClientAuth, OAuthError};
use crate::onboarding::register::Engine;
use crate::profiles::{ClientEntry, IndexError, Profile};
use crate::vault::{Secret, SecretKind, VaultError};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("no profile `{0}` (see `cds-wizard profiles`)")]
    NoProfile(String),
    #[error("profile `{profile}` has no client `{client_id}`")]
    NoClient { profile: String, client_id: String },
    #[error(
        "client {0} has no valid token and no way to get one here: run `cds-wizard authorize` first"
    )]
    NoWay(String),
    /// RFC 6749 §5.2 `invalid_grant` on refresh: the grant was revoked, expired, or its refresh
    /// token was already used; only a new authorization helps.
    #[error(
        "{cause}: the customer's grant for client {client_id} has ended (revoked, expired or its \
         refresh token already used); run `cds-wizard authorize {profile}` again"
    )]
    GrantEnded {
        profile: String,
        client_id: String,
        cause: OAuthError,
    },
    #[error("the secret of client {0} is not in the keyring")]
    MissingSecret(String),
    /// A revocation failed: a token still live at the server is not deleted here (it could
    /// never be revoked afterwards), so nothing is removed.
    #[error(
        "revocation failed for {count} token{s} of profile `{profile}` ({first}); nothing was \
         removed: run `cds-wizard forget {profile}` again, or add --force to remove the profile \
         anyway",
        s = if *.count == 1 { "" } else { "s" }
    )]
    NotRevoked {
        profile: String,
        count: usize,
        first: String,
    },
    #[error("the server metadata names no token endpoint")]
    NoTokenEndpoint,
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// A refresh (RFC 6749 §6) that failed otherwise than `invalid_grant`: the stored refresh
    /// token is kept, so running the command again retries.
    #[error("refresh failed: {0}")]
    Refresh(OAuthError),
    /// A `client_credentials` token request (RFC 6749 §4.4) that failed.
    #[error("client_credentials token request failed: {0}")]
    ClientCredentials(OAuthError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// How a token was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    Stored,
    Refreshed,
    ClientCredentials,
}

fn client_auth(
    engine: &Engine<'_>,
    p: &Profile,
    c: &ClientEntry,
) -> Result<ClientAuth, TokenError> {
    if c.is_public() {
        return Ok(ClientAuth::Public {
            client_id: c.client_id.clone(),
        });
    }
    let secret = engine
        .vault
        .get(&p.account(&c.client_id, SecretKind::ClientSecret))?
        .ok_or_else(|| TokenError::MissingSecret(c.client_id.clone()))?;
    Ok(ClientAuth::Basic {
        client_id: c.client_id.clone(),
        secret,
    })
}

/// The client `token` uses when none is named: a code-flow client that holds tokens, else the
/// admin client.
pub fn default_client(p: &Profile) -> Option<String> {
    p.clients
        .iter()
        .find(|c| {
            c.has_secret(SecretKind::RefreshToken)
                || (c.has_secret(SecretKind::AccessToken)
                    && c.response_types.iter().any(|r| r == "code"))
        })
        .map(|c| c.client_id.clone())
        .or_else(|| p.admin_client_id.clone())
}

/// How long a `token` run waits for another process refreshing the same profile (a refresh is
/// one request, bounded by the HTTP timeout).
const REFRESH_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// A currently valid access token for `client_id`, stored back when a new one was obtained.
///
/// Refreshes are serialized per profile across processes (an exclusive lock on
/// `<home>/locks/<profile>.lock`), and the index and keyring are read again once the lock is
/// held: two concurrent runs never present the same refresh token twice, which a server with
/// reuse detection answers by revoking the grant (RFC 9700 §4.14.2). The second run finds the
/// token the first one obtained.
pub async fn current(
    engine: &mut Engine<'_>,
    profile_name: &str,
    client_id: &str,
) -> Result<(Secret, TokenSource), TokenError> {
    if engine.index.profile(profile_name).is_none() {
        return Err(TokenError::NoProfile(profile_name.to_owned()));
    }
    let _lock = refresh_lock(engine, profile_name).await?;
    // Another process may have refreshed while this one waited: read what is stored now.
    engine.index.reload()?;
    let p = engine
        .index
        .profile(profile_name)
        .ok_or_else(|| TokenError::NoProfile(profile_name.to_owned()))?
        .clone();
    super::engine::trust_profile(engine.http, &p);
    let c = p
        .client(client_id)
        .cloned()
        .ok_or_else(|| TokenError::NoClient {
            profile: profile_name.to_owned(),
            client_id: client_id.to_owned(),
        })?;
    let now = jiff::Timestamp::now();
    let valid = c
        .access_token_expires_at
        .is_some_and(|t| t > now + jiff::SignedDuration::from_secs(30));
    if valid
        && let Some(t) = engine
            .vault
            .get(&p.account(client_id, SecretKind::AccessToken))?
    {
        return Ok((t, TokenSource::Stored));
    }
    let (resp, source) = obtain(engine, &p, &c).await?;
    store(engine, &p, client_id, &resp, now)?;
    Ok((Secret::new(resp.access_token.clone()), source))
}

/// Takes the profile's refresh lock, waiting (asynchronously) for another process's refresh.
async fn refresh_lock(
    engine: &Engine<'_>,
    profile_name: &str,
) -> Result<crate::profiles::lock::Lock, TokenError> {
    use crate::profiles::lock;
    let home = engine
        .index
        .path()
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let path = lock::profile_lock_path(&home, profile_name);
    let started = std::time::Instant::now();
    loop {
        if let Some(held) = lock::try_exclusive(&path)? {
            return Ok(held);
        }
        if started.elapsed() > REFRESH_LOCK_WAIT {
            return Err(IndexError::Busy {
                path,
                secs: REFRESH_LOCK_WAIT.as_secs(),
            }
            .into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A new token: by refresh when a refresh token is stored, else by `client_credentials` when the
/// client may use it.
async fn obtain(
    engine: &Engine<'_>,
    p: &Profile,
    c: &ClientEntry,
) -> Result<(crate::cds::tokens::TokenResponse, TokenSource), TokenError> {
    let endpoint = p
        .endpoints
        .token
        .clone()
        .ok_or(TokenError::NoTokenEndpoint)?;
    let auth = client_auth(engine, p, c)?;
    let refresh = if c.has_secret(SecretKind::RefreshToken) {
        engine
            .vault
            .get(&p.account(&c.client_id, SecretKind::RefreshToken))?
    } else {
        None
    };
    if let Some(rt) = refresh {
        let resp = token::refresh(engine.http, &endpoint, &auth, &rt, None)
            .await
            .map_err(|e| match e {
                OAuthError::Server { ref error, .. } if error == "invalid_grant" => {
                    TokenError::GrantEnded {
                        profile: p.name.clone(),
                        client_id: c.client_id.clone(),
                        cause: e,
                    }
                }
                e => TokenError::Refresh(e),
            })?;
        Ok((resp, TokenSource::Refreshed))
    } else if c.grant_types.iter().any(|g| g == "client_credentials") {
        let resp = token::client_credentials(engine.http, &endpoint, &auth, Some(&c.scope), None)
            .await
            .map_err(TokenError::ClientCredentials)?;
        Ok((resp, TokenSource::ClientCredentials))
    } else {
        Err(TokenError::NoWay(c.client_id.clone()))
    }
}

/// Stores a token response: the rotated refresh token first (RFC 6749 §6, RFC 9700 §4.14: the
/// old one is already spent, so losing the new one would end the grant), then the access token,
/// then the index.
fn store(
    engine: &mut Engine<'_>,
    p: &Profile,
    client_id: &str,
    resp: &crate::cds::tokens::TokenResponse,
    now: jiff::Timestamp,
) -> Result<(), TokenError> {
    if let Some(rt) = &resp.refresh_token {
        engine.vault.set(
            &p.account(client_id, SecretKind::RefreshToken),
            &Secret::new(rt.clone()),
        )?;
    }
    engine.vault.set(
        &p.account(client_id, SecretKind::AccessToken),
        &Secret::new(resp.access_token.clone()),
    )?;
    if let Some(entry) = engine
        .index
        .profile_mut(&p.name)
        .and_then(|p| p.client_mut(client_id))
    {
        entry.record_secret(SecretKind::AccessToken);
        if resp.refresh_token.is_some() {
            entry.record_secret(SecretKind::RefreshToken);
        }
        entry.access_token_expires_at = token::expires_at(resp, now);
    }
    engine.index.save()?;
    Ok(())
}

/// What `forget` did, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Forgotten {
    pub revoked: Vec<String>,
    /// Revocations that failed (the server may be gone); the entries are removed only with
    /// `force`.
    pub not_revoked: Vec<String>,
    pub keyring_entries_removed: Vec<String>,
}

/// Revokes what it can, then removes every keyring entry and the index entry of a profile.
/// When a revocation fails nothing is removed (`TokenError::NotRevoked`), unless `force`.
pub async fn forget(
    engine: &mut Engine<'_>,
    profile_name: &str,
    force: bool,
) -> Result<Forgotten, TokenError> {
    let p = engine
        .index
        .profile(profile_name)
        .ok_or_else(|| TokenError::NoProfile(profile_name.to_owned()))?
        .clone();
    super::engine::trust_profile(engine.http, &p);
    let mut out = Forgotten::default();
    if let Some(endpoint) = &p.endpoints.revocation {
        for c in &p.clients {
            for (kind, hint) in [
                (SecretKind::RefreshToken, TokenTypeHint::RefreshToken),
                (SecretKind::AccessToken, TokenTypeHint::AccessToken),
            ] {
                let account = p.account(&c.client_id, kind);
                let Ok(Some(tok)) = engine.vault.get(&account) else {
                    continue;
                };
                let result = match client_auth(engine, &p, c) {
                    Ok(auth) => token::revoke(engine.http, endpoint, &auth, &tok, Some(hint))
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                match result {
                    Ok(()) => out.revoked.push(account),
                    Err(e) => out.not_revoked.push(format!("{account}: {e}")),
                }
            }
        }
    }
    if let Some(first) = out.not_revoked.first().filter(|_| !force) {
        return Err(TokenError::NotRevoked {
            profile: profile_name.to_owned(),
            count: out.not_revoked.len(),
            first: first.clone(),
        });
    }
    for account in p.keyring_accounts() {
        engine.vault.delete(&account)?;
        out.keyring_entries_removed.push(account);
    }
    engine.index.remove(profile_name);
    engine.index.save()?;
    Ok(out)
}
