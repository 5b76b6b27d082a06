//! What every console command (clients, credentials, messages, grants, files, status) sets up:
//! the HTTP client, the keyring the profile names, the index, and a management session
//! (CDS-WG1-02 §5–§9); and how they print.

use anyhow::anyhow;
use serde::Serialize;

use crate::cli::ConsoleOptions;
use crate::http::HttpClient;
use crate::onboarding::engine::Engine;
use crate::onboarding::manage::Session;
use crate::profiles::Index;
use crate::vault::SecretStore;
use crate::vault::keyring::{self, KeyringStore};

/// The owned parts a session borrows.
pub struct Console {
    pub http: HttpClient,
    pub vault: KeyringStore,
    pub index: Index,
    pub profile: String,
    /// The remembered demo utility, when this command started it for a demo profile (saved and
    /// stopped when the console is dropped).
    pub demo: Option<crate::demo_home::Hosted>,
}

impl Console {
    /// Loads the index and opens the keyring the profile was registered with.
    pub fn load(profile: &str, options: &ConsoleOptions) -> anyhow::Result<Console> {
        let index = Index::load_default()?;
        let p = index
            .profile(profile)
            .ok_or_else(|| anyhow!("no profile `{profile}` (see `cds-wizard profiles`)"))?;
        let default = keyring::open()?;
        let vault = if default.name() == p.keyring_store {
            default
        } else {
            keyring::build(&p.keyring_store)?
        };
        Ok(Console {
            http: super::http_client(options.timeout)?,
            vault,
            index,
            profile: profile.to_owned(),
            demo: None,
        })
    }

    /// [`Console::load`], and the remembered demo utility started here when the profile belongs
    /// to it and it is not running (said on stderr).
    pub async fn open(profile: &str, options: &ConsoleOptions) -> anyhow::Result<Console> {
        let mut c = Console::load(profile, options)?;
        c.demo = crate::demo_home::ensure_for_profile(
            &mut c.index,
            profile,
            crate::demo_home::Role::Borrowed,
            &crate::demo_home::to_stderr,
        )
        .await?;
        Ok(c)
    }

    /// A management session over these parts.
    pub fn session(&mut self) -> anyhow::Result<Session<'_>> {
        let engine = Engine {
            http: &self.http,
            vault: &self.vault,
            index: &mut self.index,
        };
        Ok(Session::open(engine, &self.profile)?)
    }
}

/// Prints `value` as JSON (escaped for the terminal).
pub fn json<T: Serialize>(value: &T) {
    super::print_json(&serde_json::to_value(value).unwrap_or_default());
}

/// Prints lines the presentation layer made (already sanitized).
pub fn lines(lines: impl IntoIterator<Item = String>) {
    for l in lines {
        println!("{l}");
    }
}

/// The profile's time zone, for times people read.
pub fn zone(s: &Session<'_>) -> Option<String> {
    s.profile().timezone.clone()
}
