//! A stored profile in words: its utility, registration state, keyring store and the account
//! name of every stored secret (CDS-WG1-02 §5 clients) — never a secret value.

use std::collections::HashMap;

use crate::cds::auth_methods::NONE;
use crate::profiles::model::{ClientEntry, Profile};
use crate::secret::{SERVICE, SecretKind};
use crate::text::sanitize;

/// What a keyring check found for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Present,
    Missing,
    /// The keyring could not be asked (locked, timed out, unavailable); the reason has no secret.
    Unknown(String),
}

/// Keyring check results by account name.
pub type Checks = HashMap<String, Presence>;

/// One profile as the lines `cds-wizard profiles` prints.
pub fn summary(p: &Profile, checks: Option<&Checks>) -> Vec<String> {
    let mut out = vec![
        sanitize(&p.name),
        format!("  issuer        {}", sanitize(&p.issuer)),
    ];
    if let Some(u) = &p.server_metadata_url {
        out.push(format!("  metadata      {}", sanitize(u.as_str())));
    }
    let tz = p.timezone.as_deref();
    out.push(format!(
        "  created       {}",
        super::time::in_zone(p.created, tz)
    ));
    out.push(match p.next_step() {
        None => "  registration  complete".to_owned(),
        Some(step) => format!(
            "  registration  incomplete, next step: {step} (continue with `cds-wizard register --resume {}`)",
            sanitize(&p.name)
        ),
    });
    out.push(format!(
        "  secrets in    {} keyring, service \"{SERVICE}\"",
        sanitize(&p.keyring_store)
    ));
    if p.clients.is_empty() {
        out.push("  clients       none recorded".to_owned());
        return out;
    }
    out.push(format!("  clients ({})", p.clients.len()));
    for c in &p.clients {
        out.extend(client_lines(p, c, checks));
    }
    out
}

/// A profile on one line, after its name, as the wizard lists stored profiles:
/// `https://u.example · 2 clients · unfinished`.
pub fn headline(issuer: &str, clients: usize, finished: bool) -> String {
    format!(
        "{} · {}{}",
        sanitize(issuer),
        crate::text::count(clients, "client", "clients"),
        if finished { "" } else { " · unfinished" }
    )
}

/// One client of a profile: id, status, auth method and scope, then each stored secret's
/// account name (with the access token's expiry and, after a check, whether it is there).
pub fn client_lines(p: &Profile, c: &ClientEntry, checks: Option<&Checks>) -> Vec<String> {
    let admin = if p.admin_client_id.as_deref() == Some(c.client_id.as_str()) {
        " (admin)"
    } else {
        ""
    };
    let mut out = vec![format!(
        "    {}{admin}  {}  {}  scope: {}",
        sanitize(&c.client_id),
        sanitize(&c.status),
        sanitize(c.token_endpoint_auth_method.as_deref().unwrap_or("—")),
        if c.scope.is_empty() {
            "—".to_owned()
        } else {
            sanitize(&c.scope)
        }
    )];
    if c.is_public() {
        out.push(super::register::PUBLIC_CLIENT.to_owned());
    }
    if c.secrets.is_empty() {
        out.push("      no secret in the keyring".to_owned());
    }
    for k in &c.secrets {
        let account = p.account(&c.client_id, *k);
        let expiry = match (k, c.access_token_expires_at) {
            (SecretKind::AccessToken, Some(t)) => {
                format!(
                    "  expires {}",
                    super::time::in_zone(t, p.timezone.as_deref())
                )
            }
            _ => String::new(),
        };
        let status = match checks.and_then(|m| m.get(&account)) {
            None => String::new(),
            Some(Presence::Present) => "  [present]".to_owned(),
            Some(Presence::Missing) => "  [MISSING]".to_owned(),
            Some(Presence::Unknown(why)) => format!("  [not checked: {}]", sanitize(why)),
        };
        out.push(format!(
            "      {:<14} account {}{expiry}{status}",
            k.as_str(),
            sanitize(&account)
        ));
    }
    out
}

/// A `token_endpoint_auth_method` in words: `null` (§5.1) is not `none` (a public client).
pub fn auth_method(method: Option<&str>) -> String {
    match method {
        None => "— (null: does not use the token endpoint)".to_owned(),
        Some(NONE) => "none (public client: no client secret, no Credential)".to_owned(),
        Some(m) => sanitize(m),
    }
}

/// How many checked entries are missing and how many could not be checked.
pub fn check_counts(checks: &Checks) -> (usize, usize) {
    let missing = checks.values().filter(|p| **p == Presence::Missing).count();
    let unknown = checks
        .values()
        .filter(|p| matches!(p, Presence::Unknown(_)))
        .count();
    (missing, unknown)
}

/// The closing line of `cds-wizard profiles --check`.
pub fn check_summary(checks: &Checks) -> String {
    let (missing, unknown) = check_counts(checks);
    format!(
        "Checked {} keyring entr{}: {} present, {missing} missing, {unknown} could not be checked.",
        checks.len(),
        if checks.len() == 1 { "y" } else { "ies" },
        checks.len() - missing - unknown
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::model::RegistrationStep;
    use crate::profiles::model::tests::client_object;

    #[test]
    fn a_profile_summary_names_the_utility_clients_and_keyring_accounts() {
        let mut p = Profile::new("demo", "https://u.example", "keyutils").unwrap();
        p.created = "2024-05-01T12:00:00Z".parse().unwrap();
        p.complete(RegistrationStep::Registered);
        p.admin_client_id = Some("adm".into());
        p.upsert_client(&client_object("adm", "cds_client_admin", None))
            .record_secret(SecretKind::ClientSecret);
        let app = p.upsert_client(&client_object("app", "usage_data", None));
        app.record_secret(SecretKind::AccessToken);
        app.access_token_expires_at = Some("2030-01-01T00:00:00Z".parse().unwrap());
        let checks = Checks::from([
            ("demo/adm/client_secret".to_owned(), Presence::Present),
            ("demo/app/access_token".to_owned(), Presence::Missing),
        ]);
        assert_eq!(
            summary(&p, Some(&checks)),
            [
                "demo",
                "  issuer        https://u.example",
                "  created       2024-05-01 12:00:00 UTC",
                "  registration  incomplete, next step: admin_secret_stored (continue with `cds-wizard register --resume demo`)",
                "  secrets in    keyutils keyring, service \"cds-wizard\"",
                "  clients (2)",
                "    adm (admin)  sandbox  client_secret_basic  scope: cds_client_admin",
                "      client_secret  account demo/adm/client_secret  [present]",
                "    app  sandbox  client_secret_basic  scope: usage_data",
                "      access_token   account demo/app/access_token  expires 2030-01-01 00:00:00 UTC  [MISSING]",
            ]
        );
        assert_eq!(
            check_summary(&checks),
            "Checked 2 keyring entries: 1 present, 1 missing, 0 could not be checked."
        );
        // Times are read in the utility's zone (its `cds_timezone`), to the second.
        p.timezone = Some("America/Los_Angeles".into());
        let lines = summary(&p, None);
        assert!(lines.contains(&"  created       2024-05-01 05:00:00 PDT".to_owned()));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("expires 2029-12-31 16:00:00 PST"))
        );
    }
}
