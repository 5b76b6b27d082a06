//! Profiles that belong to the remembered demo utility: recognised by the `demo` mark in the
//! index or by an address the demo has served on, kept pointed at the address it serves on now,
//! and served by it (started in this process) when a command needs it.

use super::{DemoHome, DemoHomeError, Found, Hosted, Role, host_or_find};
use crate::demo::persist;
use crate::profiles::{Index, Profile};

/// What a profile's stored URLs start with: its server metadata's origin, else its issuer's.
fn origin(p: &Profile) -> Option<String> {
    let url = match &p.server_metadata_url {
        Some(u) => u.clone(),
        None => url::Url::parse(&p.issuer).ok()?,
    };
    Some(url.origin().ascii_serialization())
}

/// Whether `p` was registered with the remembered demo.
pub fn belongs(home: &DemoHome, p: &Profile) -> bool {
    p.demo || origin(p).is_some_and(|o| home.known_bases().contains(&o))
}

/// The stored profiles that belong to the remembered demo, by name.
pub fn demo_profiles(index: &Index) -> Vec<String> {
    let Ok(home) = DemoHome::default_home() else {
        return Vec::new();
    };
    index
        .profiles()
        .iter()
        .filter(|p| belongs(&home, p))
        .map(|p| p.name.clone())
        .collect()
}

/// Says one line on stderr (the headless commands' `say`).
pub fn to_stderr(line: String) {
    eprintln!("note: {}", crate::text::sanitize(&line));
}

/// Points `p` at `base`: every stored string on its old origin is rewritten (metadata URL,
/// issuer, endpoints, client URIs). Returns the old origin when it changed.
fn rebase(p: &mut Profile, base: &str) -> Option<String> {
    let old = origin(p)?;
    if old == base {
        return None;
    }
    let mut v = serde_json::to_value(&*p).ok()?;
    persist::rewrite_base(&mut v, &old, base);
    *p = serde_json::from_value(v).ok()?;
    Some(old)
}

/// After a registration: marks profile `name` as the demo's when it was registered with it, so
/// it is recognised wherever the demo listens later. Returns whether it did.
pub fn adopt(index: &mut Index, name: &str) -> Result<bool, DemoHomeError> {
    let Ok(home) = DemoHome::default_home() else {
        return Ok(false);
    };
    let mine = index
        .profile(name)
        .is_some_and(|p| !p.demo && belongs(&home, p));
    if !mine {
        return Ok(false);
    }
    if let Some(p) = index.profile_mut(name) {
        p.demo = true;
    }
    index.save()?;
    Ok(true)
}

/// Before a command uses profile `name`: when it belongs to the demo, makes sure the demo serves
/// — started in this process from its remembered state when no process does (returned; stop it
/// when the command is done), waiting for a process that borrowed it for a moment — and that the
/// profile points at the address it serves on. `say` tells the user what was done.
pub async fn ensure_for_profile(
    index: &mut Index,
    name: &str,
    role: Role,
    say: &(dyn Fn(String) + Send + Sync),
) -> Result<Option<Hosted>, DemoHomeError> {
    let Ok(home) = DemoHome::default_home() else {
        return Ok(None);
    };
    if !index.profile(name).is_some_and(|p| belongs(&home, p)) {
        return Ok(None);
    }
    let (hosted, base) = match host_or_find(&home, role).await? {
        Found::Hosted(h) => {
            say(format!(
                "The demo utility was not running: started it in this process on {} until {} \
                 ends.",
                h.base_url,
                match role {
                    Role::Borrowed => "this command",
                    Role::Serving => "the wizard",
                }
            ));
            for n in h.notes() {
                say(n);
            }
            let base = h.base_url.clone();
            (Some(*h), base)
        }
        Found::Elsewhere(info) => (None, info.base_url),
    };
    let mut changed = false;
    if let Some(p) = index.profile_mut(name) {
        if let Some(old) = rebase(p, &base) {
            say(format!(
                "Profile {name} now points at the demo utility's address {base} (it was \
                 registered at {old})."
            ));
            changed = true;
        }
        changed |= !p.demo;
        p.demo = true;
    }
    if changed {
        index.save()?;
    }
    Ok(hosted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_moves_every_stored_url_of_the_old_origin_only() {
        let mut p = Profile::new("d", "http://127.0.0.1:4000", "keyutils").unwrap();
        p.server_metadata_url = Some(
            "http://127.0.0.1:4000/.well-known/cds-server-metadata.json"
                .parse()
                .unwrap(),
        );
        p.endpoints.token = Some("http://127.0.0.1:4000/oauth/token".parse().unwrap());
        p.endpoints.par = Some("http://127.0.0.1:40001/oauth/par".parse().unwrap());
        let old = rebase(&mut p, "http://127.0.0.1:5000");
        assert_eq!(old.as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(p.issuer, "http://127.0.0.1:5000");
        assert_eq!(
            p.endpoints.token.as_ref().unwrap().as_str(),
            "http://127.0.0.1:5000/oauth/token"
        );
        assert_eq!(
            p.server_metadata_url.as_ref().unwrap().as_str(),
            "http://127.0.0.1:5000/.well-known/cds-server-metadata.json"
        );
        // Another origin that merely starts with the same characters is left alone.
        assert_eq!(
            p.endpoints.par.as_ref().unwrap().as_str(),
            "http://127.0.0.1:40001/oauth/par"
        );
        assert_eq!(
            rebase(&mut p, "http://127.0.0.1:5000"),
            None,
            "already there"
        );
    }

    #[test]
    fn a_profile_belongs_by_its_mark_or_by_an_address_the_demo_served_on() {
        let dir = tempfile::tempdir().unwrap();
        let home = DemoHome::for_state(dir.path().join("state.json"));
        std::fs::write(
            dir.path().join("state.json.bases"),
            "http://127.0.0.1:4000\nhttp://127.0.0.1:4100\n",
        )
        .unwrap();
        let mut p = Profile::new("d", "http://127.0.0.1:4000", "keyutils").unwrap();
        assert!(belongs(&home, &p), "an old address");
        p.issuer = "http://127.0.0.1:4200".to_owned();
        assert!(!belongs(&home, &p), "an address the demo never had");
        p.demo = true;
        assert!(belongs(&home, &p), "marked");
    }
}
