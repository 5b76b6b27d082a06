//! Reading and writing the profile index, `profiles.toml`, in the program's home directory
//! (`CDS_WIZARD_HOME`, else `$XDG_CONFIG_HOME/cds-wizard/` or the platform's config
//! directory).
//!
//! The file is written atomically (temp file in the same directory, fsync, rename, directory
//! fsync), mode 0600 in a 0700 directory. A file that does not parse is reported with its path
//! and line and is never overwritten: the user's registrations must not be lost to a bug or a
//! hand edit.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::{FORMAT_VERSION, HOME_ENV, IndexError};
use super::model::{Profile, validate_profile_name};

/// The index file inside the home directory.
pub const INDEX_FILE: &str = "profiles.toml";

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

/// The on-disk document.
#[derive(Serialize, Deserialize)]
struct IndexDoc {
    version: u32,
    #[serde(default, rename = "profile")]
    profiles: Vec<Profile>,
}

/// The profile index, loaded from and saved to `<home>/profiles.toml`.
///
/// Two processes may hold one at once (two `register` runs, the wizard and a headless command):
/// each remembers which profiles it changed, and [`Index::save`] re-reads the file under an
/// exclusive lock and writes those changes onto what is there, so neither loses the other's.
#[derive(Debug, Clone)]
pub struct Index {
    path: PathBuf,
    profiles: Vec<Profile>,
    /// Profiles this process added, changed (by name) or removed since it last saved.
    changed: BTreeSet<String>,
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
                    changed: BTreeSet::new(),
                });
            }
            Err(source) => return Err(IndexError::Io { path, source }),
        };
        Index::parse(path, &text)
    }

    /// Reads the index from its text (`path` names the file in errors): every check
    /// [`Index::load`] makes, without the file system.
    pub fn parse(path: PathBuf, text: &str) -> Result<Index, IndexError> {
        let doc: IndexDoc = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
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
            changed: BTreeSet::new(),
        })
    }

    /// Reads the file again, keeping this index's unsaved changes on top of what is on disk
    /// (as [`Index::save`] would write them, without writing).
    pub fn reload(&mut self) -> Result<(), IndexError> {
        let fresh = self.on_disk_with_changes()?;
        self.profiles = fresh.profiles;
        self.changed = fresh.changed;
        Ok(())
    }

    /// The file as it is now, with this index's changed profiles written onto it (a removed
    /// one removed); the result remembers those same changes.
    fn on_disk_with_changes(&self) -> Result<Index, IndexError> {
        let mut fresh = Index::load(&self.dir())?;
        fresh.path = self.path.clone();
        for name in &self.changed {
            match self.profiles.iter().find(|p| &p.name == name) {
                Some(p) => fresh.upsert(p.clone())?,
                None => {
                    fresh.remove(name);
                }
            }
        }
        Ok(fresh)
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
        let p = self.profiles.iter_mut().find(|p| p.name == name)?;
        self.changed.insert(p.name.clone());
        Some(p)
    }

    /// Adds a profile, or replaces the one with the same name. Profiles stay sorted by name.
    pub fn upsert(&mut self, profile: Profile) -> Result<(), IndexError> {
        validate_profile_name(&profile.name)?;
        self.changed.insert(profile.name.clone());
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
        self.changed.insert(name.to_owned());
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
            crate::secret::SERVICE
        ))
    }

    /// Saves this process's changes. Under an exclusive lock on `profiles.toml.lock`, the file
    /// is read again and the profiles this index changed are written onto it (a removed one
    /// removed, the others replaced or added); everything else on disk is kept as it is. Then
    /// this index holds the merged result. The write itself is [`Index::write_atomically`].
    pub fn save(&mut self) -> Result<(), IndexError> {
        let dir = self.dir();
        super::lock::create_private_dir(&dir).map_err(io_at(&dir))?;
        let _lock = super::lock::exclusive(&dir.join(LOCK_FILE))?;
        let merged = self.on_disk_with_changes()?;
        merged.write_atomically()?;
        self.profiles = merged.profiles;
        self.changed.clear();
        Ok(())
    }

    fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// Writes the index atomically: a temp file in the same directory (mode 0600), fsync,
    /// rename over the old file, fsync the directory. A crash leaves the old or the new file,
    /// never half of one. The directory is created mode 0700 when missing.
    fn write_atomically(&self) -> Result<(), IndexError> {
        let text = self.to_toml()?;
        let dir = self.dir();
        let io = io_at;
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

/// The lock file beside the index: `profiles.toml` itself is replaced by rename on every save,
/// so a lock on it would not be seen by the next writer.
pub const LOCK_FILE: &str = "profiles.toml.lock";

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + use<> {
    let path = path.to_path_buf();
    move |source| IndexError::Io { path, source }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::model::RegistrationStep;
    use crate::profiles::model::tests::client_object;
    use crate::secret::{Secret, SecretKind};
    use crate::vault::SecretStore;
    use crate::vault::memory::MemoryStore;
    use url::Url;

    const ADMIN_SECRET: &str = "adm1n-S3cret-value-0123456789abcdef";
    const CLIENT_SECRET: &str = "cl1ent-S3cret-value-fedcba9876543210";
    const ACCESS_TOKEN: &str = "acc3ss-T0ken-value-aaaabbbbccccdddd";
    const REFRESH_TOKEN: &str = "r3fresh-T0ken-value-eeeeffff00001111";

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

    /// Two holders of the index (two processes) each save their own change; neither loses the
    /// other's, a removal by one stays removed, and threads saving at once all land.
    #[test]
    fn concurrent_holders_keep_each_others_changes() {
        let dir = tmp();
        let mut a = Index::load(dir.path()).unwrap();
        let mut b = Index::load(dir.path()).unwrap();
        a.upsert(Profile::new("from-a", "https://a.example", "keyutils").unwrap())
            .unwrap();
        b.upsert(Profile::new("from-b", "https://b.example", "keyutils").unwrap())
            .unwrap();
        a.save().unwrap();
        b.save().unwrap();
        let names = |i: &Index| {
            i.profiles()
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&Index::load(dir.path()).unwrap()),
            ["from-a", "from-b"]
        );
        assert_eq!(names(&b), ["from-a", "from-b"], "the saver sees the merge");

        // `a` removes its profile while `b` (stale) changes its own: both hold.
        a.remove("from-a");
        b.profile_mut("from-b").unwrap().issuer = "https://b2.example".into();
        a.save().unwrap();
        b.save().unwrap();
        let back = Index::load(dir.path()).unwrap();
        assert_eq!(names(&back), ["from-b"]);
        assert_eq!(back.profile("from-b").unwrap().issuer, "https://b2.example");

        let threads: Vec<_> = (0..8)
            .map(|n| {
                let home = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    let mut idx = Index::load(&home).unwrap();
                    idx.upsert(
                        Profile::new(&format!("t{n}"), "https://t.example", "keyutils").unwrap(),
                    )
                    .unwrap();
                    idx.save().unwrap();
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(Index::load(dir.path()).unwrap().profiles().len(), 9);
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
    fn save_is_atomic_private_and_leaves_no_temp_files() {
        let dir = tmp();
        let home = dir.path().join("nested").join("home");
        let mut idx = Index::load(&home).unwrap();
        idx.upsert(Profile::new("p", "https://a.example", "keyutils").unwrap())
            .unwrap();
        idx.save().unwrap();
        idx.save().unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&home)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [INDEX_FILE, LOCK_FILE], "no temp file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&home.join(INDEX_FILE)), 0o600);
            assert_eq!(mode(&home.join(LOCK_FILE)), 0o600);
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
    fn the_index_refuses_a_bad_profile_name() {
        let mut idx = Index::load(Path::new("/nonexistent-cds-wizard-home")).unwrap();
        let mut p = Profile::new("ok", "i", "k").unwrap();
        p.name = "not ok".into();
        assert!(idx.upsert(p).is_err());
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
