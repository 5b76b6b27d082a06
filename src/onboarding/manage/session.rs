//! The console's working set for one profile (CDS-WG1-02 §5–§9): the engine (HTTP client,
//! keyring, index), the profile, its API URLs, and the tokens the APIs take — the
//! `cds_client_admin` token (§3.3.1), obtained and refreshed as needed, and Grant Admin tokens
//! (§3.3.2) for the Server-Provided Files API. Every authenticated request goes through here:
//! only to the profile's own API origins, one retry with a fresh token after a 401.

use std::collections::{HashMap, HashSet};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::cds::AuthorizationServerMetadata;
use crate::http::{self, Answer};
use crate::oauth::ClientAuth;
use crate::oauth::token;
use crate::onboarding::engine::Engine;
use crate::onboarding::tokens;
use crate::profiles::Profile;
use crate::vault::{Secret, SecretKind};

use super::error::ManageError;
use super::page::Page;

/// More pages than this in one listing are not followed (a server answering `next` forever).
pub const MAX_PAGES: usize = 1_000;

/// The management APIs, with the spec section each lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Clients,
    Messages,
    Credentials,
    Grants,
    Files,
}

impl Api {
    pub fn name(self) -> &'static str {
        match self {
            Api::Clients => "Clients API",
            Api::Messages => "Messages API",
            Api::Credentials => "Credentials API",
            Api::Grants => "Grants API",
            Api::Files => "Server-Provided Files API",
        }
    }
    pub fn section(self) -> &'static str {
        match self {
            Api::Clients => "§5",
            Api::Messages => "§6",
            Api::Credentials => "§7",
            Api::Grants => "§8",
            Api::Files => "§9",
        }
    }
}

/// Which token a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    /// The profile's `cds_client_admin` token (§3.3.1).
    Admin,
    /// A Grant Admin token for this Grant (§3.3.2), for the Server-Provided Files API (§9).
    GrantAdmin(String),
}

/// The owned parts a [`Session`] borrows, for a background task that must own its working set
/// (the wizard's executor): build one per task, then call [`Workspace::session`].
pub struct Workspace {
    pub http: crate::http::HttpClient,
    pub vault: Box<dyn crate::vault::SecretStore>,
    pub index: crate::profiles::Index,
    pub profile: String,
}

impl Workspace {
    pub fn session(&mut self) -> Result<Session<'_>, ManageError> {
        let engine = Engine {
            http: &self.http,
            vault: self.vault.as_ref(),
            index: &mut self.index,
        };
        Session::open(engine, &self.profile)
    }
}

/// One profile's console session. Borrowing the engine: open one per task.
pub struct Session<'a> {
    pub(crate) engine: Engine<'a>,
    profile: Profile,
    admin_token: Option<Secret>,
    grant_tokens: HashMap<String, Secret>,
    metadata: Option<AuthorizationServerMetadata>,
    origins: HashSet<String>,
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

impl<'a> Session<'a> {
    /// A session for `profile_name`, which must be registered (an admin client recorded).
    pub fn open(engine: Engine<'a>, profile_name: &str) -> Result<Self, ManageError> {
        let profile = engine
            .index
            .profile(profile_name)
            .cloned()
            .ok_or_else(|| ManageError::NoProfile(profile_name.to_owned()))?;
        if profile.admin_client_id.is_none() {
            return Err(ManageError::NoAdminClient(profile_name.to_owned()));
        }
        crate::onboarding::engine::trust_profile(engine.http, &profile);
        let e = &profile.endpoints;
        let origins = [&e.clients, &e.credentials, &e.messages, &e.grants]
            .into_iter()
            .flatten()
            .map(origin)
            .collect();
        Ok(Session {
            engine,
            profile,
            admin_token: None,
            grant_tokens: HashMap::new(),
            metadata: None,
            origins,
        })
    }

    /// The profile as the index holds it now.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn vault_name(&self) -> &str {
        self.engine.vault.name()
    }

    /// Reads the profile from the index again (after this session changed it).
    pub(crate) fn reload_profile(&mut self) -> Result<(), ManageError> {
        if let Some(p) = self.engine.index.profile(&self.profile.name) {
            self.profile = p.clone();
        }
        Ok(())
    }

    /// The URL of an API (§3.2 metadata, copied into the profile at registration; the
    /// Server-Provided Files API is read from the server's metadata).
    pub async fn endpoint(&mut self, api: Api) -> Result<Url, ManageError> {
        let e = &self.profile.endpoints;
        let found = match api {
            Api::Clients => e.clients.clone(),
            Api::Messages => e.messages.clone(),
            Api::Credentials => e.credentials.clone(),
            Api::Grants => e.grants.clone(),
            Api::Files => self.metadata().await?.cds_server_provided_files_api.clone(),
        };
        let url = found.ok_or(ManageError::NoEndpoint {
            api: api.name(),
            section: api.section(),
        })?;
        self.origins.insert(origin(&url));
        Ok(url)
    }

    /// The authorization server metadata (RFC 8414; the scope catalog of §3.4), fetched once.
    pub async fn metadata(&mut self) -> Result<&AuthorizationServerMetadata, ManageError> {
        if self.metadata.is_none() {
            let issuer = http::parse_url(&self.profile.issuer).map_err(ManageError::http("§3"))?;
            let m = crate::oauth::issuer::discover(self.engine.http, &issuer)
                .await
                .map_err(ManageError::Metadata)?;
            self.metadata = Some(m);
        }
        Ok(self.metadata.as_ref().expect("just set"))
    }

    /// A valid `cds_client_admin` access token (stored, or new by `client_credentials`).
    pub async fn admin_token(&mut self) -> Result<Secret, ManageError> {
        if let Some(t) = &self.admin_token {
            return Ok(t.clone());
        }
        let admin = self
            .profile
            .admin_client_id
            .clone()
            .ok_or_else(|| ManageError::NoAdminClient(self.profile.name.clone()))?;
        let (t, _) = tokens::current(&mut self.engine, &self.profile.name, &admin).await?;
        self.reload_profile()?;
        self.admin_token = Some(t.clone());
        Ok(t)
    }

    /// Forgets the admin token (the server refused it): the next request gets a new one.
    async fn drop_admin_token(&mut self) -> Result<(), ManageError> {
        self.admin_token = None;
        if let Some(admin) = &self.profile.admin_client_id {
            let account = self.profile.account(admin, SecretKind::AccessToken);
            self.engine.vault.delete(&account)?;
        }
        Ok(())
    }

    /// Uses `t` as the admin token from now on (a rotation obtained it with the new secret).
    pub(crate) fn set_admin_token(&mut self, t: Secret) {
        self.admin_token = Some(t);
    }

    /// A Grant Admin token for `grant_id` (§3.3.2): `client_credentials` by the profile's client
    /// that holds `admin_scope`, with one `authorization_details` entry naming the Grant.
    pub(crate) async fn grant_admin_token(
        &mut self,
        grant_id: &str,
        grant_client_id: &str,
        admin_scope: &str,
    ) -> Result<Secret, ManageError> {
        if let Some(t) = self.grant_tokens.get(grant_id) {
            return Ok(t.clone());
        }
        let p = &self.profile;
        let client = p
            .clients
            .iter()
            .find(|c| {
                c.scopes().any(|s| s == admin_scope)
                    && c.grant_types.iter().any(|g| g == "client_credentials")
            })
            .ok_or_else(|| {
                ManageError::Refused(format!(
                    "no client of profile `{}` holds the Grant Admin scope `{admin_scope}` \
                     (WG1-02 §3.3.2); register one with it to read Grant {grant_id}",
                    p.name
                ))
            })?;
        let endpoint = p.endpoints.token.clone().ok_or(ManageError::NoEndpoint {
            api: "token endpoint",
            section: "§3.2",
        })?;
        let secret = self
            .engine
            .vault
            .get(&p.account(&client.client_id, SecretKind::ClientSecret))?
            .ok_or_else(|| {
                ManageError::Token(tokens::TokenError::MissingSecret(client.client_id.clone()))
            })?;
        let auth = ClientAuth::Basic {
            client_id: client.client_id.clone(),
            secret,
        };
        let details = serde_json::json!([{
            "type": admin_scope, "client_id": grant_client_id, "grant_id": grant_id,
        }]);
        let resp = token::client_credentials(
            self.engine.http,
            &endpoint,
            &auth,
            Some(admin_scope),
            Some(&details),
        )
        .await
        .map_err(|cause| ManageError::GrantAdmin {
            grant_id: grant_id.to_owned(),
            cause,
        })?;
        let t = Secret::new(resp.access_token);
        self.grant_tokens.insert(grant_id.to_owned(), t.clone());
        Ok(t)
    }

    /// The Grant Admin token already obtained for `grant_id`.
    pub(crate) fn grant_admin_token_cached(&self, grant_id: &str) -> Option<Secret> {
        self.grant_tokens.get(grant_id).cloned()
    }

    async fn token_for(&mut self, auth: &Auth) -> Result<Secret, ManageError> {
        match auth {
            Auth::Admin => self.admin_token().await,
            Auth::GrantAdmin(g) => self.grant_tokens.get(g).cloned().ok_or_else(|| {
                ManageError::Refused(format!("no Grant Admin token for Grant {g} yet"))
            }),
        }
    }

    /// Checks a URL a server handed out before a token is sent to it: the HTTPS policy, and
    /// the origin of one of the profile's APIs (a hostile `next` must not collect the token).
    pub(crate) fn check_target(&self, url: &Url, section: &'static str) -> Result<(), ManageError> {
        http::check_url(url).map_err(ManageError::http(section))?;
        if !self.origins.contains(&origin(url)) {
            return Err(ManageError::Foreign {
                url: url.clone(),
                section,
            });
        }
        Ok(())
    }

    /// Sends one authenticated request (JSON body when given) and returns the answer, any
    /// status. A 401 is retried once with a fresh token.
    pub(crate) async fn send(
        &mut self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        auth: &Auth,
        section: &'static str,
    ) -> Result<Answer, ManageError> {
        self.check_target(url, section)?;
        let mut retried = false;
        loop {
            let t = self.token_for(auth).await?;
            let mut req = self
                .engine
                .http
                .raw()
                .request(method.clone(), url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .bearer_auth(t.expose());
            if let Some(b) = body {
                req = req.json(b);
            }
            let answer = self
                .engine
                .http
                .send(req, url)
                .await
                .map_err(ManageError::http(section))?;
            if answer.status == 401 && !retried {
                retried = true;
                match auth {
                    Auth::Admin => self.drop_admin_token().await?,
                    Auth::GrantAdmin(g) => {
                        self.grant_tokens.remove(g);
                        return Ok(answer);
                    }
                }
                continue;
            }
            return Ok(answer);
        }
    }

    /// An authenticated request whose success answer is JSON: (status, body).
    pub(crate) async fn call(
        &mut self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        auth: &Auth,
        section: &'static str,
    ) -> Result<(u16, Value), ManageError> {
        let answer = self.send(method, url, body, auth, section).await?;
        let v = answer.json(url).map_err(ManageError::http(section))?;
        Ok((answer.status, v))
    }

    /// One page of a listing at `url`: the items under `key`, the links under `next_key` and
    /// `previous_key` (checked like every URL a token goes to).
    pub(crate) async fn page<T: DeserializeOwned>(
        &mut self,
        url: &Url,
        keys: [&str; 3],
        auth: &Auth,
        section: &'static str,
    ) -> Result<Page<T>, ManageError> {
        let (_, v) = self.call(Method::GET, url, None, auth, section).await?;
        let [key, next_key, previous_key] = keys;
        let items = v.get(key).ok_or_else(|| ManageError::Shape {
            url: url.clone(),
            section,
            what: format!("no `{key}` list"),
        })?;
        let items: Vec<T> = decode(url, section, items)?;
        let link = |k: &str| -> Result<Option<Url>, ManageError> {
            match v.get(k) {
                Some(Value::String(s)) => {
                    let u = url.join(s).map_err(|_| ManageError::Shape {
                        url: url.clone(),
                        section,
                        what: format!("`{k}` is not a URL"),
                    })?;
                    self.check_target(&u, section)?;
                    Ok(Some(u))
                }
                _ => Ok(None),
            }
        };
        Ok(Page {
            items,
            next: link(next_key)?,
            previous: link(previous_key)?,
        })
    }

    /// Every item of a listing, following `next` from `first` (bounded; loops refused).
    pub(crate) async fn collect<T: DeserializeOwned>(
        &mut self,
        first: &Url,
        keys: [&str; 3],
        auth: &Auth,
        section: &'static str,
    ) -> Result<Vec<T>, ManageError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(first.clone());
        while let Some(url) = next.take() {
            if !seen.insert(url.clone()) || seen.len() > MAX_PAGES {
                return Err(ManageError::Loop {
                    url,
                    section,
                    max: MAX_PAGES,
                });
            }
            let page: Page<T> = self.page(&url, keys, auth, section).await?;
            out.extend(page.items);
            next = page.next;
        }
        Ok(out)
    }
}

/// Decodes a JSON value into a wire type, naming the path of the first mismatch.
pub(crate) fn decode<T: DeserializeOwned>(
    url: &Url,
    section: &'static str,
    v: &Value,
) -> Result<T, ManageError> {
    serde_path_to_error::deserialize(v).map_err(|e| ManageError::Shape {
        url: url.clone(),
        section,
        what: format!("{} at {}", e.inner(), e.path()),
    })
}

/// `url` with `pairs` added to its query (the §5.3/§7.3/§8.4/§9.2 filters; lists are
/// space-separated).
pub(crate) fn with_query(url: &Url, pairs: &[(&str, Option<String>)]) -> Url {
    let mut u = url.clone();
    let present: Vec<(&str, &String)> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (*k, v)))
        .collect();
    if !present.is_empty() {
        let mut q = u.query_pairs_mut();
        for (k, v) in present {
            q.append_pair(k, v);
        }
    }
    u
}

/// A space-separated filter value, or `None` for an empty list.
pub(crate) fn joined(list: &[String]) -> Option<String> {
    (!list.is_empty()).then(|| list.join(" "))
}
