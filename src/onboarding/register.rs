//! `register`: from a plan to a stored registration (CDS-WG1-02 §4–§7). Every client secret
//! goes to the keyring the moment it arrives; every step is recorded in the profile index once
//! what it produced is safe, so a failure after registration loses nothing and
//! `register --resume` continues from the last completed step.

use serde_json::Value;
use url::Url;

use crate::cds::{AuthorizationServerMetadata, ClientObject, Credential};
use crate::http::HttpError;
use crate::oauth::{ClientAuth, OAuthError, token};
use crate::onboarding::api::{self, ApiError};
use crate::onboarding::plan::RegistrationPlan;
use crate::profiles::{Endpoints, Index, IndexError, Profile, RegistrationStep};
use crate::text::sanitize_line;
use crate::vault::{Secret, SecretKind, VaultError};

// Kept reachable from here for the callers that still name it so.
pub use crate::onboarding::engine::Engine;

pub use crate::onboarding::outcome::{
    ClientSummary, RegisterEvent, RegisterOutcome, TodoItem, todo_items,
};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the answers do not fit this server ({} problem{}):\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.join("\n"))]
    Invalid(Vec<String>),
    #[error(
        "profile `{0}` already exists: choose another --profile, resume it with `cds-wizard register --resume {0}`, or remove it with `cds-wizard forget {0}`"
    )]
    ProfileExists(String),
    #[error("no profile `{0}` (see `cds-wizard profiles`)")]
    NoProfile(String),
    #[error("profile `{0}` is already fully registered")]
    AlreadyComplete(String),
    #[error("{0} has no registration endpoint")]
    NoRegistrationEndpoint(String),
    /// The server follows a draft that defines no registration the tool can complete.
    #[error(
        "{issuer} follows the CDSC May 2023 draft, which defines no complete registration: its \
         overview has no registration response format, no Credentials API and leaves scope \
         credentials \"TODO\"; nothing was sent. Register by hand{human}"
    )]
    DraftWithoutRegistration { issuer: String, human: String },
    #[error("{url} refused the registration: {error}{description}")]
    Refused {
        url: Url,
        error: String,
        description: String,
    },
    #[error(transparent)]
    Issuer(#[from] super::issuer_binding::IssuerError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The server registered the app but its one-time admin secret could not be written.
    #[error(
        "the utility registered admin client {client_id}, but its secret could not be stored \
         ({cause}). Profile `{profile}` records the client; once the keyring works, \
         `cds-wizard register --resume {profile}` finishes if the secret reached it ({account}); \
         otherwise ask the utility for a new credential for {client_id}"
    )]
    SecretNotStored {
        profile: String,
        client_id: String,
        account: String,
        cause: VaultError,
    },
    /// A step after registration failed; everything received so far is kept.
    #[error(
        "{step} failed: {cause}. What was received is saved in profile `{profile}`; continue with `cds-wizard register --resume {profile}`"
    )]
    Interrupted {
        step: RegistrationStep,
        profile: String,
        /// Part of the message, not a `source` (which would print it a second time).
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn interrupted(
    step: RegistrationStep,
    profile: &str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> RegisterError {
    RegisterError::Interrupted {
        step,
        profile: profile.to_owned(),
        cause: Box::new(e),
    }
}

/// The endpoints the later steps and commands need, from the authorization server metadata.
pub fn endpoints(meta: &AuthorizationServerMetadata) -> Endpoints {
    Endpoints {
        token: meta.token_endpoint.clone(),
        registration: meta.registration_endpoint.clone(),
        clients: meta.cds_clients_api.clone(),
        credentials: meta.cds_credentials_api.clone(),
        messages: meta.cds_messages_api.clone(),
        grants: meta.cds_grants_api.clone(),
        par: meta.pushed_authorization_request_endpoint.clone(),
        authorization: meta.authorization_endpoint.clone(),
        revocation: meta.revocation_endpoint.clone(),
    }
}

/// Whether the server's draft defines a registration this engine can follow to the end: the
/// 2026 and CDSC 2025 drafts do (WG1-02 §4–§7); the May 2023 overview does not.
pub fn check_draft(meta: &AuthorizationServerMetadata) -> Result<(), RegisterError> {
    if meta.draft != crate::cds::drafts::Draft::Cdsc2023 {
        return Ok(());
    }
    Err(RegisterError::DraftWithoutRegistration {
        issuer: sanitize_line(meta.issuer.as_str(), 200),
        human: meta
            .cds_human_registration
            .as_ref()
            .map(|u| format!(" at {}", sanitize_line(u.as_str(), 200)))
            .unwrap_or_default(),
    })
}

/// Sends the planned registration and runs every later step.
pub async fn register(
    engine: &mut Engine<'_>,
    meta: &AuthorizationServerMetadata,
    metadata_url: Option<&Url>,
    plan: &RegistrationPlan,
    profile_name: &str,
    progress: &(dyn Fn(RegisterEvent) + Send + Sync),
) -> Result<RegisterOutcome, RegisterError> {
    check_draft(meta)?;
    if engine.index.profile(profile_name).is_some() {
        return Err(RegisterError::ProfileExists(profile_name.to_owned()));
    }
    // Validate the name before anything is sent (an invalid one would strand the secret).
    let mut profile = new_profile(engine, meta, metadata_url, plan, profile_name)?;
    // The issuer the profile keeps (and checks `iss` against) is one the utility vouches for.
    super::issuer_binding::confirm(engine.http, meta, metadata_url).await?;

    progress(RegisterEvent::Started {
        step: RegistrationStep::Registered,
    });
    let (url, body) = send_registration(engine, plan).await?;
    // The secret first: it is shown once (§4.2), so it goes to the keyring before anything
    // else can fail — even before the rest of the response is decoded.
    let client_id = store_admin_secret(engine, &mut profile, url, &body)?;
    match serde_path_to_error::deserialize::<_, ClientObject>(&body) {
        Ok(admin) => {
            profile
                .upsert_client(&admin)
                .record_secret(SecretKind::ClientSecret);
        }
        Err(e) => {
            // Kept going: the Clients API step lists the admin client again.
            tracing::warn!("registration response does not decode fully: {e}");
        }
    }
    profile.complete(RegistrationStep::Registered);
    profile.complete(RegistrationStep::AdminSecretStored);
    engine.index.upsert(profile)?;
    engine.index.save()?;
    progress(RegisterEvent::Done {
        step: RegistrationStep::Registered,
        detail: format!(
            "admin client {client_id}, secret in the {} keyring",
            engine.vault.name()
        ),
    });
    continue_from(engine, profile_name, progress).await
}

/// The profile a registration will fill: the server's endpoints and settings, and the scope
/// and authorization details of the plan. Fails on an invalid name, before anything is sent.
fn new_profile(
    engine: &Engine<'_>,
    meta: &AuthorizationServerMetadata,
    metadata_url: Option<&Url>,
    plan: &RegistrationPlan,
    profile_name: &str,
) -> Result<Profile, RegisterError> {
    let mut profile = Profile::new(profile_name, meta.issuer.as_str(), engine.vault.name())?;
    profile.server_metadata_url = metadata_url.cloned();
    profile.timezone = meta.cds_timezone.clone();
    profile.iss_required = meta.authorization_response_iss_parameter_supported == Some(true);
    profile.endpoints = endpoints(meta);
    profile.registration.scope = plan
        .request
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    for (scope, details) in &plan.authorization_details {
        profile
            .registration
            .authorization_details
            .insert(scope.clone(), Value::Array(details.clone()));
    }
    Ok(profile)
}

/// POSTs the RFC 7591 request (§4.1); the endpoint and the JSON answer, or the server's refusal
/// in its own words.
async fn send_registration(
    engine: &Engine<'_>,
    plan: &RegistrationPlan,
) -> Result<(Url, Value), RegisterError> {
    let url = plan.endpoint.clone();
    let req = engine.http.raw().post(url.clone()).json(&plan.request);
    let answer = engine.http.for_step("registration").send(req, &url).await?;
    if !answer.is_success() {
        let v: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(|s| sanitize_line(s, 300))
        };
        return Err(RegisterError::Refused {
            url,
            error: text("error").unwrap_or_else(|| format!("HTTP {}", answer.status)),
            description: text("error_description")
                .map(|d| format!(": {d}"))
                .unwrap_or_default(),
        });
    }
    let body = answer.json(&url)?;
    Ok((url, body))
}

/// Puts the admin client's secret (shown once, §4.2) in the keyring and names the admin client
/// in the profile; the client id.
fn store_admin_secret(
    engine: &mut Engine<'_>,
    profile: &mut Profile,
    url: Url,
    body: &Value,
) -> Result<String, RegisterError> {
    let (Some(client_id), Some(secret)) = (
        body.get("client_id").and_then(Value::as_str),
        body.get("client_secret").and_then(Value::as_str),
    ) else {
        return Err(RegisterError::Refused {
            url,
            error: "the registration response has no client_id or client_secret".into(),
            description: String::new(),
        });
    };
    // RFC 6749 Appendix A: an id that is not printable ASCII, or that cannot name a keyring
    // entry, is refused by name (never printed, never stored).
    let refuse = |error: String| RegisterError::Refused {
        url: url.clone(),
        error,
        description: String::new(),
    };
    crate::cds::identifiers::check_account_component("client_id", client_id)
        .map_err(|e| refuse(format!("the registration response's `client_id` is {e}")))?;
    crate::cds::identifiers::check("client_secret", secret).map_err(|e| {
        refuse(format!(
            "the registration response's `client_secret` is {e}"
        ))
    })?;
    profile.admin_client_id = Some(client_id.to_owned());
    let account = profile.account(client_id, SecretKind::ClientSecret);
    if let Err(e) = engine.vault.set(&account, &Secret::new(secret)) {
        // The server has registered the app: keep what is known, so `--resume` can finish
        // once the keyring holds the secret (a write that timed out may still land).
        profile.complete(RegistrationStep::Registered);
        engine.index.upsert(profile.clone())?;
        engine.index.save()?;
        return Err(RegisterError::SecretNotStored {
            profile: profile.name.clone(),
            client_id: client_id.to_owned(),
            account,
            cause: e,
        });
    }
    Ok(client_id.to_owned())
}
/// Continues a registration from its last completed step.
pub async fn resume(
    engine: &mut Engine<'_>,
    profile_name: &str,
    progress: &(dyn Fn(RegisterEvent) + Send + Sync),
) -> Result<RegisterOutcome, RegisterError> {
    let profile = engine
        .index
        .profile(profile_name)
        .ok_or_else(|| RegisterError::NoProfile(profile_name.to_owned()))?;
    if !profile.is_complete(RegistrationStep::AdminSecretStored) {
        // A keyring write that timed out after the server answered may have landed after all.
        let landed = match &profile.admin_client_id {
            Some(id) => engine
                .vault
                .get(&profile.account(id, SecretKind::ClientSecret))?
                .is_some(),
            None => false,
        };
        if !landed {
            return Err(RegisterError::NoProfile(profile_name.to_owned()));
        }
        let p = profile_mut(engine.index, profile_name)?;
        p.complete(RegistrationStep::AdminSecretStored);
        engine.index.save()?;
    }
    continue_from(engine, profile_name, progress).await
}

fn profile_mut<'a>(index: &'a mut Index, name: &str) -> Result<&'a mut Profile, RegisterError> {
    index
        .profile_mut(name)
        .ok_or_else(|| RegisterError::NoProfile(name.to_owned()))
}

fn need<'a>(
    url: &'a Option<Url>,
    what: &str,
    step: RegistrationStep,
    profile: &str,
) -> Result<&'a Url, RegisterError> {
    url.as_ref().ok_or_else(|| {
        interrupted(
            step,
            profile,
            std::io::Error::other(format!("the server metadata names no {what}")),
        )
    })
}

/// A usable `cds_client_admin` access token: the stored one while it is valid, else a new
/// `client_credentials` token (stored at once).
pub async fn admin_token(
    engine: &mut Engine<'_>,
    profile_name: &str,
) -> Result<Secret, RegisterError> {
    let step = RegistrationStep::AdminToken;
    let p = profile_mut(engine.index, profile_name)?;
    let admin_id = p
        .admin_client_id
        .clone()
        .ok_or_else(|| RegisterError::NoProfile(profile_name.to_owned()))?;
    let now = jiff::Timestamp::now();
    let fresh = p
        .client(&admin_id)
        .and_then(|c| c.access_token_expires_at)
        .is_some_and(|t| t > now + jiff::SignedDuration::from_secs(30));
    if fresh
        && let Some(t) = engine
            .vault
            .get(&p.account(&admin_id, SecretKind::AccessToken))?
    {
        return Ok(t);
    }
    let token_endpoint = need(&p.endpoints.token, "token endpoint", step, profile_name)?.clone();
    let secret = engine
        .vault
        .get(&p.account(&admin_id, SecretKind::ClientSecret))?
        .ok_or_else(|| {
            interrupted(
                step,
                profile_name,
                std::io::Error::other(format!(
                    "the admin client secret is not in the {} keyring",
                    engine.vault.name()
                )),
            )
        })?;
    // The admin scope as the server names it (`client_admin` for CDSC 2025, §3.3.1).
    let scope = p
        .client(&admin_id)
        .filter(|c| !c.scope.is_empty())
        .map_or_else(
            || crate::cds::auth_server_metadata::CLIENT_ADMIN_SCOPE.to_owned(),
            |c| c.scope.clone(),
        );
    let auth = ClientAuth::Basic {
        client_id: admin_id.clone(),
        secret,
    };
    let resp = token::client_credentials(
        engine.http,
        &token_endpoint,
        &auth,
        Some(scope.as_str()),
        None,
    )
    .await
    .map_err(|e: OAuthError| interrupted(step, profile_name, e))?;
    let access = Secret::new(resp.access_token.clone());
    let p = profile_mut(engine.index, profile_name)?;
    engine
        .vault
        .set(&p.account(&admin_id, SecretKind::AccessToken), &access)?;
    let expires = token::expires_at(&resp, now);
    if let Some(c) = p.client_mut(&admin_id) {
        c.record_secret(SecretKind::AccessToken);
        c.access_token_expires_at = expires;
    }
    engine.index.save()?;
    Ok(access)
}

async fn continue_from(
    engine: &mut Engine<'_>,
    profile_name: &str,
    progress: &(dyn Fn(RegisterEvent) + Send + Sync),
) -> Result<RegisterOutcome, RegisterError> {
    let mut todo = Vec::new();
    // Messages are read on every run (what remains to do changes), the rest once.
    for step in [
        RegistrationStep::AdminToken,
        RegistrationStep::ClientsListed,
        RegistrationStep::CredentialsStored,
        RegistrationStep::MessagesRead,
    ] {
        let done = profile_mut(engine.index, profile_name)?.is_complete(step);
        if done && step != RegistrationStep::MessagesRead {
            continue;
        }
        progress(RegisterEvent::Started { step });
        let detail = match step {
            RegistrationStep::AdminToken => {
                admin_token(engine, profile_name).await?;
                "cds_client_admin token obtained".to_owned()
            }
            RegistrationStep::ClientsListed => list_clients(engine, profile_name).await?,
            RegistrationStep::CredentialsStored => store_credentials(engine, profile_name).await?,
            RegistrationStep::MessagesRead => {
                todo = read_messages(engine, profile_name).await?;
                match todo.len() {
                    1 => "1 thing remains to do".to_owned(),
                    n => format!("{n} things remain to do"),
                }
            }
            _ => String::new(),
        };
        let p = profile_mut(engine.index, profile_name)?;
        p.complete(step);
        engine.index.save()?;
        progress(RegisterEvent::Done { step, detail });
    }
    outcome(engine, profile_name, todo)
}

/// The Clients API step (§5): every Client object of the registration into the profile.
async fn list_clients(
    engine: &mut Engine<'_>,
    profile_name: &str,
) -> Result<String, RegisterError> {
    let step = RegistrationStep::ClientsListed;
    let token = admin_token(engine, profile_name).await?;
    let p = profile_mut(engine.index, profile_name)?;
    let url = need(&p.endpoints.clients, "Clients API", step, profile_name)?.clone();
    let clients = api::clients(engine.http, &url, &token)
        .await
        .map_err(|e: ApiError| interrupted(step, profile_name, e))?;
    let p = profile_mut(engine.index, profile_name)?;
    for c in &clients {
        p.upsert_client(c);
    }
    Ok(format!("{} client objects", clients.len()))
}

/// The Credentials API step (§7): the newest usable secret of each client into the keyring.
async fn store_credentials(
    engine: &mut Engine<'_>,
    profile_name: &str,
) -> Result<String, RegisterError> {
    let step = RegistrationStep::CredentialsStored;
    let token = admin_token(engine, profile_name).await?;
    let p = profile_mut(engine.index, profile_name)?;
    let url = need(
        &p.endpoints.credentials,
        "Credentials API",
        step,
        profile_name,
    )?
    .clone();
    let creds = api::credentials(engine.http, &url, &token)
        .await
        .map_err(|e: ApiError| interrupted(step, profile_name, e))?;
    let now = jiff::Timestamp::now().as_second();
    let mut stored = 0;
    for c in newest_usable_secrets(&creds, now) {
        let secret = Secret::new(c.client_secret.clone().unwrap_or_default());
        let p = profile_mut(engine.index, profile_name)?;
        // Only clients the Clients API listed for this app (§5): a credential naming any other
        // client would plant a keyring entry nothing refers to.
        let Some(entry) = p.client(&c.client_id) else {
            tracing::warn!("a credential names a client the Clients API did not list; not stored");
            continue;
        };
        // A public client (`none`) sends no secret, so one listed for it would be kept for
        // nothing and pretend it exists (§4.2 read as `auth_methods::uses_client_secret` does).
        if entry.is_public() {
            tracing::warn!("a credential names a public client (auth method none); not stored");
            continue;
        }
        let account = p.account(&c.client_id, SecretKind::ClientSecret);
        engine.vault.set(&account, &secret)?;
        if let Some(entry) = p.client_mut(&c.client_id) {
            entry.record_secret(SecretKind::ClientSecret);
        }
        stored += 1;
    }
    Ok(format!(
        "{stored} client secrets in the {} keyring",
        engine.vault.name()
    ))
}

/// The newest usable secret of each client (expiry 0 means "does not expire"), in the order
/// the clients first appear.
fn newest_usable_secrets(creds: &[Credential], now: i64) -> Vec<&Credential> {
    let mut best: Vec<&Credential> = Vec::new();
    for c in creds.iter().filter(|c| {
        c.client_secret.is_some() && c.client_secret_expires_at.is_none_or(|t| t == 0 || t > now)
    }) {
        match best.iter_mut().find(|b| b.client_id == c.client_id) {
            Some(b) if c.created > b.created => *b = c,
            Some(_) => {}
            None => best.push(c),
        }
    }
    best
}

/// The Messages API step (§6): what remains to do.
async fn read_messages(
    engine: &mut Engine<'_>,
    profile_name: &str,
) -> Result<Vec<TodoItem>, RegisterError> {
    let step = RegistrationStep::MessagesRead;
    let token = admin_token(engine, profile_name).await?;
    let p = profile_mut(engine.index, profile_name)?;
    let url = need(&p.endpoints.messages, "Messages API", step, profile_name)?.clone();
    let messages = api::outstanding_messages(engine.http, &url, &token)
        .await
        .map_err(|e: ApiError| interrupted(step, profile_name, e))?;
    Ok(todo_items(&messages))
}

/// The registration as the profile now holds it.
fn outcome(
    engine: &mut Engine<'_>,
    profile_name: &str,
    todo: Vec<TodoItem>,
) -> Result<RegisterOutcome, RegisterError> {
    let p = profile_mut(engine.index, profile_name)?;
    Ok(RegisterOutcome {
        profile: p.name.clone(),
        keyring: engine.vault.name().to_owned(),
        admin_client_id: p.admin_client_id.clone().unwrap_or_default(),
        clients: p
            .clients
            .iter()
            .map(|c| ClientSummary {
                client_id: c.client_id.clone(),
                scope: c.scope.clone(),
                status: c.status.clone(),
                token_endpoint_auth_method: c.token_endpoint_auth_method.clone(),
                keyring_accounts: c
                    .secrets
                    .iter()
                    .map(|k| p.account(&c.client_id, *k))
                    .collect(),
            })
            .collect(),
        todo,
    })
}
