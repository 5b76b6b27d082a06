//! The profile model: what the index records about each registration with a utility
//! (CDS-WG1-02 §4 registration, §5 Client Objects, which secrets are in the keyring under
//! which account). Pure types and validation; reading and writing the file is `store`.

use std::collections::BTreeSet;
use std::fmt;

use indexmap::IndexMap;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::error::{IndexError, MAX_PROFILE_NAME};
use crate::cds::clients::ClientObject;
use crate::secret::{SecretKind, account};

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

    /// A public client (`token_endpoint_auth_method` `none`, RFC 6749 §2.1): it has no client
    /// secret, so none is ever stored, asked for, rotated or deleted.
    pub fn is_public(&self) -> bool {
        crate::cds::auth_methods::is_public(self.token_endpoint_auth_method.as_deref())
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
    /// The profile was registered with the built-in demo utility (`cds-wizard demo`), whose
    /// state is remembered in the home: its URLs follow the demo's port, and `token`,
    /// `authorize` and the wizard start the demo when it is not running (`demo_home`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
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
            demo: false,
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
    /// recorded (deleting a missing entry is not an error). A public client has no client
    /// secret, so none is named for it unless one was recorded.
    pub fn keyring_accounts(&self) -> Vec<String> {
        let mut ids: Vec<&str> = self.clients.iter().map(|c| c.client_id.as_str()).collect();
        if let Some(admin) = self.admin_client_id.as_deref()
            && !ids.contains(&admin)
        {
            ids.insert(0, admin);
        }
        let never_had = |id: &str, k: SecretKind| {
            k == SecretKind::ClientSecret
                && self
                    .client(id)
                    .is_some_and(|c| c.is_public() && !c.has_secret(k))
        };
        ids.iter()
            .flat_map(|id| SECRET_KINDS.into_iter().map(move |k| (*id, k)))
            .filter(|(id, k)| !never_had(id, *k))
            .map(|(id, k)| self.account(id, k))
            .collect()
    }
}

/// Secret kinds by name (`SecretKind` itself has no serde: it stays minimal).
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
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn client_object(id: &str, scope: &str, secret: Option<&str>) -> ClientObject {
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
}
