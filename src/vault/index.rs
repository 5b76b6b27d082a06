//! The non-secret index of profiles: one TOML file, `profiles.toml`, in the program's home
//! directory (`CDS_WIZARD_HOME`, else `$XDG_CONFIG_HOME/cds-wizard/` or the platform's config
//! directory). It records what the engine needs to find its way back to a utility and to its
//! secrets — endpoints, clients, which secrets are in which keyring under which account — and
//! never a secret itself: those live only in the OS keyring (issue 4 item 6).
//!
//! The file is written atomically (temp file in the same directory, fsync, rename, directory
//! fsync), mode 0600 in a 0700 directory. A file that does not parse is reported with its path
//! and line and is never overwritten: the user's registrations must not be lost to a bug or a
//! hand edit.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::{SecretKind, account};
use crate::cds::clients::ClientObject;

/// Environment variable naming the program's home directory (tests use a temporary one).
pub const HOME_ENV: &str = "CDS_WIZARD_HOME";
/// The index file inside the home directory.
pub const INDEX_FILE: &str = "profiles.toml";
/// The index format this program writes; a newer one is refused rather than rewritten.
pub const FORMAT_VERSION: u32 = 1;
/// Profile names end up in keyring account names (`<profile>/<client_id>/<kind>`).
pub const MAX_PROFILE_NAME: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot find a configuration directory: set {HOME_ENV} to a directory")]
    NoHome,
    #[error("{HOME_ENV} must be an absolute directory path, not `{0}`")]
    RelativeHome(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file exists but is not a valid index; it is left as it is.
    #[error(
        "{path}: line {line}, column {column}: {message} (fix or move the file; it was not changed)"
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message} (fix or move the file; it was not changed)")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{path} was written by a newer cds-wizard (index version {found}, this one reads {FORMAT_VERSION}); it was not changed"
    )]
    NewerVersion { path: PathBuf, found: u32 },
    #[error(
        "invalid profile name `{0}`: use 1 to {MAX_PROFILE_NAME} letters, digits, `-`, `_` or `.`, not starting with `.`"
    )]
    BadProfileName(String),
    #[error("cannot write the index: {0}")]
    Serialize(String),
}

/// The program's home directory: `CDS_WIZARD_HOME`, else `<config dir>/cds-wizard` where the
/// config dir is `$XDG_CONFIG_HOME` or `~/.config` on Linux and the platform's own elsewhere
/// (`dirs::config_dir`, which implements exactly that XDG rule on Linux).
pub fn home() -> Result<PathBuf, IndexError> {
    home_from(std::env::var_os(HOME_ENV))
}

/// [`home`] with the value of `CDS_WIZARD_HOME` given (tests need not touch the environment).
fn home_from(var: Option<std::ffi::OsString>) -> Result<PathBuf, IndexError> {
    if let Some(h) = var.filter(|h| !h.is_empty()) {
        let p = PathBuf::from(&h);
        // A relative home would move with the working directory and scatter indexes.
        if !p.is_absolute() {
            return Err(IndexError::RelativeHome(p.display().to_string()));
        }
        return Ok(p);
    }
    dirs::config_dir()
        .map(|d| d.join("cds-wizard"))
        .ok_or(IndexError::NoHome)
}

/// Checks a profile name: 1..=64 of `[A-Za-z0-9._-]`, not starting with `.` (so it is never a
/// hidden or relative path component), and never containing `/` (the account separator).
pub fn validate_profile_name(name: &str) -> Result<(), IndexError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_PROFILE_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(IndexError::BadProfileName(crate::text::sanitize_line(
            name, 80,
        )))
    }
}

/// The steps of `cds-wizard register`, in order; `register --resume` continues after the last
/// one recorded. Each is recorded only once what it produced is safe (secrets in the keyring,
/// the rest in this index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStep {
    /// The registration request was answered with the admin Client Object (WG1-02 §4.2).
    Registered,
    /// The admin client's `client_secret` is in the keyring.
    AdminSecretStored,
    /// A `client_credentials` token for `cds_client_admin` was obtained (and stored).
    AdminToken,
    /// Every page of the Clients API (§5.3) is recorded here.
    ClientsListed,
    /// Every client secret from the Credentials API (§7) is in the keyring.
    CredentialsStored,
    /// The Messages API (§6) was read and what remains to do was reported.
    MessagesRead,
}

impl RegistrationStep {
    pub const ALL: [RegistrationStep; 6] = [
        RegistrationStep::Registered,
        RegistrationStep::AdminSecretStored,
        RegistrationStep::AdminToken,
        RegistrationStep::ClientsListed,
        RegistrationStep::CredentialsStored,
        RegistrationStep::MessagesRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStep::Registered => "registered",
            RegistrationStep::AdminSecretStored => "admin_secret_stored",
            RegistrationStep::AdminToken => "admin_token",
            RegistrationStep::ClientsListed => "clients_listed",
            RegistrationStep::CredentialsStored => "credentials_stored",
            RegistrationStep::MessagesRead => "messages_read",
        }
    }
}

impl fmt::Display for RegistrationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every kind of secret a client can have in the keyring.
pub const SECRET_KINDS: [SecretKind; 3] = [
    SecretKind::ClientSecret,
    SecretKind::AccessToken,
    SecretKind::RefreshToken,
];

pub fn secret_kind_from_str(s: &str) -> Option<SecretKind> {
    SECRET_KINDS.into_iter().find(|k| k.as_str() == s)
}

/// The endpoints the engine calls, copied from discovery so later commands need not rediscover.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Url>,
    /// RFC 9126 pushed authorization requests, when the server advertises them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub par: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Url>,
}

/// What the user chose at registration, kept so `authorize` can reuse it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistrationChoice {
    /// The registration request's `scope` (always holds `cds_client_admin`, WG1-02 §4.1).
    #[serde(default)]
    pub scope: String,
    /// The selected RFC 9396 authorization details per scope id. Stored as JSON text: TOML has
    /// no null and the values are JSON by nature (exact decimals are kept as written).
    #[serde(
        default,
        with = "json_text_map",
        skip_serializing_if = "IndexMap::is_empty"
    )]
    pub authorization_details: IndexMap<String, Value>,
}

/// One Client Object (WG1-02 §5.1), reduced to what the commands need, plus which of its
/// secrets are in the keyring (names only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEntry {
    pub client_id: String,
    #[serde(default)]
    pub scope: String,
    /// `cds_status` (§5.2): production, sandbox, disabled, or what the server said.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    pub response_types: Vec<String>,
    #[serde(default)]
    pub grant_types: Vec<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cds_client_uri: Option<Url>,
    /// Which secrets of this client are in the keyring, by name (`client_secret`,
    /// `access_token`, `refresh_token`), never their values. Kept in that order, no repeats.
    #[serde(default, with = "kind_names")]
    pub secrets: Vec<SecretKind>,
    /// When the stored access token expires (from `expires_in`), so `token` knows to refresh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_expires_at: Option<Timestamp>,
}

impl ClientEntry {
    /// The non-secret part of a Client Object. Its `client_secret` (registration response,
    /// §4.2) is deliberately not read: the caller puts it in the keyring and calls
    /// [`ClientEntry::record_secret`].
    pub fn from_client_object(c: &ClientObject) -> Self {
        ClientEntry {
            client_id: c.client_id.clone(),
            scope: c.scope.clone(),
            status: c.cds_status.to_string(),
            token_endpoint_auth_method: c.token_endpoint_auth_method.clone(),
            response_types: c.response_types.clone(),
            grant_types: c.grant_types.clone(),
            redirect_uris: c.redirect_uris.clone(),
            cds_client_uri: Some(c.cds_client_uri.clone()),
            secrets: Vec::new(),
            access_token_expires_at: None,
        }
    }

    /// Refreshes the metadata from a newer Client Object, keeping what is recorded about
    /// secrets (the keyring still holds them).
    pub fn update_from(&mut self, c: &ClientObject) {
        let secrets = std::mem::take(&mut self.secrets);
        let expiry = self.access_token_expires_at.take();
        *self = ClientEntry {
            secrets,
            access_token_expires_at: expiry,
            ..ClientEntry::from_client_object(c)
        };
    }

    /// Notes that a secret of this kind was stored in the keyring.
    pub fn record_secret(&mut self, kind: SecretKind) {
        if !self.secrets.contains(&kind) {
            self.secrets.push(kind);
            self.secrets
                .sort_by_key(|k| SECRET_KINDS.iter().position(|x| x == k));
        }
    }

    /// Notes that a secret of this kind was deleted from the keyring.
    pub fn forget_secret(&mut self, kind: SecretKind) {
        self.secrets.retain(|k| *k != kind);
        if kind == SecretKind::AccessToken {
            self.access_token_expires_at = None;
        }
    }

    pub fn has_secret(&self, kind: SecretKind) -> bool {
        self.secrets.contains(&kind)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_ascii_whitespace()
    }
}

/// One registration with one utility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub created: Timestamp,
    /// The CDS server metadata document (WG1-01) the profile was registered through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_metadata_url: Option<Url>,
    /// The OAuth issuer (RFC 8414 `issuer`), checked against `iss` in authorization responses.
    #[serde(default)]
    pub issuer: String,
    /// The server's `cds_timezone` (IANA name), for relative dates in authorization details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The server promises `iss` in authorization responses (RFC 9207 §3), so a response
    /// without it is refused (§2.4).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub iss_required: bool,
    /// The keyring store holding this profile's secrets: `secret-service`, `keyutils`, ...
    pub keyring_store: String,
    /// Registration steps completed, for `register --resume`.
    #[serde(default)]
    pub completed_steps: BTreeSet<RegistrationStep>,
    /// The admin client (`cds_client_admin`) created by the registration request itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_client_id: Option<String>,
    #[serde(default)]
    pub endpoints: Endpoints,
    #[serde(default)]
    pub registration: RegistrationChoice,
    #[serde(default, rename = "client")]
    pub clients: Vec<ClientEntry>,
}

impl Profile {
    /// A new profile with no clients and no completed step. The name is checked.
    pub fn new(
        name: &str,
        issuer: impl Into<String>,
        keyring_store: impl Into<String>,
    ) -> Result<Self, IndexError> {
        validate_profile_name(name)?;
        Ok(Profile {
            name: name.to_owned(),
            // Whole seconds: the index is read by people too.
            created: Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or_else(|_| Timestamp::now()),
            server_metadata_url: None,
            issuer: issuer.into(),
            timezone: None,
            iss_required: false,
            keyring_store: keyring_store.into(),
            completed_steps: BTreeSet::new(),
            admin_client_id: None,
            endpoints: Endpoints::default(),
            registration: RegistrationChoice::default(),
            clients: Vec::new(),
        })
    }

    pub fn client(&self, client_id: &str) -> Option<&ClientEntry> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    pub fn client_mut(&mut self, client_id: &str) -> Option<&mut ClientEntry> {
        self.clients.iter_mut().find(|c| c.client_id == client_id)
    }

    /// Adds a client from its Client Object, or refreshes the one already recorded (keeping its
    /// secret bookkeeping). Returns the entry so the caller can record secrets.
    pub fn upsert_client(&mut self, c: &ClientObject) -> &mut ClientEntry {
        match self.clients.iter().position(|e| e.client_id == c.client_id) {
            Some(i) => {
                self.clients[i].update_from(c);
                &mut self.clients[i]
            }
            None => {
                self.clients.push(ClientEntry::from_client_object(c));
                let last = self.clients.len() - 1;
                &mut self.clients[last]
            }
        }
    }

    pub fn complete(&mut self, step: RegistrationStep) {
        self.completed_steps.insert(step);
    }

    pub fn is_complete(&self, step: RegistrationStep) -> bool {
        self.completed_steps.contains(&step)
    }

    /// The first registration step not yet done (`None` when registration is complete).
    pub fn next_step(&self) -> Option<RegistrationStep> {
        RegistrationStep::ALL
            .into_iter()
            .find(|s| !self.completed_steps.contains(s))
    }

    /// The keyring account of one secret of one client of this profile.
    pub fn account(&self, client_id: &str, kind: SecretKind) -> String {
        account(&self.name, client_id, kind)
    }

    /// The accounts the index says are in the keyring: (client id, kind, account name).
    pub fn stored_accounts(&self) -> Vec<(String, SecretKind, String)> {
        self.clients
            .iter()
            .flat_map(|c| {
                c.secrets
                    .iter()
                    .map(|k| (c.client_id.clone(), *k, self.account(&c.client_id, *k)))
            })
            .collect()
    }

    /// Every keyring account this profile may have used: each kind for each known client
    /// (and the admin client), whether or not the index recorded it. `forget` deletes all of
    /// them, which also cleans up a secret stored just before a crash that kept it from being
    /// recorded (deleting a missing entry is not an error).
    pub fn keyring_accounts(&self) -> Vec<String> {
        let mut ids: Vec<&str> = self.clients.iter().map(|c| c.client_id.as_str()).collect();
        if let Some(admin) = self.admin_client_id.as_deref()
            && !ids.contains(&admin)
        {
            ids.insert(0, admin);
        }
        ids.iter()
            .flat_map(|id| SECRET_KINDS.map(|k| self.account(id, k)))
            .collect()
    }
}

/// The on-disk document.
#[derive(Serialize, Deserialize)]
struct IndexDoc {
    version: u32,
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

/// The profile index, loaded from and saved to `<home>/profiles.toml`.
#[derive(Debug, Clone)]
pub struct Index {
    path: PathBuf,
    profiles: Vec<Profile>,
}

impl Index {
    /// Reads `<home>/profiles.toml`; a missing file (or home) is an empty index.
    pub fn load(home: &Path) -> Result<Index, IndexError> {
        let path = home.join(INDEX_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Index {
                    path,
                    profiles: Vec::new(),
                });
            }
            Err(source) => return Err(IndexError::Io { path, source }),
        };
        let doc: IndexDoc = toml::from_str(&text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((1, 1));
            IndexError::Corrupt {
                path: path.clone(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        if doc.version > FORMAT_VERSION {
            return Err(IndexError::NewerVersion {
                path,
                found: doc.version,
            });
        }
        let mut seen = BTreeSet::new();
        for p in &doc.profiles {
            let invalid = |message: String| IndexError::Invalid {
                path: path.clone(),
                message,
            };
            validate_profile_name(&p.name).map_err(|e| invalid(e.to_string()))?;
            if !seen.insert(p.name.as_str()) {
                return Err(invalid(format!("profile `{}` appears twice", p.name)));
            }
        }
        Ok(Index {
            path,
            profiles: doc.profiles,
        })
    }

    /// [`Index::load`] from [`home`].
    pub fn load_default() -> Result<Index, IndexError> {
        Index::load(&home()?)
    }

    /// The index file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn profile_mut(&mut self, name: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.name == name)
    }

    /// Adds a profile, or replaces the one with the same name. Profiles stay sorted by name.
    pub fn upsert(&mut self, profile: Profile) -> Result<(), IndexError> {
        validate_profile_name(&profile.name)?;
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(p) => *p = profile,
            None => {
                self.profiles.push(profile);
                self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
        Ok(())
    }

    /// Removes a profile from the index (its keyring entries are the caller's: see
    /// [`Profile::keyring_accounts`]). Returns it, or `None` when there was none.
    pub fn remove(&mut self, name: &str) -> Option<Profile> {
        let i = self.profiles.iter().position(|p| p.name == name)?;
        Some(self.profiles.remove(i))
    }

    /// The file's text (a header comment, then TOML).
    pub fn to_toml(&self) -> Result<String, IndexError> {
        let doc = IndexDoc {
            version: FORMAT_VERSION,
            profiles: self.profiles.clone(),
        };
        let body = toml::to_string(&doc).map_err(|e| IndexError::Serialize(e.to_string()))?;
        Ok(format!(
            "# cds-wizard profiles: what was registered where. No secrets here: they are in the\n\
             # OS keyring under service \"{}\", accounts <profile>/<client_id>/<kind>.\n\n{body}",
            super::SERVICE
        ))
    }

    /// Writes the index atomically: a temp file in the same directory (mode 0600), fsync,
    /// rename over the old file, fsync the directory. A crash leaves the old or the new file,
    /// never half of one. The directory is created mode 0700 when missing.
    pub fn save(&self) -> Result<(), IndexError> {
        let text = self.to_toml()?;
        let dir = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Io { path, source }
        };
        create_private_dir(&dir).map_err(io(&dir))?;
        let tmp = dir.join(format!(
            ".{INDEX_FILE}.tmp-{}-{}",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        let written = write_private_file(&tmp, text.as_bytes())
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(&self.path)(e));
        }
        sync_dir(&dir).map_err(io(&dir))
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a directory as a file; its rename is already durable enough here.
    Ok(())
}

/// Secret kinds by name (`vault::SecretKind` itself has no serde: the vault stays minimal).
mod kind_names {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{SECRET_KINDS, SecretKind, secret_kind_from_str};

    /// In canonical order without repeats, however the field was filled.
    pub fn serialize<S: Serializer>(v: &[SecretKind], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            SECRET_KINDS
                .iter()
                .filter(|k| v.contains(k))
                .map(|k| k.as_str()),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<SecretKind>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut out: Vec<SecretKind> = Vec::new();
        for n in names {
            let k = secret_kind_from_str(&n).ok_or_else(|| {
                serde::de::Error::unknown_variant(
                    &n,
                    &["client_secret", "access_token", "refresh_token"],
                )
            })?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out.sort_by_key(|k| SECRET_KINDS.iter().position(|x| x == k));
        Ok(out)
    }
}

/// Serializes a map of JSON values as a map of JSON texts (TOML has no null).
mod json_text_map {
    use indexmap::IndexMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(m: &IndexMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        let mut texts = IndexMap::new();
        for (k, v) in m {
            let t = serde_json::to_string(v).map_err(serde::ser::Error::custom)?;
            texts.insert(k.as_str(), t);
        }
        texts.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<IndexMap<String, Value>, D::Error> {
        let texts = IndexMap::<String, String>::deserialize(d)?;
        texts
            .into_iter()
            .map(|(k, t)| {
                serde_json::from_str(&t)
                    .map(|v| (k.clone(), v))
                    .map_err(|e| {
                        serde::de::Error::custom(format!("authorization_details.{k}: {e}"))
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::memory::MemoryStore;
    use crate::vault::{Secret, SecretStore};
    use serde_json::json;

    const ADMIN_SECRET: &str = "adm1n-S3cret-value-0123456789abcdef";
    const CLIENT_SECRET: &str = "cl1ent-S3cret-value-fedcba9876543210";
    const ACCESS_TOKEN: &str = "acc3ss-T0ken-value-aaaabbbbccccdddd";
    const REFRESH_TOKEN: &str = "r3fresh-T0ken-value-eeeeffff00001111";

    fn client_object(id: &str, scope: &str, secret: Option<&str>) -> ClientObject {
        let mut v = json!({
            "client_id": id,
            "client_id_issued_at": 1_700_000_000,
            "scope": scope,
            "redirect_uris": ["http://127.0.0.1:8080/callback"],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "authorization_details_types": [],
            "cds_created": "2024-01-01T00:00:00Z",
            "cds_modified": "2024-01-01T00:00:00Z",
            "cds_client_uri": format!("https://u.example/clients/{id}"),
            "cds_status": "sandbox",
            "cds_status_options": ["sandbox", "disabled"],
            "cds_server_metadata": "https://u.example/.well-known/cds-server-metadata.json",
            "some_extension": "kept out of the index",
        });
        if let Some(s) = secret {
            v["client_secret"] = json!(s);
        }
        serde_json::from_value(v).expect("client object")
    }

    /// A profile built the way the engine does it: secrets to the store, names to the index.
    fn sample(store: &dyn SecretStore) -> Profile {
        let mut p = Profile::new("demo-1", "https://u.example", store.name()).unwrap();
        p.server_metadata_url =
            Some(Url::parse("https://u.example/.well-known/cds-server-metadata.json").unwrap());
        p.timezone = Some("America/Los_Angeles".into());
        p.endpoints.token = Some(Url::parse("https://u.example/oauth/token").unwrap());
        p.endpoints.par = Some(Url::parse("https://u.example/oauth/par").unwrap());
        p.registration.scope = "cds_client_admin usage_data".into();
        p.registration.authorization_details.insert(
            "usage_data".into(),
            serde_json::from_str(
                r#"{"type": "usage_data", "start": "-P2Y", "amount": 12.50, "note": null}"#,
            )
            .unwrap(),
        );

        let admin = client_object("admin-1", "cds_client_admin", Some(ADMIN_SECRET));
        p.admin_client_id = Some(admin.client_id.clone());
        p.complete(RegistrationStep::Registered);
        let secret = admin.client_secret.clone().unwrap();
        store
            .set(
                &p.account(&admin.client_id, SecretKind::ClientSecret),
                &Secret::new(secret),
            )
            .unwrap();
        p.upsert_client(&admin)
            .record_secret(SecretKind::ClientSecret);
        p.complete(RegistrationStep::AdminSecretStored);

        let app = client_object("app-1", "usage_data", Some(CLIENT_SECRET));
        for (kind, value) in [
            (SecretKind::ClientSecret, CLIENT_SECRET),
            (SecretKind::AccessToken, ACCESS_TOKEN),
            (SecretKind::RefreshToken, REFRESH_TOKEN),
        ] {
            store
                .set(&p.account("app-1", kind), &Secret::new(value))
                .unwrap();
            p.upsert_client(&app).record_secret(kind);
        }
        p.client_mut("app-1").unwrap().access_token_expires_at =
            Some("2030-01-01T00:00:00Z".parse().unwrap());
        p
    }

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn round_trip_through_the_file() {
        let dir = tmp();
        let store = MemoryStore::default();
        let mut idx = Index::load(dir.path()).unwrap();
        assert!(
            idx.profiles().is_empty(),
            "a missing file is an empty index"
        );
        idx.upsert(sample(&store)).unwrap();
        let mut other = Profile::new("a.first", "https://other.example", "keyutils").unwrap();
        other.complete(RegistrationStep::Registered);
        idx.upsert(other).unwrap();
        idx.save().unwrap();

        let back = Index::load(dir.path()).unwrap();
        assert_eq!(back.profiles(), idx.profiles());
        assert_eq!(
            back.profiles()
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["a.first", "demo-1"],
            "sorted by name"
        );
        let p = back.profile("demo-1").unwrap();
        assert_eq!(
            p.registration.authorization_details["usage_data"]["amount"].to_string(),
            "12.50",
            "exact decimals survive"
        );
        assert!(p.registration.authorization_details["usage_data"]["note"].is_null());
        assert_eq!(p.next_step(), Some(RegistrationStep::AdminToken));
        let app = p.client("app-1").unwrap();
        assert_eq!(app.status, "sandbox");
        assert!(app.has_secret(SecretKind::RefreshToken));
        assert_eq!(
            p.stored_accounts().len(),
            4,
            "admin secret + three of the app"
        );
        assert_eq!(
            p.keyring_accounts(),
            [
                "demo-1/admin-1/client_secret",
                "demo-1/admin-1/access_token",
                "demo-1/admin-1/refresh_token",
                "demo-1/app-1/client_secret",
                "demo-1/app-1/access_token",
                "demo-1/app-1/refresh_token",
            ]
        );
    }

    #[test]
    fn upsert_replaces_and_remove_removes() {
        let dir = tmp();
        let mut idx = Index::load(dir.path()).unwrap();
        let mut p = Profile::new("p", "https://a.example", "keyutils").unwrap();
        idx.upsert(p.clone()).unwrap();
        p.issuer = "https://b.example".into();
        idx.upsert(p).unwrap();
        assert_eq!(idx.profiles().len(), 1);
        assert_eq!(idx.profile("p").unwrap().issuer, "https://b.example");
        assert!(idx.remove("p").is_some());
        assert!(idx.remove("p").is_none());
        idx.save().unwrap();
        assert!(Index::load(dir.path()).unwrap().profiles().is_empty());
    }

    #[test]
    fn refreshing_a_client_keeps_its_secret_bookkeeping() {
        let mut p = Profile::new("p", "https://a.example", "keyutils").unwrap();
        p.upsert_client(&client_object("c", "usage_data", None))
            .record_secret(SecretKind::AccessToken);
        let mut newer = client_object("c", "usage_data billing", None);
        newer.cds_status = crate::cds::clients::ClientStatus::Production;
        p.upsert_client(&newer);
        let c = p.client("c").unwrap();
        assert_eq!(
            (c.status.as_str(), c.scope.as_str()),
            ("production", "usage_data billing")
        );
        assert!(c.has_secret(SecretKind::AccessToken));
        assert_eq!(p.clients.len(), 1);
    }

    #[test]
    fn save_is_atomic_private_and_leaves_no_temp_files() {
        let dir = tmp();
        let home = dir.path().join("nested").join("home");
        let mut idx = Index::load(&home).unwrap();
        idx.upsert(Profile::new("p", "https://a.example", "keyutils").unwrap())
            .unwrap();
        idx.save().unwrap();
        idx.save().unwrap();
        let names: Vec<String> = std::fs::read_dir(&home)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [INDEX_FILE], "no temp file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&home.join(INDEX_FILE)), 0o600);
            assert_eq!(mode(&home), 0o700);
        }
    }

    #[test]
    fn a_corrupt_file_is_reported_with_its_line_and_left_alone() {
        let dir = tmp();
        let path = dir.path().join(INDEX_FILE);
        let text = "version = 1\n\n[[profile]]\nname = \"p\"\ncreated = 12 oops\n";
        std::fs::write(&path, text).unwrap();
        let err = Index::load(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, IndexError::Corrupt { line: 5, .. }), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("line 5"), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "not changed");

        // Valid TOML, wrong content: a bad profile name, a duplicate, a newer format.
        for (body, want) in [
            (
                "version = 1\n[[profile]]\nname = \"a/b\"\ncreated = \"2024-01-01T00:00:00Z\"\nkeyring_store = \"keyutils\"\n",
                "invalid profile name",
            ),
            (
                "version = 1\n[[profile]]\nname = \"a\"\ncreated = \"2024-01-01T00:00:00Z\"\nkeyring_store = \"k\"\n[[profile]]\nname = \"a\"\ncreated = \"2024-01-01T00:00:00Z\"\nkeyring_store = \"k\"\n",
                "appears twice",
            ),
            ("version = 99\n", "newer cds-wizard"),
        ] {
            std::fs::write(&path, body).unwrap();
            let msg = Index::load(dir.path()).unwrap_err().to_string();
            assert!(msg.contains(want), "{msg}");
        }
    }

    #[test]
    fn profile_names_are_checked() {
        for ok in ["demo", "Demo_2", "utility.example-sandbox", &"x".repeat(64)] {
            assert!(validate_profile_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".hidden",
            "..",
            "a/b",
            "a b",
            "é",
            "a\u{1b}[31m",
            &"x".repeat(65),
        ] {
            assert!(validate_profile_name(bad).is_err(), "{bad:?}");
        }
        assert!(Profile::new("a/b", "i", "k").is_err());
        let mut idx = Index::load(Path::new("/nonexistent-cds-wizard-home")).unwrap();
        let mut p = Profile::new("ok", "i", "k").unwrap();
        p.name = "not ok".into();
        assert!(idx.upsert(p).is_err());
        // The message never echoes terminal escapes.
        let msg = validate_profile_name("a\u{1b}[31m")
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\u{1b}'));
    }

    #[test]
    fn registration_steps_have_stable_names() {
        let names: Vec<String> = RegistrationStep::ALL
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "registered",
                "admin_secret_stored",
                "admin_token",
                "clients_listed",
                "credentials_stored",
                "messages_read"
            ]
        );
        for s in RegistrationStep::ALL {
            assert_eq!(
                s.to_string(),
                serde_json::to_value(s).unwrap().as_str().unwrap()
            );
        }
    }

    /// The index never holds a secret, even though the Client Objects it was built from
    /// carried `client_secret`s and tokens were handled alongside.
    #[test]
    fn no_secret_in_the_serialized_index() {
        let dir = tmp();
        let store = MemoryStore::default();
        let mut idx = Index::load(dir.path()).unwrap();
        idx.upsert(sample(&store)).unwrap();
        idx.save().unwrap();
        let text = std::fs::read_to_string(dir.path().join(INDEX_FILE)).unwrap();
        let debug = format!("{idx:?}");
        for s in [ADMIN_SECRET, CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN] {
            assert!(!text.contains(s), "secret in the index file:\n{text}");
            assert!(!debug.contains(s), "secret in Debug output");
            // ... but each is where it belongs.
            assert!(
                idx.profile("demo-1")
                    .unwrap()
                    .stored_accounts()
                    .iter()
                    .any(|(_, _, a)| store.get(a).unwrap().is_some_and(|v| v.expose() == s)),
                "{s} not in the store"
            );
        }
        assert!(
            !text.contains("kept out of the index"),
            "only listed fields are kept"
        );
        assert!(text.contains("demo-1/app-1/") || text.contains("client_secret"));
    }

    #[test]
    fn home_honours_the_override() {
        assert_eq!(
            home_from(Some("/tmp/cds-home-test".into())).unwrap(),
            PathBuf::from("/tmp/cds-home-test")
        );
        assert!(matches!(
            home_from(Some("relative/dir".into())),
            Err(IndexError::RelativeHome(_))
        ));
        // Unset or empty: the platform config directory (XDG on Linux).
        for var in [None, Some("".into())] {
            let default = home_from(var).unwrap();
            assert!(default.ends_with("cds-wizard"), "{}", default.display());
            assert_eq!(
                Some(default.parent().unwrap().to_path_buf()),
                dirs::config_dir()
            );
        }
    }
}
