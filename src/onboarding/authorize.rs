//! `authorize`: a customer's consent through the authorization code flow with PKCE (RFC 7636,
//! S256 only), pushed by PAR when the server offers it (RFC 9126), with RAR details (RFC 9396),
//! a loopback redirect (RFC 8252 §7.3) or the server's own receipt redirect and a pasted
//! address, checked `state` and `iss` (RFC 9207), tokens straight to the keyring, and the
//! resulting Grant (CDS-WG1-02 §8) compared with what was asked.
//!
//! Three phases so a UI can present the URL its own way: [`prepare`] (the listener is bound
//! before anything is shown), then the caller waits on the listener or reads a pasted address,
//! then [`complete`].

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use url::Url;

use crate::cds::Grant;
use crate::cds::tokens::TokenResponse;
use crate::http::HttpClient;
use crate::oauth::authorization::parse_pasted_redirect;
use crate::oauth::{
    AuthorizationRequest, CallbackCheck, CallbackParams, ClientAuth, LoopbackListener, OAuthError,
    token,
};
use crate::onboarding::api::{self, ApiError};
use crate::onboarding::compare::{self, Difference};
use crate::onboarding::engine::Engine;
use crate::onboarding::register::{RegisterError, admin_token};
use crate::profiles::{ClientEntry, Index, IndexError, Profile};
use crate::vault::{Secret, SecretKind, SecretStore, VaultError};

#[derive(Debug, Clone, Default)]
pub struct AuthorizeOptions {
    /// A specific Client object; otherwise the code-flow client in sandbox (or production).
    pub client_id: Option<String>,
    pub production: bool,
    /// Overrides the client's default scope.
    pub scope: Option<String>,
    /// Overrides the authorization details chosen at registration.
    pub authorization_details: Option<Value>,
    /// Skip the loopback redirect: use the server's receipt redirect and paste the address.
    pub use_default_redirect: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthorizeError {
    #[error("no profile `{0}` (see `cds-wizard profiles`)")]
    NoProfile(String),
    #[error("profile `{profile}` has no client that customers can authorize{}", if *.production { " in production" } else { " in the sandbox" })]
    NoCodeClient { profile: String, production: bool },
    #[error("profile `{profile}` has no client `{client_id}`")]
    NoClient { profile: String, client_id: String },
    #[error("the server metadata names no {0}")]
    MissingEndpoint(&'static str),
    #[error(
        "the secret of client {0} is not in the keyring; run `cds-wizard register --resume` for its profile"
    )]
    MissingSecret(String),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    /// The authorization code exchange failed; a code is single-use, so only a new
    /// authorization helps.
    #[error("code exchange failed: {cause}; run `cds-wizard authorize` again")]
    CodeExchange { cause: OAuthError },
    /// The pushed authorization request (RFC 9126) failed: nothing was asked of the customer.
    #[error("pushed authorization request (PAR) failed: {cause}")]
    Par { cause: OAuthError },
    /// The tokens are stored; only reading the Grant they stand for failed.
    #[error(
        "the tokens are stored, but reading the Grant (Grants API) failed: {cause}; \
         `cds-wizard grants` shows it once the server answers"
    )]
    Grant { cause: ApiError },
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Where the customer's browser is sent back to.
#[derive(Debug)]
pub enum Redirect {
    /// Our own listener on 127.0.0.1 (bound, waiting for one request).
    Loopback(LoopbackListener),
    /// The server's receipt page: the user pastes the address it ends on.
    Pasted {
        redirect_uri: String,
        /// Why the loopback redirect is not used.
        why: String,
    },
}

/// What a UI needs to show and wait for; holds the PKCE verifier and the state.
#[derive(Debug)]
pub struct Prepared {
    pub url: Url,
    pub redirect: Redirect,
    pub pushed: bool,
    target: Target,
    request: AuthorizationRequest,
    /// Profile-based flows record tokens; `None` for `--issuer` runs.
    profile: Option<ProfileTarget>,
    /// The server's `cds_timezone`, for reading relative values at approval.
    timezone: Option<String>,
}

#[derive(Debug, Clone)]
struct ProfileTarget {
    name: String,
    grants_api: Option<Url>,
}

/// The server side of one flow.
#[derive(Debug, Clone)]
pub struct Target {
    pub issuer: Url,
    pub iss_required: bool,
    pub authorization_endpoint: Url,
    pub par_endpoint: Option<Url>,
    pub token_endpoint: Url,
    pub auth: ClientAuth,
}

/// The result of a completed authorization.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub client_id: String,
    pub requested_scope: Option<String>,
    pub requested_authorization_details: Vec<Value>,
    pub granted_scope: Option<String>,
    pub granted_authorization_details: Vec<Value>,
    pub access_token_expires_at: Option<jiff::Timestamp>,
    pub refresh_token: bool,
    /// The keyring accounts the tokens went to (names only; empty for `--issuer` runs).
    pub stored: Vec<String>,
    pub grant: Option<Grant>,
    pub differences: Vec<Difference>,
    /// The utility's `cds_timezone` (WG1-02 §3.2), for showing times; not part of `--json`.
    #[serde(skip)]
    pub timezone: Option<String>,
}

fn auth_for(
    vault: &dyn SecretStore,
    account: &str,
    client_id: &str,
    method: Option<&str>,
) -> Result<ClientAuth, AuthorizeError> {
    if crate::cds::auth_methods::is_public(method) {
        return Ok(ClientAuth::Public {
            client_id: client_id.to_owned(),
        });
    }
    let secret = vault
        .get(account)?
        .ok_or_else(|| AuthorizeError::MissingSecret(client_id.to_owned()))?;
    Ok(ClientAuth::Basic {
        client_id: client_id.to_owned(),
        secret,
    })
}

/// Prepares an authorization for a client of a registered profile.
pub async fn prepare(
    engine: &mut Engine<'_>,
    profile_name: &str,
    opts: &AuthorizeOptions,
) -> Result<Prepared, AuthorizeError> {
    let p = engine
        .index
        .profile(profile_name)
        .ok_or_else(|| AuthorizeError::NoProfile(profile_name.to_owned()))?
        .clone();
    super::engine::trust_profile(engine.http, &p);
    let client = pick_client(&p, opts)?;
    let target = target_for(engine.vault, &p, &client)?;
    let redirect = choose_redirect(engine, profile_name, &client, opts).await?;
    let redirect_uri = match &redirect {
        Redirect::Loopback(l) => l.redirect_uri(),
        Redirect::Pasted { redirect_uri, .. } => redirect_uri.clone(),
    };

    let mut request = AuthorizationRequest::new(client.client_id.clone(), Some(redirect_uri));
    request.scope = Some(opts.scope.clone().unwrap_or_else(|| client.scope.clone()));
    request.authorization_details = match &opts.authorization_details {
        Some(d) => Some(d.clone()),
        None => chosen_details(
            &p.registration.authorization_details,
            request.scope.as_deref(),
        ),
    };
    let (url, pushed) = url_for(engine.http, &target, &request).await?;
    Ok(Prepared {
        url,
        redirect,
        pushed,
        target,
        request,
        profile: Some(ProfileTarget {
            name: profile_name.to_owned(),
            grants_api: p.endpoints.grants.clone(),
        }),
        timezone: p.timezone.clone(),
    })
}

/// The client to authorize: the one named, else the first code-flow client in the sandbox (or
/// production).
fn pick_client(p: &Profile, opts: &AuthorizeOptions) -> Result<ClientEntry, AuthorizeError> {
    match &opts.client_id {
        Some(id) => p
            .client(id)
            .cloned()
            .ok_or_else(|| AuthorizeError::NoClient {
                profile: p.name.clone(),
                client_id: id.clone(),
            }),
        None => {
            let wanted = if opts.production {
                "production"
            } else {
                "sandbox"
            };
            p.clients
                .iter()
                .find(|c| c.response_types.iter().any(|r| r == "code") && c.status == wanted)
                .cloned()
                .ok_or_else(|| AuthorizeError::NoCodeClient {
                    profile: p.name.clone(),
                    production: opts.production,
                })
        }
    }
}

/// The server side of the flow from the profile's endpoints, with the client's credentials.
fn target_for(
    vault: &dyn SecretStore,
    p: &Profile,
    client: &ClientEntry,
) -> Result<Target, AuthorizeError> {
    let e = &p.endpoints;
    Ok(Target {
        issuer: Url::parse(&p.issuer).map_err(|_| AuthorizeError::MissingEndpoint("issuer"))?,
        iss_required: p.iss_required,
        authorization_endpoint: e
            .authorization
            .clone()
            .ok_or(AuthorizeError::MissingEndpoint("authorization endpoint"))?,
        par_endpoint: e.par.clone(),
        token_endpoint: e
            .token
            .clone()
            .ok_or(AuthorizeError::MissingEndpoint("token endpoint"))?,
        auth: auth_for(
            vault,
            &p.account(&client.client_id, SecretKind::ClientSecret),
            &client.client_id,
            client.token_endpoint_auth_method.as_deref(),
        )?,
    })
}

/// The redirect: our loopback listener, added to the client through the Clients API
/// (WG1-02 §5.5); the server's receipt redirect when that is refused or under review.
async fn choose_redirect(
    engine: &mut Engine<'_>,
    profile_name: &str,
    client: &ClientEntry,
    opts: &AuthorizeOptions,
) -> Result<Redirect, AuthorizeError> {
    let default_redirect = client.redirect_uris.first().cloned().unwrap_or_default();
    if opts.use_default_redirect {
        return Ok(Redirect::Pasted {
            redirect_uri: default_redirect,
            why: "--use-default-redirect".to_owned(),
        });
    }
    let listener = LoopbackListener::bind()?;
    let uri = listener.redirect_uri();
    Ok(
        match add_redirect(engine, profile_name, client.cds_client_uri.as_ref(), &uri).await {
            Ok(()) => Redirect::Loopback(listener),
            Err(why) => Redirect::Pasted {
                redirect_uri: default_redirect,
                why,
            },
        },
    )
}

/// Prepares an authorization against any RFC 8414 server (no CDS extensions, no profile).
pub async fn prepare_any(
    http: &HttpClient,
    target: Target,
    scope: Option<String>,
    authorization_details: Option<Value>,
) -> Result<Prepared, AuthorizeError> {
    let listener = LoopbackListener::bind()?;
    let mut request = AuthorizationRequest::new(
        target.auth.client_id().to_owned(),
        Some(listener.redirect_uri()),
    );
    request.scope = scope;
    request.authorization_details = authorization_details;
    let (url, pushed) = url_for(http, &target, &request).await?;
    Ok(Prepared {
        url,
        redirect: Redirect::Loopback(listener),
        pushed,
        target,
        request,
        profile: None,
        timezone: None,
    })
}

async fn url_for(
    http: &HttpClient,
    target: &Target,
    request: &AuthorizationRequest,
) -> Result<(Url, bool), AuthorizeError> {
    Ok(match &target.par_endpoint {
        Some(par) => (
            request
                .push(http, par, &target.authorization_endpoint, &target.auth)
                .await
                .map_err(|cause| AuthorizeError::Par { cause })?,
            true,
        ),
        None => (request.url(&target.authorization_endpoint)?, false),
    })
}

/// The authorization details chosen at registration for the scopes of this request.
fn chosen_details(
    chosen: &indexmap::IndexMap<String, Value>,
    scope: Option<&str>,
) -> Option<Value> {
    let scopes: Vec<&str> = scope
        .map(|s| s.split_ascii_whitespace().collect())
        .unwrap_or_default();
    let entries: Vec<Value> = scopes
        .iter()
        .filter_map(|s| chosen.get(*s))
        .flat_map(|v| match v {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        })
        .collect();
    (!entries.is_empty()).then_some(Value::Array(entries))
}

/// Adds `uri` to the client's `redirect_uris` with a full PUT of its current representation
/// (§5.5 replaces the object; fields left out would be reset). `Err` says why not.
async fn add_redirect(
    engine: &mut Engine<'_>,
    profile_name: &str,
    client_uri: Option<&Url>,
    uri: &str,
) -> Result<(), String> {
    let client_uri = client_uri.ok_or("the client has no cds_client_uri")?;
    let clients_api = engine
        .index
        .profile(profile_name)
        .and_then(|p| p.endpoints.clients.clone())
        .ok_or("the profile has no Clients API")?;
    api::same_origin(&clients_api, client_uri).map_err(|e| e.to_string())?;
    let token = admin_token(engine, profile_name)
        .await
        .map_err(|e| e.to_string())?;
    let mut current = api::get_json(engine.http, client_uri, &token)
        .await
        .map_err(|e| e.to_string())?;
    let Some(obj) = current.as_object_mut() else {
        return Err(format!("{client_uri} did not answer with a Client object"));
    };
    let mut uris: Vec<Value> = obj
        .get("redirect_uris")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // RFC 8252 §7.3: a loopback redirect matches on any port, so the one registered by an
    // earlier run serves this one too; no new URI per run.
    if uris
        .iter()
        .filter_map(Value::as_str)
        .any(|registered| crate::oauth::loopback::same_except_port(registered, uri))
    {
        return Ok(());
    }
    uris.push(Value::String(uri.to_owned()));
    obj.insert("redirect_uris".into(), Value::Array(uris));
    match api::put_client_value(engine.http, client_uri, &token, &current).await {
        Ok(api::PutOutcome::Applied(_)) => Ok(()),
        Ok(api::PutOutcome::Review(_)) => {
            Err("the server reviews redirect URI changes before applying them (202)".to_owned())
        }
        Err(e) => Err(format!("the server refused the loopback redirect: {e}")),
    }
}

/// Waits for the loopback callback (one request, bounded by `timeout`).
pub async fn wait(
    prepared: &mut Prepared,
    timeout: Duration,
) -> Result<CallbackParams, AuthorizeError> {
    let redirect = std::mem::replace(
        &mut prepared.redirect,
        Redirect::Pasted {
            redirect_uri: String::new(),
            why: "the listener was used".into(),
        },
    );
    match redirect {
        Redirect::Loopback(l) => Ok(l.wait(&prepared.request.state, timeout).await?),
        Redirect::Pasted { .. } => Err(OAuthError::BadCallback(
            "no loopback listener for this authorization: paste the address instead".into(),
        )
        .into()),
    }
}

/// Reads the address the user pasted.
pub fn pasted(text: &str) -> Result<CallbackParams, AuthorizeError> {
    Ok(parse_pasted_redirect(text)?)
}

/// Checks the callback (`state`, `iss`, errors), exchanges the code, stores the tokens, and
/// compares the Grant with the request.
pub async fn complete(
    http: &HttpClient,
    vault: &dyn SecretStore,
    mut index: Option<&mut Index>,
    prepared: Prepared,
    callback: &CallbackParams,
) -> Result<Outcome, AuthorizeError> {
    let t = &prepared.target;
    super::transcript::record_callback(http, prepared.request.redirect_uri.as_deref(), callback);
    let check = CallbackCheck::new(&prepared.request.state, Some(&t.issuer), t.iss_required);
    let code = check.check(callback)?;
    let resp = token::exchange_code(
        http,
        &t.token_endpoint,
        &t.auth,
        &code,
        prepared.request.redirect_uri.as_deref(),
        prepared.request.code_verifier(),
    )
    .await
    .map_err(|cause| AuthorizeError::CodeExchange { cause })?;
    let now = jiff::Timestamp::now();
    let expires = token::expires_at(&resp, now);
    let client_id = t.auth.client_id().to_owned();
    let mut stored = Vec::new();
    let mut grant = None;
    if let (Some(pt), Some(index)) = (&prepared.profile, index.as_deref_mut()) {
        stored = store_tokens(vault, index, &pt.name, &client_id, &resp, expires)?;
    }
    if let (Some(pt), Some(index)) = (&prepared.profile, index)
        && let Some(api_url) = &pt.grants_api
    {
        let mut engine = Engine { http, vault, index };
        let token = admin_token(&mut engine, &pt.name).await?;
        // The newest Grant of this client is the one just approved (§8.4 order).
        grant = api::grants_of(http, api_url, &token, &client_id)
            .await
            .map_err(|cause| AuthorizeError::Grant { cause })?
            .into_iter()
            .next();
    }
    Ok(outcome(&prepared, client_id, &resp, expires, stored, grant))
}

/// The tokens into the keyring and their record into the profile (saved); the keyring accounts
/// written.
fn store_tokens(
    vault: &dyn SecretStore,
    index: &mut Index,
    profile_name: &str,
    client_id: &str,
    resp: &TokenResponse,
    expires: Option<jiff::Timestamp>,
) -> Result<Vec<String>, AuthorizeError> {
    let mut stored = Vec::new();
    let p = index
        .profile_mut(profile_name)
        .ok_or_else(|| AuthorizeError::NoProfile(profile_name.to_owned()))?;
    let access_account = p.account(client_id, SecretKind::AccessToken);
    vault.set(&access_account, &Secret::new(resp.access_token.clone()))?;
    stored.push(access_account);
    if let Some(rt) = &resp.refresh_token {
        let account = p.account(client_id, SecretKind::RefreshToken);
        vault.set(&account, &Secret::new(rt.clone()))?;
        stored.push(account);
    }
    if let Some(c) = p.client_mut(client_id) {
        c.record_secret(SecretKind::AccessToken);
        if resp.refresh_token.is_some() {
            c.record_secret(SecretKind::RefreshToken);
        }
        c.access_token_expires_at = expires;
    }
    index.save()?;
    Ok(stored)
}

/// What was asked against what was granted: the Grant when there is one, else the token
/// response (or the request, when the response names no scope).
fn outcome(
    prepared: &Prepared,
    client_id: String,
    resp: &TokenResponse,
    expires: Option<jiff::Timestamp>,
    stored: Vec<String>,
    grant: Option<Grant>,
) -> Outcome {
    let requested_details: Vec<Value> = match &prepared.request.authorization_details {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let requested_scope = prepared.request.scope.clone();
    let (granted_scope, granted_details) = match &grant {
        Some(g) => (Some(g.scope.clone()), g.authorization_details.clone()),
        None => (
            resp.scope.clone().or_else(|| requested_scope.clone()),
            resp.authorization_details.clone().unwrap_or_default(),
        ),
    };
    let enabled = grant
        .as_ref()
        .map(|g| g.enabled_scope.clone())
        .or_else(|| granted_scope.clone())
        .unwrap_or_default();
    let approval = grant.as_ref().map(|g| compare::Approval {
        at: g.created,
        zone: prepared
            .timezone
            .as_deref()
            .and_then(|tz| jiff::tz::TimeZone::get(tz).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC),
    });
    let differences = compare::compare(
        requested_scope.as_deref().unwrap_or_default(),
        &requested_details,
        granted_scope.as_deref().unwrap_or_default(),
        &enabled,
        &granted_details,
        approval.as_ref(),
    );
    Outcome {
        client_id,
        requested_scope,
        requested_authorization_details: requested_details,
        granted_scope,
        granted_authorization_details: granted_details,
        access_token_expires_at: expires,
        refresh_token: resp.refresh_token.is_some(),
        stored,
        grant,
        differences,
        timezone: prepared.timezone.clone(),
    }
}
