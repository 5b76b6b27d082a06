//! What every cell of the fault matrix checks: output free of control bytes, one clear error
//! line naming the URL and the step, no panic, and nothing lost (every secret the index
//! records is in the keyring, every secret held before the fault is still held, and what is
//! held is what the server issued).

use std::path::Path;

use cds_wizard::demo::DemoServer;
use cds_wizard::profiles::{Index, Profile};
use cds_wizard::vault::{SecretKind, SecretStore};

use super::drive::Run;

/// A control byte, bidi control or invisible character that must never reach a terminal.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}'..='\u{200f}')
        || matches!(c, '\u{feff}' | '\u{e0000}'..='\u{e007f}')
}

/// Stdout and stderr carry no control byte (issue 9 item 1) and show no panic.
pub fn clean_output(r: &Run) -> Result<(), String> {
    for (what, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        if let Some(c) = text.chars().find(|c| forbidden(*c)) {
            return Err(format!("{what} carries U+{:04X}", c as u32));
        }
    }
    if r.code == 101 || r.stderr.contains("internal error") || r.stderr.contains("panicked") {
        return Err(format!("panicked (exit {})", r.code));
    }
    Ok(())
}

/// The run failed with exit 2 and one error line that names `url` and one of `step_words`.
pub fn clean_error(r: &Run, url: &str, step_words: &[&str]) -> Result<(), String> {
    if r.code != 2 {
        return Err(format!("exit {} instead of 2", r.code));
    }
    let lines: Vec<&str> = r.stderr.lines().collect();
    let errors: Vec<usize> = (0..lines.len())
        .filter(|i| lines[*i].starts_with("error:"))
        .collect();
    let [i] = errors[..] else {
        return Err(format!("{} error lines instead of one", errors.len()));
    };
    let line = lines[i];
    if lines.get(i + 1).is_some_and(|l| l.starts_with("  ")) {
        return Err(format!("the error takes more than one line: {line}"));
    }
    if !line.contains(url) {
        return Err(format!("the error does not name {url}: {line}"));
    }
    // The URL and what follows it, at each place the URL is named: the same twice means the
    // message repeats itself (an error printed with its own cause again).
    let mut seen = Vec::new();
    for (at, _) in line.match_indices(url) {
        let named: String = line[at..].chars().take(url.chars().count() + 30).collect();
        if seen.contains(&named) {
            return Err(format!("the error repeats itself: {line}"));
        }
        seen.push(named);
    }
    // The step must be named in words, not only by the URL's path.
    let lower = line.replace(url, "").to_lowercase();
    if !step_words.iter().any(|w| lower.contains(&w.to_lowercase())) {
        return Err(format!("the error names none of {step_words:?}: {line}"));
    }
    Ok(())
}

/// (keyring account, secret) of every secret the index records for `profile`.
pub type Held = Vec<(String, String)>;

fn profile(home: &Path, name: &str) -> Result<Option<Profile>, String> {
    let index = Index::load(home).map_err(|e| format!("profiles.toml unreadable: {e}"))?;
    Ok(index.profile(name).cloned())
}

/// What the index records for `profile`, each secret read from the keyring; an error names
/// a recorded secret the keyring does not have.
pub fn held(home: &Path, name: &str, vault: &dyn SecretStore) -> Result<Held, String> {
    let Some(p) = profile(home, name)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (_, _, account) in p.stored_accounts() {
        match vault.get(&account) {
            Ok(Some(s)) => out.push((account, s.expose().to_owned())),
            Ok(None) => return Err(format!("{account} is recorded but not in the keyring")),
            Err(e) => return Err(format!("{account}: keyring error {e}")),
        }
    }
    Ok(out)
}

/// Nothing lost: every recorded secret is in the keyring, and every secret held `before` the
/// faulted run is still recorded (the same value, or a newer one the server issued in its
/// place: a rotated token).
pub fn nothing_lost(
    home: &Path,
    name: &str,
    vault: &dyn SecretStore,
    before: &Held,
    server: &DemoServer,
) -> Result<(), String> {
    let now = held(home, name, vault)?;
    for (account, value) in before {
        match now.iter().find(|(a, _)| a == account) {
            None => return Err(format!("{account} was held before the fault and is gone")),
            Some((_, v)) if v == value || issued(server, account, v) => {}
            Some(_) => {
                return Err(format!(
                    "{account} now holds a value the server never issued"
                ));
            }
        }
    }
    Ok(())
}

/// Whether the server issued `value` as the secret of `account`'s kind.
fn issued(server: &DemoServer, account: &str, value: &str) -> bool {
    let store = server.state().registry.lock();
    if account.ends_with(SecretKind::ClientSecret.as_str()) {
        store
            .credentials
            .iter()
            .any(|c| c.item.client_secret.as_deref() == Some(value))
    } else if account.ends_with(SecretKind::RefreshToken.as_str()) {
        store.oauth.refresh_tokens.contains_key(value)
    } else {
        store.tokens.contains_key(value)
    }
}

/// The admin client the registration answer named is recorded, with a secret the server
/// issued for it in the keyring (a fault after the registration answer must not cost it).
pub fn admin_kept(
    home: &Path,
    name: &str,
    vault: &dyn SecretStore,
    server: &DemoServer,
) -> Result<(), String> {
    let p = profile(home, name)?.ok_or("the registered profile was not recorded")?;
    let admin = p
        .admin_client_id
        .clone()
        .ok_or("no admin client recorded")?;
    let account = p.account(&admin, SecretKind::ClientSecret);
    let held = held(home, name, vault)?;
    let Some((_, secret)) = held.iter().find(|(a, _)| *a == account) else {
        return Err(format!("the admin secret ({account}) is not recorded"));
    };
    let store = server.state().registry.lock();
    let ok = store.credentials.iter().any(|cr| {
        cr.item.client_id == admin && cr.item.client_secret.as_deref() == Some(secret.as_str())
    });
    if ok {
        Ok(())
    } else {
        Err("the admin secret held is not the one the server issued".into())
    }
}

/// The registration is complete (`complete`), or at least every client secret is stored:
/// four clients, each with a client secret the server issued for it.
pub fn registered(
    home: &Path,
    name: &str,
    vault: &dyn SecretStore,
    server: &DemoServer,
    complete: bool,
) -> Result<(), String> {
    let p = profile(home, name)?.ok_or("no profile after the retry")?;
    if complete && p.next_step().is_some() {
        return Err(format!("registration incomplete: {:?}", p.next_step()));
    }
    if p.clients.len() != 4 {
        return Err(format!("{} clients instead of 4", p.clients.len()));
    }
    let held = held(home, name, vault)?;
    for c in &p.clients {
        let account = p.account(&c.client_id, SecretKind::ClientSecret);
        let Some((_, secret)) = held.iter().find(|(a, _)| *a == account) else {
            return Err(format!("client {} has no secret recorded", c.client_id));
        };
        let store = server.state().registry.lock();
        let ok = store.credentials.iter().any(|cr| {
            cr.item.client_id == c.client_id && cr.item.client_secret.as_deref() == Some(secret)
        });
        if !ok {
            return Err(format!(
                "the secret of {} is not one the server issued",
                c.client_id
            ));
        }
    }
    Ok(())
}

/// After the retry, a client of the profile holds an access and a refresh token the server
/// honours.
pub fn authorized(
    home: &Path,
    name: &str,
    vault: &dyn SecretStore,
    server: &DemoServer,
) -> Result<(), String> {
    let held = held(home, name, vault)?;
    let live = |kind: SecretKind| {
        held.iter().any(|(a, v)| {
            a.ends_with(kind.as_str()) && {
                let store = server.state().registry.lock();
                match kind {
                    SecretKind::RefreshToken => store
                        .oauth
                        .refresh_tokens
                        .get(v)
                        .is_some_and(|r| !r.rotated),
                    _ => store.tokens.contains_key(v),
                }
            }
        })
    };
    if !live(SecretKind::RefreshToken) {
        return Err("no live refresh token held".into());
    }
    if !live(SecretKind::AccessToken) {
        return Err("no live access token held".into());
    }
    Ok(())
}

/// After the retry of `forget`: no profile, none of the secrets held before in the keyring,
/// and the refresh tokens held before no longer honoured.
pub fn forgotten(
    home: &Path,
    name: &str,
    vault: &dyn SecretStore,
    before: &Held,
    server: &DemoServer,
) -> Result<(), String> {
    if profile(home, name)?.is_some() {
        return Err("the profile is still in the index".into());
    }
    for (account, value) in before {
        if vault.get(account).ok().flatten().is_some() {
            return Err(format!("{account} is still in the keyring"));
        }
        let store = server.state().registry.lock();
        if account.ends_with(SecretKind::RefreshToken.as_str())
            && store
                .oauth
                .refresh_tokens
                .get(value)
                .is_some_and(|r| !r.rotated)
        {
            return Err(format!("the refresh token of {account} was not revoked"));
        }
    }
    Ok(())
}
