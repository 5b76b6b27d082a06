//! Credential creation and rotation (CDS-WG1-02 §7.5, §7.6) as one careful sequence:
//!
//! 1. `create`   POST a new Credential (§7.5);
//! 2. `store`    its secret to a staging keyring entry at once (the server shows it here only);
//! 3. `prove`    a token request with it (RFC 6749 §4.4): the server accepts the secret;
//! 4. `promote`  the secret into the client's keyring entry, the index updated;
//! 5. `expire`   (rotation only) the old Credential expired (§7.6);
//! 6. `cleanup`  the staging entry removed.
//!
//! A failure stops the sequence with [`ManageError::Rotation`], naming the step and which
//! secret the client's keyring entry holds (always one the server accepts).

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Value, json};

use crate::cds::Credential;
use crate::cds::tokens::TokenResponse;
use crate::oauth::token;
use crate::oauth::{ClientAuth, OAuthError};
use crate::profiles::ClientEntry;
use crate::vault::{Secret, SecretKind};

use super::credentials::{CredentialFilter, is_expired, list_raw, patch_expiry};
use super::error::ManageError;
use super::session::{Api, Auth, Session, decode};

/// What a creation or rotation did.
#[derive(Debug, Clone, Serialize)]
pub struct Rotation {
    pub client_id: String,
    /// The new Credential (its secret is in the keyring, never here).
    pub credential: Credential,
    /// The keyring account that holds the new secret.
    pub account: String,
    /// How the secret was proven: `token` (a token was issued) or `authenticated` (the token
    /// endpoint accepted the secret but this client may not use client_credentials).
    pub proven_by: &'static str,
    /// Credentials expired by the rotation.
    pub expired: Vec<String>,
    /// Other Credentials of the client still active (not known to hold the old secret).
    pub still_active: Vec<String>,
    /// A problem after everything that matters succeeded (e.g. a staging entry not removed).
    pub warning: Option<String>,
}

fn stop(step: &'static str, why: impl std::fmt::Display, current: String) -> ManageError {
    ManageError::Rotation {
        step,
        why: why.to_string(),
        current,
    }
}

/// A new Credential for `client_id`, proven and installed as the client's secret; the old one
/// stays valid on the server.
pub async fn create(s: &mut Session<'_>, client_id: &str) -> Result<Rotation, ManageError> {
    install(s, client_id).await.map(|(r, _)| r)
}

/// Rotation: [`create`], then the Credential that held the old secret expired.
pub async fn rotate(s: &mut Session<'_>, client_id: &str) -> Result<Rotation, ManageError> {
    let (mut r, old) = install(s, client_id).await?;
    let filter = CredentialFilter {
        client_ids: vec![client_id.to_owned()],
        ..Default::default()
    };
    let now = Timestamp::now();
    let left_words = format!(
        "The keyring entry {} holds the NEW secret (credential {}, proven to work); the old \
         credential is still active on the server: expire it with `cds-wizard credentials {} \
         expire <ID> --force`.",
        r.account,
        r.credential.credential_id,
        s.profile().name
    );
    let left_over = |why: String| stop("expire", why, left_words.clone());
    let all = match list_raw(s, &filter).await {
        Ok(l) => l,
        Err(e) => return Err(left_over(e.to_string())),
    };
    let active: Vec<Credential> = all
        .into_iter()
        .filter(|c| {
            c.credential_id != r.credential.credential_id
                && c.client_id == client_id
                && !is_expired(c.client_secret_expires_at, now)
        })
        .collect();
    let echoed = active.iter().any(|c| c.client_secret.is_some());
    for c in active {
        // The server echoes secrets (§7.1): expire the one the keyring held. Otherwise every
        // other active one: the profile knew only the old secret.
        let was_ours = match (&old, &c.client_secret) {
            (Some(o), Some(v)) => o.expose() == v,
            _ => !echoed,
        };
        if !was_ours {
            r.still_active.push(c.credential_id.clone());
            continue;
        }
        match patch_expiry(s, &c.uri, now.as_second()).await {
            Ok(_) => r.expired.push(c.credential_id.clone()),
            Err(e) => {
                return Err(left_over(format!("credential {}: {e}", c.credential_id)));
            }
        }
    }
    Ok(r)
}

/// Steps 1–4 and 6. Returns the outcome and the secret the keyring held before.
async fn install(
    s: &mut Session<'_>,
    client_id: &str,
) -> Result<(Rotation, Option<Secret>), ManageError> {
    let p = s.profile().clone();
    let entry = p.client(client_id).cloned().ok_or_else(|| {
        ManageError::Refused(format!(
            "client {client_id} is not in profile `{}`: only its own clients' secrets are kept",
            p.name
        ))
    })?;
    if entry.is_public() {
        return Err(ManageError::Refused(format!(
            "client {client_id} is a public client (token_endpoint_auth_method `none`): it has \
             no client secret, so there is no Credential to create or rotate (WG1-02 §4.2, §7)"
        )));
    }
    let main = p.account(client_id, SecretKind::ClientSecret);
    let staging = format!("{main}.rotating");
    let old = s.engine.vault.get(&main)?;
    let unchanged =
        || format!("Nothing changed in the keyring: {main} still holds the old (current) secret.");

    let (v, secret, credential) = create_and_store(s, client_id, &staging, &unchanged()).await?;
    // 3. prove
    let (proof, proven_by) = match prove(s, &entry, &secret).await {
        Ok(r) => r,
        Err(e) => {
            let left = abandon(s, &v, Some(&staging)).await;
            return Err(stop("prove", e, format!("{} {left}", unchanged())));
        }
    };
    // 4. promote
    if let Err(e) = promote(s, client_id, &main, &secret, proof.as_ref()) {
        return Err(stop(
            "promote",
            e,
            format!(
                "{main} still holds the old secret, which still works; the new one (credential \
                 {}, proven) is kept in {staging}.",
                credential.credential_id
            ),
        ));
    }
    // 6. cleanup
    let warning = s
        .engine
        .vault
        .delete(&staging)
        .err()
        .map(|e| format!("the staging keyring entry {staging} was not removed: {e}"));
    let r = Rotation {
        client_id: client_id.to_owned(),
        credential,
        account: main,
        proven_by,
        expired: Vec::new(),
        still_active: Vec::new(),
        warning,
    };
    Ok((r, old))
}

/// Steps 1 and 2: the new Credential, its secret in the staging entry before anything else is
/// read from the answer. Returns the answer as sent, the secret and the decoded Credential.
async fn create_and_store(
    s: &mut Session<'_>,
    client_id: &str,
    staging: &str,
    unchanged: &str,
) -> Result<(Value, Secret, Credential), ManageError> {
    let api = s.endpoint(Api::Credentials).await?;
    let body = json!({ "client_id": client_id });
    let v = match s
        .call(Method::POST, &api, Some(&body), &Auth::Admin, "§7.5")
        .await
    {
        Ok((_, v)) => v,
        Err(e) => return Err(stop("create", e, unchanged.to_owned())),
    };
    let Some(secret) = v
        .get("client_secret")
        .and_then(Value::as_str)
        .map(Secret::new)
    else {
        let left = abandon(s, &v, None).await;
        let why = "the answer holds no client_secret (§7.1)";
        return Err(stop("create", why, format!("{unchanged} {left}")));
    };
    if let Err(e) = s.engine.vault.set(staging, &secret) {
        let left = abandon(s, &v, None).await;
        return Err(stop("store", e, format!("{unchanged} {left}")));
    }
    match decode::<Credential>(&api, "§7.5", &v) {
        Ok(c) => Ok((v, secret, c)),
        Err(e) => {
            let left = abandon(s, &v, Some(staging)).await;
            Err(stop("create", e, format!("{unchanged} {left}")))
        }
    }
}

/// Abandons a new Credential that will not be used: expired on the server (best effort) and
/// its staging entry removed. Returns what was left behind, in words.
async fn abandon(s: &mut Session<'_>, created: &Value, staging: Option<&str>) -> String {
    let mut words = Vec::new();
    let uri = created
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| url::Url::parse(u).ok());
    let id = created
        .get("credential_id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    match uri {
        Some(u) => match patch_expiry(s, &u, Timestamp::now().as_second()).await {
            Ok(_) => words.push(format!("The new credential {id} was expired again.")),
            Err(e) => words.push(format!(
                "The new credential {id} could not be expired ({e}); expire it by hand."
            )),
        },
        None => words.push("The new credential has no uri to expire it at.".to_owned()),
    }
    if let Some(st) = staging
        && let Err(e) = s.engine.vault.delete(st)
    {
        words.push(format!("The staging entry {st} is left ({e})."));
    }
    words.join(" ")
}

/// A token request with the new secret. A client that may not use `client_credentials` is
/// proven by the server's refusal being about the grant, not the client (RFC 6749 §5.2:
/// `invalid_client` is the authentication failure).
async fn prove(
    s: &Session<'_>,
    entry: &ClientEntry,
    secret: &Secret,
) -> Result<(Option<TokenResponse>, &'static str), OAuthError> {
    let endpoint =
        s.profile().endpoints.token.clone().ok_or_else(|| {
            OAuthError::Invalid("the profile records no token endpoint".to_owned())
        })?;
    let auth = ClientAuth::Basic {
        client_id: entry.client_id.clone(),
        secret: secret.clone(),
    };
    let cc = entry.grant_types.iter().any(|g| g == "client_credentials");
    let scope = cc.then_some(entry.scope.as_str());
    match token::client_credentials(s.engine.http, &endpoint, &auth, scope, None).await {
        Ok(t) => Ok((Some(t), "token")),
        Err(OAuthError::Server { ref error, .. })
            if !cc
                && matches!(
                    error.as_str(),
                    "unauthorized_client" | "unsupported_grant_type" | "invalid_scope"
                ) =>
        {
            Ok((None, "authenticated"))
        }
        Err(e) => Err(e),
    }
}

/// The proven secret into the client's entry; the index records it. For the admin client the
/// proof's token becomes the admin token (the old one dies with the old credential, §7.6).
fn promote(
    s: &mut Session<'_>,
    client_id: &str,
    main: &str,
    secret: &Secret,
    proof: Option<&TokenResponse>,
) -> Result<(), ManageError> {
    s.engine.vault.set(main, secret)?;
    let name = s.profile().name.clone();
    let is_admin = s.profile().admin_client_id.as_deref() == Some(client_id);
    let now = Timestamp::now();
    if let Some(t) = proof.filter(|_| is_admin) {
        let account = s.profile().account(client_id, SecretKind::AccessToken);
        s.engine
            .vault
            .set(&account, &Secret::new(t.access_token.clone()))?;
        s.set_admin_token(Secret::new(t.access_token.clone()));
    }
    if let Some(entry) = s
        .engine
        .index
        .profile_mut(&name)
        .and_then(|p| p.client_mut(client_id))
    {
        entry.record_secret(SecretKind::ClientSecret);
        if let Some(t) = proof.filter(|_| is_admin) {
            entry.record_secret(SecretKind::AccessToken);
            entry.access_token_expires_at = token::expires_at(t, now);
        }
    }
    s.engine.index.save()?;
    s.reload_profile()
}
